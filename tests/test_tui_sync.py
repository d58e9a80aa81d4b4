"""«Обмен данными»: export to a stick, verify before import, refuse tampered bundles, history.

Real replicas with keys and trust (tests/bundle_helpers.py), real signed bundles, the real
sync services in the screen's workers; the only thing faked is that a tmp folder is a mount.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path
from typing import ClassVar

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input

from curator_tui.domain.models import Status
from curator_tui.platform import find_medium
from curator_tui.store.store import Store
from curator_tui.sync.container import OPS_NAME
from curator_tui.tui import app as app_module
from curator_tui.tui.app import CuratorApp
from curator_tui.tui.screens.sync import BundleImported, SyncScreen
from tests.bundle_helpers import Replica, activity_id, make_hub, make_school, snapshot
from tests.tui_support import TODAY, make_app, press, school_db, screen_text, settle

SIZE = (130, 60)


class RecordingApp(CuratorApp):
    """The real app, remembering the facts the sync screen announces."""

    CSS_PATH = str(Path(app_module.__file__).with_name("curator.tcss"))
    imported: ClassVar[list[BundleImported]] = []

    def on_bundle_imported(self, message: BundleImported) -> None:
        self.imported.append(message)


@pytest.fixture
def hub(tmp_path: Path) -> Replica:
    return make_hub(tmp_path)


@pytest.fixture
def school(tmp_path: Path, hub: Replica) -> Replica:
    return make_school(tmp_path, hub)


def school_progress(school: Replica, stick: Path) -> tuple[str, Path]:
    """Activity 3 marked done at the school and exported to `stick`."""
    with school.open() as store:
        activity = activity_id(store, "3")
        store.set_status(activity, Status.DONE)
    return activity, school.export(stick)


def op_count(db: Path) -> int:
    with Store.open(db) as store:
        return store.op_count()


def status_of(db: Path, activity: str) -> str:
    with Store.open(db) as store:
        row = store.activity(activity)
    assert row is not None
    return str(row["status"])


async def open_sync(pilot: Pilot[None]) -> SyncScreen:
    screen = SyncScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def choose_bundle(pilot: Pilot[None], screen: SyncScreen, bundle: Path) -> None:
    await press(pilot, "f7")
    typed = screen.query_one("#import-path", Input)
    typed.focus()
    typed.value = str(bundle)
    await press(pilot, "enter")
    assert screen.chosen == [bundle]


def flipped(bundle: Path, target: Path) -> Path:
    """The same bundle with one byte of ops.jsonl changed (as a damaged stick would)."""
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(OPS_NAME)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_len + extra_len + 20] ^= 0x01
    target.write_bytes(bytes(data))
    return target


# --- export -----------------------------------------------------------------------------------


async def test_export_to_the_mounted_stick(
    tmp_path: Path, school: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = tmp_path / "media"
    stick = media / "user" / "FLESHKA"
    stick.mkdir(parents=True)
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == stick)
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)
    app = make_app(school.db, media_roots=[media])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        assert screen.query_one("#export-destination", Input).value == str(stick)
        await press(pilot, "ctrl+s")
        [bundle] = stick.glob("*.curator")
        text = screen_text(app)
        assert f"Пакет записан: {bundle.name}" in text
        assert "Изменений: 1" in text
        assert not screen.busy
        # The coordinator has not acknowledged it yet: the next export carries it again.
        await press(pilot, "ctrl+s")
        assert "Изменений: 1" in screen_text(app)
        assert len(list(stick.glob("*.curator"))) == 2
        await press(pilot, "escape")
        assert not isinstance(app.screen, SyncScreen)


def test_medium_is_a_mounted_folder_only(tmp_path: Path) -> None:
    (tmp_path / "user" / "empty-dir").mkdir(parents=True)
    stick = tmp_path / "usb"
    stick.mkdir()
    assert find_medium([tmp_path], is_mount=lambda p: p == stick) == stick
    assert find_medium([tmp_path], is_mount=lambda p: False) is None
    assert find_medium([tmp_path / "missing"]) is None


async def test_export_without_curator_init_says_what_to_do(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db, media_roots=[tmp_path / "media"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        screen.query_one("#export-destination", Input).value = str(tmp_path / "out")
        await press(pilot, "ctrl+s")
        assert "сначала выполните curator init" in screen_text(app)
        assert not screen.busy
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --- import -----------------------------------------------------------------------------------


async def test_verify_first_then_import_on_confirm(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    activity, bundle = school_progress(school, tmp_path / "stick")
    ops_before = op_count(hub.db)
    RecordingApp.imported = []
    app = RecordingApp(hub.db, today=TODAY, media_roots=[tmp_path / "stick"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        confirm = screen.query_one("#import-confirm", Button)
        await choose_bundle(pilot, screen, bundle)
        assert confirm.disabled

        await press(pilot, "ctrl+r")
        text = screen_text(app)
        assert "Подписал: «Директор school», школа" in text
        assert "ключ: SHA256:" in text
        assert "Итог: пакет будет принят." in text
        assert not confirm.disabled
        # Verification changed nothing.
        assert op_count(hub.db) == ops_before
        assert status_of(hub.db, activity) != Status.DONE

        await press(pilot, "ctrl+y")
        assert "Пакет импортирован: новых изменений 1" in screen_text(app)
        assert confirm.disabled
        assert [m.applied for m in RecordingApp.imported] == [1]

        await press(pilot, "f8")
        table = screen.query_one("#history-table", DataTable)
        assert table.row_count == 1
        assert "принят" in [str(cell) for cell in table.get_row_at(0)]
    assert status_of(hub.db, activity) == Status.DONE
    assert op_count(hub.db) == ops_before + 1


async def test_tampered_bundle_is_refused_and_nothing_changes(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    _activity, good = school_progress(school, tmp_path / "stick")
    bad = flipped(good, tmp_path / "stick" / "damaged.curator")
    good.unlink()
    before = snapshot(hub.db)
    app = make_app(hub.db, media_roots=[tmp_path / "stick"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        await choose_bundle(pilot, screen, bad)
        await press(pilot, "ctrl+r")
        text = screen_text(app)
        assert "контрольная сумма записи «ops.jsonl» не сходится" in text
        assert "НЕ будет принят" in text
        assert "Импортировать нечего" in text
        assert screen.query_one("#import-confirm", Button).disabled
        await press(pilot, "ctrl+y")  # refused by the screen too
        assert not screen.busy
    assert snapshot(hub.db) == before


async def test_encrypted_export_for_the_coordinator(
    tmp_path: Path, hub: Replica, school: Replica
) -> None:
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)
    out = tmp_path / "out"
    app = make_app(school.db, media_roots=[tmp_path / "media"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        screen.query_one("#export-destination", Input).value = str(out)
        recipient = screen.query_one("#export-recipient", Input)
        assert recipient.disabled
        await pilot.click("#export-encrypt")
        await settle(pilot)
        assert not recipient.disabled and recipient.has_focus
        await press(pilot, "ctrl+s")  # no recipient yet: nothing is written
        assert not out.exists()
        recipient.value = hub.age_recipient
        await press(pilot, "ctrl+s")  # from inside the input
        [bundle] = out.glob("*.curator.age")
        assert "изменения, зашифрован" in screen_text(app)
    assert hub.import_(bundle).outcome == "accepted"


async def test_f5_opens_the_exchange_screen_from_the_list(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path), media_roots=[tmp_path / "media"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        assert isinstance(app.screen, SyncScreen)
        await press(pilot, "f5")  # already there: no second copy on the stack
        assert sum(isinstance(s, SyncScreen) for s in app.screen_stack) == 1
