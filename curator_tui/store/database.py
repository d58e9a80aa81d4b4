"""Opening SQLite files: pragmas for two processes on one file, and schema migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from curator_tui.domain.errors import UserFacingError
from curator_tui.domain.os_errors import os_error_text

BUSY_TIMEOUT_MS = 5000
# Values per `IN (...)` list: well under SQLite's limit on a statement's parameters.
IN_CHUNK = 500


class StoreError(UserFacingError):
    """A problem with the database file, worded for the user (in Russian)."""


def migrations_dir() -> Path:
    """`db/` in a checkout, or its copy inside the installed wheel."""
    packaged = resources.files("curator_tui") / "_migrations"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "db"


def migration_files() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(migrations_dir().glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        found.append((version, path))
    return found


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a database file with WAL and a busy timeout."""
    try:
        # Autocommit mode: every transaction is opened explicitly by `transaction()`.
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"Не удалось открыть базу данных {path}: {describe_sqlite_error(exc)}"
        ) from exc
    return conn


def iter_dicts(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> Iterator[dict[str, Any]]:
    """Rows as dicts, like sqlite-utils' `Database.query`, one at a time.

    The store reads through the bare connection with these helpers: importing sqlite-utils
    costs about as much as starting the whole minimal Textual app (a cold start must not), and
    one way of querying is easier to read than three. sqlite-utils stays for schema helpers
    (table shapes) and for `Store.db`'s callers outside the store.
    """
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def query_dicts(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[dict[str, Any]]:
    """Every row of the query as a dict (see iter_dicts)."""
    return list(iter_dicts(conn, sql, params))


def first_dict(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> dict[str, Any] | None:
    """The query's first row as a dict, or None when it has none."""
    cursor = conn.execute(sql, params)
    row = cursor.fetchone()
    names = [column[0] for column in cursor.description]
    cursor.close()
    return dict(zip(names, row, strict=True)) if row is not None else None


def select_in(
    conn: sqlite3.Connection, sql: str, values: Sequence[Any], *leading: Any
) -> Iterator[Any]:
    """Rows of `sql` (with `{marks}` for an IN list) over `values` in chunks; a row of one
    column comes out as its value."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start : start + IN_CHUNK]
        query = sql.format(marks=", ".join("?" for _ in chunk))
        for row in conn.execute(query, (*leading, *chunk)):
            yield row[0] if len(row) == 1 else row


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "база занята другой программой, повторите попытку позже"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "файл повреждён или не является базой «Куратора»"
    if "readonly" in text or "read-only" in text:
        return "нет прав на запись"
    if "disk" in text and "full" in text:
        return "на диске не осталось места"
    if "unable to open" in text:
        return "файл недоступен"
    return str(exc)


def explain_failure(exc: BaseException) -> str | None:
    """The Russian message for a failure of reading or writing a replica, or None for a bug.

    For the faces of the program, which must not import sqlite3 to tell its errors apart.
    """
    if isinstance(exc, UserFacingError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"Ошибка базы данных: {describe_sqlite_error(exc)}"
    if isinstance(exc, OSError):
        return f"Ошибка файла: {os_error_text(exc)}"
    return None


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error: all or nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if found is None:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the file's version, each in one transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)"
    )
    current = schema_version(conn)
    for version, path in migration_files():
        if version <= current:
            continue
        script = path.read_text(encoding="utf-8")
        with transaction(conn):
            # executescript would commit on its own; run statements inside our transaction.
            for statement in split_sql(script):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, datetime('now'))",
                (version,),
            )
        current = version
    return current


def split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping a trigger's body (`BEGIN … END;`) whole."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.strip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
