"""First paint, measured alike for the minimal Textual app and for «Куратор».

Light on imports on purpose: bench/tui_bench.py also runs these in fresh interpreters, where
everything imported here would be counted against the app being measured.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

SIZE = (120, 36)
POLL = 0.001  # seconds between looks at the running app
TODAY = date(2025, 5, 15)


class PaintedStatic(Static):
    painted_at: float | None = None

    def render(self) -> Any:
        if self.painted_at is None:
            self.painted_at = time.perf_counter()
        return super().render()


class HelloApp(App[None]):
    """The floor: the smallest Textual app that paints something."""

    def compose(self) -> ComposeResult:
        yield PaintedStatic("Привет, мир")


async def wait_until(condition: Callable[[], bool], timeout: float = 60) -> float:
    """Poll the running app until `condition` holds; returns when it did."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(POLL)
    return time.perf_counter()


def list_painted(app: App[None]) -> bool:
    """The activity list has drawn its first rows."""
    from curator_tui.tui.screens.home import HomeScreen
    from curator_tui.tui.widgets.activity_list import ActivityList

    if not isinstance(app.screen, HomeScreen):
        return False
    activity_list = app.screen.query_one(ActivityList)
    return activity_list.total > 0 and activity_list.painted_generation >= 1


async def paint_time_hello(start: float | None = None) -> float:
    """Seconds from `start` (default: now) until the minimal app's first render."""
    start = time.perf_counter() if start is None else start
    app = HelloApp()
    async with app.run_test(size=SIZE):
        static = app.query_one(PaintedStatic)
        await wait_until(lambda: static.painted_at is not None)
        painted = static.painted_at
    assert painted is not None
    return painted - start


async def paint_time_curator(db: Path, start: float | None = None) -> float:
    """Seconds from `start` (default: now) until the activity list's first render with rows.

    Timed by the list itself when it draws its first rows, as the minimal app's Static times
    its first render: polling would add the time the test harness takes to hand over.
    """
    from curator_tui.tui.app import build_app
    from curator_tui.tui.widgets.activity_list import ActivityList

    start = time.perf_counter() if start is None else start
    app = build_app(db, today=TODAY, hub=False)  # the activity list, even on a hub
    async with app.run_test(size=SIZE):
        await wait_until(lambda: list_painted(app))
        painted = app.screen.query_one(ActivityList).first_painted_at
    assert painted is not None
    return painted - start


def dashboard_painted(app: App[None]) -> bool:
    """The hub's dashboard has drawn its first rows of schools."""
    from curator_tui.tui.screens.dashboard import DashboardScreen
    from curator_tui.tui.widgets.school_table import SchoolTable

    screen = app.screen
    return isinstance(screen, DashboardScreen) and screen.query_one(SchoolTable).painted


async def paint_time_dashboard(db: Path, start: float | None = None) -> float:
    """Seconds from `start` (default: now) until the dashboard's table drew its first rows."""
    from curator_tui.tui.app import build_app
    from curator_tui.tui.widgets.school_table import SchoolTable

    start = time.perf_counter() if start is None else start
    app = build_app(db, today=TODAY, hub=True)
    async with app.run_test(size=SIZE):
        await wait_until(lambda: dashboard_painted(app))
        painted = app.screen.query_one(SchoolTable).first_painted_at
    assert painted is not None
    return painted - start


# perf_counter is CLOCK_MONOTONIC on Linux, shared by all processes: the child measures from
# the moment the parent started it, interpreter start-up and imports included.
COLD_SCRIPT = """
import asyncio, sys
from pathlib import Path
started = float(sys.argv[1])
from bench import paint
if len(sys.argv) > 2:
    measure = getattr(paint, "paint_time_" + sys.argv[2])
    print(asyncio.run(measure(Path(sys.argv[3]), started)))
else:
    print(asyncio.run(paint.paint_time_hello(started)))
"""


def cold_time(root: Path, screen: str | None = None, db: Path | None = None) -> float:
    """First paint from a fresh interpreter: the minimal app, or `screen` ("curator" for the
    activity list, "dashboard") on `db`. Each process imports only what it measures."""
    args = [screen, str(db)] if screen and db else []
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", COLD_SCRIPT, repr(started), *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return float(out.stdout.split()[-1])
