"""The app's first paint loads only what it draws.

A cold start is dominated by imports: pydantic, sqlite-utils, the deadline parser with
python-dateutil, cryptography and the report writers each cost a sizeable share of a minimal
Textual app's whole start (bench/tui_bench.py measures the time). This guards the rule that
makes the figure, without timing anything: a fresh interpreter paints the activity list of a
real file, then reports which of those libraries it had to import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.conftest import small_roadmap

# Loaded on demand: by writes, other screens, bundles, reports, or the command line.
HEAVY = (
    "pydantic",
    "sqlite_utils",
    "dateutil",
    "curator_tui.domain.schedule",
    "curator_tui.store.projection_batch",
    "cryptography",
    "pyrage",
    "openpyxl",
    "docx",
    "click",
    "curator_tui.sync",
    "curator_tui.reports",
    "curator_tui.importers",
    "curator_tui.tui.screens.detail",
    "curator_tui.tui.screens.sync",
)

PAINT_AND_LIST = """
import asyncio, json, sys
from datetime import date
from pathlib import Path

from curator_tui.tui.app import build_app


def painted(app) -> bool:
    screen = app.screen
    if type(screen).__name__ == "HomeScreen":
        from curator_tui.tui.widgets.activity_list import ActivityList

        rows = screen.query_one(ActivityList)
        return bool(rows.total) and rows.painted_generation >= 1
    if type(screen).__name__ == "DashboardScreen":
        from curator_tui.tui.widgets.school_table import SchoolTable

        return screen.query_one(SchoolTable).painted
    return False


async def paint() -> None:
    app = build_app(Path(sys.argv[1]), today=date(2022, 2, 10))  # the home it would open on
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            if painted(app):
                break
            await pilot.pause(0.01)
        else:
            raise SystemExit("the first screen never painted")


asyncio.run(paint())
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by_first_paint(db: Path) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PAINT_AND_LIST, str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_first_paint_of_the_list_imports_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())

    loaded = loaded_by_first_paint(db)

    assert "curator_tui.tui.widgets.activity_list" in loaded  # it did paint the list
    assert [name for name in (*HEAVY, "curator_tui.tui.screens.dashboard") if name in loaded] == []


def test_first_paint_of_a_hubs_dashboard_imports_none_of_the_heavy_libraries(
    tmp_path: Path,
) -> None:
    db = tmp_path / "hub.db"
    with Store.open(db, create=True) as store:
        for name in ("МБОУ «СОШ № 1»", "МБОУ «СОШ № 2»"):
            save_roadmap(store, small_roadmap(organisation=name))

    loaded = loaded_by_first_paint(db)

    assert "curator_tui.tui.widgets.school_table" in loaded  # it did paint the dashboard
    # The dashboard shares the report's definitions of its figures (reports.model), not its
    # writers: those stay in HEAVY.
    heavy = [name for name in HEAVY if name != "curator_tui.reports"]
    assert [name for name in heavy if name in loaded] == []
    assert "curator_tui.reports.output" not in loaded


def test_the_command_that_opens_the_app_loads_only_its_own_group() -> None:
    script = (
        "import json, sys\n"
        "from curator_tui import cli\n"
        "cli.build_parser(cli.groups_needed([]))\n"
        "import curator_tui.tui.app\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    loaded = set(json.loads(out.stdout))

    assert "curator_tui.cli.app" in loaded
    assert [name for name in (*HEAVY, "curator_tui.cli.sync") if name in loaded] == []
