"""The municipality a roadmap names: the four seeds and synthetic headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator_tui.domain.models import OrgLevel
from curator_tui.importers import read_roadmap
from curator_tui.importers.municipality import find_municipality, mentions

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
