"""One replica's database: the change log, its projection, and the queries the app needs.

Every user change goes through `record()`, which writes the operations and their effect in
one transaction. Nothing outside this package runs SQL.

`Store` is one object to its callers (the CLI, the TUI, sync, services and tests call some
forty methods on it), assembled from parts, one module per job:
- change_log.ChangeLog: record, apply_remote, the clock, ops, history, conflicts, the
  projection's dump;
- reads.Reads: roadmaps, activities, notes, evidence, visits for the list and the detail;
- edits.Edits: a status, a municipality, a note, a visit;
- evidence.Evidence: attaching files and links, removing evidence;
- device_settings.DeviceSettings: the device id, known devices, local settings;
and this module: opening a file (migrations, upgrades of derived columns), closing it,
runs of bulk writes, and the rebuild check (a replay into a scratch file it opens).

The parts are classes Store inherits rather than objects it forwards to: a forwarding
layer would spell every method twice. Each part names in its bases the parts it calls
(Edits and Evidence build on ChangeLog and Reads, ChangeLog on DeviceSettings, those two
on base.StoreBase, the attributes `__init__` sets), so a reader and the type checker see
which. All of them query the bare connection (database.query_dicts and its siblings);
`Store.db` (sqlite-utils) stays for callers outside the store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from curator_tui.domain.parser_version import PARSER_VERSION
from curator_tui.store.change_log import (
    PROJECTION_TABLES,
    ApplyResult,
    Change,
    now_ms,
    operation_from_row,
    save_stamp,
)
from curator_tui.store.database import (
    StoreError,
    connect,
    describe_sqlite_error,
    migrate,
    schema_version,
    transaction,
)
from curator_tui.store.debris import Removed, remove_debris
from curator_tui.store.edits import Edits
from curator_tui.store.entity_log import link_faults
from curator_tui.store.evidence import Evidence
from curator_tui.store.evidence_files import EvidenceFiles
from curator_tui.store.holidays import copy_holidays
from curator_tui.store.projection import (
    CONFLICT_RULES_SCHEMA,
    CONFLICT_RULES_VERSION,
    SEARCH_KEY_VERSION,
)

if TYPE_CHECKING:
    import sqlite_utils

# WAL pages between checkpoints while a run of imports writes (Store.bulk_writes): 128 MiB.
BULK_CHECKPOINT_PAGES = 32_768


def files_dir_for(db_path: Path) -> Path:
    """The folder beside `school.db` holding its evidence, keys and trust list."""
    return db_path.with_name(db_path.name + ".files")


class Store(Edits, Evidence):
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.files_dir = files_dir_for(path)
        self.evidence_files = EvidenceFiles(self.files_dir / "evidence")
        self._device_id: str | None = None  # made once at `curator init`, never changed
        self.removed_debris: list[Removed] = []  # what killed runs left, removed at opening

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Store:
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"Указан путь к папке, а не к файлу базы: {path}")
        if not create and not path.exists():
            raise StoreError(f"База данных не найдена: {path}")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path)
        try:
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"Не удалось открыть базу {path}: {describe_sqlite_error(exc)}"
            ) from exc
        store = cls(path, conn)
        store.removed_debris = remove_debris(store.files_dir)
        if store.setting("device_id") is None:
            store.init_device(name="", role="")
        store.respell_search_text()
        store.rederive_schedules()
        store.rejudge_conflicts()
        return store

    def rejudge_conflicts(self) -> None:
        """Recompute every field's conflicts once per version of the conflict rules, so a
        file written by older rules equals a replay of its own log."""
        if self.setting("conflict_rules_version") == CONFLICT_RULES_VERSION:
            return
        if schema_version(self.conn) < CONFLICT_RULES_SCHEMA:
            return  # a file kept at an older schema (upgrade tests): judged once migrated
        from curator_tui.store.projection_batch import refresh_all_conflicts

        with transaction(self.conn) as conn:
            refresh_all_conflicts(conn)
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)",
                ("conflict_rules_version", CONFLICT_RULES_VERSION),
            )

    def respell_search_text(self) -> None:
        """Bring every activity's search text to this version's spelling (once per version)."""
        if self.setting("search_key_version") == SEARCH_KEY_VERSION:
            return
        from curator_tui.store.projection_batch import refresh_all_search_text

        with transaction(self.conn) as conn:
            refresh_all_search_text(conn)
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)",
                ("search_key_version", SEARCH_KEY_VERSION),
            )

    def rederive_schedules(self) -> None:
        """Recompute stored schedules once per parser version.

        Dates are derived from the deadline text when an operation is applied; a file written
        by an older parser would otherwise differ from a replay of its own log.
        """
        stored = self.setting("schedule_parser_version")
        if stored == PARSER_VERSION:
            return
        from curator_tui.store.projection_batch import refresh_all_schedules

        with transaction(self.conn) as conn:
            if stored is not None:
                refresh_all_schedules(conn)
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)",
                ("schedule_parser_version", PARSER_VERSION),
            )

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """The same connection through sqlite-utils, imported on first use (database.iter_dicts
        says why), for callers outside the store."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Many transactions in a row (a hub importing thousands of bundles, one each).

        SQLite copies the WAL into the database every 1,000 pages by default, and a bundle
        dirties ~115: a copy, with its two fsyncs, every ninth bundle, each writing again the
        pages every bundle touches (the ends of the log's indexes, the inner pages of every
        b-tree, the file header). A 128 MiB WAL is copied once per ~280 bundles: a run of
        3,000 imports was a quarter faster with 64 MiB than with the default, and is 5–10 %
        faster again with 128 MiB (bench/hub_bench.py; 256 MiB gained nothing more). At the
        end the WAL is copied in, so a finished run leaves the file as usual. Each
        transaction stays atomic; as always with
        synchronous=NORMAL, a power cut can undo the latest ones not yet copied (here up to
        ~280 bundles, which importing again restores), never part of one.
        """
        (before,) = self.conn.execute("PRAGMA wal_autocheckpoint").fetchone()
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    # --- checking -----------------------------------------------------------------------

    def rebuild_differences(self, scratch: Path) -> list[str]:
        """Replay the whole log into an empty database and list what differs from this one."""
        scratch.unlink(missing_ok=True)
        rebuilt = Store.open(scratch, create=True)
        try:
            copy_holidays(self.conn, rebuilt.conn)  # a local setting the dates derive from
            rebuilt.apply_remote(self.ops())
            mine, theirs = self.dump_projection(), rebuilt.dump_projection()
        finally:
            rebuilt.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(scratch) + suffix).unlink(missing_ok=True)
        differences = []
        for table in PROJECTION_TABLES:
            if mine[table] != theirs[table]:
                only_mine = set(mine[table]) - set(theirs[table])
                only_rebuilt = set(theirs[table]) - set(mine[table])
                differences.append(
                    f"{table}: {len(only_mine)} строк только в базе, "
                    f"{len(only_rebuilt)} только в восстановленной"
                )
        unlinked, stray = link_faults(self.conn)
        if unlinked or stray:
            differences.append(
                f"entity_op: операций без связи со своей записью: {unlinked}, "
                f"лишних связей: {stray}"
            )
        return differences

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Importable from here, where callers have always found them.
__all__ = [
    "PROJECTION_TABLES",
    "ApplyResult",
    "Change",
    "Store",
    "StoreError",
    "files_dir_for",
    "now_ms",
    "operation_from_row",
    "save_stamp",
]
