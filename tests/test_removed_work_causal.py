"""Delete versus work decided from what each side knew (issue 13, items 5 and 7), in both
orders: work made knowing of the removal, and a removal made knowing of the work (even work
a fast school laptop stamped in 2040) stand against nothing; work neither knew of does, until
the coordinator decides. The rule (domain.rules) and its SQL twin (store.removed_work) agree."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.domain.rules import work_stands_against_removal
from curator_tui.services import activities_json
from curator_tui.store.removed_work import stands_against_removal
from curator_tui.store.store import Change, Store
from tests.bundle_helpers import Replica, activity_id, make_hub, make_school

YEAR_2040 = 2_208_988_800_000  # 01.01.2040 00:00 UTC


def flagged(replica: Replica) -> list[str]:
    with replica.open() as store:
        return [row["number"] for row in activities_json(store) if row.get("state")]


def remove(store: Store, activity: str) -> None:
    store.record([Change(Entity.ACTIVITY, activity, Action.SET, "removed", 1)])


def test_work_made_knowing_of_the_removal_stands_against_nothing(tmp_path: Path) -> None:
    """The coordinator removes an activity and then notes and marks it on the hub: its own
    later ops knew of the removal. The school's work, made before it heard, is still shown."""
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with hub.open() as store:
        removed = activity_id(store, "3")
        remove(store, removed)
        store.add_note(removed, "Перенесено в план следующего года")
        store.set_status(removed, Status.CANCELLED)
    assert flagged(hub) == []
    with school.open() as store:
        store.add_note(activity_id(store, "3"), "Проведено, протокол есть")
    assert hub.import_(school.export(tmp_path / "from-school")).outcome == "accepted"
    assert flagged(hub) == ["3"]


def test_a_removal_made_knowing_of_the_work_stands_against_nothing(tmp_path: Path) -> None:
    """A school laptop whose clock says 2040 marks an activity done; the hub has its bundle,
    and the coordinator removes the activity: it knew of the work, whatever the clocks say."""
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        work = Change(Entity.ACTIVITY, activity_id(store, "3"), Action.SET, "status", "done")
        store.record([work], wall_ms=YEAR_2040)
    assert hub.import_(school.export(tmp_path / "from-school")).outcome == "accepted"
    with hub.open() as store:
        removed = activity_id(store, "3")
        remove(store, removed)
        assert store.activity(removed)["removed"] == 1  # type: ignore[index]
    assert flagged(hub) == []


def test_removing_again_settles_work_stamped_in_2040(tmp_path: Path) -> None:
    """The removal and the fast laptop's work were made apart: shown; the coordinator removes
    it again knowing of the work, which settles it although the work is stamped 2040."""
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with hub.open() as store:
        removed = activity_id(store, "3")
        remove(store, removed)
    with school.open() as store:
        work = Change(Entity.ACTIVITY, activity_id(store, "3"), Action.SET, "status", "done")
        store.record([work], wall_ms=YEAR_2040)
    assert hub.import_(school.export(tmp_path / "from-school")).outcome == "accepted"
    assert flagged(hub) == ["3"]
    with hub.open() as store:
        store.settle_removed_work(removed, restore=False)
    assert flagged(hub) == []


stamps = st.tuples(
    st.sampled_from(["0001", "0002", "0003"]), st.sampled_from(["device-a", "device-b"])
)


@given(work=stamps, removal=stamps)
def test_the_sql_twin_agrees_with_the_rule(
    work: tuple[str, str], removal: tuple[str, str]
) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE activity (winners TEXT)")
    conn.execute(
        "INSERT INTO activity VALUES (json_object('removed', json_array('r', ?, ?)))", removal
    )
    sql = f"SELECT {stands_against_removal(':hlc', ':device')} FROM activity a"
    [(stands,)] = conn.execute(sql, {"hlc": work[0], "device": work[1]}).fetchall()
    assert bool(stands) is work_stands_against_removal(work, removal)


def test_a_removal_stamped_after_work_from_2040_names_no_clock(tmp_path: Path) -> None:
    """The hub's removal goes after the fast laptop's work; a curator receiving both through
    the hub is told of the laptop's clock, never of the hub's."""
    from tests.bundle_helpers import make_curator

    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    curator = make_curator(tmp_path, hub)
    with school.open() as store:
        work = Change(Entity.ACTIVITY, activity_id(store, "3"), Action.SET, "status", "done")
        store.record([work], wall_ms=YEAR_2040)
    assert hub.import_(school.export(tmp_path / "from-school")).outcome == "accepted"
    with hub.open() as store:
        remove(store, activity_id(store, "3"))
    report = curator.import_(hub.export(tmp_path / "from-hub"))
    assert report.outcome == "accepted", report.problems
    text = "\n".join(w.text for w in report.warnings)
    assert "«Ноутбук school»" in text and "«Координатор»" not in text
    assert flagged(curator) == []
