"""The field declaration (domain/fields.py) against what the migrations built, and the faces
that keep a list of their own against the declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator_tui.domain.fields import (
    ENTITIES,
    IMPORTED_FIELDS,
    REPORT_FIELDS,
    Field,
    Kind,
    non_field_columns,
)
from curator_tui.domain.ops import Entity
from curator_tui.domain.parsed import ParsedActivity
from curator_tui.importers.columns import Column
from curator_tui.reports.model import ReportActivity
from curator_tui.store.store import Store

INTEGER_KINDS = {Kind.INT, Kind.YEAR, Kind.FLAG}


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, tuple]]:
    """Each table of a freshly migrated replica: column name → (type, not null, default)."""
    path = Path(tmp_path_factory.mktemp("fields")) / "fresh.db"
    with Store.open(path, create=True) as store:
        names = [row[0] for row in store.conn.execute("SELECT name FROM sqlite_master")]
        return {
            name: {
                column: (kind, bool(notnull), default)
                for _cid, column, kind, notnull, default, _pk in store.conn.execute(
                    f"PRAGMA table_info({name})"
                )
            }
            for name in names
        }


def column_problem(field: Field, column: tuple | None) -> str | None:
    if column is None:
        return "no column"
    kind, notnull, default = column
    if (kind == "INTEGER") != (field.kind in INTEGER_KINDS) or kind not in ("INTEGER", "TEXT"):
        return f"affinity {kind}"
    if notnull == field.optional:
        return "nullability"
    if field.has_placeholder != (notnull and default is None):
        return "placeholder: only for a NOT NULL column without a default"
    return None


@pytest.mark.parametrize("entity", list(Entity))
def test_every_declared_field_is_a_compatible_column(
    entity: Entity, tables: dict[str, dict[str, tuple]]
) -> None:
    columns = tables[entity.value]
    problems = {
        field.name: column_problem(field, columns.get(field.name))
        for field in ENTITIES[entity].fields
        if field.is_column
    }
    assert {name: p for name, p in problems.items() if p} == {}


@pytest.mark.parametrize("entity", list(Entity))
def test_every_column_is_a_field_or_known_bookkeeping(
    entity: Entity, tables: dict[str, dict[str, tuple]]
) -> None:
    declared = {f.name for f in ENTITIES[entity].fields if f.is_column}
    assert set(tables[entity.value]) - declared == non_field_columns(entity)


def test_id_lists_live_in_their_link_table(tables: dict[str, dict[str, tuple]]) -> None:
    lists = [
        (spec.entity, f.name) for spec in ENTITIES.values() for f in spec.fields if not f.is_column
    ]
    assert lists == [(Entity.VISIT, "activities")]
    assert set(tables["visit_activity"]) == {"visit_id", "activity_id"}


def test_the_importer_and_the_report_can_carry_what_they_are_declared_to() -> None:
    assert {f.name for f in IMPORTED_FIELDS} <= set(ParsedActivity.model_fields)
    assert {f.name for f in REPORT_FIELDS} <= set(ReportActivity.__slots__)
    # Every header the importer recognises fills a declared field; every declared text a
    # document fills has a header (extra and warnings are what is left over).
    texts = {f.name for f in IMPORTED_FIELDS if f.kind is Kind.TEXT}
    assert {c.value for c in Column} == texts


def test_labels_are_russian_and_distinct_within_an_entity() -> None:
    for spec in ENTITIES.values():
        labels = [f.label for f in spec.fields]
        assert len(set(labels)) == len(labels), spec.entity
        assert all(any("а" <= ch.lower() <= "я" or ch == "№" for ch in lab) for lab in labels)
