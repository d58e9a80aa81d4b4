"""kill -9 in the middle of `curator export` / `curator import`, then run it again.

Real processes and real timing: the command runs in a subprocess on a bundle big enough to
take a while, is killed (SIGKILL) at a random moment after it has visibly started writing,
and the replica must be consistent (the log rebuilds the state, every evidence file matches
its name, no op lacks its file, an import is all or nothing) and the same command, run again,
must complete.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.store.store import Store
from curator_tui.sync.container import is_age_file
from curator_tui.sync.importing import verify_bundle
from tests.bundle_helpers import Replica, activity_id, bundle_ops, make_hub, make_school

CURATOR = [sys.executable, "-c", "import sys; from curator_tui.cli import main; sys.exit(main())"]
FILE_SIZE = 8 * 1024 * 1024
NORMAL_FILES = 5  # 40 MB: a few hundred ms of work on these machines
STRESS_FILES = 25  # 200 MB


@dataclass(frozen=True)
class Setup:
    root: Path
    hub: Replica
    school: Replica
    bundle: Path  # the school's full export, for import runs


def build(root: Path, files: int) -> Setup:
    hub = make_hub(root)
    school = make_school(root, hub)
    rng = random.Random(files)
    with school.open() as store:
        for index in range(files):
            source = root / f"scan-{index}.pdf"
            source.write_bytes(rng.randbytes(FILE_SIZE))
            number = ("2", "3")[index % 2]
            store.attach_file(activity_id(store, number), source, kind=EvidenceKind.PROTOCOL)
            source.unlink()
        store.set_status(activity_id(store, "2"), Status.DONE)
    bundle = school.export(root / "bundle")
    return Setup(root, hub, school, bundle)


@pytest.fixture(scope="module")
def normal(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return build(tmp_path_factory.mktemp("kill"), NORMAL_FILES)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return build(tmp_path_factory.mktemp("kill-big"), STRESS_FILES)


def copy_replica(db: Path, target_dir: Path) -> Replica:
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(db, target_dir / db.name)
    shutil.copytree(db.with_name(db.name + ".files"), target_dir / (db.name + ".files"))
    return Replica(target_dir / db.name)


# --- running and killing ------------------------------------------------------------------------


def run_and_kill(args: list[str], started: Callable[[], bool], delay: float) -> bool:
    """Start `curator ARGS`; once `started()` holds, wait `delay` s and SIGKILL it.

    Returns True if the process was killed, False if it finished first.
    """
    process = subprocess.Popen([*CURATOR, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not started():
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the command never started its work"
        time.sleep(0.0005)
    time.sleep(delay)
    if process.poll() is not None:
        return False
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return True


def run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CURATOR, *args], capture_output=True, timeout=300, check=False)


def any_match(folder: Path, pattern: str) -> Callable[[], bool]:
    return lambda: folder.exists() and any(folder.glob(pattern))


def part_bigger_than(folder: Path, size: int) -> Callable[[], bool]:
    def check() -> bool:
        return any(_size(p) > size for p in folder.glob(".*.part")) if folder.exists() else False

    return check


def files_staged(folder: Path, count: int) -> Callable[[], bool]:
    def check() -> bool:
        return folder.exists() and sum(1 for p in folder.rglob("*") if p.is_file()) >= count

    return check


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


# --- consistency --------------------------------------------------------------------------------


def assert_consistent(replica: Replica, scratch: Path) -> None:
    with Store.open(replica.db) as store:
        assert store.rebuild_differences(scratch) == []
        root = store.evidence_files.root
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file():
                assert not path.name.startswith("."), f"temp file left in the store: {path}"
                assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
        for row in store.db.query("SELECT sha256 FROM evidence WHERE removed = 0 AND sha256 != ''"):
            assert store.evidence_files.has(row["sha256"]), "an evidence row lacks its file"


def op_ids(replica: Replica) -> set[str]:
    with Store.open(replica.db) as store:
        return {op.op_id for op in store.ops()}


# --- export ---------------------------------------------------------------------------------------


def kill_export_once(
    setup: Setup,
    work: Path,
    delay: float,
    *,
    encrypt: bool = False,
    when: Callable[[Path], Callable[[], bool]] | None = None,
) -> bool:
    school = copy_replica(setup.school.db, work / "school")
    hub = copy_replica(setup.hub.db, work / "hub")
    with school.open() as store:  # something new to export since the fixture's bundle
        store.add_note(activity_id(store, "3"), "после выгрузки")
    outbox = work / "usb"
    outbox.mkdir()
    args = ["export", "--db", str(school.db), "--to", str(outbox), "--full"]
    if encrypt:
        args += ["--encrypt-to", hub.age_recipient]
    started = when(outbox) if when else any_match(outbox, ".*.part")
    killed = run_and_kill(args, started, delay)

    assert_consistent(school, work / "scratch.db")
    for leftover in outbox.iterdir():  # after a kill: hidden temp files, or a whole bundle
        if leftover.name.startswith("."):
            assert leftover.name.endswith(".part")
        else:
            assert verify_bundle(hub.db, leftover).acceptable
    again = run(["export", "--db", str(school.db), "--to", str(outbox), "--full"])
    assert again.returncode == 0, again.stderr.decode()
    assert not [p for p in outbox.iterdir() if p.name.startswith(".")], "temp files left behind"
    bundles = sorted(outbox.iterdir())
    assert bundles and all(not is_age_file(b) or encrypt for b in bundles)
    for bundle in bundles:
        assert hub.import_(bundle).outcome in ("accepted", "already")
    with school.open() as store:
        wanted = {op.op_id for op in store.ops() if op.device_id == store.device_id}
    assert wanted <= op_ids(hub)
    assert not (school.paths.staging_dir).exists()
    return killed


def test_export_killed_half_way_then_rerun(normal: Setup, tmp_path: Path) -> None:
    half = NORMAL_FILES * FILE_SIZE // 2
    assert kill_export_once(normal, tmp_path, 0.0, when=lambda out: part_bigger_than(out, half))


def test_export_killed_as_it_starts_then_rerun(normal: Setup, tmp_path: Path) -> None:
    assert kill_export_once(normal, tmp_path, delay=0.0)


@pytest.mark.stress
@pytest.mark.parametrize("seed", range(12))
def test_export_killed_at_random_moments(big: Setup, tmp_path: Path, seed: int) -> None:
    delay = random.Random(seed).uniform(0, 1.2)
    kill_export_once(big, tmp_path, delay, encrypt=seed % 3 == 0)


# --- import ---------------------------------------------------------------------------------------


def kill_import_once(
    setup: Setup,
    work: Path,
    delay: float,
    bundle: Path | None = None,
    *,
    staged: int = 0,
) -> bool:
    hub = copy_replica(setup.hub.db, work / "hub")
    bundle = bundle or setup.bundle
    before = op_ids(hub)
    bundle_op_ids = {op.op_id for op in bundle_ops(setup.bundle)}
    args = ["import", str(bundle), "--db", str(hub.db)]
    started = (
        files_staged(hub.paths.staging_dir, staged)
        if staged
        else any_match(hub.paths.staging_dir, "*")
    )
    killed = run_and_kill(args, started, delay)

    assert_consistent(hub, work / "scratch.db")
    held = op_ids(hub)
    assert held - before in (set(), bundle_op_ids - before), "an import must be all or nothing"
    again = run(args)
    assert again.returncode == 0, again.stdout.decode() + again.stderr.decode()
    assert bundle_op_ids <= op_ids(hub)
    assert_consistent(hub, work / "scratch.db")
    assert not hub.paths.staging_dir.exists()
    with Store.open(hub.db) as store:  # after the re-run, no blob is left unreferenced
        referenced = {r["sha256"] for r in store.db.query("SELECT sha256 FROM evidence")}
    stored = {p.name for p in hub.paths.files_dir.glob("evidence/*/*")}
    assert stored <= referenced
    return killed


def test_import_killed_half_way_then_rerun(normal: Setup, tmp_path: Path) -> None:
    assert kill_import_once(normal, tmp_path, delay=0.0, staged=3)


def test_import_killed_as_it_starts_then_rerun(normal: Setup, tmp_path: Path) -> None:
    assert kill_import_once(normal, tmp_path, delay=0.0)


@pytest.mark.stress
@pytest.mark.parametrize("seed", range(12))
def test_import_killed_at_random_moments(big: Setup, tmp_path: Path, seed: int) -> None:
    delay = random.Random(seed).uniform(0, 1.5)
    bundle = None
    if seed % 3 == 0:  # an encrypted bundle: the decrypted copy must not outlive the import
        bundle = tmp_path / "sealed.curator.age"
        from curator_tui.sync.container import encrypt_file

        hub_recipient = big.hub.age_recipient
        encrypt_file(big.bundle, bundle, [hub_recipient])
    kill_import_once(big, tmp_path, delay, bundle)
