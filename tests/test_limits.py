"""Bounded reading (issue 14): every limit of `sync/limits.py` refuses a bundle through the real
`curator import` / `curator verify`, with a Russian reason and the replica unchanged, before the
bytes it guards are decoded; one hostile bundle among several stops none of the others; and an
evidence item may lean on a file it does not carry only if the receiver holds it for the same
organisation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.ops import Action, Entity, Operation, new_id
from curator_tui.sync import limits, sshsig
from curator_tui.sync.bundles import CONTAINER_KEYS
from curator_tui.sync.container import (
    OPS_NAME,
    BundleWriter,
    EntryInfo,
    build_manifest,
    canonical_json,
)
from curator_tui.sync.limits import json_depth_exceeds, parse_size
from tests.bundle_helpers import (
    OTHER_NAME,
    Replica,
    activity_id,
    bundle_manifest,
    bundle_ops,
    cli,
    forge,
    import_rows,
    make_hub,
    make_school,
    remote_op,
    snapshot,
    write_zip,
)
from tests.conftest import small_roadmap


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class World:
    root: Path
    hub: Replica
    school: Replica  # trusted at the hub for ORG
    other: Replica  # trusted for OTHER; its evidence file is in the hub
    activity: str  # ORG's activity 3
    other_file: bytes  # OTHER's evidence file, imported into the hub

    def fresh(self, name: str) -> Path:
        folder = self.root / "cases" / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "bundle.curator"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("limits")
    hub = make_hub(root, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    school = make_school(root, hub)
    other = make_school(root, hub, name="other", org=OTHER_NAME)
    other_file = b"%PDF-1.4 the other school's order No 5\n" * 20
    (root / "other.pdf").write_bytes(other_file)
    with other.open() as store:
        store.attach_file(activity_id(store, "3"), root / "other.pdf", kind=EvidenceKind.ORDER)
    assert hub.import_(other.export(root / "from-other")).outcome == "accepted"
    with school.open() as store:
        activity = activity_id(store, "3")
    return World(root, hub, school, other, activity, other_file)


def assert_refused(world: World, bundle: Path, reason: str, *extra: str) -> None:
    """`verify` and `import` through the CLI: exit 1, the reason in Russian, nothing changed."""
    before = snapshot(world.hub.db)
    verified = cli("verify", bundle, *extra, "--db", world.hub.db)
    assert verified.code == 1, verified.out + verified.err
    assert re.search(reason, verified.out), verified.out
    rows_before = len(import_rows(world.hub.db))
    result = cli("import", bundle, *extra, "--db", world.hub.db)
    assert result.code == 1, result.out + result.err
    assert re.search(f"Итог: Пакет не принят: .*{reason}", result.out), result.out
    assert snapshot(world.hub.db) == before
    rows = import_rows(world.hub.db)
    assert len(rows) == rows_before + 1 and rows[-1]["result"] == "refused"
    assert not list(world.hub.paths.staging_dir.glob("*"))


def status_line(world: World, seq: int, value: str = "done") -> str:
    op = remote_op(world.school.device_id, seq, Entity.ACTIVITY, world.activity, value=value)
    return op.to_json_line()


def signed_ops(world: World, name: str, ops_bytes: bytes, *, ops: int, seq: int = 1) -> Path:
    """A bundle the school's key really signed, around ops.jsonl bytes of our choosing."""
    base = forge(world.fresh(name + "-base"), world.school.key, [op_of(world, seq)])
    extra = {k: v for k, v in bundle_manifest(base).items() if k not in CONTAINER_KEYS}
    extra["counts"] = {**extra["counts"], "ops": ops}
    path = world.fresh(name)
    with BundleWriter(path) as writer:
        writer.add_bytes(OPS_NAME, ops_bytes)
        manifest = canonical_json(
            build_manifest(bundle_id=new_id(), entries=writer.entries, extra=extra)
        )
        writer.finish(manifest, sshsig.sign(world.school.key, manifest, sshsig.BUNDLE_NAMESPACE))
    return path


def op_of(world: World, seq: int) -> Operation:
    return remote_op(world.school.device_id, seq, Entity.ACTIVITY, world.activity)


# --- the limits --------------------------------------------------------------------------------


def test_a_value_nested_a_thousand_levels_deep(world: World) -> None:
    """Once a RecursionError out of `verify` and `import`; now found by counting brackets."""
    deep = "[" * 1000 + '"done"' + "]" * 1000
    line = status_line(world, 1).replace('"done"', deep)
    path = signed_ops(world, "deep", (line + "\n").encode(), ops=1)
    assert_refused(world, path, f"строка 1 .*вложено глубже {limits.MAX_VALUE_DEPTH} уровней")


def test_a_manifest_nested_deep_is_refused_before_anything_parses_it(world: World) -> None:
    base = forge(world.fresh("deep-manifest-base"), world.school.key, [op_of(world, 1)])
    extra = {k: v for k, v in bundle_manifest(base).items() if k not in CONTAINER_KEYS}
    ops = (op_of(world, 1).to_json_line() + "\n").encode()
    entries = {OPS_NAME: EntryInfo(len(ops), sha(ops))}
    manifest = canonical_json(build_manifest(bundle_id=new_id(), entries=entries, extra=extra))
    nested = b'"z":' + b"[" * 5000 + b"]" * 5000 + b',"software":'
    manifest = manifest.replace(b'"software":', nested)
    signature = sshsig.sign(world.school.key, manifest, sshsig.BUNDLE_NAMESPACE).encode()
    path = write_zip(
        world.fresh("deep-manifest"),
        [(OPS_NAME, ops), ("manifest.json", manifest), ("manifest.json.sig", signature)],
    )
    assert_refused(world, path, "опись пакета не принята: слишком глубокая вложенность")


def test_unknown_keys_inside_a_create_are_refused(world: World) -> None:
    """Once stored and relayed (5 MB of them); now only declared fields may be created."""
    note = remote_op(
        world.school.device_id,
        1,
        Entity.NOTE,
        new_id(),
        action=Action.CREATE,
        field=None,
        value={
            "activity_id": world.activity,
            "text": "Проведено",
            "device_id": world.school.device_id,
            "junk": "x" * 1000,
        },
    )
    path = forge(world.fresh("junk"), world.school.key, [note])
    assert_refused(world, path, "неизвестное поле «junk»")


def test_too_many_ops_are_refused_before_a_line_is_decoded(world: World) -> None:
    """Once 1,000,000 ops took 5.6 GiB; now the lines are counted first (these are not JSON)."""
    count = limits.MAX_OPS + 1
    path = signed_ops(world, "many", b"{}\n" * count, ops=count)
    assert_refused(world, path, f"в пакете {count} изменений, а допустимо не больше")


def test_an_op_longer_than_the_limit(world: World) -> None:
    line = status_line(world, 1).replace('"done"', '"' + "я" * (limits.MAX_OP_SIZE // 2) + '"')
    path = signed_ops(world, "long-op", (line + "\n").encode(), ops=1)
    assert_refused(world, path, "строка 1 .*операция длиннее 1 МБ")


def test_a_text_longer_than_the_limit(world: World) -> None:
    note = remote_op(
        world.school.device_id,
        1,
        Entity.NOTE,
        new_id(),
        action=Action.CREATE,
        field=None,
        value={
            "activity_id": world.activity,
            "text": "а" * (limits.MAX_TEXT + 1),
            "device_id": world.school.device_id,
        },
    )
    assert_refused(world, forge(world.fresh("long-text"), world.school.key, [note]), "«text»")


def test_ops_jsonl_bigger_than_its_limit_is_refused_from_the_directory(world: World) -> None:
    """The entry's size is read from the ZIP directory: nothing of it is read, let alone parsed."""
    size = limits.MAX_OPS_SIZE + 1
    path = write_zip(world.fresh("huge-ops"), [(OPS_NAME, b"")])  # only the directory lies
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 20 : central + 28] = size.to_bytes(4, "little") * 2
    path.write_bytes(bytes(data))
    assert_refused(world, path, f"«ops.jsonl» слишком велика: {size} байт")


def evidence_op(world: World, data: bytes, seq: int) -> Operation:
    return Operation(
        op_id=new_id(),
        device_id=world.school.device_id,
        seq=seq,
        hlc=remote_op(world.school.device_id, seq, Entity.ACTIVITY, world.activity).hlc,
        entity=Entity.EVIDENCE,
        entity_id=new_id(),
        action=Action.CREATE,
        value={
            "activity_id": world.activity,
            "kind": "photo",
            "title": "Фото",
            "note": "",
            "original_name": "a.jpg",
            "size": len(data),
            "sha256": sha(data),
            "url": "",
            "device_id": world.school.device_id,
        },
    )


def test_evidence_size_limit_is_the_coordinators_to_choose(world: World) -> None:
    photo = b"\xff\xd8 a photo " * 300  # 3 KiB
    path = forge(
        world.fresh("photo"),
        world.school.key,
        [evidence_op(world, photo, 1)],
        evidence={sha(photo): photo},
    )
    option = ("--max-evidence-size", "2K")
    assert_refused(world, path, "слишком велика: 3300 байт \\(допустимо 2048\\)", *option)
    assert cli("verify", path, "--db", world.hub.db).code == 0  # the default: 2 ГБ
    bad = cli("verify", path, "--max-evidence-size", "много", "--db", world.hub.db)
    assert bad.code != 0 and "Размер «много» не понят" in bad.err
    assert parse_size("5G") == 5 * limits.GIB and parse_size("500 MiB") == 500 * limits.MIB


def test_bracket_depth_is_counted_outside_strings_and_without_recursion() -> None:
    assert not json_depth_exceeds('{"a":[["[[[[[[[[", "\\"[[[["]]}', 3)
    assert json_depth_exceeds('{"a":[[["x"]]]}', 3)
    assert json_depth_exceeds("[" * 1_000_000, 3)
    # a regex matching whole strings would take minutes on this; the scan is linear
    assert not json_depth_exceeds('"' + '\\"' * 500_000 + '"[[[[', 4)


# --- one hostile bundle among several ------------------------------------------------------------


def test_a_hostile_bundle_in_the_middle_stops_none_of_the_others(world: World) -> None:
    with world.school.open() as store:
        store.set_status(world.activity, Status.IN_PROGRESS)
    first = world.school.export(world.root / "first")
    deep = status_line(world, 9000).replace('"done"', "[" * 1000 + "0" + "]" * 1000)
    hostile = signed_ops(world, "middle", (deep + "\n").encode(), ops=1, seq=9000)
    with world.other.open() as store:
        store.add_note(activity_id(store, "3"), "Заметка другой школы")
    last = world.other.export(world.root / "last")
    verified = cli("verify", first, hostile, last, "--db", world.hub.db)
    assert verified.code == 1
    assert verified.out.count("пакет будет принят") == 2, verified.out
    assert verified.out.count("НЕ будет принят") == 1
    result = cli("import", first, hostile, last, "--db", world.hub.db)
    assert result.code == 1
    verdicts = [line for line in result.out.splitlines() if line.startswith("Итог:")]
    assert len(verdicts) == 3
    assert verdicts[0].startswith("Итог: Пакет импортирован")
    assert re.match("Итог: Пакет не принят: строка 1 .*вложено глубже", verdicts[1])
    assert verdicts[2].startswith("Итог: Пакет импортирован")


# --- evidence belongs to its organisation --------------------------------------------------------


def test_evidence_naming_another_schools_file_by_hash_is_refused(world: World) -> None:
    """Once the hub took it, and then shipped the other school's file in this school's name."""
    steal = evidence_op(world, world.other_file, 1)
    path = forge(world.fresh("steal"), world.school.key, [steal])
    assert_refused(world, path, "есть только у доказательств другой организации")
    export = cli(
        "export",
        "--for",
        world.school.device_id,
        "--full",
        "--to",
        world.root / "for-school",
        "--db",
        world.hub.db,
    )
    assert export.code == 0, export.out + export.err
    [bundle] = (world.root / "for-school").glob("*.curator")
    in_school_name = [
        op
        for op in bundle_ops(bundle)
        if op.entity is Entity.EVIDENCE
        and op.action is Action.CREATE
        and op.value["activity_id"] == world.activity
        and op.value["sha256"] == sha(world.other_file)
    ]
    assert in_school_name == []  # the other school's own record, and its file, still travel


def test_evidence_may_lean_on_a_file_held_for_its_own_organisation(world: World) -> None:
    photo = b"\x89PNG the school's own photo" * 10
    first = evidence_op(world, photo, 20_000)
    carried = forge(world.fresh("own-1"), world.school.key, [first], evidence={sha(photo): photo})
    assert cli("import", carried, "--db", world.hub.db).code == 0
    again = evidence_op(world, photo, 20_001)  # the same file attached again, not carried
    leaning = forge(world.fresh("own-2"), world.school.key, [again])
    result = cli("import", leaning, "--db", world.hub.db)
    assert result.code == 0, result.out
    assert "Итог: Пакет импортирован: новых изменений 1" in result.out
