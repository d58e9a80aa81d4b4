"""Roadmap import from every office format against its reader library alone, in one run.

The same 58-activity roadmap (seed 004, as written by tests/fixtures/make_formats.py) is
read from each format with `read_roadmap` (file → activities: sniffing, the reader, the
layout, the prose). The baseline for each format is what its library alone takes to open
the same file and get at its table — python-docx's Document, openpyxl's load_workbook, xlrd,
lxml on content.xml or on the page, pdfplumber's table finder on every page, LibreOffice's
conversion plus python-docx for .doc and .rtf — so the ratio says what our reading adds
over the library that any reader of that format must run.

Best of CURATOR_BENCH_FORMATS_REPEAT (default 3) runs each; .doc and .rtf once (a
LibreOffice start dominates them). Results in bench/results/formats.json.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "tests" / "fixtures" / "formats"
SEED = next((ROOT / "tests" / "fixtures" / "seeds").glob("004_*.txt"))
RESULTS = ROOT / "bench" / "results"
REPEAT = int(os.environ.get("CURATOR_BENCH_FORMATS_REPEAT", "3"))


def timed(action: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def open_text(path: Path) -> object:
    return path.read_text(encoding="utf-8").splitlines()


def open_docx(path: Path) -> object:
    import docx

    return [table.rows for table in docx.Document(str(path)).tables]


def open_xlsx(path: Path) -> object:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]


def open_xls(path: Path) -> object:
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True)
    return [book.sheet_by_index(i).get_rows() for i in range(book.nsheets)]


def open_odf(path: Path) -> object:
    from lxml import etree

    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("content.xml"))


def open_html(path: Path) -> object:
    from lxml import html

    return html.document_fromstring(path.read_bytes())


def open_pdf(path: Path) -> object:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_tables() for page in pdf.pages]


def convert_and_open(path: Path) -> object:
    import docx

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={Path(folder, 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                folder,
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        data = Path(folder, f"{path.stem}.docx").read_bytes()
    return docx.Document(io.BytesIO(data)).tables


BASELINES: dict[str, Callable[[Path], object]] = {
    "txt": open_text,
    "docx": open_docx,
    "xlsx": open_xlsx,
    "xls": open_xls,
    "odt": open_odf,
    "ods": open_odf,
    "html": open_html,
    "pdf": open_pdf,
    "doc": convert_and_open,
    "rtf": convert_and_open,
}
SLOW = {"doc", "rtf"}


def main() -> None:
    from curator_tui.importers import RoadmapImportError, read_roadmap

    results = []
    print(f"{'format':<8}{'acts':>6}{'ours, s':>10}{'library, s':>12}{'ratio':>8}")
    for suffix, baseline in BASELINES.items():
        path = SEED if suffix == "txt" else FORMATS / f"004.{suffix}"
        if suffix in SLOW and shutil.which("soffice") is None:
            print(f"{suffix:<8}  skipped: LibreOffice (soffice) is not installed")
            continue
        repeat = 1 if suffix in SLOW else REPEAT
        try:
            activities = len(read_roadmap(path).activities)  # warm: imports, caches
        except RoadmapImportError as error:  # e.g. LibreOffice over its time limit
            print(f"{suffix:<8}  failed: {error}")
            continue
        ours = timed(lambda path=path: read_roadmap(path), repeat)
        floor = timed(lambda path=path, baseline=baseline: baseline(path), repeat)
        ratio = ours / floor
        print(f"{suffix:<8}{activities:>6}{ours:>10.3f}{floor:>12.3f}{ratio:>8.2f}")
        results.append(
            {
                "format": suffix,
                "activities": activities,
                "ours_s": ours,
                "library_s": floor,
                "ratio": ratio,
            }
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "formats.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
