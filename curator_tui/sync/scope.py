"""Which organisations an operation touches, and whether a signer may touch them.

An op names only its entity; the organisation is found by walking up the hierarchy
(note/evidence/occurrence → activity → roadmap → organisation; section, activity, visit → roadmap).
Each step looks at both the receiving replica's row and every create or re-pointing `set`
in the same bundle, and keeps every answer: an op is allowed only if ALL the organisations
it could belong to are in the signer's scope. So a bundle cannot move an entity out of
another school by creating it a second time, nor hide behind an entity it creates itself.
An entity found nowhere cannot be attributed: refused for any signer bound to organisations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from curator_tui.domain.ops import Action, Entity, Operation
from curator_tui.sync.trust import ANY_ORGANISATION

# The field naming the entity each kind hangs from.
OWNER: dict[Entity, tuple[str, Entity]] = {
    Entity.ROADMAP: ("organisation_id", Entity.ORGANISATION),
    Entity.SECTION: ("roadmap_id", Entity.ROADMAP),
    Entity.ACTIVITY: ("roadmap_id", Entity.ROADMAP),
    Entity.NOTE: ("activity_id", Entity.ACTIVITY),
    Entity.EVIDENCE: ("activity_id", Entity.ACTIVITY),
    Entity.VISIT: ("roadmap_id", Entity.ROADMAP),
    Entity.OCCURRENCE: ("activity_id", Entity.ACTIVITY),
}
# Other fields pointing at entities: they must stay inside the signer's scope too.
REFERENCES: dict[Entity, dict[str, Entity]] = {
    Entity.ROADMAP: {"organisation_id": Entity.ORGANISATION},
    Entity.SECTION: {"roadmap_id": Entity.ROADMAP},
    Entity.ACTIVITY: {
        "roadmap_id": Entity.ROADMAP,
        "section_id": Entity.SECTION,
        "parent_id": Entity.ACTIVITY,
    },
    Entity.NOTE: {"activity_id": Entity.ACTIVITY},
    Entity.EVIDENCE: {"activity_id": Entity.ACTIVITY, "occurrence": Entity.OCCURRENCE},
    Entity.VISIT: {"roadmap_id": Entity.ROADMAP, "activities": Entity.ACTIVITY},
    Entity.OCCURRENCE: {"activity_id": Entity.ACTIVITY},
}

Key = tuple[Entity, str]
# The replica's owner of each of some entities of one kind: {id: owner id}, unknown ones left out.
OwnerLookup = Callable[[Entity, Iterable[str]], dict[str, str]]


class OrganisationResolver:
    """Answers "which organisations can this op affect?" for one bundle on one replica."""

    def __init__(self, owners_in_replica: OwnerLookup, bundle_ops: Iterable[Operation]) -> None:
        self._owners_in_replica = owners_in_replica
        self._bundle_owners: dict[Key, set[str]] = {}
        self._replica_owner: dict[Key, str | None] = {}
        self._cache: dict[Key, frozenset[str]] = {}
        for op in bundle_ops:
            for owner in _owners_named_by(op):
                self._bundle_owners.setdefault((op.entity, op.entity_id), set()).add(owner)

    def prefetch(self, ops: Iterable[Operation]) -> None:
        """Read the replica's owners of everything `ops` can reach, a level of the hierarchy
        at a time: one query per kind and level, not one per entity (a bundle of a
        thousand ops on a hub of thousands of schools)."""
        wanted: set[Key] = set()
        for op in ops:
            wanted.add((op.entity, op.entity_id))
            wanted.update(_references_of(op))
        while wanted:
            self._fetch(wanted)
            wanted = {
                (OWNER[entity][1], owner)
                for entity, entity_id in wanted
                if entity in OWNER
                for owner in self._owners((entity, entity_id))
            }
            wanted = {key for key in wanted if key[0] in OWNER and key not in self._replica_owner}

    def _fetch(self, keys: Iterable[Key]) -> None:
        by_kind: dict[Entity, list[str]] = {}
        for entity, entity_id in keys:
            if entity in OWNER and (entity, entity_id) not in self._replica_owner:
                by_kind.setdefault(entity, []).append(entity_id)
        for entity, ids in by_kind.items():
            found = self._owners_in_replica(entity, ids)
            for entity_id in ids:
                self._replica_owner[(entity, entity_id)] = found.get(entity_id)

    def _owners(self, key: Key) -> set[str]:
        """The owners named for `key` by this bundle and by the replica's row."""
        if key not in self._replica_owner:
            self._fetch([key])
        owners = set(self._bundle_owners.get(key, ()))
        in_replica = self._replica_owner[key]
        if in_replica:
            owners.add(in_replica)
        return owners

    def organisations_of(self, op: Operation) -> frozenset[str]:
        """Every organisation the op may touch; empty when it cannot be attributed at all.

        If any entity the op points at cannot be attributed, the answer is empty as well:
        an unattributable reference must not slip through beside an attributable one.
        """
        found = set(self.entity_organisations(op.entity, op.entity_id))
        if not found:
            return frozenset()
        for entity, target in _references_of(op):
            target_orgs = self.entity_organisations(entity, target)
            if not target_orgs:
                return frozenset()
            found |= target_orgs
        return frozenset(found)

    def entity_organisations(self, entity: Entity, entity_id: str) -> frozenset[str]:
        return self._resolve(entity, entity_id, set())

    def _resolve(self, entity: Entity, entity_id: str, visiting: set[Key]) -> frozenset[str]:
        key = (entity, entity_id)
        if entity is Entity.ORGANISATION:
            return frozenset({entity_id})
        if key in self._cache:
            return self._cache[key]
        if key in visiting:  # a cycle of owners (forged): attributes nothing
            return frozenset()
        visiting.add(key)
        owner_kind = OWNER[entity][1]
        result: set[str] = set()
        for owner in self._owners(key):
            orgs = self._resolve(owner_kind, owner, visiting)
            if not orgs:  # one branch unknown: the whole answer is unknown
                result = set()
                break
            result |= orgs
        visiting.discard(key)
        answer = frozenset(result)
        self._cache[key] = answer
        return answer


def _owners_named_by(op: Operation) -> list[str]:
    owner = OWNER.get(op.entity)
    if owner is None:
        return []
    field_name = owner[0]
    if op.action is Action.CREATE and isinstance(op.value, dict):
        value = op.value.get(field_name)
    elif op.action is Action.SET and op.field == field_name:
        value = op.value
    else:
        return []
    return [value] if isinstance(value, str) and value else []


def _references_of(op: Operation) -> list[tuple[Entity, str]]:
    refs = REFERENCES.get(op.entity, {})
    if op.action is Action.CREATE and isinstance(op.value, dict):
        pairs = [(name, op.value.get(name)) for name in refs]
    elif op.action is Action.SET and op.field in refs:
        pairs = [(op.field, op.value)]
    else:
        return []
    found: list[tuple[Entity, str]] = []
    for name, value in pairs:
        values = value if isinstance(value, list) else [value]
        found += [(refs[name], v) for v in values if isinstance(v, str) and v]
    return found


@dataclass(frozen=True)
class Scope:
    """Where a signer may write: one organisation, or any ("*")."""

    organisation_id: str

    @property
    def unlimited(self) -> bool:
        return self.organisation_id == ANY_ORGANISATION

    def outside(self, organisations: frozenset[str]) -> list[str]:
        """Organisations the signer may not touch (all of them when unattributable)."""
        if self.unlimited:
            return []
        return sorted(o for o in organisations if o != self.organisation_id)
