"""«Куратор» in the terminal: the app, its global keys, and the factory everyone builds it with."""

from __future__ import annotations

import gc
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from curator_tui.domain.safe_text import safe_lines
from curator_tui.platform import MEDIA_ROOTS
from curator_tui.store.database import explain_failure
from curator_tui.store.hub_queries import is_hub
from curator_tui.store.store import Store
from curator_tui.tui.gate import StoreBusy, StoreGate
from curator_tui.tui.messages import WorkFailed
from curator_tui.tui.screens.home import HomeScreen
from curator_tui.user_config import LoadedSettings, UserSettings, load_settings, save_settings

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.message_pump import MessagePump

    from curator_tui.tui.screens.help import HelpSection

# Only the home screen is imported up front. Every other screen, the dialogs and the command
# palette are imported when first opened, so that a cold start pays for what it paints: the
# imports of all screens together cost more than the whole minimal Textual app (bench/tui_bench).

T = TypeVar("T")

DARK_THEME = "textual-dark"
DASHBOARD_STYLES = "dashboard.tcss"  # DashboardScreen.CSS_PATH, seen from this module
LIGHT_THEME = "textual-light"


def activity_commands() -> type[Provider]:
    """The palette's activity search, imported when the palette first opens."""
    from curator_tui.tui.commands import ActivityCommands

    return ActivityCommands


class CuratorApp(App[None]):
    TITLE = "Куратор"
    CSS_PATH = "curator.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {activity_commands}
    COMMAND_PALETTE_DISPLAY = "ctrl+p"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Выход", priority=True, id="app.quit"),
        Binding("question_mark", "help", "Справка", id="app.help"),
        Binding("f1", "help", "Справка", show=False, id="app.help_f1"),
        Binding("ctrl+p", "command_palette", "Найти", show=False, priority=True, id="app.palette"),
        Binding("ctrl+t", "toggle_theme", "Светлая/тёмная тема", show=False, id="app.theme"),
        # F5 works even while a text field has focus.
        Binding("f5", "sync", "Обмен данными", id="app.sync"),
        Binding("f3", "dashboard", "Школы", id="app.dashboard"),
        Binding("f4", "coordinator", "Карты и отчёт", id="app.coordinator"),
        Binding("f9", "trust", "Список доверия", show=False, id="app.trust"),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        today: date | None = None,
        media_roots: Sequence[Path] = MEDIA_ROOTS,
        hub: bool = False,
        settings_file: Path | None = None,
    ) -> None:
        # Textual reads a screen's CSS_PATH when the screen is pushed, but not for the screen
        # `get_default_screen` gives: a hub's home would open unstyled. So a hub app brings
        # the dashboard's styles itself (read once: Textual skips a file it already has).
        styles: list[str | PurePath] | str = self.CSS_PATH
        if hub:
            styles = [self.CSS_PATH, DASHBOARD_STYLES]
        super().__init__(css_path=styles)
        self.hub = hub
        self.db_path = db_path
        self.today = today or date.today()
        self.media_roots = tuple(media_roots)
        self.gate = StoreGate(db_path)
        self.settings_file = settings_file
        loaded = load_settings(settings_file) if settings_file else LoadedSettings(UserSettings())
        self._settings, self._settings_warning = loaded.settings, loaded.warning
        remembered = self._settings.theme
        self.theme = remembered if remembered in self.available_themes else DARK_THEME
        self._clock_checked = False

    def get_default_screen(self) -> Screen[None]:
        # A coordinator's hub opens on the schools, a school's file on its roadmap.
        if self.hub:
            from curator_tui.tui.screens.dashboard import DashboardScreen

            return DashboardScreen()
        return HomeScreen()

    def on_mount(self) -> None:
        if self._settings_warning:
            self.notify(self._settings_warning, severity="warning", timeout=10, markup=False)
        self.theme_changed_signal.subscribe(self, lambda theme: self.remember(theme=theme.name))

    @property
    def settings(self) -> UserSettings:
        return self._settings

    def remember(self, **changes: str | None) -> None:
        if self.settings_file is None:  # tests and scripts: nothing is remembered
            return
        self._settings = replace(self._settings, **changes)
        problem = save_settings(self.settings_file, self._settings)
        if problem:
            self.notify(problem, severity="warning", markup=False)

    def on_ready(self) -> None:
        # Everything made while starting (modules, styles, widgets) lives as long as the app.
        # Kept out of the collector's full passes, it no longer stalls typing for ~50 ms.
        gc.freeze()

    def on_unmount(self) -> None:
        self.gate.close()

    # --- the database from worker threads -------------------------------------------------

    def with_store(self, job: Callable[[Store], T]) -> T:
        """Run `job` on the shared store (call it from a worker thread); failures are raised,
        for the worker to report (tui/workers.py)."""
        with self.gate.open() as store:
            return job(store)

    def with_store_now(self, job: Callable[[Store], T]) -> T | None:
        """Run a quick `job` on the UI thread (a first page before the first frame).

        None when it cannot run at once: a worker holds the store (waiting for it could freeze
        the screen), or the read failed. Either way the caller loads in a worker instead, which
        waits for the store, and tells a failure that happens again there.
        """
        try:
            with self.gate.open_now() as store:
                return job(store)
        except StoreBusy:
            return None
        except Exception as exc:
            self.log.warning(f"read on the UI thread failed, a worker tries again: {exc!r}")
            return None

    def report_failure(
        self, exc: BaseException, where: MessagePump | None = None, group: str = ""
    ) -> None:
        """Tell the user what went wrong, once (from any thread): the one place where a failure
        becomes a message. The fact goes to `where` (whose work failed) and bubbles up here."""
        text = explain_failure(exc)
        if text is None:
            self.log.error("".join(traceback.format_exception(exc)))
            text = f"Непредвиденная ошибка: {exc}"
        failed = WorkFailed(text, group)
        if where is None or not where.post_message(failed):
            self.post_message(failed)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(
            safe_lines(message.text), title="Ошибка", severity="error", timeout=12, markup=False
        )

    def check_clock(self, store: Store) -> None:
        """Warn once per run when this computer's clock looks wrong (from a worker thread)."""
        if self._clock_checked:
            return
        self._clock_checked = True
        warning = store.clock_warning()
        if warning:
            self.call_from_thread(
                self.notify, warning, title="Проверьте часы", severity="warning", timeout=20
            )

    # --- global actions ---------------------------------------------------------------------

    def action_help(self) -> None:
        from curator_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            role = "coordinator" if self.hub else "director"
            self.push_screen(HelpScreen(self.help_sections(), type(self.screen).__name__, role))

    def help_sections(self) -> list[HelpSection]:
        from curator_tui.tui.screens.coordinator import CoordinatorScreen
        from curator_tui.tui.screens.dashboard import DashboardScreen, ProgressChartScreen
        from curator_tui.tui.screens.detail import DetailScreen
        from curator_tui.tui.screens.evidence import EvidenceDialog
        from curator_tui.tui.screens.first_run import FirstRunScreen
        from curator_tui.tui.screens.folder_import import FolderImportScreen
        from curator_tui.tui.screens.guide import GuideScreen
        from curator_tui.tui.screens.help import HelpScreen
        from curator_tui.tui.screens.modals import ConfirmDialog, NoteEditor, StatusPicker
        from curator_tui.tui.screens.setup import SetupScreen
        from curator_tui.tui.screens.sync import SyncScreen
        from curator_tui.tui.screens.trust import TrustScreen
        from curator_tui.tui.screens.visit import VisitDialog
        from curator_tui.tui.screens.withdraw import WithdrawDialog
        from curator_tui.tui.widgets.activity_list import ActivityList
        from curator_tui.tui.widgets.school_table import SchoolTable

        return [
            ("Везде", self.BINDINGS),
            ("Список мероприятий", [*HomeScreen.BINDINGS, *ActivityList.BINDINGS]),
            ("Карточка мероприятия", DetailScreen.BINDINGS),
            ("Доказательство", EvidenceDialog.BINDINGS),
            ("Визит", VisitDialog.BINDINGS),
            (
                "Статус, заметка, подтверждение",
                [*StatusPicker.BINDINGS, *NoteEditor.BINDINGS, *ConfirmDialog.BINDINGS],
            ),
            ("Обмен данными", SyncScreen.BINDINGS),
            ("Импорт папки", FolderImportScreen.BINDINGS),
            ("Сводка по школам", [*DashboardScreen.BINDINGS, *SchoolTable.BINDINGS]),
            ("График", ProgressChartScreen.BINDINGS),
            ("Дорожные карты и отчёт", CoordinatorScreen.BINDINGS),
            ("Первый запуск", FirstRunScreen.BINDINGS),
            ("Настройка устройства", SetupScreen.BINDINGS),
            ("Список доверия", TrustScreen.BINDINGS),
            ("Отзыв дорожной карты", WithdrawDialog.BINDINGS),
            ("Справка", HelpScreen.BINDINGS),
            ("Руководство", GuideScreen.BINDINGS),
        ]

    def action_dashboard(self) -> None:
        from curator_tui.tui.screens.dashboard import DashboardScreen

        if isinstance(self.screen, (DashboardScreen, ModalScreen)):
            return
        self.push_screen(DashboardScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The coordinator's roadmap work is a hub's: elsewhere F4 is neither shown nor bound.
        return self.hub if action == "coordinator" else True

    def action_coordinator(self) -> None:
        from curator_tui.tui.screens.coordinator import CoordinatorScreen

        if not isinstance(self.screen, (CoordinatorScreen, ModalScreen)):
            self.push_screen(CoordinatorScreen())

    def action_sync(self) -> None:
        from curator_tui.tui.screens.sync import SyncScreen

        if isinstance(self.screen, (SyncScreen, ModalScreen)):
            return
        self.push_screen(SyncScreen())

    # --- setup and trust (screens/setup.py, screens/trust.py) -------------------------------

    def action_trust(self) -> None:
        from curator_tui.tui.screens.trust import TrustScreen

        if not isinstance(self.screen, (TrustScreen, ModalScreen)):
            self.push_screen(TrustScreen())

    def action_setup(self) -> None:
        from curator_tui.services import setup_choices
        from curator_tui.tui.screens.setup import SetupScreen

        if isinstance(self.screen, (SetupScreen, ModalScreen)):
            return
        choices = self.with_store_now(setup_choices)
        if choices is not None and choices.set_up:
            self.notify("Это устройство уже настроено: ключи созданы", markup=False)
            return
        self.push_screen(SetupScreen(choices.organisations if choices else []))

    def action_withdraw_roadmap(self) -> None:
        from curator_tui.tui.screens.withdraw import WithdrawDialog

        if not isinstance(self.screen, ModalScreen):
            self.push_screen(WithdrawDialog())

    def switch_database(self, db_path: Path) -> None:
        """Work on `db_path` from now on: the first run's demo opens its own database, so the
        user's own stays empty (screens read through the gate, so they follow)."""
        self.gate.close()
        self.db_path = db_path
        self.gate = StoreGate(db_path)
        self.sub_title = "демонстрационная база"

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def action_command_palette(self) -> None:
        from curator_tui.tui.palette import RussianCommandPalette

        # App is invariant in its result type; is_open only looks at the screen stack.
        if self.use_command_palette and not RussianCommandPalette.is_open(
            cast("App[object]", self)
        ):
            self.push_screen(
                RussianCommandPalette(
                    id="--command-palette",
                    placeholder="Номер или слова из названия мероприятия…",
                )
            )

    def search_themes(self) -> None:
        from curator_tui.tui.palette import theme_palette

        self.push_screen(theme_palette())

    def action_help_quit(self) -> None:
        # Ctrl+C out of habit: Textual's own hint is English.
        self.notify("Выход из программы — Ctrl+Q", title="Закрыть программу?")

    def open_activity(self, activity_id: str) -> None:
        from curator_tui.tui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(activity_id))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Тема", "Выбрать оформление", self.action_change_theme)
        yield SystemCommand(
            "Светлая/тёмная тема",
            "Переключить светлое и тёмное оформление",
            self.action_toggle_theme,
        )
        yield SystemCommand("Обмен данными", "Выгрузить или загрузить пакет", self.action_sync)
        yield SystemCommand("Список доверия", "Чьи пакеты принимает эта база", self.action_trust)
        yield SystemCommand(
            "Настройка устройства", "Роль, организация, ключ координатора", self.action_setup
        )
        yield SystemCommand(
            "Отозвать дорожную карту",
            "Убрать дорожную карту, импортированную по ошибке",
            self.action_withdraw_roadmap,
        )
        yield SystemCommand("Справка", "Все клавиши и что они делают", self.action_help)
        yield SystemCommand("Выход", "Закрыть программу", self.action_quit)


def build_app(
    db_path: Path,
    *,
    today: date | None = None,
    media_roots: Sequence[Path] = MEDIA_ROOTS,
    hub: bool | None = None,
    settings_file: Path | None = None,
) -> CuratorApp:
    """The app on the database `db_path` (created if missing); `today` fixes the clock.

    `hub` chooses the home screen; by default a hub is recognised from the file itself.
    `settings_file` is where the user's choices are remembered (none: nothing is).
    """
    db_path = Path(db_path)
    if hub is None:
        hub = looks_like_hub(db_path)
    return CuratorApp(
        db_path, today=today, media_roots=media_roots, hub=hub, settings_file=settings_file
    )


def looks_like_hub(db_path: Path) -> bool:
    if not db_path.is_file():
        return False
    try:
        with Store.open(db_path) as store:
            return is_hub(store)
    except Exception:
        return False  # the app itself will explain what is wrong with the file
