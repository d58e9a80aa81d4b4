"""What differs between operating systems, behind an API that does not: where removable media
(a USB stick) show up, which program opens a file «with the usual program», whether a
process still runs, and a lock taken without waiting.

Every layer may use this module and it imports nothing of ours (import-linter checks it).
Today it knows Linux (udisks mounts under /media/<user>/<label> or /run/media/<user>/<label>,
hand mounts under /mnt/<x>), with macOS's `open` as a fallback opener; Windows drive letters
are for a later change, here and only here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

# Where this system mounts removable media.
MEDIA_ROOTS = (Path("/media"), Path("/run/media"), Path("/mnt"))


def removable_media(
    roots: Sequence[Path] = MEDIA_ROOTS, is_mount: Callable[[Path], bool] | None = None
) -> Iterator[Path]:
    """Every mounted, writable medium under `roots`, at the first level below a root
    (/mnt/<x>) or the second (/media/<user>/<label>), in name order."""
    is_mount = is_mount or os.path.ismount
    for root in roots:
        for candidate in _children(root):
            if is_mount(candidate) and os.access(candidate, os.W_OK):
                yield candidate
                continue
            for inner in _children(candidate):
                if is_mount(inner) and os.access(inner, os.W_OK):
                    yield inner


def find_medium(
    roots: Sequence[Path] = MEDIA_ROOTS, is_mount: Callable[[Path], bool] | None = None
) -> Path | None:
    """The first mounted, writable medium under `roots`, if any."""
    return next(removable_media(roots, is_mount), None)


def start_directory(media_roots: Sequence[Path] = MEDIA_ROOTS) -> Path:
    """Where removable media are mounted (the first such folder with something in it), else
    the home folder: a director usually brings the scans on a USB stick."""
    for root in media_roots:
        try:
            if root.is_dir() and any(root.iterdir()):
                return root
        except OSError:
            continue
    return Path.home()


def system_opener() -> str | None:
    """The desktop's «open with the usual program» command, if this system has one."""
    return shutil.which("xdg-open") or shutil.which("open")


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def process_alive(pid: int) -> bool:
    """True while a process with this id runs on this machine (a signal-0 probe on POSIX)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OSError:
        return False
    return True


@contextlib.contextmanager
def exclusive_lock_nowait(path: Path) -> Iterator[bool]:
    """Hold an advisory lock on `path` (created if missing) if nobody else does: yields
    True while held, False when another open file holds it (the lock `sync_session` takes).
    Where this system has no `flock`, yields False: the caller then leaves things alone."""
    try:
        import fcntl
    except ImportError:
        yield False
        return
    with path.open("a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
