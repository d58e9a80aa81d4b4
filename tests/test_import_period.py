"""The period of a roadmap: a title over several lines, school years, `--year 2023/2024`.

A school-year roadmap frames every deadline without a year: September to December fall in its
first year, January to August in its second.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator_tui.importers import read_roadmap
from curator_tui.importers.prose import Period, period_option
from tests.bundle_helpers import cli

TABLE = [
    "№\tМероприятие\tСроки\tОтветственный",
    "1\tСовет\tоктябрь\tДиректор",
    "2\tСобрание\tмарт\tДиректор",
    "3\tОтчёт\tдо 15 мая\tДиректор",
]


def write(tmp_path: Path, preamble: list[str], name: str = "map.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(["МБОУ «СОШ № 5»", "", *preamble, "", *TABLE]), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("preamble", "title"),
    [
        (
            [
                "ДОРОЖНАЯ КАРТА",
                "ПО ВЫХОДУ ИЗ СТАТУСА ШНОР",
                "МБОУ «СОШ № 5»",
                "НА 2023/2024 УЧЕБНЫЙ ГОД",
            ],
            "ДОРОЖНАЯ КАРТА ПО ВЫХОДУ ИЗ СТАТУСА ШНОР МБОУ «СОШ № 5» НА 2023/2024 УЧЕБНЫЙ ГОД",
        ),
        (
            [
                "Дорожная карта",
                "Муниципального бюджетного общеобразовательного учреждения",
                "на 2023-2024 учебный год",
            ],
            "Дорожная карта Муниципального бюджетного общеобразовательного учреждения "
            "на 2023-2024 учебный год",
        ),
        (
            ["Антирисковая программа", "", "На 2023/24 учебный год"],
            "Антирисковая программа На 2023/24 учебный год",
        ),
        (
            ["Дорожная карта школы", "", "на 2023/2024 учебный год"],
            "Дорожная карта школы на 2023/2024 учебный год",
        ),
    ],
)
def test_a_title_over_several_lines_names_the_school_year(
    tmp_path: Path, preamble: list[str], title: str
) -> None:
    roadmap = read_roadmap(write(tmp_path, preamble))
    assert roadmap.title == title
    assert (roadmap.year, roadmap.school_year) == (None, 2023)


def test_a_caps_title_stops_at_a_line_of_another_kind(tmp_path: Path) -> None:
    preamble = ["ДОРОЖНАЯ КАРТА ШКОЛЫ", "ПРИКАЗ", "Об утверждении плана"]
    assert read_roadmap(write(tmp_path, preamble)).title == "ДОРОЖНАЯ КАРТА ШКОЛЫ"


def test_a_period_far_below_is_not_part_of_the_title(tmp_path: Path) -> None:
    preamble = ["Дорожная карта", "Первая строка", "Вторая строка", "Третья строка", "на 2023 год"]
    assert read_roadmap(write(tmp_path, preamble)).title == "Дорожная карта"


def test_a_school_year_frames_deadlines_without_a_year(tmp_path: Path) -> None:
    source = write(tmp_path, ["Дорожная карта на 2023/2024 учебный год"])
    db = tmp_path / "school.db"
    assert cli("import-roadmap", source, "--db", db).code == 0
    rows = {r["number"]: r for r in json.loads(cli("activities", "--db", db, "--json").out)}
    assert rows["1"]["due_date"] == "2023-10-31"  # October: the school year's first year
    assert rows["2"]["due_date"] == "2024-03-31"  # March: its second
    assert rows["3"]["due_date"] == "2024-05-15"


@pytest.mark.parametrize(
    ("given_year", "due"), [("2023/2024", "2023-10-31"), ("2024", "2024-10-31")]
)
def test_year_option_takes_a_school_year_or_a_year(
    tmp_path: Path, given_year: str, due: str
) -> None:
    source = write(tmp_path, ["Дорожная карта"])
    db = tmp_path / "school.db"
    run = cli("import-roadmap", source, "--db", db, "--year", given_year)
    assert run.code == 0, run.err
    expected = "2023/2024 уч. год" if "/" in given_year else f"{given_year} год"
    assert expected in run.out
    rows = {r["number"]: r for r in json.loads(cli("activities", "--db", db, "--json").out)}
    assert rows["1"]["due_date"] == due


def test_year_option_overrides_the_document(tmp_path: Path) -> None:
    source = write(tmp_path, ["Дорожная карта на 2022 год"])
    run = cli("import-roadmap", source, "--db", tmp_path / "s.db", "--year", "2023-24")
    assert run.code == 0 and "2023/2024 уч. год" in run.out


@pytest.mark.parametrize("bad", ["2023/2025", "двадцать", "2023/", "23/24", "2023-2023"])
def test_a_year_option_that_is_no_year_is_refused_in_russian(tmp_path: Path, bad: str) -> None:
    source = write(tmp_path, ["Дорожная карта"])
    run = cli("import-roadmap", source, "--db", tmp_path / "s.db", "--year", bad)
    assert run.code == 2
    assert f"«{bad}» — не год" in run.err and not (tmp_path / "s.db").exists()


@given(st.integers(1900, 2198), st.sampled_from(["/", "-", "–", " / "]), st.booleans())
def test_period_option_reads_any_school_year(first: int, link: str, short: bool) -> None:
    second = f"{(first + 1) % 100:02d}" if short else str(first + 1)
    assert period_option(f"{first}{link}{second}") == Period(school_year=first)
    assert period_option(str(first)) == Period(year=first)
