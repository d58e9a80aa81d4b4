"""Zip packages (.docx, .xlsx, .odt): checked before a library unpacks them."""

from __future__ import annotations

import io
import zipfile

from curator_tui.importers.errors import RoadmapImportError

# A roadmap is a few hundred kilobytes; anything that inflates past this is not one.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def check_package(data: bytes, name: str) -> None:
    """Refuse a zip bomb; raise `zipfile.BadZipFile` for a damaged archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        unpacked = sum(info.file_size for info in package.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise RoadmapImportError(
                f"Файл {name} при распаковке занял бы {unpacked // (1024 * 1024)} МБ — "
                "это не похоже на дорожную карту, файл не открыт"
            )
        broken = package.testzip()
        if broken is not None:
            raise zipfile.BadZipFile(f"повреждена часть {broken}")


def package_names(data: bytes) -> set[str]:
    """The part names of a zip package, or nothing when it is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return set()


def read_part(data: bytes, part: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(part)
