"""The text-table export: one table row per line, cells separated by tabs, prose around.

The encoding is detected, never asked: UTF-8 (with or without BOM), UTF-16 (with BOM, or
plainly interleaved with zero bytes) and Windows-1251, the three a Russian office produces.
"""

from __future__ import annotations

from curator_tui.importers.errors import RoadmapImportError
from curator_tui.importers.source import Item, Paragraph, SourceDocument, SourceRow

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters a text export never contains (tab, newlines and form feed excluded).
_CONTROL = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r\f\v") | {"\x7f"}
_MAX_CONTROL_SHARE = 0.01
_MIN_LETTER_SHARE = 0.3


def read_text_table(data: bytes, name: str) -> SourceDocument:
    text = decode_text(data, name)
    return SourceDocument(name=name, items=tuple(split_items(text)))


def decode_text(data: bytes, name: str) -> str:
    text = _decode(data, name)
    if not text.strip():
        raise RoadmapImportError(f"Файл {name} пуст: в нём нет ни одной строки текста")
    if not _looks_like_text(text):
        raise RoadmapImportError(
            f"Файл {name} не похож на текстовую таблицу: в нём двоичные данные. "
            "Сохраните дорожную карту как .docx или как текст с табуляциями (.txt)"
        )
    return text


def _decode(data: bytes, name: str) -> str:
    if data.startswith(_UTF8_BOM):
        return _strict(data[len(_UTF8_BOM) :], "utf-8", name)
    if data.startswith(_UTF16_BOMS):
        return _strict(data, "utf-16", name)
    bomless_utf16 = _bomless_utf16(data)
    if bomless_utf16:
        return _strict(data, bomless_utf16, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Windows-1251 maps every byte but one; what is not UTF-8 in a Russian office is 1251.
    return data.decode("cp1251", errors="replace")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise RoadmapImportError(
            f"Файл {name} повреждён: текст в кодировке {encoding.upper()} обрывается "
            f"или содержит недопустимые байты (позиция {error.start})"
        ) from error


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 saved without a BOM: every other byte is zero for Latin text, 0x04 for Cyrillic."""
    if len(data) < 4 or len(data) % 2:
        return None
    odd, even = data[1::2], data[0::2]
    if odd.count(0) + odd.count(4) > 0.7 * len(odd) and 0 not in even[: len(even) // 2 or 1]:
        return "utf-16-le"
    if even.count(0) + even.count(4) > 0.7 * len(even) and 0 not in odd[: len(odd) // 2 or 1]:
        return "utf-16-be"
    return None


def _looks_like_text(text: str) -> bool:
    if "\x00" in text:
        return False
    sample = text[:200_000]
    controls = sum(ch in _CONTROL for ch in sample)
    if controls > _MAX_CONTROL_SHARE * len(sample):
        return False
    visible = [ch for ch in sample if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    replaced = sample.count("\ufffd")
    return (
        bool(visible)
        and letters >= _MIN_LETTER_SHARE * len(visible)
        and replaced < 0.05 * len(visible)
    )


def split_items(text: str) -> list[Item]:
    """Lines with a tab are table rows; the rest is prose. Blank lines start a new segment."""
    items: list[Item] = []
    segment = 0
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"Строка {number}"
        if "\t" in line:
            items.append(SourceRow(tuple(line.split("\t")), where, segment))
            continue
        if items and isinstance(items[-1], SourceRow):
            # A page break (or any prose) between rows: the next page may shift its cells
            # differently, so phantom columns are judged page by page.
            segment += 1
        items.append(Paragraph(line.strip(), where))
    return items
