"""Logging a curator's visit: when, who took part, what was said, which activities came up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList, TextArea
from textual.widgets.selection_list import Selection

from curator_tui.tui.context import curator_of
from curator_tui.tui.formatting import parse_typed_date
from curator_tui.tui.workers import thread_work
from curator_tui.views.format import numeric_date


@dataclass(frozen=True)
class VisitDraft:
    visit_date: date
    participants: str
    notes: str
    activity_ids: list[str]


class VisitDialog(ModalScreen[VisitDraft | None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Записать визит", id="visit.save"),
        Binding("escape", "cancel", "Отмена", id="visit.cancel"),
    ]

    class ActivitiesLoaded(Message):
        def __init__(self, rows: list[dict[str, Any]]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, roadmap_id: str, current_activity_id: str, today: date) -> None:
        super().__init__()
        self.roadmap_id = roadmap_id
        self.current_activity_id = current_activity_id
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="visit-dialog"):
            yield Label("Визит куратора", classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Дата", classes="form-label")
                yield Input(numeric_date(self.today), id="visit-date", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Участники", classes="form-label")
                yield Input(placeholder="кто участвовал", id="visit-participants", compact=True)
            yield Label("Заметки о визите", classes="form-caption")
            yield TextArea(id="visit-notes", soft_wrap=True)
            yield Label("Какие мероприятия обсуждали (пробел — отметить)", classes="form-caption")
            yield SelectionList[str](id="visit-activities")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Записать", variant="primary", id="visit-save", compact=True)
                yield Button("Отмена", id="visit-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#visit-date", Input).focus()
        self.load_activities()

    @thread_work(group="visit-activities")
    def load_activities(self) -> None:
        rows = curator_of(self.app).with_store(lambda store: store.activities(self.roadmap_id))
        self.post_message(self.ActivitiesLoaded(rows))

    def on_visit_dialog_activities_loaded(self, message: ActivitiesLoaded) -> None:
        choices = self.query_one("#visit-activities", SelectionList)
        choices.add_options(
            [
                Selection(
                    f"{row['number'] or '—'} {row['title']}",
                    row["id"],
                    row["id"] == self.current_activity_id,
                )
                for row in message.rows
            ]
        )
        ids = [row["id"] for row in message.rows]
        if self.current_activity_id in ids:
            choices.highlighted = ids.index(self.current_activity_id)

    @on(Button.Pressed, "#visit-save")
    def action_save(self) -> None:
        date_input = self.query_one("#visit-date", Input)
        try:
            visit_date = parse_typed_date(date_input.value, self.today)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            date_input.focus()
            return
        selected = cast(list[str], self.query_one("#visit-activities", SelectionList).selected)
        self.dismiss(
            VisitDraft(
                visit_date=visit_date,
                participants=self.query_one("#visit-participants", Input).value,
                notes=self.query_one("#visit-notes", TextArea).text,
                activity_ids=list(selected),
            )
        )

    @on(Button.Pressed, "#visit-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
