"""PDF with a text layer: pdfplumber finds each page's tables by their ruling lines.

Text outside the tables is prose, in reading order with the tables; a page that is only a
picture (a scanned page among typed ones) is named in the summary; a page's table is a
table of its own (the layout joins a table continued on the next page, as it does for
Word). A cell left empty under a cell that spans rows repeats that cell's text, as Word's
merged cells read. A PDF without any text (a scan) cannot be read and says so.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from curator_tui.importers.errors import RoadmapImportError, damaged
from curator_tui.importers.source import Item, Paragraph, SourceDocument, SourceRow

_MAX_PAGES = 300


def read_pdf(data: bytes, name: str) -> SourceDocument:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    items: list[Item] = []
    notes: list[str] = []
    has_text = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = pdf.pages
            if len(pages) > _MAX_PAGES:
                notes.append(f"Прочитаны первые {_MAX_PAGES} страниц из {len(pages)}")
            for number, page in enumerate(pages[:_MAX_PAGES], start=1):
                if page.chars:
                    has_text = True
                    items += _page_items(page, number)
                elif page.images:
                    notes.append(f"Страница {number}: скан без текстового слоя — не прочитана")
                page.close()
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AssertionError) as error:
        raise damaged(name, "документ PDF") from error
    except Exception as error:  # pdfminer's own errors share no base class of their own
        if type(error).__module__.startswith(("pdfminer", "pdfplumber", "pypdfium2")):
            raise damaged(name, "документ PDF") from error
        raise
    if not has_text:
        raise RoadmapImportError(
            f"Файл {name} — скан без текстового слоя: в PDF только изображения страниц, "
            "текста в нём нет. Попросите у отправителя файл Word (.docx) или распознайте скан "
            "(OCR) и сохраните результат как .docx"
        )
    if not any(isinstance(item, SourceRow) for item in items):
        raise RoadmapImportError(
            f"В файле {name} не найдена таблица дорожной карты: в PDF нет таблицы с линиями "
            "границ. Сохраните дорожную карту как документ Word (.docx)"
        )
    return SourceDocument(name=name, items=tuple(items), notes=tuple(notes))


def _page_items(page: Any, number: int) -> list[Item]:
    tables = page.find_tables()
    placed: list[tuple[float, list[Item]]] = []
    for index, table in enumerate(tables, start=1):
        label = f"Страница {number}, таблица {index}"
        segment = number * 100 + index
        rows = [
            SourceRow(cells, f"{label}, строка {r}", segment=segment, table=segment)
            for r, cells in enumerate(_table_cells(table), start=1)
        ]
        placed.append((table.bbox[1], list(rows)))
    outside = page.filter(lambda obj: not any(_inside(obj, t.bbox) for t in tables))
    for line in outside.extract_text_lines(layout=False, strip=True):
        where = f"Страница {number}"
        placed.append((line["top"], [Paragraph(line["text"].strip(), where)]))
    placed.sort(key=lambda pair: pair[0])
    return [item for _, group in placed for item in group]


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    x0, top, x1, bottom = box
    middle_x = (obj["x0"] + obj["x1"]) / 2
    middle_y = (obj["top"] + obj["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom


def _table_cells(table: Any) -> Iterator[tuple[str, ...]]:
    """Rows of a found table; a cell hidden by a span is blank across, repeated down."""
    texts = table.extract()
    above: dict[int, str] = {}
    for r, row in enumerate(texts):
        boxes = table.rows[r].cells
        cells: list[str] = []
        for c, text in enumerate(row):
            if text is None:
                covered_from_above = boxes[c] is None and c in above and _spans_down(table, r, c)
                cells.append(above[c] if covered_from_above else "")
            else:
                cells.append(_unwrapped(text))
                above[c] = cells[-1]
        yield tuple(cells)


# A line ending in a hyphen or slash after a letter was broken there by the page width
# («информационно-» / «методического»): the next line goes on without a space.
_BROKEN_AT_MARK = re.compile(r"(?<=\w[-/])\n(?=\w)")


def _unwrapped(text: str) -> str:
    """A cell's text: a PDF wraps it into lines by the column's width; the lines are one text."""
    return " ".join(_BROKEN_AT_MARK.sub("", text).split())


def _spans_down(table: Any, r: int, c: int) -> bool:
    """Whether a cell that starts in an earlier row reaches down over row `r` at column `c`."""
    column_box = next((row.cells[c] for row in table.rows if row.cells[c] is not None), None)
    row_box = table.rows[r].bbox
    if column_box is None:
        return False
    middle_x = (column_box[0] + column_box[2]) / 2
    middle_y = (row_box[1] + row_box[3]) / 2
    return any(
        x0 <= middle_x <= x1 and top < row_box[1] - _TOLERANCE and middle_y < bottom
        for x0, top, x1, bottom in table.cells
    )


# Points: ruling lines of one row differ by less than this.
_TOLERANCE = 1.0
