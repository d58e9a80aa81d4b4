"""Logging a curator's visit and finding it on the detail of every activity discussed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, SelectionList

from curator_tui.store.store import Store
from curator_tui.tui.screens.detail import DetailScreen
from curator_tui.tui.screens.visit import VisitDialog
from tests.tui_support import TODAY, make_app, press, school_db, screen_text, settle, toasts


def ids_by_number(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        return {row["number"]: row["id"] for row in store.activities()}


async def test_log_a_visit_and_see_it_on_each_activity_discussed(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    ids = ids_by_number(db)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_activity(ids["3"])
        await settle(pilot)
        await press(pilot, "v")
        dialog = app.screen
        assert isinstance(dialog, VisitDialog)
        choices = dialog.query_one(SelectionList)
        assert choices.selected == [ids["3"]]  # the activity the visit was opened from
        assert dialog.query_one("#visit-date", Input).value == "15.02.2022"
        dialog.query_one("#visit-date", Input).value = "03.02.2022"
        dialog.query_one("#visit-participants", Input).value = "директор, завуч, куратор"
        choices.select(ids["3.1"])
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "03.02.2022 · участники: директор, завуч, куратор" in text
        assert "Визит записан" in toasts(app)
        await press(pilot, "escape")
        app.open_activity(ids["3.1"])
        await settle(pilot)
        assert "03.02.2022 · участники: директор, завуч, куратор" in screen_text(app)
    with Store.open(db) as store:
        [visit] = store.visits()
        assert visit["visit_date"] == "2022-02-03"
        assert sorted(store.visit_activities(visit["id"])) == sorted([ids["3"], ids["3.1"]])


async def test_visit_from_the_list_defaults_to_today_and_the_highlighted_row(
    tmp_path: Path,
) -> None:
    db = school_db(tmp_path)
    ids = ids_by_number(db)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "v")
        assert isinstance(app.screen, VisitDialog)
        assert app.screen.query_one(SelectionList).selected == [ids["2"]]
        await press(pilot, "ctrl+s")
        await settle(pilot)
    with Store.open(db) as store:
        [visit] = store.visits(ids["2"])
        assert visit["visit_date"] == TODAY.isoformat()


async def test_a_date_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        dialog = app.screen
        dialog.query_one("#visit-date", Input).value = "31.02.2022"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert "Дата «31.02.2022» не распознана" in toasts(app)
        await press(pilot, "escape")
    with Store.open(db) as store:
        assert store.visits() == []
