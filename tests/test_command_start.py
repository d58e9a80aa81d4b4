"""The everyday commands load only what they use.

`curator --help`, `activities --json`, `set-status` and `note` are typed by hand and run by
scripts many times over; their cost is almost all imports (bench/startup_bench.py measures
it against `python -c "import sqlite3"`). This guards the rule that makes the figure,
without timing anything: a fresh interpreter runs the command on a real file, then reports
which of the heavy libraries it had to import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.conftest import small_roadmap

ROOT = Path(__file__).resolve().parents[1]
# Each is for some other command: bundles, keys, reports, document reading, the app.
HEAVY = (
    "pydantic",
    "sqlite_utils",
    "dateutil",
    "cryptography",
    "pyrage",
    "openpyxl",
    "docx",
    "lxml",
    "textual",
    "platformdirs",
    "curator_tui.importers",
    "curator_tui.domain.parsed",
    "curator_tui.domain.schedule",
    "curator_tui.sync.trust",
    "curator_tui.sync.replica",
    "curator_tui.reports.output",
    "curator_tui.tui",
)

RUN_AND_LIST = """
import contextlib, io, json, sys

from curator_tui.cli import main

with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def run_fresh(*argv: str) -> tuple[int, str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], result["out"], set(result["modules"])


@pytest.fixture
def school_db(tmp_path: Path) -> Path:
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
    return db


def heavy_in(loaded: set[str]) -> list[str]:
    return [name for name in HEAVY if name in loaded]


def test_help_lists_every_command_without_their_libraries() -> None:
    code, out, loaded = run_fresh("--help")

    assert code == 0
    assert "import-roadmap" in out and "report" in out and "export" in out
    assert heavy_in(loaded) == []


def test_activities_json_loads_none_of_the_heavy_libraries(school_db: Path) -> None:
    code, out, loaded = run_fresh("activities", "--json", "--db", str(school_db))

    assert code == 0
    assert len(json.loads(out)) == len(small_roadmap().activities)
    assert heavy_in(loaded) == []


def test_set_status_loads_none_of_the_heavy_libraries(school_db: Path) -> None:
    code, out, loaded = run_fresh("set-status", "1", "done", "--db", str(school_db))

    assert code == 0
    assert "выполнено" in out.casefold()
    assert heavy_in(loaded) == []


def test_note_loads_none_of_the_heavy_libraries(school_db: Path) -> None:
    code, out, loaded = run_fresh("note", "1", "Приказ подписан", "--db", str(school_db))

    assert code == 0
    assert "заметка сохранена" in out
    assert heavy_in(loaded) == []
