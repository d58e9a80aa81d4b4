"""The hub dashboard's table of schools: a virtual table drawn line by line (the Line API).

Even 3,000 rows are few enough to hold in memory, but a DataTable builds a widget-sized
cache of every cell before its first paint; this table only formats the rows on screen.
Sorting and filtering are done on the rows in memory (a few milliseconds for 3,000).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from curator_tui.domain.rules import MANY_OVERDUE, OVERDUE_SHARE, STALE_DAYS
from curator_tui.domain.rules import is_behind as is_behind  # where older callers look
from curator_tui.domain.rules import is_stale as is_stale
from curator_tui.reports.model import name_key
from curator_tui.tui.widgets.activity_list import fit, fit_right
from curator_tui.tui.widgets.cursor_view import CursorView
from curator_tui.views.dashboard import DashboardRow
from curator_tui.views.format import short_date

LEGEND = (
    f"! отстаёт: просрочено ≥ {MANY_OVERDUE} или ≥ {OVERDUE_SHARE * 100:.0f} % наступивших "
    f"сроков · ∅ нет пакета {STALE_DAYS}+ дней · Конф: одновременные правки\n"
    # The columns' short titles, spelt out (a new coordinator asked what «Раб.» was).
    "Мер./Вып./Раб./Прос.: мероприятий всего/выполнено/в работе/просрочено · "
    "БезД: выполнены без доказательств · Файл: файлов доказательств"
)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    value: Callable[[DashboardRow], Any]  # the sort key
    text: Callable[[DashboardRow], str]
    min_width: int = 0  # shown only when the table is at least this wide
    numeric: bool = True


def _bundle_text(row: DashboardRow) -> str:
    return short_date(row.summary.last_bundle) if row.summary.last_bundle else "никогда"


def _count(attr: str) -> Callable[[DashboardRow], int]:
    return lambda row: int(getattr(row.summary, attr))


def _count_text(attr: str) -> Callable[[DashboardRow], str]:
    return lambda row: str(getattr(row.summary, attr))


COLUMNS: tuple[Column, ...] = (
    Column("name", "Школа", 0, lambda r: name_key(r.name), lambda r: r.name, numeric=False),
    Column(
        "municipality",
        "Муниципалитет",
        18,
        lambda r: name_key(r.municipality),
        lambda r: r.municipality,
        min_width=100,
        numeric=False,
    ),
    Column(
        "roadmap",
        "Дорожная карта",
        22,
        lambda r: r.roadmap,
        lambda r: r.roadmap,
        min_width=150,
        numeric=False,
    ),
    Column("total", "Мер.", 5, _count("total"), _count_text("total")),
    Column("done", "Вып.", 5, _count("done"), _count_text("done")),
    Column("in_progress", "Раб.", 5, _count("in_progress"), _count_text("in_progress")),
    Column("overdue", "Прос.", 5, _count("overdue"), _count_text("overdue")),
    Column(
        "no_proof", "БезД", 5, _count("done_without_evidence"), _count_text("done_without_evidence")
    ),
    Column("files", "Файл", 5, _count("evidence_files"), _count_text("evidence_files")),
    # Narrow, so an 80-column table keeps a school's name readable.
    Column("conflicts", "Конф", 4, lambda r: r.conflicts, lambda r: str(r.conflicts)),
    Column(
        "bundle",
        "Пакет",
        8,
        lambda r: r.summary.last_bundle or datetime.min,
        _bundle_text,
        numeric=False,
    ),
    Column(
        "device",
        "Устройство",
        16,
        lambda r: r.bundle_device,
        lambda r: r.bundle_device,
        min_width=118,  # a 120-column terminal less the scrollbar
        numeric=False,
    ),
    Column(
        "visit",
        "Визит",
        8,
        lambda r: r.summary.last_visit or date.min,
        lambda r: short_date(r.summary.last_visit),
        numeric=False,
    ),
)
COLUMN_TITLES = {c.key: c.title for c in COLUMNS}


def sort_rows(rows: list[DashboardRow], key: str, descending: bool) -> list[DashboardRow]:
    column = next(c for c in COLUMNS if c.key == key)
    # Ties keep the name order, whichever way the column runs.
    by_name = sorted(rows, key=lambda r: (name_key(r.name), r.summary.organisation_id))
    return sorted(by_name, key=column.value, reverse=descending)


def filter_rows(rows: list[DashboardRow], text: str) -> list[DashboardRow]:
    """Rows whose school name, municipality or roadmap title hold every word of `text`
    («молчанов сош» finds the district's schools)."""
    words = name_key(text).split()
    if not words:
        return rows
    return [r for r in rows if all(w in r.search_key for w in words)]


def visible_columns(width: int) -> list[Column]:
    return [c for c in COLUMNS if width >= c.min_width]


class SchoolTable(CursorView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "school-table--columns",
        "school-table--cursor",
        "school-table--stale",
        "school-table--behind",
        "school-table--empty",
    }
    DEFAULT_CSS = """
    SchoolTable { height: 1fr; }
    SchoolTable > .school-table--columns { text-style: bold; background: $panel; }
    SchoolTable > .school-table--cursor { background: $accent 40%; }
    SchoolTable:focus > .school-table--cursor { background: $accent; }
    SchoolTable > .school-table--stale { color: $warning; }
    SchoolTable > .school-table--behind { color: $error; }
    SchoolTable > .school-table--empty { color: $text-muted; text-style: italic; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Выше", show=False, id="schools.up"),
        Binding("down", "cursor_down", "Ниже", show=False, id="schools.down"),
        Binding("pageup", "page_up", "Страница вверх", show=False, id="schools.page_up"),
        Binding("pagedown", "page_down", "Страница вниз", show=False, id="schools.page_down"),
        Binding("home", "first", "В начало", show=False, id="schools.first"),
        Binding("end", "last", "В конец", show=False, id="schools.last"),
        Binding("enter", "open", "Мероприятия школы", id="schools.open"),
    ]

    class Opened(Message):
        def __init__(self, row: DashboardRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[DashboardRow] = []
        self.cursor = 0
        self.sort_key = "name"
        self.descending = False
        self.empty_text = "Загрузка…"
        self.painted = False  # the first real rows are on screen (for the benchmark) …
        self.first_painted_at: float | None = None  # … since when (time.perf_counter)

    def show(
        self,
        rows: list[DashboardRow],
        sort_key: str,
        descending: bool,
        empty_text: str = "Ничего не найдено",
    ) -> None:
        self.rows, self.sort_key, self.descending = rows, sort_key, descending
        self.empty_text = empty_text
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        self._refresh_virtual_size()
        self._scroll_to_cursor()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def current_row(self) -> DashboardRow | None:
        return self.rows[self.cursor] if self.rows else None

    @property
    def visible_columns(self) -> list[Column]:
        return visible_columns(self.scrollable_content_region.width)

    def move_to(self, organisation_id: str) -> None:
        """Put the cursor on this organisation's row, if it is shown."""
        for index, row in enumerate(self.rows):
            if row.summary.organisation_id == organisation_id:
                if index != self.cursor:
                    self.move_cursor(index)
                return

    # --- geometry ---------------------------------------------------------------------------

    def _refresh_virtual_size(self) -> None:
        region = self.scrollable_content_region
        self.virtual_size = Size(region.width, len(self.rows) + 1)

    def _scroll_to_cursor(self) -> None:
        top, body = int(self.scroll_y), self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False)

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= index < len(self.rows):
            self.move_cursor(index)
            if event.chain >= 2:
                self.action_open()

    # --- drawing ----------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"school-table--{name}")

    def _cells(self, width: int) -> list[tuple[Column, int]]:
        columns = visible_columns(width)
        fixed = sum(c.width + 1 for c in columns if c.width) + 2
        return [(c, c.width or max(8, width - fixed)) for c in columns]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            parts = []
            for column, size in self._cells(width):
                title = COLUMN_TITLES[column.key]
                if column.key == self.sort_key:
                    title = ("▼" if self.descending else "▲") + title
                parts.append(fit_right(title, size) if column.numeric else fit(title, size))
            text = fit("  " + " ".join(parts), width)
            return Strip([Segment(text, base + self._style("columns"))], width)
        index = int(self.scroll_y) + y - 1
        if not self.rows:
            if y == 2:
                return Strip(
                    [Segment(fit("  " + self.empty_text, width), base + self._style("empty"))],
                    width,
                )
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        if not self.painted:
            self.painted, self.first_painted_at = True, time.perf_counter()
        row = self.rows[index]
        style = base
        if row.behind:
            style += self._style("behind")
        elif row.stale:
            style += self._style("stale")
        if index == self.cursor:
            style += self._style("cursor")
        flag = ("!" if row.behind else " ") + ("∅" if row.stale else " ")
        parts = [
            fit_right(column.text(row), size) if column.numeric else fit(column.text(row), size)
            for column, size in self._cells(width)
        ]
        text = fit(flag + " ".join(parts), width)
        return Strip([Segment(text, style)], width)
