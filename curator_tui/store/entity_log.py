"""Finding the log's operations by the entity they concern (table entity_op, db/0007).

The log is indexed by (entity, rowid of the entity's projection row) rather than by entity id:
ids are content hashes scattered over the whole log, while the rows of one school were created
together, so a hub importing a school's bundle writes one or two index leaves instead of one
per operation. A lookup by id goes through the entity table's primary key to its rowid.

Every applied op has its entity's row (a `set` arriving before its `create` makes a
placeholder), so each op is linked as soon as that row exists, in the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from curator_tui.domain.ops import Entity


def link_ops_since(conn: sqlite3.Connection, first_log_row: int, kinds: Iterable[Entity]) -> None:
    """Link the log's rows from `first_log_row` on, all added by this transaction, whose
    entities (of `kinds`) have their rows by now: one statement per kind."""
    for entity in sorted(set(kinds)):
        conn.execute(
            "INSERT INTO entity_op (entity, entity_row, op_row) "
            f"SELECT o.entity, t.rowid, o.rowid FROM op o CROSS JOIN {entity.value} t "
            "ON t.id = o.entity_id WHERE o.rowid >= ? AND o.entity = ?",
            (first_log_row, entity.value),
        )


def rows_and_links(entity: Entity) -> str:
    """FROM-clause text: the rows of `entity`'s table (t) and their links (x).

    CROSS JOIN fixes SQLite's join order, rows first: without statistics the planner may
    otherwise walk every link of a kind and look each row up.
    """
    return (
        f"{entity.value} t CROSS JOIN entity_op x "
        f"ON x.entity = '{entity.value}' AND x.entity_row = t.rowid"
    )


def log_rows_of(entity: Entity, where: str) -> str:
    """SQL for the log rowids (`op_row`) of the rows of `entity`'s table (aliased t) that
    match `where`; join them to `op o ON o.rowid = op_row`."""
    return f"SELECT x.op_row FROM {rows_and_links(entity)} WHERE {where}"


def ops_of(entity: Entity, columns: str, where: str) -> str:
    """SQL selecting `columns` of op (o) and entity row (t) for the rows matching `where`,
    which may test both."""
    return (
        f"SELECT {columns} FROM {rows_and_links(entity)} "
        f"CROSS JOIN op o ON o.rowid = x.op_row WHERE {where}"
    )


def link_faults(conn: sqlite3.Connection) -> tuple[int, int]:
    """(ops not linked to their own entity's row, links beyond those): both 0 when entity_op
    says exactly what the log does."""
    linked = 0
    for entity in Entity:
        (count,) = conn.execute(
            f"SELECT COUNT(*) FROM op o CROSS JOIN {entity.value} t ON t.id = o.entity_id "
            "CROSS JOIN entity_op x ON x.entity = o.entity AND x.entity_row = t.rowid "
            "AND x.op_row = o.rowid WHERE o.entity = ?",
            (entity.value,),
        ).fetchone()
        linked += count
    (ops,) = conn.execute("SELECT COUNT(*) FROM op").fetchone()
    (links,) = conn.execute("SELECT COUNT(*) FROM entity_op").fetchone()
    return ops - linked, links - linked
