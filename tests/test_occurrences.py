"""Recurring activities by occurrence: «ежемесячно» has a status and evidence per month.

Real stores in tmp_path, real bundles between a hub, a school and a curator, the real
`curator` command; the Textual side is in tests/test_tui_occurrences.py.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.domain.rules import (
    Occurrence,
    find_occurrences,
    last_day_of_month,
    occurrence_id,
    occurrences_of,
    recurring_status,
)
from curator_tui.reports.model import build_monthly_report
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.bundle_helpers import (
    ORG_NAME,
    OTHER_NAME,
    cli,
    forge,
    make_curator,
    make_hub,
    make_school,
    remote_op,
)
from tests.conftest import small_roadmap

MONTHS = [(date(2022, m, 1), last_day_of_month(date(2022, m, 1))) for m in range(1, 13)]


def monthly(*marked: tuple[int, Status]) -> list[Occurrence]:
    rows = [(MONTHS[m - 1][0], MONTHS[m - 1][1], status) for m, status in marked]
    return occurrences_of("a" * 32, MONTHS, rows)


# --- the rules ---------------------------------------------------------------------------------


def test_an_occurrence_id_is_derived_from_the_activity_and_the_window_start() -> None:
    assert occurrence_id("a" * 32, date(2022, 1, 1)) == occurrence_id("a" * 32, date(2022, 1, 1))
    assert occurrence_id("a" * 32, date(2022, 1, 1)) != occurrence_id("a" * 32, date(2022, 2, 1))
    assert monthly()[0].id == occurrence_id("a" * 32, date(2022, 1, 1))


def test_the_recurring_status_is_derived_from_the_occurrences_begun() -> None:
    feb = date(2022, 2, 10)
    # Nothing marked: the activity's own status, as before occurrences existed.
    assert recurring_status(Status.IN_PROGRESS, monthly(), feb) is Status.IN_PROGRESS
    # January done, February (begun) not yet: in progress.
    assert recurring_status(Status.NOT_STARTED, monthly((1, Status.DONE)), feb) is (
        Status.IN_PROGRESS
    )
    both = monthly((1, Status.DONE), (2, Status.DONE))
    assert recurring_status(Status.NOT_STARTED, both, feb) is Status.DONE
    # A cancelled occurrence is not owed; a cancelled activity stops every occurrence.
    skipped = monthly((1, Status.DONE), (2, Status.CANCELLED))
    assert recurring_status(Status.NOT_STARTED, skipped, feb) is Status.DONE
    assert recurring_status(Status.CANCELLED, both, feb) is Status.CANCELLED
    # Only future occurrences marked as not started: not started.
    later = monthly((6, Status.NOT_STARTED))
    assert recurring_status(Status.NOT_STARTED, later, feb) is Status.NOT_STARTED


@pytest.mark.parametrize(
    ("text", "month"),
    [("2022-01", 1), ("январь", 1), ("Января 2022", 1), ("май", 5), ("март", 3), ("15.03.2022", 3)],
)
def test_an_occurrence_is_found_by_month_or_day(text: str, month: int) -> None:
    [found] = find_occurrences(monthly(), text)
    assert found.start == date(2022, month, 1)


def test_text_naming_no_occurrence_finds_none() -> None:
    for text in ("2023-01", "2022-13", "31.02.2022", "вчера", "январь прошлого"):
        assert find_occurrences(monthly(), text) == []


# --- the store ---------------------------------------------------------------------------------


def recurring(store: Store) -> dict:
    [row] = store.find_activities("2")  # «ежемесячно»
    return row


def test_occurrences_are_listed_only_for_recurring_activities(school: Store) -> None:
    assert [o.label for o in school.occurrences(recurring(school))][:2] == [
        "январь 2022",
        "февраль 2022",
    ]
    for number in ("1", "3", "3.1"):
        [row] = school.find_activities(number)
        assert school.occurrences(row) == []


def test_an_occurrence_status_is_kept_and_replays_from_the_log(
    school: Store, tmp_path: Path
) -> None:
    activity = recurring(school)
    january = school.occurrences(activity)[0]
    school.set_occurrence_status(january, Status.DONE)
    school.set_occurrence_status(january, Status.IN_PROGRESS)  # no second create
    listed = school.occurrences(activity)
    assert (listed[0].status, listed[0].marked, listed[1].marked) == (
        Status.IN_PROGRESS,
        True,
        False,
    )
    creates = school.conn.execute(
        "SELECT COUNT(*) FROM op WHERE entity = 'occurrence' AND action = 'create'"
    ).fetchone()
    assert creates == (1,)
    assert school.activity(activity["id"])["status"] == Status.NOT_STARTED.value  # its own
    assert school.rebuild_differences(tmp_path / "rebuilt.db") == []


def test_evidence_names_its_occurrence(school: Store, tmp_path: Path) -> None:
    activity = recurring(school)
    february = school.occurrences(activity)[1]
    evidence_id = school.attach_link(activity["id"], "https://example.org/feb", occurrence=february)
    assert school.evidence_item(evidence_id)["occurrence"] == february.id
    # The occurrence exists (created with the evidence), still without a status of its own.
    row = school.conn.execute(
        "SELECT window_start, status FROM occurrence WHERE id = ?", (february.id,)
    ).fetchone()
    assert row == ("2022-02-01", "not_started")
    assert school.activity(activity["id"])["evidence_count"] == 1


# --- two replicas, real bundles ----------------------------------------------------------------


def occurrence_rows(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT id, activity_id, window_start, window_end, status FROM occurrence ORDER BY id"
    ).fetchall()


def test_two_replicas_completing_the_same_occurrence_converge_into_one(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    curator = make_curator(tmp_path, hub)
    for who in (school, curator):  # each marks January done, neither having seen the other
        with who.open() as store:
            january = store.occurrences(recurring(store))[0]
            store.set_occurrence_status(january, Status.DONE)
    for who, name in ((school, "from-school"), (curator, "from-curator")):
        report = hub.import_(who.export(tmp_path / name))
        assert report.outcome == "accepted", report.problems
    assert curator.import_(hub.export(tmp_path / "from-hub")).outcome == "accepted"
    with hub.open() as at_hub, curator.open() as at_curator:
        rows = occurrence_rows(at_hub)
        activity = recurring(at_hub)
        assert rows == [(january.id, activity["id"], "2022-01-01", "2022-01-31", "done")]
        assert occurrence_rows(at_curator) == rows
        creates = at_hub.conn.execute(
            "SELECT COUNT(DISTINCT device_id) FROM op WHERE entity = ? AND action = 'create'",
            (Entity.OCCURRENCE.value,),
        ).fetchone()
        assert creates == (2,)  # two creates, one entity
        assert at_hub.dump_projection()["occurrence"] == at_curator.dump_projection()["occurrence"]


def test_a_school_may_not_mark_another_schools_occurrence(tmp_path: Path) -> None:
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    other = make_school(tmp_path, hub, "other", org=OTHER_NAME)
    with hub.open() as store:
        [theirs] = [r for r in store.find_activities("2") if r["roadmap_id"] in roadmaps_of(store)]
        january = store.occurrences(theirs)[0]
    device = other.device_id
    window = {"window_start": "2022-01-01", "window_end": "2022-01-31"}
    ops = [
        remote_op(
            device, 1, Entity.OCCURRENCE, january.id, action=Action.CREATE,
            field=None, value={"activity_id": theirs["id"], **window},
        ),
        remote_op(device, 2, Entity.OCCURRENCE, january.id),
    ]  # fmt: skip
    report = hub.import_(forge(tmp_path / "forged.curator", other.key, ops))
    assert report.outcome == "refused"
    assert any("доверен только для" in p.text for p in report.problems), report.problems
    with hub.open() as store:
        assert occurrence_rows(store) == []


def roadmaps_of(store: Store, name: str = ORG_NAME) -> set[str]:
    return {r["id"] for r in store.roadmaps() if r["organisation"] == name}


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def school_db(tmp_path: Path) -> Path:
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
    return db


def test_set_status_of_an_occurrence_from_the_command_line(school_db: Path) -> None:
    done = cli("set-status", "2", "выполнено", "--occurrence", "2022-01", "--db", school_db)
    assert done.code == 0, done.err
    assert done.out.strip() == f"№ 2, январь 2022: статус «{Status.DONE.label}»"
    begun = cli("set-status", "2", "в работе", "--occurrence", "февраль", "--db", school_db)
    assert begun.code == 0, begun.err
    listed = json.loads(cli("activities", "--json", "--db", school_db).out)
    row = next(r for r in listed if r["number"] == "2")
    assert [(o["label"], o["status"]) for o in row["occurrences"][:3]] == [
        ("январь 2022", "done"),
        ("февраль 2022", "in_progress"),
        ("март 2022", "not_started"),
    ]
    assert (row["status"], row["own_status"]) == ("in_progress", "not_started")
    others = [r for r in listed if r["number"] != "2"]
    assert all("occurrences" not in r and r["status"] == "not_started" for r in others)


def test_an_unknown_or_needless_occurrence_is_refused_in_russian(school_db: Path) -> None:
    unknown = cli("set-status", "2", "выполнено", "--occurrence", "2023-05", "--db", school_db)
    assert unknown.code != 0
    assert "нет повторения «2023-05»" in unknown.err
    assert "январь 2022 (2022-01-01)" in unknown.err  # the occurrences are listed
    needless = cli("set-status", "1", "выполнено", "--occurrence", "январь", "--db", school_db)
    assert needless.code != 0
    assert "не повторяется" in needless.err


def test_an_ambiguous_occurrence_lists_the_candidates(tmp_path: Path) -> None:
    parsed = small_roadmap()
    parsed.activities[1].deadline_text = "2-й и 4-й понедельник месяца"
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, parsed)
        windows = [o.start for o in store.occurrences(recurring(store)) if o.start.month == 1]
    assert len(windows) == 2, windows
    ambiguous = cli("set-status", "2", "выполнено", "--occurrence", "январь", "--db", db)
    assert ambiguous.code != 0
    assert "подходит к нескольким повторениям" in ambiguous.err
    assert all(day.isoformat() in ambiguous.err for day in windows)
    exact = cli("set-status", "2", "выполнено", "--occurrence", windows[1].isoformat(), "--db", db)
    assert exact.code == 0, exact.err


def test_attach_evidence_to_an_occurrence(school_db: Path) -> None:
    link = "https://example.org/protocol-march"
    done = cli("attach", "2", "--link", link, "--occurrence", "март", "--db", school_db)
    assert done.code == 0, done.err
    assert "март 2022" in done.out
    with Store.open(school_db) as store:
        activity = recurring(store)
        [item] = store.evidence(activity["id"])
        assert item["occurrence"] == occurrence_id(activity["id"], date(2022, 3, 1))


# --- the monthly report ----------------------------------------------------------------------


def test_the_monthly_report_counts_the_months_occurrence(school: Store) -> None:
    activity = recurring(school)
    school.set_occurrence_status(school.occurrences(activity)[0], Status.DONE)
    today = date(2022, 3, 5)
    january = build_monthly_report(school, date(2022, 1, 1), None, today)
    [listed] = [a for a in january.schools[0].due if a.number == "2"]
    assert (listed.status, listed.occurrences_due, listed.occurrences_done) == ("done", 1, 1)
    february = build_monthly_report(school, date(2022, 2, 1), None, today)
    [listed] = [a for a in february.schools[0].due if a.number == "2"]
    assert (listed.status, listed.occurrences_due, listed.occurrences_done) == (
        "not_started",
        1,
        0,
    )
    # Due in the month whether done or not: the count of the month is the same.
    assert january.schools[0].summary.due_in_month == february.schools[0].summary.due_in_month
    [first] = [a for a in january.schools[0].due if a.number == "1"]
    assert (first.occurrences_due, first.status) == (0, "not_started")
