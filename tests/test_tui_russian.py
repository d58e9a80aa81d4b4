"""The app speaks Russian on every screen (issue 16, item 7), Textual's own words included:
the palette's «No matches found», the theme search, the Ctrl+C hint.

The walk opens every screen and dialog a user reaches from the keyboard and reads the
terminal as the user does; a Latin word outside a short allow-list fails it."""

from __future__ import annotations

import re
from pathlib import Path

from curator_tui.tui.app import CuratorApp
from curator_tui.tui.palette import NO_MATCHES, THEME_PLACEHOLDER
from tests.test_tui_dashboard import hub_db
from tests.tui_support import make_app, press, school_db, screen_text, settle, toasts, type_text

# Names, not words: keys on the key bar, formats, programs, Textual's theme names.
ALLOWED_LATIN = frozenset(
    {"ctrl", "esc", "enter", "tab", "shift", "del", "space", "pgup", "pgdn", "home", "end",
     "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "age", "ssh", "json", "id",
     "docx", "xlsx", "txt", "pdf", "odt", "rtf", "html", "doc", "xls", "csv", "md", "pub",
     "usb", "sha256", "curator", "keys", "show", "age1", "utc", "word", "excel", "libreoffice",
     "windows", "linux"}
)  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")  # one letter is a key on the key bar
PATHS = re.compile(r"\S*[/\\]\S*|\S+\.\w+")  # the database's own path, file names
FILE_TREE_ROW = re.compile(r"^.*[📁📂📄].*$", re.MULTILINE)  # a folder's entries are names


def english_on_screen(app: CuratorApp) -> set[str]:
    text = screen_text(app) + "\n" + toasts(app)
    text = PATHS.sub(" ", FILE_TREE_ROW.sub(" ", text))
    return {w for w in LATIN_WORD.findall(text) if w.casefold() not in ALLOWED_LATIN}


async def test_every_screen_of_a_school_is_russian(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    seen: dict[str, set[str]] = {}

    async def look(name: str) -> None:
        await settle(pilot)
        seen[name] = english_on_screen(app)

    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await look("home")
        for key, name in (("question_mark", "help"), ("f5", "sync")):
            await press(pilot, key)
            await look(name)
            await press(pilot, "escape")
        await press(pilot, "enter")
        await look("detail")
        for key in ("s", "n", "e", "v"):  # status, note, evidence, visit dialogs
            await press(pilot, key)
            await look(f"detail {key}")
            await press(pilot, "escape")
        await press(pilot, "ctrl+p")
        await look("palette")
        await type_text(pilot, "щщщщ")
        await pilot.pause(0.8)  # Textual waits before it says nothing was found
        await look("palette, nothing found")
        assert NO_MATCHES in screen_text(app)
        await press(pilot, "escape")
        app.action_change_theme()
        await settle(pilot)  # the themes are listed by their (Latin) names: not looked at
        assert THEME_PLACEHOLDER in screen_text(app)
        await press(pilot, "escape")
        await press(pilot, "ctrl+c")
        await look("ctrl+c")
        assert "Ctrl+Q" in toasts(app)
    assert {name: words for name, words in seen.items() if words} == {}
    assert len(seen) == 11


async def test_the_hubs_screens_are_russian(tmp_path: Path) -> None:
    app = make_app(hub_db(tmp_path), hub=True)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        assert english_on_screen(app) == set()
        await press(pilot, "f5")
        await settle(pilot)
        assert english_on_screen(app) == set()


async def test_a_new_users_first_screen_is_russian(tmp_path: Path) -> None:
    app = make_app(tmp_path / "new.db")
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await settle(pilot)
        assert english_on_screen(app) == set()
