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

from curator_tui.cli.common import EXIT_FAILED
from curator_tui.cli.safe_output import safe_output
from curator_tui.domain.errors import UserFacingError

GROUPS = (
    "roadmap",
    "reports",
    "sync",
    "schools",
    "holidays",
    "app",
)  # in the order `curator --help` lists them
# Which group registers each command (a test checks this against what the groups register).
COMMAND_GROUPS: dict[str, str] = {
    "import-roadmap": "roadmap",
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
    "demo": "app",
    "open": "app",
    "serve": "app",
}


def group_module(name: str) -> ModuleType:
    return importlib.import_module(f"curator_tui.cli.{name}")


def build_parser(groups: Sequence[str] = GROUPS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curator",
        description="«Куратор»: дорожные карты проекта «500+» без интернета.",
    )
    parser.add_argument(
        "--version", action=VersionAction, help="показать версию программы и выйти"
    )
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА")
    for name in groups:
        group_module(name).register(sub)
    return parser


class VersionAction(argparse.Action):
    """`--version`: the installed release, looked up only when asked for (not on every start)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"«Куратор» {version('curator-tui')}")
        parser.exit()


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
    args = build_parser(groups_needed(argv)).parse_args(argv)
    handler = getattr(args, "handler", None) or group_module("app").cmd_default
    with safe_output():
        return run(handler, args)


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
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
