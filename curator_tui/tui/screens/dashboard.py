"""The hub's home: one row per school, the drill-down into a school's activities, the
cross-school list of overdue activities, and the planned-vs-done chart per month.

The table loads in two stages, so that a hub of 3,000 schools paints as fast as a small one:
1. before the first frame, on the UI thread: the first screen of schools in name order, each
   with its full figures (a few dozen organisations: indexed queries, milliseconds);
2. then, in a worker: every school, which sorting, filtering and the totals need.
Both stages read their rows from `curator_tui.views.dashboard`; this screen only shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from curator_tui.domain.safe_text import safe_text
from curator_tui.reports.model import ChartPoint, progress_chart
from curator_tui.store.hub_queries import roadmap_row
from curator_tui.store.queries import (
    ActivityQuery,
    QuickFilter,
    RoadmapOverview,
    progress,
    roadmap_overview,
)
from curator_tui.store.store import Store
from curator_tui.tui.context import Curator, curator_of
from curator_tui.tui.screens.home import Header, HomeScreen
from curator_tui.tui.widgets.school_table import (
    COLUMNS,
    LEGEND,
    SchoolTable,
    filter_rows,
    sort_rows,
)
from curator_tui.tui.workers import thread_work
from curator_tui.views.dashboard import (
    DashboardRow,
    dashboard_rows,
    dashboard_totals,
    first_page,
)
from curator_tui.views.format import group_thousands

MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def totals_text(rows: list[DashboardRow], shown: int, schools: int | None = None) -> str:
    if schools is not None and len(rows) < schools:
        return f"Школ: {group_thousands(schools)} · сводка загружается…"
    totals = dashboard_totals(rows, shown)
    counted = f"{group_thousands(totals.shown)} из {group_thousands(totals.rows)}"
    return (
        f"Школ: {counted} · просрочено: {group_thousands(totals.overdue)} · "
        # «30+ дней» is in the legend: 80 columns hold this line for a small hub.
        f"отстают: {totals.behind} · без пакета: {totals.stale} · "
        f"конфликтов: {group_thousands(totals.conflicts)}"
    )


class DashboardScreen(Screen[None]):
    """One row per school of the hub, sortable and filterable."""

    CSS_PATH = "../dashboard.tcss"
    # The table, not the first focusable widget (the filter): focusing one and then the
    # other costs two rounds of focus events and footer updates before the first frame.
    AUTO_FOCUS = "#schools"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Поиск школы", id="dashboard.filter"),
        Binding("escape", "leave_filter", "Сбросить поиск", show=False, id="dashboard.leave"),
        Binding("s", "cycle_sort", "Столбец сортировки", id="dashboard.sort"),
        Binding("r", "reverse_sort", "Обратный порядок", id="dashboard.reverse"),
        Binding("o", "overdue", "Все просроченные", id="dashboard.overdue"),
        Binding("g", "chart", "График", id="dashboard.chart"),
        Binding("G", "school_chart", "График выбранной школы", show=False, id="dashboard.chart1"),
        Binding("ctrl+r", "refresh", "Обновить", show=False, id="dashboard.refresh"),
    ]

    class RowsLoaded(Message):
        def __init__(self, rows: list[DashboardRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[DashboardRow] = []
        self.schools: int | None = None  # organisations in the file, once known
        self.sort_key = "name"
        self.descending = False
        self.filter_text = ""
        self._shown = False

    @property
    def curator(self) -> Curator:
        return curator_of(self.app)

    def compose(self) -> ComposeResult:
        yield Static("Сводная база · загрузка…", id="dashboard-title")
        with Horizontal(id="dashboard-filter-bar"):
            yield Input(
                placeholder="/ поиск: название школы или муниципалитет",
                id="dashboard-filter",
                compact=True,
            )
        yield SchoolTable(id="schools")
        yield Static(LEGEND, id="dashboard-legend")
        yield Footer()

    @property
    def table(self) -> SchoolTable:
        return self.query_one(SchoolTable)

    def on_mount(self) -> None:
        self.show_first_page()

    def show_first_page(self) -> None:
        """Stage 1, before the first frame; then stage 2 in a worker, after that frame.

        A page of a few dozen schools is a few milliseconds of indexed reads, so it runs on
        the UI thread, unless a worker holds the store (or the read failed): then everything
        loads in the worker.
        """
        app = self.curator
        # A screenful: every figure read costs (~0.1 ms a school); the rest follows shortly.
        size = max(20, self.app.size.height)
        page = app.with_store_now(lambda store: first_page(store, app.today, size))
        if page is None:
            self.reload()
            return
        self.all_rows, self.schools = page.rows, page.schools
        self.show_rows()
        if not page.complete:
            self.call_after_refresh(self.reload)

    def on_screen_resume(self) -> None:
        if self._shown:
            self.reload()
        self._shown = True

    def reload(self) -> None:
        self.load()

    @thread_work(group="dashboard", exclusive=True)
    def load(self) -> None:
        app = self.curator
        rows = app.with_store(lambda store: dashboard_rows(store, app.today))
        self.post_message(self.RowsLoaded(rows))

    def on_dashboard_screen_rows_loaded(self, message: RowsLoaded) -> None:
        self.all_rows, self.schools = message.rows, len(message.rows)
        self.show_rows()

    @property
    def shown_rows(self) -> list[DashboardRow]:
        return self.table.rows

    def show_rows(self) -> None:
        rows = sort_rows(
            filter_rows(self.all_rows, self.filter_text), self.sort_key, self.descending
        )
        empty = "В базе нет ни одной школы" if not self.all_rows else "Ничего не найдено"
        current = self.table.current_row
        self.table.show(rows, self.sort_key, self.descending, empty)
        if current is not None:  # the same school stays under the cursor
            self.table.move_to(current.summary.organisation_id)
        self.query_one("#dashboard-title", Static).update(
            totals_text(self.all_rows, len(rows), self.schools)
        )

    # --- sorting and filtering --------------------------------------------------------------

    def action_cycle_sort(self) -> None:
        # The columns on screen only: sorting by one the user cannot see would puzzle them.
        keys = [c.key for c in self.table.visible_columns]
        following = keys.index(self.sort_key) + 1 if self.sort_key in keys else 0
        self.sort_key = keys[following % len(keys)]
        self.show_rows()
        title = next(c.title for c in COLUMNS if c.key == self.sort_key)
        self.notify(f"Сортировка: «{title}»", timeout=2)

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.show_rows()

    @on(Input.Changed, "#dashboard-filter")
    def filter_typed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.show_rows()

    @on(Input.Submitted, "#dashboard-filter")
    def filter_done(self) -> None:
        self.table.focus()

    def action_focus_filter(self) -> None:
        self.query_one("#dashboard-filter", Input).focus()

    def action_leave_filter(self) -> None:
        box = self.query_one("#dashboard-filter", Input)
        if box.has_focus:
            box.value = ""
            self.table.focus()

    def action_refresh(self) -> None:
        self.reload()

    # --- elsewhere --------------------------------------------------------------------------

    def on_school_table_opened(self, message: SchoolTable.Opened) -> None:
        row = message.row
        if row.roadmap_id is None:
            self.notify("У этой организации ещё нет дорожной карты", severity="warning")
            return
        self.app.push_screen(SchoolActivitiesScreen(row.roadmap_id, row.name))

    def action_overdue(self) -> None:
        self.app.push_screen(OverdueActivitiesScreen())

    def action_chart(self) -> None:
        self.app.push_screen(ProgressChartScreen())

    def action_school_chart(self) -> None:
        row = self.table.current_row
        if row is not None and row.roadmap_id is not None:
            self.app.push_screen(ProgressChartScreen(row.roadmap_id, row.name))


class ScopedListScreen(HomeScreen):
    """The school laptop's activity list with a fixed base query (a roadmap, a quick filter)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_filter", "Назад", id="scoped.back"),
    ]

    def __init__(self, base: ActivityQuery) -> None:
        super().__init__()
        self.base = base
        self.query_state = base

    def action_leave_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = ""
            self.activity_list.focus()
        else:
            self.dismiss()

    def action_reset_filters(self) -> None:
        self.query_one("#filter", Input).value = ""
        self._apply(replace(self.base, sort=self.query_state.sort))

    def _empty_text(self) -> str:
        if self.query_state == replace(self.base, sort=self.query_state.sort):
            return "Нет мероприятий"
        return "Ничего не найдено — измените фильтр (x — сбросить фильтры)"


class SchoolActivitiesScreen(ScopedListScreen):
    """One school's activities, as on its own laptop."""

    def __init__(self, roadmap_id: str, name: str) -> None:
        super().__init__(ActivityQuery(roadmap_id=roadmap_id))
        self.roadmap_id = roadmap_id
        self.school_name = name

    def _header(self, store: Store) -> Header:
        row = roadmap_row(store, self.roadmap_id)
        overview = RoadmapOverview(1, row) if row else RoadmapOverview(0, None)
        return Header(overview, progress(store, self.curator.today, self.roadmap_id))


class OverdueActivitiesScreen(ScopedListScreen):
    """Every school's overdue activities; section headers name the school."""

    def __init__(self) -> None:
        super().__init__(ActivityQuery(quick=QuickFilter.OVERDUE))

    def _header(self, store: Store) -> Header:
        return Header(roadmap_overview(store), progress(store, self.curator.today))


# --- the chart --------------------------------------------------------------------------------


def month_label(month: date) -> str:
    return f"{MONTHS_SHORT[month.month - 1]} {month:%y}"


def chart_lines(points: Sequence[ChartPoint], width: int = 40) -> list[str]:
    """A compact text bar chart: per month, planned (░) and done (█) bars with the counts."""
    if not points:
        return ["Нет мероприятий со сроками и нет выполненных."]
    top = max(max(p.planned, p.done) for p in points) or 1
    lines = []
    for p in points:
        plan_bar = "░" * round(p.planned * width / top)
        done_bar = "█" * round(p.done * width / top)
        lines.append(f"{month_label(p.month):>6} план {p.planned:>5} {plan_bar}")
        lines.append(f"{'':>6} вып. {p.done:>5} {done_bar}")
    return lines


class ProgressChartScreen(Screen[None]):
    """Planned vs done per month over the roadmap period, for every school of the hub."""

    CSS_PATH = "../dashboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Назад", id="chart.back"),
        Binding("g", "close", "Закрыть график", show=False, id="chart.close"),
    ]

    class Loaded(Message):
        def __init__(self, points: Sequence[ChartPoint]) -> None:
            super().__init__()
            self.points = points

    def __init__(self, roadmap_id: str | None = None, school: str = "") -> None:
        super().__init__()
        self.roadmap_id = roadmap_id
        self.school = school
        self.points: Sequence[ChartPoint] | None = None

    def compose(self) -> ComposeResult:
        scope = self.school or "все школы"
        yield Static(
            f"План и выполнение по месяцам ({safe_text(scope)}): ░ срок в месяце · "
            "█ из них выполнено",
            id="chart-title",
            markup=False,
        )
        with VerticalScroll(id="chart-body"):
            yield Static("Загрузка…", id="chart")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @thread_work(group="chart", exclusive=True)
    def load(self) -> None:
        points = curator_of(self.app).with_store(
            lambda store: progress_chart(store, curator_of(self.app).today, self.roadmap_id)
        )
        self.post_message(self.Loaded(points))

    def on_progress_chart_screen_loaded(self, message: Loaded) -> None:
        self.points = message.points
        width = max(10, self.size.width - 22)
        self.query_one("#chart", Static).update("\n".join(chart_lines(message.points, width)))

    def action_close(self) -> None:
        self.dismiss()
