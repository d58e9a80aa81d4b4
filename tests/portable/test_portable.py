"""Portable code: every OS difference in curator_tui/platform.py, and each of its answers.

These run in the ordinary suite and again under the fake-Windows switch (`make test`), where
platform.py's Windows branches answer (see tests/portable/fake_windows.py)."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import pytest

from curator_tui import platform
from curator_tui.cli import main as curator_main
from curator_tui.cli.safe_output import safe_output
from curator_tui.domain.models import EvidenceKind
from curator_tui.durable import atomic_write_bytes
from curator_tui.sync.errors import SyncError
from curator_tui.sync.replica import ReplicaPaths, sync_session
from tests.bundle_helpers import Replica, activity_id, cli, make_hub, make_school
from tests.portable import fake_windows

PACKAGE = Path(platform.__file__).parent

# What only platform.py may say: the system's name, POSIX-only modules and calls, the shell.
POSIX_ONLY = re.compile(
    r"sys\.platform|os\.name\b|import (fcntl|pwd|grp|termios|tty|pty|resource|msvcrt)\b"
    r"|os\.(fchmod|fchown|chown|lchmod|fork|getuid|geteuid|getgid|killpg|setsid|getpgid"
    r"|uname|kill|startfile|statvfs|chmod)\b"
    r"|signal\.SIG(?!INT\b|TERM\b)|shell=True|['\"]/tmp\b|os\.sep\b|start_new_session"
    r"|xdg-open|ctypes"
)

# Windows refuses these in a file name, and these names whatever the extension.
ILLEGAL_CHARACTERS = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}


def windows_legal(name: str) -> bool:
    stem = name.split(".")[0].upper()
    return (
        not set(name) & ILLEGAL_CHARACTERS
        and not name.endswith((" ", "."))
        and stem not in RESERVED
    )


def test_only_platform_py_knows_which_system_it_runs_on() -> None:
    offenders = []
    for source in sorted(PACKAGE.rglob("*.py")):
        if source.name == "platform.py" and source.parent == PACKAGE:
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if POSIX_ONLY.search(code):
                offenders.append(f"{source.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_windows_name_check_itself() -> None:
    assert windows_legal("kurator-2026-12-03-7f3a.curator.age")
    assert windows_legal("отчёт-2026-11.xlsx")
    for bad in ("a:b.curator", "nul.txt", "COM1", "x?.csv", "tab\there", "dot."):
        assert not windows_legal(bad), bad


# --- locks ----------------------------------------------------------------------------------


def test_the_lock_is_exclusive_and_free_again_after(tmp_path: Path) -> None:
    lock = tmp_path / ".sync.lock"
    with platform.exclusive_lock_nowait(lock) as first:
        assert first
        with platform.exclusive_lock_nowait(lock) as second:
            assert not second
    with platform.exclusive_lock_nowait(lock) as again:
        assert again


@pytest.fixture
def lock_held_elsewhere(tmp_path: Path) -> Iterator[Path]:
    """A `.sync.lock` held by another process (through the same library) until the end."""
    files = tmp_path / "school.db.files"
    files.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, filelock; lock = filelock.FileLock(sys.argv[1]); lock.acquire(); "
            "print('held', flush=True); sys.stdin.read()",
            str(files / ".sync.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    try:
        yield files
    finally:
        holder.communicate("")


def test_a_sync_run_is_refused_while_another_process_holds_the_lock(
    lock_held_elsewhere: Path,
) -> None:
    with (
        pytest.raises(SyncError, match="уже идёт обмен пакетами"),
        sync_session(ReplicaPaths(lock_held_elsewhere)),
    ):
        pass


# --- processes ------------------------------------------------------------------------------


class Kernel32:
    """kernel32 as a test wants it: one running process, one of another user's, drives."""

    def __init__(self, drives: dict[str, int] | None = None) -> None:
        self.drives = drives or {}
        self.error = 0
        self.closed: list[int] = []

    def GetLogicalDrives(self) -> int:
        return sum(1 << (ord(letter) - ord("A")) for letter in self.drives)

    def GetDriveTypeW(self, root: str) -> int:
        return self.drives[root[0]]

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int:
        self.error = {1: 0, 2: 5}.get(pid, 87)
        return 1000 + pid if pid == 1 else 0

    def GetLastError(self) -> int:
        return self.error

    def GetExitCodeProcess(self, handle: int, code: object) -> int:
        code._obj.value = 259  # type: ignore[attr-defined]  # ctypes.byref's target
        return 1

    def CloseHandle(self, handle: int) -> int:
        self.closed.append(handle)
        return 1


def test_windows_process_probe_never_signals() -> None:
    kernel32 = Kernel32()
    assert platform._windows_process_alive(1, kernel32)  # running
    assert platform._windows_process_alive(2, kernel32)  # another user's: access denied
    assert not platform._windows_process_alive(3, kernel32)  # no such process
    assert kernel32.closed == [1001]


def test_this_process_is_alive_and_a_finished_one_is_not() -> None:
    assert platform.process_alive(os.getpid())
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    assert finished.wait() == 0
    assert not platform.process_alive(finished.pid)
    assert not platform.process_alive(0)


# --- removable media ------------------------------------------------------------------------


def test_removable_drives_are_the_removable_letters_but_floppies() -> None:
    fixed, removable, cdrom = 3, 2, 5
    kernel32 = Kernel32({"A": removable, "C": fixed, "D": cdrom, "E": removable, "G": removable})
    assert platform.removable_drives(kernel32) == [Path("E:\\"), Path("G:\\")]
    assert platform.removable_drives(Kernel32()) == []


def test_on_windows_media_are_drive_letters_not_folders() -> None:
    if fake_windows.installed():
        assert platform.WINDOWS and platform.MEDIA_ROOTS == ()
        assert platform.find_medium() is None  # the stand-in kernel32 has no drives
    else:
        assert (Path("/media"), Path("/run/media"), Path("/mnt")) == platform.MEDIA_ROOTS


# --- opening files --------------------------------------------------------------------------


def test_a_file_opens_with_the_system_viewer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = tmp_path / "скан приказа.pdf"
    scan.write_bytes(b"%PDF-1.4")
    opened = tmp_path / "opened.txt"
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("xdg-open", "open"):  # the viewer a Linux or macOS desktop would start
        viewer = tools / name
        viewer.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n', encoding="utf-8")
        viewer.chmod(viewer.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tools))
    assert platform.open_with_system_viewer(scan)
    if fake_windows.installed():
        assert fake_windows.STARTED[-1] == scan
    else:
        for _ in range(200):  # the viewer runs on its own: wait up to 10 s for it
            if opened.exists() and opened.read_text(encoding="utf-8"):
                break
            time.sleep(0.05)
        assert opened.read_text(encoding="utf-8") == str(scan)


def test_no_viewer_is_said_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    gone = tmp_path / "нет такого.pdf"  # Windows has no viewer for a file that is not there
    assert not platform.open_with_system_viewer(gone)


# --- permissions and paths ------------------------------------------------------------------


def test_files_written_carefully_get_their_mode_where_modes_exist(tmp_path: Path) -> None:
    target = tmp_path / "allowed_signers"
    atomic_write_bytes(target, b"line\n", mode=0o644)
    assert target.read_bytes() == b"line\n"
    mode = stat.S_IMODE(target.stat().st_mode)
    # Windows has no mode bits: the file keeps mkstemp's private 0600 there.
    assert mode == (0o600 if platform.WINDOWS else 0o644)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        (
            '"C:\\Users\\Иван\\Документы\\карта 2026.docx"',
            "C:\\Users\\Иван\\Документы\\карта 2026.docx",
        ),
        ("  E:\\отчёты\\  ", "E:\\отчёты\\"),
        ("D:/scans/акт.pdf", "D:/scans/акт.pdf"),
        ('"/media/ivan/USB/пакет.curator"', "/media/ivan/USB/пакет.curator"),
    ],
)
def test_pasted_paths_keep_drive_letters_and_backslashes(typed: str, meant: str) -> None:
    path = platform.user_path(typed)
    assert str(path) == str(Path(meant))
    assert PureWindowsPath(str(path)).drive == PureWindowsPath(meant).drive


def test_home_is_expanded() -> None:
    assert platform.user_path("~/карта.docx") == Path.home() / "карта.docx"


# --- console output -------------------------------------------------------------------------


@pytest.mark.parametrize("code_page", ["cp1251", "cp866", "ascii"])
def test_console_output_never_fails_on_a_code_page(code_page: str) -> None:
    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding=code_page, errors="strict")
    real = sys.stdout
    sys.stdout = console
    try:
        with safe_output():
            print("✓ Пакет импортирован «Школа № 5» — 3 записи…")
            print("✗ подпись не проверена")
        console.flush()
    finally:
        sys.stdout = real
    shown = raw.getvalue().decode(code_page)
    assert shown.startswith("+ ") and "\nx " in shown
    if code_page != "ascii":
        assert "x подпись не проверена" in shown
    if code_page == "cp1251":
        assert "✓" not in shown and "«Школа № 5» — 3 записи…" in shown
    if code_page == "cp866":
        assert '"Школа № 5" - 3 записи...' in shown
    assert console.errors == "strict"  # restored for whoever had the stream before


def test_a_real_command_on_a_cp866_console(tmp_path: Path) -> None:
    """`curator import` of a refused bundle prints «✗ …» lines: on cp866 they arrive."""
    garbage = tmp_path / "не пакет.curator"
    garbage.write_bytes(b"PK\x03\x04 not really")
    db = make_hub(tmp_path).db
    raw_out, raw_err = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(raw_out, encoding="cp866", errors="strict")
    err = io.TextIOWrapper(raw_err, encoding="cp866", errors="strict")
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = curator_main(["import", str(garbage), "--db", str(db)])
        out.flush()
        err.flush()
    finally:
        sys.stdout, sys.stderr = real
    printed = raw_out.getvalue().decode("cp866") + raw_err.getvalue().decode("cp866")
    assert code != 0
    assert "  x это не файл пакета" in printed and "Итог: Пакет не принят" in printed


# --- names of the files we write ------------------------------------------------------------


def written_names(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*")]


def test_every_file_we_write_has_a_windows_legal_name(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school: Replica = make_school(tmp_path, hub)
    with school.open() as store:
        store.add_note(activity_id(store, "1"), "Провели совещание")
        scan = tmp_path / "scan.txt"
        scan.write_text("Список", encoding="utf-8")
        store.attach_file(activity_id(store, "1"), scan, kind=EvidenceKind.PARTICIPANTS)
    usb = tmp_path / "usb"
    assert cli("export", "--db", school.db, "--to", usb).code == 0
    assert (
        cli("export", "--db", school.db, "--to", usb, "--encrypt-to", hub.age_recipient).code == 0
    )
    [bundle, *_] = sorted(usb.iterdir())
    assert cli("import", bundle, "--db", hub.db).code == 0
    reports = tmp_path / "reports"
    reports.mkdir()
    for report_format in ("xlsx", "csv"):
        run = cli(
            "report", "--db", hub.db, "--month", "2022-01", "--format", report_format,
            "--output", reports / f"отчёт.{report_format}",
        )  # fmt: skip
        assert run.code in (0, 1), run.err
    names = written_names(tmp_path)
    assert any(name.endswith(".curator.age") for name in names)
    assert [name for name in names if not windows_legal(name)] == []


def test_help_and_usage_errors_on_a_cp866_console() -> None:
    """argparse prints before any command runs: the streams are set up when the CLI loads."""
    console = {**os.environ, "PYTHONIOENCODING": "cp866"}
    start = "from curator_tui.cli import main; raise SystemExit(main({}))"
    shown = subprocess.run(
        [sys.executable, "-c", start.format("['export', '--help']")],
        capture_output=True,
        env=console,
    )
    assert shown.returncode == 0, shown.stderr.decode("cp866")
    assert "пакет" in shown.stdout.decode("cp866")
