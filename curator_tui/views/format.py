"""Sizes, counts and dates as people read them, in Russian: one spelling for every face.

Pure functions of their arguments; imported at the app's first paint, so nothing heavy here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

MONTHS_SHORT = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
KIB = 1024
MIB = 1024**2
GIB = 1024**3


def group_thousands(number: int) -> str:
    """«12 345» with a no-break space, so a count never wraps inside itself."""
    return f"{number:,}".replace(",", "\u00a0")


def file_size(size: int) -> str:
    """An evidence file's size, at a glance: «512 Б», «2 КБ», «5.0 МБ», «3.0 ГБ»."""
    if size < KIB:
        return f"{size} Б"
    if size < MIB:
        return f"{size / KIB:.0f} КБ"
    if size < GIB:
        return f"{size / MIB:.1f} МБ"
    return f"{size / GIB:.1f} ГБ"


def transfer_size(size: int) -> str:
    """What a bundle carries, with one decimal and a decimal comma: «0,5 КБ», «12,3 МБ»."""
    if size < MIB:
        return f"{size / KIB:.1f} КБ".replace(".", ",")
    return f"{size / MIB:.1f} МБ".replace(".", ",")


def numeric_date(day: date) -> str:
    """«31.03.2024»."""
    return day.strftime("%d.%m.%Y")


def short_date(day: date | datetime | None) -> str:
    """«31.03.24» for narrow columns, «—» for no date."""
    return f"{day:%d.%m.%y}" if day else "—"


def date_time(moment: datetime) -> str:
    """«31.03.2024 10:15»."""
    return moment.strftime("%d.%m.%Y %H:%M")


def local_time_of_utc_stamp(stamp: str) -> str:
    """A stored UTC stamp («2024-03-31T07:15:00Z») in this machine's time, as `date_time`;
    anything else as it is."""
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    return date_time(moment.astimezone())


def day_month(day: date, today: date) -> str:
    """«31 мар», with the year only when it is not this year («31 мар 2024»)."""
    text = f"{day.day} {MONTHS_SHORT[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def span_text(start: date, end: date) -> str:
    """A date window in full: «15.05.2023» or «01.03.2023 – 31.03.2023»."""
    if start == end:
        return numeric_date(start)
    return f"{numeric_date(start)} – {numeric_date(end)}"


def device_label(name: str | None, device_id: str, local_id: str = "") -> str:
    """Who made a change: the device's name, «этот компьютер», or a short id."""
    if name:
        return name
    return "этот компьютер" if device_id == local_id else f"устройство {device_id[:6]}"
