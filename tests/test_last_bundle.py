"""Each organisation's last received bundle (`organisation_bundle`, db/0004): written by the
import with the bundle's changes, backfilled when an older file is upgraded, and read alike by
the dashboard and the report. Also: a school's municipality travels in its bundles."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity, new_id
from curator_tui.reports.model import parse_timestamp, school_summaries
from curator_tui.store.database import schema_version
from curator_tui.store.roadmaps import organisation_id, save_roadmap
from curator_tui.store.store import Change, Store
from curator_tui.sync.importing import Outcome
from curator_tui.tui.screens.dashboard import dashboard_rows
from tests.bundle_helpers import (
    ORG_ID,
    ORG_NAME,
    OTHER_NAME,
    activity_id,
    bundle_manifest,
    bundle_ops,
    cli,
    forge,
    import_rows,
    make_hub,
    make_school,
    remote_op,
)
from tests.conftest import small_roadmap
from tests.old_schema import old_schema_copy

TODAY = date(2025, 5, 15)


def last_bundle_rows(db: Path) -> dict[str, tuple[str, str, str]]:
    with Store.open(db) as store:
        rows = store.db.execute(
            "SELECT organisation_id, bundle_id, device_id, imported_at FROM organisation_bundle"
        ).fetchall()
    return {org: (bundle, device, at) for org, bundle, device, at in rows}


# --- written by the import ------------------------------------------------------------------


def test_an_accepted_bundle_becomes_its_schools_last_bundle(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        store.set_status(activity_id(store, "1"), Status.DONE)
    first = school.export(tmp_path / "out1")
    assert last_bundle_rows(hub.db) == {}

    assert hub.import_(first).outcome is Outcome.ACCEPTED
    [record] = import_rows(hub.db)
    bundle_id = bundle_manifest(first)["bundle_id"]
    assert last_bundle_rows(hub.db) == {
        ORG_ID: (bundle_id, school.device_id, record["imported_at"])
    }
    # The dashboard and the report read the same row.
    with hub.open() as store:
        [row] = [r for r in dashboard_rows(store, TODAY) if r.summary.organisation_id == ORG_ID]
        [summary] = [s for s in school_summaries(store, TODAY) if s.organisation_id == ORG_ID]
    assert row.bundle_device == "Ноутбук school"
    assert row.summary.last_bundle == summary.last_bundle == parse_timestamp(record["imported_at"])

    # Imported again: nothing changes. A later bundle takes its place.
    assert hub.import_(first).outcome is Outcome.ALREADY
    assert last_bundle_rows(hub.db)[ORG_ID][0] == bundle_id
    with school.open() as store:
        store.set_status(activity_id(store, "2"), Status.IN_PROGRESS)
    second = school.export(tmp_path / "out2")
    assert hub.import_(second).outcome is Outcome.ACCEPTED
    assert last_bundle_rows(hub.db)[ORG_ID][0] == bundle_manifest(second)["bundle_id"]


def test_a_refused_bundle_is_no_ones_last_bundle(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        store.set_status(activity_id(store, "1"), Status.DONE)
    genuine = school.export(tmp_path / "out")
    # Correctly signed by the school, but it also renames the organisation: refused.
    ops = bundle_ops(genuine)
    rename = replace(
        ops[-1],
        op_id=new_id(),
        seq=ops[-1].seq + 1,
        entity=Entity.ORGANISATION,
        entity_id=ORG_ID,
        field="name",
        value="Чужое имя",
        prev=None,
    )
    forged = forge(tmp_path / "forged.curator", school.key, [*ops, rename])
    assert hub.import_(forged).outcome is Outcome.REFUSED
    assert last_bundle_rows(hub.db) == {}


# --- the municipality in bundles ------------------------------------------------------------


def test_a_schools_municipality_reaches_the_hub_and_the_coordinator_can_correct_it(
    tmp_path: Path,
) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    run = cli(
        "init", "--db", school.db, "--name", "Ноутбук school", "--role", "school",
        "--organisation", ORG_NAME, "--municipality", "  Молчановский   район ",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert "Муниципалитет: Молчановский район" in run.out
    bundle = school.export(tmp_path / "out")
    assert hub.import_(bundle).outcome is Outcome.ACCEPTED, hub.import_(bundle).problems
    assert municipality(hub.db) == "Молчановский район"

    run = cli("school", "set-municipality", ORG_NAME, "Томский район", "--db", hub.db)
    assert run.code == 0, run.err
    assert municipality(hub.db) == "Томский район"
    roadmap = hub.export(tmp_path / "roadmap", roadmap=True, organisation=ORG_NAME)
    assert school.import_(roadmap).outcome is Outcome.ACCEPTED
    assert municipality(school.db) == "Томский район"  # the later edit wins on both sides
    with school.open() as store:
        assert not store.rebuild_differences(tmp_path / "rebuilt.db")


def test_a_school_may_not_set_another_schools_municipality(tmp_path: Path) -> None:
    other = "МБОУ «Соседняя СОШ»"
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation=other))
    school = make_school(tmp_path, hub)
    with school.open() as store:
        [op] = store.record(
            [Change(Entity.ORGANISATION, organisation_id(other), Action.SET, "municipality", "Х")]
        )
    # The exporter leaves such an op out; a forger would not.
    report = hub.import_(forge(tmp_path / "forged.curator", school.key, [op]))
    assert report.outcome is Outcome.REFUSED
    assert "доверен только для" in report.message


def municipality(db: Path, org: str = ORG_ID) -> str:
    with Store.open(db) as store:
        row = store.db.execute("SELECT municipality FROM organisation WHERE id = ?", [org])
        return str(row.fetchone()[0])


def test_school_cli(tmp_path: Path) -> None:
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation="МБОУ «Другая СОШ»"))
    run = cli("school", "set-municipality", "СОШ", "Томский район", "--db", hub.db)
    assert run.code != 0 and "нет в базе" in run.err and OTHER_NAME in run.err  # never a guess
    run = cli("school", "set-municipality", "нет такой", "Томский район", "--db", hub.db)
    assert run.code != 0 and "нет в базе" in run.err
    run = cli("school", "set-municipality", ORG_ID, "Томский район", "--db", hub.db)
    assert run.code == 0 and "Томский район" in run.out
    run = cli("school", "set-municipality", ORG_ID, "Томский район", "--db", hub.db)
    assert "ничего не изменилось" in run.out
    listed = cli("school", "list", "--db", hub.db).out.splitlines()
    assert any(ORG_ID in line and "Томский район" in line for line in listed)
    run = cli("school", "set-municipality", ORG_ID, "", "--db", hub.db)
    assert run.code == 0 and "стёрт" in run.out
    assert municipality(hub.db) == ""
    run = cli(
        "init", "--db", tmp_path / "hub2.db", "--name", "Х", "--hub", "--region", "Р",
        "--municipality", "Томский район",
    )  # fmt: skip
    assert run.code != 0 and "У сводной базы нет своего муниципалитета" in run.err


# --- backfilled when a v3 file is upgraded --------------------------------------------------


def test_an_older_file_is_upgraded_with_last_bundles_backfilled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """v3 kept no per-organisation record: each device's latest accepted bundle is credited
    to the organisations its operations touch, as v3's queries did."""
    path = tmp_path / "hub.db"
    names = ("МБОУ «Первая СОШ»", "МБОУ «Вторая СОШ»", "МБОУ «Третья СОШ»")
    first, second, third = (organisation_id(name) for name in names)
    school_device, curator_device, idle_device = "d1" * 16, "d2" * 16, "d3" * 16
    with Store.open(tmp_path / "replica.db", create=True) as replica:
        for name in names:
            save_roadmap(replica, small_roadmap(organisation=name))
        roadmap_of = {row["organisation_id"]: row["id"] for row in replica.roadmaps()}
        activity_of = {
            org: replica.activities(roadmap)[0]["id"] for org, roadmap in roadmap_of.items()
        }
        visit = {
            "roadmap_id": roadmap_of[first],
            "visit_date": "2025-01-20",
            "participants": "",
            "notes": "",
            "device_id": curator_device,
            "activities": [],
        }
        note = {"activity_id": activity_of[second], "text": "Был", "device_id": curator_device}
        replica.apply_remote(
            [
                remote_op(curator_device, 1, Entity.VISIT, new_id(), action=Action.CREATE,
                          field=None, value=visit),
                remote_op(curator_device, 2, Entity.NOTE, new_id(), action=Action.CREATE,
                          field=None, value=note),
                remote_op(school_device, 1, Entity.ACTIVITY, activity_of[first]),
            ]
        )  # fmt: skip
        with old_schema_copy(replica, path, 3, monkeypatch) as conn:
            conn.executemany(
                "INSERT INTO bundle_import (bundle_id, imported_at, signer, device_id, result) "
                "VALUES (?, ?, 'someone', ?, ?)",
                [
                    ("b1", "2025-03-01T10:00:00Z", school_device, "accepted"),
                    ("b2", "2025-04-01T10:00:00Z", school_device, "accepted"),
                    ("b3", "2025-05-01T10:00:00Z", school_device, "refused"),
                    ("b4", "2025-02-01T10:00:00Z", curator_device, "accepted"),
                    ("b5", "2025-05-02T10:00:00Z", idle_device, "accepted"),
                ],
            )

    with Store.open(path) as store:
        assert schema_version(store.db) >= 4
        summaries = {s.organisation_id: s for s in school_summaries(store, TODAY)}
        assert {row["municipality"] for row in store.db.query("SELECT * FROM organisation")} == {""}
    assert last_bundle_rows(path) == {
        # the school's latest accepted bundle beats the curator's older one; b3 was refused
        first: ("b2", school_device, "2025-04-01T10:00:00Z"),
        second: ("b4", curator_device, "2025-02-01T10:00:00Z"),  # through the note
    }
    assert summaries[first].last_bundle == parse_timestamp("2025-04-01T10:00:00Z")
    assert summaries[third].last_bundle is None
    assert isinstance(summaries[second].last_bundle, datetime)
