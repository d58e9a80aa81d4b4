"""How much a bundle may carry: every limit on reading one, named once (docs/bundle-format.md).

A bundle is hostile input even when its signature checks out (a trusted key can be stolen), so
each limit is enforced before the bytes it guards are decoded or written: entry sizes and
counts from the ZIP central directory before an entry is read, the number of ops, the length
of each op's line and its nesting depth before the JSON decoder sees it. The depth is found
without recursion, so a value nested a million levels deep costs one scan, not a stack.

Only the evidence file size is a matter of taste (a video of a school event can be large): a
coordinator raises it with `curator import --max-evidence-size`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

MAX_ENTRIES = 100_000  # ZIP entries: ops, manifest, signature and the evidence files
MAX_CENTRAL_DIRECTORY = 64 * MIB
MAX_MANIFEST_SIZE = 1 * MIB  # manifest.json, and manifest.json.sig
MAX_MANIFEST_DEPTH = 6  # nesting of the manifest's JSON (ours: 3)
MAX_BUNDLE_TOTAL = 64 * GIB  # the sum of all entries' sizes
MAX_EVIDENCE_SIZE = 2 * GIB  # one evidence file (default; raisable)
MAX_OPS = 200_000  # operations in one bundle
MAX_OPS_SIZE = 128 * MIB  # ops.jsonl
MAX_OP_SIZE = 1 * MIB  # one line of ops.jsonl, UTF-8 bytes
MAX_VALUE_DEPTH = 4  # nesting of lists and objects inside an op's value (ours: 2)
MAX_TEXT = 100_000  # characters of one text value (a note, a title, a JSON field's text)
MAX_LIST = 10_000  # items of one list value
# Digests of left-out ops in an author's `passed` (~75 bytes each in the 1 MiB manifest; an
# export keeps all authors' together within it).
MAX_PASSED = 12_000


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits one read of a bundle enforces: the defaults, or a coordinator's choice."""

    max_evidence_size: int = MAX_EVIDENCE_SIZE
    max_bundle_total: int = MAX_BUNDLE_TOTAL
    max_ops: int = MAX_OPS
    max_ops_size: int = MAX_OPS_SIZE


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class PartLimits:
    """What one bundle an export writes may hold, so that any receiver takes it: an export
    whose pending set is bigger is written as several bundles (sync/exporting.py). A test
    lowers them to split small exports."""

    max_ops: int = MAX_OPS
    max_ops_size: int = MAX_OPS_SIZE
    max_passed: int = MAX_PASSED
    # Below MAX_MANIFEST_SIZE by what the container adds when it writes the manifest.
    max_manifest_size: int = MAX_MANIFEST_SIZE - 16 * KIB


DEFAULT_PART_LIMITS = PartLimits()

# Escapes first (so every quote left delimits a string), then strings (a bracket inside one
# nests nothing): linear in the text whatever it holds, unlike a regex matching whole strings.
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether any list or object in the JSON `text` is nested deeper than `max_depth`.

    Counts brackets outside strings, with no recursion; for text that is not JSON the answer
    is only a bound, and the decoder refuses such text anyway.
    """
    if text.count("[") + text.count("{") <= max_depth:  # nearly every op line
        return False
    outside_strings = "".join(_ESCAPE.sub("", text).split('"')[0::2])
    brackets = _NOT_BRACKET.sub("", outside_strings)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > max_depth


def size_text(size: int) -> str:
    """«2 ГБ», «128 МБ», «512 КБ», «700 байт»: a limit as a person reads it."""
    for unit, label in ((GIB, "ГБ"), (MIB, "МБ"), (KIB, "КБ")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {label}"
    return f"{size} байт"


_SIZE = re.compile(r"\s*([0-9]+)\s*([KMGT]?)I?B?\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": KIB, "M": MIB, "G": GIB, "T": 1024 * GIB}


def parse_size(text: str) -> int | None:
    """«5G», «500M», «2048» (bytes) → bytes; None if it is not such a size."""
    match = _SIZE.fullmatch(text)
    if match is None:
        return None
    return int(match.group(1)) * _UNITS[match.group(2).upper()]
