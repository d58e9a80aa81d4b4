"""Reading bundles: verify what a bundle is and who signed it, and import it if allowed.

`verify_bundle(db, path)` and `import_bundles(db, paths)` open their own connection (safe in a
worker thread) and return `BundleReport`s: signer, contents, every problem found, outcome.

Order of checks (nothing reaches the database or the evidence store before all pass); 1–3
need no database and live in `opening`:
1. an age-encrypted file is decrypted with this replica's identity into the staging folder;
2. the container validates the ZIP structure, the SSHSIG signature over the manifest, the
   signer against the trust list (known, not expired), and every entry's size and SHA-256;
3. the manifest's own fields, the signer key = the device key the manifest names;
4. every op: its shape and values, that the signer's role may make it, that every
   organisation it can touch (oprules, scope) is in the signer's trust entry;
5. evidence: every file in the bundle belongs to an evidence item in it, every live evidence
   item has its file (here or already in the store), sizes agree;
6. the log: an op id seen before with other content, a (device, seq) taken by another op,
   or ops in this replica's own name in slots it filled itself — refused. Its own ops past
   those (made before it was restored from a copy) are accepted, and numbering goes on
   after the highest seq any peer holds of it.
Then evidence files are renamed into the store, and the ops, marks, what the signer holds
(per-peer knowledge) and the import record are written in one transaction. A sequence gap
is reported and the bundle still imported: ops are idempotent and merging does not depend on
order, so the missing bundle can come later (`peer_knowledge.sequence_gaps` lists the gaps
until they are filled).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from curator_tui.domain.ops import (
    CLOCK_FLOOR_MS,
    Action,
    Entity,
    HlcStamp,
    Operation,
    adoption_limit,
    stamp_after,
    wall_date,
)
from curator_tui.store import hub_queries, sync_state
from curator_tui.store.removed_work import latest_work, removed_with_work_among
from curator_tui.store.store import Store, now_ms
from curator_tui.sync.authorship import check_authorship, line_digests
from curator_tui.sync.bundles import (
    BundleInfo,
    BundleKind,
    ProgressCallback,
    SyncProgress,
)
from curator_tui.sync.container import (
    VerifiedBundle,
)
from curator_tui.sync.errors import SyncError
from curator_tui.sync.limits import DEFAULT_LIMITS, Limits
from curator_tui.sync.opening import (
    BundleReport,
    Examined,
    Opened,
    Outcome,
    Refused,
    SignerInfo,
    load_trust,
    open_file,
)
from curator_tui.sync.oprules import (
    ACTION_LABELS,
    ENTITY_LABELS,
    describe_op,
    is_structure,
    role_problem,
    value_problem,
)
from curator_tui.sync.replica import paths_of, sync_session
from curator_tui.sync.scope import OrganisationResolver, Scope
from curator_tui.sync.trust import TrustEntry, TrustList, TrustRole

MAX_LISTED_PROBLEMS = 20


# --- public workflows -----------------------------------------------------------------------


def verify_bundle(
    db: Path,
    path: Path,
    progress: ProgressCallback | None = None,
    *,
    today: date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BundleReport:
    """Check a bundle against this replica without changing anything in it."""
    with Store.open(db) as store:
        paths = paths_of(store)
        with sync_session(paths) as staging:
            opened = open_file(paths, staging, Path(path), progress, today, limits=limits)
            with examine(store, opened, verify_only=True):
                pass
            report = opened.report
            if report.acceptable and report.outcome is not Outcome.ALREADY:
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
    limits: Limits = DEFAULT_LIMITS,
) -> list[BundleReport]:
    """Import each bundle on its own: a refused one does not stop the others.

    On a hub, a bundle may bring in an organisation the hub does not know yet only when the
    trust list names it or `confirm_new` (asked about the others) accepts it; a refusal
    refuses that bundle only.
    """
    reports = []
    with Store.open(db) as store, store.bulk_writes():
        paths = paths_of(store)

        def replayed(bundle_id: str) -> bool:
            return sync_state.bundle_accepted(store, bundle_id)

        with sync_session(paths) as staging:
            for path in bundle_paths:
                opened = open_file(paths, staging, Path(path), progress, today, replayed, limits)
                reports.append(import_one(store, opened, progress, confirm_new))
    return reports


def unknown_organisations(store: Store, info: BundleInfo) -> dict[str, str]:
    """The bundle's organisations this hub has never seen (none on a replica that is not one)."""
    if not store.setting(sync_state.HUB_REGION_SETTING):
        return {}
    known = hub_queries.known_organisation_ids(store, list(info.organisations))
    return {
        org: info.organisation_names.get(org, "") for org in info.organisations if org not in known
    }


def not_named_by_trust(store: Store, unknown: dict[str, str]) -> dict[str, str]:
    """Of the organisations a bundle would bring in, those no trust entry names: nothing is
    ever created as a side effect, only what the trust list or the user says."""
    trusted = {e.organisation_id for e in TrustList.load(paths_of(store).trust_file)}
    return {org: name for org, name in unknown.items() if org not in trusted}


def import_bundle(
    db: Path, path: Path, progress: ProgressCallback | None = None, *, today: date | None = None
) -> BundleReport:
    [report] = import_bundles(db, [path], progress, today=today)
    return report


def import_one(
    store: Store,
    opened: Opened,
    progress: ProgressCallback | None,
    confirm_new: ConfirmNewOrganisations | None = None,
) -> BundleReport:
    with examine(store, opened, verify_only=False) as examined:
        report = opened.report
        if report.outcome is Outcome.ALREADY:
            record(store, report, sync_state.RESULT_ALREADY, "уже импортирован")
            return report
        if examined is not None and not report.errors:
            unknown = unknown_organisations(store, examined.info)
            unknown = not_named_by_trust(store, unknown) if unknown else unknown
            if unknown and not (confirm_new is not None and confirm_new(unknown)):
                names = ", ".join(f"«{name or org}»" for org, name in unknown.items())
                report.fail(
                    f"организация {names} ещё не известна сводной базе, и её создание не "
                    "подтверждено: пакет не принят. Если это новая школа, доверьте её ключ "
                    "для неё (список доверия) или импортируйте с --new-organisation"
                )
        if examined is None or report.errors:
            record(store, report, sync_state.RESULT_REFUSED, report.message)
            return report
        apply(store, examined, report, progress)
    return report


# --- examination ----------------------------------------------------------------------------


@contextlib.contextmanager
def examine(store: Store, opened: Opened, *, verify_only: bool) -> Iterator[Examined | None]:
    """The checks against this replica, after `open_file`'s; yields the bundle to apply (or
    None if refused or already imported), filling `opened.report`.

    Staged files and any decrypted copy are deleted when the block ends, whatever happens.
    """
    try:
        report, examined = opened.report, opened.examined
        if report.outcome is Outcome.ALREADY or examined is None:
            name_signer_organisation(store, report)
            yield None
            return
        try:
            check_contents(store, examined, report, full=verify_only)
        except Refused:
            name_signer_organisation(store, report)
            yield None
            return
        if verify_only and sync_state.bundle_accepted(store, report.bundle_id):
            report.outcome = Outcome.ALREADY  # nothing to refuse: nothing left to do
        yield examined
    finally:
        opened.cleanup()


def check_contents(store: Store, examined: Examined, report: BundleReport, *, full: bool) -> None:
    """Every check after the container's; fatal problems go to the report, not exceptions.

    `full=False` when importing: what `apply_bundle` checks again is left to it."""
    bundle, info, entry, ops = examined.bundle, examined.info, examined.entry, examined.ops
    check_declared(info, bundle, ops, report)
    if report.errors:
        raise Refused
    resolver = OrganisationResolver(
        lambda entity, ids: sync_state.owners_of(store, entity, ids), ops
    )
    resolver.prefetch(ops)
    check_kind(info, entry, ops, report)
    check_each_op(store, entry, ops, resolver, report)
    check_evidence(store, bundle, ops, resolver, report)
    check_log(store, ops, report, full=full)
    check_authors(store, examined, report)
    note_gaps(store, info, report)
    note_clock(store, ops, report)


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
    name_signer_organisation(store, report, names)
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


def name_signer_organisation(
    store: Store, report: BundleReport, names: dict[str, str] | None = None
) -> None:
    """The signer's organisation by the name this replica knows it by (`names`: read already)."""
    signer = report.signer
    if signer is None or signer.organisation_name:
        return
    if names is None:
        names = hub_queries.organisation_names_of(store, {signer.organisation_id})
    name = names.get(signer.organisation_id)
    if name:
        report.signer = SignerInfo(**{**signer.__dict__, "organisation_name": name})


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
    store: Store,
    bundle: VerifiedBundle,
    ops: list[Operation],
    resolver: OrganisationResolver,
    report: BundleReport,
) -> None:
    """Every file of the bundle belongs to an evidence item in it, every item has its file.

    An item may name a file the bundle does not carry only when this replica holds that file
    for an item of the same organisation: a hash alone proves nothing (it can be read off a
    report), and the item would make this replica hand another school's file to whoever
    asks in the item's name.
    """
    held_for = sync_state.evidence_file_organisations(
        store,
        {
            op.value["sha256"]
            for op in ops
            if op.entity is Entity.EVIDENCE and op.action is Action.CREATE
        }
        - set(bundle.evidence)
        - {""},
    )
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
        elif op.entity_id in removed_here or sync_state.evidence_removed(store, op.entity_id):
            continue  # a removed item needs no file
        elif sha256 in held_for and store.evidence_files.has(sha256):
            organisations = resolver.organisations_of(op)
            if not organisations or not organisations <= held_for[sha256]:
                report.fail(
                    f"{describe_op(op)}: файла {sha256[:12]}… нет в пакете, а в этой базе он "
                    "есть только у доказательств другой организации"
                )
                continue
            actual = store.evidence_files.path_for(sha256).stat().st_size
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
    first_clash = next(sync_state.clashing_ops(store, ops), None) if full else None
    if first_clash is not None:
        report.fail(clash_problem(first_clash))
        return
    own = store.device_id
    if sync_state.foreign_own_ops(store, ops, own):
        report.fail("пакет содержит изменения от имени этой базы, которых она не делала")


def check_authors(store: Store, examined: Examined, report: BundleReport) -> None:
    """Every op in another device's name proved by that device's key (sync/authorship.py)."""
    trust = load_trust(paths_of(store).trust_file)
    digests = line_digests(examined.bundle.ops)
    problems, examined.proofs = check_authorship(
        store, examined.info, examined.ops, digests, trust, report.device_names
    )
    for problem in problems[:MAX_LISTED_PROBLEMS]:
        report.fail(problem)


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


def note_clock(store: Store, ops: list[Operation], report: BundleReport) -> None:
    """Name the devices whose clocks run MAX_DRIFT_MS or more ahead of this computer's.

    Their ops are imported as they are; this replica's clock does not adopt their stamps
    (ops.observe). An op stamped just after the far-ahead value it replaced, or a removal just
    after the far-ahead work it knew of (Store.record), is not its author's fault, so it names
    no one.
    """
    wall = now_ms()
    if wall < CLOCK_FLOOR_MS:
        return  # this computer's own clock is wrong, and Store.clock_warning says so
    limit = adoption_limit(wall)
    ahead = [op for op in ops if op.hlc > limit]
    if not ahead:
        return
    stamps = {op.op_id: op.hlc for op in ops}
    stamps.update(sync_state.stamps_of(store, {op.prev for op in ahead if op.prev} - set(stamps)))
    after_carried = {str(stamp_after(HlcStamp.parse(op.hlc))) for op in ops}
    newest: dict[str, str] = {}
    for op in ahead:
        if not follows_its_prev(op, stamps) and not follows_work(store, op, after_carried):
            newest[op.device_id] = max(op.hlc, newest.get(op.device_id, op.hlc))
    for device_id, hlc in sorted(newest.items()):
        name = report.device_names.get(device_id) or device_id[:8]
        stamp = HlcStamp.parse(hlc)
        report.warn(
            f"часы устройства «{name}» спешат на {ahead_by(stamp.wall_ms - wall)}: его изменения "
            f"помечены {wall_date(stamp.wall_ms):%d.%m.%Y}. Изменения принимаются, но часы "
            "этого компьютера их время не перенимают. Исправьте дату и время на том устройстве, "
            "иначе его изменения могут перекрывать более поздние изменения других"
        )


def follows_its_prev(op: Operation, stamps: dict[str, str]) -> bool:
    prev = stamps.get(op.prev or "")
    return prev is not None and op.hlc == str(stamp_after(HlcStamp.parse(prev)))


def follows_work(store: Store, op: Operation, after_carried: set[str]) -> bool:
    """An activity's removal stamped just after the work on it its replica held (Store.record,
    rules.work_stands_against_removal): after an op of this bundle, or the latest held here."""
    if (op.entity, op.action, op.field) != (Entity.ACTIVITY, Action.SET, "removed"):
        return False
    if op.hlc in after_carried:
        return True
    work = latest_work(store.conn, op.entity_id)
    return work is not None and op.hlc == str(stamp_after(HlcStamp.parse(work[1])))


def ahead_by(ms: int) -> str:
    days = ms // (24 * 3600 * 1000)
    return f"{days} дн." if days < 730 else f"{days // 365} г."


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
            claims=peer_claims(examined),
            proofs=examined.proofs,
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
    if result.own_ahead:
        report.warn(
            "у отправителя есть изменения этой базы до № "
            f"{result.own_ahead}, которых в ней нет: похоже, база восстановлена из копии. "
            "Новые изменения получат номера после них, а сами они придут со следующим пакетом"
        )
    for number, title in removed_with_work_among(store.conn, examined.ops):
        report.warn(
            f"работа по удалённому мероприятию № {number} «{title}»: координатор удалил его, "
            "а работа по нему сделана позже. Она сохранена, мероприятие помечено «удалено, "
            "но есть работа»; координатор решает — вернуть его или удалить снова"
        )
    if progress:
        progress(SyncProgress("apply", report.ops, report.ops))


def apply_failure(exc: Exception) -> str:
    if isinstance(exc, sync_state.LogClash):
        return clash_problem(exc.clash)
    if isinstance(exc, SyncError):
        return str(exc)
    return f"ошибка записи в базу: {exc}"


def peer_claims(examined: Examined) -> sync_state.PeerClaims:
    info = examined.info
    signer = info.device.id
    span = info.ranges.get(signer) if info.kind is BundleKind.CHANGES else None
    return sync_state.PeerClaims(
        signer_id=signer,
        signer_key=info.device.public_key,
        holds=info.holds,
        own_range=(span.start, span.end) if span else None,
        coordinator=examined.entry.role is TrustRole.COORDINATOR,
    )


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
