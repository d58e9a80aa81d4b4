"""What an import understood and what it could not: shown after a roadmap is imported.

The same «Требует проверки» list the CLI prints (a row joined to the one above, a deadline read
only in part), in a scrolling box so that a long list fits an 80×24 terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from curator_tui.domain.safe_text import safe_text


class ImportSummaryScreen(ModalScreen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Продолжить", id="import_summary.close"),
    ]

    def __init__(self, description: str, warnings: Sequence[str]) -> None:
        super().__init__()
        self.description = description
        self.warnings = tuple(warnings)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="import-summary"):
            yield Label("Дорожная карта импортирована", classes="dialog-title")
            yield Label(safe_text(self.description), classes="dialog-subject", markup=False)
            yield Label(f"Требует проверки ({len(self.warnings)}):", id="import-warnings-title")
            with VerticalScroll(id="import-warnings"):
                for warning in self.warnings:
                    yield Static(f"• {safe_text(warning)}", markup=False, classes="import-warning")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Продолжить", variant="primary", id="import-summary-close")

    def on_mount(self) -> None:
        self.query_one("#import-warnings", VerticalScroll).focus()

    @on(Button.Pressed, "#import-summary-close")
    def action_close(self) -> None:
        self.dismiss(None)
