"""Paged, filtered reads of the activity list: what a virtual list asks the store for.

A coordinator's file can hold 200,000 activities, so the list never loads them all: it asks
for a count and for the rows of the page on screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from curator_tui.domain.models import ScheduleKind, Status
from curator_tui.domain.rules import DUE_SOON_DAYS
from curator_tui.store.database import query_dicts
from curator_tui.store.projection import SEARCH_WORD_GAP, decode_row, search_words
from curator_tui.store.rules_sql import (
    due_soon_condition,
    overdue_condition,
    placeholders,
    status_is,
)
from curator_tui.store.store import Store


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


# --- the live text filter ----------------------------------------------------------------
#
# Every word of the filter must match the activity's number, title or responsible. A word of
# three letters or more matches any part of them; a shorter word matches the beginning of a
# word (a one-letter substring would match nearly every row, and trigrams cannot look it up).
# Both are substrings of search_text, where two spaces precede every word, so one needle per
# word answers either way: in the full-text index (a phrase of trigrams, db/0002) and row by
# row (instr), with the same result.

SUBSTRING_MIN_LETTERS = 3


@dataclass(frozen=True)
class TextMatch:
    # Substrings of search_text that must all occur; each is three characters or longer.
    needles: tuple[str, ...] = ()
    # The text had something in it but no searchable letter («%», «_»): nothing matches.
    impossible: bool = False

    def fts_query(self) -> str:
        return " AND ".join('"' + n.replace('"', '""') + '"' for n in self.needles)


def text_match(text: str) -> TextMatch:
    words = search_words(text)
    needles = tuple(w if len(w) >= SUBSTRING_MIN_LETTERS else SEARCH_WORD_GAP + w for w in words)
    return TextMatch(needles, impossible=not words and bool(text.strip()))


# Rowids of the activities whose search text holds every needle of a TextMatch.
TRIGRAM_HITS = "SELECT rowid FROM activity_trigram WHERE activity_trigram MATCH ?"


def text_clauses(match: TextMatch, params: list[Any]) -> list[str]:
    """Conditions on `a` (activity) that keep the rows the filter text matches."""
    if match.impossible:
        return ["0"]
    if not match.needles:
        return []
    params.append(match.fts_query())
    return [f"a.rowid IN ({TRIGRAM_HITS})"]


def where_clause(query: ActivityQuery, today: date) -> tuple[str, list[Any]]:
    clauses, params = other_clauses(query, today)
    clauses += text_clauses(text_match(query.text), params)
    return " AND ".join(clauses), params


def other_clauses(query: ActivityQuery, today: date) -> tuple[list[str], list[Any]]:
    """Every condition of the query except its text."""
    clauses = ["a.removed = 0"]
    params: list[Any] = []
    if query.roadmap_id:
        clauses.append("a.roadmap_id = ?")
        params.append(query.roadmap_id)
    if query.status is not None:
        shown = status_is(query.status, "?")
        clauses.append(shown)
        params.extend([today.isoformat()] * placeholders(shown))
    clauses += quick_clauses(query.quick, today, params)
    return clauses, params


def quick_clauses(quick: QuickFilter, today: date, params: list[Any]) -> list[str]:
    if quick is QuickFilter.OVERDUE:
        overdue = overdue_condition("?")
        params.extend([today.isoformat()] * placeholders(overdue))
        return [overdue]
    if quick is QuickFilter.DUE_THIS_MONTH:
        first = today.replace(day=1)
        next_first = (first + timedelta(days=32)).replace(day=1)
        # The same rule as the monthly report (report_queries.DUE_IN_MONTH): one of the
        # schedule's windows meets the month, not merely the span from first to last date.
        params.extend([next_first.isoformat(), first.isoformat()] * 2)
        return [
            "a.first_date < ?",
            "a.due_date >= ?",
            "EXISTS (SELECT 1 FROM json_each(a.schedule, '$.windows') AS w "
            "WHERE json_extract(w.value, '$[0]') < ? AND json_extract(w.value, '$[1]') >= ?)",
        ]
    if quick is QuickFilter.DONE_WITHOUT_EVIDENCE:
        done = status_is(Status.DONE, "?")
        params.extend([today.isoformat()] * placeholders(done))
        return [done, "a.evidence_count = 0"]
    return []


def order_clause(sort: Sort) -> str:
    # Spelled like the index activity_by_deadline (db/0002), so SQLite pages in index order.
    if sort is Sort.DEADLINE:
        return "ORDER BY COALESCE(a.due_date, '9999-12-31'), a.roadmap_id, a.position"
    return "ORDER BY a.roadmap_id, a.position"


def count_activities(store: Store, query: ActivityQuery, today: date) -> int:
    match = text_match(query.text)
    if match.impossible:
        return 0
    if match.needles and query == ActivityQuery(text=query.text, sort=query.sort):
        # The index holds exactly the activities not removed: no need to visit them.
        sql = f"SELECT COUNT(*) FROM ({TRIGRAM_HITS})"
        return int(store.conn.execute(sql, [match.fts_query()]).fetchone()[0])
    where, params = where_clause(query, today)
    row = store.conn.execute(f"SELECT COUNT(*) FROM activity a WHERE {where}", params).fetchone()
    return int(row[0])


# What a listed activity carries besides its own columns: its section, its parent's number and
# the organisation whose roadmap it is in (a hub's list names it in section headers).
# Whether an activity has a standing conflict: of its own fields or of its evidence (conflict
# rows are few; their primary key starts with entity and entity id).
HAS_CONFLICT = (
    "(EXISTS (SELECT 1 FROM conflict c WHERE c.entity = 'activity' AND c.entity_id = a.id) "
    "OR EXISTS (SELECT 1 FROM conflict c JOIN evidence e ON e.id = c.entity_id "
    "WHERE c.entity = 'evidence' AND e.activity_id = a.id))"
)
LIST_COLUMNS = (
    "a.*, s.title AS section, p.number AS parent_number, o.name AS organisation, "
    f"{HAS_CONFLICT} AS has_conflict"
)
LIST_JOINS = (
    "LEFT JOIN section s ON s.id = a.section_id LEFT JOIN activity p ON p.id = a.parent_id "
    "LEFT JOIN roadmap r ON r.id = a.roadmap_id "
    "LEFT JOIN organisation o ON o.id = r.organisation_id"
)
# How many activities a page may step over in list order, testing each one's text, before
# looking all matches up in the full-text index is cheaper (see page_plan).
SCAN_BUDGET = 20_000
# Up to this many matches are fetched through the index and sorted.
SORT_BUDGET = 2_000


def page_activities(
    store: Store,
    query: ActivityQuery,
    today: date,
    offset: int,
    limit: int,
    *,
    total: int | None = None,
) -> list[dict[str, Any]]:
    """One page of the filtered list; `total` (its count, if known) picks the fastest way."""
    clauses, params = other_clauses(query, today)
    match = text_match(query.text)
    plan = page_plan(store, match, offset, limit, total)
    source = "activity a"
    if plan == "sort":
        # CROSS JOIN keeps SQLite from walking the whole list to probe the few matches.
        source = f"({TRIGRAM_HITS}) h CROSS JOIN activity a ON a.rowid = h.rowid"
        params.insert(0, match.fts_query())
    elif plan == "scan":
        clauses += ["instr(a.search_text, ?) > 0"] * len(match.needles)
        params += match.needles
    else:
        clauses += text_clauses(match, params)
    # The page's rowids first and its joins after: OFFSET then skips index entries only.
    order = order_clause(query.sort)
    sql = (
        f"SELECT {LIST_COLUMNS} FROM (SELECT a.rowid AS page_rowid FROM {source} "
        f"WHERE {' AND '.join(clauses)} {order} LIMIT ? OFFSET ?) pg "
        f"JOIN activity a ON a.rowid = pg.page_rowid {LIST_JOINS} {order}"
    )
    rows = [decode_row(r) for r in query_dicts(store.conn, sql, [*params, limit, offset])]
    return with_marked_occurrences(store, rows)


def with_marked_occurrences(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each recurring row its `marked_occurrences` (start, end, status of each occurrence
    given a status), so the list judges it by them as every count does (`rules.standing`)."""
    recurring = [r["id"] for r in rows if r["schedule_kind"] == ScheduleKind.RECURRING.value]
    marked: dict[str, list[tuple[date, date, Status]]] = {}
    if recurring:
        found = store.conn.execute(
            "SELECT activity_id, window_start, window_end, status FROM occurrence "
            "WHERE activity_id IN (SELECT value FROM json_each(?)) AND window_start != '' "
            "ORDER BY window_start",
            [json.dumps(recurring)],
        )
        for activity_id, start, end, status in found:
            marked.setdefault(activity_id, []).append(
                (date.fromisoformat(start), date.fromisoformat(end), parse_status(status))
            )
    for row in rows:
        row["marked_occurrences"] = marked.get(row["id"], [])
    return rows


def parse_status(value: str) -> Status:
    """A status this version knows; one from a newer version reads as not started."""
    try:
        return Status(value)
    except ValueError:
        return Status.NOT_STARTED


def page_plan(store: Store, match: TextMatch, offset: int, limit: int, total: int | None) -> str:
    """How to reach one page of a text-filtered list.

    "scan": walk the list in order testing each activity's text, cheap while matches are
    dense, as they are while the first letters of a word are typed; "sort": look the few
    matches up in the index and sort them; "index": every match looked up in the index and the
    list walked in order against that set.
    """
    if not match.needles or total is None:
        return "index"
    if total <= SORT_BUDGET:
        return "sort"
    rows = store.conn.execute("SELECT MAX(rowid) FROM activity").fetchone()[0] or 0
    if (offset + limit) * rows <= SCAN_BUDGET * total:
        return "scan"
    return "index"


@dataclass(frozen=True)
class ActivityWindow:
    """What the list shows after its filter changed: how many match, and the first rows."""

    total: int
    offset: int
    rows: list[dict[str, Any]]


def activity_window(
    store: Store, query: ActivityQuery, today: date, offset: int, limit: int
) -> ActivityWindow:
    total = count_activities(store, query, today)
    if total == 0 or offset >= total:
        return ActivityWindow(total, offset, [])
    rows = page_activities(store, query, today, offset, limit, total=total)
    return ActivityWindow(total, offset, rows)


@dataclass(frozen=True)
class RoadmapOverview:
    """How many roadmaps the file holds, and the roadmap itself when there is just one."""

    count: int
    only: dict[str, Any] | None


def roadmap_overview(store: Store) -> RoadmapOverview:
    # Two rows at most: a hub's thousands of roadmaps are counted, not fetched.
    rows = query_dicts(
        store.conn,
        "SELECT r.*, o.name AS organisation, o.level AS level, "
        "(SELECT COUNT(*) FROM roadmap) AS roadmaps FROM roadmap r "
        "LEFT JOIN organisation o ON o.id = r.organisation_id LIMIT 2",
    )
    count = rows[0]["roadmaps"] if rows else 0
    return RoadmapOverview(count, rows[0] if count == 1 else None)


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    in_progress: int
    overdue: int
    due_soon: int
    done_without_evidence: int


def progress(store: Store, today: date, roadmap_id: str | None = None) -> Progress:
    scope, params = ("a.removed = 0", {})
    if roadmap_id:
        scope, params = ("a.removed = 0 AND a.roadmap_id = :roadmap", {"roadmap": roadmap_id})
    soon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
    row = store.conn.execute(
        "SELECT COUNT(*), "
        f"SUM({status_is(Status.DONE, ':today')}), "
        f"SUM({status_is(Status.IN_PROGRESS, ':today')}), "
        f"SUM({overdue_condition(':today')}), "
        f"SUM({due_soon_condition(':today', ':soon')}), "
        f"SUM({status_is(Status.DONE, ':today')} AND a.evidence_count = 0) "
        f"FROM activity a WHERE {scope}",
        {"today": today.isoformat(), "soon": soon, **params},
    ).fetchone()
    return Progress(*(int(v or 0) for v in row))
