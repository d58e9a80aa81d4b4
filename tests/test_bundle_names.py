"""An encrypted bundle's file name says nothing of who sent it (the date and a random
suffix) unless the user asks for the usual name; plain bundles keep theirs, and importing
never depends on the name. Real replicas and the real CLI."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from tests.bundle_helpers import Replica, activity_id, cli, make_hub, make_school

NEUTRAL = re.compile(r"kurator-\d{4}-\d{2}-\d{2}-[0-9a-f]{4}\.curator\.age")


def school_with_news(root: Path) -> tuple[Replica, Replica]:
    hub = make_hub(root)
    school = make_school(root, hub)
    with school.open() as store:
        store.add_note(activity_id(store, "1"), "Провели совещание")
    return hub, school


def export(school: Replica, out: Path, *extra: str) -> Path:
    run = cli("export", "--db", school.db, "--to", out, *extra)
    assert run.code == 0, run.err
    [bundle] = [p for p in out.iterdir() if not p.name.startswith(".")]
    return bundle


def test_an_encrypted_bundle_has_a_neutral_name_and_imports(tmp_path: Path) -> None:
    hub, school = school_with_news(tmp_path)
    sealed = export(school, tmp_path / "usb", "--encrypt-to", hub.age_recipient)
    assert NEUTRAL.fullmatch(sealed.name), sealed.name
    assert datetime.now(UTC).date().isoformat() in sealed.name
    assert "mbou" not in sealed.name and school.device_id[:8] not in sealed.name
    renamed = sealed.rename(tmp_path / "что-угодно.bin")  # the import reads content, not names
    run = cli("import", renamed, "--db", hub.db)
    assert run.code == 0 and "Пакет импортирован" in run.out, run.out + run.err


def test_the_usual_name_when_asked_and_for_plain_bundles(tmp_path: Path) -> None:
    hub, school = school_with_news(tmp_path)
    named = export(school, tmp_path / "a", "--encrypt-to", hub.age_recipient, "--name-with-school")
    assert named.name.startswith("mbou-testovaia-sosh-") and named.name.endswith(".curator.age")
    plain = export(school, tmp_path / "b", "--full")
    assert plain.name.startswith("mbou-testovaia-sosh-") and plain.name.endswith(".curator")


def test_name_with_school_needs_encryption(tmp_path: Path) -> None:
    _hub, school = school_with_news(tmp_path)
    run = cli("export", "--db", school.db, "--to", tmp_path, "--name-with-school")
    assert run.code == 1
    assert "--name-with-school нужен только вместе с --encrypt-to" in run.err


def test_parts_of_killed_encrypted_exports_are_removed_by_the_next(tmp_path: Path) -> None:
    hub, school = school_with_news(tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        dead = usb / ".kurator-2026-01-05-1a2b.curator.age.999999999-x1.part"
        live = usb / f".kurator-2026-01-05-3c4d.curator.age.{sleeper.pid}-x2.part"
        dead.write_bytes(b"age-encryption.org/v1\n half")
        live.write_bytes(b"age-encryption.org/v1\n being written")
        export(school, usb, "--encrypt-to", hub.age_recipient)
        assert not dead.exists() and live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
