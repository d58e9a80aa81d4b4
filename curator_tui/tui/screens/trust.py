"""The trust list on screen (issue 16, item 3): whose bundles this database accepts.

The list (who, role, organisation, until, fingerprint); a key added from a `.pub` file on a
stick for an organisation chosen from the list (or all of them); a key removed (asked
first) or trusted for longer. The same services as `curator trust add/remove/extend`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
)
from textual.widgets.option_list import Option

from curator_tui.domain.errors import UserFacingError
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.workers import thread_work

if TYPE_CHECKING:
    from curator_tui.sync.replica import TrustRow

ALL_ORGANISATIONS = "*"
# Column widths at 80×24; the selected key's whole fingerprint is shown under the list.
NAME_WIDTH = 20
SCOPE_WIDTH = 22
FINGERPRINT_WIDTH = 14
ROLE_CHOICES = {"school": "Школа", "curator": "Куратор", "coordinator": "Координатор"}


class TrustScreen(Screen[None]):
    CSS_PATH: ClassVar = ["../dialogs.tcss", "../setup.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Назад", id="trust.back"),
        Binding("ctrl+s", "add", "Добавить ключ", id="trust.add"),
        Binding("ctrl+e", "extend", "Продлить", id="trust.extend"),
        Binding("ctrl+d", "remove", "Удалить ключ", id="trust.remove"),
    ]

    class Listed(Message):
        def __init__(self, rows: list[TrustRow], organisations: list[str]) -> None:
            super().__init__()
            self.rows = rows
            self.organisations = organisations

    class Changed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TrustRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="trust"):
            yield Label("Список доверия: чьи пакеты принимает эта база", classes="dialog-title")
            yield DataTable(id="trust-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="trust-detail")
            yield Label("Новый ключ:", classes="trust-label")
            with Horizontal(classes="trust-row"):
                yield Input(placeholder="Файл ключа .pub с флешки", id="trust-key", compact=True)
                yield Input(
                    placeholder="Чей ключ (пусто — как в файле)", id="trust-name", compact=True
                )
            with RadioSet(id="trust-role", compact=True):
                for index, (role, label) in enumerate(ROLE_CHOICES.items()):
                    yield RadioButton(label, value=index == 0, id=f"trust-role-{role}")
            with Horizontal(classes="trust-row"):
                yield OptionList(id="trust-organisations", compact=True)
                with Vertical(id="trust-side"):
                    yield Label("Доверять до (пусто — бессрочно):")
                    yield Input(placeholder="ГГГГ-ММ-ДД", id="trust-until", compact=True)
                    with Horizontal(classes="trust-buttons"):
                        yield Button("Добавить", variant="primary", id="trust-add", compact=True)
                        yield Button("Продлить", id="trust-extend", compact=True)
                        yield Button("Удалить", variant="error", id="trust-remove", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#trust-table", DataTable)
        table.add_columns("Кто", "Роль", "Организация", "До", "Отпечаток")
        self.query_one("#trust-detail", Static).update("Ключей в списке пока нет")
        self.load()

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    def action_back(self) -> None:
        self.dismiss(None)

    # --- the list -----------------------------------------------------------------------

    @thread_work(group="trust", exclusive=True)
    def load(self) -> None:
        from curator_tui.services import setup_choices
        from curator_tui.sync.replica import list_trust

        organisations = self.curator.with_store(setup_choices).organisations
        rows = list_trust(self.curator.db_path, self.curator.today)
        self.post_message(self.Listed(rows, organisations))

    def on_trust_screen_listed(self, message: Listed) -> None:
        from curator_tui.views.format import numeric_date

        self.rows = message.rows
        table = self.query_one("#trust-table", DataTable)
        table.clear()
        for row in message.rows:
            e = row.entry
            until = numeric_date(e.valid_until) if e.valid_until else "бессрочно"
            if row.expired:
                until += " (истёк)"
            table.add_row(
                short(e.display_name, NAME_WIDTH),
                ROLE_CHOICES.get(e.role.value, e.role.value),
                short(scope_name(row), SCOPE_WIDTH),
                until,
                short(e.fingerprint, FINGERPRINT_WIDTH),
                key=e.fingerprint,
            )
        if not message.rows:
            self.query_one("#trust-detail", Static).update("Ключей в списке пока нет")
        choices = self.query_one("#trust-organisations", OptionList)
        highlighted = choices.highlighted
        choices.clear_options()
        choices.add_options(
            [Option("Все организации (*)", id=ALL_ORGANISATIONS)]
            + [Option(name, id=name) for name in message.organisations]
        )
        choices.highlighted = highlighted if highlighted is not None else 0

    @on(DataTable.RowHighlighted, "#trust-table")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            entry = self.rows[event.cursor_row].entry
            detail = Content(f"{entry.fingerprint}  «{entry.display_name}»")
            self.query_one("#trust-detail", Static).update(detail)

    def selected_row(self) -> TrustRow | None:
        table = self.query_one("#trust-table", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            self.notify("Список доверия пуст", severity="warning")
            return None
        return self.rows[table.cursor_row]

    # --- changes ------------------------------------------------------------------------

    @on(Button.Pressed, "#trust-add")
    def action_add(self) -> None:
        key = self.query_one("#trust-key", Input).value.strip()
        if not key:
            self.notify("Укажите файл открытого ключа (.pub)", severity="warning")
            self.query_one("#trust-key", Input).focus()
            return
        choices = self.query_one("#trust-organisations", OptionList)
        if choices.highlighted is None:
            self.notify("Выберите организацию", severity="warning")
            return
        organisation = choices.get_option_at_index(choices.highlighted).id or ""
        understood, until = self.until()
        if not understood:
            return
        self.add_key(key, self.query_one("#trust-name", Input).value.strip(), organisation, until)

    def until(self) -> tuple[bool, date | None]:
        """Whether the field is understood (if not, the user is told), and the day typed
        (None: with no end)."""
        text = self.query_one("#trust-until", Input).value.strip()
        if not text:
            return True, None
        try:
            return True, date.fromisoformat(text)
        except ValueError:
            self.notify(f"Дата «{text}» не в формате ГГГГ-ММ-ДД", severity="warning")
            return False, None

    @property
    def role(self) -> str:
        pressed = self.query_one("#trust-role", RadioSet).pressed_button
        return (pressed.id or "").removeprefix("trust-role-") if pressed else "school"

    @thread_work(group="trust", exclusive=True)
    def add_key(self, key: str, name: str, organisation: str, until: date | None) -> None:
        from curator_tui.services import trust_key
        from curator_tui.sync.replica import read_key_file
        from curator_tui.sync.trust import TrustRole

        given_name = name or " ".join(read_key_file(key).comment.split())
        if not given_name:
            raise UserFacingError("Укажите, чей это ключ: в файле ключа имени нет")
        row = trust_key(
            Path(self.curator.db_path),
            key,
            name=given_name,
            organisation=organisation,
            role=TrustRole(self.role),
            valid_until=until,
        )
        self.post_message(self.Changed(f"Ключ «{row.entry.display_name}» добавлен"))

    @on(Button.Pressed, "#trust-extend")
    def action_extend(self) -> None:
        row = self.selected_row()
        understood, until = self.until()
        if row is None or not understood:
            return
        self.extend_key(row.entry.fingerprint, until)

    @thread_work(group="trust", exclusive=True)
    def extend_key(self, fingerprint: str, until: date | None) -> None:
        from curator_tui.services import extend_trust

        row = extend_trust(self.curator.db_path, fingerprint, until)
        shown = "бессрочно" if until is None else f"до {until:%d.%m.%Y}"
        self.post_message(self.Changed(f"Ключу «{row.entry.display_name}» доверяется {shown}"))

    @on(Button.Pressed, "#trust-remove")
    def action_remove(self) -> None:
        from curator_tui.tui.screens.modals import ConfirmDialog

        row = self.selected_row()
        if row is None:
            return
        entry = row.entry

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_key(entry.fingerprint)

        question = f"Перестать доверять ключу «{entry.display_name}»?"
        detail = f"{entry.fingerprint}\nЕго пакеты больше не будут приниматься."
        self.app.push_screen(ConfirmDialog(question, detail, yes="Удалить"), answered)

    @thread_work(group="trust", exclusive=True)
    def remove_key(self, fingerprint: str) -> None:
        from curator_tui.sync.replica import remove_trust

        entry = remove_trust(self.curator.db_path, fingerprint)
        self.post_message(self.Changed(f"Ключ «{entry.display_name}» удалён из списка доверия"))

    def on_trust_screen_changed(self, message: Changed) -> None:
        self.notify(message.text, title="Список доверия", markup=False)
        for field in ("#trust-key", "#trust-name"):
            self.query_one(field, Input).value = ""
        self.load()


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def scope_name(row: TrustRow) -> str:
    if row.entry.organisation_id == ALL_ORGANISATIONS:
        return "все организации"
    return row.organisation_name or row.entry.organisation_id
