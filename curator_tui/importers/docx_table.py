"""Word .docx: body paragraphs and table rows, in document order, as Word shows them.

python-docx opens the package; the text is read from the WordprocessingML itself, because
what a reader sees is the final text: tracked changes accepted (a deleted row is gone), the
content of content controls, the results of fields, a nested table inside its cell's text,
and no comments. A cell merged across columns is kept once, at its first grid position,
with blanks after it, so a section row merged across the table reads as one non-empty cell
while the other rows keep their columns. A cell merged down repeats the top cell's text in
every row it spans, which is what a merged «Ответственный» means.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from lxml import etree

from curator_tui.importers.errors import RoadmapImportError
from curator_tui.importers.readers.package import check_package
from curator_tui.importers.source import Item, Paragraph, SourceDocument, SourceRow

_BROKEN_PACKAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    OpcError,
    etree.LxmlError,
    NotImplementedError,  # an unknown compression method
    RuntimeError,  # an encrypted entry
)
# Valid XML with parts python-docx does not expect (a damaged or hand-made file) fails
# deep inside the library; for the user it is the same damaged document.
_BROKEN_CONTENT = (*_BROKEN_PACKAGE, AttributeError, TypeError, IndexError)


def read_docx_table(data: bytes, name: str) -> SourceDocument:
    document = _open(data, name)
    notes: list[str] = []
    try:
        items = tuple(_items(document, notes))
    except _BROKEN_CONTENT as error:
        raise _broken(name, error) from error
    if not any(isinstance(item, SourceRow) for item in items):
        raise RoadmapImportError(
            f"В файле {name} не найдена таблица дорожной карты: в документе нет ни одной таблицы"
        )
    return SourceDocument(name=name, items=items, notes=tuple(notes))


def _open(data: bytes, name: str) -> WordDocument:
    try:
        check_package(data, name)
        return docx.Document(io.BytesIO(data))
    except _BROKEN_PACKAGE as error:
        raise _broken(name, error) from error


def _broken(name: str, error: BaseException) -> RoadmapImportError:
    return RoadmapImportError(
        f"Файл {name} повреждён или не является документом Word (.docx): {_reason(error)}. "
        "Откройте его в Word и сохраните заново"
    )


def _reason(error: BaseException) -> str:
    """The library's English detail, said in Russian."""
    if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
        return "архив документа обрывается или испорчен"
    if isinstance(error, KeyError):
        return "в архиве нет основной части документа"
    if isinstance(error, etree.LxmlError):
        return "разметка документа (XML) испорчена"
    if isinstance(error, NotImplementedError):
        return "архив сжат неизвестным способом"
    if isinstance(error, RuntimeError):
        return "архив зашифрован"
    if isinstance(error, ValueError | OpcError):
        return "внутри не документ Word"
    return "неожиданное содержимое документа"


def _items(document: WordDocument, notes: list[str]) -> Iterator[Item]:
    """Body paragraphs and table rows; what a row holds but has no text is named in `notes`."""
    paragraphs = 0
    tables = 0
    for element in _blocks(document.element.body):
        if element.tag == _P:
            paragraphs += 1
            for line in WordText().paragraph(element).split("\n"):
                yield Paragraph(line.strip(), f"Абзац {paragraphs}")
        else:
            tables += 1
            for index, (cells, unread) in enumerate(_table_rows(element), start=1):
                where = f"Таблица {tables}, строка {index}"
                if unread:
                    kinds = ", ".join(sorted(unread))
                    notes.append(f"{where}: в строке есть {kinds} — не прочитано, проверьте")
                yield SourceRow(cells, where, segment=tables, table=tables)


_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
_VAL = qn("w:val")


def _unwrapped(parent: etree._Element, wanted: tuple[str, ...]) -> Iterator[etree._Element]:
    """Children with the wanted tags, looking through content controls and custom XML.

    A content control (w:sdt) or a custom XML element may wrap paragraphs, tables, rows and
    cells alike; what it holds is ordinary content.
    """
    for child in parent.iterchildren():
        if child.tag in wanted:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _unwrapped(content, wanted)
        elif child.tag == _CUSTOM_XML:
            yield from _unwrapped(child, wanted)


def _blocks(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables of the body (or of a cell), in document order."""
    return _unwrapped(parent, (_P, _TBL))


def _table_rows(table: etree._Element) -> Iterator[tuple[tuple[str, ...], set[str]]]:
    """Each row as cell strings on the table grid, with what its cells hold that is not text.

    A cell merged across columns is kept once, at its first grid column, with blanks after
    it; a cell merged down (w:vMerge) repeats the text of the cell it continues. A row
    deleted with tracked changes on is not in the final document, so it is not read.
    """
    above: dict[int, str] = {}
    for row in _unwrapped(table, (_TR,)):
        if _row_deleted(row):
            continue
        cells: list[str] = [""] * _row_property(row, "w:gridBefore")
        merged: dict[int, str] = {}
        reader = WordText()
        for cell in _unwrapped(row, (_TC,)):
            column = len(cells)
            text = above.get(column, "") if _continues_down(cell) else _cell_text(cell, reader)
            merged[column] = text
            cells += [text] + [""] * (_cell_span(cell) - 1)
        cells += [""] * _row_property(row, "w:gridAfter")
        above = merged
        yield tuple(cells), reader.unread


def _row_deleted(row: etree._Element) -> bool:
    properties = row.find(qn("w:trPr"))
    return properties is not None and properties.find(qn("w:del")) is not None


def _row_property(row: etree._Element, tag: str) -> int:
    properties = row.find(qn("w:trPr"))
    found = properties.find(qn(tag)) if properties is not None else None
    return _small_count(found, 0)


def _cell_span(cell: etree._Element) -> int:
    properties = cell.find(qn("w:tcPr"))
    return _small_count(properties.find(qn("w:gridSpan")) if properties is not None else None, 1)


def _small_count(element: etree._Element | None, default: int) -> int:
    # A hand-made file may say anything; a table is never wider than this.
    value = element.get(_VAL, "") if element is not None else ""
    return min(int(value), _MAX_GRID) if value.isdigit() else default


_MAX_GRID = 64


def _continues_down(cell: etree._Element) -> bool:
    properties = cell.find(qn("w:tcPr"))
    merge = properties.find(qn("w:vMerge")) if properties is not None else None
    return merge is not None and merge.get(_VAL, "continue") == "continue"


def _cell_text(cell: etree._Element, reader: WordText) -> str:
    """A cell's paragraphs, one per line; a table nested in the cell is part of its text."""
    lines: list[str] = []
    for block in _blocks(cell):
        if block.tag == _P:
            lines.append(reader.paragraph(block))
            continue
        for cells, unread in _table_rows(block):
            lines.append(" ".join(c for c in cells if c.strip()))
            reader.unread |= unread
    return "\n".join(lines)


class WordText:
    """The final text of paragraphs as Word shows it, tracked changes accepted.

    Insertions and moved-in text are kept, deletions and moved-out text dropped; content
    controls, hyperlinks and smart tags show their content; a field shows its result, not its
    code — a simple field's runs are its result, a complex one's are the runs between its
    «separate» and «end» marks, possibly in later paragraphs, so one reader serves a whole
    cell. A text box (in a drawing or VML shape) shows its paragraphs; a picture or an embedded
    object has no text to read and is named in `unread`. Comments and footnotes are not text
    of the paragraph they are attached to.
    """

    def __init__(self) -> None:
        # For each open complex field: has its result begun («separate» seen)?
        self._fields: list[bool] = []
        self.unread: set[str] = set()

    def paragraph(self, element: etree._Element) -> str:
        parts: list[str] = []
        self._collect(element, parts)
        return "".join(parts)

    def _collect(self, element: etree._Element, parts: list[str]) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag in _SKIPPED or not isinstance(tag, str):
                continue
            if tag == _FLD_CHAR:
                self._mark_field(child.get(qn("w:fldCharType"), ""))
            elif tag in _GRAPHICS:
                self._graphic(child, parts)
            elif tag in _CHARACTERS:
                if self._showing:
                    parts.append((child.text or "") if tag == _T else _CHARACTERS[tag])
            else:
                self._collect(child, parts)

    def _graphic(self, element: etree._Element, parts: list[str]) -> None:
        boxes = list(element.iter(_TEXT_BOX))
        for box in boxes:
            for block in _blocks(box):
                if block.tag == _P:
                    parts.append("\n" + self.paragraph(block))
        if not boxes:
            self.unread.add(_GRAPHICS[element.tag])

    @property
    def _showing(self) -> bool:
        return all(self._fields)

    def _mark_field(self, kind: str) -> None:
        if kind == "begin":
            self._fields.append(False)
        elif kind == "separate" and self._fields:
            self._fields[-1] = True
        elif kind == "end" and self._fields:
            self._fields.pop()


_FLD_CHAR, _T, _TEXT_BOX = qn("w:fldChar"), qn("w:t"), qn("w:txbxContent")
_GRAPHICS = {
    qn("w:drawing"): "рисунок",
    qn("w:pict"): "рисунок",
    qn("w:object"): "встроенный объект (например, таблица Excel)",
}
# Run content that is text: w:t by its own text, the rest by what Word shows for it.
_CHARACTERS = {
    _T: "",
    qn("w:tab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}
_SKIPPED = frozenset(
    qn(tag)
    for tag in (
        "w:del",
        "w:moveFrom",
        "w:pPr",
        "w:rPr",
        "w:sdtPr",
        "w:sdtEndPr",
        "w:instrText",
        "w:delText",
        "w:commentReference",
        "w:footnoteReference",
        "w:endnoteReference",
    )
) | {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
