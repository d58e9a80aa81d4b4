"""Every key of the app with what it does, grouped by where it works."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

# (heading, the bindings that work there)
HelpSection = tuple[str, Sequence[BindingType]]


def bindings_of(section: Sequence[BindingType]) -> list[Binding]:
    return [b for b in section if isinstance(b, Binding) and b.description]


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Закрыть справку", id="help.close"),
        Binding("question_mark", "close", "Закрыть справку", show=False, id="help.close_key"),
        Binding("f1", "close", "Закрыть справку", show=False, id="help.close_f1"),
    ]

    def __init__(self, sections: Sequence[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Label("Справка: клавиши «Куратора»", classes="dialog-title")
            for heading, section in self.sections:
                yield Label(heading, classes="help-heading")
                yield Static(self._lines(section), classes="help-keys")
            yield Label("Esc — закрыть справку", classes="dialog-hint")

    def _lines(self, section: Sequence[BindingType]) -> Content:
        lines = []
        for binding in bindings_of(section):
            key = self.app.get_key_display(binding)
            lines.append(
                Content.assemble((f"{key:>12}", "bold $accent"), f"  {binding.description}")
            )
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
