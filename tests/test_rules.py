"""The programme's rules: the Python definitions (domain.rules) and their SQL spelling
(store.rules_sql) judge the same rows the same way, and every query that counts by them agrees.

Real SQLite files in tmp_path: a roadmap with one activity per status × due date around today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind, OrgLevel, Schedule, Status
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.domain.rules import (
    DUE_SOON_DAYS,
    MANY_OVERDUE,
    STALE_DAYS,
    counts_as_due,
    guess_evidence_kind,
    is_behind,
    is_due_soon,
    is_open,
    is_overdue,
    is_stale,
)
from curator_tui.store.queries import ActivityQuery, QuickFilter, count_activities, progress
from curator_tui.store.report_queries import PeriodParams, activity_counts
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.rules_sql import (
    counts_as_due_condition,
    due_soon_condition,
    overdue_condition,
)
from curator_tui.store.store import Store
from curator_tui.tui.formatting import describe_due

TODAY = date(2026, 11, 23)
# No date, then days around today and around the end of the «due soon» window.
OFFSETS: tuple[int | None, ...] = (None, -30, -1, 0, 1, DUE_SOON_DAYS, DUE_SOON_DAYS + 1, 90)


def due_on(offset: int | None) -> date | None:
    return None if offset is None else TODAY + timedelta(days=offset)


def matrix_roadmap() -> ParsedRoadmap:
    activities = []
    for status in Status:
        for offset in OFFSETS:
            due = due_on(offset)
            deadline = f"до {due:%d.%m.%Y}" if due else "по отдельному графику"
            activities.append(
                ParsedActivity(
                    number=str(len(activities) + 1),
                    title=f"{status.value} {offset}",
                    deadline_text=deadline,
                    section="Раздел",
                )
            )
    return ParsedRoadmap(
        organisation="МБОУ «Школа правил»",
        level=OrgLevel.SCHOOL,
        title="Дорожная карта",
        year=TODAY.year,
        sections=["Раздел"],
        activities=activities,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    db = tmp_path_factory.mktemp("rules") / "rules.db"
    with Store.open(db, create=True) as opened:
        save_roadmap(opened, matrix_roadmap())
        for row in opened.activities():
            opened.set_status(row["id"], Status(row["title"].split()[0]))
    return Store.open(db)


def due_of(row: dict) -> date | None:
    return date.fromisoformat(row["due_date"]) if row["due_date"] else None


def test_the_matrix_covers_every_status_and_date(store: Store) -> None:
    rows = store.activities()
    assert {(Status(r["status"]), due_of(r)) for r in rows} == {
        (status, due_on(offset)) for status in Status for offset in OFFSETS
    }


@pytest.mark.parametrize("day", [TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)])
def test_sql_conditions_agree_with_the_python_rules_row_by_row(store: Store, day: date) -> None:
    soon = (day + timedelta(days=DUE_SOON_DAYS)).isoformat()
    sql = (
        f"SELECT a.id, {overdue_condition(':day')}, {due_soon_condition(':day', ':soon')}, "
        f"{counts_as_due_condition(':day')} FROM activity a"
    )
    by_sql = {
        row[0]: tuple(bool(v) for v in row[1:])
        for row in store.conn.execute(sql, {"day": day.isoformat(), "soon": soon})
    }
    by_python = {}
    for row in store.activities():
        status, due = Status(row["status"]), due_of(row)
        by_python[row["id"]] = (
            is_overdue(status, due, day),
            is_due_soon(status, due, due, day),
            counts_as_due(status, due, day),
        )
    assert by_sql == by_python
    assert any(flags[0] for flags in by_sql.values())  # the matrix exercises each rule
    assert any(flags[1] for flags in by_sql.values())


def test_every_query_counts_by_the_same_rules(store: Store) -> None:
    rows = store.activities()
    overdue = sum(is_overdue(Status(r["status"]), due_of(r), TODAY) for r in rows)
    soon = sum(is_due_soon(Status(r["status"]), due_of(r), due_of(r), TODAY) for r in rows)
    due = sum(counts_as_due(Status(r["status"]), due_of(r), TODAY) for r in rows)
    # Open (2 statuses) × past (2 dates); open × today, tomorrow, the window's last day;
    # not cancelled (3 statuses) × past.
    assert (overdue, soon, due) == (4, 6, 6)

    figures = progress(store, TODAY)
    assert (figures.overdue, figures.due_soon) == (overdue, soon)
    assert count_activities(store, ActivityQuery(quick=QuickFilter.OVERDUE), TODAY) == overdue
    period = PeriodParams(TODAY.replace(day=1), date(2026, 12, 1), TODAY)
    [counts] = activity_counts(store, period).values()
    assert (counts["overdue"], counts["due_before_cutoff"]) == (overdue, due)


def test_the_list_row_marks_what_the_rules_say(store: Store) -> None:
    for row in store.activities():
        status, schedule = Status(row["status"]), Schedule.from_json(row["schedule"])
        shown = describe_due(schedule, status, TODAY)
        assert shown.overdue == is_overdue(status, schedule.due, TODAY), row["title"]
        assert shown.soon == is_due_soon(status, schedule.due, schedule.due, TODAY), row["title"]


def test_open_means_neither_done_nor_cancelled() -> None:
    assert [s for s in Status if is_open(s)] == [Status.NOT_STARTED, Status.IN_PROGRESS]


def test_due_soon_is_about_the_deadline_ahead_not_the_last_one() -> None:
    # A recurring activity: its last due date is far, its next window ends in a week.
    far, week = TODAY + timedelta(days=200), TODAY + timedelta(days=7)
    assert is_due_soon(Status.IN_PROGRESS, far, week, TODAY)
    assert not is_due_soon(Status.DONE, far, week, TODAY)
    assert not is_due_soon(Status.IN_PROGRESS, TODAY - timedelta(days=1), week, TODAY)  # overdue
    assert not is_due_soon(Status.IN_PROGRESS, None, None, TODAY)


def test_behind_by_count_or_share_of_what_is_due() -> None:
    assert is_behind(MANY_OVERDUE, 1000)
    assert not is_behind(MANY_OVERDUE - 1, 1000)
    assert is_behind(1, 4) and not is_behind(1, 5)  # a quarter of what is due
    assert not is_behind(0, 0)


def test_stale_after_the_threshold_or_never() -> None:
    assert is_stale(None, TODAY)
    assert is_stale(datetime(2026, 10, 24, 12), TODAY)  # 30 days
    assert not is_stale(datetime(2026, 10, 25, 12), TODAY)
    assert (TODAY - date(2026, 10, 24)).days == STALE_DAYS


@pytest.mark.parametrize(
    ("name", "chosen", "kind"),
    [
        ("IMG_0042.JPG", EvidenceKind.OTHER, EvidenceKind.PHOTO),
        (Path("/media/usb/scan.heic"), EvidenceKind.OTHER, EvidenceKind.PHOTO),
        ("scan.jpg", EvidenceKind.PROTOCOL, EvidenceKind.PROTOCOL),  # the user's choice stays
        ("приказ.pdf", EvidenceKind.OTHER, EvidenceKind.OTHER),
        ("без расширения", EvidenceKind.OTHER, EvidenceKind.OTHER),
    ],
)
def test_a_picture_left_as_other_is_a_photo(
    name: str | Path, chosen: EvidenceKind, kind: EvidenceKind
) -> None:
    assert guess_evidence_kind(name, chosen) is kind
