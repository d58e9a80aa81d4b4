"""The monthly report as data: one model every format is rendered from.

`build_monthly_report` reads a replica (a school file or a coordinator's hub) once, inside
one read snapshot, and every writer (XLSX, DOCX, Markdown, CSV) only formats this model, so
the numbers agree across formats by construction. `school_summaries` is the same per-school
summary for the hub dashboard.

Definitions (also printed in every report):
- *due in the month*: a window of the activity's schedule intersects the month;
- *overdue*: not done and not cancelled, and its last due date is before the cut-off day —
  the 1st of the next month for a finished month, today for the current or a future one;
- statuses are the replica's current ones: it keeps no status history to look back into;
- a recurring activity due in the month counts its occurrences in the month (done or not),
  and its status in the month is derived from them (`domain.rules.recurring_status`).
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from curator_tui.domain.fields import REPORT_FIELDS
from curator_tui.domain.models import EvidenceKind, Schedule, Status
from curator_tui.domain.rules import occurrences_of, recurring_status
from curator_tui.reports.errors import ReportError
from curator_tui.reports.months import month_start, month_title, next_month, overdue_cutoff
from curator_tui.store import report_queries as q
from curator_tui.store.store import Store

REPORT_TITLE = "Ежемесячный отчёт о выполнении мероприятий дорожной карты"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    kind: EvidenceKind
    title: str
    file_name: str  # the attached file's original name; "" for a link
    url: str  # "" for a file

    def describe(self) -> str:
        """«Приказ: Приказ № 91 (prikaz.pdf)»; the reference is not repeated as the title."""
        reference = self.file_name or self.url
        text = f"{self.kind.label}: {self.title or reference}"
        if reference and reference != self.title:
            text += f" ({reference})"
        return text


@dataclass(frozen=True, slots=True)
class ReportActivity:
    activity_id: str
    organisation: str
    number: str
    title: str
    responsible: str
    deadline_text: str
    due_date: date | None
    status: str  # a Status code; kept as text so a code from a newer version still shows
    due_in_month: bool
    overdue: bool
    evidence: tuple[EvidenceItem, ...]
    report_form: str = ""
    # A recurring activity's occurrences in the month, and how many of them are done; its
    # `status` is then the month's (0 and the activity's own status for any other activity).
    occurrences_due: int = 0
    occurrences_done: int = 0
    # The document's other columns («Риск», «Задача», «Участники» …) as (header, value).
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def status_label(self) -> str:
        try:
            label = Status(self.status).label
        except ValueError:
            label = self.status
        if self.occurrences_due > 1:
            label += f" ({self.occurrences_done} из {self.occurrences_due})"
        return label


@dataclass(frozen=True, slots=True)
class SchoolSummary:
    """One organisation's figures; also the hub dashboard's row (see `school_summaries`)."""

    organisation_id: str
    name: str
    level: str
    municipality: str  # "" when nobody has said
    total: int
    due_in_month: int
    done: int
    in_progress: int
    overdue: int
    due_before_cutoff: int  # not cancelled, last due date before the cut-off (done or not)
    done_without_evidence: int
    evidence_files: int
    last_bundle: datetime | None
    last_visit: date | None


@dataclass(frozen=True, slots=True)
class SchoolReport:
    summary: SchoolSummary
    activities: tuple[ReportActivity, ...]  # due in the month or overdue, roadmap order

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def due(self) -> list[ReportActivity]:
        return [a for a in self.activities if a.due_in_month]

    @property
    def overdue(self) -> list[ReportActivity]:
        return [a for a in self.activities if a.overdue]


@dataclass(frozen=True)
class MonthlyReport:
    month: date  # the first day of the month under report
    made_on: date  # statuses are as of this day
    cutoff: date  # open activities due before this day are overdue
    school_filter: str | None
    schools: tuple[SchoolReport, ...]

    title = REPORT_TITLE

    @property
    def period(self) -> str:
        return month_title(self.month)

    @property
    def summaries(self) -> list[SchoolSummary]:
        return [s.summary for s in self.schools]

    @property
    def totals(self) -> SchoolSummary:
        return sum_summaries(self.summaries)

    @property
    def listed_schools(self) -> list[SchoolReport]:
        """Schools with something to list; the others appear in the summary only."""
        return [s for s in self.schools if s.activities]

    @property
    def is_empty(self) -> bool:
        """Nothing due in the month and nothing overdue: no report worth writing."""
        return not self.listed_schools

    def notes(self) -> list[str]:
        """The lines under the title, the same in every format."""
        lines = [
            f"Отчётный период: {self.period}",
            f"Сформирован {self.made_on:%d.%m.%Y}; статусы мероприятий — на эту дату.",
            "Со сроком в месяце — мероприятия, срок которых по дорожной карте приходится "
            "на отчётный месяц (целиком или частично).",
            "Просроченные — не выполненные и не отменённые мероприятия, крайний срок "
            f"которых раньше {self.cutoff:%d.%m.%Y}.",
        ]
        if self.school_filter:
            lines.append(f"Отбор организаций: название содержит «{self.school_filter}».")
        return lines

    def no_data_message(self) -> str:
        scope = f" у организаций с «{self.school_filter}» в названии" if self.school_filter else ""
        return (
            f"За {self.period}{scope} нет мероприятий со сроком в этом месяце и нет "
            "просроченных мероприятий. Отчёт не создан."
        )


def build_monthly_report(
    store: Store, month: date, school: str | None, today: date
) -> MonthlyReport:
    """The report for `month` over every organisation (or those whose name has `school`)."""
    first, school = month_start(month), (school or "").strip() or None
    with q.read_snapshot(store):
        organisations = chosen_organisations(store, school)
        period = report_period(first, today, organisations, filtered=bool(school))
        activities = read_activities(store, period, organisations)
        # The lists' flags are the due counts: the window check runs once per activity.
        due = {org_id: sum(a.due_in_month for a in listed) for org_id, listed in activities.items()}
        summaries = read_summaries(store, period, organisations, due)
    schools = tuple(
        SchoolReport(summary, tuple(activities.get(summary.organisation_id, ())))
        for summary in summaries
    )
    return MonthlyReport(
        month=first,
        made_on=today,
        cutoff=period.cutoff,
        school_filter=school,
        schools=schools,
    )


def school_summaries(
    store: Store, today: date, *, month: date | None = None, school: str | None = None
) -> list[SchoolSummary]:
    """Per-organisation figures for the hub dashboard: the current month unless told."""
    first, school = month_start(month or today), (school or "").strip() or None
    with q.read_snapshot(store):
        organisations = organisations_by_id(q.organisations(store))
        if school:
            organisations = matching_organisations(organisations.values(), school)
        period = report_period(first, today, organisations, filtered=bool(school))
        return read_summaries(store, period, organisations, q.due_counts(store, period))


def report_period(
    first: date, today: date, organisations: dict[str, dict], *, filtered: bool
) -> q.PeriodParams:
    return q.PeriodParams(
        month_start=first,
        next_month=next_month(first),
        cutoff=overdue_cutoff(first, today),
        # Unfiltered queries skip the id list: cheaper, and the same set.
        organisation_ids=list(organisations) if filtered else None,
    )


def chosen_organisations(store: Store, school: str | None) -> dict[str, dict]:
    """The organisations a report covers by id; refuses an empty database or no match."""
    everyone = q.organisations(store)
    if not everyone:
        raise ReportError("В базе нет ни одной организации: сначала импортируйте дорожные карты")
    if not school:
        return organisations_by_id(everyone)
    chosen = matching_organisations(everyone, school)
    if not chosen:
        known = ", ".join(f"«{row['name']}»" for row in everyone[:5])
        more = " …" if len(everyone) > 5 else ""
        raise ReportError(
            f"Не найдено организаций, в названии которых есть «{school}». В базе: {known}{more}"
        )
    return chosen


def organisations_by_id(rows: Iterable[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


def matching_organisations(rows: Iterable[dict], needle: str) -> dict[str, dict]:
    """Organisations whose name contains `needle` as written («№ 12»» is not «№ 120»»),
    ignoring case, ё/е and runs of spaces."""
    wanted = name_key(needle)
    return organisations_by_id(row for row in rows if wanted in name_key(row["name"]))


def name_key(text: str) -> str:
    # Python's casefold: SQLite's lower() folds ASCII only, so this is not done in SQL.
    # split()/join is `re.sub(r"\s+", " ", …).strip()` (the same whitespace) at a third of the
    # cost, which counts when the dashboard orders 3,000 names before its first frame.
    return " ".join(text.casefold().replace("ё", "е").split())


def read_summaries(
    store: Store,
    period: q.PeriodParams,
    organisations: dict[str, dict],
    due_counts: dict[str, int],
) -> list[SchoolSummary]:
    counts = q.activity_counts(store, period)
    files = q.evidence_file_counts(store, period)
    visits = q.last_visits(store, period)
    bundles = q.last_bundles(store, period)
    summaries = [
        summary_from(
            row,
            counts.get(org_id),
            due_in_month=due_counts.get(org_id, 0),
            evidence_files=files.get(org_id, 0),
            last_visit=visits.get(org_id),
            last_bundle=bundles.get(org_id),
        )
        for org_id, row in organisations.items()
    ]
    summaries.sort(key=lambda s: (name_key(s.name), s.organisation_id))
    return summaries


def summary_from(
    row: dict,
    counts: dict[str, int] | None,
    *,
    due_in_month: int,
    evidence_files: int,
    last_visit: str | None,
    last_bundle: str | None,
) -> SchoolSummary:
    counts = counts or {}  # an organisation without activities has no row there
    return SchoolSummary(
        organisation_id=row["id"],
        name=row["name"],
        level=row["level"],
        municipality=row.get("municipality") or "",
        total=counts.get("total", 0),
        due_in_month=due_in_month,
        done=counts.get("done", 0),
        in_progress=counts.get("in_progress", 0),
        overdue=counts.get("overdue", 0),
        due_before_cutoff=counts.get("due_before_cutoff", 0),
        done_without_evidence=counts.get("done_without_evidence", 0),
        evidence_files=evidence_files,
        last_bundle=parse_timestamp(last_bundle),
        last_visit=parse_date(last_visit),
    )


def read_activities(
    store: Store, period: q.PeriodParams, organisations: dict[str, dict]
) -> dict[str, list[ReportActivity]]:
    """Listed activities grouped by organisation id, each with its evidence."""
    rows = [r for r in q.report_activities(store, period) if r["organisation_id"] in organisations]
    listed = {row["id"] for row in rows}
    evidence: dict[str, list[EvidenceItem]] = defaultdict(list)
    for item in q.candidate_evidence(store, period):
        if item["activity_id"] in listed:
            evidence[item["activity_id"]].append(evidence_from(item))
    marked: dict[str, list[tuple[date, date, Status]]] = defaultdict(list)
    for o in q.month_occurrences(store, period):
        window = (date.fromisoformat(o["window_start"]), date.fromisoformat(o["window_end"]))
        marked[o["activity_id"]].append((*window, Status(o["status"])))
    grouped: dict[str, list[ReportActivity]] = defaultdict(list)
    for row in rows:
        org_id = row["organisation_id"]
        name = organisations[org_id]["name"]
        listed_activity = activity_from(row, name, evidence.get(row["id"], ()))
        if row["recurring_schedule"] and row["due_in_month"]:
            listed_activity = in_the_month(listed_activity, row, marked[row["id"]], period)
        grouped[org_id].append(listed_activity)
    return grouped


def in_the_month(
    activity: ReportActivity,
    row: dict,
    marked: list[tuple[date, date, Status]],
    period: q.PeriodParams,
) -> ReportActivity:
    """A recurring activity as the month saw it: its occurrences in the month and the status
    they give it (each window of the month is owed by the month's end)."""
    last_day = period.next_month - timedelta(days=1)
    windows = [
        (start, end)
        for start, end in Schedule.from_json(json.loads(row["recurring_schedule"])).windows
        if start <= last_day and end >= period.month_start
    ]
    occurrences = occurrences_of(activity.activity_id, windows, marked)
    try:
        own = Status(activity.status)
    except ValueError:
        return activity  # a status from a newer version: shown as it is
    return replace(
        activity,
        status=recurring_status(own, occurrences, last_day).value,
        occurrences_due=len(occurrences),
        occurrences_done=sum(o.status is Status.DONE for o in occurrences),
    )


def activity_from(row: dict, organisation: str, evidence: Iterable[EvidenceItem]) -> ReportActivity:
    return ReportActivity(
        activity_id=row["id"],
        organisation=organisation,
        **{field.name: row[field.name] for field in REPORT_FIELDS},
        due_date=parse_date(row["due_date"]),
        status=row["status"],
        due_in_month=bool(row["due_in_month"]),
        overdue=bool(row["overdue"]),
        evidence=tuple(evidence),
        extra=tuple((str(k), str(v)) for k, v in json.loads(row.get("extra") or "{}").items()),
    )


def evidence_from(row: dict) -> EvidenceItem:
    try:
        kind = EvidenceKind(row["kind"])
    except ValueError:  # a kind from a newer version of the program
        kind = EvidenceKind.OTHER
    is_file = bool(row["sha256"])
    return EvidenceItem(
        kind=kind,
        title=row["title"],
        file_name=row["original_name"] if is_file else "",
        url="" if is_file else row["url"],
    )


def sum_summaries(summaries: list[SchoolSummary]) -> SchoolSummary:
    """The «Итого» row: sums of the counts, the latest of the dates."""
    return SchoolSummary(
        organisation_id="",
        name=f"Итого (организаций: {len(summaries)})",
        level="",
        municipality="",
        total=sum(s.total for s in summaries),
        due_in_month=sum(s.due_in_month for s in summaries),
        done=sum(s.done for s in summaries),
        in_progress=sum(s.in_progress for s in summaries),
        overdue=sum(s.overdue for s in summaries),
        due_before_cutoff=sum(s.due_before_cutoff for s in summaries),
        done_without_evidence=sum(s.done_without_evidence for s in summaries),
        evidence_files=sum(s.evidence_files for s in summaries),
        last_bundle=max((s.last_bundle for s in summaries if s.last_bundle), default=None),
        last_visit=max((s.last_visit for s in summaries if s.last_visit), default=None),
    )


def parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_timestamp(text: str | None) -> datetime | None:
    """An ISO 8601 `imported_at` as local wall time without a zone (what Excel can hold)."""
    if not text:
        return None
    with contextlib.suppress(ValueError):
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone().replace(tzinfo=None)
        return moment.replace(microsecond=0)
    return None
