"""Rows brought to the header's width.

The text export inserts phantom empty cells (a row has more cells than the header) and
sometimes prints the number and the title in one cell (a row has fewer). Both happen to a
run of rows at once, page by page, so rows are judged in groups: consecutive rows of one
segment with the same cell count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from curator_tui.importers.source import SourceRow

# «7. Организация участия …»: a number and a capitalised title run together in one cell.
MERGED_NUMBER = re.compile(
    r"^\s*(\d{1,3}(?:\s*\.\s*\d{1,3})*)(?:\s*[.)]\s*|\s+)(?=[«\"'(A-ZА-ЯЁ])(.+)$", re.DOTALL
)

_BARE_NUMBER = re.compile(r"^\s*\d{1,3}(?:\s*\.\s*\d{1,3})*\s*[.)]?\s*$")


@dataclass(frozen=True)
class FittedRow:
    """A row with exactly one cell per header column.

    `first_cell` is the column the row's first printed cell landed in: a section title
    merged across the table is the only text of a row, and sits in its first cell.
    """

    cells: tuple[str, ...]
    where: str
    first_cell: int = 0


def span(rows: list[SourceRow]) -> str:
    """«Строки 42–48» for warnings about a group."""
    if len(rows) == 1:
        return rows[0].where
    first, last = rows[0].where, rows[-1].where
    if first.startswith("Строка ") and last.startswith("Строка "):
        return f"Строки {first.removeprefix('Строка ')}–{last.removeprefix('Строка ')}"
    return f"{first} – {last.lower()}"


def fit_rows(
    rows: list[SourceRow], width: int, *, number_first: bool, warnings: list[str]
) -> list[FittedRow]:
    fitted: list[FittedRow] = []
    for (_, count), group in groupby(rows, key=lambda row: (row.segment, len(row.cells))):
        members = list(group)
        if count == width:
            fitted += [FittedRow(row.cells, row.where) for row in members]
        elif count > width:
            fitted += _drop_phantoms(members, width, warnings)
        else:
            fitted += _widen(members, width, number_first=number_first, warnings=warnings)
    return fitted


def _drop_phantoms(rows: list[SourceRow], width: int, warnings: list[str]) -> list[FittedRow]:
    excess = len(rows[0].cells) - width
    fitted: list[FittedRow] = []
    for run, positions in _phantom_runs(rows, excess):
        if len(positions) >= excess:
            dropped = sorted(positions)[-excess:]
            fitted += [FittedRow(_without(row.cells, dropped), row.where) for row in run]
            places = ", ".join(str(p + 1) for p in dropped)
            warnings.append(
                f"{span(run)}: ячеек больше, чем колонок в заголовке ({width + excess} "
                f"вместо {width}) — пустые ячейки в позиции {places} удалены"
            )
        else:
            fitted += [_squeeze(row, width, warnings) for row in run]
    return fitted


def _phantom_runs(rows: list[SourceRow], excess: int) -> Iterator[tuple[list[SourceRow], set[int]]]:
    """Split a group into runs whose rows share at least `excess` empty positions."""
    run: list[SourceRow] = []
    common: set[int] = set()
    for row in rows:
        empty = {i for i, cell in enumerate(row.cells) if not cell.strip()}
        if run and len(common & empty) >= excess:
            run.append(row)
            common &= empty
            continue
        if run:
            yield run, common
        run, common = [row], empty
    if run:
        yield run, common


def _without(cells: tuple[str, ...], positions: list[int]) -> tuple[str, ...]:
    drop = set(positions)
    return tuple(cell for i, cell in enumerate(cells) if i not in drop)


def _squeeze(row: SourceRow, width: int, warnings: list[str]) -> FittedRow:
    """Last resort for one row: drop its empty cells right to left, then join the surplus."""
    cells = list(row.cells)
    for i in range(len(cells) - 1, -1, -1):
        if len(cells) == width:
            break
        if not cells[i].strip():
            del cells[i]
    if len(cells) > width:
        surplus = " ".join(cell for cell in cells[width - 1 :] if cell.strip())
        cells = [*cells[: width - 1], surplus]
        warnings.append(
            f"{row.where}: ячеек больше, чем колонок, и лишние не пустые — "
            "их текст добавлен в последнюю колонку"
        )
    return FittedRow(tuple(cells), row.where)


def _widen(
    rows: list[SourceRow], width: int, *, number_first: bool, warnings: list[str]
) -> list[FittedRow]:
    if number_first and _numbers_merged(rows):
        # The page prints «N. title» in one cell: every row of it lacks the number column,
        # so a row without a number there (a title fragment, a section) starts at the title.
        if any(sum(bool(cell.strip()) for cell in row.cells) > 1 for row in rows):
            warnings.append(
                f"{span(rows)}: номер и название мероприятия напечатаны в одной ячейке — разделены"
            )
        return [_pad(_split_number(row), width) for row in rows]
    if any(sum(bool(cell.strip()) for cell in row.cells) > 1 for row in rows):
        warnings.append(
            f"{span(rows)}: ячеек меньше, чем колонок в заголовке ({len(rows[0].cells)} "
            f"из {width}) — недостающие колонки справа считаются пустыми"
        )
    return [_pad(FittedRow(row.cells, row.where), width) for row in rows]


def _numbers_merged(rows: list[SourceRow]) -> bool:
    """Some row starts with «N. Title» and none has its number in a cell of its own."""
    merged = any(MERGED_NUMBER.match(row.cells[0]) for row in rows)
    separate = any(
        _BARE_NUMBER.match(row.cells[0]) and len(row.cells) > 1 and row.cells[1].strip()
        for row in rows
    )
    return merged and not separate


def _split_number(row: SourceRow) -> FittedRow:
    match = MERGED_NUMBER.match(row.cells[0])
    if match:
        return FittedRow((match.group(1), match.group(2), *row.cells[1:]), row.where)
    return FittedRow(("", *row.cells), row.where, first_cell=1)


def _pad(row: FittedRow, width: int) -> FittedRow:
    cells = row.cells[:width] + ("",) * (width - len(row.cells))
    return FittedRow(cells, row.where, row.first_cell)
