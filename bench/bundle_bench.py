"""Bundle export and import against the stock tools, on the same evidence files, in one run.

Export baseline: `zip -0 -r` of the evidence files, then `ssh-keygen -Y sign` of the zip —
what packing and signing the same bytes costs with no code of ours. Import baseline: `unzip`
of our bundle, then `sha256sum` of every file — unpacking and checking the same bytes.
Ours: the real `curator export` / `curator import` commands in a child process (start-up,
SQLite, signature, trust and permission checks, fsync included); peak memory is the child's
ru_maxrss from wait4.

Size: CURATOR_BENCH_BUNDLE_MB (default 1024) of random files of CURATOR_BENCH_FILE_MB (25),
generated once under bench/.cache/bundle/. Targets: export ≤ 0.8×, import ≤ 1.0×,
peak RSS ≤ 150 MB.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache" / "bundle"
RESULTS = ROOT / "bench" / "results"
CURATOR = [sys.executable, "-c", "import sys; from curator_tui.cli import main; sys.exit(main())"]
CHUNK = 4 * 1024 * 1024
REPEAT = 3
TARGETS = {"export": 0.8, "import": 1.0, "rss_mb": 150}


@dataclass
class Run:
    seconds: float
    max_rss_mb: float


def run(args: list[str], *, cwd: Path | None = None) -> Run:
    """Run a command to completion; wall time and the child's own peak RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args[:4])}… failed: {stderr}")
    return Run(elapsed, usage.ru_maxrss / 1024)


def best(runs: list[Run]) -> Run:
    return Run(min(r.seconds for r in runs), max(r.max_rss_mb for r in runs))


# --- fixtures, made once ----------------------------------------------------------------------


def evidence_files(total_mb: int, file_mb: int) -> list[Path]:
    folder = CACHE / f"evidence-{total_mb}mb-{file_mb}"
    folder.mkdir(parents=True, exist_ok=True)
    count = max(1, total_mb // file_mb)
    files = []
    for index in range(count):
        path = folder / f"scan-{index:03d}.bin"
        if not path.exists() or path.stat().st_size != file_mb * 2**20:
            write_random(path, file_mb * 2**20)
        files.append(path)
    return files


def write_random(path: Path, size: int) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        for _ in range(size // CHUNK):
            out.write(os.urandom(CHUNK))
        out.write(os.urandom(size % CHUNK))
    tmp.replace(path)


def replicas(total_mb: int, file_mb: int, files: list[Path]) -> tuple[Path, Path]:
    """A school holding every file as evidence, and a hub ready to import its bundle."""
    from curator_tui.domain.models import EvidenceKind
    from curator_tui.store.roadmaps import save_roadmap
    from curator_tui.store.store import Store
    from curator_tui.sync import replica
    from curator_tui.sync.trust import TrustRole
    from tests.conftest import small_roadmap

    folder = CACHE / f"replicas-{total_mb}mb-{file_mb}"
    school_db, hub_db = folder / "school.db", folder / "hub" / "hub.db"
    if (folder / "ready").exists():
        return school_db, hub_db
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    hub_options = replica.InitOptions(name="Координатор", role=TrustRole.COORDINATOR)
    replica.init_replica(hub_db, hub_options)
    school_options = replica.InitOptions(
        name="Школа", role=TrustRole.SCHOOL, organisation=small_roadmap().organisation
    )
    replica.init_replica(school_db, school_options)
    replica.add_trust(
        hub_db,
        str(school_db.with_name("school.db.files") / "keys" / "device_ed25519.pub"),
        name="Школа",
        organisation=small_roadmap().organisation,
        role=TrustRole.SCHOOL,
    )
    for db in (school_db, hub_db):
        with Store.open(db) as store:
            save_roadmap(store, small_roadmap())
    with Store.open(school_db) as store:
        activity = store.activities()[0]["id"]
        for path in files:
            store.attach_file(activity, path, kind=EvidenceKind.PHOTO)
    (folder / "ready").touch()
    return school_db, hub_db


# --- the measurements -------------------------------------------------------------------------


def measure_export(school_db: Path, out: Path) -> tuple[Run, Path]:
    runs = []
    bundle = None
    for _ in range(REPEAT):
        shutil.rmtree(out, ignore_errors=True)
        runs.append(run([*CURATOR, "export", "--db", str(school_db), "--to", str(out), "--full"]))
        [bundle] = out.glob("*.curator")
    assert bundle is not None
    kept = out.parent / "bundle.curator"
    shutil.move(bundle, kept)
    return best(runs), kept


def measure_zip_and_sign(school_db: Path, out: Path) -> Run:
    evidence = school_db.with_name(school_db.name + ".files") / "evidence"
    key = school_db.with_name(school_db.name + ".files") / "keys" / "device_ed25519"
    runs = []
    for _ in range(REPEAT):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        archive = out / "evidence.zip"
        zipped = run(["zip", "-0", "-r", "-q", str(archive), "."], cwd=evidence)
        signed = run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", "curator-bundle@v1",
                      str(archive)])  # fmt: skip
        runs.append(Run(zipped.seconds + signed.seconds, max(zipped.max_rss_mb, signed.max_rss_mb)))
    return best(runs)


def measure_import(hub_template: Path, bundle: Path, work: Path) -> Run:
    runs = []
    for _ in range(REPEAT):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(hub_template.parent, work)
        runs.append(run([*CURATOR, "import", str(bundle), "--db", str(work / hub_template.name)]))
    return best(runs)


def measure_unzip_and_sha256sum(bundle: Path, work: Path) -> Run:
    runs = []
    for _ in range(REPEAT):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        unzipped = run(["unzip", "-q", str(bundle), "-d", str(work)])
        files = sorted(str(p) for p in (work / "evidence").iterdir())
        summed = run(["sha256sum", str(work / "ops.jsonl"), *files])
        runs.append(
            Run(unzipped.seconds + summed.seconds, max(unzipped.max_rss_mb, summed.max_rss_mb))
        )
    return best(runs)


def main() -> None:
    total_mb = int(os.environ.get("CURATOR_BENCH_BUNDLE_MB", "1024"))
    file_mb = int(os.environ.get("CURATOR_BENCH_FILE_MB", "25"))
    sys.path.insert(0, str(ROOT))
    print(f"evidence: {total_mb} MB in files of {file_mb} MB (cache: {CACHE})", flush=True)
    files = evidence_files(total_mb, file_mb)
    school_db, hub_db = replicas(total_mb, file_mb, files)
    work = CACHE / "work"
    shutil.rmtree(work, ignore_errors=True)
    try:
        export, bundle = measure_export(school_db, work / "export")
        zip_sign = measure_zip_and_sign(school_db, work / "zip")
        imported = measure_import(hub_db, bundle, work / "import")
        unzip_sum = measure_unzip_and_sha256sum(bundle, work / "unzip")
        size_mb = bundle.stat().st_size / 2**20
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {
        "evidence_mb": total_mb,
        "file_mb": file_mb,
        "bundle_mb": round(size_mb, 1),
        "repeat": REPEAT,
        "export_s": round(export.seconds, 3),
        "zip_sign_s": round(zip_sign.seconds, 3),
        "export_ratio": round(export.seconds / zip_sign.seconds, 2),
        "export_rss_mb": round(export.max_rss_mb, 1),
        "import_s": round(imported.seconds, 3),
        "unzip_sha256sum_s": round(unzip_sum.seconds, 3),
        "import_ratio": round(imported.seconds / unzip_sum.seconds, 2),
        "import_rss_mb": round(imported.max_rss_mb, 1),
        "targets": TARGETS,
        "self_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "bundle.json" if total_mb == 1024 else f"bundle-{total_mb}mb.json"
    (RESULTS / name).write_text(json.dumps(results, ensure_ascii=False, indent=2))


def print_table(r: dict[str, object]) -> None:
    print(f"bundle: {r['bundle_mb']} MB, best of {r['repeat']}")
    print(f"{'':<10}{'ours, s':>10}{'stock, s':>10}{'ratio':>8}{'target':>8}{'peak RSS':>12}")
    print(
        f"{'export':<10}{r['export_s']:>10}{r['zip_sign_s']:>10}{r['export_ratio']:>8}"
        f"{'≤ 0.8':>8}{str(r['export_rss_mb']) + ' MB':>12}   (zip -0 -r + ssh-keygen -Y sign)"
    )
    print(
        f"{'import':<10}{r['import_s']:>10}{r['unzip_sha256sum_s']:>10}{r['import_ratio']:>8}"
        f"{'≤ 1.0':>8}{str(r['import_rss_mb']) + ' MB':>12}   (unzip + sha256sum)"
    )


if __name__ == "__main__":
    main()
