"""Where several schools' activities mix, each is named (issue 16, item 6): the palette."""

from __future__ import annotations

from pathlib import Path

from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.conftest import small_roadmap
from tests.tui_support import make_app, press, screen_text, settle, type_text

OTHER = "МБОУ «Другая СОШ»"


def two_schools(tmp_path: Path) -> Path:
    db = tmp_path / "curator.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
        save_roadmap(store, small_roadmap(organisation=OTHER))
    return db


async def test_palette_hits_name_their_school(tmp_path: Path) -> None:
    app = make_app(two_schools(tmp_path), hub=False)  # a curator's file of its schools
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "1")
        await pilot.pause(0.3)
        await settle(pilot)
        text = screen_text(app)
        assert "МБОУ «Тестовая СОШ» · " in text and f"{OTHER} · " in text
