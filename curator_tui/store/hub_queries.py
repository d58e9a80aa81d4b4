"""Reads behind the coordinator's hub dashboard (per-school rows) and its progress chart.

The per-school counts come from `curator_tui.reports.model.school_summaries` (the same
numbers as the monthly report); this module adds what the dashboard shows besides them:
each organisation's roadmap and the device of its latest bundle (for every organisation or a
page of them), the cheap list of organisations the first page is chosen from, and the
planned/done series per month.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from curator_tui.store.database import query_dicts
from curator_tui.store.setting_keys import COVERED_PREFIX, HUB_REGION_SETTING
from curator_tui.store.store import Store


@dataclass(frozen=True)
class RoadmapRef:
    roadmap_id: str
    title: str
    year: int | None
    school_year: int | None

    @property
    def label(self) -> str:
        if self.school_year:
            span = f"{self.school_year}/{self.school_year + 1}"
        else:
            span = str(self.year or "")
        return " ".join(x for x in (self.title or "Дорожная карта", span) if x)


def roadmaps_by_organisation(
    store: Store, organisation_ids: Collection[str] | None = None
) -> dict[str, RoadmapRef]:
    """Per organisation id (all, or those given): its latest roadmap (by year), the one the
    dashboard opens."""
    scope, params = _organisation_scope(organisation_ids)
    rows = query_dicts(
        store.conn,
        f"SELECT id, organisation_id, title, year, school_year FROM roadmap{scope} "
        "ORDER BY organisation_id, COALESCE(school_year, year), id",
        params,
    )
    result: dict[str, RoadmapRef] = {}
    for row in rows:  # later rows of an organisation replace earlier ones: the newest wins
        result[row["organisation_id"]] = RoadmapRef(
            row["id"], row["title"], row["year"], row["school_year"]
        )
    return result


def _organisation_scope(
    organisation_ids: Collection[str] | None, column: str = "organisation_id"
) -> tuple[str, list[str]]:
    """A WHERE clause on `column` (one JSON parameter: no SQLite variable limit)."""
    if organisation_ids is None:
        return "", []
    return (
        f" WHERE {column} IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(organisation_ids))],
    )


def organisation_rows(store: Store) -> list[tuple[str, str, str, str]]:
    """(id, name, level, municipality) of every organisation, unordered: the cheapest read
    of the hub's list, which the dashboard orders itself (SQLite cannot fold Cyrillic case)."""
    return store.conn.execute("SELECT id, name, level, municipality FROM organisation").fetchall()


def roadmap_row(store: Store, roadmap_id: str) -> dict[str, Any] | None:
    """One roadmap with its organisation's name and level (the list screen's header)."""
    rows = query_dicts(
        store.conn,
        "SELECT r.*, o.name AS organisation, o.level AS level FROM roadmap r "
        "LEFT JOIN organisation o ON o.id = r.organisation_id WHERE r.id = ?",
        [roadmap_id],
    )
    return rows[0] if rows else None


def last_bundle_devices(
    store: Store, organisation_ids: Collection[str] | None = None
) -> dict[str, str]:
    """Per organisation id (all, or those given): the name of the device whose bundle
    arrived last for it (`organisation_bundle`, the row behind the report's «last bundle»)."""
    scope, params = _organisation_scope(organisation_ids, "b.organisation_id")
    rows = store.conn.execute(
        "SELECT b.organisation_id, b.device_id, d.name FROM organisation_bundle b "
        f"LEFT JOIN device d ON d.id = b.device_id{scope}",
        params,
    ).fetchall()
    return {org_id: name or device_id[:8] for org_id, device_id, name in rows}


def conflicts_by_organisation(store: Store, ids: list[str] | None) -> dict[str, int]:
    """Standing conflicts per organisation: of its own fields and of its activities, their
    notes and their evidence (conflict rows are few: read from them, not from activities)."""
    sql = (
        "SELECT COALESCE(r.organisation_id, o.id) AS org, COUNT(*) FROM conflict c "
        "LEFT JOIN note n ON c.entity = 'note' AND n.id = c.entity_id "
        "LEFT JOIN evidence e ON c.entity = 'evidence' AND e.id = c.entity_id "
        "LEFT JOIN activity a ON a.id = CASE c.entity WHEN 'activity' THEN c.entity_id "
        "ELSE COALESCE(n.activity_id, e.activity_id) END "
        "LEFT JOIN roadmap r ON r.id = a.roadmap_id "
        "LEFT JOIN organisation o ON c.entity = 'organisation' AND o.id = c.entity_id "
        "GROUP BY org"
    )
    counts = {org: count for org, count in store.conn.execute(sql) if org is not None}
    return counts if ids is None else {k: v for k, v in counts.items() if k in set(ids)}


def known_organisation_ids(store: Store, ids: list[str]) -> set[str]:
    """Which of `ids` name organisations this replica already holds."""
    if not ids:
        return set()
    rows = store.conn.execute(
        "SELECT id FROM organisation WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    ).fetchall()
    return {row[0] for row in rows}


# --- reads the import needs for one bundle (a hub's tables are big: no whole-table scans) ---


def organisation_names_of(store: Store, ids: set[str]) -> dict[str, str]:
    """Names of the organisations `ids` that this replica holds (no empty names)."""
    if not ids:
        return {}
    rows = store.conn.execute(
        "SELECT id, name FROM organisation WHERE id IN (SELECT value FROM json_each(?)) "
        "AND name != ''",
        [json.dumps(sorted(ids))],
    ).fetchall()
    return dict(rows)


def device_heads(store: Store, device_ids: set[str]) -> dict[str, int]:
    """Per device of `device_ids`: how far this replica's knowledge reaches (the highest
    sequence number held in the op log, or covered by a bundle) — `sync_state.known_heads`
    for a few devices, through the (device_id, seq) index instead of a scan of the log."""

    heads: dict[str, int] = {}
    for device_id in device_ids:
        held = store.conn.execute(
            "SELECT MAX(seq) FROM op WHERE device_id = ?", [device_id]
        ).fetchone()[0]
        covered = store.conn.execute(
            "SELECT value FROM local_setting WHERE key = ?", [COVERED_PREFIX + device_id]
        ).fetchone()
        head = max(int(held or 0), int(covered[0]) if covered else 0)
        if head:
            heads[device_id] = head
    return heads


def is_hub(store: Store) -> bool:
    """A coordinator's hub (`curator init --hub`), or any file holding several organisations:
    the dashboard is its home screen rather than one roadmap's list."""

    if store.setting(HUB_REGION_SETTING):
        return True
    (several,) = store.conn.execute(
        "SELECT COUNT(*) > 1 FROM (SELECT 1 FROM organisation LIMIT 2)"
    ).fetchone()
    return bool(several)
