"""Bundles between real replicas, through the `curator` command, checked with stock tools.

school → hub with evidence, school → curator → hub (relay), roadmap hub → school keeping local
progress, incremental and full exports, double imports, gaps; and every bundle opened by hand
with unzip, ssh-keygen -Y verify, sha256sum and age, as docs/bundle-format.md describes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import threading
import zipfile
from datetime import date
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store
from curator_tui.sync.bundles import SyncProgress
from curator_tui.sync.container import is_age_file
from curator_tui.sync.exporting import ExportOptions, ExportResult, export_bundle
from curator_tui.sync.importing import import_bundles
from curator_tui.sync.replica import paths_of, sync_session
from tests.bundle_helpers import (
    ORG_ID,
    ORG_NAME,
    Replica,
    activity_id,
    bundle_manifest,
    bundle_ops,
    cli,
    import_rows,
    make_curator,
    make_hub,
    make_replica,
    make_school,
    snapshot,
)
from tests.conftest import small_roadmap


def run(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(a) for a in args], input=stdin, capture_output=True, check=False, timeout=120
    )


def record_progress(school: Replica, tmp_path: Path) -> dict[str, str]:
    """Status, a note, a file and a link on activity 3; returns what was attached."""
    proof = tmp_path / "protocol.pdf"
    proof.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 400)
    with school.open() as store:
        activity = activity_id(store, "3")
        store.set_status(activity, Status.DONE)
        store.add_note(activity, "Семинар проведён, 25 участников")
        store.attach_file(activity, proof, kind=EvidenceKind.PROTOCOL, title="Протокол № 3")
        store.attach_link(activity, "https://school.example/news/3")
    return {"activity": activity, "sha256": hashlib.sha256(proof.read_bytes()).hexdigest()}


@pytest.fixture
def hub(tmp_path: Path) -> Replica:
    return make_hub(tmp_path)


@pytest.fixture
def school(tmp_path: Path, hub: Replica) -> Replica:
    return make_school(tmp_path, hub)


# --- school → hub ---------------------------------------------------------------------------


def test_school_to_hub_with_evidence_converges(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    attached = record_progress(school, tmp_path)
    outbox = tmp_path / "usb"
    result = cli("export", "--db", school.db, "--to", outbox)
    assert result.code == 0, result.err
    [bundle] = outbox.glob("*.curator")
    assert bundle.name.startswith("mbou-testovaia-sosh-")  # <org-slug>-<device>-<from>-<to>
    assert bundle.name.endswith("-1-4.curator")

    result = cli("import", bundle, "--db", hub.db)
    assert result.code == 0, result.out + result.err
    assert "новых изменений 4" in result.out
    with hub.open() as store:
        stored = store.evidence_files.path_for(attached["sha256"])
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == attached["sha256"]
        assert store.activity(attached["activity"])["status"] == "done"
        assert [n["text"] for n in store.notes(attached["activity"])] == [
            "Семинар проведён, 25 участников"
        ]
        # history shows the school's device by name
        names = {row["device_name"] for row in store.history(attached["activity"])}
        assert "Ноутбук school" in names
        assert store.rebuild_differences(tmp_path / "scratch.db") == []
    # both replicas now hold the same ops: the same state, byte for byte
    assert snapshot(hub.db)["projection"] == snapshot(school.db)["projection"]


def test_importing_twice_changes_nothing(tmp_path: Path, hub: Replica, school: Replica) -> None:
    record_progress(school, tmp_path)
    bundle = school.export(tmp_path / "out")
    assert hub.import_(bundle).outcome == "accepted"
    before = snapshot(hub.db)
    result = cli("import", bundle, "--db", hub.db)
    assert result.code == 0
    assert "Этот пакет уже загружен" in result.out
    assert snapshot(hub.db) == before
    assert [r["result"] for r in import_rows(hub.db)][-2:] == ["accepted", "already"]


def test_verify_prints_signer_contents_and_exit_code(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    record_progress(school, tmp_path)
    bundle = school.export(tmp_path / "out")
    result = cli("verify", bundle, "--db", hub.db)
    assert result.code == 0, result.out
    for expected in (
        "Подписан: «Директор school», школа",
        f"{ORG_NAME} ({ORG_ID})",
        "мероприятие · изменение: 1",
        "заметка · создание: 1",
        "доказательство · создание: 2",
        "Файлов доказательств: 1",
        "№ 1–4",
        "пакет будет принят",
    ):
        assert expected in result.out, expected
    assert import_rows(hub.db) == []  # verify records nothing
    hub.import_(bundle)
    again = cli("verify", bundle, "--db", hub.db)
    assert again.code == 0 and "Итог: Этот пакет уже загружен" in again.out


def test_incremental_export_holds_what_the_hub_has_not_acknowledged_and_full_holds_all(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    first = record_progress(school, tmp_path)
    bundle1 = school.export(tmp_path / "out")
    assert len(bundle_ops(bundle1)) == 4
    # Not acknowledged yet (the stick may be lost): the next export carries them again.
    assert len(bundle_ops(school.export(tmp_path / "out"))) == 4
    assert hub.import_(bundle1).outcome == "accepted"
    assert school.import_(hub.export(tmp_path / "back", receiver=school.device_id)).applied == 0
    assert cli("export", "--db", school.db, "--to", tmp_path / "out").out.startswith(
        "Нет новых изменений"
    )
    with school.open() as store:
        store.set_status(first["activity"], Status.IN_PROGRESS)
    bundle2 = school.export(tmp_path / "out")
    [op] = bundle_ops(bundle2)
    assert (op.entity, op.field, op.value, op.seq) == (Entity.ACTIVITY, "status", "in_progress", 5)
    assert bundle2.name.endswith("-5-5.curator")
    full = school.export(tmp_path / "out", full=True)
    assert len(bundle_ops(full)) == 5
    assert full.name.endswith("-1-5.curator") and full != bundle1


def copy_replica(source: Replica, target: Path) -> Replica:
    """A copy of a replica's file and folder, as a backup on another disk would be."""
    shutil.copytree(source.paths.files_dir, target.with_name(target.name + ".files"))
    with sqlite3.connect(source.db) as conn, sqlite3.connect(target) as copy:
        conn.backup(copy)
    return Replica(target)


def test_gap_is_reported_and_the_bundle_still_imported(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    first = record_progress(school, tmp_path)
    backup = copy_replica(hub, tmp_path / "hub-backup.db")
    early = school.export(tmp_path / "out")
    hub.import_(early)
    school.import_(hub.export(tmp_path / "back", receiver=school.device_id))
    with school.open() as store:
        store.set_status(first["activity"], Status.CANCELLED)
    late = school.export(tmp_path / "out")  # the hub holds 1–4: only № 5
    report = backup.import_(late)  # … but it is the hub's older copy that reads it
    assert report.outcome == "accepted"
    assert any(
        "пропуск в изменениях устройства «Ноутбук school»" in w.text for w in report.warnings
    )
    assert "№ 1–4" in report.warnings[0].text
    with backup.open() as store:
        assert store.activity(first["activity"])["status"] == "cancelled"
    assert "нет № 1–4, есть до № 5" in cli("doctor", "--db", backup.db).out
    assert backup.import_(early).outcome == "accepted"  # the missing bundle, later
    with backup.open() as store:
        # the older bundle does not undo the newer status (last writer wins by clock)
        assert store.activity(first["activity"])["status"] == "cancelled"
    assert "Пропуски" not in cli("doctor", "--db", backup.db).out
    assert snapshot(backup.db)["projection"] == snapshot(school.db)["projection"]


def test_default_destination_is_exports_in_the_current_folder(
    tmp_path: Path, school: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_progress(school, tmp_path)
    work = tmp_path / "checkout"
    (work / "exports").mkdir(parents=True)
    monkeypatch.chdir(work)
    result = cli("export", "--db", school.db)
    assert result.code == 0, result.err
    assert len(list((work / "exports").glob("*.curator"))) == 1


# --- relay and roadmaps -----------------------------------------------------------------------


def test_curator_relays_school_ops_to_hub(tmp_path: Path, hub: Replica, school: Replica) -> None:
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", ORG_NAME, "school")
    attached = record_progress(school, tmp_path)
    assert curator.import_(school.export(tmp_path / "to-curator")).outcome == "accepted"
    with curator.open() as store:
        roadmap_id = store.roadmaps()[0]["id"]
        store.add_visit(
            roadmap_id,
            date(2022, 3, 10),
            participants="Куратор, директор",
            notes="Проверили протоколы",
            activity_ids=[attached["activity"]],
        )
        store.add_note(attached["activity"], "Куратор: протокол в порядке")
    relay = curator.export(tmp_path / "to-hub")
    manifest = bundle_manifest(relay)
    assert set(manifest["ranges"]) >= {school.device_id, curator.device_id}
    report = hub.import_(relay)  # the hub never trusted the school's key itself
    assert report.outcome == "accepted", report.problems
    with hub.open() as store:
        assert store.activity(attached["activity"])["status"] == "done"
        assert len(store.notes(attached["activity"])) == 2
        assert len(store.visits(attached["activity"])) == 1
        assert store.evidence_files.has(attached["sha256"])
    # the school's own bundle arriving later adds nothing new
    late = hub.import_(school.export(tmp_path / "late", full=True))
    assert late.outcome == "accepted" and late.applied == 0


def test_roadmap_bundle_amends_a_school_keeping_its_progress(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    attached = record_progress(school, tmp_path)
    amended = small_roadmap()
    amended.activities[2].title = "Семинары для учителей-предметников"
    amended.activities[1].deadline_text = "ежеквартально"
    del amended.activities[0]
    with hub.open() as store:
        summary = save_roadmap(store, amended)
    assert summary.amended and summary.removed == 1
    bundle = hub.export(tmp_path / "roadmap", roadmap=True)
    ops = bundle_ops(bundle)
    assert all(
        op.entity in {Entity.ORGANISATION, Entity.ROADMAP, Entity.SECTION, Entity.ACTIVITY}
        for op in ops
    )
    assert bundle_manifest(bundle)["kind"] == "roadmap"
    report = school.import_(bundle)
    assert report.outcome == "accepted", report.problems
    with school.open() as store:
        row = store.activity(attached["activity"])
        assert row["title"] == "Семинары для учителей-предметников"  # same id, new title
        assert row["status"] == "done"
        assert row["evidence_count"] == 2
        assert len(store.notes(attached["activity"])) == 1
        assert [a["number"] for a in store.activities()] == ["2", "3", "3.1"]
        assert store.activities()[0]["deadline_text"] == "ежеквартально"


def test_roadmap_export_needs_a_coordinator(tmp_path: Path, school: Replica) -> None:
    result = cli("export", "--db", school.db, "--roadmap", "--to", tmp_path)
    assert result.code == 1
    assert "только координатор" in result.err


def test_school_export_leaves_out_its_own_roadmap_structure(tmp_path: Path, hub: Replica) -> None:
    # A school that imported the roadmap document itself: its structure ops stay home.
    school = make_replica(tmp_path / "s.db", "Школа", "school", organisation=ORG_NAME)
    hub.trust(school, "Школа", ORG_NAME, "school")
    with school.open() as store:
        save_roadmap(store, small_roadmap())
        store.set_status(activity_id(store, "2"), Status.IN_PROGRESS)
    result = cli("export", "--db", school.db, "--to", tmp_path / "out")
    assert "не включено: структура дорожной карты" in result.out
    [bundle] = (tmp_path / "out").glob("*.curator")
    assert [op.field for op in bundle_ops(bundle)] == ["status"]
    assert hub.import_(bundle).outcome == "accepted"  # same content → same stable ids


# --- stock tools -----------------------------------------------------------------------------


def test_bundle_opens_with_unzip_ssh_keygen_and_sha256sum(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    attached = record_progress(school, tmp_path)
    bundle = school.export(tmp_path / "out")
    listing = run("unzip", "-l", bundle)
    assert listing.returncode == 0
    for name in (
        "ops.jsonl",
        f"evidence/{attached['sha256']}",
        "manifest.json",
        "manifest.json.sig",
    ):
        assert name.encode() in listing.stdout
    assert run("unzip", "-t", bundle).returncode == 0
    unpacked = tmp_path / "unpacked"
    assert run("unzip", "-q", bundle, "-d", unpacked).returncode == 0

    manifest = json.loads((unpacked / "manifest.json").read_bytes())
    principal = next(
        line.split()[0]
        for line in hub.paths.trust_file.read_text().splitlines()
        if line.startswith("direktor-school-")
    )
    verify = run(
        "ssh-keygen",
        "-Y",
        "verify",
        "-f",
        hub.paths.trust_file,
        "-I",
        principal,
        "-n",
        "curator-bundle@v1",
        "-s",
        unpacked / "manifest.json.sig",
        stdin=(unpacked / "manifest.json").read_bytes(),
    )
    assert verify.returncode == 0, verify.stderr
    assert b"Good" in verify.stdout
    sums = run("sha256sum", *sorted((unpacked / "evidence").iterdir()), unpacked / "ops.jsonl")
    for line in sums.stdout.decode().splitlines():
        digest, name = line.split(maxsplit=1)
        entry = str(Path(name).relative_to(unpacked))
        assert manifest["entries"][entry]["sha256"] == digest


def test_encrypted_bundle_opens_with_age_and_both_forms_import(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    record_progress(school, tmp_path)
    result = cli(
        "export", "--db", school.db, "--to", tmp_path / "out", "--encrypt-to", hub.age_recipient
    )
    assert result.code == 0, result.err
    [sealed] = (tmp_path / "out").glob("*.curator.age")
    assert is_age_file(sealed)
    assert list((tmp_path / "out").iterdir()) == [sealed]  # no plaintext next to it
    plain = tmp_path / "opened.curator"
    opened = run("age", "-d", "-i", hub.paths.age_identity, "-o", plain, sealed)
    assert opened.returncode == 0, opened.stderr
    assert zipfile.is_zipfile(plain)
    # a second hub imports the zip age produced, the first one the sealed file itself
    other = make_replica(tmp_path / "hub2.db", "Второй", "coordinator")
    other.trust(school, "Директор", ORG_NAME, "school")
    with other.open() as store:
        save_roadmap(store, small_roadmap())
    assert other.import_(plain).outcome == "accepted"
    report = hub.import_(sealed)
    assert report.outcome == "accepted" and report.encrypted
    assert not list(hub.paths.files_dir.glob(".staging/*"))
    assert progress_of(hub) == progress_of(other)


def progress_of(replica: Replica) -> list[tuple[str, str, int, list[str]]]:
    with replica.open() as store:
        return [
            (
                a["number"],
                a["status"],
                a["evidence_count"],
                [n["text"] for n in store.notes(a["id"])],
            )
            for a in store.activities()
        ]


def test_export_refuses_a_bad_recipient_and_a_database_without_keys(tmp_path: Path) -> None:
    plain = tmp_path / "plain.db"
    with Store.open(plain, create=True) as store:  # local use works without init
        save_roadmap(store, small_roadmap())
        store.set_status(activity_id(store, "1"), Status.DONE)
    result = cli("export", "--db", plain, "--to", tmp_path)
    assert result.code == 1 and "сначала выполните curator init" in result.err
    hub = make_hub(tmp_path)
    bad = cli("export", "--db", hub.db, "--to", tmp_path, "--encrypt-to", "ssh-ed25519 AAAA")
    assert bad.code == 1 and "age1" in bad.err


# --- init, keys, trust --------------------------------------------------------------------------


def test_init_keys_and_trust_commands(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    first = cli("init", "--db", db, "--name", "Координатор", "--hub", "--region", "Калмыкия")
    assert first.code == 0, first.err
    key = (tmp_path / "hub.db.files" / "keys" / "device_ed25519").read_bytes()
    again = cli("init", "--db", db, "--name", "Координатор", "--hub", "--region", "Калмыкия")
    assert again.code == 0 and "оставлены без изменений" in again.out
    assert (tmp_path / "hub.db.files" / "keys" / "device_ed25519").read_bytes() == key

    shown = cli("keys", "show", "--db", db)
    assert "ssh-ed25519 AAAA" in shown.out and "SHA256:" in shown.out and "age1" in shown.out
    assert cli("keys", "export", tmp_path / "hub.pub", "--db", db).code == 0
    line = (tmp_path / "hub.pub").read_text()
    fingerprint = run("ssh-keygen", "-lf", tmp_path / "hub.pub").stdout.decode().split()[1]
    assert fingerprint in shown.out

    school_db = tmp_path / "school.db"
    for db_with_roadmap in (db, school_db):  # names are only those of imported roadmaps
        with Store.open(db_with_roadmap, create=True) as store:
            save_roadmap(store, small_roadmap())
    made = cli(
        "init",
        "--db",
        school_db,
        "--name",
        "Директор",
        "--role",
        "school",
        "--organisation",
        ORG_NAME,
        "--coordinator-key",
        line.strip(),
    )
    assert made.code == 0, made.err
    listed = cli("trust", "list", "--db", school_db)
    assert "«Координатор» — координатор" in listed.out and ORG_ID in listed.out

    assert cli("keys", "export", tmp_path / "school.pub", "--db", school_db).code == 0
    added = cli(
        "trust",
        "add",
        tmp_path / "school.pub",
        "--name",
        "Директор СОШ",
        "--school",
        ORG_NAME,
        "--role",
        "school",
        "--until",
        "2030-12-31",
        "--db",
        db,
    )
    assert added.code == 0, added.err
    assert "до 31.12.2030" in cli("trust", "list", "--db", db).out
    star = cli(
        "trust",
        "add",
        tmp_path / "school.pub",
        "--name",
        "x",
        "--school",
        "*",
        "--role",
        "school",
        "--db",
        db,
    )
    assert star.code == 1
    removed = cli("trust", "remove", fingerprint_of(tmp_path / "school.pub"), "--db", db)
    assert removed.code == 0, removed.err
    assert "пуст" in cli("trust", "list", "--db", db).out


def fingerprint_of(pub: Path) -> str:
    return run("ssh-keygen", "-lf", pub).stdout.decode().split()[1]


def test_school_init_needs_its_organisation(tmp_path: Path) -> None:
    result = cli("init", "--db", tmp_path / "s.db", "--name", "Ш", "--role", "school")
    assert result.code == 1 and "--organisation" in result.err


def test_hub_replica_relays_between_hubs(tmp_path: Path, hub: Replica, school: Replica) -> None:
    """A coordinator's replica exports everything it holds, other devices' ops included."""
    attached = record_progress(school, tmp_path)
    assert hub.import_(school.export(tmp_path / "a")).outcome == "accepted"
    regional = make_replica(tmp_path / "region.db", "Регион", "coordinator")
    regional.trust(hub, "Муниципальный координатор", "*", "coordinator")
    assert regional.import_(hub.export(tmp_path / "b")).outcome == "accepted"
    with regional.open() as store:
        assert store.activity(attached["activity"])["status"] == "done"
        assert store.evidence_files.has(attached["sha256"])
        assert store.rebuild_differences(tmp_path / "scratch.db") == []
    assert snapshot(regional.db)["projection"] == snapshot(hub.db)["projection"]


def test_removed_evidence_travels_without_its_file(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    attached = record_progress(school, tmp_path)
    with school.open() as store:
        [item] = [e for e in store.evidence(attached["activity"]) if e["sha256"]]
        store.remove_evidence(item["id"])
        store.record(
            [Change(Entity.NOTE, store.notes(attached["activity"])[0]["id"], Action.REMOVE)]
        )
    bundle = school.export(tmp_path / "out")
    assert not [n for n in zipfile.ZipFile(bundle).namelist() if n.startswith("evidence/")]
    assert hub.import_(bundle).outcome == "accepted"
    with hub.open() as store:
        assert store.evidence(attached["activity"])[0]["url"]  # only the link is left
        assert store.notes(attached["activity"]) == []
    assert snapshot(hub.db)["projection"] == snapshot(school.db)["projection"]


# --- what the app's sync screen relies on ------------------------------------------------------


def test_workflows_report_progress_and_run_in_a_worker_thread(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    attached = record_progress(school, tmp_path)
    seen: list[SyncProgress] = []
    results: dict[str, object] = {}

    def work() -> None:  # what a Textual thread worker does: its own connection, no UI
        results["export"] = export_bundle(
            school.db, ExportOptions(destination=tmp_path / "out"), seen.append
        )
        exported = results["export"]
        assert isinstance(exported, ExportResult) and exported.path is not None
        results["import"] = import_bundles(hub.db, [exported.path], seen.append)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)
    exported = results["export"]
    assert isinstance(exported, ExportResult)
    assert (exported.ops, exported.evidence_files, exported.kind) == (4, 1, "changes")
    [report] = results["import"]  # type: ignore[misc]
    assert report.outcome == "accepted" and report.applied == 4
    assert report.signer.display_name == "Директор school"
    stages = {step.stage for step in seen}
    assert {"collect", "write", "verify", "apply"} <= stages
    writes = [s for s in seen if s.stage == "write"]
    assert writes[-1].done == writes[-1].total > 0 and writes[-1].fraction == 1.0
    assert all(step.label for step in seen)
    with hub.open() as store:
        assert store.evidence_files.has(attached["sha256"])


def test_a_second_run_on_the_same_replica_is_refused_while_one_is_going(
    tmp_path: Path, school: Replica
) -> None:
    record_progress(school, tmp_path)
    with school.open() as store, sync_session(paths_of(store)):
        result = cli("export", "--db", school.db, "--to", tmp_path / "out")
    assert result.code == 1 and "уже идёт обмен пакетами" in result.err
    assert cli("export", "--db", school.db, "--to", tmp_path / "out").code == 0
