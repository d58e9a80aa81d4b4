"""Operations of the change log and the hybrid logical clock that orders them.

An operation is the unit of replication: every user change is one, and every replica's state
is the projection of the operations it has seen. Pure data and rules; the store persists them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
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
    OCCURRENCE = "occurrence"  # one window of a recurring activity, with its own status


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
#
# A stamp is «wall-counter»: 15 digits of UTC milliseconds, '-', 6 digits of counter. Its text
# sorts exactly like (wall, counter), so the log compares stamps as text, and the files already
# written keep their order. Rules that keep one wrong clock from breaking anything:
# - the order is fixed and total, and no stamp goes past STAMP_MAX: a counter that would pass
#   999999 carries into the wall part, and the wall part stops at the last millisecond of 9999
#   (every stamp stays parseable and can be shown as a date);
# - a stamp received from another device MAX_DRIFT_MS or more ahead of this computer's clock
#   is not adopted by the local clock (`observe`): the op is merged with its stamp as it is, but
#   this replica's own later stamps stay near its own clock, so one laptop set to 2040 cannot
#   drag every replica of the region there;
# - an edit always goes after the value it replaces (`stamp_after`), so a user who changes a
#   value stamped in 2040 still sees the change take effect (see Store.record).

_WALL_DIGITS = 15
_COUNTER_DIGITS = 6
MAX_COUNTER = 10**_COUNTER_DIGITS - 1
# 9999-12-31T23:59:59.999Z: the greatest wall part of any stamp. A computer whose clock reads
# later stamps at this wall, counting on; a bundle carrying a later one is refused (oprules).
MAX_WALL_MS = 253_402_300_799_999
# A received stamp this far or farther ahead of this computer's clock is not adopted. Stamps
# are UTC, so time zones do not count; a day covers a laptop set to local time with the wrong
# zone (Russia spans 11 hours) and clocks a few hours off, which still order causally.
MAX_DRIFT_MS = 24 * 3600 * 1000
# 2025-01-01T00:00:00Z: no correct clock running this program reads earlier (a school laptop
# whose battery died and came back in 2009 does).
CLOCK_FLOOR_MS = 1_735_689_600_000


class ClockExhausted(ValueError):
    """The clock is at STAMP_MAX: no later stamp exists (a clock set past 9999 made ~10⁶ edits)."""


@dataclass(frozen=True, order=True)
class HlcStamp:
    """Milliseconds of wall time plus a counter; text form sorts like the stamp itself."""

    wall_ms: int
    counter: int

    def __str__(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}"

    @classmethod
    def parse(cls, text: str) -> HlcStamp:
        """The stamp a text names; only the shape is checked (old logs may hold any 15 digits)."""
        wall, _, counter = text.partition("-")
        if not (
            len(wall) == _WALL_DIGITS
            and len(counter) == _COUNTER_DIGITS
            and (wall + counter).isascii()
            and (wall + counter).isdigit()
        ):
            raise ValueError(f"bad HLC stamp: {text!r}")
        return cls(int(wall), int(counter))


ZERO_STAMP = HlcStamp(0, 0)
STAMP_MAX = HlcStamp(MAX_WALL_MS, MAX_COUNTER)


def wall_date(wall_ms: int) -> date:
    """The UTC date of a wall part: every wall up to the ceiling has one (a local one may not)."""
    return datetime.fromtimestamp(min(max(wall_ms, 0), MAX_WALL_MS) / 1000, UTC).date()


def stamp_after(stamp: HlcStamp) -> HlcStamp:
    """The next stamp in the total order: the counter carries into the wall part."""
    if stamp >= STAMP_MAX:
        raise ClockExhausted(str(stamp))
    if stamp.counter < MAX_COUNTER:
        return HlcStamp(stamp.wall_ms, stamp.counter + 1)
    return HlcStamp(stamp.wall_ms + 1, 0)


def tick(last: HlcStamp, wall_ms: int) -> HlcStamp:
    """The stamp for a local event: never behind anything this replica has seen.

    A device whose clock is set to 2009 keeps counting on from the newest stamp it has
    seen instead of going back in time, so it cannot reorder history.
    """
    wall = min(max(wall_ms, 0), MAX_WALL_MS)
    if wall > last.wall_ms:
        return HlcStamp(wall, 0)
    return stamp_after(last)


def adoption_limit(wall_ms: int) -> str:
    """The greatest stamp (text) this computer's clock adopts from others right now.

    Its wall part is less than MAX_DRIFT_MS ahead, so even a counter carrying over from it
    leaves the clock at most MAX_DRIFT_MS ahead (clock_looks_wrong stays quiet).
    """
    return str(HlcStamp(min(max(wall_ms, 0) + MAX_DRIFT_MS - 1, MAX_WALL_MS), MAX_COUNTER))


def observe(last: HlcStamp, remote: Iterable[str], wall_ms: int) -> HlcStamp:
    """The local clock after merging stamps received from other devices (their text form).

    The newest of them less than MAX_DRIFT_MS ahead of `wall_ms` is adopted; farther ones
    are not. The texts have been checked for shape (oprules), so they compare as text.
    """
    limit = adoption_limit(wall_ms)
    newest = max((hlc for hlc in remote if hlc <= limit), default=None)
    return last if newest is None else max(last, HlcStamp.parse(newest))


# A clock more than this far behind what the replica has already seen looks wrong. The same
# span as MAX_DRIFT_MS: a correct computer only adopts stamps up to that far ahead of it, so
# receiving a stamp from a fast device never makes a correct computer look wrong.
CLOCK_SKEW_WARNING_MS = MAX_DRIFT_MS


def clock_looks_wrong(last: HlcStamp, wall_ms: int) -> bool:
    return wall_ms < CLOCK_FLOOR_MS or last.wall_ms - wall_ms > CLOCK_SKEW_WARNING_MS
