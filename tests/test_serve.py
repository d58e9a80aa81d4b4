"""`curator serve`: the app in a real headless Chromium, and `open` whatever its stdout is.

The browser test drives Debian's Chromium (never a downloaded one) through playwright. The
terminal in the page is drawn on a canvas, so what the page shows is read from the bytes the
page received over its websocket; the screenshot under tests/artifacts/ is for a person.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator_tui.cli import main

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
FIRST_TITLE = "Разработка и утверждение муниципальной программы"
DETAIL_HEADING = "История изменений"  # on the activity's screen, not on the list
ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def screen_text(raw: bytes) -> str:
    """The text a terminal stream carries, its escape sequences removed."""
    return ESCAPES.sub("", raw.decode("utf-8", errors="replace"))


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db), "--print"]) == 0
    return db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(demo_db: Path) -> Iterator[str]:
    """`curator serve` on a free port; yields the address it printed."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "curator_tui", "serve", "--db", str(demo_db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert "открыт в браузере" in banner, banner
        [url] = re.findall(r"http://\S+", banner)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_listens_on_loopback_only_and_prints_the_address_in_russian(server: str) -> None:
    assert server.startswith("http://127.0.0.1:")
    with socket.create_connection(("127.0.0.1", int(server.rsplit(":", 1)[1])), timeout=5):
        pass


def test_a_busy_port_is_refused_in_russian_with_another_to_try(demo_db: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "curator_tui",
                "serve",
                "--db",
                str(demo_db),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Порт {port} уже занят" in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert "открыт в браузере" not in result.stdout


def test_curator_alone_in_a_pipe_still_lists_the_activities(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CURATOR_DB", str(demo_db))
    assert main([]) == 0
    assert FIRST_TITLE in capsys.readouterr().out


def test_the_page_is_russian_and_loads_nothing_from_outside(server: str) -> None:
    import urllib.request

    with urllib.request.urlopen(server, timeout=10) as response:
        page = response.read().decode("utf-8")
    assert '<html lang="ru">' in page
    assert "Начать заново" in page and "Session ended" not in page
    outside = [
        u
        for u in re.findall(r"(?:https?|wss?)://[^\s\"')]+", page)
        if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "http://www.w3.org"))
    ]
    assert outside == []


def test_open_runs_the_app_when_stdout_is_a_pipe(demo_db: Path) -> None:
    # textual-serve's child: stdout is a pipe and the web driver draws into it.
    env = {
        **os.environ,
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "COLUMNS": "160",
        "ROWS": "40",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "curator_tui", "open", str(demo_db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        assert proc.stdout is not None
        seen = b""
        deadline = time.monotonic() + 120
        while FIRST_TITLE not in screen_text(seen) and time.monotonic() < deadline:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
        assert "\x1b[" in seen.decode("utf-8", errors="replace")  # a drawn screen, not a listing
        assert FIRST_TITLE in screen_text(seen)
    finally:
        proc.kill()
        proc.wait(timeout=20)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="нет /usr/bin/chromium (scripts/ensure-tools.sh)")
def test_the_app_in_a_headless_chromium_shows_the_list_and_opens_an_activity(server: str) -> None:
    from playwright.sync_api import WebSocket, sync_playwright

    received = bytearray()

    def watch(ws: WebSocket) -> None:
        ws.on("framereceived", lambda f: received.extend(f if isinstance(f, bytes) else b""))

    def wait_for(text: str, timeout: float = 120) -> float:
        start = time.monotonic()
        while text not in screen_text(bytes(received)):
            assert time.monotonic() - start < timeout, f"«{text}» не появилось на странице"
            page.wait_for_timeout(100)
        return time.monotonic() - start

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            # Nothing but this machine: a request elsewhere would be a bug in the page.
            blocked: list[str] = []
            page.route(
                re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"),
                lambda route: (blocked.append(route.request.url), route.abort()),
            )
            page.on("websocket", watch)
            started = time.monotonic()
            page.goto(server)
            wait_for(FIRST_TITLE)
            first_paint = time.monotonic() - started
            page.wait_for_timeout(300)  # let the canvas draw what arrived
            page.screenshot(path=str(ARTIFACTS / "serve-list.png"))
            assert DETAIL_HEADING not in screen_text(bytes(received))

            page.locator(".xterm-helper-textarea").focus()
            page.keyboard.press("Enter")
            wait_for(DETAIL_HEADING)
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "serve-activity.png"))
        finally:
            browser.close()
    assert blocked == []
    print(f"first paint in the browser: {first_paint:.2f} s")
