"""The old per-op projection engine, kept as the oracle the batch engine is tested against.

Production applies every operation through `projection_batch.apply_operations` (a single op
is a batch of one). This module applies one op at a time with about ten statements, each
rule read straight off `curator_tui.store.projection`'s rule book, re-reading from the
database whatever it depends on. It is slow and plain on purpose: tests/test_projection_batch
checks that any history, applied in batches of any size, leaves byte for byte the tables,
log and conflicts this gives when applied op by op.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from curator_tui.domain.models import Period
from curator_tui.domain.ops import Action, Entity, Operation
from curator_tui.store.entity_log import ops_of
from curator_tui.store.projection import (
    FIELDS,
    HISTORY_COLUMNS,
    OP_COLUMNS,
    PLACEHOLDERS,
    REMOVED,
    TOMBSTONED,
    WINNERS_COLUMN,
    HistoryNode,
    Winner,
    conflicts_in,
    encode,
    history_node,
    op_row,
    parse_winners,
    period_columns,
    period_from_columns,
    removal_conflicts,
    schedule_columns,
    schedule_for,
    search_text_of,
    winners_text,
)


def apply_operation(conn: sqlite3.Connection, op: Operation) -> bool:
    """Record `op` in the log and project it. Returns False when it was already known."""
    log_row = insert_into_log(conn, op)
    if log_row is None:
        return False
    project(conn, op, log_row)
    return True


def insert_into_log(conn: sqlite3.Connection, op: Operation) -> int | None:
    """The op's rowid in the log, or None when the log held its id or (device, seq) already."""
    cursor = conn.execute(
        f"INSERT OR IGNORE INTO op ({', '.join(OP_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in OP_COLUMNS)})",
        op_row(op),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


def project(conn: sqlite3.Connection, op: Operation, log_row: int) -> None:
    if op.action is Action.CREATE and insert_new_entity(conn, op):
        link_op(conn, op, log_row)
        return
    ensure_row(conn, op.entity, op.entity_id)
    link_op(conn, op, log_row)  # before the field histories below, which read the op through it
    if op.action is Action.CREATE:
        apply_create(conn, op)
        refresh_entity_conflicts(conn, op.entity, op.entity_id)
    elif op.action is Action.SET:
        apply_set(conn, op)
    elif op.action is Action.REMOVE and op.entity in TOMBSTONED:
        write_fields(conn, op.entity, op.entity_id, {"removed": 1})
    if op.entity in TOMBSTONED and op.action in (Action.SET, Action.REMOVE):
        refresh_removal_conflicts(conn, op.entity, op.entity_id)


def insert_new_entity(conn: sqlite3.Connection, op: Operation) -> bool:
    """The common case of a create, in one INSERT: the entity is not on this replica yet.

    A hub takes in thousands of schools' roadmaps, nearly all of them creates of entities it
    has never seen; writing each row whole (derived columns included) instead of placeholder,
    update and refresh keeps import a small multiple of a plain insert. Returns False when a
    row is already there (an earlier create or a `set` that arrived first): then the general
    path decides field by field.
    """
    values = {k: v for k, v in (op.value or {}).items() if k in FIELDS[op.entity]}
    links = values.pop("activities", None) if op.entity is Entity.VISIT else None
    row = {**PLACEHOLDERS[op.entity], **{k: encode(k, v) for k, v in values.items()}}
    row.update(id=op.entity_id, origin_hlc=op.hlc, origin_device=op.device_id, origin_op=op.op_id)
    row.update(derived_columns(conn, op.entity, op.entity_id, values))
    cursor = conn.execute(
        f"INSERT OR IGNORE INTO {op.entity.value} ({', '.join(row)}) "
        f"VALUES ({', '.join('?' for _ in row)})",
        tuple(row.values()),
    )
    if cursor.rowcount == 0:
        return False
    if links is not None:
        replace_visit_links(conn, op.entity_id, list(links))
    if op.entity is Entity.EVIDENCE and values.get("activity_id"):
        recount_evidence(conn, str(values["activity_id"]))
    if op.entity is Entity.ROADMAP:
        # Activities that arrived before their roadmap get their dates now.
        for (activity_id,) in conn.execute(
            "SELECT id FROM activity WHERE roadmap_id = ?", (op.entity_id,)
        ).fetchall():
            refresh_schedule(conn, activity_id)
    return True


def derived_columns(
    conn: sqlite3.Connection, entity: Entity, entity_id: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Columns computed from an entity's own fields, as the refresh_* functions compute them."""
    if entity is Entity.ROADMAP:
        return period_columns(values.get("year"), values.get("school_year"))
    if entity is not Entity.ACTIVITY:
        return {}
    parts = (str(values.get(k) or "") for k in ("number", "title", "responsible"))
    evidence = conn.execute(
        "SELECT COUNT(*) FROM evidence WHERE activity_id = ? AND removed = 0", (entity_id,)
    ).fetchone()[0]
    schedule = schedule_for(
        str(values.get("deadline_text") or ""),
        roadmap_period(conn, str(values.get("roadmap_id") or "")),
    )
    return {
        **schedule_columns(schedule),
        "search_text": search_text_of(*parts, removed=values.get("removed")),
        "evidence_count": evidence,
    }


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
    taken = fields_held_by_sets(conn, op)
    fields = {k: v for k, v in allowed.items() if k not in taken}
    fields.update(origin_hlc=op.hlc, origin_device=op.device_id, origin_op=op.op_id)
    write_fields(conn, op.entity, op.entity_id, fields)


def fields_held_by_sets(conn: sqlite3.Connection, op: Operation) -> set[str]:
    """Fields someone edited explicitly: a create (even a later one) never overrides them.

    Ids are derived from content, so two replicas can create the same activity on their own
    (a second hub importing the same document after schools made progress); the later create
    must not reset a status a school set under the earlier one.
    """
    return set(winners_of(conn, op.entity, op.entity_id))


def apply_set(conn: sqlite3.Connection, op: Operation) -> None:
    """Last writer wins, computed so that the result never depends on arrival order.

    The row's `winners` always names the greatest `set` of each edited field, and the column
    shows its value; only a field nobody has set shows the value of the entity's latest create.
    """
    if op.field is None or op.field not in FIELDS[op.entity]:
        return
    winners = winners_of(conn, op.entity, op.entity_id)
    best_set = winners.get(op.field)
    if best_set is None or op.order_key > (best_set.hlc, best_set.device_id):
        winners[op.field] = Winner(op.op_id, op.hlc, op.device_id)
        conn.execute(
            f"UPDATE {op.entity.value} SET {WINNERS_COLUMN} = ? WHERE id = ?",
            (winners_text(winners), op.entity_id),
        )
        write_fields(conn, op.entity, op.entity_id, {op.field: op.value})
    refresh_conflicts(conn, op.entity, op.entity_id, op.field)


def winners_of(conn: sqlite3.Connection, entity: Entity, entity_id: str) -> dict[str, Winner]:
    row = conn.execute(
        f"SELECT {WINNERS_COLUMN} FROM {entity.value} WHERE id = ?", (entity_id,)
    ).fetchone()
    return parse_winners(row[0]) if row else {}


def refresh_conflicts(conn: sqlite3.Connection, entity: Entity, entity_id: str, field: str) -> None:
    """Recompute the field's conflicts from the whole log, so every replica agrees."""
    nodes = field_history(conn, entity, entity_id, field)
    conn.execute(
        "DELETE FROM conflict WHERE entity = ? AND entity_id = ? AND field = ?",
        (entity.value, entity_id, field),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO conflict (entity, entity_id, field, winner_op, loser_op) "
        "VALUES (?, ?, ?, ?, ?)",
        [(entity.value, entity_id, field, winner, loser) for winner, loser in conflicts_in(nodes)],
    )


def field_history(
    conn: sqlite3.Connection, entity: Entity, entity_id: str, field: str
) -> dict[str, HistoryNode]:
    """The ops a causal context of this field can name: its `set`s and the entity's creates."""
    sql = ops_of(
        entity,
        HISTORY_COLUMNS,
        "t.id = ? AND ((o.action = ? AND o.field = ?) OR o.action = ?)",
    )
    rows = conn.execute(sql, (entity_id, Action.SET.value, field, Action.CREATE.value)).fetchall()
    return {row[0]: history_node(row) for row in rows}


def refresh_removal_conflicts(conn: sqlite3.Connection, entity: Entity, entity_id: str) -> None:
    """Recompute the removal's conflicts with the entity's edits from the whole log."""
    sql = ops_of(entity, f"o.action, o.field, {HISTORY_COLUMNS}", "t.id = ? AND o.action IN (?, ?)")
    rows = conn.execute(sql, (entity_id, Action.SET.value, Action.REMOVE.value)).fetchall()
    ops = [(action, name, history_node(tuple(columns))) for action, name, *columns in rows]
    conn.execute(
        "DELETE FROM conflict WHERE entity = ? AND entity_id = ? AND field = ?",
        (entity.value, entity_id, REMOVED),
    )
    conn.executemany(
        "INSERT INTO conflict (entity, entity_id, field, winner_op, loser_op) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (entity.value, entity_id, REMOVED, w, loser)
            for w, loser in removal_conflicts(entity, ops)
        ],
    )


def refresh_entity_conflicts(conn: sqlite3.Connection, entity: Entity, entity_id: str) -> None:
    """A create can be a link in a field's history: recompute every edited field's conflicts."""
    sql = ops_of(entity, "DISTINCT o.field", "t.id = ? AND o.action = ?")
    fields = conn.execute(sql, (entity_id, Action.SET.value)).fetchall()
    for (field,) in fields:
        if field is not None:
            refresh_conflicts(conn, entity, entity_id, field)


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
        if changed & {"number", "title", "responsible", "removed"}:
            refresh_search_text(conn, entity_id)
    elif entity is Entity.ROADMAP and changed & {"year", "school_year"}:
        refresh_period(conn, entity_id)


def roadmap_period(conn: sqlite3.Connection, roadmap_id: str) -> Period | None:
    row = conn.execute(
        "SELECT period_start, period_end FROM roadmap WHERE id = ?", (roadmap_id,)
    ).fetchone()
    return period_from_columns(*row) if row else None


def refresh_period(conn: sqlite3.Connection, roadmap_id: str) -> None:
    year, school_year = conn.execute(
        "SELECT year, school_year FROM roadmap WHERE id = ?", (roadmap_id,)
    ).fetchone()
    columns = period_columns(year, school_year)
    conn.execute(
        "UPDATE roadmap SET period_start = ?, period_end = ? WHERE id = ?",
        (columns["period_start"], columns["period_end"], roadmap_id),
    )
    for (activity_id,) in conn.execute(
        "SELECT id FROM activity WHERE roadmap_id = ?", (roadmap_id,)
    ).fetchall():
        refresh_schedule(conn, activity_id)


def refresh_schedule(conn: sqlite3.Connection, activity_id: str) -> None:
    roadmap_id, text = conn.execute(
        "SELECT roadmap_id, deadline_text FROM activity WHERE id = ?", (activity_id,)
    ).fetchone()
    columns = schedule_columns(schedule_for(text, roadmap_period(conn, roadmap_id)))
    assignments = ", ".join(f"{k} = ?" for k in columns)
    conn.execute(
        f"UPDATE activity SET {assignments} WHERE id = ?", (*columns.values(), activity_id)
    )


def refresh_search_text(conn: sqlite3.Connection, activity_id: str) -> None:
    number, title, responsible, removed = conn.execute(
        "SELECT number, title, responsible, removed FROM activity WHERE id = ?", (activity_id,)
    ).fetchone()
    text = search_text_of(number, title, responsible, removed=removed)
    conn.execute("UPDATE activity SET search_text = ? WHERE id = ?", (text, activity_id))


def link_op(conn: sqlite3.Connection, op: Operation, log_row: int) -> None:
    """Link one op (the log's row `log_row`) to its entity's row, which exists by now."""
    conn.execute(
        "INSERT INTO entity_op (entity, entity_row, op_row) "
        f"SELECT ?, rowid, ? FROM {op.entity.value} WHERE id = ?",
        (op.entity.value, log_row, op.entity_id),
    )
