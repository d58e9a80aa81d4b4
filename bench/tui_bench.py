"""TUI speed: first paint of the activity list, and the live filter's keystroke latency.

(a) Time to first paint of the list, for a school (60 activities) and for a coordinator's hub
    (200,000 activities), each against a minimal Textual app (one Static) measured the same way
    in the same run: headless `run_test()`, from creating the app until the widget's first
    render. Target: ≤ 1.5 × the minimal app. Also the same from a cold process: from
    starting the interpreter, imports included (each process imports only what it measures).
(b) Filter latency on the hub: from a key press in the filter until the list is drawn again
    for the new text, with its new count. Target: p95 ≤ 50 ms.

The hub is built once through the real pipeline (`save_roadmap`, the real deadline parser)
and cached under bench/.cache/, keyed by the schema and HUB_VERSION.
"""

from __future__ import annotations

import asyncio
import compileall
import hashlib
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from textual import events

from bench import paint
from bench.import_bench import DEADLINES
from bench.paint import SIZE, TODAY, list_painted, paint_time_curator, paint_time_hello, wait_until
from curator_tui.domain.models import OrgLevel, Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Change, Store
from curator_tui.tui.app import build_app
from curator_tui.tui.screens.home import HomeScreen
from curator_tui.tui.widgets.activity_list import ActivityList

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
YEAR = 2025
SCHOOL_ACTIVITIES = 60
HUB_SCHOOLS = 3125
HUB_ACTIVITIES_PER_SCHOOL = 64  # 3,125 × 64 = 200,000
HUB_VERSION = 1
TYPING_PAUSE = 0.08  # between keystrokes, as a quick typist
PAINT_RUNS = 5
# What a coordinator types: words of titles and of responsible people, and a number.
TYPED = ("семинар", "куратор", "родител", "методист учител", "12.")

SECTIONS = (
    "Организационно-управленческая деятельность",
    "Методическое сопровождение",
    "Работа с обучающимися",
    "Работа с родителями",
)
ACTIONS = (
    "Проведение",
    "Организация",
    "Участие в",
    "Разработка",
    "Мониторинг",
    "Диагностика",
    "Анализ",
    "Подготовка",
)
SUBJECTS = (
    "семинара для учителей по функциональной грамотности",
    "вебинара для кураторов школ",
    "родительского собрания по итогам четверти",
    "методического совета",
    "открытых уроков по математике",
    "диагностики профессиональных дефицитов педагогов",
    "плана работы с обучающимися группы риска",
    "школьной программы повышения качества образования",
    "консультаций для родителей выпускников",
    "педагогического совета по результатам ВПР",
)
RESPONSIBLE = (
    "Директор",
    "Заместитель директора по УВР",
    "Куратор",
    "Методист",
    "Классные руководители",
    "Педагог-психолог",
)


def roadmap(index: int, activities: int) -> ParsedRoadmap:
    """A school's roadmap: four sections, numbered items with sub-items, assorted deadlines."""
    items = []
    for n in range(activities):
        major, minor = divmod(n, 4)
        items.append(
            ParsedActivity(
                number=f"{major + 1}.{minor}" if minor else f"{major + 1}",
                parent_number=f"{major + 1}" if minor else None,
                title=f"{ACTIONS[(n + index) % len(ACTIONS)]} {SUBJECTS[(n * 3 + index) % 10]}",
                responsible=RESPONSIBLE[(n + 2 * index) % len(RESPONSIBLE)],
                deadline_text=DEADLINES[(n + index) % len(DEADLINES)],
                section=SECTIONS[n * len(SECTIONS) // activities],
            )
        )
    return ParsedRoadmap(
        organisation=f"МБОУ «Средняя общеобразовательная школа № {index + 1}»",
        level=OrgLevel.SCHOOL,
        title="Дорожная карта проекта «500+»",
        year=YEAR,
        sections=list(SECTIONS),
        activities=items,
    )


def progress_changes(store: Store, roadmap_id: str) -> list[Change]:
    """A roadmap in use: a third done, a sixth in progress."""
    changes = []
    for n, row in enumerate(store.activities(roadmap_id)):
        status = Status.DONE if n % 3 == 0 else Status.IN_PROGRESS if n % 6 == 1 else None
        if status is not None:
            changes.append(Change(Entity.ACTIVITY, row["id"], Action.SET, "status", status.value))
    return changes


def cache_key(schools: int, per_school: int) -> str:
    digest = hashlib.sha256(json.dumps([HUB_VERSION, schools, per_school]).encode())
    for migration in sorted((ROOT / "db").glob("*.sql")):
        digest.update(migration.read_bytes())
    return digest.hexdigest()[:12]


def ensure_db(name: str, schools: int, per_school: int) -> Path:
    """The cached database of `schools` roadmaps, built on first use."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"tui_{name}_{cache_key(schools, per_school)}.db"
    if path.exists():
        return path
    for stale in CACHE.glob(f"tui_{name}_*.db*"):
        stale.unlink()
    print(f"building {name}: {schools} × {per_school} activities …", flush=True)
    scratch = path.with_suffix(".building")
    start = time.perf_counter()
    with Store.open(scratch, create=True) as store:
        for index in range(schools):
            summary = save_roadmap(store, roadmap(index, per_school))
            store.record(progress_changes(store, summary.roadmap_id))
            if index % 500 == 499:
                print(f"  {index + 1} schools, {time.perf_counter() - start:.0f} s", flush=True)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(str(scratch) + suffix).unlink(missing_ok=True)
    scratch.rename(path)
    print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)
    return path


# --- first paint ------------------------------------------------------------------------------


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def cold_time(db: Path | None = None) -> float:
    """First paint of the list from a fresh interpreter (the minimal app when `db` is None)."""
    return paint.cold_time(ROOT, "curator" if db else None, db)


# --- filter keystrokes ------------------------------------------------------------------------


def key_event(key: str) -> events.Key:
    """The event a terminal's driver would post for `key`."""
    if key == "space":
        return events.Key("space", " ")
    return events.Key(key, key if len(key) == 1 else None)


async def filter_latencies(db: Path) -> list[float]:
    """Seconds from each key press in the filter until the list is drawn for the new text.

    Keys are posted the way the terminal driver posts them, not through Pilot.press, which
    waits for the whole process to go idle after each key and would be measured with it.
    """
    app = build_app(db, today=TODAY, hub=False)
    samples: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: list_painted(app))
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        activity_list = screen.query_one(ActivityList)
        await pilot.press("slash")

        def redrawn(after: int) -> bool:
            return (
                screen.generation > after
                and activity_list.generation == screen.generation
                and activity_list.painted_generation == screen.generation
            )

        for word in TYPED:
            keys = [*("space" if c == " " else c for c in word), *["backspace"] * len(word)]
            for key in keys:
                await asyncio.sleep(TYPING_PAUSE)
                before = screen.generation
                start = time.perf_counter()
                app.post_message(key_event(key))
                samples.append(await wait_until(lambda b=before: redrawn(b)) - start)
    return samples


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_table(result: dict[str, float]) -> None:
    apps = (
        ("minimal Textual app", "hello"),
        ("school, 60 activities", "school"),
        ("hub, 200,000 activities", "hub"),
    )
    for title, prefix in (
        (f"first paint, headless run_test (median of {PAINT_RUNS})", "first_paint"),
        (f"first paint from a cold process (median of {PAINT_RUNS})", "cold"),
    ):
        print(f"{title:<50}{'ms':>8}{'× minimal':>11}")
        for label, key in apps:
            value = result[f"{prefix}_{key}_ms"]
            print(f"{'  ' + label:<50}{value:>8}{value / result[f'{prefix}_hello_ms']:>11.2f}")
    print(
        f"filter keystroke → list redrawn, {result['filter_keystrokes']} keystrokes on "
        f"{result['hub_activities']:,} activities: p50 {result['filter_p50_ms']} ms, "
        f"p95 {result['filter_p95_ms']} ms, max {result['filter_max_ms']} ms "
        "(target p95 ≤ 50 ms)"
    )


def main() -> None:
    school = ensure_db("school", 1, SCHOOL_ACTIVITIES)
    hub = ensure_db("hub", HUB_SCHOOLS, HUB_ACTIVITIES_PER_SCHOOL)
    with Store.open(hub) as store:
        hub_rows = store.db.execute("SELECT COUNT(*) FROM activity").fetchone()[0]

    # Cold starts as from an installed wheel, whose bytecode pip compiled at install time
    # (this checkout may run with PYTHONDONTWRITEBYTECODE and would compile on every start).
    compileall.compile_dir(ROOT / "curator_tui", quiet=1)
    compileall.compile_file(ROOT / "bench" / "paint.py", quiet=1)
    hello = median_of(PAINT_RUNS, lambda: asyncio.run(paint_time_hello()))
    school_paint = median_of(PAINT_RUNS, lambda: asyncio.run(paint_time_curator(school)))
    hub_paint = median_of(PAINT_RUNS, lambda: asyncio.run(paint_time_curator(hub)))
    cold_hello_s = median_of(PAINT_RUNS, cold_time)
    cold_school_s = median_of(PAINT_RUNS, lambda: cold_time(school))
    cold_hub_s = median_of(PAINT_RUNS, lambda: cold_time(hub))
    latencies = asyncio.run(filter_latencies(hub))

    ms = 1000
    result = {
        "hub_activities": hub_rows,
        "first_paint_hello_ms": round(hello * ms, 1),
        "first_paint_school_ms": round(school_paint * ms, 1),
        "first_paint_hub_ms": round(hub_paint * ms, 1),
        "ratio_school": round(school_paint / hello, 2),
        "ratio_hub": round(hub_paint / hello, 2),
        "cold_hello_ms": round(cold_hello_s * ms),
        "cold_school_ms": round(cold_school_s * ms),
        "cold_hub_ms": round(cold_hub_s * ms),
        "cold_ratio_school": round(cold_school_s / cold_hello_s, 2),
        "cold_ratio_hub": round(cold_hub_s / cold_hello_s, 2),
        "filter_keystrokes": len(latencies),
        "filter_p50_ms": round(percentile(latencies, 0.5) * ms, 1),
        "filter_p95_ms": round(percentile(latencies, 0.95) * ms, 1),
        "filter_max_ms": round(max(latencies) * ms, 1),
    }
    print_table(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tui.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
