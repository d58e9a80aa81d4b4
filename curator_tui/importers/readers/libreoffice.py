"""Old Word (.doc) and RTF: LibreOffice headless converts them to .docx, read as Word.

No Python library reads .doc tables well, and RTF readers lose merged cells, so LibreOffice
is run when it is installed: on a copy in a private temporary folder, with a profile of its
own (a LibreOffice the user has open is left alone) and a time limit. Without it the user is
told how to get a .docx.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from curator_tui.importers.errors import RoadmapImportError

CONVERT_TIMEOUT_SECONDS = 120
_PROGRAMS = ("soffice", "libreoffice")


def convert_to_docx(data: bytes, name: str, suffix: str) -> bytes:
    """The .docx LibreOffice makes of `data` (a .doc or .rtf file named `name`)."""
    program = _program()
    if program is None:
        raise RoadmapImportError(
            f"Файл {name} в формате {suffix}: чтобы его прочитать, нужен LibreOffice "
            "(программа soffice), а он не установлен. Установите LibreOffice или откройте файл "
            "в Word и сохраните как документ Word (.docx)"
        )
    with tempfile.TemporaryDirectory(prefix="curator-convert-") as folder:
        work = Path(folder)
        source = work / f"roadmap{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=CONVERT_TIMEOUT_SECONDS,
                check=False,
                env={**os.environ, "HOME": folder},
            )
        except subprocess.TimeoutExpired as error:
            raise RoadmapImportError(
                f"Файл {name}: LibreOffice не успел преобразовать его за "
                f"{CONVERT_TIMEOUT_SECONDS} с. Откройте файл в Word или LibreOffice и "
                "сохраните как документ Word (.docx)"
            ) from error
        except OSError as error:
            raise RoadmapImportError(
                f"Файл {name}: не удалось запустить LibreOffice ({error.strerror or error})"
            ) from error
        converted = work / "out" / "roadmap.docx"
        if not converted.is_file():
            raise RoadmapImportError(
                f"Файл {name} повреждён или это не документ {suffix}: LibreOffice не смог его "
                "открыть. Откройте его в Word и сохраните как документ Word (.docx)"
            )
        return converted.read_bytes()


def _program() -> str | None:
    return next((found for p in _PROGRAMS if (found := shutil.which(p))), None)
