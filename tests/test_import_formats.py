"""Every office format reads into the same roadmap as the text export it was made from.

The files in tests/fixtures/formats were written by the real tools (python-docx, openpyxl,
LibreOffice headless) from the four seeds; tests/fixtures/make_formats.py says how. Smaller
files for single rules are made here, by the same tools, in tmp_path.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from curator_tui.domain.parsed import ParsedRoadmap
from curator_tui.importers import RoadmapImportError, read_roadmap

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = FIXTURES / "formats"
SEEDS = ("000", "001", "003", "004")
# Read without a converter; .doc and .rtf need LibreOffice, a few seconds a file.
DIRECT = ("docx", "xlsx", "xls", "ods", "odt", "html", "pdf")
CONVERTED = ("doc", "rtf")
FIELDS = ("number", "title", "responsible", "deadline_text")
needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)


def from_text(prefix: str) -> ParsedRoadmap:
    return read_roadmap(next((FIXTURES / "seeds").glob(f"{prefix}_*.txt")))


def pdf_spacing(text: str) -> str:
    # A PDF keeps no difference between a line break and a space beside a hyphen or slash.
    return re.sub(r"\s*([-/])\s*", r"\1", text)


def assert_same_roadmap(got: ParsedRoadmap, expected: ParsedRoadmap, suffix: str) -> None:
    same = pdf_spacing if suffix == "pdf" else str
    rows = [tuple(same(getattr(a, f)) for f in FIELDS) for a in got.activities]
    assert rows == [tuple(same(getattr(a, f)) for f in FIELDS) for a in expected.activities]
    assert got.sections == expected.sections
    for name in ("organisation", "level", "title", "year", "school_year"):
        assert getattr(got, name) == getattr(expected, name), name


@pytest.mark.parametrize("suffix", DIRECT)
@pytest.mark.parametrize("prefix", SEEDS)
def test_every_format_reads_like_the_text_export(prefix: str, suffix: str) -> None:
    got = read_roadmap(FORMATS / f"{prefix}.{suffix}")
    assert_same_roadmap(got, from_text(prefix), suffix)
    assert got.source_name == f"{prefix}.{suffix}"


@needs_libreoffice
@pytest.mark.parametrize("suffix", CONVERTED)
@pytest.mark.parametrize("prefix", ("003", "004"))
def test_old_word_and_rtf_read_through_libreoffice(prefix: str, suffix: str) -> None:
    got = read_roadmap(FORMATS / f"{prefix}.{suffix}")
    assert_same_roadmap(got, from_text(prefix), suffix)


# --- the content decides, not the name ----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "renamed"),
    [
        ("004.html", "map.doc"),
        ("004.html", "map.xls"),
        ("004.xls", "map.xlsx"),
        ("004.odt", "map.docx"),
        ("004.pdf", "map.doc"),
        ("004.xlsx", "map.ods"),
    ],
)
def test_a_file_is_read_by_what_it_is(tmp_path: Path, source: str, renamed: str) -> None:
    shutil.copyfile(FORMATS / source, tmp_path / renamed)
    got = read_roadmap(tmp_path / renamed)
    assert_same_roadmap(got, from_text("004"), source.rsplit(".", 1)[1])


@needs_libreoffice
def test_a_doc_that_is_really_rtf(tmp_path: Path) -> None:
    shutil.copyfile(FORMATS / "003.rtf", tmp_path / "map.doc")
    assert_same_roadmap(read_roadmap(tmp_path / "map.doc"), from_text("003"), "rtf")


PAGE = """<html><head>{meta}<title>Дорожная карта</title><style>td {{ color: red }}</style></head>
<body><p>Управление образования администрации Энского района</p><p>ПРИКАЗ</p>
<h2>Дорожная карта на 2023 год</h2><!-- сохранено из Word -->
<table border=1>
<tr><th>№</th><th>Мероприятие</th><th>Сроки</th><th>Ответственный</th></tr>
<tr><td colspan=4>Организационные мероприятия</td></tr>
<tr><td>1</td><td><p>Совещание</p><p>директоров</p></td><td>Март</td>
    <td rowspan=2>Отдел<br>образования</td></tr>
<tr><td>2</td><td>Семинар <script>var x = 1;</script>завучей</td><td>Апрель</td></tr>
<tr><td>3</td><td>Педсовет</td><td>Май</td><td><table><tr><td>Иванов</td><td>директор</td></tr>
</table></td></tr>
</table></body></html>"""


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1251">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
        "",
    ],
)
def test_a_cp1251_page_with_spans_and_a_nested_table(tmp_path: Path, meta: str) -> None:
    path = tmp_path / "map.htm"
    path.write_bytes(PAGE.format(meta=meta).encode("cp1251"))
    roadmap = read_roadmap(path)
    assert roadmap.organisation == "Управление образования администрации Энского района"
    assert roadmap.year == 2023
    assert roadmap.sections == ["Организационные мероприятия"]
    assert [(a.number, a.title, a.deadline_text, a.responsible) for a in roadmap.activities] == [
        ("1", "Совещание директоров", "Март", "Отдел образования"),
        ("2", "Семинар завучей", "Апрель", "Отдел образования"),
        ("3", "Педсовет", "Май", "Иванов директор"),
    ]


def test_spreadsheet_values_read_as_a_person_reads_them(tmp_path: Path) -> None:
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Управление образования администрации Энского района"])
    sheet.append(["ПРИКАЗ"])
    sheet.append(["Дорожная карта на 2023 год"])
    sheet.append([])
    sheet.append(["№", "Мероприятие", "Срок", "Ответственный", None, None])
    sheet.append([1, "Совещание", datetime.datetime(2023, 3, 15), "Отдел образования"])
    sheet.append([2.0, "Семинар", "Апрель", None])
    sheet.merge_cells("D6:D7")
    path = tmp_path / "map.xlsx"
    book.save(path)
    roadmap = read_roadmap(path)
    assert [(a.number, a.deadline_text, a.responsible) for a in roadmap.activities] == [
        ("1", "15.03.2023", "Отдел образования"),
        ("2", "Апрель", "Отдел образования"),
    ]
    assert roadmap.organisation == "Управление образования администрации Энского района"


# --- what cannot be read says so, in Russian -----------------------------------------------


def image_only_pdf() -> bytes:
    """A one-page PDF whose page is a picture (a scan): no text layer at all."""
    stream = b"q 100 0 0 100 50 50 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_scanned_pdf_is_named_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf())
    with pytest.raises(RoadmapImportError, match=r"scan\.pdf — скан без текстового слоя.*OCR"):
        read_roadmap(path)


def test_without_libreoffice_a_doc_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(FORMATS / "004.doc", tmp_path / "map.doc")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(RoadmapImportError, match=r"map\.doc.*нужен LibreOffice.*\.docx"):
        read_roadmap(tmp_path / "map.doc")


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "odt", "ods", "pdf"])
def test_a_damaged_file_is_refused_by_name(tmp_path: Path, suffix: str) -> None:
    data = (FORMATS / f"004.{suffix}").read_bytes()
    path = tmp_path / f"map.{suffix}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RoadmapImportError, match=rf"map\.{suffix} повреждён"):
        read_roadmap(path)


def test_a_password_protected_file_says_so(tmp_path: Path) -> None:
    # An encrypted Office file is an OLE container holding an «EncryptedPackage» stream.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    path = tmp_path / "map.docx"
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + b"\0\0" + b"\0" * 512)
    with pytest.raises(RoadmapImportError, match="защищён паролем"):
        read_roadmap(path)


def test_a_zip_bomb_workbook_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/big.xml", b"\0" * (201 * 1024 * 1024))
    with pytest.raises(RoadmapImportError, match="не похоже на дорожную карту"):
        read_roadmap(path)


def test_a_scanned_page_among_typed_ones_is_named_in_the_summary(tmp_path: Path) -> None:
    import pypdfium2

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_only_pdf())
    document = pypdfium2.PdfDocument(FORMATS / "004.pdf")
    typed_pages = len(document)
    document.import_pages(pypdfium2.PdfDocument(scan))
    path = tmp_path / "map.pdf"
    document.save(path)
    roadmap = read_roadmap(path)
    assert len(roadmap.activities) == 58
    assert f"Страница {typed_pages + 1}: скан без текстового слоя — не прочитана" in (
        roadmap.warnings
    )
