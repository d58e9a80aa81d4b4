"""Durable file writes: temp file in the same directory + fsync + atomic rename.

Below every layer that writes files (store's evidence, sync's bundles and keys, reports), so
the one careful way of doing it is written once. Imports nothing of ours but the platform
module (file permissions differ between systems).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from curator_tui.platform import set_permissions


def fsync_directory(directory: Path) -> None:
    """Make a rename inside ``directory`` durable (best effort where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def make_temp_path(directory: Path, prefix: str, suffix: str = ".part") -> Path:
    """Create an empty private (0600) file in ``directory`` and return its path."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
    os.close(fd)
    return Path(name)


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def atomic_write_bytes(path: Path, data: bytes, *, mode: int, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    With ``overwrite=False`` an existing file is never replaced (``FileExistsError``).
    """
    path = Path(path)
    directory = path.parent
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(name)
    try:
        set_permissions(tmp, mode)  # before the data goes in: mkstemp made it private
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            publish_without_clobbering(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_directory(directory)


def publish_without_clobbering(tmp: Path, path: Path) -> None:
    """Rename `tmp` to `path` unless a file appeared there meanwhile (`FileExistsError`).

    A hard link fails when the name is taken, never replacing it; FAT-formatted USB sticks
    and some network shares cannot link, and there an existence check has to do.
    """
    try:
        os.link(tmp, path)  # atomic, and fails with FileExistsError instead of replacing
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT/exFAT sticks): check, then rename
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)
    else:
        tmp.unlink()


# A temporary file nobody has written to for this long belongs to a run that is gone.
ABANDONED_AFTER_SECONDS = 3600.0


def is_abandoned(path: Path, idle_seconds: float = ABANDONED_AFTER_SECONDS) -> bool:
    """True when `path` was last written more than `idle_seconds` ago (False if it is gone)."""
    try:
        modified = path.stat().st_mtime
    except OSError:
        return False
    return time.time() - modified > idle_seconds
