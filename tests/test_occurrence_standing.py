"""One derivation of a recurring activity's standing for every face: the Python rule
(domain.rules.standing) and its SQL twin (store.rules_sql) agree on generated cases, and the
list, the progress line, the quick filter, the report's counts and the dashboard all judge a
monthly activity whose January is done and February is not as overdue.

Real SQLite files, real operations (Store.set_occurrence_status), the real list rows.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.domain.models import Schedule, Status
from curator_tui.domain.rules import (
    DUE_SOON_DAYS,
    counts_as_due,
    is_due_soon,
    is_overdue,
    standing,
)
from curator_tui.reports.model import progress_chart
from curator_tui.store.queries import (
    ActivityQuery,
    QuickFilter,
    Sort,
    count_activities,
    page_activities,
    progress,
)
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.rules_sql import (
    counts_as_due_condition,
    due_soon_condition,
    overdue_condition,
    shown_status,
)
from curator_tui.store.store import Store
from curator_tui.tui.rows import RowContext, list_row
from curator_tui.views.dashboard import dashboard_rows
from tests.conftest import small_roadmap

MARCH = date(2022, 3, 5)


def monthly_activity(store: Store) -> dict:
    [row] = store.find_activities("2")  # «ежемесячно»
    return row


def sql_judgement(store: Store, activity_id: str, day: date) -> tuple[object, ...]:
    soon = (day + timedelta(days=DUE_SOON_DAYS)).isoformat()
    row = store.conn.execute(
        f"SELECT {shown_status(':day')}, {overdue_condition(':day')}, "
        f"{due_soon_condition(':day', ':soon')}, {counts_as_due_condition(':day')} "
        "FROM activity a WHERE a.id = :id",
        {"day": day.isoformat(), "soon": soon, "id": activity_id},
    ).fetchone()
    return (Status(row[0]), *(bool(v) for v in row[1:]))


def python_judgement(store: Store, activity_id: str, day: date) -> tuple[object, ...]:
    row = store.activity(activity_id)
    schedule = Schedule.from_json(row["schedule"])
    judged = standing(Status(row["status"]), schedule.due, store.occurrences(row), day)
    return (
        judged.status,
        is_overdue(judged.status, judged.due, day),
        is_due_soon(judged.status, judged.due, judged.due, day),
        counts_as_due(judged.status, judged.due, day),
    )


marks = st.dictionaries(st.integers(0, 11), st.sampled_from(list(Status)), max_size=12)
days = st.dates(date(2021, 12, 1), date(2023, 1, 31))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(own=st.sampled_from(list(Status)), marked=marks, day=days)
def test_the_sql_twin_judges_a_recurring_activity_as_the_python_rule(
    own: Status, marked: dict[int, Status], day: date
) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.open(Path(folder) / "school.db", create=True) as store,
    ):
        save_roadmap(store, small_roadmap())
        activity = monthly_activity(store)
        if own is not Status.NOT_STARTED:
            store.set_status(activity["id"], own)
        occurrences = store.occurrences(activity)
        for month, status in marked.items():
            store.set_occurrence_status(occurrences[month], status)
        for other in store.activities():  # untracked activities keep the plain rule
            assert sql_judgement(store, other["id"], day) == python_judgement(
                store, other["id"], day
            )


def test_january_done_february_owed_is_overdue_everywhere(school: Store) -> None:
    before = progress(school, MARCH)
    overdue_query = ActivityQuery(quick=QuickFilter.OVERDUE)
    listed_before = count_activities(school, overdue_query, MARCH)
    [dashboard_before] = dashboard_rows(school, MARCH)
    activity = monthly_activity(school)
    school.set_occurrence_status(school.occurrences(activity)[0], Status.DONE)

    after = progress(school, MARCH)
    assert after.overdue == before.overdue + 1
    assert after.in_progress == before.in_progress + 1  # its own status is still «не начато»
    assert count_activities(school, overdue_query, MARCH) == listed_before + 1
    [dashboard_after] = dashboard_rows(school, MARCH)
    assert dashboard_after.summary.overdue == dashboard_before.summary.overdue + 1
    assert dashboard_after.summary.in_progress == dashboard_before.summary.in_progress + 1

    rows = page_activities(school, ActivityQuery(), MARCH, 0, 50)
    [row] = [list_row(r, RowContext(MARCH, Sort.NUMBER, False)) for r in rows if r["number"] == "2"]
    assert (row.status, row.due.overdue) == (Status.IN_PROGRESS, True)
    assert row.due.short.startswith("до 28 фев")  # the occurrence owed, not December
    status_query = ActivityQuery(status=Status.IN_PROGRESS)
    assert [r["number"] for r in page_activities(school, status_query, MARCH, 0, 50)] == ["2"]


def test_every_month_done_so_far_is_done_and_not_overdue(school: Store) -> None:
    activity = monthly_activity(school)
    occurrences = school.occurrences(activity)
    for occurrence in occurrences[:3]:  # January to March: March has begun by the 5th
        school.set_occurrence_status(occurrence, Status.DONE)
    figures = progress(school, MARCH)
    done = count_activities(school, ActivityQuery(status=Status.DONE), MARCH)
    assert done == figures.done == 1
    overdue = page_activities(school, ActivityQuery(quick=QuickFilter.OVERDUE), MARCH, 0, 50)
    assert "2" not in [r["number"] for r in overdue]
    without_evidence = ActivityQuery(quick=QuickFilter.DONE_WITHOUT_EVIDENCE)
    assert count_activities(school, without_evidence, MARCH) == figures.done_without_evidence


def test_the_dashboard_chart_counts_a_monthly_activity_month_by_month(school: Store) -> None:
    january, february = date(2022, 1, 1), date(2022, 2, 1)
    before = {p.month: p for p in progress_chart(school, MARCH)}
    activity = monthly_activity(school)
    school.set_occurrence_status(school.occurrences(activity)[0], Status.DONE)
    after = {p.month: p for p in progress_chart(school, MARCH)}
    assert after[january].done == before[january].done + 1  # January's occurrence is done
    assert after[february].done == before[february].done  # February's is still owed
    assert after[february].planned == before[february].planned >= 1
