"""The activity list, driven through the real app on real database files."""

from __future__ import annotations

from pathlib import Path

from curator_tui.domain.models import Status
from curator_tui.domain.parsed import ParsedActivity
from curator_tui.store.store import Store
from curator_tui.tui.screens.detail import DetailScreen
from curator_tui.tui.screens.home import HomeScreen
from curator_tui.tui.widgets.activity_list import PAGE_SIZE, ActivityList
from tests.conftest import small_roadmap
from tests.tui_support import (
    TODAY,
    bigger_roadmap,
    make_app,
    press,
    school_db,
    screen_text,
    settle,
    type_text,
)

OPEN = {Status.NOT_STARTED.value, Status.IN_PROGRESS.value}


def listed(app: object) -> list[str]:
    return [row.number for row in app.screen.query_one(ActivityList).loaded_rows()]  # type: ignore[attr-defined]


def store_rows(db: Path) -> list[dict]:
    with Store.open(db) as store:
        return store.activities()


async def test_list_shows_sections_rows_and_progress(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "МБОУ «Тестовая СОШ»" in text
        assert "выполнено 0 из 4" in text
        assert "Организационные мероприятия" in text and "Методическая работа" in text
        assert "Семинар по функциональной грамотности" in text
        assert listed(app) == ["1", "2", "3", "3.1"]
        sub_item = next(r for r in app.screen.query_one(ActivityList).loaded_rows() if r.depth)
        assert sub_item.number == "3.1"


async def test_filter_narrows_the_list_as_letters_are_typed(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "сем")
        assert listed(app) == ["3", "3.1"]
        assert "2 из 4" in screen_text(app)
        await type_text(pilot, "инар функц")
        assert listed(app) == ["3.1"]
        assert "1 из 4" in screen_text(app)
        await press(pilot, "escape")  # clears the filter and returns to the list
        assert listed(app) == ["1", "2", "3", "3.1"]
        assert app.focused is app.screen.query_one(ActivityList)


async def test_filter_by_responsible_and_number(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "куратор")
        assert listed(app) == ["2"]
        await press(pilot, *["backspace"] * 7)
        await type_text(pilot, "3.1")
        assert listed(app) == ["3.1"]
        await press(pilot, *["backspace"] * 3)
        await type_text(pilot, "нет такого")
        assert listed(app) == []
        assert "Ничего не найдено" in screen_text(app)


async def test_letters_typed_in_the_filter_are_not_shortcuts(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "ost")
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home.query_state.text == "ost" and home.query_state.quick.value == "all"


async def test_quick_filter_overdue(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    expected = [
        r["number"]
        for r in store_rows(db)
        if r["status"] in OPEN and r["due_date"] and r["due_date"] < TODAY.isoformat()
    ]
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        assert listed(app) == expected
        assert "просроченные" in screen_text(app)
        await press(pilot, "o")  # pressed again: the quick filter is off
        assert listed(app) == ["1", "2", "3", "3.1"]


async def test_quick_filter_due_this_month(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    month_start, next_month = "2022-02-01", "2022-03-01"
    expected = [
        r["number"]
        for r in store_rows(db)
        if r["first_date"]
        and r["first_date"] < next_month
        and r["due_date"]
        and r["due_date"] >= month_start
    ]
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        assert listed(app) == expected
        assert "срок в этом месяце" in screen_text(app)


async def test_quick_filter_done_without_evidence_and_status_filter(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    with Store.open(db) as store:
        first, second = store.find_activities("1")[0], store.find_activities("2")[0]
        store.set_status(first["id"], Status.DONE)
        store.set_status(second["id"], Status.DONE)
        store.attach_link(second["id"], "https://example.org/protocol")
        store.set_status(store.find_activities("3")[0]["id"], Status.IN_PROGRESS)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "w")
        assert listed(app) == ["1"]
        await press(pilot, "w", "c")  # off again, then the status filter: «Не начато»
        assert listed(app) == ["3.1"]
        await press(pilot, "c")
        assert listed(app) == ["3"]
        assert "статус «В работе»" in screen_text(app)
        await press(pilot, "c")
        assert listed(app) == ["1", "2"]
        await press(pilot, "x")
        assert listed(app) == ["1", "2", "3", "3.1"]


async def test_sort_toggles_between_deadline_and_number(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    rows = store_rows(db)
    by_deadline = [
        r["number"]
        for r in sorted(rows, key=lambda r: (r["due_date"] or "9999-12-31", r["position"]))
    ]
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        assert listed(app) == by_deadline
        assert "по сроку" in screen_text(app)
        await press(pilot, "t")
        assert listed(app) == ["1", "2", "3", "3.1"]
        assert "по номеру" in screen_text(app)


async def test_enter_opens_the_detail_of_the_row_under_the_cursor(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "down", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert "Семинары для учителей" in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_long_list_is_paged_in_as_it_scrolls(tmp_path: Path) -> None:
    roadmap = small_roadmap()
    roadmap.activities = [
        ParsedActivity(number=str(n), title=f"Пункт {n}", section="Организационные мероприятия")
        for n in range(1, 351)
    ]
    app = make_app(school_db(tmp_path, roadmap))
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        activity_list = app.screen.query_one(ActivityList)
        # Painted from the first page, counted in a worker afterwards.
        assert activity_list.total == 350
        assert "350 из 350" in screen_text(app)
        assert len(activity_list.loaded_rows()) == PAGE_SIZE  # only the first page so far
        await press(pilot, "end")
        await settle(pilot)
        assert "Пункт 350" in screen_text(app)
        assert activity_list.current_row is not None
        assert activity_list.current_row.number == "350"
        await press(pilot, "home", "pagedown")
        assert activity_list.cursor > 10
        assert "Организационные мероприятия" in screen_text(app)  # the section stays in view


async def test_two_apps_on_one_database_see_each_others_changes(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    first, second = make_app(db), make_app(db)
    async with (
        first.run_test(notifications=True, size=(100, 24)) as one,
        second.run_test(notifications=True, size=(100, 24)) as two,
    ):
        await settle(one)
        await settle(two)
        await press(one, "s")
        await press(one, "down", "down", "enter")  # «Выполнено» for activity 1
        await settle(one)
        assert first.screen.query_one(ActivityList).loaded_rows()[0].status is Status.DONE
        await press(two, "ctrl+r")
        assert second.screen.query_one(ActivityList).loaded_rows()[0].status is Status.DONE
        assert "выполнено 1 из 4" in screen_text(second)


async def test_a_school_with_more_sections_groups_rows_under_headers(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path, bigger_roadmap()))
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        headers = [i for i, line in enumerate(lines) if "Работа с учителями" in line]
        sixth = next(i for i, line in enumerate(lines) if "Мероприятие номер 6" in line)
        seventh = next(i for i, line in enumerate(lines) if "Мероприятие номер 7" in line)
        assert headers == [sixth + 1] and seventh == sixth + 2
