"""What importing a whole folder came to: a table of every bundle (file, school, signer,
result, counts), the reason behind the highlighted row, and the totals.

Fits 80×24: the table scrolls (↑↓, PgUp/PgDn, Ctrl+Home/Ctrl+End); the highlighted
bundle's whole message is shown under it, so a long reason for a refusal is never cut off.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

from curator_tui.domain.safe_text import safe_text
from curator_tui.views.folder_import import HEADERS, FolderRow, folder_totals


class FolderImportScreen(ModalScreen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Закрыть", id="folder_import.close"),
    ]

    def __init__(self, folder: Path, rows: Sequence[FolderRow], skipped: Sequence[Path]) -> None:
        super().__init__()
        self.folder = folder
        self.rows = tuple(rows)
        self.skipped = tuple(skipped)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="folder-import"):
            yield Label("Импорт папки", classes="dialog-title")
            yield Label(safe_text(str(self.folder)), classes="dialog-subject", markup=False)
            yield DataTable(id="folder-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="folder-reason")
            yield Static(Content(folder_totals(list(self.rows))), id="folder-totals")
            if self.skipped:
                names = ", ".join(p.name for p in self.skipped)
                yield Static(
                    Content(safe_text(f"Не пакеты, пропущены: {names}")), id="folder-skipped"
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Закрыть", variant="primary", id="folder-import-close", compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#folder-table", DataTable)
        table.add_columns(*HEADERS)
        for row in self.rows:
            table.add_row(*(Text(cell) for cell in row.cells))
        table.focus()
        self.show_reason(0)

    @on(DataTable.RowHighlighted, "#folder-table")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_reason(event.cursor_row)

    def show_reason(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            row = self.rows[index]
            self.query_one("#folder-reason", Static).update(Content(f"{row.file}: {row.reason}"))

    @on(Button.Pressed, "#folder-import-close")
    def action_close(self) -> None:
        self.dismiss(None)
