"""Deadline text → Schedule. (Being written; see parse_deadline.)"""

from __future__ import annotations

from curator_tui.domain.models import Period, Schedule, ScheduleKind


def parse_deadline(text: str, period: Period) -> Schedule:
    return Schedule(kind=ScheduleKind.UNSCHEDULED, warning="not implemented yet")
