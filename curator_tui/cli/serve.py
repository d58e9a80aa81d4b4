"""`curator serve`: the app in a local browser, through textual-serve.

textual-serve runs one `curator open` child per browser tab and relays its screen over a
websocket. It listens on 127.0.0.1 only: the database holds a school's work, and nobody
else on the network may reach it. Its banner, request log and page are English: we print
the address in Russian, keep only warnings in the log, and serve a Russian copy of its page.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from curator_tui.cli.common import EXIT_OK, CliError, add_db_option, db_arg

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DB_VARIABLE = "CURATOR_DB"  # the database `curator open` opens when none is named (common.py)
# textual-serve's page in Russian, with no font fetched from the internet (a school may have none).
PAGE_TEMPLATES = Path(__file__).parent / "serve_page"


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="открыть приложение в браузере (только на этом компьютере)")
    p.set_defaults(handler=cmd_serve)
    add_db_option(p)
    p.add_argument(
        "--port",
        type=int,
        metavar="ПОРТ",
        default=DEFAULT_PORT,
        help=f"порт (по умолчанию {DEFAULT_PORT})",
    )
    p.add_argument("--open", action="store_true", help="сразу открыть адрес в браузере")


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CliError(f"Порт должен быть числом от 1 до 65535, а не {args.port}")
    os.environ[DB_VARIABLE] = str(db_arg(args).resolve())  # the children inherit it
    server = build_server(app_command(), args.port, open_browser=args.open)
    try:
        server.serve()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"Порт {args.port} уже занят. Укажите другой, например: --port {args.port + 1}"
            ) from exc
        raise
    return EXIT_OK


def app_command() -> str:
    """The shell command textual-serve runs for each tab: `curator open`, whatever stdout.

    The database travels in CURATOR_DB, not in the command: the same double quotes then do for
    sh and for cmd.exe, and no file name is ever read by a shell.
    """
    if getattr(sys, "frozen", False):  # a one-file build: the executable is `curator` itself
        return subprocess.list2cmdline([sys.executable, "open"])
    return subprocess.list2cmdline([sys.executable, "-m", "curator_tui", "open"])


def address(port: int) -> str:
    return f"http://{HOST}:{port}"


def build_server(command: str, port: int, *, open_browser: bool = False) -> Any:
    # textual-serve and aiohttp are loaded only for this command.
    import asyncio
    import signal

    from aiohttp import web
    from textual_serve.server import Server

    class RussianServer(Server):
        def initialize_logging(self) -> None:
            logging.basicConfig(level=logging.WARNING, format="%(message)s")

        async def on_startup(self, app: web.Application) -> None:
            pass  # textual-serve's English banner; ours follows once the port listens

        def serve(self, debug: bool = False) -> None:
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                # Windows has no such handlers: Ctrl+C arrives there as KeyboardInterrupt.
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(signum, self.request_exit)
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda _message: self.announce(),  # called once the sites listen
            )

        def announce(self) -> None:
            print(f"«Куратор» открыт в браузере: {address(self.port)}", flush=True)
            print("Откройте этот адрес в браузере. Остановить: Ctrl+C.", flush=True)
            if open_browser:
                import webbrowser

                webbrowser.open(address(self.port))

    return RussianServer(
        command, host=HOST, port=port, title="«Куратор»", templates_path=PAGE_TEMPLATES
    )
