"""The log found by entity (entity_op, db/0007): every op linked once to its entity's row,
lookups that never read the whole log, and the upgrade of a v6 file."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.store import sync_state
from curator_tui.store.database import schema_version
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store
from tests.bundle_helpers import remote_op
from tests.conftest import entity_links, links_by_the_log, small_roadmap
from tests.old_schema import old_schema_copy

V6 = 6
OTHER_DEVICE = "5" * 32


def school_with_history(path: Path) -> tuple[Store, str]:
    """A school replica whose log touches every kind of entity, through both the one-by-one
    path (local edits) and the batched one (remote ops), including a `set` that arrived
    before its entity's `create`. Returns the store and its first activity's id."""
    store = Store.open(path, create=True)
    save_roadmap(store, small_roadmap())
    roadmap = store.roadmaps()[0]
    first, second = (a["id"] for a in store.activities(roadmap["id"])[:2])
    store.set_status(first, Status.IN_PROGRESS)
    store.set_status(first, Status.DONE)
    note = store.add_note(first, "Проведено")
    store.record([Change(Entity.NOTE, note, Action.SET, "text", "Проведено 28.02")])
    store.attach_link(first, "https://school.example/news/1")
    store.add_visit(
        roadmap["id"], date(2025, 2, 3), participants="", notes="", activity_ids=[first, second]
    )
    early = "e" * 32
    new_row = {"roadmap_id": roadmap["id"], "position": 99, "title": "Новое"}
    create: dict[str, Any] = {"action": Action.CREATE, "field": None, "value": new_row}
    store.apply_remote(
        [
            remote_op(OTHER_DEVICE, 1, Entity.ACTIVITY, second),  # status «done»
            remote_op(OTHER_DEVICE, 2, Entity.ACTIVITY, early, field="title", value="Раньше"),
            remote_op(OTHER_DEVICE, 3, Entity.ACTIVITY, early, **create),
        ]
    )
    return store, first


def test_every_op_is_linked_once_to_its_own_entity(tmp_path: Path) -> None:
    store, _ = school_with_history(tmp_path / "school.db")
    with store:
        [recurring] = store.find_activities("2")  # «ежемесячно»; no v6 file has occurrences
        store.set_occurrence_status(store.occurrences(recurring)[0], Status.DONE)
        links = entity_links(store)
        assert links == links_by_the_log(store)
        assert {entity for entity, _, _ in links} == {e.value for e in Entity}
        (rows,) = store.conn.execute("SELECT COUNT(*) FROM entity_op").fetchone()
        assert rows == store.op_count()


def test_history_lists_the_activity_its_notes_and_evidence(tmp_path: Path) -> None:
    store, first = school_with_history(tmp_path / "school.db")
    with store:
        notes = {r["id"] for r in store.db.query("SELECT id FROM note")}
        evidence = {r["id"] for r in store.db.query("SELECT id FROM evidence")}
        expected = [
            op.op_id
            for op in store.ops()  # in (clock, device, seq) order, as the history reads
            if op.entity_id == first or op.entity_id in notes | evidence
        ]
        assert [row["op_id"] for row in store.history(first)] == expected
        assert len(expected) == 6  # its create, two statuses, a note and its edit, a link


@contextmanager
def statements(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """The SQL `conn` runs (parameters filled in) while the block runs."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


# A plan step reading the whole log (op, always aliased o) or every link of a kind (entity_op,
# aliased x, searched by its entity alone).
WHOLE_LOG = re.compile(r"SCAN (o|op|x)\b|SEARCH x USING PRIMARY KEY \(entity=\?\)")


def reads_of_the_whole_log(conn: sqlite3.Connection, sql: list[str]) -> list[str]:
    """The statements among `sql` whose query plan reads the whole log or its links."""
    scans = []
    for statement in sql:
        if not statement.lstrip().upper().startswith(("SELECT", "INSERT INTO ENTITY_OP")):
            continue
        plan = conn.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
        if any(WHOLE_LOG.match(row[-1]) for row in plan):
            scans.append(statement)
    return scans


def lookups(store: Store, first: str) -> dict[str, Callable[[], object]]:
    roadmap = store.roadmaps()[0]
    second = store.activities(roadmap["id"])[1]["id"]
    return {
        "history": lambda: store.history(first),
        "lifecycle": lambda: sync_state.lifecycle_ops(store, Entity.ACTIVITY, first),
        "structure": lambda: sync_state.structure_ops(store, roadmap["organisation_id"]),
        "one-by-one set": lambda: store.set_status(first, Status.CANCELLED),
        "batched set": lambda: store.apply_remote(
            [remote_op(OTHER_DEVICE, 4, Entity.ACTIVITY, second, value="cancelled")]
        ),
    }


def test_no_lookup_by_entity_reads_the_whole_log(tmp_path: Path) -> None:
    store, first = school_with_history(tmp_path / "school.db")
    with store:
        for name, lookup in lookups(store, first).items():
            with statements(store.conn) as sql:
                lookup()
            assert any(" entity_op " in s for s in sql), name  # the lookup went through it
            assert reads_of_the_whole_log(store.conn, sql) == [], name


def test_upgrading_a_v6_file_links_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    replica, first = school_with_history(tmp_path / "school.db")
    with replica:
        old = tmp_path / "old.db"
        with old_schema_copy(replica, old, V6, monkeypatch) as conn:
            indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            assert "op_entity_id" in indexes and "entity_op" not in indexes
        with Store.open(old) as upgraded:
            assert schema_version(upgraded.conn) > V6
            indexes = {r[0] for r in upgraded.conn.execute("SELECT name FROM sqlite_master")}
            assert "op_entity_id" not in indexes
            table = "SELECT * FROM entity_op ORDER BY 1, 2, 3"
            assert upgraded.conn.execute(table).fetchall() == replica.conn.execute(table).fetchall()
            assert entity_links(upgraded) == links_by_the_log(upgraded)
            assert ops_in_history(upgraded, first) == ops_in_history(replica, first)
            upgraded.set_status(first, Status.CANCELLED)  # the upgraded file takes new edits
            assert entity_links(upgraded) == links_by_the_log(upgraded)


def ops_in_history(store: Store, activity_id: str) -> list[str]:
    return [row["op_id"] for row in store.history(activity_id)]


def test_the_rebuild_check_names_a_broken_link(tmp_path: Path) -> None:
    store, first = school_with_history(tmp_path / "school.db")
    with store:
        assert store.rebuild_differences(tmp_path / "scratch.db") == []
        store.conn.execute(
            "UPDATE entity_op SET entity_row = entity_row + 1000 WHERE op_row = "
            "(SELECT rowid FROM op WHERE entity_id = ? AND action = 'create')",
            (first,),
        )
        assert store.rebuild_differences(tmp_path / "scratch.db") == [
            "entity_op: операций без связи со своей записью: 1, лишних связей: 1"
        ]
