"""The report as a Word document (python-docx), ready to sign and send to the ministry.

A4 landscape (the tables have 7–10 columns), the title and definitions, the summary table,
then per organisation with anything to list: its activities due in the month and its overdue
ones. An activity due in the month and already overdue appears in both tables, so each
table's row count is exactly the figure in the summary. Header rows repeat on every page.

Speed: a hub's report has 3,000 organisations and 140,000 table rows. Through python-docx's
objects a row costs about 1.3 ms, and every heading, paragraph or table added to the body
searches the whole body for its section properties, which grows quadratically. So
python-docx makes one of each repeated block (`Blocks`), the writer copies and fills them
(microseconds each) and puts the finished blocks into the body in one pass at the end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from copy import deepcopy
from typing import Any, BinaryIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Cm, Pt
from docx.table import Table
from lxml import etree

from curator_tui.reports.columns import (
    ACTIVITY_COLUMNS,
    DETAILS_HEADING,
    DUE_HEADING,
    NOTHING_DUE,
    NOTHING_OVERDUE,
    OVERDUE_HEADING,
    SUMMARY_COLUMNS,
    SUMMARY_HEADING,
    Column,
    as_text,
    clean,
    summary_rows,
)
from curator_tui.reports.model import MonthlyReport, ReportActivity, SchoolReport

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(29.7), Cm(21.0), Cm(1.5)
BODY_FONT, BODY_SIZE, TABLE_SIZE = "Times New Roman", Pt(11), Pt(9)
TABLE_STYLE = "Table Grid"
RUN, TEXT = qn("w:r"), qn("w:t")


def write_docx(report: MonthlyReport, handle: BinaryIO) -> None:
    document = Document()
    set_up_page(document.sections[0])
    set_up_styles(document)
    document.add_heading(clean(report.title), level=0)
    for line in report.notes():
        document.add_paragraph(line)
    document.add_heading(SUMMARY_HEADING, level=1)
    summary = Blocks(document, SUMMARY_COLUMNS).table(summary_rows(report), bold_last_row=True)
    place_before_section_end(document, [summary])
    document.add_heading(DETAILS_HEADING, level=1)
    if not report.listed_schools:
        document.add_paragraph(report.no_data_message())
    blocks = Blocks(document, ACTIVITY_COLUMNS)
    place_before_section_end(document, school_blocks(blocks, report.listed_schools))
    document.save(handle)


def school_blocks(blocks: Blocks, schools: list[SchoolReport]) -> Iterator[BaseOxmlElement]:
    for school in schools:
        yield blocks.heading(school.name, level=2)
        yield from activity_list(blocks, DUE_HEADING, school.due, NOTHING_DUE)
        yield from activity_list(blocks, OVERDUE_HEADING, school.overdue, NOTHING_OVERDUE)


def activity_list(
    blocks: Blocks, heading: str, activities: list[ReportActivity], nothing: str
) -> Iterator[BaseOxmlElement]:
    yield blocks.heading(f"{heading} ({len(activities)})", level=3)
    yield blocks.table(activities) if activities else blocks.paragraph(nothing)


def set_up_page(section: Section) -> None:
    """A4 landscape: python-docx's template is US Letter portrait."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def set_up_styles(document: DocumentObject) -> None:
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    # Word takes Cyrillic text's font from the east-Asian/complex slots unless told otherwise.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), BODY_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    document.styles[TABLE_STYLE].font.size = TABLE_SIZE


class Blocks:
    """One of each repeated block, made by python-docx and taken out of the body, to copy."""

    def __init__(self, document: DocumentObject, columns: Sequence[Column[Any]]) -> None:
        self.columns = columns
        self.headings = {
            level: detach(document.add_heading(" ", level=level)._p) for level in (2, 3)
        }
        self.plain = detach(document.add_paragraph(" ")._p)
        table = empty_table(document, columns)
        self.row = detach(body_row(table, bold=False))
        self.bold_row = detach(body_row(table, bold=True))  # «Итого»
        self.empty_table = detach(table._tbl)

    def heading(self, text: str, level: int) -> BaseOxmlElement:
        return filled(self.headings[level], [clean(text)])

    def paragraph(self, text: str) -> BaseOxmlElement:
        return filled(self.plain, [clean(text)])

    def table(self, rows: Sequence[Any], *, bold_last_row: bool = False) -> BaseOxmlElement:
        table = deepcopy(self.empty_table)
        for index, row in enumerate(rows):
            bold = bold_last_row and index == len(rows) - 1
            texts = [as_text(c.value(row)) for c in self.columns]
            table.append(filled(self.bold_row if bold else self.row, texts))
        return table


def empty_table(document: DocumentObject, columns: Sequence[Column[Any]]) -> Table:
    """A styled table with its column widths and a header row repeated on each page."""
    table = document.add_table(rows=0, cols=len(columns))
    table.style = document.styles[TABLE_STYLE]
    table.autofit = False
    usable = PAGE_WIDTH - 2 * MARGIN
    total = sum(column.width for column in columns)
    # Set before any row: python-docx copies the grid widths into each new row's cells.
    for grid_column, column in zip(table.columns, columns, strict=True):
        grid_column.width = int(usable * column.width / total)
    header = table.add_row()
    repeat_on_each_page(header._tr)
    for cell, column in zip(header.cells, columns, strict=True):
        cell.paragraphs[0].add_run(column.header).bold = True
    return table


def body_row(table: Table, *, bold: bool) -> CT_Row:
    row = table.add_row()
    for cell in row.cells:
        cell.paragraphs[0].add_run(" ").bold = bold or None
    return row._tr


def repeat_on_each_page(row: CT_Row) -> None:
    """Mark a row as the table's header row (`w:tblHeader`): Word repeats it after breaks."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row.get_or_add_trPr().append(flag)


def detach(element: BaseOxmlElement) -> BaseOxmlElement:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)
    return element


def filled(template: BaseOxmlElement, texts: list[str]) -> BaseOxmlElement:
    """A copy of `template` with its runs' texts replaced, in order."""
    copy = deepcopy(template)
    for run, text in zip(copy.iter(RUN), texts, strict=True):
        fill_run(run, text)
    return copy


def fill_run(run: etree._Element, text: str) -> None:
    """Put text into a run, line breaks as `w:br` (what python-docx's `Run.text` does)."""
    first, *more = text.splitlines() or [""]
    first_text = run.find(TEXT)
    if first_text is None:
        raise ValueError("a template run holds no w:t")  # our own template: a bug, not input
    first_text.text = first
    for line in more:
        run.append(OxmlElement("w:br"))
        element = OxmlElement("w:t")
        element.set(qn("xml:space"), "preserve")
        element.text = line
        run.append(element)


def place_before_section_end(
    document: DocumentObject, blocks: Iterator[BaseOxmlElement] | list[BaseOxmlElement]
) -> None:
    """Append blocks to the body: each goes just before the section properties (O(1))."""
    end = document.element.body.sectPr
    for block in blocks:
        end.addprevious(block)
