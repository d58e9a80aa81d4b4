"""What a file really is, told by its first bytes rather than its name.

Offices rename freely: a «.doc» is often RTF or a saved web page, a «.xls» an HTML export,
a «.docx» an old binary Word file. The content decides when it is recognisable; the
extension decides otherwise (and then its reader says the file is damaged if it is not).
"""

from __future__ import annotations

from enum import StrEnum

from curator_tui.importers.readers.package import package_names


class Kind(StrEnum):
    TEXT = "text"
    DOCX = "docx"
    XLSX = "xlsx"
    ODF = "odf"
    DOC = "doc"
    XLS = "xls"
    ENCRYPTED = "encrypted"
    RTF = "rtf"
    HTML = "html"
    PDF = "pdf"


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_MARKS = (b"<!doctype html", b"<html", b"<table", b"<body", b"<meta", b"<head")
# Stream names in an OLE compound file's directory are UTF-16.
_OLE_STREAMS = {
    Kind.DOC: ("WordDocument",),
    Kind.XLS: ("Workbook", "Book"),
    Kind.ENCRYPTED: ("EncryptedPackage",),
}


def sniff(data: bytes) -> Kind | None:
    head = data[:4096]
    if b"%PDF-" in head[:1024]:
        return Kind.PDF
    if head.lstrip()[:5] == b"{\\rtf":
        return Kind.RTF
    if data.startswith(_OLE):
        return _ole_kind(data)
    if data.startswith(b"PK\x03\x04"):
        return _package_kind(package_names(data))
    return _text_kind(head)


def _ole_kind(data: bytes) -> Kind | None:
    # ENCRYPTED first: a password-protected .docx or .xlsx is an OLE file around the package.
    for kind in (Kind.ENCRYPTED, Kind.DOC, Kind.XLS):
        if any(name.encode("utf-16-le") + b"\0\0" in data for name in _OLE_STREAMS[kind]):
            return kind
    return None


def _package_kind(names: set[str]) -> Kind | None:
    if "word/document.xml" in names:
        return Kind.DOCX
    if "xl/workbook.xml" in names:
        return Kind.XLSX
    if "content.xml" in names and "mimetype" in names:
        return Kind.ODF
    return None


def _text_kind(head: bytes) -> Kind | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a BOM: judge the markup by its ASCII bytes alone.
        head = head.replace(b"\0", b"")
    elif b"\0" in head:
        return None
    lowered = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if lowered.startswith(b"<") and any(mark in lowered for mark in _HTML_MARKS):
        return Kind.HTML
    # Plain text has no signature: a tab-separated file named .docx is a damaged .docx.
    return None
