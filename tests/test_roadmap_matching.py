"""Matching an amended roadmap's activities to those already stored.

The keyed matcher (store/roadmaps.match_activities) must choose exactly what the plain rule
book chooses — three passes, each over the parsed activities in order, each taking the first
free stored row its rule accepts — and stay linear when thousands of activities are new.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.store.roadmaps import SIMILAR_TITLE, match_activities, normalise, save_roadmap
from curator_tui.store.store import Store


def reference_match(parsed: list[ParsedActivity], existing: list[dict[str, Any]]) -> dict[int, str]:
    """The rule book as plainly as it reads (quadratic; for small cases only)."""

    def same_number_and_title(item: ParsedActivity, row: dict[str, Any]) -> bool:
        return item.number == row["number"] and normalise(item.title) == normalise(row["title"])

    def same_title(item: ParsedActivity, row: dict[str, Any]) -> bool:
        return normalise(item.title) == normalise(row["title"])

    def same_number_similar_title(item: ParsedActivity, row: dict[str, Any]) -> bool:
        if not item.number or item.number != row["number"]:
            return False
        if normalise(item.section) != normalise(row.get("section") or ""):
            return False
        ratio = SequenceMatcher(None, normalise(item.title), normalise(row["title"])).ratio()
        return ratio >= SIMILAR_TITLE

    matches: dict[int, str] = {}
    free = {row["id"]: row for row in existing}
    for rule in (same_number_and_title, same_title, same_number_similar_title):
        for index, item in enumerate(parsed):
            if index in matches:
                continue
            found = next((rid for rid, row in free.items() if rule(item, row)), None)
            if found is not None:
                matches[index] = found
                del free[found]
    return matches


NUMBERS = st.sampled_from(["", "1", "1.1", "2", "2.1."])
TITLES = st.sampled_from(
    [
        "Проведение педсовета",
        "проведение  педсовета.",
        "Проведение педсовета по итогам",
        "Анализ результатов ВПР",
        "Анализ результатов ОГЭ",
        "Ёлка",
        "Елка",
    ]
)
SECTIONS = st.sampled_from(["", "Раздел 1", "раздел 1", "Раздел 2"])


@st.composite
def activities(draw: st.DrawFn) -> ParsedActivity:
    return ParsedActivity(number=draw(NUMBERS), title=draw(TITLES), section=draw(SECTIONS))


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    items = draw(st.lists(activities(), max_size=8))
    return [
        {"id": f"a{i}", "number": a.number, "title": a.title, "section": a.section or None}
        for i, a in enumerate(items)
    ]


@settings(max_examples=300, deadline=None)
@given(parsed=st.lists(activities(), max_size=8), existing=rows())
def test_keyed_matching_chooses_what_the_rule_book_chooses(
    parsed: list[ParsedActivity], existing: list[dict[str, Any]]
) -> None:
    assert match_activities(parsed, existing) == reference_match(parsed, existing)


def big_roadmap(count: int, offset: int = 0) -> ParsedRoadmap:
    return ParsedRoadmap(
        organisation="МБОУ СОШ № 1",
        year=2025,
        activities=[
            ParsedActivity(number=f"{i + 1}", title=f"Мероприятие {i + offset}")
            for i in range(count)
        ],
    )


def test_an_amended_roadmap_with_thousands_of_new_activities_matches_by_key(
    tmp_path: Path,
) -> None:
    """Half of 4,000 activities new: every new one was a full scan of the stored rows in
    each of three passes before (tens of millions of comparisons); now a lookup each."""
    with Store.open(tmp_path / "school.db", create=True) as store:
        first = save_roadmap(store, big_roadmap(4000))
        amended = save_roadmap(store, big_roadmap(4000, offset=2000))
        live = store.db.execute("SELECT COUNT(*) FROM activity WHERE removed = 0").fetchone()[0]
    assert first.created == 4000
    assert (amended.unchanged + amended.updated, amended.created, amended.removed) == (
        2000,
        2000,
        2000,
    )
    assert live == 4000
