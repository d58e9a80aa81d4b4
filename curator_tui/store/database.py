"""Opening SQLite files: pragmas for two processes on one file, and schema migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from curator_tui.domain.errors import UserFacingError

BUSY_TIMEOUT_MS = 5000


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


def query_dicts(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[dict[str, Any]]:
    """Rows as dicts, like sqlite-utils' `Database.query`, for the paths a cold start takes.

    Importing sqlite-utils costs about as much as starting the whole minimal Textual app, so
    the first paint reads through the bare connection; everything else uses `Store.db`.
    """
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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
        return f"Ошибка файла: {exc.strerror or exc}"
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
