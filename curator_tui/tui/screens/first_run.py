"""The first screen on an empty database: import a roadmap, or look at the demo first.

After a roadmap is imported on a device without keys, the setup screen follows
(screens/setup.py): the roadmap's organisations are what it offers."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from curator_tui.platform import user_path
from curator_tui.store.store import Store
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.messages import RoadmapImported
from curator_tui.tui.workers import thread_work

WELCOME = (
    "В этой базе ещё нет дорожной карты.\n\n"
    "Укажите файл дорожной карты школы (документ Word .docx или текстовая таблица .txt) "
    "и нажмите «Импортировать». Чтобы сначала посмотреть, как всё устроено, откройте "
    "демонстрационную дорожную карту."
)


class FirstRunScreen(Screen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "import_file", "Импортировать", id="first.import"),
        Binding("f2", "demo", "Открыть демо", id="first.demo"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="first-run"):
            yield Label("Добро пожаловать в «Куратор»", classes="dialog-title")
            yield Static(WELCOME, id="first-run-text")
            yield Input(placeholder="Путь к файлу дорожной карты", id="roadmap-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Импортировать", variant="primary", id="import-roadmap")
                yield Button("Открыть демо", id="open-demo")
        yield Footer()

    def __init__(self) -> None:
        super().__init__()
        self.setup_offer: list[str] | None = None  # set by the import: a device to set up

    def on_mount(self) -> None:
        self.query_one("#roadmap-path", Input).focus()

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    @on(Input.Submitted, "#roadmap-path")
    @on(Button.Pressed, "#import-roadmap")
    def action_import_file(self) -> None:
        text = self.query_one("#roadmap-path", Input).value.strip()
        if not text:
            self.notify("Укажите путь к файлу дорожной карты", severity="warning")
            return
        self.import_roadmap(user_path(text))

    @on(Button.Pressed, "#open-demo")
    @thread_work(group="import", exclusive=True)
    def action_demo(self) -> None:
        """The demo in its own database, never in this one (which stays empty)."""
        from curator_tui.services import demo_database, ensure_demo

        self.post_message(self.DemoReady(ensure_demo(demo_database(), self.curator.today)))

    class DemoReady(Message):
        def __init__(self, db: Path) -> None:
            super().__init__()
            self.db = db

    def on_first_run_screen_demo_ready(self, message: DemoReady) -> None:
        self.curator.switch_database(message.db)
        self.notify(f"Открыта демонстрационная база: {message.db}", markup=False)
        self.dismiss(None)

    @thread_work(group="import", exclusive=True)
    def import_roadmap(self, path: Path) -> None:
        # Imported here: the importers (python-docx) would cost every start-up otherwise.
        from curator_tui.services import import_roadmap_file
        from curator_tui.tui.screens.setup import needs_setup

        today = self.curator.today

        def job(store: Store) -> tuple[str, list[str]]:
            summary = import_roadmap_file(store, path, today=today).summary
            self.setup_offer = needs_setup(store)
            description = f"Импортировано мероприятий: {summary.created} ({summary.organisation})"
            return description, summary.warnings

        description, warnings = self.curator.with_store(job)
        self.post_message(RoadmapImported(description, tuple(warnings)))

    def on_roadmap_imported(self, message: RoadmapImported) -> None:
        # Read while the setup screen follows: longer than a toast's usual five seconds.
        self.notify(message.description, title="Готово", markup=False, timeout=10)
        self.dismiss(None)
        if self.setup_offer is not None:
            from curator_tui.tui.screens.setup import SetupScreen

            self.app.push_screen(SetupScreen(self.setup_offer))
        if message.warnings:
            from curator_tui.tui.screens.import_summary import ImportSummaryScreen

            self.app.push_screen(ImportSummaryScreen(message.description, message.warnings))
