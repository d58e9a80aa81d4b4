"""Word .docx roadmaps: real files built with python-docx in tmp_path."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from curator_tui.importers import RoadmapImportError, read_roadmap
from tests.docx_factory import text_table_rows, write_docx

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
HEADER = ["№ п/п", "Мероприятие", "Сроки", "Ответственный", "Результат"]
PREAMBLE = [
    "Управление образования администрации Энского района",
    "ПРИКАЗ",
    "Дорожная карта на 2022 год",
]


def test_seed_003_as_docx_reads_like_the_text_export(tmp_path: Path) -> None:
    source = next(SEEDS.glob("003_*.txt"))
    preamble, rows = text_table_rows(source.read_text(encoding="utf-8"))
    from_text = read_roadmap(source)
    from_docx = read_roadmap(write_docx(tmp_path / "003.docx", rows, preamble=preamble))
    assert from_docx.activities == from_text.activities
    assert from_docx.sections == from_text.sections
    for name in ("organisation", "level", "title", "year", "school_year", "amendment"):
        assert getattr(from_docx, name) == getattr(from_text, name), name
    assert from_docx.source_name == "003.docx"
    assert all(w.startswith("Таблица 1, строка ") for w in from_docx.warnings)


def test_section_merged_across_the_table(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["Организационная работа"],
        ["1", "Совещание", "Март", "Директор", "Протокол"],
        ["2. Методическая работа"],
        ["2.1", "Семинар", "Апрель", "Методист", "Справка"],
    ]
    path = write_docx(tmp_path / "map.docx", rows, preamble=PREAMBLE, merged_rows=[1, 3])
    roadmap = read_roadmap(path)
    assert roadmap.sections == ["Организационная работа", "Методическая работа"]
    assert [(a.number, a.section) for a in roadmap.activities] == [
        ("1", "Организационная работа"),
        ("2.1", "Методическая работа"),
    ]
    assert (roadmap.organisation, roadmap.year) == (PREAMBLE[0], 2022)


def test_vertically_merged_responsible_repeats(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "Совещание", "Март", "Заместитель директора Петрова", "Протокол"],
        ["2", "Семинар", "Апрель", "", "Справка"],
        ["3", "Вебинар", "Май", "", "Запись"],
        ["4", "Отчёт", "Июнь", "Директор", "Отчёт"],
    ]
    path = write_docx(tmp_path / "map.docx", rows, preamble=PREAMBLE, vertical_merges=[(3, 1, 3)])
    roadmap = read_roadmap(path)
    assert [a.responsible for a in roadmap.activities] == [
        "Заместитель директора Петрова",
        "Заместитель директора Петрова",
        "Заместитель директора Петрова",
        "Директор",
    ]
    assert [a.result for a in roadmap.activities] == ["Протокол", "Справка", "Запись", "Отчёт"]


def test_header_repeated_at_a_page_break_and_prose_after(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "2", "3", "4", "5"],
        ["1", "Совещание", "Март", "Директор", "Протокол"],
        HEADER,
        ["2", "Семинар", "Апрель", "Методист", "Справка"],
    ]
    path = write_docx(
        tmp_path / "map.docx", rows, preamble=PREAMBLE, after=["Состав рабочей группы"]
    )
    roadmap = read_roadmap(path)
    assert [(a.number, a.title) for a in roadmap.activities] == [
        ("1", "Совещание"),
        ("2", "Семинар"),
    ]
    assert roadmap.warnings == []


def test_tables_split_by_a_heading_and_a_staff_table_after(tmp_path: Path) -> None:
    path = tmp_path / "split.docx"
    document = docx.Document()
    for text in PREAMBLE:
        document.add_paragraph(text)
    add_table(document, [HEADER, ["1", "Совещание", "Март", "Директор", "Протокол"]])
    document.add_paragraph("Методическая работа")
    add_table(document, [["2", "Семинар", "Апрель", "Методист", "Справка"]])
    document.add_paragraph("Состав рабочей группы")
    add_table(document, [["1", "Иванов И.И.", "директор"], ["2", "Петров П.П.", "завуч"]])
    document.save(str(path))
    roadmap = read_roadmap(path)
    assert roadmap.sections == ["Методическая работа"]
    assert [(a.number, a.title, a.section) for a in roadmap.activities] == [
        ("1", "Совещание", ""),
        ("2", "Семинар", "Методическая работа"),
    ]
    assert any(w.startswith("Таблица 3, строка 1:") for w in roadmap.warnings)


def add_table(document: docx.document.Document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


def test_cell_paragraphs_are_joined(tmp_path: Path) -> None:
    rows = [HEADER, ["1.", "Совещание\nс кураторами", "Март\n2022", "Директор", ""]]
    (item,) = read_roadmap(write_docx(tmp_path / "map.docx", rows, preamble=PREAMBLE)).activities
    assert (item.number, item.title, item.deadline_text) == (
        "1",
        "Совещание с кураторами",
        "Март 2022",
    )


def test_truncated_docx_is_refused(tmp_path: Path) -> None:
    whole = write_docx(tmp_path / "whole.docx", [HEADER, ["1", "Совещание", "Март", "Я", ""]])
    cut = tmp_path / "cut.docx"
    data = whole.read_bytes()
    for size in (len(data) // 2, len(data) - 30, 100):
        cut.write_bytes(data[:size])
        with pytest.raises(RoadmapImportError) as caught:
            read_roadmap(cut)
        assert "cut.docx" in str(caught.value)
        assert "повреждён" in str(caught.value)


def test_not_a_word_package_is_refused(tmp_path: Path) -> None:
    (tmp_path / "text.docx").write_text("Мероприятие\tСроки", encoding="utf-8")
    with pytest.raises(RoadmapImportError, match=r"text\.docx.*повреждён"):
        read_roadmap(tmp_path / "text.docx")
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "привет")
    with pytest.raises(RoadmapImportError, match=r"other\.docx.*повреждён"):
        read_roadmap(other)


def test_broken_xml_inside_docx_is_refused(tmp_path: Path) -> None:
    whole = write_docx(tmp_path / "whole.docx", [HEADER, ["1", "Совещание", "Март", "Я", ""]])
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            target.writestr(info, data)
    with pytest.raises(RoadmapImportError, match=r"broken\.docx.*повреждён"):
        read_roadmap(broken)


def test_docx_without_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prose.docx"
    document = docx.Document()
    document.add_paragraph("Приказ без приложения")
    document.save(str(path))
    with pytest.raises(RoadmapImportError) as caught:
        read_roadmap(path)
    assert str(caught.value).startswith("В файле prose.docx не найдена таблица дорожной карты")


def test_docx_table_without_header_is_refused(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "staff.docx", [["ФИО", "Должность"], ["Иванов", "Директор"]])
    with pytest.raises(RoadmapImportError, match=r"staff\.docx.*нет строки заголовка"):
        read_roadmap(path)
