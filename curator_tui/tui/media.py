"""Where a USB stick shows up: the folders the file pickers open on.

Both the evidence dialog and the exchange screen look for removable media first, because a
director brings scans, and a curator bundles, on a stick.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path


def start_directory(media_roots: Sequence[Path]) -> Path:
    """Where removable media are mounted (the first such folder with something in it), else
    the home folder: a director usually brings the scans on a USB stick."""
    for root in media_roots:
        try:
            if root.is_dir() and any(root.iterdir()):
                return root
        except OSError:
            continue
    return Path.home()


def find_medium(
    roots: Sequence[Path], is_mount: Callable[[Path], bool] | None = None
) -> Path | None:
    """The first mounted, writable medium under `roots`: /media/<user>/<label> or /mnt/<x>."""
    is_mount = is_mount or os.path.ismount
    for root in roots:
        for candidate in _children(root):
            if is_mount(candidate) and os.access(candidate, os.W_OK):
                return candidate
            for inner in _children(candidate):
                if is_mount(inner) and os.access(inner, os.W_OK):
                    return inner
    return None


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []
