"""Paged and filtered activity reads on a real database."""

from __future__ import annotations

from datetime import date

import pytest

from curator_tui.domain.models import Status
from curator_tui.store import queries
from curator_tui.store.queries import (
    ActivityQuery,
    QuickFilter,
    Sort,
    count_activities,
    page_activities,
    progress,
)
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.conftest import small_roadmap

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


# --- the live filter through the full-text index (db/0002) ------------------------------------


def test_short_words_match_word_beginnings_and_longer_ones_any_part(school: Store) -> None:
    assert numbers(school, ActivityQuery(text="ку")) == ["2"]  # кураторами, Куратор
    assert numbers(school, ActivityQuery(text="ор")) == []  # inside words only: директОР …
    assert numbers(school, ActivityQuery(text="с")) == ["2", "3", "3.1"]
    assert numbers(school, ActivityQuery(text="ратор")) == ["2"]
    assert numbers(school, ActivityQuery(text="«Семинар»")) == ["3", "3.1"]  # punctuation drops


def test_every_way_to_a_page_gives_the_same_rows(
    school: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["", "с", "се", "семинар", "мет", "методист с", "3.1", "нет", "ё"]
    for text in texts:
        for sort in Sort:
            query = ActivityQuery(text=text, sort=sort)
            total = count_activities(school, query, TODAY)
            general = page_activities(school, query, TODAY, 0, 10)
            assert len(general) == total
            by_index = page_activities(school, query, TODAY, 1, 2, total=total)
            monkeypatch.setattr(queries, "SORT_BUDGET", -1)  # walk the list testing the text
            by_scan = page_activities(school, query, TODAY, 1, 2, total=total)
            monkeypatch.undo()
            assert [r["id"] for r in by_index] == [r["id"] for r in general[1:3]], text
            assert [r["id"] for r in by_scan] == [r["id"] for r in general[1:3]], text


def test_removed_activities_leave_the_text_index(school: Store) -> None:
    amended = small_roadmap()
    amended.activities = amended.activities[:2]  # «Семинары …» no longer in the roadmap
    save_roadmap(school, amended)
    assert count_activities(school, ActivityQuery(text="семинар"), TODAY) == 0
    assert numbers(school, ActivityQuery(text="се")) == []


def test_old_search_text_is_respelled_when_the_file_is_opened(school: Store) -> None:
    [first] = school.find_activities("1")
    school.db.execute("UPDATE activity SET search_text = 'old' WHERE id = ?", (first["id"],))
    school.db.execute("DELETE FROM local_setting WHERE key = 'search_key_version'")
    reopened = Store.open(school.path)
    try:
        rows = page_activities(reopened, ActivityQuery(text="утв"), TODAY, 0, 5)
        assert [r["number"] for r in rows] == ["1"]
    finally:
        reopened.close()


def test_due_this_month_needs_a_window_in_the_month_as_the_report_does(store: Store) -> None:
    from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
    from curator_tui.store.roadmaps import save_roadmap

    save_roadmap(
        store,
        ParsedRoadmap(
            organisation="МБОУ СОШ",
            year=2022,
            activities=[
                ParsedActivity(number="1", title="Дважды", deadline_text="январь, декабрь"),
                ParsedActivity(number="2", title="Весь год", deadline_text="В течение года"),
            ],
        ),
    )
    november = date(2022, 11, 15)
    rows = page_activities(store, ActivityQuery(quick=QuickFilter.DUE_THIS_MONTH), november, 0, 9)
    assert [r["number"] for r in rows] == ["2"]
