"""No debris: temp files of a run killed with SIGKILL (attach's `.incoming-*` copy, an
import's `.staging/` with the decrypted plaintext) are removed by the next command, which
`curator doctor` reports; temp files of a run still alive are left alone. Real processes."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from curator_tui.domain.models import EvidenceKind
from curator_tui.store import debris
from curator_tui.store.store import Store
from curator_tui.sync import replica
from curator_tui.sync.replica import ReplicaPaths, sync_session
from tests.bundle_helpers import activity_id, cli, make_hub, make_school, snapshot
from tests.tui_support import school_db

CURATOR = [sys.executable, "-c", "import sys; from curator_tui.cli import main; sys.exit(main())"]
CHUNK = 1024 * 1024


def start(*args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CURATOR, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def kill_when(process: subprocess.Popen[bytes], started: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not started():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the command never started its work"
        time.sleep(0.0005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def leftovers(files_dir: Path) -> list[Path]:
    incoming = list((files_dir / "evidence").glob(".incoming-*"))
    staging = files_dir / ".staging"
    return incoming + ([staging] if staging.exists() else [])


def test_a_killed_attach_leaves_nothing_after_the_next_command(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    with Store.open(db) as store:
        target = activity_id(store, "1")
        files_dir = store.files_dir
    before = snapshot(db)
    # A slow source (a USB stick, a share): a FIFO fed a few MB and then held open, so the
    # copy is surely half-way when it is killed.
    source = tmp_path / "видео.mp4"
    os.mkfifo(source)
    process = start("attach", target, source, "--db", db)
    feeding = threading.Event()

    def feed() -> None:
        # The reader is killed while this holds the FIFO open: a broken pipe is expected.
        with contextlib.suppress(BrokenPipeError), source.open("wb") as writer:
            for _ in range(8):
                writer.write(os.urandom(CHUNK))
            writer.flush()
            feeding.wait(60)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        incoming = files_dir / "evidence"
        kill_when(process, lambda: any(p.stat().st_size > CHUNK for p in incoming.glob(".inc*")))
    finally:
        feeding.set()
        feeder.join()
    assert leftovers(files_dir), "the kill left no temp file: nothing was tested"
    run = cli("doctor", "--db", db)
    assert run.code == 0, run.out
    assert "Удалены временные файлы прерванных операций (1, " in run.out
    assert "evidence/.incoming-" in run.out
    assert not leftovers(files_dir)
    assert snapshot(db) == before


def test_a_killed_encrypted_import_leaves_no_plaintext(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(random.Random(1).randbytes(96 * CHUNK))
    with school.open() as store:
        store.attach_file(activity_id(store, "2"), scan, kind=EvidenceKind.PROTOCOL)
    bundle = school.export(tmp_path / "out", encrypt_to=hub.age_recipient)
    before = snapshot(hub.db)
    staging = hub.paths.staging_dir
    process = start("import", bundle, "--db", hub.db)
    kill_when(process, lambda: staging.exists() and any(staging.iterdir()))
    assert process.returncode == -signal.SIGKILL
    left = [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []
    assert left, "the kill left nothing in .staging: nothing was tested"
    run = cli("activities", "--db", hub.db)  # any next command
    assert run.code == 0
    assert not leftovers(hub.paths.files_dir)
    assert snapshot(hub.db) == before
    # The import runs again to the end.
    again = cli("import", bundle, "--db", hub.db)
    assert again.code == 0 and "Пакет импортирован" in again.out, again.out + again.err


def test_doctor_reports_a_leftover_staging_folder(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    paths = ReplicaPaths(db.with_name(db.name + ".files"))
    paths.staging_dir.mkdir(parents=True)
    (paths.staging_dir / "decrypted-0123.zip").write_bytes(b"plain" * 1000)
    run = cli("doctor", "--db", db)
    assert run.code == 0
    assert "Удалены временные файлы прерванных операций (1, 5 КБ):" in run.out
    assert "  • .staging/decrypted-0123.zip (5 КБ)" in run.out
    assert not paths.staging_dir.exists()


def test_temp_files_of_live_runs_are_left_alone(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    files_dir = db.with_name(db.name + ".files")
    evidence = files_dir / "evidence"
    evidence.mkdir(parents=True)
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        live = evidence / f".incoming-{sleeper.pid}-abcd"
        live.write_bytes(b"copying")
        dead = evidence / ".incoming-999999999-abcd"
        dead.write_bytes(b"killed")
        with sync_session(ReplicaPaths(files_dir)) as staging:  # a bundle run in progress
            (staging / "bundle.curator").write_bytes(b"in use")
            run = cli("doctor", "--db", db)
            assert (staging / "bundle.curator").exists()
        assert run.code == 0
        assert live.exists() and not dead.exists()
        assert "evidence/.incoming-999999999-abcd" in run.out
        assert "bundle.curator" not in run.out
    finally:
        sleeper.kill()
        sleeper.wait()


def test_the_cleanup_knows_the_folders_sync_uses(tmp_path: Path) -> None:
    paths = replica.ReplicaPaths(tmp_path)
    assert paths.staging_dir == tmp_path / debris.STAGING_NAME
    assert paths.lock_file == tmp_path / debris.SYNC_LOCK_NAME
