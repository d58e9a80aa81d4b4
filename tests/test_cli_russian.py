"""The `curator` command speaks Russian (issue 16, item 7): every help text of every command
and subcommand (found from the parser itself), usage lines, argparse's errors, `--version`;
and every path argument takes a path as a file manager drops it, in quotes (item 11)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from curator_tui.cli import build_parser, main
from curator_tui.cli.argparse_ru import russian_error
from curator_tui.cli.common import path_text
from tests.bundle_helpers import cli

# Latin words a Russian user is expected to meet: formats, programs and key kinds by name.
ALLOWED_LATIN = frozenset(
    {"age", "age1", "ssh", "ed25519", "sha256", "json", "id", "csv", "docx", "xlsx", "md",
     "txt", "pub", "g", "m", "curator", "word", "excel", "opendocument", "pdf"}
)  # fmt: skip
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
FILE_NAME = re.compile(r"\S*[A-Za-z]\S*[./]\S*")  # exports/, kurator-….curator.age, .docx


def every_parser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += every_parser(child)
    return found


def command_words(parsers: list[argparse.ArgumentParser]) -> set[str]:
    """Command names and the fixed values of arguments: what the user types, not prose."""
    words: set[str] = set()
    for parser in parsers:
        for action in parser._actions:
            for choice in action.choices or ():
                words.update(re.findall(r"[A-Za-z]\w*", str(choice).casefold()))
    return words


def english_words(text: str, allowed: set[str]) -> set[str]:
    text = FILE_NAME.sub(" ", OPTION.sub(" ", text))
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", text) if w.casefold() not in allowed}


def test_every_help_text_and_usage_line_is_russian() -> None:
    parsers = every_parser(build_parser())
    assert len(parsers) > 20  # every command and every subcommand of keys, trust, school
    allowed = ALLOWED_LATIN | command_words(parsers)
    english = {
        parser.prog: found
        for parser in parsers
        if (found := english_words(parser.format_help(), allowed))
    }
    assert english == {}
    assert all(p.format_usage().startswith("использование: curator") for p in parsers)
    assert all("параметры:" in p.format_help() for p in parsers)


def test_help_and_version_exit_zero_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust", "add", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "позиционные аргументы:" in shown and "показать эту справку и выйти" in shown
    assert main(["--version"]) == 0
    assert re.fullmatch(r"«Куратор» \(curator\) \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["trust", "add"], "ошибка: не указаны обязательные параметры: КЛЮЧ, --name"),
        (["nosuch"], "ошибка: параметр КОМАНДА: неизвестное значение 'nosuch' (можно: "),
        (["activities", "--bogus"], "ошибка: непонятные параметры: --bogus"),
        (["import-roadmap", "f.txt", "--year", "x"], "параметр --year: «x» — не год"),
        (["init", "--name"], "параметр --name: нужно одно значение"),
        (["init", "--name", "Х", "--role", "завуч"], "роль «завуч» не понята"),
    ],
)
def test_usage_errors_are_russian(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("использование: curator") and expected in err
    assert "error" not in err and "argument" not in err and "usage" not in err


def test_an_unknown_argparse_message_is_left_as_it_is() -> None:
    assert russian_error("something new") == "something new"
    assert (
        russian_error("argument --x: expected one argument") == "параметр --x: нужно одно значение"
    )


@pytest.mark.parametrize(
    "typed",
    ['"C:\\Users\\Школа\\карта.docx"', "'/media/флешка/карта.docx'", " «/tmp/a b.txt» ", "/tmp/x"],
)
def test_a_dropped_path_loses_its_quotes(typed: str) -> None:
    cleaned = path_text(typed)
    assert cleaned == typed.strip().strip("\"'«»")
    assert path_text("it's") == "it's"  # a quote inside a name stays


def test_a_quoted_database_path_is_accepted(tmp_path: Path) -> None:
    db = tmp_path / "папка с пробелом" / "база.db"
    db.parent.mkdir()
    made = cli("init", "--db", f"'{db}'", "--name", "Хаб", "--hub", "--region", "Калмыкия")
    assert made.code == 0, made.err
    shown = cli("keys", "export", f'"{tmp_path / "hub.pub"}"', "--db", f'"{db}"')
    assert shown.code == 0, shown.err
    assert (tmp_path / "hub.pub").exists() and db.exists()
