"""Paged and filtered activity reads on a real database."""

from __future__ import annotations

from datetime import date

from curator_tui.domain.models import Status
from curator_tui.store.queries import (
    ActivityQuery,
    QuickFilter,
    Sort,
    count_activities,
    page_activities,
    progress,
)
from curator_tui.store.store import Store

TODAY = date(2022, 2, 15)


def numbers(store: Store, query: ActivityQuery) -> list[str]:
    return [r["number"] for r in page_activities(store, query, TODAY, 0, 100)]


def test_text_filter_matches_number_title_and_responsible_case_insensitively(
    school: Store,
) -> None:
    assert numbers(school, ActivityQuery(text="СЕМИНАР")) == ["3", "3.1"]
    assert numbers(school, ActivityQuery(text="куратор")) == ["2"]
    assert numbers(school, ActivityQuery(text="3.1")) == ["3.1"]
    assert numbers(school, ActivityQuery(text="семинар грамотности")) == ["3.1"]
    assert count_activities(school, ActivityQuery(text="нет такого"), TODAY) == 0


def test_like_wildcards_in_the_filter_are_literal(school: Store) -> None:
    assert numbers(school, ActivityQuery(text="%")) == []
    assert numbers(school, ActivityQuery(text="_")) == []


def test_status_and_done_without_evidence(school: Store) -> None:
    [first] = school.find_activities("1")
    school.set_status(first["id"], Status.DONE)
    assert numbers(school, ActivityQuery(status=Status.DONE)) == ["1"]
    assert numbers(school, ActivityQuery(quick=QuickFilter.DONE_WITHOUT_EVIDENCE)) == ["1"]
    school.attach_link(first["id"], "https://example.org")
    assert numbers(school, ActivityQuery(quick=QuickFilter.DONE_WITHOUT_EVIDENCE)) == []


def test_paging_walks_the_whole_list(school: Store) -> None:
    query = ActivityQuery()
    pages = [page_activities(school, query, TODAY, offset, 2) for offset in (0, 2, 4)]
    assert [[r["number"] for r in p] for p in pages] == [["1", "2"], ["3", "3.1"], []]


def test_progress_counts(school: Store) -> None:
    [first] = school.find_activities("1")
    school.set_status(first["id"], Status.DONE)
    summary = progress(school, TODAY)
    assert summary.total == 4 and summary.done == 1
    assert summary.done_without_evidence == 1


def test_sort_by_deadline_puts_unscheduled_last(school: Store) -> None:
    rows = page_activities(school, ActivityQuery(sort=Sort.DEADLINE), TODAY, 0, 10)
    dues = [r["due_date"] for r in rows]
    dated = [d for d in dues if d]
    assert dated == sorted(dated)
    assert dues[: len(dated)] == dated
