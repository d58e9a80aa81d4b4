"""The `curator` command: scripting access to a replica, and the door into the app.

Each group of commands lives in its own module with a `register(subparsers)` function.
`curator CMD` imports only the module of CMD: the groups together pull in pydantic,
cryptography, openpyxl and python-docx, and would add more than half a second to every
command, and to every start of the app.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from curator_tui.cli.argparse_ru import RussianArgumentParser
from curator_tui.cli.common import EXIT_FAILED
from curator_tui.cli.safe_output import safe_output
from curator_tui.domain.errors import UserFacingError
from curator_tui.domain.os_errors import os_error_line

GROUPS = (
    "roadmap",
    "reports",
    "sync",
    "schools",
    "holidays",
    "review",
    "app",
)  # in the order `curator --help` lists them
# Which group registers each command (a test checks this against what the groups register).
COMMAND_GROUPS: dict[str, str] = {
    "import-roadmap": "roadmap",
    "withdraw-roadmap": "roadmap",
    "activities": "roadmap",
    "set-status": "roadmap",
    "removed-work": "roadmap",
    "note": "roadmap",
    "attach": "roadmap",
    "doctor": "roadmap",
    "report": "reports",
    "init": "sync",
    "keys": "sync",
    "trust": "sync",
    "export": "sync",
    "verify": "sync",
    "import": "sync",
    "school": "schools",
    "holidays": "holidays",
    "review": "review",
    "demo": "app",
    "open": "app",
    "serve": "app",
}


def group_module(name: str) -> ModuleType:
    return importlib.import_module(f"curator_tui.cli.{name}")


def build_parser(groups: Sequence[str] = GROUPS) -> argparse.ArgumentParser:
    parser = RussianArgumentParser(
        prog="curator",
        description="«Куратор»: дорожные карты проекта «500+» без интернета.",
    )
    parser.add_version(lambda: f"«Куратор» (curator) {program_version()}")
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА", title="команды")
    for name in groups:
        group_module(name).register(sub)
    return parser


def program_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("curator-tui")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(версия неизвестна)"


def groups_needed(argv: Sequence[str]) -> tuple[str, ...]:
    """The groups to load for `argv`: the command's own, or all of them for help and typos."""
    if not argv:
        return ("app",)  # `curator` alone opens the user's own database
    if argv[0] == "--version":
        return ()
    group = COMMAND_GROUPS.get(argv[0])
    return (group,) if group else GROUPS


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser(groups_needed(argv)).parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error: argparse has said it
        return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    handler = getattr(args, "handler", None) or group_module("app").cmd_default
    try:
        with safe_output():
            return run(handler, args)
    except BrokenPipeError:  # the reader left while the last lines were being flushed
        silence_stdout()
        return 0


def silence_stdout() -> None:
    """The reader (`| head`, `| grep -q`) went away: not an error; keep Python quiet at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except UserFacingError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        silence_stdout()
        return 0
    except OSError as exc:  # a file no layer below turned into a message of its own
        print(f"Ошибка: {os_error_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Прервано.", file=sys.stderr)
        return 130
