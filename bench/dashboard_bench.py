"""The hub's dashboard as the region grows: 300 → 3,000 (→ 10,000) schools of 60 activities.

For each size, in one run:
(a) cold first paint: a fresh interpreter from its start until the dashboard's table drew its
    first rows of schools, against the minimal Textual app measured the same way
    (bench/paint.cold_time); runs alternate, medians. Target (issue 20): ≤ 1.5×.
(b) filter keystroke: from a key posted as the terminal driver posts it, while every school
    is loaded, until the table holds the rows for the new text (the redraw that follows is
    one screenful); p50 and p95 over a coordinator's typing. Target: p95 ≤ 50 ms.

The hubs are built once (cached under bench/.cache/, keyed by size and schema) by the
cheapest real means: one roadmap per school through the real `save_roadmap`, a third of each
done and a sixth in progress, as bench/tui_bench.py builds its hub; no bundles (their
import is bench/hub_bench.py's). CURATOR_BENCH_DASHBOARD_FULL=1 adds 10,000 schools (the
build alone takes about twenty minutes).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.paint import SIZE, TODAY, cold_time, dashboard_painted, wait_until
from bench.tui_bench import (
    TYPED,
    TYPING_PAUSE,
    ensure_db,
    key_event,
    percentile,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PER_SCHOOL = 60
PAINT_RUNS = 3
TARGET_COLD = 1.5
TARGET_P95_MS = 50


def sizes() -> list[int]:
    if os.environ.get("CURATOR_BENCH_DASHBOARD_FULL"):
        return [300, 3_000, 10_000]
    return [300, 3_000]


def ensure_hub(schools: int) -> Path:
    """The cached hub of `schools` roadmaps, built on first use (tui_bench's builder)."""
    return ensure_db(f"dashboard{schools}", schools, PER_SCHOOL)


def cold_paints(hub: Path) -> tuple[float, float]:
    """Median cold first paint of the minimal app and of the dashboard, runs alternating."""
    hello: list[float] = []
    dashboard: list[float] = []
    for _ in range(PAINT_RUNS):
        hello.append(cold_time(ROOT))
        dashboard.append(cold_time(ROOT, "dashboard", hub))
    return statistics.median(hello), statistics.median(dashboard)


async def filter_latencies(hub: Path) -> list[float]:
    """Seconds from each key in the dashboard's filter until the table holds the new rows."""
    from curator_tui.tui.app import build_app
    from curator_tui.tui.screens.dashboard import DashboardScreen

    app = build_app(hub, today=TODAY, hub=True)
    samples: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: dashboard_painted(app))
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        # Stage 2 (every school) runs in a worker after the first frame; type after it.
        await wait_until(lambda: len(screen.all_rows) == screen.schools, timeout=600)
        await pilot.press("slash")
        typed = ""
        for word in TYPED:
            keys = [*("space" if c == " " else c for c in word), *["backspace"] * len(word)]
            for key in keys:
                await asyncio.sleep(TYPING_PAUSE)
                typed = (
                    typed[:-1] if key == "backspace" else typed + (" " if key == "space" else key)
                )
                before = screen.table.rows
                start = time.perf_counter()
                app.post_message(key_event(key))

                def filtered(text: str = typed, rows: object = before) -> bool:
                    return screen.filter_text == text and screen.table.rows is not rows

                samples.append(await wait_until(filtered) - start)
    return samples


def measure(schools: int) -> dict[str, Any]:
    hub = ensure_hub(schools)
    hello, dashboard = cold_paints(hub)
    latencies = asyncio.run(filter_latencies(hub))
    ms = 1000
    return {
        "schools": schools,
        "activities": schools * PER_SCHOOL,
        "cold_hello_ms": round(hello * ms),
        "cold_dashboard_ms": round(dashboard * ms),
        "cold_ratio": round(dashboard / hello, 2),
        "filter_p50_ms": round(percentile(latencies, 0.5) * ms, 1),
        "filter_p95_ms": round(percentile(latencies, 0.95) * ms, 1),
        "filter_max_ms": round(max(latencies) * ms, 1),
        "keystrokes": len(latencies),
    }


def print_table(results: list[dict[str, Any]]) -> None:
    print(
        f"{'schools':>8}{'activities':>11}{'hello, ms':>10}{'dashboard':>10}{'ratio':>7}"
        f"{'filter p50':>11}{'p95':>7}{'max':>8}"
    )
    for r in results:
        print(
            f"{r['schools']:>8}{r['activities']:>11}{r['cold_hello_ms']:>10}"
            f"{r['cold_dashboard_ms']:>10}{r['cold_ratio']:>7}{r['filter_p50_ms']:>11}"
            f"{r['filter_p95_ms']:>7}{r['filter_max_ms']:>8}"
        )


def main() -> None:
    results = [measure(schools) for schools in sizes()]
    print(
        f"Cold first paint of the dashboard vs the minimal Textual app (median of {PAINT_RUNS}, "
        f"target ≤ {TARGET_COLD}×); filter keystroke → rows (target p95 ≤ {TARGET_P95_MS} ms)."
    )
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dashboard.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
