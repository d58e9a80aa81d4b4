"""The bundle file: a ZIP of STORED entries whose signed manifest lists every other entry.

Layout (names are fixed; no archive name is ever used as a path)::

    ops.jsonl                 the operations, one JSON object a line
    evidence/<sha256 hex>     one entry per evidence file, named by its content hash
    manifest.json             canonical JSON: format, version, bundle id, entries, and the
                              caller's fields (school, device, sequence range, …)
    manifest.json.sig         SSHSIG signature of manifest.json (``ssh-keygen -Y verify``)

Writing streams each entry once, hashing as it goes, into a temp file that is fsynced and
renamed into place. Reading treats the file as hostile: the ZIP structure is validated
(``_zipscan``), then the signature over the exact manifest bytes, then the manifest against
the archive; only then are entries streamed, their CRC-32 and SHA-256 checked in the same
pass, into a staging directory named by validated hashes. The archive must be canonical (what
this writer writes, field for field: ``entry_zipinfo``), and every size is bounded by
``sync.limits`` before a byte of an entry is read.

The manifest helpers live in ``manifest``, age encryption of the whole file in ``agefile``;
both are re-exported here so callers need one import.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

from curator_tui.domain.os_errors import os_error_text
from curator_tui.durable import fsync_directory, make_temp_path, remove_quietly
from curator_tui.sync._zipscan import (
    CHUNK_SIZE,
    ENTRY_DATE_TIME,
    ENTRY_MODE,
    MADE_BY_UNIX,
    ScanLimits,
    ZipEntry,
    iter_entry_data,
    scan_archive,
)
from curator_tui.sync.agefile import decrypt_file, encrypt_file, is_age_file
from curator_tui.sync.errors import BundleError, SyncError
from curator_tui.sync.limits import (
    MAX_CENTRAL_DIRECTORY,
    MAX_ENTRIES,
    MAX_MANIFEST_DEPTH,
    MAX_MANIFEST_SIZE,
    Limits,
    json_depth_exceeds,
)
from curator_tui.sync.manifest import (
    EVIDENCE_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    OPS_NAME,
    SIGNATURE_NAME,
    EntryInfo,
    build_manifest,
    canonical_json,
    evidence_name,
    is_allowed_name,
    manifest_entries,
    new_bundle_id,
    parse_manifest,
)

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "OPS_NAME",
    "SIGNATURE_NAME",
    "BundleWriter",
    "EntryInfo",
    "VerifiedBundle",
    "build_manifest",
    "canonical_json",
    "decrypt_file",
    "encrypt_file",
    "entry_zipinfo",
    "evidence_name",
    "is_age_file",
    "new_bundle_id",
    "open_bundle",
    "parse_manifest",
]

ProgressCallback = Callable[[int], None]
SignatureCheck = Callable[[bytes, str], None]


# --- writing -------------------------------------------------------------------------------


class BundleWriter:
    """Streams entries into a hidden temp file beside ``destination``; ``finish`` publishes it.

    Usage::

        with BundleWriter(path) as writer:
            writer.add_bytes(OPS_NAME, ops)
            writer.add_file(evidence_name(sha), stored_path, progress.advance)
            manifest = canonical_json(build_manifest(bundle_id=…, entries=writer.entries,
                                                     extra={…}))
            writer.finish(manifest, sshsig.sign(key, manifest, BUNDLE_NAMESPACE))

    Leaving the block without ``finish`` (or with an exception) removes the temp file. A failed
    entry (unreadable source, full disk, evidence whose content no longer matches its hash)
    aborts the writer: later calls raise ``ValueError``. I/O errors surface as ``OSError``.
    """

    def __init__(self, destination: Path) -> None:
        self.destination = Path(destination)
        self._tmp = make_temp_path(self.destination.parent, prefix=f".{self.destination.name}.")
        self._file: BinaryIO = self._tmp.open("wb")
        self._zip = zipfile.ZipFile(
            self._file, "w", compression=zipfile.ZIP_STORED, allowZip64=True
        )
        self._entries: dict[str, EntryInfo] = {}
        self._done = False

    @property
    def entries(self) -> dict[str, EntryInfo]:
        """What has been written so far (manifest and signature excluded)."""
        return dict(self._entries)

    def add_bytes(self, name: str, data: bytes) -> EntryInfo:
        self._check_new_payload_name(name)
        return self._write_entry(name, [data], None)

    def add_file(
        self, name: str, src_path: Path, progress_cb: ProgressCallback | None = None
    ) -> EntryInfo:
        """Copy a file in 1 MiB chunks; ``progress_cb(n)`` gets each chunk's length.

        For ``evidence/<sha256>`` the content must hash to the name (the store's file may have
        been damaged since it was added): otherwise ``BundleError``.
        """
        self._check_new_payload_name(name)
        with Path(src_path).open("rb") as source:
            info = self._write_entry(name, iter(lambda: source.read(CHUNK_SIZE), b""), progress_cb)
        match = EVIDENCE_NAME.fullmatch(name)
        if match and match.group(1) != info.sha256:
            self.abort()  # the entry is in the archive already: this bundle cannot be finished
            raise BundleError(
                f"Файл доказательства {src_path} изменился: его содержимое не совпадает с хешем"
            )
        return info

    def finish(self, manifest_bytes: bytes, signature_text: str) -> Path:
        """Write the manifest and its signature last, fsync, rename into place."""
        self._check_open()
        if OPS_NAME not in self._entries:
            raise ValueError(f"a bundle needs {OPS_NAME}")
        manifest = parse_manifest(manifest_bytes)
        if manifest_entries(manifest) != self._entries:
            raise ValueError("the manifest does not list exactly the entries written")
        self._write_entry(MANIFEST_NAME, [manifest_bytes], None)
        self._write_entry(SIGNATURE_NAME, [signature_text.encode("ascii")], None)
        self._zip.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self.destination)
        self._done = True
        fsync_directory(self.destination.parent)
        return self.destination

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        with contextlib.suppress(Exception):
            self._zip.close()
        with contextlib.suppress(Exception):
            self._file.close()
        remove_quietly(self._tmp)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.abort()

    def _check_open(self) -> None:
        if self._done:
            raise ValueError("the bundle writer is already finished or aborted")

    def _check_new_payload_name(self, name: str) -> None:
        self._check_open()
        if name in (MANIFEST_NAME, SIGNATURE_NAME) or not is_allowed_name(name):
            raise ValueError(f"not a bundle payload entry name: {name!r}")
        if name in self._entries:
            raise ValueError(f"duplicate bundle entry: {name!r}")

    def _write_entry(
        self, name: str, chunks: Iterable[bytes], progress_cb: ProgressCallback | None
    ) -> EntryInfo:
        info = entry_zipinfo(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with self._zip.open(info, "w", force_zip64=True) as target:
                for chunk in chunks:
                    digest.update(chunk)
                    target.write(chunk)
                    size += len(chunk)
                    if progress_cb is not None:
                        progress_cb(len(chunk))
        except BaseException:
            self.abort()  # a half-written entry would poison the archive: give it up
            raise
        entry = EntryInfo(size=size, sha256=digest.hexdigest())
        if name not in (MANIFEST_NAME, SIGNATURE_NAME):
            self._entries[name] = entry
        return entry


def entry_zipinfo(name: str) -> zipfile.ZipInfo:
    """How every entry is written (``_zipscan`` accepts nothing else): STORED, no timestamp,
    a plain file's mode; ``ZipFile.open(info, "w", force_zip64=True)`` writes it."""
    info = zipfile.ZipInfo(name, date_time=ENTRY_DATE_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = MADE_BY_UNIX
    info.external_attr = ENTRY_MODE << 16
    return info


# --- reading -------------------------------------------------------------------------------


@dataclass
class VerifiedBundle:
    """A bundle whose signature, structure and every entry's hash and size were checked.

    ``evidence`` maps sha256 → a staged file inside ``staging_dir`` (move them into the store,
    then call ``cleanup``; or use the bundle as a context manager). A bundle without evidence
    files has no staging folder.
    """

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: str
    ops: bytes
    evidence: dict[str, Path]
    staging_dir: Path | None
    _cleaned: bool = field(default=False, repr=False)

    def cleanup(self) -> None:
        if not self._cleaned:
            if self.staging_dir is not None:
                shutil.rmtree(self.staging_dir, ignore_errors=True)
            self._cleaned = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


def open_bundle(
    path: Path,
    verify_signature: SignatureCheck,
    limits: Limits,
    *,
    staging_parent: Path | None = None,
    progress_cb: ProgressCallback | None = None,
) -> VerifiedBundle:
    """Validate and unpack a bundle; raises ``BundleError`` and leaves nothing behind on failure.

    ``verify_signature(manifest_bytes, signature_text)`` must raise if the signature is bad or
    its signer is not trusted (typically ``sshsig.verify`` + ``trust.check_signer``).
    ``limits`` bound the entries' sizes (``sync.limits``), read from the archive's directory
    before any entry is. Staged evidence goes to a
    new directory inside ``staging_parent`` (default: the system temp dir; pass a directory on
    the evidence store's file system so files can be renamed into the store).
    ``progress_cb(n)`` gets the length of each chunk of payload read and checked.
    """
    try:
        return _verify_and_unpack(Path(path), verify_signature, limits, staging_parent, progress_cb)
    except OSError as exc:  # an unreadable USB stick, a full disk while staging
        reason = os_error_text(exc)
        raise BundleError(f"Не удалось прочитать или распаковать пакет: {reason}") from exc


def _verify_and_unpack(
    path: Path,
    verify_signature: SignatureCheck,
    limits: Limits,
    staging_parent: Path | None,
    progress_cb: ProgressCallback | None = None,
) -> VerifiedBundle:
    with _open_for_reading(path) as handle:
        file_size = os.fstat(handle.fileno()).st_size
        entries = scan_archive(handle, file_size, _scan_limits(limits), _validate_name)
        by_name = {entry.name: entry for entry in entries}
        manifest_bytes, signature = _read_signed_manifest(handle, by_name)
        _run_signature_check(verify_signature, manifest_bytes, signature)
        manifest = parse_manifest(manifest_bytes)
        declared = manifest_entries(manifest)
        _check_manifest_matches_archive(declared, by_name)
        staging = _staging_dir(declared, staging_parent)
        try:
            ops, evidence = _extract_payload(handle, entries, declared, staging, progress_cb)
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
    return VerifiedBundle(manifest, manifest_bytes, signature, ops, evidence, staging)


def _staging_dir(declared: Mapping[str, EntryInfo], parent: Path | None) -> Path | None:
    """A new folder for the bundle's evidence files; None when it carries only operations
    (most of what a hub imports), which spares making and removing a folder per bundle."""
    if all(name == OPS_NAME for name in declared):
        return None
    return Path(tempfile.mkdtemp(prefix="curator-bundle-", dir=parent))


@contextlib.contextmanager
def _open_for_reading(path: Path) -> Iterator[BinaryIO]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BundleError(f"Не удалось открыть файл пакета {path}: {os_error_text(exc)}") from exc
    with handle:
        yield handle


def _scan_limits(limits: Limits) -> ScanLimits:
    def entry_limit(name: str) -> int:
        if name in (MANIFEST_NAME, SIGNATURE_NAME):
            return MAX_MANIFEST_SIZE
        return limits.max_ops_size if name == OPS_NAME else limits.max_evidence_size

    return ScanLimits(
        max_entries=MAX_ENTRIES,
        max_central_directory=MAX_CENTRAL_DIRECTORY,
        max_total=limits.max_bundle_total,
        entry_limit=entry_limit,
    )


def _validate_name(name: str) -> None:
    if not is_allowed_name(name):
        shown = name[:80].encode("unicode_escape").decode("ascii")
        raise BundleError(f"Недопустимое имя записи в пакете: «{shown}»")


def _read_signed_manifest(handle: BinaryIO, by_name: Mapping[str, ZipEntry]) -> tuple[bytes, str]:
    for required in (MANIFEST_NAME, SIGNATURE_NAME):
        if required not in by_name:
            raise BundleError(f"В пакете нет записи {required}: пакет неполон или не подписан")
    if list(by_name)[-2:] != [MANIFEST_NAME, SIGNATURE_NAME]:
        raise BundleError("Файл повреждён: опись и подпись должны быть последними записями")
    manifest_bytes = _read_small_entry(handle, by_name[MANIFEST_NAME])
    # Before anything parses it (the signature check reads the bundle id): a JSON decoder
    # recurses once per level.
    if json_depth_exceeds(manifest_bytes.decode("utf-8", "replace"), MAX_MANIFEST_DEPTH):
        raise BundleError("Опись пакета не принята: слишком глубокая вложенность")
    signature_bytes = _read_small_entry(handle, by_name[SIGNATURE_NAME])
    try:
        signature = signature_bytes.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BundleError("Подпись пакета повреждена") from exc
    return manifest_bytes, signature


def _read_small_entry(handle: BinaryIO, entry: ZipEntry) -> bytes:
    return b"".join(iter_entry_data(handle, entry))


def _run_signature_check(check: SignatureCheck, manifest_bytes: bytes, signature: str) -> None:
    try:
        check(manifest_bytes, signature)
    except BundleError:
        raise
    except SyncError as exc:
        raise BundleError(str(exc)) from exc
    except Exception as exc:
        raise BundleError("Подпись пакета не принята") from exc


def _check_manifest_matches_archive(
    declared: Mapping[str, EntryInfo], by_name: Mapping[str, ZipEntry]
) -> None:
    present = set(by_name) - {MANIFEST_NAME, SIGNATURE_NAME}
    for name in sorted(set(declared) - present):
        raise BundleError(f"Файл повреждён: в пакете нет записи «{name}», указанной в описи")
    for name in sorted(present - set(declared)):
        raise BundleError(f"Файл повреждён: запись «{name}» не указана в описи")
    for name, info in declared.items():
        match = EVIDENCE_NAME.fullmatch(name)
        if by_name[name].size != info.size or (match and match.group(1) != info.sha256):
            raise _entry_mismatch(name)


def _extract_payload(
    handle: BinaryIO,
    entries: Sequence[ZipEntry],
    declared: Mapping[str, EntryInfo],
    staging: Path | None,
    progress_cb: ProgressCallback | None = None,
) -> tuple[bytes, dict[str, Path]]:
    ops = b""
    evidence: dict[str, Path] = {}
    for entry in entries:  # file order: one forward pass over the file
        if entry.name in (MANIFEST_NAME, SIGNATURE_NAME):
            continue
        expected = declared[entry.name]
        if entry.name == OPS_NAME:
            ops = _read_verified_bytes(handle, entry, expected)
        else:
            assert staging is not None  # made for any entry besides the ops
            target = staging / expected.sha256  # validated hex, never the archive name
            _stage_verified_file(handle, entry, expected, target, progress_cb)
            evidence[expected.sha256] = target
    return ops, evidence


def _read_verified_bytes(handle: BinaryIO, entry: ZipEntry, expected: EntryInfo) -> bytes:
    buffer = bytearray()
    digest = hashlib.sha256()
    for chunk in iter_entry_data(handle, entry):
        digest.update(chunk)
        buffer += chunk
    _check_digest(entry.name, len(buffer), digest.hexdigest(), expected)
    return bytes(buffer)


def _stage_verified_file(
    handle: BinaryIO,
    entry: ZipEntry,
    expected: EntryInfo,
    target: Path,
    progress_cb: ProgressCallback | None = None,
) -> None:
    digest = hashlib.sha256()
    size = 0
    with target.open("xb") as out:
        for chunk in iter_entry_data(handle, entry):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
            if progress_cb is not None:
                progress_cb(len(chunk))
        _check_digest(entry.name, size, digest.hexdigest(), expected)
        out.flush()
        os.fsync(out.fileno())


def _check_digest(name: str, size: int, sha256: str, expected: EntryInfo) -> None:
    if size != expected.size or sha256 != expected.sha256:
        raise _entry_mismatch(name)


def _entry_mismatch(name: str) -> BundleError:
    return BundleError(f"Файл повреждён: запись «{name}» не совпадает с описью")
