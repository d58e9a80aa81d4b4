"""What proves who made each op: hash chains, attestations and key bindings (db/0010).

Every device's ops form a chain: link(0) = 32 zero bytes, link(seq) = SHA-256(link(seq-1) ||
SHA-256(the op's canonical line)). The device signs (device, seq, link(seq)) with its key
(an attestation); whoever holds a run of the chain and an attestation at its end can show any
receiver that those ops, stamps and numbers are the author's (docs/bundle-format.md,
«Authorship»). This module keeps the chain values, attestations and keys; checking signatures
is the sync layer's (sync/authorship.py).
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from curator_tui.domain.ops import Operation
from curator_tui.store.database import select_in, transaction
from curator_tui.store.store import Store, operation_from_row

ZERO_LINK = bytes(32)


def op_digest(op: Operation) -> bytes:
    return hashlib.sha256(op.to_json_line().encode("utf-8")).digest()


def next_link(previous: bytes, digest: bytes) -> bytes:
    return hashlib.sha256(previous + digest).digest()


@dataclass(frozen=True)
class Attestation:
    device_id: str
    seq: int
    head: bytes
    signature: bytes


@dataclass(frozen=True)
class Segment:
    """A proved run of one device's chain: base = link(start - 1), digests of start…end."""

    device_id: str
    start: int
    base: bytes
    digests: tuple[bytes, ...]

    @property
    def end(self) -> int:
        return self.start + len(self.digests) - 1

    @functools.cached_property
    def rows(self) -> tuple[tuple[int, bytes, bytes], ...]:
        """(seq, digest, link) for every seq of the run."""
        rows = []
        link = self.base
        for offset, digest in enumerate(self.digests):
            link = next_link(link, digest)
            rows.append((self.start + offset, digest, link))
        return tuple(rows)

    @property
    def head(self) -> bytes:
        return self.rows[-1][2] if self.rows else self.base


@dataclass
class Proofs:
    """What an accepted bundle adds to this replica's proofs, written with its ops."""

    segments: list[Segment] = field(default_factory=list)
    attestations: list[Attestation] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)


def save_proofs(conn: sqlite3.Connection, proofs: Proofs) -> None:
    save_segments(conn, proofs.segments)
    save_attestations(conn, proofs.attestations)
    bind_keys(conn, proofs.keys)


# --- keys -----------------------------------------------------------------------------------


def bound_keys(conn: sqlite3.Connection, device_ids: Iterable[str]) -> dict[str, str]:
    """The key each device is bound to here (this device: its own key)."""
    ids = sorted(set(device_ids))
    found = dict(
        select_in(
            conn, "SELECT device_id, public_key FROM author_key WHERE device_id IN ({marks})", ids
        )
    )
    own = conn.execute(
        "SELECT id, public_key FROM device WHERE is_local = 1 AND public_key <> ''"
    ).fetchone()
    if own is not None and own[0] in ids:
        found[own[0]] = own[1]
    return found


def bind_keys(conn: sqlite3.Connection, keys: Mapping[str, str]) -> None:
    """Bind devices to keys; a device bound already keeps its key."""
    conn.executemany(
        "INSERT OR IGNORE INTO author_key (device_id, public_key) VALUES (?, ?)",
        sorted(keys.items()),
    )


# --- chains ---------------------------------------------------------------------------------


def stored_links(conn: sqlite3.Connection, device_id: str, seqs: Iterable[int]) -> dict[int, bytes]:
    """seq → link of the chain values stored among `seqs`."""
    sql = "SELECT seq, link FROM op_link WHERE device_id = ? AND seq IN ({marks})"
    return dict(select_in(conn, sql, sorted(set(seqs)), device_id))


def stored_digests(
    conn: sqlite3.Connection, device_id: str, seqs: Iterable[int]
) -> dict[int, bytes]:
    """seq → digest of the ops whose digests are stored among `seqs`."""
    sql = (
        "SELECT seq, digest FROM op_link WHERE device_id = ? AND digest IS NOT NULL "
        "AND seq IN ({marks})"
    )
    return dict(select_in(conn, sql, sorted(set(seqs)), device_id))


def save_segments(conn: sqlite3.Connection, segments: Iterable[Segment]) -> None:
    """Store proved chain values; a base known before without its digest gets it now."""
    rows: list[tuple[str, int, bytes | None, bytes]] = []
    for segment in segments:
        if segment.start > 1:
            rows.append((segment.device_id, segment.start - 1, None, segment.base))
        rows.extend((segment.device_id, s, d, link) for s, d, link in segment.rows)
    conn.executemany(
        "INSERT INTO op_link (device_id, seq, digest, link) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (device_id, seq) DO UPDATE SET digest = COALESCE(digest, excluded.digest)",
        rows,
    )


def save_attestations(conn: sqlite3.Connection, attestations: Iterable[Attestation]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO attestation (device_id, seq, head, signature) VALUES (?, ?, ?, ?)",
        [(a.device_id, a.seq, a.head, a.signature) for a in attestations],
    )


def own_chain_head(store: Store) -> tuple[int, bytes]:
    """Chain this device's own ops as far as it holds them without a gap; (seq, link) of the
    head. Ops already chained are not hashed again."""
    conn, device_id = store.conn, store.device_id
    row = conn.execute(
        "SELECT seq, link FROM op_link WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
        (device_id,),
    ).fetchone()
    seq, link = (int(row[0]), bytes(row[1])) if row else (0, ZERO_LINK)
    new: list[bytes] = []
    start = seq + 1
    rows = list(
        store.db.query(
            "SELECT * FROM op WHERE device_id = ? AND seq > ? ORDER BY seq", (device_id, seq)
        )
    )
    for op_row in rows:
        if op_row["seq"] != seq + 1:
            break
        new.append(op_digest(operation_from_row(op_row)))
        seq += 1
    if new:
        segment = Segment(device_id, start, link, tuple(new))
        with transaction(conn) as write:
            save_segments(write, [segment])
        link = segment.head
    return seq, link


def own_attestation(store: Store, seq: int) -> Attestation | None:
    row = store.conn.execute(
        "SELECT head, signature FROM attestation WHERE device_id = ? AND seq = ?",
        (store.device_id, seq),
    ).fetchone()
    return None if row is None else Attestation(store.device_id, seq, row[0], row[1])


def record_own_attestation(store: Store, attestation: Attestation) -> None:
    with transaction(store.conn) as conn:
        save_attestations(conn, [attestation])


@dataclass(frozen=True)
class Window:
    """What a relay can prove of one device for a receiver: ops start…end, with the chain
    value before them, the digests of every seq, and the attestations in that run (the last
    at end)."""

    start: int
    base: bytes
    digests: dict[int, bytes]
    heads: tuple[Attestation, ...]

    @property
    def attestation(self) -> Attestation:
        return self.heads[-1]

    def ending_at(self, attestation: Attestation) -> Window:
        heads = tuple(a for a in self.heads if a.seq <= attestation.seq)
        digests = {s: d for s, d in self.digests.items() if s <= attestation.seq}
        return Window(self.start, self.base, digests, heads)


def provable_window(conn: sqlite3.Connection, device_id: str, start: int) -> Window | None:
    """The first run of stored chain values from `start` on (or later, when this replica
    lacks what comes before) that ends at an attested head, as far as the latest one."""
    attested = {
        int(seq): (bytes(head), bytes(sig))
        for seq, head, sig in conn.execute(
            "SELECT seq, head, signature FROM attestation WHERE device_id = ? AND seq >= ?",
            (device_id, start),
        )
    }
    if not attested:
        return None
    rows = conn.execute(
        "SELECT seq, digest, link FROM op_link WHERE device_id = ? AND seq >= ? ORDER BY seq",
        (device_id, start - 1),
    ).fetchall()
    base: tuple[int, bytes] | None = (0, ZERO_LINK) if start == 1 else None
    digests: dict[int, bytes] = {}
    heads: list[Attestation] = []
    previous = 0
    for seq, digest, link in rows:
        if base is not None and seq == previous + 1 and digest is not None:
            digests[seq] = bytes(digest)
            previous = seq
            proof = attested.get(seq)
            if proof is not None and proof[0] == bytes(link):
                heads.append(Attestation(device_id, seq, *proof))
            continue
        if heads:
            break
        base, digests, previous = (seq, bytes(link)), {}, seq
    if base is None or not heads:
        return None
    return Window(base[0] + 1, base[1], digests, tuple(heads)).ending_at(heads[-1])


def ops_between(store: Store, device_id: str, low: int, high: int) -> list[Operation]:
    rows = store.db.query(
        "SELECT * FROM op WHERE device_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
        (device_id, low, high),
    )
    return [operation_from_row(row) for row in rows]


def held_op_ids(conn: sqlite3.Connection, op_ids: Iterable[str]) -> set[str]:
    """The ids among `op_ids` this replica's log holds."""
    sql = "SELECT op_id FROM op WHERE op_id IN ({marks})"
    return set(select_in(conn, sql, sorted(set(op_ids))))


def adopt_device_id(store: Store, device_id: str) -> bool:
    """Give this replica's device the id made from its key, if nothing has used the random
    one it was opened with yet (no key, no ops): True if it did."""
    old = store.device_id
    if old == device_id:
        return False
    used = store.conn.execute(
        "SELECT 1 FROM device WHERE id = ? AND public_key <> '' UNION ALL "
        "SELECT 1 FROM op WHERE device_id = ? LIMIT 1",
        (old, old),
    ).fetchone()
    if used is not None:
        return False
    with transaction(store.conn) as conn:
        conn.execute("UPDATE local_setting SET value = ? WHERE key = 'device_id'", (device_id,))
        conn.execute("UPDATE device SET id = ? WHERE id = ?", (device_id, old))
    store._device_id = None  # read again: the id a Store caches is this one's to change
    return True
