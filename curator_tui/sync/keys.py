"""Device keys: Ed25519 signing keys in OpenSSH format and age (X25519) identities.

Private key files are written atomically with mode 0600 and are never silently replaced.
Public keys travel as one OpenSSH line (``ssh-ed25519 AAAA… comment``); the fingerprint is
spelled exactly as ``ssh-keygen -lf`` prints it, so people can compare them by eye.

An exported key file (``curator keys export``) adds the device's age recipient on a comment
line, so whoever trusts the key can also encrypt to it without typing ``age1…``::

    ssh-ed25519 AAAA… Ноутбук координатора
    # age-recipient: age1…

``ssh-keygen -lf`` and older releases skip the comment line, so the file stays an ordinary
``.pub``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import x25519

from curator_tui.domain.os_errors import os_error_text
from curator_tui.durable import atomic_write_bytes
from curator_tui.sync._wire import WireFormatError, WireReader, encode_string
from curator_tui.sync.errors import KeyFileError

ED25519_KEY_TYPE = "ssh-ed25519"
ED25519_PUBLIC_KEY_SIZE = 32
PRIVATE_KEY_MODE = 0o600
PUBLIC_FILE_MODE = 0o644
MAX_KEY_FILE_SIZE = 64 * 1024
MAX_PUBLIC_KEY_BLOB = 1024
# Distinct public keys parsed per process: a hub's whole trust list and the keys its bundles name.
PARSED_KEYS_CACHED = 8192

# --- Ed25519 device keys -------------------------------------------------------------------


def generate_device_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """The key as an unencrypted ``-----BEGIN OPENSSH PRIVATE KEY-----`` block."""
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.OpenSSH,
        encryption_algorithm=serialization.NoEncryption(),
    )


def save_private_key(key: Ed25519PrivateKey, path: Path, *, overwrite: bool = False) -> None:
    """Write the key (mode 0600, atomically); refuse to replace an existing key file."""
    try:
        atomic_write_bytes(
            Path(path), private_key_pem(key), mode=PRIVATE_KEY_MODE, overwrite=overwrite
        )
    except FileExistsError as exc:
        raise KeyFileError(f"Файл ключа уже существует и не будет заменён: {path}") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an unencrypted OpenSSH Ed25519 private key (ours or one made by ssh-keygen)."""
    data = _read_small_file(Path(path), "ключа устройства")
    try:
        key = serialization.load_ssh_private_key(data, password=None)
    except TypeError as exc:  # raised for passphrase-protected keys
        raise KeyFileError(f"Ключ {path} защищён паролем; такие ключи не поддерживаются") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"Файл {path} не является ключом OpenSSH или повреждён") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"Ключ {path} не Ed25519; нужен ключ типа ssh-ed25519")
    return key


def public_key_blob(key: Ed25519PublicKey) -> bytes:
    """SSH wire encoding of the public key: ``string "ssh-ed25519" || string key``."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return encode_string(ED25519_KEY_TYPE.encode()) + encode_string(raw)


@functools.lru_cache(maxsize=PARSED_KEYS_CACHED)
def public_key_from_blob(blob: bytes) -> Ed25519PublicKey:
    """Parse an SSH public key blob; ``ValueError`` unless it is a well-formed Ed25519 key.

    Each key once per process (keys are immutable): importing a bundle meets its signer's key
    in the signature, the manifest, the trust entry and the authorship proofs, and a hub's
    import run meets each school's key in every bundle of that school."""
    reader = WireReader(blob)
    try:
        key_type = reader.read_string(64)
        raw = reader.read_string(MAX_PUBLIC_KEY_BLOB)
        reader.expect_end()
    except WireFormatError as exc:
        raise ValueError(f"malformed public key blob: {exc}") from exc
    if key_type != ED25519_KEY_TYPE.encode() or len(raw) != ED25519_PUBLIC_KEY_SIZE:
        raise ValueError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_key_line(key: Ed25519PublicKey, comment: str = "") -> str:
    """``ssh-ed25519 AAAA… comment`` — the line of an ``.pub`` or ``authorized_keys`` file."""
    if any(ch in comment for ch in "\r\n\0"):
        raise ValueError("a key comment must be a single line")
    encoded = base64.b64encode(public_key_blob(key)).decode("ascii")
    line = f"{ED25519_KEY_TYPE} {encoded}"
    return f"{line} {comment}" if comment else line


def parse_public_key_line(line: str) -> tuple[Ed25519PublicKey, str]:
    """Parse ``ssh-ed25519 AAAA… [comment]``; raises ``KeyFileError`` on anything else."""
    parts = line.strip().split(maxsplit=2)
    if len(parts) < 2 or parts[0] != ED25519_KEY_TYPE:
        raise KeyFileError("Открытый ключ должен начинаться с «ssh-ed25519 »")
    try:
        blob = base64.b64decode(parts[1], validate=True)
        key = public_key_from_blob(blob)
    except (binascii.Error, ValueError) as exc:
        raise KeyFileError("Открытый ключ повреждён") from exc
    return key, parts[2] if len(parts) == 3 else ""


def save_public_key(
    key: Ed25519PublicKey, path: Path, comment: str = "", *, age_recipient: str | None = None
) -> None:
    """Write the ``.pub`` file; with `age_recipient`, the comment line that carries it."""
    text = public_key_line(key, comment) + "\n"
    if age_recipient:
        text += f"{AGE_RECIPIENT_PREFIX}{age_recipient}\n"
    atomic_write_bytes(Path(path), text.encode("utf-8"), mode=PUBLIC_FILE_MODE)


AGE_RECIPIENT_PREFIX = "# age-recipient: "


def age_recipient_in(key_file_text: str) -> str | None:
    """The age recipient a key file carries (`save_public_key`), if any and well formed."""
    for line in key_file_text.splitlines():
        if line.startswith(AGE_RECIPIENT_PREFIX):
            candidate = line[len(AGE_RECIPIENT_PREFIX) :].strip()
            try:
                x25519.Recipient.from_str(candidate)
            except Exception:  # pyrage raises its own RecipientError
                return None
            return candidate
    return None


def fingerprint(key: Ed25519PublicKey) -> str:
    """``SHA256:<base64 without padding>`` exactly as ``ssh-keygen -lf`` prints it."""
    digest = hashlib.sha256(public_key_blob(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def device_id_for(key: Ed25519PublicKey) -> str:
    """The id of a device made with this key: the first 32 hex digits of the SHA-256 that
    `fingerprint` prints in base64. A key binds such an id by itself (sync/authorship.py)."""
    return hashlib.sha256(public_key_blob(key)).hexdigest()[:32]


def same_public_key(a: Ed25519PublicKey, b: Ed25519PublicKey) -> bool:
    return public_key_blob(a) == public_key_blob(b)


# --- age identities (encryption of bundles) -----------------------------------------------

AGE_SECRET_PREFIX = "AGE-SECRET-KEY-1"


def generate_age_identity() -> x25519.Identity:
    return x25519.Identity.generate()


def age_recipient(identity: x25519.Identity) -> str:
    """The public ``age1…`` string others encrypt to."""
    return str(identity.to_public())


def age_identity_text(identity: x25519.Identity, *, created: datetime | None = None) -> str:
    """The identity file as ``age-keygen`` writes it (usable by ``age -d -i FILE``)."""
    stamp = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"# created: {stamp}\n# public key: {age_recipient(identity)}\n{identity}\n"


def save_age_identity(identity: x25519.Identity, path: Path, *, overwrite: bool = False) -> None:
    """Write the identity (mode 0600, atomically); refuse to replace an existing file."""
    try:
        atomic_write_bytes(
            Path(path),
            age_identity_text(identity).encode("ascii"),
            mode=PRIVATE_KEY_MODE,
            overwrite=overwrite,
        )
    except FileExistsError as exc:
        raise KeyFileError(f"Файл ключа уже существует и не будет заменён: {path}") from exc


def load_age_identity(path: Path) -> x25519.Identity:
    """Read an age identity file holding exactly one ``AGE-SECRET-KEY-1…`` line."""
    data = _read_small_file(Path(path), "ключа шифрования")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise KeyFileError(f"Файл {path} не является ключом age") from exc
    secrets = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(secrets) != 1 or not secrets[0].startswith(AGE_SECRET_PREFIX):
        raise KeyFileError(f"Файл {path} должен содержать ровно один ключ AGE-SECRET-KEY-1…")
    try:
        return x25519.Identity.from_str(secrets[0])
    except Exception as exc:  # pyrage raises its own IdentityError
        raise KeyFileError(f"Ключ age в файле {path} повреждён") from exc


def _read_small_file(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_SIZE + 1)
    except FileNotFoundError as exc:
        raise KeyFileError(f"Не найден файл {what}: {path}") from exc
    except OSError as exc:
        raise KeyFileError(
            f"Не удалось прочитать файл {what} {path}: {os_error_text(exc)}"
        ) from exc
    if len(data) > MAX_KEY_FILE_SIZE:
        raise KeyFileError(f"Файл {what} {path} слишком велик для ключа")
    return data
