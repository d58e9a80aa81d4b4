"""How the TUI is wired: screens see the app through `tui.context.Curator` (the app must have
all of it), and every worker reports its failure the one way (`tui.workers.thread_work`)."""

from __future__ import annotations

import re
from pathlib import Path

import curator_tui.tui
from curator_tui.tui.context import Curator, curator_of
from tests.tui_support import make_app

TUI = Path(curator_tui.tui.__file__).parent
OWN_WORKERS = re.compile(r"@work\b|\brun_worker\(|\bfrom textual import .*\bwork\b")


def test_the_app_has_everything_its_screens_ask_for(tmp_path: Path) -> None:
    app = make_app(tmp_path / "school.db")
    assert isinstance(app, Curator)
    assert curator_of(app) is app


def test_every_worker_reports_failures_through_thread_work() -> None:
    starts = [
        f"{path.relative_to(TUI)}:{number}: {line.strip()}"
        for path in sorted(TUI.rglob("*.py"))
        if path.name != "workers.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OWN_WORKERS.search(line)
    ]
    assert starts == []
