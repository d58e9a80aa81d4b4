"""The trust list is an allowed_signers file that the real ssh-keygen uses as it is."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from curator_tui.sync import keys, sshsig
from curator_tui.sync.errors import TrustError
from curator_tui.sync.trust import (
    TrustEntry,
    TrustList,
    TrustRole,
    check_signer,
    make_principal,
)

NS = sshsig.BUNDLE_NAMESPACE
MESSAGE = b'{"bundle_id":"1","entries":{}}'
TODAY = date(2026, 3, 15)


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, input=stdin, capture_output=True, check=False, timeout=30)


def ssh_keygen_verify(
    tmp_path: Path,
    trust_file: Path,
    principal: str,
    signature: str,
    *options: str,
    namespace: str = NS,
) -> subprocess.CompletedProcess[bytes]:
    sig_path = tmp_path / "manifest.json.sig"
    sig_path.write_text(signature)
    return run(
        "ssh-keygen",
        "-Y",
        "verify",
        "-f",
        str(trust_file),
        "-I",
        principal,
        "-n",
        namespace,
        "-s",
        str(sig_path),
        *options,
        stdin=MESSAGE,
    )


def entry_for(
    key: Ed25519PrivateKey,
    name: str = "Иванова Мария Петровна",
    *,
    org: str = "school-0042",
    role: TrustRole = TrustRole.SCHOOL,
    until: date | None = None,
) -> TrustEntry:
    return TrustEntry.for_key(
        key.public_key(), display_name=name, organisation_id=org, role=role, valid_until=until
    )


@pytest.fixture
def school_key() -> Ed25519PrivateKey:
    return keys.generate_device_key()


@pytest.fixture
def curator_key() -> Ed25519PrivateKey:
    return keys.generate_device_key()


@pytest.fixture
def trust_file(
    tmp_path: Path, school_key: Ed25519PrivateKey, curator_key: Ed25519PrivateKey
) -> Path:
    trust = TrustList()
    trust.add(entry_for(school_key, until=date(2026, 12, 31)))
    trust.add(entry_for(curator_key, "Петров П. П.", org="*", role=TrustRole.CURATOR))
    path = tmp_path / "trusted_signers"
    trust.save(path)
    return path


def test_saved_file_is_an_allowed_signers_file_ssh_keygen_accepts(
    tmp_path: Path,
    trust_file: Path,
    school_key: Ed25519PrivateKey,
    curator_key: Ed25519PrivateKey,
) -> None:
    trust = TrustList.load(trust_file)
    for key in (school_key, curator_key):
        entry = trust.find(key.public_key())
        assert entry is not None
        signature = sshsig.sign(key, MESSAGE, NS)
        result = ssh_keygen_verify(
            tmp_path, trust_file, entry.principal, signature, "-O", "verify-time=20260601"
        )
        assert result.returncode == 0, result.stderr
        assert entry.principal in result.stdout.decode()
        found = run(
            "ssh-keygen",
            "-Y",
            "find-principals",
            "-f",
            str(trust_file),
            "-s",
            str(tmp_path / "manifest.json.sig"),
        )
        assert found.stdout.decode().split() == [entry.principal]


def test_ssh_keygen_respects_namespaces_and_principals(
    tmp_path: Path,
    trust_file: Path,
    school_key: Ed25519PrivateKey,
    curator_key: Ed25519PrivateKey,
) -> None:
    school = TrustList.load(trust_file).find(school_key.public_key())
    curator = TrustList.load(trust_file).find(curator_key.public_key())
    assert school is not None and curator is not None
    other_purpose = sshsig.sign(school_key, MESSAGE, "file")
    assert (
        ssh_keygen_verify(
            tmp_path,
            trust_file,
            school.principal,
            other_purpose,
            "-O",
            "verify-time=20260601",
            namespace="file",
        ).returncode
        != 0
    )
    signature = sshsig.sign(school_key, MESSAGE, NS)
    assert (
        ssh_keygen_verify(
            tmp_path, trust_file, curator.principal, signature, "-O", "verify-time=20260601"
        ).returncode
        != 0
    )


def test_expiry_is_the_same_day_for_ssh_keygen_and_check_signer(
    tmp_path: Path,
    trust_file: Path,
    school_key: Ed25519PrivateKey,
) -> None:
    entry = TrustList.load(trust_file).find(school_key.public_key())
    assert entry is not None and entry.valid_until == date(2026, 12, 31)
    signature = sshsig.sign(school_key, MESSAGE, NS)

    last_minute = ssh_keygen_verify(
        tmp_path, trust_file, entry.principal, signature, "-O", "verify-time=202612312359"
    )
    assert last_minute.returncode == 0, last_minute.stderr
    check_signer(entry, school_id="school-0042", today=date(2026, 12, 31))

    # ssh-keygen still accepts the instant 00:00:00 of valid-before itself, not a minute later
    next_day = ssh_keygen_verify(
        tmp_path, trust_file, entry.principal, signature, "-O", "verify-time=202701010001"
    )
    assert next_day.returncode != 0
    with pytest.raises(TrustError, match=r"истёк 31\.12\.2026"):
        check_signer(entry, school_id="school-0042", today=date(2027, 1, 1))


def test_file_layout_keeps_our_facts_in_a_comment(trust_file: Path) -> None:
    lines = [line for line in trust_file.read_text().splitlines() if line]
    meta_lines = [line for line in lines if line.startswith("# curator-trust: ")]
    key_lines = [line for line in lines if not line.startswith("#")]
    assert len(meta_lines) == len(key_lines) == 2
    assert '"display_name":"Иванова Мария Петровна"' in meta_lines[0]
    principal, options, key_type, _key = key_lines[0].split()
    assert principal.startswith("ivanova-mariia-petrovna-")
    assert options == 'namespaces="curator-bundle@v1",valid-before="20270101"'
    assert key_type == "ssh-ed25519"
    assert key_lines[1].split()[1] == 'namespaces="curator-bundle@v1"'  # no expiry
    assert oct(trust_file.stat().st_mode & 0o777) == "0o644"


def test_roundtrip_preserves_entries(trust_file: Path) -> None:
    first = TrustList.load(trust_file)
    assert len(first) == 2
    again = trust_file.parent / "copy"
    first.save(again)
    assert again.read_bytes() == trust_file.read_bytes()
    assert TrustList.load(again).entries == first.entries


def test_names_holding_unicode_line_breaks_survive_and_ssh_keygen_still_verifies(
    tmp_path: Path, school_key: Ed25519PrivateKey
) -> None:
    """JSON leaves U+2028, U+2029 and U+0085 unescaped; the file is still one line per fact."""
    name = "Иванова\u2028Мария\u2029Петровна\x85(копия из Word)"
    trust = TrustList()
    trust.add(entry_for(school_key, name))
    path = tmp_path / "trusted_signers"
    trust.save(path)
    [entry] = TrustList.load(path).entries
    assert entry.display_name == name
    signature = sshsig.sign(school_key, MESSAGE, NS)
    assert ssh_keygen_verify(tmp_path, path, entry.principal, signature).returncode == 0


def test_missing_file_is_an_empty_list(tmp_path: Path) -> None:
    assert len(TrustList.load(tmp_path / "absent")) == 0


def test_add_remove_find(school_key: Ed25519PrivateKey, curator_key: Ed25519PrivateKey) -> None:
    trust = TrustList()
    school = entry_for(school_key)
    trust.add(school)
    assert trust.find(school_key.public_key()) == school
    assert trust.find(curator_key.public_key()) is None

    with pytest.raises(TrustError, match="уже есть"):
        trust.add(entry_for(school_key, until=TODAY))
    trust.add(entry_for(school_key, until=TODAY), replace=True)
    assert trust.find(school_key.public_key()) == entry_for(school_key, until=TODAY)
    assert len(trust) == 1

    clash = TrustEntry.for_key(
        curator_key.public_key(),
        display_name="Другой",
        organisation_id="*",
        role="curator",
        principal=school.principal,
    )
    with pytest.raises(TrustError, match="занято"):
        trust.add(clash)

    trust.add(entry_for(curator_key, "Петров", org="*", role=TrustRole.CURATOR))
    assert trust.remove(school.fingerprint).principal == school.principal
    curator = trust.find(curator_key.public_key())
    assert curator is not None
    assert trust.remove(curator.principal) == curator
    assert len(trust) == 0
    with pytest.raises(TrustError, match="нет ключа"):
        trust.remove("SHA256:nothing")


def test_check_signer_refusals(
    school_key: Ed25519PrivateKey, curator_key: Ed25519PrivateKey
) -> None:
    with pytest.raises(TrustError, match="неизвестен"):
        check_signer(None, school_id="school-0042", today=TODAY)

    school = entry_for(school_key, until=TODAY)
    check_signer(school, school_id="school-0042", today=TODAY)
    with pytest.raises(TrustError, match="истёк"):
        check_signer(school, school_id="school-0042", today=TODAY + timedelta(days=1))
    with pytest.raises(TrustError, match="только для организации «school-0042»"):
        check_signer(school, school_id="school-0043", today=TODAY)

    curator = entry_for(curator_key, "Петров", org="*", role=TrustRole.CURATOR)
    check_signer(curator, school_id="school-0043", today=date(2099, 1, 1))
    with pytest.raises(TrustError, match="Роль"):
        check_signer(curator, school_id="s", today=TODAY, roles={TrustRole.COORDINATOR})


def test_entry_validation(school_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ValidationError):
        entry_for(school_key, org="*", role=TrustRole.SCHOOL)  # a school key needs its school
    with pytest.raises(ValidationError):
        TrustEntry.for_key(
            school_key.public_key(),
            display_name="X",
            organisation_id="s",
            role="school",
            principal="has space",
        )
    with pytest.raises(ValidationError):
        entry_for(school_key, name="две\nстроки")
    with pytest.raises(ValidationError):
        TrustEntry(
            principal="p",
            public_key="ssh-rsa AAAA",
            display_name="X",
            organisation_id="s",
            role=TrustRole.SCHOOL,
        )


def test_make_principal_is_readable_and_spaceless(school_key: Ed25519PrivateKey) -> None:
    principal = make_principal("Щукина Юлия-Ёлка (МБОУ СОШ №5)", school_key.public_key())
    assert principal.startswith("shchukina-iuliia-elka-mbou-sosh-5-")
    assert " " not in principal and len(principal.rsplit("-", 1)[1]) == 8
    assert make_principal("!!!", school_key.public_key()).startswith("key-")


def _tamper(trust_file: Path, old: str, new: str) -> None:
    text = trust_file.read_text()
    assert old in text
    trust_file.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('valid-before="20270101"', 'valid-before="20370101"', "изменена вручную"),
        ('"fingerprint":"SHA256:', '"fingerprint":"SHA256:x', "отпечаток"),
        ("# curator-trust: {", "# curator-trust: [", "описание"),
        ("# curator-trust: ", "# just a comment: ", "без строки"),
        ('"organisation_id":"school-0042"', '"organisation_id":"*"', "неверные сведения"),
    ],
)
def test_hand_edited_or_damaged_files_are_refused(
    trust_file: Path, old: str, new: str, reason: str
) -> None:
    _tamper(trust_file, old, new)
    with pytest.raises(TrustError, match=reason):
        TrustList.load(trust_file)


def test_description_without_key_is_refused(trust_file: Path) -> None:
    with trust_file.open("a") as handle:
        handle.write('# curator-trust: {"display_name":"x"}\n')
    with pytest.raises(TrustError, match="описание без ключа"):
        TrustList.load(trust_file)


def test_duplicate_key_in_file_is_refused(trust_file: Path) -> None:
    text = trust_file.read_text()
    trust_file.write_text(text + "\n" + text.split("\n\n", 1)[1])
    with pytest.raises(TrustError):
        TrustList.load(trust_file)
