"""A hub's bundle for one school holds that school's data only (issue 15, «a return channel per
school»): read from the ZIP itself, imported by the school, no gap left behind."""

from __future__ import annotations

import zipfile
from pathlib import Path

from curator_tui.domain.models import ReviewState
from curator_tui.store import peer_knowledge
from tests.bundle_helpers import (
    ORG_NAME,
    OTHER_NAME,
    Replica,
    activity_id,
    bundle_ops,
    cli,
    make_hub,
    make_school,
)
from tests.conftest import small_roadmap

SECRET = "секрет школы Б"


def two_schools(root: Path) -> tuple[Replica, Replica, Replica]:
    hub = make_hub(root, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    a = make_school(root, hub, "a", ORG_NAME)
    b = make_school(root, hub, "b", OTHER_NAME)
    with b.open() as store:
        store.add_note(activity_id(store, "1"), SECRET)
    with a.open() as store:
        store.add_note(activity_id(store, "1"), "Семинар проведён")
    for school in (a, b):
        assert hub.import_(school.export(root / f"from-{school.db.stem}")).outcome == "accepted"
    return hub, a, b


def other_schools_ids(hub: Replica) -> set[str]:
    with hub.open() as store:
        org = store.conn.execute(
            "SELECT id FROM organisation WHERE name = ?", [OTHER_NAME]
        ).fetchone()[0]
        rows = store.conn.execute(
            "SELECT a.id FROM activity a JOIN roadmap r ON r.id = a.roadmap_id "
            "WHERE r.organisation_id = ?",
            [org],
        ).fetchall()
    return {org, *(row[0] for row in rows)}


def test_a_schools_bundle_holds_nothing_of_another_school(tmp_path: Path) -> None:
    hub, a, _b = two_schools(tmp_path)
    comment = "Приложите протокол"
    assert cli("review", "1", "на-доработку", "--comment", comment, "--db", hub.db).code != 0
    with hub.open() as store:  # «1» is ambiguous on a hub of two schools: the id settles it
        [roadmap] = [r for r in store.roadmaps() if r["organisation"] == ORG_NAME]
        [mine] = [r for r in store.find_activities("1") if r["roadmap_id"] == roadmap["id"]]
    run = cli("review", mine["id"], "на-доработку", "--comment", comment, "--db", hub.db)
    assert run.code == 0, run.err
    out = tmp_path / "stick"
    run = cli("export", "--for", "Директор a", "--to", out, "--db", hub.db)
    assert run.code == 0, run.out + run.err
    [bundle] = out.iterdir()
    with zipfile.ZipFile(bundle) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert SECRET.encode() not in everything
    assert OTHER_NAME.encode() not in everything
    forbidden = other_schools_ids(hub)
    ops = bundle_ops(bundle)
    assert ops and not [op for op in ops if op.entity_id in forbidden]
    report = a.import_(bundle)
    assert report.outcome == "accepted", report.problems
    with a.open() as store:
        row = store.require_activity(activity_id(store, "1"))
        assert (row["review"], row["review_comment"]) == (ReviewState.RETURNED.value, comment)
        assert peer_knowledge.gap_lines(store.conn) == []
