"""What every reader produces: the document as paragraphs and table rows, in order.

Readers (text export, Word) only split a file into this shape; the by-meaning work happens
in `layout` and `prose`, so every format gets the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    """A line of prose outside any table; blank paragraphs are kept (they separate blocks)."""

    text: str
    where: str


@dataclass(frozen=True)
class SourceRow:
    """One table row as cell strings.

    `where` names the row for warnings («Строка 42»); rows of one `segment` were printed
    together (one page of the text export, one table of a Word file), which is what tells
    a phantom column of one page from another page's. `table` tells separate Word tables
    apart (the text export is one stream, table 0).
    """

    cells: tuple[str, ...]
    where: str
    segment: int
    table: int = 0


Item = Paragraph | SourceRow


@dataclass(frozen=True)
class SourceDocument:
    name: str
    items: tuple[Item, ...]

    @property
    def rows(self) -> list[SourceRow]:
        return [item for item in self.items if isinstance(item, SourceRow)]

    def paragraphs_before(self, row: SourceRow) -> list[str]:
        """Prose above the given row: where the issuer, heading and year are written."""
        texts: list[str] = []
        for item in self.items:
            if item is row:
                break
            if isinstance(item, Paragraph):
                texts.append(item.text)
        return texts
