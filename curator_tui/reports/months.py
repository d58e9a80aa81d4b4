"""Months as a report speaks of them: parsing «2026-11», Russian names, the overdue cut-off."""

from __future__ import annotations

import re
from datetime import date

from curator_tui.domain.rules import MONTH_NAMES
from curator_tui.reports.errors import ReportError

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{1,2})")
# Roadmaps of the programme start in 2021; a year outside this range is a typo.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def parse_month(text: str) -> date:
    """«2026-11» → 1 November 2026; anything else is refused with a Russian hint."""
    match = MONTH_PATTERN.fullmatch(text.strip())
    hint = "укажите год и месяц в виде ГГГГ-ММ, например 2026-11"
    if match is None:
        raise ReportError(f"Не понят месяц «{text}»: {hint}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ReportError(f"Месяца с номером {month} не бывает («{text}»): {hint}")
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ReportError(f"Год {year} вне допустимого диапазона («{text}»): {hint}")
    return date(year, month, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after `day`'s month."""
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)


def month_title(day: date) -> str:
    """«ноябрь 2026» (nominative, which also serves «за ноябрь 2026»)."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def overdue_cutoff(month: date, today: date) -> date:
    """The day before which an open activity counts as overdue in the report for `month`.

    A finished month is judged as of its end (due before the 1st of the next month); the
    current month, and a month still ahead, as of today, since nothing can be late yet for
    a day that has not come. Statuses are always the current ones (the replica keeps no
    status history), so the report states the date it was made on.
    """
    return min(today, next_month(month))


CHART_MONTHS = 12


def chart_months(month: date) -> list[date]:
    """The first days of the chart's months: the twelve ending with `month`."""
    first = month_start(month)
    index = first.year * 12 + first.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - CHART_MONTHS + 1, index + 1)]


def months_from(first: date, last: date, at_most: int) -> list[date]:
    """The first days of the months from `first`'s to `last`'s, no more than `at_most`."""
    start = first.year * 12 + first.month - 1
    end = min(last.year * 12 + last.month - 1, start + at_most - 1)
    return [date(i // 12, i % 12 + 1, 1) for i in range(start, end + 1)]


def short_month_title(day: date) -> str:
    """«ноя» over «2025»: a chart's axis label."""
    return f"{MONTH_NAMES[day.month - 1][:3]}\n{day.year}"
