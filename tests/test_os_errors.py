"""OS errors reach the user in Russian, chosen by errno (issue 16, item 7)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from curator_tui.domain.os_errors import TEXTS, os_error_line, os_error_text
from tests.bundle_helpers import cli


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_every_known_errno_has_russian_words(code: int) -> None:
    text = os_error_text(OSError(code, os.strerror(code)))
    assert text == TEXTS[code] and not any("a" <= ch <= "z" for ch in text)


def test_an_unknown_errno_is_named_by_its_code_and_a_bare_oserror_still_reads() -> None:
    assert os_error_text(OSError(errno.EPROTO, "Protocol error")) == "системная ошибка EPROTO"
    assert os_error_text(OSError("a library's message")) == "системная ошибка"
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", "карта.docx")
    assert os_error_line(missing) == "карта.docx: нет такого файла или папки"


def test_a_missing_bundle_and_an_unwritable_folder_are_told_in_russian(tmp_path: Path) -> None:
    assert (
        cli("init", "--db", tmp_path / "hub.db", "--name", "Х", "--hub", "--region", "Р").code == 0
    )
    run = cli("verify", tmp_path / "нет.curator", "--db", tmp_path / "hub.db")
    assert run.code != 0 and "нет такого файла или папки" in run.out
    assert "No such file" not in run.out + run.err
    a_file = tmp_path / "файл.txt"
    a_file.write_text("не папка")
    run = cli("keys", "export", a_file / "hub.pub", "--db", tmp_path / "hub.db")
    assert run.code != 0 and "часть пути — не папка" in run.err
    assert "Not a directory" not in run.err
