"""Each general rule of the roadmap import, on small synthetic tables written to tmp_path."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.domain.models import OrgLevel
from curator_tui.domain.parsed import ParsedRoadmap
from curator_tui.importers import RoadmapImportError, read_roadmap
from curator_tui.importers.columns import Column, column_of
from curator_tui.importers.prose import guess_level

HEADER = ["№ п/п", "Мероприятие", "Ответственный", "Сроки", "Показатель"]
PREAMBLE = [
    "Управление образования администрации Энского района",
    "",
    "ПРИКАЗ",
    "",
    "Дорожная карта на 2022 год",
    "",
]


def write_table(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    preamble: Sequence[str] = PREAMBLE,
    encoding: str = "utf-8",
) -> Path:
    lines = [*preamble, *("\t".join(row) for row in rows)]
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


def read_rows(tmp_path: Path, rows: Sequence[Sequence[str]], **kwargs: object) -> ParsedRoadmap:
    return read_roadmap(write_table(tmp_path / "map.txt", rows, **kwargs))  # type: ignore[arg-type]


def plain(roadmap: ParsedRoadmap) -> list[tuple[str, str, str, str]]:
    return [(a.number, a.title, a.responsible, a.deadline_text) for a in roadmap.activities]


# ------------------------------------------------------------------ 1. header by meaning


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("№", Column.NUMBER),
        ("№ п/п", Column.NUMBER),
        ("N", Column.NUMBER),
        ("Наименование мероприятия", Column.TITLE),
        ("МЕРОПРИЯТИЯ", Column.TITLE),
        ("Задачи", Column.TITLE),
        ("Содержание", Column.TITLE),
        ("Ответственный/исполнитель", Column.RESPONSIBLE),
        ("Ответственные", Column.RESPONSIBLE),
        ("Исполнители", Column.RESPONSIBLE),
        ("Сроки", Column.DEADLINE),
        ("Срок исполнения", Column.DEADLINE),
        ("Сроки  реализации", Column.DEADLINE),
        ("Дата", Column.DEADLINE),
        ("Показатель реализации", Column.INDICATOR),
        ("Планируемый результат", Column.INDICATOR),
        ("Показатели", Column.INDICATOR),
        ("Результат", Column.RESULT),
        ("Ожидаемый результат", Column.RESULT),
        ("Форма представления результата", Column.REPORT_FORM),
        ("Форма отчетности", Column.REPORT_FORM),
        ("Форма отчёта", Column.REPORT_FORM),
        ("Уровни реализации", Column.LEVELS),
        ("Уровень", Column.LEVELS),
        ("Информационное сопровождение проекта", Column.PUBLICITY),
        ("Примечание", None),
        ("", None),
    ],
)
def test_column_names_by_meaning(name: str, column: Column | None) -> None:
    assert column_of(name) is column


def test_columns_in_any_order_unknown_kept_in_extra(tmp_path: Path) -> None:
    rows = [
        ["Сроки", "Примечание", "Задачи", "N", "Исполнители", "Планируемый результат", "Результат"],
        ["Март 2022", "важно", "Семинар", "1", "Методист", "50 человек", "Протокол"],
    ]
    (item,) = read_rows(tmp_path, rows).activities
    assert (item.number, item.title, item.responsible, item.deadline_text) == (
        "1",
        "Семинар",
        "Методист",
        "Март 2022",
    )
    assert (item.indicator, item.result) == ("50 человек", "Протокол")
    assert item.extra == {"Примечание": "важно"}


def test_table_rows_before_the_header_are_not_activities(tmp_path: Path) -> None:
    rows = [["УТВЕРЖДАЮ", "Директор"], HEADER, ["1", "Семинар", "Методист", "Март", ""]]
    assert plain(read_rows(tmp_path, rows)) == [("1", "Семинар", "Методист", "Март")]


# ------------------------------------------------------------------ 2. repeated header, numbering


def test_repeated_header_and_column_numbers_are_skipped(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "2", "3", "4", "5"],
        ["1", "Семинар", "Методист", "Март", "Протокол"],
        [],
        [*HEADER, ""],  # the header again at the top of the next page, with a phantom cell
        ["2", "Совещание", "Директор", "Апрель", "Приказ"],
    ]
    roadmap = read_rows(tmp_path, [r for r in rows if r])
    assert plain(roadmap) == [
        ("1", "Семинар", "Методист", "Март"),
        ("2", "Совещание", "Директор", "Апрель"),
    ]


# ------------------------------------------------------------------ 3. sections


def test_plain_and_numbered_sections(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["", "", "", "", ""],  # an empty row: ignored
        ["1", "Мероприятие до раздела", "Директор", "Март", ""],
        ["Организационная работа", "", "", "", ""],
        ["2", "Совещание", "Директор", "Апрель", ""],
        ["3. Методическая работа", "", "", "", ""],
        ["3.1.", "Семинар", "Методист", "Май", ""],
        ["3.2", "Вебинар", "Методист", "Июнь", ""],
        ["4", "Отчёт о работе", "", "", ""],  # a numbered title without children: an activity
        ["5", "Итоги", "Директор", "Декабрь", ""],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert roadmap.sections == ["Организационная работа", "Методическая работа"]
    assert [(a.number, a.section) for a in roadmap.activities] == [
        ("1", ""),
        ("2", "Организационная работа"),
        ("3.1", "Методическая работа"),
        ("3.2", "Методическая работа"),
        ("4", "Методическая работа"),
        ("5", "Методическая работа"),
    ]
    # «3.» is a section, not an activity: its items have no parent activity.
    assert all(a.parent_number is None for a in roadmap.activities)


def test_section_broken_across_pages_is_joined(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["Организационно-управленческая", "", "", "", ""],
        ["", "деятельность школы", "", "", ""],
        ["1", "Совещание", "Директор", "Апрель", ""],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert roadmap.sections == ["Организационно-управленческая деятельность школы"]
    assert roadmap.activities[0].section == "Организационно-управленческая деятельность школы"


def test_section_printed_as_a_line_without_cells(tmp_path: Path) -> None:
    path = tmp_path / "map.txt"
    lines = [
        *PREAMBLE,
        "\t".join(HEADER),
        "\t".join(["1", "Совещание", "Директор", "Март", ""]),
        "2. Методическая работа",
        "\t".join(["2.1", "Семинар", "Методист", "Апрель", ""]),
        "- 3 -",
        "\t".join(["2.2", "Вебинар", "Методист", "Май", ""]),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    roadmap = read_roadmap(path)
    assert roadmap.sections == ["Методическая работа"]
    assert [(a.number, a.section) for a in roadmap.activities] == [
        ("1", ""),
        ("2.1", "Методическая работа"),
        ("2.2", "Методическая работа"),
    ]
    assert [w for w in roadmap.warnings if w.startswith("Строка 11:")]  # the page number


# ------------------------------------------------------------------ 4. numbers


def test_numbers_normalised_parents_linked_repeats_kept(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["21.", "Семинары", "Управление", "", ""],
        ["21.1.", "Семинар первый", "Школа", "Март", ""],
        ["21. 2", "Семинар второй", "Школа", "Апрель", ""],
        ["16", "Итоги", "Управление", "Май", ""],
        ["16.", "Итоги ещё раз", "Управление", "Июнь", ""],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert [(a.number, a.parent_number) for a in roadmap.activities] == [
        ("21", None),
        ("21.1", "21"),
        ("21.2", "21"),
        ("16", None),
        ("16", None),
    ]


# ------------------------------------------------------------------ 5. phantom columns


def test_phantom_column_dropped_where_empty_in_the_whole_group(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "Семинар", "Методист", "Март", "", "Протокол"],
        ["2", "Совещание", "Директор", "Апрель", "", "Приказ"],
        ["", "продолжение названия", "", "", "", ""],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert [(a.title, a.indicator) for a in roadmap.activities] == [
        ("Семинар", "Протокол"),
        ("Совещание продолжение названия", "Приказ"),
    ]
    assert any("Строки 8–10" in w and "позиции 5" in w for w in roadmap.warnings)


def test_phantom_groups_are_judged_page_by_page(tmp_path: Path) -> None:
    rows: list[list[str]] = [
        HEADER,
        ["1", "Семинар", "Методист", "Март", "Протокол", ""],
        ["2", "Совещание", "Директор", "Апрель", "Приказ", ""],
        [],
        ["3", "Вебинар", "Методист", "Май", "", "Запись"],
        ["4", "Отчёт", "Директор", "Июнь", "", "Справка"],
    ]
    path = tmp_path / "map.txt"
    lines = [*PREAMBLE, *("\t".join(row) if row else "" for row in rows)]
    path.write_text("\n".join(lines), encoding="utf-8")
    roadmap = read_roadmap(path)
    assert [a.indicator for a in roadmap.activities] == ["Протокол", "Приказ", "Запись", "Справка"]


def test_phantom_fallbacks_per_row(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "Семинар", "", "Методист", "Март", "Протокол"],  # no shared empty: this row's own
        ["2", "Совещание", "Директор", "Апрель", "Приказ", "и справка"],  # nothing empty at all
    ]
    roadmap = read_rows(tmp_path, rows)
    first, second = roadmap.activities
    assert (first.responsible, first.deadline_text, first.indicator) == (
        "Методист",
        "Март",
        "Протокол",
    )
    assert second.indicator == "Приказ и справка"
    assert any("последнюю колонку" in w for w in roadmap.warnings)


# ------------------------------------------------------------------ 6. fewer cells


def test_number_merged_with_title_is_split(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["7. Организация вебинаров", "Директор", "Март", "Запись"],
        ["8. Контроль программ", "Методист", "Апрель", "Справка"],
        ["Отдельный раздел", "", "", ""],
        ["9.1 Анализ", "Методист", "Май", ""],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert plain(roadmap) == [
        ("7", "Организация вебинаров", "Директор", "Март"),
        ("8", "Контроль программ", "Методист", "Апрель"),
        ("9.1", "Анализ", "Методист", "Май"),
    ]
    assert roadmap.sections == ["Отдельный раздел"]


def test_trimmed_trailing_cells_are_not_taken_for_merged_numbers(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "Семинар", "Методист", "Март"],
        ["2. Итоги", "Директор", "Апрель", "Отчёт"],  # an odd row among numbered ones
        ["3", "Вебинар", "Методист", "Май"],
    ]
    first, *_, last = read_rows(tmp_path, rows).activities
    # The exporter trimmed empty trailing cells: the numbered rows keep their columns.
    assert (first.number, first.title, first.deadline_text) == ("1", "Семинар", "Март")
    assert (last.number, last.title, last.deadline_text) == ("3", "Вебинар", "Май")


def test_short_rows_are_padded_right(tmp_path: Path) -> None:
    rows = [HEADER, ["1", "Семинар", "Методист"]]
    (item,) = read_rows(tmp_path, rows).activities
    assert (item.number, item.title, item.responsible, item.deadline_text) == (
        "1",
        "Семинар",
        "Методист",
        "",
    )


# ------------------------------------------------------------------ 7. continuations


def test_continuation_rows(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "Организация мастер-", "Методист", "Март", "Не менее"],
        ["", "классов для учителей", "", "", "10 человек"],
        ["", "", "и директор", "", ""],
        ["", "Отдельная строка без номера", "Директор", "Апрель", "Справка"],
        ["", "Обрывок с заглавной буквы", "", "", ""],  # no deadline, no responsible
    ]
    roadmap = read_rows(tmp_path, rows)
    first, second = roadmap.activities
    assert first.title == "Организация мастер-классов для учителей"
    assert first.responsible == "Методист и директор"
    assert first.indicator == "Не менее 10 человек"
    assert second.number == ""
    assert second.title == "Отдельная строка без номера Обрывок с заглавной буквы"
    assert any("без номера" in w for w in roadmap.warnings)


def test_zero_number_is_noise_and_row_continues(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "Введение ФГОС НОО и", "Методист", "Март", "Сайт"],
        ["000", "", "", "", "регионального объединения"],
    ]
    roadmap = read_rows(tmp_path, rows)
    (item,) = roadmap.activities
    assert item.title == "Введение ФГОС НОО и"
    assert item.indicator == "Сайт регионального объединения"
    assert any("«000»" in w for w in item.warnings)
    assert any(w.startswith("Строка 9:") and "«000»" in w for w in roadmap.warnings)


def test_echo_row_is_dropped(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "Семинар", "Методист", "Март", "Протокол"],
        ["", "", "", "", "Участие 29 школ"],
        ["2", "Мониторинг", "Центр", "Май", "Участие 29 школ"],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert [a.indicator for a in roadmap.activities] == ["Протокол", "Участие 29 школ"]
    assert any("повторяет" in w for w in roadmap.warnings)


def test_fragment_before_any_activity(tmp_path: Path) -> None:
    rows = [HEADER, ["", "", "", "", "обрывок"], ["1", "Семинар", "Методист", "Март", ""]]
    roadmap = read_rows(tmp_path, rows)
    assert plain(roadmap) == [("1", "Семинар", "Методист", "Март")]
    assert any("до первого мероприятия" in w for w in roadmap.warnings)


# ------------------------------------------------------------------ 8. data shifted up one row


def test_data_shifted_up_is_moved_down(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["5", "Аудит размещения", "ЦНППМ", "29.03.2022", "Справка"],
        ["", "программ", "ЦНППМ", "Еженедельно", "Релиз"],
        ["6", "Вебинары", "ЦНППМ", "С апреля", "Отчёт"],
        ["7", "Опросы", "", "", ""],
        ["Следующий раздел", "", "", "", ""],
        ["8", "Совещание", "Директор", "Май", "Протокол"],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert plain(roadmap) == [
        ("5", "Аудит размещения программ", "ЦНППМ", "29.03.2022"),
        ("6", "Вебинары", "ЦНППМ", "Еженедельно"),
        ("7", "Опросы", "ЦНППМ", "С апреля"),
        ("8", "Совещание", "Директор", "Май"),
    ]
    assert [a.indicator for a in roadmap.activities] == ["Справка", "Релиз", "Отчёт", "Протокол"]
    assert [bool(a.warnings) for a in roadmap.activities] == [False, True, True, False]
    assert any("Строка 9" in w and "сдвинуты" in w for w in roadmap.warnings)


def test_no_shift_when_every_row_has_its_data(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["5", "Аудит", "ЦНППМ", "Март", "Справка"],
        ["", "", "Муниципалитеты", "", "и отчёт"],
        ["6", "Вебинары", "ЦНППМ", "Апрель", "Отчёт"],
        ["7", "Опросы", "ЦНППМ", "Май", "Итоги"],
    ]
    roadmap = read_rows(tmp_path, rows)
    assert plain(roadmap) == [
        ("5", "Аудит", "ЦНППМ Муниципалитеты", "Март"),
        ("6", "Вебинары", "ЦНППМ", "Апрель"),
        ("7", "Опросы", "ЦНППМ", "Май"),
    ]
    assert not any(a.warnings for a in roadmap.activities)


# ------------------------------------------------------------------ 9-10. leaked header, HTML


def test_leaked_header_and_html_are_cleaned(tmp_path: Path) -> None:
    rows = [
        [*HEADER, "Уровни реализации"],
        [
            "1",
            "<p>Разработка&nbsp;программы</p> <p>- приказ</p>",
            "<u>Методист</u>",
            "  Март\u00a0 2022 ",
            "x &lt; 5",
            "Уровни реализации региональный муниципальный",
        ],
        ["2", "Семинар", "Методист", "Апрель", "< 50 %", "Уровни реализации"],
    ]
    first, second = read_rows(tmp_path, rows).activities
    assert first.title == "Разработка программы - приказ"
    assert (first.responsible, first.deadline_text) == ("Методист", "Март 2022")
    assert first.indicator == "x < 5"
    assert first.levels == "региональный муниципальный"
    assert second.indicator == "< 50 %"
    assert second.levels == "Уровни реализации"  # nothing but the name: left as written


# ------------------------------------------------------------------ 11. prose around the table


@pytest.mark.parametrize(
    ("preamble", "organisation", "level"),
    [
        (
            ["МУНИЦИПАЛЬНОЕ БЮДЖЕТНОЕ ОБЩЕОБРАЗОВАТЕЛЬНОЕ УЧРЕЖДЕНИЕ", "«СРЕДНЯЯ ШКОЛА № 3»"],
            "МБОУ «Средняя школа № 3»",
            OrgLevel.SCHOOL,
        ),
        (
            ["Министерство образования Энской области"],
            "Министерство образования Энской области",
            OrgLevel.REGION,
        ),
        (
            ["ОТДЕЛ ОБРАЗОВАНИЯ АДМИНИСТРАЦИИ ЭНСКОГО МУНИЦИПАЛЬНОГО ОКРУГА"],
            "Отдел образования администрации Энского муниципального округа",
            OrgLevel.MUNICIPALITY,
        ),
        (
            ["УТВЕРЖДАЮ", "Директор МБОУ «СОШ № 5» ________ И.И. Иванов"],
            "МБОУ «СОШ № 5»",
            OrgLevel.SCHOOL,
        ),
    ],
)
def test_organisation_and_level(
    tmp_path: Path, preamble: list[str], organisation: str, level: OrgLevel
) -> None:
    rows = [HEADER, ["1", "Семинар", "Методист", "Март 2022", ""]]
    roadmap = read_rows(tmp_path, rows, preamble=[*preamble, "", "ПРИКАЗ", ""])
    assert (roadmap.organisation, roadmap.level) == (organisation, level)


@pytest.mark.parametrize(
    ("heading", "year", "school_year"),
    [
        ("Дорожная карта на 2023 год", 2023, None),
        ("План-график мероприятий в 2022 году", 2022, None),
        ("Дорожная карта проекта в 2021 г.", 2021, None),
        ("Дорожная карта школы на 2022-2023 учебный год", None, 2022),
        ("Дорожная карта школы на 2022/2023 уч. год", None, 2022),
        ("Дорожная карта ШНОР-2024", 2024, None),
        ("Дорожная карта школы", 2022, None),  # from the deadlines
    ],
)
def test_year_from_heading_then_deadlines(
    tmp_path: Path, heading: str, year: int | None, school_year: int | None
) -> None:
    rows = [
        HEADER,
        ["1", "Семинар", "Методист", "Март 2022", ""],
        ["2", "Совещание", "Директор", "до 01.04.2022 г.", ""],
        ["3", "Итоги", "Директор", "Январь 2023", ""],
    ]
    preamble = ["МБОУ «СОШ № 1»", "", "Приказ от 30.12.2020 г.", "", heading, ""]
    roadmap = read_rows(tmp_path, rows, preamble=preamble)
    assert (roadmap.year, roadmap.school_year) == (year, school_year)
    assert roadmap.title == heading


def test_heading_continued_over_lines_and_markdown(tmp_path: Path) -> None:
    preamble = [
        "Управление образования администрации Энского района",
        "",
        "**ПЛАН МЕРОПРИЯТИЙ",
        "«Дорожная карта» Энского района**",
        "(муниципальный уровень)",
        "",
        "на 2023 год",
        "",
    ]
    rows = [HEADER, ["1", "Семинар", "Методист", "Март 2022", ""]]
    roadmap = read_rows(tmp_path, rows, preamble=preamble)
    assert roadmap.title == (
        "ПЛАН МЕРОПРИЯТИЙ «Дорожная карта» Энского района (муниципальный уровень) на 2023 год"
    )
    assert roadmap.year == 2023


@pytest.mark.parametrize(
    ("order_title", "amendment"),
    [
        ("О внесении изменений в дорожную карту на 2022 год", True),
        ("Об утверждении дорожной карты на 2022 год", False),
    ],
)
def test_amendment_only_from_the_documents_own_title(
    tmp_path: Path, order_title: str, amendment: bool
) -> None:
    preamble = [
        "Управление образования администрации Энского района",
        "",
        "ПРИКАЗ",
        "",
        order_title,
        "",
        "В соответствии с приказом от 01.02.2022 № 5 «О внесении изменений в приказ …»",
        "",
        "Дорожная карта на 2022 год",
        "",
    ]
    rows = [HEADER, ["1", "Семинар", "Методист", "Март 2022", ""]]
    assert read_rows(tmp_path, rows, preamble=preamble).amendment is amendment


def test_arguments_override_the_text(tmp_path: Path) -> None:
    path = write_table(tmp_path / "map.txt", [HEADER, ["1", "Семинар", "Методист", "Март", ""]])
    roadmap = read_roadmap(path, organisation="  МБОУ  «Лицей № 1» ", year=2030)
    assert roadmap.organisation == "МБОУ «Лицей № 1»"
    assert roadmap.level is OrgLevel.SCHOOL
    assert (roadmap.year, roadmap.school_year) == (2030, None)


def test_no_prose_at_all(tmp_path: Path) -> None:
    roadmap = read_rows(tmp_path, [HEADER, ["1", "Семинар", "Методист", "Весна", ""]], preamble=[])
    assert (roadmap.organisation, roadmap.title, roadmap.year) == ("", "", None)
    assert roadmap.level is OrgLevel.SCHOOL


def test_prose_between_rows_is_reported(tmp_path: Path) -> None:
    rows = [HEADER, ["1", "Семинар", "Методист", "Март", ""]]
    path = tmp_path / "map.txt"
    tail = "\t".join(["2", "Совещание", "Директор", "Апрель", ""])
    lines = [*PREAMBLE, *("\t".join(r) for r in rows), "Страница 2", tail, "", "Состав группы"]
    path.write_text("\n".join(lines), encoding="utf-8")
    roadmap = read_roadmap(path)
    assert len(roadmap.activities) == 2
    assert [w for w in roadmap.warnings if "Страница 2" in w] != []
    assert not [w for w in roadmap.warnings if "Состав группы" in w]


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-16-le"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    rows = [HEADER, ["1", "Семинар «Ёлка»", "Методист", "Март 2022", "Протокол"]]
    roadmap = read_rows(tmp_path, rows, encoding=encoding)
    assert plain(roadmap) == [("1", "Семинар «Ёлка»", "Методист", "Март 2022")]
    assert roadmap.organisation == "Управление образования администрации Энского района"


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "map.txt"
    text = "\r\n".join([*PREAMBLE, "\t".join(HEADER), "\t".join(["1", "Семинар", "М", "Март", ""])])
    path.write_bytes(text.encode("cp1251"))
    assert plain(read_roadmap(path)) == [("1", "Семинар", "М", "Март")]


# ------------------------------------------------------------------ bad input


def assert_refused(path: Path, *words: str) -> None:
    with pytest.raises(RoadmapImportError) as caught:
        read_roadmap(path)
    message = str(caught.value)
    assert path.name in message
    for word in words:
        assert word in message


def test_missing_file(tmp_path: Path) -> None:
    assert_refused(tmp_path / "нет такого.txt", "не найден")


def test_empty_and_blank_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert_refused(tmp_path / "empty.txt", "пуст")
    (tmp_path / "blank.txt").write_bytes(b"\n \n\t\n")
    assert_refused(tmp_path / "blank.txt", "пуст")


def test_binary_garbage(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(4000)
    (tmp_path / "garbage.txt").write_bytes(noise)
    assert_refused(tmp_path / "garbage.txt", "не похож на текстовую таблицу")


def test_broken_utf16(tmp_path: Path) -> None:
    (tmp_path / "cut.txt").write_bytes("\ufeffМероприятие\tСроки".encode("utf-16-le")[:-1])
    assert_refused(tmp_path / "cut.txt", "повреждён")


def test_unsupported_extension(tmp_path: Path) -> None:
    for name in ("map.png", "map.zip", "map"):
        (tmp_path / name).write_bytes(b"%PDF-1.4")
        assert_refused(tmp_path / name, "не поддерживается", ".docx")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert_refused(tmp_path / "folder.txt", "папка")


def test_no_table_or_no_header(tmp_path: Path) -> None:
    (tmp_path / "prose.txt").write_text("Просто текст приказа.\nБез таблицы.", encoding="utf-8")
    assert_refused(tmp_path / "prose.txt", "не найдена таблица дорожной карты", "«Мероприятие»")
    write_table(tmp_path / "other.txt", [["ФИО", "Должность"], ["Иванов", "Директор"]])
    assert_refused(tmp_path / "other.txt", "нет строки заголовка", "«Сроки»")


def test_data_row_is_not_taken_for_a_header(tmp_path: Path) -> None:
    rows = [["1", "Проведение мероприятий", "В сроки, установленные планом", "Директор", "-"]]
    write_table(tmp_path / "headless.txt", rows)
    assert_refused(tmp_path / "headless.txt", "нет строки заголовка")


# ------------------------------------------------------------------ property: column order


ROWS = [
    ["1", "Семинар", "Методист", "Март 2022", "Протокол", "Сайт"],
    ["", "для учителей", "", "", "", ""],
    ["Методический раздел", "", "", "", "", ""],
    ["2", "Совещание", "Директор", "Апрель 2022", "Приказ", ""],
    ["2.1", "Подготовка", "Завуч", "Май 2022", "", "Новость"],
]
NAMES = [
    "№",
    "Наименование мероприятия",
    "Исполнители",
    "Срок исполнения",
    "Результат",
    "Примечание",
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(1, 6)))
def test_column_order_does_not_matter(tmp_path: Path, order: list[int]) -> None:
    """The number stays first (sections sit in the first cell); all else may move."""
    columns = [0, *order]

    def arrange(row: list[str]) -> list[str]:
        if row[0] and not row[1]:  # a section row stays in the first cell
            return row
        return [row[i] for i in columns]

    roadmap = read_rows(tmp_path, [arrange(NAMES), *map(arrange, ROWS)])
    assert [a.model_dump() for a in roadmap.activities] == [
        {
            "number": "1",
            "title": "Семинар для учителей",
            "responsible": "Методист",
            "deadline_text": "Март 2022",
            "indicator": "",
            "result": "Протокол",
            "levels": "",
            "publicity": "",
            "report_form": "",
            "extra": {"Примечание": "Сайт"},
            "section": "",
            "parent_number": None,
            "warnings": [],
        },
        {
            "number": "2",
            "title": "Совещание",
            "responsible": "Директор",
            "deadline_text": "Апрель 2022",
            "indicator": "",
            "result": "Приказ",
            "levels": "",
            "publicity": "",
            "report_form": "",
            "extra": {},
            "section": "Методический раздел",
            "parent_number": None,
            "warnings": [],
        },
        {
            "number": "2.1",
            "title": "Подготовка",
            "responsible": "Завуч",
            "deadline_text": "Май 2022",
            "indicator": "",
            "result": "",
            "levels": "",
            "publicity": "",
            "report_form": "",
            "extra": {"Примечание": "Новость"},
            "section": "Методический раздел",
            "parent_number": "2",
            "warnings": [],
        },
    ]


# ------------------------------------------------------------------ property: never a crash

CELLS = st.sampled_from(
    [
        "",
        "",
        "1",
        "2.",
        "2.1",
        "000",
        "3. Раздел",
        "Семинар",
        "продолжение",
        "Март 2022",
        "<p>Директор</p>",
        "Мероприятие",
        "Сроки",
        "Уровни реализации региональный",
        "мастер-",
        "Организационная работа",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=8), max_size=12))
def test_any_table_reads_or_fails_cleanly(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "fuzz.txt"
    lines = ["\t".join(HEADER), *("\t".join(row) if len(row) > 1 else row[0] for row in rows)]
    path.write_text("\n".join(lines), encoding="utf-8")
    roadmap = read_roadmap(path)
    assert {a.section for a in roadmap.activities} <= {"", *roadmap.sections}
    assert all(a.parent_number is None or "." in a.number for a in roadmap.activities)


@pytest.mark.parametrize(
    ("organisation", "level"),
    [
        ("МБОУ «СОШ № 1» Энского района", OrgLevel.SCHOOL),
        ("Гимназия № 5 города Энска", OrgLevel.SCHOOL),
        ("Министерство просвещения Энского края", OrgLevel.REGION),
        ("Департамент образования и науки города Москвы", OrgLevel.REGION),
        ("Департамент образования администрации города Энска", OrgLevel.MUNICIPALITY),
        ("Управление образования и науки Энской области", OrgLevel.REGION),
        ("Отдел образования г. Энска", OrgLevel.MUNICIPALITY),
        ("МКУ «Управление образования Энского района Энской области»", OrgLevel.MUNICIPALITY),
        ("ГАУ ДПО «Энский институт развития образования»", OrgLevel.REGION),
    ],
)
def test_level_by_the_issuers_words(organisation: str, level: OrgLevel) -> None:
    assert guess_level(organisation, "") is level


def test_level_from_the_heading_when_the_issuer_is_unknown() -> None:
    assert guess_level("", "Муниципальная дорожная карта") is OrgLevel.MUNICIPALITY
    assert guess_level("", "Региональный план-график") is OrgLevel.REGION
    assert guess_level("", "Дорожная карта") is OrgLevel.SCHOOL
