"""The report as a Word document (python-docx), ready to sign and send to the ministry.

A4 landscape (the tables have 7–13 columns): the title (region, «500+», month) and the
definitions; the month's figures per organisation with municipality subtotals and the
region's total; the roadmap-to-date figures apart; the chart of planned vs done per month (a
picture, `chart_png`); the signature block; then per organisation with anything to list: its
activities due in the month and its overdue ones. An activity due in the month and already
overdue appears in both tables, so each table's row count is exactly the figure in the
summary.

Printed: header rows repeat on every page, no row splits across a page break (`cantSplit`),
each column is at least as wide as its longest word or date (`fitted_widths`: Word and
LibreOffice break a word that does not fit its cell), pages are numbered in the footer, and
the document's language is Russian (properties and the text's `w:lang`, for hyphenation).

Speed: a hub's report has 3,000 organisations and 140,000 table rows. Through python-docx's
objects a row costs about 1.3 ms, and every heading, paragraph or table added to the body
searches the whole body for its section properties, which grows quadratically. So
python-docx makes one of each repeated block (`Blocks`), the writer copies and fills them
(microseconds each) and puts the finished blocks into the body in one pass at the end.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from copy import deepcopy
from typing import Any, BinaryIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.run import Run
from lxml import etree

from curator_tui.reports.chart_png import chart_png
from curator_tui.reports.columns import (
    ACTIVITY_COLUMNS,
    CHART_HEADING,
    DETAILS_HEADING,
    DUE_HEADING,
    MONTH_COLUMNS,
    MONTH_HEADING,
    NOTHING_DUE,
    NOTHING_OVERDUE,
    OVERDUE_HEADING,
    SIGNATURE_HEADING,
    TO_DATE_COLUMNS,
    TO_DATE_HEADING,
    Column,
    as_text,
    clean,
    flat_activities,
    is_total,
    min_width,
    with_reviews,
)
from curator_tui.reports.model import MonthlyReport, ReportActivity, SchoolReport

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(29.7), Cm(21.0), Cm(1.5)
USABLE_WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY_FONT, BODY_SIZE, TABLE_SIZE = "Times New Roman", Pt(11), Pt(9)
# A character of 9-point bold Times (Liberation Serif in LibreOffice), a little over the
# Cyrillic average, and a cell's padding (0.19 cm each side, and a margin): what
# `fitted_widths` reserves for a word.
CHAR_WIDTH, CELL_PADDING = Pt(9 * 0.66), Cm(0.45)
TITLE_SIZE = Pt(18)
TABLE_STYLE = "Table Grid"
LANGUAGE = "ru-RU"
AUTHOR = "Куратор"
CHART_WIDTH = Cm(24)
RUN, TEXT = qn("w:r"), qn("w:t")


def write_docx(report: MonthlyReport, handle: BinaryIO) -> None:
    document = Document()
    set_up_page(document.sections[0])
    set_up_styles(document)
    set_properties(document, report)
    document.add_heading(clean(report.title), level=0)
    for line in report.notes():
        document.add_paragraph(line)
    add_summary_table(document, MONTH_HEADING, MONTH_COLUMNS, report)
    add_summary_table(document, TO_DATE_HEADING.format(day=report.made_on), TO_DATE_COLUMNS, report)
    if report.chart:
        document.add_heading(CHART_HEADING, level=1)
        document.add_picture(io.BytesIO(chart_png(report.chart)), width=CHART_WIDTH)
    add_signature(document, report)
    document.add_heading(DETAILS_HEADING, level=1).paragraph_format.page_break_before = True
    if not report.listed_schools:
        document.add_paragraph(report.no_data_message())
    columns = with_reviews(report, ACTIVITY_COLUMNS)
    texts = [[as_text(c.value(a)) for c in columns] for a in flat_activities(report)]
    blocks = Blocks(document, columns, fitted_widths(columns, texts))
    place_before_section_end(document, school_blocks(blocks, report.listed_schools))
    document.save(handle)


def add_summary_table(
    document: DocumentObject, heading: str, columns: Sequence[Column[Any]], report: MonthlyReport
) -> None:
    document.add_heading(heading, level=1)
    rows = report.summary_rows()
    widths = fitted_widths(columns, [[as_text(c.value(r)) for c in columns] for r in rows])
    table = Blocks(document, columns, widths).table(rows, bold=is_total)
    place_before_section_end(document, [table])


def add_signature(document: DocumentObject, report: MonthlyReport) -> None:
    heading = document.add_heading(SIGNATURE_HEADING, level=1)
    heading.paragraph_format.keep_with_next = True
    lines = report.signature.lines(report.made_on)
    for index, line in enumerate(lines):
        paragraph = document.add_paragraph(clean(line))
        paragraph.paragraph_format.keep_with_next = index < len(lines) - 1


def set_properties(document: DocumentObject, report: MonthlyReport) -> None:
    properties = document.core_properties
    properties.title = clean(report.title)
    properties.author = clean(report.signature.name) or AUTHOR
    properties.language = LANGUAGE
    properties.subject = f"Проект «500+», {report.period}"
    properties.comments = report.notes()[1]


def fitted_widths(columns: Sequence[Column[Any]], rows: Sequence[Sequence[str]]) -> list[int]:
    """Column widths (EMU) sharing the page in the columns' proportions, none narrower than
    its longest word or date: the columns that would be are fixed at that, the rest shared."""
    needs = [
        int(min_width(c, (row[i] for row in rows)) * CHAR_WIDTH + CELL_PADDING)
        for i, c in enumerate(columns)
    ]
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(columns)) if i not in fixed]
        room = USABLE_WIDTH - sum(fixed.values())
        share = sum(columns[i].width for i in free)
        proposed = {i: int(room * columns[i].width / share) for i in free} if share else {}
        short = {i: needs[i] for i, width in proposed.items() if width < needs[i]}
        if not short:
            return [fixed.get(i, proposed.get(i, 0)) for i in range(len(columns))]
        fixed.update(short)
        if len(fixed) == len(columns):  # more than a page's width: the needs, scaled down
            total = sum(needs)
            return [int(USABLE_WIDTH * need / total) for need in needs]


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
    """A4 landscape (python-docx's template is US Letter portrait), pages numbered below."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Страница ")
    add_field(footer.add_run(), "PAGE")
    footer.add_run(" из ")
    add_field(footer.add_run(), "NUMPAGES")


def add_field(run: Run, instruction: str) -> None:
    """A field Word and LibreOffice compute when they lay out the pages (PAGE, NUMPAGES)."""
    begin, code, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, end):
        run._r.append(element)


def set_up_styles(document: DocumentObject) -> None:
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    # Word takes Cyrillic text's font from the east-Asian/complex slots unless told otherwise.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), BODY_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    document.styles["Title"].font.size = TITLE_SIZE
    # The text's language, for Word's and LibreOffice's hyphenation and spelling.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    for rpr in (normal.element.get_or_add_rPr(), properties):
        if rpr is None:
            continue
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)


class Blocks:
    """One of each repeated block, made by python-docx and taken out of the body, to copy."""

    def __init__(
        self, document: DocumentObject, columns: Sequence[Column[Any]], widths: Sequence[int]
    ) -> None:
        self.columns = columns
        self.headings = {level: heading_template(document, level) for level in (2, 3)}
        self.plain = detach(document.add_paragraph(" ")._p)
        table = empty_table(document, columns, widths)
        self.row = detach(body_row(table, bold=False))
        self.bold_row = detach(body_row(table, bold=True))  # «Итого»
        self.empty_table = detach(table._tbl)

    def heading(self, text: str, level: int) -> BaseOxmlElement:
        return filled(self.headings[level], [clean(text)])

    def paragraph(self, text: str) -> BaseOxmlElement:
        return filled(self.plain, [clean(text)])

    def table(
        self, rows: Sequence[Any], *, bold: Callable[[Any], bool] | None = None
    ) -> BaseOxmlElement:
        table = deepcopy(self.empty_table)
        for row in rows:
            texts = [as_text(c.value(row)) for c in self.columns]
            look = self.bold_row if bold is not None and bold(row) else self.row
            table.append(filled(look, texts))
        return table


def heading_template(document: DocumentObject, level: int) -> BaseOxmlElement:
    """A heading to copy; it stays on the page of the table it names (`keep_with_next`)."""
    heading = document.add_heading(" ", level=level)
    heading.paragraph_format.keep_with_next = True
    return detach(heading._p)


def empty_table(
    document: DocumentObject, columns: Sequence[Column[Any]], widths: Sequence[int]
) -> Table:
    """A styled table with its column widths and a header row repeated on each page."""
    table = document.add_table(rows=0, cols=len(columns))
    table.style = document.styles[TABLE_STYLE]
    table.autofit = False
    # Set before any row: python-docx copies the grid widths into each new row's cells.
    for grid_column, width in zip(table.columns, widths, strict=True):
        grid_column.width = width
    header = table.add_row()
    repeat_on_each_page(header._tr)
    keep_on_one_page(header._tr)
    for cell, column in zip(header.cells, columns, strict=True):
        table_run(cell.paragraphs[0].add_run(column.header), bold=True)
    return table


def body_row(table: Table, *, bold: bool) -> CT_Row:
    row = table.add_row()
    for cell in row.cells:
        table_run(cell.paragraphs[0].add_run(" "), bold=bold)
    keep_on_one_page(row._tr)
    return row._tr


def table_run(run: Run, *, bold: bool) -> None:
    # On the run: a table style's size yields to the paragraph style's (Normal, 11 pt).
    run.font.size = TABLE_SIZE
    run.bold = bold or None


def keep_on_one_page(row: CT_Row) -> None:
    """`w:cantSplit`: a row moves to the next page whole rather than break across two."""
    row.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


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
