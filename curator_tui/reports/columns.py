"""The report's tables, defined once: headers, values and widths every writer shares.

A writer picks a table (the month's summary, the roadmap-to-date summary, the flat activity
list with an organisation column, or one organisation's list) and only decides how a value
looks in its format: XLSX keeps dates, numbers and shares typed, the text formats print them
the Russian way (03.11.2026, 37 %).

`min_width`/`line_count` are the print rules: a column is never narrower than its longest
word or date (so none breaks inside), and a row is as tall as its most wrapped cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from operator import attrgetter
from typing import Any, Generic, TypeVar

from curator_tui.domain.fields import REPORT_FIELDS, Field
from curator_tui.reports.model import (
    MonthlyReport,
    ReportActivity,
    RowKind,
    SummaryRow,
)

Row = TypeVar("Row")
Value = str | int | float | bool | date | datetime | None

MISSING = "—"
# Characters XML 1.0 (so XLSX and DOCX) cannot hold; a pasted roadmap may carry them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Kind(Enum):
    TEXT = "text"  # short text on one line
    LONG_TEXT = "long_text"  # wrapped in cells
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    FLAG = "flag"  # да / нет
    PERCENT = "percent"  # a share (0.37), printed «37 %»


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str
    value: Callable[[Row], Value]
    kind: Kind
    width: float  # in Excel character widths; DOCX shares the page in these proportions


def yes_no(flag: bool) -> str:
    return "да" if flag else "нет"


def clean(text: str) -> str:
    # Most cells hold no control character at all: a C-speed test spares them the regex.
    if text.isprintable():
        return text
    return XML_ILLEGAL.sub("", text)


def as_text(value: Value) -> str:
    """How a value reads in the text formats (CSV, Markdown, DOCX)."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{round(value * 100)}\u00a0%"  # no break between the figure and its sign
    return clean(value)


def notes_text(activity: ReportActivity) -> str | None:
    return "\n".join(activity.notes) or None


def evidence_text(activity: ReportActivity) -> str | None:
    """One line per item; None (shown as «—») when there is none."""
    return "\n".join(item.describe() for item in activity.evidence) or None


ORGANISATION_HEADER = "Организация"
MUNICIPALITY_HEADER = "Муниципалитет"


def month_count(header: str, name: str) -> tuple[Column[SummaryRow], Column[SummaryRow]]:
    """A count of the month's due activities and its share of them («%»)."""

    def count(row: SummaryRow) -> int:
        return int(getattr(row.month, name))

    def share(row: SummaryRow) -> float | None:
        return row.month.share(count(row))

    return Column(header, count, Kind.NUMBER, 11), Column("%", share, Kind.PERCENT, 7)


NAME_COLUMNS: tuple[Column[SummaryRow], ...] = (
    Column(ORGANISATION_HEADER, lambda r: r.name, Kind.LONG_TEXT, 40),
    Column(MUNICIPALITY_HEADER, lambda r: r.municipality or None, Kind.LONG_TEXT, 22),
)
# The month: the activities due in it and how they stand (model.MonthFigures).
MONTH_FIGURE_COLUMNS: tuple[Column[SummaryRow], ...] = (
    Column("Со сроком в месяце", lambda r: r.month.due, Kind.NUMBER, 11),
    *month_count("Выполнено", "done"),
    *month_count("В работе", "in_progress"),
    *month_count("Не начато", "not_started"),
    *month_count("Отменено", "cancelled"),
    *month_count("Из них просрочено", "overdue"),
)
MONTH_COLUMNS = (*NAME_COLUMNS, *MONTH_FIGURE_COLUMNS)
# From the roadmaps' start to the report's day: every activity, not the month's only.
TO_DATE_FIGURE_COLUMNS: tuple[Column[SummaryRow], ...] = (
    Column("Всего мероприятий", lambda r: r.to_date.total, Kind.NUMBER, 12),
    Column("Выполнено", lambda r: r.to_date.done, Kind.NUMBER, 11),
    Column("Просрочено", lambda r: r.to_date.overdue, Kind.NUMBER, 11),
    Column(
        "Выполнено без доказательств", lambda r: r.to_date.done_without_evidence, Kind.NUMBER, 15
    ),
    Column("Файлов доказательств", lambda r: r.to_date.evidence_files, Kind.NUMBER, 15),
    Column("Последний пакет данных", lambda r: r.to_date.last_bundle, Kind.DATETIME, 17),
    Column("Последний визит", lambda r: r.to_date.last_visit, Kind.DATE, 12),
)
TO_DATE_COLUMNS = (*NAME_COLUMNS, *TO_DATE_FIGURE_COLUMNS)
# CSV: one row per organisation with both, the roadmap-to-date ones marked as such.
SUMMARY_COLUMNS: tuple[Column[SummaryRow], ...] = (
    *MONTH_COLUMNS,
    *(replace(c, header=f"{c.header} (с начала ДК)") for c in TO_DATE_FIGURE_COLUMNS),
)

NARROW = 10  # a column this narrow holds one line («№»)


def field_column(field: Field) -> Column[ReportActivity]:
    """A column holding one of the activity's declared fields (domain/fields.py)."""
    kind = Kind.TEXT if field.report_width < NARROW else Kind.LONG_TEXT
    return Column(field.label, attrgetter(field.name), kind, field.report_width)


REVIEW_COLUMN: Column[ReportActivity] = Column("Проверка", lambda a: a.review, Kind.TEXT, 14)

# One organisation's list (DOCX, Markdown: the organisation is the heading above the table).
ACTIVITY_COLUMNS: tuple[Column[ReportActivity], ...] = (
    *map(field_column, REPORT_FIELDS),
    Column("Крайний срок", lambda a: a.due_date, Kind.DATE, 12),
    Column("Статус", lambda a: a.status_label, Kind.TEXT, 12),
    Column("Заметки за месяц", notes_text, Kind.LONG_TEXT, 30),
    Column("Доказательства", evidence_text, Kind.LONG_TEXT, 40),
)

FLAG_COLUMNS: tuple[Column[ReportActivity], ...] = (
    Column("Срок в месяце", lambda a: a.due_in_month, Kind.FLAG, 10),
    Column("Просрочено", lambda a: a.overdue, Kind.FLAG, 11),
)

# Every listed activity once, with its organisation and both flags (XLSX sheet, CSV file):
# one row per activity keeps filters and pivot tables honest.
FLAT_ACTIVITY_COLUMNS: tuple[Column[ReportActivity], ...] = (
    Column(ORGANISATION_HEADER, lambda a: a.organisation, Kind.LONG_TEXT, 35),
    *ACTIVITY_COLUMNS[:-1],
    *FLAG_COLUMNS,
    ACTIVITY_COLUMNS[-1],
)


def with_reviews(
    report: MonthlyReport, columns: tuple[Column[ReportActivity], ...]
) -> tuple[Column[ReportActivity], ...]:
    """The columns, with «Проверка» after «Статус» once some activity has a review state."""
    if not report.has_reviews:
        return columns
    at = [c.header for c in columns].index("Статус") + 1
    return (*columns[:at], REVIEW_COLUMN, *columns[at:])


def flat_activities(report: MonthlyReport) -> list[ReportActivity]:
    return [activity for school in report.schools for activity in school.activities]


def organisation_rows(report: MonthlyReport) -> list[SummaryRow]:
    """The organisations alone (CSV: no subtotals to be counted twice)."""
    return [r for r in report.summary_rows() if r.kind is RowKind.ORGANISATION]


def is_total(row: SummaryRow) -> bool:
    return row.kind is not RowKind.ORGANISATION


# The longest word a column's width is made for: a longer one (a link) may wrap.
LONGEST_UNBROKEN = 24
MIN_WIDTHS = {Kind.DATE: 10, Kind.DATETIME: 16, Kind.PERCENT: 5, Kind.FLAG: 3}


WORD_BREAKS = re.compile(r"\s+|(?<=-)")  # a line may break at a space or after a hyphen


def longest_word(text: str) -> int:
    return max(map(len, WORD_BREAKS.split(text)), default=0)


def min_width(column: Column[Any], texts: Iterable[str] = ()) -> int:
    """Characters the column needs so that no word of its header or its values, and no
    date, breaks inside (links and other very long words excepted)."""
    widest = max(longest_word(column.header), MIN_WIDTHS.get(column.kind, 0))
    for text in texts:
        widest = max(widest, min(longest_word(text), LONGEST_UNBROKEN))
    return widest


def line_room(width: float) -> int:
    """Characters a line of a column `width` wide holds."""
    # A width counts digits; letters are as wide on average (capitals wider, Latin narrower):
    # a character of padding is all the margin taken.
    return max(int(width) - 1, 1)


def line_count(text: str, width: float) -> int:
    """Lines `text` takes wrapped at word boundaries in a column `width` characters wide."""
    room = line_room(width)
    if len(text) <= room and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            if used and used + 1 + len(word) > room:
                lines += 1
                used = 0
            used += (1 if used else 0) + len(word)
            if used > room:  # a word longer than the line wraps inside itself
                lines += math.ceil(used / room) - 1
                used %= room
    return lines


MONTH_HEADING = "Мероприятия со сроком в отчётном месяце"
TO_DATE_HEADING = "С начала реализации дорожных карт (нарастающим итогом, на {day:%d.%m.%Y})"
CHART_HEADING = "План и выполнение по месяцам"
CHART_PLANNED, CHART_DONE = "Запланировано", "Выполнено"
SIGNATURE_HEADING = "Ответственный за отчёт"
DUE_HEADING = "Со сроком в отчётном месяце"
OVERDUE_HEADING = "Просроченные"
DETAILS_HEADING = "Мероприятия по организациям"
NOTHING_DUE = "Мероприятий со сроком в отчётном месяце нет."
NOTHING_OVERDUE = "Просроченных мероприятий нет."
