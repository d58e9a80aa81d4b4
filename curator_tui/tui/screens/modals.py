"""Small dialogs, each typed with the answer it gives back (None: the user changed their mind)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from curator_tui.domain.models import Status
from curator_tui.domain.safe_text import safe_text


class StatusPicker(ModalScreen[Status | None]):
    """Pick an activity's new status; the current one is marked."""

    CSS_PATH = "../dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Отмена", id="status.cancel"),
    ]

    def __init__(self, current: Status, subject: str) -> None:
        super().__init__()
        self.current = current
        self.subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="status-dialog"):
            yield Label("Статус мероприятия", classes="dialog-title")
            yield Label(safe_text(self.subject), classes="dialog-subject", markup=False)
            options = [
                Option(f"{'●' if s is self.current else ' '} {s.label}", id=s.value) for s in Status
            ]
            yield OptionList(*options, id="status-options")
            yield Label("Enter — выбрать, Esc — отмена", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(Status).index(self.current)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:  # every option is made with its status as id
            self.dismiss(Status(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteEditor(ModalScreen[str | None]):
    """Write a progress note; notes are never edited afterwards, only added."""

    CSS_PATH = "../dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Сохранить", id="note.save"),
        Binding("escape", "cancel", "Отмена", id="note.cancel"),
    ]

    def __init__(self, subject: str) -> None:
        super().__init__()
        self.subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-dialog"):
            yield Label("Заметка о ходе выполнения", classes="dialog-title")
            yield Label(safe_text(self.subject), classes="dialog-subject", markup=False)
            yield TextArea(id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Label("Ctrl+S — сохранить, Esc — отмена", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Сохранить", variant="primary", id="note-save")
                yield Button("Отмена", id="note-cancel")

    @on(Button.Pressed, "#note-save")
    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("Заметка пустая — напишите, что сделано", severity="warning")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#note-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; Esc and «Нет» answer no."""

    CSS_PATH = "../dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "Нет", id="confirm.no"),
        Binding("y", "answer(True)", "Да", show=False, id="confirm.yes"),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Да") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(self.question, classes="dialog-title")
            if self.detail:
                yield Label(safe_text(self.detail), classes="dialog-subject", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error", id="confirm-yes")
                yield Button("Нет", variant="primary", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
