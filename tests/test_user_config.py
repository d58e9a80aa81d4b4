"""Remembered settings (issue 16, item 8): the theme, the export folder and the recipient
survive a restart; a broken settings file gives the defaults and a warning, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator_tui.tui.screens.sync import SyncScreen
from curator_tui.user_config import (
    CONFIG_ENV,
    UserSettings,
    config_path,
    load_settings,
    remember,
)
from tests.tui_support import make_app, press, school_db, settle, toasts

RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


def test_settings_round_trip_and_unknown_fields_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "settings.json"
    assert load_settings(path).settings == UserSettings()  # no file yet: defaults, no warning
    assert load_settings(path).warning is None
    assert remember(path, theme="textual-light", recipient=RECIPIENT) is None
    assert remember(path, export_folder="/media/флешка") is None
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"theme": "textual-light", "export_folder": "/media/флешка",
                    "recipient": RECIPIENT}  # fmt: skip
    path.write_text(json.dumps({**data, "from_a_newer_version": 1, "theme": 5}), "utf-8")
    assert load_settings(path).settings == UserSettings(None, "/media/флешка", RECIPIENT)
    assert not list(path.parent.glob(".settings.json.*"))  # no temporary file left behind


@pytest.mark.parametrize("content", [b'{"theme": ', b"\xff\xfe\x00", b"[1, 2]", b""])
def test_a_broken_file_gives_defaults_and_a_russian_warning(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    loaded = load_settings(path)
    assert loaded.settings == UserSettings()
    assert loaded.warning is not None and "взяты настройки по умолчанию" in loaded.warning
    assert remember(path, theme="textual-light") is None  # a good file replaces it
    assert load_settings(path).settings.theme == "textual-light"


def test_a_file_that_cannot_be_written_is_told_not_raised(tmp_path: Path) -> None:
    a_file = tmp_path / "не папка"
    a_file.write_text("")
    problem = remember(a_file / "settings.json", theme="textual-light")
    assert problem is not None and "Настройки не сохранены" in problem


def test_the_config_file_lives_in_the_users_config_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert config_path().parts[-2:] == ("curator", "settings.json")
    monkeypatch.setenv(CONFIG_ENV, "/tmp/x.json")
    assert config_path() == Path("/tmp/x.json")


async def test_the_theme_is_remembered_across_runs(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    db = school_db(tmp_path)
    app = make_app(db, settings_file=settings)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await press(pilot, "ctrl+t")
        await settle(pilot)
    assert load_settings(settings).settings.theme == "textual-light"
    again = make_app(db, settings_file=settings)
    async with again.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"


async def test_a_broken_settings_file_starts_the_app_with_a_warning(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text("{ это не JSON", encoding="utf-8")
    app = make_app(school_db(tmp_path), settings_file=settings)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert "Файл настроек" in toasts(app) and "по умолчанию" in toasts(app)


async def test_the_export_folder_and_recipient_are_offered_again(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    folder = tmp_path / "флешка"
    folder.mkdir()
    remember(settings, export_folder=str(folder), recipient=RECIPIENT)
    app = make_app(school_db(tmp_path), settings_file=settings)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert app.screen.query_one("#export-destination").value == str(folder)  # type: ignore[attr-defined]
        assert app.screen.query_one("#export-recipient").value == RECIPIENT  # type: ignore[attr-defined]
