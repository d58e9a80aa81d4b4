"""How each screen looks, on a database whose dates, devices and times are fixed.

Regenerate after an intended change of look: `pytest tests/test_tui_snapshots.py
--snapshot-update`, then review the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.tui_support import make_app, settle, snapshot_db

SMALL = (80, 24)
LARGE = (120, 36)


def steps(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Wait for the first paint, press `keys` (waiting for the work each one starts), and
    stop the cursors blinking so the picture is the same every time."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for widget in pilot.app.screen.query("Input, TextArea").results():
            if isinstance(widget, (Input, TextArea)):
                widget.cursor_blink = False
        await settle(pilot)

    return run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return snapshot_db(tmp_path)


def test_list(snap_compare: Callable[..., bool], db: Path) -> None:
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps())


def test_list_wide(snap_compare: Callable[..., bool], db: Path) -> None:
    assert snap_compare(make_app(db), terminal_size=LARGE, run_before=steps("down", "down"))


def test_list_filtered(snap_compare: Callable[..., bool], db: Path) -> None:
    keys = ("slash", *"номер 1")
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps(*keys))


def test_list_by_deadline(snap_compare: Callable[..., bool], db: Path) -> None:
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps("t"))


def test_list_nothing_found(snap_compare: Callable[..., bool], db: Path) -> None:
    keys = ("slash", *"нет такого")
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps(*keys))


def test_list_light_theme(snap_compare: Callable[..., bool], db: Path) -> None:
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps("ctrl+t", "o"))


def test_detail(snap_compare: Callable[..., bool], db: Path) -> None:
    # Activity 2: in progress, recurring, with a note, two pieces of evidence and a visit.
    keys = ("down", "enter")
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps(*keys))


def test_detail_wide_with_history(snap_compare: Callable[..., bool], db: Path) -> None:
    keys = ("down", "enter", "end")
    assert snap_compare(make_app(db), terminal_size=LARGE, run_before=steps(*keys))


def test_status_picker(snap_compare: Callable[..., bool], db: Path) -> None:
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps("down", "s"))


def test_note_editor(snap_compare: Callable[..., bool], db: Path) -> None:
    keys = ("enter", "n", *"Приказ подписан")
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps(*keys))


def test_evidence_dialog(
    snap_compare: Callable[..., bool], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usb = tmp_path / "usb"
    (usb / "Сканы").mkdir(parents=True)
    (usb / "приказ.pdf").write_bytes(b"%PDF")
    monkeypatch.chdir(tmp_path)  # the tree names its root as given: «usb», not a temp path
    app = make_app(db, media_roots=[Path("usb")])
    assert snap_compare(app, terminal_size=SMALL, run_before=steps("e"))


def test_visit_dialog(snap_compare: Callable[..., bool], db: Path) -> None:
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps("down", "down", "v"))


def test_help(snap_compare: Callable[..., bool], db: Path) -> None:
    assert snap_compare(make_app(db), terminal_size=SMALL, run_before=steps("question_mark"))


def test_first_run(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = make_app(tmp_path / "empty.db")
    assert snap_compare(app, terminal_size=SMALL, run_before=steps())
