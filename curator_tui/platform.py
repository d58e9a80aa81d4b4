"""What differs between operating systems, behind an API that does not: where removable media
(a USB stick) show up, which program opens a file «with the usual program», whether a
process still runs, a lock taken without waiting, file permissions, and a path as a user
types or pastes it.

Every layer may use this module and it imports nothing of ours (import-linter checks it).
It is the one place that asks which system it runs on (`WINDOWS`, `MACOS`); no other module
may branch on `sys.platform` or `os.name` or call a POSIX-only function
(tests/portable/ checks both, and runs the suite with those functions removed).
- Linux: udisks mounts media under /media/<user>/<label> or /run/media/<user>/<label>, hand
  mounts under /mnt/<x>; files open with `xdg-open`.
- Windows: media are the drive letters of removable volumes (GetLogicalDrives and
  GetDriveTypeW through ctypes); files open with `os.startfile`; POSIX mode bits mean nothing
  there (the user profile's ACLs protect its files), so they are not set.
- macOS: files open with `open`; media roots as on Linux (/Volumes is for a later change).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

WINDOWS = sys.platform == "win32"
MACOS = sys.platform == "darwin"

# Where this system mounts removable media under folders (none on Windows: drive letters).
MEDIA_ROOTS: tuple[Path, ...] = (
    () if WINDOWS else (Path("/media"), Path("/run/media"), Path("/mnt"))
)

# GetDriveTypeW's answer for a USB stick or a card reader (winbase.h).
DRIVE_REMOVABLE = 2
# A: and B: are floppy drives by tradition; probing an empty one can hang for seconds.
FLOPPY_LETTERS = frozenset("AB")
# OpenProcess and GetExitCodeProcess (winnt.h, minwinbase.h, winerror.h).
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
STILL_ACTIVE = 259
ERROR_ACCESS_DENIED = 5


# --- removable media ------------------------------------------------------------------------


def removable_media(
    roots: Sequence[Path] = MEDIA_ROOTS, is_mount: Callable[[Path], bool] | None = None
) -> Iterator[Path]:
    """Every mounted, writable medium: on Windows the removable drives first; then, under
    `roots`, mounts at the first level below a root (/mnt/<x>) or the second
    (/media/<user>/<label>), in name order."""
    if WINDOWS:
        yield from (drive for drive in removable_drives() if os.access(drive, os.W_OK))
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
    """The first mounted, writable medium, if any."""
    return next(removable_media(roots, is_mount), None)


def start_directory(media_roots: Sequence[Path] = MEDIA_ROOTS) -> Path:
    """Where removable media are (a removable drive on Windows, else the first media folder
    with something in it), else the home folder: a director usually brings the scans on a
    USB stick."""
    if WINDOWS:
        for drive in removable_drives():
            if drive.is_dir():  # an empty card reader slot has a letter but no folder
                return drive
    for root in media_roots:
        try:
            if root.is_dir() and any(root.iterdir()):
                return root
        except OSError:
            continue
    return Path.home()


def removable_drives(kernel32: Any = None) -> list[Path]:
    """The roots (``E:\\``) of Windows' removable volumes, in letter order (a card reader's
    empty slot too: `os.access` and `is_dir` are False there).

    `kernel32` is Windows' kernel32 library as ctypes sees it (tests give a stand-in)."""
    kernel32 = kernel32 or _kernel32()
    mask = kernel32.GetLogicalDrives()
    drives = []
    for index in range(26):
        letter = chr(ord("A") + index)
        if not mask & (1 << index) or letter in FLOPPY_LETTERS:
            continue
        root = f"{letter}:\\"
        if kernel32.GetDriveTypeW(root) == DRIVE_REMOVABLE:
            drives.append(Path(root))
    return drives


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


# --- opening a file -------------------------------------------------------------------------


def system_opener() -> str | None:
    """The desktop's «open with the usual program» command, where it is a program."""
    return shutil.which("open" if MACOS else "xdg-open")


def open_with_system_viewer(path: Path) -> bool:
    """Open `path` with the program the desktop associates with it, not waiting for it;
    False when this system has no such program (or Windows knows none for this file)."""
    if WINDOWS:
        try:
            os.startfile(path)  # type: ignore[attr-defined]  # Windows only
        except OSError:
            return False
        return True
    opener = system_opener()
    if opener is None:
        return False
    import subprocess  # here, not at the top: most runs never open a file

    subprocess.Popen(
        [opener, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the viewer outlives the app, and Ctrl+C in it
    )
    return True


# --- processes and locks --------------------------------------------------------------------


def process_alive(pid: int) -> bool:
    """True while a process with this id runs on this machine.

    POSIX: a signal-0 probe. Windows: OpenProcess + GetExitCodeProcess, never os.kill,
    which on Windows terminates the process whatever the signal number."""
    if pid <= 0:
        return False
    if WINDOWS:
        return _windows_process_alive(pid, _kernel32())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OSError:
        return False
    return True


def _windows_process_alive(pid: int, kernel32: Any) -> bool:
    import ctypes

    handle = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:  # gone, or another user's process (then it exists)
        return bool(kernel32.GetLastError() == ERROR_ACCESS_DENIED)
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value == STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _kernel32() -> Any:
    import ctypes

    return ctypes.windll.kernel32  # type: ignore[attr-defined]  # Windows only


@contextlib.contextmanager
def exclusive_lock_nowait(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on `path` (created if missing) if nobody else does: yields
    True while held, False when another process, or another open of it here, holds it.

    filelock takes flock() on POSIX and LockFileEx on Windows; both vanish with the process
    that held them, so a killed run never leaves the replica locked."""
    from filelock import FileLock, Timeout  # here: not on the path to the first paint

    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


# --- permissions and paths ------------------------------------------------------------------


def set_permissions(path: Path, mode: int) -> None:
    """Give `path` these POSIX mode bits; nothing on Windows, where they mean nothing (chmod
    there only sets the read-only flag) and the user profile's ACLs keep files private."""
    if not WINDOWS:
        os.chmod(path, mode)


def user_data_dir() -> Path:
    """This user's own data folder (the personal database, the demo's): ~/.local/share/curator
    on Linux, %LOCALAPPDATA%\\curator on Windows."""
    from platformdirs import user_data_path  # only for the few who ask where it is

    return user_data_path("curator", appauthor=False)


def user_path(text: str) -> Path:
    """A path as a user typed, pasted or dragged it in: surrounding blanks and the quotes a
    file manager or a terminal adds ('"C:\\…"' from Explorer's «Copy as path», "'/media/…'")
    are dropped, and ~ is the home folder. Drive letters and backslashes are Windows' own
    path syntax, which Path reads there."""
    return Path(unquoted_path(text)).expanduser()


# Quotes put around a dragged-in or copied path.
PATH_QUOTES = ('"', "'", "«»", "“”")


def unquoted_path(text: str) -> str:
    stripped = text.strip()
    for quotes in PATH_QUOTES:
        opening, closing = quotes[0], quotes[-1]
        if len(stripped) >= 2 and stripped[0] == opening and stripped[-1] == closing:
            return stripped[1:-1].strip()
    return stripped
