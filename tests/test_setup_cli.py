"""Setting up a school against its coordinator's key file (issue 16, item 1): the file that
`keys export` writes carries the age recipient, so the school's exports are encrypted to the
coordinator by default, and the stock `age` tool opens them with the coordinator's identity."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from curator_tui.domain.models import Status
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.sync import keys, replica
from tests.bundle_helpers import ORG_NAME, Replica, activity_id, cli, make_hub
from tests.conftest import small_roadmap


def exported_key(hub: Replica, folder: Path) -> Path:
    target = folder / "координатор.pub"
    assert cli("keys", "export", target, "--db", hub.db).code == 0
    return target


def school_trusting(tmp_path: Path, key_file: Path) -> Path:
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
    made = cli("init", "--db", db, "--name", "Ноутбук директора", "--role", "школа",
               "--organisation", ORG_NAME, "--coordinator-key", f'"{key_file}"')  # fmt: skip
    assert made.code == 0, made.err
    with Store.open(db) as store:
        store.set_status(activity_id(store, "1"), Status.DONE)
    return db


def test_the_exported_key_file_carries_the_age_recipient(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    key_file = exported_key(hub, tmp_path)
    text = key_file.read_text(encoding="utf-8")
    assert keys.age_recipient_in(text) == hub.age_recipient
    listed = subprocess.run(["ssh-keygen", "-lf", key_file], capture_output=True, check=True)
    assert replica.replica_keys(hub.db).fingerprint in listed.stdout.decode()


def test_school_exports_are_encrypted_to_the_coordinator_by_default(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = school_trusting(tmp_path, exported_key(hub, tmp_path))
    out = tmp_path / "stick"
    run = cli("export", "--db", school, "--to", out)
    assert run.code == 0, run.err
    [bundle] = out.iterdir()
    assert bundle.name.endswith(".curator.age")
    plain = tmp_path / "opened.curator"
    subprocess.run(["age", "-d", "-i", hub.paths.age_identity, "-o", plain, bundle], check=True)
    assert "manifest.json" in zipfile.ZipFile(plain).namelist()
    hub.trust(Replica(school), "Директор", ORG_NAME, "school")
    imported = cli("import", bundle, "--db", hub.db)
    assert imported.code == 0, imported.out + imported.err


def test_no_encrypt_and_an_old_key_file_export_in_the_clear(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = school_trusting(tmp_path, exported_key(hub, tmp_path))
    out = tmp_path / "plain"
    assert cli("export", "--db", school, "--to", out, "--no-encrypt").code == 0
    assert [p.name.endswith(".curator") for p in out.iterdir()] == [True]
    old = school_trusting(tmp_path / "old", hub.pub)  # a plain `.pub`: nothing to encrypt to
    assert replica.coordinator_recipient(old) is None


def test_removing_the_coordinators_key_stops_the_default(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = school_trusting(tmp_path, exported_key(hub, tmp_path))
    assert replica.coordinator_recipient(school) == hub.age_recipient
    assert cli("trust", "remove", "Координатор", "--db", school).code == 0
    assert replica.coordinator_recipient(school) is None


def test_trust_extend_changes_the_last_day(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = school_trusting(tmp_path, exported_key(hub, tmp_path))
    run = cli("trust", "extend", "Координатор", "--until", "2031-06-30", "--db", school)
    assert run.code == 0, run.err
    assert "до 30.06.2031" in cli("trust", "list", "--db", school).out
    run = cli("trust", "extend", "Координатор", "--until", "бессрочно", "--db", school)
    assert run.code == 0 and "бессрочно" in cli("trust", "list", "--db", school).out
    unknown = cli("trust", "extend", "Нет такого", "--until", "2031-06-30", "--db", school)
    assert unknown.code != 0 and "нет ключа" in unknown.err
