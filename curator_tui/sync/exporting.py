"""Writing bundles: what a receiver is not known to hold, or one organisation's roadmap, signed.

`export_bundle(db, options, progress)` opens its own connection, so the app can run it in a
worker thread; it returns an `ExportResult` (path, counts, what was left out and why).

What goes into a changes bundle for a receiver (the coordinator unless `receiver` names
another peer; `replica.resolve_receiver`):
- every op this replica holds that the receiver is not known to hold (all with `full`, or
  for a receiver never heard from), its own and other devices' alike: a curator's or hub's
  replica relays what it received. Nothing moves when a bundle is written: an op goes again
  in every export to that receiver until the receiver's own bundle acknowledges it (its
  `holds`), so a lost stick or a refused bundle is resent by the next export;
- minus what the device's own role could not sign (the receiver would refuse the whole
  bundle): roadmap structure unless it is a coordinator, other organisations for a school;
- plus, for every note, evidence item or visit touched, the ops that create and remove it,
  even if the receiver holds them: each bundle then proves on its own which activity (and so
  which school) such a record belongs to, whatever order bundles arrive in;
- the evidence files of every evidence item not removed;
- in the manifest, `holds`: how far this replica holds each device's history (acknowledging
  to the receiver what it sent here).
A bundle killed half-way leaves at most a hidden `.part` file, removed by the next export.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from platformdirs import user_documents_path

from curator_tui.domain.ops import Action, Entity, Operation
from curator_tui.domain.os_errors import os_error_text
from curator_tui.platform import find_medium
from curator_tui.store import authorship as chains
from curator_tui.store import peer_knowledge, sync_state
from curator_tui.store.authorship import Attestation, Window
from curator_tui.store.debris import owner_is_gone
from curator_tui.store.peer_knowledge import Receiver
from curator_tui.store.store import Store
from curator_tui.sync import sshsig
from curator_tui.sync.agefile import parse_recipient
from curator_tui.sync.authorship import (
    attest_own_ops,
    attestation_message,
    authors_entries,
    windows_for,
)
from curator_tui.sync.bundles import (
    AGE_SUFFIX,
    SOFTWARE,
    SUFFIX,
    Authorship,
    BundleInfo,
    BundleKind,
    ByteCounter,
    Counts,
    DeviceInfo,
    DeviceRange,
    ProgressCallback,
    SignerDevice,
    SyncProgress,
)
from curator_tui.sync.container import (
    OPS_NAME,
    BundleWriter,
    EntryInfo,
    build_manifest,
    canonical_json,
    encrypt_file,
    evidence_name,
    new_bundle_id,
)
from curator_tui.sync.errors import BundleError, SyncError
from curator_tui.sync.limits import DEFAULT_PART_LIMITS, PartLimits
from curator_tui.sync.oprules import PROGRESS_SETS, is_structure, role_problem, value_problem
from curator_tui.sync.replica import (
    NOT_INITIALISED,
    load_signing_key,
    paths_of,
    receiver_organisations,
    resolve_organisation,
    resolve_receiver,
    sync_session,
)
from curator_tui.sync.scope import OrganisationResolver, Scope
from curator_tui.sync.trust import ANY_ORGANISATION, TrustRole, slugify

OMITTED_LABELS = {
    "structure": "структура дорожной карты (её рассылает координатор)",
    "other_organisation": "данные других организаций",
    "unattributed": "записи, не привязанные к известному мероприятию",
    "invalid": "изменения, не прошедшие проверку",
}


@dataclass
class ExportOptions:
    destination: Path | None = None  # a folder; None: exports/, a USB stick, or Documents
    full: bool = False
    encrypt_to: str | None = None  # an age1… recipient
    roadmap: bool = False
    organisation: str | None = None  # for roadmap bundles: a name or an id
    receiver: str | None = None  # `--for`: a device id, a trust-list name; None: coordinator
    name_with_school: bool = False  # an encrypted bundle named like a plain one, not neutrally
    limits: PartLimits = DEFAULT_PART_LIMITS  # what each bundle may hold (lowered by tests)


@dataclass
class ExportResult:
    path: Path | None  # None when there was nothing to export
    bundle_id: str
    kind: BundleKind
    ops: int
    evidence_files: int
    evidence_bytes: int
    ranges: dict[str, DeviceRange]
    organisations: dict[str, str]  # id → name ("" when unknown)
    encrypted: bool
    omitted: dict[str, int] = field(default_factory=dict)  # reason → count (OMITTED_LABELS)
    receiver: Receiver = field(default_factory=lambda: Receiver(None))
    # Every file written, in the order the receiver imports them (several: a split export).
    paths: tuple[Path, ...] = ()

    @property
    def message(self) -> str:
        if self.path is None:
            return "Нет новых изменений для выгрузки"
        if len(self.paths) > 1:
            return (
                f"Записано пакетов: {len(self.paths)} (в одном пакете изменения не поместились "
                f"бы в пределы получателя). Импортируйте их по порядку номеров, начиная с "
                f"«{self.paths[0].name}»; папка: {self.path.parent}"
            )
        if not self.ops:
            return f"Новых изменений нет; записан пакет-подтверждение полученного: {self.path}"
        return f"Пакет записан: {self.path}"

    @property
    def receiver_text(self) -> str:
        return receiver_text(self.receiver)


def receiver_text(receiver: Receiver) -> str:
    """«для: Координатор (1a2b3c4d)», or that an unknown receiver gets everything."""
    if receiver.peer_id is None and receiver.default:
        return "для: координатора (он ещё не присылал пакетов)"
    if receiver.peer_id is None:
        return f"для: «{receiver.name}» — он ещё не присылал пакетов, поэтому выгружается всё"
    return f"для: {receiver.name or 'устройство'} ({receiver.peer_id[:8]})"


# --- the plan: which ops and files -----------------------------------------------------------


@dataclass
class Plan:
    kind: BundleKind
    ops_file: Path
    ops: int = 0
    blobs: dict[str, int] = field(default_factory=dict)  # sha256 → size
    ranges: dict[str, DeviceRange] = field(default_factory=dict)
    organisations: set[str] = field(default_factory=set)
    omitted: Counter[str] = field(default_factory=Counter)
    holds: dict[str, int] = field(default_factory=dict)  # the manifest's `holds`
    authors: dict[str, Authorship] = field(default_factory=dict)  # the manifest's `authors`

    @property
    def empty(self) -> bool:
        return self.ops == 0


# Another organisation's data, left off a bundle for a school by design: not reported as
# «left out», which is for what this device made and could not sign.
NOT_FOR_RECEIVER = "not_for_receiver"


class ExportPolicy:
    """What this device may sign, judged as a receiver will judge it (oprules, scope)."""

    def __init__(
        self,
        store: Store,
        role: TrustRole,
        organisation_id: str | None,
        receiver_may_hold: frozenset[str] | None = None,
    ) -> None:
        self.role = role
        bound = role is TrustRole.SCHOOL and organisation_id is not None
        self.scope = Scope(organisation_id if bound and organisation_id else ANY_ORGANISATION)
        # The receiver's own limit (a school's bundle from a hub): None when it has none.
        self.receiver_may_hold = receiver_may_hold
        self.resolver = OrganisationResolver(
            lambda entity, ids: sync_state.owners_of(store, entity, ids), []
        )

    def exclusion(self, op: Operation) -> str | None:
        if value_problem(op) is not None:
            return "invalid"
        if role_problem(op, self.role) is not None:
            return "structure"
        organisations = self.resolver.organisations_of(op)
        if not self.scope.unlimited:
            if not organisations:
                return "unattributed"
            if self.scope.outside(organisations):
                return "other_organisation"
        if self.receiver_may_hold is not None and not (
            organisations and organisations <= self.receiver_may_hold
        ):
            return NOT_FOR_RECEIVER
        return None


class PlanWriter:
    """Streams the chosen ops into ops.jsonl and keeps what the manifest needs."""

    def __init__(self, plan: Plan, store: Store, policy: ExportPolicy) -> None:
        self.plan = plan
        self.store = store
        self.policy = policy
        self.seen: dict[str, tuple[int, int]] = {}  # device → (min seq, max seq) written
        self.written: dict[str, set[int]] = {}  # device → every seq written
        self.evidence: dict[str, tuple[str, int]] = {}  # evidence id → (sha256, size)
        self.touched: set[tuple[Entity, str]] = set()

    def offer(self, op: Operation) -> bool:
        reason = self.policy.exclusion(op)
        if reason is not None:
            # Only this device's own ops count as "left out": others' are simply not relayed.
            if op.device_id == self.store.device_id and reason != NOT_FOR_RECEIVER:
                self.plan.omitted[reason] += 1
            return False
        self.write(op)
        return True

    def write(self, op: Operation) -> None:
        self.handle.write(op.to_json_line() + "\n")
        self.plan.ops += 1
        low, high = self.seen.get(op.device_id, (op.seq, op.seq))
        self.seen[op.device_id] = (min(low, op.seq), max(high, op.seq))
        self.written.setdefault(op.device_id, set()).add(op.seq)
        self.plan.organisations |= self.policy.resolver.organisations_of(op)
        if op.entity in PROGRESS_SETS:
            self.touched.add((op.entity, op.entity_id))
        if op.entity is Entity.EVIDENCE and op.action is Action.CREATE:
            sha256 = op.value.get("sha256") or ""
            if sha256:
                self.evidence[op.entity_id] = (sha256, int(op.value.get("size") or 0))

    def __enter__(self) -> PlanWriter:
        self.handle = self.plan.ops_file.open("w", encoding="utf-8", newline="\n")
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


def plan_changes(
    store: Store,
    policy: ExportPolicy,
    ops_file: Path,
    known: Mapping[str, int],
    windows: Mapping[str, Window],
    *,
    upto: Mapping[str, int] | None = None,
    limits: PartLimits = DEFAULT_PART_LIMITS,
) -> Plan:
    """Every op past what the receiver is known to hold (`known`: device → seq) that this
    replica can prove its author made (this device's own; others' up to an attested head in
    `windows`), or, for one bundle of a split export, as far as `upto` (device → last seq)."""
    plan = Plan(BundleKind.CHANGES, ops_file)
    own = store.device_id
    if upto is not None:
        windows = windows_within(windows, upto)
    with PlanWriter(plan, store, policy) as writer:
        for op in sync_state.ops_after(store, known):
            if (upto is None or op.seq <= upto.get(op.device_id, 0)) and provable(op, own, windows):
                writer.offer(op)
        # Older creates/removes of touched records: each bundle attributes its records itself.
        for entity, entity_id in sorted(writer.touched):
            for op in sync_state.lifecycle_ops(store, entity, entity_id):
                if op.seq <= known.get(op.device_id, 0) and policy.exclusion(op) is None:
                    writer.write(op)
    for device_id, head in sync_state.op_heads(store).items():
        if device_id != own:  # a relay covers what it can prove, not more
            window = windows.get(device_id)
            head = window.attestation.seq if window else 0
        elif upto is not None:
            head = upto.get(own, 0)
        start = known.get(device_id, 0) + 1
        low, high = writer.seen.get(device_id, (start, 0))
        if head >= start or device_id in writer.seen:
            plan.ranges[device_id] = DeviceRange(start=min(start, low), end=max(head, high))
    plan.blobs = needed_blobs(store, writer.evidence)
    plan.authors = authors_entries(store, windows, writer.written, limits.max_passed)
    return plan


def windows_within(windows: Mapping[str, Window], upto: Mapping[str, int]) -> dict[str, Window]:
    """Each window cut at its last attestation at or before `upto` (none left: dropped)."""
    cut: dict[str, Window] = {}
    for device_id, window in windows.items():
        heads = [a for a in window.heads if a.seq <= upto.get(device_id, 0)]
        if heads and window.start <= heads[-1].seq:
            cut[device_id] = window.ending_at(heads[-1])
    return cut


# --- a split export: several bundles, each within the receiver's limits ----------------------
#
# A receiver refuses a bundle of more than MAX_OPS ops, an ops.jsonl beyond MAX_OPS_SIZE, or an
# `authors` with more than MAX_PASSED digests. An export whose pending set is bigger is written
# as parts: the first part is what the receiver is known to hold followed by the earliest ops
# in clock order that fit; each next part starts where the previous one ends, as if the
# receiver held it. A prefix in clock order holds the causes of what it holds (an edit is
# stamped after what it saw), so every part is a bundle the receiver can import on its own,
# in the order of the parts' numbers, each acknowledging what it carries. An author relayed
# from elsewhere can only be cut at one of its attestations; this device's own ops are
# attested wherever a part ends.


def plan_parts(
    store: Store,
    policy: ExportPolicy,
    staging: Path,
    known: Mapping[str, int],
    sign_own_through: Callable[[int], None],
    limits: PartLimits,
) -> list[Plan]:
    """The parts of a changes export, in the order the receiver imports them (one when the
    pending set fits in a bundle, as it nearly always does). `sign_own_through(seq)` attests
    this device's own ops up to seq, where a part ends. Each part's manifest is held to the
    receiver's MAX_MANIFEST_SIZE too (its `authors`, `devices` and evidence entries grow
    with what the part carries)."""
    parts: list[Plan] = []
    carried = dict(known)
    while True:
        ops_file = staging / f"ops-{len(parts) + 1}.jsonl"
        plan = plan_part(store, policy, ops_file, carried, sign_own_through, limits)
        reached = carried_after(carried, plan)
        if parts and (plan.empty or reached == carried):
            plan.ops_file.unlink(missing_ok=True)
            return parts
        parts.append(plan)
        if reached == carried or not more_to_send(store, reached):
            return parts
        carried = reached


def plan_part(
    store: Store,
    policy: ExportPolicy,
    ops_file: Path,
    known: Mapping[str, int],
    sign_own_through: Callable[[int], None],
    limits: PartLimits,
) -> Plan:
    """The next part after `known`: everything pending, if it fits; else the earliest ops
    that do, fewer each try while creates carried along or long lines overflow."""

    def provable_windows() -> dict[str, Window]:
        return windows_for(store, known, lambda op: policy.exclusion(op) is None, limits.max_passed)

    windows = provable_windows()
    cap = limits.max_ops
    upto: dict[str, int] | None = None
    if pending_count(store, known, windows) > cap:
        upto = part_cut(store, known, windows, cap, sign_own_through)
        windows = provable_windows()  # with this device's attestation where the part ends
    while True:
        plan = plan_changes(store, policy, ops_file, known, windows, upto=upto, limits=limits)
        manifest = manifest_size(store, plan)
        if fits(plan, limits, manifest) or cap <= 1:
            return plan
        shares = (
            limits.max_ops / max(plan.ops, 1),
            limits.max_ops_size / max(plan.ops_file.stat().st_size, 1),
            limits.max_manifest_size / max(manifest, 1),
        )
        cap = max(1, int(min(cap, plan.ops) * min(shares) * 0.9))
        upto = part_cut(store, known, windows, cap, sign_own_through)
        windows = provable_windows()


def fits(plan: Plan, limits: PartLimits, manifest: int) -> bool:
    return (
        plan.ops <= limits.max_ops
        and plan.ops_file.stat().st_size <= limits.max_ops_size
        and manifest <= limits.max_manifest_size
    )


def manifest_size(store: Store, plan: Plan) -> int:
    """The bytes of the manifest a plan's bundle would have (its entries' hashes stand in)."""
    plan.holds = peer_knowledge.held_through(store.conn)
    info = manifest_info(store, store.device(), plan, sync_state.organisation_names(store))
    entries = {OPS_NAME: EntryInfo(plan.ops_file.stat().st_size, "0" * 64)}
    entries |= {evidence_name(sha): EntryInfo(size, sha) for sha, size in plan.blobs.items()}
    manifest = build_manifest(bundle_id=new_bundle_id(), entries=entries, extra=info.to_json())
    return len(canonical_json(manifest))


def pending_count(store: Store, known: Mapping[str, int], windows: Mapping[str, Window]) -> int:
    """How many ops past `known` the next bundle could carry at most (its own and those
    proved by `windows`), counted through the (device, seq) index."""
    total = 0
    own = store.device_id
    for device_id, head in sync_state.op_heads(store).items():
        low = known.get(device_id, 0)
        if device_id != own:
            window = windows.get(device_id)
            if window is None:
                continue
            low, head = max(low, window.start - 1), window.attestation.seq
        total += sync_state.ops_count_between(store, device_id, low, head)
    return total


def part_cut(
    store: Store,
    known: Mapping[str, int],
    windows: Mapping[str, Window],
    cap: int,
    sign_own_through: Callable[[int], None],
) -> dict[str, int]:
    """Per device, the last seq a part carries: the first `cap` provable ops past `known` in
    clock order, each relayed author's cut back to its last attestation among them."""
    own = store.device_id
    last: dict[str, int] = {}
    taken = 0
    for op in sync_state.ops_after(store, known):
        if taken >= cap:
            break
        if provable(op, own, windows):
            last[op.device_id] = op.seq
            taken += 1
    upto: dict[str, int] = {}
    for device_id, seq in last.items():
        if device_id == own:
            sign_own_through(seq)
            upto[device_id] = seq
            continue
        heads = [a.seq for a in windows[device_id].heads if a.seq <= seq]
        if heads:
            upto[device_id] = heads[-1]
    return upto


def carried_after(known: Mapping[str, int], plan: Plan) -> dict[str, int]:
    """What the receiver holds once it has imported the part (as its import records it)."""
    reached = dict(known)
    for device_id, span in plan.ranges.items():
        if span.start <= reached.get(device_id, 0) + 1:
            reached[device_id] = max(reached.get(device_id, 0), span.end)
    return reached


def more_to_send(store: Store, known: Mapping[str, int]) -> bool:
    """Whether this replica holds ops past `known` it might prove (its own, or another
    device's with an attestation beyond)."""
    for device_id, head in sync_state.op_heads(store).items():
        if head <= known.get(device_id, 0):
            continue
        if device_id == store.device_id:
            return True
        if chains.provable_window(store.conn, device_id, known.get(device_id, 0) + 1):
            return True
    return False


def provable(op: Operation, own: str, windows: Mapping[str, Window]) -> bool:
    """This device's own ops are proved by the bundle signature; others' by a window."""
    if op.device_id == own:
        return True
    window = windows.get(op.device_id)
    return window is not None and window.start <= op.seq <= window.attestation.seq


def plan_roadmap(store: Store, policy: ExportPolicy, staging: Path, organisation_id: str) -> Plan:
    plan = Plan(BundleKind.ROADMAP, staging / "ops.jsonl")
    windows = windows_for(store, {}, lambda op: is_structure(op) and policy.exclusion(op) is None)
    with PlanWriter(plan, store, policy) as writer:
        for op in sync_state.structure_ops(store, organisation_id):
            if provable(op, store.device_id, windows):
                writer.offer(op)
    plan.ranges = {d: DeviceRange(start=lo, end=hi) for d, (lo, hi) in writer.seen.items()}
    others = {d: w for d, w in windows.items() if d != store.device_id}
    plan.authors = authors_entries(store, others, writer.written)
    return plan


def needed_blobs(store: Store, evidence: dict[str, tuple[str, int]]) -> dict[str, int]:
    """Files of the evidence items in the bundle that are not removed; all must be present."""
    blobs: dict[str, int] = {}
    for evidence_id, (sha256, size) in sorted(evidence.items()):
        if sync_state.evidence_removed(store, evidence_id):
            continue
        if not store.evidence_files.has(sha256):
            raise BundleError(
                f"Файл доказательства {sha256[:12]}… отсутствует в хранилище базы: пакет не "
                "записан. Проверьте базу командой curator doctor."
            )
        blobs[sha256] = store.evidence_files.path_for(sha256).stat().st_size or size
    return blobs


# --- destination and name ------------------------------------------------------------------


def default_destination(cwd: Path | None = None) -> Path:
    """`exports/` in the current folder, else a mounted USB stick, else the user's Documents."""
    here = cwd or Path.cwd()
    if (here / "exports").is_dir():
        return here / "exports"
    return find_medium() or user_documents_path()


def bundle_stem(plan: Plan, store: Store, names: dict[str, str]) -> str:
    """<org-slug>-<device-short>-<seqfrom>-<seqto> (roadmaps: …-roadmap-<from>-<to>)."""
    device_id = store.device_id
    own = plan.ranges.get(device_id)
    span = f"{own.start}-{own.end}" if own else "0-0"
    if plan.kind is BundleKind.ROADMAP:
        span = "roadmap-" + span
    return f"{organisation_slug(plan, store, names)}-{device_id[:8]}-{span}"


def neutral_stem(today: datetime | None = None) -> str:
    """An encrypted bundle's name tells nobody who sent it: «kurator-2026-12-03-7f3a»."""
    day = (today or datetime.now(UTC)).date().isoformat()
    return f"kurator-{day}-{secrets.token_hex(2)}"


def target_stem(plan: Plan, store: Store, names: dict[str, str], options: ExportOptions) -> str:
    if options.encrypt_to and not options.name_with_school:
        return neutral_stem()
    return bundle_stem(plan, store, names)


def organisation_slug(plan: Plan, store: Store, names: dict[str, str]) -> str:
    candidates = []
    if len(plan.organisations) == 1:
        candidates.append(names.get(next(iter(plan.organisations)), ""))
    candidates += [
        store.setting(sync_state.HUB_REGION_SETTING) or "",
        store.setting(sync_state.ORGANISATION_NAME_SETTING) or "",
        store.device().get("name") or "",
    ]
    for text in candidates:
        slug = slugify(text)
        if slug:
            return slug
    return "curator"


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """A name not taken yet in `folder`: stem.curator, stem-2.curator, …"""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def remove_stale_parts(folder: Path, device_id: str) -> None:
    """Hidden temp files of this device's exports killed half-way (BundleWriter, age)."""
    for leftover in folder.glob(f".*-{device_id[:8]}-*{SUFFIX}*.part"):
        leftover.unlink(missing_ok=True)
    # Neutral names do not say whose they are: parts whose writing process is gone.
    for leftover in folder.glob(f".kurator-*{SUFFIX}{AGE_SUFFIX}.*.part"):
        pid_text = leftover.name.rpartition(f"{AGE_SUFFIX}.")[2].partition("-")[0]
        if owner_is_gone(pid_text, leftover):
            leftover.unlink(missing_ok=True)


# --- the workflow ---------------------------------------------------------------------------


def export_bundle(
    db: Path,
    options: ExportOptions | None = None,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Write one bundle, or the parts of a split export (`ExportResult.paths`, in the order
    the receiver imports them). The database changes only by what it has told the receiver
    it holds (after the renames) and by this device's attestations: an acknowledgement is
    written once, not with every export."""
    options = options or ExportOptions()
    if options.encrypt_to:
        check_recipient(options.encrypt_to)
    with Store.open(db) as store:
        paths = paths_of(store)
        key = load_signing_key(paths)
        device = store.device()
        role = device_role(device)
        own_org = store.setting(sync_state.ORGANISATION_SETTING)
        receiver = resolve_receiver(store, options.receiver)
        may_hold = (
            None if options.roadmap else receiver_organisations(store, receiver, options.receiver)
        )
        policy = ExportPolicy(store, role, own_org, may_hold)
        with sync_session(paths) as staging:
            if progress:
                progress(SyncProgress("collect", 0, 0))
            attest_own_ops(store, key)
            plans = make_plans(store, policy, staging, options, role, receiver, key)
            names = sync_state.organisation_names(store)
            holds = peer_knowledge.held_through(store.conn)
            for plan in plans:
                plan.holds = holds
            first = plans[0]
            if len(plans) == 1 and first.empty and not acknowledges(store, first, receiver):
                return result_of(plans, [], "", names, receiver, encrypted=False)
            folder = prepare_folder(options.destination)
            remove_stale_parts(folder, store.device_id)
            suffix = SUFFIX + (AGE_SUFFIX if options.encrypt_to else "")
            stem = target_stem(first, store, names, options)
            targets: list[Path] = []
            bundle_ids: list[str] = []
            for number, plan in enumerate(plans, start=1):
                part_stem = stem
                if len(plans) > 1:
                    if not options.encrypt_to or options.name_with_school:
                        part_stem = bundle_stem(plan, store, names)
                    part_stem += f"-{number}-of-{len(plans)}"
                target = free_name(folder, part_stem, suffix)
                bundle_ids.append(new_bundle_id())
                info = manifest_info(store, device, plan, names)
                plain = staging / "bundle.curator" if options.encrypt_to else target
                write_container(store, plan, plain, bundle_ids[-1], info, key, progress)
                if options.encrypt_to:
                    encrypt(plain, target, options.encrypt_to, progress)
                targets.append(target)
            if receiver.peer_id is not None and first.kind is BundleKind.CHANGES:
                peer_knowledge.remember_told(store.conn, receiver.peer_id, holds)
            encrypted = bool(options.encrypt_to)
            return result_of(plans, targets, bundle_ids[0], names, receiver, encrypted=encrypted)


def own_signer(store: Store, key: Ed25519PrivateKey) -> Callable[[int], None]:
    """Attest this device's own ops up to a seq (where a part of a split export ends)."""

    def sign_through(seq: int) -> None:
        if chains.own_attestation(store, seq) is not None:
            return
        link = chains.stored_links(store.conn, store.device_id, [seq]).get(seq)
        if link is None:  # past a gap in its own chain: the bundle signature alone proves it
            return
        signature = key.sign(attestation_message(store.device_id, seq, link))
        chains.record_own_attestation(store, Attestation(store.device_id, seq, link, signature))

    return sign_through


def acknowledges(store: Store, plan: Plan, receiver: Receiver) -> bool:
    """A bundle without ops is still worth writing when it tells the receiver that this
    replica now holds more than it last told it: the receiver then stops resending."""
    if plan.kind is not BundleKind.CHANGES or receiver.peer_id is None:
        return False
    told = peer_knowledge.told_to(store.conn, receiver.peer_id)
    return any(seq > told.get(device_id, 0) for device_id, seq in plan.holds.items())


def check_recipient(text: str) -> None:
    """Only age1… recipients: what `curator keys show` prints and our import decrypts."""
    if not text.strip().startswith("age1"):
        raise SyncError(
            "Укажите получателя шифрования age1… (его показывает curator keys show "
            "на компьютере получателя)"
        )
    parse_recipient(text)


def device_role(device: dict[str, Any]) -> TrustRole:
    try:
        return TrustRole(device.get("role") or "")
    except ValueError:
        raise SyncError(NOT_INITIALISED) from None


def make_plans(
    store: Store,
    policy: ExportPolicy,
    staging: Path,
    options: ExportOptions,
    role: TrustRole,
    receiver: Receiver,
    key: Ed25519PrivateKey,
) -> list[Plan]:
    if not options.roadmap:
        known = {} if options.full else peer_knowledge.known_to(store.conn, receiver)
        return plan_parts(store, policy, staging, known, own_signer(store, key), options.limits)
    if role is not TrustRole.COORDINATOR:
        raise SyncError("Пакет дорожной карты подписывает только координатор")
    organisation_id = roadmap_organisation(store, options.organisation)
    return [plan_roadmap(store, policy, staging, organisation_id)]


def roadmap_organisation(store: Store, text: str | None) -> str:
    known = sync_state.organisations(store)
    if text:
        org_id, _name = resolve_organisation(store, text)
        if org_id in {row["id"] for row in known}:
            return org_id
        raise SyncError(f"Организация «{text}» не найдена в этой базе")
    if len(known) == 1:
        return str(known[0]["id"])
    if not known:
        raise SyncError("В этой базе нет ни одной дорожной карты")
    listed = "\n".join(f"  {row['name']} ({row['id']})" for row in known)
    raise SyncError(f"Укажите организацию: --school НАЗВАНИЕ или id. В базе есть:\n{listed}")


def prepare_folder(destination: Path | None) -> Path:
    folder = Path(destination) if destination is not None else default_destination()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SyncError(f"Не удалось создать папку {folder}: {os_error_text(exc)}") from exc
    if not folder.is_dir():
        raise SyncError(f"Это не папка: {folder}")
    return folder


def manifest_info(
    store: Store, device: dict[str, Any], plan: Plan, names: dict[str, str]
) -> BundleInfo:
    known = sync_state.device_rows(store, plan.ranges)
    return BundleInfo(
        kind=plan.kind,
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        software=SOFTWARE,
        device=SignerDevice(
            id=store.device_id,
            name=device.get("name") or "",
            role=device.get("role") or "",
            public_key=device.get("public_key") or "",
            organisation_id=store.setting(sync_state.ORGANISATION_SETTING),
        ),
        organisations=sorted(plan.organisations),
        organisation_names={o: names[o] for o in sorted(plan.organisations) if o in names},
        ranges=plan.ranges,
        devices={d: device_info(known.get(d)) for d in plan.ranges},
        counts=Counts(
            ops=plan.ops,
            evidence_files=len(plan.blobs),
            evidence_bytes=sum(plan.blobs.values()),
        ),
        holds=plan.holds,
        authors=plan.authors,
    )


def device_info(row: dict[str, Any] | None) -> DeviceInfo:
    row = row or {}
    return DeviceInfo(
        name=str(row.get("name") or "")[:200],
        role=str(row.get("role") or "")[:40],
        public_key=str(row.get("public_key") or "")[:200],
    )


def write_container(
    store: Store,
    plan: Plan,
    target: Path,
    bundle_id: str,
    info: BundleInfo,
    key: Ed25519PrivateKey,
    progress: ProgressCallback | None,
) -> None:
    total = plan.ops_file.stat().st_size + sum(plan.blobs.values())
    counter = ByteCounter("write", total, progress)
    counter.start()
    try:
        with BundleWriter(target) as writer:
            writer.add_file(OPS_NAME, plan.ops_file, counter)
            for sha256 in plan.blobs:
                path = store.evidence_files.path_for(sha256)
                writer.add_file(evidence_name(sha256), path, counter)
            manifest = canonical_json(
                build_manifest(bundle_id=bundle_id, entries=writer.entries, extra=info.to_json())
            )
            writer.finish(manifest, sshsig.sign(key, manifest, sshsig.BUNDLE_NAMESPACE))
    except OSError as exc:
        raise BundleError(f"Не удалось записать пакет {target}: {describe(exc)}") from exc


def encrypt(plain: Path, target: Path, recipient: str, progress: ProgressCallback | None) -> None:
    size = plain.stat().st_size
    if progress:
        progress(SyncProgress("encrypt", 0, size))
    try:
        encrypt_file(plain, target, [recipient.strip()])
    finally:
        plain.unlink(missing_ok=True)
    if progress:
        progress(SyncProgress("encrypt", size, size))


def describe(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "на диске не осталось места"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "нет прав на запись"
    return os_error_text(exc)


def result_of(
    plans: list[Plan],
    paths: list[Path],
    bundle_id: str,
    names: dict[str, str],
    receiver: Receiver,
    *,
    encrypted: bool,
) -> ExportResult:
    organisations = set().union(*(plan.organisations for plan in plans))
    omitted: Counter[str] = Counter()
    for plan in plans:
        omitted.update(plan.omitted)
    blobs = {sha256: size for plan in plans for sha256, size in plan.blobs.items()}
    return ExportResult(
        path=paths[0] if paths else None,
        bundle_id=bundle_id,
        kind=plans[0].kind,
        ops=sum(plan.ops for plan in plans),
        evidence_files=len(blobs),
        evidence_bytes=sum(blobs.values()),
        ranges=merged_ranges(plans),
        organisations={o: names.get(o, "") for o in sorted(organisations)},
        encrypted=encrypted,
        omitted=dict(omitted),
        receiver=receiver,
        paths=tuple(paths),
    )


def merged_ranges(plans: list[Plan]) -> dict[str, DeviceRange]:
    """Per device, from the first seq any part carries to the last."""
    merged: dict[str, DeviceRange] = {}
    for plan in plans:
        for device_id, span in plan.ranges.items():
            before = merged.get(device_id, span)
            merged[device_id] = DeviceRange(
                start=min(before.start, span.start), end=max(before.end, span.end)
            )
    return merged
