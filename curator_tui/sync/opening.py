"""Opening a bundle file: everything that needs no database.

Decrypting, the container (ZIP structure, SSHSIG signature, every entry's size and hash),
the signer against the trust list, the manifest's description and the ops' shape; then
`importing` checks the bundle against the replica's database and merges it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from curator_tui.domain.ops import Action, Entity, Operation
from curator_tui.store import sync_state
from curator_tui.store.authorship import Proofs
from curator_tui.sync import keys, sshsig
from curator_tui.sync.bundles import (
    BundleInfo,
    ByteCounter,
    ProgressCallback,
    SyncProgress,
    bundle_info,
)
from curator_tui.sync.container import (
    VerifiedBundle,
    decrypt_file,
    is_age_file,
    open_bundle,
    parse_manifest,
)
from curator_tui.sync.errors import BundleError, KeyFileError, SyncError, TrustError
from curator_tui.sync.limits import DEFAULT_LIMITS, Limits
from curator_tui.sync.manifest import NEWER_VOCABULARY, is_newer_vocabulary
from curator_tui.sync.oprules import OpFormatError, parse_ops
from curator_tui.sync.replica import ReplicaPaths, role_label
from curator_tui.sync.trust import TrustEntry, TrustList, TrustRole


class Outcome(StrEnum):
    VERIFIED = "verified"  # verify: would be accepted
    ACCEPTED = sync_state.RESULT_ACCEPTED
    ALREADY = sync_state.RESULT_ALREADY
    REFUSED = sync_state.RESULT_REFUSED


@dataclass(frozen=True)
class Problem:
    text: str
    fatal: bool = True


@dataclass(frozen=True)
class SignerInfo:
    display_name: str
    role: TrustRole
    organisation_id: str
    organisation_name: str | None
    fingerprint: str
    principal: str
    valid_until: date | None


@dataclass
class BundleReport:
    """What verify/import found out about one bundle file."""

    path: Path
    bundle_id: str = ""
    info: BundleInfo | None = None
    encrypted: bool = False
    signer: SignerInfo | None = None
    signer_fingerprint: str = ""  # set as soon as the signature checks out
    op_counts: dict[tuple[Entity, Action], int] = field(default_factory=dict)
    ops: int = 0
    evidence_files: int = 0
    evidence_bytes: int = 0
    organisations: dict[str, str] = field(default_factory=dict)  # id → name, as resolved here
    device_names: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    outcome: Outcome = Outcome.REFUSED
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.fatal]

    @property
    def acceptable(self) -> bool:
        return not self.errors

    @property
    def message(self) -> str:
        """One Russian line: the outcome, or the first reason for refusal."""
        if self.outcome is Outcome.ALREADY:
            return "Этот пакет уже загружен: повтор ничего не изменит"
        if self.errors:
            return f"Пакет не принят: {self.errors[0].text}"
        if self.outcome is Outcome.ACCEPTED:
            return (
                f"Пакет импортирован: новых изменений {self.applied}, уже были {self.duplicates}"
                + (f", конфликтов {self.conflicts}" if self.conflicts else "")
            )
        return "Пакет можно импортировать"

    def fail(self, text: str) -> None:
        self.problems.append(Problem(text, fatal=True))

    def warn(self, text: str) -> None:
        self.problems.append(Problem(text, fatal=False))


class Refused(Exception):
    """Stop examining: the report already says why."""


class AlreadyImported(BundleError):
    """Raised from the signature check: a replay is known before any entry is unpacked."""


@dataclass
class Examined:
    """A bundle that got through the container: what the import needs to apply it."""

    bundle: VerifiedBundle
    info: BundleInfo
    entry: TrustEntry
    ops: list[Operation]
    proofs: Proofs = field(default_factory=Proofs)  # authorship, found by `importing`


def decrypt(
    paths: ReplicaPaths,
    path: Path,
    staging: Path,
    report: BundleReport,
    progress: ProgressCallback | None,
) -> Path:
    """Decrypt into the staging folder (deleted with it); pyrage's partial output never stays."""
    if not paths.age_identity.exists():
        report.fail(
            "пакет зашифрован, а у этой базы нет ключа расшифровки (выполните curator init)"
        )
        raise Refused
    size = path.stat().st_size
    if progress:
        progress(SyncProgress("decrypt", 0, size))
    try:
        plain = decrypt_file(path, staging, keys.load_age_identity(paths.age_identity))
    except SyncError as exc:
        report.fail(lower_first(str(exc)))
        raise Refused from exc
    if progress:
        progress(SyncProgress("decrypt", size, size))
    return plain


FileStamp = tuple[int, int, int]
T = TypeVar("T")
# The trust list and the device key last read, by file identity: a hub importing 3,000
# bundles reads a 3,000-key list once, not once per bundle (loading it is quadratic in
# TrustList.add), and derives its own public key once.
_trust_cache: dict[Path, tuple[FileStamp, TrustList]] = {}
_own_key_cache: dict[Path, tuple[FileStamp, Ed25519PublicKey]] = {}


def reread_if_changed(
    cache: dict[Path, tuple[FileStamp, T]], path: Path, load: Callable[[Path], T]
) -> T | None:
    """`load(path)`, reused until the file is replaced or changed; None if it is missing."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    cached = cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    value = load(path)
    cache.clear()
    cache[path] = (stamp, value)
    return value


def load_trust(path: Path) -> TrustList:
    """The trust list at `path` (empty if there is none)."""
    return reread_if_changed(_trust_cache, path, TrustList.load) or TrustList()


def open_verified(
    paths: ReplicaPaths,
    path: Path,
    staging: Path,
    report: BundleReport,
    progress: ProgressCallback | None,
    today: date | None,
    replayed: Callable[[str], bool] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[VerifiedBundle, TrustEntry] | None:
    """Open the container; None when `replayed(bundle_id)` says it was imported already."""
    trust = load_trust(paths.trust_file)
    own_key = own_public_key(paths)
    day = today or date.today()
    found: dict[str, TrustEntry] = {}

    def check_signature(manifest_bytes: bytes, signature: str) -> None:
        signer = sshsig.verify(signature, manifest_bytes, sshsig.BUNDLE_NAMESPACE)
        report.signer_fingerprint = keys.fingerprint(signer)
        if own_key is not None and keys.same_public_key(signer, own_key):
            raise TrustError("пакет выгружен из этой же базы: импортировать его сюда не нужно")
        entry = trust.find(signer)
        if entry is None:
            raise TrustError(
                f"ключ подписи {report.signer_fingerprint} неизвестен: его нет в списке "
                "доверия этой базы (curator trust add)"
            )
        if entry.valid_until is not None and day > entry.valid_until:
            raise TrustError(
                f"срок доверия ключу «{entry.display_name}» истёк {entry.valid_until:%d.%m.%Y}"
            )
        found["entry"] = entry
        # Named from here on: a refusal of a trusted signer's bundle records which bundle.
        report.bundle_id = str(parse_manifest(manifest_bytes).get("bundle_id", ""))
        if replayed is not None and replayed(report.bundle_id):
            raise AlreadyImported("уже импортирован")

    counter = ByteCounter("verify", path.stat().st_size if path.exists() else 0, progress)
    counter.start()
    try:
        bundle = open_bundle(
            path,
            check_signature,
            limits,
            staging_parent=staging,
            progress_cb=counter,
        )
    except AlreadyImported:
        report.outcome = Outcome.ALREADY
        report.signer = signer_info(found["entry"])
        return None
    except (BundleError, KeyFileError) as exc:
        report.fail(lower_first(str(exc)))
        raise Refused from exc
    entry = found["entry"]
    report.signer = signer_info(entry)
    return bundle, entry


def signer_info(entry: TrustEntry) -> SignerInfo:
    return SignerInfo(
        display_name=entry.display_name,
        role=entry.role,
        organisation_id=entry.organisation_id,
        organisation_name=None,
        fingerprint=entry.fingerprint,
        principal=entry.principal,
        valid_until=entry.valid_until,
    )


def own_public_key(paths: ReplicaPaths) -> Ed25519PublicKey | None:
    return reread_if_changed(
        _own_key_cache, paths.device_key, lambda path: keys.load_private_key(path).public_key()
    )


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def read_info(bundle: VerifiedBundle, entry: TrustEntry, report: BundleReport) -> BundleInfo:
    report.bundle_id = str(bundle.manifest.get("bundle_id", ""))
    if is_newer_vocabulary(bundle.manifest):
        report.fail(NEWER_VOCABULARY)
        raise Refused
    try:
        info = bundle_info(bundle.manifest)
    except BundleError as exc:
        report.fail(lower_first(str(exc)))
        raise Refused from exc
    report.info = info
    report.device_names = {d: i.name for d, i in info.devices.items()}
    report.device_names[info.device.id] = info.device.name
    try:
        claimed, _comment = keys.parse_public_key_line(info.device.public_key)
    except KeyFileError:
        claimed = None
    if claimed is None or keys.public_key_line(claimed) != entry.public_key:
        report.fail("пакет подписан не тем ключом, что указан в его описи для устройства")
        raise Refused
    claimed_org = info.device.organisation_id
    if entry.role is TrustRole.SCHOOL and claimed_org and claimed_org != entry.organisation_id:
        report.warn(
            "устройство называет своей другую организацию, чем список доверия; "
            "проверка идёт по списку доверия"
        )
    if info.device.role != entry.role.value:
        report.warn(
            f"устройство называет себя «{role_label(info.device.role)}», а в списке доверия "
            f"его роль «{role_label(entry.role.value)}»: права проверяются по списку доверия"
        )
    return info


def read_ops(
    bundle: VerifiedBundle, report: BundleReport, limits: Limits = DEFAULT_LIMITS
) -> list[Operation]:
    try:
        ops = parse_ops(bundle.ops, limits)
    except OpFormatError as exc:
        report.fail(str(exc))
        raise Refused from exc
    report.ops = len(ops)
    report.op_counts = dict(Counter((op.entity, op.action) for op in ops))
    report.evidence_files = len(bundle.evidence)
    report.evidence_bytes = sum(p.stat().st_size for p in bundle.evidence.values())
    return ops


# --- a bundle file, opened ----------------------------------------------------------------


@dataclass
class Opened:
    """A bundle file after `open_file`: its report so far, and what the import needs next
    (None when refused or a known replay; the report says which)."""

    report: BundleReport
    examined: Examined | None = None
    decrypted: Path | None = None

    def cleanup(self) -> None:
        """Delete staged evidence and any decrypted copy (the database keeps none of them)."""
        if self.examined is not None:
            self.examined.bundle.cleanup()
        if self.decrypted is not None:
            self.decrypted.unlink(missing_ok=True)
            self.decrypted = None


def open_file(
    paths: ReplicaPaths,
    staging: Path,
    path: Path,
    progress: ProgressCallback | None,
    today: date | None,
    replayed: Callable[[str], bool] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Opened:
    """Every check that needs no database, filling the report; never raises for a bad file.

    `replayed(bundle_id)`, if given, stops at the signature a bundle imported before.
    A failure nobody foresaw refuses this bundle only, so the others of a command still run.
    """
    opened = Opened(BundleReport(path))
    report = opened.report
    try:
        readable = path
        if is_age_file(path):
            report.encrypted = True
            opened.decrypted = decrypt(paths, path, staging, report, progress)
            readable = opened.decrypted
        verified = open_verified(
            paths, readable, staging, report, progress, today, replayed, limits
        )
        if verified is None:
            return opened
        bundle, entry = verified
        try:
            info = read_info(bundle, entry, report)
            opened.examined = Examined(bundle, info, entry, read_ops(bundle, report, limits))
        finally:
            if opened.examined is None:  # refused: nothing will apply what it staged
                bundle.cleanup()
    except Refused:
        pass
    except Exception as exc:  # a bug met by hostile input: refuse, never crash the command
        opened.cleanup()
        opened.examined = None
        report.fail(f"пакет не удалось прочитать ({type(exc).__name__}: {str(exc)[:200]})")
    except BaseException:
        opened.cleanup()
        raise
    return opened
