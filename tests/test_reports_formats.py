"""Each report format opened back with its own library, and all four agreeing with the model."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from curator_tui.domain.models import EvidenceKind
from curator_tui.reports.columns import (
    ACTIVITY_COLUMNS,
    FLAT_ACTIVITY_COLUMNS,
    SUMMARY_COLUMNS,
)
from curator_tui.reports.model import (
    EvidenceItem,
    MonthlyReport,
    ReportActivity,
    SchoolReport,
    SchoolSummary,
    build_monthly_report,
    sum_summaries,
)
from curator_tui.reports.output import ReportFormat, save_report
from curator_tui.store.store import Store
from tests.report_hub import (
    MONTH,
    SCHOOL_1,
    SCHOOL_1_MUNICIPALITY,
    SCHOOL_2,
    TODAY,
    build_hub,
    use_test_schedules,
)

SUMMARY_HEADERS = [c.header for c in SUMMARY_COLUMNS]
ACTIVITY_HEADERS = [c.header for c in ACTIVITY_COLUMNS]
FLAT_HEADERS = [c.header for c in FLAT_ACTIVITY_COLUMNS]
DUE_FLAG = FLAT_HEADERS.index("Срок в месяце")
OVERDUE_FLAG = FLAT_HEADERS.index("Просрочено")
COUNT_FIELDS = (
    "total",
    "due_in_month",
    "done",
    "in_progress",
    "overdue",
    "done_without_evidence",
    "evidence_files",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> MonthlyReport:
    folder = tmp_path_factory.mktemp("hub")
    with pytest.MonkeyPatch.context() as patch:
        use_test_schedules(patch)
        hub = build_hub(folder / "hub.db", folder / "files")
    with Store.open(hub.path) as store:
        return build_monthly_report(store, MONTH, None, TODAY)


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


def figures(summary: SchoolSummary) -> list[int]:
    return [getattr(summary, name) for name in COUNT_FIELDS]


FIGURES = slice(2, 9)  # the summary's counts: after the organisation and its municipality


def expected_summary_figures(report: MonthlyReport) -> dict[str, list[int]]:
    rows = [*report.summaries, report.totals]
    return {s.name: figures(s) for s in rows}


def expected_list_sizes(report: MonthlyReport) -> dict[str, tuple[int, int]]:
    return {s.name: (len(s.due), len(s.overdue)) for s in report.listed_schools}


# --- XLSX --------------------------------------------------------------------------------------


def summary_header_row(report: MonthlyReport) -> int:
    return len(report.notes()) + 3  # title, notes, an empty row


def test_xlsx_sheets_headers_panes_filters_and_widths(
    report: MonthlyReport, files: dict[str, Path]
) -> None:
    book = openpyxl.load_workbook(files["xlsx"])
    assert book.sheetnames == ["Сводка", "Мероприятия"]
    summary, activities = book["Сводка"], book["Мероприятия"]
    header = summary_header_row(report)
    assert summary["A1"].value == report.title and summary["A1"].font.b
    assert summary["A2"].value == "Отчётный период: ноябрь 2025"
    assert [c.value for c in summary[header]] == SUMMARY_HEADERS
    assert all(c.font.b for c in summary[header])
    assert summary.freeze_panes == f"A{header + 1}"
    # The filter covers the organisations; «Итого» below it stays put when sorting.
    assert summary.auto_filter.ref == f"A{header}:K{header + 3}"
    assert summary.cell(header + 4, 1).value == "Итого (организаций: 3)"
    assert summary.cell(header + 4, 1).font.b
    assert summary.column_dimensions["A"].width == 45
    assert summary.print_title_rows == f"${header}:${header}"
    assert [c.value for c in activities[1]] == FLAT_HEADERS
    assert activities.freeze_panes == "A2"
    assert activities.auto_filter.ref == "A1:K8"  # 7 activities, listed once each
    assert activities.column_dimensions["C"].width == 55
    assert activities["C2"].alignment.wrap_text


def test_xlsx_values_are_typed(report: MonthlyReport, files: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(files["xlsx"])
    summary = book["Сводка"]
    first = summary_header_row(report) + 1
    row = [c.value for c in summary[first]]
    assert row[:9] == [SCHOOL_1, SCHOOL_1_MUNICIPALITY, 8, 3, 2, 2, 2, 1, 1]
    assert row[9] == datetime(2025, 12, 5, 9, 30)
    assert row[10] == datetime(2025, 11, 20)
    assert summary.cell(first, 11).number_format == "DD.MM.YYYY"
    assert summary.cell(first + 1, 11).value == "—"
    assert summary.cell(first + 1, 2).value == "—"  # no municipality known
    activities = book["Мероприятия"]
    council = [c.value for c in activities[2]]
    assert council[:9] == [
        SCHOOL_1,
        "1",
        "Педсовет по итогам четверти",
        "Директор",
        "Ноябрь 2025 г.",
        None,  # no «Форма отчетности»
        datetime(2025, 11, 30),
        "Выполнено",
        "да",
    ]
    assert council[9] == "нет"
    assert council[10].splitlines() == [
        "Протокол: Протокол педсовета № 3 (protocol.pdf)",
        "Ссылка: Новость на сайте (https://school1.example/news/42)",
    ]


def tiny_report(title: str) -> MonthlyReport:
    """A hand-made one-activity report, for checks on hostile or odd text."""
    activity = ReportActivity(
        activity_id="a",
        organisation="Школа",
        number="1",
        title=title,
        responsible="",
        deadline_text="",
        due_date=None,
        status="done",
        due_in_month=True,
        overdue=False,
        evidence=(EvidenceItem(EvidenceKind.LINK, "=HYPERLINK(1)", "", "https://x.example"),),
    )
    summary = sum_summaries([])
    school = SchoolReport(summary=summary, activities=(activity,))
    return MonthlyReport(MONTH, TODAY, date(2025, 12, 1), None, (school,))


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    report = tiny_report("=1+1 \x07bell")
    [path] = save_report(report, ReportFormat.XLSX, tmp_path / "r.xlsx", overwrite=False)
    sheet = openpyxl.load_workbook(path)["Мероприятия"]
    assert sheet["C2"].value == "=1+1 bell"  # the control character is dropped
    assert sheet["C2"].data_type == "s"


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_title_tables_and_layout(report: MonthlyReport, files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    assert document.paragraphs[0].text == report.title
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[1].text == "Отчётный период: ноябрь 2025"
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    summary = document.tables[0]
    assert [c.text for c in summary.rows[0].cells] == SUMMARY_HEADERS
    assert len(summary.rows) == 1 + 3 + 1  # header, organisations, «Итого»
    totals = summary.rows[-1].cells
    assert [c.text for c in totals[:4]] == ["Итого (организаций: 3)", "—", "13", "5"]
    assert all(run.bold for cell in totals for run in cell.paragraphs[0].runs)
    assert not any(run.bold for run in summary.rows[1].cells[0].paragraphs[0].runs)
    for table in document.tables:
        header = table.rows[0]._tr
        assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Сводка по организациям",
        "Мероприятия по организациям",
        SCHOOL_1,
        "Со сроком в отчётном месяце (3)",
        "Просроченные (2)",
        SCHOOL_2,
        "Со сроком в отчётном месяце (2)",
        "Просроченные (2)",
    ]
    council = document.tables[1].rows[1].cells
    assert [c.text for c in document.tables[1].rows[0].cells] == ACTIVITY_HEADERS
    assert council[1].text == "Педсовет по итогам четверти"
    assert council[5].text == "30.11.2025"
    assert council[7].text.splitlines() == [  # two items, a line break between them
        "Протокол: Протокол педсовета № 3 (protocol.pdf)",
        "Ссылка: Новость на сайте (https://school1.example/news/42)",
    ]


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
    assert len(summary) == 1 + 3  # no «Итого» row in CSV
    assert summary[1][1] == SCHOOL_1_MUNICIPALITY
    assert summary[1][9:] == ["05.12.2025 09:30", "20.11.2025"]
    rows = read_csv(files["csv"])
    assert rows[0] == FLAT_HEADERS
    assert len(rows) == 1 + 7
    consultation = next(r for r in rows if "Консультации" in r[2])
    assert consultation[2] == "'- Консультации для родителей"  # not run as a formula by Excel


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


GOLDEN_MARKDOWN_SUMMARY = """\
| Организация | Муниципалитет | Всего мероприятий | Со сроком в месяце | Выполнено | В работе \
| Просрочено | Выполнено без доказательств | Файлов-доказательств | Последний пакет данных \
| Последний визит |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
| МБОУ «СОШ № 1 г. Чебаркуль» | Чебаркульский городской округ | 8 | 3 | 2 | 2 | 2 | 1 | 1 \
| 05.12.2025 09:30 | 20.11.2025 |
| МКОУ «Ёлкинская ООШ» | — | 3 | 2 | 1 | 0 | 2 | 0 | 0 | — | — |
| Управление образования Молчановского района | — | 2 | 0 | 1 | 0 | 0 | 0 | 1 | — | — |
| Итого (организаций: 3) | — | 13 | 5 | 4 | 2 | 4 | 1 | 2 | 05.12.2025 09:30 | 20.11.2025 |
"""


def test_markdown_tables(report: MonthlyReport, files: dict[str, Path]) -> None:
    text = files["md"].read_text(encoding="utf-8")
    assert text.startswith(f"# {report.title}\n")
    assert GOLDEN_MARKDOWN_SUMMARY in text
    tables = markdown_tables(files["md"])
    assert tables[0][0] == SUMMARY_HEADERS
    assert tables[0][1][:4] == [SCHOOL_1, SCHOOL_1_MUNICIPALITY, "8", "3"]
    assert tables[1][1][-1] == (
        "Протокол: Протокол педсовета № 3 (protocol.pdf)<br>"
        "Ссылка: Новость на сайте (https://school1.example/news/42)"
    )


def test_markdown_escapes_cells(tmp_path: Path) -> None:
    report = tiny_report("Итоги | план <b>жирно</b>\nвторая строка")
    [path] = save_report(report, ReportFormat.MARKDOWN, tmp_path / "r.md", overwrite=False)
    row = markdown_tables(path)[1][1]
    assert row[1] == "Итоги \\| план &lt;b&gt;жирно&lt;/b&gt;<br>вторая строка"


# --- one source of numbers ---------------------------------------------------------------------


def xlsx_figures(path: Path, report: MonthlyReport) -> tuple[dict, dict]:
    book = openpyxl.load_workbook(path, read_only=True)
    first = summary_header_row(report) + 1
    summary = {
        row[0]: list(row[FIGURES])
        for row in book["Сводка"].iter_rows(min_row=first, values_only=True)
        if row[0]
    }
    sizes: dict[str, list[int]] = {}
    for row in book["Мероприятия"].iter_rows(min_row=2, values_only=True):
        due, overdue = sizes.setdefault(row[0], [0, 0])
        sizes[row[0]] = [due + (row[DUE_FLAG] == "да"), overdue + (row[OVERDUE_FLAG] == "да")]
    return summary, {k: tuple(v) for k, v in sizes.items()}


def docx_figures(path: Path) -> tuple[dict, dict]:
    document = docx.Document(str(path))
    summary = {
        row.cells[0].text: [int(c.text) for c in row.cells[FIGURES]]
        for row in document.tables[0].rows[1:]
    }
    sizes: dict[str, list[int]] = {}
    school = ""
    tables = iter(document.tables[1:])
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
    summary = {row[0]: [int(v) for v in row[FIGURES]] for row in read_csv(summary_path)[1:]}
    sizes: dict[str, list[int]] = {}
    for row in read_csv(activities)[1:]:
        due, overdue = sizes.setdefault(row[0], [0, 0])
        sizes[row[0]] = [due + (row[DUE_FLAG] == "да"), overdue + (row[OVERDUE_FLAG] == "да")]
    return summary, {k: tuple(v) for k, v in sizes.items()}


def markdown_figures(path: Path) -> tuple[dict, dict]:
    tables = iter(markdown_tables(path))
    summary = {row[0]: [int(v) for v in row[FIGURES]] for row in next(tables)[1:]}
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
    expected_summary = expected_summary_figures(report)
    expected_sizes = expected_list_sizes(report)
    assert expected_sizes == {SCHOOL_1: (3, 2), SCHOOL_2: (2, 2)}
    for name, summary, sizes in figures_by_format:
        wanted = expected_summary
        if name == "csv":  # CSV carries no «Итого» row
            wanted = {k: v for k, v in expected_summary.items() if not k.startswith("Итого")}
        assert summary == wanted, name
        assert sizes == expected_sizes, name
