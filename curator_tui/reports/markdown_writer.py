"""The report as Markdown (GitHub-flavoured tables), for a chat, a wiki or a quick look.

The same sections as the Word document. Inside a cell `|` is escaped, `<`/`>` are written as
entities (a roadmap title must not become HTML) and line breaks become `<br>`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import BinaryIO

from curator_tui.reports.columns import (
    ACTIVITY_COLUMNS,
    CHART_DONE,
    CHART_HEADING,
    CHART_PLANNED,
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
    Kind,
    Row,
    as_text,
    with_reviews,
)
from curator_tui.reports.model import MonthlyReport, ReportActivity
from curator_tui.reports.months import month_title

RIGHT_ALIGNED = {Kind.NUMBER, Kind.PERCENT}


def write_markdown(report: MonthlyReport, handle: BinaryIO) -> None:
    for line in markdown_lines(report):
        handle.write(line.encode("utf-8") + b"\n")


def markdown_lines(report: MonthlyReport) -> Iterator[str]:
    yield f"# {inline(report.title)}"
    yield ""
    for line in report.notes():
        yield f"{inline(line)}  "  # two spaces: a line break without a new paragraph
    yield ""
    rows = report.summary_rows()
    for heading, columns in (
        (MONTH_HEADING, MONTH_COLUMNS),
        (TO_DATE_HEADING.format(day=report.made_on), TO_DATE_COLUMNS),
    ):
        yield f"## {heading}"
        yield ""
        yield from table(columns, rows)
        yield ""
    if report.chart:
        yield f"## {CHART_HEADING}"
        yield ""
        yield table_line(["Месяц", CHART_PLANNED, CHART_DONE])
        yield table_line(["---", "---:", "---:"])
        for point in report.chart:
            yield table_line([month_title(point.month), str(point.planned), str(point.done)])
        yield ""
    yield f"## {SIGNATURE_HEADING}"
    yield ""
    for line in report.signature.lines(report.made_on):
        yield f"{inline(line)}  "
    yield ""
    yield f"## {DETAILS_HEADING}"
    yield ""
    if not report.listed_schools:
        yield report.no_data_message()
        yield ""
    listed = with_reviews(report, ACTIVITY_COLUMNS)
    for school in report.listed_schools:
        yield f"### {inline(school.name)}"
        yield ""
        yield from activity_list(listed, DUE_HEADING, school.due, NOTHING_DUE)
        yield from activity_list(listed, OVERDUE_HEADING, school.overdue, NOTHING_OVERDUE)


def activity_list(
    columns: Sequence[Column[ReportActivity]],
    heading: str,
    activities: list[ReportActivity],
    nothing: str,
) -> Iterator[str]:
    yield f"#### {heading} ({len(activities)})"
    yield ""
    if activities:
        yield from table(columns, activities)
    else:
        yield nothing
    yield ""


def table(columns: Sequence[Column[Row]], rows: Sequence[Row]) -> Iterator[str]:
    yield table_line(inline(c.header) for c in columns)
    yield table_line("---:" if c.kind in RIGHT_ALIGNED else "---" for c in columns)
    for row in rows:
        yield table_line(inline(as_text(c.value(row))) for c in columns)


def table_line(cells: Iterator[str] | Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def inline(text: str) -> str:
    """Text safe inside a table cell or a heading."""
    escaped = (
        text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    )
    return "<br>".join(line.strip() for line in escaped.splitlines()) if escaped else ""
