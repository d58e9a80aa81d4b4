"""Help for the screen the user is on: what it is for, its own keys, the keys that work
everywhere, the guide for the user's role (`g`), and then every other screen's keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

# (heading, the bindings that work there)
HelpSection = tuple[str, Sequence[BindingType]]
EVERYWHERE = "Везде"


@dataclass(frozen=True)
class ScreenHelp:
    heading: str  # the section of `CuratorApp.help_sections` with this screen's keys
    purpose: str  # what the screen is for, in a few sentences


# By screen class name: the help needs no import of the screens it describes.
SCREEN_HELP: dict[str, ScreenHelp] = {
    "HomeScreen": ScreenHelp(
        "Список мероприятий",
        "Мероприятия дорожной карты с их сроками и статусами. Красным — просроченные. "
        "Отсюда меняют статус, прикрепляют доказательства и записывают визиты; Enter "
        "открывает карточку мероприятия.",
    ),
    "SchoolActivitiesScreen": ScreenHelp(
        "Список мероприятий",
        "Мероприятия одной школы сводной базы: те же клавиши, что в списке школы.",
    ),
    "OverdueActivitiesScreen": ScreenHelp(
        "Список мероприятий",
        "Просроченные мероприятия всех школ; заголовки называют школу, и при сортировке "
        "по сроку тоже.",
    ),
    "DetailScreen": ScreenHelp(
        "Карточка мероприятия",
        "Всё о мероприятии: срок, статус, доказательства, заметки, визиты и история "
        "изменений. Конфликт правок с другого устройства показан здесь же.",
    ),
    "SyncScreen": ScreenHelp(
        "Обмен данными",
        "Пакеты на флешке: «Выгрузка» записывает изменения этой базы для координатора, "
        "«Загрузка» проверяет и импортирует пакеты (по одному или всю папку), «История» — "
        "что уже импортировано.",
    ),
    "FolderImportScreen": ScreenHelp(
        "Импорт папки",
        "Итог импорта всех пакетов папки: по строке на файл. Под таблицей — причина итога "
        "выбранной строки.",
    ),
    "DashboardScreen": ScreenHelp(
        "Сводка по школам",
        "Сводная база координатора: по строке на школу — сколько мероприятий, выполнено, "
        "просрочено, когда был последний пакет и визит. Сокращения объяснены под таблицей.",
    ),
    "ProgressChartScreen": ScreenHelp(
        "График", "План и выполнение по месяцам: всех школ или выбранной."
    ),
    "CoordinatorScreen": ScreenHelp(
        "Дорожные карты и отчёт",
        "Работа координатора с дорожными картами: импорт карты для школы из списка, пакеты "
        "дорожных карт для школ (одной или всех) и месячный отчёт. Ctrl+S выполняет действие "
        "открытой вкладки.",
    ),
    "FirstRunScreen": ScreenHelp(
        "Первый запуск",
        "В базе ещё нет дорожной карты: импортируйте её из файла или откройте демо.",
    ),
}


def bindings_of(section: Sequence[BindingType]) -> list[Binding]:
    return [b for b in section if isinstance(b, Binding) and b.description]


def screen_help(screen_name: str | None) -> ScreenHelp | None:
    return SCREEN_HELP.get(screen_name or "")


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Закрыть справку", id="help.close"),
        Binding("question_mark", "close", "Закрыть справку", show=False, id="help.close_key"),
        Binding("f1", "close", "Закрыть справку", show=False, id="help.close_f1"),
        Binding("g", "guide", "Руководство", id="help.guide"),
    ]

    def __init__(
        self,
        sections: Sequence[HelpSection],
        screen_name: str | None = None,
        role: str = "director",
    ) -> None:
        super().__init__()
        self.sections = sections
        self.current = screen_help(screen_name)
        self.role = role  # whose guide `g` opens first

    def compose(self) -> ComposeResult:
        own = self.current.heading if self.current else None
        by_heading = dict(self.sections)
        with VerticalScroll(classes="dialog", id="help-dialog"):
            if self.current is not None:
                yield Label(f"Справка: {self.current.heading}", classes="dialog-title")
                yield Static(self.current.purpose, classes="help-purpose", markup=False)
            else:
                yield Label("Справка: клавиши «Куратора»", classes="dialog-title")
            with Horizontal(classes="help-guide"):
                yield Label("Руководство по шагам для вашей роли — G", classes="help-hint")
                yield Button("Руководство", id="help-guide", compact=True)
            if self.current is not None:
                yield Label("Клавиши этого экрана", classes="help-heading")
                own_keys = by_heading.get(self.current.heading, ())
                yield Static(self._lines(own_keys), classes="help-keys")
            others = [h for h, _ in self.sections if h not in (own, EVERYWHERE)]
            for heading in [EVERYWHERE, *others]:
                if self.current is not None and others and heading == others[0]:
                    yield Label("Другие экраны", classes="help-others")
                yield Label(heading, classes="help-heading")
                yield Static(self._lines(by_heading[heading]), classes="help-keys")
            yield Label("Esc — закрыть справку", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#help-dialog", VerticalScroll).focus()  # ↑↓ scroll the help

    def _lines(self, section: Sequence[BindingType]) -> Content:
        lines = []
        for binding in bindings_of(section):
            key = self.app.get_key_display(binding)
            lines.append(
                Content.assemble((f"{key:>12}", "bold $accent"), f"  {binding.description}")
            )
        return Content("\n").join(lines)

    @on(Button.Pressed, "#help-guide")
    def action_guide(self) -> None:
        from curator_tui.tui.screens.guide import GuideScreen

        self.app.push_screen(GuideScreen(self.role))

    def action_close(self) -> None:
        self.dismiss(None)
