"""The device set up inside the app (issue 16, item 1): after the first roadmap, the setup
screen makes the keys, trusts the coordinator's key file from the stick and shows both
fingerprints; the first export is then signed and encrypted to the coordinator.

The whole way from a fresh install to the first signed export is counted in keystrokes."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from curator_tui.domain.models import Status
from curator_tui.services import DEMO_ROADMAP
from curator_tui.store.store import Store
from curator_tui.sync import replica
from curator_tui.sync.trust import TrustRole
from curator_tui.tui.screens.home import HomeScreen
from curator_tui.tui.screens.import_summary import ImportSummaryScreen
from curator_tui.tui.screens.setup import SetupScreen
from curator_tui.tui.screens.sync import SyncScreen
from tests.bundle_helpers import cli, make_replica
from tests.tui_support import make_app, press, screen_text, settle, toasts

SIZE = (80, 24)


class Keys:
    """Presses keys and counts them: a character typed is one keystroke, like Enter."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        self.count += len(keys)
        await press(self.pilot, *keys)

    async def type(self, text: str) -> None:
        await self.press(*text)


def stick_with_roadmap_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A mounted stick holding the school's roadmap and the coordinator's `keys export` file."""
    media = tmp_path / "media"
    stick = media / "user" / "STICK"
    stick.mkdir(parents=True)
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == stick)
    shutil.copy(DEMO_ROADMAP, stick / "roadmap.txt")
    hub = make_replica(tmp_path / "hub.db", "Координатор", "coordinator", hub_region="Томская")
    assert cli("keys", "export", stick / "coord.pub", "--db", hub.db).code == 0
    return stick


async def test_fresh_install_to_the_first_signed_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = stick_with_roadmap_and_key(tmp_path, monkeypatch)
    db = tmp_path / "personal" / "curator.db"
    app = make_app(db, media_roots=[tmp_path / "media"])
    async with app.run_test(notifications=True, size=SIZE) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.type(str(stick / "roadmap.txt"))
        await keys.press("enter")
        assert isinstance(app.screen, ImportSummaryScreen)  # the demo document has remarks
        await keys.press("escape")
        assert isinstance(app.screen, SetupScreen)
        organisation = app.screen.query_one("#setup-organisation", Input).value
        assert "Молчановск" in organisation  # the only organisation of the roadmap, offered
        assert app.screen.query_one("#setup-name", Input).value == "Ноутбук директора"
        # The one key file on the stick is offered; the button «Готово» has the focus.
        assert app.screen.query_one("#setup-key", Input).value == str(stick / "coord.pub")
        await keys.press("enter")
        text = screen_text(app)
        own = replica.replica_keys(db).fingerprint
        coordinator = replica.replica_keys(tmp_path / "hub.db").fingerprint
        assert own in text and coordinator in text
        assert "будут зашифрованы" in text
        await keys.press("enter")
        assert isinstance(app.screen, HomeScreen)
        with Store.open(db) as store:  # the director's first piece of work (not counted)
            store.set_status(store.activities()[0]["id"], Status.DONE)
        await keys.press("f5")
        assert isinstance(app.screen, SyncScreen)
        await keys.press("ctrl+s")
        [bundle] = stick.glob("*.curator.age")
        typed = len(str(stick / "roadmap.txt"))
        print(f"keystrokes: {keys.count} ({keys.count - typed} keys + {typed} typed)")
        assert keys.count - typed == 6  # enter, escape, enter, enter, F5, Ctrl+S
    identity = tmp_path / "hub.db.files" / "keys" / "age_identity.txt"
    plain = tmp_path / "opened.curator"
    subprocess.run(["age", "-d", "-i", identity, "-o", plain, bundle], check=True)
    assert "manifest.json.sig" in zipfile.ZipFile(plain).namelist()


async def test_setup_refuses_an_unknown_organisation_and_makes_no_keys(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        from curator_tui.store.roadmaps import save_roadmap
        from tests.conftest import small_roadmap

        save_roadmap(store, small_roadmap())
    app = make_app(db)
    async with app.run_test(notifications=True, size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(SetupScreen(["МБОУ «Тестовая СОШ»"]))
        await settle(pilot)
        screen = app.screen
        screen.query_one("#setup-organisation", Input).value = "МБОУ Тестовя СОШ"
        await press(pilot, "ctrl+s")
        assert "нет в базе" in toasts(app) and "МБОУ «Тестовая СОШ»" in toasts(app)
        assert isinstance(app.screen, SetupScreen)
        assert not (tmp_path / "school.db.files" / "keys").exists()
        screen.query_one("#setup-organisation", Input).value = ""
        await press(pilot, "ctrl+s")
        assert "Укажите организацию" in toasts(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_curator_is_set_up_without_an_organisation(tmp_path: Path) -> None:
    db = tmp_path / "curator.db"
    app = make_app(db, media_roots=[tmp_path / "no-media"])
    async with app.run_test(notifications=True, size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(SetupScreen([]))
        await settle(pilot)
        await press(pilot, "shift+tab")  # from the key field back to the roles
        await press(pilot, "right", "enter")
        screen = app.screen
        assert screen.query_one("#setup-name", Input).value == "Ноутбук куратора"
        await press(pilot, "ctrl+s")
        assert "готово к обмену" in screen_text(app)
    with Store.open(db) as store:
        assert store.device()["role"] == TrustRole.CURATOR.value
