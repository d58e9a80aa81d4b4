"""Upgrading a v5 file (db/0006): the field_winner table becomes each entity row's `winners`.

The v5 file is made from a replica built by this program: its log, its projection without
the new column, and field_winner filled from the log by the plain rule (per field, the `set`
with the greatest clock and device id), not by the code under test. After the upgrade the
file must equal the replica and a fresh replay of its log byte for byte, and list the same
conflicts.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity, HlcStamp, Operation
from curator_tui.store.database import schema_version
from curator_tui.store.projection import FIELDS
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store
from tests.conftest import small_roadmap
from tests.old_schema import old_schema_copy

V5 = 5
OTHER_DEVICES = ("7" * 32, "8" * 32)


def by_number(store: Store, number: str) -> str:
    [row] = store.find_activities(number)
    return str(row["id"])


def replicas_with_history(tmp_path: Path) -> Store:
    """Two replicas that edited fields of several kinds of entity, some at the same time."""
    a = Store.open(tmp_path / "a.db", create=True)
    with Store.open(tmp_path / "b.db", create=True) as b:
        save_roadmap(a, small_roadmap())
        save_roadmap(b, small_roadmap())
        first, second, third = (by_number(a, n) for n in ("1", "2", "3"))
        org = a.roadmaps()[0]["organisation_id"]
        # Concurrent edits: one conflict left standing, one settled by a later edit.
        a.set_status(second, Status.DONE)
        b.set_status(second, Status.CANCELLED)
        a.set_status(first, Status.IN_PROGRESS)
        b.set_status(first, Status.DONE)
        # Several fields of one row, set in an order other than their names'.
        a.record(
            [
                Change(Entity.ACTIVITY, third, Action.SET, "title", "Семинары (новое)"),
                Change(Entity.ACTIVITY, third, Action.SET, "responsible", "Завуч"),
            ]
        )
        a.set_status(third, Status.DONE)
        note = a.add_note(third, "Проведено")
        a.record([Change(Entity.NOTE, note, Action.SET, "text", "Проведено 28.02")])
        link = b.attach_link(third, "https://school.example/news/1")
        b.record([Change(Entity.EVIDENCE, link, Action.SET, "title", "Новость")])
        b.set_municipality(org, "Тестовый район")
        a.apply_remote(b.ops())
        a.set_status(first, Status.DONE)  # made after seeing both: the conflict is settled
    a.apply_remote(unknown_field_conflict(a))
    return a


def unknown_field_conflict(store: Store) -> list[Operation]:
    """Two concurrent edits of a field the rules do not know, then its entity's create: a
    conflict no winner settles."""
    activity = "c" * 32
    roadmap_id = store.roadmaps()[0]["id"]

    def op(n: int, device: str, action: Action, field: str | None, value: object) -> Operation:
        return Operation(
            op_id=f"{n:032x}",
            device_id=device,
            seq=n,
            hlc=str(HlcStamp(1_700_000_000_000 + n, 0)),
            entity=Entity.ACTIVITY,
            entity_id=activity,
            action=action,
            field=field,
            value=value,
        )

    return [
        op(1, OTHER_DEVICES[0], Action.SET, "bogus", "x"),
        op(2, OTHER_DEVICES[1], Action.SET, "bogus", "y"),
        op(3, OTHER_DEVICES[0], Action.CREATE, None, {"roadmap_id": roadmap_id, "position": 9}),
    ]


def field_winners_by_the_rule(store: Store) -> list[tuple[str, str, str, str, str, str]]:
    best: dict[tuple[str, str, str], Operation] = {}
    for op in store.ops():
        if op.action is not Action.SET or op.field not in FIELDS[op.entity]:
            continue
        key = (op.entity.value, op.entity_id, op.field)
        if key not in best or op.order_key > best[key].order_key:
            best[key] = op
    # Written in reverse field order: the upgrade must not depend on the order of insertion.
    return [
        (*key, op.op_id, op.hlc, op.device_id)
        for key, op in sorted(best.items(), key=lambda item: item[0][::-1], reverse=True)
    ]


def write_v5_copy(replica: Store, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with old_schema_copy(replica, path, V5, monkeypatch) as conn:
        conn.executemany(
            "INSERT INTO field_winner (entity, entity_id, field, op_id, hlc, device_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            field_winners_by_the_rule(replica),
        )


def sorted_conflicts(store: Store) -> list[tuple[tuple[str, object], ...]]:
    return sorted(tuple(sorted(c.items())) for c in store.conflicts())


def test_upgrading_a_v5_file_moves_its_winners_into_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replica = replicas_with_history(tmp_path)
    with replica:
        old = tmp_path / "old.db"
        write_v5_copy(replica, old, monkeypatch)
        with Store.open(old) as upgraded:
            assert schema_version(upgraded.conn) > V5
            tables = {r[0] for r in upgraded.conn.execute("SELECT name FROM sqlite_master")}
            assert "field_winner" not in tables
            assert upgraded.dump_projection() == replica.dump_projection()
            assert upgraded.rebuild_differences(tmp_path / "scratch.db") == []
            conflicts = sorted_conflicts(upgraded)
            assert conflicts == sorted_conflicts(replica)
            winners = dict(
                upgraded.conn.execute(
                    "SELECT entity || ' ' || field, COUNT(*) FROM conflict GROUP BY 1"
                ).fetchall()
            )
    # What the history holds, so the comparison above compared something.
    assert winners == {"activity status": 1, "activity bogus": 1}  # no row for the settled one
    assert sorted(dict(c)["field"] for c in conflicts) == ["bogus", "status"]  # `first` settled
    assert kinds_with_winners(old) == {
        "organisation": 1,
        "activity": 3,
        "note": 1,
        "evidence": 1,
    }


def kinds_with_winners(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        found = {}
        for entity in Entity:
            (count,) = conn.execute(
                f"SELECT COUNT(*) FROM {entity.value} WHERE winners != '{{}}'"
            ).fetchone()
            if count:
                found[entity.value] = count
        return found
    finally:
        conn.close()
