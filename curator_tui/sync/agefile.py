"""Optional age encryption of a whole bundle file, streaming through pyrage's file API.

A bundle on a lost USB stick leaks nothing; ``age -d -i KEY FILE`` opens it by hand.
pyrage's file functions write through a Rust ``BufWriter`` whose final flush errors are lost,
and decryption writes partial plaintext before it notices damage (then raises ``OSError``):
so both directions write a temp file, check its size against the age format's arithmetic,
and delete it on any failure.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

import pyrage
from pyrage import ssh as age_ssh
from pyrage import x25519

from curator_tui.durable import fsync_directory, make_temp_path, remove_quietly
from curator_tui.sync.errors import BundleError

AGE_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"
_AGE_NONCE = 16
_AGE_TAG = 16
_AGE_CHUNK = 64 * 1024
_AGE_MAX_HEADER = 64 * 1024

# pyrage ships no type information: to mypy both are Any, hence the explicit alias.
_Recipient: TypeAlias = x25519.Recipient | age_ssh.Recipient


def is_age_file(path: Path) -> bool:
    """True for age files (binary or ``-a`` armored), judged by their first bytes."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(len(AGE_ARMOR_MAGIC))
    except OSError:
        return False
    return head.startswith(AGE_MAGIC) or head.startswith(AGE_ARMOR_MAGIC)


def encrypt_file(src: Path, dst: Path, recipients: Sequence[str]) -> Path:
    """Encrypt ``src`` to ``dst`` for ``age1…`` (or ``ssh-ed25519 …``) recipients, streaming."""
    parsed = [_parse_recipient(text) for text in recipients]
    if not parsed:
        raise BundleError("Не указан ни один получатель для шифрования")
    src, dst = Path(src), Path(dst)
    _require_file(src)
    # The process id in the name lets the next export tell a killed run's part from a live one
    # (a neutral bundle name says nothing else about whose it is).
    tmp = make_temp_path(dst.parent, prefix=f".{dst.name}.{os.getpid()}-")
    try:
        _encrypt_checked(src, tmp, parsed)
        os.replace(tmp, dst)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_directory(dst.parent)
    return dst


def decrypt_file(src: Path, dst_dir: Path, identity: x25519.Identity | str) -> Path:
    """Decrypt ``src`` into a new file in ``dst_dir`` and return its path.

    Decrypts into a temp file first: pyrage writes partial plaintext before it notices damage,
    so on any failure the temp file is deleted and ``BundleError`` is raised.
    """
    ident = _parse_identity(identity)
    src, dst_dir = Path(src), Path(dst_dir)
    _require_file(src)
    tmp = make_temp_path(dst_dir, prefix=".decrypting-")
    try:
        _decrypt_checked(src, tmp, ident)
        final = dst_dir / f"decrypted-{uuid.uuid4().hex}.zip"
        os.replace(tmp, final)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_directory(dst_dir)
    return final


def _encrypt_checked(src: Path, tmp: Path, recipients: list[_Recipient]) -> None:
    try:
        pyrage.encrypt_file(str(src), str(tmp), recipients)
    except (OSError, pyrage.EncryptError) as exc:
        raise BundleError("Не удалось зашифровать пакет (нет места на диске?)") from exc
    if _age_payload_size(tmp) != _age_ciphertext_payload(src.stat().st_size):
        raise BundleError("Не удалось записать зашифрованный пакет целиком (нет места?)")
    _fsync_path(tmp)


def _decrypt_checked(src: Path, tmp: Path, identity: x25519.Identity) -> None:
    try:
        pyrage.decrypt_file(str(src), str(tmp), [identity])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise BundleError("Пакет зашифрован для другого получателя: ключ не подходит") from exc
        raise BundleError("Не удалось расшифровать пакет: файл повреждён") from exc
    except OSError as exc:  # how pyrage reports a damaged payload (or a full disk)
        raise BundleError(
            "Не удалось расшифровать пакет: файл повреждён или нет места на диске"
        ) from exc
    expected = _age_plaintext_size(src)
    if expected is not None and tmp.stat().st_size != expected:
        raise BundleError("Не удалось расшифровать пакет целиком (нет места?)")
    _fsync_path(tmp)


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise BundleError(f"Не найден файл пакета {path}")


def _parse_identity(identity: x25519.Identity | str) -> x25519.Identity:
    if not isinstance(identity, str):
        return identity
    try:
        return x25519.Identity.from_str(identity.strip())
    except Exception as exc:  # pyrage.IdentityError
        raise BundleError("Неверный ключ расшифровки age") from exc


def parse_recipient(text: str) -> _Recipient:
    """An ``age1…`` or ``ssh-ed25519 …`` recipient; ``BundleError`` if malformed."""
    return _parse_recipient(text)


def _parse_recipient(text: str) -> _Recipient:
    text = text.strip()
    try:
        if text.startswith("age1"):
            return x25519.Recipient.from_str(text)
        if text.startswith("ssh-ed25519 "):
            return age_ssh.Recipient.from_str(text)
    except Exception as exc:  # pyrage.RecipientError and friends
        raise BundleError(f"Неверный ключ получателя: «{text[:80]}»") from exc
    raise BundleError(f"Неверный ключ получателя: «{text[:80]}»")


def _age_header_length(path: Path) -> int | None:
    """Length of a binary age header (through the ``--- MAC`` line); None if armored."""
    with path.open("rb") as handle:
        head = handle.read(_AGE_MAX_HEADER)
    if not head.startswith(AGE_MAGIC):
        return None
    mac_line = head.find(b"\n--- ")
    end = head.find(b"\n", mac_line + 1) if mac_line >= 0 else -1
    if end < 0:
        raise BundleError("Зашифрованный пакет повреждён: заголовок age не найден")
    return end + 1


def _age_payload_size(path: Path) -> int | None:
    header = _age_header_length(path)
    return None if header is None else path.stat().st_size - header


def _age_ciphertext_payload(plain_size: int) -> int:
    chunks = max(1, math.ceil(plain_size / _AGE_CHUNK))
    return _AGE_NONCE + plain_size + _AGE_TAG * chunks


def _age_plaintext_size(path: Path) -> int | None:
    payload = _age_payload_size(path)
    if payload is None:
        return None
    body = payload - _AGE_NONCE
    chunks = math.ceil(body / (_AGE_CHUNK + _AGE_TAG))
    return body - _AGE_TAG * chunks


def _fsync_path(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())
