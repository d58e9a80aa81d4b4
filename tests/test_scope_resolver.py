"""The organisation resolver: read ahead a level at a time, it answers as it does lazily."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pytest

from curator_tui.domain.ops import Action, Entity, Operation, new_id
from curator_tui.store import sync_state
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.sync.scope import OrganisationResolver
from tests.conftest import small_roadmap


def op(
    entity: Entity, entity_id: str, action: Action, field: str | None, value: object
) -> Operation:
    return Operation(
        op_id=new_id(),
        device_id="d" * 32,
        seq=1,
        hlc="001700000000000-000000",
        entity=entity,
        entity_id=entity_id,
        action=action,
        field=field,
        value=value,
    )


@pytest.fixture
def two_schools(store: Store) -> Store:
    save_roadmap(store, small_roadmap(organisation="МБОУ «Первая СОШ»"))
    save_roadmap(store, small_roadmap(organisation="МБОУ «Вторая СОШ»"))
    return store


def activities_by_school(store: Store) -> dict[str, list[str]]:
    rows = store.conn.execute(
        "SELECT o.name, a.id FROM activity a JOIN roadmap r ON r.id = a.roadmap_id "
        "JOIN organisation o ON o.id = r.organisation_id ORDER BY a.rowid"
    )
    found: dict[str, list[str]] = {}
    for name, activity in rows:
        found.setdefault(name, []).append(activity)
    return found


def mixed_bundle(store: Store) -> list[Operation]:
    """Progress on both schools, a note and evidence created here, things unknown anywhere."""
    first, second = activities_by_school(store).values()
    note, evidence, orphan = new_id(), new_id(), new_id()
    return [
        op(Entity.ACTIVITY, first[0], Action.SET, "status", "done"),
        op(Entity.ACTIVITY, second[1], Action.SET, "status", "in_progress"),
        op(Entity.NOTE, note, Action.CREATE, None, {"activity_id": first[2], "text": "Да"}),
        op(Entity.NOTE, note, Action.SET, "text", "Нет"),
        op(Entity.EVIDENCE, evidence, Action.CREATE, None, {"activity_id": new_id()}),
        op(Entity.NOTE, orphan, Action.SET, "text", "чья?"),
        op(Entity.ACTIVITY, first[1], Action.SET, "parent_id", second[0]),
    ]


class CountingOwners:
    """The real owner query, counting how often it is asked."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: Counter[Entity] = Counter()

    def __call__(self, entity: Entity, ids: Iterable[str]) -> dict[str, str]:
        self.calls[entity] += 1
        return sync_state.owners_of(self.store, entity, ids)


def test_read_ahead_answers_as_the_lazy_walk(two_schools: Store) -> None:
    ops = mixed_bundle(two_schools)
    lazy = OrganisationResolver(CountingOwners(two_schools), ops)
    ahead_owners = CountingOwners(two_schools)
    ahead = OrganisationResolver(ahead_owners, ops)
    ahead.prefetch(ops)
    asked_ahead = sum(ahead_owners.calls.values())
    answers = [ahead.organisations_of(o) for o in ops]
    assert answers == [lazy.organisations_of(o) for o in ops]
    assert sum(ahead_owners.calls.values()) == asked_ahead  # nothing left to ask afterwards
    organisations = set(two_schools.conn.execute("SELECT id FROM organisation").fetchall())
    assert len(organisations) == 2
    assert len(answers[0]) == len(answers[1]) == 1 and answers[0] != answers[1]
    assert answers[2] == answers[0] and answers[3] == answers[0]  # the note hangs from school 1
    assert answers[4] == answers[5] == frozenset()  # unknown activity, unknown note
    assert answers[6] == answers[0] | answers[1]  # a reference into the other school counts


def test_read_ahead_asks_once_per_kind_and_level(two_schools: Store) -> None:
    activities = [a for ids in activities_by_school(two_schools).values() for a in ids]
    ops = [op(Entity.ACTIVITY, a, Action.SET, "status", "done") for a in activities]
    owners = CountingOwners(two_schools)
    resolver = OrganisationResolver(owners, ops)
    resolver.prefetch(ops)
    assert owners.calls == Counter({Entity.ACTIVITY: 1, Entity.ROADMAP: 1})
    assert len({resolver.organisations_of(o) for o in ops}) == 2
    assert owners.calls == Counter({Entity.ACTIVITY: 1, Entity.ROADMAP: 1})


def test_a_chain_of_bundle_owners_ending_nowhere_attributes_nothing(two_schools: Store) -> None:
    """A note on an activity the bundle moves into a roadmap nobody has: no organisation."""
    first, second = new_id(), new_id()
    ops = [
        op(Entity.NOTE, first, Action.CREATE, None, {"activity_id": second}),
        op(Entity.ACTIVITY, second, Action.SET, "roadmap_id", first),
    ]
    resolver = OrganisationResolver(CountingOwners(two_schools), ops)
    resolver.prefetch(ops)
    assert [resolver.organisations_of(o) for o in ops] == [frozenset(), frozenset()]
