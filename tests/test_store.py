"""The store and its change log, on real SQLite files."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.store.database import StoreError, schema_version, transaction
from curator_tui.store.evidence_files import EvidenceFileError
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store
from tests.conftest import small_roadmap
from tests.projection_oracle import apply_operation


def by_number(store: Store, number: str) -> dict:
    [row] = store.find_activities(number)
    return row


def test_new_database_has_schema_wal_and_device(store: Store) -> None:
    assert schema_version(store.db) >= 1
    mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert len(store.device_id) == 32


def test_roadmap_is_saved_with_sections_parents_and_schedules(school: Store) -> None:
    rows = school.activities()
    assert [r["number"] for r in rows] == ["1", "2", "3", "3.1"]
    assert rows[0]["section"] == "Организационные мероприятия"
    assert rows[3]["parent_number"] == "3"
    assert rows[2]["status"] == Status.NOT_STARTED.value
    assert rows[0]["schedule_kind"] in {"window", "deadline", "recurring", "unscheduled"}


def test_every_change_is_an_operation_in_the_same_transaction(school: Store) -> None:
    before = school.op_count()
    activity = by_number(school, "2")
    school.set_status(activity["id"], Status.DONE)
    assert school.op_count() == before + 1
    assert by_number(school, "2")["status"] == "done"
    last = list(school.ops())[-1]
    assert (last.entity, last.action, last.field, last.value) == (
        Entity.ACTIVITY,
        Action.SET,
        "status",
        "done",
    )


def test_failed_transaction_writes_neither_op_nor_state(school: Store) -> None:
    activity = by_number(school, "1")
    before = school.op_count()
    bad = Change(Entity.ACTIVITY, activity["id"], Action.SET, "status", "done")
    # A second change that violates the schema (NOT NULL title) aborts the whole batch.
    poison = Change(Entity.ACTIVITY, activity["id"], Action.SET, "title", None)
    with pytest.raises(StoreError):
        school.record([bad, poison])
    assert school.op_count() == before
    assert by_number(school, "1")["status"] == "not_started"


def test_sequence_numbers_and_clock_only_grow(school: Store) -> None:
    activity = by_number(school, "1")
    school.set_status(activity["id"], Status.IN_PROGRESS)
    # A laptop whose clock says 2009 still stamps after everything it has seen.
    [op] = school.record(
        [Change(Entity.ACTIVITY, activity["id"], Action.SET, "status", "done")],
        wall_ms=1_230_000_000_000,
    )
    ops = list(school.ops())
    assert [o.seq for o in ops] == sorted(o.seq for o in ops)
    assert op.hlc > ops[-2].hlc
    assert school.clock_warning(wall_ms=1_230_000_000_000) is not None
    assert school.clock_warning() is None


def test_replaying_the_log_rebuilds_identical_state(school: Store, tmp_path: Path) -> None:
    activity = by_number(school, "3")
    school.set_status(activity["id"], Status.DONE)
    school.add_note(activity["id"], "Семинар проведён 28.02, 25 участников")
    proof = tmp_path / "protocol.pdf"
    proof.write_bytes(b"%PDF-1.4 protocol")
    school.attach_file(activity["id"], proof, kind=EvidenceKind.PROTOCOL)
    link = school.attach_link(activity["id"], "https://school.example/news/1")
    school.remove_evidence(link)
    school.add_visit(
        school.roadmaps()[0]["id"],
        activity_date(),
        participants="Куратор, директор",
        notes="Обсудили семинары",
        activity_ids=[activity["id"]],
    )
    assert school.rebuild_differences(tmp_path / "scratch.db") == []


def test_one_record_of_many_changes_projects_as_the_oracle_does_op_by_op(
    school: Store, tmp_path: Path
) -> None:
    """record applies its ops in batches; the same ops applied one by one by the plain
    per-op engine (tests/projection_oracle.py) into a copy made before give the same file."""
    activity = by_number(school, "3")
    school.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "copy.db"
    shutil.copy2(school.path, copy)
    note = "1" * 32
    ops = school.record(
        [
            Change(Entity.ACTIVITY, activity["id"], Action.SET, "status", "in_progress"),
            Change(Entity.NOTE, note, Action.CREATE, value={"activity_id": activity["id"]}),
            Change(Entity.NOTE, note, Action.SET, "text", "Семинар проведён"),
            Change(Entity.ACTIVITY, activity["id"], Action.SET, "title", "Семинар"),
            Change(Entity.ACTIVITY, activity["id"], Action.SET, "status", "done"),
            Change(Entity.NOTE, note, Action.SET, "text", "Семинар проведён 28.02"),
        ]
    )
    # Each edit names the op that held its field when it was made, earlier ones of the
    # same call included.
    status, create, text, _title, done, retext = ops
    assert (done.prev, text.prev, retext.prev) == (status.op_id, create.op_id, text.op_id)
    with Store.open(copy) as oracle:
        with transaction(oracle.conn) as conn:
            assert all(apply_operation(conn, op) for op in ops)
        assert oracle.dump_projection() == school.dump_projection()
        assert list(oracle.ops()) == list(school.ops())


def activity_date():
    from datetime import date

    return date(2022, 3, 10)


def test_rebuild_check_notices_tampering(school: Store, tmp_path: Path) -> None:
    school.db.execute("UPDATE activity SET title = 'подделка' WHERE number = '1'")
    differences = school.rebuild_differences(tmp_path / "scratch.db")
    assert any(d.startswith("activity") for d in differences)


def test_attach_copies_bytes_into_content_addressed_store(school: Store, tmp_path: Path) -> None:
    activity = by_number(school, "1")
    source = tmp_path / "prikaz.docx"
    payload = b"order " * 100_000
    source.write_bytes(payload)
    seen: list[int] = []
    school.attach_file(
        activity["id"],
        source,
        kind=EvidenceKind.ORDER,
        progress=lambda done, total: seen.append(done),
    )
    sha = hashlib.sha256(payload).hexdigest()
    source.unlink()  # the USB stick went away: the copy stays
    assert school.evidence_files.path_for(sha).read_bytes() == payload
    [item] = school.evidence(activity["id"])
    assert (item["sha256"], item["size"], item["kind"]) == (sha, len(payload), "order")
    assert by_number(school, "1")["evidence_count"] == 1
    assert seen[-1] == len(payload)


def test_attach_of_missing_or_directory_is_refused_without_trace(
    school: Store, tmp_path: Path
) -> None:
    activity = by_number(school, "1")
    before = school.op_count()
    with pytest.raises(EvidenceFileError, match="не найден"):
        school.attach_file(activity["id"], tmp_path / "нет.pdf", kind=EvidenceKind.OTHER)
    with pytest.raises(EvidenceFileError, match="папка"):
        school.attach_file(activity["id"], tmp_path, kind=EvidenceKind.OTHER)
    assert school.op_count() == before
    assert (
        not any(school.evidence_files.root.glob("*/*"))
        if school.evidence_files.root.exists()
        else True
    )


def test_removed_evidence_leaves_tombstone_and_count_drops(school: Store) -> None:
    activity = by_number(school, "1")
    link = school.attach_link(activity["id"], "https://example.org/a")
    assert by_number(school, "1")["evidence_count"] == 1
    school.remove_evidence(link)
    assert by_number(school, "1")["evidence_count"] == 0
    assert school.evidence_item(link)["removed"] == 1


def two_replicas(tmp_path: Path) -> tuple[Store, Store]:
    a = Store.open(tmp_path / "a.db", create=True)
    b = Store.open(tmp_path / "b.db", create=True)
    save_roadmap(a, small_roadmap())
    b.apply_remote(a.ops())
    return a, b


def test_two_replicas_importing_the_same_roadmap_share_ids(tmp_path: Path) -> None:
    a = Store.open(tmp_path / "a.db", create=True)
    b = Store.open(tmp_path / "b.db", create=True)
    save_roadmap(a, small_roadmap())
    save_roadmap(b, small_roadmap())
    assert [r["id"] for r in a.activities()] == [r["id"] for r in b.activities()]
    a.apply_remote(b.ops())
    b.apply_remote(a.ops())
    assert a.dump_projection() == b.dump_projection()


def test_concurrent_edits_become_a_conflict_with_a_deterministic_winner(tmp_path: Path) -> None:
    a, b = two_replicas(tmp_path)
    activity_id = by_number(a, "2")["id"]
    a.set_status(activity_id, Status.DONE)
    b.set_status(activity_id, Status.CANCELLED)
    a.apply_remote(b.ops())
    b.apply_remote(a.ops())
    assert a.dump_projection() == b.dump_projection()
    [conflict] = a.conflicts(activity_id)
    assert {conflict["winner_value"], conflict["loser_value"]} == {'"done"', '"cancelled"'}
    # A later edit made after seeing both settles the field: the conflict is no longer open.
    a.set_status(activity_id, Status.DONE)
    assert a.conflicts(activity_id) == []


def test_sequential_edits_across_replicas_are_not_conflicts(tmp_path: Path) -> None:
    a, b = two_replicas(tmp_path)
    activity_id = by_number(a, "2")["id"]
    a.set_status(activity_id, Status.IN_PROGRESS)
    b.apply_remote(a.ops())
    b.set_status(activity_id, Status.DONE)
    a.apply_remote(b.ops())
    assert a.conflicts() == [] and b.conflicts() == []
    assert by_number(a, "2")["status"] == "done"


def test_importing_the_same_ops_twice_changes_nothing(tmp_path: Path) -> None:
    a, b = two_replicas(tmp_path)
    before = b.dump_projection()
    result = b.apply_remote(a.ops())
    assert result.applied == 0 and result.duplicates == a.op_count()
    assert b.dump_projection() == before


def test_amended_roadmap_keeps_status_notes_and_evidence(school: Store) -> None:
    activity = by_number(school, "3")
    school.set_status(activity["id"], Status.DONE)
    school.add_note(activity["id"], "Проведено")
    amended = small_roadmap()
    amended.activities[2].deadline_text = "До 15.03.2022 г."
    amended.activities[2].title = "Семинары для учителей-предметников"
    del amended.activities[1]
    summary = save_roadmap(school, amended)
    assert summary.amended and summary.updated == 1 and summary.removed == 1
    kept = by_number(school, "3")
    assert kept["id"] == activity["id"]
    assert kept["status"] == "done"
    assert kept["deadline_text"] == "До 15.03.2022 г."
    assert len(school.notes(kept["id"])) == 1
    assert [r["number"] for r in school.activities()] == ["1", "3", "3.1"]


def test_not_a_database_is_refused_in_russian(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"повреждён|не является"):
        Store.open(junk)


def test_directory_and_missing_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="папк"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="не найдена"):
        Store.open(tmp_path / "none.db")


def test_two_connections_see_each_others_writes(school: Store) -> None:
    other = Store.open(school.path)
    try:
        activity = by_number(school, "1")
        other.set_status(activity["id"], Status.DONE)
        assert by_number(school, "1")["status"] == "done"
    finally:
        other.close()
    raw = sqlite3.connect(school.path)
    assert raw.execute("SELECT COUNT(*) FROM op").fetchone()[0] == school.op_count()
    raw.close()


def test_schedules_are_rederived_when_the_parser_version_changes(school: Store) -> None:
    activity = by_number(school, "1")
    # What an older parser might have stored, and the version it was stored under.
    school.db.execute("UPDATE activity SET due_date = '1999-01-01' WHERE id = ?", (activity["id"],))
    school.set_setting("schedule_parser_version", "0")
    path = school.path
    school.close()
    with Store.open(path) as reopened:
        assert by_number(reopened, "1")["due_date"] == "2022-01-31"
        assert reopened.setting("schedule_parser_version") != "0"


def test_bulk_writes_checkpoint_less_often_then_as_usual(school: Store) -> None:
    def interval() -> int:
        return int(school.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])

    usual = interval()
    with school.bulk_writes():
        assert interval() > usual
        school.set_status(by_number(school, "1")["id"], Status.DONE)
    assert interval() == usual
    assert by_number(school, "1")["status"] == "done"
