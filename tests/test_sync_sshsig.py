"""SSHSIG signatures: interop both ways with the real ssh-keygen, and hostile input refused."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator_tui.sync import keys, sshsig
from curator_tui.sync._wire import encode_string, encode_uint32
from curator_tui.sync.errors import SignatureError

NS = sshsig.BUNDLE_NAMESPACE
MESSAGE = 'опись пакета: {"bundle_id":"42"}\n'.encode()


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, input=stdin, capture_output=True, check=False, timeout=30)


def ssh_keygen_key(path: Path, key_type: str = "ed25519") -> Path:
    assert run("ssh-keygen", "-q", "-t", key_type, "-N", "", "-f", str(path)).returncode == 0
    return path


def allowed_signers(path: Path, key: Ed25519PrivateKey, principal: str = "school-1") -> Path:
    line = keys.public_key_line(key.public_key())
    path.write_text(f'{principal} namespaces="{NS}" {line}\n')
    return path


def ssh_keygen_verify(
    tmp_path: Path,
    signers: Path,
    signature: str,
    message: bytes,
    principal: str = "school-1",
    namespace: str = NS,
) -> bool:
    sig_path = tmp_path / "msg.sig"
    sig_path.write_text(signature)
    result = run(
        "ssh-keygen",
        "-Y",
        "verify",
        "-f",
        str(signers),
        "-I",
        principal,
        "-n",
        namespace,
        "-s",
        str(sig_path),
        stdin=message,
    )
    return result.returncode == 0


def ssh_keygen_sign(
    tmp_path: Path, key_path: Path, message: bytes, namespace: str = NS, *options: str
) -> str:
    msg = tmp_path / "signed-by-ssh-keygen"
    msg.write_bytes(message)
    result = run(
        "ssh-keygen", "-Y", "sign", "-f", str(key_path), "-n", namespace, *options, str(msg)
    )
    assert result.returncode == 0, result.stderr
    return (tmp_path / "signed-by-ssh-keygen.sig").read_text()


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return keys.generate_device_key()


def test_our_signature_is_verified_by_ssh_keygen(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    signature = sshsig.sign(key, MESSAGE, NS)
    signers = allowed_signers(tmp_path / "allowed_signers", key)
    assert ssh_keygen_verify(tmp_path, signers, signature, MESSAGE)
    # and the negative controls: ssh-keygen refuses what we refuse
    assert not ssh_keygen_verify(tmp_path, signers, signature, MESSAGE + b"x")
    assert not ssh_keygen_verify(tmp_path, signers, signature, MESSAGE, namespace="file")
    other = allowed_signers(tmp_path / "other", keys.generate_device_key())
    assert not ssh_keygen_verify(tmp_path, other, signature, MESSAGE)


def test_signature_of_ssh_keygen_is_verified_by_us(tmp_path: Path) -> None:
    key_path = ssh_keygen_key(tmp_path / "id")
    signature = ssh_keygen_sign(tmp_path, key_path, MESSAGE)
    signer = sshsig.verify(signature, MESSAGE, NS)
    expected = keys.load_private_key(key_path).public_key()
    assert keys.same_public_key(signer, expected)
    assert keys.same_public_key(sshsig.signer_key(signature), expected)


def test_our_signature_is_byte_identical_to_ssh_keygen(tmp_path: Path) -> None:
    """Ed25519 is deterministic, so a correct encoder reproduces ssh-keygen exactly."""
    key_path = ssh_keygen_key(tmp_path / "id")
    theirs = ssh_keygen_sign(tmp_path, key_path, MESSAGE)
    ours = sshsig.sign(keys.load_private_key(key_path), MESSAGE, NS)
    assert ours == theirs


def test_tampered_message_is_refused(key: Ed25519PrivateKey) -> None:
    signature = sshsig.sign(key, MESSAGE, NS)
    with pytest.raises(SignatureError, match="Подпись не совпадает"):
        sshsig.verify(signature, MESSAGE[:-1] + b"!", NS)


def test_wrong_namespace_is_refused(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    with pytest.raises(SignatureError, match="другой цели"):
        sshsig.verify(sshsig.sign(key, MESSAGE, "file"), MESSAGE, NS)
    key_path = ssh_keygen_key(tmp_path / "id")
    with pytest.raises(SignatureError, match="другой цели"):
        sshsig.verify(ssh_keygen_sign(tmp_path, key_path, MESSAGE, "git"), MESSAGE, NS)


def test_sha256_signature_from_ssh_keygen_is_refused(tmp_path: Path) -> None:
    key_path = ssh_keygen_key(tmp_path / "id")
    signature = ssh_keygen_sign(tmp_path, key_path, MESSAGE, NS, "-O", "hashalg=sha256")
    with pytest.raises(SignatureError, match="алгоритм хеширования"):
        sshsig.verify(signature, MESSAGE, NS)


def test_signature_by_another_key_type_is_refused(tmp_path: Path) -> None:
    key_path = ssh_keygen_key(tmp_path / "ecdsa", "ecdsa")
    signature = ssh_keygen_sign(tmp_path, key_path, MESSAGE)
    with pytest.raises(SignatureError, match="неподдерживаемого типа"):
        sshsig.verify(signature, MESSAGE, NS)


def _blob(key: Ed25519PrivateKey, **overrides: bytes) -> bytes:
    """A signature blob whose fields can be replaced one by one."""
    real = sshsig.dearmor(sshsig.sign(key, MESSAGE, NS))
    fields = {
        "magic": b"SSHSIG",
        "version": encode_uint32(1),
        "public_key": encode_string(keys.public_key_blob(key.public_key())),
        "namespace": encode_string(NS.encode()),
        "reserved": encode_string(b""),
        "hash": encode_string(b"sha512"),
    }
    prefix = b"".join(fields.values())
    fields["signature"] = real[len(prefix) :]
    fields.update(overrides)
    return b"".join(fields.values())


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"magic": b"SSHSIH"}, "не подпись SSHSIG"),
        ({"version": encode_uint32(2)}, "версия"),
        ({"public_key": encode_uint32(0xFFFFFFF0)}, "структура"),
        ({"namespace": encode_uint32(5) + b"ab"}, "структура"),
        ({"hash": encode_string(b"sha1")}, "алгоритм"),
        (
            {"signature": encode_string(encode_string(b"ssh-ed25519") + encode_string(b"\0" * 63))},
            "неподдерживаемого типа",
        ),
        (
            {"signature": encode_string(encode_string(b"ssh-ed25519") + encode_string(b"\0" * 64))},
            "не совпадает",
        ),
        ({"reserved": encode_string(b"tag")}, "не совпадает"),  # reserved is signed too
    ],
)
def test_malformed_blobs_are_refused(
    key: Ed25519PrivateKey, overrides: dict[str, bytes], reason: str
) -> None:
    armored = sshsig.armor(_blob(key, **overrides))
    with pytest.raises(SignatureError, match=reason):
        sshsig.verify(armored, MESSAGE, NS)


def test_trailing_bytes_are_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(SignatureError, match="структура"):
        sshsig.verify(sshsig.armor(_blob(key) + b"\0"), MESSAGE, NS)


def test_armor_problems_are_refused(key: Ed25519PrivateKey) -> None:
    good = sshsig.sign(key, MESSAGE, NS)
    body = "".join(good.strip().splitlines()[1:-1])
    cases = [
        "",
        "not a signature",
        good.replace("BEGIN SSH SIGNATURE", "BEGIN PGP SIGNATURE"),
        good.replace(sshsig.ARMOR_END, ""),
        good[: len(good) // 2] + "\n" + sshsig.ARMOR_END,
        good.replace(body[:10], body[:9] + "*"),
        good + "x" * sshsig.MAX_ARMORED_LENGTH,
    ]
    for case in cases:
        with pytest.raises(SignatureError):
            sshsig.verify(case, MESSAGE, NS)


def test_non_canonical_base64_padding_is_refused(key: Ed25519PrivateKey) -> None:
    good = sshsig.sign(key, MESSAGE, NS)
    lines = good.strip().split("\n")
    last = lines[-2]
    assert last.endswith("==")  # 187-byte blob: the char before "==" has 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = alphabet[alphabet.index(last[-3]) ^ 1]
    lines[-2] = last[:-3] + twin + "=="
    malleable = "\n".join(lines) + "\n"
    assert base64.b64decode("".join(lines[1:-1])) == sshsig.dearmor(good)  # same bytes...
    with pytest.raises(SignatureError, match="кодировка"):  # ...still refused
        sshsig.verify(malleable, MESSAGE, NS)


def test_crlf_and_surrounding_whitespace_are_tolerated(key: Ed25519PrivateKey) -> None:
    signature = sshsig.sign(key, MESSAGE, NS)
    sshsig.verify("\n  " + signature.replace("\n", "\r\n") + "\n", MESSAGE, NS)


def test_armor_wraps_at_70_columns(key: Ed25519PrivateKey) -> None:
    lines = sshsig.sign(key, MESSAGE, NS).splitlines()
    assert lines[0] == sshsig.ARMOR_BEGIN and lines[-1] == sshsig.ARMOR_END
    assert all(len(line) == 70 for line in lines[1:-2]) and 0 < len(lines[-2]) <= 70


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_any_flipped_byte_in_the_blob_is_refused(
    key: Ed25519PrivateKey, position: int, flip: int
) -> None:
    blob = bytearray(sshsig.dearmor(sshsig.sign(key, MESSAGE, NS)))
    blob[position % len(blob)] ^= flip
    with pytest.raises(SignatureError):
        sshsig.verify(sshsig.armor(bytes(blob)), MESSAGE, NS)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_blobs_only_ever_raise_signature_error(data: bytes) -> None:
    with pytest.raises(SignatureError):
        sshsig.verify(sshsig.armor(b"SSHSIG" + data), MESSAGE, NS)
