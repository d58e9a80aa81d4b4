"""Golden tests: the four real roadmaps in tests/fixtures/seeds read as a person reads them."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from curator_tui.domain.models import OrgLevel
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.importers import read_roadmap

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="module")
def roadmaps() -> dict[str, ParsedRoadmap]:
    return {prefix: read_roadmap(seed(prefix)) for prefix in ("000", "001", "003", "004")}


def find(roadmap: ParsedRoadmap, number: str, occurrence: int = 0) -> ParsedActivity:
    return [a for a in roadmap.activities if a.number == number][occurrence]


def per_section(roadmap: ParsedRoadmap) -> list[int]:
    counts = Counter(a.section for a in roadmap.activities)
    return [counts[s] for s in roadmap.sections]


@pytest.mark.parametrize(
    ("prefix", "organisation", "level", "year", "sections", "activities"),
    [
        (
            "000",
            "Управление образования администрации Чебаркульского городского округа",
            OrgLevel.MUNICIPALITY,
            2022,
            3,
            23,
        ),
        (
            "001",
            "Министерство образования и науки Республики Калмыкия",
            OrgLevel.REGION,
            2022,
            0,
            34,
        ),
        (
            "003",
            "МКУ «Управление образования администрации Молчановского района Томской области»",
            OrgLevel.MUNICIPALITY,
            2023,
            4,
            49,
        ),
        (
            "004",
            "ГАУ ДПО «Смоленский областной институт развития образования» (ГАУ ДПО СОИРО)",
            OrgLevel.REGION,
            2022,
            6,
            58,
        ),
    ],
)
def test_seed_summary(
    roadmaps: dict[str, ParsedRoadmap],
    prefix: str,
    organisation: str,
    level: OrgLevel,
    year: int,
    sections: int,
    activities: int,
) -> None:
    roadmap = roadmaps[prefix]
    assert roadmap.organisation == organisation
    assert roadmap.level is level
    assert (roadmap.year, roadmap.school_year) == (year, None)
    assert roadmap.amendment is False
    assert len(roadmap.sections) == sections
    assert len(roadmap.activities) == activities
    path = seed(prefix)
    assert roadmap.source_name == path.name
    assert roadmap.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert all(a.title for a in roadmap.activities)


# ------------------------------------------------------------------ 000 Чебаркуль


def test_000_sections_and_numbers(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["000"]
    assert roadmap.sections == [
        "Организационное сопровождение",
        "Информационное сопровождение",
        "Методическое сопровождение",
    ]
    assert per_section(roadmap) == [7, 2, 14]
    numbers = [a.number for a in roadmap.activities]
    assert numbers[:3] == ["1.1", "1.2", "1.3"]
    assert numbers[-4:] == ["3.11", "3.12", "", ""]
    # «1.» is a section heading, not an activity, so 1.1 has no parent activity.
    assert all(a.parent_number is None for a in roadmap.activities)
    assert roadmap.title.startswith("Дорожная карта реализации проекта «500+»")
    assert roadmap.title.endswith("в Чебаркульском городском округе в 2022 году")


def test_000_continuations_join_cell_by_cell(roadmaps: dict[str, ParsedRoadmap]) -> None:
    item = find(roadmaps["000"], "3.11")
    assert item.title == (
        "Использование ресурсов и возможностей федеральных проектов: в рамках реализации "
        "федерального проекта «Цифровая образовательная среда»: Единый каталог онлайн курсов "
        "от ведущих образовательных платформ «Цифровой образовательный контент», ресурс "
        "«формирование функциональной грамотности» ФГБНУ «Институт стратегии развития "
        "образования Российской академии образования»"
    )
    assert item.indicator == (
        "Повышение индивидуализации образования, формирование индивидуальных образовательных "
        "маршрутов и проведение планомерной работы по формированию функциональной грамотности"
    )
    assert (item.responsible, item.deadline_text) == ("Руководители ОО", "В течении года")
    assert find(roadmaps["000"], "3.4").indicator.endswith(
        "по переводу ШНОР участниц 2021 и 2022 гг. в эффективный режим функционирования"
    )


def test_000_full_rows_without_number_are_activities(roadmaps: dict[str, ParsedRoadmap]) -> None:
    last_two = roadmaps["000"].activities[-2:]
    assert [a.number for a in last_two] == ["", ""]
    assert last_two[0].title == "Подведение итогов проекта, обсуждение планов на 2022 год"
    assert last_two[0].responsible == "Координатор проекта Артамонова Т.М. Руководители ОО"
    assert last_two[0].deadline_text == "Декабрь 2022"
    assert last_two[0].indicator.startswith("Размещение материалов итогов реализации проекта")
    assert last_two[1].title.startswith("Комплексное сопровождение ШНОР- 2021, включая анализ")
    assert last_two[1].deadline_text == "В течение года"
    assert {a.section for a in last_two} == {"Методическое сопровождение"}


# ------------------------------------------------------------------ 001 Калмыкия


def test_001_numbers_levels_and_html(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["001"]
    assert [a.number for a in roadmap.activities] == [str(n) for n in range(1, 35)]
    assert {a.section for a in roadmap.activities} == {""}
    first = find(roadmap, "1")
    assert first.levels == "региональный муниципальный"  # the leaked «Уровни реализации» is gone
    assert first.title.startswith("Разработка нормативно-правовой базы, регламентирующей")
    assert "<p>" not in first.title and "<p>" not in first.responsible
    assert find(roadmap, "2").title == "Организация участия в анкетировании директоров ПНОР"
    assert roadmap.title == (
        "«Дорожная карта» (региональные мероприятия) по реализации федерального проекта "
        "«500+» в 2022 г."
    )


def test_001_phantom_columns_are_dropped_page_by_page(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["001"]
    tenth = find(roadmap, "10")  # a trailing phantom cell on this page
    assert tenth.indicator.startswith("заключить соглашения о сотрудничестве")
    assert tenth.levels == "региональный"
    sixteenth = find(roadmap, "16")  # next page: the phantom sits before the indicator
    assert sixteenth.indicator == "в мероприятиях принять участие школы ПННОР"
    assert sixteenth.levels == "всероссийский"
    fifteenth = find(roadmap, "15")  # broken across those two pages
    assert fifteenth.title.endswith('в Республике Калмыкия в 2022 году"')
    assert fifteenth.responsible == '"Республиканский центр оценки качества образования" (ЦОКО)'
    assert fifteenth.indicator == (
        "корректировка учебных планов и плана работы по повышению качества образования на "
        "результатов мониторинговых исследований, направленных муниципальным операторам"
    )
    assert fifteenth.levels == "региональный муниципальный"
    ninth = find(roadmap, "9")
    assert ninth.title.endswith("условиях, путем распространения их результатов в 2022 году")
    assert find(roadmap, "21").responsible == "МО И Н РК БУ ДПО РК «КРИПКРО», Муниципалитеты"
    assert find(roadmap, "21").indicator == "отслеживание выполнения размещения информации"
    assert any("Строки 50–56" in w and "позиции 5" in w for w in roadmap.warnings)


# ------------------------------------------------------------------ 003 Молчаново


def test_003_sections_parents_and_repeated_numbers(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["003"]
    assert roadmap.sections == [
        "Организационно-управленческая деятельность",
        "Организационно-технологическая деятельность",
        "Методическое сопровождение",
        "Аналитическая деятельность",
    ]
    assert per_section(roadmap) == [9, 7, 25, 8]
    assert roadmap.title == (
        "«Дорожная карта» по реализации муниципальной Программы поддержки школ с низкими "
        "образовательными результатами Молчановского района на 2023 год"
    )
    parent = find(roadmap, "21")
    assert parent.responsible == "Управление образования, ОО"
    assert parent.deadline_text == ""
    children = [a for a in roadmap.activities if a.number.startswith("21.")]
    assert [a.number for a in children] == [f"21.{n}" for n in range(1, 15)]
    assert {a.parent_number for a in children} == {"21"}
    # «16» then «16.» and 21–28 again in the last section: kept, never merged.
    assert [a.section for a in roadmap.activities if a.number == "16"] == [
        "Организационно-технологическая деятельность",
        "Методическое сопровождение",
    ]
    last = [a for a in roadmap.activities if a.section == "Аналитическая деятельность"]
    assert [a.number for a in last] == [str(n) for n in range(21, 29)]
    assert all(a.parent_number is None for a in last)


def test_003_continuations(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["003"]
    item = find(roadmap, "21.11")
    assert item.title == (
        "Стажировка «Повышение уровня ИКТ» компетентности педагогов как необходимое условие "
        "реализации ФГОС»"
    )
    assert item.responsible == "Стажировочная площадка МАОУ «Молчановская СОШ №1»"
    assert (item.deadline_text, item.indicator, item.result) == (
        "Август-сентябрь",
        "Проведена стажировка",
        "Список участников",
    )
    assert find(roadmap, "21.3").responsible == (
        "МАОУ «Тунгусовская СОШ» - куратор МБОУ «Сарафановская СОШ» Муниципальный координатор"
    )
    assert find(roadmap, "24").indicator == (
        "Организовано внутришкольное повышения профессиональной компетентности педагогов"
    )
    first = find(roadmap, "1")
    assert first.result == "Приказ управления образования Молчановского района"
    assert first.responsible == "Управление образования Молчановского района"
    assert first.deadline_text == "март-апрель 2023г."


# ------------------------------------------------------------------ 004 Смоленск


def test_004_sections_and_numbers(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["004"]
    assert [a.number for a in roadmap.activities] == [str(n) for n in range(1, 59)]
    assert roadmap.sections[0] == (
        "Общие организационные мероприятия, направленные на адресное сопровождение школ"
    )
    assert roadmap.sections[-1] == (
        "Мероприятия для участников проекта в рамках иных федеральных проектов"
    )
    assert per_section(roadmap) == [9, 9, 16, 6, 3, 15]
    assert roadmap.title.startswith("Региональный план-график (дорожная карта) реализации проекта")


def test_004_data_shifted_up_one_row_is_moved_down(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["004"]
    deadlines = [find(roadmap, str(n)).deadline_text for n in range(6, 10)]
    assert deadlines == [
        "29.03.2022",
        "Еженедельно по графику",
        "С апреля ежеквартально",
        "В течение года по специальному графику",
    ]
    sixth, seventh, ninth = find(roadmap, "6"), find(roadmap, "7"), find(roadmap, "9")
    assert sixth.title.endswith("концептуальных документов и антирисковых программ")
    assert sixth.warnings == []
    assert seventh.title == (
        "Организация участия школ в цикле еженедельных вебинаров ФИОКО по обмену опытом для "
        "школ-участниц проекта и кураторов ОО"
    )
    assert seventh.indicator.startswith("Не менее 75% ОО, кураторов")
    assert seventh.publicity == "Релиз вебинаров на сайте"
    assert ninth.indicator == "100% участников проекта приняли участие в опросах"
    assert ninth.responsible == "ЦНППМ"
    assert all(find(roadmap, str(n)).warnings for n in (7, 8, 9))
    assert any("Строка 49" in w and "сдвинуты" in w for w in roadmap.warnings)


def test_004_merged_numbers_and_phantoms(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["004"]
    tenth = find(roadmap, "10")
    assert tenth.title.startswith("Установочное совещание «Перспективные направления")
    assert (tenth.deadline_text, tenth.responsible) == ("20.01.2022", "ЦНППМ")
    fifteenth = find(roadmap, "15")  # two phantom cells before the indicator
    assert fifteenth.responsible == "Центр экспертизы ГАУ ДПО СОИРО"
    assert fifteenth.indicator == "Участие 29 школ в мониторинге"
    assert fifteenth.publicity == "Сайт «Адресное сопровождение школ» Новости (dpo-smolensk.ru)"
    # The echo of row 15 printed above it is not glued onto 14.
    assert find(roadmap, "14").indicator == "Проведено не менее 8 совещаний"
    forty_eighth = find(roadmap, "48")
    assert forty_eighth.indicator == "Педагоги из не менее 10 ОО прошли оценку компетенций"
    assert forty_eighth.publicity == "Сайт ЦНППМ Новости ЦНППМ (dpo-smolensk.ru)"


def test_004_continuations_and_noise_number(roadmaps: dict[str, ParsedRoadmap]) -> None:
    roadmap = roadmaps["004"]
    forty_seventh = find(roadmap, "47")
    assert "предметных мастер-классов, проводимых на базе центров" in forty_seventh.title
    assert forty_seventh.indicator == "Не менее 50% педагогических работников школ приняли участие"
    fifty_fifth = find(roadmap, "55")
    assert fifty_fifth.publicity.startswith(
        "Сайт регионального учебно-методического объединения Новости РУМО (dpo-smolensk.ru)"
    )
    assert "000" not in fifty_fifth.publicity
    assert any("«000»" in w for w in fifty_fifth.warnings)
    assert any(w.startswith("Строка 114:") and "«000»" in w for w in roadmap.warnings)
    assert find(roadmap, "41").title.endswith(
        "в проекте в 2021 г. в рамках методических мероприятий для участников проекта «500+»"
    )


def test_warnings_name_source_lines_in_order(roadmaps: dict[str, ParsedRoadmap]) -> None:
    for roadmap in roadmaps.values():
        assert all(w.startswith(("Строка ", "Строки ")) for w in roadmap.warnings)
    lines = [int(w.split()[1].split(":")[0].split("–")[0]) for w in roadmaps["004"].warnings]
    assert lines == sorted(lines)
