"""Names typed on the command line are never guessed (issue 16, item 2).

An organisation appears only with a roadmap; a name that is not one of them is refused with
the closest names and a non-zero exit, and nothing is recorded or created. Roles may be typed
in Russian; `trust remove` takes the name `trust list` shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.sync import replica
from tests.bundle_helpers import (
    ORG_ID,
    ORG_NAME,
    OTHER_ID,
    OTHER_NAME,
    cli,
    make_hub,
    make_replica,
    make_school,
)
from tests.conftest import small_roadmap


def school_db_with_roadmap(tmp_path: Path) -> Path:
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
    return db


def organisation_rows(db: Path) -> list[tuple[str, str]]:
    with Store.open(db) as store:
        return [tuple(r) for r in store.conn.execute("SELECT id, name FROM organisation")]


def test_init_refuses_an_unknown_organisation_listing_the_closest(tmp_path: Path) -> None:
    db = school_db_with_roadmap(tmp_path)
    before = organisation_rows(db)
    run = cli("init", "--db", db, "--name", "Ноутбук", "--role", "школа", "--organisation",
              "МБОУ Тестовя СОШ")  # fmt: skip
    assert run.code != 0
    assert "нет в базе" in run.err and ORG_NAME in run.err and ORG_ID in run.err
    assert organisation_rows(db) == before
    assert not (tmp_path / "school.db.files" / "keys").exists()  # refused before anything


def test_init_on_a_fresh_file_says_where_organisations_come_from(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    run = cli("init", "--db", db, "--name", "Ноутбук", "--role", "school", "--organisation",
              "МБОУ «Тестовая СОШ»", "--municipality", "Томский район")  # fmt: skip
    assert run.code != 0 and "import-roadmap" in run.err
    assert not db.exists()


@pytest.mark.parametrize(
    "typed", [ORG_NAME, 'мбоу  "тестовая сош"', "МБОУ «ТЕСТОВАЯ СОШ»", ORG_ID, "МБОУ Тестовая СОШ"]
)
def test_init_takes_the_whole_name_however_quoted_or_its_id(tmp_path: Path, typed: str) -> None:
    db = school_db_with_roadmap(tmp_path)
    run = cli(
        "init", "--db", db, "--name", "Ноутбук", "--role", "директор", "--organisation", typed
    )
    assert run.code == 0, run.err
    assert f"Организация: {ORG_NAME} ({ORG_ID})" in run.out
    assert "роль: школа" in run.out
    assert organisation_rows(db) == [(ORG_ID, ORG_NAME)]


def test_a_part_of_a_name_is_not_taken_for_the_whole(tmp_path: Path) -> None:
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    run = cli("school", "set-municipality", "Другая", "Томский район", "--db", hub.db)
    assert run.code != 0 and OTHER_NAME in run.err.split("Похожие названия:")[1]
    assert all(row["municipality"] in (None, "") for row in organisation_rows_full(hub.db))


def organisation_rows_full(db: Path) -> list[dict[str, object]]:
    with Store.open(db) as store:
        return [dict(r) for r in store.db.query("SELECT * FROM organisation")]


def test_trust_add_refuses_a_misspelt_school_and_binds_nothing(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_replica(tmp_path / "s.db", "Ноутбук", "school", organisation=ORG_NAME)
    run = cli("trust", "add", school.pub, "--name", "Директор", "--school", "МБОУ Тестовая СШ",
              "--role", "школа", "--db", hub.db)  # fmt: skip
    assert run.code != 0 and ORG_NAME in run.err
    assert replica.list_trust(hub.db) == []
    run = cli("trust", "add", school.pub, "--name", "Директор", "--school", "мбоу тестовая сош",
              "--role", "школа", "--db", hub.db)  # fmt: skip
    assert run.code == 0, run.err
    [row] = replica.list_trust(hub.db)
    assert row.entry.organisation_id == ORG_ID and row.entry.role.value == "school"


def test_russian_role_words_and_a_wrong_one(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    curator = make_replica(tmp_path / "c.db", "Ноутбук куратора", "curator")
    run = cli("trust", "add", curator.pub, "--name", "Иванова М. П.", "--school", "*",
              "--role", "Куратор", "--db", hub.db)  # fmt: skip
    assert run.code == 0, run.err
    assert "— куратор;" in cli("trust", "list", "--db", hub.db).out
    wrong = cli("init", "--db", tmp_path / "x.db", "--name", "Х", "--role", "завуч")
    assert wrong.code != 0 and "роль «завуч» не понята" in wrong.err


def test_trust_remove_takes_the_name_trust_list_shows(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    curator = make_replica(tmp_path / "c.db", "Ноутбук куратора", "curator")
    cli("trust", "add", curator.pub, "--name", "Иванова М. П.", "--school", "*",
        "--role", "curator", "--db", hub.db)  # fmt: skip
    assert "«Иванова М. П.»" in cli("trust", "list", "--db", hub.db).out
    run = cli("trust", "remove", "иванова м. п.", "--db", hub.db)
    assert run.code == 0, run.err
    assert replica.list_trust(hub.db) == []
    again = cli("trust", "remove", "Иванова М. П.", "--db", hub.db)
    assert again.code != 0 and "нет ключа" in again.err


# --- bundles a user meets again: their own, one loaded already (issue 16, item 11) ----------


def test_the_hubs_own_bundle_is_called_its_own_not_untrusted(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    bundle = hub.export(tmp_path / "out", roadmap=True, organisation=ORG_NAME)
    run = cli("verify", f"'{bundle}'", "--db", hub.db)
    assert run.code != 0
    assert "Подписан ключом этой базы SHA256:" in run.out
    assert "нет в списке доверия" not in run.out


def test_a_bundle_loaded_already_is_answered_so(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    roadmap = hub.export(tmp_path / "again", roadmap=True, organisation=ORG_NAME, full=True)
    assert cli("import", roadmap, "--db", school.db).code == 0
    for command in ("verify", "import"):
        run = cli(command, roadmap, "--db", school.db)
        assert run.code == 0, run.out
        assert "Итог: Этот пакет уже загружен" in run.out and "Сначала" not in run.out


# --- the school named where schools mix (issue 16, item 6) ------------------------------------


def test_activities_json_names_each_activitys_organisation(tmp_path: Path) -> None:
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    run = cli("activities", "--json", "--db", hub.db)
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert {(r["organisation_id"], r["organisation"]) for r in rows} == {
        (ORG_ID, ORG_NAME),
        (OTHER_ID, OTHER_NAME),
    }


def test_a_number_in_several_schools_is_listed_with_the_schools(tmp_path: Path) -> None:
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    run = cli("set-status", "1", "выполнено", "--db", hub.db)
    assert run.code != 0 and "Номер «1» есть в нескольких школах" in run.err
    assert f"{ORG_NAME}: № 1" in run.err and f"{OTHER_NAME}: № 1" in run.err
