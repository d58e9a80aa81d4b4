"""One activity as the detail screen shows it: its row, where it belongs, its notes, evidence
(and whether each file has arrived here), visits, history, conflicts and, for a recurring
activity, its occurrences (the status it shows is then derived from them).

Built by `load_detail` in a worker from store reads; the screen only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from curator_tui.domain.models import EvidenceKind, Schedule
from curator_tui.domain.ops import Entity
from curator_tui.domain.rules import Occurrence, Standing, standing
from curator_tui.store.hub_queries import roadmap_row
from curator_tui.store.projection import REMOVED
from curator_tui.store.queries import parse_status
from curator_tui.store.store import Store
from curator_tui.views.format import device_label, file_size


@dataclass(frozen=True)
class ActivityDetail:
    activity: dict[str, Any]
    organisation: str
    parent_title: str
    notes: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    # Where each evidence file lies in the local store, if it has arrived here.
    files: dict[str, Path | None]
    visits: list[dict[str, Any]]
    history: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    devices: dict[str, str]
    local_device: str
    occurrences: tuple[Occurrence, ...] = ()  # a recurring activity's, in date order

    def standing(self, today: date) -> Standing:
        """How the rules judge the activity today (rules.standing, as the list row does): a
        recurring one tracked by occurrence by the status they give it and the end of the
        earliest one still open (January done, February not: February's end); any other by
        its own status and last due date."""
        own = parse_status(self.activity["status"])
        due = Schedule.from_json(self.activity["schedule"]).due
        return standing(own, due, self.occurrences, today)

    def who(self, name: str | None, device_id: str) -> str:
        return device_label(name or self.devices.get(device_id), device_id, self.local_device)

    def evidence_text(self, item: dict[str, Any]) -> str:
        """«Фото · Акт приёмки · 12 КБ — примечание»; a link shows its address, a file not yet
        received here says so."""
        kind = evidence_kind_label(item["kind"])
        if item["url"]:
            text = f"{kind} · {item['title']} · {item['url']}"
        else:
            arrived = self.files.get(item["id"]) is not None
            where = file_size(item["size"]) if arrived else "файл ещё не получен"
            text = f"{kind} · {item['title']} · {where}"
        if item["note"]:
            text += f" — {item['note']}"
        return text

    def evidence_target(self, item: dict[str, Any]) -> str | Path | None:
        """What opening this evidence opens: its link, its file here, or None (not arrived)."""
        return item["url"] or self.files.get(item["id"])


def evidence_kind_label(kind: str) -> str:
    try:
        return EvidenceKind(kind).label
    except ValueError:
        return kind


def load_detail(store: Store, activity_id: str) -> ActivityDetail | None:
    activity = store.activity(activity_id)
    if activity is None:
        return None
    roadmap = roadmap_row(store, activity["roadmap_id"])
    parent = store.activity(activity["parent_id"]) if activity.get("parent_id") else None
    evidence = store.evidence(activity_id)
    # Its own fields', its evidence's and its organisation's (a school's municipality).
    owners = [activity_id, *(e["id"] for e in evidence), (roadmap or {}).get("organisation_id")]
    conflicts = [c for owner in owners if owner for c in store.conflicts(owner)]
    conflicts += removed_evidence_conflicts(store, activity_id)
    device_ids = {c[key] for c in conflicts for key in ("winner_device", "loser_device")}
    devices = {d: (store.known_device(d) or {}).get("name") or "" for d in device_ids}
    return ActivityDetail(
        activity=activity,
        organisation=(roadmap or {}).get("organisation") or "",
        parent_title=parent["title"] if parent else "",
        notes=store.notes(activity_id),
        evidence=evidence,
        files={e["id"]: evidence_path(store, e) for e in evidence},
        visits=store.visits(activity_id),
        history=store.history(activity_id),
        conflicts=conflicts,
        devices=devices,
        local_device=store.device_id,
        occurrences=tuple(store.occurrences(activity)),
    )


def removed_evidence_conflicts(store: Store, activity_id: str) -> list[dict[str, Any]]:
    """The conflicts of this activity's removed evidence: its removal against an edit made
    without knowing of it. The evidence is listed no more; what was typed into it still is."""
    return [
        c
        for c in store.conflicts()
        if c["entity"] == Entity.EVIDENCE.value
        and c["field"] == REMOVED
        and (store.evidence_item(c["entity_id"]) or {}).get("activity_id") == activity_id
    ]


def evidence_path(store: Store, item: dict[str, Any]) -> Path | None:
    sha = item["sha256"]
    return store.evidence_files.path_for(sha) if store.evidence_files.has(sha) else None
