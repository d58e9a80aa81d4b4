"""What bundles need from a replica's database: every SQL statement of the sync layer.

Local bookkeeping (never replicated): what each peer is known to hold, and how far each
device's own bundles brought its history here (`peer_knowledge`, db/0009), raised by
`apply_bundle` in the import's transaction; and in `local_setting`
``sync.covered.<device>``: the highest sequence number of that device that bundles
imported here claimed to cover (a sender may leave out ops its role cannot sign, so the
op table alone would report false gaps).
Every import attempt, accepted or refused, is a row of `bundle_import`; an accepted one also
becomes each organisation's last bundle in `organisation_bundle` (what the hub dashboard and
the report show as «Пакет»), written in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from curator_tui.domain.ops import Action, Entity, Operation, observe
from curator_tui.store import peer_knowledge
from curator_tui.store.authorship import Proofs, save_proofs
from curator_tui.store.database import select_in, transaction
from curator_tui.store.entity_log import log_rows_of, ops_of
from curator_tui.store.projection import OP_COLUMNS, op_row
from curator_tui.store.projection_batch import apply_operations
from curator_tui.store.setting_keys import COVERED_PREFIX
from curator_tui.store.setting_keys import HUB_REGION_SETTING as HUB_REGION_SETTING
from curator_tui.store.store import Store, now_ms, operation_from_row, save_stamp

ORGANISATION_SETTING = "organisation_id"
ORGANISATION_NAME_SETTING = "organisation_name"

RESULT_ACCEPTED = "accepted"
RESULT_REFUSED = "refused"
RESULT_ALREADY = "already"

# The column naming the entity each kind of row belongs to (its owner in the hierarchy).
OWNER_COLUMN: dict[Entity, str] = {
    Entity.ROADMAP: "organisation_id",
    Entity.SECTION: "roadmap_id",
    Entity.ACTIVITY: "roadmap_id",
    Entity.NOTE: "activity_id",
    Entity.EVIDENCE: "activity_id",
    Entity.VISIT: "roadmap_id",
    Entity.OCCURRENCE: "activity_id",
}
STRUCTURE = (Entity.ORGANISATION, Entity.ROADMAP, Entity.SECTION, Entity.ACTIVITY)
_IN_CHUNK = 500


# --- per-device marks ---------------------------------------------------------------------


def _raise_mark(conn: sqlite3.Connection, key: str, seq: int) -> None:
    conn.execute(
        "INSERT INTO local_setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
        "SET value = excluded.value WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)",
        (key, str(seq)),
    )


def op_heads(store: Store) -> dict[str, int]:
    """The highest sequence number held in the op table, per device."""
    return store.sequence_heads()


def ops_count_between(store: Store, device_id: str, low: int, high: int) -> int:
    """How many ops of the device this replica holds with low < seq <= high."""
    row = store.conn.execute(
        "SELECT COUNT(*) FROM op WHERE device_id = ? AND seq > ? AND seq <= ?",
        (device_id, low, high),
    ).fetchone()
    return int(row[0])


# --- reading operations -------------------------------------------------------------------


def ops_after(store: Store, after: Mapping[str, int]) -> Iterator[Operation]:
    """Every op past each device's mark, in (clock, device, seq) order, streamed."""
    for row in store.db.query("SELECT * FROM op ORDER BY hlc, device_id, seq"):
        if row["seq"] > after.get(row["device_id"], 0):
            yield operation_from_row(row)


def lifecycle_ops(store: Store, entity: Entity, entity_id: str) -> list[Operation]:
    """The creates and removes of one entity: what makes a bundle self-contained for it."""
    sql = ops_of(entity, "o.*", "t.id = ? AND o.action IN (?, ?)")
    rows = store.db.query(
        sql + " ORDER BY o.hlc, o.device_id, o.seq",
        (entity_id, Action.CREATE.value, Action.REMOVE.value),
    )
    return [operation_from_row(row) for row in rows]


def structure_ops(store: Store, organisation_id: str) -> list[Operation]:
    """Ops creating and amending one organisation's roadmaps, without anyone's progress."""
    roadmaps = "SELECT id FROM roadmap WHERE organisation_id = :org"
    rows = " UNION ALL ".join(
        (
            log_rows_of(Entity.ORGANISATION, "t.id = :org"),
            log_rows_of(Entity.ROADMAP, "t.organisation_id = :org"),
            log_rows_of(Entity.SECTION, f"t.roadmap_id IN ({roadmaps})"),
            log_rows_of(Entity.ACTIVITY, f"t.roadmap_id IN ({roadmaps})"),
        )
    )
    sql = (
        f"SELECT o.* FROM ({rows}) JOIN op o ON o.rowid = op_row "
        "WHERE NOT (o.entity = 'activity' AND o.action = 'set' AND o.field = 'status') "
        "ORDER BY o.hlc, o.device_id, o.seq"
    )
    return [operation_from_row(row) for row in store.db.query(sql, {"org": organisation_id})]


def owners_of(store: Store, entity: Entity, entity_ids: Iterable[str]) -> dict[str, str]:
    """The id each entity's row names as its owner (roadmap → organisation, note → activity);
    ids without a row, or whose row names no owner, are left out. One query per 500 ids."""
    column = OWNER_COLUMN.get(entity)
    if column is None:
        return {}
    sql = f"SELECT id, {column} FROM {entity.value} WHERE id IN ({{marks}})"
    return {
        entity_id: owner
        for entity_id, owner in select_in(store.conn, sql, sorted(set(entity_ids)))
        if owner
    }


def entity_exists(store: Store, entity: Entity, entity_id: str) -> bool:
    row = store.conn.execute(f"SELECT 1 FROM {entity.value} WHERE id = ?", (entity_id,))
    return row.fetchone() is not None


def evidence_removed(store: Store, evidence_id: str) -> bool:
    row = store.conn.execute("SELECT removed FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
    return bool(row and row[0])


def evidence_file_organisations(store: Store, sha256s: Iterable[str]) -> dict[str, set[str]]:
    """The organisations whose evidence records (removed ones too) name each file's hash."""
    sql = (
        "SELECT e.sha256, r.organisation_id FROM evidence e "
        "JOIN activity a ON a.id = e.activity_id JOIN roadmap r ON r.id = a.roadmap_id "
        "WHERE e.sha256 IN ({marks})"
    )
    found: dict[str, set[str]] = {}
    for sha256, organisation in select_in(store.conn, sql, sorted(set(sha256s))):
        found.setdefault(sha256, set()).add(organisation)
    return found


def organisations(store: Store) -> list[dict[str, Any]]:
    return list(store.db.query("SELECT id, name, level FROM organisation ORDER BY name"))


def organisation_names(store: Store) -> dict[str, str]:
    return {row["id"]: row["name"] for row in organisations(store) if row["name"]}


def devices_with_keys(store: Store, public_keys: Iterable[str]) -> dict[str, str]:
    """Device id → name of the devices (other than this one) signing with these keys."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(public_keys))):
        marks = ", ".join("?" for _ in chunk)
        rows = store.conn.execute(
            f"SELECT id, name FROM device WHERE is_local = 0 AND public_key IN ({marks})", chunk
        )
        found.update((device_id, name or "") for device_id, name in rows)
    return found


def device_rows(store: Store, device_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(device_ids))):
        marks = ", ".join("?" for _ in chunk)
        for row in store.db.query(f"SELECT * FROM device WHERE id IN ({marks})", chunk):
            found[row["id"]] = row
    return found


# --- checking a bundle against what is held -----------------------------------------------


@dataclass(frozen=True)
class OpClash:
    op: Operation
    reason: str  # "same_id" (same op id, other content) or "same_seq" (other op, same slot)


class LogClash(Exception):
    """Raised inside `apply_bundle` (rolling it back) when an op contradicts the log."""

    def __init__(self, clash: OpClash) -> None:
        super().__init__(clash.reason)
        self.clash = clash


def clashing_ops(store: Store, ops: Iterable[Operation]) -> Iterator[OpClash]:
    """Ops that contradict the log: a known op id with other content, or a taken (device, seq)."""
    return clashes_in(store.conn, ops)


def clashes_in(conn: sqlite3.Connection, ops: Iterable[Operation]) -> Iterator[OpClash]:
    ops = list(ops)
    if not ops:
        return
    by_id, by_slot = _logged_rows(conn, ops)
    for op in ops:
        row = by_id.get(op.op_id) or by_slot.get((op.device_id, op.seq))
        if row is None:
            continue
        if row[0] != op.op_id:
            yield OpClash(op, "same_seq")
        elif row[1:] != op_row(op)[1:]:
            yield OpClash(op, "same_id")


def _logged_rows(
    conn: sqlite3.Connection, ops: list[Operation]
) -> tuple[dict[str, tuple[Any, ...]], dict[tuple[str, int], tuple[Any, ...]]]:
    """The log's rows (op_row order) sharing an id, or a (device, seq) slot, with `ops`."""
    select = f"SELECT {', '.join(OP_COLUMNS)} FROM op WHERE "
    ids = [op.op_id for op in ops]
    by_id = {row[0]: row for row in select_in(conn, select + "op_id IN ({marks})", ids)}
    seqs: dict[str, list[int]] = {}
    for op in ops:
        seqs.setdefault(op.device_id, []).append(op.seq)
    by_slot: dict[tuple[str, int], tuple[Any, ...]] = {}
    for device_id, device_seqs in seqs.items():
        sql = select + "device_id = ? AND seq IN ({marks})"
        by_slot.update(((r[1], r[2]), r) for r in select_in(conn, sql, device_seqs, device_id))
    return by_id, by_slot


def foreign_own_ops(store: Store, ops: Iterable[Operation], device_id: str) -> list[str]:
    """Ids of ops claiming to be by `device_id` (this replica) that it cannot have made.

    Up to this device's contiguous head every seq is one it made, so another op there is
    forged. Past it, its own ops from before a restore from a copy come back from peers:
    accepted while they continue its history without a gap (log and bundle together); one
    beyond a gap is not its history coming back. A slot held by another op is a clash."""
    unknown = [
        op
        for op in ops
        if op.device_id == device_id
        and store.conn.execute("SELECT 1 FROM op WHERE op_id = ?", (op.op_id,)).fetchone() is None
    ]
    if not unknown:
        return []
    made = peer_knowledge.contiguous_from(store.conn, device_id, 0)
    present = {op.seq for op in ops if op.device_id == device_id} | {
        seq
        for (seq,) in store.conn.execute(
            "SELECT seq FROM op WHERE device_id = ? AND seq > ?", (device_id, made)
        )
    }
    reach = made
    while reach + 1 in present:
        reach += 1
    return [op.op_id for op in unknown if not made < op.seq <= reach]


def stamps_of(store: Store, op_ids: Iterable[str]) -> dict[str, str]:
    """Clock stamps of the ops this replica holds among `op_ids`."""
    sql = "SELECT op_id, hlc FROM op WHERE op_id IN ({marks})"
    return dict(select_in(store.conn, sql, sorted(set(op_ids))))


def bundle_accepted(store: Store, bundle_id: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM bundle_import WHERE bundle_id = ? AND result = ? LIMIT 1",
        (bundle_id, RESULT_ACCEPTED),
    ).fetchone()
    return row is not None


# --- recording imports ----------------------------------------------------------------------


@dataclass
class ImportRecord:
    """One row of `bundle_import`."""

    bundle_id: str
    signer: str
    device_id: str
    result: str
    counts: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    # Accepted only: the organisations this bundle counts as heard from (those it touches).
    organisations: list[str] = field(default_factory=list)
    imported_at: str | None = None  # ISO 8601 UTC; None: now


@dataclass(frozen=True)
class BundleApplied:
    applied: int
    duplicates: int
    conflicts: int  # conflict rows that involve an op of this bundle
    own_ahead: int = 0  # the signer holds this device's ops up to here, this file does not


@dataclass(frozen=True)
class PeerClaims:
    """What a bundle tells about its signer, for per-peer delivery (peer_knowledge)."""

    signer_id: str
    signer_key: str  # the public key line the manifest names for the signer's device
    holds: Mapping[str, int]  # the manifest's `holds`
    own_range: tuple[int, int] | None = None  # a changes bundle's range of the signer's ops
    coordinator: bool = False  # the signer is trusted here as a coordinator


# A peer claiming more of this device's ops than this file holds is believed (a restore from
# a copy) only within this distance: a signer cannot push the numbering to its end.
MAX_RESTORED_OPS = 1_000_000


def record_import(store: Store, record: ImportRecord) -> None:
    with transaction(store.conn) as conn:
        _insert_record(conn, record)


def _insert_record(conn: sqlite3.Connection, record: ImportRecord) -> None:
    imported_at = record.imported_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.execute(
        "INSERT INTO bundle_import (bundle_id, imported_at, signer, device_id, result, counts, "
        "message) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            record.bundle_id,
            imported_at,
            record.signer,
            record.device_id,
            record.result,
            json.dumps(record.counts, ensure_ascii=False, sort_keys=True),
            record.message,
        ),
    )
    if record.result == RESULT_ACCEPTED:
        _credit_organisations(conn, record, imported_at)


def _credit_organisations(conn: sqlite3.Connection, record: ImportRecord, imported_at: str) -> None:
    """Make this bundle the last one of every organisation it touched.

    `>=`: of two imports in the same second the later one wins, as a reader would expect.
    """
    conn.executemany(
        "INSERT INTO organisation_bundle (organisation_id, bundle_id, device_id, imported_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id) DO UPDATE SET "
        "bundle_id = excluded.bundle_id, device_id = excluded.device_id, "
        "imported_at = excluded.imported_at WHERE excluded.imported_at >= imported_at",
        [
            (org_id, record.bundle_id, record.device_id, imported_at)
            for org_id in sorted(set(record.organisations))
        ],
    )


def apply_bundle(
    store: Store,
    ops: list[Operation],
    record: ImportRecord,
    *,
    covered: Mapping[str, int],
    devices: Mapping[str, tuple[str, str, str]],
    claims: PeerClaims,
    proofs: Proofs | None = None,
) -> BundleApplied:
    """Merge a verified bundle's ops and record the import, all in one transaction.

    Also: remember the devices named in the bundle (name, role, key) so history shows them;
    raise the covered marks; learn what the signer holds (`learn_from_peer`); and store the
    proofs of authorship it brought (chain values, attestations, key bindings).
    """
    ordered = sorted(ops, key=lambda o: (o.hlc, o.device_id, o.seq))
    with transaction(store.conn) as conn:
        stamp = store.last_stamp(conn)
        applied = apply_operations(conn, ordered)
        refuse_clashes(conn, ops, applied)
        stamp = observe(stamp, (op.hlc for op in applied), now_ms())
        save_stamp(conn, stamp)
        own_ahead = learn_from_peer(conn, store.device_id, ops, claims)
        if proofs is not None:
            save_proofs(conn, proofs)
        for device_id, seq in covered.items():
            _raise_mark(conn, COVERED_PREFIX + device_id, seq)
        for device_id, (name, role, public_key) in devices.items():
            conn.execute(
                "INSERT OR IGNORE INTO device (id, name, role, public_key, is_local) "
                "VALUES (?, ?, ?, ?, 0)",
                (device_id, name, role, public_key),
            )
        conflicts = _conflicts_involving(conn, [op.op_id for op in ops])
        record.counts.update(applied=len(applied), duplicates=len(ops) - len(applied))
        record.counts["conflicts"] = conflicts
        _insert_record(conn, record)
    return BundleApplied(len(applied), len(ops) - len(applied), conflicts, own_ahead)


def learn_from_peer(
    conn: sqlite3.Connection, own_id: str, ops: list[Operation], claims: PeerClaims
) -> int:
    """What the signer holds: its `holds`, and every op it sent (contiguously); all of it
    relearned when it holds less of itself than it did (restored from a copy). Its own
    history as far as its bundle brought it here, counting what its role never exports.
    Returns how far the signer holds this device's own ops past this file (0: not past)."""
    signer = claims.signer_id
    if not _speaks_for(conn, signer, claims.signer_key):
        return 0
    if claims.holds:  # bundles from before `holds` claim nothing (absent: holds none)
        peer_knowledge.forget_if_restored(conn, signer, claims.holds)
    peer_knowledge.raise_knowledge(conn, signer, claims.holds)
    peer_knowledge.raise_knowledge(conn, signer, _sent_through(conn, signer, ops))
    if claims.own_range is not None and signer in claims.holds:
        start, end = claims.own_range
        held = peer_knowledge.held_through(conn, [signer]).get(signer, 0)
        if start <= held + 1:
            peer_knowledge.raise_coverage(conn, signer, min(end, claims.holds[signer]))
    if claims.coordinator:
        peer_knowledge.remember_coordinator(conn, signer)
    claimed = claims.holds.get(own_id, 0)
    top = conn.execute("SELECT MAX(seq) FROM op WHERE device_id = ?", (own_id,)).fetchone()[0]
    if claimed <= int(top or 0) or claimed - int(top or 0) > MAX_RESTORED_OPS:
        return 0  # the usual case, read through the index: nothing of this device is missing
    peer_knowledge.reserve_own_seqs(conn, claimed)
    return claimed


def _speaks_for(conn: sqlite3.Connection, device_id: str, public_key: str) -> bool:
    """Whether the signer is the device it names: a device known here by another key is not
    (a trusted signer cannot tell what some other peer holds)."""
    row = conn.execute("SELECT public_key FROM device WHERE id = ?", (device_id,)).fetchone()
    return row is None or not row[0] or row[0] == public_key


def _sent_through(conn: sqlite3.Connection, peer: str, ops: list[Operation]) -> dict[str, int]:
    """Per device, how far the ops a peer sent extend what it is known to hold."""
    seqs: dict[str, set[int]] = {}
    for op in ops:
        seqs.setdefault(op.device_id, set()).add(op.seq)
    known = peer_knowledge.knowledge_of(conn, peer, seqs)
    reached: dict[str, int] = {}
    for device_id, present in seqs.items():
        seq = known.get(device_id, 0)
        while seq + 1 in present:
            seq += 1
        reached[device_id] = seq
    return reached


def refuse_clashes(
    conn: sqlite3.Connection, ops: list[Operation], applied: list[Operation]
) -> None:
    """Raise LogClash if an op the log did not take contradicts it.

    The log takes an op unless its id or its (device, seq) slot is held already, so only
    those are read back: a new bundle costs no lookup. The caller's transaction rolls back.
    """
    taken = {op.op_id for op in applied}
    for clash in clashes_in(conn, [op for op in ops if op.op_id not in taken]):
        raise LogClash(clash)


def _conflicts_involving(conn: sqlite3.Connection, op_ids: list[str]) -> int:
    total = 0
    for chunk in _chunks(op_ids):
        marks = ", ".join("?" for _ in chunk)
        row = conn.execute(
            f"SELECT COUNT(*) FROM conflict WHERE winner_op IN ({marks}) OR loser_op IN ({marks})",
            (*chunk, *chunk),
        ).fetchone()
        total += int(row[0])
    return total


def import_history(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """The latest import attempts, newest first (for the sync screen)."""
    rows = store.db.query(
        "SELECT * FROM bundle_import ORDER BY imported_at DESC, rowid DESC LIMIT ?", (limit,)
    )
    return [{**row, "counts": json.loads(row["counts"] or "{}")} for row in rows]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]
