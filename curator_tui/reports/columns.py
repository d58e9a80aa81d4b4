"""The report's tables, defined once: headers, values and widths every writer shares.

A writer picks a table (the summary, the flat activity list with an organisation column, or
one organisation's list) and only decides how a value looks in its format: XLSX keeps dates
and numbers typed, the text formats print them the Russian way (03.11.2026).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from operator import attrgetter
from typing import Generic, TypeVar

from curator_tui.domain.fields import REPORT_FIELDS, Field
from curator_tui.reports.model import MonthlyReport, ReportActivity, SchoolSummary

Row = TypeVar("Row")
Value = str | int | bool | date | datetime | None

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


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str
    value: Callable[[Row], Value]
    kind: Kind
    width: float  # in Excel character widths; DOCX shares the page in these proportions


def yes_no(flag: bool) -> str:
    return "да" if flag else "нет"


def clean(text: str) -> str:
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
    return clean(value)


def evidence_text(activity: ReportActivity) -> str | None:
    """One line per item; None (shown as «—») when there is none."""
    return "\n".join(item.describe() for item in activity.evidence) or None


ORGANISATION_HEADER = "Организация"

SUMMARY_COLUMNS: tuple[Column[SchoolSummary], ...] = (
    Column(ORGANISATION_HEADER, lambda s: s.name, Kind.LONG_TEXT, 45),
    Column("Муниципалитет", lambda s: s.municipality or None, Kind.LONG_TEXT, 22),
    Column("Всего мероприятий", lambda s: s.total, Kind.NUMBER, 12),
    Column("Со сроком в месяце", lambda s: s.due_in_month, Kind.NUMBER, 12),
    Column("Выполнено", lambda s: s.done, Kind.NUMBER, 11),
    Column("В работе", lambda s: s.in_progress, Kind.NUMBER, 10),
    Column("Просрочено", lambda s: s.overdue, Kind.NUMBER, 11),
    Column("Выполнено без доказательств", lambda s: s.done_without_evidence, Kind.NUMBER, 15),
    Column("Файлов-доказательств", lambda s: s.evidence_files, Kind.NUMBER, 14),
    Column("Последний пакет данных", lambda s: s.last_bundle, Kind.DATETIME, 17),
    Column("Последний визит", lambda s: s.last_visit, Kind.DATE, 13),
)

NARROW = 10  # a column this narrow holds one line («№»)


def field_column(field: Field) -> Column[ReportActivity]:
    """A column holding one of the activity's declared fields (domain/fields.py)."""
    kind = Kind.TEXT if field.report_width < NARROW else Kind.LONG_TEXT
    return Column(field.label, attrgetter(field.name), kind, field.report_width)


# One organisation's list (DOCX, Markdown: the organisation is the heading above the table).
ACTIVITY_COLUMNS: tuple[Column[ReportActivity], ...] = (
    *map(field_column, REPORT_FIELDS),
    Column("Крайний срок", lambda a: a.due_date, Kind.DATE, 12),
    Column("Статус", lambda a: a.status_label, Kind.TEXT, 12),
    Column("Доказательства", evidence_text, Kind.LONG_TEXT, 50),
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


def flat_activities(report: MonthlyReport) -> list[ReportActivity]:
    return [activity for school in report.schools for activity in school.activities]


def summary_rows(report: MonthlyReport) -> list[SchoolSummary]:
    """Each organisation, then «Итого»."""
    return [*report.summaries, report.totals]


DUE_HEADING = "Со сроком в отчётном месяце"
OVERDUE_HEADING = "Просроченные"
SUMMARY_HEADING = "Сводка по организациям"
DETAILS_HEADING = "Мероприятия по организациям"
NOTHING_DUE = "Мероприятий со сроком в отчётном месяце нет."
NOTHING_OVERDUE = "Просроченных мероприятий нет."
