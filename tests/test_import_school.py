"""School-level layouts: an «антирисковая программа» and a school's ШНОР roadmap.

Their tables have «Риск», «Задача», «Мероприятие», «Участники», «Форма отчетности»,
«Ожидаемый результат» in any order and under many names. The activity is the «Мероприятие»;
every other column is kept under its header, a grouping cell merged down over several rows
belongs to each of them, and the columns reach the detail screen, a bundle and the report.
The fixtures (tests/fixtures/school) are written for these rules; the .docx files are made
from them with python-docx, with real merged cells.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.domain.models import OrgLevel
from curator_tui.domain.parsed import ParsedRoadmap
from curator_tui.importers import read_roadmap
from curator_tui.importers.columns import Column, read_header, title_rank
from curator_tui.reports.model import build_monthly_report
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.bundle_helpers import ORG_NAME, activity_id, make_hub, make_school
from tests.docx_factory import text_table_rows, write_docx
from tests.tui_support import make_app, school_db, screen_text, settle

FIXTURES = Path(__file__).parent / "fixtures" / "school"
ANTIRISK = FIXTURES / "antirisk.txt"
SHNOR = FIXTURES / "shnor.txt"
FIRST_RISK = "Низкая учебная мотивация"
SECOND_RISK = "Высокая доля обучающихся с рисками учебной неуспешности"


def antirisk_docx(tmp_path: Path) -> Path:
    """The antirisk table in Word, each «Риск» and «Задача» one cell merged down its rows."""
    preamble, rows = text_table_rows(ANTIRISK.read_text(encoding="utf-8"))
    merges = [(0, 1, 4), (1, 1, 2), (1, 3, 4), (0, 6, 8), (1, 6, 7)]  # the header repeats: 5
    return write_docx(tmp_path / "antirisk.docx", rows, preamble=preamble, vertical_merges=merges)


@pytest.fixture(params=["txt", "docx"])
def antirisk(request: pytest.FixtureRequest, tmp_path: Path) -> ParsedRoadmap:
    return read_roadmap(ANTIRISK if request.param == "txt" else antirisk_docx(tmp_path))


def test_the_activity_is_the_measure_not_the_task(antirisk: ParsedRoadmap) -> None:
    assert [a.title for a in antirisk.activities] == [
        "Анкетирование обучающихся 5–9 классов",
        "Собеседования с классными руководителями",
        "Предметные недели по математике и русскому языку",
        "Мониторинг успеваемости обучающихся группы риска",
        "Индивидуальные консультации по предметам",
        "Занятия в период осенних каникул",
        "Родительское собрание «Как помочь ребенку учиться»",
    ]


def test_known_columns_fill_their_fields(antirisk: ParsedRoadmap) -> None:
    first = antirisk.activities[0]
    assert first.deadline_text == "первая декада октября"
    assert first.responsible == "Педагог-психолог"
    assert first.report_form == "Аналитическая справка"
    assert first.result == "Определены причины низкой мотивации"


def test_every_other_column_is_kept_under_its_header(antirisk: ParsedRoadmap) -> None:
    first = antirisk.activities[0]
    assert first.extra == {
        "Риск": FIRST_RISK,
        "Задача": "Выявить причины низкой мотивации",
        "Участники": "Обучающиеся 5–9 классов",
    }


def test_a_merged_risk_and_task_belong_to_each_activity_they_span(
    antirisk: ParsedRoadmap,
) -> None:
    risks = [a.extra["Риск"] for a in antirisk.activities]
    tasks = [a.extra["Задача"] for a in antirisk.activities]
    assert risks == [FIRST_RISK] * 4 + [SECOND_RISK] * 3
    assert (
        tasks[:4] == ["Выявить причины низкой мотивации"] * 2 + ["Повысить интерес к предметам"] * 2
    )
    # A new risk starts its tasks afresh; a task typed again starts a new group.
    assert tasks[4:] == ["Организовать индивидуальную работу"] * 2 + ["Вовлечь родителей"]


def test_the_header_repeated_at_a_page_break_is_no_activity(antirisk: ParsedRoadmap) -> None:
    assert all(a.title != "Мероприятие" for a in antirisk.activities)
    assert len(antirisk.activities) == 7


def test_the_period_and_the_title_of_a_school_programme(antirisk: ParsedRoadmap) -> None:
    assert antirisk.school_year == 2023 and antirisk.year is None
    assert antirisk.title == (
        "АНТИРИСКОВАЯ ПРОГРАММА по направлению «Низкая учебная мотивация обучающихся» "
        "на 2023/2024 учебный год"
    )
    assert antirisk.level is OrgLevel.SCHOOL


def test_another_school_layout_with_other_names_and_order() -> None:
    roadmap = read_roadmap(SHNOR)
    assert [a.number for a in roadmap.activities] == ["1", "2", "3", "4"]
    assert roadmap.activities[0].title == "Диагностика профессиональных дефицитов педагогов"
    assert roadmap.activities[0].report_form == "Аналитическая справка"
    assert roadmap.activities[0].result == "Карты дефицитов"
    assert roadmap.activities[0].responsible == "Заместитель директора"
    # Grouping columns right of the title carry down too; «Целевая группа» is only kept.
    risks = [a.extra.get("Направление (риск)") for a in roadmap.activities]
    assert risks[:3] == ["Недостаточная предметная и методическая компетентность педагогов"] * 3
    assert roadmap.activities[2].extra["Задачи"] == "Устранить дефициты"
    assert roadmap.activities[2].extra["Целевая группа"] == "Педагоги"
    assert roadmap.school_year == 2024
    assert roadmap.title.startswith("Дорожная карта по выходу из статуса школы")
    assert roadmap.title.endswith("(ШНОР) на 2024–2025 учебный год")


def test_a_blank_participants_cell_is_not_carried_down(tmp_path: Path) -> None:
    text = ANTIRISK.read_text(encoding="utf-8").replace(
        "\tКлассные руководители\tоктябрь", "\t\tоктябрь"
    )
    source = tmp_path / "blank.txt"
    source.write_text(text, encoding="utf-8")
    second = read_roadmap(source).activities[1]
    assert "Участники" not in second.extra and second.extra["Риск"] == FIRST_RISK


HEADER_NAMES = {
    "risk": ["Риск", "Риски", "Наименование риска"],
    "task": ["Задача", "Задачи"],
    "title": ["Мероприятие", "Мероприятия", "Содержание мероприятия", "Наименование мероприятия"],
    "who": ["Ответственные", "Ответственный", "Исполнители"],
    "when": ["Сроки", "Срок исполнения", "Сроки реализации"],
    "form": ["Форма отчетности", "Форма отчёта"],
    "result": ["Ожидаемый результат", "Результат"],
}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.data())
def test_header_by_meaning_in_any_order(
    tmp_path: Path, rng: random.Random, data: st.DataObject
) -> None:
    keys = list(HEADER_NAMES)
    rng.shuffle(keys)
    names = {key: data.draw(st.sampled_from(HEADER_NAMES[key])) for key in keys}
    values = {
        "risk": "Низкая мотивация",
        "task": "Выявить причины",
        "title": "Анкетирование обучающихся",
        "who": "Психолог",
        "when": "октябрь",
        "form": "Справка",
        "result": "Причины выявлены",
    }
    lines = [
        "Дорожная карта МБОУ «СОШ № 1» на 2023/2024 учебный год",
        "\t".join(names[k] for k in keys),
        "\t".join(values[k] for k in keys),
        "\t".join("" if k in ("risk", "task") else f"{values[k]} 2" for k in keys),
    ]
    source = tmp_path / "any.txt"
    source.write_text("\n".join(lines), encoding="utf-8")
    first, second = read_roadmap(source).activities
    assert (first.title, second.title) == (values["title"], f"{values['title']} 2")
    assert first.responsible == values["who"] and first.report_form == values["form"]
    assert first.extra[names["risk"]] == second.extra[names["risk"]] == values["risk"]
    assert first.extra[names["task"]] == second.extra[names["task"]] == values["task"]


def test_the_surest_title_name_wins() -> None:
    assert title_rank("Мероприятие") < title_rank("Наименование риска") < title_rank("Задача")
    header = read_header(("Задача", "Мероприятие", "Сроки"))
    assert header is not None and header.columns == (None, Column.TITLE, Column.DEADLINE)
    alone = read_header(("Задачи", "Сроки", "Ответственный"))
    assert alone is not None and alone.columns[0] is Column.TITLE  # a task list of its own


# --- the columns in the store, the detail screen, a bundle and the report -----------------------


async def test_the_detail_screen_shows_the_columns(tmp_path: Path) -> None:
    db = school_db(tmp_path, read_roadmap(ANTIRISK))
    app = make_app(db)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        with Store.open(db) as store:
            [first] = [
                a["id"] for a in store.activities() if a["title"].startswith("Анкетирование")
            ]
        app.open_activity(first)
        await settle(pilot)
        shown = screen_text(app)
    assert f"Риск: {FIRST_RISK}" in shown
    assert "Задача: Выявить причины низкой мотивации" in shown
    assert "Участники: Обучающиеся 5–9 классов" in shown


def test_a_roadmap_bundle_carries_the_columns(tmp_path: Path) -> None:
    roadmap = read_roadmap(SHNOR, organisation=ORG_NAME)
    school = make_school(tmp_path, make_hub(tmp_path, roadmap))
    with school.open() as store:
        carried = store.activity(activity_id(store, "3"))["extra"]
    assert carried["Задачи"] == "Устранить дефициты"
    assert carried["Целевая группа"] == "Педагоги"


def test_the_report_row_has_the_columns(tmp_path: Path) -> None:
    with Store.open(tmp_path / "hub.db", create=True) as store:
        save_roadmap(store, read_roadmap(ANTIRISK))
        report = build_monthly_report(store, date(2023, 10, 1), None, date(2023, 10, 20))
    [first] = [
        a
        for school in report.schools
        for a in school.activities
        if a.title.startswith("Анкетирование")
    ]
    assert ("Риск", FIRST_RISK) in first.extra
    assert ("Участники", "Обучающиеся 5–9 классов") in first.extra
