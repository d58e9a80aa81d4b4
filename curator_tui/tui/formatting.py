"""Dates, deadlines and change-log entries as a person reads them, in Russian.

Pure functions of their arguments (the app passes its fixed `today`), so they are tested
without a terminal and render the same in every snapshot.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from curator_tui.domain.fields import ACTIVITY
from curator_tui.domain.models import Schedule, ScheduleKind, Status
from curator_tui.domain.ops import HlcStamp
from curator_tui.domain.rules import MONTH_NAMES, is_due_soon, is_overdue
from curator_tui.views.format import date_time, day_month


def month_title(iso_day: str | None) -> str:
    """The group title of the deadline sort, which goes by an activity's last due date:
    «Крайний срок — март 2023», or «Без срока»."""
    if not iso_day:
        return "Без срока"
    day = date.fromisoformat(iso_day)
    return f"Крайний срок — {MONTH_NAMES[day.month - 1]} {day.year}"


# --- deadlines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """What the «Срок» column says about an activity, and how the row should look."""

    text: str  # «каждый месяц · до 30 ноя»
    short: str  # «до 30 ноя ↻», for narrow columns
    overdue: bool = False
    soon: bool = False


def describe_due(
    schedule: Schedule, status: Status, today: date, judged_due: date | None = None
) -> Due:
    """`judged_due`: the date the rules judge the activity by when it is not its last due
    date (`rules.standing`: a recurring activity's earliest occurrence still open), shown as
    its deadline."""
    if not schedule.windows:
        return Due("без срока", "без срока")
    window = schedule.next_window(today) or schedule.windows[-1]
    start, end = window
    due = schedule.due
    when = day_month(end, today) if start == end else f"до {day_month(end, today)}"
    if judged_due is not None and judged_due != due:
        due = end = judged_due
        when = f"до {day_month(end, today)}"
    overdue = is_overdue(status, due, today)
    soon = is_due_soon(status, due, end, today)
    if schedule.kind is ScheduleKind.RECURRING:
        return Due(f"{recurrence_phrase(schedule.rule)} · {when}", f"{when} ↻", overdue, soon)
    return Due(when, when, overdue, soon)


RRULE_FREQ = re.compile(r"FREQ=(\w+)")
RRULE_INTERVAL = re.compile(r"INTERVAL=(\d+)")
RRULE_BYDAY = re.compile(r"BYDAY=([^;\s]+)")


def recurrence_phrase(rule: str | None) -> str:
    """«каждый месяц», «каждый квартал», «2 раза в месяц» from an RFC 5545 rule."""
    text = rule or ""
    freq = (RRULE_FREQ.search(text) or [None, ""])[1]
    interval_match = RRULE_INTERVAL.search(text)
    interval = int(interval_match[1]) if interval_match else 1
    days = (RRULE_BYDAY.search(text) or [None, ""])[1]
    per_period = len(days.split(",")) if days else 1
    if freq == "MONTHLY":
        if interval == 1:
            return "каждый месяц" if per_period == 1 else f"{per_period} раза в месяц"
        return {3: "каждый квартал", 6: "раз в полгода"}.get(interval, f"раз в {interval} мес.")
    if freq == "WEEKLY":
        return "каждую неделю" if interval == 1 else f"раз в {interval} нед."
    if freq == "DAILY":
        return "каждый день"
    if freq == "YEARLY":
        return "каждый год"
    return "регулярно"


# --- the change log -------------------------------------------------------------------------

# An activity's fields as the history names them (domain/fields.py).
FIELD_LABELS = {field.name: field.history_label for field in ACTIVITY.fields}


def stamp_time(hlc: str) -> str:
    """When an operation happened, from the wall-clock part of its hybrid clock stamp."""
    try:
        # 31.12.9999 UTC is already year 10000 in Moscow: no local time to show.
        moment = datetime.fromtimestamp(HlcStamp.parse(hlc).wall_ms / 1000)
    except (ValueError, OverflowError, OSError):
        return "—"
    return date_time(moment)


def field_value(field: str, value: Any) -> str:
    """A field's value as it reads in the history or a conflict («Выполнено», «да»)."""
    if field == "status" and isinstance(value, str):
        try:
            return Status(value).label
        except ValueError:
            return value
    if field == "removed":
        return "да" if value else "нет"
    if value is None or value == "":
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def field_label(field: str | None) -> str:
    return FIELD_LABELS.get(field or "", field or "")


def describe_operation(op: dict[str, Any], activity_id: str) -> str:
    """What one operation did, in a phrase: «статус: Выполнено», «заметка добавлена»."""
    entity, action = op["entity"], op["action"]
    value = json.loads(op["value"]) if isinstance(op["value"], str) else op["value"]
    if entity == "activity" and op["entity_id"] == activity_id:
        if action == "create":
            return "мероприятие создано при импорте дорожной карты"
        return f"{field_label(op['field'])}: {field_value(op['field'], value)}"
    if entity == "note":
        return "заметка удалена" if action == "remove" else "заметка добавлена"
    if entity == "evidence":
        if action == "remove":
            return "доказательство удалено"
        title = value.get("title", "") if isinstance(value, dict) else ""
        return f"доказательство добавлено: {title}" if title else "доказательство добавлено"
    return f"{entity}: {action}"


# --- typed dates --------------------------------------------------------------------------


def parse_typed_date(text: str, today: date) -> date:
    """ДД.ММ.ГГГГ (also Д.М.ГГГГ and ГГГГ-ММ-ДД) or a word: «сегодня», «вчера».

    Raises ValueError with a Russian message.
    """
    cleaned = text.strip().lower()
    words = {"сегодня": today, "вчера": today - timedelta(days=1)}
    if cleaned in words:
        return words[cleaned]
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"Дата «{text}» не распознана: введите её как ДД.ММ.ГГГГ")
