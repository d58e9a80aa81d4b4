"""Monthly report speed on a coordinator's hub: 3,000 schools × 60 activities.

The hub is built once through the real pipeline (`save_roadmap`, the real deadline parser,
statuses and evidence as operations) and cached under bench/.cache/, keyed by what shapes
its contents (see `hub_key`), so a changed schema or parser output rebuilds it. Then, on that hub:
- the report model (`build_monthly_report`: the summary and the lists, SQLite);
- the XLSX report as `curator report` writes it (model + workbook + atomic save);
- baseline, in the same run: openpyxl (write-only, as ours) writing the same rows × columns
  as plain values, no styles, no widths, no filter; the ratio is what formatting costs;
- for scale, DOCX, Markdown and CSV of the same model.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from bench.import_bench import DEADLINES
from curator_tui.domain.models import (
    EvidenceKind,
    OrgLevel,
    Period,
    Status,
)
from curator_tui.domain.ops import Action, Entity, new_id
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.domain.schedule import parse_deadline
from curator_tui.reports.columns import FLAT_ACTIVITY_COLUMNS, SUMMARY_COLUMNS, flat_activities
from curator_tui.reports.model import MonthlyReport, build_monthly_report
from curator_tui.reports.output import ReportFormat, save_report
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
SCHOOLS = 3000
ACTIVITIES = 60
YEAR = 2025
MONTH = date(2025, 11, 1)
TODAY = date(2025, 12, 10)
# Bump when the way the hub is built below changes: the cache key cannot see that.
HUB_VERSION = 1


def hub_key() -> str:
    """What decides the cached hub's contents: the schema, what the deadline parser makes of
    the phrases used, the hub's size and HUB_VERSION. Edits elsewhere keep the cache."""
    period = Period.calendar_year(YEAR)
    schedules = [parse_deadline(text, period).to_json() for text in DEADLINES]
    digest = hashlib.sha256(json.dumps([HUB_VERSION, SCHOOLS, ACTIVITIES, schedules]).encode())
    for migration in sorted((ROOT / "db").glob("*.sql")):
        digest.update(migration.read_bytes())
    return digest.hexdigest()[:12]


def school_roadmap(index: int) -> ParsedRoadmap:
    return ParsedRoadmap(
        organisation=f"МБОУ «Средняя общеобразовательная школа № {index + 1}»",
        level=OrgLevel.SCHOOL,
        title="Дорожная карта реализации проекта «500+»",
        year=YEAR,
        sections=["Организационные мероприятия", "Методическая работа"],
        activities=[
            ParsedActivity(
                number=f"{n // 30 + 1}.{n % 30 + 1}",
                title=f"Мероприятие {n + 1} по повышению качества образования",
                responsible="Заместитель директора по УВР",
                deadline_text=DEADLINES[(n + index) % len(DEADLINES)],
                section=("Организационные мероприятия", "Методическая работа")[n // 30],
            )
            for n in range(ACTIVITIES)
        ],
    )


def progress_changes(store: Store, roadmap_id: str, index: int) -> list[Change]:
    """About 40 % done (two in three of them with a link), 20 % in progress, a few cancelled."""
    changes: list[Change] = []
    for n, row in enumerate(store.activities(roadmap_id)):
        bucket = (n * 7 + index) % 10
        status = (
            Status.DONE
            if bucket < 4
            else Status.IN_PROGRESS
            if bucket < 6
            else Status.CANCELLED
            if bucket == 9
            else None
        )
        if status is not None:
            changes.append(Change(Entity.ACTIVITY, row["id"], Action.SET, "status", status.value))
        if status is Status.DONE and bucket < 3:
            # The value attach_link records, batched: one transaction per school, not per link.
            url = f"https://school{index + 1}.example/news/{n}"
            value = {
                "activity_id": row["id"],
                "kind": EvidenceKind.LINK.value,
                "title": f"Новость о мероприятии {n + 1}",
                "note": "",
                "original_name": "",
                "size": 0,
                "sha256": "",
                "url": url,
                "device_id": store.device_id,
            }
            changes.append(Change(Entity.EVIDENCE, new_id(), Action.CREATE, value=value))
    return changes


def build_hub(path: Path) -> float:
    for stale in CACHE.glob("report_hub_*.db*"):
        stale.unlink()
    start = time.perf_counter()
    with Store.open(path, create=True) as store:
        for index in range(SCHOOLS):
            summary = save_roadmap(store, school_roadmap(index))
            store.record(progress_changes(store, summary.roadmap_id, index))
            if index % 500 == 499:
                elapsed = time.perf_counter() - start
                print(f"  built {index + 1} schools, {elapsed:.0f} s", flush=True)
    return time.perf_counter() - start


def ensure_hub() -> tuple[Path, float | None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"report_hub_{hub_key()}.db"
    if path.exists():
        return path, None
    print(f"building the hub ({SCHOOLS} schools × {ACTIVITIES} activities) …", flush=True)
    scratch = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(str(scratch) + suffix).unlink(missing_ok=True)
    seconds = build_hub(scratch)
    with Store.open(scratch) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):  # checkpointed: the main file holds everything
        Path(str(scratch) + suffix).unlink(missing_ok=True)
    scratch.rename(path)
    return path, seconds


def timed(action: Callable[[], object], repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def plain_workbook(rows: list[list[object]], summary: list[list[object]], path: Path) -> None:
    """The floor: the same cells as bare values in a write-only workbook."""
    workbook = Workbook(write_only=True)
    for name, table in (("Сводка", summary), ("Мероприятия", rows)):
        sheet = workbook.create_sheet(name)
        for row in table:
            sheet.append(row)
    workbook.save(path)


def plain_values(report: MonthlyReport) -> tuple[list[list[object]], list[list[object]]]:
    activity_rows = [
        [c.header for c in FLAT_ACTIVITY_COLUMNS],
        *([c.value(a) for c in FLAT_ACTIVITY_COLUMNS] for a in flat_activities(report)),
    ]
    summary_rows = [
        [c.header for c in SUMMARY_COLUMNS],
        *([c.value(s) for c in SUMMARY_COLUMNS] for s in [*report.summaries, report.totals]),
    ]
    return activity_rows, summary_rows


def save_as(report: MonthlyReport, report_format: ReportFormat, folder: Path) -> None:
    save_report(report, report_format, folder / f"r{report_format.extension}", overwrite=True)


def main() -> None:
    path, build_seconds = ensure_hub()
    with Store.open(path) as store:
        activities = store.db.execute("SELECT COUNT(*) FROM activity").fetchone()[0]

        def build() -> MonthlyReport:
            return build_monthly_report(store, MONTH, None, TODAY)

        model_s = timed(build)
        report = build()
    rows = len(flat_activities(report))
    with tempfile.TemporaryDirectory(prefix="curator-report-bench-") as tmp:
        folder = Path(tmp)
        xlsx_s = timed(lambda: save_as(report, ReportFormat.XLSX, folder))
        xlsx_size = (folder / "r.xlsx").stat().st_size
        activity_rows, summary_rows = plain_values(report)
        floor_s = timed(lambda: plain_workbook(activity_rows, summary_rows, folder / "p.xlsx"))
        docx_s = timed(lambda: save_as(report, ReportFormat.DOCX, folder), repeat=1)
        md_s = timed(lambda: save_as(report, ReportFormat.MARKDOWN, folder), repeat=1)
        csv_s = timed(lambda: save_as(report, ReportFormat.CSV, folder), repeat=1)
    cells = (rows + 1) * len(FLAT_ACTIVITY_COLUMNS) + (len(report.schools) + 2) * len(
        SUMMARY_COLUMNS
    )
    result = {
        "schools": len(report.schools),
        "activities": activities,
        "hub_build_s": round(build_seconds, 1) if build_seconds is not None else "cached",
        "report_rows": rows,
        "due_in_month": report.totals.due_in_month,
        "overdue": report.totals.overdue,
        "cells": cells,
        "model_s": round(model_s, 2),
        "xlsx_write_s": round(xlsx_s, 2),
        "xlsx_total_s": round(model_s + xlsx_s, 2),
        "xlsx_mb": round(xlsx_size / 1e6, 1),
        "plain_openpyxl_s": round(floor_s, 2),
        "ratio_write": round(xlsx_s / floor_s, 2),
        "ratio_total": round((model_s + xlsx_s) / floor_s, 2),
        "docx_s": round(docx_s, 2),
        "markdown_s": round(md_s, 2),
        "csv_s": round(csv_s, 2),
    }
    for key, value in result.items():
        print(f"{key:<18}{value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
