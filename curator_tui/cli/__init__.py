"""The `curator` command: scripting access to a replica, and the door into the app.

Each group of commands lives in its own module with a `register(subparsers)` function.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from curator_tui.cli import app, reports, roadmap, schools, sync
from curator_tui.cli.common import EXIT_FAILED
from curator_tui.domain.errors import UserFacingError

COMMAND_GROUPS = (roadmap, reports, sync, schools, app)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curator",
        description="«Куратор»: дорожные карты проекта «500+» без интернета.",
    )
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА")
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", app.cmd_default)
    try:
        return handler(args)
    except UserFacingError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader (`| head`) went away: not an error; keep Python quiet at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("Прервано.", file=sys.stderr)
        return 130
