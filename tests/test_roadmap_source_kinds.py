"""`curator import-roadmap` reads roadmaps only from regular files, with a bounded read: a
FIFO, a folder, /dev/zero behind a link, a socket and an oversized file are refused at once
with a Russian message, and the replica is left as it was."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator_tui.importers.source import MAX_DOCUMENT_BYTES
from tests.bundle_helpers import snapshot
from tests.tui_support import school_db

CURATOR = [sys.executable, "-c", "import sys; from curator_tui.cli import main; sys.exit(main())"]
NOT_REGULAR = "не обычный файл (устройство, канал или сокет)"


def import_roadmap(path: Path, db: Path) -> subprocess.CompletedProcess[str]:
    # A hang would be the bug: the timeout turns it into a failure instead of a stuck run.
    return subprocess.run(
        [*CURATOR, "import-roadmap", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return school_db(tmp_path)


def refused(path: Path, db: Path, message: str) -> None:
    before = snapshot(db)
    run = import_roadmap(path, db)
    assert run.returncode == 1, run.stdout
    assert message in run.stderr, run.stderr
    assert run.stderr.startswith("Ошибка: ")
    assert snapshot(db) == before


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, db: Path) -> None:
    fifo = tmp_path / "карта.txt"
    os.mkfifo(fifo)
    refused(fifo, db, f"карта.txt — {NOT_REGULAR}")


def test_a_link_to_dev_zero_is_refused(tmp_path: Path, db: Path) -> None:
    link = tmp_path / "карта.txt"
    link.symlink_to("/dev/zero")
    refused(link, db, f"карта.txt — {NOT_REGULAR}")


def test_a_folder_is_refused(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "карта.docx"
    folder.mkdir()
    refused(folder, db, "карта.docx — это папка, а не файл дорожной карты")


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "карта.txt"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    try:
        yield path
    finally:
        server.close()


def test_a_socket_is_refused(unix_socket: Path, db: Path) -> None:
    refused(unix_socket, db, f"карта.txt — {NOT_REGULAR}")


def test_an_oversized_file_is_refused_by_its_size(tmp_path: Path, db: Path) -> None:
    big = tmp_path / "карта.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: costs no disk
    refused(big, db, "Файл карта.txt слишком большой для дорожной карты (больше 50 МБ)")


def test_no_database_is_created_for_a_refused_file(tmp_path: Path) -> None:
    fifo = tmp_path / "карта.txt"
    os.mkfifo(fifo)
    run = import_roadmap(fifo, tmp_path / "new.db")
    assert run.returncode == 1 and NOT_REGULAR in run.stderr
    assert not (tmp_path / "new.db").exists()
