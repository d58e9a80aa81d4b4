"""Paged, filtered reads of the activity list: what a virtual list asks the store for.

A coordinator's file can hold 200,000 activities, so the list never loads them all: it asks
for a count and for the rows of the page on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from curator_tui.domain.models import Status
from curator_tui.store.projection import decode_row, search_key
from curator_tui.store.store import ACTIVITY_SELECT, Store

OPEN_STATUSES = (Status.NOT_STARTED.value, Status.IN_PROGRESS.value)
DUE_SOON_DAYS = 14


class Sort(StrEnum):
    NUMBER = "number"
    DEADLINE = "deadline"


class QuickFilter(StrEnum):
    ALL = "all"
    OVERDUE = "overdue"
    DUE_THIS_MONTH = "due_this_month"
    DONE_WITHOUT_EVIDENCE = "done_without_evidence"


@dataclass(frozen=True)
class ActivityQuery:
    text: str = ""
    quick: QuickFilter = QuickFilter.ALL
    status: Status | None = None
    roadmap_id: str | None = None
    sort: Sort = Sort.NUMBER

    def with_text(self, text: str) -> ActivityQuery:
        return replace(self, text=text)


def where_clause(query: ActivityQuery, today: date) -> tuple[str, list[Any]]:
    clauses = ["a.removed = 0"]
    params: list[Any] = []
    if query.roadmap_id:
        clauses.append("a.roadmap_id = ?")
        params.append(query.roadmap_id)
    for word in search_key(query.text).split():
        clauses.append("a.search_text LIKE ? ESCAPE '\\'")
        params.append(f"%{escape_like(word)}%")
    if query.status is not None:
        clauses.append("a.status = ?")
        params.append(query.status.value)
    clauses += quick_clauses(query.quick, today, params)
    return " AND ".join(clauses), params


def quick_clauses(quick: QuickFilter, today: date, params: list[Any]) -> list[str]:
    if quick is QuickFilter.OVERDUE:
        params.extend([*OPEN_STATUSES, today.isoformat()])
        return ["a.status IN (?, ?)", "a.due_date < ?"]
    if quick is QuickFilter.DUE_THIS_MONTH:
        first = today.replace(day=1)
        next_first = (first + timedelta(days=32)).replace(day=1)
        params.extend([next_first.isoformat(), first.isoformat()])
        return ["a.first_date < ?", "a.due_date >= ?"]
    if quick is QuickFilter.DONE_WITHOUT_EVIDENCE:
        params.append(Status.DONE.value)
        return ["a.status = ?", "a.evidence_count = 0"]
    return []


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def order_clause(sort: Sort) -> str:
    if sort is Sort.DEADLINE:
        return "ORDER BY a.due_date IS NULL, a.due_date, a.roadmap_id, a.position"
    return "ORDER BY a.roadmap_id, a.position"


def count_activities(store: Store, query: ActivityQuery, today: date) -> int:
    where, params = where_clause(query, today)
    row = store.db.execute(f"SELECT COUNT(*) FROM activity a WHERE {where}", params).fetchone()
    return int(row[0])


def page_activities(
    store: Store, query: ActivityQuery, today: date, offset: int, limit: int
) -> list[dict[str, Any]]:
    where, params = where_clause(query, today)
    sql = f"{ACTIVITY_SELECT} WHERE {where} {order_clause(query.sort)} LIMIT ? OFFSET ?"
    return [decode_row(r) for r in store.db.query(sql, [*params, limit, offset])]


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    in_progress: int
    overdue: int
    due_soon: int
    done_without_evidence: int


def progress(store: Store, today: date, roadmap_id: str | None = None) -> Progress:
    scope, params = ("a.removed = 0", [])
    if roadmap_id:
        scope, params = ("a.removed = 0 AND a.roadmap_id = ?", [roadmap_id])
    soon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
    row = store.db.execute(
        "SELECT COUNT(*), "
        "SUM(a.status = 'done'), "
        "SUM(a.status = 'in_progress'), "
        "SUM(a.status IN ('not_started', 'in_progress') AND a.due_date < ?), "
        "SUM(a.status IN ('not_started', 'in_progress') AND a.due_date >= ? AND a.due_date <= ?), "
        "SUM(a.status = 'done' AND a.evidence_count = 0) "
        f"FROM activity a WHERE {scope}",
        [today.isoformat(), today.isoformat(), soon, *params],
    ).fetchone()
    return Progress(*(int(v or 0) for v in row))
