"""Hostile bundles through `curator import`: each refused with a clear Russian reason, and the
replica byte-for-byte unchanged (projection, the raw op table, settings, devices, evidence).

Two kinds of attacker: one who only has the file (damage, ZIP tricks, wrong keys), and a
trusted signer who misuses a real key (ops outside its school or role, forged authorship,
lies in the manifest). The second kind makes perfectly signed bundles (`forge`).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import stat
import struct
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.ops import Action, Entity, HlcStamp, Operation, new_id
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.sync import keys, replica, sshsig
from curator_tui.sync.bundles import CONTAINER_KEYS, BundleKind, Counts, DeviceRange
from curator_tui.sync.container import (
    OPS_NAME,
    EntryInfo,
    build_manifest,
    canonical_json,
    encrypt_file,
    evidence_name,
)
from curator_tui.sync.trust import TrustRole
from tests.bundle_helpers import (
    ORG_NAME,
    OTHER_NAME,
    Replica,
    activity_id,
    bundle_manifest,
    bundle_ops,
    cli,
    fix_crc,
    forge,
    import_rows,
    make_hub,
    make_replica,
    make_school,
    snapshot,
    write_zip,
)
from tests.conftest import small_roadmap

HLC = "001800000000000-000000"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class World:
    root: Path
    hub: Replica
    school: Replica  # trusted at the hub for ORG
    other: Replica  # a school trusted for OTHER
    good: Path  # a real bundle from `school`: status, note, a file
    activity: str  # ORG's activity 3
    other_activity: str  # OTHER's activity 3
    note_id: str  # the school's note (in `good`)
    evidence: bytes

    def fresh(self, name: str) -> Path:
        folder = self.root / "cases" / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "bundle.curator"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("hostile")
    hub = make_hub(root, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    school = make_school(root, hub)
    other = make_school(root, hub, name="other", org=OTHER_NAME)
    evidence = b"%PDF-1.4 prikaz " * 64
    proof = root / "prikaz.pdf"
    proof.write_bytes(evidence)
    with school.open() as store:
        activity = activity_id(store, "3")
        store.set_status(activity, Status.DONE)
        note_id = store.add_note(activity, "Проведено")
        store.attach_file(activity, proof, kind=EvidenceKind.ORDER)
    good = school.export(root / "good")
    with other.open() as store:
        other_activity = activity_id(store, "3")
    return World(root, hub, school, other, good, activity, other_activity, note_id, evidence)


def assert_refused(world: World, bundle: Path, reason: str) -> None:
    """Import through the CLI: exit 1, the reason in the output, nothing changed."""
    before = snapshot(world.hub.db)
    rows_before = len(import_rows(world.hub.db))
    result = cli("import", bundle, "--db", world.hub.db)
    assert result.code == 1, result.out + result.err
    assert re.search(reason, result.out, re.IGNORECASE), result.out
    assert snapshot(world.hub.db) == before
    rows = import_rows(world.hub.db)
    assert len(rows) == rows_before + 1 and rows[-1]["result"] == "refused"
    assert re.search(reason, rows[-1]["message"], re.IGNORECASE)
    assert not list(world.hub.paths.staging_dir.glob("*"))


# --- the file itself --------------------------------------------------------------------------


def good_bytes(world: World) -> bytes:
    return world.good.read_bytes()


def written(world: World, name: str, data: bytes) -> Path:
    path = world.fresh(name)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "Файл пакета пуст"), (b"just some text, not a zip at all" * 3, "не ZIP")],
    ids=["empty", "not-zip"],
)
def test_empty_and_non_zip_files(world: World, content: bytes, reason: str) -> None:
    assert_refused(world, written(world, "junk", content), reason)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.95, 0.999])
def test_truncated_bundle(world: World, keep: float) -> None:
    data = good_bytes(world)
    assert_refused(
        world, written(world, f"cut-{keep}", data[: int(len(data) * keep)]), "ZIP|обрезан"
    )


def entry_offset(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (OPS_NAME, "запись «ops.jsonl» не совпадает с описью"),
        ("evidence", "запись «evidence/[0-9a-f]{64}» не совпадает с описью"),
        ("manifest.json", "Подпись не совпадает"),
        ("manifest.json.sig", "Подпись"),
    ],
)
def test_one_changed_byte(world: World, entry: str, reason: str) -> None:
    """Caught by the entry's CRC-32 (as `unzip -t` would); with the CRC recomputed to match,
    by the signature or the manifest's SHA-256."""
    data = bytearray(good_bytes(world))
    name = evidence_name(sha(world.evidence)) if entry == "evidence" else entry
    data[entry_offset(bytes(data), name) + 20] ^= 0x01
    crc = f"контрольная сумма записи «{re.escape(name)}» не сходится"
    assert_refused(world, written(world, f"flip-{entry}", bytes(data)), crc)
    forged = fix_crc(bytes(data), name)
    assert_refused(world, written(world, f"flip-crc-{entry}", forged), reason)


Payload = list[tuple[str | zipfile.ZipInfo, bytes]]


def craft(
    world: World, name: str, payload: Payload, declared: dict[str, EntryInfo] | None = None
) -> Path:
    """A ZIP made by hand whose manifest (with the real bundle's fields) the school signed."""
    real = bundle_manifest(world.good)
    extra = {k: v for k, v in real.items() if k not in CONTAINER_KEYS}
    if declared is None:
        declared = {}
        for item, data in payload:
            entry = item.filename if isinstance(item, zipfile.ZipInfo) else item
            declared[entry] = EntryInfo(len(data), sha(data))
    manifest = canonical_json(build_manifest(bundle_id="c0ffee", entries=declared, extra=extra))
    signature = sshsig.sign(world.school.key, manifest, sshsig.BUNDLE_NAMESPACE)
    return write_zip(
        world.fresh(name),
        [*payload, ("manifest.json", manifest), ("manifest.json.sig", signature.encode())],
    )


def real_payload(world: World) -> Payload:
    with zipfile.ZipFile(world.good) as archive:
        return [
            (n, archive.read(n))
            for n in archive.namelist()
            if n not in ("manifest.json", "manifest.json.sig")
        ]


def named(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # past ZipInfo's own clean-ups: an attacker's tool has none
    return info


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "evidence/../../../home/user/.bashrc", "/etc/cron.d/evil", "C:/evil"],
    ids=["traversal", "nested-traversal", "absolute", "drive"],
)
def test_path_traversal_and_absolute_names(world: World, name: str) -> None:
    path = craft(world, "names", [*real_payload(world), (named(name), b"x")])
    assert_refused(world, path, "Недопустимое имя записи")


def test_duplicate_names(world: World) -> None:
    payload = real_payload(world)
    path = craft(world, "dup", [*payload, (OPS_NAME, b'{"evil":1}\n')], declared=None)
    assert_refused(world, path, "встречается в пакете дважды")


def test_symlink_entry(world: World) -> None:
    target = b"/etc/passwd"
    link = zipfile.ZipInfo(evidence_name(sha(target)))
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = craft(world, "symlink", [*real_payload(world), (link, target)])
    assert_refused(world, path, "символическая ссылка")


def test_overlapping_entries(world: World) -> None:
    inner = b"second copy of the evidence"
    inner_name = evidence_name(sha(inner))
    scratch = io.BytesIO()
    with zipfile.ZipFile(scratch, "w") as single:
        single.writestr(inner_name, inner)
        inner_info = single.getinfo(inner_name)
    inner_record = scratch.getvalue()[: 30 + len(inner_name) + len(inner)]
    outer_name = evidence_name(sha(inner_record))
    payload = [*real_payload(world), (outer_name, inner_record)]
    declared = {
        (i if isinstance(i, str) else i.filename): EntryInfo(len(d), sha(d)) for i, d in payload
    }
    declared[inner_name] = EntryInfo(len(inner), sha(inner))
    path = craft(world, "overlap", payload, declared)
    data = path.read_bytes()
    with zipfile.ZipFile(path, "a") as archive:  # a central record pointing inside the outer
        inner_info.header_offset = entry_offset(data, outer_name)
        archive.filelist.append(inner_info)
        archive.NameToInfo[inner_name] = inner_info
        archive._didModify = True  # type: ignore[attr-defined]
    assert_refused(world, path, "перекрываются")


def test_deflate_bomb_with_honest_sizes(world: World) -> None:
    """Once written out in full (10 GiB) because its sizes were true; now refused from the
    directory record, before a byte is inflated."""
    bomb = zipfile.ZipInfo(OPS_NAME)
    bomb.compress_type = zipfile.ZIP_DEFLATED
    lines = b"\n" * (32 * 1024 * 1024)
    path = craft(world, "bomb", [(bomb, lines)])
    assert path.stat().st_size < 1024 * 1024
    assert_refused(world, path, "сжата \\(метод 8\\): в пакете записи хранятся без сжатия")


def test_manifest_lying_about_sizes(world: World) -> None:
    payload = real_payload(world)
    declared = {
        (i if isinstance(i, str) else i.filename): EntryInfo(len(d), sha(d)) for i, d in payload
    }
    declared[OPS_NAME] = EntryInfo(declared[OPS_NAME].size - 3, declared[OPS_NAME].sha256)
    path = craft(world, "lying", payload, declared)
    assert_refused(world, path, "«ops.jsonl» не совпадает с описью")


def test_missing_and_extra_entries(world: World) -> None:
    payload = real_payload(world)
    full = {
        (i if isinstance(i, str) else i.filename): EntryInfo(len(d), sha(d)) for i, d in payload
    }
    without_evidence = [(i, d) for i, d in payload if i == OPS_NAME]
    assert_refused(world, craft(world, "missing", without_evidence, full), "нет записи «evidence/")
    extra = b"an extra file"
    path = craft(world, "extra", [*payload, (evidence_name(sha(extra)), extra)], full)
    assert_refused(world, path, "не указана в описи")


# --- keys and trust ---------------------------------------------------------------------------


def test_unknown_key(world: World) -> None:
    stranger = make_replica(world.root / "stranger.db", "Чужой", "school", organisation=ORG_NAME)
    with stranger.open() as store:
        store.apply_remote(bundle_ops(world.good))
    ops = [
        replace(op, device_id=stranger.device_id)
        for op in bundle_ops(world.good)
        if op.device_id == world.school.device_id and op.entity is Entity.ACTIVITY
    ]
    path = forge(world.fresh("stranger"), stranger.key, ops)
    assert_refused(world, path, "ключ подписи SHA256:\\S+ неизвестен")


def test_expired_key(world: World) -> None:
    late = make_replica(world.root / "late.db", "Бывший", "school", organisation=ORG_NAME)
    replica.add_trust(
        world.hub.db,
        str(late.pub),
        name="Бывший директор",
        organisation=ORG_NAME,
        role=TrustRole.SCHOOL,
        valid_until=date.today() - timedelta(days=1),
    )
    path = forge(world.fresh("expired"), late.key, [status_op(late.device_id, world.activity)])
    assert_refused(world, path, "срок доверия ключу «Бывший директор» истёк")


def test_key_trusted_for_another_school(world: World) -> None:
    op = status_op(world.other.device_id, world.activity)  # OTHER's key, ORG's activity
    path = forge(world.fresh("other-school"), world.other.key, [op])
    assert_refused(
        world,
        path,
        f"операция № 1 устройства {world.other.device_id[:8]} .*относится к организации "
        f"«{re.escape(ORG_NAME)}», а ключ «Директор other» доверен только для "
        f"«{re.escape(OTHER_NAME)}»",
    )


def test_encrypted_for_someone_else(world: World) -> None:
    stranger_identity = keys.generate_age_identity()
    sealed = world.fresh("sealed").with_suffix(".curator.age")
    encrypt_file(world.good, sealed, [keys.age_recipient(stranger_identity)])
    assert_refused(world, sealed, "зашифрован для другого получателя")


def test_damaged_encrypted_bundle(world: World) -> None:
    sealed = world.fresh("sealed-damaged").with_suffix(".curator.age")
    encrypt_file(world.good, sealed, [world.hub.age_recipient])
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    sealed.write_bytes(bytes(data))
    assert_refused(world, sealed, "расшифровать пакет")
    assert not list(world.hub.paths.staging_dir.glob("*"))  # no plaintext left behind


def test_replayed_bundle_changes_nothing(world: World) -> None:
    first = cli("import", world.good, "--db", world.hub.db)
    assert first.code == 0
    before = snapshot(world.hub.db)
    again = cli("import", world.good, "--db", world.hub.db)
    assert again.code == 0 and "Этот пакет уже загружен" in again.out
    assert snapshot(world.hub.db) == before
    assert import_rows(world.hub.db)[-1]["result"] == "already"


# --- a trusted signer misusing its key ----------------------------------------------------------


def status_op(device_id: str, activity: str, *, seq: int = 1, value: Any = "done") -> Operation:
    return Operation(
        op_id=new_id(),
        device_id=device_id,
        seq=seq,
        hlc=HLC,
        entity=Entity.ACTIVITY,
        entity_id=activity,
        action=Action.SET,
        field="status",
        value=value,
    )


def school_op(world: World, **changes: Any) -> Operation:
    return replace(status_op(world.school.device_id, world.activity, seq=1000), **changes)


def forge_school(world: World, name: str, ops: list[Operation], **kwargs: Any) -> Path:
    return forge(world.fresh(name), world.school.key, ops, **kwargs)


def test_school_may_not_change_roadmap_structure(world: World) -> None:
    op = school_op(world, field="title", value="Подменённое название")
    path = forge_school(world, "structure", [school_op(world, seq=999), op])
    assert_refused(
        world,
        path,
        f"операция № 1000 устройства {world.school.device_id[:8]} \\(мероприятие .*изменение "
        "поля «title»\\): роль «школа» не может менять структуру дорожной карты",
    )


def test_school_may_not_review(world: World) -> None:
    op = school_op(world, field="review_state", value="accepted")
    path = forge_school(world, "review", [school_op(world, seq=999), op])
    assert_refused(world, path, "школа не может выставлять проверку")


def test_school_may_not_touch_another_schools_activity(world: World) -> None:
    op = school_op(world, entity_id=world.other_activity)
    assert_refused(world, forge_school(world, "foreign", [op]), "относится к организации")


def test_record_moved_into_another_school_by_recreating_it(world: World) -> None:
    # OTHER's signer "creates" the ORG school's note again, hanging it on OTHER's activity.
    note = Operation(
        op_id=new_id(),
        device_id=world.other.device_id,
        seq=500,
        hlc=HLC,
        entity=Entity.NOTE,
        entity_id=world.note_id,
        action=Action.CREATE,
        value={
            "activity_id": world.other_activity,
            "text": "x",
            "device_id": world.other.device_id,
        },
    )
    world.hub.import_(world.good)  # the note exists at the hub, under ORG
    path = forge(world.fresh("recreate"), world.other.key, [note])
    assert_refused(world, path, f"относится к организации «{re.escape(ORG_NAME)}»")


def test_op_on_an_unknown_activity(world: World) -> None:
    op = school_op(world, entity_id="a" * 32)
    assert_refused(world, forge_school(world, "unknown", [op]), "нельзя определить, к какой")


def test_curator_trusted_for_one_school_sends_anothers(world: World) -> None:
    curator = make_replica(world.root / "cur.db", "Куратор", "curator")
    replica.add_trust(
        world.hub.db,
        str(curator.pub),
        name="Куратор Б",
        organisation=OTHER_NAME,
        role=TrustRole.CURATOR,
    )
    op = status_op(curator.device_id, world.activity)
    path = forge(world.fresh("curator"), curator.key, [op], role="curator")
    assert_refused(world, path, "доверен только для")


def test_scoped_coordinator_sends_another_organisations_roadmap(world: World) -> None:
    coordinator = make_replica(world.root / "coord.db", "Муниципалитет", "coordinator")
    replica.add_trust(
        world.hub.db,
        str(coordinator.pub),
        name="Муниципалитет Б",
        organisation=OTHER_NAME,
        role=TrustRole.COORDINATOR,
    )
    with coordinator.open() as store:
        save_roadmap(store, small_roadmap(organisation="МБОУ «Третья СОШ»"))
        ops = list(store.ops())
    path = forge(
        world.fresh("coord"), coordinator.key, ops, kind=BundleKind.ROADMAP, role="coordinator"
    )
    assert_refused(world, path, "доверен только для «МБОУ «Другая СОШ»»")


def test_roadmap_bundle_from_a_school_and_with_progress(world: World) -> None:
    path = forge_school(world, "roadmap-by-school", [school_op(world)], kind=BundleKind.ROADMAP)
    assert_refused(world, path, "пакет дорожной карты может подписать только координатор")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"value": "pwned"}, "неверное значение поля «status»"),
        ({"value": None}, "неверное значение поля «status»"),
        ({"field": "no_such_field"}, "неизвестное поле"),
        ({"hlc": "99"}, "неверная отметка времени|не в каноническом"),
        ({"entity_id": "../../x"}, "неверный идентификатор"),
    ],
    ids=["status", "null", "field", "clock", "id"],
)
def test_bad_values_are_refused(world: World, changes: dict[str, Any], reason: str) -> None:
    op = replace(school_op(world), **changes)
    assert_refused(world, forge_school(world, "values", [op]), reason)


def test_forged_authorship_is_refused(world: World) -> None:
    note = Operation(
        op_id=new_id(),
        device_id=world.school.device_id,
        seq=1001,
        hlc=HLC,
        entity=Entity.NOTE,
        entity_id=new_id(),
        action=Action.CREATE,
        value={"activity_id": world.activity, "text": "от имени другого", "device_id": "b" * 32},
    )
    assert_refused(world, forge_school(world, "author", [note]), "автор записи не совпадает")


def test_taken_sequence_number_and_rewritten_op(world: World) -> None:
    world.hub.import_(world.good)
    [original] = [op for op in bundle_ops(world.good) if op.entity is Entity.ACTIVITY]
    squatter = replace(original, op_id=new_id(), value="cancelled")
    assert_refused(world, forge_school(world, "squat", [squatter]), "под этим номером")
    rewritten = replace(original, value="cancelled")
    assert_refused(world, forge_school(world, "rewrite", [rewritten]), "записано иначе")


def evidence_create(world: World, data: bytes, *, seq: int) -> Operation:
    """The school's photo of `data` attached to its activity."""
    return Operation(
        op_id=new_id(),
        device_id=world.school.device_id,
        seq=seq,
        hlc=HLC,
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


def test_a_clash_found_while_applying_rolls_back_the_evidence_and_verify_names_it(
    world: World,
) -> None:
    """Importing reads the log back only for ops it did not take; the refusal is the same,
    the bundle's new evidence file is taken out again, and `verify` names the clash first."""
    world.hub.import_(world.good)
    [original] = [op for op in bundle_ops(world.good) if op.entity is Entity.ACTIVITY]
    data = b"evidence riding along with a forged op"
    create = evidence_create(world, data, seq=original.seq + 500)
    squatter = replace(original, op_id=new_id(), value="cancelled")
    path = forge_school(world, "squat-evidence", [create, squatter], evidence={sha(data): data})
    verified = cli("verify", path, "--db", world.hub.db)
    assert verified.code == 1 and "под этим номером" in verified.out
    assert_refused(world, path, "под этим номером")


def test_ops_in_the_receivers_own_name(world: World) -> None:
    op = status_op(world.hub.device_id, world.activity, seq=10_000)
    path = forge_school(world, "own-name", [school_op(world), op])
    assert_refused(world, path, "от имени этой базы")


def test_evidence_file_missing_extra_or_of_the_wrong_size(world: World) -> None:
    data = b"fresh evidence bytes"
    create = evidence_create(world, data, seq=1002)
    assert_refused(world, forge_school(world, "no-file", [create]), "в пакете нет файла")
    stray = b"unrelated file"
    path = forge_school(world, "stray", [create], evidence={sha(data): data, sha(stray): stray})
    assert_refused(world, path, "не относится ни к одному доказательству")
    liar = replace(create, value={**create.value, "size": 5})
    path = forge_school(world, "size", [liar], evidence={sha(data): data})
    assert_refused(world, path, "размер файла не совпадает")


def test_manifest_lies_about_what_it_holds(world: World) -> None:
    op = school_op(world)
    wrong_counts = Counts(ops=7, evidence_files=0, evidence_bytes=0)
    path = forge_school(world, "counts", [op], counts=wrong_counts)
    assert_refused(world, path, "число изменений не совпадает с описью")
    narrow = {world.school.device_id: DeviceRange(start=1, end=5)}
    path = forge_school(world, "range", [op], ranges=narrow)
    assert_refused(world, path, "не входит в диапазон номеров")
    other_key = keys.public_key_line(world.other.key.public_key())
    path = forge_school(world, "device-key", [op], public_key=other_key)
    assert_refused(world, path, "подписан не тем ключом")


def test_duplicate_op_inside_a_bundle(world: World) -> None:
    op = school_op(world)
    path = forge_school(world, "twice", [op, op])
    assert_refused(world, path, "встречается в пакете дважды")


def test_malformed_ops_lines(world: World) -> None:
    path = forge_school(world, "ops-lines", [school_op(world)])
    with zipfile.ZipFile(path) as archive:
        line = archive.read(OPS_NAME)
    for bad, reason in [
        (b"{not json}\n", "не читается"),
        (line.replace(b'{"action"', b'{ "action"'), "не в каноническом виде"),
        (line.rstrip(b"\n"), "обрывается"),
    ]:
        craft_path = resign_with_ops(world, bad)
        assert_refused(world, craft_path, reason)


def resign_with_ops(world: World, ops_bytes: bytes) -> Path:
    real = bundle_manifest(forge_school(world, "base", [school_op(world)]))
    extra = {k: v for k, v in real.items() if k not in CONTAINER_KEYS}
    declared = {OPS_NAME: EntryInfo(len(ops_bytes), sha(ops_bytes))}
    manifest = canonical_json(build_manifest(bundle_id="bad0ps", entries=declared, extra=extra))
    signature = sshsig.sign(world.school.key, manifest, sshsig.BUNDLE_NAMESPACE)
    return write_zip(
        world.fresh("resigned-" + sha(ops_bytes)[:8]),
        [
            (OPS_NAME, ops_bytes),
            ("manifest.json", manifest),
            ("manifest.json.sig", signature.encode()),
        ],
    )


def test_the_first_offending_op_is_named_and_all_are_listed_by_verify(world: World) -> None:
    good = school_op(world, seq=2000)
    bad1 = school_op(world, seq=2001, field="title", value="x")
    bad2 = school_op(world, seq=2002, entity_id=world.other_activity)
    path = forge_school(world, "many", [good, bad1, bad2])
    assert_refused(world, path, "Пакет не принят: операция № 2001 ")
    result = cli("verify", path, "--db", world.hub.db)
    assert result.code == 1
    assert "операция № 2001" in result.out and "операция № 2002" in result.out


# --- random damage ----------------------------------------------------------------------------


@dataclass
class FlipTarget:
    world: World
    data: bytes


@pytest.fixture(scope="module")
def flips(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlipTarget]:
    root = tmp_path_factory.mktemp("flips")
    hub = make_hub(root)
    school = make_school(root, hub)
    with school.open() as store:
        activity = activity_id(store, "2")
        store.set_status(activity, Status.IN_PROGRESS)
        store.add_note(activity, "Заметка")
        (root / "p.txt").write_bytes(b"evidence" * 40)
        store.attach_file(activity, root / "p.txt", kind=EvidenceKind.OTHER)
    bundle = school.export(root / "out")
    reference = root / "reference" / hub.db.name
    copy_replica(hub.db, reference)
    assert Replica(reference).import_(bundle).outcome == "accepted"  # the pristine one is fine
    world = World(root, hub, school, school, bundle, activity, activity, "", b"")
    yield FlipTarget(world, bundle.read_bytes())


def copy_replica(db: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target.with_name(target.name + ".files"), ignore_errors=True)
    shutil.copy2(db, target)
    shutil.copytree(db.with_name(db.name + ".files"), target.with_name(target.name + ".files"))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(min_value=0), xor=st.integers(min_value=1, max_value=255))
def test_random_byte_flips_are_refused(flips: FlipTarget, position: int, xor: int) -> None:
    offset = position % len(flips.data)
    damaged = bytearray(flips.data)
    damaged[offset] ^= xor
    path = flips.world.root / "damaged.curator"
    path.write_bytes(bytes(damaged))
    hub = flips.world.hub
    before = snapshot(hub.db)
    report = hub.import_(path)
    assert report.outcome == "refused", f"flip at {offset} (^{xor:#x}) was not detected"
    assert snapshot(hub.db) == before
    assert report.errors and report.errors[0].text


def test_a_clock_more_than_a_day_ahead_is_warned_about_and_still_imported(world: World) -> None:
    now = time.time_ns() // 1_000_000
    day = 24 * 3600 * 1000
    near = school_op(world, seq=3000, hlc=str(HlcStamp(now + day - 3_600_000, 0)))
    path = forge_school(world, "clock-near", [near])
    assert cli("import", path, "--db", world.hub.db).code == 0
    assert "спешат" not in "".join(r["message"] for r in import_rows(world.hub.db))
    far = school_op(world, seq=3001, hlc=str(HlcStamp(now + day + 3_600_000, 0)))
    result = cli("import", forge_school(world, "clock-far", [far]), "--db", world.hub.db)
    assert result.code == 0, result.out
    assert "часы устройства" in result.out and "спешат" in result.out
