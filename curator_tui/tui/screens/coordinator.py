"""«Дорожные карты и отчёт»: the coordinator's roadmap work on a hub, without the command line.

Three tabs, each one action on the services the `curator` command uses too (one rule, one
place): import a school's roadmap document (the school chosen from the list, or a new one
named by the document), write roadmap bundles for one school or all of them into a folder,
and make the monthly report (month, format, folder). Each runs in a thread worker with its
progress shown; a failure is told in the tab's result panel and by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    DirectoryTree,
    Footer,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    Switch,
    TabbedContent,
    TabPane,
    Tabs,
)

from curator_tui.domain.safe_text import safe_text
from curator_tui.platform import find_medium, start_directory, user_path
from curator_tui.services import (
    ReportRequest,
    ReportWritten,
    RoadmapExport,
    RoadmapImport,
    export_roadmaps,
    import_roadmap_file,
    organisations_with_roadmap,
    write_monthly_report,
)
from curator_tui.store.report_queries import organisations
from curator_tui.store.store import Store
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.messages import RoadmapImported, WorkFailed
from curator_tui.tui.workers import thread_work
from curator_tui.views.bundles import export_view

RUN_GROUP = "coordinator-run"  # one action at a time
NEW_ORGANISATION = "-new-"  # the Select's value for «a new school, named by the document»
ALL_SCHOOLS = "-all-"
REPORT_FORMATS = (
    ("xlsx — таблица", "xlsx"),
    ("docx — документ", "docx"),
    ("md — простой текст", "md"),
    ("csv — две таблицы", "csv"),
)
TABS = ("coord-roadmap", "coord-bundles", "coord-report")


@dataclass(frozen=True)
class Organisations:
    """The choices of the two school lists: every organisation, and those with a roadmap."""

    every: list[tuple[str, str]]  # (id, name)
    with_roadmap: list[tuple[str, str]]


def load_organisations(store: Store) -> Organisations:
    every = sorted(
        ((str(r["id"]), str(r["name"] or r["id"])) for r in organisations(store)),
        key=lambda t: (t[1].casefold(), t[0]),
    )
    return Organisations(every, organisations_with_roadmap(store))


def report_month(today: date) -> str:
    """The month a report is usually made for: the one just ended in its first ten days,
    else the current one («2026-11»)."""
    if today.day <= 10:
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return f"{year}-{month:02d}"
    return f"{today.year}-{today.month:02d}"


def roadmap_lines(done: RoadmapImport) -> list[str]:
    summary = done.summary
    lines = [f"Дорожная карта: {done.parsed.title or '—'}", f"Организация: {summary.organisation}"]
    if summary.amended:
        lines.append(
            f"Обновлена: новых мероприятий {summary.created}, изменено {summary.updated}, "
            f"без изменений {summary.unchanged}, исключено {summary.removed}"
        )
    else:
        lines.append(f"Импортировано мероприятий: {summary.created}, разделов: {summary.sections}")
    if summary.warnings:
        lines.append(f"Требует проверки: {len(summary.warnings)}")
    return lines


def bundle_lines(done: list[RoadmapExport]) -> list[str]:
    lines = []
    for bundle in done:
        if bundle.result is None:
            lines.append(f"✗ {bundle.name}: пакет не создан — {bundle.problem}")
        else:
            view = export_view(bundle.result)
            lines.append(f"{bundle.name}: {view.path.name if view.path else view.message}")
    written = sum(bundle.result is not None for bundle in done)
    folders = {b.result.path.parent for b in done if b.result is not None and b.result.path}
    lines.append(f"Пакетов дорожных карт: {written} из {len(done)}")
    lines += [f"Папка: {folder}" for folder in sorted(folders)]
    return lines


def report_lines(done: ReportWritten) -> list[str]:
    report = done.report
    return [
        f"Отчёт за {report.period} сохранён:",
        *(f"  {path}" for path in done.paths),
        f"Организаций: {len(report.schools)}; просрочено с начала дорожных карт: "
        f"{report.totals.overdue}",
    ]


def as_content(lines: list[str]) -> Content:
    return Content("\n".join(safe_text(line) for line in lines))


class CoordinatorScreen(Screen[None]):
    CSS_PATH = "../coordinator.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Назад", id="coordinator.back"),
        Binding("ctrl+s", "run", "Выполнить", id="coordinator.run"),
        Binding("f6", "show_tab('coord-roadmap')", "Карта школы", show=False, id="coordinator.t1"),
        Binding("f7", "show_tab('coord-bundles')", "Пакеты", show=False, id="coordinator.t2"),
        Binding("f8", "show_tab('coord-report')", "Отчёт", show=False, id="coordinator.t3"),
    ]

    class OrganisationsLoaded(Message):
        def __init__(self, found: Organisations) -> None:
            super().__init__()
            self.found = found

    class Step(Message):
        def __init__(self, text: str, done: int, total: int) -> None:
            super().__init__()
            self.text = text
            self.done = done
            self.total = total

    class Finished(Message):
        def __init__(self, tab: str, lines: list[str]) -> None:
            super().__init__()
            self.tab = tab
            self.lines = lines

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self._running_tab = TABS[0]
        self.names: dict[str, str] = {}  # organisation id → name, for the roadmap's owner

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    def compose(self) -> ComposeResult:
        medium = find_medium(self.curator.media_roots)
        folder = self.curator.settings.export_folder
        if not (folder and Path(folder).is_dir()):
            folder = str(medium) if medium else ""
        yield Label("Дорожные карты и отчёт", id="coord-title")
        with TabbedContent(initial=TABS[0], id="coord-tabs"):
            with TabPane("Карта школы", id=TABS[0]):
                yield Label("Чья дорожная карта:", classes="coord-label")
                yield Select[str](
                    [], prompt="Школа…", id="roadmap-school", compact=True, allow_blank=True
                )
                yield Input(
                    placeholder="Файл дорожной карты (.docx, .xlsx, .pdf …) или выберите ниже",
                    id="roadmap-path",
                    compact=True,
                )
                yield DirectoryTree(start_directory(self.curator.media_roots), id="roadmap-tree")
                with Horizontal(classes="coord-buttons"):
                    yield Button(
                        "Импортировать", variant="primary", id="roadmap-start", compact=True
                    )
                with VerticalScroll(classes="coord-result"):
                    yield Static("", id="roadmap-result")
            with TabPane("Пакеты для школ", id=TABS[1]):
                yield Label("Кому (пакет дорожной карты, подписанный вашим ключом):")
                yield Select[str](
                    [("Все школы", ALL_SCHOOLS)],
                    value=ALL_SCHOOLS,
                    id="bundles-school",
                    compact=True,
                    allow_blank=False,
                )
                yield Label("Куда записать (пусто: флешка, иначе exports/ или «Документы»):")
                yield Input(value=folder, placeholder="Папка", id="bundles-folder", compact=True)
                with Horizontal(classes="coord-buttons"):
                    yield Button("Выгрузить", variant="primary", id="bundles-start", compact=True)
                with VerticalScroll(classes="coord-result"):
                    yield Static("", id="bundles-result")
            with TabPane("Месячный отчёт", id=TABS[2]):
                with Horizontal(classes="coord-row"):
                    yield Label("Месяц (ГГГГ-ММ):", classes="coord-label")
                    yield Input(report_month(self.curator.today), id="report-month", compact=True)
                with Horizontal(classes="coord-row"):
                    yield Label("Формат:", classes="coord-label")
                    yield Select[str](
                        REPORT_FORMATS,
                        value="xlsx",
                        id="report-format",
                        compact=True,
                        allow_blank=False,
                    )
                yield Label("Куда сохранить (пусто: exports/ или «Документы»):")
                yield Input(value=folder, placeholder="Папка", id="report-folder", compact=True)
                with Horizontal(classes="coord-row"):
                    yield Switch(value=False, id="report-overwrite")
                    yield Label(
                        "Перезаписать, если такой файл уже есть", classes="coord-switch-label"
                    )
                with Horizontal(classes="coord-buttons"):
                    yield Button("Сформировать", variant="primary", id="report-start", compact=True)
                with VerticalScroll(classes="coord-result"):
                    yield Static("", id="report-result")
        yield Label("", id="coord-stage")
        yield ProgressBar(total=100, show_eta=False, id="coord-progress")
        yield Footer()

    def on_mount(self) -> None:
        self.load_organisations()

    # --- the lists of schools -----------------------------------------------------------

    @thread_work(group="coordinator-lists", exclusive=True)
    def load_organisations(self) -> None:
        self.post_message(self.OrganisationsLoaded(self.curator.with_store(load_organisations)))

    def on_coordinator_screen_organisations_loaded(self, message: OrganisationsLoaded) -> None:
        found = message.found
        school = self.query_one("#roadmap-school", Select)
        chosen = school.value
        school.set_options(
            [(safe_text(name), org_id) for org_id, name in found.every]
            + [("Новая школа — название из документа", NEW_ORGANISATION)]
        )
        if chosen in {org_id for org_id, _ in found.every}:
            school.value = chosen
        else:  # never a school chosen for the user: a roadmap bound to the wrong one stays
            school.clear()
        bundles = self.query_one("#bundles-school", Select)
        bundles.set_options(
            [("Все школы", ALL_SCHOOLS)]
            + [(safe_text(name), org_id) for org_id, name in found.with_roadmap]
        )
        bundles.value = ALL_SCHOOLS
        self.names = dict(found.every)

    # --- navigation and the one action of each tab --------------------------------------

    def action_back(self) -> None:
        if self.busy:
            self.notify("Дождитесь окончания работы", severity="warning")
            return
        self.dismiss(None)

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active != tab:
            self.query_one(Tabs).focus()  # a focused field would pull its own tab back
            tabs.active = tab

    def action_run(self) -> None:
        {
            TABS[0]: self.start_roadmap,
            TABS[1]: self.start_bundles,
            TABS[2]: self.start_report,
        }[self.query_one(TabbedContent).active]()

    @on(DirectoryTree.FileSelected, "#roadmap-tree")
    def roadmap_file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#roadmap-path", Input).value = str(event.path)

    @on(Button.Pressed, "#roadmap-start")
    def start_roadmap(self) -> None:
        typed = self.query_one("#roadmap-path", Input).value.strip()
        school = self.query_one("#roadmap-school", Select).value
        if not typed:
            self.notify("Укажите файл дорожной карты", severity="warning")
            return
        if school is Select.NULL:
            self.notify("Выберите школу из списка (или «Новая школа»)", severity="warning")
            return
        path = user_path(typed)
        if not path.is_file():
            self.notify(f"Файл не найден: {path}", severity="warning", markup=False)
            return
        name = None if school == NEW_ORGANISATION else self.names.get(str(school))
        if self._start(TABS[0], "Чтение дорожной карты"):
            self.run_roadmap(path, name)

    @thread_work(group=RUN_GROUP, exclusive=True)
    def run_roadmap(self, path: Path, organisation: str | None) -> None:
        done = self.curator.with_store(
            lambda store: import_roadmap_file(
                store, path, organisation=organisation, today=self.curator.today
            )
        )
        self.post_message(self.Finished(TABS[0], roadmap_lines(done)))
        if done.summary.warnings:
            description = f"{done.summary.organisation}: {done.parsed.title or path.name}"
            self.post_message(RoadmapImported(description, tuple(done.summary.warnings)))

    def on_roadmap_imported(self, message: RoadmapImported) -> None:
        from curator_tui.tui.screens.import_summary import ImportSummaryScreen

        message.stop()
        self.app.push_screen(ImportSummaryScreen(message.description, message.warnings))

    @on(Button.Pressed, "#bundles-start")
    def start_bundles(self) -> None:
        school = self.query_one("#bundles-school", Select).value
        folder = self.query_one("#bundles-folder", Input).value.strip()
        destination = user_path(folder) if folder else None
        chosen = None if school in (ALL_SCHOOLS, Select.NULL) else [str(school)]
        if self._start(TABS[1], "Подготовка пакетов"):
            self.run_bundles(destination, chosen)
            self.curator.remember(export_folder=folder or None)

    @thread_work(group=RUN_GROUP, exclusive=True)
    def run_bundles(self, destination: Path | None, chosen: list[str] | None) -> None:
        def each(number: int, total: int, name: str) -> None:
            self.post_message(self.Step(f"Пакет {number} из {total}: {name}", number - 1, total))

        done = export_roadmaps(self.curator.db_path, destination, chosen, each=each)
        self.post_message(self.Finished(TABS[1], bundle_lines(done)))

    @on(Button.Pressed, "#report-start")
    def start_report(self) -> None:
        month = self.query_one("#report-month", Input).value.strip()
        folder = self.query_one("#report-folder", Input).value.strip()
        if not month:
            self.notify("Укажите месяц: ГГГГ-ММ, например 2026-11", severity="warning")
            return
        request = ReportRequest(
            month=month,
            report_format=str(self.query_one("#report-format", Select).value),
            output=user_path(folder) if folder else None,
            overwrite=self.query_one("#report-overwrite", Switch).value,
        )
        if self._start(TABS[2], "Сбор данных и запись отчёта"):
            self.run_report(request)

    @thread_work(group=RUN_GROUP, exclusive=True)
    def run_report(self, request: ReportRequest) -> None:
        done = write_monthly_report(self.curator.db_path, request, today=self.curator.today)
        self.post_message(self.Finished(TABS[2], report_lines(done)))

    # --- progress, results, failures ----------------------------------------------------

    def _start(self, tab: str, stage: str) -> bool:
        if self.busy:
            self.notify("Дождитесь окончания работы", severity="warning")
            return False
        self.busy = True
        self._running_tab = tab
        for button in self.query(Button):
            button.disabled = True
        self._result(tab).update("")
        self.query_one("#coord-stage", Label).update(stage + "…")
        self.query_one("#coord-progress", ProgressBar).update(total=None, progress=0)
        return True

    def _stop(self) -> None:
        self.busy = False
        for button in self.query(Button):
            button.disabled = False
        self.query_one("#coord-stage", Label).update("")
        self.query_one("#coord-progress", ProgressBar).update(total=100, progress=100)

    def _result(self, tab: str) -> Static:
        return self.query_one(f"#{tab.removeprefix('coord-')}-result", Static)

    def on_coordinator_screen_step(self, message: Step) -> None:
        self.query_one("#coord-stage", Label).update(Content(safe_text(message.text)))
        self.query_one("#coord-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_coordinator_screen_finished(self, message: Finished) -> None:
        self._stop()
        self._result(message.tab).update(as_content(message.lines))
        self.notify(message.lines[-1], title="Готово", markup=False)
        if message.tab == TABS[0]:
            self.load_organisations()

    def on_work_failed(self, message: WorkFailed) -> None:
        # Not stopped: the app tells the user too.
        if message.group != RUN_GROUP:
            return
        self._stop()
        self._result(self._running_tab).update(as_content([f"Ошибка: {message.text}"]))
