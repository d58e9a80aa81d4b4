"""The projection engine: the only code that writes the state tables.

Every operation goes through `apply_operations`, a bundle, a replay of the log or a single
local edit alike (a single op is a batch of one); the rules it applies are
`projection`'s rule book. A hub importing thousands of bundles would spend most of its time
in round trips if each op read and wrote its rows on its own (about ten statements), so a
batch goes through three steps:

1. read: the op rows go into the log in one statement, which names the ops it took (the new
   ones); one query per table reads every row those can touch (their entities; the
   activities whose evidence count an evidence op can change; the activities whose dates a
   roadmap's new year can move);
2. replay: the rules run in memory, op by op in the given order; instead of refreshing
   derived columns and conflicts on the spot they note what needs refreshing;
3. write: each table once with executemany — changed rows (with their `winners` column),
   visit links, conflicts; derived columns once per touched row, conflicts once per touched
   field.

Deferring is exact because every refresh reads only the final state of what it depends on,
and every later change to that state triggers the same refresh again (the last trigger wins
either way). Conflicts are the one exception — a create refreshes only the fields edited so
far — so each field remembers the op at which it was last refreshed and its history is cut
there.

Replaying in memory is exact because a value is held as its column will store it: SQLite's
column affinity turns 3 into '3' in a TEXT column and '3' into 3 in an INTEGER one, and
`stored_value` converts it so before the replay reads it (this program never writes such a
value, and oprules refuses it in a bundle), and NULL for a NOT NULL column fails with
SQLite's own error the moment the replay writes it. tests/projection_oracle.py, a plain
op-by-op engine, is what the tests compare this one against.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from curator_tui.domain.ops import Action, Entity, Operation
from curator_tui.store.database import IN_CHUNK, select_in
from curator_tui.store.entity_log import link_ops_since, ops_of
from curator_tui.store.holidays import holidays_of
from curator_tui.store.projection import (
    FIELDS,
    HISTORY_COLUMNS,
    OP_COLUMNS,
    PLACEHOLDERS,
    REMOVED,
    TOMBSTONED,
    WINNERS_COLUMN,
    EntityOp,
    HistoryNode,
    Winner,
    conflicts_in,
    encode,
    history_node,
    node_of,
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

Key = tuple[Entity, str]
ROWID = "_rowid"  # the rowid of a row read, beside its columns
# Fields whose change moves an activity's dates or its search text, or a roadmap's period.
SCHEDULE_INPUTS = frozenset({"deadline_text", "roadmap_id"})
SEARCH_INPUTS = frozenset({"number", "title", "responsible", "removed"})
PERIOD_INPUTS = frozenset({"year", "school_year"})
EVIDENCE_COUNT_INPUTS = frozenset({"activity_id", "removed"})
SCHEDULE_COLUMNS = ("schedule", "schedule_kind", "first_date", "due_date")
# Tables written before `activity`, whose evidence counts are read back from `evidence`.
WRITE_ORDER = (
    Entity.ORGANISATION,
    Entity.ROADMAP,
    Entity.SECTION,
    Entity.NOTE,
    Entity.EVIDENCE,
    Entity.VISIT,
    Entity.OCCURRENCE,
    Entity.ACTIVITY,
)


def apply_operations(conn: sqlite3.Connection, ops: Sequence[Operation]) -> list[Operation]:
    """Record `ops` in the log and project them, in the given order, each as if applied
    alone. Returns the ops that were new (the others the log already held)."""
    fresh, first_log_row = insert_new_ops(conn, ops)
    if not fresh:
        return []
    batch = Batch.read(conn, fresh)
    for index, op in enumerate(fresh):
        batch.project(index, op)
    batch.write()
    # After the write, when every op's row exists; the batch read the log's history before.
    link_ops_since(conn, first_log_row, {op.entity for op in fresh})
    return fresh


# --- derived columns of every row (after an upgrade) -------------------------------------------


def refresh_all_schedules(conn: sqlite3.Connection) -> None:
    """Re-derive every activity's dates from its deadline text (after a parser upgrade)."""
    rows = conn.execute(
        "SELECT a.rowid, a.deadline_text, r.period_start, r.period_end, "
        f"{', '.join(f'a.{name}' for name in SCHEDULE_COLUMNS)} "
        "FROM activity a LEFT JOIN roadmap r ON r.id = a.roadmap_id"
    )
    changed = []
    holidays = holidays_of(conn)
    for rowid, text, start, end, *stored in rows.fetchall():
        columns = schedule_columns(schedule_for(text, period_from_columns(start, end), holidays))
        values = [columns[name] for name in SCHEDULE_COLUMNS]
        if values != stored:
            changed.append((*values, rowid))
    assignments = ", ".join(f"{name} = ?" for name in SCHEDULE_COLUMNS)
    conn.executemany(f"UPDATE activity SET {assignments} WHERE rowid = ?", changed)


def refresh_all_conflicts(conn: sqlite3.Connection) -> None:
    """Recompute the conflicts of every field the rules know from the whole log (once, after
    the conflict rules changed: files from before db/0011 hold rows of the old ones)."""
    creates: dict[tuple[str, str], dict[str, HistoryNode]] = {}
    edits: dict[tuple[str, str, str], dict[str, HistoryNode]] = {}
    sql = f"SELECT o.entity, o.entity_id, o.field, {HISTORY_COLUMNS} FROM op o "
    for entity, entity_id, name, *columns in conn.execute(
        sql + "WHERE o.action IN ('create', 'set')"
    ):
        node = history_node(tuple(columns))
        if not node.is_set:
            creates.setdefault((entity, entity_id), {})[node.op_id] = node
        elif name in FIELDS[Entity(entity)]:
            edits.setdefault((entity, entity_id, name), {})[node.op_id] = node
    rows = [
        (*key, winner, loser)
        for key, nodes in sorted(edits.items())
        for winner, loser in conflicts_in({**creates.get(key[:2], {}), **nodes})
    ]
    rows += all_removal_conflicts(conn)
    for entity, names in FIELDS.items():
        conn.executemany(
            "DELETE FROM conflict WHERE entity = ? AND field = ?",
            [(entity.value, name) for name in names],
        )
    conn.executemany(
        "DELETE FROM conflict WHERE entity = ? AND field = ?",
        [(entity.value, REMOVED) for entity in TOMBSTONED],
    )
    conn.executemany(
        "INSERT INTO conflict (entity, entity_id, field, winner_op, loser_op) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def all_removal_conflicts(conn: sqlite3.Connection) -> list[tuple[str, str, str, str, str]]:
    """Every removed entity's removal conflicts, from the whole log."""
    history: dict[tuple[str, str], list[EntityOp]] = {}
    removed: set[tuple[str, str]] = set()
    sql = f"SELECT o.entity, o.entity_id, o.action, o.field, {HISTORY_COLUMNS} FROM op o "
    marks = ", ".join("?" for _ in TOMBSTONED)
    for entity, entity_id, action, name, *columns in conn.execute(
        sql + f"WHERE o.action IN ('set', 'remove') AND o.entity IN ({marks})",
        sorted(e.value for e in TOMBSTONED),
    ):
        history.setdefault((entity, entity_id), []).append(
            (action, name, history_node(tuple(columns)))
        )
        if action == Action.REMOVE.value:
            removed.add((entity, entity_id))
    return [
        (entity, entity_id, REMOVED, winner, loser)
        for entity, entity_id in sorted(removed)
        for winner, loser in removal_conflicts(Entity(entity), history[(entity, entity_id)])
    ]


def refresh_all_search_text(conn: sqlite3.Connection) -> int:
    """Respell every activity's search_text (after search_key changed); returns rows changed."""
    rows = conn.execute(
        "SELECT rowid, number, title, responsible, removed, search_text FROM activity"
    )
    changed = []
    for rowid, number, title, responsible, removed, stored in rows.fetchall():
        text = search_text_of(number, title, responsible, removed=removed)
        if text != stored:
            changed.append((text, rowid))
    conn.executemany("UPDATE activity SET search_text = ? WHERE rowid = ?", changed)
    return len(changed)


# --- which ops are new -----------------------------------------------------------------------


def insert_new_ops(
    conn: sqlite3.Connection, ops: Sequence[Operation]
) -> tuple[list[Operation], int]:
    """Insert the ops into the log as `INSERT OR IGNORE` one by one would, and return those
    it took (neither their id nor their (device, seq) slot was taken, in the log or by an
    earlier op of `ops`) and the first log rowid they got. One statement per chunk; its
    RETURNING names the rows it inserted."""
    inserted: set[tuple[str, str, int]] = set()
    first_log_row = 0
    row_marks = f"({', '.join('?' for _ in OP_COLUMNS)})"
    for start in range(0, len(ops), IN_CHUNK):
        chunk = ops[start : start + IN_CHUNK]
        sql = (
            f"INSERT OR IGNORE INTO op ({', '.join(OP_COLUMNS)}) "
            f"VALUES {', '.join(row_marks for _ in chunk)} RETURNING rowid, op_id, device_id, seq"
        )
        rows = conn.execute(sql, [value for op in chunk for value in op_row(op)]).fetchall()
        if rows and not first_log_row:
            first_log_row = min(row[0] for row in rows)
        inserted.update(row[1:] for row in rows)
    fresh = []
    for op in ops:
        identity = (op.op_id, op.device_id, op.seq)
        if identity in inserted:
            inserted.discard(identity)  # of two alike, the first was taken, the second ignored
            fresh.append(op)
    return fresh, first_log_row


# --- table shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnShape:
    declared: str  # the column's type as the schema declares it: it decides the affinity
    kept: type | None  # values of this type are stored as they are (None: every value is)
    nullable: bool


@dataclass(frozen=True)
class TableShape:
    columns: dict[str, ColumnShape]
    defaults: dict[str, Any]


# Every file is migrated to this program's schema as it is opened (Store.open), so a table
# has the same shape in all of them: read once per process, not once per bundle.
_shapes: dict[Entity, TableShape] = {}


def table_shape(conn: sqlite3.Connection, entity: Entity) -> TableShape:
    shape = _shapes.get(entity)
    if shape is None:
        # PRAGMA table_info rows: (cid, name, declared type, notnull, default SQL, pk). The
        # default is SQL text, read back by SQLite itself: the value an INSERT would store.
        rows = conn.execute(f"PRAGMA table_info({entity.value})").fetchall()
        columns = {
            row[1]: ColumnShape(row[2], kept_by_affinity(row[2]), not row[3]) for row in rows
        }
        defaults = {
            row[1]: conn.execute(f"SELECT {row[4]}").fetchone()[0]
            for row in rows
            if row[4] is not None
        }
        shape = _shapes[entity] = TableShape(columns, defaults)
    return shape


def kept_by_affinity(declared: str) -> type | None:
    """The type a column of this declared type stores unchanged (SQLite's datatype3 rules:
    INTEGER and NUMERIC may turn text and reals into integers, REAL integers into reals,
    TEXT numbers into text; BLOB and no type keep every value)."""
    name = declared.upper()
    if "INT" in name:
        return int
    if any(word in name for word in ("CHAR", "CLOB", "TEXT")):
        return str
    if "BLOB" in name or not name:
        return None
    if any(word in name for word in ("REAL", "FLOA", "DOUB")):
        return float
    return int


def stored_value(conn: sqlite3.Connection, entity: Entity, name: str, value: Any) -> Any:
    """The field's value as its column stores it, so that the replay reads what a query
    would read back; NULL for a NOT NULL column fails as SQLite's own write would."""
    column = table_shape(conn, entity).columns[name]
    stored = encode(name, value)
    if stored is not None and column.kept is not None and type(stored) is not column.kept:
        stored = converted_by_sqlite(column.declared, stored)
    if stored is None and not column.nullable:
        raise sqlite3.IntegrityError(f"NOT NULL constraint failed: {entity.value}.{name}")
    return stored


def converted_by_sqlite(declared: str, value: Any) -> Any:
    """`value` as a column declared `declared` stores it, converted by SQLite itself (in a
    scratch database in memory): its rules for text that looks like a number and for the
    spelling of reals are not ours to copy. Never on the way of this program's own values."""
    with closing(sqlite3.connect(":memory:")) as scratch:
        scratch.execute(f"CREATE TABLE t (v {declared})")  # a type from our own schema
        scratch.execute("INSERT INTO t VALUES (?)", (value,))
        return scratch.execute("SELECT v FROM t").fetchone()[0]


def create_value(op: Operation) -> dict[str, Any]:
    """A create's fields (none when it has no value); anything but an object is an error."""
    value = op.value or {}
    if not isinstance(value, dict):
        raise TypeError("a create's value must be an object")
    return value


# --- the working set ---------------------------------------------------------------------------


@dataclass
class WorkingRow:
    """One row as the replay sees it: `values` holds what was read or written so far."""

    values: dict[str, Any]
    loaded: dict[str, Any] | None  # the row as read; None for a row this batch inserts
    rowid: int | None = None  # of a row as read: updated by it, not by a lookup of its id
    assigned: set[str] = field(default_factory=set)  # columns the replay wrote

    def changed_columns(self) -> list[str]:
        """Columns whose value differs from the row as read (in a stable order)."""
        loaded = self.loaded
        if loaded is None:
            return list(self.values)
        return [
            name
            for name in sorted(self.assigned)
            if type(loaded[name]) is not type(self.values[name])
            or loaded[name] != self.values[name]
        ]


@dataclass
class Refreshes:
    """What the replay would have refreshed on the spot, deferred to the write."""

    schedules: set[str] = field(default_factory=set)  # activity ids
    search_texts: set[str] = field(default_factory=set)  # activity ids
    evidence_counts: set[str] = field(default_factory=set)  # activity ids
    periods: set[str] = field(default_factory=set)  # roadmap ids
    # The index of the last op after which a field's (or every edited field's) conflicts
    # were recomputed: the history they see ends there.
    fields: dict[tuple[Key, str], int] = field(default_factory=dict)
    entities: dict[Key, int] = field(default_factory=dict)


class Batch:
    """The rows a list of new ops touches, replayed in memory and then written at once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rows: dict[Key, WorkingRow] = {}
        self.inserted: list[Key] = []  # new rows in the order they were created
        self.touched: dict[Key, None] = {}  # rows the replay wrote to, in order
        self.winners: dict[Key, dict[str, Winner]] = {}  # field → its greatest `set`
        self.new_winners: dict[Key, None] = {}  # rows whose winners the replay changed
        self.winners_before: set[tuple[Key, str]] = set()  # fields edited before this batch
        self.links: dict[str, list[str]] = {}  # visit id → its activities, as last written
        self.by_roadmap: dict[str, set[str]] = {}  # roadmap id → ids of its activities
        self.history: dict[Key, list[tuple[int, Operation]]] = {}  # this batch's ops by entity
        self.refresh = Refreshes()
        self.logged: dict[Key, list[LoggedOp]] = {}  # creates and sets the log held before

    # --- reading -------------------------------------------------------------------------

    @classmethod
    def read(cls, conn: sqlite3.Connection, ops: list[Operation]) -> Batch:
        batch = cls(conn)
        keys = {(op.entity, op.entity_id) for op in ops}
        batch.load_rows(keys)
        batch.load_rows({(Entity.ACTIVITY, a) for a in counted_activities(batch, ops)})
        batch.load_roadmap_activities(
            {op.entity_id for op in ops if op.entity is Entity.ROADMAP and moves_period(op)}
        )
        batch.load_winners(keys)
        return batch

    def load_rows(self, keys: Iterable[Key]) -> None:
        wanted: dict[Entity, list[str]] = {}
        for entity, entity_id in keys:
            if (entity, entity_id) not in self.rows:
                wanted.setdefault(entity, []).append(entity_id)
        for entity, ids in wanted.items():
            sql = f"SELECT rowid AS {ROWID}, * FROM {entity.value} WHERE id IN ({{marks}})"
            self.add_loaded(entity, self.select_rows(sql, sorted(ids)))

    def load_roadmap_activities(self, roadmap_ids: set[str]) -> None:
        sql = f"SELECT rowid AS {ROWID}, * FROM activity WHERE roadmap_id IN ({{marks}})"
        self.add_loaded(Entity.ACTIVITY, self.select_rows(sql, sorted(roadmap_ids)))

    def select_rows(self, sql: str, values: list[str]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            cursor = self.conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk)
            names = [d[0] for d in cursor.description]
            for row in cursor:
                yield dict(zip(names, row, strict=True))

    def add_loaded(self, entity: Entity, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            key = (entity, row["id"])
            rowid = row.pop(ROWID)
            if key not in self.rows:
                self.rows[key] = WorkingRow(row, dict(row), rowid)
                self.index_roadmap(key, None, row.get("roadmap_id"))

    def load_winners(self, keys: set[Key]) -> None:
        """The winners of the ops' entities, from their rows as read (a new row has none)."""
        for key in keys:
            row = self.rows.get(key)
            if row is None or row.loaded is None:
                continue
            winners = parse_winners(row.loaded[WINNERS_COLUMN])
            if winners:
                self.winners[key] = winners
                self.winners_before.update((key, name) for name in winners)

    # --- replaying (projection.project and its helpers, in memory) ------------------------

    def project(self, index: int, op: Operation) -> None:
        key = (op.entity, op.entity_id)
        self.history.setdefault(key, []).append((index, op))
        if op.action is Action.CREATE and self.insert_new_entity(op):
            return
        self.ensure_row(key)
        if op.action is Action.CREATE:
            self.apply_create(op)
            self.refresh.entities[key] = index
        elif op.action is Action.SET:
            self.apply_set(index, op)
        elif op.action is Action.REMOVE and op.entity in TOMBSTONED:
            self.write_fields(key, {"removed": 1})

    def insert_new_entity(self, op: Operation) -> bool:
        key = (op.entity, op.entity_id)
        if key in self.rows:
            return False
        values = {k: v for k, v in create_value(op).items() if k in FIELDS[op.entity]}
        links = values.pop("activities", None) if op.entity is Entity.VISIT else None
        self.new_row(key, {k: self.stored(key, k, v) for k, v in values.items()})
        self.set_origin(key, op)
        if links is not None:
            self.links[op.entity_id] = list(links)
        if op.entity is Entity.ACTIVITY:
            self.refresh.schedules.add(op.entity_id)
            self.refresh.search_texts.add(op.entity_id)
            self.refresh.evidence_counts.add(op.entity_id)
        elif op.entity is Entity.ROADMAP:
            self.refresh_period(op.entity_id)
        elif op.entity is Entity.EVIDENCE and self.column(key, "activity_id"):
            self.recount_evidence(self.column(key, "activity_id"))
        return True

    def new_row(self, key: Key, values: dict[str, Any]) -> None:
        row = WorkingRow({**PLACEHOLDERS[key[0]], "id": key[1]}, None)
        self.rows[key] = row
        self.inserted.append(key)
        self.index_roadmap(key, None, row.values.get("roadmap_id"))
        self.assign(key, values)

    def ensure_row(self, key: Key) -> None:
        if key not in self.rows:
            self.new_row(key, {})

    def set_origin(self, key: Key, op: Operation) -> None:
        self.assign(
            key, {"origin_hlc": op.hlc, "origin_device": op.device_id, "origin_op": op.op_id}
        )

    def apply_create(self, op: Operation) -> None:
        key = (op.entity, op.entity_id)
        origin_hlc, origin_device = (
            self.column(key, "origin_hlc"),
            self.column(key, "origin_device"),
        )
        if origin_hlc and (origin_hlc, origin_device) >= op.order_key:
            return  # an equal or later create of the same entity (same roadmap imported twice)
        taken = self.winners.get(key, {})
        allowed = FIELDS[op.entity]
        fields = {k: v for k, v in create_value(op).items() if k in allowed and k not in taken}
        fields.update(origin_hlc=op.hlc, origin_device=op.device_id, origin_op=op.op_id)
        self.write_fields(key, fields)

    def apply_set(self, index: int, op: Operation) -> None:
        if op.field is None or op.field not in FIELDS[op.entity]:
            return
        key = (op.entity, op.entity_id)
        best = self.winners.get(key, {}).get(op.field)
        if best is None or op.order_key > (best.hlc, best.device_id):
            self.winners.setdefault(key, {})[op.field] = Winner(op.op_id, op.hlc, op.device_id)
            self.new_winners[key] = None
            self.write_fields(key, {op.field: op.value})
        self.refresh.fields[(key, op.field)] = index

    def write_fields(self, key: Key, fields: dict[str, Any]) -> None:
        fields = dict(fields)
        links = fields.pop("activities", None) if key[0] is Entity.VISIT else None
        counted_before = self.evidence_activity(key, fields)
        self.assign(key, {k: self.stored(key, k, v) for k, v in fields.items()})
        if links is not None:
            self.links[key[1]] = list(links)
        self.refresh_derived(key, set(fields))
        for activity_id in counted_before | self.evidence_activity(key, fields):
            self.recount_evidence(activity_id)

    def stored(self, key: Key, name: str, value: Any) -> Any:
        return stored_value(self.conn, key[0], name, value)

    def assign(self, key: Key, values: dict[str, Any]) -> None:
        row = self.rows[key]
        if key[0] is Entity.ACTIVITY and "roadmap_id" in values:
            self.index_roadmap(key, self.column(key, "roadmap_id"), values["roadmap_id"])
        row.values.update(values)
        row.assigned.update(values)
        self.touched[key] = None

    def column(self, key: Key, name: str) -> Any:
        row = self.rows[key]
        if name in row.values:
            return row.values[name]
        return table_shape(self.conn, key[0]).defaults.get(name)

    def index_roadmap(self, key: Key, old: Any, new: Any) -> None:
        if key[0] is not Entity.ACTIVITY:
            return
        if old is not None:
            self.by_roadmap.get(old, set()).discard(key[1])
        if new is not None:
            self.by_roadmap.setdefault(new, set()).add(key[1])

    def evidence_activity(self, key: Key, fields: dict[str, Any]) -> set[str]:
        if key[0] is not Entity.EVIDENCE or not fields.keys() & EVIDENCE_COUNT_INPUTS:
            return set()
        activity_id = self.column(key, "activity_id")
        return {activity_id} if activity_id else set()

    def recount_evidence(self, activity_id: str) -> None:
        # projection's UPDATE touches the activity only if it exists at this moment
        if (Entity.ACTIVITY, activity_id) in self.rows:
            self.refresh.evidence_counts.add(activity_id)

    def refresh_derived(self, key: Key, changed: set[str]) -> None:
        entity, entity_id = key
        if entity is Entity.ACTIVITY:
            if changed & SCHEDULE_INPUTS:
                self.refresh.schedules.add(entity_id)
            if changed & SEARCH_INPUTS:
                self.refresh.search_texts.add(entity_id)
        elif entity is Entity.ROADMAP and changed & PERIOD_INPUTS:
            self.refresh_period(entity_id)

    def refresh_period(self, roadmap_id: str) -> None:
        self.refresh.periods.add(roadmap_id)
        self.refresh.schedules.update(self.by_roadmap.get(roadmap_id, ()))

    # --- writing ----------------------------------------------------------------------------

    def write(self) -> None:
        self.assign_winners()
        self.derive_periods()
        for entity in WRITE_ORDER:
            if entity is Entity.ACTIVITY:
                self.derive_activity_columns()
            self.write_rows(entity)
        self.write_links()
        self.write_conflicts()
        self.write_removal_conflicts()

    def assign_winners(self) -> None:
        """The winners column of every row a `set` took a field of, written with the row."""
        for key in self.new_winners:
            self.assign(key, {WINNERS_COLUMN: winners_text(self.winners[key])})

    def derive_periods(self) -> None:
        for roadmap_id in self.refresh.periods:
            key = (Entity.ROADMAP, roadmap_id)
            columns = period_columns(self.column(key, "year"), self.column(key, "school_year"))
            self.assign(key, columns)

    def derive_activity_columns(self) -> None:
        """Dates, search text and evidence counts of the activities the replay refreshed."""
        periods = self.roadmap_periods(
            {self.column((Entity.ACTIVITY, a), "roadmap_id") for a in self.refresh.schedules}
        )
        holidays = holidays_of(self.conn) if self.refresh.schedules else None
        for activity_id in self.refresh.schedules:
            key = (Entity.ACTIVITY, activity_id)
            text = self.column(key, "deadline_text")
            period = periods.get(self.column(key, "roadmap_id"))
            assert holidays is not None
            self.assign(key, schedule_columns(schedule_for(text, period, holidays)))
        for activity_id in self.refresh.search_texts:
            key = (Entity.ACTIVITY, activity_id)
            number, title, responsible, removed = (
                self.column(key, name) for name in ("number", "title", "responsible", "removed")
            )
            self.assign(
                key, {"search_text": search_text_of(number, title, responsible, removed=removed)}
            )
        counts = self.evidence_counts(sorted(self.refresh.evidence_counts))
        for activity_id in self.refresh.evidence_counts:
            self.assign(
                (Entity.ACTIVITY, activity_id), {"evidence_count": counts.get(activity_id, 0)}
            )

    def roadmap_periods(self, roadmap_ids: set[str]) -> dict[str, Any]:
        """Each roadmap's period as it stands now (written here, or read from the database)."""
        periods: dict[str, Any] = {}
        unread = []
        for roadmap_id in roadmap_ids:
            key = (Entity.ROADMAP, roadmap_id)
            if key in self.rows:
                periods[roadmap_id] = period_from_columns(
                    self.column(key, "period_start"), self.column(key, "period_end")
                )
            else:
                unread.append(roadmap_id)
        sql = "SELECT id, period_start, period_end FROM roadmap WHERE id IN ({marks})"
        for roadmap_id, start, end in select_in(self.conn, sql, sorted(unread)):
            periods[roadmap_id] = period_from_columns(start, end)
        return periods

    def evidence_counts(self, activity_ids: list[str]) -> dict[str, int]:
        """Live evidence per activity, read after this batch's evidence rows were written."""
        sql = (
            "SELECT activity_id, COUNT(*) FROM evidence WHERE removed = 0 "
            "AND activity_id IN ({marks}) GROUP BY activity_id"
        )
        return dict(select_in(self.conn, sql, activity_ids))

    def write_rows(self, entity: Entity) -> None:
        table = entity.value
        new = [self.rows[k] for k in self.inserted if k[0] is entity]
        for columns, rows in runs_of_same_columns(new, lambda row: tuple(row.values)):
            self.conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                [tuple(row.values.values()) for row in rows],
            )
        changed = [
            self.rows[k] for k in self.touched if k[0] is entity and self.rows[k].loaded is not None
        ]
        grouped: dict[tuple[str, ...], list[WorkingRow]] = {}
        for row in changed:
            columns = tuple(row.changed_columns())
            if columns:
                grouped.setdefault(columns, []).append(row)
        for columns, rows in grouped.items():
            assignments = ", ".join(f"{name} = ?" for name in columns)
            self.conn.executemany(
                f"UPDATE {table} SET {assignments} WHERE rowid = ?",
                [(*(row.values[name] for name in columns), row.rowid) for row in rows],
            )

    def write_links(self) -> None:
        if not self.links:
            return
        self.conn.executemany(
            "DELETE FROM visit_activity WHERE visit_id = ?", [(v,) for v in self.links]
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO visit_activity (visit_id, activity_id) VALUES (?, ?)",
            [(visit, a) for visit, activities in self.links.items() for a in activities],
        )

    # --- conflicts ----------------------------------------------------------------------------

    def write_conflicts(self) -> None:
        cutoffs = {
            (key, name): at
            for (key, name), at in self.conflict_cutoffs().items()
            if self.may_conflict(key, name)
        }
        if not cutoffs:
            return
        logged = {k for k, _ in cutoffs if self.rows[k].loaded is not None}
        history = self.logged_history(logged)
        standing = self.standing_conflicts(logged)
        stale, fresh = [], []
        for (key, name), cutoff in sorted(cutoffs.items()):
            nodes = self.field_nodes(history.get(key, []), key, name, cutoff)
            now = {loser: winner for winner, loser in conflicts_in(nodes)}
            before = standing.get((key, name), {})
            prefix = (key[0].value, key[1], name)
            stale += [(*prefix, loser) for loser, w in before.items() if now.get(loser) != w]
            fresh += [(*prefix, w, loser) for loser, w in now.items() if before.get(loser) != w]
        self.conn.executemany(
            "DELETE FROM conflict WHERE entity = ? AND entity_id = ? AND field = ? "
            "AND loser_op = ?",
            stale,
        )
        self.conn.executemany(
            "INSERT INTO conflict (entity, entity_id, field, winner_op, loser_op) "
            "VALUES (?, ?, ?, ?, ?)",
            fresh,
        )

    def write_removal_conflicts(self) -> None:
        """The removal's conflicts of every removed entity this batch edited or removed, from
        its whole history (`removal_conflicts`; a removal is never undone, so an entity not
        removed has none)."""
        keys = sorted(
            (
                key
                for key, ops in self.history.items()
                if key[0] in TOMBSTONED
                and self.column(key, "removed")
                and any(op.action in (Action.SET, Action.REMOVE) for _, op in ops)
            ),
            key=lambda key: (key[0].value, key[1]),
        )
        if not keys:
            return
        history = self.removal_history(set(keys))
        prefixes = [(key[0].value, key[1], REMOVED) for key in keys]
        self.conn.executemany(
            "DELETE FROM conflict WHERE entity = ? AND entity_id = ? AND field = ?", prefixes
        )
        self.conn.executemany(
            "INSERT INTO conflict (entity, entity_id, field, winner_op, loser_op) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (*prefix, winner, loser)
                for key, prefix in zip(keys, prefixes, strict=True)
                for winner, loser in removal_conflicts(key[0], history[key])
            ],
        )

    def removal_history(self, keys: set[Key]) -> dict[Key, list[EntityOp]]:
        """The sets and removes of these entities: the log's before this batch, then its own
        (linked to their rows only after the write)."""
        history: dict[Key, list[EntityOp]] = {key: [] for key in keys}
        for entity, ids in ids_by_entity(keys).items():
            sql = ops_of(
                entity,
                f"t.id, o.action, o.field, {HISTORY_COLUMNS}",
                "t.id IN ({marks}) AND o.action IN ('set', 'remove')",
            )
            for entity_id, action, name, *columns in select_in(self.conn, sql, sorted(ids)):
                history[(entity, entity_id)].append((action, name, history_node(tuple(columns))))
        for key in keys:
            history[key] += [
                (op.action.value, op.field, node_of(op))
                for _, op in self.history[key]
                if op.action in (Action.SET, Action.REMOVE)
            ]
        return history

    def conflict_cutoffs(self) -> dict[tuple[Key, str], int]:
        """Every field whose conflicts the replay recomputed, with the op it last did so at.

        A create recomputes every field edited so far: the fields of the `set`s in the log,
        here or before this batch, up to that op.
        """
        cutoffs = dict(self.refresh.fields)
        if self.refresh.entities:
            logged = {k for k in self.refresh.entities if self.rows[k].loaded is not None}
            edited = self.logged_set_fields(logged)
            for key, at in self.refresh.entities.items():
                names = edited.get(key, set()) | {
                    op.field
                    for index, op in self.history.get(key, [])
                    if index <= at and op.action is Action.SET and op.field is not None
                }
                for name in names:
                    cutoffs[(key, name)] = max(cutoffs.get((key, name), at), at)
        return cutoffs

    def may_conflict(self, key: Key, name: str) -> bool:
        """Whether the field can have conflict rows, before or after this batch.

        Both need two `set`s of it. A field of the rules whose first `set` the log held
        would have a winner from before; without one, only this batch's sets count.
        """
        if name not in FIELDS[key[0]] or (key, name) in self.winners_before:
            return True
        sets = [o for _, o in self.history.get(key, []) if o.action is Action.SET]
        return sum(o.field == name for o in sets) >= 2

    def logged_set_fields(self, keys: set[Key]) -> dict[Key, set[str]]:
        edited: dict[Key, set[str]] = {}
        for key, ops in self.logged_history(keys).items():
            edited[key] = {n.field for n in ops if n.field is not None and n.is_set}
        return edited

    def logged_history(self, keys: set[Key]) -> dict[Key, list[LoggedOp]]:
        """Creates and sets of these entities that the log held before this batch (its own
        ops are in the log already but linked to their rows only after the write)."""
        unread = keys - self.logged.keys()
        for key in unread:
            self.logged[key] = []
        for entity, ids in ids_by_entity(unread).items():
            sql = ops_of(
                entity,
                f"t.id, o.field, {HISTORY_COLUMNS}",
                "t.id IN ({marks}) AND o.action IN ('create', 'set')",
            )
            for entity_id, name, *columns in select_in(self.conn, sql, sorted(ids)):
                node = history_node(tuple(columns))
                self.logged[(entity, entity_id)].append(LoggedOp(node, name))
        return {k: self.logged[k] for k in keys}

    def standing_conflicts(self, keys: set[Key]) -> dict[tuple[Key, str], dict[str, str]]:
        """loser → winner of the conflict rows there are now, per field."""
        standing: dict[tuple[Key, str], dict[str, str]] = {}
        for entity, ids in ids_by_entity(keys).items():
            sql = (
                "SELECT entity_id, field, winner_op, loser_op FROM conflict "
                "WHERE entity = ? AND entity_id IN ({marks})"
            )
            for entity_id, name, winner, loser in select_in(
                self.conn, sql, sorted(ids), entity.value
            ):
                standing.setdefault(((entity, entity_id), name), {})[loser] = winner
        return standing

    def field_nodes(
        self, logged: list[LoggedOp], key: Key, name: str, cutoff: int
    ) -> dict[str, HistoryNode]:
        """projection.field_history as it read when the field was last recomputed."""
        nodes = {op.node.op_id: op.node for op in logged if not op.node.is_set or op.field == name}
        for index, op in self.history.get(key, []):
            if index > cutoff:
                break
            if op.action is Action.CREATE or (op.action is Action.SET and op.field == name):
                nodes[op.op_id] = node_of(op)
        return nodes


@dataclass(frozen=True)
class LoggedOp:
    node: HistoryNode
    field: str | None

    @property
    def is_set(self) -> bool:
        return self.node.is_set


def counted_activities(batch: Batch, ops: list[Operation]) -> set[str]:
    """Activities whose evidence count an evidence op of the batch can change."""
    found: set[str] = set()
    for op in ops:
        if op.entity is not Entity.EVIDENCE:
            continue
        row = batch.rows.get((op.entity, op.entity_id))
        if row is not None and row.values.get("activity_id"):
            found.add(row.values["activity_id"])
        named = activity_named(batch.conn, op)
        if named:
            found.add(named)
    return found


def activity_named(conn: sqlite3.Connection, op: Operation) -> str | None:
    """The activity an evidence op may file its evidence under, as the column stores it."""
    if op.action is Action.CREATE:
        value = create_value(op).get("activity_id")
    elif op.action is Action.SET and op.field == "activity_id":
        value = op.value
    else:
        return None
    try:
        stored = stored_value(conn, Entity.EVIDENCE, "activity_id", value)
    except (sqlite3.Error, OverflowError):
        return None  # not a value it can store: the replay fails on it if it writes it
    return stored if isinstance(stored, str) else None  # a TEXT column gives text or NULL


def moves_period(op: Operation) -> bool:
    return op.action is Action.CREATE or (op.action is Action.SET and op.field in PERIOD_INPUTS)


def runs_of_same_columns(
    rows: list[WorkingRow], columns_of: Any
) -> Iterator[tuple[tuple[str, ...], list[WorkingRow]]]:
    """Consecutive rows with the same columns, so inserts keep their order (and rowids)."""
    run: list[WorkingRow] = []
    current: tuple[str, ...] | None = None
    for row in rows:
        columns = columns_of(row)
        if columns != current and run:
            yield current, run  # type: ignore[misc]
            run = []
        current = columns
        run.append(row)
    if run:
        yield current, run  # type: ignore[misc]


def ids_by_entity(keys: Iterable[Key]) -> dict[Entity, list[str]]:
    """The keys' ids grouped by entity: one IN query per table."""
    grouped: dict[Entity, list[str]] = {}
    for entity, entity_id in keys:
        grouped.setdefault(entity, []).append(entity_id)
    return grouped
