"""Excel workbooks: .xlsx through openpyxl, the old binary .xls through xlrd.

Every sheet is a table of its own. The lines above a sheet's table (the issuer, the title)
are rows with a single filled cell, so rows are prose until the first row with two filled
cells. Merged ranges read as Word's merged cells do (`grid`). A formula reads as the value
Excel saved with it; a sheet saved without values is named in the summary.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence

from curator_tui.importers.errors import RoadmapImportError, damaged
from curator_tui.importers.readers.grid import MAX_COLUMNS, cell_text
from curator_tui.importers.readers.package import check_package
from curator_tui.importers.source import Item, Paragraph, SourceDocument, SourceRow

# The bounds of one merged range: first row, first column, last row, last column (0-based).
Merge = tuple[int, int, int, int]
_MAX_ROWS = 20_000


def read_xlsx(data: bytes, name: str) -> SourceDocument:
    import openpyxl

    try:
        check_package(data, name)
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, OSError, TypeError) as error:
        raise damaged(name, "таблица Excel (.xlsx)") from error
    sheets: list[tuple[str, list[list[str]]]] = []
    for sheet in book.worksheets:
        values = [
            [cell_text(v) for v in row[:MAX_COLUMNS]]
            for row in sheet.iter_rows(max_row=min(sheet.max_row, _MAX_ROWS), values_only=True)
        ]
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in sheet.merged_cells.ranges
        ]
        sheets.append((sheet.title, merged(values, merges)))
    return workbook_document(name, sheets)


def read_xls(data: bytes, name: str) -> SourceDocument:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except (xlrd.XLRDError, ValueError, IndexError, KeyError, AssertionError, EOFError) as error:
        raise damaged(name, "таблица Excel (.xls)") from error
    sheets: list[tuple[str, list[list[str]]]] = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        values = [
            [_xls_value(book, sheet.cell(r, c)) for c in range(min(sheet.ncols, MAX_COLUMNS))]
            for r in range(min(sheet.nrows, _MAX_ROWS))
        ]
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        sheets.append((sheet.name, merged(values, merges)))
    return workbook_document(name, sheets)


def _xls_value(book: object, cell: object) -> str:
    import xlrd

    kind, value = getattr(cell, "ctype", 0), getattr(cell, "value", "")
    if kind == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate_as_datetime(value, getattr(book, "datemode", 0)))
        except (ValueError, OverflowError):
            return cell_text(value)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return cell_text(value)


def merged(values: list[list[str]], merges: Iterable[Merge]) -> list[list[str]]:
    """Merged ranges as Word's merged cells: blanks across, the top text repeated down."""
    for top, left, bottom, right in merges:
        if top >= len(values):
            continue
        row = values[top]
        text = row[left] if left < len(row) else ""
        right = min(right, MAX_COLUMNS - 1)
        for r in range(top, min(bottom, len(values) - 1) + 1):
            line = values[r]
            line.extend([""] * (right + 1 - len(line)))
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    line[c] = text if c == left else ""
    return values


def workbook_document(name: str, sheets: Sequence[tuple[str, list[list[str]]]]) -> SourceDocument:
    items: list[Item] = []
    for number, (title, rows) in enumerate(sheets, start=1):
        items += sheet_items(rows, number, f"Лист «{title}»")
    if not any(isinstance(item, SourceRow) for item in items):
        raise RoadmapImportError(f"В файле {name} не найдена таблица дорожной карты: листы пусты")
    return SourceDocument(name=name, items=tuple(items))


def sheet_items(rows: Sequence[Sequence[str]], table: int, label: str) -> Iterator[Item]:
    """One sheet's rows: prose until the first row with two filled cells, then table rows.

    Rows are cut to the last column anything is written in: empty columns to the right are
    the sheet's used range, not the table's.
    """
    stripped = [tuple(c.strip() for c in row) for row in rows]
    width = max((_last_filled(cells) for cells in stripped), default=0)
    in_table = False
    for number, cells in enumerate(stripped, start=1):
        filled = [c for c in cells if c]
        where = f"{label}, строка {number}"
        if not filled:
            continue
        in_table = in_table or len(filled) > 1
        if in_table:
            padded = cells[:width] + ("",) * (width - len(cells))
            yield SourceRow(padded, where, segment=table, table=table)
        else:
            for line in " ".join(filled).split("\n"):
                yield Paragraph(line.strip(), where)


def _last_filled(cells: Sequence[str]) -> int:
    return max((i + 1 for i, c in enumerate(cells) if c), default=0)
