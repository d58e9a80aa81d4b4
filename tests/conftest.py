"""Shared fixtures: real SQLite files in tmp_path, built through the real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from curator_tui.domain.models import OrgLevel
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def small_roadmap(year: int = 2022, *, organisation: str = "МБОУ «Тестовая СОШ»") -> ParsedRoadmap:
    return ParsedRoadmap(
        organisation=organisation,
        level=OrgLevel.SCHOOL,
        title="Дорожная карта",
        year=year,
        sections=["Организационные мероприятия", "Методическая работа"],
        activities=[
            ParsedActivity(
                number="1",
                title="Утверждение дорожной карты",
                responsible="Директор",
                deadline_text="Январь 2022 г.",
                section="Организационные мероприятия",
            ),
            ParsedActivity(
                number="2",
                title="Совещания с кураторами",
                responsible="Куратор",
                deadline_text="ежемесячно",
                section="Организационные мероприятия",
            ),
            ParsedActivity(
                number="3",
                title="Семинары для учителей",
                responsible="Методист",
                deadline_text="До 01.03.2022 г.",
                section="Методическая работа",
            ),
            ParsedActivity(
                number="3.1",
                title="Семинар по функциональной грамотности",
                responsible="Методист",
                deadline_text="февраль",
                section="Методическая работа",
                parent_number="3",
            ),
        ],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "school.db", create=True) as opened:
        yield opened


@pytest.fixture
def school(store: Store) -> Store:
    save_roadmap(store, small_roadmap())
    return store
