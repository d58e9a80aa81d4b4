"""OpenDocument text and spreadsheets (.odt, .ods): content.xml read with lxml.

ODF is plain XML in a zip, so no converter is needed. Paragraphs and headings outside tables
are prose, tables are rows; a cell's paragraphs are its lines and a table nested in a cell
is part of its text. Tracked changes are shown as the final text (deleted text lives apart,
in text:tracked-changes, which is not read); comments (office:annotation) and notes are not
cell text. Spanned cells read as Word's merged cells do (`grid`).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator

from lxml import etree

from curator_tui.importers.errors import RoadmapImportError, damaged
from curator_tui.importers.readers.grid import MAX_SPAN, SpanCell, lay_out, numbered_items
from curator_tui.importers.readers.package import check_package, read_part
from curator_tui.importers.readers.spreadsheet import sheet_items
from curator_tui.importers.source import Item, SourceDocument, SourceRow

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


_P, _H, _TABLE = _q("text:p"), _q("text:h"), _q("table:table")
_CELL, _COVERED = _q("table:table-cell"), _q("table:covered-table-cell")
_ROW = _q("table:table-row")
# Containers whose children are read as if they stood in the parent.
_ROW_GROUPS = {
    _q(n) for n in ("table:table-header-rows", "table:table-rows", "table:table-row-group")
}
_BLOCK_GROUPS = {_q(n) for n in ("text:section", "text:list", "text:list-item", "text:list-header")}
# Elements that hold no text of the paragraph they stand in.
_NOT_TEXT = {
    _q(n)
    for n in ("office:annotation", "office:annotation-end", "text:note", "text:tracked-changes")
}
_MAX_REPEAT = 64


def read_odf(data: bytes, name: str) -> SourceDocument:
    try:
        check_package(data, name)
        root = etree.fromstring(read_part(data, "content.xml"), parser=_PARSER)
    except (zipfile.BadZipFile, zlib.error, KeyError, etree.LxmlError, ValueError) as error:
        raise damaged(name, "документ OpenDocument (.odt, .ods)") from error
    body = root.find(f"{_q('office:body')}")
    if body is None:
        raise damaged(name, "документ OpenDocument (.odt, .ods)")
    spreadsheet = body.find(_q("office:spreadsheet"))
    items = list(_sheets(spreadsheet) if spreadsheet is not None else _text_items(body))
    if not any(isinstance(item, SourceRow) for item in items):
        raise RoadmapImportError(
            f"В файле {name} не найдена таблица дорожной карты: в документе нет ни одной таблицы"
        )
    return SourceDocument(name=name, items=tuple(items))


# No network, no entities: content.xml of a document from outside is untrusted.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _text_items(body: etree._Element) -> Iterator[Item]:
    return numbered_items(
        table_rows(block) if block.tag == _TABLE else paragraph_text(block)
        for block in _blocks(body)
    )


def _sheets(spreadsheet: etree._Element) -> Iterator[Item]:
    for number, table in enumerate(spreadsheet.iterchildren(_TABLE), start=1):
        title = table.get(_q("table:name"), str(number))
        yield from sheet_items(table_rows(table), number, f"Лист «{title}»")


def _blocks(parent: etree._Element) -> Iterator[etree._Element]:
    for child in parent.iterchildren():
        if child.tag in (_P, _H, _TABLE):
            yield child
        elif child.tag in _BLOCK_GROUPS or child.tag == _q("office:text"):
            yield from _blocks(child)


def table_rows(table: etree._Element) -> list[tuple[str, ...]]:
    rows: list[list[SpanCell]] = []
    for row in _rows(table):
        cells: list[SpanCell] = []
        for cell in row.iterchildren(_CELL, _COVERED):
            repeat = _count(cell, "table:number-columns-repeated")
            if cell.tag == _COVERED:
                continue  # its place is taken by the spanning cell (`lay_out` knows where)
            text = _cell_text(cell)
            span = SpanCell(
                text,
                _count(cell, "table:number-columns-spanned"),
                _count(cell, "table:number-rows-spanned"),
            )
            # Repeated empty cells fill a spreadsheet to its edge; one is enough.
            cells += [span] * (repeat if text else 1)
        times = _count(row, "table:number-rows-repeated")
        rows += [cells] * (times if any(c.text for c in cells) else 1)
    return lay_out(rows)


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table.iterchildren():
        if child.tag == _ROW:
            yield child
        elif child.tag in _ROW_GROUPS:
            yield from _rows(child)


def _count(element: etree._Element, attribute: str) -> int:
    value = element.get(_q(attribute), "1")
    return max(1, min(int(value), MAX_SPAN)) if value.isdigit() else 1


def _cell_text(cell: etree._Element) -> str:
    lines: list[str] = []
    for block in _blocks(cell):
        if block.tag == _TABLE:
            lines += [" ".join(c for c in row if c.strip()) for row in table_rows(block)]
        else:
            lines.append(paragraph_text(block))
    return "\n".join(lines)


def paragraph_text(element: etree._Element) -> str:
    parts: list[str] = [element.text or ""]
    for child in element.iterchildren():
        if child.tag in _NOT_TEXT:
            pass
        elif child.tag == _q("text:s"):
            parts.append(" " * _count(child, "text:c"))
        elif child.tag == _q("text:tab"):
            parts.append("\t")
        elif child.tag == _q("text:line-break"):
            parts.append("\n")
        elif isinstance(child.tag, str):
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
