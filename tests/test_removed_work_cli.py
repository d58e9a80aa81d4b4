"""The coordinator decides about work done on an activity it had removed, from the command line:
the list, putting the activity back, confirming the removal; the work stays in the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.services import activities_json
from curator_tui.store.store import Change
from tests.bundle_helpers import Replica, activity_id, make_hub, make_school
from tests.test_cli_roadmap import run


def hub_with_work_on_removed(tmp_path: Path) -> tuple[Replica, str]:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with hub.open() as store:
        removed = activity_id(store, "3")
        store.record([Change(Entity.ACTIVITY, removed, Action.SET, "removed", 1)])
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)
        store.add_note(activity_id(store, "3"), "Проведено, протокол есть")
    assert hub.import_(school.export(tmp_path / "from-school")).outcome == "accepted"
    return hub, removed


def flagged(hub: Replica) -> list[str]:
    with hub.open() as store:
        return [row["number"] for row in activities_json(store) if row.get("state")]


def test_the_list_names_each_activity_and_how_to_decide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub, removed = hub_with_work_on_removed(tmp_path)
    code, out, _ = run(capsys, "removed-work", "--db", str(hub.db))
    assert code == 0
    assert removed in out and "№ 3" in out
    assert "curator removed-work restore" in out


@pytest.mark.parametrize(
    ("decision", "word", "removed_after"),
    [("restore", "возвращено", 0), ("confirm", "подтверждено", 1), ("вернуть", "возвращено", 0)],
)
def test_a_decision_settles_the_activity_and_keeps_the_work(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    decision: str,
    word: str,
    removed_after: int,
) -> None:
    hub, removed = hub_with_work_on_removed(tmp_path)
    code, out, _ = run(capsys, "removed-work", decision, "3", "--db", str(hub.db))
    assert code == 0 and word in out
    assert flagged(hub) == []
    with hub.open() as store:
        activity = store.activity(removed)
        assert activity is not None and activity["removed"] == removed_after
        assert [n["text"] for n in store.notes(removed)] == ["Проведено, протокол есть"]
    code, out, _ = run(capsys, "removed-work", "--db", str(hub.db))
    assert "нет" in out


def test_only_the_coordinator_decides_and_unknown_numbers_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub, _ = hub_with_work_on_removed(tmp_path)
    code, _, err = run(capsys, "removed-work", "restore", "99", "--db", str(hub.db))
    assert code != 0 and "нет «99»" in err
    assert flagged(hub) == ["3"]
    school_db = tmp_path / "school.db"
    code, _, err = run(capsys, "removed-work", "restore", "3", "--db", str(school_db))
    assert code != 0 and "координатор" in err
