"""Temporary files a killed run left beside a database, found and removed.

Every temporary file the app writes beside a database sits in one of two known places:
- `evidence/.incoming-<pid>-…`: a file being copied in by `attach` (hundreds of MB for a
  video); the process id in the name tells a live copy from one whose process is gone;
- `.staging/`: one bundle run's scratch folder (decrypted plaintext of an encrypted bundle,
  staged evidence, the plain bundle before encryption), held under the replica's sync lock
  (`sync.replica.sync_session`; the two names below are the ones it uses), so when nobody
  holds that lock nothing in it is in use.
`Store.open` calls `remove_debris` (two directory listings when nothing was left) and
`curator doctor` reports what it removed. Temp files beside an exported bundle, on a USB
stick, are the exporter's to remove (`sync.exporting.remove_stale_parts`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from curator_tui.durable import is_abandoned
from curator_tui.platform import exclusive_lock_nowait, process_alive

INCOMING_PREFIX = ".incoming-"
STAGING_NAME = ".staging"
SYNC_LOCK_NAME = ".sync.lock"


@dataclass(frozen=True)
class Removed:
    """One leftover removed: its path relative to the replica's files folder, its bytes."""

    name: str
    size: int


def incoming_prefix() -> str:
    """The prefix of this process's `attach` temp files: `.incoming-<pid>-`."""
    return f"{INCOMING_PREFIX}{os.getpid()}-"


def remove_debris(files_dir: Path) -> list[Removed]:
    """Remove what killed runs left in `files_dir`; returns what was removed. Never fails:
    a replica on read-only media opens as before, its leftovers simply stay."""
    removed = remove_stale_incoming(files_dir, files_dir / "evidence")
    with contextlib.suppress(OSError):
        removed += remove_stale_staging(files_dir)
    return removed


def remove_stale_incoming(files_dir: Path, evidence_root: Path) -> list[Removed]:
    removed = []
    for path in _listing(evidence_root):
        if path.name.startswith(INCOMING_PREFIX) and incoming_is_stale(path):
            size = _size_of(path)
            try:
                path.unlink(missing_ok=True)
            except OSError:
                continue
            removed.append(Removed(str(path.relative_to(files_dir)), size))
    return removed


def incoming_is_stale(path: Path) -> bool:
    return owner_is_gone(path.name[len(INCOMING_PREFIX) :].partition("-")[0], path)


def owner_is_gone(pid_text: str, path: Path) -> bool:
    """Whether the process that wrote temp file `path` (its id written in the name) is gone;
    a name without a process id (older versions wrote those), or a file nobody has written
    to for an hour, counts as gone too."""
    if not pid_text.isdigit():
        return is_abandoned(path)
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    return not process_alive(pid) or is_abandoned(path)


def remove_stale_staging(files_dir: Path) -> list[Removed]:
    staging = files_dir / STAGING_NAME
    if not staging.is_dir():
        return []
    with exclusive_lock_nowait(files_dir / SYNC_LOCK_NAME) as free:
        if not free:
            return []  # a bundle run is using it right now
        leftovers = [
            Removed(str(path.relative_to(files_dir)), _size_of(path))
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        ]
        shutil.rmtree(staging, ignore_errors=True)
    return leftovers


def _listing(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
