"""The fake-Windows switch (CURATOR_FAKE_WINDOWS=1): our code runs as if on Windows.

Loaded as a pytest plugin before any `curator_tui` module is imported
(`CURATOR_FAKE_WINDOWS=1 pytest -p tests.portable.fake_windows …`, as `make test` does;
tests/conftest.py refuses the variable without the plugin). From then on an
import made *by a curator_tui module* (and only by one: pytest, textual, filelock and the
standard library keep the real modules) sees
- no POSIX-only module (`fcntl`, `pwd`, `termios`, `resource`, …): ModuleNotFoundError;
- `os`, `signal` and `sys` as Windows has them: `os.name == "nt"`, `sys.platform ==
  "win32"`, and no `os.fchmod`, `os.fork`, `os.getuid`, `signal.SIGKILL`, …
  (AttributeError, or ImportError for `from os import fchmod`);
- Windows' own calls as stand-ins: `os.startfile` (records what it was asked to open) and
  `ctypes.windll.kernel32` (no removable drives; processes answered by the real system).
So a POSIX-only call anywhere in our code fails the run, and the Windows branches of
curator_tui/platform.py run. docs/portability.md says what this cannot prove.
"""

from __future__ import annotations

import builtins
import ctypes
import fnmatch
import os
import signal
import sys
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

ENV_VAR = "CURATOR_FAKE_WINDOWS"
OUR_PACKAGE = "curator_tui"

POSIX_ONLY_MODULES = frozenset(
    {"fcntl", "pwd", "grp", "termios", "tty", "pty", "resource", "posix", "syslog", "crypt"}
    | {"spwd", "nis", "readline", "curses", "_posixsubprocess", "multiprocessing.popen_fork"}
)

# Names of `os` that Windows' CPython 3.11 does not have (os.fchmod came to Windows in 3.13;
# we support 3.11, so it counts as POSIX-only).
POSIX_ONLY_OS = frozenset(
    {"fork", "forkpty", "fchmod", "lchmod", "fchown", "chown", "lchown", "chroot", "fchdir"}
    | {"getuid", "geteuid", "getgid", "getegid", "getgroups", "setuid", "setgid", "seteuid"}
    | {"setegid", "setgroups", "getresuid", "getresgid", "setsid", "getsid", "setpgid"}
    | {"getpgid", "getpgrp", "setpgrp", "killpg", "wait", "wait3", "wait4", "waitid"}
    | {"WNOHANG", "uname", "sync", "statvfs", "fstatvfs", "mkfifo", "mknod", "pipe2", "pread"}
    | {"pwrite", "sendfile", "getloadavg", "nice", "openpty", "ttyname", "ctermid"}
    | {"O_DIRECTORY", "O_NOFOLLOW", "O_CLOEXEC", "O_NONBLOCK", "O_SYNC", "O_DSYNC"}
    | {"posix_fadvise", "posix_fallocate", "sched_getaffinity", "getpriority", "setpriority"}
    | {"register_at_fork", "fdatasync", "major", "minor", "makedev", "getxattr", "setxattr"}
)
WINDOWS_OS = {"name": "nt", "sep": "\\", "altsep": "/", "pathsep": ";", "linesep": "\r\n"}

POSIX_ONLY_SIGNAL = frozenset(
    {"SIGKILL", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD", "SIGPIPE"}
    | {"SIGCONT", "SIGSTOP", "SIGTSTP", "SIGWINCH", "SIGTTIN", "SIGTTOU", "SIGBUS", "SIGTRAP"}
    | {"alarm", "pause", "setitimer", "getitimer", "siginterrupt", "pthread_kill"}
    | {"pthread_sigmask", "sigwait", "sigpending", "sigtimedwait", "sigwaitinfo", "ITIMER_REAL"}
)
WINDOWS_SIGNAL = {"CTRL_C_EVENT": 0, "CTRL_BREAK_EVENT": 1, "SIGBREAK": 21}


class WindowsView(types.ModuleType):
    """A module as Windows has it: some names hidden, some replaced, the rest the real
    module's (assignments go to the real module, so `sys.stdout = …` still works)."""

    def __init__(
        self, real: types.ModuleType, hidden: Iterable[str], replaced: Mapping[str, Any]
    ) -> None:
        super().__init__(real.__name__, real.__doc__)
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_hidden", frozenset(hidden))
        object.__setattr__(self, "_replaced", dict(replaced))

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("__"):
            own = object.__getattribute__(self, "__dict__")
            if name in own or name == "__dict__":
                return object.__getattribute__(self, name)
            return getattr(object.__getattribute__(self, "_real"), name)
        if name in object.__getattribute__(self, "_hidden"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r} on Windows")
        replaced = object.__getattribute__(self, "_replaced")
        if name in replaced:
            return replaced[name]
        if name in ("_real", "_hidden", "_replaced"):
            return object.__getattribute__(self, name)
        return getattr(object.__getattribute__(self, "_real"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_real"), name, value)


class FakeKernel32:
    """Enough of kernel32 for platform.py: no removable drives, real processes."""

    def __init__(self) -> None:
        self.last_error = 0

    def GetLogicalDrives(self) -> int:
        return 0

    def GetDriveTypeW(self, root: str) -> int:
        return 1  # DRIVE_NO_ROOT_DIR

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int:
        try:
            REAL_KILL(pid, 0)
        except PermissionError:
            self.last_error = 5  # ERROR_ACCESS_DENIED
            return 0
        except OSError:
            self.last_error = 87  # ERROR_INVALID_PARAMETER: no such process
            return 0
        return pid

    def GetLastError(self) -> int:
        return self.last_error

    def GetExitCodeProcess(self, handle: int, code: Any) -> int:
        code._obj.value = 259  # STILL_ACTIVE: OpenProcess found it running
        return 1

    def CloseHandle(self, handle: int) -> int:
        return 1


# Tests that check a POSIX behaviour on purpose: skipped in the fake-Windows run only.
POSIX_BY_DESIGN = {
    "tests/test_sync_trust.py::test_file_layout_keeps_our_facts_in_a_comment": (
        "the trust file's mode 0644 (Windows has no mode bits)"
    ),
}


# The run covers the tests whose code touches the system: files, locks, keys, processes,
# consoles (sync, store, CLI, reports). Pure logic and the TUI (Textual has its own Windows
# driver) run in the ordinary suite only.
TOUCHES_THE_SYSTEM = (
    "test_sync_*.py",
    "test_bundle*.py",
    "test_container_mutations.py",
    "test_limits.py",
    "test_debris.py",
    "test_peer_delivery.py",
    "test_last_bundle.py",
    "test_clock_bundles.py",
    "test_authorship.py",
    "test_evidence_heal.py",
    "test_store.py",
    "test_*cli*.py",
    "test_report*.py",
    "test_roadmap_source_kinds.py",
    "test_portable.py",
)


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    if not installed() or collection_path.suffix != ".py":
        return None
    if not collection_path.name.startswith("test_"):
        return None
    wanted = any(fnmatch.fnmatch(collection_path.name, p) for p in TOUCHES_THE_SYSTEM)
    return None if wanted else True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not installed():
        return
    for item in items:
        reason = POSIX_BY_DESIGN.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"POSIX on purpose: {reason}"))


KERNEL32 = FakeKernel32()
STARTED: list[Path] = []  # what our code asked os.startfile to open


def fake_startfile(path: str | os.PathLike[str], operation: str = "open") -> None:
    if not Path(path).exists():
        raise FileNotFoundError(2, "The system cannot find the file specified", str(path))
    STARTED.append(Path(path))


REAL_KILL = os.kill
REAL_IMPORT = builtins.__import__


def windows_views() -> dict[str, types.ModuleType]:
    return {
        "os": WindowsView(os, POSIX_ONLY_OS, {**WINDOWS_OS, "startfile": fake_startfile}),
        "signal": WindowsView(signal, POSIX_ONLY_SIGNAL, WINDOWS_SIGNAL),
        "sys": WindowsView(sys, (), {"platform": "win32"}),
        "ctypes": WindowsView(ctypes, (), {"windll": types.SimpleNamespace(kernel32=KERNEL32)}),
    }


def install() -> None:
    """Make every later import by a curator_tui module see Windows (see the docstring)."""
    already = sorted(name for name in sys.modules if name.partition(".")[0] == OUR_PACKAGE)
    if already:
        raise RuntimeError(
            f"{ENV_VAR}=1 needs `-p tests.portable.fake_windows` (loaded before conftest); "
            f"already imported: {already[:3]}"
        )
    views = windows_views()

    def windows_import(
        name: str,
        globals: Mapping[str, Any] | None = None,
        locals: Mapping[str, Any] | None = None,
        fromlist: Iterable[str] | None = (),
        level: int = 0,
    ) -> types.ModuleType:
        importer = str((globals or {}).get("__name__") or "")
        if level or importer.partition(".")[0] != OUR_PACKAGE:
            return REAL_IMPORT(name, globals, locals, fromlist, level)
        if name in POSIX_ONLY_MODULES or name.partition(".")[0] in POSIX_ONLY_MODULES:
            raise ModuleNotFoundError(f"No module named {name!r} (on Windows)", name=name)
        module = REAL_IMPORT(name, globals, locals, fromlist, level)
        return views.get(module.__name__, module)

    builtins.__import__ = windows_import


def active() -> bool:
    return os.environ.get(ENV_VAR, "") not in ("", "0")


def installed() -> bool:
    return builtins.__import__ is not REAL_IMPORT


if active() and not installed():
    install()
