"""The coordinator's hub at region scale: 3,000 schools of 60 activities each.

Set-up (cached under bench/.cache/hub/, keyed by the school count and the schema):
- the hub: `curator init --hub` equivalent, then one 60-activity roadmap per school through
  the real `save_roadmap`, and a trust list with one school key per school (what
  `curator trust add` writes, saved once instead of 3,000 rewrites);
- one signed changes bundle per school, as the school's laptop sends it back: a third of
  its activities set to done, a sixth in progress, one note — real ops, real manifest, real
  SSHSIG signature, the real container writer (the exporter itself needs a replica per school,
  3,000 databases, which is set-up rather than what is measured).

Measured in one run:
(a) import of every bundle into a fresh copy of the hub through the real path
    (`import_bundles`: signature, hashes, checks, merge, record) vs the floor: the same op
    rows inserted with plain sqlite-utils `insert_all` into a bare table. Target ≤ 3×.
    Import and floor alternate, IMPORT_RUNS times, each after the disk settled (the set-up's
    400 MB copy is otherwise still being written back during the next run); medians.
(b) the dashboard's first paint vs the minimal Textual app measured the same way
    (bench/paint): from creating the app until the table drew its first rows (headless
    `run_test`, imports done), and from starting a fresh interpreter (imports included, what
    a coordinator waits for). Target ≤ 1.5×. Also `school_summaries`, the dashboard's
    first screenful of rows (stage 1, read before the first frame) and all its rows
    (stage 2, a worker) alone.
(c) the monthly XLSX report of the hub (model + write).

CURATOR_BENCH_SCHOOLS=300 runs a smaller region while developing. The same import as the region
grows (300 → 3,000 → 10,000 schools) and the authorship check's cost per op:
bench/federal_bench.py.
"""

from __future__ import annotations

import asyncio
import base64
import cProfile
import hashlib
import io
import json
import os
import pstats
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.paint import SIZE, cold_time, paint_time_dashboard, paint_time_hello
from bench.tui_bench import roadmap
from curator_tui.domain.ops import Action, Entity, HlcStamp, Operation
from curator_tui.reports.model import build_monthly_report, school_summaries
from curator_tui.reports.output import ReportFormat, save_report
from curator_tui.store.authorship import ZERO_LINK, next_link, op_digest
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.sync import keys, sshsig
from curator_tui.sync.authorship import attestation_message
from curator_tui.sync.bundles import (
    SOFTWARE,
    Authorship,
    BundleInfo,
    BundleKind,
    Counts,
    DeviceInfo,
    DeviceRange,
    SignerDevice,
)
from curator_tui.sync.container import OPS_NAME, BundleWriter, build_manifest, canonical_json
from curator_tui.sync.importing import Outcome, import_bundles
from curator_tui.sync.replica import InitOptions, ReplicaPaths, init_replica
from curator_tui.sync.trust import TrustEntry, TrustList, TrustRole

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache" / "hub"
RESULTS = ROOT / "bench" / "results"
SCHOOLS = int(os.environ.get("CURATOR_BENCH_SCHOOLS", "3000"))
PER_SCHOOL = 60
VERSION = 2  # 2: bundles carry the school's attestation (authored ops)
TODAY = date(2025, 5, 15)
PAINT_RUNS = 5
IMPORT_RUNS = int(os.environ.get("CURATOR_BENCH_IMPORT_RUNS", "3"))
# The school laptops' changes, stamped 1–30 April 2025.
START_MS = int(datetime(2025, 4, 1, 9, tzinfo=UTC).timestamp() * 1000)


def cache_dir(schools: int = SCHOOLS) -> Path:
    digest = hashlib.sha256(json.dumps([VERSION, schools, PER_SCHOOL]).encode())
    for migration in sorted((ROOT / "db").glob("*.sql")):
        digest.update(migration.read_bytes())
    return CACHE / f"{schools}-{digest.hexdigest()[:12]}"


def replica_files(db: Path) -> Path:
    return db.with_name(db.name + ".files")


def school_key(index: int) -> Ed25519PrivateKey:
    seed = hashlib.sha256(f"bench-school-{index}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def school_ops(index: int, device_id: str, activity_ids: list[str]) -> list[Operation]:
    ops: list[Operation] = []

    def add(
        entity: Entity, entity_id: str, action: Action, field: str | None, value: object
    ) -> None:
        seq = len(ops) + 1
        wall = START_MS + (index * 7919 + seq * 3_600_000) % (30 * 86_400_000)
        ops.append(
            Operation(
                op_id=hashlib.sha256(f"{device_id}:{seq}".encode()).hexdigest()[:32],
                device_id=device_id,
                seq=seq,
                hlc=str(HlcStamp(wall, 0)),
                entity=entity,
                entity_id=entity_id,
                action=action,
                field=field,
                value=value,
            )
        )

    for n, activity in enumerate(activity_ids):
        status = "done" if n % 3 == 0 else "in_progress" if n % 6 == 1 else None
        if status:
            add(Entity.ACTIVITY, activity, Action.SET, "status", status)
    return ops


def own_authorship(key: Ed25519PrivateKey, device_id: str, ops: list[Operation]) -> Authorship:
    """The attestation of the school's ops 1…n that its export signs (sync/authorship.py)."""
    link = ZERO_LINK
    for op in ops:
        link = next_link(link, op_digest(op))
    signature = key.sign(attestation_message(device_id, len(ops), link))
    return Authorship(
        key=keys.public_key_line(key.public_key()),
        start=1,
        seq=len(ops),
        base=ZERO_LINK.hex(),
        head=link.hex(),
        sig=base64.b64encode(signature).decode("ascii"),
    )


def write_bundle(
    path: Path, key: Ed25519PrivateKey, device_id: str, org: tuple[str, str], ops: list[Operation]
) -> None:
    public = keys.public_key_line(key.public_key())
    with BundleWriter(path) as writer:
        writer.add_bytes(OPS_NAME, "".join(op.to_json_line() + "\n" for op in ops).encode())
        info = BundleInfo(
            kind=BundleKind.CHANGES,
            created_at="2025-04-30T12:00:00Z",
            software=SOFTWARE,
            device=SignerDevice(
                id=device_id,
                name=f"Ноутбук школы {org[1][-6:]}",
                role="school",
                public_key=public,
            ),
            organisations=[org[0]],
            organisation_names={org[0]: org[1]},
            ranges={device_id: DeviceRange(start=1, end=len(ops))},
            devices={device_id: DeviceInfo(name="", role="school", public_key=public)},
            counts=Counts(ops=len(ops), evidence_files=0, evidence_bytes=0),
            authors={device_id: own_authorship(key, device_id, ops)},
        )
        manifest = canonical_json(
            build_manifest(
                bundle_id=hashlib.sha256(path.name.encode()).hexdigest()[:32],
                entries=writer.entries,
                extra=info.to_json(),
            )
        )
        writer.finish(manifest, sshsig.sign(key, manifest, sshsig.BUNDLE_NAMESPACE))


def ensure_setup(schools: int = SCHOOLS) -> tuple[Path, list[Path]]:
    """The template hub (roadmaps and trust, no bundles yet) and the school bundles."""
    folder = cache_dir(schools)
    hub, bundles_dir = folder / "hub.db", folder / "bundles"
    done = folder / "ready"
    if done.exists():
        bring_up_to_date(hub)
        return hub, sorted(bundles_dir.iterdir())
    for stale in CACHE.glob(f"{schools}-*"):  # an older schema or set-up for this size
        shutil.rmtree(stale, ignore_errors=True)
    bundles_dir.mkdir(parents=True)
    start = time.perf_counter()
    print(f"building the hub and {schools} school bundles …", flush=True)
    init_replica(
        hub,
        InitOptions(name="Координатор", role=TrustRole.COORDINATOR, hub_region="Тестовая область"),
    )
    entries = []
    with Store.open(hub) as store:
        for index in range(schools):
            parsed = roadmap(index, PER_SCHOOL)
            summary = save_roadmap(store, parsed)
            rows = store.db.execute(
                "SELECT a.id, r.organisation_id FROM activity a JOIN roadmap r "
                "ON r.id = a.roadmap_id WHERE a.roadmap_id = ? ORDER BY a.position",
                [summary.roadmap_id],
            ).fetchall()
            org = (rows[0][1], parsed.organisation)
            key = school_key(index)
            device_id = hashlib.sha256(f"device-{index}".encode()).hexdigest()[:32]
            ops = school_ops(index, device_id, [r[0] for r in rows])
            write_bundle(bundles_dir / f"school-{index:05d}.curator", key, device_id, org, ops)
            entries.append(
                TrustEntry.for_key(
                    key.public_key(),
                    display_name=f"Школа {index + 1}",
                    organisation_id=org[0],
                    role=TrustRole.SCHOOL,
                )
            )
            if index % 500 == 499:
                print(f"  {index + 1} schools, {time.perf_counter() - start:.0f} s", flush=True)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    paths = ReplicaPaths(replica_files(hub))
    trust = TrustList.load(paths.trust_file) if paths.trust_file.exists() else TrustList()
    for entry in entries:
        trust.add(entry)
    trust.save(paths.trust_file)
    done.write_text("ok")
    print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)
    return hub, sorted(bundles_dir.iterdir())


def bring_up_to_date(template: Path) -> None:
    """Let the program bring a cached template up to date once, before anything is timed.

    The cache key covers the migrations, not the upgrades `Store.open` makes in code
    (conflict rules, search text, schedules): without this, every timed import of a copy
    would pay for recomputing a whole hub's conflicts first."""
    Store.open(template).close()


def fresh_copy(template: Path, folder: Path) -> Path:
    target = folder / "hub.db"
    shutil.copy2(template, target)
    shutil.copytree(replica_files(template), replica_files(target))
    return target


def bundle_rows(path: Path) -> list[dict[str, object]]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        lines = archive.read(OPS_NAME).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    for row in rows:
        row["value"] = json.dumps(row["value"])
    return rows


def floor_insert(bundles: list[Path], folder: Path, *, per_bundle: bool) -> float:
    """Read each bundle's op lines and insert them with plain sqlite-utils `insert_all`, into
    a WAL database like the hub's: one commit per bundle (as the import commits), or all the
    rows in one call (the barest floor)."""
    db = sqlite_utils.Database(folder / f"floor-{per_bundle}.db")
    db.enable_wal()
    start = time.perf_counter()
    if per_bundle:
        for path in bundles:
            db["op"].insert_all(bundle_rows(path), pk="op_id")
    else:
        db["op"].insert_all((row for path in bundles for row in bundle_rows(path)), pk="op_id")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def timed(action: object, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        runs.append(time.perf_counter() - start)
    return min(runs)


def profile_import(template: Path, bundles: list[Path], count: int = 300) -> str:
    """Where the import's time goes: cProfile over the first `count` bundles (a fresh copy;
    the profiler's overhead is kept out of the timed run)."""
    with tempfile.TemporaryDirectory(prefix="curator-hub-profile-") as tmp:
        hub = fresh_copy(template, Path(tmp))
        profile = cProfile.Profile()
        profile.enable()
        import_bundles(hub, bundles[:count])
        profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def paint_figures(hub: Path) -> dict[str, object]:
    """The dashboard's first paint against the minimal app: in this process (imports done),
    and from a cold process (imports included); each app timed by its own first render."""

    def median(measure: Callable[[], float]) -> float:
        return statistics.median(measure() for _ in range(PAINT_RUNS))

    hello = median(lambda: asyncio.run(paint_time_hello()))
    dash = median(lambda: asyncio.run(paint_time_dashboard(hub)))
    cold_hello = median(lambda: cold_time(ROOT))
    cold_dash = median(lambda: cold_time(ROOT, "dashboard", hub))
    return {
        "paint_hello_s": round(hello, 4),
        "paint_dashboard_s": round(dash, 4),
        "ratio_paint": round(dash / hello, 2),
        "cold_paint_hello_s": round(cold_hello, 3),
        "cold_paint_dashboard_s": round(cold_dash, 3),
        "ratio_cold_paint": round(cold_dash / cold_hello, 2),
    }


def settle() -> None:
    """Let the disk catch up before a timed run: the set-up copies a 400 MB file, and its
    write-back would otherwise land inside whichever run comes next."""
    os.sync()
    time.sleep(1)


def timed_import(template: Path, bundles: list[Path], folder: Path) -> tuple[float, list[Any]]:
    hub = fresh_copy(template, folder)
    settle()
    start = time.perf_counter()
    reports = import_bundles(hub, bundles)
    return time.perf_counter() - start, reports


def timed_floor(bundles: list[Path], folder: Path, *, per_bundle: bool) -> float:
    settle()
    return floor_insert(bundles, folder, per_bundle=per_bundle)


def main() -> None:
    template, bundles = ensure_setup()
    result: dict[str, object] = {"schools": SCHOOLS, "activities": SCHOOLS * PER_SCHOOL}
    with tempfile.TemporaryDirectory(prefix="curator-hub-bench-") as tmp:
        folder = Path(tmp)
        # Import and floor alternate, each on a settled disk; medians of IMPORT_RUNS.
        import_runs: list[float] = []
        floor_runs: list[float] = []
        for run in range(IMPORT_RUNS):
            run_folder = folder / f"run-{run}"
            run_folder.mkdir()
            import_s, reports = timed_import(template, bundles, run_folder)
            import_runs.append(import_s)
            floor_runs.append(timed_floor(bundles, run_folder, per_bundle=True))
            if run < IMPORT_RUNS - 1:
                shutil.rmtree(run_folder)
        hub = run_folder / "hub.db"
        import_s = statistics.median(import_runs)
        floor_s = statistics.median(floor_runs)
        refused = [r for r in reports if r.outcome is not Outcome.ACCEPTED]
        ops = sum(r.ops for r in reports)
        floor_batch_s = timed_floor(bundles, folder, per_bundle=False)
        (RESULTS / "hub_import_profile.txt").parent.mkdir(parents=True, exist_ok=True)
        (RESULTS / "hub_import_profile.txt").write_text(profile_import(template, bundles))
        result.update(
            bundles=len(bundles),
            refused=len(refused),
            first_refusal=refused[0].message if refused else "",
            ops=ops,
            import_s=round(import_s, 2),
            import_bundles_per_s=round(len(bundles) / import_s, 1),
            floor_insert_all_per_bundle_s=round(floor_s, 3),
            floor_insert_all_one_batch_s=round(floor_batch_s, 3),
            ratio_import=round(import_s / floor_s, 2),
            ratio_import_vs_one_batch=round(import_s / floor_batch_s, 1),
            import_runs_s=[round(x, 2) for x in import_runs],
            floor_runs_s=[round(x, 2) for x in floor_runs],
            ratio_import_runs=[
                round(i / f, 2) for i, f in zip(import_runs, floor_runs, strict=True)
            ],
        )
        with Store.open(hub) as store:
            result["school_summaries_s"] = round(timed(lambda: school_summaries(store, TODAY)), 3)
            from curator_tui.tui.screens.dashboard import dashboard_rows, first_page

            result["dashboard_rows_s"] = round(timed(lambda: dashboard_rows(store, TODAY)), 3)
            # Stage 1 of the dashboard: what the first frame waits for (a screenful of rows).
            result["dashboard_first_page_s"] = round(
                timed(lambda: first_page(store, TODAY, SIZE[1])), 4
            )
            model_s = timed(lambda: build_monthly_report(store, TODAY, None, TODAY), repeat=1)
            report = build_monthly_report(store, TODAY, None, TODAY)
        xlsx_s = timed(
            lambda: save_report(report, ReportFormat.XLSX, folder / "r.xlsx", overwrite=True),
            repeat=1,
        )
        result.update(
            report_model_s=round(model_s, 2),
            report_xlsx_write_s=round(xlsx_s, 2),
            report_total_s=round(model_s + xlsx_s, 2),
        )
        result.update(paint_figures(hub))
        result.update(
            paint_size=f"{SIZE[0]}x{SIZE[1]}",
        )
    for key, value in result.items():
        print(f"{key:<32}{value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hub.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
