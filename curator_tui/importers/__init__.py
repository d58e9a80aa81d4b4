"""Roadmap documents → `ParsedRoadmap`, read by meaning.

Two formats: the text-table export (tab-separated cells, one row per line, prose around)
and Word .docx tables. Readers turn a file into paragraphs and rows (`source`); `layout`
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
from curator_tui.importers.source import SourceDocument, read_document_bytes
from curator_tui.importers.text_table import read_text_table

__all__ = ["SUPPORTED_SUFFIXES", "RoadmapImportError", "read_roadmap"]

Reader = Callable[[bytes, str], SourceDocument]
_READERS: dict[str, Reader] = {
    ".txt": read_text_table,
    ".tsv": read_text_table,
    ".tab": read_text_table,
    ".text": read_text_table,
    ".docx": read_docx_table,
}
SUPPORTED_SUFFIXES = tuple(_READERS)


def read_roadmap(
    path: Path, *, organisation: str | None = None, year: int | None = None
) -> ParsedRoadmap:
    """Read a roadmap document; `organisation` and `year` override what the text says."""
    path = Path(path)
    reader = _reader_for(path)
    data = read_document_bytes(path)
    document = reader(data, path.name)
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
        warnings=table.warnings,
    )
    if year is not None:
        roadmap.year, roadmap.school_year = year, None
    return roadmap


def _reader_for(path: Path) -> Reader:
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        shown = f"«{path.suffix}»" if path.suffix else "без расширения"
        raise RoadmapImportError(
            f"Файл {path.name}: формат {shown} не поддерживается. Сохраните дорожную карту "
            "как документ Word (.docx) или как текстовую таблицу с табуляциями (.txt)"
        )
    return reader
