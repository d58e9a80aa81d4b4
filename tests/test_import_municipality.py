"""The municipality a roadmap names: the four seeds, synthetic headers, and how a roadmap
import records it on the organisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator_tui.domain.models import OrgLevel
from curator_tui.importers import read_roadmap
from curator_tui.importers.municipality import find_municipality, mentions
from curator_tui.store.roadmaps import organisation_id, save_roadmap
from curator_tui.store.store import Store
from tests.conftest import small_roadmap

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
USTKUT = "Усть-Кутский муниципальный"
CITY = "«Город Чебаркуль»"


@pytest.mark.parametrize(
    ("seed", "level", "municipality"),
    [
        ("000_4f3def3826d09c79.txt", OrgLevel.MUNICIPALITY, "Чебаркульский городской округ"),
        ("001_c8175a3c917fff77.txt", OrgLevel.REGION, ""),  # Калмыкия: a region has none
        ("003_7fab529a65379eae.txt", OrgLevel.MUNICIPALITY, "Молчановский район"),
        ("004_905b539a19fec123.txt", OrgLevel.REGION, ""),  # Смоленск: districts in the table
    ],
)
def test_seeds(seed: str, level: OrgLevel, municipality: str) -> None:
    parsed = read_roadmap(SEEDS / seed)
    assert parsed.level is level
    assert parsed.municipality == municipality


@pytest.mark.parametrize(
    ("line", "found"),
    [
        # genitive, prepositional, capitals: one nominative form
        ("АДМИНИСТРАЦИИ МОЛЧАНОВСКОГО РАЙОНА", ["Молчановский район"]),
        (
            "Программы поддержки школ с низкими образовательными результатами "
            "Молчановского района на 2023 год",
            ["Молчановский район"],
        ),
        (
            "Управление образования администрации Чебаркульского городского округа",
            ["Чебаркульский городской округ"],
        ),
        ("в Чебаркульском городском округе в 2022 году", ["Чебаркульский городской округ"]),
        ("Отдел образования Усть-Кутского муниципального района", [USTKUT + " район"]),
        ("ОТДЕЛ ОБРАЗОВАНИЯ УСТЬ-КУТСКОГО МУНИЦИПАЛЬНОГО ОКРУГА", [USTKUT + " округ"]),
        ("МБОУ «Вершининская СОШ» Томского района", ["Томский район"]),
        ("Комитет по образованию Кемского муниципального округа", ["Кемский муниципальный округ"]),
        # the region after a named district is not a second municipality
        (
            "Администрация Чебаркульского городского округа Челябинской области",
            ["Чебаркульский городской округ"],
        ),
        # «городской округ <name>»: the name is nominative already
        ("Администрация городского округа Чебаркуль", ["Городской округ Чебаркуль"]),
        ("АДМИНИСТРАЦИЯ ГОРОДСКОГО ОКРУГА ЧЕБАРКУЛЬ", ["Городской округ Чебаркуль"]),
        ("администрации городского округа «Город Чебаркуль»", [f"Городской округ {CITY}"]),
        ("администрации городского округа город Стрежевой", ["Городской округ город Стрежевой"]),
        ("Администрация муниципального образования «Томский район»", ["Томский район"] * 2),
        # an adjective whose nominative needs the stress (Лесной, Центральный): as written
        ("Комитет по образованию Лесного городского округа", ["Лесного городского округа"]),
        ("Управление образования Центрального района", ["Центрального района"]),
        # not a municipality
        ("руководителям муниципальных районов и городских округов", []),
        ("школ нашего района и методического округа", []),
        ("в Смоленской области в 2022 году", []),
        ("Администрация городского округа в 2022 году", []),
        ("МУНИЦИПАЛЬНОЕ КАЗЕННОЕ УЧРЕЖДЕНИЕ «УПРАВЛЕНИЕ ОБРАЗОВАНИЯ»", []),
    ],
)
def test_mentions(line: str, found: list[str]) -> None:
    assert mentions(line) == found


def test_the_most_frequent_form_wins_and_a_region_has_none() -> None:
    lines = [
        "Управление образования Центрального района",
        "в Молчановском районе",
        "школ Молчановского района",
    ]
    assert find_municipality(lines, OrgLevel.MUNICIPALITY) == "Молчановский район"
    assert find_municipality(lines, OrgLevel.SCHOOL) == "Молчановский район"
    assert find_municipality(lines, OrgLevel.REGION) == ""
    assert find_municipality(["Дорожная карта на 2024 год"], OrgLevel.SCHOOL) == ""


def test_import_fills_a_blank_municipality_only(store: Store) -> None:
    parsed = small_roadmap().model_copy(update={"municipality": "Молчановский район"})
    save_roadmap(store, parsed)
    org = organisation_id(parsed.organisation)
    assert municipality_of(store, org) == "Молчановский район"
    # The coordinator corrects it; an amended roadmap naming the old district keeps the edit.
    store.set_municipality(org, "Томский район")
    amended = parsed.model_copy(update={"title": "Изменённая дорожная карта"})
    save_roadmap(store, amended)
    assert municipality_of(store, org) == "Томский район"
    assert not store.rebuild_differences(store.path.with_name("rebuilt.db"))


def test_a_roadmap_naming_no_municipality_imports(store: Store) -> None:
    summary = save_roadmap(store, small_roadmap())
    assert summary.created
    assert municipality_of(store, organisation_id(small_roadmap().organisation)) == ""


def municipality_of(store: Store, org_id: str) -> str:
    row = store.db.execute("SELECT municipality FROM organisation WHERE id = ?", [org_id])
    return str(row.fetchone()[0])
