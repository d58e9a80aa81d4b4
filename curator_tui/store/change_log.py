"""The store's change log: recording this device's edits, merging other replicas' ops, the
clock, and reading the log back (its ops, an activity's history, the standing conflicts,
the check that a replay rebuilds the state tables).

Every write to the state tables goes through `record` or `apply_remote`, which log the ops
and project them (projection_batch.apply_operations) in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from curator_tui.domain.ops import (
    CLOCK_SKEW_WARNING_MS,
    MAX_SEEN,
    STAMP_MAX,
    ZERO_STAMP,
    Action,
    ClockExhausted,
    Entity,
    HlcStamp,
    Operation,
    clock_looks_wrong,
    new_id,
    observe,
    stamp_after,
    tick,
    wall_date,
)
from curator_tui.store.database import (
    StoreError,
    describe_sqlite_error,
    iter_dicts,
    query_dicts,
    select_in,
    transaction,
)
from curator_tui.store.device_settings import DeviceSettings
from curator_tui.store.entity_log import log_rows_of, ops_of
from curator_tui.store.projection import (
    HISTORY_COLUMNS,
    TOMBSTONED,
    WINNERS_COLUMN,
    HistoryNode,
    Winner,
    history_node,
    parse_winners,
    removal_context,
    visible_values,
)
from curator_tui.store.removed_work import latest_work
from curator_tui.store.setting_keys import SEQ_FLOOR_SETTING

# The actions whose ops carry a causal context (`seen_for`).
CONTEXT_ACTIONS = (Action.SET, Action.REMOVE)
# Ops projected per batch by apply_remote and record_stream (each batch reads and writes its
# rows at once; a slice bounds the memory a hub's replay or a 200,000-row roadmap holds).
REPLAY_SLICE = 5000
# Tables that are a pure projection of the log (and so must rebuild byte for byte).
PROJECTION_TABLES = (
    "organisation",
    "roadmap",
    "section",
    "activity",
    "conflict",
    "note",
    "evidence",
    "visit",
    "visit_activity",
    "occurrence",
)


@dataclass(frozen=True)
class Change:
    """A change a user asks for, before it becomes an operation."""

    entity: Entity
    entity_id: str
    action: Action
    field: str | None = None
    value: Any = None


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    duplicates: int


class ChangeLog(DeviceSettings):
    """Store's part for the log (store.py says how the parts make one Store)."""

    # --- writing -----------------------------------------------------------------------------

    def record(self, changes: Iterable[Change], wall_ms: int | None = None) -> list[Operation]:
        """Turn changes into this device's operations and apply them in one transaction.

        The ops are applied in batches: an edit names the op that held its field (`prev`) and
        every value of it shown (`seen`), so the ops before it on its entity are applied
        before it is made.
        """
        ops: list[Operation] = []
        self.record_stream(changes, wall_ms, keep=ops.append)
        return ops

    def record_stream(
        self,
        changes: Iterable[Change],
        wall_ms: int | None = None,
        keep: Callable[[Operation], None] | None = None,
    ) -> int:
        """`record` for changes made as they are taken (a roadmap's thousands): applied in
        slices of REPLAY_SLICE within the one transaction, none kept unless `keep` is given.
        Returns how many were recorded."""
        # Imported when first needed: a cold start reading the list never writes.
        from curator_tui.store.projection_batch import apply_operations

        device_id = self.device_id
        recorded = 0
        try:
            with transaction(self.conn) as conn:
                stamp = self.last_stamp(conn)
                seq = last_seq(conn, device_id)
                pending: list[Operation] = []
                pending_entities: set[tuple[Entity, str]] = set()
                for change in changes:
                    key = (change.entity, change.entity_id)
                    # An edit's or a removal's context reads the ops before it on its entity.
                    if len(pending) >= REPLAY_SLICE or (
                        change.action in CONTEXT_ACTIONS and key in pending_entities
                    ):
                        apply_operations(conn, pending)
                        pending, pending_entities = [], set()
                    stamp = tick(stamp, wall_ms if wall_ms is not None else now_ms())
                    seq += 1
                    holder = holder_for(conn, change)
                    op = Operation(
                        op_id=new_id(),
                        device_id=device_id,
                        seq=seq,
                        hlc=str(edit_stamp(stamp, later_of(holder, work_removed(conn, change)))),
                        entity=change.entity,
                        entity_id=change.entity_id,
                        action=change.action,
                        field=change.field,
                        value=change.value,
                        prev=holder[0] if holder else None,
                        seen=seen_for(conn, change),
                    )
                    pending.append(op)
                    pending_entities.add(key)
                    recorded += 1
                    if keep is not None:
                        keep(op)
                apply_operations(conn, pending)
                save_stamp(conn, stamp)
        except sqlite3.Error as exc:
            raise StoreError(f"Изменение не сохранено: {describe_sqlite_error(exc)}") from exc
        except ClockExhausted as exc:
            raise StoreError(
                "Изменение не сохранено: значение помечено последним возможным временем "
                "(31.12.9999), изменение после него записать нельзя. Проверьте дату и время."
            ) from exc
        return recorded

    def apply_remote(self, ops: Iterable[Operation]) -> ApplyResult:
        """Merge operations from other replicas, all in one transaction, in causal order."""
        # The engine is imported when first needed: a cold start reading the list or the
        # dashboard never merges (test_cold_start).
        from curator_tui.store.projection_batch import apply_operations

        ordered = sorted(ops, key=lambda o: (o.hlc, o.device_id, o.seq))
        applied = 0
        with transaction(self.conn) as conn:
            stamp = self.last_stamp(conn)
            # In slices, so replaying a hub's whole log does not hold all of it in memory.
            for start in range(0, len(ordered), REPLAY_SLICE):
                merged = apply_operations(conn, ordered[start : start + REPLAY_SLICE])
                applied += len(merged)
                stamp = observe(stamp, (op.hlc for op in merged), now_ms())
            save_stamp(conn, stamp)
        return ApplyResult(applied, len(ordered) - applied)

    # --- the clock ---------------------------------------------------------------------------

    def last_stamp(self, conn: sqlite3.Connection | None = None) -> HlcStamp:
        row = (
            (conn or self.conn)
            .execute("SELECT value FROM local_setting WHERE key = 'hlc'")
            .fetchone()
        )
        stamp = HlcStamp.parse(row[0]) if row else ZERO_STAMP
        # Only a clock that adopted a forged stamp before stamps were bounded can be past the
        # ceiling; counting on from there would leave no stamp for the next edit.
        return stamp if stamp <= STAMP_MAX else ZERO_STAMP

    def clock_warning(self, wall_ms: int | None = None) -> str | None:
        """A Russian warning when this machine's clock is behind what the replica has seen.

        Stamps from other devices are adopted only up to a day ahead (ops.observe), so a
        correct computer that received changes from a fast one is never told this.
        """
        wall = wall_ms if wall_ms is not None else now_ms()
        last = self.last_stamp()
        if not clock_looks_wrong(last, wall):
            return None
        if last.wall_ms - wall > CLOCK_SKEW_WARNING_MS:
            seen = wall_date(last.wall_ms).strftime("%d.%m.%Y")
            return (
                "Часы компьютера, похоже, отстают: в базе уже есть изменения от "
                f"{seen}. Проверьте дату и время — порядок изменений при этом сохранится."
            )
        shown = wall_date(wall).strftime("%d.%m.%Y")
        return (
            f"Часы компьютера отстают: они показывают {shown}. Проверьте дату и время — "
            "иначе новые изменения будут помечены неверной датой."
        )

    # --- reading the log ---------------------------------------------------------------------

    def ops(self, after_seq: dict[str, int] | None = None) -> Iterator[Operation]:
        """Every operation, or those past each device's given sequence number."""
        after = after_seq or {}
        for row in iter_dicts(self.conn, "SELECT * FROM op ORDER BY hlc, device_id, seq"):
            if row["seq"] <= after.get(row["device_id"], 0):
                continue
            yield operation_from_row(row)

    def sequence_heads(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT device_id, MAX(seq) FROM op GROUP BY device_id")
        return {device: int(seq) for device, seq in rows.fetchall()}

    def op_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM op").fetchone()[0])

    def history(self, entity_id: str) -> list[dict[str, Any]]:
        """Operations on an activity and on its notes and evidence, oldest first."""
        rows = " UNION ALL ".join(
            (
                log_rows_of(Entity.ACTIVITY, "t.id = :id"),
                log_rows_of(Entity.NOTE, "t.activity_id = :id"),
                log_rows_of(Entity.EVIDENCE, "t.activity_id = :id"),
            )
        )
        return query_dicts(
            self.conn,
            "SELECT o.*, d.name AS device_name, d.role AS device_role "
            f"FROM ({rows}) JOIN op o ON o.rowid = op_row "
            "LEFT JOIN device d ON d.id = o.device_id ORDER BY o.hlc, o.device_id",
            {"id": entity_id},
        )

    def conflicts(self, entity_id: str | None = None) -> list[dict[str, Any]]:
        """Concurrent edits still standing (no later edit settled the field).

        A conflict stands while its winner still holds the field, as the entity row's
        `winners` says; a field no `set` holds (one the rules do not know) keeps its conflicts.
        So does a removal against an edit it did not know of (field REMOVED: the winner is the
        remove op, `edited_field` the field the loser set). Conflicts are few, so the rows are
        filtered here rather than joined per entity table.
        """
        sql = (
            "SELECT c.entity, c.entity_id, c.field, l.field AS edited_field, "
            "c.winner_op, w.value AS winner_value, "
            "l.value AS loser_value, w.device_id AS winner_device, l.device_id AS loser_device, "
            "w.hlc AS winner_hlc, l.hlc AS loser_hlc FROM conflict c "
            "JOIN op w ON w.op_id = c.winner_op JOIN op l ON l.op_id = c.loser_op"
        )
        params: tuple[str, ...] = ()
        if entity_id is not None:
            sql, params = sql + " WHERE c.entity_id = ?", (entity_id,)
        rows = query_dicts(self.conn, sql, params)
        winners = winners_by_entity(
            self.conn, {(Entity(r["entity"]), r["entity_id"]) for r in rows}
        )
        standing = []
        for row in rows:
            winner_op = row.pop("winner_op")
            holder = winners.get((Entity(row["entity"]), row["entity_id"]), {}).get(row["field"])
            if holder is None or holder.op_id == winner_op:
                standing.append(row)
        return standing

    # --- consistency ----------------------------------------------------------------------------

    def dump_projection(self) -> dict[str, list[tuple[Any, ...]]]:
        dump: dict[str, list[tuple[Any, ...]]] = {}
        for table in PROJECTION_TABLES:
            columns = [row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")]
            rows = self.conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}"
            ).fetchall()
            dump[table] = [tuple(r) for r in rows]
        return dump


def holder_for(conn: sqlite3.Connection, change: Change) -> tuple[str, str, str] | None:
    """(op id, clock, device) of the op a `set` replaces — the field's greatest `set`, or else
    the create that wrote the row; it becomes the new op's `prev` (None for anything but an
    edit, or a row not here yet)."""
    if change.action is not Action.SET or change.field is None:
        return None
    row = conn.execute(
        f"SELECT {WINNERS_COLUMN}, origin_op, origin_hlc, origin_device "
        f"FROM {change.entity.value} WHERE id = ?",
        (change.entity_id,),
    ).fetchone()
    if row is None:
        return None
    winner = parse_winners(row[0]).get(change.field)
    if winner is not None:
        return (winner.op_id, winner.hlc, winner.device_id)
    return (row[1], row[2], row[3]) if row[1] else None


def seen_for(conn: sqlite3.Connection, change: Change) -> tuple[str, ...] | None:
    """The causal context of a `set`: every value its field shows here (the winner and each
    concurrent value), which the edit supersedes; None if the field has no `set` yet. For the
    `remove` of a note, evidence or visit: every value of its fields shown here (what the
    removal knew, `projection.removal_context`)."""
    if change.action is Action.REMOVE and change.entity in TOMBSTONED:
        sql = ops_of(change.entity, f"o.field, {HISTORY_COLUMNS}", "t.id = ? AND o.action = 'set'")
        by_field: dict[str, dict[str, HistoryNode]] = {}
        for name, *columns in conn.execute(sql, (change.entity_id,)).fetchall():
            node = history_node(tuple(columns))
            by_field.setdefault(name, {})[node.op_id] = node
        return removal_context(change.entity, by_field)
    if change.action is not Action.SET or change.field is None:
        return None
    sql = ops_of(change.entity, HISTORY_COLUMNS, "t.id = ? AND o.action = 'set' AND o.field = ?")
    rows = conn.execute(sql, (change.entity_id, change.field)).fetchall()
    nodes = {row[0]: history_node(row) for row in rows}
    visible = sorted(visible_values(nodes), key=lambda op_id: nodes[op_id].order)[-MAX_SEEN:]
    return tuple(sorted(visible)) or None


def work_removed(conn: sqlite3.Connection, change: Change) -> tuple[str, str, str] | None:
    """For the removal of an activity, the latest work on it held here (removed_work): the
    removal is stamped after it, so it knew of that work (rules.work_stands_against_removal)."""
    if (change.entity, change.action, change.field) != (Entity.ACTIVITY, Action.SET, "removed"):
        return None
    return latest_work(conn, change.entity_id) if change.value else None


def later_of(
    first: tuple[str, str, str] | None, second: tuple[str, str, str] | None
) -> tuple[str, str, str] | None:
    """Of two (op, clock, device), the one with the greater (clock, device)."""
    if first is None or second is None:
        return first or second
    return max(first, second, key=lambda holder: (holder[1], holder[2]))


def edit_stamp(clock: HlcStamp, holder: tuple[str, str, str] | None) -> HlcStamp:
    """The stamp of a local op: the clock, or just after the value it replaces if that is later.

    A value stamped far ahead (a fast device's 2040) is merged but its stamp is not adopted by
    the clock (ops.observe); without this, a user who changes it here would see the change
    lose to it. Only this op goes after it: the clock, and so every other edit, stays put.
    """
    if holder is None or holder[1] < str(clock):
        return clock
    return stamp_after(HlcStamp.parse(holder[1]))


def last_seq(conn: sqlite3.Connection, device_id: str) -> int:
    row = conn.execute("SELECT MAX(seq) FROM op WHERE device_id = ?", (device_id,)).fetchone()
    # Seqs a peer holds that this file lacks (restored from a copy) are never reused.
    floor = conn.execute(
        "SELECT value FROM local_setting WHERE key = ?", (SEQ_FLOOR_SETTING,)
    ).fetchone()
    return max(int(row[0] or 0), int(floor[0]) if floor else 0)


def winners_by_entity(
    conn: sqlite3.Connection, keys: set[tuple[Entity, str]]
) -> dict[tuple[Entity, str], dict[str, Winner]]:
    """Each entity's field winners (projection.Winner by field), read from its row."""
    found: dict[tuple[Entity, str], dict[str, Winner]] = {}
    for entity in sorted({entity for entity, _ in keys}):
        ids = sorted(entity_id for kind, entity_id in keys if kind is entity)
        sql = f"SELECT id, {WINNERS_COLUMN} FROM {entity.value} WHERE id IN ({{marks}})"
        for row_id, text in select_in(conn, sql, ids):
            found[(entity, row_id)] = parse_winners(text)
    return found


def operation_from_row(row: dict[str, Any]) -> Operation:
    return Operation(
        op_id=row["op_id"],
        device_id=row["device_id"],
        seq=row["seq"],
        hlc=row["hlc"],
        entity=Entity(row["entity"]),
        entity_id=row["entity_id"],
        action=Action(row["action"]),
        field=row["field"],
        value=json.loads(row["value"]),
        prev=row["prev"],
        seen=tuple(json.loads(row["seen"])) if row.get("seen") else None,
    )


def save_stamp(conn: sqlite3.Connection, stamp: HlcStamp) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO local_setting (key, value) VALUES ('hlc', ?)", (str(stamp),)
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000
