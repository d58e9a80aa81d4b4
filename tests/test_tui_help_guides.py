"""Help per screen (what the screen is for, its own keys first) and the guides per role,
read in the app from the same files as docs/guide-*.md (issue 16, item 9)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from curator_tui.tui.screens.guide import GUIDES, GuideScreen, guide_text, guides_dir
from curator_tui.tui.screens.help import SCREEN_HELP, HelpScreen
from tests.test_tui_dashboard import hub_db
from tests.test_tui_russian import english_on_screen
from tests.tui_support import make_app, press, school_db, screen_text, settle

ROOT = Path(__file__).resolve().parents[1]


def help_text(app) -> str:  # type: ignore[no-untyped-def]
    """The whole help, scrolled or not."""
    return "\n".join(str(w.render()) for w in app.screen.query("Label, Static").results())


def test_every_screen_help_names_a_section_of_keys(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    headings = {heading for heading, _ in app.help_sections()}
    assert {h.heading for h in SCREEN_HELP.values()} <= headings


@pytest.mark.parametrize(("role", "title"), GUIDES)
def test_each_guide_is_russian_task_by_task_and_shipped_in_the_wheel(role: str, title: str) -> None:
    path = ROOT / "docs" / f"guide-{role}.md"
    assert guides_dir() == ROOT / "docs"  # a checkout reads docs/ itself
    text = guide_text(role)
    assert text == path.read_text(encoding="utf-8")
    assert text.startswith("# Руководство")
    assert text.count("\n## ") >= 4  # tasks, each a section
    assert "`" in text  # says which keys to press
    force_include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"
    ]["wheel"]["force-include"]
    assert force_include[f"docs/guide-{role}.md"] == f"curator_tui/_guides/guide-{role}.md"


async def test_help_tells_what_the_screen_is_for_and_its_keys_first(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path), media_roots=[tmp_path / "media"])
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = help_text(app)
        assert "Справка: Список мероприятий" in text
        assert SCREEN_HELP["HomeScreen"].purpose in text
        assert text.index("Клавиши этого экрана") < text.index("Везде")
        assert (
            text.index("Везде") < text.index("Другие экраны") < text.index("Карточка мероприятия")
        )
        assert english_on_screen(app) == set()
        await press(pilot, "escape")

        await press(pilot, "f5")
        await press(pilot, "f1")
        text = help_text(app)
        assert "Справка: Обмен данными" in text
        assert "Вся папка" in text or "Импорт всей папки" in text
        assert english_on_screen(app) == set()


async def test_g_opens_the_guide_of_the_users_role_and_f6_to_f8_switch(tmp_path: Path) -> None:
    app = make_app(hub_db(tmp_path), hub=True)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert "Справка: Сводка по школам" in help_text(app)
        await press(pilot, "g")
        assert isinstance(app.screen, GuideScreen)
        assert "Руководство координатора" in screen_text(app)  # a hub's user coordinates
        assert english_on_screen(app) == set()
        await press(pilot, "f6")
        assert "Руководство директора школы" in screen_text(app)
        await press(pilot, "f7")
        assert "Руководство куратора" in screen_text(app)
        assert english_on_screen(app) == set()
        await press(pilot, "escape")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_a_school_opens_the_directors_guide(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark", "g")
        assert "Руководство директора школы" in screen_text(app)
