"""Any order, any repetition of importing the same bundles gives the same state everywhere.

Three devices (a school, its curator, the coordinator's hub) edit the same activities
concurrently — statuses, notes, evidence added and removed, visits — and sometimes sync with
each other, so histories are partly sequential, partly concurrent. Every bundle made on the
way is then imported, in orders hypothesis chooses (with repeats), into fresh replicas and
back into the three devices: every `dump_projection()` must be equal, conflicts included.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.store.database import StoreError
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store
from curator_tui.sync.exporting import ExportOptions, export_bundle
from curator_tui.sync.importing import import_bundle
from tests.bundle_helpers import (
    ORG_NAME,
    Replica,
    activity_id,
    bundle_manifest,
    make_hub,
    make_replica,
    snapshot,
)
from tests.conftest import small_roadmap

DEVICES = ("school", "curator", "hub")
CONTENTS = (b"protocol-1", b"photo-2" * 50, b"list-3" * 7)
NUMBERS = ("2", "3")
STATUSES = tuple(Status)


@dataclass(frozen=True)
class Template:
    root: Path  # holds school.db, curator.db, hub.db and observer.db, ready to copy


def build_template(root: Path) -> Template:
    hub = make_hub(root)
    school = make_replica(
        root / "school.db", "Школа", "school", organisation=ORG_NAME, coordinator=hub
    )
    curator = make_replica(root / "curator.db", "Куратор", "curator", coordinator=hub)
    observer = make_replica(root / "observer.db", "Наблюдатель", "coordinator")
    observer.trust(hub, "Координатор", "*", "coordinator")
    roadmap = hub.export(root / "roadmap", roadmap=True)
    for replica in (school, curator, observer):
        assert replica.import_(roadmap).outcome == "accepted"
    hub.trust(school, "Школа", ORG_NAME, "school")
    hub.trust(curator, "Куратор", ORG_NAME, "curator")
    school.trust(curator, "Куратор", ORG_NAME, "curator")
    curator.trust(school, "Школа", ORG_NAME, "school")
    observer.trust(school, "Школа", ORG_NAME, "school")
    observer.trust(curator, "Куратор", ORG_NAME, "curator")
    shutil.rmtree(root / "roadmap")
    return Template(root)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("merge-template"))


def clone(template: Template, target: Path) -> dict[str, Replica]:
    shutil.copytree(template.root, target)
    return {name: Replica(target / f"{name}.db") for name in (*DEVICES, "observer")}


# --- what devices do -------------------------------------------------------------------------

Step = tuple[Any, ...]

steps = st.one_of(
    st.tuples(
        st.just("status"),
        st.sampled_from(DEVICES),
        st.sampled_from(NUMBERS),
        st.sampled_from(STATUSES),
    ),
    st.tuples(st.just("note"), st.sampled_from(DEVICES), st.sampled_from(NUMBERS)),
    st.tuples(st.just("remove_note"), st.sampled_from(DEVICES), st.integers(0, 5)),
    st.tuples(
        st.just("attach"),
        st.sampled_from(DEVICES),
        st.sampled_from(NUMBERS),
        st.sampled_from(range(len(CONTENTS))),
    ),
    st.tuples(st.just("remove_evidence"), st.sampled_from(DEVICES), st.integers(0, 5)),
    st.tuples(st.just("visit"), st.sampled_from(DEVICES), st.sampled_from(NUMBERS)),
    st.tuples(st.just("sync"), st.sampled_from(DEVICES), st.sampled_from(DEVICES)),
)


def perform(step: Step, replicas: dict[str, Replica], work: Path, bundles: list[Path]) -> None:
    kind, device = step[0], step[1]
    if kind == "sync":
        source, target = replicas[device], replicas[step[2]]
        if source == target:
            return
        bundle = export_to(source, work, len(bundles))
        if bundle is not None:
            bundles.append(bundle)
            assert import_bundle(target.db, bundle).outcome == "accepted"
        return
    with Store.open(replicas[device].db) as store:
        edit(store, step, work)


def edit(store: Store, step: Step, work: Path) -> None:
    kind = step[0]
    if kind == "status":
        store.set_status(activity_id(store, step[2]), step[3])
    elif kind == "note":
        store.add_note(activity_id(store, step[2]), f"заметка {store.op_count()}")
    elif kind == "remove_note":
        notes = [n for number in NUMBERS for n in store.notes(activity_id(store, number))]
        if notes:
            note = notes[step[2] % len(notes)]
            store.record([Change(Entity.NOTE, note["id"], Action.REMOVE)])
    elif kind == "attach":
        source = work / f"content-{step[3]}"
        source.write_bytes(CONTENTS[step[3]])
        target = activity_id(store, step[2])
        digest = hashlib.sha256(CONTENTS[step[3]]).hexdigest()
        if any(e["sha256"] == digest for e in store.evidence(target)):
            with pytest.raises(StoreError, match="уже прикреплён"):  # refused on one replica
                store.attach_file(target, source, kind=EvidenceKind.PHOTO)
        else:
            store.attach_file(target, source, kind=EvidenceKind.PHOTO)
    elif kind == "remove_evidence":
        items = [e for number in NUMBERS for e in store.evidence(activity_id(store, number))]
        if items:
            store.remove_evidence(items[step[2] % len(items)]["id"])
    elif kind == "visit":
        store.add_visit(
            store.roadmaps()[0]["id"],
            date(2022, 3, 1),
            participants="Куратор",
            notes="Визит",
            activity_ids=[activity_id(store, step[2])],
        )


def export_to(replica: Replica, work: Path, number: int) -> Path | None:
    result = export_bundle(replica.db, ExportOptions(destination=work / f"bundle-{number}"))
    return result.path


# --- the property ----------------------------------------------------------------------------


def state_of(db: Path) -> tuple[Any, list[Any]]:
    with Store.open(db) as store:
        conflicts = sorted(tuple(sorted(c.items())) for c in store.conflicts())
        return store.dump_projection(), conflicts


def import_in_order(observer: Replica, bundles: list[Path], order: list[int]) -> None:
    for index in order:
        outcome = import_bundle(observer.db, bundles[index]).outcome
        assert outcome in ("accepted", "already"), outcome


def orders(count: int) -> st.SearchStrategy[list[int]]:
    """A permutation of every bundle, with some bundles repeated at random places."""
    return st.tuples(
        st.permutations(range(count)), st.lists(st.integers(0, count - 1), max_size=3)
    ).flatmap(
        lambda pair: st.permutations([*pair[0], *pair[1]]) if pair[1] else st.just(list(pair[0]))
    )


def run_program(template: Template, program: list[Step], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="merge-") as tmp:
        work = Path(tmp)
        replicas = clone(template, work / "world")
        bundles: list[Path] = []
        for step in program:
            perform(step, replicas, work, bundles)
        for name in DEVICES:  # whatever each device has not sent yet
            bundle = export_to(replicas[name], work, len(bundles))
            if bundle is not None:
                bundles.append(bundle)
        if not bundles:
            return
        results = []
        for attempt in range(2):
            order = data.draw(orders(len(bundles)), label=f"order {attempt}")
            observer_db = work / f"observer-{attempt}" / "observer.db"
            copy_observer(template, observer_db)
            observer = Replica(observer_db)
            import_in_order(observer, bundles, order)
            results.append(state_of(observer_db))
            with Store.open(observer_db) as store:
                assert store.rebuild_differences(work / "scratch.db") == []
        for name in DEVICES:  # and back into the devices themselves (not their own bundles)
            theirs = [i for i, b in enumerate(bundles) if signer_of(b) != replicas[name].device_id]
            import_in_order(replicas[name], bundles, theirs)
            results.append(state_of(replicas[name].db))
        first = results[0]
        for other in results[1:]:
            assert other == first


def signer_of(bundle: Path) -> str:
    return str(bundle_manifest(bundle)["device"]["id"])


def copy_observer(template: Template, db: Path) -> None:
    db.parent.mkdir(parents=True)
    shutil.copy2(template.root / "observer.db", db)
    shutil.copytree(template.root / "observer.db.files", db.with_name(db.name + ".files"))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=st.lists(steps, min_size=1, max_size=10), data=st.data())
def test_any_order_and_repetition_converges(
    template: Template, program: list[Step], data: st.DataObject
) -> None:
    run_program(template, program, data)


@pytest.mark.stress
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=st.lists(steps, min_size=1, max_size=25), data=st.data())
def test_any_order_and_repetition_converges_long(
    template: Template, program: list[Step], data: st.DataObject
) -> None:
    run_program(template, program, data)


def test_three_concurrent_status_edits_converge_with_identical_conflicts(
    template: Template, tmp_path: Path
) -> None:
    """The deterministic core of the property: no device sees the others before importing."""
    replicas = clone(template, tmp_path / "world")
    bundles = []
    edits = (Status.IN_PROGRESS, Status.DONE, Status.CANCELLED)
    for name, status in zip(DEVICES, edits, strict=True):
        with Store.open(replicas[name].db) as store:
            store.set_status(activity_id(store, "2"), status)
        bundles.append(replicas[name].export(tmp_path / name))
    states = []
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0, 1]):
        db = tmp_path / ("o-" + "".join(map(str, order))) / "observer.db"
        copy_observer(template, db)
        import_in_order(Replica(db), bundles, order)
        states.append(state_of(db))
    assert states[0] == states[1] == states[2]
    _projection, conflicts = states[0]
    assert len(conflicts) == 2  # both losers shown against the one winner
    assert len({dict(c)["winner_value"] for c in conflicts}) == 1


def test_a_later_independent_create_never_resets_progress(tmp_path: Path) -> None:
    """Two hubs import the same document at different times; the school's status stays."""
    hub = make_hub(tmp_path)
    school = make_replica(
        tmp_path / "school.db", "Школа", "school", organisation=ORG_NAME, coordinator=hub
    )
    assert school.import_(hub.export(tmp_path / "r", roadmap=True)).outcome == "accepted"
    with school.open() as store:
        store.set_status(activity_id(store, "2"), Status.DONE)
    late = make_replica(tmp_path / "late.db", "Второй координатор", "coordinator")
    late.trust(school, "Школа", ORG_NAME, "school")
    with late.open() as store:
        save_roadmap(store, small_roadmap())  # creates the same activities, later in time
    assert late.import_(school.export(tmp_path / "s")).outcome == "accepted"
    with late.open() as store:
        assert store.activity(activity_id(store, "2"))["status"] == "done"
    assert snapshot(late.db)["projection"]["activity"] != []
