"""The home screen: the roadmap's activities, with a live filter, quick filters and sorting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Static

from curator_tui.domain.models import Status
from curator_tui.domain.safe_text import safe_text
from curator_tui.store.peer_knowledge import unsent_count
from curator_tui.store.queries import (
    ActivityQuery,
    Progress,
    QuickFilter,
    RoadmapOverview,
    Sort,
    activity_window,
    count_activities,
    page_activities,
    progress,
    roadmap_overview,
)
from curator_tui.store.store import Store
from curator_tui.tui.messages import ActivityUpdated, RoadmapImported
from curator_tui.tui.rows import ListRow, RowContext, list_row
from curator_tui.tui.screens.actions import ActivityActions, Subject
from curator_tui.tui.widgets.activity_list import PAGE_SIZE, ActivityList, RowFetcher
from curator_tui.tui.workers import thread_work
from curator_tui.views.format import group_thousands

QUICK_LABELS = {
    QuickFilter.OVERDUE: "просроченные",
    QuickFilter.DUE_THIS_MONTH: "срок в этом месяце",
    QuickFilter.DONE_WITHOUT_EVIDENCE: "выполнены без доказательств",
}
STATUS_CYCLE: tuple[Status | None, ...] = (None, *Status)


@dataclass(frozen=True)
class Header:
    """What the first line of the screen says: whose roadmap, and how far along it is."""

    roadmaps: RoadmapOverview
    progress: Progress
    unexported: int | None = None  # ops the coordinator is not known to hold; None: no init


def owner_content(roadmaps: RoadmapOverview) -> Content:
    """Whose roadmap this is: «МБОУ «СОШ № 1» · Дорожная карта 2022»."""
    roadmap = roadmaps.only
    if roadmap is None:
        return Content.styled(f"Дорожных карт: {group_thousands(roadmaps.count)}", "bold")
    year = roadmap["year"] or (
        f"{roadmap['school_year']}/{roadmap['school_year'] + 1}" if roadmap["school_year"] else ""
    )
    owner = roadmap["organisation"] or "Организация не указана"
    title = " ".join(str(x) for x in (roadmap["title"] or "Дорожная карта", year) if x)
    return Content.assemble((safe_text(owner), "bold"), f" · {safe_text(title)}")


def progress_content(p: Progress, unexported: int | None = None) -> Content:
    """How far along: «выполнено 8 из 49 · просрочено 5 · не выгружено 3»."""
    parts: list[Any] = [f"выполнено {group_thousands(p.done)} из {group_thousands(p.total)}"]
    if p.overdue:
        parts += [" · ", (f"просрочено {group_thousands(p.overdue)}", "$error bold")]
    if unexported:
        parts += [" · ", (f"не выгружено {group_thousands(unexported)}", "$text-warning")]
    return Content.assemble(*parts)


def filter_state(query: ActivityQuery, shown: int, total: int | None) -> str:
    parts = [f"{group_thousands(shown)} из {group_thousands(total)}" if total else ""]
    if query.quick in QUICK_LABELS:
        parts.append(QUICK_LABELS[query.quick])
    if query.status is not None:
        parts.append(f"статус «{query.status.label}»")
    parts.append("по сроку" if query.sort is Sort.DEADLINE else "по номеру")
    return " · ".join(p for p in parts if p)


FILTER_KEYS = ("slash",)


class HomeScreen(ActivityActions):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(",".join(FILTER_KEYS), "focus_filter", "Поиск", id="home.filter"),
        Binding("escape", "leave_filter", "Сбросить поиск", show=False, id="home.leave_filter"),
        Binding("o", "quick('overdue')", "Просроченные", id="home.overdue"),
        Binding("m", "quick('due_this_month')", "В этом месяце", id="home.month"),
        Binding("w", "quick('done_without_evidence')", "Без доказательств", id="home.no_proof"),
        Binding("c", "cycle_status", "Фильтр по статусу", show=False, id="home.status_filter"),
        Binding("t", "toggle_sort", "Сортировка", id="home.sort"),
        Binding("x", "reset_filters", "Сбросить фильтры", show=False, id="home.reset"),
        Binding("s", "change_status", "Статус", id="home.set_status"),
        Binding("e", "attach", "Доказательство", id="home.evidence"),
        Binding("v", "visit", "Визит", id="home.visit"),
        Binding("ctrl+r", "refresh", "Обновить", show=False, id="home.refresh"),
    ]

    class WindowLoaded(Message):
        def __init__(
            self, generation: int, total: int, rows: list[ListRow], fetch: RowFetcher
        ) -> None:
            super().__init__()
            self.generation = generation
            self.total = total
            self.rows = rows
            self.fetch = fetch

    class RowsCounted(Message):
        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class HeaderLoaded(Message):
        def __init__(self, header: Header) -> None:
            super().__init__()
            self.header = header

    def __init__(self) -> None:
        super().__init__()
        self.query_state = ActivityQuery()
        self.generation = 0
        self.roadmaps = RoadmapOverview(0, None)
        self.header: Header | None = None
        self._keep_position = False
        self._shown = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="summary"):
            yield Static("«Куратор»", id="summary-owner")
            yield Static("", id="summary-progress")
        with Horizontal(id="filter-bar"):
            yield Input(
                placeholder="/ поиск: номер, название, ответственный",
                id="filter",
                compact=True,
            )
            yield Static("", id="filter-state")
        yield ActivityList(id="activities")
        yield Footer()

    @property
    def activity_list(self) -> ActivityList:
        return self.query_one(ActivityList)

    def on_mount(self) -> None:
        self.activity_list.focus()
        # The first page is read here, before the first frame, so the list paints at once
        # instead of a frame later: PAGE_SIZE rows through an index, the same few milliseconds
        # for a school and for a hub's 200,000 activities (bench/tui_bench.py). Counting them
        # all, and the header's pass over every activity, run in workers; so does everything
        # when a worker holds the store (waiting for it would freeze the screen) or the read
        # failed (the worker tells the failure).
        query = self.query_state
        first = self.curator.with_store_now(
            lambda store: self._window(store, query, True, counted=False)
        )
        if first is None:
            self.reload()
            return
        self.generation += 1
        self._keep_position = True
        total, rows, fetch = first
        self._show_window(self.WindowLoaded(self.generation, total or len(rows), rows, fetch))
        if total is None:
            self.count_rows(self.generation, query)
        self.load_header()

    def on_screen_resume(self) -> None:
        # Back from the detail, a dialog or the first-run screen: show what changed meanwhile.
        if self._shown:
            self.reload()
        self._shown = True

    # --- loading -----------------------------------------------------------------------------

    def reload(self, *, header: bool = True) -> None:
        """Fetch the list again for the current filter (and the header line with it)."""
        self.generation += 1
        self._keep_position = header
        self.load(self.generation, self.query_state, header)

    @thread_work(group="home-list", exclusive=True)
    def load(self, generation: int, query: ActivityQuery, with_header: bool) -> None:
        loaded = self.curator.with_store(lambda store: self._window(store, query, with_header))
        total, rows, fetch = loaded  # counted: total is the exact count
        # The list first: the header's totals take a pass over every activity.
        self.post_message(self.WindowLoaded(generation, total or len(rows), rows, fetch))
        if with_header:
            self._post_header()

    @thread_work(group="home-header")
    def load_header(self) -> None:
        self._post_header()

    def _post_header(self) -> None:
        self.post_message(self.HeaderLoaded(self.curator.with_store(self._header)))

    def _window(
        self, store: Store, query: ActivityQuery, with_header: bool, *, counted: bool = True
    ) -> tuple[int | None, list[ListRow], RowFetcher]:
        """The first PAGE_SIZE rows for `query`, their total, and how to fetch the others.

        Not `counted`: the total only when the page holds every row (None otherwise), so the
        read costs one page whatever the size of the file.
        """
        today = self.curator.today
        if with_header:
            self.roadmaps = roadmap_overview(store)
        context = RowContext(today, query.sort, self.roadmaps.count > 1)
        if counted:
            found = activity_window(store, query, today, 0, PAGE_SIZE)
            total: int | None = found.total
            page = found.rows
        else:
            page = page_activities(store, query, today, 0, PAGE_SIZE + 1)
            total = len(page) if len(page) <= PAGE_SIZE else None
        rows = [list_row(row, context) for row in page[:PAGE_SIZE]]
        return total, rows, self._fetcher(query, context, total)

    @thread_work(group="home-count")
    def count_rows(self, generation: int, query: ActivityQuery) -> None:
        today = self.curator.today
        total = self.curator.with_store(lambda store: count_activities(store, query, today))
        self.post_message(self.RowsCounted(generation, total))

    def on_home_screen_rows_counted(self, message: RowsCounted) -> None:
        if message.generation != self.generation:
            return
        self.activity_list.extend_to(message.total)
        self._show_filter_state(message.total)

    def _header(self, store: Store) -> Header:
        self.curator.check_clock(store)
        return Header(self.roadmaps, progress(store, self.curator.today), unsent_count(store.conn))

    def _fetcher(self, query: ActivityQuery, context: RowContext, total: int | None) -> RowFetcher:
        app = self.curator

        def fetch(offset: int, limit: int) -> list[ListRow]:
            def page(store: Store) -> list[ListRow]:
                found = page_activities(store, query, app.today, offset, limit, total=total)
                return [list_row(row, context) for row in found]

            return app.with_store(page)

        return fetch

    def on_home_screen_window_loaded(self, message: WindowLoaded) -> None:
        if message.generation != self.generation:
            return  # a later keystroke already asked for another list
        self._show_window(message)

    def _show_window(self, message: WindowLoaded) -> None:
        self.activity_list.show(
            message.generation,
            message.total,
            message.rows,
            message.fetch,
            keep_position=self._keep_position,
            empty_text=self._empty_text(),
        )
        self._show_filter_state(message.total)

    def _show_filter_state(self, shown: int) -> None:
        total = self.header.progress.total if self.header else None
        # The box is fixed in width, so a new count needs no layout pass (typing stays quick).
        self.query_one("#filter-state", Static).update(
            filter_state(self.query_state, shown, total), layout=False
        )

    def on_home_screen_header_loaded(self, message: HeaderLoaded) -> None:
        self.header = message.header
        if not message.header.roadmaps.count:
            self._first_run()
            return
        self.query_one("#summary-owner", Static).update(owner_content(message.header.roadmaps))
        self.query_one("#summary-progress", Static).update(
            progress_content(message.header.progress, message.header.unexported)
        )
        self.query_one("#filter-state", Static).update(
            filter_state(self.query_state, self.activity_list.total, message.header.progress.total)
        )

    def _empty_text(self) -> str:
        if self.query_state == ActivityQuery(sort=self.query_state.sort):
            return "В дорожной карте нет мероприятий"
        return "Ничего не найдено — измените фильтр (x — сбросить все фильтры)"

    def _first_run(self) -> None:
        from curator_tui.tui.screens.first_run import FirstRunScreen

        if not isinstance(self.app.screen, FirstRunScreen):
            self.app.push_screen(FirstRunScreen())

    # --- filters ---------------------------------------------------------------------------

    def _apply(self, query: ActivityQuery) -> None:
        self.query_state = query
        self.reload(header=False)

    @on(Input.Changed, "#filter")
    def filter_typed(self, event: Input.Changed) -> None:
        self._apply(self.query_state.with_text(event.value))

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.activity_list.focus()

    def action_focus_filter(self) -> None:
        # At once, not on the next turn as Widget.focus(): what was typed right after «/»
        # (in one burst, as keys typed while the app starts arrive) goes into the filter.
        self.set_focus(self.query_one("#filter", Input))

    def on_key(self, event: events.Key) -> None:
        # Keys typed in one burst (as those typed while the app starts arrive) all pass here
        # before the app gets to the binding of «/», which would move the focus too late for
        # the rest: the filter's own key is taken here, in order, and so is every printable
        # key that reaches the screen once the filter has focus (the filter takes each key
        # it is given: one that comes here was sent before the focus moved).
        if not (event.is_printable and event.character):
            return
        box = self.query_one("#filter", Input)
        if self.focused is box:  # not box.has_focus: that follows only once Focus arrives
            box.insert_text_at_cursor(event.character)
            event.stop()
        elif event.key in FILTER_KEYS:
            self.action_focus_filter()
            event.stop()

    def action_leave_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = ""
            self.activity_list.focus()

    def action_quick(self, name: str) -> None:
        quick = QuickFilter(name)
        chosen = QuickFilter.ALL if self.query_state.quick is quick else quick
        self._apply(replace(self.query_state, quick=chosen))

    def action_cycle_status(self) -> None:
        position = STATUS_CYCLE.index(self.query_state.status)
        status = STATUS_CYCLE[(position + 1) % len(STATUS_CYCLE)]
        self._apply(replace(self.query_state, status=status))

    def action_toggle_sort(self) -> None:
        sort = Sort.NUMBER if self.query_state.sort is Sort.DEADLINE else Sort.DEADLINE
        self._apply(replace(self.query_state, sort=sort))

    def action_reset_filters(self) -> None:
        self.query_one("#filter", Input).value = ""
        self._apply(ActivityQuery(sort=self.query_state.sort))

    def action_refresh(self) -> None:
        self.reload()

    # --- the activity under the cursor ------------------------------------------------------------

    def subject(self) -> Subject | None:
        row = self.activity_list.current_row
        if row is None:
            return None
        return Subject(row.activity_id, row.roadmap_id, row.number, row.title, row.status)

    def on_activity_list_opened(self, message: ActivityList.Opened) -> None:
        self.curator.open_activity(message.row.activity_id)

    def on_activity_updated(self, message: ActivityUpdated) -> None:
        self.notify(message.summary, markup=False)
        self.reload()

    def on_roadmap_imported(self, message: RoadmapImported) -> None:
        self.reload()
