"""Monthly report speed on a coordinator's hub: 3,000 schools × 60 activities.

The hub is bench/hub_bench's (`ensure_setup`: roadmaps through the real `save_roadmap`, one
signed bundle per school), with every bundle imported through the real import once, cached
under bench/.cache/ beside it. The report is for April 2025, the month the bundles' changes
(statuses, notes) were made in. Measured in one run:
- the report model (`build_monthly_report`: summaries, lists, notes, chart; SQLite);
- the XLSX report as `curator report` writes it (workbook + atomic save) vs the floor:
  XlsxWriter in `constant_memory` mode writing the same cells as bare values (no formats,
  widths, heights, page setup or chart), in the same run. Target ≤ 1.5×. Also against the
  styled floor: XlsxWriter writing the same cells with the same cell formats and row heights,
  all computed beforehand — what the styling itself costs in XlsxWriter, so that the ratio
  shows our own overhead (the model's values, the wrapped-line counts) alone;
- the DOCX report vs python-docx writing the same tables through its public API
  (`add_table`, `add_row`, `cell.text`). python-docx takes about 1.3 ms a row and grows with
  the body, so by default both write the report of the first DOCX_SCHOOLS schools;
  CURATOR_BENCH_DOCX_SCHOOLS=3000 runs the whole hub (several minutes);
- for scale, Markdown and CSV of the whole model.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
from xlsxwriter import Workbook

from bench import hub_bench
from curator_tui.reports.columns import (
    ACTIVITY_COLUMNS,
    FLAT_ACTIVITY_COLUMNS,
    MONTH_COLUMNS,
    TO_DATE_COLUMNS,
    Column,
    Kind,
    as_text,
    flat_activities,
    line_count,
    with_reviews,
)
from curator_tui.reports.docx_writer import write_docx
from curator_tui.reports.model import MonthlyReport, build_monthly_report
from curator_tui.reports.output import ReportFormat, save_report
from curator_tui.reports.xlsx_writer import (
    LINE_HEIGHT,
    column_widths,
    excel_value,
    make_formats,
    write_cell,
)
from curator_tui.store.store import Store
from curator_tui.sync.importing import import_bundles

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
MONTH = date(2025, 4, 1)
TODAY = hub_bench.TODAY
DOCX_SCHOOLS = int(os.environ.get("CURATOR_BENCH_DOCX_SCHOOLS", "300"))


def ensure_hub() -> tuple[Path, float | None]:
    """hub_bench's hub with every school's bundle imported (built once, then cached)."""
    template, bundles = hub_bench.ensure_setup()
    target = template.with_name("report-hub.db")
    if target.exists():
        return target, None
    print(f"importing {len(bundles)} bundles into a copy of the hub …", flush=True)
    with tempfile.TemporaryDirectory(prefix="curator-report-hub-", dir=template.parent) as tmp:
        scratch = hub_bench.fresh_copy(template, Path(tmp))
        start = time.perf_counter()
        import_bundles(scratch, bundles)
        seconds = time.perf_counter() - start
        with Store.open(scratch) as store:
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.move(hub_bench.replica_files(scratch), hub_bench.replica_files(target))
        scratch.rename(target)
    return target, seconds


def timed(action: Callable[[], object], repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def table(columns: Sequence[Column[Any]], rows: Sequence[Any]) -> list[list[Any]]:
    return [
        [c.header for c in columns],
        *([excel_value(c.value(r)) for c in columns] for r in rows),
    ]


def xlsx_cells(report: MonthlyReport) -> dict[str, list[list[Any]]]:
    """The cells of the report's four sheets, as values (the title and notes included)."""
    summary = report.summary_rows()
    top = [[report.title], *([line] for line in report.notes()), []]
    chart = [["Месяц", "Запланировано", "Выполнено"]]
    chart += [[f"{p.month:%m.%Y}", p.planned, p.done] for p in report.chart]
    return {
        "Сводка": [*top, *table(MONTH_COLUMNS, summary)],
        "Нарастающий итог": [[report.title], *table(TO_DATE_COLUMNS, summary)],
        "Мероприятия": table(FLAT_ACTIVITY_COLUMNS, flat_activities(report)),
        "Динамика": chart,
    }


def plain_xlsx(sheets: dict[str, list[list[Any]]], path: Path) -> None:
    """The floor: the same cells as bare values, XlsxWriter in constant_memory mode."""
    workbook = Workbook(str(path), {"constant_memory": True})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    workbook.close()


StyledRow = tuple[float | None, list[tuple[Any, Kind]]]  # the row's height; value and kind


def styled_table(columns: Sequence[Column[Any]], rows: Sequence[Any]) -> list[StyledRow]:
    widths = column_widths(columns)
    out: list[StyledRow] = [(None, [(c.header, Kind.TEXT) for c in columns])]
    for row in rows:
        values = [excel_value(c.value(row)) for c in columns]
        lines = max(
            (
                line_count(v, w)
                for v, w, c in zip(values, widths, columns, strict=True)
                if c.kind is Kind.LONG_TEXT
            ),
            default=1,
        )
        height = LINE_HEIGHT * lines if lines > 1 else None
        out.append((height, [(v, c.kind) for v, c in zip(values, columns, strict=True)]))
    return out


def styled_cells(report: MonthlyReport) -> dict[str, list[StyledRow]]:
    summary = report.summary_rows()
    activity_columns = with_reviews(report, FLAT_ACTIVITY_COLUMNS)
    return {
        "Сводка": styled_table(MONTH_COLUMNS, summary),
        "Нарастающий итог": styled_table(TO_DATE_COLUMNS, summary),
        "Мероприятия": styled_table(activity_columns, flat_activities(report)),
    }


def styled_xlsx(sheets: dict[str, list[StyledRow]], path: Path) -> None:
    """The styled floor: the cells' formats and heights known, only XlsxWriter left to run."""
    workbook = Workbook(str(path), {"constant_memory": True})
    looks = make_formats(workbook).body
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for index, (height, cells) in enumerate(rows):
            if height is not None:
                sheet.set_row(index, height)
            for column, (value, kind) in enumerate(cells):
                write_cell(sheet, index, column, value, looks[kind])
    workbook.close()


def plain_docx(report: MonthlyReport, path: Path) -> None:
    """The floor for DOCX: python-docx's public API writing the same tables' text."""
    document = docx.Document()
    document.add_heading(report.title, level=0)
    summary = report.summary_rows()
    for columns in (MONTH_COLUMNS, TO_DATE_COLUMNS):
        add_plain_table(document, columns, summary)
    for school in report.listed_schools:
        document.add_heading(school.name, level=2)
        for listed in (school.due, school.overdue):
            if listed:
                add_plain_table(document, ACTIVITY_COLUMNS, listed)
    document.save(str(path))


def add_plain_table(document: Any, columns: Sequence[Column[Any]], rows: Sequence[Any]) -> None:
    plain = document.add_table(rows=0, cols=len(columns))
    header = plain.add_row().cells
    for cell, column in zip(header, columns, strict=True):
        cell.text = column.header
    for row in rows:
        cells = plain.add_row().cells
        for cell, column in zip(cells, columns, strict=True):
            cell.text = as_text(column.value(row))


def save_as(report: MonthlyReport, report_format: ReportFormat, folder: Path) -> None:
    save_report(report, report_format, folder / f"r{report_format.extension}", overwrite=True)


def write_our_docx(report: MonthlyReport, path: Path) -> None:
    with path.open("wb") as handle:
        write_docx(report, handle)


def main() -> None:
    path, import_seconds = ensure_hub()
    with Store.open(path) as store:
        activities = store.db.execute("SELECT COUNT(*) FROM activity").fetchone()[0]

        def build() -> MonthlyReport:
            return build_monthly_report(store, MONTH, None, TODAY)

        model_s = timed(build)
        report = build()
    rows = len(flat_activities(report))
    part = replace(report, schools=report.schools[:DOCX_SCHOOLS])
    with tempfile.TemporaryDirectory(prefix="curator-report-bench-") as tmp:
        folder = Path(tmp)
        xlsx_s = timed(lambda: save_as(report, ReportFormat.XLSX, folder))
        xlsx_size = (folder / "r.xlsx").stat().st_size
        sheets = xlsx_cells(report)
        floor_s = timed(lambda: plain_xlsx(sheets, folder / "p.xlsx"))
        styled = styled_cells(report)
        styled_s = timed(lambda: styled_xlsx(styled, folder / "s.xlsx"))
        docx_s = timed(lambda: write_our_docx(part, folder / "part.docx"), repeat=1)
        plain_docx_s = timed(lambda: plain_docx(part, folder / "plain.docx"), repeat=1)
        md_s = timed(lambda: save_as(report, ReportFormat.MARKDOWN, folder), repeat=1)
        csv_s = timed(lambda: save_as(report, ReportFormat.CSV, folder), repeat=1)
    notes = sum(len(a.notes) for a in flat_activities(report))
    result = {
        "schools": len(report.schools),
        "activities": activities,
        "hub_import_s": round(import_seconds, 1) if import_seconds is not None else "cached",
        "report_rows": rows,
        "notes_of_the_month": notes,
        "due_in_month": report.summary_rows()[-1].month.due,
        "cells": sum(len(r) for rows_ in sheets.values() for r in rows_),
        "model_s": round(model_s, 2),
        "xlsx_write_s": round(xlsx_s, 2),
        "xlsx_mb": round(xlsx_size / 1e6, 1),
        "plain_xlsxwriter_s": round(floor_s, 2),
        "ratio_xlsx": round(xlsx_s / floor_s, 2),
        "styled_xlsxwriter_s": round(styled_s, 2),
        "ratio_xlsx_styled": round(xlsx_s / styled_s, 2),
        "docx_schools": len(part.schools),
        "docx_s": round(docx_s, 2),
        "plain_python_docx_s": round(plain_docx_s, 2),
        "ratio_docx": round(docx_s / plain_docx_s, 2),
        "markdown_s": round(md_s, 2),
        "csv_s": round(csv_s, 2),
    }
    for key, value in result.items():
        print(f"{key:<22}{value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
