"""The review loop (issue 15) through real bundles and the real CLI: a school reports, the
hub returns the activity «на доработку» with a comment, the school sees it, fixes it, and the
hub sees it «повторно на проверке»; a school can neither review nor send a review."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from curator_tui.domain.models import RESUBMITTED, ReviewState, Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.domain.rules import REVIEW_COMMENT_MAX
from curator_tui.reports.model import build_monthly_report
from curator_tui.store.change_log import Change
from curator_tui.store.database import StoreError
from curator_tui.store.review_queue import review_queue
from tests.bundle_helpers import (
    ORG_NAME,
    Replica,
    activity_id,
    bundle_ops,
    cli,
    make_curator,
    make_hub,
    make_school,
)

COMMENT = "Приказ не подписан директором"


@pytest.fixture
def loop(tmp_path: Path) -> tuple[Replica, Replica]:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        store.set_status(activity_id(store, "1"), Status.DONE)
    report = hub.import_(school.export(tmp_path / "to-hub-1"))
    assert report.outcome == "accepted", report.problems
    return hub, school


def review_of(replica: Replica, number: str = "1") -> tuple[str, str]:
    with replica.open() as store:
        row = store.require_activity(activity_id(store, number))
    return row["review"], row["review_comment"]


def activities_json(replica: Replica) -> dict[str, dict]:
    run = cli("activities", "--json", "--db", replica.db)
    assert run.code == 0, run.err
    return {row["number"]: row for row in json.loads(run.out)}


def test_the_whole_loop(loop: tuple[Replica, Replica], tmp_path: Path) -> None:
    hub, school = loop
    run = cli("review", "1", "на-доработку", "--comment", COMMENT, "--db", hub.db)
    assert run.code == 0, run.err
    assert "На доработку" in run.out and COMMENT in run.out
    assert review_of(hub) == (ReviewState.RETURNED.value, COMMENT)

    back = hub.export(tmp_path / "to-school", receiver=school.device_id)
    assert school.import_(back).outcome == "accepted"
    seen = activities_json(school)["1"]
    assert (seen["review"], seen["review_comment"]) == (ReviewState.RETURNED.value, COMMENT)

    with school.open() as store:  # the school fixes it: a note and the signed order
        store.add_note(activity_id(store, "1"), "Приказ подписан, скан приложен")
    assert hub.import_(school.export(tmp_path / "to-hub-2")).outcome == "accepted"
    assert review_of(hub) == (RESUBMITTED, COMMENT)
    run = cli("review", "1", "--db", hub.db)
    assert "Повторно на проверке" in run.out

    run = cli("review", "1", "принято", "--db", hub.db)
    assert run.code == 0 and "Принято" in run.out
    assert review_of(hub) == (ReviewState.ACCEPTED.value, "")


def test_the_reviewers_own_note_does_not_resubmit(loop: tuple[Replica, Replica]) -> None:
    hub, _school = loop
    assert cli("review", "1", "на-доработку", "--comment", COMMENT, "--db", hub.db).code == 0
    with hub.open() as store:
        store.add_note(activity_id(store, "1"), "Жду подписанный приказ")
    assert review_of(hub)[0] == ReviewState.RETURNED.value


def test_a_school_database_does_not_review(loop: tuple[Replica, Replica]) -> None:
    _hub, school = loop
    run = cli("review", "1", "принято", "--db", school.db)
    assert run.code != 0
    assert "Проверку выставляют координатор и куратор" in run.err
    assert review_of(school)[0] == ReviewState.NOT_REVIEWED.value


def test_a_verdict_recorded_on_a_school_laptop_never_leaves_it(
    loop: tuple[Replica, Replica], tmp_path: Path
) -> None:
    """A tampered laptop's verdict is not exported (the hub would refuse it: see
    test_bundles_hostile.test_school_may_not_review for a bundle forged with it)."""
    hub, school = loop
    with school.open() as store:
        target = activity_id(store, "2")
        store.record([Change(Entity.ACTIVITY, target, Action.SET, "review_state", "accepted")])
    bundle = school.export(tmp_path / "tampered", full=True)
    assert not [op for op in bundle_ops(bundle) if op.field == "review_state"]
    hub.import_(bundle)
    assert review_of(hub, "2")[0] == ReviewState.NOT_REVIEWED.value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("на-доработку",), "нужен комментарий"),
        (("на-доработку", "--comment", "  \x00\x07 "), "нужен комментарий"),
        (("на-доработку", "--comment", "я" * (REVIEW_COMMENT_MAX + 1)), "слишком длинный"),
        (("отлично",), "Неизвестная отметка проверки"),
    ],
)
def test_bad_verdicts_are_refused_and_nothing_is_written(
    loop: tuple[Replica, Replica], args: tuple[str, ...], message: str
) -> None:
    hub, _school = loop
    with hub.open() as store:
        before = store.conn.execute("SELECT COUNT(*) FROM op").fetchone()[0]
    run = cli("review", "1", *args, "--db", hub.db)
    assert run.code != 0 and message in run.err
    with hub.open() as store:
        assert store.conn.execute("SELECT COUNT(*) FROM op").fetchone()[0] == before


def test_control_characters_are_cleaned(loop: tuple[Replica, Replica]) -> None:
    hub, _school = loop
    dirty = "Нет\x1b[31m подписи\u202e\r"
    assert cli("review", "1", "на-доработку", "--comment", dirty, "--db", hub.db).code == 0
    assert review_of(hub) == (ReviewState.RETURNED.value, "Нет[31m подписи")


def test_unknown_activity(loop: tuple[Replica, Replica]) -> None:
    hub, _school = loop
    run = cli("review", "9999", "принято", "--db", hub.db)
    assert run.code != 0 and "9999" in run.err


def test_a_curators_verdict_reaches_the_hub_and_the_report(
    loop: tuple[Replica, Replica], tmp_path: Path
) -> None:
    hub, school = loop
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", ORG_NAME, "school")
    got = curator.import_(school.export(tmp_path / "to-curator", full=True))
    assert got.outcome == "accepted", (got.problems, got.message)
    run = cli("review", "1", "на-доработку", "--comment", COMMENT, "--db", curator.db)
    assert run.code == 0, run.err
    report = hub.import_(curator.export(tmp_path / "from-curator"))
    assert report.outcome == "accepted", report.problems
    assert review_of(hub) == (ReviewState.RETURNED.value, COMMENT)
    with hub.open() as store:
        monthly = build_monthly_report(store, date(2022, 1, 1), None, date(2022, 1, 20))
    [listed] = [a for s in monthly.schools for a in s.activities if a.number == "1"]
    assert listed.review == f"На доработку: {COMMENT}"
    assert monthly.has_reviews


def test_the_queue_lists_what_waits_oldest_first(
    loop: tuple[Replica, Replica], tmp_path: Path
) -> None:
    hub, school = loop
    run = cli("review", "--db", hub.db)
    assert run.code == 0 and "Ждут проверки: 1" in run.out and "№ 1 " in run.out
    assert "Не проверено" in run.out
    assert cli("review", "--school", "другая", "--db", hub.db).out.startswith("Нет мероприятий")
    assert cli("review", "1", "на-доработку", "--comment", COMMENT, "--db", hub.db).code == 0
    assert "Нет мероприятий, ждущих проверки" in cli("review", "--db", hub.db).out
    back = hub.export(tmp_path / "to-school", receiver=school.device_id)
    assert school.import_(back).outcome == "accepted"
    with school.open() as store:
        store.set_status(activity_id(store, "1"), Status.IN_PROGRESS)
        store.set_status(activity_id(store, "3"), Status.DONE)
    assert hub.import_(school.export(tmp_path / "to-hub-2")).outcome == "accepted"
    with hub.open() as store:
        queue = review_queue(store)
    assert [(i.number, i.review) for i in queue] == [
        ("1", RESUBMITTED),
        ("3", ReviewState.NOT_REVIEWED.value),
    ]
    assert queue[0].comment == COMMENT and queue[0].organisation == ORG_NAME


def test_concurrent_verdicts_are_a_visible_conflict(
    loop: tuple[Replica, Replica], tmp_path: Path
) -> None:
    hub, school = loop
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", ORG_NAME, "school")
    assert curator.import_(school.export(tmp_path / "to-curator", full=True)).outcome == "accepted"
    assert cli("review", "1", "принято", "--db", hub.db).code == 0
    assert cli("review", "1", "на-доработку", "--comment", COMMENT, "--db", curator.db).code == 0
    assert hub.import_(curator.export(tmp_path / "from-curator")).outcome == "accepted"
    conflicts = activities_json(hub)["1"]["conflicts"]
    fields = {c["field"] for c in conflicts}
    assert "review_state" in fields, conflicts


def test_a_remark_on_evidence_reaches_the_school(
    loop: tuple[Replica, Replica], tmp_path: Path
) -> None:
    hub, school = loop
    with school.open() as store:
        store.attach_link(activity_id(store, "1"), "https://school.example/prikaz", title="Приказ")
    assert hub.import_(school.export(tmp_path / "to-hub-2")).outcome == "accepted"
    with hub.open() as store:
        [evidence] = store.evidence(activity_id(store, "1"))
        store.set_evidence_remark(evidence["id"], "Нет подписи\x07 директора")
    assert school.import_(hub.export(tmp_path / "back", receiver=school.device_id)).outcome == (
        "accepted"
    )
    with school.open() as store:
        [seen] = store.evidence(activity_id(store, "1"))
        assert seen["remark"] == "Нет подписи директора"
        with pytest.raises(StoreError, match="координатор и куратор"):
            store.set_evidence_remark(seen["id"], "сам себе")
