"""Rows of the activity list, made in the worker thread from what the store returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from curator_tui.domain.models import Schedule, Status
from curator_tui.domain.rules import occurrences_of, standing
from curator_tui.store.queries import Sort, parse_status
from curator_tui.tui.formatting import Due, describe_due, month_title

MAX_DEPTH = 3


@dataclass(frozen=True)
class ListRow:
    activity_id: str
    roadmap_id: str
    number: str
    title: str
    responsible: str
    status: Status
    evidence: int
    due: Due
    depth: int
    # Rows with the same group sit under one header line (a section, or a month of deadlines).
    group: tuple[str, ...]
    group_title: str
    conflict: bool = False  # a standing conflict of its fields or its evidence


@dataclass(frozen=True)
class RowContext:
    """What turning a store row into a list row needs besides the row."""

    today: date
    sort: Sort
    # A hub holds many roadmaps: its section headers name the organisation too.
    many_roadmaps: bool


def list_row(row: dict[str, Any], context: RowContext) -> ListRow:
    schedule = Schedule.from_json(row["schedule"])
    occurrences = occurrences_of(row["id"], schedule.windows, row.get("marked_occurrences", ()))
    judged = standing(parse_status(row["status"]), schedule.due, occurrences, context.today)
    status = judged.status
    if context.sort is Sort.DEADLINE:
        group: tuple[str, ...] = ((row["due_date"] or "")[:7],)
        title = month_title(row["due_date"])
        if context.many_roadmaps:  # schools mix by deadline: each run of one school is named
            group += (row["roadmap_id"],)
            title = f"{title} · {organisation_of(row)}"
    else:
        group = (row["roadmap_id"], row["section_id"] or "")
        title = section_title(row, context.many_roadmaps)
    return ListRow(
        activity_id=row["id"],
        roadmap_id=row["roadmap_id"],
        number=row["number"],
        title=row["title"],
        responsible=row["responsible"],
        status=status,
        evidence=int(row["evidence_count"] or 0),
        due=describe_due(schedule, status, context.today, judged.due),
        depth=depth_of(row),
        group=group,
        group_title=title,
        conflict=bool(row.get("has_conflict")),
    )


def section_title(row: dict[str, Any], many_roadmaps: bool) -> str:
    section = row.get("section") or "Без раздела"
    if many_roadmaps:
        return f"{organisation_of(row)} · {section}"
    return section


def organisation_of(row: dict[str, Any]) -> str:
    return str(row.get("organisation") or "Организация не указана")


def depth_of(row: dict[str, Any]) -> int:
    """How far a sub-item is indented: «3.1» under «3» is one level, «3.1.2» two."""
    if not row.get("parent_id"):
        return 0
    dots = row["number"].strip(".").count(".")
    return min(MAX_DEPTH, max(1, dots))
