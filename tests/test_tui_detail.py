"""The activity detail: fields, schedule, status changes, notes, history and conflicts."""

from __future__ import annotations

from pathlib import Path

from curator_tui.domain.models import Status
from curator_tui.domain.parsed import ParsedActivity
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.tui.screens.detail import DetailScreen
from curator_tui.tui.screens.modals import NoteEditor, StatusPicker
from curator_tui.tui.widgets.activity_list import ActivityList
from tests.conftest import small_roadmap
from tests.tui_support import make_app, press, school_db, screen_text, settle, type_text


def activity_id(db: Path, number: str) -> str:
    with Store.open(db) as store:
        return store.find_activities(number)[0]["id"]


async def open_detail(pilot: object, db: Path, number: str) -> None:
    pilot.app.open_activity(activity_id(db, number))  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_detail_shows_every_field_and_the_schedule(tmp_path: Path) -> None:
    roadmap = small_roadmap()
    roadmap.activities[2] = ParsedActivity(
        number="3",
        title="Семинары для учителей",
        responsible="Методист",
        deadline_text="До 01.03.2022 г.",
        indicator="Проведено 3 семинара",
        result="Протоколы семинаров",
        levels="ОО",
        publicity="Сайт школы",
        extra={"Источник": "бюджет школы"},
        section="Методическая работа",
        warnings=["строка склеена из двух"],
    )
    db = school_db(tmp_path, roadmap)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        await open_detail(pilot, db, "3")
        text = screen_text(app)
        for expected in (
            "№ 3",
            "Семинары для учителей",
            "Раздел: Методическая работа",
            "Ответственный: Методист",
            "До 01.03.2022 г.",
            "Показатель: Проведено 3 семинара",
            "Результат: Протоколы семинаров",
            "Уровни: ОО",
            "Публичность: Сайт школы",
            "Источник: бюджет школы",
            "строка склеена из двух",
            "01.01.2022 – 01.03.2022 (ближайший)",
            "Статус: Не начато",
        ):
            assert expected in text, expected


async def test_a_sub_item_names_its_parent_and_a_recurrence_lists_its_dates(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        await open_detail(pilot, db, "3.1")
        assert "Входит в: № 3 Семинары для учителей" in screen_text(app)
        await press(pilot, "escape")
        await open_detail(pilot, db, "2")
        text = screen_text(app)
        assert "каждый месяц" in text
        assert "▶ 01.02.2022 – 28.02.2022 (ближайший)" in text
        assert "01.12.2022 – 31.12.2022" in text


async def test_change_status_shows_in_detail_history_and_list(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # activity 1
        assert isinstance(app.screen, DetailScreen)
        await press(pilot, "s")
        assert isinstance(app.screen, StatusPicker)
        await press(pilot, "down", "enter")  # «В работе»
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "Статус: В работе" in text
        assert "статус: В работе" in text  # the history
        await press(pilot, "escape")
        row = app.screen.query_one(ActivityList).loaded_rows()[0]
        assert row.status is Status.IN_PROGRESS
    with Store.open(db) as store:
        assert store.find_activities("1")[0]["status"] == Status.IN_PROGRESS.value


async def test_status_picker_cancelled_changes_nothing(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    with Store.open(db) as store:
        ops_before = store.op_count()
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "s", "down", "escape")
        assert "выполнено 0 из 4" in screen_text(app)
    with Store.open(db) as store:
        assert store.op_count() == ops_before


async def test_add_a_progress_note(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        await open_detail(pilot, db, "2")
        await press(pilot, "n")
        assert isinstance(app.screen, NoteEditor)
        await type_text(pilot, "Совещание проведено, протокол у завуча")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "Совещание проведено, протокол у завуча" in text
        assert "заметка добавлена" in text
    with Store.open(db) as store:
        [note] = store.notes(activity_id(db, "2"))
        assert note["text"] == "Совещание проведено, протокол у завуча"


async def test_an_empty_note_is_not_saved(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        await open_detail(pilot, db, "2")
        await press(pilot, "n", "ctrl+s")
        assert isinstance(app.screen, NoteEditor)  # still open, asking for text
        await press(pilot, "escape")
        assert "Заметок нет" in screen_text(app)


async def test_concurrent_edits_are_flagged_with_both_values(tmp_path: Path) -> None:
    school, laptop = tmp_path / "school.db", tmp_path / "laptop.db"
    with Store.open(school, create=True) as a, Store.open(laptop, create=True) as b:
        a.init_device(name="Ноутбук директора", role="school")
        b.init_device(name="Ноутбук куратора", role="curator")
        save_roadmap(a, small_roadmap())
        b.apply_remote(a.ops())
        target = a.find_activities("2")[0]["id"]
        a.set_status(target, Status.DONE)
        b.set_status(target, Status.CANCELLED)
        b_device = b.device()
        a.remember_device(b_device["id"], b_device["name"], b_device["role"], "")
        a.apply_remote(b.ops())
    app = make_app(school)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        await open_detail(pilot, school, "2")
        text = screen_text(app)
        assert "Конфликт правок" in text
        assert "Выполнено" in text and "Отменено" in text
        assert "Ноутбук директора" in text and "Ноутбук куратора" in text
        assert "(действует)" in text
