"""Files of an older schema, for the tests of the migrations that upgrade them.

An old file is made from a replica this program built: the current code only writes the
current schema, so its log and projection are copied, rowids and all, into a file migrated
only up to the old version (the columns that version has). What the old version kept in
tables of its own the caller writes into the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from curator_tui.store import database
from curator_tui.store.database import schema_version, transaction
from curator_tui.store.store import PROJECTION_TABLES, Store


@contextmanager
def old_schema_copy(
    replica: Store, path: Path, version: int, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sqlite3.Connection]:
    """A file at `path` of schema `version` holding `replica`'s log and projection; yields
    its connection inside the copying transaction. Later opens migrate it to the present."""
    every_migration = database.migration_files
    monkeypatch.setattr(
        database, "migration_files", lambda: [m for m in every_migration() if m[0] <= version]
    )
    try:
        with Store.open(path, create=True) as old:
            assert schema_version(old.conn) == version
            conn = old.conn
            conn.execute("ATTACH DATABASE ? AS src", (str(replica.path),))
            with transaction(conn):
                for table in ("op", *PROJECTION_TABLES):
                    copy_table(conn, table)
                yield conn
            conn.execute("DETACH DATABASE src")
    finally:
        monkeypatch.setattr(database, "migration_files", every_migration)


def copy_table(conn: sqlite3.Connection, table: str) -> None:
    """Rows of src.`table` into `table`, rowids kept, in the columns both have."""
    mine = {row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")}
    if not mine:  # a table the old version did not have yet
        return
    theirs = [row[1] for row in conn.execute(f"PRAGMA src.table_info({table})")]
    columns = ", ".join(["rowid", *(c for c in theirs if c in mine)])
    conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM src.{table}")
