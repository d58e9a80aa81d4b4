"""After an import the app lists what needs checking, as the CLI does, scrolling at 80×24."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import Button

from curator_tui.tui.screens.home import HomeScreen
from curator_tui.tui.screens.import_summary import ImportSummaryScreen
from curator_tui.tui.screens.setup import SetupScreen
from tests.tui_support import make_app, press, screen_text, settle

ROWS = 30


def write_roadmap(path: Path) -> Path:
    lines = [
        "МБОУ «СОШ № 7»",
        "",
        "Дорожная карта на 2023/2024 учебный год",
        "\t".join(["№", "Мероприятие", "Сроки", "Ответственный"]),
    ]
    for n in range(1, ROWS + 1):
        lines.append(
            "\t".join([str(n), f"Мероприятие номер {n}", f"в марте, вероятно {n}", "Директор"])
        )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


async def test_the_list_of_partly_read_deadlines_scrolls_at_80x24(tmp_path: Path) -> None:
    source = write_roadmap(tmp_path / "карта.txt")
    app = make_app(tmp_path / "new.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#roadmap-path").value = str(source)  # type: ignore[attr-defined]
        await press(pilot, "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportSummaryScreen)
        shown = screen_text(app)
        assert f"Требует проверки ({ROWS}):" in shown
        assert "Мероприятие 1, срок «в марте, вероятно 1»" in shown
        assert "непонятно" in shown
        box = screen.query_one("#import-warnings", VerticalScroll)
        assert box.max_scroll_y > 0  # more than fits: the list scrolls
        button = screen.query_one("#import-summary-close", Button)
        assert button.region.bottom <= 24 and button.region.height > 0  # still on screen
        await press(pilot, "end")
        assert f"Мероприятие {ROWS}, срок" in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, SetupScreen)  # a device without keys: «Позже» for now
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_an_import_with_nothing_to_check_goes_straight_to_the_list(tmp_path: Path) -> None:
    source = tmp_path / "чистая.txt"
    source.write_text(
        "\n".join(
            [
                "МБОУ «СОШ № 7»",
                "Дорожная карта на 2023 год",
                "№\tМероприятие\tСроки\tОтветственный",
                "1\tСовет\tмарт\tДиректор",
            ]
        ),
        encoding="utf-8",
    )
    app = make_app(tmp_path / "new.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#roadmap-path").value = str(source)  # type: ignore[attr-defined]
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)  # no remarks to read: on to the setup
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
