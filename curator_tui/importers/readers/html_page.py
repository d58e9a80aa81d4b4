"""A saved web page (.html, .htm, also Word's «веб-страница»): lxml's HTML parser.

The encoding is the page's own (a BOM, then <meta charset>), else UTF-8 if the bytes are
UTF-8, else Windows-1251 — what a Russian office saves. Tables are rows (colspan and rowspan
read as Word's merged cells, `grid`); blocks of text outside tables are prose; scripts,
styles and comments are not text. A table nested in a cell is part of its cell's text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import cast

from lxml import etree, html

from curator_tui.importers.errors import RoadmapImportError
from curator_tui.importers.readers.grid import SpanCell, lay_out, numbered_items
from curator_tui.importers.source import Item, SourceDocument, SourceRow

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BLOCKS = frozenset(
    (
        *("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre"),
        *("blockquote", "address", "center", "caption", "section", "article"),
        *("header", "footer", "main"),
    )
)
_NOT_TEXT = frozenset(("script", "style", "head", "title", "noscript", "template"))


def page_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass  # an unknown charset name: judge by the bytes
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def read_html(data: bytes, name: str) -> SourceDocument:
    encoding = page_encoding(data)
    try:
        text = data.decode(encoding, errors="replace").lstrip("\ufeff")
        # lxml refuses a str that still declares its encoding (an XHTML «<?xml …?>»).
        text = _XML_DECLARATION.sub("", text, count=1)
        root = html.document_fromstring(text)
    except (etree.LxmlError, ValueError) as error:
        raise RoadmapImportError(f"Файл {name} не читается как веб-страница (.html)") from error
    # Dropped with their tails kept: the text after a comment is still the page's.
    for element in [*root.iter(*_NOT_TEXT), *root.iter(etree.Comment)]:
        cast(html.HtmlElement, element).drop_tree()
    body = root.find("body")
    items = list(_items(body if body is not None else root))
    if not any(isinstance(item, SourceRow) for item in items):
        raise RoadmapImportError(
            f"В файле {name} не найдена таблица дорожной карты: на странице нет ни одной таблицы"
        )
    return SourceDocument(name=name, items=tuple(items))


def _items(body: etree._Element) -> Iterator[Item]:
    return numbered_items(
        block if isinstance(block, str) else table_rows(block) for block in _walk(body)
    )


def _walk(element: etree._Element) -> Iterator[etree._Element | str]:
    """Tables and prose blocks (as text) in document order; loose text is a block too."""
    loose: list[str] = [element.text or ""]
    for child in element.iterchildren():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "table" or ((tag in _BLOCKS or tag == "body") and _holds_table(child)):
            yield from _flush(loose)
            if tag == "table":
                yield child
            else:
                yield from _walk(child)
        elif tag in _BLOCKS:
            yield from _flush(loose)
            yield _text(child)
        elif tag == "br":
            loose.append("\n")
        else:
            loose.append(_text(child))
        loose.append(child.tail or "")
    yield from _flush(loose)


def _holds_table(element: etree._Element) -> bool:
    return next(element.iter("table"), None) is not None


def _flush(loose: list[str]) -> Iterator[str]:
    text = "".join(loose)
    loose.clear()
    if text.strip():
        yield text


def _text(element: etree._Element) -> str:
    """Visible text: <br> and block ends are line breaks, other whitespace is a space."""
    parts: list[str] = [_spaced(element.text)]
    for child in element.iterchildren():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag == "table":
            parts.append("\n" + "\n".join(" ".join(c for c in r if c) for r in table_rows(child)))
        else:
            parts.append(_text(child))
            if tag in _BLOCKS or tag == "tr":
                parts.append("\n")
        parts.append(_spaced(child.tail))
    return "".join(parts)


def _spaced(text: str | None) -> str:
    return re.sub(r"\s+", " ", text) if text else ""


def table_rows(table: etree._Element) -> list[tuple[str, ...]]:
    rows = [
        [
            SpanCell(_cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan"))
            for cell in row.iterchildren("td", "th")
        ]
        for row in _rows(table)
    ]
    return lay_out(rows)


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table.iterchildren():
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from child.iterchildren("tr")


def _span(cell: etree._Element, attribute: str) -> int:
    value = (cell.get(attribute) or "1").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _cell_text(cell: etree._Element) -> str:
    lines = (line.strip() for line in _text(cell).split("\n"))
    return "\n".join(line for line in lines if line)
