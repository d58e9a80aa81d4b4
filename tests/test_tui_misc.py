"""Around the screens: help, the palette, themes, the first run, the clock, broken databases."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from textual.binding import Binding

from curator_tui.domain.ops import Action, Entity
from curator_tui.services import DEMO_DB_VARIABLE, DEMO_ROADMAP
from curator_tui.store.store import Change, Store, now_ms
from curator_tui.tui.app import CuratorApp
from curator_tui.tui.screens.detail import DetailScreen
from curator_tui.tui.screens.first_run import FirstRunScreen
from curator_tui.tui.screens.help import HelpScreen
from curator_tui.tui.screens.home import HomeScreen
from curator_tui.tui.screens.import_summary import ImportSummaryScreen
from curator_tui.tui.screens.setup import SetupScreen
from curator_tui.tui.widgets.activity_list import ActivityList
from tests.tui_support import make_app, press, school_db, screen_text, settle, toasts, type_text

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def every_binding(app: CuratorApp) -> list[Binding]:
    return [b for _, section in app.help_sections() for b in section if isinstance(b, Binding)]


async def test_help_lists_every_binding_in_russian(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = "".join(
            str(static.render()) for static in app.screen.query(".help-keys").results()
        )
        bindings = [b for b in every_binding(app) if not b.system]
        for binding in bindings:
            assert binding.id, binding
            assert CYRILLIC.search(binding.description), binding
            assert binding.description in help_text, binding.description
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)


async def test_palette_finds_an_activity_by_number_and_opens_it(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "3.1")
        await pilot.pause(0.3)  # the palette gathers hits on a short timer
        await settle(pilot)
        assert "№ 3.1 · Семинар по функциональной грамотности" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert "Семинар по функциональной грамотности" in screen_text(app)


async def test_palette_finds_an_activity_by_words(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "совещания")
        await pilot.pause(0.3)
        await settle(pilot)
        assert "№ 2 · Совещания с кураторами" in screen_text(app)


async def test_theme_toggles_between_dark_and_light(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await press(pilot, "ctrl+t")
        assert app.theme == "textual-light"
        await press(pilot, "ctrl+t")
        assert app.theme == "textual-dark"


async def test_first_run_refuses_a_bad_file_then_imports_a_roadmap(tmp_path: Path) -> None:
    roadmap = tmp_path / "usb" / "дорожная карта.txt"
    roadmap.parent.mkdir()
    shutil.copy(DEMO_ROADMAP, roadmap)
    app = make_app(tmp_path / "new.db")
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        path_input = app.screen.query_one("#roadmap-path")
        path_input.value = str(tmp_path / "usb")  # a folder, not a roadmap document
        await press(pilot, "enter")
        assert isinstance(app.screen, FirstRunScreen)
        assert "не поддерживается" in toasts(app)
        path_input.value = str(tmp_path / "missing.docx")
        await press(pilot, "enter")
        assert "не найден" in toasts(app)
        path_input.value = str(roadmap)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportSummaryScreen)  # the document has remarks
        assert "Импортировано мероприятий" in toasts(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, SetupScreen)  # a device without keys: set up now or later
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(ActivityList).total > 20


async def test_first_run_opens_the_demo_in_its_own_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "data" / "demo.db"
    monkeypatch.setenv(DEMO_DB_VARIABLE, str(demo))
    personal = tmp_path / "new.db"
    app = make_app(personal)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "f2")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Молчановского района" in screen_text(app)
        assert app.db_path == demo
    with Store.open(personal) as store:
        assert store.roadmaps() == []  # the personal database stays empty
    with Store.open(demo) as store:
        assert len(store.roadmaps()) == 1


async def test_a_clock_behind_the_database_is_warned_about_once(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    with Store.open(db) as store:
        target = store.find_activities("1")[0]["id"]
        a_year_ahead = now_ms() + 365 * 24 * 3600 * 1000
        store.record(
            [Change(Entity.ACTIVITY, target, Action.SET, "status", "in_progress")], a_year_ahead
        )
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Часы компьютера, похоже, отстают" in toasts(app)
        await press(pilot, "ctrl+r")
        assert len(app._notifications) == 1


async def test_a_corrupt_database_is_reported_and_the_app_keeps_running(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    db.write_bytes(b"this is not a database at all, just some bytes " * 100)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        assert "файл повреждён" in toasts(app)
        await press(pilot, "question_mark")  # still answering keys
        assert isinstance(app.screen, HelpScreen)


async def test_a_folder_given_as_the_database_is_reported(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Указан путь к папке, а не к файлу базы" in toasts(app)


async def test_a_locked_database_is_reported_and_nothing_is_lost(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another program holds the file
        try:
            await press(pilot, "s", "down", "down", "enter")
            await settle(pilot)
            assert "база занята другой программой" in toasts(app)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await press(pilot, "s", "down", "down", "enter")
        await settle(pilot)
        assert app.screen.query_one(ActivityList).loaded_rows()[0].status.value == "done"
