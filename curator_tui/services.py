"""Application services: the few workflows that join importers, store and sync.

Used by both faces of the program (the `curator` command and the Textual app), so that the
same action does the same thing whichever face the user is looking at.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator_tui.domain.errors import UserFacingError
from curator_tui.domain.fields import IMPORTED_FIELDS
from curator_tui.domain.models import ANY_ORGANISATION, EvidenceKind, Schedule, Status, TrustRole
from curator_tui.domain.ops import Action, Entity
from curator_tui.domain.rules import Occurrence, recurring_status
from curator_tui.platform import user_data_dir
from curator_tui.store import sync_state
from curator_tui.store.hub_queries import is_hub, roadmaps_by_organisation
from curator_tui.store.projection import decode_row
from curator_tui.store.removed_work import STATE_LABEL, removed_with_work
from curator_tui.store.report_queries import organisations
from curator_tui.store.store import Change, Store

if TYPE_CHECKING:  # the importers, the roadmap writer and sync load with the workflows
    from curator_tui.domain.parsed import ParsedRoadmap
    from curator_tui.store.roadmaps import ImportSummary
    from curator_tui.sync import replica
    from curator_tui.sync.bundles import ProgressCallback
    from curator_tui.sync.exporting import ExportResult
    from curator_tui.sync.importing import BundleReport, ConfirmNewOrganisations
    from curator_tui.sync.limits import Limits

DEMO_ROADMAP = Path(__file__).parent / "demo" / "roadmap.txt"
DEMO_DB_VARIABLE = "CURATOR_DEMO_DB"  # overrides where the demo lives (tests, scripts)
# The year the bundled demo roadmap (Молчановский район) was written for; the demo moves its
# dates to the current year so that some activities are done, some due soon, some overdue.
DEMO_YEAR = 2023


@dataclass
class RoadmapImport:
    parsed: ParsedRoadmap
    summary: ImportSummary


def prepare_roadmap(
    path: Path,
    *,
    organisation: str | None = None,
    year: int | None = None,
    school_year: int | None = None,
    today: date | None = None,
) -> ParsedRoadmap:
    """Read and check a roadmap document before anything touches a database.

    `year` or `school_year` (its first year) overrides the period the document names.
    """
    from curator_tui.importers import RoadmapImportError, read_roadmap
    from curator_tui.importers.prose import deadline_warnings

    parsed = read_roadmap(path, organisation=organisation, year=year)
    if school_year is not None:
        parsed.year, parsed.school_year = None, school_year
    if not parsed.activities:
        raise RoadmapImportError(f"В файле {path.name} не найдено ни одного мероприятия")
    if parsed.year is None and parsed.school_year is None:
        parsed.year = (today or date.today()).year
        parsed.warnings.append(
            f"Год дорожной карты не указан в документе: принят {parsed.year} "
            "(укажите --year, если это не так)"
        )
    if not parsed.organisation:
        parsed.organisation = path.stem
        parsed.warnings.append(
            f"Организация не найдена в документе: принято «{parsed.organisation}» "
            "(укажите --school)"
        )
    parsed.warnings += deadline_warnings(parsed)
    return parsed


def import_roadmap_file(
    store: Store,
    path: Path,
    *,
    organisation: str | None = None,
    year: int | None = None,
    today: date | None = None,
) -> RoadmapImport:
    """Read a roadmap document and record it; the database is untouched on any error."""
    from curator_tui.store.roadmaps import save_roadmap

    parsed = prepare_roadmap(path, organisation=organisation, year=year, today=today)
    return RoadmapImport(parsed=parsed, summary=save_roadmap(store, parsed))


# --- a whole stick at once -------------------------------------------------------------------

def is_bundle(path: Path) -> bool:
    from curator_tui.sync.bundles import AGE_SUFFIX, SUFFIX

    return path.name.lower().endswith((SUFFIX, SUFFIX + AGE_SUFFIX))


@dataclass
class FolderImport:
    """What importing a folder came to: a report per bundle, in the order they were imported,
    and the other files found there (not bundles, left alone)."""

    folder: Path
    reports: list[BundleReport] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def folder_contents(folder: Path) -> tuple[list[Path], list[Path]]:
    """The bundle files directly in `folder` and its other files, each by name (hidden files
    and subfolders are not looked at: a stick's «System Volume Information» is not ours)."""
    try:
        found = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        raise UserFacingError(f"Папку {folder} не удалось прочитать: {exc.strerror}") from exc
    files = [p for p in found if p.is_file()]
    return [p for p in files if is_bundle(p)], [p for p in files if not is_bundle(p)]


def import_order(reports: Sequence[BundleReport]) -> list[Path]:
    """The order bundles are imported in: roadmaps before changes (a school's changes refer to
    its roadmap's activities), each sender's bundles by the sequence numbers they start with
    (so no gap is reported that the next file fills), and what could not be read last.

    Merging does not depend on order (ops are idempotent and commute), so this only spares
    the user warnings and questions; it never decides what the database ends up holding."""
    from curator_tui.sync.bundles import BundleKind

    def key(report: BundleReport) -> tuple[int, str, int, str]:
        info = report.info
        if info is None:
            return (2, "", 0, report.path.name)
        own = info.ranges.get(info.device.id)
        kind = 0 if info.kind is BundleKind.ROADMAP else 1
        return (kind, info.device.id, own.start if own else 0, report.path.name)

    return [report.path for report in sorted(reports, key=key)]


def import_folder(
    db: Path,
    folder: Path,
    progress: ProgressCallback | None = None,
    *,
    today: date | None = None,
    confirm_new: ConfirmNewOrganisations | None = None,
    limits: Limits | None = None,
    each_file: Callable[[int, int, Path], None] | None = None,
) -> FolderImport:
    """Import every bundle in `folder`, in `import_order`.

    Each bundle is read twice, as in the app's «Проверить», then «Импортировать»: first
    verified (nothing written) to learn its kind and sequence numbers, then imported. Every
    bundle stands alone: a hostile or damaged file is refused with its reason and the others
    still go in; a refused bundle writes nothing but its line in the import history.
    `each_file(number, total, path)` is told before each file is verified."""
    from curator_tui.sync.importing import import_bundles, verify_bundle
    from curator_tui.sync.limits import DEFAULT_LIMITS

    limits = limits or DEFAULT_LIMITS
    bundles, skipped = folder_contents(folder)
    first_look = []
    for number, path in enumerate(bundles, start=1):
        if each_file is not None:
            each_file(number, len(bundles), path)
        first_look.append(verify_bundle(db, path, progress, today=today, limits=limits))
    reports = import_bundles(
        db,
        import_order(first_look),
        progress,
        today=today,
        confirm_new=confirm_new,
        limits=limits,
    )
    return FolderImport(folder, reports, skipped)


def own_fingerprint(db: Path) -> str | None:
    """This replica's own key: a bundle it signed is its own, not an untrusted stranger's."""
    from curator_tui.sync import replica

    try:
        return replica.replica_keys(db).fingerprint
    except (UserFacingError, OSError):  # not initialised: it has no key of its own
        return None


# --- the coordinator's roadmap work -------------------------------------------------------------


@dataclass(frozen=True)
class RoadmapExport:
    """One organisation's roadmap bundle: written (`result`), or why not (`problem`)."""

    organisation_id: str
    name: str
    result: ExportResult | None = None
    problem: str = ""


def organisations_with_roadmap(store: Store) -> list[tuple[str, str]]:
    """(id, name) of every organisation this replica holds a roadmap of, by name."""
    names = sync_state.organisation_names(store)
    targets = [(org_id, names.get(org_id, "")) for org_id in roadmaps_by_organisation(store)]
    return sorted(targets, key=lambda t: (t[1].casefold(), t[0]))


def export_roadmaps(
    db: Path,
    destination: Path | None,
    organisations: Sequence[str] | None = None,
    *,
    each: Callable[[int, int, str], None] | None = None,
) -> list[RoadmapExport]:
    """A signed roadmap bundle per organisation (`organisations`: ids; None: every one with a
    roadmap), each on its own: one that cannot be written does not stop the others.
    `each(number, total, name)` is told before each bundle is written."""
    from curator_tui.sync.errors import SyncError
    from curator_tui.sync.exporting import ExportOptions, export_bundle

    with Store.open(db) as store:
        targets = organisations_with_roadmap(store)
    if organisations is not None:
        wanted = set(organisations)
        targets = [t for t in targets if t[0] in wanted]
    if not targets:
        raise UserFacingError("В этой базе нет ни одной дорожной карты")
    done = []
    for number, (org_id, name) in enumerate(targets, start=1):
        if each is not None:
            each(number, len(targets), name)
        options = ExportOptions(destination=destination, roadmap=True, organisation=org_id)
        try:
            done.append(RoadmapExport(org_id, name, result=export_bundle(db, options)))
        except SyncError as exc:
            done.append(RoadmapExport(org_id, name, problem=str(exc)))
    return done


@dataclass(frozen=True)
class ReportRequest:
    """What `curator report` and the coordinator's screen ask for."""

    month: str  # «2026-11»
    report_format: str | None = None  # xlsx, docx, md, csv; None: by the output's extension
    output: Path | None = None  # a file or a folder; None: the default folder
    overwrite: bool = False
    school: str | None = None  # only organisations whose name holds this text
    region: str | None = None
    position: str = ""
    signer: str = ""


@dataclass(frozen=True)
class ReportWritten:
    report: Any  # reports.model.MonthlyReport (imported with the writers, when asked for)
    paths: list[Path]


def write_monthly_report(
    db: Path, request: ReportRequest, *, today: date | None = None
) -> ReportWritten:
    """Build the monthly report and save it; refuses (ReportError, OutputExistsError) before
    reading the database when the file exists or the folder cannot take it."""
    # The writers (spreadsheets, documents, the chart) cost a quarter of a second to import:
    # only a command or screen that makes a report pays for them.
    from curator_tui.reports.model import Signature, build_monthly_report
    from curator_tui.reports.months import parse_month
    from curator_tui.reports.output import (
        check_output,
        format_for,
        output_paths,
        resolve_output,
        save_report,
    )

    month = parse_month(request.month)
    report_format = format_for(request.report_format, request.output)
    path = resolve_output(request.output, month, report_format)
    check_output(output_paths(path, report_format), overwrite=request.overwrite)
    with Store.open(db) as store:
        report = build_monthly_report(
            store,
            month,
            request.school,
            today=today or date.today(),
            region=request.region,
            signature=Signature(request.position, request.signer),
        )
    if report.is_empty:
        raise UserFacingError(report.no_data_message())
    written = save_report(report, report_format, path, overwrite=request.overwrite)
    return ReportWritten(report, written)


# --- organisations by name --------------------------------------------------------------------

CLOSEST_NAMES = 5
# Typed names differ from the roadmap's in quotes («», "", “”) far more often than in letters.
QUOTES = re.compile("[«»\"“”„‟'’‘`]")


class UnknownOrganisation(UserFacingError):
    """A name or id that names no organisation of this replica (the message lists the closest)."""


def organisation_key(text: str) -> str:
    """A name as compared: case, ё/е, quotes and runs of spaces do not count."""
    return " ".join(QUOTES.sub(" ", text.casefold().replace("ё", "е")).split()).strip(" .;:")


def find_organisation(store: Store, reference: str) -> dict[str, Any]:
    """The organisation an id or a whole name refers to; never a guess.

    Organisations appear only with a roadmap, so a name that is not here is a typo (or a
    roadmap not imported yet): refused with the closest names, never bound to a new id."""
    rows = organisations(store)
    wanted = reference.strip()
    for row in rows:
        if row["id"] == wanted:
            return row
    key = organisation_key(wanted)
    named = [row for row in rows if key and organisation_key(row["name"] or "") == key]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:  # two organisations spelt alike: only the id tells them apart
        lines = "\n".join(f"  {row['id']}  {row['name']}" for row in named)
        raise UnknownOrganisation(
            f"Название «{wanted}» носят несколько организаций: укажите id:\n{lines}"
        )
    raise UnknownOrganisation(unknown_organisation_message(wanted, rows))


def unknown_organisation_message(reference: str, rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return (
            f"Организации «{reference}» нет в базе: в ней ещё нет ни одной организации. "
            "Организация появляется с дорожной картой: curator import-roadmap ФАЙЛ "
            "или пакет дорожной карты от координатора (curator import ПАКЕТ)"
        )
    closest = closest_organisations(reference, rows)
    hint = (
        "Похожие названия:\n" + "\n".join(f"  {row['name']}  ({row['id']})" for row in closest)
        if closest
        else "Похожих названий нет."
    )
    return (
        f"Организации «{reference}» нет в базе. {hint}\n"
        "Укажите название целиком, как в дорожной карте, или id (curator school list)"
    )


def closest_organisations(reference: str, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The names a user most likely meant: those containing what was typed, then the likest."""
    key = organisation_key(reference)
    by_key = {organisation_key(row["name"] or ""): row for row in rows}
    containing = [k for k in by_key if key and key in k]
    alike = difflib.get_close_matches(key, list(by_key), n=CLOSEST_NAMES, cutoff=0.4)
    ordered = list(dict.fromkeys([*containing, *alike]))[:CLOSEST_NAMES]
    return [by_key[k] for k in ordered]


def organisation_reference(db: Path, reference: str | None) -> str | None:
    """The id of an existing organisation of the database `db` («*» stays «*»): what
    `find_organisation` allows, for a setup or trust form (CLI or screen)."""
    if reference is None or reference.strip() == ANY_ORGANISATION:
        return reference
    if not Path(db).exists():  # a first setup: no roadmap, so no organisation, yet
        raise UnknownOrganisation(unknown_organisation_message(reference, []))
    with Store.open(db) as store:
        return str(find_organisation(store, reference)["id"])


# --- setting up a device and trusting keys (`curator init`, `trust`, the app's screens) ------


def set_up_device(db: Path, options: replica.InitOptions) -> replica.InitResult:
    """Make this device's keys and role; its organisation must already be in the database."""
    from curator_tui.sync import replica

    organisation = organisation_reference(db, options.organisation)
    return replica.init_replica(db, replace(options, organisation=organisation))


@dataclass(frozen=True)
class SetupChoices:
    """What the app's setup screen offers: the organisations of the imported roadmaps."""

    organisations: list[str]  # names as the roadmaps spell them
    set_up: bool  # this device already has its keys (`curator init` or the screen ran)


def setup_choices(store: Store) -> SetupChoices:
    from curator_tui.sync import replica

    names = sorted({row["name"] for row in organisations(store) if row["name"]}, key=str.casefold)
    return SetupChoices(names, replica.paths_of(store).device_key.exists())


def trust_key(
    db: Path,
    key_text: str,
    *,
    name: str,
    organisation: str,
    role: TrustRole,
    valid_until: date | None = None,
) -> replica.TrustRow:
    """Trust a key (a line or a `.pub` file) for one organisation of the database, or «*».

    A coordinator's key file made by `keys export` carries its age recipient: exports of this
    database are then encrypted to it by default (`replica.coordinator_recipient`)."""
    from curator_tui.sync import replica

    return replica.add_trust(
        db,
        key_text,
        name=name,
        organisation=str(organisation_reference(db, organisation)),
        role=role,
        valid_until=valid_until,
    )


def extend_trust(db: Path, fingerprint: str, valid_until: date | None) -> replica.TrustRow:
    """Trust a listed key until another day (None: with no end)."""
    from curator_tui.sync import replica

    return replica.extend_trust(db, fingerprint, valid_until)


# --- withdrawing a roadmap imported by mistake -----------------------------------------------


@dataclass(frozen=True)
class Withdrawn:
    organisation: str
    title: str
    activities: int  # taken off the list by this withdrawal


def withdrawable_roadmap(store: Store, reference: str | None) -> dict[str, Any]:
    """The roadmap to withdraw: the organisation's (a name or id, `find_organisation`), or
    the only roadmap of the database when none is named."""
    roadmaps = [r for r in store.roadmaps() if store.activities(r["id"])]
    if reference:
        organisation = find_organisation(store, reference)["id"]
        roadmaps = [r for r in roadmaps if r["organisation_id"] == organisation]
    if len(roadmaps) == 1:
        return roadmaps[0]
    if not roadmaps:
        raise UserFacingError("В базе нет такой дорожной карты (или она уже отозвана)")
    listed = "\n".join(f"  {r['organisation']} ({r['organisation_id']})" for r in roadmaps)
    raise UserFacingError(f"В базе несколько дорожных карт: укажите организацию:\n{listed}")


def withdraw_roadmap(store: Store, roadmap: dict[str, Any]) -> Withdrawn:
    """Take a roadmap imported by mistake off the list, as ordinary changes (every activity
    `removed`, domain/fields.py), so the withdrawal travels like the coordinator's removals
    and work already recorded on it stays in the log (store/removed_work.py).

    The coordinator may withdraw any roadmap; a school or curator only one it imported
    itself, since one the coordinator sent is the coordinator's to withdraw."""
    if not may_withdraw(store, roadmap["id"]):
        raise UserFacingError("Эту дорожную карту прислал координатор: отозвать её может только он")
    activities = store.activities(roadmap["id"])
    store.record([Change(Entity.ACTIVITY, a["id"], Action.SET, "removed", 1) for a in activities])
    return Withdrawn(roadmap["organisation"] or "", roadmap["title"] or "", len(activities))


def may_withdraw(store: Store, roadmap_id: str) -> bool:
    if is_hub(store) or store.device().get("role") == TrustRole.COORDINATOR.value:
        return True
    created = sync_state.lifecycle_ops(store, Entity.ROADMAP, roadmap_id)
    return all(op.device_id == store.device_id for op in created)


def activities_json(store: Store, today: date | None = None) -> list[dict[str, Any]]:
    """`curator activities --json`: every activity, each with its standing conflicts and, for
    a recurring one, its occurrences."""
    today = today or date.today()
    conflicts: dict[str, list[dict[str, Any]]] = {}
    for c in store.conflicts():
        owner = c["entity_id"] if c["entity"] == "activity" else conflict_activity(store, c)
        if owner is not None:
            conflicts.setdefault(owner, []).append(conflict_json(c))
    owners = roadmap_owners(store)
    shown = [
        {
            **activity_json(r, conflicts.get(r["id"], []), store.occurrences(r), today),
            **owners.get(r["roadmap_id"], NO_OWNER),
        }
        for r in store.activities()
    ]
    removed = [
        {
            **activity_json(decode_row(r), conflicts.get(r["id"], [])),
            **owners.get(r["roadmap_id"], NO_OWNER),
            "state": STATE_LABEL,
        }
        for r in removed_with_work(store.conn)
    ]
    return shown + removed


NO_OWNER = {"organisation_id": None, "organisation": None}


def roadmap_owners(store: Store) -> dict[str, dict[str, str | None]]:
    """Per roadmap id, the organisation whose it is (a hub's activities mix schools)."""
    return {
        r["id"]: {"organisation_id": r["organisation_id"], "organisation": r["organisation"]}
        for r in store.roadmaps()
    }


def conflict_activity(store: Store, conflict: dict[str, Any]) -> str | None:
    """The activity an evidence conflict is listed with (removed evidence's too)."""
    if conflict["entity"] != "evidence":
        return None
    return (store.evidence_item(conflict["entity_id"]) or {}).get("activity_id")


def conflict_json(conflict: dict[str, Any]) -> dict[str, Any]:
    """One standing conflict: what it is of (the activity or one of its evidence), the field,
    the value shown (the winner's) and the other one. A removal against an edit it did not
    know of has the field "removed", the value null and `edited_field` the field edited."""
    return {
        "entity": conflict["entity"],
        "entity_id": conflict["entity_id"],
        "edited_field": conflict["edited_field"],
        "field": conflict["field"],
        "value": json.loads(conflict["winner_value"]),
        "other_value": json.loads(conflict["loser_value"]),
        "device_id": conflict["winner_device"],
        "other_device_id": conflict["loser_device"],
    }


def activity_json(
    row: dict[str, Any],
    conflicts: list[dict[str, Any]] | None = None,
    occurrences: Sequence[Occurrence] = (),
    today: date | None = None,
) -> dict[str, Any]:
    """The scripting view of one activity (`curator activities --json`): what the document
    says of it (domain/fields.py), where it stands, its schedule, its progress and its
    standing conflicts (`conflict_json`).

    A recurring activity also lists its occurrences with their statuses; its `status` is the
    one derived from them (`domain.rules.recurring_status`), `own_status` its own field."""
    schedule = Schedule.from_json(row["schedule"])
    by_occurrence: dict[str, Any] = {}
    status = row["status"]
    if occurrences:
        status = recurring_status(Status(status), occurrences, today or date.today()).value
        by_occurrence = {
            "own_status": row["status"],
            "occurrences": [
                {
                    "start": o.start.isoformat(),
                    "end": o.end.isoformat(),
                    "label": o.label,
                    "status": o.status.value,
                }
                for o in occurrences
            ],
        }
    return {
        "id": row["id"],
        "section": row.get("section") or "",
        "parent_number": row.get("parent_number"),
        **{field.name: row[field.name] for field in IMPORTED_FIELDS},
        "schedule": schedule.to_json(),
        "due_date": row["due_date"],
        "status": status,
        # A removed activity's row (removed_with_work) holds the verdict, not the shown review.
        "review": row.get("review", row["review_state"]),
        "review_comment": row["review_comment"],
        "evidence_count": row["evidence_count"],
        "warnings": row["warnings"] + ([schedule.warning] if schedule.warning else []),
        "conflicts": conflicts or [],
        **by_occurrence,
    }


def demo_database() -> Path:
    """The demo's own database, apart from the personal one: `demo.db` in the user's data
    folder (or where CURATOR_DEMO_DB says)."""
    override = os.environ.get(DEMO_DB_VARIABLE)
    return Path(override) if override else user_data_dir() / "demo.db"


def ensure_demo(db: Path, today: date | None = None) -> Path:
    """The demo database at `db`, built from the bundled roadmap the first time."""
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        with Store.open(db, create=True) as store:
            build_demo(store, today)
    return db


def build_demo(store: Store, today: date | None = None) -> ImportSummary:
    """Import the bundled demo roadmap, dated in the current year, with some progress."""
    from curator_tui.store.roadmaps import save_roadmap

    year = (today or date.today()).year
    text = DEMO_ROADMAP.read_text(encoding="utf-8").replace(str(DEMO_YEAR), str(year))
    with tempfile.TemporaryDirectory(prefix="curator-demo-") as tmp:
        source = Path(tmp) / DEMO_ROADMAP.name
        source.write_text(text, encoding="utf-8")
        parsed = prepare_roadmap(source)
    summary = save_roadmap(store, parsed)
    seed_demo_progress(store, today or date.today())
    return summary


def seed_demo_progress(store: Store, today: date) -> None:
    """Progress as a real school would have it: most past work done, some of it overdue."""
    for index, row in enumerate(store.activities()):
        due = row["due_date"]
        if due and due < today.isoformat():
            if index % 5 == 0:
                continue  # left overdue on purpose: the list should show some red
            store.set_status(row["id"], Status.DONE)
            if index % 3 == 0:
                store.attach_link(
                    row["id"],
                    f"https://school.example/news/{index}",
                    kind=EvidenceKind.LINK,
                    title="Новость на сайте школы",
                )
        elif row["first_date"] and row["first_date"] <= today.isoformat():
            store.set_status(row["id"], Status.IN_PROGRESS)
    first = store.activities()[0]
    store.add_note(first["id"], "Программа утверждена, приказ размещён на сайте.")
