"""The activity list: a virtual list over SQLite, drawn line by line (Textual's Line API).

It never holds the whole list. It knows how many rows there are and keeps a few pages of
them, asking for a missing page in a worker thread when that page comes into view; until it
arrives the rows show as «…». So a hub with 200,000 activities opens as fast as a school.

Scrolling counts in rows: `scroll_y` is the index of the first row shown. The first body line
always names the group (section) of that row, and a header line comes before every row that
starts a new group, so the headers need no count of their own.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from curator_tui.domain.models import Status
from curator_tui.domain.safe_text import safe_text
from curator_tui.tui.rows import ListRow
from curator_tui.tui.widgets.cursor_view import CursorView
from curator_tui.tui.workers import thread_work

PAGE_SIZE = 50
CACHED_PAGES = 64

# Called in a worker thread: (offset, limit) → rows. A page whose fetch failed (the worker
# told the user) stays pending: it is not asked for again until the list is shown anew.
RowFetcher = Callable[[int, int], list[ListRow]]


@dataclass(frozen=True)
class LineItem:
    kind: Literal["header", "row"]
    index: int  # the row shown, or the row whose group a header names


@dataclass(frozen=True)
class Columns:
    number: int
    title: int
    due: int
    responsible: int
    status: int
    evidence: int


def columns_for(width: int) -> Columns:
    """Column widths for a list `width` cells wide; the title takes what is left."""
    if width >= 110:
        fixed = Columns(number=6, title=0, due=24, responsible=22, status=9, evidence=4)
    else:
        fixed = Columns(number=5, title=0, due=14, responsible=13, status=9, evidence=4)
    # Flag, then a space before each of the six columns but the first.
    used = 2 + fixed.number + fixed.due + fixed.responsible + fixed.status + fixed.evidence + 5
    return Columns(
        number=fixed.number,
        title=max(8, width - used),
        due=fixed.due,
        responsible=fixed.responsible,
        status=fixed.status,
        evidence=fixed.evidence,
    )


def fit(text: str, width: int) -> str:
    """`text` cut (with «…») or padded to exactly `width` cells; controls made visible, since
    these cells go to the terminal as raw segments (a title may hold an escape sequence)."""
    if width <= 0:
        return ""
    text = safe_text(text)
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def fit_right(text: str, width: int) -> str:
    return fit(text, width) if cell_len(text) >= width else " " * (width - cell_len(text)) + text


def starts_group(previous: ListRow | None, row: ListRow | None) -> bool:
    """A header line goes before `row` (rows not fetched yet are taken to go on a group)."""
    return previous is not None and row is not None and row.group != previous.group


FLAGS = {"overdue": "!", "soon": "•", "done": "✓", "cancelled": "×"}


class ActivityList(CursorView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "activity-list--columns",
        "activity-list--section",
        "activity-list--cursor",
        "activity-list--overdue",
        "activity-list--soon",
        "activity-list--done",
        "activity-list--pending",
        "activity-list--empty",
    }

    # PgUp/PgDn keep two lines of the previous page in sight.
    PAGE_OVERLAP: ClassVar[int] = 2

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Выше", show=False, id="list.up"),
        Binding("down", "cursor_down", "Ниже", show=False, id="list.down"),
        Binding("pageup", "page_up", "Страница вверх", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Страница вниз", show=False, id="list.page_down"),
        Binding("home", "first", "В начало списка", show=False, id="list.first"),
        Binding("end", "last", "В конец списка", show=False, id="list.last"),
        Binding("enter", "open", "Открыть", id="list.open"),
    ]

    class Opened(Message):
        """The user asked to open the activity under the cursor."""

        def __init__(self, row: ListRow) -> None:
            super().__init__()
            self.row = row

    class PageLoaded(Message):
        def __init__(self, generation: int, page: int, rows: list[ListRow]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.generation = -1
        self.cursor = 0
        self.empty_text = "Загрузка…"
        # The generation last drawn with real rows, and when rows were first drawn: how a
        # benchmark knows the list is painted, and since when.
        self.painted_generation = -1
        self.first_painted_at: float | None = None
        self._pages: OrderedDict[int, list[ListRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._fetch: RowFetcher | None = None
        self._version = 0
        self._layout_key: tuple[int, ...] = ()
        self._layout_items: list[LineItem] = []
        self._styles: dict[str, Style] = {}

    # --- data ------------------------------------------------------------------------------

    def show(
        self,
        generation: int,
        total: int,
        first_page: list[ListRow],
        fetch: RowFetcher,
        *,
        keep_position: bool = False,
        empty_text: str = "Ничего не найдено",
    ) -> None:
        """Replace the list: `total` rows, the first PAGE_SIZE of them in `first_page`; `fetch`
        gets the others. `keep_position` keeps the cursor where it was (a refresh)."""
        top = int(self.scroll_y) if keep_position else 0
        self.generation = generation
        self.total = total
        self.empty_text = empty_text
        self._fetch = fetch
        self._pages.clear()
        self._pending.clear()
        self._pages[0] = first_page
        self._version += 1
        self.cursor = max(0, min(self.cursor, total - 1)) if keep_position else 0
        self._refresh_virtual_size()
        self.scroll_to(y=min(top, self.cursor), animate=False)
        self._scroll_to_cursor()
        self.refresh()

    def extend_to(self, total: int) -> None:
        """The list holds `total` rows: shown first with one page, counted afterwards."""
        self.total = total
        self._version += 1
        self._refresh_virtual_size()
        self.refresh()

    def loaded_rows(self) -> list[ListRow]:
        """The rows fetched so far, in list order (all of them for a short list)."""
        return [row for page in sorted(self._pages) for row in self._pages[page]]

    @property
    def row_count(self) -> int:
        return self.total

    @property
    def current_row(self) -> ListRow | None:
        return self._row(self.cursor, request=False) if self.total else None

    def _row(self, index: int, *, request: bool = True) -> ListRow | None:
        if not 0 <= index < self.total:
            return None
        page_no, offset = divmod(index, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            if request:
                self._want(page_no)
            return None
        self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def _want(self, page_no: int) -> None:
        if page_no in self._pending or self._fetch is None:
            return
        self._pending.add(page_no)
        # Not from inside a render: start the worker once this paint is over.
        self.call_later(self._start_fetch, self.generation, page_no, self._fetch)

    def _start_fetch(self, generation: int, page_no: int, fetch: RowFetcher) -> None:
        if generation != self.generation:
            return
        self._fetch_page(generation, page_no, fetch)

    @thread_work(group="list-pages")
    def _fetch_page(self, generation: int, page_no: int, fetch: RowFetcher) -> None:
        rows = fetch(page_no * PAGE_SIZE, PAGE_SIZE)
        self.post_message(self.PageLoaded(generation, page_no, rows))

    def on_activity_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        self._pending.discard(message.page)
        self._pages[message.page] = message.rows
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        self._version += 1
        self._refresh_virtual_size()
        self._scroll_to_cursor()
        self.refresh()

    # --- geometry -----------------------------------------------------------------------------

    def _top(self) -> int:
        return max(0, min(int(self.scroll_y), self.total - 1))

    def _layout(self) -> list[LineItem]:
        """What each body line shows, from the row at the top of the view."""
        top, body = self._top(), self._body_height()
        key = (top, body, self.total, self._version, self.generation)
        if key == self._layout_key:
            return self._layout_items
        items: list[LineItem] = []
        if self.total:
            items.append(LineItem("header", top))
            previous: ListRow | None = None
            for index in range(top, self.total):
                row = self._row(index)
                if starts_group(previous, row) and index > top:
                    if len(items) >= body:
                        break
                    items.append(LineItem("header", index))
                if len(items) >= body:
                    break
                items.append(LineItem("row", index))
                previous = row
        self._layout_key, self._layout_items = key, items
        return items

    def _top_showing_at_bottom(self, target: int) -> int:
        """The first row to show so that row `target` sits on the last body line."""
        body = self._body_height()
        lines, top = 2, target  # the sticky header and the target row
        while top > 0:
            above, here = self._row(top - 1, request=False), self._row(top, request=False)
            extra = 2 if starts_group(above, here) else 1
            if lines + extra > body:
                break
            lines += extra
            top -= 1
        return top

    def _refresh_virtual_size(self) -> None:
        last_top = self._top_showing_at_bottom(self.total - 1) if self.total else 0
        region = self.scrollable_content_region
        self.virtual_size = Size(region.width, last_top + region.height)

    def _scroll_to_cursor(self) -> None:
        if not self.total:
            return
        top = self._top()
        if self.cursor < top:
            new_top = self.cursor
        else:
            new_top = max(top, self._top_showing_at_bottom(self.cursor))
        if new_top != top:
            self.scroll_to(y=new_top, animate=False)

    def on_click(self, event: events.Click) -> None:
        items = self._layout()
        line = event.y - 1
        if not 0 <= line < len(items) or items[line].kind != "row":
            return
        self.move_cursor(items[line].index)
        if event.chain >= 2:
            self.action_open()

    # --- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._columns_line(width)
        if not self.total:
            self._mark_painted()
            if y == 2:
                style = self._style("empty")
                return Strip([Segment(fit("  " + self.empty_text, width), style)], width)
            return Strip.blank(width, self._style("base"))
        items = self._layout()
        if y - 1 >= len(items):
            return Strip.blank(width, self._style("base"))
        item = items[y - 1]
        row = self._row(item.index)
        if row is None:
            style = self._style("pending")
            return Strip([Segment(fit("  …", width), style)], width)
        if item.kind == "header":
            style = self._style("section")
            return Strip([Segment(fit(f" {row.group_title}", width), style)], width)
        self._mark_painted()
        return self._row_line(row, width, item.index == self.cursor)

    def _mark_painted(self) -> None:
        self.painted_generation = self.generation
        if self.first_painted_at is None and self.generation >= 1:
            self.first_painted_at = time.perf_counter()

    def _columns_line(self, width: int) -> Strip:
        cols = columns_for(width)
        text = " ".join(
            [
                "  " + fit("№", cols.number),
                fit("Мероприятие", cols.title),
                fit("Срок", cols.due),
                fit("Ответственный", cols.responsible),
                fit("Статус", cols.status),
                fit_right("Док.", cols.evidence),
            ]
        )
        style = self._style("columns")
        return Strip([Segment(fit(text, width), style)], width)

    def _row_line(self, row: ListRow, width: int, selected: bool) -> Strip:
        cols = columns_for(width)
        base = self._row_style(row)
        soon = base + self._style("soon") if row.due.soon else base
        if selected:
            cursor = self._style("cursor")
            base, soon = base + cursor, soon + cursor
        due = row.due.text if cell_len(row.due.text) <= cols.due else row.due.short
        cells = [
            (fit(self._flag(row), 1) + " ", base),
            (fit(row.number, cols.number) + " ", base),
            (fit("  " * row.depth + row.title, cols.title) + " ", base),
            (fit(due, cols.due) + " ", soon),
            (fit(row.responsible, cols.responsible) + " ", base),
            (fit(row.status.label, cols.status) + " ", base),
            (fit_right(str(row.evidence) if row.evidence else "—", cols.evidence), base),
        ]
        segments = [Segment(text, style) for text, style in cells]
        return Strip(segments).adjust_cell_length(width, base)

    def _row_style(self, row: ListRow) -> Style:
        if row.status in (Status.DONE, Status.CANCELLED):
            return self._style("base") + self._style("done")
        if row.due.overdue:
            return self._style("base") + self._style("overdue")
        return self._style("base")

    def _style(self, name: str) -> Style:
        """The widget's own style («base») or a component's, kept between frames: working
        them out walks the DOM, and a frame draws dozens of rows."""
        style = self._styles.get(name)
        if style is None:
            style = (
                self.rich_style
                if name == "base"
                else self.get_component_rich_style(f"activity-list--{name}")
            )
            self._styles[name] = style
        return style

    def notify_style_update(self) -> None:
        self._styles.clear()  # theme switched, focus moved: work the styles out again
        super().notify_style_update()

    @staticmethod
    def _flag(row: ListRow) -> str:
        if row.status is Status.DONE:
            return FLAGS["done"]
        if row.status is Status.CANCELLED:
            return FLAGS["cancelled"]
        if row.due.overdue:
            return FLAGS["overdue"]
        if row.due.soon:
            return FLAGS["soon"]
        return " "
