"""The report as an Excel workbook (openpyxl, write-only mode: a hub's report has 100k rows).

Two sheets:
- «Сводка»: the title and the definitions on top, then one row per organisation and «Итого»;
- «Мероприятия»: every listed activity once, with its organisation and the two flags
  («Срок в месяце», «Просрочено») — one flat table rather than a sheet per school, because
  a hub has up to 3,000 schools, sheet names are limited to 31 characters, and a flat table
  is what filters and pivot tables need. Its header is row 1 for the same reason.
Headers are bold and frozen, every table has an autofilter, long text wraps, dates are real
dates, and the header row repeats on printed pages.

Cells take their look from a few named styles (they also show in Excel's style gallery),
each bound to the workbook once: styling cell by cell through openpyxl's font/alignment
setters hashes the style objects again for every cell and made the report 3.7 times slower
than plain values on a hub.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from curator_tui.reports.columns import (
    FLAT_ACTIVITY_COLUMNS,
    SUMMARY_COLUMNS,
    Column,
    Kind,
    Row,
    as_text,
    clean,
    flat_activities,
)
from curator_tui.reports.model import MonthlyReport

if TYPE_CHECKING:  # openpyxl exposes the write-only sheet's class only from a private module
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

SUMMARY_SHEET = "Сводка"
ACTIVITIES_SHEET = "Мероприятия"
NUMBER_FORMATS = {Kind.DATE: "DD.MM.YYYY", Kind.DATETIME: "DD.MM.YYYY HH:MM"}
STYLE_PREFIX = "Куратор"


@dataclass(frozen=True)
class Styles:
    """The workbook's named styles as the style arrays new cells copy."""

    title: StyleArray
    header: StyleArray
    body: dict[Kind, StyleArray]
    bold: dict[Kind, StyleArray]  # the «Итого» row


def write_xlsx(report: MonthlyReport, handle: BinaryIO) -> None:
    workbook = Workbook(write_only=True)
    styles = register_styles(workbook)
    write_summary_sheet(workbook.create_sheet(SUMMARY_SHEET), report, styles)
    write_activity_sheet(workbook.create_sheet(ACTIVITIES_SHEET), report, styles)
    workbook.save(handle)


def register_styles(workbook: Workbook) -> Styles:
    def named(name: str, **look: Any) -> StyleArray:
        style = NamedStyle(f"{STYLE_PREFIX}: {name}", **look)
        workbook.add_named_style(style)
        return style.as_tuple()

    def body_style(kind: Kind, bold: bool) -> StyleArray:
        wrap = kind is Kind.LONG_TEXT
        name = f"{kind.value}{', итог' if bold else ''}"
        alignment = Alignment(vertical="top", wrap_text=wrap)
        return named(
            name, font=Font(bold=bold), alignment=alignment, number_format=NUMBER_FORMATS.get(kind)
        )

    return Styles(
        title=named("заголовок отчёта", font=Font(bold=True, size=14)),
        header=named(
            "заголовок таблицы",
            font=Font(bold=True),
            alignment=Alignment(vertical="center", horizontal="center", wrap_text=True),
            fill=PatternFill("solid", fgColor="DDE4EE"),
        ),
        body={kind: body_style(kind, bold=False) for kind in Kind},
        bold={kind: body_style(kind, bold=True) for kind in Kind},
    )


def write_summary_sheet(sheet: WriteOnlyWorksheet, report: MonthlyReport, styles: Styles) -> None:
    header_row = len(report.notes()) + 3  # the title, the notes, one empty row
    prepare_sheet(sheet, SUMMARY_COLUMNS, header_row, last_row=header_row + len(report.schools))
    sheet.append([cell(sheet, report.title, styles.title)])
    for line in report.notes():
        sheet.append([line])
    sheet.append([])
    append_header(sheet, SUMMARY_COLUMNS, styles)
    append_rows(sheet, SUMMARY_COLUMNS, report.summaries, styles.body)
    # «Итого» sits below the filter range, so sorting or filtering never moves it.
    append_rows(sheet, SUMMARY_COLUMNS, [report.totals], styles.bold)


def write_activity_sheet(sheet: WriteOnlyWorksheet, report: MonthlyReport, styles: Styles) -> None:
    rows = flat_activities(report)
    prepare_sheet(sheet, FLAT_ACTIVITY_COLUMNS, header_row=1, last_row=1 + len(rows))
    append_header(sheet, FLAT_ACTIVITY_COLUMNS, styles)
    append_rows(sheet, FLAT_ACTIVITY_COLUMNS, rows, styles.body)


def prepare_sheet(
    sheet: WriteOnlyWorksheet, columns: Sequence[Column[Any]], header_row: int, last_row: int
) -> None:
    """What a write-only sheet must know before its first row: widths, panes, filter, print."""
    # types-openpyxl omits the Worksheet attributes a write-only sheet shares with it.
    ws: Any = sheet
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"A{header_row + 1}"
    last_column = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last_column}{max(last_row, header_row + 1)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def append_header(
    sheet: WriteOnlyWorksheet, columns: Sequence[Column[Any]], styles: Styles
) -> None:
    sheet.append([cell(sheet, c.header, styles.header) for c in columns])


def append_rows(
    sheet: WriteOnlyWorksheet,
    columns: Sequence[Column[Row]],
    rows: Iterable[Row],
    look: dict[Kind, StyleArray],
) -> None:
    kinds = [(column, look[column.kind]) for column in columns]
    for row in rows:
        sheet.append([cell(sheet, excel_value(c.value(row)), style) for c, style in kinds])


def excel_value(value: Any) -> Any:
    """Numbers and dates stay typed; None and flags become «—», «да», «нет»."""
    if value is None or isinstance(value, bool):
        return as_text(value)
    if isinstance(value, str):
        return clean(value)
    return value


def cell(sheet: WriteOnlyWorksheet, value: Any, style: StyleArray) -> Cell:
    # row/column are placeholders: the write-only sheet sets them when the row is appended.
    made = Cell(sheet, row=1, column=1, value=value, style_array=style)
    if isinstance(value, str) and value.startswith("="):
        # openpyxl stores a string starting with «=» as a formula: a title from a school's
        # bundle must stay text, never become a live formula.
        made.data_type = "s"
    return made
