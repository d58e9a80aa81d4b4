"""Setting up this device inside the app: what `curator init` does, for people who never open
a terminal (issue 16, item 1).

Who works here (director, curator, coordinator), the organisation as the imported roadmap
names it (only an existing one: `services.find_organisation`), the coordinator's key file
from a stick, the device's name. The result shows both fingerprints, to compare by phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from curator_tui.platform import find_medium
from curator_tui.store.store import Store
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.workers import thread_work

INTRO = (
    "Чтобы обмениваться пакетами, устройству нужны ключи. Укажите, кто работает на этом "
    "компьютере, и файл ключа координатора (он на флешке, рядом с дорожной картой)."
)
# Role value (as `TrustRole` spells it) → the words on the screen and the name offered.
ROLES: dict[str, tuple[str, str]] = {
    "school": ("Директор школы", "Ноутбук директора"),
    "curator": ("Куратор", "Ноутбук куратора"),
    "coordinator": ("Координатор", "Компьютер координатора"),
}


@dataclass(frozen=True)
class SetupForm:
    role: str
    organisation: str
    region: str
    coordinator_key: str
    name: str


class SetupScreen(Screen[bool]):
    """Dismissed with True once the device is set up, False when the user leaves it for later."""

    CSS_PATH: ClassVar = ["../dialogs.tcss", "../setup.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Готово", id="setup.save"),
        Binding("escape", "later", "Позже", id="setup.later"),
    ]

    class Finished(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, organisations: list[str]) -> None:
        super().__init__()
        self.organisations = organisations
        self.done = False

    def compose(self) -> ComposeResult:
        only = self.organisations[0] if len(self.organisations) == 1 else ""
        with Vertical(id="setup", classes="dialog"):
            yield Label("Настройка устройства", classes="dialog-title")
            with Vertical(id="setup-form"):
                yield Static(INTRO, classes="dialog-subject")
                with RadioSet(id="setup-role"):
                    for index, (role, (label, _name)) in enumerate(ROLES.items()):
                        yield RadioButton(label, value=index == 0, id=f"role-{role}")
                yield Label("Организация (как в дорожной карте):", classes="setup-school")
                yield Input(
                    value=only,
                    placeholder="Начните вводить название, → — дополнить",
                    suggester=SuggestFromList(self.organisations, case_sensitive=False),
                    id="setup-organisation",
                    classes="setup-school",
                )
                yield Label("Регион сводной базы:", classes="setup-hub")
                yield Input(placeholder="Например, Томская область", id="setup-region",
                            classes="setup-hub")  # fmt: skip
                yield Label("Файл ключа координатора (.pub):", classes="setup-school")
                yield Input(
                    value=key_file_on_stick(self.curator.media_roots),
                    placeholder="Путь к файлу; можно перетащить файл сюда",
                    id="setup-key",
                    classes="setup-school",
                )
                yield Label("Название устройства:")
                yield Input(value=ROLES["school"][1], id="setup-name")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Готово", variant="primary", id="setup-save")
                    yield Button("Позже", id="setup-later")
            with Vertical(id="setup-done"):
                yield Static("", id="setup-result")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Продолжить", variant="primary", id="setup-continue")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#setup-done").display = False
        self._show_role("school")
        first_empty = (
            "#setup-key"
            if self.query_one("#setup-organisation", Input).value
            else ("#setup-organisation")
        )
        self.query_one(first_empty, Input).focus()

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    @on(RadioSet.Changed, "#setup-role")
    def role_changed(self, event: RadioSet.Changed) -> None:
        name = self.query_one("#setup-name", Input)
        if name.value in {offered for _label, offered in ROLES.values()}:
            name.value = ROLES[self.role][1]  # the name offered, unless the user typed one
        self._show_role(self.role)

    def _show_role(self, role: str) -> None:
        for widget in self.query(".setup-hub"):
            widget.display = role == "coordinator"
        for widget in self.query(".setup-school"):
            widget.display = role != "coordinator"

    @property
    def role(self) -> str:
        pressed = self.query_one("#setup-role", RadioSet).pressed_button
        return (pressed.id or "role-school").removeprefix("role-") if pressed else "school"

    def form(self) -> SetupForm:
        def value(widget_id: str) -> str:
            return self.query_one(widget_id, Input).value.strip()

        return SetupForm(
            role=self.role,
            organisation=value("#setup-organisation"),
            region=value("#setup-region"),
            coordinator_key=value("#setup-key"),
            name=value("#setup-name"),
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#setup-save")
    def action_save(self) -> None:
        if self.done:
            return
        form = self.form()
        problem = form_problem(form)
        if problem:
            self.notify(problem, severity="warning", markup=False)
            return
        self.set_up(form)

    @on(Button.Pressed, "#setup-later")
    def action_later(self) -> None:
        if not self.done:
            self.dismiss(False)

    @on(Button.Pressed, "#setup-continue")
    def leave(self) -> None:
        self.dismiss(True)

    @thread_work(group="setup", exclusive=True)
    def set_up(self, form: SetupForm) -> None:
        self.post_message(self.Finished(set_up_device(self.curator.db_path, form)))

    def on_setup_screen_finished(self, message: Finished) -> None:
        self.done = True
        self.query_one("#setup-form").display = False
        self.query_one("#setup-done").display = True
        self.query_one("#setup-result", Static).update(message.text)
        self.query_one("#setup-continue", Button).focus()


def key_file_on_stick(media_roots: Sequence[Path]) -> str:
    """The one `.pub` file at the top of the mounted stick, if there is exactly one: the
    coordinator's key, handed out with the roadmap."""
    medium = find_medium(media_roots)
    if medium is None:
        return ""
    try:
        found = [p for p in medium.glob("*.pub") if p.is_file()]
    except OSError:
        return ""
    return str(found[0]) if len(found) == 1 else ""


def form_problem(form: SetupForm) -> str | None:
    """What must be filled in before the keys are made (the rest is checked by the service)."""
    if not form.name:
        return "Укажите название устройства"
    if form.role == "school" and not form.organisation:
        return "Укажите организацию школы, как она названа в дорожной карте"
    if form.role == "coordinator" and not form.region:
        return "Укажите регион сводной базы"
    return None


def set_up_device(db: Path, form: SetupForm) -> str:
    """Run the one setup service (`curator init` runs it too); the text the screen shows."""
    # Imported here: keys and the trust list (cryptography) only when a device is set up.
    from curator_tui.services import set_up_device as set_up
    from curator_tui.sync import replica
    from curator_tui.sync.trust import TrustRole

    role = TrustRole(form.role)
    hub = role is TrustRole.COORDINATOR
    result = set_up(
        db,
        replica.InitOptions(
            name=form.name,
            role=role,
            organisation=None if hub else (form.organisation or None),
            coordinator_key=None if hub else (form.coordinator_key or None),
            hub_region=form.region if hub else None,
        ),
    )
    lines = [
        f"Устройство «{form.name}» готово к обмену пакетами.",
        "",
        "Отпечаток ключа этого устройства:",
        f"  {result.keys.fingerprint}",
    ]
    if result.coordinator is not None:
        lines += [
            f"Отпечаток ключа координатора «{result.coordinator.display_name}»:",
            f"  {result.coordinator.fingerprint}",
        ]
        if replica.coordinator_recipient(db):
            lines.append("Пакеты для координатора будут зашифрованы его ключом.")
    lines += ["", "Сверьте отпечатки по телефону с координатором: они должны совпасть."]
    if hub:
        lines.append("Сводка по школам — клавиша F3.")
    lines += result.notes
    return "\n".join(lines)


def needs_setup(store: Store) -> list[str] | None:
    """The organisations to offer, when this device has no keys yet (None: it has them)."""
    from curator_tui.services import setup_choices

    choices = setup_choices(store)
    return None if choices.set_up else choices.organisations
