"""Reading bundles: verify what a bundle is and who signed it, and import it if allowed.

`verify_bundle(db, path)` and `import_bundles(db, paths)` open their own connection (safe in a
worker thread) and return `BundleReport`s: signer, contents, every problem found, outcome.

Order of checks (nothing reaches the database or the evidence store before all pass):
1. an age-encrypted file is decrypted with this replica's identity into the staging folder;
2. the container validates the ZIP structure, the SSHSIG signature over the manifest, the
   signer against the trust list (known, not expired), and every entry's size and SHA-256;
3. the manifest's own fields, the signer key = the device key the manifest names;
4. every op: its shape and values, that the signer's role may make it, that every
   organisation it can touch (oprules, scope) is in the signer's trust entry;
5. evidence: every file in the bundle belongs to an evidence item in it, every live evidence
   item has its file (here or already in the store), sizes agree;
6. the log: an op id seen before with other content, a (device, seq) taken by another op,
   or ops in this replica's own name that it never made — refused.
Then evidence files are renamed into the store, and the ops, marks and the import record are
written in one transaction. A sequence gap is reported and the bundle still imported: ops are
idempotent and merging does not depend on order, so the missing bundle can come later.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from curator_tui.domain.ops import Action, Entity, HlcStamp, Operation
from curator_tui.store import hub_queries, sync_state
from curator_tui.store.store import Store, now_ms
from curator_tui.sync import keys, sshsig
from curator_tui.sync.bundles import (
    MAX_BUNDLE_TOTAL,
    BundleInfo,
    BundleKind,
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
from curator_tui.sync.oprules import (
    ACTION_LABELS,
    ENTITY_LABELS,
    OpFormatError,
    describe_op,
    is_structure,
    parse_ops,
    role_problem,
    value_problem,
)
from curator_tui.sync.replica import ReplicaPaths, paths_of, role_label, sync_session
from curator_tui.sync.scope import OrganisationResolver, Scope
from curator_tui.sync.trust import TrustEntry, TrustList, TrustRole

MAX_LISTED_PROBLEMS = 20
FUTURE_CLOCK_MS = 24 * 3600 * 1000


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
            return "Пакет уже импортирован: ничего не изменилось"
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


# --- public workflows -----------------------------------------------------------------------


def verify_bundle(
    db: Path,
    path: Path,
    progress: ProgressCallback | None = None,
    *,
    today: date | None = None,
) -> BundleReport:
    """Check a bundle against this replica without changing anything in it."""
    with Store.open(db) as store:
        paths = paths_of(store)
        with sync_session(paths) as staging:
            report = BundleReport(Path(path))
            with examine(store, paths, staging, report, progress, today, verify_only=True):
                pass
            if report.acceptable:
                report.outcome = Outcome.VERIFIED
            return report


# Asked on a hub before a bundle creates organisations it has never seen: gets their
# {id: name}, answers whether to go ahead.
ConfirmNewOrganisations = Callable[[dict[str, str]], bool]


def import_bundles(
    db: Path,
    bundle_paths: Sequence[Path],
    progress: ProgressCallback | None = None,
    *,
    today: date | None = None,
    confirm_new: ConfirmNewOrganisations | None = None,
) -> list[BundleReport]:
    """Import each bundle on its own: a refused one does not stop the others.

    On a hub, `confirm_new` (if given) decides whether a bundle may bring in an organisation
    the hub does not know yet; a refusal refuses that bundle only.
    """
    reports = []
    with Store.open(db) as store, store.bulk_writes():
        paths = paths_of(store)
        with sync_session(paths) as staging:
            for path in bundle_paths:
                reports.append(
                    import_one(store, paths, staging, Path(path), progress, today, confirm_new)
                )
    return reports


def unknown_organisations(store: Store, info: BundleInfo) -> dict[str, str]:
    """The bundle's organisations this hub has never seen (none on a replica that is not one)."""
    if not store.setting(sync_state.HUB_REGION_SETTING):
        return {}
    known = hub_queries.known_organisation_ids(store, list(info.organisations))
    return {
        org: info.organisation_names.get(org, "") for org in info.organisations if org not in known
    }


def import_bundle(
    db: Path, path: Path, progress: ProgressCallback | None = None, *, today: date | None = None
) -> BundleReport:
    [report] = import_bundles(db, [path], progress, today=today)
    return report


def import_one(
    store: Store,
    paths: ReplicaPaths,
    staging: Path,
    path: Path,
    progress: ProgressCallback | None,
    today: date | None,
    confirm_new: ConfirmNewOrganisations | None = None,
) -> BundleReport:
    report = BundleReport(path)
    with examine(store, paths, staging, report, progress, today, verify_only=False) as examined:
        if report.outcome is Outcome.ALREADY:
            record(store, report, sync_state.RESULT_ALREADY, "уже импортирован")
            return report
        if examined is not None and not report.errors and confirm_new is not None:
            unknown = unknown_organisations(store, examined.info)
            if unknown and not confirm_new(unknown):
                names = ", ".join(f"«{name or org}»" for org, name in unknown.items())
                report.fail(
                    f"организация {names} ещё не известна сводной базе, создание не "
                    "подтверждено (повторите импорт и ответьте «д» или добавьте --yes)"
                )
        if examined is None or report.errors:
            record(store, report, sync_state.RESULT_REFUSED, report.message)
            return report
        apply(store, examined, report, progress)
    return report


# --- examination ----------------------------------------------------------------------------


@contextlib.contextmanager
def examine(
    store: Store,
    paths: ReplicaPaths,
    staging: Path,
    report: BundleReport,
    progress: ProgressCallback | None,
    today: date | None,
    *,
    verify_only: bool,
) -> Iterator[Examined | None]:
    """Run every check, filling `report`; yields the verified bundle (or None if refused).

    Staged files and any decrypted copy are deleted when the block ends, whatever happens.
    """
    decrypted: Path | None = None
    bundle: VerifiedBundle | None = None
    try:
        try:
            readable = report.path
            if is_age_file(report.path):
                report.encrypted = True
                decrypted = decrypt(paths, report.path, staging, report, progress)
                readable = decrypted
            replayed = None if verify_only else (lambda b: sync_state.bundle_accepted(store, b))
            opened = open_verified(paths, readable, staging, report, progress, today, replayed)
            if opened is None:
                yield None
                return
            bundle, entry = opened
            report.signer = _with_org_name(
                report.signer,
                hub_queries.organisation_names_of(store, {entry.organisation_id}).get(
                    entry.organisation_id
                ),
            )
            info = read_info(bundle, entry, report)
            ops = read_ops(bundle, report)
            check_contents(store, bundle, info, entry, ops, report, full=verify_only)
        except Refused:
            yield None
            return
        if verify_only and sync_state.bundle_accepted(store, report.bundle_id):
            report.fail("пакет уже импортирован в эту базу (повтор ничего не изменит)")
        yield Examined(bundle, info, entry, ops)
    finally:
        if bundle is not None:
            bundle.cleanup()
        if decrypted is not None:
            decrypted.unlink(missing_ok=True)


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
        if replayed is not None:
            bundle_id = parse_manifest(manifest_bytes)["bundle_id"]
            if replayed(bundle_id):
                report.bundle_id = bundle_id
                raise AlreadyImported("уже импортирован")

    counter = ByteCounter("verify", path.stat().st_size if path.exists() else 0, progress)
    counter.start()
    try:
        bundle = open_bundle(
            path,
            check_signature,
            MAX_BUNDLE_TOTAL,
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


def read_ops(bundle: VerifiedBundle, report: BundleReport) -> list[Operation]:
    try:
        ops = parse_ops(bundle.ops)
    except OpFormatError as exc:
        report.fail(str(exc))
        raise Refused from exc
    report.ops = len(ops)
    report.op_counts = dict(Counter((op.entity, op.action) for op in ops))
    report.evidence_files = len(bundle.evidence)
    report.evidence_bytes = sum(p.stat().st_size for p in bundle.evidence.values())
    return ops


def check_contents(
    store: Store,
    bundle: VerifiedBundle,
    info: BundleInfo,
    entry: TrustEntry,
    ops: list[Operation],
    report: BundleReport,
    *,
    full: bool,
) -> None:
    """Every check after the container's; fatal problems go to the report, not exceptions.

    `full=False` when importing: what `apply_bundle` checks again is left to it."""
    check_declared(info, bundle, ops, report)
    if report.errors:
        raise Refused
    resolver = OrganisationResolver(
        lambda entity, ids: sync_state.owners_of(store, entity, ids), ops
    )
    resolver.prefetch(ops)
    check_kind(info, entry, ops, report)
    check_each_op(store, entry, ops, resolver, report)
    check_evidence(store, bundle, ops, report)
    check_log(store, ops, report, full=full)
    note_gaps(store, info, report)
    note_clock(ops, report)


def check_declared(
    info: BundleInfo, bundle: VerifiedBundle, ops: list[Operation], report: BundleReport
) -> None:
    if info.counts.ops != len(ops):
        report.fail("число изменений не совпадает с описью")
    if info.counts.evidence_files != len(bundle.evidence):
        report.fail("число файлов доказательств не совпадает с описью")
    if info.counts.evidence_bytes != report.evidence_bytes:
        report.fail("объём файлов доказательств не совпадает с описью")
    ids: set[str] = set()
    slots: set[tuple[str, int]] = set()
    for op in ops:
        if op.op_id in ids or (op.device_id, op.seq) in slots:
            report.fail(f"{describe_op(op)} встречается в пакете дважды")
            return
        ids.add(op.op_id)
        slots.add((op.device_id, op.seq))
        span = info.ranges.get(op.device_id)
        if span is None or not span.start <= op.seq <= span.end:
            report.fail(f"{describe_op(op)} не входит в диапазон номеров, указанный в описи")
            return


def check_kind(
    info: BundleInfo, entry: TrustEntry, ops: list[Operation], report: BundleReport
) -> None:
    if info.kind is not BundleKind.ROADMAP:
        return
    if entry.role is not TrustRole.COORDINATOR:
        report.fail("пакет дорожной карты может подписать только координатор")
    for op in ops:
        if not is_structure(op):
            report.fail(f"в пакете дорожной карты есть не относящееся к ней: {describe_op(op)}")
            return


def check_each_op(
    store: Store,
    entry: TrustEntry,
    ops: list[Operation],
    resolver: OrganisationResolver,
    report: BundleReport,
) -> None:
    scope = Scope(entry.organisation_id)
    resolved = [(op, resolver.organisations_of(op)) for op in ops]
    touched: set[str] = set().union(*(organisations for _op, organisations in resolved))
    # Only the names this bundle can mention: a hub holds thousands of organisations.
    names = hub_queries.organisation_names_of(store, touched | {entry.organisation_id})
    names.update(report.info.organisation_names if report.info else {})
    listed = 0
    for op, organisations in resolved:
        problem = value_problem(op) or role_problem(op, entry.role)
        if problem is None and not scope.unlimited:
            problem = scope_problem(organisations, scope, entry, names)
        if problem is not None:
            listed += 1
            if listed <= MAX_LISTED_PROBLEMS:
                report.fail(f"{describe_op(op)}: {problem}")
    if listed > MAX_LISTED_PROBLEMS:
        report.fail(f"и ещё {listed - MAX_LISTED_PROBLEMS} таких изменений")
    report.organisations = {o: names.get(o, "") for o in sorted(touched)}


def _with_org_name(signer: SignerInfo | None, name: str | None) -> SignerInfo | None:
    if signer is None or not name:
        return signer
    return SignerInfo(**{**signer.__dict__, "organisation_name": name})


def scope_problem(
    organisations: frozenset[str], scope: Scope, entry: TrustEntry, names: dict[str, str]
) -> str | None:
    if not organisations:
        return (
            "нельзя определить, к какой организации это относится: в этой базе нет такого "
            "мероприятия (сначала импортируйте дорожную карту организации)"
        )
    outside = scope.outside(organisations)
    if not outside:
        return None
    other = outside[0]
    return (
        f"относится к организации «{names.get(other) or other}», а ключ "
        f"«{entry.display_name}» доверен только для "
        f"«{names.get(entry.organisation_id) or entry.organisation_id}»"
    )


def check_evidence(
    store: Store, bundle: VerifiedBundle, ops: list[Operation], report: BundleReport
) -> None:
    removed_here = {
        op.entity_id for op in ops if op.entity is Entity.EVIDENCE and op.action is Action.REMOVE
    }
    referenced: set[str] = set()
    for op in ops:
        if op.entity is not Entity.EVIDENCE or op.action is not Action.CREATE:
            continue
        sha256, size = op.value["sha256"], op.value["size"]
        if not sha256:
            continue
        referenced.add(sha256)
        staged = bundle.evidence.get(sha256)
        if staged is not None:
            actual = staged.stat().st_size
        elif store.evidence_files.has(sha256):
            actual = store.evidence_files.path_for(sha256).stat().st_size
        elif op.entity_id in removed_here or sync_state.evidence_removed(store, op.entity_id):
            continue  # a removed item needs no file
        else:
            report.fail(f"{describe_op(op)}: в пакете нет файла доказательства {sha256[:12]}…")
            continue
        if actual != size:
            report.fail(f"{describe_op(op)}: размер файла не совпадает с указанным")
    for sha256 in sorted(set(bundle.evidence) - referenced):
        report.fail(f"файл {sha256[:12]}… в пакете не относится ни к одному доказательству")


def check_log(store: Store, ops: list[Operation], report: BundleReport, *, full: bool) -> None:
    """Ops the log contradicts, and ops in this replica's own name it never made.

    `full=False` (importing) leaves contradictions to `apply_bundle`, which reads back only
    the ops the log did not take: the same refusal, without a lookup per op.
    """
    for clash in sync_state.clashing_ops(store, ops) if full else ():
        report.fail(clash_problem(clash))
        return
    own = store.device_id
    if sync_state.unknown_ops_of_device(store, ops, own):
        report.fail("пакет содержит изменения от имени этой базы, которых она не делала")


def clash_problem(clash: sync_state.OpClash) -> str:
    if clash.reason == "same_seq":
        return (
            f"{describe_op(clash.op)}: под этим номером у устройства в базе уже есть "
            "другое изменение (пакет подделан или устройство восстановлено из копии)"
        )
    return f"{describe_op(clash.op)}: в базе это изменение записано иначе"


def note_gaps(store: Store, info: BundleInfo, report: BundleReport) -> None:
    if info.kind is not BundleKind.CHANGES:
        return
    heads = hub_queries.device_heads(store, set(info.ranges))
    own = store.device_id
    for device_id, span in sorted(info.ranges.items()):
        have = heads.get(device_id, 0)
        if device_id == own or span.start <= have + 1:
            continue
        name = report.device_names.get(device_id) or device_id[:8]
        report.warn(
            f"пропуск в изменениях устройства «{name}»: в базе есть до № {have}, пакет "
            f"начинается с № {span.start}. Изменения № {have + 1}–{span.start - 1} придут "
            "с другим пакетом (можно импортировать в любом порядке)"
        )


def note_clock(ops: list[Operation], report: BundleReport) -> None:
    limit = now_ms() + FUTURE_CLOCK_MS
    ahead = {op.device_id for op in ops if HlcStamp.parse(op.hlc).wall_ms > limit}
    for device_id in sorted(ahead):
        name = report.device_names.get(device_id) or device_id[:8]
        report.warn(f"часы устройства «{name}» спешат: его изменения помечены будущим временем")


# --- applying -------------------------------------------------------------------------------


def apply(
    store: Store, examined: Examined, report: BundleReport, progress: ProgressCallback | None
) -> None:
    """Evidence into the store first (rename), then ops + record in one transaction."""
    if progress:
        progress(SyncProgress("apply", 0, report.ops))
    adopted: list[str] = []
    try:
        for sha256, staged in sorted(examined.bundle.evidence.items()):
            if store.evidence_files.adopt_verified(staged, sha256):
                adopted.append(sha256)
        result = sync_state.apply_bundle(
            store,
            examined.ops,
            import_record(report, examined.entry.principal, sync_state.RESULT_ACCEPTED, ""),
            covered=covered_marks(store, examined.info),
            devices=devices_of(store, examined.info),
        )
    except Exception as exc:
        for sha256 in adopted:  # the transaction rolled back: nothing refers to them
            store.evidence_files.discard(sha256)
        report.fail(apply_failure(exc))
        record(store, report, sync_state.RESULT_REFUSED, report.message)
        return
    report.applied, report.duplicates, report.conflicts = (
        result.applied,
        result.duplicates,
        result.conflicts,
    )
    report.outcome = Outcome.ACCEPTED
    if progress:
        progress(SyncProgress("apply", report.ops, report.ops))


def apply_failure(exc: Exception) -> str:
    if isinstance(exc, sync_state.LogClash):
        return clash_problem(exc.clash)
    if isinstance(exc, SyncError):
        return str(exc)
    return f"ошибка записи в базу: {exc}"


def covered_marks(store: Store, info: BundleInfo) -> dict[str, int]:
    if info.kind is not BundleKind.CHANGES:
        return {}
    own = store.device_id
    return {d: r.end for d, r in info.ranges.items() if d != own}


def devices_of(store: Store, info: BundleInfo) -> dict[str, tuple[str, str, str]]:
    own = store.device_id
    devices = {d: (i.name, i.role, i.public_key) for d, i in info.devices.items() if d != own}
    signer = info.device
    if signer.id != own:
        devices[signer.id] = (signer.name, signer.role, signer.public_key)
    return devices


def import_record(
    report: BundleReport, signer: str, result: str, message: str
) -> sync_state.ImportRecord:
    info = report.info
    counts = {
        "ops": report.ops,
        "evidence_files": report.evidence_files,
        "evidence_bytes": report.evidence_bytes,
        "file": report.path.name,
    }
    if info is not None:
        counts["kind"] = info.kind.value
        counts["ranges"] = {d: r.to_json() for d, r in info.ranges.items()}
    return sync_state.ImportRecord(
        bundle_id=report.bundle_id,
        signer=signer,
        device_id=info.device.id if info is not None else "",
        result=result,
        counts=counts,
        message=message,
        organisations=list(report.organisations),  # its last bundle, if accepted
    )


def record(store: Store, report: BundleReport, result: str, message: str) -> None:
    """Log an import attempt that changed nothing (refused, or already imported)."""
    signer = report.signer.principal if report.signer else report.signer_fingerprint
    sync_state.record_import(store, import_record(report, signer, result, message))
    report.outcome = Outcome(result)


def created_at_text(info: BundleInfo | None) -> str:
    """The bundle's creation time for people: «12.03.2024 10:15 UTC»."""
    if info is None:
        return "—"
    try:
        moment = datetime.strptime(info.created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return info.created_at
    return moment.strftime("%d.%m.%Y %H:%M UTC")


def op_count_lines(report: BundleReport) -> list[str]:
    """«мероприятие · изменение: 5» lines, entity order as in the roadmap."""
    lines = []
    for entity in Entity:
        for action in Action:
            count = report.op_counts.get((entity, action))
            if count:
                lines.append(f"{ENTITY_LABELS[entity]} · {ACTION_LABELS[action]}: {count}")
    return lines
