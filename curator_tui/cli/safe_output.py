"""The CLI's last line of defence: whatever it prints reaches the terminal neutralised.

Names and notes from bundles and documents are made safe where they are put into sentences
(views, `domain.safe_text`); this wrapper around stdout and stderr catches every other path
(an error message quoting a file name, a title in `curator activities`), so no command can
write an escape sequence, whichever line forgot. Newlines and tabs pass: output is multi-line.
JSON output is unaffected in meaning: `json.dump` already writes controls as \\u escapes, and
the placeholders are ordinary characters, valid inside a JSON string.

It also never lets a console's code page fail a command: a Windows console reached through
a pipe or a file, or a legacy one, writes cp1251 or cp866, which have no ✓ or ✗ (cp866 no
«» — … either). The streams get an error handler that writes those as ASCII look-alikes
and anything else unwritable as «?», instead of raising UnicodeEncodeError mid-output:
from the moment the CLI imports this module (so argparse's --help and usage errors too),
and again for the streams a command runs with (tests swap them).
"""

from __future__ import annotations

import codecs
import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast

from curator_tui.domain.safe_text import safe_lines

# What a symbol the console cannot write becomes (every other one becomes «?»).
ASCII_FALLBACKS = {
    "✓": "+",
    "✔": "+",
    "✗": "x",
    "✘": "x",
    "…": "...",
    "—": "-",
    "–": "-",
    "«": '"',
    "»": '"',
    "„": '"',
    "“": '"',
    "”": '"',
    "№": "N",
    "•": "*",
    "·": "*",
    "→": "->",
    "←": "<-",
    "≥": ">=",
    "≤": "<=",
    "\u00a0": " ",
}
FALLBACK_ERRORS = "curator-ascii-fallback"


def ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: the unwritable characters as their ASCII look-alikes."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    unwritable = error.object[error.start : error.end]
    return "".join(ASCII_FALLBACKS.get(ch, "?") for ch in unwritable), error.end


codecs.register_error(FALLBACK_ERRORS, ascii_fallback)


class SafeStream:
    """A text stream that writes through `safe_lines`; everything else goes to the original."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(safe_lines(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer …
        return getattr(self.inner, name)


@contextlib.contextmanager
def safe_output() -> Iterator[None]:
    """stdout and stderr neutralised, and unable to fail on the console's code page, while a
    command runs (both restored afterwards, for tests)."""
    out, err = sys.stdout, sys.stderr
    with never_unencodable(out), never_unencodable(err):
        sys.stdout, sys.stderr = cast(TextIO, SafeStream(out)), cast(TextIO, SafeStream(err))
        try:
            yield
        finally:
            sys.stdout, sys.stderr = out, err


def write_fallbacks_from_now_on(stream: TextIO) -> None:
    """`stream` writes what its encoding lacks through `ascii_fallback` (if it can be told)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors=FALLBACK_ERRORS)


@contextlib.contextmanager
def never_unencodable(stream: TextIO) -> Iterator[None]:
    """`stream` writes what its encoding lacks through `ascii_fallback`, while inside.
    A stream that cannot be reconfigured (a StringIO, a test's stand-in) is left alone:
    it holds str, not bytes of some code page."""
    reconfigure = getattr(stream, "reconfigure", None)
    previous = getattr(stream, "errors", None)
    if reconfigure is None or previous is None:
        yield
        return
    reconfigure(errors=FALLBACK_ERRORS)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # closed meanwhile
            reconfigure(errors=previous)


write_fallbacks_from_now_on(sys.stdout)
write_fallbacks_from_now_on(sys.stderr)
