"""The hub dashboard shows each school's standing conflicts: a «Конф» column, sortable, and
the count in the totals line. Two real laptops edit the same field concurrently; the hub
merges both logs."""

from __future__ import annotations

from pathlib import Path

from curator_tui.domain.models import Status
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.test_tui_dashboard import SCHOOLS, open_dashboard, roadmap_for
from tests.tui_support import make_app, screen_text, settle


def hub_with_a_conflict(tmp_path: Path) -> Path:
    """Two laptops of the first school set activity 4's status, neither having seen the
    other's edit; the hub holds both (and the other schools, with no conflict)."""
    logs = []
    for name, status in (("a", Status.DONE), ("b", Status.IN_PROGRESS)):
        with Store.open(tmp_path / f"{name}.db", create=True) as laptop:
            save_roadmap(laptop, roadmap_for(SCHOOLS[0]))
            target = next(r["id"] for r in laptop.activities() if r["number"] == "4")
            laptop.set_status(target, status)
            logs.append(list(laptop.ops()))
    path = tmp_path / "hub.db"
    with Store.open(path, create=True) as hub:
        for ops in logs:
            hub.apply_remote(ops)
        for name in SCHOOLS[1:]:
            save_roadmap(hub, roadmap_for(name))
        assert len(hub.conflicts()) == 1
    return path


async def test_a_hub_with_a_conflict_shows_its_count(tmp_path: Path) -> None:
    app = make_app(hub_with_a_conflict(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dashboard(pilot)
        text = screen_text(app)
        lines = text.splitlines()
        titles = next(index for index, line in enumerate(lines) if "▲Школа" in line)
        assert "Конф" in lines[titles]
        # The totals above the filter, wrapped rather than cut at 80 columns.
        assert "конфликтов: 1" in " ".join(" ".join(lines[:titles]).split())
        first = next(line for line in text.splitlines() if SCHOOLS[0] in line)
        second = next(line for line in text.splitlines() if SCHOOLS[1] in line)
        assert first.split()[-4:-2] == ["0", "1"]  # files, conflicts (then bundle and visit)
        assert second.split()[-4:-2] == ["0", "0"]
        while screen.sort_key != "conflicts":
            await pilot.press("s")
        await pilot.press("r")
        await settle(pilot)
        assert screen.shown_rows[0].name == SCHOOLS[0]
        assert "▼Ко" in screen.table.render_line(0).text  # the arrow takes a letter
