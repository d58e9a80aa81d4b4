"""Delete versus work: activities the coordinator removed that have work (a status, a note, a
piece of evidence or a visit) the removal did not know of, made without knowing of the removal
(`domain.rules.work_stands_against_removal` says how that is decided; this is its SQL twin).

Such work is never hidden in silence: the import says so, `activities --json` lists the
activity in the state «удалено, но есть работа», and the coordinator decides (`curator
removed-work restore|confirm`, Store.settle_removed_work) — putting it back (`removed` = 0)
or removing it again, which stamps the removal after the work and so settles it. A pure
function of the projection, so every replica with the same ops agrees.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from curator_tui.domain.ops import Action, Entity, Operation
from curator_tui.store.database import query_dicts, select_in

STATE_LABEL = "удалено, но есть работа"
# The `set` that holds a field (the `winners` column, db/0006): [op, clock, device].
_REMOVED_AT = "json_extract(a.winners, '$.removed[1]')"
_REMOVED_BY = "json_extract(a.winners, '$.removed[2]')"


def stands_against_removal(work_hlc: str, work_device: str) -> str:
    """SQL twin of `domain.rules.work_stands_against_removal`: the work whose clock and
    device the two SQL expressions give stands against the activity `a`'s removal."""
    return f"({work_device} != {_REMOVED_BY} AND {work_hlc} > {_REMOVED_AT})"


_STATUS_WORK = stands_against_removal(
    "json_extract(a.winners, '$.status[1]')", "json_extract(a.winners, '$.status[2]')"
)
_ROW_WORK = stands_against_removal("{row}.origin_hlc", "{row}.origin_device")
_WORK_AFTER = (
    f"{_STATUS_WORK} "
    "OR EXISTS (SELECT 1 FROM note n WHERE n.activity_id = a.id AND n.removed = 0 "
    f"AND {_ROW_WORK.format(row='n')}) "
    "OR EXISTS (SELECT 1 FROM evidence e WHERE e.activity_id = a.id AND e.removed = 0 "
    f"AND {_ROW_WORK.format(row='e')}) "
    "OR EXISTS (SELECT 1 FROM visit_activity va JOIN visit v ON v.id = va.visit_id "
    f"WHERE va.activity_id = a.id AND v.removed = 0 AND {_ROW_WORK.format(row='v')})"
)
_SELECT = (
    "SELECT a.* FROM activity a "
    f"WHERE a.removed = 1 AND {_REMOVED_AT} IS NOT NULL AND ({_WORK_AFTER})"
)


def removed_with_work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every removed activity with work after its removal (few: read them all)."""
    return query_dicts(conn, _SELECT + " ORDER BY a.roadmap_id, a.position")


def removed_with_work_among(conn: sqlite3.Connection, ops: Iterable[Operation]) -> list[Any]:
    """(number, title) of those the given ops concern: their own, or their notes', evidence's
    and visits' (as the ops' creates name them)."""
    sql = "SELECT a.number, a.title FROM activity a WHERE a.id IN ({marks}) AND a.removed = 1 "
    where = f"AND {_REMOVED_AT} IS NOT NULL AND ({_WORK_AFTER}) ORDER BY a.number"
    return list(select_in(conn, sql + where, sorted(concerned_activities(ops))))


def concerned_activities(ops: Iterable[Operation]) -> set[str]:
    found: set[str] = set()
    for op in ops:
        if op.entity is Entity.ACTIVITY:
            found.add(op.entity_id)
        elif op.action is Action.CREATE and isinstance(op.value, dict):
            named = op.value.get("activity_id")
            linked = op.value.get("activities")
            found |= {named} if isinstance(named, str) else set()
            found |= (
                {a for a in linked if isinstance(a, str)} if isinstance(linked, list) else set()
            )
    return found


def latest_work(conn: sqlite3.Connection, activity_id: str) -> tuple[str, str, str] | None:
    """(op, clock, device) of the latest work this replica holds on the activity: its status,
    its notes', evidence's and visits' creates. A removal made here is stamped after it
    (change_log.record), so every replica sees that the removal knew of this work."""
    status = (
        "SELECT json_extract(winners, '$.status[0]'), json_extract(winners, '$.status[1]'), "
        "json_extract(winners, '$.status[2]') FROM activity WHERE id = :a "
        "AND json_extract(winners, '$.status') IS NOT NULL"
    )
    rows = (
        "SELECT origin_op, origin_hlc, origin_device FROM {table} "
        "WHERE activity_id = :a AND removed = 0 AND origin_op != ''"
    )
    visits = (
        "SELECT v.origin_op, v.origin_hlc, v.origin_device FROM visit_activity va "
        "JOIN visit v ON v.id = va.visit_id WHERE va.activity_id = :a AND v.removed = 0 "
        "AND v.origin_op != ''"
    )
    union = " UNION ALL ".join(
        (status, rows.format(table="note"), rows.format(table="evidence"), visits)
    )
    row = conn.execute(
        f"SELECT * FROM ({union}) ORDER BY 2 DESC, 3 DESC LIMIT 1", {"a": activity_id}
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))
