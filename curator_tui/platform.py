"""What differs between operating systems, behind an API that does not: where removable media
(a USB stick) show up, and which program opens a file «with the usual program».

Every layer may use this module and it imports nothing of ours (import-linter checks it).
Today it knows Linux (udisks mounts under /media/<user>/<label> or /run/media/<user>/<label>,
hand mounts under /mnt/<x>), with macOS's `open` as a fallback opener; Windows drive letters
are for a later change, here and only here.
"""

from __future__ import annotations

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
