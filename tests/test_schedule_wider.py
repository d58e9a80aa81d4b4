"""Deadline prose an official document uses beyond the seeds: lists of quarters and terms,
«раз в четверть», a day inside the month after each period, decades and weeks of a month,
school holidays from a calendar, and dates mistyped in the ways people mistype them.

Each family is a general rule; hypothesis varies the numbers where a rule is about any of them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator_tui.domain.models import Period, ScheduleKind
from curator_tui.domain.schedule import DEFAULT_HOLIDAYS, SchoolHolidays, parse_deadline

Y2023 = Period.calendar_year(2023)
SY2023 = Period.school_year(2023)  # 2023-09-01 .. 2024-08-31
ROMAN = ("I", "II", "III", "IV")
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря",
)  # fmt: skip


def windows(text: str, period: Period = Y2023) -> list[tuple[date, date]]:
    schedule = parse_deadline(text, period)
    assert schedule.warning is None, schedule.warning
    return list(schedule.windows)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- lists of quarters and terms --------------------------------------------------------------


@given(st.sets(st.integers(1, 4), min_size=2), st.booleans(), st.sampled_from([", ", " и ", ","]))
def test_a_list_of_quarters_is_each_quarter(quarters: set[int], roman: bool, link: str) -> None:
    names = [ROMAN[q - 1] if roman else str(q) for q in sorted(quarters)]
    text = f"{link.join(names)} квартал"
    expected = [(date(2023, 3 * q - 2, 1), month_end(2023, 3 * q)) for q in sorted(quarters)]
    assert windows(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 и 2 четверть", [("2023-09-01", "2023-10-31"), ("2023-11-01", "2023-12-31")]),
        ("I, III четверти", [("2023-09-01", "2023-10-31"), ("2024-01-01", "2024-03-31")]),
        ("2, 4 четверть", [("2023-11-01", "2023-12-31"), ("2024-04-01", "2024-05-31")]),
    ],
)
def test_a_list_of_terms_in_a_school_year(text: str, expected: list[tuple[str, str]]) -> None:
    assert windows(text, SY2023) == [tuple(map(date.fromisoformat, w)) for w in expected]


def test_a_list_of_days_borrows_the_month_and_year_of_the_last() -> None:
    assert windows("10, 20 и 30 марта 2024") == [
        (date(2024, 3, day), date(2024, 3, day)) for day in (10, 20, 30)
    ]


def test_a_year_written_after_a_list_of_quarters_applies_to_each() -> None:
    assert windows("I, II квартал 2024 года") == [
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 6, 30)),
    ]


def test_a_number_too_big_for_the_unit_is_not_a_list() -> None:
    schedule = parse_deadline("5, 6 квартал", Y2023)
    assert schedule.warning is not None


# --- «раз в четверть» ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["раз в четверть", "1 раз в четверть", "каждую четверть"])
def test_once_a_term_is_a_window_per_term(text: str) -> None:
    schedule = parse_deadline(text, SY2023)
    assert schedule.kind is ScheduleKind.RECURRING and schedule.warning is None
    assert [w[0] for w in schedule.windows] == [
        date(2023, 9, 1), date(2023, 11, 1), date(2024, 1, 1), date(2024, 4, 1)
    ]  # fmt: skip
    assert schedule.windows[-1][1] == SY2023.end  # the fourth term runs into the summer


# --- a day inside the month after each period ---------------------------------------------------


@given(st.integers(1, 28))
def test_quarterly_by_a_day_is_that_day_of_the_month_after_each_quarter(day: int) -> None:
    schedule = parse_deadline(f"ежеквартально до {day} числа", Y2023)
    assert schedule.kind is ScheduleKind.RECURRING and schedule.warning is None
    assert list(schedule.windows) == [
        (date(y, m, 1), date(y, m, day)) for y, m in ((2023, 4), (2023, 7), (2023, 10), (2024, 1))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "ежеквартально, до 5 числа месяца, следующего за отчетным кварталом",
        "до 5 числа месяца, следующего за отчётным кварталом",
        "до 5 числа месяца, следующего за отчетным периодом, ежеквартально",
    ],
)
def test_the_month_following_the_reported_quarter(text: str) -> None:
    assert windows(text) == [
        (date(y, m, 1), date(y, m, 5)) for y, m in ((2023, 4), (2023, 7), (2023, 10), (2024, 1))
    ]


def test_the_month_following_the_reported_month() -> None:
    found = windows("до 5 числа месяца, следующего за отчетным")
    assert found[0] == (date(2023, 2, 1), date(2023, 2, 5))  # January's report
    assert found[-1] == (date(2024, 1, 1), date(2024, 1, 5))  # December's
    assert len(found) == 12


def test_a_late_day_in_a_short_month_is_its_last_day() -> None:
    found = windows("ежеквартально до 31 числа")
    assert (date(2023, 4, 1), date(2023, 4, 30)) in found


def test_monthly_by_a_day_stays_in_the_month_itself() -> None:
    assert windows("ежемесячно до 5 числа")[0] == (date(2023, 1, 1), date(2023, 1, 5))


# --- decades and weeks of a month ---------------------------------------------------------------


@given(st.integers(1, 12), st.sampled_from([(1, "первая"), (2, "вторая"), (3, "третья")]))
def test_a_decade_of_a_month(month: int, decade: tuple[int, str]) -> None:
    number, word = decade
    found = windows(f"{word} декада {MONTHS_GENITIVE[month - 1]}")
    end = month_end(2023, month) if number == 3 else date(2023, month, 10 * number)
    assert found == [(date(2023, month, 10 * number - 9), end)]


@given(st.integers(1, 12), st.integers(1, 4))
def test_a_week_of_a_month_counts_seven_days_from_the_first(month: int, week: int) -> None:
    start = date(2023, month, 7 * week - 6)
    assert windows(f"{week}-я неделя {MONTHS_GENITIVE[month - 1]}") == [
        (start, start + timedelta(days=6))
    ]


@given(st.integers(1, 12))
def test_the_last_week_and_decade_of_a_month(month: int) -> None:
    end = month_end(2023, month)
    name = MONTHS_GENITIVE[month - 1]
    assert windows(f"последняя неделя {name}") == [(end - timedelta(days=6), end)]
    assert windows(f"последняя декада {name}") == [(date(2023, month, 21), end)]


def test_a_decade_in_a_school_year_and_before_one() -> None:
    assert windows("первая декада марта", SY2023) == [(date(2024, 3, 1), date(2024, 3, 10))]
    assert windows("до второй декады октября", SY2023)[-1][1] == date(2023, 10, 10)


def test_a_fifth_week_february_does_not_have_is_not_a_date() -> None:
    schedule = parse_deadline("5 неделя февраля 2023", Y2023)
    assert schedule.kind is ScheduleKind.UNSCHEDULED and schedule.warning


# --- school holidays ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("в период осенних каникул", "2023-10-28", "2023-11-05"),
        ("во время зимних каникул", "2023-12-30", "2024-01-08"),
        ("весенние каникулы", "2024-03-23", "2024-03-31"),
        ("летние каникулы", "2024-06-01", "2024-08-31"),
    ],
)
def test_holidays_of_a_school_year_by_default(text: str, first: str, last: str) -> None:
    assert windows(text, SY2023) == [(date.fromisoformat(first), date.fromisoformat(last))]


def test_holidays_come_from_the_calendar_given() -> None:
    own = SchoolHolidays(autumn=((10, 30), (11, 7)), winter=((12, 28), (1, 10)))
    assert parse_deadline("осенние каникулы", SY2023, own).windows == (
        (date(2023, 10, 30), date(2023, 11, 7)),
    )
    assert parse_deadline("зимние каникулы", SY2023, own).windows == (
        (date(2023, 12, 28), date(2024, 1, 10)),
    )
    assert DEFAULT_HOLIDAYS.autumn == ((10, 28), (11, 5))


def test_holidays_with_a_year_written() -> None:
    assert windows("зимние каникулы 2024 года") == [(date(2023, 12, 30), date(2024, 1, 8))]


def test_the_word_holidays_alone_names_no_dates() -> None:
    assert parse_deadline("каникулы", SY2023).kind is ScheduleKind.UNSCHEDULED


# --- typos in dates -----------------------------------------------------------------------------

_LOOKALIKES = {"0": "OОoо", "3": "Зз"}


def _mistyped(digits: str, data: st.DataObject) -> str:
    out = []
    for ch in digits:
        if ch in _LOOKALIKES and data.draw(st.booleans()):
            out.append(data.draw(st.sampled_from(_LOOKALIKES[ch])))
        else:
            out.append(ch)
    return "".join(out)


@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.data())
def test_letters_typed_for_digits_and_commas_for_dots(day: date, data: st.DataObject) -> None:
    clean = f"до {day:%d.%m.%Y}"
    parts = [_mistyped(part, data) for part in (f"{day:%d}", f"{day:%m}", f"{day:%Y}")]
    marks = [data.draw(st.sampled_from([".", ","])) for _ in range(2)]
    # «доО1»: a letter glued to a word cannot be told from the word's own letters.
    gap = data.draw(st.sampled_from(["", " ", "  "] if parts[0][0].isdigit() else [" ", "  "]))
    typed = f"до{gap}{parts[0]}{marks[0]}{parts[1]}{marks[1]}{parts[2]}"
    assert parse_deadline(typed, Y2023) == parse_deadline(clean, Y2023)


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("в 2O23 году", "в 2023 году"),
        ("до З0.09.2023", "до 30.09.2023"),
        ("15,09,2023", "15.09.2023"),
        ("до30.09.2023", "до 30.09.2023"),
        ("до  30.09.2023  г.", "до 30.09.2023"),
        ("c 01.О9.2023 по 15.09.2023", "с 01.09.2023 по 15.09.2023"),
    ],
)
def test_typed_dates(typed: str, clean: str) -> None:
    assert parse_deadline(typed, Y2023) == parse_deadline(clean, Y2023)
    assert parse_deadline(typed, Y2023).warning is None


def test_words_that_look_like_digits_stay_words() -> None:
    # «о», «з» and «О» next to no digit are letters, not zeros and threes.
    schedule = parse_deadline("о ходе работы", Y2023)
    assert schedule.kind is ScheduleKind.UNSCHEDULED
    assert "о ходе работы" in (schedule.warning or "")
