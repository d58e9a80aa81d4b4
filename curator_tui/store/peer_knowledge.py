"""What each replica holds, and what it knows its peers hold (db/0009): per-peer delivery.

- *Holds*: per author device, the highest seq h such that every seq 1…h is in this log or was
  passed over by that author's own bundle (an op its role never exports: nobody will ever send
  it). Computed from the log, never from the highest seq: a relay claims only what it has.
- *Knowledge*: per peer, per author device, the highest contiguous seq the peer is known to
  hold (its bundles' `holds`, and the ops it sent). An export for a peer carries every op past
  it; nothing moves on export, so what was lost or refused goes again until acknowledged.
- *Gaps*: ops held past a missing seq; derived from the log, so remembered until filled.

Plain sqlite3 only: the home screen's «не выгружено» count is read while the list paints.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from curator_tui.store.database import transaction
from curator_tui.store.setting_keys import SEQ_FLOOR_SETTING

# The default receiver of a file migrated from the old per-replica export marks (db/0009).
LEGACY_PEER = ""
COORDINATOR_DEVICE_SETTING = "sync.coordinator_device"  # the last coordinator heard from
MAX_GAPS_LISTED = 20  # per device


@dataclass(frozen=True)
class Receiver:
    """Whom an export is for: a peer device, the default (the coordinator), or nobody known."""

    peer_id: str | None  # None: not known yet, so it gets everything
    name: str = ""
    default: bool = False  # also what the pre-v9 marks said was exported (LEGACY_PEER)


@dataclass(frozen=True)
class Gap:
    device_id: str
    first: int  # the missing seqs, inclusive
    last: int
    held: int  # the device's highest seq held here


# --- what this replica holds ------------------------------------------------------------------


def device_ids(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT DISTINCT device_id FROM op")]


def held_through(conn: sqlite3.Connection, devices: Iterable[str] | None = None) -> dict[str, int]:
    """Per device: the highest seq up to which this replica holds its whole history."""
    coverage = dict(conn.execute("SELECT device_id, seq FROM author_coverage").fetchall())
    chosen = set(device_ids(conn) if devices is None else devices)
    if devices is None:
        chosen |= set(coverage)
    held = {d: contiguous_from(conn, d, int(coverage.get(d, 0))) for d in sorted(chosen)}
    return {d: h for d, h in held.items() if h > 0}


def contiguous_from(conn: sqlite3.Connection, device_id: str, start: int) -> int:
    """The highest seq reached from `start` through the device's ops without a missing one."""
    count, highest = conn.execute(
        "SELECT COUNT(*), MAX(seq) FROM op WHERE device_id = ? AND seq > ?", (device_id, start)
    ).fetchone()
    if not count:
        return start
    if highest - start == count:
        return int(highest)  # the usual case: nothing missing
    if (
        conn.execute(
            "SELECT 1 FROM op WHERE device_id = ? AND seq = ?", (device_id, start + 1)
        ).fetchone()
        is None
    ):
        return start
    row = conn.execute(
        "SELECT MIN(o.seq) FROM op o WHERE o.device_id = ? AND o.seq > ? AND NOT EXISTS "
        "(SELECT 1 FROM op n WHERE n.device_id = o.device_id AND n.seq = o.seq + 1)",
        (device_id, start),
    ).fetchone()
    return int(row[0])


def raise_coverage(conn: sqlite3.Connection, device_id: str, seq: int) -> None:
    conn.execute(
        "INSERT INTO author_coverage (device_id, seq) VALUES (?, ?) ON CONFLICT (device_id) "
        "DO UPDATE SET seq = excluded.seq WHERE excluded.seq > seq",
        (device_id, seq),
    )


def sequence_gaps(conn: sqlite3.Connection) -> list[Gap]:
    """Every run of missing seqs that has ops after it, per device (the first few of each)."""
    heads = dict(conn.execute("SELECT device_id, MAX(seq) FROM op GROUP BY device_id").fetchall())
    held = held_through(conn, heads)
    gaps: list[Gap] = []
    for device_id, top in sorted(heads.items()):
        expected = held.get(device_id, 0) + 1
        if top < expected:
            continue
        found = 0
        rows = conn.execute(
            "SELECT seq FROM op WHERE device_id = ? AND seq >= ? ORDER BY seq",
            (device_id, expected),
        )
        for (seq,) in rows:
            if seq > expected:
                gaps.append(Gap(device_id, expected, seq - 1, int(top)))
                found += 1
                if found >= MAX_GAPS_LISTED:
                    break
            expected = seq + 1
    return gaps


def gap_lines(conn: sqlite3.Connection) -> list[str]:
    """The gaps for people (`curator doctor`, the sync screen); [] when there are none."""
    gaps = sequence_gaps(conn)
    if not gaps:
        return []
    lines = ["Пропуски в изменениях (недостающие придут с другими пакетами):"]
    for gap in gaps:
        name = device_name(conn, gap.device_id) or "—"
        missing = f"№ {gap.first}" if gap.first == gap.last else f"№ {gap.first}–{gap.last}"
        lines.append(
            f"  устройство «{name}» ({gap.device_id[:8]}): нет {missing}, есть до № {gap.held}"
        )
    return lines


# --- what peers hold --------------------------------------------------------------------------


def known_to(conn: sqlite3.Connection, receiver: Receiver) -> dict[str, int]:
    """Per author device, what the receiver is known to hold ({} for an unknown receiver)."""
    peers = [receiver.peer_id] if receiver.peer_id is not None else []
    if receiver.default:
        peers.append(LEGACY_PEER)
    known: dict[str, int] = {}
    for peer in peers:
        for device_id, seq in conn.execute(
            "SELECT device_id, seq FROM peer_knowledge WHERE peer_id = ?", (peer,)
        ):
            known[device_id] = max(known.get(device_id, 0), int(seq))
    return known


def raise_knowledge(conn: sqlite3.Connection, peer_id: str, seqs: Mapping[str, int]) -> None:
    """The peer holds at least this much of each device (never lowered by an older claim)."""
    conn.executemany(
        "INSERT INTO peer_knowledge (peer_id, device_id, seq) VALUES (?, ?, ?) "
        "ON CONFLICT (peer_id, device_id) DO UPDATE SET seq = excluded.seq "
        "WHERE excluded.seq > seq",
        [(peer_id, device_id, seq) for device_id, seq in sorted(seqs.items()) if seq > 0],
    )


def forget_if_restored(conn: sqlite3.Connection, peer_id: str, holds: Mapping[str, int]) -> bool:
    """A peer that says it holds less of its own history than it was known to hold was
    restored from a copy (or this is an older bundle of its): what it was thought to hold
    is forgotten and learned again from this bundle. At worst, a redundant resend."""
    known = knowledge_of(conn, peer_id, [peer_id]).get(peer_id, 0)
    if holds.get(peer_id, 0) >= known:
        return False
    conn.execute("DELETE FROM peer_knowledge WHERE peer_id = ?", (peer_id,))
    return True


def knowledge_of(conn: sqlite3.Connection, peer_id: str, devices: Iterable[str]) -> dict[str, int]:
    wanted = set(devices)
    rows = conn.execute("SELECT device_id, seq FROM peer_knowledge WHERE peer_id = ?", (peer_id,))
    return {d: int(s) for d, s in rows if d in wanted}


def told_to(conn: sqlite3.Connection, peer_id: str) -> dict[str, int]:
    """What this replica's last bundle written for the peer said it holds."""
    rows = conn.execute("SELECT device_id, seq FROM peer_told WHERE peer_id = ?", (peer_id,))
    return {d: int(s) for d, s in rows}


def remember_told(conn: sqlite3.Connection, peer_id: str, holds: Mapping[str, int]) -> None:
    with transaction(conn):
        conn.executemany(
            "INSERT INTO peer_told (peer_id, device_id, seq) VALUES (?, ?, ?) "
            "ON CONFLICT (peer_id, device_id) DO UPDATE SET seq = excluded.seq",
            [(peer_id, d, seq) for d, seq in sorted(holds.items())],
        )


# --- whom exports are for ---------------------------------------------------------------------


def remember_coordinator(conn: sqlite3.Connection, device_id: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)",
        (COORDINATOR_DEVICE_SETTING, device_id),
    )


def default_receiver(conn: sqlite3.Connection) -> Receiver:
    """The coordinator this replica last heard from (None until it has)."""
    row = conn.execute(
        "SELECT value FROM local_setting WHERE key = ?", (COORDINATOR_DEVICE_SETTING,)
    ).fetchone()
    peer = row[0] if row else None
    return Receiver(peer, device_name(conn, peer) if peer else "", default=True)


def device_name(conn: sqlite3.Connection, device_id: str) -> str:
    row = conn.execute("SELECT name FROM device WHERE id = ?", (device_id,)).fetchone()
    return str(row[0] or "") if row else ""


def unsent_count(conn: sqlite3.Connection) -> int | None:
    """Ops the default receiver is not known to hold; None for a file without `curator init`
    (it exports nothing). One range count per device through the (device_id, seq) index."""
    row = conn.execute("SELECT role FROM device WHERE is_local = 1").fetchone()
    if row is None or not row[0]:
        return None
    known = known_to(conn, default_receiver(conn))
    total = 0
    for device_id in device_ids(conn):
        total += conn.execute(
            "SELECT COUNT(*) FROM op WHERE device_id = ? AND seq > ?",
            (device_id, known.get(device_id, 0)),
        ).fetchone()[0]
    return int(total)


# --- this device's own numbering --------------------------------------------------------------


def reserve_own_seqs(conn: sqlite3.Connection, seq: int) -> None:
    """A peer holds this device's ops up to `seq` that this file lacks (restored from a copy):
    new changes are numbered after them, so nothing is split (Store.last_seq)."""
    conn.execute(
        "INSERT INTO local_setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
        "SET value = excluded.value WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)",
        (SEQ_FLOOR_SETTING, str(seq)),
    )
