"""The projection's rule book: what the state tables hold for a log of operations.

Pure rules and constants, no SQL; `projection_batch.apply_operations` is the engine that
applies them (the only code that writes the state tables), and reads them from here:
- a field takes the value of its `set` with the greatest (clock, device id) — `Winner`, kept
  per row as `winners_text`; the entity's latest creating operation holds every field no
  `set` has taken (a create never undoes an explicit edit: the same content-derived entity
  may be created on two replicas);
- notes, evidence and visits are add-only sets (TOMBSTONED): `remove` leaves a tombstone;
- two values of one field that no known edit supersedes are a conflict (`conflicts_in`, a
  multi-value register over the field's `HistoryNode`s and their causal contexts);
- an edit of a removed entity the removal did not know of is a conflict too, of the pseudo
  field REMOVED (`removal_conflicts`): an annotation of removed evidence is never lost unseen;
- derived columns are functions of the row's own fields: a roadmap's period, an activity's
  schedule (from its deadline text and its roadmap's period) and search text.
Applying is idempotent and independent of arrival order, so replaying the log rebuilds the
same tables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from curator_tui.domain.fields import ENTITIES, all_fields
from curator_tui.domain.holidays import DEFAULT_HOLIDAYS, SchoolHolidays
from curator_tui.domain.models import Period, Schedule, ScheduleKind
from curator_tui.domain.ops import MAX_SEEN, Action, Entity, Operation, canonical_json

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
    "seen",
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
        seen_text(op.seen),
    )


def conflicts_in(nodes: dict[str, HistoryNode]) -> list[tuple[str, str]]:
    """(winner op, loser op) of every conflict in one field's history, a multi-value register.

    The field's values are its `set`s that no known op of it supersedes (`superseded_in`);
    each one other than the winner (the greatest `set`, last writer wins) whose value differs
    is a conflict. The rows are a pure function of the ops known here, recomputed whenever
    one of the field's `set`s or its entity's creates arrives, so every replica holding the
    same ops has the same rows, whatever the arrival order.

    While a gap is open (a context names an op not here yet) the missing op may have
    superseded any value older than the op naming it (an edit is stamped after everything it
    supersedes): those are not shown until it arrives, so no conflict is invented that the
    gap's closing would take back.
    """
    sets = [n for n in nodes.values() if n.is_set]
    if len(sets) < 2:
        return []
    winner = max(sets, key=lambda n: n.order)
    superseded = superseded_in(nodes)
    gap_edge = max((n.order for n in sets if not n.context <= nodes.keys()), default=None)
    return sorted(
        (winner.op_id, n.op_id)
        for n in sets
        if n.op_id not in superseded
        and n.value != winner.value
        and (gap_edge is None or n.order >= gap_edge)
    )


# The conflict rows' field for a removal against the edits it did not know of (no op sets it).
REMOVED = "removed"


# An op of a tombstoned entity as `removal_conflicts` reads it: (action, field, node).
EntityOp = tuple[str, str | None, "HistoryNode"]


def removal_conflicts(entity: Entity, ops: list[EntityOp]) -> list[tuple[str, str]]:
    """(remove op, edit op) of every edit of a removed entity that stands against its removal.

    The values of each field the rules know (its `set`s no known edit of it supersedes)
    that no removal knew of (`removal_knew`) are each one row, against the greatest removal.
    A remove op names what its replica showed of the entity's fields (`removal_context`), so
    an edit that had reached the remover is none; a remove op of an older release names
    nothing, and an edit from elsewhere is then shown (once too often rather than lost
    unseen). A pure function of the entity's known ops, so every replica holding them has
    the same rows.
    """
    removes = [node for action, _, node in ops if action == Action.REMOVE.value]
    if not removes or entity not in TOMBSTONED:
        return []
    edits: dict[str, dict[str, HistoryNode]] = {}
    for action, name, node in ops:
        if action == Action.SET.value and name in FIELDS[entity]:
            edits.setdefault(name, {})[node.op_id] = node
    winner = max(removes, key=lambda n: n.order)
    return sorted(
        (winner.op_id, op_id)
        for nodes in edits.values()
        for op_id in visible_values(nodes)
        if not any(removal_knew(remove, nodes[op_id]) for remove in removes)
    )


def removal_knew(remove: HistoryNode, edit: HistoryNode) -> bool:
    """The removal knew of the edit: made on the same device (one device's ops are
    sequential), named by the removal's causal context, or made knowing of the removal."""
    return (
        remove.order[1] == edit.order[1]
        or edit.op_id in remove.context
        or remove.op_id in edit.context
    )


def removal_context(
    entity: Entity, by_field: dict[str, dict[str, HistoryNode]]
) -> tuple[str, ...] | None:
    """What a removal of the entity knows: every value of each of its fields shown where it is
    made (the `set`s no known edit supersedes), at most MAX_SEEN of the latest; None if none.
    An edit the removal names this way is no conflict with it anywhere."""
    values = [
        nodes[op_id]
        for name, nodes in by_field.items()
        if name in FIELDS[entity]
        for op_id in visible_values(nodes)
    ]
    latest = sorted(values, key=lambda node: node.order)[-MAX_SEEN:]
    return tuple(sorted(node.op_id for node in latest)) or None


def superseded_in(nodes: dict[str, HistoryNode]) -> set[str]:
    """The ops of a field's history some known op of it supersedes.

    An edit supersedes its causal context. An edit of a release before causal contexts
    names only the value it replaced (`prev`); it is taken to supersede every edit that value
    had beaten too, as those releases judged (it may hide a conflict, never invents one).
    """
    found: set[str] = set()
    for node in nodes.values():
        found |= node.context
        replaced = nodes.get(node.prev or "") if node.seen is None else None
        if replaced is not None and replaced.is_set:
            found |= {n.op_id for n in nodes.values() if n.is_set and n.order < replaced.order}
    return found


def visible_values(nodes: dict[str, HistoryNode]) -> list[str]:
    """The `set`s of one field no known op supersedes: what a new edit of it supersedes."""
    superseded = superseded_in(nodes)
    return sorted(n.op_id for n in nodes.values() if n.is_set and n.op_id not in superseded)


@dataclass(frozen=True)
class HistoryNode:
    """One op of a field's history: a `set` of it, or a create of its entity (no value)."""

    op_id: str
    prev: str | None
    seen: frozenset[str] | None
    order: tuple[str, str]
    is_set: bool
    value: str  # canonical JSON of a `set`'s value; "" for a create

    @property
    def context(self) -> frozenset[str]:
        """What the op supersedes by name (as Operation.context)."""
        if self.seen is not None:
            return self.seen
        return frozenset((self.prev,)) if self.prev else frozenset()


def seen_text(seen: tuple[str, ...] | None) -> str | None:
    """`Operation.seen` as the `op` table stores it (canonical JSON, or NULL)."""
    return None if seen is None else canonical_json(seen)


def history_node(row: tuple[Any, ...]) -> HistoryNode:
    """A node from (op id, prev, seen, clock, device, action, value) as the log holds them."""
    op_id, prev, seen, hlc, device, action, value = row
    is_set = action == "set"  # a create's or a remove's value is not read
    context = None if seen is None else frozenset(json.loads(seen))
    return HistoryNode(op_id, prev, context, (hlc, device), is_set, value if is_set else "")


# The `op` columns `history_node` reads, for a query over `o`, the op table. A create's
# value (all its fields) is not read: no conflict compares it.
HISTORY_COLUMNS = (
    "o.op_id, o.prev, o.seen, o.hlc, o.device_id, o.action, "
    "CASE WHEN o.action = 'set' THEN o.value ELSE '' END"
)


def node_of(op: Operation) -> HistoryNode:
    is_set = op.action is Action.SET
    seen = None if op.seen is None else frozenset(op.seen)
    value = op.value_json() if is_set else ""
    return HistoryNode(op.op_id, op.prev, seen, op.order_key, is_set, value)


def encode(field: str, value: Any) -> Any:
    if field in JSON_FIELDS:
        return canonical_json(value if value is not None else ({} if field == "extra" else []))
    if isinstance(value, bool):
        return int(value)
    return value


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


def schedule_columns(schedule: Schedule) -> dict[str, Any]:
    windows = schedule.windows
    return {
        "schedule": canonical_json(schedule.to_json()),
        "schedule_kind": schedule.kind.value,
        "first_date": windows[0][0].isoformat() if windows else None,
        "due_date": windows[-1][1].isoformat() if windows else None,
    }


def schedule_for(
    text: str, period: Period | None, holidays: SchoolHolidays = DEFAULT_HOLIDAYS
) -> Schedule:
    if period is None:
        period = Period.calendar_year(date.today().year)
    if holidays == DEFAULT_HOLIDAYS:  # nearly always: one cache entry per (phrase, period)
        return cached_schedule(text or "", period)
    return cached_schedule(text or "", period, holidays)


# Roadmaps repeat a handful of phrases («ежемесячно», «В течение года») thousands of times
# across a hub; Schedule is immutable, so one parse per (phrase, period) is enough.
@lru_cache(maxsize=8192)
def cached_schedule(
    text: str, period: Period, holidays: SchoolHolidays = DEFAULT_HOLIDAYS
) -> Schedule:
    # Imported on first parse: opening a file to read it needs no parser (cold start).
    from curator_tui.domain.schedule import parse_deadline

    try:
        return parse_deadline(text or "", period, holidays)
    except Exception as exc:  # the parser promises not to raise; a bug must not lose data
        return Schedule(kind=ScheduleKind.UNSCHEDULED, warning=f"Ошибка разбора срока: {exc}")


def search_text_of(number: str, title: str, responsible: str, *, removed: Any) -> str:
    # SQLite's lower() folds ASCII only; Cyrillic needs Python's casefold. A removed activity
    # keeps no search text, so the full-text index (db/0002) never holds it.
    return "" if removed else search_key(number, title, responsible)


# Bumped whenever conflicts_in judges differently; Store.open then recomputes every field's.
# 2: a multi-value register over causal contexts (db/0011); 3: removals against edits
CONFLICT_RULES_VERSION = "3"
CONFLICT_RULES_SCHEMA = 11  # the schema whose op table they read (op.seen)
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


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON columns of a fetched row back into Python values."""
    for key in (*JSON_FIELDS, "schedule"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return row
