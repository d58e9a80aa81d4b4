"""Writing a parsed roadmap into a replica as operations, and re-importing amended versions.

Ids are derived from content (organisation name, year, section and activity text), so two
replicas that import the same document on their own arrive at the same entities. A re-import
of an amended roadmap matches activities already present and only sets what changed, so their
status, notes and evidence stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from curator_tui.domain.fields import IMPORTED_FIELDS
from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity, canonical_json, stable_id
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.store.store import Change, Store

# What the document says of each activity (domain/fields.py); the rest is where it stands.
ACTIVITY_FIELDS = tuple(f.name for f in IMPORTED_FIELDS)
SIMILAR_TITLE = 0.6


@dataclass
class ImportSummary:
    roadmap_id: str
    organisation: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    sections: int = 0
    amended: bool = False
    warnings: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold().replace("ё", "е")).strip(" .;:")


def organisation_id(name: str) -> str:
    return stable_id("organisation", normalise(name))


def roadmap_id_for(org_id: str, parsed: ParsedRoadmap) -> str:
    span = f"school-year:{parsed.school_year}" if parsed.school_year else f"year:{parsed.year}"
    return stable_id("roadmap", org_id, span)


def save_roadmap(store: Store, parsed: ParsedRoadmap) -> ImportSummary:
    """Record a roadmap (new or amended) in one transaction."""
    org_id = organisation_id(parsed.organisation)
    roadmap_id = roadmap_id_for(org_id, parsed)
    summary = ImportSummary(roadmap_id=roadmap_id, organisation=parsed.organisation)
    existing = {a["id"]: a for a in existing_activities(store, roadmap_id)}
    summary.amended = bool(existing)
    changes: list[Change] = []
    changes += organisation_changes(store, org_id, parsed)
    changes += roadmap_changes(store, roadmap_id, org_id, parsed)
    section_ids = section_id_map(roadmap_id, parsed)
    changes += section_changes(store, section_ids, roadmap_id)
    summary.sections = sum(1 for title in section_ids if title)
    changes += activity_changes(store, parsed, roadmap_id, section_ids, existing, summary)
    store.record(changes)
    summary.warnings = list(parsed.warnings)
    return summary


def existing_activities(store: Store, roadmap_id: str) -> list[dict[str, Any]]:
    return list(
        store.db.query(
            "SELECT a.*, s.title AS section FROM activity a LEFT JOIN section s "
            "ON s.id = a.section_id WHERE a.roadmap_id = ? ORDER BY a.position",
            (roadmap_id,),
        )
    )


def row_exists(store: Store, table: str, entity_id: str) -> dict[str, Any] | None:
    rows = list(store.db.query(f"SELECT * FROM {table} WHERE id = ?", (entity_id,)))
    return rows[0] if rows else None


def upsert(store: Store, entity: Entity, entity_id: str, values: dict[str, Any]) -> list[Change]:
    """A create for a new entity, or one `set` per field that differs."""
    current = row_exists(store, entity.value, entity_id)
    if current is None or not current.get("origin_op"):
        return [Change(entity, entity_id, Action.CREATE, value=values)]
    return [
        Change(entity, entity_id, Action.SET, key, value)
        for key, value in values.items()
        if stored_value(current.get(key)) != stored_value(value)
    ]


def stored_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return canonical_json(value)
    return value


def organisation_changes(store: Store, org_id: str, parsed: ParsedRoadmap) -> list[Change]:
    values = {"name": parsed.organisation, "level": parsed.level.value}
    current = row_exists(store, Entity.ORGANISATION.value, org_id)
    # The document's municipality fills a blank only: one set by hand (the coordinator, the
    # school at init) or by an earlier version of the roadmap is not overwritten by a guess.
    if parsed.municipality and not (current and current.get("municipality")):
        values["municipality"] = parsed.municipality
    return upsert(store, Entity.ORGANISATION, org_id, values)


def roadmap_changes(
    store: Store, roadmap_id: str, org_id: str, parsed: ParsedRoadmap
) -> list[Change]:
    values = {
        "organisation_id": org_id,
        "title": parsed.title,
        "year": parsed.year,
        "school_year": parsed.school_year,
        "source_name": parsed.source_name,
        "source_sha256": parsed.source_sha256,
    }
    return upsert(store, Entity.ROADMAP, roadmap_id, values)


def section_id_map(roadmap_id: str, parsed: ParsedRoadmap) -> dict[str, tuple[str, int]]:
    """Section title → (id, position); activities before any section share the "" section."""
    titles = list(dict.fromkeys(["", *parsed.sections]))
    used = {a.section for a in parsed.activities}
    titles = [t for t in titles if t or "" in used]
    return {t: (stable_id("section", roadmap_id, normalise(t)), i) for i, t in enumerate(titles)}


def section_changes(
    store: Store, section_ids: dict[str, tuple[str, int]], roadmap_id: str
) -> list[Change]:
    changes: list[Change] = []
    for title, (section_id, position) in section_ids.items():
        values = {"roadmap_id": roadmap_id, "position": position, "title": title}
        changes += upsert(store, Entity.SECTION, section_id, values)
    return changes


def activity_changes(
    store: Store,
    parsed: ParsedRoadmap,
    roadmap_id: str,
    section_ids: dict[str, tuple[str, int]],
    existing: dict[str, dict[str, Any]],
    summary: ImportSummary,
) -> list[Change]:
    matches = match_activities(parsed.activities, list(existing.values()))
    ids = assign_ids(parsed.activities, matches, roadmap_id)
    parents = parent_ids(parsed.activities, ids)
    changes: list[Change] = []
    for position, (item, activity_id) in enumerate(zip(parsed.activities, ids, strict=True)):
        values = activity_values(item, roadmap_id, section_ids, position, parents[position])
        if activity_id in existing:
            values["removed"] = 0
            delta = upsert(store, Entity.ACTIVITY, activity_id, values)
            # A shifted position alone is bookkeeping, not an amendment of the activity.
            amended = any(change.field != "position" for change in delta)
            summary.updated += amended
            summary.unchanged += not amended
            changes += delta
        else:
            values["status"] = Status.NOT_STARTED.value
            values["removed"] = 0
            changes.append(Change(Entity.ACTIVITY, activity_id, Action.CREATE, value=values))
            summary.created += 1
    kept = set(ids)
    for activity_id, row in existing.items():
        if activity_id not in kept and not row["removed"]:
            changes.append(Change(Entity.ACTIVITY, activity_id, Action.SET, "removed", 1))
            summary.removed += 1
    return changes


def activity_values(
    item: ParsedActivity,
    roadmap_id: str,
    section_ids: dict[str, tuple[str, int]],
    position: int,
    parent_id: str | None,
) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(item, name) for name in ACTIVITY_FIELDS}
    values.update(
        roadmap_id=roadmap_id,
        section_id=section_ids.get(item.section, (None, 0))[0],
        position=position,
        parent_id=parent_id,
    )
    return values


def match_activities(
    parsed: list[ParsedActivity], existing: list[dict[str, Any]]
) -> dict[int, str]:
    """Index of a parsed activity → id of the existing activity it amends."""
    matches: dict[int, str] = {}
    free = {row["id"]: row for row in existing}
    passes = (same_number_and_title, same_title, same_number_similar_title)
    for rule in passes:
        for index, item in enumerate(parsed):
            if index in matches:
                continue
            found = next((rid for rid, row in free.items() if rule(item, row)), None)
            if found is not None:
                matches[index] = found
                del free[found]
    return matches


def same_number_and_title(item: ParsedActivity, row: dict[str, Any]) -> bool:
    return item.number == row["number"] and normalise(item.title) == normalise(row["title"])


def same_title(item: ParsedActivity, row: dict[str, Any]) -> bool:
    return normalise(item.title) == normalise(row["title"])


def same_number_similar_title(item: ParsedActivity, row: dict[str, Any]) -> bool:
    if not item.number or item.number != row["number"]:
        return False
    if normalise(item.section) != normalise(row.get("section") or ""):
        return False
    ratio = SequenceMatcher(None, normalise(item.title), normalise(row["title"])).ratio()
    return ratio >= SIMILAR_TITLE


def assign_ids(parsed: list[ParsedActivity], matches: dict[int, str], roadmap_id: str) -> list[str]:
    ids: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, item in enumerate(parsed):
        key = (normalise(item.section), item.number, normalise(item.title))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        ids.append(matches.get(index) or stable_id("activity", roadmap_id, *key, str(occurrence)))
    return ids


def parent_ids(parsed: list[ParsedActivity], ids: list[str]) -> list[str | None]:
    """Each sub-item's parent: the nearest earlier activity printed with the parent number."""
    parents: list[str | None] = []
    last_with_number: dict[str, str] = {}
    for item, activity_id in zip(parsed, ids, strict=True):
        parents.append(last_with_number.get(item.parent_number) if item.parent_number else None)
        if item.number:
            last_with_number[item.number] = activity_id
    return parents
