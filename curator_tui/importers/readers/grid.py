"""Tables whose cells span rows and columns, laid out on a grid the way Word's are read.

A cell spanning columns keeps its text at its first column with blanks after it (a section
row merged across the table reads as one non-empty cell); a cell spanning rows repeats its
text in each row below, which is what a merged «Ответственный» means.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from curator_tui.importers.source import Item, Paragraph, SourceRow

# A hand-made file may claim any span; no roadmap table is larger than this.
MAX_SPAN = 64
MAX_COLUMNS = 64


@dataclass(frozen=True)
class SpanCell:
    text: str
    columns: int = 1
    rows: int = 1


def lay_out(rows: Sequence[Sequence[SpanCell]]) -> list[tuple[str, ...]]:
    """Rows of spanning cells → rows of strings, each cell at its grid column."""
    # (row, column) → text of the cells that spans from rows above reserve.
    reserved: dict[tuple[int, int], str] = {}
    laid: list[tuple[str, ...]] = []
    for r, row in enumerate(rows):
        column = 0
        for cell in row:
            while (r, column) in reserved:
                column += 1
            if column >= MAX_COLUMNS:
                break
            down = max(1, min(cell.rows, MAX_SPAN, len(rows) - r))
            across = max(1, min(cell.columns, MAX_SPAN, MAX_COLUMNS - column))
            for dr in range(down):
                for dc in range(across):
                    reserved[(r + dr, column + dc)] = cell.text if dc == 0 else ""
            column += across
        width = max((c + 1 for (rr, c) in reserved if rr == r), default=0)
        laid.append(tuple(reserved.pop((r, c), "") for c in range(width)))
    return laid


def cell_text(value: object) -> str:
    """A spreadsheet value as a person reads it: whole numbers without «.0», dates as dd.mm.yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    strftime = getattr(value, "strftime", None)
    if strftime is not None:
        return str(strftime("%d.%m.%Y"))
    return str(value)


def numbered_items(blocks: Iterable[str | list[tuple[str, ...]]]) -> Iterator[Item]:
    """A document's blocks in order — prose (a string) or a laid-out table (its rows) — as
    paragraphs and rows named the way warnings cite them («Таблица 2, строка 5»)."""
    tables = paragraphs = 0
    for block in blocks:
        if isinstance(block, str):
            paragraphs += 1
            for line in block.split("\n"):
                yield Paragraph(line.strip(), f"Абзац {paragraphs}")
        else:
            tables += 1
            for index, cells in enumerate(block, start=1):
                where = f"Таблица {tables}, строка {index}"
                yield SourceRow(cells, where, segment=tables, table=tables)
