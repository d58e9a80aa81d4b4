"""Word features that hide text from a naive reader, in real .docx files of raw WordprocessingML.

Each file is written by python-docx with a table built from WordprocessingML markup the way
Word writes it (tracked changes, content controls, fields, nested tables, comments), then
read through `read_roadmap` like any user's file.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml

from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.importers import read_roadmap

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HEADER = ("№", "Мероприятие", "Сроки", "Ответственный")
PREAMBLE = ["Управление образования администрации Энского района", "Дорожная карта на 2023 год"]
STAMP = 'w:id="{n}" w:author="Методист" w:date="2023-03-01T10:00:00Z"'


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def inserted(text: str, n: int = 1) -> str:
    return f"<w:ins {STAMP.format(n=n)}>{run(text)}</w:ins>"


def deleted(text: str, n: int = 2) -> str:
    return (
        f"<w:del {STAMP.format(n=n)}><w:r>"
        f'<w:delText xml:space="preserve">{text}</w:delText></w:r></w:del>'
    )


def para(*runs: str) -> str:
    return f"<w:p>{''.join(runs)}</w:p>"


def cell(*blocks: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{''.join(blocks) or '<w:p/>'}</w:tc>"


def row(*cells: str, props: str = "") -> str:
    properties = f"<w:trPr>{props}</w:trPr>" if props else ""
    return f"<w:tr>{properties}{''.join(cells)}</w:tr>"


def plain(*texts: str) -> str:
    return row(*(cell(para(run(t))) for t in texts))


def table(*rows: str, width: int = len(HEADER)) -> str:
    grid = "".join('<w:gridCol w:w="2000"/>' for _ in range(width))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def write(path: Path, *rows: str) -> Path:
    document = docx.Document()
    for line in PREAMBLE:
        document.add_paragraph(line)
    body = document.element.body
    element = parse_xml(f"<w:body {W}>{table(plain(*HEADER), *rows)}</w:body>")[0]
    body.insert(len(body) - 1, element)  # before the section properties
    document.save(str(path))
    return path


def read(path: Path) -> ParsedRoadmap:
    return read_roadmap(path)


def by_number(roadmap: ParsedRoadmap) -> dict[str, ParsedActivity]:
    return {a.number: a for a in roadmap.activities}


def test_tracked_changes_read_as_the_final_text(tmp_path: Path) -> None:
    title = cell(
        para(run("Семинар для "), deleted("учителей"), inserted("директоров"), run(" школ"))
    )
    deadline = cell(para(deleted("Март"), inserted("Апрель"), run(" 2023")))
    path = write(
        tmp_path / "map.docx", row(cell(para(run("1"))), title, deadline, cell(para(run("ИМЦ"))))
    )
    activity = by_number(read(path))["1"]
    assert activity.title == "Семинар для директоров школ"
    assert activity.deadline_text == "Апрель 2023"


def test_a_deleted_row_is_no_activity_and_an_inserted_row_is(tmp_path: Path) -> None:
    gone = row(
        *(cell(para(deleted(t))) for t in ("2", "Отменённое совещание", "Май", "ИМЦ")),
        props=f"<w:del {STAMP.format(n=7)}/>",
    )
    added = row(
        *(cell(para(inserted(t))) for t in ("3", "Новое совещание", "Июнь", "ИМЦ")),
        props=f"<w:ins {STAMP.format(n=8)}/>",
    )
    path = write(tmp_path / "map.docx", plain("1", "Совещание", "Март", "ИМЦ"), gone, added)
    roadmap = read(path)
    assert [a.title for a in roadmap.activities] == ["Совещание", "Новое совещание"]
    assert "Отменённое" not in " ".join(roadmap.warnings)


def test_moved_text_is_read_once_at_its_new_place(tmp_path: Path) -> None:
    moved = (
        f"<w:moveFrom {STAMP.format(n=3)}>{run('в течение года ')}</w:moveFrom>"
        f"{run('Мониторинг')}"
        f"<w:moveTo {STAMP.format(n=4)}>{run(' в течение года')}</w:moveTo>"
    )
    path = write(
        tmp_path / "map.docx",
        row(
            cell(para(run("1"))),
            cell(para(moved)),
            cell(para(run("Ежемесячно"))),
            cell(para(run("ИМЦ"))),
        ),
    )
    assert by_number(read(path))["1"].title == "Мониторинг в течение года"


def sdt(content: str) -> str:
    properties = '<w:sdtPr><w:alias w:val="Поле"/></w:sdtPr>'
    return f"<w:sdt>{properties}<w:sdtContent>{content}</w:sdtContent></w:sdt>"


def test_content_controls_show_their_content_at_every_level(tmp_path: Path) -> None:
    in_run = cell(para(run("Анкетирование "), sdt(run("родителей"))))
    in_cell = cell(sdt(para(run("До 15 апреля"))))
    around_cell = sdt(cell(para(run("Завуч"))))
    around_row = sdt(plain("2", "Педсовет", "Август", "Директор"))
    path = write(
        tmp_path / "map.docx", row(cell(para(run("1"))), in_run, in_cell, around_cell), around_row
    )
    activities = by_number(read(path))
    assert (activities["1"].title, activities["1"].deadline_text, activities["1"].responsible) == (
        "Анкетирование родителей",
        "До 15 апреля",
        "Завуч",
    )
    assert activities["2"].title == "Педсовет"


def mark(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def code(text: str) -> str:
    return f'<w:r><w:instrText xml:space="preserve"> {text} </w:instrText></w:r>'


def complex_field(instruction: str, result: str) -> str:
    return f"{mark('begin')}{instruction}{mark('separate')}{run(result)}{mark('end')}"


def test_fields_show_their_result_not_their_code(tmp_path: Path) -> None:
    simple = '<w:fldSimple w:instr=" DOCPROPERTY Срок ">' + run("до 1 июня") + "</w:fldSimple>"
    # A field inside another's code (IF … DATE …): only the outer result is shown.
    inner = complex_field(code("DATE"), "ноябрь")
    nested = complex_field(code('IF 1 = 1 "') + inner + code('"'), "Ноябрь 2023")
    path = write(
        tmp_path / "map.docx",
        row(
            cell(para(complex_field(code("SEQ Пункт"), "1"))),
            cell(para(run("Аудит сайтов"))),
            cell(para(simple)),
            cell(para(run("ЦНППМ"))),
        ),
        row(
            cell(para(run("2"))),
            cell(para(run("Отчёт"))),
            cell(para(nested)),
            cell(para(run("ИМЦ"))),
        ),
    )
    activities = by_number(read(path))
    assert activities["1"].deadline_text == "до 1 июня"
    assert activities["2"].deadline_text == "Ноябрь 2023"
    assert not any(
        "DOCPROPERTY" in a.deadline_text or "IF" in a.deadline_text for a in activities.values()
    )


def test_a_table_nested_in_a_cell_belongs_to_that_cell(tmp_path: Path) -> None:
    inner = table(plain("Иванов И.И.", "директор"), plain("Петрова А.А.", "завуч"), width=2)
    path = write(
        tmp_path / "map.docx",
        row(
            cell(para(run("1"))),
            cell(para(run("Методический совет"))),
            cell(para(run("Март"))),
            cell(para(run("Исполнители:")), inner, para()),
        ),
        plain("2", "Итоговый педсовет", "Июнь", "Директор"),
    )
    roadmap = read(path)
    first = by_number(roadmap)["1"]
    assert "Иванов И.И. директор" in first.responsible
    assert "Петрова А.А. завуч" in first.responsible
    assert [a.number for a in roadmap.activities] == ["1", "2"]


def test_comments_are_not_cell_text(tmp_path: Path) -> None:
    document = docx.Document()
    for line in PREAMBLE:
        document.add_paragraph(line)
    grid = document.add_table(rows=2, cols=len(HEADER))
    for target, text in zip(grid.rows[0].cells, HEADER, strict=True):
        target.text = text
    for target, text in zip(grid.rows[1].cells, ("1", "Совещание", "Март", "ИМЦ"), strict=True):
        target.text = text
    title_run = grid.rows[1].cells[1].paragraphs[0].runs[0]
    document.add_comment(title_run, text="Уточнить дату с министерством", author="Методист")
    path = tmp_path / "map.docx"
    document.save(str(path))
    activity = by_number(read(path))["1"]
    assert activity.title == "Совещание"
    assert "министерств" not in activity.model_dump_json()


def test_merges_still_read_inside_wrapped_rows(tmp_path: Path) -> None:
    span = '<w:gridSpan w:val="4"/>'
    restart, going = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    path = write(
        tmp_path / "map.docx",
        row(cell(para(run("Организационные мероприятия")), props=span)),
        row(
            cell(para(run("1"))),
            cell(para(run("Совещание"))),
            cell(para(run("Март"))),
            cell(para(run("Отдел образования")), props=restart),
        ),
        sdt(
            row(
                cell(para(run("2"))),
                cell(para(run("Семинар"))),
                cell(para(run("Апрель"))),
                cell(props=going),
            )
        ),
    )
    roadmap = read(path)
    assert roadmap.sections == ["Организационные мероприятия"]
    assert [a.responsible for a in roadmap.activities] == ["Отдел образования"] * 2


def test_a_picture_in_a_row_is_named_in_the_summary(tmp_path: Path) -> None:
    picture = '<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"/></w:drawing></w:r>'
    text_box = (
        '<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
        f"<w:txbxContent>{para(run('ИМЦ'))}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    path = write(
        tmp_path / "map.docx",
        row(
            cell(para(run("1"))),
            cell(para(run("Совещание"), picture)),
            cell(para(run("Март"))),
            cell(para(text_box)),
        ),
    )
    roadmap = read(path)
    assert by_number(roadmap)["1"].responsible == "ИМЦ"
    assert any("строка 2" in w and "рисунок" in w for w in roadmap.warnings)
