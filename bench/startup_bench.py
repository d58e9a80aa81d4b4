"""Command start-up: the everyday commands against `python -c "import sqlite3"`.

Each command runs in a fresh interpreter, as `curator` runs it (the console script's two
lines), on a school's database built from a seed roadmap. The runs of all commands and of
the baseline are interleaved round by round, so load from elsewhere on the machine falls on
all of them alike; the figure is each one's median CPU (user + system, from
`resource.getrusage` of the children). Target (issue 20): each ≤ 3× the baseline.
tests/test_command_start.py guards the import set that makes the figure.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seeds"
RESULTS = ROOT / "bench" / "results"
CURATOR = "from curator_tui.cli import main; raise SystemExit(main())"  # the console script
BASELINE = ("baseline", ["-c", "import sqlite3"])
ROUNDS = int(os.environ.get("CURATOR_BENCH_ROUNDS", "9"))
TARGET = 3.0


def commands(db: Path, activity: str) -> list[tuple[str, list[str]]]:
    on_db = ["--db", str(db)]
    return [
        ("curator --help", ["--help"]),
        ("activities --json", ["activities", "--json", *on_db]),
        ("set-status", ["set-status", activity, "в работе", *on_db]),
        ("note", ["note", activity, "Проведено совещание", *on_db]),
    ]


def school_db(workdir: Path) -> tuple[Path, str]:
    """A school's database (the first seed roadmap, as `import-roadmap` leaves it) and the id
    of its first activity."""
    from curator_tui.services import import_roadmap_file
    from curator_tui.store.store import Store

    db = workdir / "school.db"
    with Store.open(db, create=True) as store:
        import_roadmap_file(store, sorted(SEED.glob("*.txt"))[0])
        return db, str(store.activities()[0]["id"])


def child_cpu(argv: list[str]) -> float:
    """CPU seconds (user + system) of one fresh interpreter running `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *argv], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(db: Path, activity: str, rounds: int) -> list[dict[str, Any]]:
    runs = [BASELINE, *[(name, ["-c", CURATOR, *a]) for name, a in commands(db, activity)]]
    times: dict[str, list[float]] = {name: [] for name, _ in runs}
    for _ in range(rounds):
        for name, argv in runs:
            times[name].append(child_cpu(argv))
    base = statistics.median(times[BASELINE[0]])
    return [
        {
            "command": name,
            "median_cpu_ms": round(1000 * statistics.median(spent), 1),
            "min_cpu_ms": round(1000 * min(spent), 1),
            "max_cpu_ms": round(1000 * max(spent), 1),
            "ratio": round(statistics.median(spent) / base, 2) if base else None,
        }
        for name, spent in times.items()
    ]


def print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'command':<22}{'median ms':>10}{'min':>8}{'max':>8}{'ratio':>7}")
    for r in results:
        verdict = "" if r["command"] == BASELINE[0] or r["ratio"] <= TARGET else "  > 3×"
        print(
            f"{r['command']:<22}{r['median_cpu_ms']:>10}{r['min_cpu_ms']:>8}"
            f"{r['max_cpu_ms']:>8}{r['ratio']:>7}{verdict}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="curator-startup-") as tmp:
        results = measure(*school_db(Path(tmp)), ROUNDS)
    print(f"CPU of a fresh interpreter per command, median of {ROUNDS} interleaved rounds;")
    print('ratio against `python -c "import sqlite3"` in the same run (target ≤ 3×).')
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
