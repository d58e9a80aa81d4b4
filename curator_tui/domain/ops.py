"""Operations of the change log and the hybrid logical clock that orders them.

An operation is the unit of replication: every user change is one, and every replica's state
is the projection of the operations it has seen. Pure data and rules; the store persists them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any


class Entity(StrEnum):
    ORGANISATION = "organisation"
    ROADMAP = "roadmap"
    SECTION = "section"
    ACTIVITY = "activity"
    NOTE = "note"
    EVIDENCE = "evidence"
    VISIT = "visit"


class Action(StrEnum):
    CREATE = "create"  # a new entity with all its fields (value is a dict)
    SET = "set"  # one field takes a new value (last writer wins)
    REMOVE = "remove"  # a tombstone for an add-only set member (note, evidence, visit)


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One change, as written to the log and carried in bundles.

    A plain dataclass: ops from other devices are validated where they enter, in
    `sync.oprules`, and everything inside the program builds them itself.
    """

    op_id: str
    device_id: str
    seq: int
    hlc: str
    entity: Entity
    entity_id: str
    action: Action
    field: str | None = None
    value: Any = None
    # The op that held this field when the author wrote it: tells concurrent edits apart
    # from sequential ones when merging.
    prev: str | None = None

    @property
    def order_key(self) -> tuple[str, str]:
        """Total order used for last-writer-wins: (clock, device id)."""
        return (self.hlc, self.device_id)

    def value_json(self) -> str:
        return canonical_json(self.value)

    def to_json_line(self) -> str:
        return canonical_json(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in OPERATION_FIELDS}


OPERATION_FIELDS = tuple(f.name for f in fields(Operation))


# One encoder for the process: json.dumps builds a new one per call when given options,
# which costs more than encoding a whole operation.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """One spelling per value, so hashes and byte-for-byte comparisons are meaningful."""
    return _CANONICAL.encode(value)


def new_id() -> str:
    return uuid.uuid4().hex


def stable_id(*parts: str) -> str:
    """An id two replicas derive alike from the same content (same roadmap imported twice)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "curator:" + "\x1f".join(parts)).hex


# --- hybrid logical clock -------------------------------------------------------------------

_WALL_DIGITS = 15
_COUNTER_DIGITS = 6


@dataclass(frozen=True, order=True)
class HlcStamp:
    """Milliseconds of wall time plus a counter; text form sorts like the stamp itself."""

    wall_ms: int
    counter: int

    def __str__(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}"

    @classmethod
    def parse(cls, text: str) -> HlcStamp:
        wall, _, counter = text.partition("-")
        if len(wall) != _WALL_DIGITS or len(counter) != _COUNTER_DIGITS:
            raise ValueError(f"bad HLC stamp: {text!r}")
        return cls(int(wall), int(counter))


ZERO_STAMP = HlcStamp(0, 0)


def tick(last: HlcStamp, wall_ms: int) -> HlcStamp:
    """The stamp for a local event: never behind anything this replica has seen.

    A device whose clock is set to 2009 keeps counting on from the newest stamp it has
    seen instead of going back in time, so it cannot reorder history.
    """
    if wall_ms > last.wall_ms:
        return HlcStamp(wall_ms, 0)
    return HlcStamp(last.wall_ms, last.counter + 1)


def observe(last: HlcStamp, remote: HlcStamp) -> HlcStamp:
    """Merge a stamp received from another device into the local clock."""
    return max(last, remote)


# A clock more than this far behind what the replica has already seen looks wrong.
CLOCK_SKEW_WARNING_MS = 24 * 3600 * 1000


def clock_looks_wrong(last: HlcStamp, wall_ms: int) -> bool:
    return last.wall_ms - wall_ms > CLOCK_SKEW_WARNING_MS
