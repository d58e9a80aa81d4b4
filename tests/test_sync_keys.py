"""Device keys and age identities, checked against the stock ssh-keygen and age-keygen."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from curator_tui.sync import keys
from curator_tui.sync._wire import encode_string
from curator_tui.sync.errors import KeyFileError


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, input=stdin, capture_output=True, check=False, timeout=30)


def ssh_keygen_key(path: Path, key_type: str = "ed25519", passphrase: str = "") -> Path:
    result = run(
        "ssh-keygen",
        "-q",
        "-t",
        key_type,
        "-N",
        passphrase,
        "-C",
        "made-by-ssh-keygen",
        "-f",
        str(path),
    )
    assert result.returncode == 0, result.stderr
    return path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_key_roundtrip_is_openssh_0600_and_atomic(tmp_path: Path) -> None:
    key = keys.generate_device_key()
    path = tmp_path / "device_ed25519"
    keys.save_private_key(key, path)

    assert path.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    assert mode_of(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["device_ed25519"]  # no temp left
    loaded = keys.load_private_key(path)
    assert keys.same_public_key(loaded.public_key(), key.public_key())


def test_saved_key_is_read_by_ssh_keygen_with_the_same_fingerprint(tmp_path: Path) -> None:
    key = keys.generate_device_key()
    path = tmp_path / "device"
    keys.save_private_key(key, path)

    derived = run("ssh-keygen", "-y", "-f", str(path))
    assert derived.returncode == 0, derived.stderr
    assert derived.stdout.decode().split()[:2] == keys.public_key_line(key.public_key()).split()

    listed = run("ssh-keygen", "-lf", str(path))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.decode().split()[1] == keys.fingerprint(key.public_key())


def test_public_key_line_and_fingerprint_match_ssh_keygen(tmp_path: Path) -> None:
    private = ssh_keygen_key(tmp_path / "k")
    key = keys.load_private_key(private)
    pub_text = (tmp_path / "k.pub").read_text().strip()

    assert keys.public_key_line(key.public_key(), "made-by-ssh-keygen") == pub_text
    listed = run("ssh-keygen", "-lf", str(tmp_path / "k.pub")).stdout.decode().split()
    assert listed[1] == keys.fingerprint(key.public_key())
    assert listed[1].startswith("SHA256:") and not listed[1].endswith("=")

    parsed, comment = keys.parse_public_key_line(pub_text)
    assert keys.same_public_key(parsed, key.public_key())
    assert comment == "made-by-ssh-keygen"


def test_public_key_file_we_write_is_read_by_ssh_keygen(tmp_path: Path) -> None:
    key = keys.generate_device_key().public_key()
    keys.save_public_key(key, tmp_path / "dev.pub", "Иванова М. (школа 1)")
    listed = run("ssh-keygen", "-lf", str(tmp_path / "dev.pub"))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.decode().split()[1] == keys.fingerprint(key)


def test_existing_key_is_never_replaced_silently(tmp_path: Path) -> None:
    path = tmp_path / "device"
    first = keys.generate_device_key()
    keys.save_private_key(first, path)
    with pytest.raises(KeyFileError, match="уже существует"):
        keys.save_private_key(keys.generate_device_key(), path)
    assert keys.same_public_key(keys.load_private_key(path).public_key(), first.public_key())

    second = keys.generate_device_key()
    keys.save_private_key(second, path, overwrite=True)
    assert keys.same_public_key(keys.load_private_key(path).public_key(), second.public_key())
    assert mode_of(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["device"]


def test_load_refuses_missing_garbage_protected_and_foreign_keys(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="Не найден"):
        keys.load_private_key(tmp_path / "absent")
    (tmp_path / "garbage").write_bytes(b"not a key at all\n")
    with pytest.raises(KeyFileError, match="не является ключом"):
        keys.load_private_key(tmp_path / "garbage")
    with pytest.raises(KeyFileError, match="паролем"):
        keys.load_private_key(ssh_keygen_key(tmp_path / "protected", passphrase="секрет-123"))
    with pytest.raises(KeyFileError, match="не Ed25519"):
        keys.load_private_key(ssh_keygen_key(tmp_path / "ecdsa", key_type="ecdsa"))
    (tmp_path / "huge").write_bytes(b"x" * (keys.MAX_KEY_FILE_SIZE + 1))
    with pytest.raises(KeyFileError, match="слишком велик"):
        keys.load_private_key(tmp_path / "huge")


@pytest.mark.parametrize(
    "line",
    [
        "",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x",
        "ssh-ed25519 not*base64",
        # blob claims another type inside
        "ssh-ed25519 "
        + base64.b64encode(encode_string(b"ssh-rsa") + encode_string(b"\0" * 32)).decode(),
        # wrong key length
        "ssh-ed25519 "
        + base64.b64encode(encode_string(b"ssh-ed25519") + encode_string(b"\0" * 31)).decode(),
        # trailing bytes after the key
        "ssh-ed25519 "
        + base64.b64encode(
            encode_string(b"ssh-ed25519") + encode_string(b"\0" * 32) + b"!"
        ).decode(),
        # length field larger than the blob
        "ssh-ed25519 " + base64.b64encode(b"\xff\xff\xff\xffssh-ed25519").decode(),
    ],
)
def test_parse_public_key_line_refuses_malformed_lines(line: str) -> None:
    with pytest.raises(KeyFileError):
        keys.parse_public_key_line(line)


def test_age_identity_roundtrip_0600(tmp_path: Path) -> None:
    identity = keys.generate_age_identity()
    path = tmp_path / "age.key"
    keys.save_age_identity(identity, path)

    assert mode_of(path) == 0o600
    text = path.read_text()
    assert f"# public key: {keys.age_recipient(identity)}\n" in text
    assert keys.age_recipient(identity).startswith("age1")
    loaded = keys.load_age_identity(path)
    assert str(loaded) == str(identity)
    with pytest.raises(KeyFileError, match="уже существует"):
        keys.save_age_identity(keys.generate_age_identity(), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["age.key"]


def test_age_identity_made_by_age_keygen_loads(tmp_path: Path) -> None:
    path = tmp_path / "made-by-age-keygen.txt"
    result = run("age-keygen", "-o", str(path))
    assert result.returncode == 0, result.stderr
    public = run("age-keygen", "-y", str(path)).stdout.decode().strip()
    assert keys.age_recipient(keys.load_age_identity(path)) == public


@pytest.mark.parametrize(
    "content",
    [
        "",
        "# only a comment\n",
        "AGE-SECRET-KEY-1NOTAVALIDKEY\n",
        "not an identity\n",
    ],
)
def test_load_age_identity_refuses_bad_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / "id"
    path.write_text(content)
    with pytest.raises(KeyFileError):
        keys.load_age_identity(path)


def test_load_age_identity_refuses_two_identities(tmp_path: Path) -> None:
    path = tmp_path / "two"
    path.write_text(f"{keys.generate_age_identity()}\n{keys.generate_age_identity()}\n")
    with pytest.raises(KeyFileError, match="ровно один"):
        keys.load_age_identity(path)


def test_failed_save_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        keys.save_private_key(Ed25519PrivateKey.generate(), tmp_path / "device")
    assert list(tmp_path.iterdir()) == []
