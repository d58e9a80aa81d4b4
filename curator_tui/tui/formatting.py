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
from curator_tui.domain.models import EvidenceKind, Schedule, ScheduleKind, Status
from curator_tui.domain.ops import HlcStamp
from curator_tui.store.queries import DUE_SOON_DAYS, OPEN_STATUSES

MONTHS_SHORT = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
MONTHS_NOMINATIVE = (
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)


def day_month(day: date, today: date) -> str:
    """«31 мар», with the year only when it is not this year («31 мар 2024»)."""
    text = f"{day.day} {MONTHS_SHORT[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def numeric_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def span_text(start: date, end: date) -> str:
    """A schedule window in full: «15.05.2023» or «01.03.2023 – 31.03.2023»."""
    if start == end:
        return numeric_date(start)
    return f"{numeric_date(start)} – {numeric_date(end)}"


def month_title(iso_day: str | None) -> str:
    """The group title of the deadline sort, which goes by an activity's last due date:
    «Крайний срок — март 2023», or «Без срока»."""
    if not iso_day:
        return "Без срока"
    day = date.fromisoformat(iso_day)
    return f"Крайний срок — {MONTHS_NOMINATIVE[day.month - 1].lower()} {day.year}"


def group_thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


# --- deadlines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """What the «Срок» column says about an activity, and how the row should look."""

    text: str  # «каждый месяц · до 30 ноя»
    short: str  # «до 30 ноя ↻», for narrow columns
    overdue: bool = False
    soon: bool = False


def describe_due(schedule: Schedule, status: Status, today: date) -> Due:
    if not schedule.windows:
        return Due("без срока", "без срока")
    window = schedule.next_window(today) or schedule.windows[-1]
    start, end = window
    when = day_month(end, today) if start == end else f"до {day_month(end, today)}"
    is_open = status.value in OPEN_STATUSES
    overdue = is_open and schedule.due is not None and schedule.due < today
    soon = is_open and not overdue and 0 <= (end - today).days <= DUE_SOON_DAYS
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
    interval = int((RRULE_INTERVAL.search(text) or [None, "1"])[1])
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
        wall_ms = HlcStamp.parse(hlc).wall_ms
    except ValueError:
        return "—"
    return datetime.fromtimestamp(wall_ms / 1000).strftime("%d.%m.%Y %H:%M")


def device_label(name: str | None, device_id: str, local_id: str = "") -> str:
    """Who made a change: the device's name, «этот компьютер», or a short id."""
    if name:
        return name
    return "этот компьютер" if device_id == local_id else f"устройство {device_id[:6]}"


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


def evidence_kind_label(kind: str) -> str:
    try:
        return EvidenceKind(kind).label
    except ValueError:
        return kind


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} КБ"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} МБ"
    return f"{size / 1024**3:.1f} ГБ"


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
