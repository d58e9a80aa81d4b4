"""Applying operations to the state tables: the only code that writes them.

Rules (design.md, «The change log»):
- a field takes the value of its `set` with the greatest (clock, device id); the entity's
  latest creating operation holds every field no `set` has taken (a create never undoes an
  explicit edit: the same content-derived entity may be created on two replicas);
- notes, evidence and visits are add-only sets: `remove` leaves a tombstone that wins;
- two edits of one field where neither author had seen the other are recorded as a conflict.
Applying is idempotent and independent of arrival order, so replaying the log rebuilds the
same tables.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from curator_tui.domain.fields import ENTITIES, all_fields
from curator_tui.domain.models import Period, Schedule, ScheduleKind
from curator_tui.domain.ops import Action, Entity, Operation, canonical_json
from curator_tui.store.entity_log import link_op, ops_of

# Fields each entity accepts from operations (domain/fields.py); anything else in an op is
# ignored, which keeps a bundle from writing columns we never meant to replicate.
FIELDS: dict[Entity, tuple[str, ...]] = {entity: spec.names for entity, spec in ENTITIES.items()}
JSON_FIELDS = {field.name for _spec, field in all_fields() if field.stored_as_json}
TOMBSTONED = {Entity.NOTE, Entity.EVIDENCE, Entity.VISIT}
# Required columns without defaults, filled with placeholders until the creating op arrives.
PLACEHOLDERS: dict[Entity, dict[str, Any]] = {
    entity: {f.name: f.placeholder for f in spec.fields if f.has_placeholder}
    for entity, spec in ENTITIES.items()
}
MAX_ANCESTRY_STEPS = 10_000

# Each entity row's bookkeeping of last-writer-wins: field → the greatest `set` of it, as
# canonical JSON {field: [op id, clock, device id]} (db/0006). Not a field: no op can set it.
WINNERS_COLUMN = "winners"


class Winner(NamedTuple):
    """The `set` whose value a field shows."""

    op_id: str
    hlc: str
    device_id: str


def parse_winners(text: str) -> dict[str, Winner]:
    return {name: Winner(*holder) for name, holder in json.loads(text).items()}


def winners_text(winners: dict[str, Winner]) -> str:
    """One spelling per set of winners (a tuple is a JSON list), so replays rebuild it alike."""
    return canonical_json(winners)


def apply_operation(conn: sqlite3.Connection, op: Operation) -> bool:
    """Record `op` in the log and project it. Returns False when it was already known."""
    log_row = insert_into_log(conn, op)
    if log_row is None:
        return False
    project(conn, op, log_row)
    return True


OP_COLUMNS = (
    "op_id",
    "device_id",
    "seq",
    "hlc",
    "entity",
    "entity_id",
    "action",
    "field",
    "value",
    "prev",
)


def op_row(op: Operation) -> tuple[Any, ...]:
    """The op as the `op` table stores it, in OP_COLUMNS order."""
    return (
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
    )


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


def set_winner(
    conn: sqlite3.Connection, entity: Entity, entity_id: str, field: str
) -> Winner | None:
    return winners_of(conn, entity, entity_id).get(field)


def origin_of(
    conn: sqlite3.Connection, entity: Entity, entity_id: str
) -> tuple[str, str, str] | None:
    row = conn.execute(
        f"SELECT origin_op, origin_hlc, origin_device FROM {entity.value} WHERE id = ?",
        (entity_id,),
    ).fetchone()
    return (row[0], row[1], row[2]) if row and row[0] else None


def current_holder(
    conn: sqlite3.Connection, entity: Entity, entity_id: str, field: str
) -> tuple[str, str, str] | None:
    """(op id, clock, device) of the operation whose value the field shows now."""
    return set_winner(conn, entity, entity_id, field) or origin_of(conn, entity, entity_id)


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


def conflicts_in(nodes: dict[str, HistoryNode]) -> list[tuple[str, str]]:
    """(winner op, loser op) of every conflict in one field's history.

    Comparing a new op with the current holder only makes the table depend on arrival order
    (three concurrent edits give different pairs in different orders), and a `prev` chain is
    only complete once its links have arrived. So the rows are a pure function of the field's
    `set`s and the entity's creates, recomputed whenever one of those arrives.

    Edit X (greater) and edit Y are concurrent when neither is in the other's `prev` chain and
    X's author cannot have seen Y: had Y been on their replica, the holder X replaced (X.prev)
    would be Y or greater. One row per losing edit: the greatest concurrent edit that beat it.
    """
    sets = sorted((n for n in nodes.values() if n.is_set), key=lambda n: n.order, reverse=True)
    if len(sets) < 2:
        return []
    ancestors = {n.op_id: chain_within(nodes, n.op_id) for n in sets}
    pairs = []
    for index, loser in enumerate(sets):
        for winner in sets[:index]:
            if loser.op_id in ancestors[winner.op_id] or winner.op_id in ancestors[loser.op_id]:
                continue  # one author built on the other's edit: a sequence, not a conflict
            replaced = nodes.get(winner.prev or "")
            if replaced is not None and replaced.order >= loser.order:
                continue  # the winner was made on top of an edit that had beaten the loser
            pairs.append((winner.op_id, loser.op_id))
            break
    return pairs


@dataclass(frozen=True)
class HistoryNode:
    op_id: str
    prev: str | None
    order: tuple[str, str]
    is_set: bool


def field_history(
    conn: sqlite3.Connection, entity: Entity, entity_id: str, field: str
) -> dict[str, HistoryNode]:
    """The ops a `prev` of this field can name: its `set`s and the entity's creates."""
    sql = ops_of(
        entity,
        "o.op_id, o.prev, o.hlc, o.device_id, o.action",
        "t.id = ? AND ((o.action = ? AND o.field = ?) OR o.action = ?)",
    )
    rows = conn.execute(sql, (entity_id, Action.SET.value, field, Action.CREATE.value)).fetchall()
    return {
        op_id: HistoryNode(op_id, prev, (hlc, device), action == Action.SET.value)
        for op_id, prev, hlc, device, action in rows
    }


def chain_within(nodes: dict[str, HistoryNode], start: str) -> set[str]:
    """`start` and the ops its `prev` links reach, walking only through `nodes`."""
    seen: set[str] = set()
    current: str | None = start
    while current and current in nodes and current not in seen and len(seen) < MAX_ANCESTRY_STEPS:
        seen.add(current)
        current = nodes[current].prev
    return seen


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


def period_columns(year: Any, school_year: Any) -> dict[str, str | None]:
    period = period_of(year, school_year)
    return {
        "period_start": period.start.isoformat() if period else None,
        "period_end": period.end.isoformat() if period else None,
    }


def period_from_columns(start: str | None, end: str | None) -> Period | None:
    """A roadmap's stored period back as a Period (None until the roadmap has a year)."""
    if not start:
        return None
    return Period(start=date.fromisoformat(start), end=date.fromisoformat(str(end)))


def period_of(year: Any, school_year: Any) -> Period | None:
    if school_year is not None:
        return Period.school_year(int(school_year))
    if year is not None:
        return Period.calendar_year(int(year))
    return None


def refresh_schedule(conn: sqlite3.Connection, activity_id: str) -> None:
    roadmap_id, text = conn.execute(
        "SELECT roadmap_id, deadline_text FROM activity WHERE id = ?", (activity_id,)
    ).fetchone()
    columns = schedule_columns(schedule_for(text, roadmap_period(conn, roadmap_id)))
    assignments = ", ".join(f"{k} = ?" for k in columns)
    conn.execute(
        f"UPDATE activity SET {assignments} WHERE id = ?", (*columns.values(), activity_id)
    )


def schedule_columns(schedule: Schedule) -> dict[str, Any]:
    windows = schedule.windows
    return {
        "schedule": canonical_json(schedule.to_json()),
        "schedule_kind": schedule.kind.value,
        "first_date": windows[0][0].isoformat() if windows else None,
        "due_date": windows[-1][1].isoformat() if windows else None,
    }


def refresh_all_schedules(conn: sqlite3.Connection) -> None:
    """Re-derive every activity's dates from its deadline text (after a parser upgrade)."""
    for (activity_id,) in conn.execute("SELECT id FROM activity").fetchall():
        refresh_schedule(conn, activity_id)


def schedule_for(text: str, period: Period | None) -> Schedule:
    if period is None:
        period = Period.calendar_year(date.today().year)
    return cached_schedule(text or "", period)


# Roadmaps repeat a handful of phrases («ежемесячно», «В течение года») thousands of times
# across a hub; Schedule is immutable, so one parse per (phrase, period) is enough.
@lru_cache(maxsize=8192)
def cached_schedule(text: str, period: Period) -> Schedule:
    # Imported on first parse: opening a file to read it needs no parser (cold start).
    from curator_tui.domain.schedule import parse_deadline

    try:
        return parse_deadline(text or "", period)
    except Exception as exc:  # the parser promises not to raise; a bug must not lose data
        return Schedule(kind=ScheduleKind.UNSCHEDULED, warning=f"Ошибка разбора срока: {exc}")


def refresh_search_text(conn: sqlite3.Connection, activity_id: str) -> None:
    number, title, responsible, removed = conn.execute(
        "SELECT number, title, responsible, removed FROM activity WHERE id = ?", (activity_id,)
    ).fetchone()
    text = search_text_of(number, title, responsible, removed=removed)
    conn.execute("UPDATE activity SET search_text = ? WHERE id = ?", (text, activity_id))


def search_text_of(number: str, title: str, responsible: str, *, removed: Any) -> str:
    # SQLite's lower() folds ASCII only; Cyrillic needs Python's casefold. A removed activity
    # keeps no search text, so the full-text index (db/0002) never holds it.
    return "" if removed else search_key(number, title, responsible)


# Bumped whenever search_key spells its text differently; Store.open then rewrites old rows.
SEARCH_KEY_VERSION = "2"
# Before every word of search_text: «  с» (gap and first letter) is then a trigram, so the
# full-text index finds words by their first one or two letters (queries.text_match).
SEARCH_WORD_GAP = "  "


# Anything but letters, digits and the dot separates words (the underscore too, as \W keeps it).
NOT_WORD = re.compile(r"[^\w.]|_")


def search_words(*parts: str) -> list[str]:
    """Words as the live filter compares them: lower case, ё as е, punctuation dropped.

    The dot stays, so «3.1» remains one word.
    """
    text = " ".join(parts).casefold().replace("ё", "е")
    return NOT_WORD.sub(" ", text).split()


def search_key(*parts: str) -> str:
    return "".join(SEARCH_WORD_GAP + word for word in search_words(*parts))


def refresh_all_search_text(conn: sqlite3.Connection) -> int:
    """Respell every activity's search_text (after search_key changed); returns rows changed."""
    changed = 0
    rows = conn.execute("SELECT id, number, title, responsible, removed FROM activity")
    for activity_id, number, title, responsible, removed in rows.fetchall():
        text = search_text_of(number, title, responsible, removed=removed)
        cursor = conn.execute(
            "UPDATE activity SET search_text = ? WHERE id = ? AND search_text IS NOT ?",
            (text, activity_id, text),
        )
        changed += cursor.rowcount
    return changed


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON columns of a fetched row back into Python values."""
    for key in (*JSON_FIELDS, "schedule"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return row
