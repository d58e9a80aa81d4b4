"""Applying operations to the state tables: the only code that writes them.

Rules (design.md, «The change log»):
- a field takes the value of the operation with the greatest (clock, device id); the entity's
  creating operation is the implicit holder of every field no later `set` has taken;
- notes, evidence and visits are add-only sets: `remove` leaves a tombstone that wins;
- two edits of one field where neither author had seen the other are recorded as a conflict.
Applying is idempotent and independent of arrival order, so replaying the log rebuilds the
same tables.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from curator_tui.domain.models import Period, Schedule, ScheduleKind
from curator_tui.domain.ops import Action, Entity, Operation, canonical_json
from curator_tui.domain.schedule import parse_deadline

# Fields each entity accepts from operations; anything else in an op is ignored, which keeps
# a bundle from writing columns we never meant to replicate.
FIELDS: dict[Entity, tuple[str, ...]] = {
    Entity.ORGANISATION: ("name", "level"),
    Entity.ROADMAP: (
        "organisation_id",
        "title",
        "year",
        "school_year",
        "source_name",
        "source_sha256",
    ),
    Entity.SECTION: ("roadmap_id", "position", "title"),
    Entity.ACTIVITY: (
        "roadmap_id",
        "section_id",
        "position",
        "number",
        "parent_id",
        "title",
        "responsible",
        "deadline_text",
        "indicator",
        "result",
        "levels",
        "publicity",
        "extra",
        "warnings",
        "status",
        "removed",
    ),
    Entity.NOTE: ("activity_id", "text", "device_id"),
    Entity.EVIDENCE: (
        "activity_id",
        "kind",
        "title",
        "note",
        "original_name",
        "size",
        "sha256",
        "url",
        "device_id",
    ),
    Entity.VISIT: ("roadmap_id", "visit_date", "participants", "notes", "device_id", "activities"),
}

JSON_FIELDS = {"extra", "warnings"}
TOMBSTONED = {Entity.NOTE, Entity.EVIDENCE, Entity.VISIT}
# Required columns without defaults, filled with placeholders until the creating op arrives.
PLACEHOLDERS: dict[Entity, dict[str, Any]] = {
    Entity.ORGANISATION: {"name": "", "level": "school"},
    Entity.ROADMAP: {"organisation_id": ""},
    Entity.SECTION: {"roadmap_id": "", "position": 0},
    Entity.ACTIVITY: {"roadmap_id": "", "position": 0},
    Entity.NOTE: {"activity_id": ""},
    Entity.EVIDENCE: {"activity_id": ""},
    Entity.VISIT: {"roadmap_id": "", "visit_date": ""},
}
MAX_ANCESTRY_STEPS = 10_000


def apply_operation(conn: sqlite3.Connection, op: Operation) -> bool:
    """Record `op` in the log and project it. Returns False when it was already known."""
    if not insert_into_log(conn, op):
        return False
    project(conn, op)
    return True


def insert_into_log(conn: sqlite3.Connection, op: Operation) -> bool:
    cursor = conn.execute(
        "INSERT OR IGNORE INTO op (op_id, device_id, seq, hlc, entity, entity_id, action, "
        "field, value, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            op.op_id,
            op.device_id,
            op.seq,
            op.hlc,
            op.entity.value,
            op.entity_id,
            op.action.value,
            op.field,
            op.value_json(),
            op.prev,
        ),
    )
    return cursor.rowcount == 1


def project(conn: sqlite3.Connection, op: Operation) -> None:
    ensure_row(conn, op.entity, op.entity_id)
    if op.action is Action.CREATE:
        apply_create(conn, op)
    elif op.action is Action.SET:
        apply_set(conn, op)
    elif op.action is Action.REMOVE and op.entity in TOMBSTONED:
        write_fields(conn, op.entity, op.entity_id, {"removed": 1})


def ensure_row(conn: sqlite3.Connection, entity: Entity, entity_id: str) -> None:
    placeholders = PLACEHOLDERS[entity]
    columns = ["id", *placeholders]
    conn.execute(
        f"INSERT OR IGNORE INTO {entity.value} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        (entity_id, *placeholders.values()),
    )


def order_of(hlc: str, device_id: str) -> tuple[str, str]:
    return (hlc, device_id)


def apply_create(conn: sqlite3.Connection, op: Operation) -> None:
    origin = conn.execute(
        f"SELECT origin_hlc, origin_device FROM {op.entity.value} WHERE id = ?", (op.entity_id,)
    ).fetchone()
    if origin[0] and order_of(*origin) >= op.order_key:
        return  # an equal or later create of the same entity (same roadmap imported twice)
    values = dict(op.value or {})
    allowed = {k: v for k, v in values.items() if k in FIELDS[op.entity]}
    taken = fields_held_by_later_sets(conn, op)
    fields = {k: v for k, v in allowed.items() if k not in taken}
    fields.update(origin_hlc=op.hlc, origin_device=op.device_id, origin_op=op.op_id)
    write_fields(conn, op.entity, op.entity_id, fields)


def fields_held_by_later_sets(conn: sqlite3.Connection, op: Operation) -> set[str]:
    rows = conn.execute(
        "SELECT field, hlc, device_id FROM field_winner WHERE entity = ? AND entity_id = ?",
        (op.entity.value, op.entity_id),
    ).fetchall()
    return {field for field, hlc, device in rows if order_of(hlc, device) > op.order_key}


def apply_set(conn: sqlite3.Connection, op: Operation) -> None:
    if op.field is None or op.field not in FIELDS[op.entity]:
        return
    holder = current_holder(conn, op.entity, op.entity_id, op.field)
    if holder is not None and holder[0] != op.op_id and are_concurrent(conn, op, holder[0]):
        record_conflict(conn, op, holder)
    if holder is None or op.order_key > (holder[1], holder[2]):
        conn.execute(
            "INSERT OR REPLACE INTO field_winner (entity, entity_id, field, op_id, hlc, device_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (op.entity.value, op.entity_id, op.field, op.op_id, op.hlc, op.device_id),
        )
        write_fields(conn, op.entity, op.entity_id, {op.field: op.value})


def current_holder(
    conn: sqlite3.Connection, entity: Entity, entity_id: str, field: str
) -> tuple[str, str, str] | None:
    """(op id, clock, device) of the operation whose value the field shows now."""
    row = conn.execute(
        "SELECT op_id, hlc, device_id FROM field_winner "
        "WHERE entity = ? AND entity_id = ? AND field = ?",
        (entity.value, entity_id, field),
    ).fetchone()
    if row:
        return (row[0], row[1], row[2])
    origin = conn.execute(
        f"SELECT origin_op, origin_hlc, origin_device FROM {entity.value} WHERE id = ?",
        (entity_id,),
    ).fetchone()
    if origin and origin[0]:
        return (origin[0], origin[1], origin[2])
    return None


def are_concurrent(conn: sqlite3.Connection, op: Operation, holder_op: str) -> bool:
    """Neither author had seen the other's edit: neither op is in the other's `prev` chain."""
    if op.prev == holder_op:
        return False
    return not (holder_op in ancestry(conn, op.prev) or op.op_id in ancestry(conn, holder_op))


def ancestry(conn: sqlite3.Connection, start: str | None) -> set[str]:
    seen: set[str] = set()
    current = start
    while current and current not in seen and len(seen) < MAX_ANCESTRY_STEPS:
        seen.add(current)
        row = conn.execute("SELECT prev FROM op WHERE op_id = ?", (current,)).fetchone()
        current = row[0] if row else None
    return seen


def record_conflict(conn: sqlite3.Connection, op: Operation, holder: tuple[str, str, str]) -> None:
    holder_op, holder_hlc, holder_device = holder
    if op.order_key > (holder_hlc, holder_device):
        winner, loser = op.op_id, holder_op
    else:
        winner, loser = holder_op, op.op_id
    conn.execute(
        "INSERT OR IGNORE INTO conflict (entity, entity_id, field, winner_op, loser_op) "
        "VALUES (?, ?, ?, ?, ?)",
        (op.entity.value, op.entity_id, op.field, winner, loser),
    )


def write_fields(conn: sqlite3.Connection, entity: Entity, entity_id: str, fields: dict) -> None:
    fields = dict(fields)
    visit_activities = fields.pop("activities", None) if entity is Entity.VISIT else None
    touched_activities = evidence_activities(conn, entity, entity_id, fields)
    if fields:
        stored = {k: encode(k, v) for k, v in fields.items()}
        assignments = ", ".join(f"{k} = ?" for k in stored)
        conn.execute(
            f"UPDATE {entity.value} SET {assignments} WHERE id = ?", (*stored.values(), entity_id)
        )
    if visit_activities is not None:
        replace_visit_links(conn, entity_id, list(visit_activities))
    refresh_derived(conn, entity, entity_id, set(fields))
    for activity_id in touched_activities | evidence_activities(conn, entity, entity_id, fields):
        recount_evidence(conn, activity_id)


def evidence_activities(
    conn: sqlite3.Connection, entity: Entity, entity_id: str, fields: dict
) -> set[str]:
    """Activities whose evidence count a write to this evidence row may change."""
    if entity is not Entity.EVIDENCE or not fields.keys() & {"activity_id", "removed"}:
        return set()
    row = conn.execute("SELECT activity_id FROM evidence WHERE id = ?", (entity_id,)).fetchone()
    return {row[0]} if row and row[0] else set()


def recount_evidence(conn: sqlite3.Connection, activity_id: str) -> None:
    conn.execute(
        "UPDATE activity SET evidence_count = (SELECT COUNT(*) FROM evidence "
        "WHERE activity_id = ? AND removed = 0) WHERE id = ?",
        (activity_id, activity_id),
    )


def encode(field: str, value: Any) -> Any:
    if field in JSON_FIELDS:
        return canonical_json(value if value is not None else ({} if field == "extra" else []))
    if isinstance(value, bool):
        return int(value)
    return value


def replace_visit_links(conn: sqlite3.Connection, visit_id: str, activity_ids: list[str]) -> None:
    conn.execute("DELETE FROM visit_activity WHERE visit_id = ?", (visit_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO visit_activity (visit_id, activity_id) VALUES (?, ?)",
        [(visit_id, a) for a in activity_ids],
    )


# --- derived columns -------------------------------------------------------------------------


def refresh_derived(conn: sqlite3.Connection, entity: Entity, entity_id: str, changed: set) -> None:
    if entity is Entity.ACTIVITY:
        if changed & {"deadline_text", "roadmap_id"}:
            refresh_schedule(conn, entity_id)
        if changed & {"number", "title", "responsible"}:
            refresh_search_text(conn, entity_id)
    elif entity is Entity.ROADMAP and changed & {"year", "school_year"}:
        refresh_period(conn, entity_id)


def roadmap_period(conn: sqlite3.Connection, roadmap_id: str) -> Period | None:
    row = conn.execute(
        "SELECT period_start, period_end FROM roadmap WHERE id = ?", (roadmap_id,)
    ).fetchone()
    if not row or not row[0]:
        return None
    return Period(start=date.fromisoformat(row[0]), end=date.fromisoformat(row[1]))


def refresh_period(conn: sqlite3.Connection, roadmap_id: str) -> None:
    year, school_year = conn.execute(
        "SELECT year, school_year FROM roadmap WHERE id = ?", (roadmap_id,)
    ).fetchone()
    if school_year is not None:
        period: Period | None = Period.school_year(int(school_year))
    elif year is not None:
        period = Period.calendar_year(int(year))
    else:
        period = None
    conn.execute(
        "UPDATE roadmap SET period_start = ?, period_end = ? WHERE id = ?",
        (
            period.start.isoformat() if period else None,
            period.end.isoformat() if period else None,
            roadmap_id,
        ),
    )
    for (activity_id,) in conn.execute(
        "SELECT id FROM activity WHERE roadmap_id = ?", (roadmap_id,)
    ).fetchall():
        refresh_schedule(conn, activity_id)


def refresh_schedule(conn: sqlite3.Connection, activity_id: str) -> None:
    roadmap_id, text = conn.execute(
        "SELECT roadmap_id, deadline_text FROM activity WHERE id = ?", (activity_id,)
    ).fetchone()
    period = roadmap_period(conn, roadmap_id)
    schedule = schedule_for(text, period)
    windows = schedule.windows
    conn.execute(
        "UPDATE activity SET schedule = ?, schedule_kind = ?, first_date = ?, due_date = ? "
        "WHERE id = ?",
        (
            canonical_json(schedule.to_json()),
            schedule.kind.value,
            windows[0][0].isoformat() if windows else None,
            windows[-1][1].isoformat() if windows else None,
            activity_id,
        ),
    )


def schedule_for(text: str, period: Period | None) -> Schedule:
    if period is None:
        period = Period.calendar_year(date.today().year)
    try:
        return parse_deadline(text or "", period)
    except Exception as exc:  # the parser promises not to raise; a bug must not lose data
        return Schedule(kind=ScheduleKind.UNSCHEDULED, warning=f"Ошибка разбора срока: {exc}")


def refresh_search_text(conn: sqlite3.Connection, activity_id: str) -> None:
    # SQLite's lower() folds ASCII only; Cyrillic needs Python's casefold.
    number, title, responsible = conn.execute(
        "SELECT number, title, responsible FROM activity WHERE id = ?", (activity_id,)
    ).fetchone()
    conn.execute(
        "UPDATE activity SET search_text = ? WHERE id = ?",
        (search_key(number, title, responsible), activity_id),
    )


def search_key(*parts: str) -> str:
    return " ".join(parts).casefold().replace("ё", "е")


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON columns of a fetched row back into Python values."""
    for key in (*JSON_FIELDS, "schedule"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return row
