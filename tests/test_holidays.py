"""The school-holiday calendar: defaults, a replica's own dates (`curator holidays`), and the
schedules re-derived by them at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator_tui.domain.holidays import DEFAULT_HOLIDAYS, SchoolHolidays, read_holidays
from curator_tui.store.holidays import holidays_of
from curator_tui.store.store import Store
from tests.bundle_helpers import cli

DOCUMENT = [
    "МБОУ «СОШ № 5»",
    "Дорожная карта на 2023/2024 учебный год",
    "№\tМероприятие\tСроки\tОтветственный",
    "1\tЗанятия с отстающими\tв период осенних каникул\tУчителя",
    "2\tЛагерь\tлетние каникулы\tДиректор",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    source = tmp_path / "map.txt"
    source.write_text("\n".join(DOCUMENT), encoding="utf-8")
    path = tmp_path / "school.db"
    assert cli("import-roadmap", source, "--db", path).code == 0
    return path


def windows(db: Path) -> dict[str, tuple[str, str]]:
    rows = json.loads(cli("activities", "--db", db, "--json").out)
    return {row["number"]: tuple(row["schedule"]["windows"][0]) for row in rows}


def test_defaults_then_a_replica_s_own_dates_then_the_defaults_again(db: Path) -> None:
    assert windows(db) == {"1": ("2023-10-28", "2023-11-05"), "2": ("2024-06-01", "2024-08-31")}
    run = cli("holidays", "--db", db, "--set", "осенние 30.10-06.11")
    assert run.code == 0, run.err
    assert "осенние 30.10–06.11" in run.out and "летние 01.06–31.08" in run.out
    assert windows(db)["1"] == ("2023-10-30", "2023-11-06")  # re-derived at once
    assert windows(db)["2"] == ("2024-06-01", "2024-08-31")  # the others unchanged
    with Store.open(db) as store:
        assert holidays_of(store.conn).autumn == ((10, 30), (11, 6))
    run = cli("holidays", "--db", db, "--reset")
    assert "(по умолчанию)" in run.out
    assert windows(db)["1"] == ("2023-10-28", "2023-11-05")


def test_a_replay_of_the_log_gives_the_same_dates_with_a_calendar_of_its_own(
    db: Path, tmp_path: Path
) -> None:
    cli("holidays", "--db", db, "--set", "осенние 01.11-09.11")
    assert windows(db)["1"] == ("2023-11-01", "2023-11-09")
    with Store.open(db) as store:
        assert store.rebuild_differences(tmp_path / "scratch.db") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("майские 01.05-10.05", "не название каникул"),
        ("осенние 28/10-05/11", "ДД.ММ-ДД.ММ"),
        ("зимние 31.12-32.01", "нет такой даты"),
    ],
)
def test_a_calendar_that_cannot_be_read_is_refused(db: Path, text: str, message: str) -> None:
    run = cli("holidays", "--db", db, "--set", text)
    assert run.code != 0 and message in run.err
    assert windows(db)["1"] == ("2023-10-28", "2023-11-05")


MONTH_DAY = st.tuples(st.integers(1, 12), st.integers(1, 28))


SPAN = st.tuples(MONTH_DAY, MONTH_DAY)


@given(SPAN, SPAN, SPAN, SPAN)
def test_the_written_form_reads_back(
    autumn: tuple, winter: tuple, spring: tuple, summer: tuple
) -> None:
    holidays = SchoolHolidays(autumn, winter, spring, summer)
    assert read_holidays(holidays.text()) == holidays
    assert read_holidays("") == DEFAULT_HOLIDAYS
