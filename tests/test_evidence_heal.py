"""`curator doctor` checks every evidence file (there, hashing to its name, of its recorded
size) and lists missing, damaged and orphan files; a good copy arriving in a later bundle
replaces a damaged or missing one. Real replicas, real bundles, the real CLI."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind
from curator_tui.store.evidence_files import EvidenceFiles
from tests.bundle_helpers import Replica, activity_id, cli, make_hub, make_school, snapshot

SCAN = b"%PDF-1.4 protocol of the meeting\n" * 4096
SHA = hashlib.sha256(SCAN).hexdigest()


@dataclass(frozen=True)
class Pair:
    root: Path
    hub: Replica
    school: Replica

    @property
    def hub_file(self) -> Path:
        with self.hub.open() as store:
            return store.evidence_files.path_for(SHA)

    def resend(self) -> None:
        """The school exports everything again, its file included, and the hub imports it."""
        bundle = self.school.export(self.root / "again", full=True)
        run = cli("import", bundle, "--db", self.hub.db)
        assert run.code == 0, run.out + run.err


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    scan = tmp_path / "протокол.pdf"
    scan.write_bytes(SCAN)
    with school.open() as store:
        store.attach_file(activity_id(store, "1"), scan, kind=EvidenceKind.PROTOCOL)
    bundle = school.export(tmp_path / "first")
    assert cli("import", bundle, "--db", hub.db).code == 0
    return Pair(tmp_path, hub, school)


def doctor(db: Path, *extra: str) -> tuple[int, str]:
    before = snapshot(db)
    run = cli("doctor", *extra, "--db", db)
    assert snapshot(db) == before  # the check changes nothing
    return run.code, run.out


def test_a_sound_store_passes(pair: Pair) -> None:
    code, out = doctor(pair.hub.db, "--rebuild-check")
    assert code == 0, out
    assert "Файлов доказательств проверено: 1" in out
    assert "Проверка пройдена" in out


def test_a_damaged_file_fails_doctor_and_a_later_bundle_heals_it(pair: Pair) -> None:
    pair.hub_file.write_bytes(b"X" * len(SCAN))  # same size, other bytes: bit rot
    code, out = doctor(pair.hub.db)
    assert code == 1
    assert f"✗ файл повреждён (хеш или размер не совпадает): {SHA}" in out
    assert "Проверка НЕ пройдена" in out
    code, out = doctor(pair.hub.db, "--rebuild-check")
    assert code == 1 and "Проверка НЕ пройдена" in out
    pair.resend()
    assert hashlib.sha256(pair.hub_file.read_bytes()).hexdigest() == SHA
    code, out = doctor(pair.hub.db, "--rebuild-check")
    assert code == 0, out


def test_a_truncated_file_counts_as_damaged(pair: Pair) -> None:
    pair.hub_file.write_bytes(SCAN[:100])
    code, out = doctor(pair.hub.db)
    assert code == 1 and f"файл повреждён (хеш или размер не совпадает): {SHA}" in out


def test_a_deleted_file_fails_doctor_and_a_later_bundle_restores_it(pair: Pair) -> None:
    pair.hub_file.unlink()
    code, out = doctor(pair.hub.db, "--rebuild-check")
    assert code == 1
    assert f"✗ нет файла доказательства {SHA}" in out
    pair.resend()
    assert pair.hub_file.read_bytes() == SCAN
    assert doctor(pair.hub.db)[0] == 0


def test_an_orphan_is_listed_as_a_warning(pair: Pair) -> None:
    stray = hashlib.sha256(b"nobody's").hexdigest()
    files = EvidenceFiles(pair.hub_file.parent.parent)
    files.path_for(stray).parent.mkdir(parents=True, exist_ok=True)
    files.path_for(stray).write_bytes(b"nobody's")
    code, out = doctor(pair.hub.db)
    assert code == 0, out
    assert f"! лишний файл, на него не ссылается ни одна запись: {stray[:2]}/{stray}" in out


def test_an_intact_copy_is_not_replaced(pair: Pair) -> None:
    inode = pair.hub_file.stat().st_ino
    pair.resend()
    assert pair.hub_file.stat().st_ino == inode
