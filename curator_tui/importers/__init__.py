"""Roadmap documents → `ParsedRoadmap`, read by meaning.

Formats: the text-table export (tab-separated cells, one row per line, prose around), Word
(.docx; .doc and .rtf through LibreOffice), OpenDocument (.odt, .ods), Excel (.xlsx, .xls),
saved web pages (.html, .htm) and PDF with a text layer. The extension says which formats
are accepted; the content says which reader reads the file (`readers.sniffing`). Readers
turn a file into paragraphs and rows (`source`); `layout`
finds the table by its column names and reads sections and activities; `prose` reads the
issuer, heading and year from the text above the table, `municipality` the district named
there. Every failure is a
`RoadmapImportError` whose message, in Russian, names the file and the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from curator_tui.domain.parsed import ParsedRoadmap
from curator_tui.importers.docx_table import read_docx_table
from curator_tui.importers.errors import RoadmapImportError
from curator_tui.importers.layout import read_table
from curator_tui.importers.municipality import find_municipality
from curator_tui.importers.prose import (
    find_heading,
    find_organisation,
    find_period,
    guess_level,
    is_amendment,
    order_titles,
)
from curator_tui.importers.readers.html_page import read_html
from curator_tui.importers.readers.libreoffice import convert_to_docx
from curator_tui.importers.readers.odf import read_odf
from curator_tui.importers.readers.pdf import read_pdf
from curator_tui.importers.readers.sniffing import Kind, sniff
from curator_tui.importers.readers.spreadsheet import read_xls, read_xlsx
from curator_tui.importers.source import SourceDocument, read_document_bytes
from curator_tui.importers.text_table import read_text_table

__all__ = ["SUPPORTED_SUFFIXES", "RoadmapImportError", "read_roadmap"]

Reader = Callable[[bytes, str], SourceDocument]


def _read_doc(data: bytes, name: str) -> SourceDocument:
    return read_docx_table(convert_to_docx(data, name, ".doc"), name)


def _read_rtf(data: bytes, name: str) -> SourceDocument:
    return read_docx_table(convert_to_docx(data, name, ".rtf"), name)


def _refuse_encrypted(data: bytes, name: str) -> SourceDocument:
    raise RoadmapImportError(
        f"Файл {name} защищён паролем и не может быть прочитан. Откройте его, снимите пароль "
        "(«Файл» → «Сведения» → «Защита») и сохраните заново"
    )


_READERS: dict[Kind, Reader] = {
    Kind.TEXT: read_text_table,
    Kind.DOCX: read_docx_table,
    Kind.DOC: _read_doc,
    Kind.RTF: _read_rtf,
    Kind.ODF: read_odf,
    Kind.XLSX: read_xlsx,
    Kind.XLS: read_xls,
    Kind.HTML: read_html,
    Kind.PDF: read_pdf,
    Kind.ENCRYPTED: _refuse_encrypted,
}
# What the extension promises when the content is not recognisable.
_SUFFIX_KINDS: dict[str, Kind] = {
    ".txt": Kind.TEXT,
    ".tsv": Kind.TEXT,
    ".tab": Kind.TEXT,
    ".text": Kind.TEXT,
    ".docx": Kind.DOCX,
    ".docm": Kind.DOCX,
    ".doc": Kind.DOC,
    ".rtf": Kind.RTF,
    ".odt": Kind.ODF,
    ".ods": Kind.ODF,
    ".xlsx": Kind.XLSX,
    ".xlsm": Kind.XLSX,
    ".xls": Kind.XLS,
    ".html": Kind.HTML,
    ".htm": Kind.HTML,
    ".pdf": Kind.PDF,
}
SUPPORTED_SUFFIXES = tuple(_SUFFIX_KINDS)


def read_roadmap(
    path: Path, *, organisation: str | None = None, year: int | None = None
) -> ParsedRoadmap:
    """Read a roadmap document; `organisation` and `year` override what the text says."""
    path = Path(path)
    promised = _kind_for(path)
    data = read_document_bytes(path)
    document = _READERS[sniff(data) or promised](data, path.name)
    table = read_table(document)
    prose = document.paragraphs_before(table.header_row)
    heading = find_heading(prose)
    titles = order_titles(prose)
    found_organisation = find_organisation(prose)
    deadlines = [activity.deadline_text for activity in table.activities]
    period = find_period(heading, titles, prose, deadlines)
    # An explicit name says the most, but the document's own words still count.
    issuer = f"{organisation or ''} {found_organisation}"
    level = guess_level(issuer, heading or " ".join(titles))
    roadmap = ParsedRoadmap(
        organisation=" ".join((organisation or "").split()) or found_organisation,
        level=level,
        municipality=find_municipality(prose, level),
        title=heading or (titles[0] if titles else ""),
        year=period.year,
        school_year=period.school_year,
        amendment=is_amendment(prose, heading),
        source_name=path.name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        sections=table.sections,
        activities=table.activities,
        warnings=[*document.notes, *table.warnings],
    )
    if year is not None:
        roadmap.year, roadmap.school_year = year, None
    return roadmap


def _kind_for(path: Path) -> Kind:
    kind = _SUFFIX_KINDS.get(path.suffix.lower())
    if kind is None:
        shown = f"«{path.suffix}»" if path.suffix else "без расширения"
        raise RoadmapImportError(
            f"Файл {path.name}: формат {shown} не поддерживается. Сохраните дорожную карту "
            "как документ Word (.docx, .doc, .rtf, .odt), таблицу (.xlsx, .xls, .ods), "
            "веб-страницу (.html), PDF или текстовую таблицу с табуляциями (.txt)"
        )
    return kind
