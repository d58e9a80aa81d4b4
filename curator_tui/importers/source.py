"""What every reader produces: the document as paragraphs and table rows, in order.

Readers (text export, Word, spreadsheets, web pages, PDF …) only split a file into this
shape; the by-meaning work happens in `layout` and `prose`, so every format gets the same
rules. `read_document_bytes` is how
every reader gets its bytes: from a regular file only, with a bounded read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from curator_tui.domain.os_errors import os_error_text
from curator_tui.importers.errors import RoadmapImportError


@dataclass(frozen=True)
class Paragraph:
    """A line of prose outside any table; blank paragraphs are kept (they separate blocks)."""

    text: str
    where: str


@dataclass(frozen=True)
class SourceRow:
    """One table row as cell strings.

    `where` names the row for warnings («Строка 42»); rows of one `segment` were printed
    together (one page of the text export, one table of a Word file), which is what tells
    a phantom column of one page from another page's. `table` tells separate Word tables
    apart (the text export is one stream, table 0).
    """

    cells: tuple[str, ...]
    where: str
    segment: int
    table: int = 0


Item = Paragraph | SourceRow


@dataclass(frozen=True)
class SourceDocument:
    """A file as prose and rows; `notes` names what the reader saw but could not read."""

    name: str
    items: tuple[Item, ...]
    notes: tuple[str, ...] = ()

    @property
    def rows(self) -> list[SourceRow]:
        return [item for item in self.items if isinstance(item, SourceRow)]

    def paragraphs_before(self, row: SourceRow) -> list[str]:
        """Prose above the given row: where the issuer, heading and year are written."""
        texts: list[str] = []
        for item in self.items:
            if item is row:
                break
            if isinstance(item, Paragraph):
                texts.append(item.text)
        return texts


# A roadmap is kilobytes; a file this large was picked by mistake.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MIB = 1024 * 1024


def read_document_bytes(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a roadmap file: only a regular file, and never more than `limit`.

    A FIFO would block the read for ever and /dev/zero (or a link to it) would fill memory,
    so the kind of file is checked before reading and again on the open descriptor (a file
    swapped between the two checks is caught too); the open does not wait for a FIFO's
    writer, and the read stops one byte past the limit whatever the size said.
    """
    try:
        check_regular(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            check_regular(path, os.fstat(handle.fileno()).st_mode)
            data = handle.read(limit + 1)
    except FileNotFoundError as error:
        raise RoadmapImportError(f"Файл {path.name} не найден: {path}") from error
    except PermissionError as error:
        raise RoadmapImportError(f"Нет доступа к файлу {path.name}: {path}") from error
    except OSError as error:
        raise RoadmapImportError(
            f"Не удалось прочитать файл {path.name}: {os_error_text(error)}"
        ) from error
    if len(data) > limit:
        raise RoadmapImportError(
            f"Файл {path.name} слишком большой для дорожной карты (больше {limit // MIB} МБ): "
            "проверьте, тот ли это файл"
        )
    if not data:
        raise RoadmapImportError(f"Файл {path.name} пуст")
    return data


def check_regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise RoadmapImportError(f"{path.name} — это папка, а не файл дорожной карты")
    if not stat.S_ISREG(mode):
        raise RoadmapImportError(
            f"{path.name} — не обычный файл (устройство, канал или сокет): "
            "дорожная карта читается только из файла документа или таблицы"
        )
