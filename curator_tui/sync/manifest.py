"""The bundle manifest: entry names, canonical JSON, and validation of what a bundle claims.

The manifest is the only signed part of a bundle; it lists every other entry with its size and
SHA-256, so checking the signature over its exact bytes authenticates the whole bundle.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from curator_tui.domain.fields import VOCABULARY_VERSION
from curator_tui.sync.errors import BundleError

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.sig"
OPS_NAME = "ops.jsonl"
EVIDENCE_PREFIX = "evidence/"
FORMAT_NAME = "curator-bundle"
FORMAT_VERSION = 1

EVIDENCE_NAME = re.compile(r"evidence/([0-9a-f]{64})")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_BUNDLE_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
# The keys the container writes; everything else in a manifest is the bundle's description.
CONTAINER_KEYS = frozenset(
    {"format", "format_version", "vocabulary_version", "bundle_id", "entries"}
)
# A bundle written before the vocabulary had a version (no key) speaks version 1.
FIRST_VOCABULARY = 1
NEWER_VOCABULARY = (
    "пакет создан более новой версией программы — обновите «Куратор» на этом компьютере "
    "и импортируйте пакет снова"
)
HOLDS_KEY = "holds"
MAX_HOLDS = 10_000  # devices a bundle may claim; ~50 bytes each within the 1 MiB manifest
MAX_HELD_SEQ = 2**53
_DEVICE_ID = re.compile(r"[0-9a-f]{32}")


def evidence_name(sha256_hex: str) -> str:
    if not _SHA256_HEX.fullmatch(sha256_hex):
        raise ValueError(f"not a lowercase SHA-256 hex digest: {sha256_hex!r}")
    return EVIDENCE_PREFIX + sha256_hex


def is_allowed_name(name: str) -> bool:
    """The strict set of entry names; anything else (``..``, ``/x``, ``a\\b``, dirs) is refused."""
    return name in (MANIFEST_NAME, SIGNATURE_NAME, OPS_NAME) or bool(EVIDENCE_NAME.fullmatch(name))


@dataclass(frozen=True, slots=True)
class EntryInfo:
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size}


def canonical_json(value: Any) -> bytes:
    """The one byte form of a manifest: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def new_bundle_id() -> str:
    return uuid.uuid4().hex


def build_manifest(
    *,
    bundle_id: str,
    entries: Mapping[str, EntryInfo],
    extra: Mapping[str, Any] | None = None,
    vocabulary: int | None = VOCABULARY_VERSION,
) -> dict[str, Any]:
    """The manifest dict; ``extra`` (school, device, sequence range …) is carried as given.

    ``vocabulary`` is the version of the field declaration the ops are written in
    (domain/fields.py); None leaves the key out, as releases before it did.
    """
    clash = CONTAINER_KEYS.intersection(extra or {})
    if clash:
        raise ValueError(f"manifest fields reserved by the container: {sorted(clash)}")
    if not _BUNDLE_ID.fullmatch(bundle_id):
        raise ValueError(f"bad bundle id: {bundle_id!r}")
    return {
        **(extra or {}),
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        **({} if vocabulary is None else {"vocabulary_version": vocabulary}),
        "bundle_id": bundle_id,
        "entries": {name: info.to_json() for name, info in sorted(entries.items())},
    }


def parse_manifest(data: bytes) -> dict[str, Any]:
    """Parse and validate manifest bytes; raises ``BundleError``. Must be canonical JSON."""
    try:
        manifest = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad_manifest("не читается") from exc
    if not isinstance(manifest, dict):
        raise _bad_manifest("не является объектом JSON")
    if manifest.get("format") != FORMAT_NAME:
        raise _bad_manifest("это не опись пакета «Куратора»")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BundleError(
            f"Пакет сделан другой версией программы (формат {manifest.get('format_version')!r}); "
            "обновите «Куратор»"
        )
    if not isinstance(manifest.get("bundle_id"), str) or not _BUNDLE_ID.fullmatch(
        manifest["bundle_id"]
    ):
        raise _bad_manifest("неверный идентификатор пакета")
    vocabulary = manifest.get("vocabulary_version", FIRST_VOCABULARY)
    if type(vocabulary) is not int or vocabulary < FIRST_VOCABULARY:
        raise _bad_manifest("неверная версия словаря полей")
    manifest_entries(manifest)
    manifest_holds(manifest)
    if canonical_json(manifest) != data:
        raise _bad_manifest("записана не в каноническом виде")
    return manifest


def is_newer_vocabulary(manifest: Mapping[str, Any]) -> bool:
    """Written in fields, entities or enum values this program may not know: refused as a
    whole (a value we have not heard of is not a bad one), never read in part."""
    stated: int = manifest.get("vocabulary_version", FIRST_VOCABULARY)  # parse_manifest checked it
    return stated > VOCABULARY_VERSION


def manifest_entries(manifest: Mapping[str, Any]) -> dict[str, EntryInfo]:
    raw = manifest.get("entries")
    if not isinstance(raw, dict):
        raise _bad_manifest("нет списка записей")
    entries: dict[str, EntryInfo] = {}
    for name, info in raw.items():
        if name in (MANIFEST_NAME, SIGNATURE_NAME) or not is_allowed_name(name):
            raise _bad_manifest(f"недопустимое имя записи «{name[:80]}»")
        if not isinstance(info, dict) or set(info) != {"sha256", "size"}:
            raise _bad_manifest(f"неверное описание записи «{name}»")
        size, digest = info["size"], info["sha256"]
        if (
            type(size) is not int
            or size < 0
            or not isinstance(digest, str)
            or not (_SHA256_HEX.fullmatch(digest))
        ):
            raise _bad_manifest(f"неверное описание записи «{name}»")
        entries[name] = EntryInfo(size=size, sha256=digest)
    if OPS_NAME not in entries:
        raise _bad_manifest(f"нет записи {OPS_NAME}")
    return entries


def manifest_holds(manifest: Mapping[str, Any]) -> dict[str, int]:
    """`holds`: {device id: the highest seq up to which the signer holds that device's whole
    history}. Absent in older bundles ({}); anything but that exact shape is refused."""
    raw = manifest.get(HOLDS_KEY, {})
    if not isinstance(raw, dict) or len(raw) > MAX_HOLDS:
        raise _bad_holds("их больше, чем бывает, или они записаны не списком")
    for device_id, seq in raw.items():
        if not _DEVICE_ID.fullmatch(device_id):
            raise _bad_holds(f"неверный идентификатор устройства «{device_id[:40]}»")
        if type(seq) is not int or not 0 <= seq <= MAX_HELD_SEQ:
            raise _bad_holds(f"неверный номер изменения у устройства {device_id[:8]}")
    return dict(raw)


def _bad_holds(reason: str) -> BundleError:
    return _bad_manifest(f"сведения о том, что есть у отправителя (holds): {reason}")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def _bad_manifest(reason: str) -> BundleError:
    return BundleError(f"Опись пакета повреждена: {reason}")
