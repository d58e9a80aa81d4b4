"""Word .docx: body paragraphs and table rows, in document order, via python-docx.

A cell merged across columns is kept once, at its first grid position, with blanks after it,
so a section row merged across the table reads as one non-empty cell while the other rows
keep their columns. A cell merged down repeats the top cell's text in every row it spans,
which is what a merged «Ответственный» means.
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
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from curator_tui.importers.errors import RoadmapImportError
from curator_tui.importers.source import Item, Paragraph, SourceDocument, SourceRow

# A roadmap is a few hundred kilobytes; anything that inflates past this is not one.
_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
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
    try:
        items = tuple(_items(document))
    except _BROKEN_CONTENT as error:
        raise _broken(name, error) from error
    if not any(isinstance(item, SourceRow) for item in items):
        raise RoadmapImportError(
            f"В файле {name} не найдена таблица дорожной карты: в документе нет ни одной таблицы"
        )
    return SourceDocument(name=name, items=items)


def _open(data: bytes, name: str) -> WordDocument:
    try:
        _check_package(data, name)
        return docx.Document(io.BytesIO(data))
    except _BROKEN_PACKAGE as error:
        raise _broken(name, error) from error


def _check_package(data: bytes, name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        unpacked = sum(info.file_size for info in package.infolist())
        if unpacked > _MAX_UNPACKED_BYTES:
            raise RoadmapImportError(
                f"Файл {name} при распаковке занял бы {unpacked // (1024 * 1024)} МБ — "
                "это не похоже на дорожную карту, файл не открыт"
            )
        broken = package.testzip()
        if broken is not None:
            raise zipfile.BadZipFile(f"повреждена часть {broken}")


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


def _items(document: WordDocument) -> Iterator[Item]:
    paragraphs = 0
    tables = 0
    for element in _body_blocks(document.element.body):
        if element.tag == qn("w:p"):
            paragraphs += 1
            yield from _paragraph_lines(element, paragraphs)
        elif element.tag == qn("w:tbl"):
            tables += 1
            table = Table(element, document)
            for index, row in enumerate(table.rows, start=1):
                where = f"Таблица {tables}, строка {index}"
                yield SourceRow(_row_cells(row), where, segment=tables, table=tables)


def _body_blocks(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables of the body, looking inside content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_blocks(content)


def _paragraph_lines(element: etree._Element, number: int) -> Iterator[Paragraph]:
    # A manual line break inside a paragraph is a line of its own, as in the text export.
    # Reading a paragraph's text never reaches its story part, so it is given none.
    paragraph = DocxParagraph(element, None)  # type: ignore[arg-type]
    for line in paragraph.text.split("\n"):
        yield Paragraph(line.strip(), f"Абзац {number}")


def _row_cells(row: _Row) -> tuple[str, ...]:
    cells: list[str] = [""] * row.grid_cols_before
    previous = None
    for cell in row.cells:
        cells.append("" if cell._tc is previous else cell.text)
        previous = cell._tc
    cells.extend([""] * row.grid_cols_after)
    return tuple(cells)
