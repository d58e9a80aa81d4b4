"""The CLI's last line of defence: whatever it prints reaches the terminal neutralised.

Names and notes from bundles and documents are made safe where they are put into sentences
(views, `domain.safe_text`); this wrapper around stdout and stderr catches every other path
(an error message quoting a file name, a title in `curator activities`), so no command can
write an escape sequence, whichever line forgot. Newlines and tabs pass: output is multi-line.
JSON output is unaffected in meaning: `json.dump` already writes controls as \\u escapes, and
the placeholders are ordinary characters, valid inside a JSON string.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast

from curator_tui.domain.safe_text import safe_lines


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
    """stdout and stderr neutralised while a command runs (restored afterwards, for tests)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, SafeStream(out)), cast(TextIO, SafeStream(err))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
