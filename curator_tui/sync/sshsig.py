"""OpenSSH SSHSIG signatures (PROTOCOL.sshsig) for Ed25519 keys, built on ``cryptography``.

What we produce is byte-compatible with ``ssh-keygen -Y sign`` and checked by
``ssh-keygen -Y verify``; what we accept is parsed defensively, as hostile input.

    blob   = "SSHSIG" || uint32 1 || string publickey || string namespace
             || string reserved || string "sha512" || string signature
    signed = "SSHSIG" || string namespace || string reserved || string "sha512"
             || string SHA512(message)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from curator_tui.sync._wire import WireFormatError, WireReader, encode_string, encode_uint32
from curator_tui.sync.errors import SignatureError
from curator_tui.sync.keys import ED25519_KEY_TYPE, public_key_blob, public_key_from_blob

BUNDLE_NAMESPACE = "curator-bundle@v1"

MAGIC = b"SSHSIG"
VERSION = 1
HASH_ALGORITHM = "sha512"
ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
ARMOR_WIDTH = 70

ED25519_SIGNATURE_SIZE = 64
MAX_ARMORED_LENGTH = 16 * 1024
MAX_FIELD = 4096


def sign(private_key: Ed25519PrivateKey, message: bytes, namespace: str) -> str:
    """Sign ``message`` for ``namespace``; returns the armored text ssh-keygen would write."""
    ns = _namespace_bytes(namespace)
    reserved = b""
    to_sign = _signed_data(ns, reserved, HASH_ALGORITHM.encode(), message)
    raw_signature = private_key.sign(to_sign)
    blob = b"".join(
        [
            MAGIC,
            encode_uint32(VERSION),
            encode_string(public_key_blob(private_key.public_key())),
            encode_string(ns),
            encode_string(reserved),
            encode_string(HASH_ALGORITHM.encode()),
            encode_string(encode_string(ED25519_KEY_TYPE.encode()) + encode_string(raw_signature)),
        ]
    )
    return armor(blob)


def verify(armored: str, message: bytes, namespace: str) -> Ed25519PublicKey:
    """Check the signature over ``message``; returns the signer's key (trust is checked apart).

    Raises ``SignatureError`` for any malformation, another namespace, another hash algorithm,
    another key type, or a signature that does not match.
    """
    blob = dearmor(armored)
    parsed = _parse_blob(blob)
    if parsed.namespace != _namespace_bytes(namespace):
        raise SignatureError(
            "Подпись сделана для другой цели "
            f"(«{parsed.namespace.decode('utf-8', 'replace')}», ожидалась «{namespace}»)"
        )
    if parsed.hash_algorithm != HASH_ALGORITHM.encode():
        raise SignatureError("Подпись использует неподдерживаемый алгоритм хеширования")
    try:
        public_key = public_key_from_blob(parsed.public_key)
    except ValueError as exc:
        raise SignatureError("Подпись сделана ключом неподдерживаемого типа") from exc
    raw_signature = _parse_ed25519_signature(parsed.signature)
    to_sign = _signed_data(parsed.namespace, parsed.reserved, parsed.hash_algorithm, message)
    try:
        public_key.verify(raw_signature, to_sign)
    except InvalidSignature as exc:
        raise SignatureError("Подпись не совпадает") from exc
    return public_key


def signer_key(armored: str) -> Ed25519PublicKey:
    """The key a signature claims to be made by (unverified: use only to look it up)."""
    parsed = _parse_blob(dearmor(armored))
    try:
        return public_key_from_blob(parsed.public_key)
    except ValueError as exc:
        raise SignatureError("Подпись сделана ключом неподдерживаемого типа") from exc


# --- armor -----------------------------------------------------------------------------------


def armor(blob: bytes) -> str:
    encoded = base64.b64encode(blob).decode("ascii")
    lines = [encoded[i : i + ARMOR_WIDTH] for i in range(0, len(encoded), ARMOR_WIDTH)]
    return "\n".join([ARMOR_BEGIN, *lines, ARMOR_END]) + "\n"


def dearmor(armored: str) -> bytes:
    """Decode the armor; tolerates CRLF and surrounding whitespace, nothing else."""
    if not isinstance(armored, str) or len(armored) > MAX_ARMORED_LENGTH:
        raise SignatureError("Подпись повреждена: неверный размер")
    lines = [line.removesuffix("\r") for line in armored.strip().split("\n")]
    if len(lines) < 3 or lines[0] != ARMOR_BEGIN or lines[-1] != ARMOR_END:
        raise SignatureError("Подпись повреждена: нет заголовка SSH SIGNATURE")
    body = "".join(lines[1:-1])
    try:
        blob = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("Подпись повреждена: неверная кодировка") from exc
    if base64.b64encode(blob).decode("ascii") != body:  # no malleable padding bits
        raise SignatureError("Подпись повреждена: неверная кодировка")
    return blob


# --- wire format ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ParsedSignature:
    public_key: bytes
    namespace: bytes
    reserved: bytes
    hash_algorithm: bytes
    signature: bytes


def _parse_blob(blob: bytes) -> _ParsedSignature:
    reader = WireReader(blob)
    try:
        if reader.read_fixed(len(MAGIC)) != MAGIC:
            raise SignatureError("Это не подпись SSHSIG")
        if reader.read_uint32() != VERSION:
            raise SignatureError("Неподдерживаемая версия подписи SSHSIG")
        parsed = _ParsedSignature(
            public_key=reader.read_string(MAX_FIELD),
            namespace=reader.read_string(MAX_FIELD),
            reserved=reader.read_string(MAX_FIELD),
            hash_algorithm=reader.read_string(MAX_FIELD),
            signature=reader.read_string(MAX_FIELD),
        )
        reader.expect_end()
    except WireFormatError as exc:
        raise SignatureError("Подпись повреждена: неверная структура") from exc
    return parsed


def _parse_ed25519_signature(signature: bytes) -> bytes:
    reader = WireReader(signature)
    try:
        sig_type = reader.read_string(MAX_FIELD)
        raw = reader.read_string(MAX_FIELD)
        reader.expect_end()
    except WireFormatError as exc:
        raise SignatureError("Подпись повреждена: неверная структура") from exc
    if sig_type != ED25519_KEY_TYPE.encode() or len(raw) != ED25519_SIGNATURE_SIZE:
        raise SignatureError("Подпись сделана ключом неподдерживаемого типа")
    return raw


def _signed_data(namespace: bytes, reserved: bytes, hash_algorithm: bytes, message: bytes) -> bytes:
    digest = hashlib.sha512(message).digest()
    return b"".join(
        [
            MAGIC,
            encode_string(namespace),
            encode_string(reserved),
            encode_string(hash_algorithm),
            encode_string(digest),
        ]
    )


def _namespace_bytes(namespace: str) -> bytes:
    if not namespace:
        raise ValueError("an SSHSIG namespace must not be empty")
    return namespace.encode("utf-8")
