"""Commands that open the Textual app: the user's own database, any file, or the demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from curator_tui.cli import serve
from curator_tui.cli.common import EXIT_OK, default_db_path, path_text
from curator_tui.store.store import Store


def cmd_demo(args: argparse.Namespace) -> int:
    """The demo in its own database (never the personal one), built the first time."""
    from curator_tui.services import demo_database, ensure_demo  # the importers: only here

    return run_app(ensure_demo(Path(args.db) if args.db else demo_database()), args)


def cmd_open(args: argparse.Namespace) -> int:
    return run_app(Path(args.database) if args.database else default_db_path(), args)


def cmd_default(args: argparse.Namespace) -> int:
    # `curator` alone in a pipe or a script lists rather than draws a screen nobody sees. Asked
    # for by name (`open`, `demo`) the app always starts: `curator serve` runs `open` with a
    # pipe for stdout, and the web driver draws into that pipe.
    if not sys.stdout.isatty():
        return print_activities(default_db_path())
    return run_app(default_db_path(), args)


def run_app(db: Path, args: argparse.Namespace) -> int:
    if getattr(args, "print", False):
        return print_activities(db)
    from curator_tui.tui.app import build_app
    from curator_tui.user_config import config_path

    build_app(db, settings_file=config_path()).run()
    return EXIT_OK


def print_activities(db: Path) -> int:
    with Store.open(db) as store:
        for row in store.activities():
            number = row["number"] or "—"
            print(f"{number:>6}  {row['deadline_text'][:30]:<30}  {row['title'][:70]}")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="открыть демонстрационную дорожную карту")
    p.set_defaults(handler=cmd_demo)
    p.add_argument(
        "--db",
        type=path_text,
        metavar="ФАЙЛ",
        help="файл демо-базы (по умолчанию demo.db в папке данных пользователя, не ваша база)",
    )
    p.add_argument("--print", action="store_true", help="вывести мероприятия вместо запуска")

    p = sub.add_parser("open", help="открыть базу данных в приложении")
    p.set_defaults(handler=cmd_open)
    p.add_argument(
        "database",
        nargs="?",
        type=path_text,
        metavar="ФАЙЛ",
        help="файл базы данных (по умолчанию — ваша личная база)",
    )
    p.add_argument("--print", action="store_true", help="вывести мероприятия вместо запуска")

    serve.register(sub)
