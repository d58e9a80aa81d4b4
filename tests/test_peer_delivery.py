"""Every change reaches every replica: per-peer knowledge, resending, relays, restores, gaps.

Real replicas (curator init, trust lists, roadmap bundles) exchanging real signed bundles.
An export for a receiver holds every op that receiver is not known to hold; only the
receiver's own bundle (its `holds`) acknowledges them, so lost and refused bundles are sent
again by the next export.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.domain.models import ReviewState, Status
from curator_tui.domain.ops import Entity, Operation
from curator_tui.store import peer_knowledge
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.sync import replica, sshsig
from curator_tui.sync.bundles import (
    SOFTWARE,
    BundleInfo,
    BundleKind,
    Counts,
    DeviceInfo,
    DeviceRange,
    SignerDevice,
)
from curator_tui.sync.container import OPS_NAME, build_manifest, canonical_json, new_bundle_id
from curator_tui.sync.exporting import ExportOptions, export_bundle
from curator_tui.sync.keys import public_key_line
from curator_tui.sync.manifest import EntryInfo
from tests.bundle_helpers import (
    ORG_NAME,
    Replica,
    activity_id,
    bundle_manifest,
    bundle_ops,
    cli,
    forge,
    make_curator,
    make_hub,
    make_replica,
    make_school,
    remote_op,
    snapshot,
    write_zip,
)
from tests.conftest import small_roadmap


def send(source: Replica, target: Replica, folder: Path, **options: Any) -> Path | None:
    """An incremental bundle from `source` for `target` (None: nothing to tell it)."""
    result = export_bundle(
        source.db, ExportOptions(destination=folder, receiver=target.device_id, **options)
    )
    return result.path


def deliver(source: Replica, target: Replica, folder: Path) -> None:
    bundle = send(source, target, folder)
    if bundle is not None:
        report = target.import_(bundle)
        assert report.outcome == "accepted", report.problems


def own_seqs(bundle: Path, device_id: str) -> list[int]:
    return sorted(op.seq for op in bundle_ops(bundle) if op.device_id == device_id)


def edit(school: Replica, number: str, status: Status) -> None:
    with school.open() as store:
        store.set_status(activity_id(store, number), status)


@pytest.fixture
def hub(tmp_path: Path) -> Replica:
    return make_hub(tmp_path)


@pytest.fixture
def school(tmp_path: Path, hub: Replica) -> Replica:
    return make_school(tmp_path, hub)


# --- resending until acknowledged --------------------------------------------------------------


def test_a_lost_bundle_is_resent_by_the_next_export(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    edit(school, "2", Status.IN_PROGRESS)
    school.export(tmp_path / "lost-stick")  # never reaches the hub
    edit(school, "3", Status.DONE)
    bundle = school.export(tmp_path / "out")  # the default receiver: the coordinator
    assert own_seqs(bundle, school.device_id) == [1, 2]
    assert hub.import_(bundle).outcome == "accepted"
    with hub.open() as store:
        assert store.activity(activity_id(store, "2"))["status"] == "in_progress"
        assert store.activity(activity_id(store, "3"))["status"] == "done"


def test_a_refused_bundle_is_resent_once_the_receiver_accepts(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    edit(school, "2", Status.DONE)
    [entry] = [row.entry for row in replica.list_trust(hub.db) if row.entry.role == "school"]
    replica.remove_trust(hub.db, entry.fingerprint)
    assert hub.import_(school.export(tmp_path / "out")).outcome == "refused"
    hub.trust(school, "Директор school", ORG_NAME, "school")
    edit(school, "3", Status.DONE)
    bundle = school.export(tmp_path / "out")
    assert own_seqs(bundle, school.device_id) == [1, 2]
    assert hub.import_(bundle).outcome == "accepted"


def test_acknowledgement_stops_resending(tmp_path: Path, hub: Replica, school: Replica) -> None:
    edit(school, "2", Status.DONE)
    assert hub.import_(school.export(tmp_path / "out")).outcome == "accepted"
    assert send(school, hub, tmp_path / "out") is not None  # not acknowledged yet
    ack = send(hub, school, tmp_path / "back")
    assert ack is not None and bundle_ops(ack) == []  # nothing new for it: an acknowledgement
    assert bundle_manifest(ack)["holds"][school.device_id] == 1
    assert school.import_(ack).outcome == "accepted"
    assert send(school, hub, tmp_path / "out") is None
    assert send(hub, school, tmp_path / "back") is None  # told once, not with every export
    with school.open() as store:
        assert peer_knowledge.unsent_count(store.conn) == 0
    edit(school, "3", Status.DONE)
    with school.open() as store:
        assert peer_knowledge.unsent_count(store.conn) == 1
    assert own_seqs(school.export(tmp_path / "out"), school.device_id) == [2]


def test_an_unknown_receiver_gets_everything(tmp_path: Path, hub: Replica, school: Replica) -> None:
    edit(school, "2", Status.DONE)
    assert hub.import_(school.export(tmp_path / "out")).outcome == "accepted"
    deliver(hub, school, tmp_path / "back")
    assert send(school, hub, tmp_path / "out") is None
    stranger = "ab" * 16
    result = export_bundle(school.db, ExportOptions(tmp_path / "x", receiver=stranger))
    assert result.path is not None and own_seqs(result.path, school.device_id) == [1]
    assert "ещё не присылал" not in result.receiver_text
    curator = make_curator(tmp_path, hub)
    school.trust(curator, "Куратор Иванова", ORG_NAME, "curator")
    run = cli("export", "--db", school.db, "--for", "Куратор Иванова", "--to", tmp_path / "c")
    assert run.code == 0, run.err
    assert "ещё не присылал пакетов, поэтому выгружается всё" in run.out
    assert "изменений: 1" in run.out
    unknown = cli("export", "--db", school.db, "--for", "Никто", "--to", tmp_path / "c")
    assert unknown.code == 1 and "Получатель «Никто» не найден" in unknown.err


def test_default_receiver_is_the_coordinator(tmp_path: Path, hub: Replica, school: Replica) -> None:
    edit(school, "2", Status.DONE)
    run = cli("export", "--db", school.db, "--to", tmp_path / "out")
    assert f"для: Координатор ({hub.device_id[:8]})" in run.out
    same = cli("export", "--db", school.db, "--for", "координатор", "--to", tmp_path / "out")
    assert f"для: Координатор ({hub.device_id[:8]})" in same.out


# --- relays ----------------------------------------------------------------------------------


def test_a_curator_relays_a_schools_ops_to_the_hub_until_the_hub_acknowledges(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", ORG_NAME, "school")
    school.trust(curator, "Куратор Иванова", ORG_NAME, "curator")
    with school.open() as store:
        activity = activity_id(store, "3")
        store.add_note(activity, "Семинар проведён")
    deliver(school, curator, tmp_path / "visit")  # the curator's visit
    relay = curator.export(tmp_path / "to-hub")  # its default receiver: the hub
    assert own_seqs(relay, school.device_id) == [1]
    assert bundle_manifest(relay)["holds"][school.device_id] == 1
    assert hub.import_(relay).outcome == "accepted"
    with hub.open() as store:
        assert [n["text"] for n in store.notes(activity)] == ["Семинар проведён"]
    # The school's own bundle to the hub still carries it: the hub has not told the school.
    assert own_seqs(school.export(tmp_path / "out"), school.device_id) == [1]
    deliver(hub, school, tmp_path / "ack")
    assert send(school, hub, tmp_path / "out") is None
    deliver(hub, curator, tmp_path / "ack")
    assert send(curator, hub, tmp_path / "out") is None


def test_a_relay_claims_only_what_it_holds(tmp_path: Path, hub: Replica, school: Replica) -> None:
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", ORG_NAME, "school")
    edit(school, "2", Status.IN_PROGRESS)
    edit(school, "3", Status.IN_PROGRESS)
    deliver(school, hub, tmp_path / "a")
    deliver(hub, school, tmp_path / "ack")  # the school knows the hub holds № 1–2
    edit(school, "2", Status.DONE)
    edit(school, "3", Status.DONE)
    for_hub = school.export(tmp_path / "b")  # № 3–4 only …
    assert own_seqs(for_hub, school.device_id) == [3, 4]
    assert curator.import_(for_hub).outcome == "accepted"  # … carried to the curator instead
    relay = send(curator, hub, tmp_path / "c")
    assert relay is not None
    holds = bundle_manifest(relay)["holds"]
    assert school.device_id not in holds  # it lacks № 1–2: it claims nothing of the school
    assert "нет № 1–2, есть до № 4" in cli("doctor", "--db", curator.db).out
    with curator.open() as store:
        [gap] = peer_knowledge.sequence_gaps(store.conn)
        assert (gap.device_id, gap.first, gap.last) == (school.device_id, 1, 2)
    # The hub, told what the curator holds, sends it the missing ones: the gap is filled.
    assert hub.import_(relay).outcome == "accepted"
    deliver(hub, curator, tmp_path / "d")
    with curator.open() as store:
        assert peer_knowledge.sequence_gaps(store.conn) == []
        assert peer_knowledge.held_through(store.conn)[school.device_id] == 4
    assert "Пропуски" not in cli("doctor", "--db", curator.db).out


def test_a_schools_own_structure_is_acknowledged_though_never_sent(
    tmp_path: Path, hub: Replica
) -> None:
    # A school that imported its roadmap document itself: its structure ops stay home, yet
    # once the hub has its bundle it holds the school's history as far as it will ever go.
    school = make_replica(
        tmp_path / "s.db", "Школа", "school", organisation=ORG_NAME, coordinator=hub
    )
    hub.trust(school, "Школа", ORG_NAME, "school")
    with school.open() as store:
        save_roadmap(store, small_roadmap())
        store.set_status(activity_id(store, "2"), Status.IN_PROGRESS)
        head = store.sequence_heads()[store.device_id]
    first = school.export(tmp_path / "out")  # never heard from the hub: everything it may sign
    assert hub.import_(first).outcome == "accepted"
    with hub.open() as store:
        assert peer_knowledge.held_through(store.conn)[school.device_id] == head
        assert peer_knowledge.sequence_gaps(store.conn) == []
    deliver(hub, school, tmp_path / "back")
    ack = send(school, hub, tmp_path / "out")  # that it now holds the hub's ops, no more
    assert ack is not None and bundle_ops(ack) == []
    assert hub.import_(ack).outcome == "accepted"
    assert send(school, hub, tmp_path / "out") is None
    assert send(hub, school, tmp_path / "back") is None


# --- hostile `holds` ---------------------------------------------------------------------------


def forge_with_holds(
    path: Path, signer: Replica, holds: Any, *, device_id: str | None = None
) -> Path:
    """A genuinely signed bundle of one of the signer's ops whose manifest says `holds`
    (and names `device_id` as the signer's device)."""
    op = remote_op(signer.device_id, 1, *first_activity(signer))
    info = BundleInfo(
        kind=BundleKind.CHANGES,
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        software=SOFTWARE,
        device=SignerDevice(
            id=device_id or signer.device_id,
            name="Школа",
            role="school",
            public_key=public_key_line(signer.key.public_key()),
        ),
        organisations=[],
        organisation_names={},
        ranges={op.device_id: DeviceRange(start=1, end=1)},
        devices={op.device_id: DeviceInfo(name="", role="")},
        counts=Counts(ops=1, evidence_files=0, evidence_bytes=0),
    )
    ops_bytes = (op.to_json_line() + "\n").encode()
    declared = {OPS_NAME: EntryInfo(len(ops_bytes), hashlib.sha256(ops_bytes).hexdigest())}
    extra = {**info.to_json(), "holds": holds}
    manifest = canonical_json(
        build_manifest(bundle_id=new_bundle_id(), entries=declared, extra=extra)
    )
    signature = sshsig.sign(signer.key, manifest, sshsig.BUNDLE_NAMESPACE).encode()
    # BundleWriter itself refuses bad `holds`: laid out as it would, by hand
    entries = [(OPS_NAME, ops_bytes), ("manifest.json", manifest), ("manifest.json.sig", signature)]
    return write_zip(path, entries)


def first_activity(school: Replica) -> tuple[Entity, str]:
    with school.open() as store:
        return Entity.ACTIVITY, activity_id(store, "2")


@pytest.mark.parametrize(
    ("holds", "reason"),
    [
        ({"ab" * 16: -1}, "неверный номер изменения"),
        ({"ab" * 16: 2**53 + 1}, "неверный номер изменения"),
        ({"ab" * 16: True}, "неверный номер изменения"),
        ({"ab" * 16: 1.5}, "неверный номер изменения"),
        ({"ab" * 16: "3"}, "неверный номер изменения"),
        ({"AB" * 16: 1}, "неверный идентификатор устройства"),
        ({"../etc": 1}, "неверный идентификатор устройства"),
        ([["ab" * 16, 1]], "записаны не списком"),
        ({f"{n:032x}": 1 for n in range(10_001)}, "больше, чем бывает"),
    ],
)
def test_hostile_holds_are_refused_with_a_reason(
    tmp_path: Path, hub: Replica, school: Replica, holds: Any, reason: str
) -> None:
    bundle = forge_with_holds(tmp_path / "forged.curator", school, holds)
    before = snapshot(hub.db)
    result = cli("import", bundle, "--db", hub.db)
    assert result.code == 1
    assert "сведения о том, что есть у отправителя (holds)" in result.out
    assert reason in result.out
    assert snapshot(hub.db) == before
    with hub.open() as store:
        assert store.conn.execute("SELECT COUNT(*) FROM peer_knowledge").fetchone()[0] == 0


def test_honest_holds_are_learned_with_the_import(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    bundle = forge_with_holds(tmp_path / "ok.curator", school, {school.device_id: 1})
    assert hub.import_(bundle).outcome == "accepted"
    with hub.open() as store:
        known = peer_knowledge.knowledge_of(store.conn, school.device_id, [school.device_id])
        assert known == {school.device_id: 1}


def test_a_signer_cannot_tell_what_another_peer_holds(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    curator = make_curator(tmp_path, hub)
    deliver(curator, hub, tmp_path / "a")  # the hub now knows the curator's device and key
    forged = forge_with_holds(
        tmp_path / "f.curator", school, {school.device_id: 1}, device_id=curator.device_id
    )
    # Refused since ops are authored: the curator's device is bound to the curator's key.
    report = hub.import_(forged)
    assert report.outcome == "refused"
    assert "известно этой базе с другим ключом" in report.message
    with hub.open() as store:
        known = peer_knowledge.knowledge_of(store.conn, curator.device_id, [school.device_id])
        assert known == {}


# --- restored from a copy -----------------------------------------------------------------------


def copy_replica(source: Replica, target: Path) -> Replica:
    shutil.copytree(source.paths.files_dir, target.with_name(target.name + ".files"))
    with sqlite3.connect(source.db) as conn, sqlite3.connect(target) as copy:
        conn.backup(copy)
    return Replica(target)


def test_a_school_restored_from_a_copy_continues_after_its_lost_ops(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    backup = copy_replica(school, tmp_path / "backup.db")
    edit(hub, "3.1", Status.CANCELLED)  # reaches the school after its copy was taken
    deliver(hub, school, tmp_path / "0")
    edit(school, "2", Status.IN_PROGRESS)
    edit(school, "3", Status.DONE)
    with school.open() as store:
        store.add_note(activity_id(store, "3"), "Протокол подписан")
    deliver(school, hub, tmp_path / "a")
    # The laptop dies; the school goes on from last month's copy.
    restored = backup
    back = send(hub, restored, tmp_path / "b")
    assert back is not None
    report = restored.import_(back)
    assert report.outcome == "accepted", report.problems
    assert any("восстановлена из копии" in w.text for w in report.warnings)
    edit(restored, "2", Status.DONE)
    with restored.open() as store:
        assert store.sequence_heads()[store.device_id] == 4  # after the three it lost
    bundle = restored.export(tmp_path / "c")
    assert own_seqs(bundle, restored.device_id) == [4]
    assert hub.import_(bundle).outcome == "accepted"
    # The hub, told how little the restored file holds of itself, forgets what it thought it
    # held and sends back everything it lost: its own ops and the hub's.
    deliver(hub, restored, tmp_path / "d")
    with restored.open() as store, hub.open() as hub_store:
        assert store.sequence_heads() == hub_store.sequence_heads()
        assert store.op_count() == hub_store.op_count()
        assert store.dump_projection() == hub_store.dump_projection()
        notes = store.notes(activity_id(store, "3"))
        assert [n["text"] for n in notes] == ["Протокол подписан"]
        assert store.activity(activity_id(store, "2"))["status"] == "done"
        assert store.activity(activity_id(store, "3.1"))["status"] == "cancelled"
    edit(restored, "3.1", Status.DONE)
    assert own_seqs(restored.export(tmp_path / "e"), restored.device_id) == [5]


def test_ops_in_the_receivers_name_past_a_gap_are_still_refused(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    kind, activity = first_activity(school)
    forged = remote_op(hub.device_id, 10_000, kind, activity)
    bundle = forge_with_ops(tmp_path / "f.curator", school, [forged])
    report = hub.import_(bundle)
    assert report.outcome == "refused"
    assert "от имени этой базы" in report.message


def forge_with_ops(path: Path, signer: Replica, ops: list[Operation]) -> Path:
    return forge(path, signer.key, ops, device_id=signer.device_id)


# --- migration from per-replica marks ----------------------------------------------------------


REVIEW_COLUMNS = (
    ("activity", "review_state"),
    ("activity", "review_comment"),
    ("evidence", "remark"),
)


def test_old_export_marks_become_knowledge_of_the_coordinator(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    edit(school, "2", Status.DONE)
    edit(school, "3", Status.DONE)
    with sqlite3.connect(school.db) as conn:  # as a v8 file that had exported № 1 left it
        conn.execute("DROP TABLE peer_knowledge")
        conn.execute("DROP TABLE peer_told")
        conn.execute("DROP TABLE author_coverage")
        conn.execute("ALTER TABLE op DROP COLUMN seen")  # and what later versions added: 0011
        conn.execute("DROP TABLE occurrence")  # db/0012
        conn.execute("ALTER TABLE evidence DROP COLUMN occurrence")
        for table, column in REVIEW_COLUMNS:  # db/0017
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute("DELETE FROM schema_version WHERE version >= 9")
        conn.execute(
            "INSERT INTO local_setting (key, value) VALUES (?, '1')",
            ("sync.exported." + school.device_id,),
        )
    bundle = school.export(tmp_path / "out")
    assert own_seqs(bundle, school.device_id) == [2]
    with school.open() as store:
        assert store.setting("sync.exported." + school.device_id) is None


# --- convergence: four replicas, random edits, random exchanges, lost sticks -----------------


@dataclass
class World:
    replicas: dict[str, Replica]


def build_world(root: Path) -> World:
    hub = make_hub(root)
    a = make_school(root, hub, "a")
    b = make_school(root, hub, "b")
    curator = make_curator(root, hub)
    for school, other in ((a, b), (b, a)):
        school.trust(other, f"Ноутбук {other.db.stem}", ORG_NAME, "school")
        school.trust(curator, "Куратор Иванова", ORG_NAME, "curator")
        curator.trust(school, f"Директор {school.db.stem}", ORG_NAME, "school")
    return World({"a": a, "b": b, "curator": curator, "hub": hub})


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    build_world(root)
    return root


def copy_world(template: Path, root: Path) -> World:
    shutil.copytree(template, root, dirs_exist_ok=True)
    names = {"a": "a.db", "b": "b.db", "curator": "curator.db", "hub": "hub.db"}
    return World({name: Replica(root / file) for name, file in names.items()})


NAMES = ["a", "b", "curator", "hub"]
NUMBERS = ["2", "3", "3.1"]
edits = st.tuples(
    st.just("edit"),
    st.sampled_from(NAMES),
    st.sampled_from(NUMBERS),
    st.one_of(st.sampled_from(list(Status)), st.text("абвгдеж", min_size=1, max_size=8)),
)
exchanges = st.tuples(
    st.just("send"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans()
)
# A reviewer's verdict (issue 15): signed by the curator or the hub, relayed by anyone.
reviews = st.tuples(
    st.just("review"),
    st.sampled_from(["curator", "hub"]),
    st.sampled_from(NUMBERS),
    st.sampled_from(list(ReviewState)),
)
steps = st.lists(st.one_of(edits, exchanges, reviews), min_size=4, max_size=14)


def run_scenario(template: Path, scenario: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world = copy_world(template, root)
        typed: list[str] = []
        for number, step in enumerate(scenario):
            if step[0] == "review":
                _, who, activity, verdict = step
                returned = verdict is ReviewState.RETURNED
                with world.replicas[who].open() as store:
                    comment = f"{who}-{number}: исправить" if returned else ""
                    store.set_review(activity_id(store, activity), verdict, comment)
                continue
            if step[0] == "edit":
                _, who, activity, change = step
                with world.replicas[who].open() as store:
                    target = activity_id(store, activity)
                    if isinstance(change, Status):
                        store.set_status(target, change)
                    else:
                        text = f"{who}-{number}: {change}"
                        store.add_note(target, text)
                        typed.append(text)
                continue
            _, source, target, lost = step
            if source == target:
                continue
            bundle = send(world.replicas[source], world.replicas[target], root / f"s{number}")
            if bundle is not None and not lost:
                report = world.replicas[target].import_(bundle)
                assert report.outcome == "accepted", report.problems
        for rounds in range(2):  # everyone meets everyone, nothing lost
            for source in NAMES:
                for target in NAMES:
                    if source != target:
                        deliver(
                            world.replicas[source],
                            world.replicas[target],
                            root / f"final-{rounds}",
                        )
        assert_converged(world, typed)


def assert_converged(world: World, typed: list[str]) -> None:
    seen = []
    for replica_ in world.replicas.values():
        with replica_.open() as store:
            ops = sorted(store.conn.execute("SELECT op_id FROM op").fetchall())
            notes = {row[0] for row in store.conn.execute("SELECT text FROM note")}
            assert set(typed) <= notes
            assert peer_knowledge.sequence_gaps(store.conn) == []
            seen.append((ops, store.dump_projection()))
    assert all(entry == seen[0] for entry in seen)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=steps)
def test_four_replicas_converge_whatever_the_exchanges(
    template: Path, scenario: list[tuple[Any, ...]]
) -> None:
    run_scenario(template, scenario)


@pytest.mark.stress
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=st.lists(st.one_of(edits, exchanges, reviews), min_size=10, max_size=60))
def test_four_replicas_converge_stress(template: Path, scenario: list[tuple[Any, ...]]) -> None:
    run_scenario(template, scenario)


def test_holds_key_is_in_every_bundle(tmp_path: Path, hub: Replica, school: Replica) -> None:
    edit(school, "2", Status.DONE)
    bundle = school.export(tmp_path / "out")
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["holds"][school.device_id] == 1
    assert manifest["holds"][hub.device_id] >= 1
