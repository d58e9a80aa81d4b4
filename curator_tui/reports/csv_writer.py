"""The report as CSV for Russian Excel: UTF-8 with a BOM and `;` between fields.

Excel guesses a CSV's encoding; without the BOM it reads UTF-8 Cyrillic as Windows-1251
mojibake. Russian Excel uses `,` as the decimal separator and so expects `;` between fields.
One CSV holds one table, so the report is two files: the activities (one row per activity,
with its organisation and the «Срок в месяце»/«Просрочено» flags — the same table as the
XLSX «Мероприятия» sheet) and, beside it, `…-сводка.csv` with one row per organisation. No
«Итого» row: CSV is for further processing, where a totals row would be counted twice.
Dates are written as ДД.ММ.ГГГГ, which Russian Excel reads as dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from curator_tui.reports.columns import (
    FLAT_ACTIVITY_COLUMNS,
    SUMMARY_COLUMNS,
    Column,
    Kind,
    Row,
    as_text,
    flat_activities,
)
from curator_tui.reports.model import MonthlyReport

ENCODING = "utf-8-sig"  # writes the BOM
DELIMITER = ";"
# Excel runs a cell starting with one of these as a formula (CSV injection): such text gets
# a leading apostrophe, which Excel shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_activities_csv(report: MonthlyReport, handle: BinaryIO) -> None:
    write_table(handle, FLAT_ACTIVITY_COLUMNS, flat_activities(report))


def write_summary_csv(report: MonthlyReport, handle: BinaryIO) -> None:
    write_table(handle, SUMMARY_COLUMNS, report.summaries)


def write_table(handle: BinaryIO, columns: Sequence[Column[Row]], rows: Iterable[Row]) -> None:
    text = io.TextIOWrapper(handle, encoding=ENCODING, newline="")
    try:
        writer = csv.writer(text, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow([c.header for c in columns])
        writer.writerows([cell(c, c.value(row)) for c in columns] for row in rows)
        text.flush()
    finally:
        text.detach()  # the caller owns (and fsyncs, and closes) the binary file


def cell(column: Column[Row], value: object) -> str:
    text = as_text(value)  # type: ignore[arg-type]
    if column.kind in (Kind.TEXT, Kind.LONG_TEXT) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
