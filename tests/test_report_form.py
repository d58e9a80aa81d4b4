"""«Форма отчетности»: the first field added through the declaration (domain/fields.py),
followed from a roadmap document to every face and across a bundle."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from curator_tui.domain.ops import Action, Entity
from curator_tui.domain.parsed import ParsedActivity
from curator_tui.reports.columns import ACTIVITY_COLUMNS, as_text
from curator_tui.reports.model import build_monthly_report
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.tui.formatting import describe_operation
from tests.bundle_helpers import (
    ORG_NAME,
    activity_id,
    cli,
    forge,
    make_hub,
    make_school,
    remote_op,
)
from tests.conftest import small_roadmap
from tests.tui_support import make_app, school_db, screen_text, settle

DOCUMENT = [
    "Управление образования администрации Энского района",
    "",
    "Дорожная карта на 2022 год",
    "",
    "\t".join(["№ п/п", "Мероприятие", "Сроки", "Ответственный", "Форма отчётности"]),
    "\t".join(["1", "Семинар для учителей", "Январь 2022", "Методист", "Протокол, фотоотчёт"]),
    "\t".join(["2", "Совещание", "Февраль 2022", "Директор", ""]),
]


def with_report_form() -> object:
    roadmap = small_roadmap()
    first = roadmap.activities[0]
    roadmap.activities[0] = ParsedActivity(
        **{**first.model_dump(), "report_form": "Приказ, размещённый на сайте"}
    )
    return roadmap


def test_a_document_s_column_reaches_the_store_and_the_json(tmp_path: Path) -> None:
    source = tmp_path / "map.txt"
    source.write_text("\n".join(DOCUMENT), encoding="utf-8")
    db = tmp_path / "school.db"
    imported = cli("import-roadmap", source, "--db", db, "--school", ORG_NAME)
    assert imported.code == 0, imported.err
    listed = cli("activities", "--db", db, "--json")
    rows = {row["number"]: row for row in json.loads(listed.out)}
    assert rows["1"]["report_form"] == "Протокол, фотоотчёт"
    assert rows["2"]["report_form"] == ""
    assert "Форма отчётности" not in json.dumps(rows["1"]["extra"], ensure_ascii=False)


async def test_the_detail_shows_it_only_when_the_roadmap_has_it(tmp_path: Path) -> None:
    db = school_db(tmp_path, with_report_form())  # type: ignore[arg-type]
    app = make_app(db)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        with Store.open(db) as store:
            first, second = (activity_id(store, n) for n in ("1", "2"))
        app.open_activity(first)
        await settle(pilot)
        assert "Форма отчетности: Приказ, размещённый на сайте" in screen_text(app)
        app.pop_screen()
        await settle(pilot)
        app.open_activity(second)
        await settle(pilot)
        assert "Форма отчетности" not in screen_text(app)


def test_history_and_report_name_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "hub.db", create=True) as store:
        save_roadmap(store, small_roadmap())
        amended = with_report_form()
        save_roadmap(store, amended)  # type: ignore[arg-type]
        first = activity_id(store, "1")
        [change] = [op for op in store.history(first) if op["field"] == "report_form"]
        assert describe_operation(change, first) == (
            "форма отчетности: Приказ, размещённый на сайте"
        )
        report = build_monthly_report(store, date(2022, 1, 1), None, date(2022, 2, 10))
    headers = [column.header for column in ACTIVITY_COLUMNS]
    column = ACTIVITY_COLUMNS[headers.index("Форма отчетности")]
    [activity] = [a for school in report.schools for a in school.activities if a.number == "1"]
    assert as_text(column.value(activity)) == "Приказ, размещённый на сайте"


@pytest.fixture
def hub_and_school(tmp_path: Path) -> tuple:
    hub = make_hub(tmp_path, with_report_form())
    school = make_school(tmp_path, hub)
    return tmp_path, hub, school


def test_the_coordinator_s_roadmap_bundle_carries_it(hub_and_school: tuple) -> None:
    _root, _hub, school = hub_and_school
    with school.open() as store:
        assert store.activity(activity_id(store, "1"))["report_form"] == (
            "Приказ, размещённый на сайте"
        )


def test_a_school_may_not_set_it(hub_and_school: tuple) -> None:
    root, hub, school = hub_and_school
    with hub.open() as store:
        first = activity_id(store, "1")
    op = remote_op(
        school.device_id,
        900,
        Entity.ACTIVITY,
        first,
        action=Action.SET,
        field="report_form",
        value="Справка",
    )
    path = root / "forged" / "bundle.curator"
    path.parent.mkdir()
    report = hub.import_(forge(path, school.key, [op]))
    assert report.outcome == "refused"
    assert "не может менять структуру дорожной карты" in report.message
