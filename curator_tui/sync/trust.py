"""The trust list: an OpenSSH ``allowed_signers`` file beside the database.

Each trusted key is one ``allowed_signers`` line, preceded by a comment carrying the facts
OpenSSH has no field for::

    # curator-trust: {"display_name":"…","fingerprint":"SHA256:…","organisation_id":"…",…}
    ivanova-m-1a2b3c4d namespaces="curator-bundle@v1",valid-before="20270101" ssh-ed25519 AAAA…

``ssh-keygen`` skips comments, so ``ssh-keygen -Y verify -f trust -I principal
-n curator-bundle@v1`` works on the very same file. ``valid_until`` is the last day on which a
key is trusted; OpenSSH's ``valid-before`` is therefore the day after it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from curator_tui.domain.models import ANY_ORGANISATION as ANY_ORGANISATION
from curator_tui.domain.models import TrustRole as TrustRole
from curator_tui.domain.ops import canonical_json
from curator_tui.domain.os_errors import os_error_text
from curator_tui.durable import atomic_write_bytes
from curator_tui.sync.errors import KeyFileError, TrustError
from curator_tui.sync.keys import (
    fingerprint,
    parse_public_key_line,
    public_key_blob,
    public_key_line,
)
from curator_tui.sync.sshsig import BUNDLE_NAMESPACE

META_PREFIX = "# curator-trust: "
TRUST_FILE_MODE = 0o644
MAX_TRUST_FILE_SIZE = 8 * 1024 * 1024
PRINCIPAL_PATTERN = r"^[a-z0-9][a-z0-9._@+-]{0,127}$"

_FILE_HEADER = (
    "# Список доверия «Куратора»: формат OpenSSH allowed_signers.\n"
    "# Проверка вручную: ssh-keygen -Y verify -f ЭТОТ_ФАЙЛ -I ПРИНЦИПАЛ "
    f"-n {BUNDLE_NAMESPACE} -s manifest.json.sig < manifest.json\n"
    "# Не редактируйте вручную: строки «# curator-trust:» обязательны.\n"
)


class TrustEntry(BaseModel):
    """One trusted signing key and what it may sign for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    principal: str = Field(pattern=PRINCIPAL_PATTERN)
    public_key: str  # "ssh-ed25519 AAAA…", normalised, without comment
    display_name: str = Field(min_length=1, max_length=200)
    organisation_id: str = Field(min_length=1, max_length=200)  # or "*" for any
    role: TrustRole
    valid_until: date | None = None  # last day the key is trusted, inclusive

    @field_validator("public_key")
    @classmethod
    def _normalise_key(cls, value: str) -> str:
        try:
            key, _comment = parse_public_key_line(value)
        except KeyFileError as exc:
            raise ValueError(str(exc)) from exc
        return public_key_line(key)

    @field_validator("display_name", "organisation_id")
    @classmethod
    def _single_line(cls, value: str) -> str:
        if value != value.strip() or any(ch in value for ch in "\r\n\0"):
            raise ValueError("must be a single line without surrounding spaces")
        return value

    @model_validator(mode="after")
    def _school_keys_need_a_school(self) -> TrustEntry:
        if self.role is TrustRole.SCHOOL and self.organisation_id == ANY_ORGANISATION:
            raise ValueError("a school key must be bound to one organisation")
        return self

    @classmethod
    def for_key(
        cls,
        key: Ed25519PublicKey,
        *,
        display_name: str,
        organisation_id: str,
        role: TrustRole | str,
        valid_until: date | None = None,
        principal: str | None = None,
    ) -> TrustEntry:
        return cls(
            principal=principal or make_principal(display_name, key),
            public_key=public_key_line(key),
            display_name=display_name,
            organisation_id=organisation_id,
            role=TrustRole(role),
            valid_until=valid_until,
        )

    @property
    def key(self) -> Ed25519PublicKey:
        return parse_public_key_line(self.public_key)[0]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)

    @property
    def valid_before(self) -> date | None:
        """OpenSSH's exclusive bound: the day after ``valid_until``."""
        return None if self.valid_until is None else self.valid_until + timedelta(days=1)


# --- principals ----------------------------------------------------------------------------

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "iu",
            "ia",
        ],
        strict=True,
    )
)


def slugify(text: str, *, limit: int = 40) -> str:
    """Lower-case Latin letters, digits and dashes: «МБОУ СОШ № 5» → «mbou-sosh-5»."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:limit].strip("-")


def make_principal(display_name: str, key: Ed25519PublicKey) -> str:
    """A readable, space-free principal: transliterated name + 8 hex digits of the key hash."""
    slug = slugify(display_name) or "key"
    suffix = hashlib.sha256(public_key_blob(key)).hexdigest()[:8]
    return f"{slug}-{suffix}"


# --- the list ------------------------------------------------------------------------------


class TrustList:
    """The trusted keys, in file order. Load, change, save (atomically)."""

    def __init__(self, entries: Collection[TrustEntry] = ()) -> None:
        self._entries: list[TrustEntry] = []
        # Key line / principal → position: a hub trusts thousands of school keys, and a scan
        # per add made loading the file quadratic.
        self._by_key: dict[str, int] = {}
        self._by_principal: dict[str, int] = {}
        for entry in entries:
            self.add(entry)

    def __iter__(self) -> Iterator[TrustEntry]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> tuple[TrustEntry, ...]:
        return tuple(self._entries)

    @classmethod
    def load(cls, path: Path) -> TrustList:
        """Read the file; a missing file is an empty list. Raises ``TrustError`` if damaged."""
        try:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_TRUST_FILE_SIZE + 1)
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            raise TrustError(
                f"Не удалось прочитать список доверия {path}: {os_error_text(exc)}"
            ) from exc
        if len(data) > MAX_TRUST_FILE_SIZE:
            raise TrustError(f"Список доверия {path} слишком велик")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TrustError(f"Список доверия {path} повреждён: неверная кодировка") from exc
        return cls(_parse_trust_text(text))

    def save(self, path: Path) -> None:
        atomic_write_bytes(Path(path), self.render().encode("utf-8"), mode=TRUST_FILE_MODE)

    def render(self) -> str:
        blocks = [_FILE_HEADER] + [_render_entry(entry) for entry in self._entries]
        return "\n".join(blocks)

    def add(self, entry: TrustEntry, *, replace: bool = False) -> None:
        """Add a key; with ``replace=True`` an entry for the same key is updated in place."""
        same_key = self._index_of_key(entry.public_key)
        named = self._by_principal.get(entry.principal)
        if named is not None and named != same_key:
            raise TrustError(f"Имя «{entry.principal}» уже занято другим ключом")
        if same_key is None:
            self._entries.append(entry)
            self._reindex()
        elif replace:
            self._entries[same_key] = entry
            self._reindex()
        else:
            existing = self._entries[same_key]
            raise TrustError(f"Этот ключ уже есть в списке доверия («{existing.display_name}»)")

    def remove(self, fingerprint_or_principal: str) -> TrustEntry:
        for index, entry in enumerate(self._entries):
            if fingerprint_or_principal in (entry.fingerprint, entry.principal):
                removed = self._entries.pop(index)
                self._reindex()
                return removed
        raise TrustError(f"В списке доверия нет ключа «{fingerprint_or_principal}»")

    def find(self, public_key: Ed25519PublicKey) -> TrustEntry | None:
        index = self._index_of_key(public_key_line(public_key))
        return None if index is None else self._entries[index]

    def _index_of_key(self, key_line: str) -> int | None:
        return self._by_key.get(key_line)

    def _reindex(self) -> None:
        if len(self._by_key) + 1 == len(self._entries):  # appended: index just the new one
            last = len(self._entries) - 1
            self._by_key[self._entries[last].public_key] = last
            self._by_principal[self._entries[last].principal] = last
            return
        self._by_key = {e.public_key: i for i, e in enumerate(self._entries)}
        self._by_principal = {e.principal: i for i, e in enumerate(self._entries)}


def check_signer(
    entry: TrustEntry | None,
    *,
    school_id: str,
    today: date,
    roles: Collection[TrustRole] | None = None,
) -> None:
    """Refuse (``TrustError``) a signer that is unknown, expired, or bound to another school.

    ``roles``, when given, also limits which roles may sign this kind of data.
    """
    if entry is None:
        raise TrustError("Ключ подписи неизвестен: его нет в списке доверия")
    if entry.valid_until is not None and today > entry.valid_until:
        raise TrustError(
            f"Срок доверия ключу «{entry.display_name}» истёк {entry.valid_until:%d.%m.%Y}"
        )
    if entry.organisation_id not in (ANY_ORGANISATION, school_id):
        raise TrustError(
            f"Ключ «{entry.display_name}» доверен только для организации "
            f"«{entry.organisation_id}», а данные относятся к «{school_id}»"
        )
    if roles is not None and entry.role not in roles:
        raise TrustError(f"Роль ключа «{entry.display_name}» ({entry.role}) не позволяет это")


# --- file format ---------------------------------------------------------------------------


def _render_entry(entry: TrustEntry) -> str:
    meta = {
        "display_name": entry.display_name,
        "fingerprint": entry.fingerprint,
        "organisation_id": entry.organisation_id,
        "role": entry.role.value,
        "valid_until": None if entry.valid_until is None else entry.valid_until.isoformat(),
    }
    meta_json = canonical_json(meta)
    return f"{META_PREFIX}{meta_json}\n{_render_signer_line(entry)}\n"


def _render_signer_line(entry: TrustEntry) -> str:
    options = [f'namespaces="{BUNDLE_NAMESPACE}"']
    if entry.valid_before is not None:
        options.append(f'valid-before="{entry.valid_before:%Y%m%d}"')
    return f"{entry.principal} {','.join(options)} {entry.public_key}"


def _parse_trust_text(text: str) -> list[TrustEntry]:
    entries: list[TrustEntry] = []
    pending: tuple[int, dict[str, Any]] | None = None
    # "\n" only, as OpenSSH reads it: splitlines() would also break a display name at
    # U+2028 or U+0085, which JSON leaves unescaped.
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        if line.startswith(META_PREFIX.strip()):
            if pending is not None:
                raise _damaged(pending[0], "описание без ключа")
            pending = (number, _parse_meta(number, line))
        elif not line or line.startswith("#"):
            continue
        elif pending is None:
            raise _damaged(number, "ключ без строки «# curator-trust:»")
        else:
            entries.append(_entry_from_lines(number, pending[1], line))
            pending = None
    if pending is not None:
        raise _damaged(pending[0], "описание без ключа")
    return entries


def _parse_meta(number: int, line: str) -> dict[str, Any]:
    try:
        meta = json.loads(line.removeprefix(META_PREFIX.strip()))
    except json.JSONDecodeError as exc:
        raise _damaged(number, "описание не читается") from exc
    if not isinstance(meta, dict):
        raise _damaged(number, "описание не читается")
    return meta


def _entry_from_lines(number: int, meta: dict[str, Any], line: str) -> TrustEntry:
    parts = line.split()
    if len(parts) != 4:
        raise _damaged(number, "неожиданный формат строки ключа")
    principal, _options, key_type, key_b64 = parts
    expected_fingerprint = meta.pop("fingerprint", None)
    try:
        entry = TrustEntry(principal=principal, public_key=f"{key_type} {key_b64}", **meta)
    except (ValidationError, TypeError) as exc:
        raise _damaged(number, "неверные сведения о ключе") from exc
    if entry.fingerprint != expected_fingerprint:
        raise _damaged(number, "отпечаток ключа не совпадает с описанием")
    if _render_signer_line(entry) != " ".join(parts):
        raise _damaged(number, "строка ключа изменена вручную и не совпадает с описанием")
    return entry


def _damaged(number: int, reason: str) -> TrustError:
    return TrustError(f"Список доверия повреждён (строка {number}): {reason}")
