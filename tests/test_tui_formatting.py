"""Deadlines, dates and history entries as the app words them (no terminal needed)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from curator_tui.domain.models import Schedule, ScheduleKind, Status
from curator_tui.domain.ops import HlcStamp
from curator_tui.tui.formatting import (
    describe_due,
    describe_operation,
    month_title,
    parse_typed_date,
    recurrence_phrase,
    stamp_time,
)
from curator_tui.views.format import device_label, file_size

TODAY = date(2023, 3, 20)
MONTHLY = "DTSTART:20230101T000000\nRRULE:FREQ=MONTHLY;UNTIL=20231231T000000"


def window(start: date, end: date, kind: ScheduleKind = ScheduleKind.WINDOW) -> Schedule:
    return Schedule(kind=kind, windows=((start, end),))


def test_a_deadline_reads_as_day_and_short_month() -> None:
    due = describe_due(window(date(2023, 1, 1), date(2023, 3, 31)), Status.NOT_STARTED, TODAY)
    assert (due.text, due.overdue, due.soon) == ("до 31 мар", False, True)


def test_another_year_is_named_and_a_single_day_has_no_until() -> None:
    due = describe_due(window(date(2024, 2, 5), date(2024, 2, 5)), Status.NOT_STARTED, TODAY)
    assert due.text == "5 фев 2024"
    assert not due.soon


def test_past_due_and_open_is_overdue_but_done_is_not() -> None:
    past = window(date(2023, 1, 1), date(2023, 1, 31))
    assert describe_due(past, Status.IN_PROGRESS, TODAY).overdue
    assert not describe_due(past, Status.DONE, TODAY).overdue
    assert not describe_due(past, Status.CANCELLED, TODAY).overdue


def test_a_recurrence_names_its_rhythm_and_its_next_date() -> None:
    months = tuple((date(2023, m, 1), date(2023, m, 28)) for m in range(1, 13))
    schedule = Schedule(kind=ScheduleKind.RECURRING, windows=months, rule=MONTHLY)
    due = describe_due(schedule, Status.NOT_STARTED, TODAY)
    assert due.text == "каждый месяц · до 28 мар"
    assert due.short == "до 28 мар ↻"
    assert due.soon and not due.overdue


def test_no_dates_means_no_deadline() -> None:
    due = describe_due(Schedule(kind=ScheduleKind.UNSCHEDULED), Status.NOT_STARTED, TODAY)
    assert (due.text, due.overdue, due.soon) == ("без срока", False, False)


@pytest.mark.parametrize(
    ("rule", "phrase"),
    [
        (MONTHLY, "каждый месяц"),
        ("RRULE:FREQ=MONTHLY;INTERVAL=3", "каждый квартал"),
        ("RRULE:FREQ=MONTHLY;BYDAY=+2MO,+4MO", "2 раза в месяц"),
        ("RRULE:FREQ=WEEKLY", "каждую неделю"),
        ("RRULE:FREQ=YEARLY", "каждый год"),
        (None, "регулярно"),
    ],
)
def test_recurrence_phrases(rule: str | None, phrase: str) -> None:
    assert recurrence_phrase(rule) == phrase


def test_typed_dates() -> None:
    assert parse_typed_date("03.02.2022", TODAY) == date(2022, 2, 3)
    assert parse_typed_date(" 2022-02-03 ", TODAY) == date(2022, 2, 3)
    assert parse_typed_date("сегодня", TODAY) == TODAY
    with pytest.raises(ValueError, match=r"ДД\.ММ\.ГГГГ"):
        parse_typed_date("31.02.2022", TODAY)


def test_history_words() -> None:
    stamp = HlcStamp(int(datetime(2023, 3, 1, 14, 5).timestamp() * 1000), 3)
    assert stamp_time(str(stamp)) == "01.03.2023 14:05"
    assert device_label("", "abcdef123456", "abcdef123456") == "этот компьютер"
    assert device_label("", "abcdef123456", "other") == "устройство abcdef"
    status_op = {
        "entity": "activity",
        "entity_id": "a1",
        "action": "set",
        "field": "status",
        "value": '"done"',
    }
    assert describe_operation(status_op, "a1") == "статус: Выполнено"
    evidence_op = {
        "entity": "evidence",
        "entity_id": "e1",
        "action": "create",
        "field": None,
        "value": '{"title": "Приказ № 5"}',
    }
    assert describe_operation(evidence_op, "a1") == "доказательство добавлено: Приказ № 5"


def test_sizes_and_month_groups() -> None:
    assert [file_size(n) for n in (512, 2048, 5 * 1024**2, 3 * 1024**3)] == [
        "512 Б",
        "2 КБ",
        "5.0 МБ",
        "3.0 ГБ",
    ]
    assert month_title("2023-03-31") == "Крайний срок — март 2023"
    assert month_title(None) == "Без срока"
