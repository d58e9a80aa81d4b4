"""One replica's database: the change log, its projection, and the queries the app needs.

Every user change goes through `record()`, which writes the operations and their effect in
one transaction. Nothing outside this package runs SQL.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.ops import (
    CLOCK_SKEW_WARNING_MS,
    STAMP_MAX,
    ZERO_STAMP,
    Action,
    ClockExhausted,
    Entity,
    HlcStamp,
    Operation,
    clock_looks_wrong,
    new_id,
    observe,
    stamp_after,
    tick,
    wall_date,
)
from curator_tui.domain.parser_version import PARSER_VERSION
from curator_tui.store.database import (
    StoreError,
    connect,
    describe_sqlite_error,
    migrate,
    query_dicts,
    transaction,
)
from curator_tui.store.entity_log import link_faults, log_rows_of
from curator_tui.store.evidence_files import EvidenceFiles, Progress
from curator_tui.store.projection import (
    SEARCH_KEY_VERSION,
    WINNERS_COLUMN,
    Winner,
    apply_operation,
    current_holder,
    decode_row,
    parse_winners,
    refresh_all_schedules,
    refresh_all_search_text,
    search_key,
)
from curator_tui.store.setting_keys import SEQ_FLOOR_SETTING

if TYPE_CHECKING:
    import sqlite_utils

# WAL pages between checkpoints while a run of imports writes (Store.bulk_writes): 128 MiB.
BULK_CHECKPOINT_PAGES = 32_768
# Ops merged per batch by apply_remote (each batch reads and writes its rows at once).
REPLAY_SLICE = 5000
# Tables that are a pure projection of the log (and so must rebuild byte for byte).
PROJECTION_TABLES = (
    "organisation",
    "roadmap",
    "section",
    "activity",
    "conflict",
    "note",
    "evidence",
    "visit",
    "visit_activity",
)


@dataclass(frozen=True)
class Change:
    """A change a user asks for, before it becomes an operation."""

    entity: Entity
    entity_id: str
    action: Action
    field: str | None = None
    value: Any = None


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    duplicates: int


def files_dir_for(db_path: Path) -> Path:
    """The folder beside `school.db` holding its evidence, keys and trust list."""
    return db_path.with_name(db_path.name + ".files")


class Store:
    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.files_dir = files_dir_for(path)
        self.evidence_files = EvidenceFiles(self.files_dir / "evidence")
        self._device_id: str | None = None  # made once at `curator init`, never changed

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
        if store.setting("device_id") is None:
            store.init_device(name="", role="")
        store.respell_search_text()
        store.rederive_schedules()
        return store

    def respell_search_text(self) -> None:
        """Bring every activity's search text to this version's spelling (once per version)."""
        if self.setting("search_key_version") == SEARCH_KEY_VERSION:
            return
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
        with transaction(self.conn) as conn:
            if stored is not None:
                refresh_all_schedules(conn)
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)",
                ("schedule_parser_version", PARSER_VERSION),
            )

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """The same connection through sqlite-utils, imported on first use (see query_dicts)."""
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- local settings and device identity --------------------------------------------------

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM local_setting WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES (?, ?)", (key, value)
            )

    def init_device(self, *, name: str, role: str, public_key: str = "") -> str:
        device_id = self.setting("device_id") or new_id()
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO local_setting (key, value) VALUES ('device_id', ?)",
                (device_id,),
            )
            conn.execute(
                "INSERT OR REPLACE INTO device (id, name, role, public_key, is_local) "
                "VALUES (?, ?, ?, ?, 1)",
                (device_id, name, role, public_key),
            )
        return device_id

    @property
    def device_id(self) -> str:
        if self._device_id is None:
            self._device_id = self.setting("device_id")
        assert self._device_id is not None
        return self._device_id

    def device(self) -> dict[str, Any]:
        rows = query_dicts(self.conn, "SELECT * FROM device WHERE is_local = 1")
        return rows[0] if rows else {"id": self.device_id, "name": "", "role": ""}

    def known_device(self, device_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM device WHERE id = ?", (device_id,)))
        return rows[0] if rows else None

    def remember_device(self, device_id: str, name: str, role: str, public_key: str) -> None:
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO device (id, name, role, public_key, is_local) "
                "VALUES (?, ?, ?, ?, 0)",
                (device_id, name, role, public_key),
            )

    # --- the clock ---------------------------------------------------------------------------

    def last_stamp(self, conn: sqlite3.Connection | None = None) -> HlcStamp:
        row = (
            (conn or self.conn)
            .execute("SELECT value FROM local_setting WHERE key = 'hlc'")
            .fetchone()
        )
        stamp = HlcStamp.parse(row[0]) if row else ZERO_STAMP
        # Only a clock that adopted a forged stamp before stamps were bounded can be past the
        # ceiling; counting on from there would leave no stamp for the next edit.
        return stamp if stamp <= STAMP_MAX else ZERO_STAMP

    def clock_warning(self, wall_ms: int | None = None) -> str | None:
        """A Russian warning when this machine's clock is behind what the replica has seen.

        Stamps from other devices are adopted only up to a day ahead (ops.observe), so a
        correct computer that received changes from a fast one is never told this.
        """
        wall = wall_ms if wall_ms is not None else now_ms()
        last = self.last_stamp()
        if not clock_looks_wrong(last, wall):
            return None
        if last.wall_ms - wall > CLOCK_SKEW_WARNING_MS:
            seen = wall_date(last.wall_ms).strftime("%d.%m.%Y")
            return (
                "Часы компьютера, похоже, отстают: в базе уже есть изменения от "
                f"{seen}. Проверьте дату и время — порядок изменений при этом сохранится."
            )
        shown = wall_date(wall).strftime("%d.%m.%Y")
        return (
            f"Часы компьютера отстают: они показывают {shown}. Проверьте дату и время — "
            "иначе новые изменения будут помечены неверной датой."
        )

    # --- writing -----------------------------------------------------------------------------

    def record(self, changes: Iterable[Change], wall_ms: int | None = None) -> list[Operation]:
        """Turn changes into this device's operations and apply them in one transaction."""
        device_id = self.device_id
        ops: list[Operation] = []
        try:
            with transaction(self.conn) as conn:
                stamp = self.last_stamp(conn)
                seq = self.last_seq(conn, device_id)
                for change in changes:
                    stamp = tick(stamp, wall_ms if wall_ms is not None else now_ms())
                    seq += 1
                    holder = self.holder_for(conn, change)
                    op = Operation(
                        op_id=new_id(),
                        device_id=device_id,
                        seq=seq,
                        hlc=str(edit_stamp(stamp, holder)),
                        entity=change.entity,
                        entity_id=change.entity_id,
                        action=change.action,
                        field=change.field,
                        value=change.value,
                        prev=holder[0] if holder else None,
                    )
                    apply_operation(conn, op)
                    ops.append(op)
                save_stamp(conn, stamp)
        except sqlite3.Error as exc:
            raise StoreError(f"Изменение не сохранено: {describe_sqlite_error(exc)}") from exc
        except ClockExhausted as exc:
            raise StoreError(
                "Изменение не сохранено: значение помечено последним возможным временем "
                "(31.12.9999), изменение после него записать нельзя. Проверьте дату и время."
            ) from exc
        return ops

    @staticmethod
    def holder_for(conn: sqlite3.Connection, change: Change) -> tuple[str, str, str] | None:
        """(op id, clock, device) of the op a `set` replaces; it becomes the new op's `prev`."""
        if change.action is not Action.SET or change.field is None:
            return None
        return current_holder(conn, change.entity, change.entity_id, change.field)

    @staticmethod
    def last_seq(conn: sqlite3.Connection, device_id: str) -> int:
        row = conn.execute("SELECT MAX(seq) FROM op WHERE device_id = ?", (device_id,)).fetchone()
        # Seqs a peer holds that this file lacks (restored from a copy) are never reused.
        floor = conn.execute(
            "SELECT value FROM local_setting WHERE key = ?", (SEQ_FLOOR_SETTING,)
        ).fetchone()
        return max(int(row[0] or 0), int(floor[0]) if floor else 0)

    def apply_remote(self, ops: Iterable[Operation]) -> ApplyResult:
        """Merge operations from other replicas, all in one transaction, in causal order."""
        # The batched merge is imported when first needed: a cold start reading the list or
        # the dashboard never merges (test_cold_start).
        from curator_tui.store.projection_batch import apply_operations

        ordered = sorted(ops, key=lambda o: (o.hlc, o.device_id, o.seq))
        applied = 0
        with transaction(self.conn) as conn:
            stamp = self.last_stamp(conn)
            # In slices, so replaying a hub's whole log does not hold all of it in memory.
            for start in range(0, len(ordered), REPLAY_SLICE):
                merged = apply_operations(conn, ordered[start : start + REPLAY_SLICE])
                applied += len(merged)
                stamp = observe(stamp, (op.hlc for op in merged), now_ms())
            save_stamp(conn, stamp)
        return ApplyResult(applied, len(ordered) - applied)

    # --- user actions ------------------------------------------------------------------------

    def set_status(self, activity_id: str, status: Status) -> Operation:
        self.require_activity(activity_id)
        [op] = self.record(
            [Change(Entity.ACTIVITY, activity_id, Action.SET, "status", status.value)]
        )
        return op

    def set_municipality(self, organisation_id: str, municipality: str) -> Operation | None:
        """Record an organisation's municipality ("" clears it): a replicated field, last
        writer wins. None when the organisation already says so (no op for nothing).

        The organisation need not be here yet: a school laptop says its district at init,
        before its roadmap arrives, and the roadmap's create never overrides the edit.
        """
        text = " ".join(municipality.split())
        row = self.conn.execute(
            "SELECT municipality FROM organisation WHERE id = ?", (organisation_id,)
        ).fetchone()
        if (row[0] if row else "") == text:
            return None
        [op] = self.record(
            [Change(Entity.ORGANISATION, organisation_id, Action.SET, "municipality", text)]
        )
        return op

    def add_note(self, activity_id: str, text: str) -> str:
        self.require_activity(activity_id)
        text = text.strip()
        if not text:
            raise StoreError("Пустая заметка не сохранена")
        note_id = new_id()
        value = {"activity_id": activity_id, "text": text, "device_id": self.device_id}
        self.record([Change(Entity.NOTE, note_id, Action.CREATE, value=value)])
        return note_id

    def attach_file(
        self,
        activity_id: str,
        source: Path,
        *,
        kind: EvidenceKind,
        title: str = "",
        note: str = "",
        progress: Progress | None = None,
    ) -> str:
        """Copy a file into the evidence store and record it; all or nothing."""
        self.require_activity(activity_id)
        sha256, size = self.evidence_files.ingest(source, progress)
        existed_before = self.blob_referenced(sha256)
        evidence_id = new_id()
        value = {
            "activity_id": activity_id,
            "kind": kind.value,
            "title": title.strip() or source.name,
            "note": note.strip(),
            "original_name": source.name,
            "size": size,
            "sha256": sha256,
            "url": "",
            "device_id": self.device_id,
        }
        try:
            self.record([Change(Entity.EVIDENCE, evidence_id, Action.CREATE, value=value)])
        except BaseException:
            if not existed_before:
                self.evidence_files.discard(sha256)
            raise
        return evidence_id

    def attach_link(
        self,
        activity_id: str,
        url: str,
        *,
        kind: EvidenceKind = EvidenceKind.LINK,
        title: str = "",
        note: str = "",
    ) -> str:
        self.require_activity(activity_id)
        url = url.strip()
        if not url:
            raise StoreError("Ссылка не указана")
        evidence_id = new_id()
        value = {
            "activity_id": activity_id,
            "kind": kind.value,
            "title": title.strip() or url,
            "note": note.strip(),
            "original_name": "",
            "size": 0,
            "sha256": "",
            "url": url,
            "device_id": self.device_id,
        }
        self.record([Change(Entity.EVIDENCE, evidence_id, Action.CREATE, value=value)])
        return evidence_id

    def remove_evidence(self, evidence_id: str) -> None:
        if not list(self.db.query("SELECT id FROM evidence WHERE id = ?", (evidence_id,))):
            raise StoreError("Такого доказательства нет")
        self.record([Change(Entity.EVIDENCE, evidence_id, Action.REMOVE)])

    def add_visit(
        self,
        roadmap_id: str,
        visit_date: date,
        *,
        participants: str,
        notes: str,
        activity_ids: list[str],
    ) -> str:
        visit_id = new_id()
        value = {
            "roadmap_id": roadmap_id,
            "visit_date": visit_date.isoformat(),
            "participants": participants.strip(),
            "notes": notes.strip(),
            "device_id": self.device_id,
            "activities": sorted(set(activity_ids)),
        }
        self.record([Change(Entity.VISIT, visit_id, Action.CREATE, value=value)])
        return visit_id

    def blob_referenced(self, sha256: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM evidence WHERE sha256 = ? LIMIT 1", (sha256,))
        return row.fetchone() is not None

    # --- reading -----------------------------------------------------------------------------

    def require_activity(self, activity_id: str) -> dict[str, Any]:
        found = self.activity(activity_id)
        if found is None:
            raise StoreError(f"Мероприятие не найдено: {activity_id}")
        return found

    def roadmaps(self) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT r.*, o.name AS organisation, o.level AS level FROM roadmap r "
                "LEFT JOIN organisation o ON o.id = r.organisation_id ORDER BY o.name, r.year"
            )
        )

    def activity(self, activity_id: str) -> dict[str, Any] | None:
        rows = list(
            self.db.query(
                f"{ACTIVITY_SELECT} WHERE a.id = ?",
                (activity_id,),
            )
        )
        return decode_row(rows[0]) if rows else None

    def activities(self, roadmap_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE a.removed = 0", ())
        if roadmap_id:
            where, params = ("WHERE a.removed = 0 AND a.roadmap_id = ?", (roadmap_id,))
        sql = f"{ACTIVITY_SELECT} {where} ORDER BY a.roadmap_id, a.position"
        return [decode_row(r) for r in self.db.query(sql, params)]

    def find_activities(self, reference: str) -> list[dict[str, Any]]:
        """Activities an id or a printed number refers to (several when ambiguous)."""
        ref = reference.strip()
        by_id = self.activity(ref)
        if by_id is not None:
            return [by_id]
        number = ref.rstrip(".").strip()
        sql = f"{ACTIVITY_SELECT} WHERE a.removed = 0 AND a.number = ? ORDER BY a.position"
        return [decode_row(r) for r in self.db.query(sql, (number,))]

    def notes(self, activity_id: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT n.*, d.name AS device_name FROM note n LEFT JOIN device d "
                "ON d.id = n.device_id WHERE n.activity_id = ? AND n.removed = 0 "
                "ORDER BY n.origin_hlc",
                (activity_id,),
            )
        )

    def evidence(self, activity_id: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM evidence WHERE activity_id = ? AND removed = 0 ORDER BY origin_hlc",
                (activity_id,),
            )
        )

    def evidence_item(self, evidence_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM evidence WHERE id = ?", (evidence_id,)))
        return rows[0] if rows else None

    def visits(self, activity_id: str | None = None) -> list[dict[str, Any]]:
        if activity_id is None:
            sql = "SELECT * FROM visit WHERE removed = 0 ORDER BY visit_date DESC, origin_hlc"
            return list(self.db.query(sql))
        return list(
            self.db.query(
                "SELECT v.* FROM visit v JOIN visit_activity va ON va.visit_id = v.id "
                "WHERE va.activity_id = ? AND v.removed = 0 ORDER BY v.visit_date DESC",
                (activity_id,),
            )
        )

    def visit_activities(self, visit_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT activity_id FROM visit_activity WHERE visit_id = ? ORDER BY activity_id",
            (visit_id,),
        )
        return [r[0] for r in rows.fetchall()]

    def history(self, entity_id: str) -> list[dict[str, Any]]:
        """Operations on an activity and on its notes and evidence, oldest first."""
        rows = " UNION ALL ".join(
            (
                log_rows_of(Entity.ACTIVITY, "t.id = :id"),
                log_rows_of(Entity.NOTE, "t.activity_id = :id"),
                log_rows_of(Entity.EVIDENCE, "t.activity_id = :id"),
            )
        )
        return list(
            self.db.query(
                "SELECT o.*, d.name AS device_name, d.role AS device_role "
                f"FROM ({rows}) JOIN op o ON o.rowid = op_row "
                "LEFT JOIN device d ON d.id = o.device_id ORDER BY o.hlc, o.device_id",
                {"id": entity_id},
            )
        )

    def conflicts(self, entity_id: str | None = None) -> list[dict[str, Any]]:
        """Concurrent edits still standing (no later edit settled the field).

        A conflict stands while its winner still holds the field, as the entity row's
        `winners` says; a field no `set` holds (one the rules do not know) keeps its conflicts.
        Conflicts are few, so the rows are filtered here rather than joined per entity table.
        """
        sql = (
            "SELECT c.entity, c.entity_id, c.field, c.winner_op, w.value AS winner_value, "
            "l.value AS loser_value, w.device_id AS winner_device, l.device_id AS loser_device, "
            "w.hlc AS winner_hlc, l.hlc AS loser_hlc FROM conflict c "
            "JOIN op w ON w.op_id = c.winner_op JOIN op l ON l.op_id = c.loser_op"
        )
        params: tuple[str, ...] = ()
        if entity_id is not None:
            sql, params = sql + " WHERE c.entity_id = ?", (entity_id,)
        rows = query_dicts(self.conn, sql, params)
        winners = self.winners_by_entity((Entity(r["entity"]), r["entity_id"]) for r in rows)
        standing = []
        for row in rows:
            winner_op = row.pop("winner_op")
            holder = winners.get((Entity(row["entity"]), row["entity_id"]), {}).get(row["field"])
            if holder is None or holder.op_id == winner_op:
                standing.append(row)
        return standing

    def winners_by_entity(
        self, keys: Iterable[tuple[Entity, str]]
    ) -> dict[tuple[Entity, str], dict[str, Winner]]:
        """Each entity's field winners (projection.Winner by field), read from its row."""
        from curator_tui.store.projection_batch import ids_by_entity, select_in

        found: dict[tuple[Entity, str], dict[str, Winner]] = {}
        for entity, ids in ids_by_entity(set(keys)).items():
            sql = f"SELECT id, {WINNERS_COLUMN} FROM {entity.value} WHERE id IN ({{marks}})"
            for row_id, text in select_in(self.conn, sql, sorted(ids)):
                found[(entity, row_id)] = parse_winners(text)
        return found

    def ops(self, after_seq: dict[str, int] | None = None) -> Iterator[Operation]:
        """Every operation, or those past each device's given sequence number."""
        after = after_seq or {}
        for row in self.db.query("SELECT * FROM op ORDER BY hlc, device_id, seq"):
            if row["seq"] <= after.get(row["device_id"], 0):
                continue
            yield operation_from_row(row)

    def sequence_heads(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT device_id, MAX(seq) FROM op GROUP BY device_id")
        return {device: int(seq) for device, seq in rows.fetchall()}

    def op_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM op").fetchone()[0])

    # --- consistency ----------------------------------------------------------------------------

    def dump_projection(self) -> dict[str, list[tuple[Any, ...]]]:
        dump: dict[str, list[tuple[Any, ...]]] = {}
        for table in PROJECTION_TABLES:
            columns = [c.name for c in self.db[table].columns]
            rows = self.conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}"
            ).fetchall()
            dump[table] = [tuple(r) for r in rows]
        return dump

    def rebuild_differences(self, scratch: Path) -> list[str]:
        """Replay the whole log into an empty database and list what differs from this one."""
        scratch.unlink(missing_ok=True)
        rebuilt = Store.open(scratch, create=True)
        try:
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


ACTIVITY_SELECT = (
    "SELECT a.*, s.title AS section, p.number AS parent_number FROM activity a "
    "LEFT JOIN section s ON s.id = a.section_id LEFT JOIN activity p ON p.id = a.parent_id"
)


def operation_from_row(row: dict[str, Any]) -> Operation:
    import json

    return Operation(
        op_id=row["op_id"],
        device_id=row["device_id"],
        seq=row["seq"],
        hlc=row["hlc"],
        entity=Entity(row["entity"]),
        entity_id=row["entity_id"],
        action=Action(row["action"]),
        field=row["field"],
        value=json.loads(row["value"]),
        prev=row["prev"],
    )


def edit_stamp(clock: HlcStamp, holder: tuple[str, str, str] | None) -> HlcStamp:
    """The stamp of a local op: the clock, or just after the value it replaces if that is later.

    A value stamped far ahead (a fast device's 2040) is merged but its stamp is not adopted by
    the clock (ops.observe); without this, a user who changes it here would see the change
    lose to it. Only this op goes after it: the clock, and so every other edit, stays put.
    """
    if holder is None or holder[1] < str(clock):
        return clock
    return stamp_after(HlcStamp.parse(holder[1]))


def save_stamp(conn: sqlite3.Connection, stamp: HlcStamp) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO local_setting (key, value) VALUES ('hlc', ?)", (str(stamp),)
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000


__all__ = ["Change", "Store", "StoreError", "files_dir_for", "search_key"]
