"""Bundle import as the region grows: 300 → 3,000 → 10,000 schools of 60 activities each.

The federal point of issue 20 (item 3): a hub of 10,000 organisations imports one bundle per
school ≤ 2× its floor. Each size is the hub bench's set-up (bench/hub_bench.py: the template
hub and one signed bundle per school, cached under bench/.cache/hub/), measured the same way:
`import_bundles` of every bundle into a fresh copy against the floor (the same op rows
inserted with sqlite-utils `insert_all`, one commit per bundle), alternating, medians of
FEDERAL_RUNS. The growth table says what one bundle costs at each size, against the smallest.

Also, per size: the cost per op of checking authorship (sync/authorship.check_authorship:
the chain recomputed from the op lines, the attestation's signature, the stored links and key
bindings read), timed alone over the bundles of a sample, opened against the template hub.

Sizes: CURATOR_BENCH_FEDERAL_SIZES (default "300,1000"); CURATOR_BENCH_FEDERAL=1 runs
300,3000,10000 (the 10,000-school set-up is built once, ~15 minutes and ~3 GB).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.hub_bench import RESULTS, ensure_setup, fresh_copy, timed_floor, timed_import
from curator_tui.store.store import Store
from curator_tui.sync.importing import check_authors
from curator_tui.sync.opening import Outcome, open_file
from curator_tui.sync.replica import paths_of, sync_session

FULL_SIZES = "300,3000,10000"
DEFAULT_SIZES = "300,1000"
RUNS = int(os.environ.get("CURATOR_BENCH_FEDERAL_RUNS", "2"))
AUTHORSHIP_SAMPLE = 200  # bundles whose authorship check is timed alone
FEDERAL_SCHOOLS = 10_000
TARGET_AT_FEDERAL = 2.0  # × floor at FEDERAL_SCHOOLS (issue 20, item 3)


def sizes() -> list[int]:
    full = os.environ.get("CURATOR_BENCH_FEDERAL") == "1"
    text = os.environ.get("CURATOR_BENCH_FEDERAL_SIZES", FULL_SIZES if full else DEFAULT_SIZES)
    return [int(part) for part in text.split(",") if part.strip()]


def authorship_cost(template: Path, bundles: list[Path], folder: Path) -> tuple[float, int]:
    """Seconds spent in the authorship check alone over a sample of bundles, and their ops."""
    folder.mkdir()
    hub = fresh_copy(template, folder)
    spent, ops = 0.0, 0
    with Store.open(hub) as store:
        paths = paths_of(store)
        with sync_session(paths) as staging:
            for path in bundles[:AUTHORSHIP_SAMPLE]:
                opened = open_file(paths, staging, path, None, None)
                examined = opened.examined
                assert examined is not None, opened.report.message
                start = time.perf_counter()
                check_authors(store, examined, opened.report)
                spent += time.perf_counter() - start
                assert opened.report.acceptable, opened.report.message
                ops += len(examined.ops)
                opened.cleanup()
    return spent, ops


def measure(schools: int, folder: Path) -> dict[str, object]:
    template, bundles = ensure_setup(schools)
    imports: list[float] = []
    floors: list[float] = []
    ops = 0
    for run in range(RUNS):
        run_folder = folder / f"{schools}-{run}"
        run_folder.mkdir()
        seconds, reports = timed_import(template, bundles, run_folder)
        refused = [r for r in reports if r.outcome is not Outcome.ACCEPTED]
        assert not refused, refused[0].message
        ops = sum(r.ops for r in reports)
        imports.append(seconds)
        floors.append(timed_floor(bundles, run_folder, per_bundle=True))
        shutil.rmtree(run_folder)
    check_s, checked_ops = authorship_cost(template, bundles, folder / f"{schools}-authors")
    shutil.rmtree(folder / f"{schools}-authors")
    import_s, floor_s = statistics.median(imports), statistics.median(floors)
    return {
        "schools": schools,
        "bundles": len(bundles),
        "ops": ops,
        "import_s": round(import_s, 2),
        "floor_s": round(floor_s, 2),
        "ratio": round(import_s / floor_s, 2),
        "ratio_runs": [round(i / f, 2) for i, f in zip(imports, floors, strict=True)],
        "ms_per_bundle": round(import_s / len(bundles) * 1000, 2),
        "authorship_us_per_op": round(check_s / checked_ops * 1e6, 1),
    }


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="curator-federal-bench-") as tmp:
        for schools in sizes():
            rows.append(measure(schools, Path(tmp)))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    per_bundle = [float(str(row["ms_per_bundle"])) for row in rows]
    print(
        f"\n{'schools':>8} {'import s':>9} {'floor s':>8} {'ratio':>6} {'ms/bundle':>10} "
        f"{'growth':>7} {'authorship µs/op':>17}"
    )
    for row, ms in zip(rows, per_bundle, strict=True):
        row["growth_per_bundle"] = round(ms / per_bundle[0], 2)
        print(
            f"{row['schools']:>8} {row['import_s']:>9} {row['floor_s']:>8} {row['ratio']:>6} "
            f"{ms:>10} {ms / per_bundle[0]:>6.2f}× {row['authorship_us_per_op']:>17}"
        )
    if rows[-1]["schools"] == FEDERAL_SCHOOLS:
        print(
            f"federal point ({FEDERAL_SCHOOLS} schools, target ≤ {TARGET_AT_FEDERAL}×): "
            f"{rows[-1]['ratio']}×"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "federal.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
