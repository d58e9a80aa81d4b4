"""The report as an Excel workbook (XlsxWriter, `constant_memory`: a hub's report has 140k rows).

Sheets:
- «Сводка»: the region, «500+» and the month in the title, the definitions, the month's
  figures (due in the month: done, in progress, not started, cancelled, overdue, with shares)
  per organisation, a subtotal per municipality and the region's total, then the signature;
- «Нарастающий итог»: the roadmap-to-date figures, apart and labelled so, the same rows;
- «Мероприятия»: every listed activity once, with its organisation and the two flags
  («Срок в месяце», «Просрочено»): one flat table for filters and pivot tables, header in row 1;
- «Динамика»: planned vs done per month, as a table and a native column chart.

Printed (Excel or LibreOffice): A4 landscape, one page wide, the header row repeated on each
page, «Страница N из M» in the footer. Every column is at least as wide as its longest word or
date (`columns.min_width`), and every row is as tall as its most wrapped cell
(`columns.line_count`): a spreadsheet stores no heights of its own for wrapped text, so
without them LibreOffice draws wrapped lines over each other. Document properties name the
author and the Russian language.

XlsxWriter rather than openpyxl: it writes charts, page setup and footers, and streams rows
(`constant_memory`), at about a third of openpyxl's time per cell. In that mode a sheet's rows
must be written in order, each row's height set before its cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from curator_tui.reports.columns import (
    CHART_DONE,
    CHART_HEADING,
    CHART_PLANNED,
    FLAT_ACTIVITY_COLUMNS,
    MONTH_COLUMNS,
    MONTH_HEADING,
    SIGNATURE_HEADING,
    TO_DATE_COLUMNS,
    TO_DATE_HEADING,
    Column,
    Kind,
    Row,
    as_text,
    clean,
    flat_activities,
    is_total,
    line_count,
    line_room,
    min_width,
    with_reviews,
)
from curator_tui.reports.model import MonthlyReport
from curator_tui.reports.months import month_title

SUMMARY_SHEET = "Сводка"
TO_DATE_SHEET = "Нарастающий итог"
ACTIVITIES_SHEET = "Мероприятия"
CHART_SHEET = "Динамика"
NUMBER_FORMATS = {
    Kind.DATE: "DD.MM.YYYY",
    Kind.DATETIME: "DD.MM.YYYY HH:MM",
    Kind.PERCENT: "0%",
}
A4 = 9  # Excel's paper code
# Arial, which LibreOffice replaces by the same-width Liberation Sans (Calibri becomes the
# wider DejaVu Sans on a machine without Carlito, and wrapped text outgrows its rows).
DEFAULT_FONT = {"font_name": "Arial", "font_size": 10}
LINE_HEIGHT = 13.0  # points per line of 10-point Arial
LONG_TEXT_SCALE = 0.7
FOOTER = "&CСтраница &P из &N"
AUTHOR = "Куратор"


@dataclass(frozen=True)
class Formats:
    title: Format
    heading: Format
    header: Format
    body: dict[Kind, Format]
    bold: dict[Kind, Format]  # subtotals and the total


def write_xlsx(report: MonthlyReport, handle: BinaryIO) -> None:
    workbook = Workbook(
        handle, {"constant_memory": True, "default_format_properties": DEFAULT_FONT}
    )
    workbook.set_properties(
        {
            "title": report.title,
            "author": report.signature.name or AUTHOR,
            "company": report.region,
            "comments": report.notes()[1],
        }
    )
    workbook.set_custom_property("Language", "ru-RU")
    formats = make_formats(workbook)
    write_summary_sheet(workbook.add_worksheet(SUMMARY_SHEET), report, formats)
    write_to_date_sheet(workbook.add_worksheet(TO_DATE_SHEET), report, formats)
    write_activity_sheet(workbook.add_worksheet(ACTIVITIES_SHEET), report, formats)
    write_chart_sheet(workbook, workbook.add_worksheet(CHART_SHEET), report, formats)
    workbook.close()


def make_formats(workbook: Workbook) -> Formats:
    def body(kind: Kind, bold: bool) -> Format:
        look: dict[str, Any] = {"valign": "top", "text_wrap": kind is Kind.LONG_TEXT, "border": 1}
        if kind in (Kind.DATE, Kind.DATETIME, Kind.FLAG):
            look["align"] = "center"
        if bold:
            look["bold"] = True
        if kind in NUMBER_FORMATS:
            look["num_format"] = NUMBER_FORMATS[kind]
        return workbook.add_format(look)

    return Formats(
        title=workbook.add_format({"bold": True, "font_size": 14}),
        heading=workbook.add_format({"bold": True, "font_size": 12}),
        header=workbook.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
                "bg_color": "#DDE4EE",
                "border": 1,
            }
        ),
        body={kind: body(kind, bold=False) for kind in Kind},
        bold={kind: body(kind, bold=True) for kind in Kind},
    )


class SheetWriter:
    """Writes a sheet's rows in order (what `constant_memory` requires)."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 0

    def line(self, text: str, look: Format | None = None) -> None:
        self.sheet.write_string(self.row, 0, clean(text), look)
        self.row += 1

    def skip(self) -> None:
        self.row += 1

    def header(self, columns: Sequence[Column[Any]], widths: Sequence[float], look: Format) -> int:
        lines = max(line_count(c.header, w) for c, w in zip(columns, widths, strict=True))
        self.sheet.set_row(self.row, LINE_HEIGHT * lines + 2)
        for index, column in enumerate(columns):
            self.sheet.write_string(self.row, index, column.header, look)
        self.row += 1
        return self.row - 1

    def rows(
        self,
        columns: Sequence[Column[Row]],
        widths: Sequence[float],
        rows: Sequence[Row],
        formats: Formats,
        *,
        bold: Any = None,
    ) -> None:
        wrapped = [
            (index, line_room(width), width)
            for index, (c, width) in enumerate(zip(columns, widths, strict=True))
            if c.kind is Kind.LONG_TEXT
        ]
        for row in rows:
            values = [excel_value(c.value(row)) for c in columns]
            lines = 1
            for index, room, width in wrapped:
                text = values[index]
                # Most cells fit one line: counting only the others keeps a hub's 100k rows fast.
                if len(text) > room or "\n" in text:
                    lines = max(lines, line_count(text, width))
            if lines > 1:
                self.sheet.set_row(self.row, LINE_HEIGHT * lines)
            looks = formats.bold if bold is not None and bold(row) else formats.body
            for index, (column, value) in enumerate(zip(columns, values, strict=True)):
                write_cell(self.sheet, self.row, index, value, looks[column.kind])
            self.row += 1


def excel_value(value: Any) -> Any:
    """Numbers, shares and dates stay typed; None and flags become «—», «да», «нет»."""
    if value is None or isinstance(value, bool):
        return as_text(value)
    if isinstance(value, str):
        return clean(value)
    return value


def write_cell(sheet: Worksheet, row: int, column: int, value: Any, look: Format) -> None:
    # Typed writes: a title starting with «=» stays text, never a live formula.
    if value == "":  # an empty cell, not a cell holding ""
        sheet.write_blank(row, column, None, look)
    elif isinstance(value, str):
        sheet.write_string(row, column, value, look)
    elif isinstance(value, date | datetime):
        sheet.write_datetime(row, column, value, look)
    else:
        sheet.write_number(row, column, value, look)


def column_widths(columns: Sequence[Column[Any]]) -> list[float]:
    """Long text narrower than the shared widths (it wraps, and the rows grow to fit) so that
    the widest sheet still prints at a readable scale; nothing below its longest word."""
    return [
        max(c.width * (LONG_TEXT_SCALE if c.kind is Kind.LONG_TEXT else 1), min_width(c) + 2)
        for c in columns
    ]


def set_up_sheet(
    sheet: Worksheet, columns: Sequence[Column[Any]], widths: Sequence[float], header_row: int
) -> None:
    """Widths, frozen header, and the page: A4 landscape, one page wide, header repeated."""
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    set_up_page(sheet)


def set_up_page(sheet: Worksheet) -> None:
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    sheet.set_footer(FOOTER)


def write_title(writer: SheetWriter, report: MonthlyReport, formats: Formats) -> None:
    writer.line(report.title, formats.title)
    for line in report.notes():
        writer.line(line)
    writer.skip()


def write_summary_sheet(sheet: Worksheet, report: MonthlyReport, formats: Formats) -> None:
    rows = report.summary_rows()
    widths = column_widths(MONTH_COLUMNS)
    header_row = len(report.notes()) + 3  # the title, the notes, a gap, the heading
    set_up_sheet(sheet, MONTH_COLUMNS, widths, header_row)
    writer = SheetWriter(sheet)
    write_title(writer, report, formats)
    writer.line(MONTH_HEADING, formats.heading)
    writer.header(MONTH_COLUMNS, widths, formats.header)
    writer.rows(MONTH_COLUMNS, widths, rows, formats, bold=is_total)
    writer.skip()
    writer.line(SIGNATURE_HEADING, formats.heading)
    for line in report.signature.lines(report.made_on):
        writer.line(line)


def write_to_date_sheet(sheet: Worksheet, report: MonthlyReport, formats: Formats) -> None:
    widths = column_widths(TO_DATE_COLUMNS)
    set_up_sheet(sheet, TO_DATE_COLUMNS, widths, header_row=2)
    writer = SheetWriter(sheet)
    writer.line(report.title, formats.title)
    writer.line(TO_DATE_HEADING.format(day=report.made_on), formats.heading)
    writer.header(TO_DATE_COLUMNS, widths, formats.header)
    writer.rows(TO_DATE_COLUMNS, widths, report.summary_rows(), formats, bold=is_total)


def write_activity_sheet(sheet: Worksheet, report: MonthlyReport, formats: Formats) -> None:
    columns = with_reviews(report, FLAT_ACTIVITY_COLUMNS)
    rows = flat_activities(report)
    widths = column_widths(columns)
    set_up_sheet(sheet, columns, widths, header_row=0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    writer = SheetWriter(sheet)
    writer.header(columns, widths, formats.header)
    writer.rows(columns, widths, rows, formats)


def write_chart_sheet(
    workbook: Workbook, sheet: Worksheet, report: MonthlyReport, formats: Formats
) -> None:
    """The chart's figures as a table (they are its data), the native chart beside them."""
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 2, 15)
    set_up_page(sheet)
    writer = SheetWriter(sheet)
    writer.line(report.title, formats.title)
    writer.line(CHART_HEADING, formats.heading)
    first = writer.row
    for index, header in enumerate(("Месяц", CHART_PLANNED, CHART_DONE)):
        sheet.write_string(first, index, header, formats.header)
    for offset, point in enumerate(report.chart, start=1):
        sheet.write_string(first + offset, 0, month_title(point.month), formats.body[Kind.TEXT])
        sheet.write_number(first + offset, 1, point.planned, formats.body[Kind.NUMBER])
        sheet.write_number(first + offset, 2, point.done, formats.body[Kind.NUMBER])
    last = first + max(len(report.chart), 1)
    chart = workbook.add_chart({"type": "column"})
    for column, colour in ((1, "#8EA9C1"), (2, "#2E7D32")):
        chart.add_series(
            {
                "name": [CHART_SHEET, first, column],
                "categories": [CHART_SHEET, first + 1, 0, last, 0],
                "values": [CHART_SHEET, first + 1, column, last, column],
                "fill": {"color": colour},
                "data_labels": {"value": True},
            }
        )
    chart.set_title({"name": CHART_HEADING})
    chart.set_y_axis({"name": "Мероприятий", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 420})
    sheet.insert_chart(first, 4, chart)
