"""The canonical container (issue 14): the reader refuses anything our writer would not write.

Each case goes through the real `curator verify` and `curator import`: exit 1, a Russian reason,
the replica unchanged. Then random mutations of a real signed bundle (a byte flipped, bytes
inserted or deleted, the file cut short): none may be accepted and none may crash; a few
hundred in the default suite, 10,000 in `make stress`.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.sync.importing import verify_bundle
from tests.bundle_helpers import (
    Replica,
    activity_id,
    cli,
    fix_crc,
    import_rows,
    make_hub,
    make_school,
    snapshot,
)


@dataclass
class World:
    root: Path
    hub: Replica
    good: bytes  # a real bundle of the school: status, a note, a file

    def write(self, name: str, data: bytes) -> Path:
        path = self.root / "cases" / f"{name}.curator"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("mutations")
    hub = make_hub(root)
    school = make_school(root, hub)
    (root / "order.pdf").write_bytes(b"%PDF-1.4 prikaz No 17\n" * 50)
    with school.open() as store:
        activity = activity_id(store, "2")
        store.set_status(activity, Status.IN_PROGRESS)
        store.add_note(activity, "Заметка")
        store.attach_file(activity, root / "order.pdf", kind=EvidenceKind.ORDER)
    good = school.export(root / "out").read_bytes()
    return World(root, hub, good)


def assert_refused(world: World, data: bytes, name: str, reason: str) -> None:
    path = world.write(name, data)
    before = snapshot(world.hub.db)
    verified = cli("verify", path, "--db", world.hub.db)
    assert verified.code == 1, verified.out + verified.err
    assert re.search(reason, verified.out), verified.out
    rows_before = len(import_rows(world.hub.db))
    result = cli("import", path, "--db", world.hub.db)
    assert result.code == 1, result.out + result.err
    assert re.search(f"Итог: Пакет не принят: .*{reason}", result.out), result.out
    assert snapshot(world.hub.db) == before
    assert len(import_rows(world.hub.db)) == rows_before + 1


# --- where the fields are -------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    name: str
    local: int  # offset of the local header
    central: int  # offset of the central directory record


def records(data: bytes) -> list[Record]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        position = archive.start_dir  # type: ignore[attr-defined]
        found = []
        for info in archive.infolist():
            found.append(Record(info.filename, info.header_offset, position))
            position += 46 + len(info.filename) + len(info.extra) + len(info.comment)
    return found


def patched(data: bytes, edits: dict[int, bytes]) -> bytes:
    out = bytearray(data)
    for offset, value in edits.items():
        out[offset : offset + len(value)] = value
    return bytes(out)


def both_headers(data: bytes, local_at: int, central_at: int, value: bytes) -> bytes:
    """The same field changed in every entry's local header and directory record alike."""
    edits: dict[int, bytes] = {}
    for record in records(data):
        edits[record.local + local_at] = value
        edits[record.central + central_at] = value
    return patched(data, edits)


# --- the cases ------------------------------------------------------------------------------


def test_every_crc_wrong_is_refused_as_unzip_refuses_it(world: World) -> None:
    """Once accepted while `unzip -t` (which the docs recommend) called it damaged."""
    data = world.good
    edits: dict[int, bytes] = {}
    for record in records(data):
        (crc,) = struct.unpack_from("<I", data, record.central + 16)
        wrong = struct.pack("<I", crc ^ 0x5A5A5A5A)
        edits[record.local + 14] = wrong
        edits[record.central + 16] = wrong
    damaged = patched(data, edits)
    if shutil.which("unzip"):
        path = world.write("crc-unzip", damaged)
        tested = subprocess.run(["unzip", "-t", str(path)], capture_output=True, check=False)
        assert tested.returncode != 0
    assert_refused(world, damaged, "crc", "контрольная сумма записи «manifest.json» не сходится")


@pytest.mark.parametrize(
    ("case", "local_at", "central_at", "value"),
    [
        ("date", 12, 14, struct.pack("<H", (2024 - 1980) << 9 | 3 << 5 | 1)),
        ("time", 10, 12, struct.pack("<H", 12 << 11)),
        ("version-needed", 4, 6, struct.pack("<H", 20)),
    ],
)
def test_fields_our_writer_never_writes(
    world: World, case: str, local_at: int, central_at: int, value: bytes
) -> None:
    damaged = both_headers(world.good, local_at, central_at, value)
    assert_refused(world, damaged, case, "поля ZIP не такие, какие пишет «Куратор»")


@pytest.mark.parametrize(
    ("case", "central_at", "value"),
    [
        ("made-by-dos", 4, struct.pack("<H", 45)),
        ("mode-0755", 38, struct.pack("<I", (0o100755) << 16)),
        ("internal-attributes", 36, struct.pack("<H", 1)),
    ],
)
def test_directory_fields_our_writer_never_writes(
    world: World, case: str, central_at: int, value: bytes
) -> None:
    edits = {r.central + central_at: value for r in records(world.good)}
    damaged = patched(world.good, edits)
    assert_refused(world, damaged, case, "поля ZIP не такие, какие пишет «Куратор»")


def test_an_archive_comment(world: World) -> None:
    data = world.good
    commented = data[:-2] + struct.pack("<H", 7) + b"comment"
    assert_refused(world, commented, "comment", "после конца архива есть лишние данные")
    counted_only = data[:-2] + struct.pack("<H", 7)
    assert_refused(world, counted_only, "comment-length", "у архива не должно быть комментария")


def shifted(data: bytes, at: int, junk: bytes) -> bytes:
    """`junk` inserted at `at`, every offset behind it moved on, as a careful forger would."""
    out = bytearray(data[:at] + junk + data[at:])
    eocd = len(out) - 22
    (cd_offset,) = struct.unpack_from("<I", out, eocd + 16)
    out[eocd + 16 : eocd + 20] = struct.pack("<I", cd_offset + len(junk))
    for record in records(bytes(out)):
        (offset,) = struct.unpack_from("<I", out, record.central + 42)
        if offset >= at:
            out[record.central + 42 : record.central + 46] = struct.pack("<I", offset + len(junk))
    return bytes(out)


def test_data_before_between_or_after_the_entries(world: World) -> None:
    data = world.good
    second = records(data)[1]
    (cd_offset,) = struct.unpack_from("<I", data, len(data) - 22 + 16)
    for case, at in [("before", 0), ("between", second.local), ("after", cd_offset)]:
        damaged = shifted(data, at, b"\0" * 64)
        with zipfile.ZipFile(world.write(f"junk-{case}", damaged)) as archive:
            assert archive.testzip() is None  # the stdlib finds nothing wrong
        assert_refused(world, damaged, f"junk-{case}", "лишние данные")


def test_an_extra_field_in_the_directory(world: World) -> None:
    data = world.good
    first = records(data)[0]
    extra = struct.pack("<HH", 0x5455, 5) + b"\x01\0\0\0\0"  # a timestamp, as Info-ZIP writes
    name_len = struct.unpack_from("<H", data, first.central + 28)[0]
    at = first.central + 46 + name_len
    out = bytearray(data[:at] + extra + data[at:])
    out[first.central + 30 : first.central + 32] = struct.pack("<H", len(extra))
    eocd = len(out) - 22
    (cd_size,) = struct.unpack_from("<I", out, eocd + 12)
    out[eocd + 12 : eocd + 16] = struct.pack("<I", cd_size + len(extra))
    assert_refused(world, bytes(out), "extra", "поля ZIP не такие, какие пишет «Куратор»")


def test_a_changed_entry_with_its_crc_recomputed_is_still_refused(world: World) -> None:
    data = bytearray(world.good)
    ops = records(bytes(data))[0]
    assert ops.name == "ops.jsonl"
    data[ops.local + 30 + len(ops.name) + 20 + 5] ^= 0x01
    forged = fix_crc(bytes(data), ops.name)
    assert_refused(world, forged, "crc-fixed", "запись «ops.jsonl» не совпадает с описью")


# --- random mutations -----------------------------------------------------------------------

Mutation = Callable[[bytes, random.Random], bytes]


def flip(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ rng.randrange(1, 256)]) + data[at + 1 :]


def insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randrange(1, 9)) + data[at:]


def delete(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randrange(1, 9) :]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


MUTATIONS: list[Mutation] = [flip, flip, insert, delete, truncate]


def run_mutations(world: World, count: int, seed: int) -> None:
    """Every mutation refused with a reason by the whole verify path, none crashing it."""
    rng = random.Random(seed)
    path = world.root / "mutated.curator"
    before = snapshot(world.hub.db)
    for case in range(count):
        mutation = rng.choice(MUTATIONS)
        damaged = mutation(world.good, rng)
        assert damaged != world.good
        path.write_bytes(damaged)
        report = verify_bundle(world.hub.db, path)
        assert not report.acceptable, f"case {case} ({mutation.__name__}) was accepted"
        assert report.errors[0].text, f"case {case} ({mutation.__name__}): no reason given"
    assert snapshot(world.hub.db) == before
    assert not list(world.hub.paths.staging_dir.glob("*"))


def test_the_pristine_bundle_is_accepted(world: World) -> None:
    path = world.write("pristine", world.good)
    assert verify_bundle(world.hub.db, path).acceptable


def test_random_mutations_are_all_refused(world: World) -> None:
    run_mutations(world, 300, seed=14)


@pytest.mark.stress
def test_ten_thousand_random_mutations_are_all_refused(world: World) -> None:
    run_mutations(world, 10_000, seed=1014)
