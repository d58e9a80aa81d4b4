"""The detail screen of a recurring activity: its occurrences, and the status of one of them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import OptionList

from curator_tui.domain.models import Status
from curator_tui.store.store import Store
from curator_tui.tui.app import build_app
from curator_tui.tui.screens.detail import DetailScreen
from curator_tui.tui.screens.modals import StatusPicker
from tests.tui_support import make_app, press, school_db, screen_text, settle


def activity_id(db: Path, number: str) -> str:
    with Store.open(db) as store:
        return str(store.find_activities(number)[0]["id"])


async def test_a_focused_occurrence_gets_its_own_status(tmp_path: Path) -> None:
    db = school_db(tmp_path)  # today: 15 February 2022; activity 2 is «ежемесячно»
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await settle(pilot)
        app.open_activity(activity_id(db, "2"))
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await press(pilot, "r")  # to the occurrences, the current one (February) highlighted
        options = app.screen.query_one("#occurrence-list", OptionList)
        assert app.screen.focused is options and options.highlighted == 1
        await press(pilot, "up", "s")  # January
        assert isinstance(app.screen, StatusPicker)
        await press(pilot, "down", "down", "enter")  # «Выполнено»
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "январь 2022 · Выполнено" in text
        assert "февраль 2022 · Не начато" in text
        # January done, February begun and not: the activity shows «в работе».
        assert f"Статус: {Status.IN_PROGRESS.label}" in text
    with Store.open(db) as store:
        row = store.find_activities("2")[0]
        [january, february, *_] = store.occurrences(row)
        assert (january.status, february.status) == (Status.DONE, Status.NOT_STARTED)
        assert row["status"] == Status.NOT_STARTED.value  # the activity's own field untouched


async def test_a_non_recurring_activity_lists_no_occurrences(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await settle(pilot)
        app.open_activity(activity_id(db, "1"))
        await settle(pilot)
        assert not app.screen.query_one("#occurrence-list", OptionList).display
        assert "Повторения" not in screen_text(app)
        await press(pilot, "r")
        await press(pilot, "s")  # the activity's own status, as before
        assert isinstance(app.screen, StatusPicker)


def test_the_occurrence_binding_has_an_id_and_a_russian_description() -> None:
    [binding] = [b for b in DetailScreen.BINDINGS if getattr(b, "id", "") == "detail.occurrences"]
    assert binding.description == "Повторения"  # type: ignore[union-attr]


def mark_months(db: Path, number: str, statuses: list[Status]) -> None:
    """Give the activity's first occurrences (January, February, …) these statuses."""
    with Store.open(db) as store:
        row = store.find_activities(number)[0]
        for occurrence, status in zip(store.occurrences(row), statuses, strict=False):
            store.set_occurrence_status(occurrence, status)


async def detail_status_line(db: Path, number: str, today: date) -> str:
    app = build_app(db, today=today)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await settle(pilot)
        app.open_activity(activity_id(db, number))
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        return next(line for line in screen_text(app).splitlines() if "Статус:" in line)


async def test_the_overdue_marker_counts_occurrences(tmp_path: Path) -> None:
    """10 March: January done, February not — February is overdue, whatever the activity's
    last due date (December); with February done too, March is owed and not yet overdue."""
    db = school_db(tmp_path)  # activity 2 is «ежемесячно»
    march = date(2022, 3, 10)
    mark_months(db, "2", [Status.DONE])
    line = await detail_status_line(db, "2", march)
    assert Status.IN_PROGRESS.label in line and "срок прошёл" in line
    mark_months(db, "2", [Status.DONE, Status.DONE])
    line = await detail_status_line(db, "2", march)
    assert Status.IN_PROGRESS.label in line and "срок прошёл" not in line
