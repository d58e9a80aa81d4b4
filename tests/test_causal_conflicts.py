"""Every conflict shown, none invented: concurrency judged from causal context (op `seen`).

Real replicas exchanging real signed bundles. A field's conflicts must be exactly what a
multi-value register shows (tests/mvr_oracle.py, a model independent of the projection):
every value no edit has superseded, against the winner, unless it has the winner's value.
The property test runs four replicas (two school laptops, a curator, the hub) through random
edits of the same fields, random pairwise incremental exchanges, lost and refused bundles, a
restore from a copy and clocks at 2009 and 2040.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity, Operation
from curator_tui.store import peer_knowledge
from curator_tui.store.database import iter_dicts
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store, operation_from_row
from tests.bundle_helpers import ORG_ID, Replica, activity_id, make_hub, make_school
from tests.conftest import small_roadmap
from tests.mvr_oracle import mvr_conflicts
from tests.test_peer_delivery import World, build_world, copy_world, send

YEAR_2040 = 2_208_988_800_000  # 01.01.2040 00:00 UTC
YEAR_2009 = 1_230_000_000_000
NAMES = ["a", "b", "curator", "hub"]
# What each replica's computer clock reads (None: the real time).
CLOCKS: dict[str, int | None] = {"a": YEAR_2009, "b": None, "curator": YEAR_2040, "hub": None}
NUMBERS = ["2", "3"]


@contextlib.contextmanager
def clock_of(name: str) -> Iterator[None]:
    """The computer of replica `name` is running: its clock reads what CLOCKS says."""
    wall = CLOCKS[name]
    if wall is None:
        yield
        return
    with mock.patch("time.time_ns", lambda: wall * 1_000_000):
        yield


def logged_ops(store: Store) -> list[Operation]:
    return [operation_from_row(row) for row in iter_dicts(store.conn, "SELECT * FROM op")]


def conflict_rows(store: Store) -> set[tuple[str, ...]]:
    sql = "SELECT entity, entity_id, field, winner_op, loser_op FROM conflict"
    return {tuple(row) for row in store.conn.execute(sql)}


def assert_conflicts_are_the_registers(replica_: Replica) -> None:
    with replica_.open() as store:
        assert conflict_rows(store) == mvr_conflicts(logged_ops(store))


# --- the scenario ---------------------------------------------------------------------------


def do_edit(world: World, step: tuple[Any, ...], number: int, typed: list[str]) -> None:
    _, who, kind, activity, change = step
    with clock_of(who), world.replicas[who].open() as store:
        target = activity_id(store, activity)
        if kind == "status":
            store.set_status(target, change)
        elif kind == "note":
            text = f"{who}-{number}: {change}"
            store.add_note(target, text)
            typed.append(text)
        elif kind == "evidence":
            edit_evidence(store, target, change, f"{who}-{number}")
        elif who != "curator":  # an organisation's field: its schools and the coordinator
            store.set_municipality(ORG_ID, change)


def edit_evidence(store: Store, activity: str, change: str, label: str) -> None:
    """Attach a link, retitle the latest piece of evidence held here, or remove it: removals
    against edits made before, after and concurrently with them, as exchanges fall."""
    held = store.evidence(activity)
    if change == "attach" or not held:
        store.attach_link(activity, f"https://example.org/{label}", title=label)
    elif change == "remove":
        store.remove_evidence(held[-1]["id"])
    else:
        title = f"{change} {label}"
        store.record([Change(Entity.EVIDENCE, held[-1]["id"], Action.SET, "title", title)])


def exchange(world: World, root: Path, source: str, target: str, fate: str) -> None:
    """One incremental bundle from `source` for `target`: delivered, lost or refused."""
    with clock_of(source):
        bundle = send(world.replicas[source], world.replicas[target], root)
    if bundle is None or fate == "lost":
        return
    if fate == "refused":  # a stick pulled out while copying: the receiver refuses the file
        data = bundle.read_bytes()
        bundle.write_bytes(data[: len(data) // 2])
    with clock_of(target):
        report = world.replicas[target].import_(bundle)
    assert report.outcome == ("refused" if fate == "refused" else "accepted"), report.problems
    assert_conflicts_are_the_registers(world.replicas[target])


def take_copy(world: World, root: Path, who: str) -> Replica:
    source = world.replicas[who]
    target = root / f"{who}-copy-{len(list(root.glob('*-copy-*.db')))}.db"
    shutil.copytree(source.paths.files_dir, target.with_name(target.name + ".files"))
    with sqlite3.connect(source.db) as conn, sqlite3.connect(target) as copy:
        conn.backup(copy)
    return Replica(target)


def restore(world: World, root: Path, who: str, copy: Replica, typed: list[str]) -> None:
    """The laptop dies and goes on from its copy; before anyone edits there, it hears from
    everyone (so it learns which of its own ops are held elsewhere and never reuses them).
    Notes typed there that never left it die with it."""
    elsewhere = set()
    for other in NAMES:
        if other != who:
            with world.replicas[other].open() as store:
                elsewhere |= {row[0] for row in store.conn.execute("SELECT text FROM note")}
    with copy.open() as store:
        elsewhere |= {row[0] for row in store.conn.execute("SELECT text FROM note")}
    typed[:] = [text for text in typed if text in elsewhere]
    world.replicas[who] = copy
    for other in NAMES:
        if other != who:
            exchange(world, root / f"restore-{who}-{other}", other, who, "delivered")


def run_scenario(template: Path, scenario: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world = copy_world(template, root)
        typed: list[str] = []
        copies: dict[str, Replica] = {}
        for number, step in enumerate(scenario):
            folder = root / f"s{number}"
            if step[0] == "edit":
                do_edit(world, step, number, typed)
            elif step[0] == "send" and step[1] != step[2]:
                exchange(world, folder, step[1], step[2], step[3])
            elif step[0] == "copy":
                copies[step[1]] = take_copy(world, root, step[1])
            elif step[0] == "restore" and step[1] in copies:
                restore(world, folder, step[1], copies.pop(step[1]), typed)
        for rounds in range(3):  # everyone meets everyone, nothing lost
            for source in NAMES:
                for target in NAMES:
                    if source != target:
                        exchange(world, root / f"final-{rounds}", source, target, "delivered")
        assert_converged(world, typed)


def assert_converged(world: World, typed: list[str]) -> None:
    seen = []
    for replica_ in world.replicas.values():
        with replica_.open() as store:
            ops = logged_ops(store)
            notes = {row[0] for row in store.conn.execute("SELECT text FROM note")}
            assert set(typed) <= notes
            assert peer_knowledge.sequence_gaps(store.conn) == []
            rows = conflict_rows(store)
            assert rows == mvr_conflicts(ops)
            event(f"conflicts at the end: {min(len(rows), 3)}")
            seen.append((sorted(op.op_id for op in ops), store.dump_projection()))
    assert all(entry == seen[0] for entry in seen)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    build_world(root)
    return root


values = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(NUMBERS), st.sampled_from(list(Status))),
    st.tuples(st.just("note"), st.sampled_from(NUMBERS), st.text("абв", min_size=1, max_size=4)),
    st.tuples(st.just("municipality"), st.just("2"), st.sampled_from(["Тверь", "Ржев"])),
    st.tuples(st.just("evidence"), st.just("2"), st.sampled_from(["attach", "Акт", "remove"])),
)
edits = st.builds(lambda who, v: ("edit", who, *v), st.sampled_from(NAMES), values)
exchanges = st.tuples(
    st.just("send"),
    st.sampled_from(NAMES),
    st.sampled_from(NAMES),
    st.sampled_from(["delivered", "delivered", "lost", "refused"]),
)
copies = st.tuples(st.sampled_from(["copy", "restore"]), st.sampled_from(NAMES))
steps = st.one_of(edits, edits, exchanges, exchanges, copies)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=st.lists(steps, min_size=6, max_size=14))
def test_four_replicas_show_exactly_the_registers_conflicts(
    template: Path, scenario: list[tuple[Any, ...]]
) -> None:
    run_scenario(template, scenario)


@pytest.mark.stress
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=st.lists(steps, min_size=15, max_size=60))
def test_four_replicas_show_exactly_the_registers_conflicts_stress(
    template: Path, scenario: list[tuple[Any, ...]]
) -> None:
    run_scenario(template, scenario)


# --- the cases spelled out, on stores merging each other's logs ------------------------------


@pytest.fixture
def three(tmp_path: Path) -> Iterator[list[Store]]:
    stores = [Store.open(tmp_path / f"{n}.db", create=True) for n in range(3)]
    for store in stores:
        save_roadmap(store, small_roadmap())
    yield stores
    for store in stores:
        store.close()


def merge(target: Store, *sources: Store) -> None:
    for source in sources:
        target.apply_remote(source.ops())


def first_activity(store: Store) -> str:
    [row] = store.find_activities("2")
    return str(row["id"])


def status_ops(store: Store) -> list[str]:
    return [op.op_id for op in store.ops() if op.field == "status"]


def test_three_concurrent_edits_are_all_shown(three: list[Store]) -> None:
    """Three laptops change one status, none having seen the others: two conflicts against
    the winner, on every replica, whatever the order of arrival."""
    activity = first_activity(three[0])
    for store, status in zip(
        three, (Status.DONE, Status.CANCELLED, Status.IN_PROGRESS), strict=True
    ):
        store.set_status(activity, status)
    merge(three[0], three[1], three[2])
    merge(three[1], three[2], three[0])
    merge(three[2], three[0])
    rows = [conflict_rows(store) for store in three]
    assert len(rows[0]) == 2 and rows[0] == rows[1] == rows[2]
    assert rows[0] == mvr_conflicts(three[0].ops())
    assert len(three[0].conflicts(activity)) == 2


def test_the_same_value_twice_is_no_conflict(three: list[Store]) -> None:
    activity = first_activity(three[0])
    three[0].set_status(activity, Status.DONE)
    three[1].set_status(activity, Status.DONE)
    merge(three[0], three[1])
    assert conflict_rows(three[0]) == set()


def test_an_edit_made_over_every_value_settles_them_all(three: list[Store]) -> None:
    activity = first_activity(three[0])
    for store, status in zip(
        three, (Status.DONE, Status.CANCELLED, Status.IN_PROGRESS), strict=True
    ):
        store.set_status(activity, status)
    merge(three[0], three[1], three[2])
    settled = three[0].set_status(activity, Status.DONE)
    assert settled.seen is not None and len(settled.seen) == 3
    merge(three[1], three[0])  # the settling edit and everything it saw
    assert conflict_rows(three[0]) == conflict_rows(three[1]) == set()


def test_a_gap_invents_no_conflict(three: list[Store]) -> None:
    """A edits; B, having seen A, edits; C, having seen B, edits. A replica holding A and C
    but not B yet shows no conflict between C and A, and none once B arrives."""
    a, b, c = three
    activity = first_activity(a)
    first = a.set_status(activity, Status.IN_PROGRESS)
    merge(b, a)
    second = b.set_status(activity, Status.DONE)
    merge(c, b)
    third = c.set_status(activity, Status.CANCELLED)
    assert third.seen == (second.op_id,)
    with Store.open(a.path.with_name("r.db"), create=True) as late:
        save_roadmap(late, small_roadmap())
        late.apply_remote([first, third])
        assert conflict_rows(late) == set() == mvr_conflicts(late.ops())
        late.apply_remote([second])
        assert conflict_rows(late) == set()
        assert late.activity(activity)["status"] == "cancelled"


def test_a_conflict_beside_a_gap_shows_once_the_gap_closes(three: list[Store]) -> None:
    """What a missing op may have settled waits for it; what it did not settle is shown."""
    a, b, c = three
    activity = first_activity(a)
    first = a.set_status(activity, Status.IN_PROGRESS)
    merge(b, a)
    second = b.set_status(activity, Status.DONE)  # over `first`
    third = c.set_status(activity, Status.CANCELLED)  # saw nothing: concurrent with both
    merge(c, b)
    b.set_status(activity, Status.DONE)  # over `second`; b has not seen `third`
    with Store.open(a.path.with_name("r.db"), create=True) as late:
        save_roadmap(late, small_roadmap())
        late.apply_remote([first, third, *[op for op in b.ops() if op.op_id != second.op_id]])
        assert conflict_rows(late) == mvr_conflicts(late.ops())
        late.apply_remote([second])
        rows = conflict_rows(late)
        assert {row[4] for row in rows} == {third.op_id}
        assert rows == mvr_conflicts(late.ops())


def test_a_conflict_shows_in_the_list_the_json_and_the_dashboard(three: list[Store]) -> None:
    from curator_tui.services import activities_json
    from curator_tui.store.queries import ActivityQuery, page_activities
    from curator_tui.tui.rows import RowContext, list_row
    from curator_tui.tui.widgets.activity_list import ActivityList
    from curator_tui.views.dashboard import dashboard_rows, dashboard_totals
    from curator_tui.views.detail import load_detail

    a, b, _ = three
    activity = first_activity(a)
    a.set_status(activity, Status.DONE)
    b.set_status(activity, Status.CANCELLED)
    org = a.roadmaps()[0]["organisation_id"]
    a.set_municipality(org, "Тверь")
    b.set_municipality(org, "Ржев")
    merge(a, b)
    [shown] = [c for c in activities_json(a) if c["conflicts"]]
    assert shown["id"] == activity
    assert {shown["conflicts"][0]["value"], shown["conflicts"][0]["other_value"]} == {
        "done",
        "cancelled",
    }
    rows = page_activities(a, ActivityQuery(), date(2026, 1, 1), 0, 100)
    context = RowContext(today=date(2026, 1, 1), sort=ActivityQuery().sort, many_roadmaps=False)
    flagged = [list_row(r, context) for r in rows if list_row(r, context).conflict]
    assert [r.activity_id for r in flagged] == [activity]
    assert ActivityList._flag(flagged[0]) == "≠"  # the list's first column
    [dash] = dashboard_rows(a, date(2026, 1, 1))
    assert dash.conflicts == 2  # the status and the organisation's municipality
    assert dashboard_totals([dash], 1).conflicts == 2
    detail = load_detail(a, activity)
    assert detail is not None
    assert sorted(c["field"] for c in detail.conflicts) == ["municipality", "status"]


# --- delete versus work -----------------------------------------------------------------------


def remove_activity(hub: Replica, activity: str) -> None:
    with hub.open() as store:
        store.record([Change(Entity.ACTIVITY, activity, Action.SET, "removed", 1)])


def test_work_on_a_removed_activity_is_reported_and_shown_until_the_coordinator_decides(
    tmp_path: Path,
) -> None:
    from curator_tui.services import activities_json

    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with hub.open() as store:
        removed = activity_id(store, "3")
    remove_activity(hub, removed)  # the coordinator removes it; the school has not heard yet
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)
        store.add_note(activity_id(store, "3"), "Проведено, протокол есть")
    report = hub.import_(school.export(tmp_path / "from-school"))
    assert report.outcome == "accepted"
    assert any("работа по удалённому мероприятию № 3" in w.text for w in report.warnings)
    with hub.open() as store:
        [flagged] = [row for row in activities_json(store) if row.get("state")]
        assert flagged["number"] == "3" and flagged["state"] == "удалено, но есть работа"
    remove_activity(hub, removed)  # decided: removed again, after the work
    with hub.open() as store:
        assert not [row for row in activities_json(store) if row.get("state")]
        assert [n["text"] for n in store.notes(flagged["id"])] == ["Проведено, протокол есть"]
