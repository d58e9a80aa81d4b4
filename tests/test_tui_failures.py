"""Failed work is told in one place: one Russian message per failure, and the app keeps running.

Real failures only: a file that is not a database, an export folder that is a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Static

from curator_tui.domain.models import Status
from curator_tui.tui.app import CuratorApp
from curator_tui.tui.screens.home import HomeScreen
from curator_tui.tui.screens.sync import SyncScreen
from tests.bundle_helpers import Replica, activity_id, make_hub, make_school
from tests.tui_support import make_app, press, settle, type_text

CORRUPT = b"this is not a database at all, just some bytes " * 100


def errors(app: CuratorApp) -> list[str]:
    """What the error notifications said, in the order they came."""
    return [n.message for n in app._notifications if n.severity == "error"]


@pytest.fixture
def school(tmp_path: Path) -> Replica:
    return make_school(tmp_path, make_hub(tmp_path))


async def test_a_failing_first_page_is_told_once_by_the_worker(tmp_path: Path) -> None:
    # The list's first page is read on the UI thread; that read fails, so the list loads in
    # a worker, whose failure is the one message (not one from each attempt).
    db = tmp_path / "school.db"
    db.write_bytes(CORRUPT)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        [message] = errors(app)
        assert "файл повреждён" in message
        assert [n.title for n in app._notifications] == ["Ошибка"]


async def test_a_failing_palette_search_is_told_and_the_palette_stays(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    db.write_bytes(CORRUPT)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        before = len(errors(app))
        await press(pilot, "ctrl+p")
        await type_text(pilot, "1")
        assert CommandPalette.is_open(app)
        told = errors(app)[before:]
        assert told and all("файл повреждён" in text for text in told)


async def test_a_failed_export_is_told_once_and_the_screen_is_ready_again(
    tmp_path: Path, school: Replica
) -> None:
    not_a_folder = tmp_path / "stick.txt"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)  # something to export
    app = make_app(school.db, media_roots=[])
    async with app.run_test(notifications=True, size=(130, 60)) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(screen := SyncScreen())
        await settle(pilot)
        screen.query_one("#export-destination", Input).value = str(not_a_folder)
        await press(pilot, "ctrl+s")
        [message] = errors(app)
        assert message.startswith(f"Не удалось создать папку {not_a_folder}")
        shown = str(screen.query_one("#export-result", Static).render())
        assert shown == f"Ошибка: {message}"  # the panel of the run says it too
        assert not screen.busy  # the run is over: another export can start
        stick = tmp_path / "stick"
        screen.query_one("#export-destination", Input).value = str(stick)
        await press(pilot, "ctrl+s")
        assert len(list(stick.glob("*.curator"))) == 1
        assert len(errors(app)) == 1
