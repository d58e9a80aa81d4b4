"""What export and import share: bundle kinds, the manifest's fields, progress reports.

The container (`container.py`) owns the format, version, bundle id and entry list of the
manifest; this module owns the fields that say what the bundle is about (docs/bundle-format.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from curator_tui.sync.errors import BundleError
from curator_tui.sync.limits import MAX_PASSED
from curator_tui.sync.manifest import CONTAINER_KEYS
from curator_tui.sync.oprules import ID_PATTERN, MAX_SEQ

SUFFIX = ".curator"
AGE_SUFFIX = ".age"
SOFTWARE = "curator-tui"


class BundleKind(StrEnum):
    CHANGES = "changes"
    ROADMAP = "roadmap"

    @property
    def label(self) -> str:
        return "изменения" if self is BundleKind.CHANGES else "дорожная карта"


# --- progress -----------------------------------------------------------------------------

STAGE_LABELS = {
    "collect": "Сбор изменений",
    "write": "Запись пакета",
    "encrypt": "Шифрование",
    "decrypt": "Расшифровка",
    "verify": "Проверка пакета",
    "apply": "Запись в базу",
}


@dataclass(frozen=True)
class SyncProgress:
    """One step of a long bundle run; `done`/`total` are bytes (or ops while collecting)."""

    stage: str
    done: int
    total: int

    @property
    def label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)

    @property
    def fraction(self) -> float:
        return 1.0 if self.total <= 0 else min(1.0, self.done / self.total)


ProgressCallback = Callable[[SyncProgress], None]


class ByteCounter:
    """Turns per-chunk byte counts into SyncProgress reports for one stage."""

    def __init__(self, stage: str, total: int, report: ProgressCallback | None) -> None:
        self.stage = stage
        self.total = total
        self.done = 0
        self.report = report

    def __call__(self, length: int) -> None:
        self.done += length
        if self.report is not None:
            self.report(SyncProgress(self.stage, self.done, self.total))

    def start(self) -> None:
        if self.report is not None:
            self.report(SyncProgress(self.stage, 0, self.total))


# --- the manifest's own fields --------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DeviceInfo(_Strict):
    name: str = Field(max_length=200)
    role: str = Field(max_length=40)
    public_key: str = Field(default="", max_length=200)


class SignerDevice(DeviceInfo):
    id: str = Field(pattern=ID_PATTERN.pattern)
    organisation_id: str | None = Field(default=None, max_length=200)


class DeviceRange(_Strict):
    """The sequence numbers of one device a bundle covers: from ≤ seq ≤ to."""

    start: int = Field(alias="from", ge=1, le=MAX_SEQ)
    end: int = Field(alias="to", ge=1, le=MAX_SEQ)

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> DeviceRange:
        if self.start > self.end:
            raise ValueError("from > to")
        return self

    def to_json(self) -> dict[str, int]:
        return {"from": self.start, "to": self.end}


_HEX64 = r"^[0-9a-f]{64}$"
_SEQ_KEY = re.compile(r"[1-9][0-9]{0,15}")


class Authorship(_Strict):
    """An author's proof for its ops in the bundle (docs/bundle-format.md, «Authorship»):
    the chain value before `from`, the attestation (seq, head, sig) by `key`, and the digests
    of the seqs in from…seq the bundle does not carry (`passed`)."""

    key: str = Field(max_length=200)
    start: int = Field(alias="from", ge=1, le=MAX_SEQ)
    seq: int = Field(ge=1, le=MAX_SEQ)
    base: str = Field(pattern=_HEX64)
    head: str = Field(pattern=_HEX64)
    sig: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")
    passed: dict[str, str] = Field(default_factory=dict, max_length=MAX_PASSED)

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> Authorship:
        if self.start > self.seq:
            raise ValueError("from > seq")
        for seq, digest in self.passed.items():
            if not _SEQ_KEY.fullmatch(seq) or not self.start <= int(seq) <= self.seq:
                raise ValueError("bad passed seq")
            if not re.fullmatch(_HEX64, digest):
                raise ValueError("bad passed digest")
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "from": self.start,
            "seq": self.seq,
            "base": self.base,
            "head": self.head,
            "sig": self.sig,
            "passed": dict(sorted(self.passed.items(), key=lambda item: int(item[0]))),
        }


class Counts(_Strict):
    ops: int = Field(ge=0)
    evidence_files: int = Field(ge=0)
    evidence_bytes: int = Field(ge=0)


class BundleInfo(_Strict):
    """Everything the manifest says beyond its entries; signed with them."""

    kind: BundleKind
    created_at: str = Field(max_length=40)
    software: str = Field(max_length=80)
    device: SignerDevice
    organisations: list[str] = Field(max_length=100_000)
    organisation_names: dict[str, str]
    ranges: dict[str, DeviceRange]
    devices: dict[str, DeviceInfo]
    counts: Counts
    # device → the highest seq up to which the signer holds its whole history (manifest.py).
    holds: dict[str, int] = Field(default_factory=dict)
    # device → the proof that its ops in the bundle are its own (absent in older bundles).
    authors: dict[str, Authorship] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ids(self) -> BundleInfo:
        for device_id in (*self.ranges, *self.devices, *self.holds, *self.authors):
            if not ID_PATTERN.fullmatch(device_id):
                raise ValueError("bad device id")
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "created_at": self.created_at,
            "software": self.software,
            "device": self.device.model_dump(exclude_none=True),
            "organisations": list(self.organisations),
            "organisation_names": dict(self.organisation_names),
            "ranges": {d: r.to_json() for d, r in sorted(self.ranges.items())},
            "devices": {d: i.model_dump() for d, i in sorted(self.devices.items())},
            "counts": self.counts.model_dump(),
            "holds": dict(sorted(self.holds.items())),
            **(
                {"authors": {d: a.to_json() for d, a in sorted(self.authors.items())}}
                if self.authors
                else {}
            ),
        }


def bundle_info(manifest: dict[str, Any]) -> BundleInfo:
    """The manifest's own fields, validated; raises BundleError."""
    fields = {k: v for k, v in manifest.items() if k not in CONTAINER_KEYS}
    try:
        # Through JSON: strict mode then takes enum values as strings but no type coercion.
        return BundleInfo.model_validate_json(json.dumps(fields, ensure_ascii=False))
    except ValidationError as exc:
        raise BundleError("Опись пакета повреждена: неверные сведения о содержимом") from exc
