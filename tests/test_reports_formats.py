"""Each report format opened back with its own library, and all four agreeing with the model."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm

from curator_tui.domain.models import EvidenceKind
from curator_tui.reports.chart_png import chart_png
from curator_tui.reports.columns import (
    ACTIVITY_COLUMNS,
    FLAT_ACTIVITY_COLUMNS,
    MONTH_COLUMNS,
    SUMMARY_COLUMNS,
    TO_DATE_COLUMNS,
)
from curator_tui.reports.model import (
    EvidenceItem,
    MonthlyReport,
    ReportActivity,
    RowKind,
    SchoolReport,
    Signature,
    SummaryRow,
    build_monthly_report,
    sum_summaries,
)
from curator_tui.reports.output import ReportFormat, save_report
from curator_tui.store.store import Store
from tests.report_hub import (
    MONTH,
    MUNICIPALITY,
    NOVEMBER_NOTE,
    SCHOOL_1,
    SCHOOL_1_MUNICIPALITY,
    SCHOOL_2,
    TODAY,
    build_hub,
    use_test_schedules,
)

MONTH_HEADERS = [c.header for c in MONTH_COLUMNS]
TO_DATE_HEADERS = [c.header for c in TO_DATE_COLUMNS]
SUMMARY_HEADERS = [c.header for c in SUMMARY_COLUMNS]
ACTIVITY_HEADERS = [c.header for c in ACTIVITY_COLUMNS]
FLAT_HEADERS = [c.header for c in FLAT_ACTIVITY_COLUMNS]
DUE_FLAG = FLAT_HEADERS.index("Срок в месяце")
OVERDUE_FLAG = FLAT_HEADERS.index("Просрочено")
MONTH_FIELDS = ("due", "done", "in_progress", "not_started", "cancelled", "overdue")
MONTH_COUNTS = [2, 3, 5, 7, 9, 11]  # the month table's counts (each but the first has its %)
TO_DATE_FIELDS = ("total", "done", "overdue", "done_without_evidence", "evidence_files")
TO_DATE_COUNTS = slice(2, 7)
SUBTOTAL_1 = f"Итого: {SCHOOL_1_MUNICIPALITY}"
SUBTOTAL_NONE = "Итого: Муниципалитет не указан"
REGION = "Смоленская область"
TOTAL = f"Всего: {REGION}"
ROW_NAMES = [SCHOOL_1, SUBTOTAL_1, SCHOOL_2, MUNICIPALITY, SUBTOTAL_NONE, TOTAL]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> MonthlyReport:
    folder = tmp_path_factory.mktemp("hub")
    with pytest.MonkeyPatch.context() as patch:
        use_test_schedules(patch)
        hub = build_hub(folder / "hub.db", folder / "files")
    with Store.open(hub.path) as store:
        return build_monthly_report(
            store, MONTH, None, TODAY, region=REGION, signature=Signature("Методист", "А. Б. Ким")
        )


@pytest.fixture(scope="module")
def files(report: MonthlyReport, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("out")
    written: dict[str, Path] = {}
    for report_format in ReportFormat:
        paths = save_report(
            report, report_format, folder / f"отчёт{report_format.extension}", overwrite=False
        )
        written[report_format.value] = paths[0]
        if report_format is ReportFormat.CSV:
            written["csv-summary"] = paths[1]
    return written


def month_figures(row: SummaryRow) -> list[int]:
    return [getattr(row.month, name) for name in MONTH_FIELDS]


def to_date_figures(row: SummaryRow) -> list[int]:
    return [getattr(row.to_date, name) for name in TO_DATE_FIELDS]


def expected_figures(report: MonthlyReport) -> dict[str, tuple[list[int], list[int]]]:
    return {r.name: (month_figures(r), to_date_figures(r)) for r in report.summary_rows()}


def expected_list_sizes(report: MonthlyReport) -> dict[str, tuple[int, int]]:
    return {s.name: (len(s.due), len(s.overdue)) for s in report.listed_schools}


def test_the_month_is_counted_apart_from_the_roadmap_to_date(report: MonthlyReport) -> None:
    rows = {r.name: r for r in report.summary_rows()}
    assert list(rows) == ROW_NAMES
    # СОШ № 1: «Педсовет» done, «Совещания» in progress, «Диагностика» not started & overdue.
    assert month_figures(rows[SCHOOL_1]) == [3, 1, 1, 1, 0, 1]
    assert to_date_figures(rows[SCHOOL_1]) == [8, 2, 2, 1, 1]
    assert rows[SCHOOL_1].month.share(1) == pytest.approx(1 / 3)
    assert month_figures(rows[SCHOOL_2]) == [2, 1, 0, 1, 0, 1]
    assert month_figures(rows[MUNICIPALITY]) == [0] * 6
    assert rows[MUNICIPALITY].month.share(0) is None  # nothing due: no share to speak of
    assert month_figures(rows[SUBTOTAL_NONE]) == [2, 1, 0, 1, 0, 1]
    assert month_figures(rows[TOTAL]) == [5, 2, 1, 2, 0, 2]
    assert to_date_figures(rows[TOTAL]) == [13, 4, 4, 1, 2]
    assert [r.kind for r in rows.values()] == [
        RowKind.ORGANISATION,
        RowKind.SUBTOTAL,
        RowKind.ORGANISATION,
        RowKind.ORGANISATION,
        RowKind.SUBTOTAL,
        RowKind.TOTAL,
    ]


def test_title_names_the_region_the_programme_and_the_month(report: MonthlyReport) -> None:
    assert report.title == (
        "Смоленская область. Отчёт о выполнении мероприятий дорожных карт проекта «500+» "
        "за ноябрь 2025 г."
    )


def test_chart_counts_the_months_as_the_tables_do(report: MonthlyReport) -> None:
    months = [p.month for p in report.chart]
    assert months[0] == date(2025, 1, 1) and months[-1] == MONTH  # from the roadmaps' start
    november = report.chart[-1]
    total = report.summary_rows()[-1].month
    assert (november.planned, november.done) == (total.due, total.done)
    october = report.chart[-2]
    # «Семинар», «Родительское собрание», the municipality's none, two «ежемесячно» (one
    # done by its own status), «До 15.11» (spans October too).
    assert (october.planned, october.done) == (5, 1)


def test_notes_of_the_month_only(report: MonthlyReport) -> None:
    council = report.schools[0].activities[0]
    assert council.notes == (NOVEMBER_NOTE,)
    assert all(not a.notes for s in report.schools for a in s.activities[1:])


# --- XLSX --------------------------------------------------------------------------------------


def summary_header_row(report: MonthlyReport) -> int:
    return len(report.notes()) + 4  # title, notes, an empty row, the table's heading


def test_xlsx_sheets_headers_panes_and_print_setup(
    report: MonthlyReport, files: dict[str, Path]
) -> None:
    book = openpyxl.load_workbook(files["xlsx"])
    assert book.sheetnames == ["Сводка", "Нарастающий итог", "Мероприятия", "Динамика"]
    summary, activities = book["Сводка"], book["Мероприятия"]
    header = summary_header_row(report)
    assert summary["A1"].value == report.title and summary["A1"].font.b
    assert summary["A2"].value == "Отчётный период: ноябрь 2025"
    assert [c.value for c in summary[header]] == MONTH_HEADERS
    assert all(c.font.b for c in summary[header])
    assert summary.freeze_panes == f"A{header + 1}"
    names = [summary.cell(header + 1 + i, 1).value for i in range(len(ROW_NAMES))]
    assert names == ROW_NAMES
    assert summary.cell(header + 2, 1).font.b and not summary.cell(header + 1, 1).font.b
    signature = [summary.cell(header + len(ROW_NAMES) + 2 + i, 1).value for i in range(4)]
    assert signature[0] == "Ответственный за отчёт"
    assert signature[1] == "Должность: Методист"
    assert "А. Б. Ким" in signature[2] and signature[3] == "Дата: 10.12.2025"
    to_date = book["Нарастающий итог"]
    assert to_date["A2"].value.startswith("С начала реализации дорожных карт")
    assert [c.value for c in to_date[3]] == TO_DATE_HEADERS
    assert [c.value for c in activities[1]] == FLAT_HEADERS
    assert activities.freeze_panes == "A2"
    assert activities.auto_filter.ref == "A1:L8"  # 7 activities, listed once each
    assert activities["C2"].alignment.wrap_text
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == 9, sheet.title  # A4
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.oddFooter.center.text == "Страница &P из &N"
    assert summary.print_title_rows == f"${header}:${header}"
    assert activities.print_title_rows == "$1:$1"
    assert book.properties.title == report.title


def test_xlsx_rows_are_as_tall_as_their_wrapped_text(
    report: MonthlyReport, files: dict[str, Path]
) -> None:
    activities = openpyxl.load_workbook(files["xlsx"])["Мероприятия"]
    # «Педсовет» has two evidence items, each longer than its column: at least four lines.
    council_height = activities.row_dimensions[2].height
    assert council_height is not None and council_height >= 4 * 13
    one_line = activities.row_dimensions[7].height  # Ёлкинская № 1: short texts only
    assert one_line is None or one_line < council_height
    widths = {c: activities.column_dimensions[c].width for c in "AGH"}
    assert widths["G"] >= len("30.11.2025") + 1  # a date never wraps


def test_xlsx_values_are_typed(report: MonthlyReport, files: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(files["xlsx"])
    summary = book["Сводка"]
    first = summary_header_row(report) + 1
    row = [c.value for c in summary[first]]
    assert row[:4] == [SCHOOL_1, SCHOOL_1_MUNICIPALITY, 3, 1]
    assert row[4] == pytest.approx(1 / 3)
    assert summary.cell(first, 5).number_format == "0%"
    assert summary.cell(first + 3, 5).value == "—"  # nothing due: no share
    to_date = [c.value for c in book["Нарастающий итог"][4]]
    assert to_date[2:7] == [8, 2, 2, 1, 1]
    assert to_date[7] == datetime(2025, 12, 5, 9, 30)
    assert to_date[8] == datetime(2025, 11, 20)
    activities = book["Мероприятия"]
    council = [c.value for c in activities[2]]
    assert council[:11] == [
        SCHOOL_1,
        "1",
        "Педсовет по итогам четверти",
        "Директор",
        "Ноябрь 2025 г.",
        None,  # no «Форма отчетности»
        datetime(2025, 11, 30),
        "Выполнено",
        NOVEMBER_NOTE,
        "да",
        "нет",
    ]
    assert council[11].splitlines() == [
        "Протокол: Протокол педсовета № 3 (protocol.pdf)",
        "Ссылка: Новость на сайте (https://school1.example/news/42)",
    ]


def test_xlsx_has_a_native_chart_of_planned_and_done(
    report: MonthlyReport, files: dict[str, Path]
) -> None:
    with zipfile.ZipFile(files["xlsx"]) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
        assert "xl/drawings/drawing1.xml" in archive.namelist()
    assert "<c:barChart>" in chart and chart.count("<c:ser>") == 2
    assert "Динамика!$B$4:$B$14" in chart  # January to November: the planned series
    sheet = openpyxl.load_workbook(files["xlsx"])["Динамика"]
    assert [c.value for c in sheet[3]][:3] == ["Месяц", "Запланировано", "Выполнено"]
    assert [c.value for c in sheet[14]][:3] == ["ноябрь 2025", 5, 2]


def test_xlsx_document_properties_are_russian(files: dict[str, Path]) -> None:
    with zipfile.ZipFile(files["xlsx"]) as archive:
        custom = archive.read("docProps/custom.xml").decode()
        core = archive.read("docProps/core.xml").decode()
    assert "ru-RU" in custom and "А. Б. Ким" in core


def tiny_report(title: str, number: str = "1", review: str | None = None) -> MonthlyReport:
    """A hand-made one-activity report, for checks on hostile or odd text."""
    activity = ReportActivity(
        activity_id="a",
        organisation="Школа",
        number=number,
        title=title,
        responsible="",
        deadline_text="",
        due_date=None,
        status="done",
        due_in_month=True,
        overdue=False,
        evidence=(EvidenceItem(EvidenceKind.LINK, "=HYPERLINK(1)", "", "https://x.example"),),
        review=review,
    )
    summary = replace(sum_summaries([]), name="Школа")
    school = SchoolReport(summary=summary, activities=(activity,))
    return MonthlyReport(MONTH, TODAY, date(2025, 12, 1), None, (school,))


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    report = tiny_report("=1+1 \x07bell")
    [path] = save_report(report, ReportFormat.XLSX, tmp_path / "r.xlsx", overwrite=False)
    sheet = openpyxl.load_workbook(path)["Мероприятия"]
    assert sheet["C2"].value == "=1+1 bell"  # the control character is dropped
    assert sheet["C2"].data_type == "s"


def test_review_column_appears_once_a_review_state_exists(tmp_path: Path) -> None:
    plain = tiny_report("Без проверки")
    reviewed = tiny_report("Проверено", review="Принято")
    [a] = save_report(plain, ReportFormat.XLSX, tmp_path / "a.xlsx", overwrite=False)
    [b] = save_report(reviewed, ReportFormat.XLSX, tmp_path / "b.xlsx", overwrite=False)
    headers = [c.value for c in openpyxl.load_workbook(a)["Мероприятия"][1]]
    assert "Проверка" not in headers
    sheet = openpyxl.load_workbook(b)["Мероприятия"]
    headers = [c.value for c in sheet[1]]
    at = headers.index("Проверка")
    assert headers[at - 1] == "Статус" and sheet.cell(2, at + 1).value == "Принято"


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_title_tables_and_layout(report: MonthlyReport, files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    assert document.paragraphs[0].text == report.title
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[1].text == "Отчётный период: ноябрь 2025"
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert abs(section.page_width - Cm(29.7)) < Cm(0.01)  # A4, in twips
    assert abs(section.page_height - Cm(21.0)) < Cm(0.01)
    month, to_date = document.tables[0], document.tables[1]
    assert [c.text for c in month.rows[0].cells] == MONTH_HEADERS
    assert [c.text for c in to_date.rows[0].cells] == TO_DATE_HEADERS
    assert [r.cells[0].text for r in month.rows[1:]] == ROW_NAMES
    totals = month.rows[-1].cells
    assert [c.text for c in totals[:5]] == [TOTAL, "—", "5", "2", "40\u00a0%"]
    assert all(run.bold for cell in totals for run in cell.paragraphs[0].runs)
    assert not any(run.bold for run in month.rows[1].cells[0].paragraphs[0].runs)
    for table in document.tables:
        header = table.rows[0]._tr
        assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
        for row in table.rows:  # none splits across a page break
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Мероприятия со сроком в отчётном месяце",
        "С начала реализации дорожных карт (нарастающим итогом, на 10.12.2025)",
        "План и выполнение по месяцам",
        "Ответственный за отчёт",
        "Мероприятия по организациям",
        SCHOOL_1,
        "Со сроком в отчётном месяце (3)",
        "Просроченные (2)",
        SCHOOL_2,
        "Со сроком в отчётном месяце (2)",
        "Просроченные (2)",
    ]
    council = document.tables[2].rows[1].cells
    assert [c.text for c in document.tables[2].rows[0].cells] == ACTIVITY_HEADERS
    assert council[1].text == "Педсовет по итогам четверти"
    assert council[5].text == "30.11.2025"
    assert council[7].text == NOVEMBER_NOTE
    assert council[8].text.splitlines() == [  # two items, a line break between them
        "Протокол: Протокол педсовета № 3 (protocol.pdf)",
        "Ссылка: Новость на сайте (https://school1.example/news/42)",
    ]


def test_docx_chart_signature_page_numbers_and_language(
    report: MonthlyReport, files: dict[str, Path]
) -> None:
    document = docx.Document(str(files["docx"]))
    [picture] = document.inline_shapes
    assert picture.width == Cm(24)
    texts = [p.text for p in document.paragraphs]
    assert "Должность: Методист" in texts and "Дата: 10.12.2025" in texts
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert document.core_properties.language == "ru-RU"
    assert document.core_properties.author == "А. Б. Ким"
    normal = document.styles["Normal"].element.rPr
    assert normal.find(qn("w:lang")).get(qn("w:val")) == "ru-RU"


def test_docx_columns_fit_their_longest_word(files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    for table in document.tables:
        grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
        widths = [int(c.get(qn("w:w"))) for c in grid]
        assert sum(widths) <= Cm(26.7).twips + len(widths)  # the page, margins aside
        for index, column in enumerate(table.columns):
            words = [w for cell in column.cells for w in re.split(r"\s+|(?<=-)", cell.text)]
            longest = max(map(len, words))
            # 0.66 em of 9 pt per character (twips: 20 a point) and the cell's padding.
            assert widths[index] >= min(longest, 24) * 9 * 0.66 * 20, column.cells[0].text


def test_chart_picture_is_a_png(report: MonthlyReport) -> None:
    png = chart_png(report.chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


# --- CSV ---------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_csv_is_two_semicolon_tables_with_a_bom(
    report: MonthlyReport, files: dict[str, Path]
) -> None:
    assert files["csv-summary"].name == "отчёт-сводка.csv"
    summary = read_csv(files["csv-summary"])
    assert summary[0] == SUMMARY_HEADERS
    assert "Всего мероприятий (с начала ДК)" in SUMMARY_HEADERS
    assert [r[0] for r in summary[1:]] == [SCHOOL_1, SCHOOL_2, MUNICIPALITY]  # no totals
    assert summary[1][1] == SCHOOL_1_MUNICIPALITY
    assert summary[1][-2:] == ["05.12.2025 09:30", "20.11.2025"]
    rows = read_csv(files["csv"])
    assert rows[0] == FLAT_HEADERS
    assert len(rows) == 1 + 7
    consultation = next(r for r in rows if "Консультации" in r[2])
    assert consultation[2] == "'- Консультации для родителей"  # not run as a formula by Excel


@pytest.mark.parametrize("text", ["1.5", "3.12", "01.09", "1/2", "10:30", "007", "1,5", "5 %"])
def test_csv_keeps_what_excel_would_make_a_date_or_a_number_as_text(
    tmp_path: Path, text: str
) -> None:
    report = tiny_report(text, number=text)
    path, _ = save_report(report, ReportFormat.CSV, tmp_path / "r.csv", overwrite=False)
    row = read_csv(path)[1]
    # Excel shows the formula's text as it is; the file holds `="1.5"`.
    assert row[1] == row[2] == f'="{text}"'


def test_csv_leaves_ordinary_text_and_counts_alone(tmp_path: Path) -> None:
    report = tiny_report("Педсовет 1.5 раза", number="2а")
    path, summary = save_report(report, ReportFormat.CSV, tmp_path / "r.csv", overwrite=False)
    row = read_csv(path)[1]
    assert row[1:3] == ["2а", "Педсовет 1.5 раза"]
    assert read_csv(summary)[1][2] == "1"  # a count stays a number


# --- Markdown ----------------------------------------------------------------------------------


def markdown_tables(path: Path) -> list[list[list[str]]]:
    """Every table in the file, as rows of cells (without the alignment line)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("| "):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if not all(re.fullmatch(r"-+:?", c) for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


GOLDEN_MARKDOWN_MONTH = """\
| Организация | Муниципалитет | Со сроком в месяце | Выполнено | % | В работе | % | Не начато \
| % | Отменено | % | Из них просрочено | % |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| МБОУ «СОШ № 1 г. Чебаркуль» | Чебаркульский городской округ | 3 | 1 | 33\u00a0% | 1 \
| 33\u00a0% | 1 | 33\u00a0% | 0 | 0\u00a0% | 1 | 33\u00a0% |
"""


def test_markdown_tables(report: MonthlyReport, files: dict[str, Path]) -> None:
    text = files["md"].read_text(encoding="utf-8")
    assert text.startswith(f"# {report.title}\n")
    assert GOLDEN_MARKDOWN_MONTH in text
    assert "| ноябрь 2025 | 5 | 2 |" in text  # the chart, as a table
    tables = markdown_tables(files["md"])
    assert tables[0][0] == MONTH_HEADERS and tables[1][0] == TO_DATE_HEADERS
    assert tables[3][1][-1] == (
        "Протокол: Протокол педсовета № 3 (protocol.pdf)<br>"
        "Ссылка: Новость на сайте (https://school1.example/news/42)"
    )


def test_markdown_escapes_cells(tmp_path: Path) -> None:
    report = tiny_report("Итоги | план <b>жирно</b>\nвторая строка")
    [path] = save_report(report, ReportFormat.MARKDOWN, tmp_path / "r.md", overwrite=False)
    row = markdown_tables(path)[2][1]
    assert row[1] == "Итоги \\| план &lt;b&gt;жирно&lt;/b&gt;<br>вторая строка"


# --- one source of numbers ---------------------------------------------------------------------


def table_figures(rows: list[list], *, counts_of: str) -> dict[str, tuple[list[int], ...]]:
    if counts_of == "month":
        return {str(r[0]): ([int(r[i]) for i in MONTH_COUNTS],) for r in rows}
    return {str(r[0]): ([int(v) for v in r[TO_DATE_COUNTS]],) for r in rows}


def joined(month: dict, to_date: dict) -> dict[str, tuple[list[int], list[int]]]:
    return {name: (month[name][0], to_date[name][0]) for name in month}


def xlsx_figures(path: Path, report: MonthlyReport) -> tuple[dict, dict]:
    book = openpyxl.load_workbook(path, read_only=True)
    first = summary_header_row(report) + 1
    month_rows = [
        list(r)
        for r in book["Сводка"].iter_rows(
            min_row=first, max_row=first + len(ROW_NAMES) - 1, values_only=True
        )
    ]
    to_date_rows = [
        list(r) for r in book["Нарастающий итог"].iter_rows(min_row=4, values_only=True)
    ]
    summary = joined(
        table_figures(month_rows, counts_of="month"),
        table_figures(to_date_rows, counts_of="to_date"),
    )
    sizes: dict[str, list[int]] = {}
    for row in book["Мероприятия"].iter_rows(min_row=2, values_only=True):
        due, overdue = sizes.setdefault(row[0], [0, 0])
        sizes[row[0]] = [due + (row[DUE_FLAG] == "да"), overdue + (row[OVERDUE_FLAG] == "да")]
    return summary, {k: tuple(v) for k, v in sizes.items()}


def docx_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def docx_figures(path: Path) -> tuple[dict, dict]:
    document = docx.Document(str(path))
    summary = joined(
        table_figures(docx_rows(document.tables[0]), counts_of="month"),
        table_figures(docx_rows(document.tables[1]), counts_of="to_date"),
    )
    sizes: dict[str, list[int]] = {}
    school = ""
    tables = iter(document.tables[2:])
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 2":
            school = paragraph.text
        elif paragraph.style.name == "Heading 3":
            count = int(re.search(r"\((\d+)\)$", paragraph.text)[1])  # type: ignore[index]
            rows = len(next(tables).rows) - 1 if count else 0
            assert rows == count
            sizes.setdefault(school, []).append(rows)
    return summary, {k: tuple(v) for k, v in sizes.items()}


def csv_figures(activities: Path, summary_path: Path) -> tuple[dict, dict]:
    rows = read_csv(summary_path)[1:]
    to_date_at = len(MONTH_COLUMNS)
    summary = {
        r[0]: ([int(r[i]) for i in MONTH_COUNTS], [int(v) for v in r[to_date_at : to_date_at + 5]])
        for r in rows
    }
    sizes: dict[str, list[int]] = {}
    for row in read_csv(activities)[1:]:
        due, overdue = sizes.setdefault(row[0], [0, 0])
        sizes[row[0]] = [due + (row[DUE_FLAG] == "да"), overdue + (row[OVERDUE_FLAG] == "да")]
    return summary, {k: tuple(v) for k, v in sizes.items()}


def markdown_figures(path: Path) -> tuple[dict, dict]:
    tables = iter(markdown_tables(path))
    month, to_date, _chart = next(tables), next(tables), next(tables)
    summary = joined(
        table_figures(month[1:], counts_of="month"),
        table_figures(to_date[1:], counts_of="to_date"),
    )
    sizes: dict[str, list[int]] = {}
    school = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            school = line[4:]
        elif line.startswith("#### "):
            count = int(re.search(r"\((\d+)\)$", line)[1])  # type: ignore[index]
            rows = len(next(tables)) - 1 if count else 0
            assert rows == count
            sizes.setdefault(school, []).append(rows)
    return summary, {k: tuple(v) for k, v in sizes.items()}


@pytest.fixture(scope="module")
def figures_by_format(report: MonthlyReport, files: dict[str, Path]) -> Iterator[tuple]:
    yield (
        ("xlsx", *xlsx_figures(files["xlsx"], report)),
        ("docx", *docx_figures(files["docx"])),
        ("csv", *csv_figures(files["csv"], files["csv-summary"])),
        ("md", *markdown_figures(files["md"])),
    )


def test_every_format_shows_the_models_numbers(
    report: MonthlyReport, figures_by_format: tuple
) -> None:
    expected = expected_figures(report)
    expected_sizes = expected_list_sizes(report)
    assert expected_sizes == {SCHOOL_1: (3, 2), SCHOOL_2: (2, 2)}
    for name, summary, sizes in figures_by_format:
        wanted = expected
        if name == "csv":  # CSV carries no subtotal or total rows
            wanted = {k: v for k, v in expected.items() if k in (SCHOOL_1, SCHOOL_2, MUNICIPALITY)}
        assert summary == wanted, name
        assert sizes == expected_sizes, name
