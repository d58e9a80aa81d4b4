"""The projection engine (projection_batch) gives exactly what the plain op-by-op oracle
(tests/projection_oracle.py) gives, however the ops are split into batches.

Hypothesis draws histories over a small world — an organisation, two roadmaps, activities,
notes, evidence, visits, written by three devices with clocks that tie and run backwards —
including the awkward cases: edits before the create, two creates of one entity, evidence
before its activity, a roadmap's year changing under its activities, a field the rules do
not know, ops repeated or clashing on a (device, seq) slot, and values SQLite's column
affinity converts (which the engine must hold as their column stores them). Each history is
applied op by op by the oracle into one copy of a replica and in random slices by the engine
into another: the projection, the log and the field winners must match byte for byte, and so
must the conflicts.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.domain.ops import Action, Entity, HlcStamp, Operation
from curator_tui.store.database import transaction
from curator_tui.store.projection_batch import apply_operations
from curator_tui.store.store import Store
from tests.conftest import entity_links, links_by_the_log
from tests.projection_oracle import apply_operation

ORG = "0" * 31 + "1"
ROADMAPS = ("a" * 31 + "1", "a" * 31 + "2")
SECTION = "b" * 32
ACTIVITIES = ("c" * 31 + "1", "c" * 31 + "2")
NOTES = ("d" * 31 + "1", "d" * 31 + "2")
EVIDENCE = ("e" * 31 + "1", "e" * 31 + "2")
VISITS = ("f" * 31 + "1",)
OCCURRENCES = ("9" * 31 + "1", "9" * 31 + "2")
DEVICES = ("1" * 32, "2" * 32, "3" * 32)
DEADLINES = ("ежемесячно", "До 01.03.2022 г.", "февраль", "по отдельному графику", "")
TEXTS = ("", "Семинар", "Совещание с кураторами", "Ёлка  № 5")

# What one op does, before ids, clocks and sequence numbers are given to it.
Spec = tuple[Entity, str, Action, str | None, Any]

texts = st.sampled_from(TEXTS)
years = st.one_of(st.none(), st.integers(2021, 2024))


def activity_value() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "roadmap_id": st.sampled_from(ROADMAPS),
            "position": st.integers(0, 5),
            "number": st.sampled_from(("1", "2", "3.1")),
            "title": texts,
            "responsible": texts,
            "deadline_text": st.sampled_from(DEADLINES),
        },
        optional={
            "section_id": st.sampled_from((SECTION, None)),
            "status": st.sampled_from(("not_started", "done")),
            "extra": st.just({"колонка": "значение"}),
            "removed": st.sampled_from((0, 1, True)),
        },
    )


def create_of(
    entity: Entity, ids: tuple[str, ...], value: st.SearchStrategy[dict[str, Any]]
) -> st.SearchStrategy[Spec]:
    return st.tuples(
        st.just(entity), st.sampled_from(ids), st.just(Action.CREATE), st.none(), value
    )


def creates() -> st.SearchStrategy[Spec]:
    organisation = create_of(
        Entity.ORGANISATION,
        (ORG,),
        st.fixed_dictionaries({"name": texts, "level": st.just("school")}),
    )
    roadmap = create_of(
        Entity.ROADMAP,
        ROADMAPS,
        st.fixed_dictionaries(
            {"organisation_id": st.just(ORG), "title": texts},
            optional={"year": st.integers(2021, 2024), "school_year": years},
        ),
    )
    section = create_of(
        Entity.SECTION,
        (SECTION,),
        st.fixed_dictionaries(
            {"roadmap_id": st.just(ROADMAPS[0]), "position": st.integers(0, 3), "title": texts}
        ),
    )
    activity = create_of(Entity.ACTIVITY, ACTIVITIES, activity_value())
    note = create_of(
        Entity.NOTE,
        NOTES,
        st.fixed_dictionaries({"activity_id": st.sampled_from(ACTIVITIES), "text": texts}),
    )
    evidence = create_of(
        Entity.EVIDENCE,
        EVIDENCE,
        st.fixed_dictionaries(
            {
                "activity_id": st.sampled_from(ACTIVITIES),
                "kind": st.just("photo"),
                "title": texts,
                "size": st.integers(0, 9),
                "url": st.just("https://example.org"),
            },
            optional={"occurrence": st.sampled_from(OCCURRENCES)},
        ),
    )
    occurrence = create_of(
        Entity.OCCURRENCE,
        OCCURRENCES,
        st.fixed_dictionaries(
            {
                "activity_id": st.sampled_from(ACTIVITIES),
                "window_start": st.sampled_from(("2022-01-01", "2022-02-01")),
                "window_end": st.sampled_from(("2022-01-31", "2022-02-28")),
            },
            optional={"status": st.just("done")},
        ),
    )
    visit = create_of(
        Entity.VISIT,
        VISITS,
        st.fixed_dictionaries(
            {
                "roadmap_id": st.sampled_from(ROADMAPS),
                "visit_date": st.just("2022-03-01"),
                "activities": st.lists(st.sampled_from(ACTIVITIES), max_size=3),
            }
        ),
    )
    # Activities, their evidence and roadmaps are where the derived columns live: drawn more.
    return st.one_of(
        organisation, roadmap, roadmap, section, activity, activity, activity, note, evidence,
        evidence, visit, occurrence,
    )  # fmt: skip


def field_sets() -> st.SearchStrategy[Spec]:
    def set_of(
        entity: Entity, ids: tuple[str, ...], field: str, values: st.SearchStrategy[Any]
    ) -> st.SearchStrategy[Spec]:
        return st.tuples(
            st.just(entity), st.sampled_from(ids), st.just(Action.SET), st.just(field), values
        )

    return st.one_of(
        set_of(Entity.ACTIVITY, ACTIVITIES, "status", st.sampled_from(("in_progress", "done"))),
        set_of(Entity.ACTIVITY, ACTIVITIES, "title", texts),
        set_of(Entity.ACTIVITY, ACTIVITIES, "deadline_text", st.sampled_from(DEADLINES)),
        set_of(Entity.ACTIVITY, ACTIVITIES, "roadmap_id", st.sampled_from(ROADMAPS)),
        set_of(Entity.ACTIVITY, ACTIVITIES, "removed", st.sampled_from((0, 1, False, "0"))),
        set_of(Entity.ACTIVITY, ACTIVITIES, "warnings", st.just(["проверить срок"])),
        set_of(Entity.ACTIVITY, ACTIVITIES, "bogus", st.just("ignored")),  # unknown field
        set_of(Entity.ACTIVITY, ACTIVITIES, "number", st.just(7)),  # SQLite stores '7'
        set_of(Entity.ACTIVITY, ACTIVITIES, "position", st.sampled_from(("2", 2.0, "два"))),
        set_of(Entity.ROADMAP, ROADMAPS, "year", st.just("2023")),  # stored as 2023
        set_of(Entity.ROADMAP, ROADMAPS, "year", years),
        set_of(Entity.ROADMAP, ROADMAPS, "school_year", years),
        set_of(Entity.NOTE, NOTES, "text", texts),
        set_of(Entity.EVIDENCE, EVIDENCE, "activity_id", st.sampled_from(ACTIVITIES)),
        set_of(Entity.EVIDENCE, EVIDENCE, "title", texts),
        set_of(Entity.VISIT, VISITS, "activities", st.lists(st.sampled_from(ACTIVITIES))),
        set_of(Entity.OCCURRENCE, OCCURRENCES, "status", st.sampled_from(("in_progress", "done"))),
    )


def removes() -> st.SearchStrategy[Spec]:
    return st.one_of(
        st.tuples(
            st.just(entity), st.sampled_from(ids), st.just(Action.REMOVE), st.none(), st.none()
        )
        for entity, ids in (
            (Entity.NOTE, NOTES),
            (Entity.EVIDENCE, EVIDENCE),
            (Entity.VISIT, VISITS),
            (Entity.OCCURRENCE, OCCURRENCES),  # not add-only either
            (Entity.ACTIVITY, ACTIVITIES),  # not an add-only set: only makes sure the row is there
        )
    )


specs = st.one_of(creates(), creates(), field_sets(), field_sets(), removes())


@st.composite
def histories(draw: st.DrawFn) -> list[Operation]:
    """Ops from three devices with ties and backward clocks; some ops repeat."""
    ops: list[Operation] = []
    seqs = dict.fromkeys(DEVICES, 0)
    for entity, entity_id, action, field, value in draw(st.lists(specs, min_size=10, max_size=40)):
        device = draw(st.sampled_from(DEVICES))
        seqs[device] += 1
        if draw(st.integers(0, 9)) == 0:  # another op already took this (device, seq) slot
            seqs[device] -= 1
        if entity in (Entity.NOTE, Entity.EVIDENCE, Entity.VISIT) and action is Action.CREATE:
            value = {**value, "device_id": device}
        op = Operation(
            op_id=f"{len(ops) + 1:032x}",
            device_id=device,
            seq=max(seqs[device], 1),
            hlc=str(HlcStamp(1_700_000_000_000 + draw(st.integers(0, 6)), draw(st.integers(0, 1)))),
            entity=entity,
            entity_id=entity_id,
            action=action,
            field=field,
            value=value,
        )
        ops.append(op)
    ops = [with_prev(draw, op, ops) for op in ops]
    repeats = draw(st.lists(st.sampled_from(ops), max_size=3))  # the same op arriving again
    return ops + repeats


def with_prev(draw: st.DrawFn, op: Operation, ops: list[Operation]) -> Operation:
    """An edit names what it replaced: any other op of its entity (whether it arrives before
    or after it), or nothing (written without having seen any)."""
    if op.action is not Action.SET:
        return op
    others = [o.op_id for o in ops if o.entity_id == op.entity_id and o.op_id != op.op_id]
    return replace(op, prev=draw(st.sampled_from([None, *others])))


@st.composite
def slices(draw: st.DrawFn, ops: list[Operation]) -> list[list[Operation]]:
    cuts = sorted(draw(st.sets(st.integers(1, max(len(ops) - 1, 1)), max_size=4)))
    bounds = [0, *cuts, len(ops)]
    return [ops[a:b] for a, b in itertools.pairwise(bounds) if a < b]


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "blank.db"
    Store.open(path, create=True).close()
    return path


def replica(blank: Path, folder: Path, name: str) -> Store:
    path = folder / f"{name}.db"
    shutil.copy2(blank, path)
    return Store.open(path)


def state(store: Store) -> tuple[Any, ...]:
    log = store.conn.execute("SELECT * FROM op ORDER BY op_id").fetchall()
    return store.dump_projection(), log


def one_by_one(store: Store, ops: list[Operation]) -> list[str]:
    with transaction(store.conn) as conn:
        return [op.op_id for op in ops if apply_operation(conn, op)]


def batched(store: Store, parts: list[list[Operation]]) -> list[str]:
    applied = []
    for part in parts:
        with transaction(store.conn) as conn:
            applied += [op.op_id for op in apply_operations(conn, part)]
    return applied


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_batches_equal_one_by_one_in_any_order_and_split(
    blank: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    ops = data.draw(histories(), label="ops")
    ops = data.draw(st.permutations(ops), label="order")
    parts = data.draw(slices(ops), label="slices")
    folder = tmp_path_factory.mktemp("pair")
    assert_same_as_one_by_one(blank, folder, parts)
    shutil.rmtree(folder, ignore_errors=True)


def assert_same_as_one_by_one(blank: Path, folder: Path, parts: list[list[Operation]]) -> Store:
    """Apply `parts` batch by batch and their ops one by one; returns the batched replica."""
    folder.mkdir(parents=True, exist_ok=True)
    with replica(blank, folder, "serial") as serial, replica(blank, folder, "batch") as batch:
        assert batched(batch, parts) == one_by_one(serial, [op for part in parts for op in part])
        assert state(batch) == state(serial)
        assert entity_links(batch) == entity_links(serial) == links_by_the_log(batch)
        return batch


# --- the cases a random history rarely hits, spelled out ----------------------------------------


def op(n: int, entity: Entity, entity_id: str, action: Action, **rest: Any) -> Operation:
    return Operation(
        op_id=f"{n:032x}",
        device_id=DEVICES[n % 3],
        seq=n,
        hlc=str(HlcStamp(1_700_000_000_000 + n, 0)),
        entity=entity,
        entity_id=entity_id,
        action=action,
        **rest,
    )


ACTIVITY_VALUE = {"roadmap_id": ROADMAPS[0], "position": 1, "deadline_text": "ежемесячно"}
EVIDENCE_VALUE = {"activity_id": ACTIVITIES[0], "kind": "photo", "size": 1, "url": "https://x"}


def test_evidence_before_its_activity_is_counted_when_the_activity_arrives(
    blank: Path, tmp_path: Path
) -> None:
    evidence = op(1, Entity.EVIDENCE, EVIDENCE[0], Action.CREATE, value=EVIDENCE_VALUE)
    activity = op(2, Entity.ACTIVITY, ACTIVITIES[0], Action.CREATE, value=ACTIVITY_VALUE)
    for parts in ([[evidence, activity]], [[evidence], [activity]]):
        store = assert_same_as_one_by_one(blank, tmp_path / str(len(parts)), parts)
        with Store.open(store.path) as reopened:
            assert reopened.activity(ACTIVITIES[0])["evidence_count"] == 1


def test_a_roadmap_arriving_after_its_activities_dates_them(blank: Path, tmp_path: Path) -> None:
    activity = op(1, Entity.ACTIVITY, ACTIVITIES[0], Action.CREATE, value=ACTIVITY_VALUE)
    value = {"organisation_id": ORG, "year": 2021}
    roadmap = op(2, Entity.ROADMAP, ROADMAPS[0], Action.CREATE, value=value)
    later_year = op(3, Entity.ROADMAP, ROADMAPS[0], Action.SET, field="year", value=2023)
    store = assert_same_as_one_by_one(blank, tmp_path, [[activity], [roadmap], [later_year]])
    with Store.open(store.path) as reopened:
        assert reopened.activity(ACTIVITIES[0])["first_date"].startswith("2023-01")


def test_a_create_recomputes_the_conflicts_of_a_field_the_rules_do_not_know(
    blank: Path, tmp_path: Path
) -> None:
    """Only a create recomputes an unknown field's conflicts: the third edit, arriving after
    it, stays out of them, batched or not."""
    key = (Entity.ACTIVITY, ACTIVITIES[0])
    edits = [op(n, *key, Action.SET, field="bogus", value=str(n)) for n in (1, 2)]
    create = op(3, *key, Action.CREATE, value=ACTIVITY_VALUE)
    late = op(4, *key, Action.SET, field="bogus", value="4")
    store = assert_same_as_one_by_one(blank, tmp_path, [[*edits, create, late]])
    with Store.open(store.path) as reopened:
        rows = reopened.conn.execute("SELECT winner_op, loser_op FROM conflict").fetchall()
    assert rows == [(edits[1].op_id, edits[0].op_id)]


def status_sets(count: int) -> list[Operation]:
    return [
        Operation(
            op_id=f"{n + 100:032x}",
            device_id=DEVICES[n % 2],
            seq=n + 1,
            hlc=str(HlcStamp(1_700_000_000_000 + n, 0)),
            entity=Entity.ACTIVITY,
            entity_id=ACTIVITIES[0],
            action=Action.SET,
            field="status",
            value="done" if n % 2 else "in_progress",
        )
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("key", "field", "value", "stored"),
    [
        ((Entity.ACTIVITY, ACTIVITIES[0]), "number", 7, "7"),
        ((Entity.ACTIVITY, ACTIVITIES[0]), "number", 7.5, "7.5"),
        ((Entity.ACTIVITY, ACTIVITIES[0]), "number", 1e20, "1.0e+20"),  # SQLite's spelling
        ((Entity.ACTIVITY, ACTIVITIES[0]), "position", "3", 3),
        ((Entity.ACTIVITY, ACTIVITIES[0]), "position", " 3.0e1 ", 30),
        ((Entity.ACTIVITY, ACTIVITIES[0]), "position", 2.0, 2),
        ((Entity.ACTIVITY, ACTIVITIES[0]), "position", "три", "три"),
        ((Entity.ACTIVITY, ACTIVITIES[0]), "removed", "0", 0),  # keeps its search text
        ((Entity.ROADMAP, ROADMAPS[0]), "year", "2023", 2023),  # moves its activity's dates
    ],
)
def test_a_value_sqlite_converts_is_held_as_its_column_stores_it(
    blank: Path, tmp_path: Path, key: tuple[Entity, str], field: str, value: Any, stored: Any
) -> None:
    roadmap = op(1, Entity.ROADMAP, ROADMAPS[0], Action.CREATE, value={"organisation_id": ORG})
    activity = op(2, Entity.ACTIVITY, ACTIVITIES[0], Action.CREATE, value=ACTIVITY_VALUE)
    converted = op(3, *key, Action.SET, field=field, value=value)
    later = op(4, Entity.ACTIVITY, ACTIVITIES[0], Action.SET, field="title", value="Семинар")
    for parts in ([[roadmap, activity, converted, later]], [[roadmap, activity], [converted]]):
        store = assert_same_as_one_by_one(blank, tmp_path / str(len(parts)), parts)
        with Store.open(store.path) as reopened:
            [(found,)] = reopened.conn.execute(
                f"SELECT {field} FROM {key[0].value} WHERE id = ?", (key[1],)
            ).fetchall()
        assert (type(found), found) == (type(stored), stored)


def test_null_in_a_not_null_column_fails_as_sqlite_would_when_it_is_written(
    blank: Path, tmp_path: Path
) -> None:
    """An edit to NULL that loses to a later edit writes nothing and so fails nowhere; one
    that wins fails with the error SQLite gives the oracle's UPDATE."""
    key = (Entity.ACTIVITY, ACTIVITIES[0])
    create = op(1, *key, Action.CREATE, value=ACTIVITY_VALUE)
    older_null = op(2, *key, Action.SET, field="title", value=None)
    newer = op(3, *key, Action.SET, field="title", value="Семинар")
    assert_same_as_one_by_one(blank, tmp_path / "lost", [[create, newer, older_null]])
    latest_null = op(4, *key, Action.SET, field="title", value=None)
    errors = []
    with replica(blank, tmp_path, "serial") as serial, replica(blank, tmp_path, "batch") as batch:
        for apply in (lambda: one_by_one(serial, [create, latest_null]),
                      lambda: batched(batch, [[create, latest_null]])):  # fmt: skip
            with pytest.raises(sqlite3.IntegrityError) as raised:
                apply()
            errors.append(str(raised.value))
        assert state(batch) == state(serial)
    assert errors == ["NOT NULL constraint failed: activity.title"] * 2


def test_a_batch_is_all_or_nothing(blank: Path, tmp_path: Path) -> None:
    """A batch that fails half-way (NOT NULL) leaves neither ops nor state behind."""
    good = status_sets(3)
    bad = replace(good[-1], op_id="9" * 32, seq=99, field="title", value=None)
    with replica(blank, tmp_path, "x") as store:
        before = state(store)
        with pytest.raises(Exception, match="NOT NULL"), transaction(store.conn) as conn:
            apply_operations(conn, [*good, bad])
        assert state(store) == before


def test_a_repeated_batch_changes_nothing(blank: Path, tmp_path: Path) -> None:
    ops = status_sets(5)
    with replica(blank, tmp_path, "x") as store:
        assert batched(store, [ops]) == [op.op_id for op in ops]
        once = state(store)
        assert batched(store, [ops, ops[1:3]]) == []
        assert state(store) == once


def test_of_two_ops_with_one_id_the_log_takes_the_one_whose_slot_is_free(
    blank: Path, tmp_path: Path
) -> None:
    first, second = status_sets(2)
    squatter = replace(second, op_id="5" * 32, device_id=first.device_id, seq=first.seq)
    second = replace(second, op_id=first.op_id, device_id=first.device_id, seq=7)
    assert_same_as_one_by_one(blank, tmp_path, [[squatter, first, second]])
    with Store.open(tmp_path / "batch.db") as store:
        [(value,)] = store.conn.execute(
            "SELECT value FROM op WHERE op_id = ?", (first.op_id,)
        ).fetchall()
    assert value == f'"{second.value}"'


# --- each entity's field winners, in its own row ------------------------------------------------


def winners_column(store: Store, entity: Entity, entity_id: str) -> str:
    [(text,)] = store.conn.execute(
        f"SELECT winners FROM {entity.value} WHERE id = ?", (entity_id,)
    ).fetchall()
    return text


def test_a_sets_winner_lands_in_its_row_in_canonical_json(blank: Path, tmp_path: Path) -> None:
    create = op(1, Entity.ACTIVITY, ACTIVITIES[0], Action.CREATE, value=ACTIVITY_VALUE)
    title = op(2, Entity.ACTIVITY, ACTIVITIES[0], Action.SET, field="title", value="Семинар")
    status = op(3, Entity.ACTIVITY, ACTIVITIES[0], Action.SET, field="status", value="done")
    older = op(4, Entity.ACTIVITY, ACTIVITIES[0], Action.SET, field="status", value="in_progress")
    older = replace(older, hlc=str(HlcStamp(1_600_000_000_000, 0)))  # loses to `status`
    for parts in ([[create, title, status, older]], [[create], [older, title], [status]]):
        store = assert_same_as_one_by_one(blank, tmp_path / str(len(parts)), parts)
        with Store.open(store.path) as reopened:
            text = winners_column(reopened, Entity.ACTIVITY, ACTIVITIES[0])
            assert reopened.activity(ACTIVITIES[0])["status"] == "done"
        # Keys sorted, no spaces: a replay spells the row alike.
        assert text == (
            f'{{"status":["{status.op_id}","{status.hlc}","{status.device_id}"],'
            f'"title":["{title.op_id}","{title.hlc}","{title.device_id}"]}}'
        )


def test_a_row_nobody_set_has_no_winners(blank: Path, tmp_path: Path) -> None:
    create = op(1, Entity.ACTIVITY, ACTIVITIES[0], Action.CREATE, value=ACTIVITY_VALUE)
    store = assert_same_as_one_by_one(blank, tmp_path, [[create]])
    with Store.open(store.path) as reopened:
        assert winners_column(reopened, Entity.ACTIVITY, ACTIVITIES[0]) == "{}"


def test_a_later_create_never_overrides_a_set_field(blank: Path, tmp_path: Path) -> None:
    """The same content-derived activity created again (a second hub importing the document)
    keeps the status a school set under the first create; fields nobody set take its values."""
    first = op(1, Entity.ACTIVITY, ACTIVITIES[0], Action.CREATE, value=ACTIVITY_VALUE)
    done = op(2, Entity.ACTIVITY, ACTIVITIES[0], Action.SET, field="status", value="done")
    again = op(
        3,
        Entity.ACTIVITY,
        ACTIVITIES[0],
        Action.CREATE,
        value={**ACTIVITY_VALUE, "status": "not_started", "title": "Новое название"},
    )
    for parts in ([[first, done, again]], [[first], [done], [again]], [[again, done, first]]):
        store = assert_same_as_one_by_one(blank, tmp_path / str(len(parts)), parts)
        with Store.open(store.path) as reopened:
            row = reopened.activity(ACTIVITIES[0])
        assert (row["status"], row["title"]) == ("done", "Новое название")


def test_no_op_can_write_the_winners_column(blank: Path, tmp_path: Path) -> None:
    forged = '{"status":["x","x","x"]}'
    value = {**ACTIVITY_VALUE, "winners": forged}
    create = op(1, Entity.ACTIVITY, ACTIVITIES[0], Action.CREATE, value=value)
    overwrite = op(2, Entity.ACTIVITY, ACTIVITIES[0], Action.SET, field="winners", value=forged)
    store = assert_same_as_one_by_one(blank, tmp_path, [[create, overwrite]])
    with Store.open(store.path) as reopened:
        assert winners_column(reopened, Entity.ACTIVITY, ACTIVITIES[0]) == "{}"
