"""A multi-value register, modelled independently of the projection: the conflicts a log
should show.

A field's values are its edits that no edit of it has superseded, where an edit supersedes
every op in its causal context and, through the known ones, everything those superseded.
The winner is the greatest edit (clock, device); each other value with a different value is
one conflict row. A context naming an op the log lacks (or that is no edit of the field nor
a create of its entity) is an open gap: values older than the edit naming it may have been
superseded by the missing op, so they are not shown until it arrives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from curator_tui.domain.ops import Action, Operation
from curator_tui.store.projection import FIELDS

Row = tuple[str, str, str, str, str]  # entity, entity id, field, winner op, loser op


def mvr_conflicts(ops: Iterable[Operation]) -> set[Row]:
    by_field: dict[tuple[str, str, str], list[Operation]] = defaultdict(list)
    creates: dict[tuple[str, str], set[str]] = defaultdict(set)
    for op in ops:
        if op.action is Action.CREATE:
            creates[(op.entity.value, op.entity_id)].add(op.op_id)
        elif op.action is Action.SET and op.field in FIELDS[op.entity]:
            by_field[(op.entity.value, op.entity_id, op.field)].append(op)
    rows: set[Row] = set()
    for (entity, entity_id, field), edits in by_field.items():
        rows |= field_conflicts(entity, entity_id, field, edits, creates[(entity, entity_id)])
    return rows


def field_conflicts(
    entity: str, entity_id: str, field: str, edits: list[Operation], creates: set[str]
) -> set[Row]:
    known = {op.op_id: op for op in edits}

    def supersedes(op: Operation) -> set[str]:
        named = set(op.context)
        replaced = known.get(op.prev or "") if op.seen is None else None
        if replaced is not None:
            named |= {o.op_id for o in edits if (o.hlc, o.device_id) < order(replaced)}
        return named

    superseded: set[str] = set()
    for op in edits:  # what each edit supersedes, following the contexts it knows
        stack = list(supersedes(op))
        while stack:
            named = stack.pop()
            if named not in superseded:
                superseded.add(named)
                if named in known:
                    stack.extend(supersedes(known[named]))
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


def order(op: Operation) -> tuple[str, str]:
    return (op.hlc, op.device_id)
