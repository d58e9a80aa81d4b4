"""Real Word files for tests: a table from rows of strings, with prose around it.

    write_docx(tmp_path / "map.docx", rows, preamble=["Управление образования …"])

Rows may differ in length (short rows are padded with empty cells). Merges are given by
row index (0-based, the header is row 0): `merged_rows` joins all cells of those rows into
one (a section heading across the table); `vertical_merges` holds (column, first_row,
last_row) spans whose text is the first row's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import docx


def write_docx(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    preamble: Iterable[str] = (),
    after: Iterable[str] = (),
    merged_rows: Iterable[int] = (),
    vertical_merges: Iterable[tuple[int, int, int]] = (),
) -> Path:
    document = docx.Document()
    for text in preamble:
        document.add_paragraph(text)
    width = max((len(row) for row in rows), default=1)
    table = document.add_table(rows=len(rows), cols=width)
    # Row by row: table.cell(r, c) rebuilds the whole grid on every call.
    for table_row, row in zip(table.rows, rows, strict=True):
        for c, cell in enumerate(table_row.cells):
            cell.text = row[c] if c < len(row) else ""
    for r in merged_rows:
        text = rows[r][0] if rows[r] else ""
        table.cell(r, 0).merge(table.cell(r, width - 1)).text = text
    for column, first, last in vertical_merges:
        text = rows[first][column] if column < len(rows[first]) else ""
        table.cell(first, column).merge(table.cell(last, column)).text = text
    for text in after:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def text_table_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Split a text-table export into (prose lines before the table, table rows)."""
    preamble: list[str] = []
    rows: list[list[str]] = []
    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
        elif not rows:
            preamble.append(line)
    return preamble, rows
