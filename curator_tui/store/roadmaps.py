"""Writing a parsed roadmap into a replica as operations, and re-importing amended versions.

Ids are derived from content (organisation name, year, section and activity text), so two
replicas that import the same document on their own arrive at the same entities. A re-import
of an amended roadmap matches activities already present and only sets what changed, so their
status, notes and evidence stay.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
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
    """Record a roadmap (new or amended) in one transaction.

    The changes are made as the log takes them (a generator), so a roadmap of 200,000
    activities never holds all its changes, operations and rows in memory at once.
    """
    org_id = organisation_id(parsed.organisation)
    roadmap_id = roadmap_id_for(org_id, parsed)
    summary = ImportSummary(roadmap_id=roadmap_id, organisation=parsed.organisation)
    existing = {a["id"]: a for a in existing_activities(store, roadmap_id)}
    summary.amended = bool(existing)
    section_ids = section_id_map(roadmap_id, parsed)
    summary.sections = sum(1 for title in section_ids if title)
    store.record_stream(
        itertools.chain(
            organisation_changes(store, org_id, parsed),
            roadmap_changes(store, roadmap_id, org_id, parsed),
            section_changes(store, section_ids, roadmap_id),
            activity_changes(parsed, roadmap_id, section_ids, existing, summary),
        )
    )
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
    return changes_against(row_exists(store, entity.value, entity_id), entity, entity_id, values)


def changes_against(
    current: dict[str, Any] | None, entity: Entity, entity_id: str, values: dict[str, Any]
) -> list[Change]:
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
    parsed: ParsedRoadmap,
    roadmap_id: str,
    section_ids: dict[str, tuple[str, int]],
    existing: dict[str, dict[str, Any]],
    summary: ImportSummary,
) -> Iterator[Change]:
    """The activities' changes, counted in `summary` as they are made."""
    matches = match_activities(parsed.activities, list(existing.values()))
    ids = assign_ids(parsed.activities, matches, roadmap_id)
    parents = parent_ids(parsed.activities, ids)
    for position, (item, activity_id) in enumerate(zip(parsed.activities, ids, strict=True)):
        values = activity_values(item, roadmap_id, section_ids, position, parents[position])
        values["removed"] = 0
        current = existing.get(activity_id)
        if current is not None:
            delta = changes_against(current, Entity.ACTIVITY, activity_id, values)
            # A shifted position alone is bookkeeping, not an amendment of the activity.
            amended = any(change.field != "position" for change in delta)
            summary.updated += amended
            summary.unchanged += not amended
            yield from delta
        else:
            values["status"] = Status.NOT_STARTED.value
            summary.created += 1
            yield Change(Entity.ACTIVITY, activity_id, Action.CREATE, value=values)
    kept = set(ids)
    for activity_id, row in existing.items():
        if activity_id not in kept and not row["removed"]:
            summary.removed += 1
            yield Change(Entity.ACTIVITY, activity_id, Action.SET, "removed", 1)


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
    """Index of a parsed activity → id of the existing activity it amends.

    Three passes, each over the parsed activities in order, each taking the first free
    existing row (in roadmap order) its rule accepts: same number and title, then same
    title, then same number and section with a similar title. Rows are looked up by key,
    so an amended roadmap of thousands of activities matches in linear time.
    """
    if not existing:  # a first import: nothing to amend
        return {}
    matches: dict[int, str] = {}
    taken: set[str] = set()
    keys = [ActivityKey.of_parsed(item) for item in parsed]
    rows = [ActivityKey.of_row(row) for row in existing]
    passes: tuple[tuple[Callable[[ActivityKey], Any], MatchRule | None], ...] = (
        (lambda k: (k.number, k.title), None),
        (lambda k: k.title, None),
        (lambda k: (k.number, k.section) if k.number else None, similar_title),
    )
    for index_key, accept in passes:
        index: dict[Any, list[ActivityKey]] = {}
        for row in rows:
            index.setdefault(index_key(row), []).append(row)
        for position, item in enumerate(keys):
            if position in matches or (lookup := index_key(item)) is None:
                continue
            found = first_free(index.get(lookup, ()), taken, item, accept)
            if found is not None:
                matches[position] = found
                taken.add(found)
    return matches


MatchRule = Callable[["ActivityKey", "ActivityKey"], bool]


@dataclass(frozen=True)
class ActivityKey:
    """What matching compares of an activity, normalised once."""

    id: str
    number: str
    title: str
    section: str

    @classmethod
    def of_parsed(cls, item: ParsedActivity) -> ActivityKey:
        return cls("", item.number, normalise(item.title), normalise(item.section))

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> ActivityKey:
        return cls(
            row["id"], row["number"], normalise(row["title"]), normalise(row.get("section") or "")
        )


def first_free(
    candidates: Iterable[ActivityKey],
    taken: set[str],
    item: ActivityKey,
    accept: MatchRule | None,
) -> str | None:
    for row in candidates:
        if row.id not in taken and (accept is None or accept(item, row)):
            return row.id
    return None


def similar_title(item: ActivityKey, row: ActivityKey) -> bool:
    return SequenceMatcher(None, item.title, row.title).ratio() >= SIMILAR_TITLE


def assign_ids(parsed: list[ParsedActivity], matches: dict[int, str], roadmap_id: str) -> list[str]:
    ids: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    sections: dict[str, str] = {}  # a roadmap has a few sections and thousands of activities
    for index, item in enumerate(parsed):
        if item.section not in sections:
            sections[item.section] = normalise(item.section)
        key = (sections[item.section], item.number, normalise(item.title))
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
