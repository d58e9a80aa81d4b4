"""A multi-value register, modelled independently of the projection: the conflicts a log
should show.

A field's values are its edits that no edit of it has superseded, where an edit supersedes
every op in its causal context and, through the known ones, everything those superseded.
The winner is the greatest edit (clock, device); each other value with a different value is
one conflict row. A context naming an op the log lacks (or that is no edit of the field nor
a create of its entity) is an open gap: values older than the edit naming it may have been
superseded by the missing op, so they are not shown until it arrives.

A removed note, evidence or visit stands against each value of its fields the removal did
not know of (made on another device, not named by the removal's context, with no context
naming the removal): one row of the field "removed", the greatest removal against that value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from curator_tui.domain.ops import Action, Operation
from curator_tui.store.projection import FIELDS, TOMBSTONED

Row = tuple[str, str, str, str, str]  # entity, entity id, field, winner op, loser op


def mvr_conflicts(ops: Iterable[Operation]) -> set[Row]:
    by_field: dict[tuple[str, str, str], list[Operation]] = defaultdict(list)
    creates: dict[tuple[str, str], set[str]] = defaultdict(set)
    removes: dict[tuple[str, str], list[Operation]] = defaultdict(list)
    for op in ops:
        if op.action is Action.REMOVE and op.entity in TOMBSTONED:
            removes[(op.entity.value, op.entity_id)].append(op)
        elif op.action is Action.CREATE:
            creates[(op.entity.value, op.entity_id)].add(op.op_id)
        elif op.action is Action.SET and op.field in FIELDS[op.entity]:
            by_field[(op.entity.value, op.entity_id, op.field)].append(op)
    rows: set[Row] = set()
    for (entity, entity_id, field), edits in by_field.items():
        rows |= field_conflicts(entity, entity_id, field, edits, creates[(entity, entity_id)])
        rows |= removal_conflicts(entity, entity_id, edits, removes.get((entity, entity_id), []))
    return rows


def removal_conflicts(
    entity: str, entity_id: str, edits: list[Operation], removes: list[Operation]
) -> set[Row]:
    if not removes:
        return set()
    removal = max(removes, key=order)
    devices = {op.device_id for op in removes}
    names = {op.op_id for op in removes}
    known = set().union(*(op.context for op in removes))
    superseded = superseded_edits(edits)
    return {
        (entity, entity_id, "removed", removal.op_id, op.op_id)
        for op in edits
        if op.op_id not in superseded
        and op.device_id not in devices
        and op.op_id not in known
        and not names & op.context
    }


def field_conflicts(
    entity: str, entity_id: str, field: str, edits: list[Operation], creates: set[str]
) -> set[Row]:
    superseded = superseded_edits(edits)
    known = {op.op_id for op in edits}
    winner = max(edits, key=order)
    gaps = [op for op in edits if any(n not in known and n not in creates for n in op.context)]
    edge = max(((op.hlc, op.device_id) for op in gaps), default=None)
    return {
        (entity, entity_id, field, winner.op_id, op.op_id)
        for op in edits
        if op.op_id not in superseded
        and op.value_json() != winner.value_json()
        and (edge is None or (op.hlc, op.device_id) >= edge)
    }


def superseded_edits(edits: list[Operation]) -> set[str]:
    """What the edits of one field supersede, following the contexts they know."""
    known = {op.op_id: op for op in edits}

    def supersedes(op: Operation) -> set[str]:
        named = set(op.context)
        replaced = known.get(op.prev or "") if op.seen is None else None
        if replaced is not None:
            named |= {o.op_id for o in edits if (o.hlc, o.device_id) < order(replaced)}
        return named

    superseded: set[str] = set()
    for op in edits:
        stack = list(supersedes(op))
        while stack:
            named = stack.pop()
            if named not in superseded:
                superseded.add(named)
                if named in known:
                    stack.extend(supersedes(known[named]))
    return superseded


def order(op: Operation) -> tuple[str, str]:
    return (op.hlc, op.device_id)
