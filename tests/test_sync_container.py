"""Bundle files: written by us, read as hostile input, encrypted with age.

Every hostile archive below is refused with ``BundleError`` and leaves the staging area empty.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import struct
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from curator_tui.sync import container, keys, sshsig
from curator_tui.sync.container import (
    OPS_NAME,
    BundleWriter,
    EntryInfo,
    build_manifest,
    canonical_json,
    evidence_name,
    open_bundle,
)
from curator_tui.sync.errors import BundleError, TrustError
from curator_tui.sync.limits import Limits
from tests.bundle_helpers import fix_crc, write_zip

NS = sshsig.BUNDLE_NAMESPACE
SIGNER = keys.generate_device_key()
OPS = b'{"op":1,"field":"status","value":"done"}\n{"op":2,"field":"note","value":"\xd0\xaf"}\n'
EVIDENCE = [b"%PDF-1.4 prikaz No 17\n", b"\x89PNG fake photo bytes \x00\x01\x02"]
MAX_TOTAL = 100 * 1024 * 1024
LIMITS = Limits(max_bundle_total=MAX_TOTAL)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, input=stdin, capture_output=True, check=False, timeout=60)


class SignatureCheck:
    """The callback the importer passes: SSHSIG + "is this our trusted key"; counts calls."""

    def __init__(self, trusted: Ed25519PrivateKey = SIGNER) -> None:
        self.trusted = trusted
        self.calls = 0

    def __call__(self, manifest_bytes: bytes, signature: str) -> None:
        self.calls += 1
        signer = sshsig.verify(signature, manifest_bytes, NS)
        if not keys.same_public_key(signer, self.trusted.public_key()):
            raise TrustError("Ключ подписи неизвестен: его нет в списке доверия")


def write_bundle(
    path: Path,
    src_dir: Path,
    *,
    ops: bytes = OPS,
    evidence: list[bytes] | None = None,
    key: Ed25519PrivateKey = SIGNER,
    extra: dict[str, Any] | None = None,
) -> Path:
    src_dir.mkdir(exist_ok=True)
    with BundleWriter(path) as writer:
        writer.add_bytes(OPS_NAME, ops)
        for data in EVIDENCE if evidence is None else evidence:
            source = src_dir / f"source-{sha(data)[:8]}"
            source.write_bytes(data)
            writer.add_file(evidence_name(sha(data)), source)
        manifest = canonical_json(
            build_manifest(
                bundle_id="0b1d",
                entries=writer.entries,
                extra=extra or {"school": "school-0042", "seq": [1, 2]},
            )
        )
        writer.finish(manifest, sshsig.sign(key, manifest, NS))
    return path


Payload = list[tuple[str | zipfile.ZipInfo, bytes]]


def craft(
    path: Path,
    payload: Payload,
    *,
    declared: dict[str, EntryInfo] | None = None,
    key: Ed25519PrivateKey = SIGNER,
    extra: dict[str, Any] | None = None,
    manifest: bytes | None = None,
    with_signature: bool = True,
) -> Path:
    """A ZIP as our writer lays it out, with a genuinely signed manifest of our choosing."""
    if declared is None:
        declared = {}
        for item, data in payload:
            name = item.filename if isinstance(item, zipfile.ZipInfo) else item
            declared[name] = EntryInfo(len(data), sha(data))
    if manifest is None:
        manifest = canonical_json(build_manifest(bundle_id="b1", entries=declared, extra=extra))
    signature = [("manifest.json.sig", sshsig.sign(key, manifest, NS).encode())]
    return write_zip(path, [*payload, ("manifest.json", manifest), *signature[:with_signature]])


def good_payload() -> Payload:
    return [(OPS_NAME, OPS)] + [(evidence_name(sha(data)), data) for data in EVIDENCE]


@dataclass
class CentralRecord:
    name: str
    position: int  # of the central directory record
    local_offset: int


def central_records(data: bytes) -> list[CentralRecord]:
    """Walk a small (non-ZIP64) archive's central directory."""
    eocd = data.rindex(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd + 12)
    records = []
    pos = cd_offset
    while pos < cd_offset + cd_size:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        (local,) = struct.unpack_from("<I", data, pos + 42)
        records.append(CentralRecord(data[pos + 46 : pos + 46 + name_len].decode(), pos, local))
        pos += 46 + name_len + extra_len + comment_len
    return records


def patch(path: Path, edits: dict[int, bytes]) -> None:
    data = bytearray(path.read_bytes())
    for offset, value in edits.items():
        data[offset : offset + len(value)] = value
    path.write_bytes(bytes(data))


def record_of(path: Path, name: str) -> CentralRecord:
    return next(r for r in central_records(path.read_bytes()) if r.name == name)


def data_offset_of(path: Path, name: str) -> int:
    data = path.read_bytes()
    local = record_of(path, name).local_offset
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    return local + 30 + name_len + extra_len


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    path = tmp_path / "staging"
    path.mkdir()
    return path


def read_ok(path: Path, staging: Path, **kwargs: Any) -> container.VerifiedBundle:
    return open_bundle(
        path,
        kwargs.pop("check", SignatureCheck()),
        kwargs.pop("limits", LIMITS),
        staging_parent=staging,
    )


def assert_refused(
    path: Path,
    staging: Path,
    match: str,
    *,
    check: Callable[[bytes, str], None] | None = None,
    limits: Limits = LIMITS,
) -> None:
    with pytest.raises(BundleError, match=match):
        open_bundle(path, check or SignatureCheck(), limits, staging_parent=staging)
    assert list(staging.iterdir()) == [], "staging area must be left empty"


# --- the happy path ------------------------------------------------------------------------


def test_roundtrip_gives_verified_ops_manifest_and_staged_evidence(
    tmp_path: Path, staging: Path
) -> None:
    big = os.urandom(2 * 1024 * 1024 + 12345)  # crosses the 1 MiB chunk boundary
    path = write_bundle(tmp_path / "out.curator", tmp_path / "src", evidence=[*EVIDENCE, big, b""])
    with read_ok(path, staging) as bundle:
        assert bundle.ops == OPS
        assert bundle.manifest["school"] == "school-0042"
        assert bundle.manifest["seq"] == [1, 2]
        assert bundle.manifest["format_version"] == container.FORMAT_VERSION
        assert set(bundle.manifest["entries"]) == {OPS_NAME} | {
            evidence_name(sha(d)) for d in [*EVIDENCE, big, b""]
        }
        assert sorted(bundle.evidence) == sorted(sha(d) for d in [*EVIDENCE, big, b""])
        for digest, staged in bundle.evidence.items():
            assert staged.parent == bundle.staging_dir and staged.name == digest
            assert sha(staged.read_bytes()) == digest
        assert bundle.staging_dir.parent == staging
        sshsig.verify(bundle.signature, bundle.manifest_bytes, NS)
    assert list(staging.iterdir()) == []  # cleanup on leaving the block


def test_a_bundle_of_operations_only_stages_nothing(tmp_path: Path, staging: Path) -> None:
    path = write_bundle(tmp_path / "out.curator", tmp_path / "src", evidence=[])
    with read_ok(path, staging) as bundle:
        assert bundle.ops == OPS
        assert bundle.evidence == {} and bundle.staging_dir is None
        assert list(staging.iterdir()) == []


def test_writer_streams_stored_entries_with_progress(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)
    source = tmp_path / "evidence.bin"
    source.write_bytes(data)
    seen: list[int] = []
    with BundleWriter(tmp_path / "b.zip") as writer:
        writer.add_bytes(OPS_NAME, OPS)
        info = writer.add_file(evidence_name(sha(data)), source, seen.append)
        manifest = canonical_json(build_manifest(bundle_id="x", entries=writer.entries))
        final = writer.finish(manifest, sshsig.sign(SIGNER, manifest, NS))
    assert info == EntryInfo(len(data), sha(data))
    assert sum(seen) == len(data) and max(seen) == 1024 * 1024
    with zipfile.ZipFile(final) as archive:
        assert [i.compress_type for i in archive.infolist()] == [zipfile.ZIP_STORED] * 4
        assert archive.namelist()[-2:] == ["manifest.json", "manifest.json.sig"]
        assert archive.testzip() is None


def test_output_is_deterministic_and_stock_unzip_reads_it(tmp_path: Path) -> None:
    a = write_bundle(tmp_path / "a.zip", tmp_path / "src")
    b = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    assert a.read_bytes() == b.read_bytes()
    if shutil.which("unzip"):
        assert run("unzip", "-tq", str(a)).returncode == 0


def test_signed_manifest_inside_bundle_verifies_with_ssh_keygen(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("manifest.json")
        (tmp_path / "manifest.json.sig").write_bytes(archive.read("manifest.json.sig"))
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"school {keys.public_key_line(SIGNER.public_key())}\n")
    result = run(
        "ssh-keygen",
        "-Y",
        "verify",
        "-f",
        str(signers),
        "-I",
        "school",
        "-n",
        NS,
        "-s",
        str(tmp_path / "manifest.json.sig"),
        stdin=manifest,
    )
    assert result.returncode == 0, result.stderr


def test_zip64_end_records_and_extras_are_read(
    tmp_path: Path, staging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a bundle over 2 GiB looks like, on small data: the reader follows zipfile's limits
    (the writer's), so with them lowered it expects ZIP64 records everywhere, and only then."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1)  # force ZIP64 everywhere, on small data
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
    path = write_bundle(tmp_path / "z64.zip", tmp_path / "src")
    data = path.read_bytes()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data
    with read_ok(path, staging) as bundle:
        assert bundle.ops == OPS
        assert sorted(bundle.evidence) == sorted(sha(d) for d in EVIDENCE)
    monkeypatch.undo()
    assert_refused(path, staging, "противоречат друг другу|поля ZIP не такие")


# --- the writer refuses to produce bad bundles -----------------------------------------------


def test_writer_publishes_nothing_until_finish(tmp_path: Path) -> None:
    destination = tmp_path / "out.zip"
    with pytest.raises(RuntimeError), BundleWriter(destination) as writer:
        writer.add_bytes(OPS_NAME, OPS)
        raise RuntimeError("user cancelled")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    ["manifest.json", "manifest.json.sig", "../ops.jsonl", "evidence/" + "A" * 64, "x"],
)
def test_writer_refuses_bad_names(tmp_path: Path, name: str) -> None:
    with BundleWriter(tmp_path / "b.zip") as writer, pytest.raises(ValueError):
        writer.add_bytes(name, b"x")


def test_writer_refuses_duplicates_and_wrong_manifest(tmp_path: Path) -> None:
    with BundleWriter(tmp_path / "b.zip") as writer:
        writer.add_bytes(OPS_NAME, OPS)
        with pytest.raises(ValueError):
            writer.add_bytes(OPS_NAME, OPS)
        lying = canonical_json(
            build_manifest(bundle_id="x", entries={OPS_NAME: EntryInfo(1, sha(b"x"))})
        )
        with pytest.raises(ValueError):
            writer.finish(lying, sshsig.sign(SIGNER, lying, NS))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        build_manifest(bundle_id="x", entries={}, extra={"entries": {}})


def test_writer_refuses_evidence_whose_content_changed(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.write_bytes(b"tampered in the store")
    with BundleWriter(tmp_path / "b.zip") as writer:
        writer.add_bytes(OPS_NAME, OPS)
        with pytest.raises(BundleError, match="изменился"):
            writer.add_file(evidence_name(sha(b"original")), source)
        assert [p.name for p in tmp_path.iterdir()] == ["src"]  # aborted at once
        with pytest.raises(ValueError):
            writer.add_bytes(evidence_name(sha(b"x")), b"x")


def test_writer_gives_up_after_a_failed_entry(tmp_path: Path) -> None:
    source = tmp_path / "big"
    source.write_bytes(b"x" * (3 * 1024 * 1024))

    def cancel(_n: int) -> None:
        raise RuntimeError("cancelled from the progress bar")

    with BundleWriter(tmp_path / "b.zip") as writer:
        with pytest.raises(FileNotFoundError):  # nothing written yet: the writer stays usable
            writer.add_file(evidence_name(sha(b"x")), tmp_path / "absent")
        writer.add_bytes(OPS_NAME, OPS)
        with pytest.raises(RuntimeError, match="cancelled"):
            writer.add_file(evidence_name(sha(source.read_bytes())), source, cancel)
        assert [p.name for p in tmp_path.iterdir()] == ["big"]
        with pytest.raises(ValueError):
            writer.add_bytes(evidence_name(sha(b"y")), b"y")


# --- hostile archives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "evidence/../../../home/user/.bashrc",
        "/etc/cron.d/evil",
        "/" + evidence_name(sha(b"x")),
        "evidence\\" + sha(b"x"),
        "evidence/",
        "evidence/" + sha(b"x").upper(),
        "evidence/" + sha(b"x") + "/",
        "ops.jsonl\x00.exe",
        "./ops.jsonl",
        "Ops.jsonl",
        "C:/evil",
    ],
)
def test_name_outside_the_allowed_set_is_refused(tmp_path: Path, staging: Path, name: str) -> None:
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # bypass ZipInfo's own clean-ups: an attacker's tool has none
    path = craft(
        tmp_path / "b.zip",
        [*good_payload(), (info, b"x")],
        declared={OPS_NAME: EntryInfo(len(OPS), sha(OPS))},
    )
    assert_refused(path, staging, "Недопустимое имя")


def test_non_ascii_name_is_refused(tmp_path: Path, staging: Path) -> None:
    path = craft(
        tmp_path / "b.zip",
        [*good_payload(), ("evidence/приказ.pdf", b"x")],
        declared={OPS_NAME: EntryInfo(len(OPS), sha(OPS))},
    )
    assert_refused(path, staging, "Недопустимое имя")


def test_duplicate_names_are_refused(tmp_path: Path, staging: Path) -> None:
    path = craft(
        tmp_path / "b.zip",
        [(OPS_NAME, OPS), (OPS_NAME, b'{"evil":1}\n')],
        declared={OPS_NAME: EntryInfo(len(OPS), sha(OPS))},
    )
    assert_refused(path, staging, "дважды")


def test_symlink_entry_is_refused(tmp_path: Path, staging: Path) -> None:
    target = b"/etc/passwd"
    link = zipfile.ZipInfo(evidence_name(sha(target)))
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = craft(tmp_path / "b.zip", [(OPS_NAME, OPS), (link, target)])
    assert_refused(path, staging, "символическая ссылка")


def test_directory_entry_is_refused(tmp_path: Path, staging: Path) -> None:
    info = zipfile.ZipInfo(OPS_NAME)
    info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
    path = craft(tmp_path / "b.zip", [(info, OPS)])
    assert_refused(path, staging, "не является обычным файлом")


def test_overlapping_entries_are_refused(tmp_path: Path, staging: Path) -> None:
    """Entry B lives *inside* entry A's data; Python 3.11's zipfile reads both happily."""
    inner = b"second copy of the evidence"
    inner_name = evidence_name(sha(inner))
    scratch = io.BytesIO()
    with zipfile.ZipFile(scratch, "w") as single:
        single.writestr(inner_name, inner)
        inner_info = single.getinfo(inner_name)
    inner_record = scratch.getvalue()[: 30 + len(inner_name) + len(inner)]
    outer_name = evidence_name(sha(inner_record))
    path = craft(
        tmp_path / "b.zip",
        [(OPS_NAME, OPS), (outer_name, inner_record)],
        declared={
            OPS_NAME: EntryInfo(len(OPS), sha(OPS)),
            outer_name: EntryInfo(len(inner_record), sha(inner_record)),
            inner_name: EntryInfo(len(inner), sha(inner)),
        },
    )
    with zipfile.ZipFile(path, "a") as archive:  # add a central record pointing inside A
        inner_info.header_offset = data_offset_of(path, outer_name)
        archive.filelist.append(inner_info)
        archive.NameToInfo[inner_name] = inner_info
        archive._didModify = True
    with zipfile.ZipFile(path) as archive:  # the stdlib does not notice
        assert archive.read(inner_name) == inner and archive.read(outer_name) == inner_record
    assert_refused(path, staging, "перекрываются")


def test_central_record_pointing_at_another_entrys_header_is_refused(
    tmp_path: Path, staging: Path
) -> None:
    path = craft(tmp_path / "b.zip", good_payload())
    records = central_records(path.read_bytes())
    first, second = records[0], records[1]
    patch(path, {second.position + 42: struct.pack("<I", first.local_offset)})
    assert_refused(path, staging, "не совпадает с оглавлением|перекрываются")


def test_entry_running_past_the_end_is_refused(tmp_path: Path, staging: Path) -> None:
    path = craft(tmp_path / "b.zip", good_payload())
    rec = record_of(path, OPS_NAME)
    big = struct.pack("<I", 10_000_000)
    patch(path, {rec.position + 20: big + big, rec.local_offset + 18: big + big})
    assert_refused(path, staging, "за пределы|пределы архива")


@pytest.mark.parametrize(
    ("method", "data"),
    [(zipfile.ZIP_DEFLATED, OPS * 1000), (zipfile.ZIP_DEFLATED, b"\n" * (8 * 1024 * 1024))],
    ids=["deflated", "deflate-bomb-with-honest-sizes"],
)
def test_compressed_entries_are_refused_even_with_honest_sizes(
    tmp_path: Path, staging: Path, method: int, data: bytes
) -> None:
    """Bundles are STORED: a compressed entry is refused from its directory record, before a
    byte of it is inflated (a bomb with honest sizes was written out in full before)."""
    info = zipfile.ZipInfo(OPS_NAME)
    info.compress_type = method
    path = craft(tmp_path / "b.zip", [(info, data)])
    assert path.stat().st_size < len(data) // 10
    check = SignatureCheck()
    assert_refused(
        path, staging, "сжата \\(метод 8\\): в пакете записи хранятся без сжатия", check=check
    )
    assert check.calls == 0


def test_encrypted_entry_is_refused(tmp_path: Path, staging: Path) -> None:
    path = craft(tmp_path / "b.zip", good_payload())
    rec = record_of(path, OPS_NAME)
    patch(path, {rec.position + 8: b"\x01\x00", rec.local_offset + 6: b"\x01\x00"})
    assert_refused(path, staging, "зашифрована")


def test_data_descriptor_flag_is_refused(tmp_path: Path, staging: Path) -> None:
    path = craft(tmp_path / "b.zip", good_payload())
    rec = record_of(path, OPS_NAME)
    patch(path, {rec.position + 8: b"\x08\x00", rec.local_offset + 6: b"\x08\x00"})
    assert_refused(path, staging, "неподдерживаемые возможности")


def test_unsupported_compression_is_refused(tmp_path: Path, staging: Path) -> None:
    info = zipfile.ZipInfo(OPS_NAME)
    info.compress_type = zipfile.ZIP_BZIP2
    path = craft(tmp_path / "b.zip", [(info, OPS)])
    assert_refused(path, staging, "сжата \\(метод 12\\)")


def test_sizes_over_the_limit_are_refused_before_reading(tmp_path: Path, staging: Path) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src", evidence=[b"x" * 5000])
    check = SignatureCheck()
    assert_refused(path, staging, "слишком вел", check=check, limits=Limits(max_bundle_total=4000))
    assert_refused(path, staging, "слишком вел", check=check, limits=Limits(max_evidence_size=4000))
    assert check.calls == 0


def test_oversized_manifest_is_refused_before_the_signature(tmp_path: Path, staging: Path) -> None:
    path = craft(tmp_path / "b.zip", good_payload(), extra={"pad": "x" * (1024 * 1024)})
    check = SignatureCheck()
    assert_refused(path, staging, "manifest.json.*слишком велика", check=check)
    assert check.calls == 0


def test_manifest_lying_about_a_size_is_refused(tmp_path: Path, staging: Path) -> None:
    declared = {OPS_NAME: EntryInfo(len(OPS) - 2, sha(OPS))}
    path = craft(tmp_path / "b.zip", [(OPS_NAME, OPS)], declared=declared)
    assert_refused(path, staging, f"Файл повреждён: запись «{OPS_NAME}» не совпадает с описью")


def test_manifest_lying_about_a_hash_is_refused(tmp_path: Path, staging: Path) -> None:
    declared = {OPS_NAME: EntryInfo(len(OPS), sha(b"other"))}
    path = craft(tmp_path / "b.zip", [(OPS_NAME, OPS)], declared=declared)
    assert_refused(path, staging, "не совпадает с описью")


def test_evidence_named_by_another_hash_is_refused(tmp_path: Path, staging: Path) -> None:
    name = evidence_name(sha(b"what the name promises"))
    path = craft(tmp_path / "b.zip", [(OPS_NAME, OPS), (name, b"something else")])
    assert_refused(path, staging, "не совпадает с описью")


def test_missing_entry_is_refused(tmp_path: Path, staging: Path) -> None:
    gone = evidence_name(sha(b"gone"))
    declared = {OPS_NAME: EntryInfo(len(OPS), sha(OPS)), gone: EntryInfo(4, sha(b"gone"))}
    path = craft(tmp_path / "b.zip", [(OPS_NAME, OPS)], declared=declared)
    assert_refused(path, staging, f"нет записи «{gone}»")


def test_extra_entry_is_refused(tmp_path: Path, staging: Path) -> None:
    declared = {OPS_NAME: EntryInfo(len(OPS), sha(OPS))}
    path = craft(tmp_path / "b.zip", good_payload(), declared=declared)
    assert_refused(path, staging, "не указана в описи")


def test_missing_signature_or_manifest_is_refused(tmp_path: Path, staging: Path) -> None:
    unsigned = craft(tmp_path / "unsigned.zip", good_payload(), with_signature=False)
    assert_refused(unsigned, staging, "нет записи manifest.json.sig")
    write_zip(tmp_path / "bare.zip", [(OPS_NAME, OPS)])
    assert_refused(tmp_path / "bare.zip", staging, "нет записи manifest.json")


def test_signature_by_an_untrusted_key_is_refused(tmp_path: Path, staging: Path) -> None:
    path = craft(tmp_path / "b.zip", good_payload(), key=keys.generate_device_key())
    with pytest.raises(BundleError, match="неизвестен") as caught:
        read_ok(path, staging)
    assert isinstance(caught.value.__cause__, TrustError)
    assert list(staging.iterdir()) == []


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (
            b'{"bundle_id": "b1", "entries": {}, "format": "curator-bundle", "format_version": 1}',
            "нет записи ops|каноническ",
        ),
        (
            canonical_json(
                {
                    "bundle_id": "b1",
                    "entries": {OPS_NAME: {"sha256": sha(OPS), "size": len(OPS)}},
                    "format": "curator-bundle",
                    "format_version": 2,
                }
            ),
            "другой версией",
        ),
        (b'{"bundle_id":"b1","bundle_id":"b2"}', "не читается"),
        (b"[1,2,3]", "не является объектом"),
        (
            b'{"format":"curator-bundle","format_version":1,"bundle_id":"b1",'
            b'"entries":{"ops.jsonl":{"sha256":"' + sha(OPS).encode() + b'","size":1}},'
            b'"x":NaN}',
            "не читается",
        ),
        ("\ufeff{}".encode(), "не читается"),
    ],
)
def test_malformed_signed_manifests_are_refused(
    tmp_path: Path, staging: Path, manifest: bytes, reason: str
) -> None:
    path = craft(tmp_path / "b.zip", [(OPS_NAME, OPS)], manifest=manifest)
    assert_refused(path, staging, reason)


def test_non_canonical_manifest_is_refused(tmp_path: Path, staging: Path) -> None:
    manifest = build_manifest(bundle_id="b1", entries={OPS_NAME: EntryInfo(len(OPS), sha(OPS))})
    spaced = canonical_json(manifest).replace(b",", b", ")
    path = craft(tmp_path / "b.zip", [(OPS_NAME, OPS)], manifest=spaced)
    assert_refused(path, staging, "каноническом")


def test_flipped_byte_in_manifest_breaks_the_signature(tmp_path: Path, staging: Path) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    offset = data_offset_of_zip64(path, "manifest.json") + 10
    patch(path, {offset: bytes([path.read_bytes()[offset] ^ 0x20])})
    assert_refused(path, staging, "контрольная сумма записи «manifest.json» не сходится")
    path.write_bytes(fix_crc(path.read_bytes(), "manifest.json"))
    assert_refused(path, staging, "Подпись не совпадает")


@pytest.mark.parametrize("name", [OPS_NAME, evidence_name(sha(EVIDENCE[1]))])
def test_flipped_byte_inside_an_entry_is_refused(tmp_path: Path, staging: Path, name: str) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    offset = data_offset_of_zip64(path, name) + 5
    patch(path, {offset: bytes([path.read_bytes()[offset] ^ 0x01])})
    assert_refused(path, staging, f"Файл повреждён: контрольная сумма записи «{name}» не сходится")
    path.write_bytes(fix_crc(path.read_bytes(), name))
    assert_refused(path, staging, f"Файл повреждён: запись «{name}» не совпадает с описью")


def test_later_failure_removes_evidence_already_staged(tmp_path: Path, staging: Path) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    last_evidence = max(
        (i for i in zipfile.ZipFile(path).infolist() if i.filename.startswith("evidence/")),
        key=lambda info: info.header_offset,
    )
    offset = data_offset_of_zip64(path, last_evidence.filename)
    patch(path, {offset: bytes([path.read_bytes()[offset] ^ 0xFF])})
    path.write_bytes(fix_crc(path.read_bytes(), last_evidence.filename))
    assert_refused(path, staging, "не совпадает с описью")


@pytest.mark.parametrize("keep", [0.5, -1, 100, 21])
def test_truncated_files_are_refused(tmp_path: Path, staging: Path, keep: float) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    data = path.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    path.write_bytes(data[:cut])
    assert_refused(path, staging, "повреждён|не ZIP|обрезан")


def test_junk_prepended_or_appended_is_refused(tmp_path: Path, staging: Path) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    original = path.read_bytes()
    path.write_bytes(b"MZ" + b"\0" * 100 + original)
    with zipfile.ZipFile(path) as archive:  # the stdlib shrugs and reads it
        assert archive.read(OPS_NAME) == OPS
    assert_refused(path, staging, "Файл повреждён")
    path.write_bytes(original + b"trailing")
    assert_refused(path, staging, "после конца архива есть лишние данные")


@pytest.mark.parametrize(
    "content",
    [b"", b"PK", b"just some text, not an archive\n" * 10, b"PK\x05\x06" + b"\0" * 18],
)
def test_non_zip_and_empty_files_are_refused(tmp_path: Path, staging: Path, content: bytes) -> None:
    path = tmp_path / "b.zip"
    path.write_bytes(content)
    assert_refused(path, staging, "пуст|не ZIP")


def test_unreadable_path_is_refused(tmp_path: Path, staging: Path) -> None:
    assert_refused(tmp_path / "absent.zip", staging, "Не удалось открыть")


def test_io_failure_while_staging_is_a_bundle_error(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    with pytest.raises(BundleError, match="распаковать"):
        open_bundle(path, SignatureCheck(), LIMITS, staging_parent=tmp_path / "absent")


def test_disk_full_while_staging_leaves_nothing(
    tmp_path: Path, staging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_bundle(tmp_path / "b.zip", tmp_path / "src")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    assert_refused(path, staging, "на диске нет места")


def data_offset_of_zip64(path: Path, name: str) -> int:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = path.read_bytes()
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len


# --- random damage: refused, or (for bytes nobody reads) identical content ---------------------


@dataclass(frozen=True)
class FlipTarget:
    data: bytes
    manifest: bytes
    evidence: dict[str, bytes]


@pytest.fixture(scope="module")
def flip_target(tmp_path_factory: pytest.TempPathFactory) -> FlipTarget:
    root = tmp_path_factory.mktemp("flip")
    path = write_bundle(root / "b.zip", root / "src")
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("manifest.json")
    return FlipTarget(data, manifest, {sha(d): d for d in EVIDENCE})


@pytest.fixture(scope="module")
def flip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flips")


def check_flip(target: FlipTarget, workdir: Path, offset: int, xor: int) -> bool:
    """Flip one byte; returns True if the bundle was accepted (which it never may be)."""
    damaged = bytearray(target.data)
    damaged[offset] ^= xor
    path = workdir / "damaged.zip"
    path.write_bytes(bytes(damaged))
    staging = workdir / "staging"
    staging.mkdir(exist_ok=True)
    try:
        bundle = open_bundle(path, SignatureCheck(), LIMITS, staging_parent=staging)
    except BundleError:
        assert list(staging.iterdir()) == []
        return False
    with bundle:
        assert bundle.manifest_bytes == target.manifest
        assert bundle.ops == OPS
        assert {d: p.read_bytes() for d, p in bundle.evidence.items()} == target.evidence
    assert list(staging.iterdir()) == []
    return True


def test_every_single_bit_flip_is_refused_or_harmless(
    flip_target: FlipTarget, flip_dir: Path
) -> None:
    """The container is canonical and every entry has its CRC: no byte goes unread."""
    accepted = {o for o in range(len(flip_target.data)) if check_flip(flip_target, flip_dir, o, 1)}
    assert accepted == set()


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), xor=st.integers(min_value=1, max_value=255))
def test_random_byte_damage_is_refused_or_harmless(
    flip_target: FlipTarget, flip_dir: Path, position: int, xor: int
) -> None:
    check_flip(flip_target, flip_dir, position % len(flip_target.data), xor)


# --- age -----------------------------------------------------------------------------------


@pytest.fixture
def age_identity(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "coordinator.age"
    keys.save_age_identity(keys.generate_age_identity(), path)
    yield path


def test_our_encryption_opens_with_stock_age(tmp_path: Path, age_identity: Path) -> None:
    bundle = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    recipient = keys.age_recipient(keys.load_age_identity(age_identity))
    encrypted = container.encrypt_file(bundle, tmp_path / "b.zip.age", [recipient])
    assert container.is_age_file(encrypted) and not container.is_age_file(bundle)
    result = run("age", "-d", "-i", str(age_identity), str(encrypted))
    assert result.returncode == 0, result.stderr
    assert result.stdout == bundle.read_bytes()


def test_encryption_to_an_ssh_key_opens_with_age_and_that_key(tmp_path: Path) -> None:
    device = tmp_path / "device"
    key = keys.generate_device_key()
    keys.save_private_key(key, device)
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(70_000))
    encrypted = container.encrypt_file(
        plain, tmp_path / "p.age", [keys.public_key_line(key.public_key())]
    )
    result = run("age", "-d", "-i", str(device), str(encrypted))
    assert result.returncode == 0, result.stderr
    assert result.stdout == plain.read_bytes()


@pytest.mark.parametrize("armor", [False, True])
@pytest.mark.parametrize("size", [0, 1, 65536, 65537, 300_000])
def test_stock_age_output_decrypts_with_us(
    tmp_path: Path, age_identity: Path, size: int, armor: bool
) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    recipient = keys.age_recipient(keys.load_age_identity(age_identity))
    encrypted = tmp_path / "made-by-age.age"
    args = ["age", "-r", recipient, *(["-a"] if armor else []), "-o", str(encrypted), str(plain)]
    assert run(*args).returncode == 0
    assert container.is_age_file(encrypted)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = container.decrypt_file(encrypted, out_dir, keys.load_age_identity(age_identity))
    assert result.read_bytes() == plain.read_bytes()
    assert list(out_dir.iterdir()) == [result]


def test_encrypted_bundle_roundtrip(tmp_path: Path, staging: Path, age_identity: Path) -> None:
    identity = keys.load_age_identity(age_identity)
    bundle = write_bundle(tmp_path / "b.zip", tmp_path / "src")
    encrypted = container.encrypt_file(bundle, tmp_path / "b.age", [keys.age_recipient(identity)])
    plain = container.decrypt_file(encrypted, tmp_path, identity)
    with read_ok(plain, staging) as verified:
        assert verified.ops == OPS


@pytest.mark.parametrize("damage", ["flip", "truncate", "header"])
def test_damaged_ciphertext_is_refused_and_leaves_no_plaintext(
    tmp_path: Path, age_identity: Path, damage: str
) -> None:
    identity = keys.load_age_identity(age_identity)
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(300_000))
    encrypted = container.encrypt_file(plain, tmp_path / "p.age", [keys.age_recipient(identity)])
    data = bytearray(encrypted.read_bytes())
    if damage == "flip":
        data[-1000] ^= 0x01  # pyrage writes ~200 KB of plaintext before noticing
    elif damage == "truncate":
        del data[-5000:]
    else:
        data[30] ^= 0x01
    encrypted.write_bytes(bytes(data))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(BundleError, match=r"повреждён|ключ не подходит"):
        container.decrypt_file(encrypted, out_dir, identity)
    assert list(out_dir.iterdir()) == []


def test_wrong_identity_is_refused(tmp_path: Path, age_identity: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(b"secret")
    recipient = keys.age_recipient(keys.load_age_identity(age_identity))
    encrypted = container.encrypt_file(plain, tmp_path / "p.age", [recipient])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(BundleError, match="другого получателя"):
        container.decrypt_file(encrypted, out_dir, keys.generate_age_identity())
    assert list(out_dir.iterdir()) == []


def test_bad_recipients_are_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(b"x")
    for recipients in ([], ["age1notakey"], ["ssh-rsa AAAA"], ["hello"]):
        with pytest.raises(BundleError):
            container.encrypt_file(plain, tmp_path / "p.age", recipients)
    assert [p.name for p in tmp_path.iterdir()] == ["plain"]


@pytest.mark.parametrize("size", [0, 1, 65536, 65537, 200_000])
def test_encryption_size_arithmetic_matches_stock_age(
    tmp_path: Path, age_identity: Path, size: int
) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    recipient = keys.age_recipient(keys.load_age_identity(age_identity))
    encrypted = container.encrypt_file(plain, tmp_path / "p.age", [recipient])
    result = run("age", "-d", "-i", str(age_identity), str(encrypted))
    assert result.returncode == 0, result.stderr
    assert result.stdout == plain.read_bytes()


def test_silently_short_output_is_caught(
    tmp_path: Path, age_identity: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyrage's file API drops the final flush error (disk full): we check sizes ourselves."""
    identity = keys.load_age_identity(age_identity)
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(100_000))
    good = container.encrypt_file(plain, tmp_path / "good.age", [keys.age_recipient(identity)])
    real_encrypt, real_decrypt = pyrage.encrypt_file, pyrage.decrypt_file

    def short_write(real: Callable[..., None]) -> Callable[..., None]:
        def wrapper(src: str, dst: str, keys_: list[Any]) -> None:
            real(src, dst, keys_)
            with open(dst, "r+b") as handle:
                handle.truncate(os.path.getsize(dst) - 10)

        return wrapper

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.setattr(pyrage, "encrypt_file", short_write(real_encrypt))
    with pytest.raises(BundleError, match="целиком"):
        container.encrypt_file(plain, out_dir / "p.age", [keys.age_recipient(identity)])
    monkeypatch.setattr(pyrage, "decrypt_file", short_write(real_decrypt))
    with pytest.raises(BundleError, match="целиком"):
        container.decrypt_file(good, out_dir, identity)
    assert list(out_dir.iterdir()) == []
