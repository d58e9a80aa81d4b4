"""Reads behind the monthly report and the hub's per-organisation summary.

Two predicates decide what a report is about, and each is spelled here exactly once so the
summary counts and the detailed lists can never disagree:

- *due in the month*: some window of the activity's schedule intersects the month. The
  `first_date`/`due_date` span is only a cheap pre-filter: «январь, декабрь» spans November
  without being due in it, so the windows themselves (JSON) are checked too;
- *overdue*: not done or cancelled (still open) and its last due date falls before the
  report's cut-off day (see `curator_tui.reports.months.overdue_cutoff`): the programme's
  rule (`domain.rules.is_overdue`) in its SQL spelling, `store.rules_sql.overdue_condition`.

Every query takes the same named parameters (`PeriodParams`) and the same organisation scope;
the hub dashboard asks for its first page of schools through that scope (a few dozen ids), so
each query is written to start from the roadmaps of the chosen organisations when there is a
choice (db/0004's `roadmap_organisation` index), not from every activity of the hub.
Reading windows out of JSON is the one costly step (about 7 µs an activity), so the report
evaluates it once per candidate activity (`report_activities`) and counts the flags it returns;
`due_counts` is for a caller that wants the counts alone (the dashboard).

A recurring activity due in the month is due by its occurrences in it (one for «ежемесячно»,
two for «2-й и 4-й понедельник»): `month_occurrences` gives the statuses given to them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from curator_tui.domain.fields import REPORT_FIELDS
from curator_tui.domain.models import Status
from curator_tui.domain.rules import last_day_of_month
from curator_tui.store.database import query_dicts
from curator_tui.store.rules_sql import (
    counts_as_due_condition,
    overdue_condition,
    shown_review,
    status_is,
    tracked_condition,
)
from curator_tui.store.store import Store

DUE_IN_MONTH = (
    "(a.first_date < :next_month AND a.due_date >= :month_start AND EXISTS ("
    "SELECT 1 FROM json_each(a.schedule, '$.windows') AS w "
    "WHERE json_extract(w.value, '$[0]') < :next_month "
    "AND json_extract(w.value, '$[1]') >= :month_start))"
)
OVERDUE = overdue_condition(":cutoff")
# The status an activity shows by the cut-off (a recurring one by its occurrences).
DONE = status_is(Status.DONE, ":cutoff")
IN_PROGRESS = status_is(Status.IN_PROGRESS, ":cutoff")
# The activity's fields the report lists (domain/fields.py); names of our own, not input.
REPORT_FIELD_COLUMNS = ", ".join(f"a.{field.name}" for field in REPORT_FIELDS)
# Not cancelled and due before the cut-off, done or not: the base of «behind» on the dashboard.
DUE_BEFORE_CUTOFF = counts_as_due_condition(":cutoff")
# Cheap conditions (indexed columns, no JSON) every due or overdue activity meets.
CANDIDATE = f"((a.first_date < :next_month AND a.due_date >= :month_start) OR {OVERDUE})"
# A recurring activity's schedule (its windows are its occurrences); NULL for any other.
RECURRING_SCHEDULE = "CASE WHEN a.schedule_kind = 'recurring' THEN a.schedule END"
# Activities of live roadmaps only: rows whose roadmap has not arrived yet have no owner.
ACTIVITY_SCOPE = "FROM activity a JOIN roadmap r ON r.id = a.roadmap_id WHERE a.removed = 0"
ONE_DAY = timedelta(days=1)
ROADMAP_ORDER = "COALESCE(r.school_year, r.year), r.id, a.position"


@dataclass(frozen=True)
class PeriodParams:
    """The month under report and the day before which an open activity is overdue."""

    month_start: date
    next_month: date
    cutoff: date
    # None: every organisation; otherwise only these ids.
    organisation_ids: Collection[str] | None = None

    def sql(self) -> dict[str, Any]:
        ids = None if self.organisation_ids is None else json.dumps(list(self.organisation_ids))
        return {
            "month_start": self.month_start.isoformat(),
            "next_month": self.next_month.isoformat(),
            "cutoff": self.cutoff.isoformat(),
            "organisations": ids,
        }

    @property
    def filtered(self) -> bool:
        return self.organisation_ids is not None

    @property
    def organisation_clause(self) -> str:
        # One JSON parameter instead of thousands of `?`: no SQLite variable limit to hit.
        if self.organisation_ids is None:
            return ""
        return " AND r.organisation_id IN (SELECT value FROM json_each(:organisations))"


@contextmanager
def read_snapshot(store: Store) -> Iterator[None]:
    """Run several reads against one state of the file, even while the app writes to it.

    In WAL mode a deferred transaction pins the snapshot its first read sees; the summary and
    the lists of one report are read inside it, so their numbers always match.
    """
    conn = store.conn
    if conn.in_transaction:  # already inside someone's transaction: it pins the snapshot
        yield
        return
    conn.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def organisations(store: Store) -> list[dict[str, Any]]:
    """Every organisation with its id, name, level and municipality (a hub holds thousands)."""
    sql = "SELECT id, name, level, municipality FROM organisation ORDER BY name, id"
    return query_dicts(store.conn, sql)


def activity_counts(store: Store, period: PeriodParams) -> dict[str, dict[str, int]]:
    """Per organisation id: total, done, in progress, overdue, done without evidence, and
    due before the cut-off.

    Walks roadmaps in organisation order (`roadmap_organisation`, db/0004) and reads each
    one's activities from the `activity_progress` index (db/0002), which covers every column
    used: no wide activity row is read and no temporary tree is built for the grouping.
    (Left to itself SQLite starts from the activities and looks up each one's roadmap, twice
    as slow on a hub and a full walk even when a few organisations are asked for.) The few
    activities tracked by occurrence are counted by a second statement: the rule for them
    reads their schedule, which would make the first statement read every wide row.
    """
    counts: dict[str, dict[str, int]] = {}
    for tracked in (False, True):
        sql = activity_counts_sql(tracked, period.organisation_clause)
        for row in query_dicts(store.conn, sql, period.sql()):
            into = counts.setdefault(row.pop("organisation_id"), dict.fromkeys(row, 0))
            for name, value in row.items():
                into[name] += value
    return counts


def activity_counts_sql(tracked: bool, organisation_clause: str) -> str:
    plain = not tracked
    done = status_is(Status.DONE, ":cutoff", plain=plain)
    return (
        "SELECT r.organisation_id AS organisation_id, COUNT(*) AS total, "
        f"COALESCE(SUM({done}), 0) AS done, "
        f"COALESCE(SUM({status_is(Status.IN_PROGRESS, ':cutoff', plain=plain)}), 0) "
        "AS in_progress, "
        f"COALESCE(SUM({overdue_condition(':cutoff', plain=plain)}), 0) AS overdue, "
        f"COALESCE(SUM({done} AND a.evidence_count = 0), 0) AS done_without_evidence, "
        f"COALESCE(SUM({counts_as_due_condition(':cutoff', plain=plain)}), 0) "
        "AS due_before_cutoff "
        "FROM roadmap r CROSS JOIN activity a ON a.roadmap_id = r.id WHERE a.removed = 0 "
        f"AND {'' if tracked else 'NOT '}{tracked_condition()}"
        f"{organisation_clause} GROUP BY r.organisation_id"
    )


def due_counts(store: Store, period: PeriodParams) -> dict[str, int]:
    """Per organisation id: activities due in the month (for callers that need no list)."""
    sql = (
        f"SELECT r.organisation_id, COUNT(*) {ACTIVITY_SCOPE}{period.organisation_clause} "
        f"AND {DUE_IN_MONTH} GROUP BY r.organisation_id"
    )
    return dict(store.conn.execute(sql, period.sql()).fetchall())


def evidence_file_counts(store: Store, period: PeriodParams) -> dict[str, int]:
    """Per organisation id: evidence items that are stored files (links are not counted)."""
    if period.filtered:  # a few organisations: from their roadmaps down
        joins = (
            "FROM roadmap r CROSS JOIN activity a ON a.roadmap_id = r.id "
            "CROSS JOIN evidence e ON e.activity_id = a.id"
        )
    else:  # every organisation: evidence stays the outer loop, not every activity
        joins = (
            "FROM evidence e CROSS JOIN activity a ON a.id = e.activity_id "
            "CROSS JOIN roadmap r ON r.id = a.roadmap_id"
        )
    sql = (
        f"SELECT r.organisation_id, COUNT(*) {joins} "
        "WHERE e.removed = 0 AND a.removed = 0 AND e.sha256 != ''"
        f"{period.organisation_clause} GROUP BY r.organisation_id"
    )
    return dict(store.conn.execute(sql, period.sql()).fetchall())


def last_visits(store: Store, period: PeriodParams) -> dict[str, str]:
    """Per organisation id: the ISO date of the latest recorded visit."""
    sql = (
        "SELECT r.organisation_id, MAX(v.visit_date) FROM roadmap r "
        "CROSS JOIN visit v ON v.roadmap_id = r.id WHERE v.removed = 0 AND v.visit_date != ''"
        f"{period.organisation_clause} GROUP BY r.organisation_id"
    )
    return dict(store.conn.execute(sql, period.sql()).fetchall())


def last_bundles(store: Store, period: PeriodParams) -> dict[str, str]:
    """Per organisation id: `imported_at` of the last accepted bundle that touched it.

    The import records it (`sync_state`, table `organisation_bundle`, db/0004); a file from
    before v4 was backfilled by crediting each device's latest bundle to the organisations
    its operations touch.
    """
    scope = ""
    if period.filtered:
        scope = " WHERE organisation_id IN (SELECT value FROM json_each(:organisations))"
    sql = f"SELECT organisation_id, imported_at FROM organisation_bundle{scope}"
    return dict(store.conn.execute(sql, period.sql()).fetchall())


def report_activities(store: Store, period: PeriodParams) -> list[dict[str, Any]]:
    """Activities due in the month or overdue, in roadmap order, with both flags as 0/1.

    SQL picks the candidates by cheap conditions and computes each flag once; the few
    candidates that span the month without a window in it are dropped here.
    """
    sql = (
        f"SELECT a.id, r.organisation_id, {REPORT_FIELD_COLUMNS}, a.extra, "
        f"a.due_date, a.status, {DUE_IN_MONTH} AS due_in_month, {OVERDUE} AS overdue, "
        f"{RECURRING_SCHEDULE} AS recurring_schedule, {shown_review('a')} AS review, "
        "a.review_comment "
        f"{ACTIVITY_SCOPE}{period.organisation_clause} AND {CANDIDATE} "
        f"ORDER BY r.organisation_id, {ROADMAP_ORDER}"
    )
    rows = query_dicts(store.conn, sql, period.sql())
    return [row for row in rows if row["due_in_month"] or row["overdue"]]


def month_occurrences(store: Store, period: PeriodParams) -> list[dict[str, Any]]:
    """The occurrences given a status whose window meets the month (activity id, window,
    status): what a recurring activity listed as due in the month did in it."""
    sql = (
        "SELECT o.activity_id, o.window_start, o.window_end, o.status "
        "FROM occurrence o CROSS JOIN activity a ON a.id = o.activity_id "
        "CROSS JOIN roadmap r ON r.id = a.roadmap_id WHERE a.removed = 0 "
        "AND o.window_start != '' AND o.window_start < :next_month "
        f"AND o.window_end >= :month_start{period.organisation_clause} "
        "ORDER BY o.activity_id, o.window_start"
    )
    return query_dicts(store.conn, sql, period.sql())


def candidate_evidence(store: Store, period: PeriodParams) -> list[dict[str, Any]]:
    """Evidence of every activity `report_activities` may return (a superset: the caller
    keeps what belongs to the listed activities), oldest first per activity."""
    sql = (
        "SELECT e.activity_id, e.kind, e.title, e.original_name, e.url, e.sha256 "
        "FROM evidence e CROSS JOIN activity a ON a.id = e.activity_id "
        "CROSS JOIN roadmap r ON r.id = a.roadmap_id WHERE e.removed = 0 AND a.removed = 0"
        f"{period.organisation_clause} AND {CANDIDATE} "
        "ORDER BY e.activity_id, e.origin_hlc, e.id"
    )
    return query_dicts(store.conn, sql, period.sql())


def month_notes(
    store: Store, period: PeriodParams, stamp_from: str, stamp_until: str
) -> list[dict[str, Any]]:
    """Notes made in the month (their clock stamp between the two, as text) on activities
    `report_activities` may return, oldest first per activity."""
    sql = (
        "SELECT n.activity_id, n.text FROM note n CROSS JOIN activity a ON a.id = n.activity_id "
        "CROSS JOIN roadmap r ON r.id = a.roadmap_id WHERE n.removed = 0 AND a.removed = 0 "
        "AND n.text != '' AND n.origin_hlc >= :stamp_from AND n.origin_hlc < :stamp_until"
        f"{period.organisation_clause} AND {CANDIDATE} "
        "ORDER BY n.activity_id, n.origin_hlc, n.id"
    )
    params = {**period.sql(), "stamp_from": stamp_from, "stamp_until": stamp_until}
    return query_dicts(store.conn, sql, params)


def chart_params(period: PeriodParams, first_month: date) -> dict[str, Any]:
    return {**period.sql(), "range_start": first_month.isoformat()}


def monthly_due(
    store: Store, period: PeriodParams, months: list[date]
) -> tuple[dict[date, int], dict[date, int]]:
    """Per month (its first day): activities other than recurring ones due in it, and how
    many of those are done. One pass over the windows: each window is read once."""
    bounds = [[m.isoformat(), (last_day_of_month(m) + ONE_DAY).isoformat()] for m in months]
    sql = (
        "WITH m AS (SELECT json_extract(value, '$[0]') AS start, "
        "json_extract(value, '$[1]') AS next FROM json_each(:months)) "
        "SELECT m.start, COUNT(DISTINCT a.id), "
        "COUNT(DISTINCT CASE WHEN a.status = 'done' THEN a.id END) "
        "FROM activity a JOIN roadmap r ON r.id = a.roadmap_id "
        "CROSS JOIN json_each(a.schedule, '$.windows') AS w "
        "JOIN m ON json_extract(w.value, '$[0]') < m.next "
        "AND json_extract(w.value, '$[1]') >= m.start "
        "WHERE a.removed = 0 AND a.schedule_kind != 'recurring' "
        "AND a.first_date < :next_month AND a.due_date >= :range_start"
        f"{period.organisation_clause} GROUP BY m.start"
    )
    params = {**chart_params(period, months[0]), "months": json.dumps(bounds)}
    planned: dict[date, int] = {}
    done: dict[date, int] = {}
    for start, due, finished in store.conn.execute(sql, params):
        planned[date.fromisoformat(start)] = due
        done[date.fromisoformat(start)] = finished
    return planned, done


def activity_span(store: Store, roadmap_id: str | None) -> tuple[date, date] | None:
    """The first day and the last due day of the (roadmap's, or every) activities with dates."""
    scope, params = (
        ("", {}) if roadmap_id is None else (" AND r.id = :roadmap", {"roadmap": roadmap_id})
    )
    first, last = store.conn.execute(
        f"SELECT MIN(a.first_date), MAX(a.due_date) {ACTIVITY_SCOPE}{scope} "
        "AND a.first_date IS NOT NULL AND a.due_date IS NOT NULL",
        params,
    ).fetchone()
    if first is None or last is None:
        return None
    return date.fromisoformat(first), date.fromisoformat(last)


def roadmap_organisation(store: Store, roadmap_id: str) -> str | None:
    row = store.conn.execute(
        "SELECT organisation_id FROM roadmap WHERE id = ?", [roadmap_id]
    ).fetchone()
    return row[0] if row else None


def recurring_in_range(
    store: Store, period: PeriodParams, first_month: date
) -> list[dict[str, Any]]:
    """Recurring activities with a window between `first_month` and the report's month."""
    sql = (
        f"SELECT a.id, a.status, a.schedule {ACTIVITY_SCOPE}{period.organisation_clause} "
        "AND a.schedule_kind = 'recurring' "
        "AND a.first_date < :next_month AND a.due_date >= :range_start"
    )
    return query_dicts(store.conn, sql, chart_params(period, first_month))


def range_occurrences(
    store: Store, period: PeriodParams, first_month: date
) -> list[dict[str, Any]]:
    """Occurrences given a status whose window meets the chart's months."""
    sql = (
        "SELECT o.activity_id, o.window_start, o.window_end, o.status "
        "FROM occurrence o CROSS JOIN activity a ON a.id = o.activity_id "
        "CROSS JOIN roadmap r ON r.id = a.roadmap_id WHERE a.removed = 0 "
        "AND o.window_start != '' AND o.window_start < :next_month "
        f"AND o.window_end >= :range_start{period.organisation_clause} "
        "ORDER BY o.activity_id, o.window_start"
    )
    return query_dicts(store.conn, sql, chart_params(period, first_month))
