"""The hub dashboard as data: one row per organisation with its figures, its roadmap, who sent
its latest bundle, and whether it is behind or stale (`curator_tui.domain.rules`).

The figures are the monthly report's (`reports.model.school_summaries`), read for every
organisation or for the first screenful only: the table paints from a page of a few dozen
schools read on the UI thread, then a worker reads them all (see `tui/screens/dashboard.py`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from curator_tui.domain.rules import is_behind, is_stale
from curator_tui.reports.model import (
    SchoolSummary,
    name_key,
    organisations_by_id,
    read_summaries,
    report_period,
)
from curator_tui.reports.months import month_start
from curator_tui.store.hub_queries import (
    conflicts_by_organisation,
    last_bundle_devices,
    organisation_rows,
    roadmaps_by_organisation,
)
from curator_tui.store.report_queries import organisations as report_organisations
from curator_tui.store.report_queries import read_snapshot
from curator_tui.store.store import Store


@dataclass(frozen=True)
class DashboardRow:
    summary: SchoolSummary
    roadmap_id: str | None
    roadmap: str  # the roadmap's title and year
    bundle_device: str  # who sent the latest bundle ("" if none)
    stale: bool
    behind: bool
    conflicts: int = 0  # standing conflicts of the organisation and its activities

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def municipality(self) -> str:
        return self.summary.municipality

    @cached_property
    def search_key(self) -> str:
        """What the filter looks in, folded once per row rather than once per keystroke."""
        return name_key(f"{self.name} {self.municipality} {self.roadmap}")


def dashboard_summaries(
    store: Store, today: date, organisations: dict[str, dict] | None = None
) -> list[SchoolSummary]:
    """`school_summaries` for the current month (of every organisation, or of those given)
    without its one costly figure, «due in the month» (it reads every activity's schedule
    windows: 0.8 s of 1.9 s on 180,000 activities), which the dashboard does not show:
    `due_in_month` is 0 here, every other field is the same (a test compares them)."""
    with read_snapshot(store):
        everyone = organisations is None
        if organisations is None:
            organisations = organisations_by_id(report_organisations(store))
        period = report_period(month_start(today), today, organisations, filtered=not everyone)
        return read_summaries(store, period, organisations, {})


def rows_for(
    store: Store, summaries: list[SchoolSummary], today: date, *, every: bool
) -> list[DashboardRow]:
    """Dashboard rows for these summaries; `every`: they are all the file's organisations."""
    ids = None if every else [s.organisation_id for s in summaries]
    roadmaps = roadmaps_by_organisation(store, ids)
    devices = last_bundle_devices(store, ids)
    conflicts = conflicts_by_organisation(store, ids)
    rows = []
    for s in summaries:
        ref = roadmaps.get(s.organisation_id)
        rows.append(
            DashboardRow(
                summary=s,
                roadmap_id=ref.roadmap_id if ref else None,
                roadmap=ref.label if ref else "—",
                bundle_device=devices.get(s.organisation_id, ""),
                stale=is_stale(s.last_bundle, today),
                behind=is_behind(s.overdue, s.due_before_cutoff),
                conflicts=conflicts.get(s.organisation_id, 0),
            )
        )
    return rows


def dashboard_rows(store: Store, today: date) -> list[DashboardRow]:
    """Every organisation's dashboard row (stage 2: a worker thread calls this)."""
    with read_snapshot(store):
        return rows_for(store, dashboard_summaries(store, today), today, every=True)


@dataclass(frozen=True)
class FirstPage:
    rows: list[DashboardRow]  # the first `size` organisations by name, with every figure
    schools: int  # organisations in the file

    @property
    def complete(self) -> bool:
        return len(self.rows) == self.schools


def first_page(store: Store, today: date, size: int) -> FirstPage:
    """Stage 1: the rows the table shows first (name order, as the table sorts by name).

    The names of all organisations are read and ordered here (SQLite cannot fold Cyrillic
    case); the figures are read for the chosen few only.
    """
    with read_snapshot(store):
        everyone = organisation_rows(store)
        chosen = heapq.nsmallest(size, everyone, key=lambda row: (name_key(row[1]), row[0]))
        organisations = {
            org_id: {"id": org_id, "name": name, "level": level, "municipality": municipality}
            for org_id, name, level, municipality in chosen
        }
        every = len(chosen) == len(everyone)
        summaries = dashboard_summaries(store, today, None if every else organisations)
        return FirstPage(rows_for(store, summaries, today, every=every), len(everyone))


@dataclass(frozen=True)
class DashboardTotals:
    """The line above the table: over every row loaded, and how many the filter shows."""

    shown: int
    rows: int
    overdue: int
    behind: int
    stale: int
    conflicts: int = 0


def dashboard_totals(rows: list[DashboardRow], shown: int) -> DashboardTotals:
    return DashboardTotals(
        shown=shown,
        rows=len(rows),
        overdue=sum(r.summary.overdue for r in rows),
        behind=sum(r.behind for r in rows),
        stale=sum(r.stale for r in rows),
        conflicts=sum(r.conflicts for r in rows),
    )
