"""The school holidays a deadline such as «в период осенних каникул» means.

Schools set their own dates every year; the defaults are the usual ones, and a replica may
keep its own calendar (the local setting `school_holidays`, set with `curator holidays`,
store/holidays.py). Kept apart from the deadline parser so that reading or checking a
calendar does not load the parser and python-dateutil.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

MonthDay = tuple[int, int]
Span = tuple[MonthDay, MonthDay]

# The Russian names a calendar is written with, in the order of the school year.
HOLIDAY_NAMES = {"autumn": "осенние", "winter": "зимние", "spring": "весенние", "summer": "летние"}
_SPAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\s*[-–—]\s*(\d{1,2})\.(\d{1,2})$")
# Days a month may have in any year: 29 February is a holiday date a leap year can hold.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class SchoolHolidays:
    """Each holiday as ((month, day), (month, day)). It is placed in the year of its first
    month (as any month without a year is); one that ends in an earlier month than it starts
    ends in the next year (winter)."""

    autumn: Span = ((10, 28), (11, 5))
    winter: Span = ((12, 30), (1, 8))
    spring: Span = ((3, 23), (3, 31))
    summer: Span = ((6, 1), (8, 31))

    def span(self, name: str) -> Span:
        spans = {"autumn": self.autumn, "winter": self.winter, "spring": self.spring}
        return spans.get(name, self.summer)

    def text(self) -> str:
        """«осенние 28.10–05.11; зимние …», the form `read_holidays` reads."""
        return "; ".join(
            f"{HOLIDAY_NAMES[f.name]} {_day(self.span(f.name)[0])}–{_day(self.span(f.name)[1])}"
            for f in fields(self)
        )


DEFAULT_HOLIDAYS = SchoolHolidays()


def read_holidays(text: str, base: SchoolHolidays = DEFAULT_HOLIDAYS) -> SchoolHolidays:
    """«осенние 30.10-06.11; зимние 29.12-08.01»: the holidays named replace those of `base`.

    Raises ValueError with a Russian message naming what is wrong.
    """
    names = {russian: name for name, russian in HOLIDAY_NAMES.items()}
    changes: dict[str, Span] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        word, _, dates = part.partition(" ")
        name = names.get(word.strip().lower().rstrip("=:"))
        if name is None:
            known = ", ".join(HOLIDAY_NAMES.values())
            raise ValueError(f"«{word}» — не название каникул (известны: {known})")
        changes[name] = _read_span(dates.strip().lstrip("=:").strip(), part)
    return replace(base, **changes)


def _read_span(text: str, part: str) -> Span:
    found = _SPAN.match(text)
    if found is None:
        raise ValueError(f"«{part}»: даты пишутся как ДД.ММ-ДД.ММ, например 28.10-05.11")
    day1, month1, day2, month2 = (int(g) for g in found.groups())
    for day, month in ((day1, month1), (day2, month2)):
        if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]):
            raise ValueError(f"«{part}»: нет такой даты {day:02d}.{month:02d}")
    return (month1, day1), (month2, day2)


def _day(month_day: MonthDay) -> str:
    return f"{month_day[1]:02d}.{month_day[0]:02d}"
