"""argparse speaking Russian: usage lines, group titles, help and every error it reports.

argparse takes its own words from gettext (`argparse._`), and no Russian catalogue ships
with Python. Replacing that module global would change every parser in the process (pytest's
too), so the words are set where argparse lets a subclass set them: the usage prefix in the
formatter, the group titles and the help options in the parser, and the error messages,
already formatted in English, are translated in `error` by the templates below.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

USAGE_PREFIX = "использование: "
HELP_TEXT = "показать эту справку и выйти"
VERSION_TEXT = "показать версию программы и выйти"

# argparse's error messages (Python 3.11–3.13) as regular expressions, with their Russian.
ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(english), russian)
    for english, russian in (
        (r"^argument (?P<arg>.+?): (?P<msg>.*)$", "параметр {arg}: {msg}"),
        (r"^the following arguments are required: (?P<args>.*)$",
         "не указаны обязательные параметры: {args}"),
        (r"^unrecognized arguments: (?P<args>.*)$", "непонятные параметры: {args}"),
        (r"^invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)$",
         "неизвестное значение {value} (можно: {choices})"),
        (r"^expected one argument$", "нужно одно значение"),
        (r"^expected at most one argument$", "нужно не больше одного значения"),
        (r"^expected at least one argument$", "нужно хотя бы одно значение"),
        (r"^expected (?P<n>\d+) arguments?$", "нужно значений: {n}"),
        (r"^invalid (?P<type>\S+) value: (?P<value>.*)$", "неверное значение {value}"),
        (r"^not allowed with argument (?P<arg>.*)$", "нельзя вместе с {arg}"),
        (r"^ignored explicit argument (?P<value>.*)$", "лишнее значение {value}"),
        (r"^ambiguous option: (?P<opt>\S+) could match (?P<matches>.*)$",
         "неоднозначный параметр {opt}: подходят {matches}"),
        (r"^one of the arguments (?P<args>.*) is required$", "нужен один из параметров: {args}"),
        (r"^unexpected option string: (?P<opt>.*)$", "неожиданный параметр {opt}"),
    )
)  # fmt: skip


def russian_error(message: str) -> str:
    """An argparse error message in Russian (one it does not know is left as it is)."""
    for pattern, russian in ERRORS:
        found = pattern.match(message)
        if found:
            parts = {k: russian_error(v) if k == "msg" else v for k, v in found.groupdict().items()}
            return russian.format(**parts)
    return message


class RussianHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)


class RussianArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word a user sees is Russian; subparsers inherit it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", RussianHelpFormatter)
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False  # added below, with Russian words
        super().__init__(*args, **kwargs)
        self._positionals.title = "позиционные аргументы"
        self._optionals.title = "параметры"
        if add_help:
            self.add_argument("-h", "--help", action="help", help=HELP_TEXT)

    def add_version(self, version: Callable[[], str]) -> None:
        """`--version`, its text made only when asked for (not on every start)."""
        # The text's maker rides in `default`, which argparse takes as it is (and, the dest
        # being suppressed, never puts on the namespace).
        self.add_argument("--version", action=LazyVersion, default=version, help=VERSION_TEXT)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: ошибка: {russian_error(message)}\n")


class LazyVersion(argparse.Action):
    """argparse's `version` action with the text computed when the option is given."""

    def __init__(
        self, option_strings: list[str], dest: str, default: Callable[[], str], help: str
    ) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs=0, help=help)
        self.version = default

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(self.version())  # to stdout, as argparse's own `version` action writes it
        parser.exit()
