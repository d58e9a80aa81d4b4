"""Withdrawing a roadmap imported by mistake, asked first (issue 16, item 5).

The same service as `curator withdraw-roadmap`: every activity of the roadmap is recorded as
removed, so the coordinator's withdrawal travels with the next bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.workers import thread_work

if TYPE_CHECKING:
    from curator_tui.store.store import Store


class WithdrawDialog(ModalScreen[bool]):
    """Dismissed with True once the roadmap is withdrawn."""

    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Не отзывать", id="withdraw.no"),
    ]

    class Found(Message):
        def __init__(self, roadmap: dict[str, Any], activities: int) -> None:
            super().__init__()
            self.roadmap = roadmap
            self.activities = activities

    class Withdrawn(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.roadmap: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="withdraw-dialog"):
            yield Label("Отозвать дорожную карту?", classes="dialog-title")
            yield Static("Ищу дорожную карту…", id="withdraw-text", classes="dialog-subject")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Отозвать", variant="error", id="withdraw-yes", disabled=True)
                yield Button("Нет", variant="primary", id="withdraw-no")

    def on_mount(self) -> None:
        self.query_one("#withdraw-no", Button).focus()
        self.find()

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    @thread_work(group="withdraw", exclusive=True)
    def find(self) -> None:
        from curator_tui.services import withdrawable_roadmap

        def job(store: Store) -> tuple[dict[str, Any], int]:
            roadmap = withdrawable_roadmap(store, None)
            return roadmap, len(store.activities(roadmap["id"]))

        try:
            roadmap, activities = self.curator.with_store(job)
        except Exception:
            self.app.call_from_thread(self.dismiss, False)
            raise
        self.post_message(self.Found(roadmap, activities))

    def on_withdraw_dialog_found(self, message: Found) -> None:
        self.roadmap = message.roadmap
        text = (
            f"«{message.roadmap['organisation']}»: {message.activities} мероприятий уйдут "
            "из списка. Сделанная по ним работа сохранится в журнале."
        )
        self.query_one("#withdraw-text", Static).update(text)
        self.query_one("#withdraw-yes", Button).disabled = False

    @on(Button.Pressed, "#withdraw-yes")
    def confirmed(self) -> None:
        if self.roadmap is not None:
            self.withdraw(self.roadmap)

    @thread_work(group="withdraw", exclusive=True)
    def withdraw(self, roadmap: dict[str, Any]) -> None:
        from curator_tui.services import withdraw_roadmap

        done = self.curator.with_store(lambda store: withdraw_roadmap(store, roadmap))
        self.post_message(
            self.Withdrawn(
                f"Дорожная карта «{done.organisation}» отозвана: {done.activities} мероприятий"
            )
        )

    def on_withdraw_dialog_withdrawn(self, message: Withdrawn) -> None:
        self.notify(message.text, title="Готово", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#withdraw-no")
    def action_cancel(self) -> None:
        self.dismiss(False)
