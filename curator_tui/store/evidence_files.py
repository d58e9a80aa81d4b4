"""The content-addressed evidence store beside a database: files named by their SHA-256.

A file's name is its hash, so a damaged one shows itself when hashed again (`is_intact`,
`stored_files`; `store.evidence_check` compares them with what the database refers to), and
a good copy arriving in a bundle replaces a damaged one (`adopt_verified`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from curator_tui.domain.errors import UserFacingError
from curator_tui.domain.os_errors import os_error_text
from curator_tui.durable import fsync_directory
from curator_tui.store.debris import incoming_prefix

CHUNK = 1024 * 1024
HEX = set("0123456789abcdef")

Progress = Callable[[int, int], None]


class EvidenceFileError(UserFacingError):
    """A file could not be copied into the store; the message is for the user (Russian)."""


def is_sha256(text: str) -> bool:
    return len(text) == 64 and set(text) <= HEX


class EvidenceFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return is_sha256(sha256) and self.path_for(sha256).is_file()

    def ingest(self, source: Path, progress: Progress | None = None) -> tuple[str, int]:
        """Copy `source` in, hashing while copying; returns (sha256, size).

        The copy lands under a temporary name, is flushed to disk and only then renamed to
        its hash, so an interrupted copy never leaves a file under a real name.
        """
        check_readable_file(source)
        total = source.stat().st_size
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=incoming_prefix(), dir=self.root)
        tmp = Path(tmp_name)
        try:
            digest, size = copy_hashing(source, fd, total, progress)
            return self.commit(tmp, digest, size)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise EvidenceFileError(describe_os_error(source, exc)) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def adopt_verified(self, staged: Path, sha256: str) -> bool:
        """Move a staged file, already hashed and fsynced by the bundle reader, into place.

        `staged` must be on the store's file system (the import stages beside the database),
        so this is a rename, not a second copy. Returns False when an intact copy was
        already here (the staged copy is left for the caller's cleanup), and also when the
        staged copy replaced a damaged one: that blob is not new (records refer to it), so
        undoing a failed import must not remove it. The replacement is one rename, so a
        reader sees the damaged file or the good one, never a mix.
        """
        if self.has(sha256):
            final = self.path_for(sha256)
            if self.is_intact(sha256):
                return False
            os.replace(staged, final)
            fsync_directory(final.parent)
            return False
        final = self.path_for(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        fsync_directory(final.parent)
        return True

    def commit(self, tmp: Path, digest: str, size: int) -> tuple[str, int]:
        final = self.path_for(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        fsync_directory(final.parent)
        return digest, size

    def is_intact(self, sha256: str) -> bool:
        """True when the stored file exists and still hashes to its name."""
        try:
            return hash_file(self.path_for(sha256)) == sha256
        except OSError:
            return False

    def stored_files(self) -> list[Path]:
        """Every file in the store's hash folders, temp files (hidden) left out."""
        return [
            path
            for folder in _subfolders(self.root)
            for path in _files_in(folder)
            if not path.name.startswith(".")
        ]

    def is_blob_path(self, path: Path) -> bool:
        """True when `path` is where the blob its name claims to be belongs."""
        return is_sha256(path.name) and path == self.path_for(path.name)

    def discard(self, sha256: str) -> None:
        """Remove a blob no record refers to (used to undo a failed attach)."""
        if self.has(sha256):
            self.path_for(sha256).unlink()


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _subfolders(root: Path) -> list[Path]:
    try:
        return sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return []


def _files_in(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []


def check_readable_file(source: Path) -> None:
    if not source.exists():
        raise EvidenceFileError(f"Файл не найден: {source}")
    if source.is_dir():
        raise EvidenceFileError(f"Это папка, а не файл: {source}")
    if not os.access(source, os.R_OK):
        raise EvidenceFileError(f"Нет прав на чтение файла: {source}")


def copy_hashing(source: Path, fd: int, total: int, progress: Progress | None) -> tuple[str, int]:
    digest = hashlib.sha256()
    done = 0
    with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest(), done


def describe_os_error(source: Path, exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return f"На диске не осталось места: файл {source.name} не сохранён"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Нет прав на чтение или запись: {source}"
    if exc.errno == errno.ENOENT:
        return f"Файл исчез во время копирования: {source}"
    return f"Не удалось скопировать файл {source}: {os_error_text(exc)}"
