"""Text from a document or a bundle made safe to show: nothing in it can steer a terminal.

A note, a device name or a roadmap title is written by someone else. Shown raw, an escape
sequence in it retitles or clears the user's terminal, a bidi override reverses what follows
it, and an invisible character makes two different names look alike. Every face shows such
text through `safe_text` (one line: a label, a name) or `safe_lines` (multi-line: a note),
which replace each such character by a visible placeholder: C0 controls by their control
pictures («␛» for ESC, «␇» for BEL), everything else by its code point («⟨U+202E⟩»).

Pure and cheap (one regular-expression scan; text without such characters comes back as the
same object), so the app's first paint may use it. Imports nothing of ours.
"""

from __future__ import annotations

import re

# Invisible format characters (Unicode category Cf, soft hyphen excepted: Word documents are
# full of it and it only marks where a word may break), bidi controls among them; line and
# paragraph separators; lone surrogates (they cannot even be encoded for output).
_FORMAT = (
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\ud800-\udfff"
)
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_UNSAFE_LINE = re.compile(f"[\t\n{_CONTROLS}{_FORMAT}]")
_UNSAFE_LINES = re.compile(f"[{_CONTROLS}{_FORMAT}]")
_DEL_PICTURE = "\u2421"  # ␡


def placeholder(char: str) -> str:
    """What is shown instead of `char`: «␛» for a C0 control, «⟨U+202E⟩» for the rest."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return _DEL_PICTURE
    return f"⟨U+{code:04X}⟩"


def _replace(match: re.Match[str]) -> str:
    return placeholder(match.group())


def safe_text(text: str) -> str:
    """One line: every control (newline and tab too) and invisible character made visible."""
    return _UNSAFE_LINE.sub(_replace, text) if _UNSAFE_LINE.search(text) else text


def safe_lines(text: str) -> str:
    """Like `safe_text`, but newlines and tabs stay: for notes and whole reports."""
    return _UNSAFE_LINES.sub(_replace, text) if _UNSAFE_LINES.search(text) else text


def is_safe(text: str) -> bool:
    """True when `safe_lines` would leave `text` as it is."""
    return _UNSAFE_LINES.search(text) is None
