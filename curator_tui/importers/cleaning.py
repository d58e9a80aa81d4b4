"""Cell and line text as a person would read it: no markup, no stray whitespace."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Only text that really carries a tag or an entity goes through the parser, so that a
# plain «< 50 %» or «ООО "Ромашка" & Co» is never mangled.
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "td", "th", "ul", "ol", "h1", "h2", "h3"})
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")
_MARKDOWN_BOLD = re.compile(r"\*\*|__")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def strip_html(text: str) -> str:
    if not _MARKUP.search(text):
        return text
    collector = _TextCollector()
    collector.feed(text)
    collector.close()
    return "".join(collector.parts)


def collapse(text: str) -> str:
    """One space between words; soft hyphens and zero-width marks removed."""
    return " ".join(_INVISIBLE.sub("", text).split())


def clean_cell(text: str) -> str:
    return collapse(strip_html(text))


def clean_line(text: str) -> str:
    """A prose line: like a cell, and bold markers of a Markdown export dropped."""
    return collapse(_MARKDOWN_BOLD.sub("", strip_html(text)))


def join_fragments(first: str, second: str) -> str:
    """Glue a cell's continuation onto its beginning, as the page break had split it."""
    if not first:
        return second
    if not second:
        return first
    # «мастер-» + «классов» was one word hyphenated across the break.
    if first.endswith("-") and first[-2:-1].isalpha() and second[:1].islower():
        return first + second
    return f"{first} {second}"
