"""Shared fixtures: real SQLite files in tmp_path, built through the real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from curator_tui.domain.models import OrgLevel
from curator_tui.domain.ops import Entity
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.portable import fake_windows  # noqa: F401  (CURATOR_FAKE_WINDOWS=1 without -p fails)

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


def entity_links(store: Store) -> list[tuple[str, str, str]]:
    """Every link of entity_op as (entity, id of the linked row, op id): rowids spelled as
    the ids they stand for, so replicas that numbered their rows differently compare."""
    links: list[tuple[str, str, str]] = []
    for entity in Entity:
        links += store.conn.execute(
            f"SELECT x.entity, t.id, o.op_id FROM entity_op x JOIN {entity.value} t "
            "ON t.rowid = x.entity_row JOIN op o ON o.rowid = x.op_row WHERE x.entity = ?",
            (entity.value,),
        ).fetchall()
    return sorted(links)


def links_by_the_log(store: Store) -> list[tuple[str, str, str]]:
    """What entity_links must be: each op of the log, once, to its own entity."""
    rows = store.conn.execute("SELECT entity, entity_id, op_id FROM op").fetchall()
    return sorted(rows)
