"""Roadmap import speed: each seed, and synthetic roadmaps growing in one table.

The floor, in the same run: reading the same file, splitting its table, and inserting the
very rows our import leaves in the state tables (organisation, roadmap, sections,
activities) with plain sqlite-utils `insert_all` into a file of the same schema — the same
indexes and the same full-text index. The ratio says what understanding the document and
writing it as operations costs over the least any import into this schema must do.

Every figure is taken in a fresh interpreter (`python -m bench.import_bench --one ...`), so
peak RSS is the run's own and CPU time is the import's alone (after the imports of code).
Sizes: 1,000 and 10,000 activities by default; CURATOR_BENCH_FULL=1 adds 100,000 and
200,000 (several minutes). Targets (issue 20): ours ≤ 3× the floor's CPU, peak RSS ≤ 150 MB
at 200,000, cost linear in rows.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
RESULTS = ROOT / "bench" / "results"
STATE_TABLES = ("organisation", "roadmap", "section", "activity")
DEADLINES = [
    "Январь- февраль 2025 г.",
    "До 01.03.2025 г.",
    "ежемесячно",
    "В течение года",
    "С марта 2025 г. 2-й и 4-й понедельник",
    "Май, сентябрь, ноябрь",
    "2-е полугодие 2025 г.",
    "По отдельному графику",
    "20–21 апреля 2025г., октябрь 2025г.",
    "С апреля ежеквартально",
]


def synthetic_roadmap(path: Path, activities: int, per_section: int = 100) -> Path:
    lines = [
        "Управление образования администрации Тестового муниципального района",
        "Дорожная карта реализации проекта «500+» на 2025 год",
        "",
        "№ п/п\tНаименование мероприятия\tОтветственный\tСроки реализации\tПоказатель реализации",
    ]
    for index in range(activities):
        if index % per_section == 0:
            lines.append(
                f"{index // per_section + 1}. Раздел номер {index // per_section + 1}\t\t\t\t"
            )
        section, item = divmod(index, per_section)
        lines.append(
            f"{section + 1}.{item + 1}.\tМероприятие {index} по повышению качества образования"
            f"\tКоординатор Иванова И.И.\t{DEADLINES[index % len(DEADLINES)]}"
            f"\tНаличие приказа и протокола № {index}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- one measured run, in its own interpreter ---------------------------------------------------


def fresh_file(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def run_ours(source: Path, db: Path) -> None:
    from curator_tui.services import prepare_roadmap
    from curator_tui.store.roadmaps import save_roadmap
    from curator_tui.store.store import Store

    parsed = prepare_roadmap(source)
    with Store.open(fresh_file(db), create=True) as store:
        save_roadmap(store, parsed)


def run_floor(source: Path, db: Path, rows_file: Path) -> None:
    """Read and split the file, create the schema, insert the prepared rows (ours creates its
    file too, so both pay for the schema)."""
    import sqlite_utils

    from curator_tui.store.store import Store

    cells = [line.split("\t") for line in source.read_text(encoding="utf-8").splitlines()]
    assert cells
    rows: dict[str, list[dict[str, Any]]] = json.loads(rows_file.read_text(encoding="utf-8"))
    with Store.open(fresh_file(db), create=True):
        pass  # the same schema, indexes and search index, empty
    database = sqlite_utils.Database(db)
    with database.conn:
        for table in STATE_TABLES:
            database[table].insert_all(rows[table], batch_size=1000)
    database.conn.close()


def state_rows(db: Path) -> dict[str, list[dict[str, Any]]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {t: [dict(r) for r in conn.execute(f"SELECT * FROM {t}")] for t in STATE_TABLES}
    finally:
        conn.close()


def one(kind: str, source: Path, db: Path, rows_file: Path | None) -> dict[str, float]:
    # Code imported before the clock starts: it is start-up, not import work.
    import sqlite_utils  # noqa: F401

    import curator_tui.services
    import curator_tui.store.roadmaps  # noqa: F401

    start = time.process_time()
    if kind == "ours":
        run_ours(source, db)
    else:
        assert rows_file is not None
        run_floor(source, db, rows_file)
    cpu = time.process_time() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"cpu_s": cpu, "peak_mb": peak_kb / 1024}


def in_fresh_process(kind: str, source: Path, db: Path, rows_file: Path | None) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.import_bench", "--one", kind, str(source), str(db)]
    if rows_file is not None:
        args.append(str(rows_file))
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the table -----------------------------------------------------------------------------------


def measure(name: str, source: Path, workdir: Path, repeat: int) -> dict[str, Any]:
    db = workdir / "ours.db"
    ours = [in_fresh_process("ours", source, db, None) for _ in range(repeat)]
    rows = state_rows(db)
    rows_file = workdir / "rows.json"
    rows_file.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    floor = [
        in_fresh_process("floor", source, workdir / "floor.db", rows_file) for _ in range(repeat)
    ]
    ours_cpu = min(r["cpu_s"] for r in ours)
    floor_cpu = min(r["cpu_s"] for r in floor)
    activities = len(rows["activity"])
    return {
        "roadmap": name,
        "activities": activities,
        "ours_cpu_s": round(ours_cpu, 3),
        "floor_cpu_s": round(floor_cpu, 3),
        "ratio": round(ours_cpu / floor_cpu, 2) if floor_cpu else None,
        "us_per_activity": round(1e6 * ours_cpu / max(activities, 1), 1),
        "ours_peak_mb": round(max(r["peak_mb"] for r in ours)),
        "floor_peak_mb": round(max(r["peak_mb"] for r in floor)),
    }


def sizes() -> list[int]:
    if os.environ.get("CURATOR_BENCH_FULL"):
        return [1_000, 10_000, 100_000, 200_000]
    return [1_000, 10_000]


def print_table(results: list[dict[str, Any]]) -> None:
    print(
        f"{'roadmap':<26}{'acts':>8}{'ours, s':>9}{'floor, s':>9}{'ratio':>7}"
        f"{'µs/act':>8}{'RSS, MB':>9}{'floor RSS':>10}"
    )
    for r in results:
        print(
            f"{r['roadmap']:<26}{r['activities']:>8}{r['ours_cpu_s']:>9}{r['floor_cpu_s']:>9}"
            f"{r['ratio']:>7}{r['us_per_activity']:>8}{r['ours_peak_mb']:>9}"
            f"{r['floor_peak_mb']:>10}"
        )


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory(prefix="curator-bench-") as tmp:
        workdir = Path(tmp)
        for seed in sorted(SEEDS.glob("*.txt")):
            results.append(measure(seed.stem, seed, workdir, repeat=3))
        for size in sizes():
            source = synthetic_roadmap(workdir / f"synthetic_{size}.txt", size)
            results.append(
                measure(f"synthetic_{size}", source, workdir, repeat=1 if size > 10_000 else 2)
            )
    print("CPU seconds of the import itself; the floor inserts the same rows (same schema).")
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        kind, source, db, *rest = sys.argv[2:]
        figures = one(kind, Path(source), Path(db), Path(rest[0]) if rest else None)
        print(json.dumps(figures))
    else:
        main()
