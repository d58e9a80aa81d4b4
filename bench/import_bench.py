"""Roadmap import speed: each seed and a synthetic 5,000-activity roadmap.

Baseline, in the same run: reading the same file and inserting the same rows with plain
sqlite-utils (no parsing by meaning, no change log). The ratio says what understanding the
document and writing it as operations costs over the bare floor.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from curator_tui.services import prepare_roadmap
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
RESULTS = ROOT / "bench" / "results"
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


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def our_import(source: Path, workdir: Path) -> None:
    db = workdir / "ours.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    parsed = prepare_roadmap(source)
    with Store.open(db, create=True) as store:
        save_roadmap(store, parsed)


def floor_import(source: Path, workdir: Path) -> None:
    """Split the tab table and insert its rows as they are: the least any import must do."""
    db_path = workdir / "floor.db"
    db_path.unlink(missing_ok=True)
    rows = [
        dict(enumerate(line.split("\t")))
        for line in source.read_text(encoding="utf-8").splitlines()
        if "\t" in line
    ]
    db = sqlite_utils.Database(db_path)
    db["rows"].insert_all(({str(k): v for k, v in r.items()} for r in rows), alter=True)
    db.conn.close()


def measure(name: str, source: Path, workdir: Path) -> dict[str, object]:
    activities = len(prepare_roadmap(source).activities)
    ours = timed(lambda: our_import(source, workdir))
    floor = timed(lambda: floor_import(source, workdir))
    return {
        "roadmap": name,
        "activities": activities,
        "ours_s": round(ours, 4),
        "floor_s": round(floor, 4),
        "ratio": round(ours / floor, 1) if floor else None,
        "per_activity_ms": round(1000 * ours / max(activities, 1), 3),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="curator-bench-") as tmp:
        workdir = Path(tmp)
        results = [measure(p.stem, p, workdir) for p in sorted(SEEDS.glob("*.txt"))]
        synthetic = synthetic_roadmap(workdir / "synthetic_5000.txt", 5000)
        results.append(measure("synthetic_5000", synthetic, workdir))
    print(f"{'roadmap':<28}{'acts':>6}{'ours, s':>10}{'floor, s':>10}{'ratio':>8}{'ms/act':>9}")
    for r in results:
        print(
            f"{r['roadmap']:<28}{r['activities']:>6}{r['ours_s']:>10}{r['floor_s']:>10}"
            f"{r['ratio']:>8}{r['per_activity_ms']:>9}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
