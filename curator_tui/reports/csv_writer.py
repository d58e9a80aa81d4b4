"""The report as CSV for Russian Excel: UTF-8 with a BOM and `;` between fields.

Excel guesses a CSV's encoding; without the BOM it reads UTF-8 Cyrillic as Windows-1251
mojibake. Russian Excel uses `,` as the decimal separator and so expects `;` between fields.
One CSV holds one table, so the report is two files: the activities (one row per activity,
with its organisation and the «Срок в месяце»/«Просрочено» flags — the same table as the
XLSX «Мероприятия» sheet) and, beside it, `…-сводка.csv` with one row per organisation (the
month's figures, then the roadmap-to-date ones, marked «с начала ДК»). No subtotal or total
rows: CSV is for further processing, where a totals row would be counted twice.
Dates are written as ДД.ММ.ГГГГ, which Russian Excel reads as dates.

Excel also guesses the type of every other field: a number «1.5» or «3.12» becomes the date
1 May or 3 December, «007» becomes 7, «1/2» a date. A text field Excel would read as a number
or a date is written as the formula `="1.5"`, which Excel (and LibreOffice with formulas
evaluated) shows as the text itself, unchanged.
"""

from __future__ import annotations

import csv
import io
import re
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
    organisation_rows,
    with_reviews,
)
from curator_tui.reports.model import MonthlyReport

ENCODING = "utf-8-sig"  # writes the BOM
DELIMITER = ";"
# Excel runs a cell starting with one of these as a formula (CSV injection): such text gets
# a leading apostrophe, which Excel shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What Excel would read as a number, a date, a time, a fraction or a share: digits with
# separators only («1.5», «3.12», «01.09», «1/2», «10:30», «007», «5 %», «1e5»).
LOOKS_LIKE_A_NUMBER = re.compile(r"[\s\d.,:/%+\-eE\u00a0]*\d[\s\d.,:/%+\-eE\u00a0]*")
TEXT_KINDS = (Kind.TEXT, Kind.LONG_TEXT)


def write_activities_csv(report: MonthlyReport, handle: BinaryIO) -> None:
    columns = with_reviews(report, FLAT_ACTIVITY_COLUMNS)
    write_table(handle, columns, flat_activities(report))


def write_summary_csv(report: MonthlyReport, handle: BinaryIO) -> None:
    write_table(handle, SUMMARY_COLUMNS, organisation_rows(report))


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
    if column.kind not in TEXT_KINDS:
        return text
    if LOOKS_LIKE_A_NUMBER.fullmatch(text):
        return '="' + text.replace('"', '""') + '"'
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
