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
  and its status in the month is derived from them (`domain.rules.recurring_status`);
- the month's figures (`MonthFigures`) count the activities due in the month only: done, in
  progress, not started, cancelled, and — among the open ones — overdue; the roadmap-to-date
  figures (`SchoolSummary`: every activity, done, overdue) are kept apart and labelled so;
- notes of the month: notes whose first operation's clock falls in the month;
- review states (issue 15): `ReportActivity.review` is the verdict with its comment
  («На доработку: приказ не подписан»), None while not reviewed; the tables show the column
  only when some activity has one.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from curator_tui.domain.fields import REPORT_FIELDS
from curator_tui.domain.models import (
    EvidenceKind,
    OrgLevel,
    ReviewState,
    Schedule,
    Status,
    review_label,
)
from curator_tui.domain.ops import HlcStamp
from curator_tui.domain.rules import Occurrence, occurrences_of, recurring_status
from curator_tui.reports.errors import ReportError
from curator_tui.reports.months import (
    chart_months,
    month_start,
    month_title,
    months_from,
    next_month,
    overdue_cutoff,
)
from curator_tui.store import report_queries as q
from curator_tui.store.setting_keys import HUB_REGION_SETTING
from curator_tui.store.store import Store

REPORT_TITLE = "Отчёт о выполнении мероприятий дорожных карт проекта «500+»"
NO_MUNICIPALITY = "Муниципалитет не указан"
BLANK = "____________________"


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
    notes: tuple[str, ...] = ()  # notes of the month, oldest first
    review: str | None = None  # the verdict and its comment (issue 15); None: not reviewed

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
class MonthFigures:
    """The activities due in the month and how they stand; `overdue` is the open ones among
    them past due (so it overlaps «in progress» and «not started»). A status code from a
    newer version counts as due and in none of the four."""

    due: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    cancelled: int = 0
    overdue: int = 0

    @classmethod
    def of(cls, activities: Iterable[ReportActivity]) -> MonthFigures:
        due = [a for a in activities if a.due_in_month]
        return cls(
            due=len(due),
            done=sum(a.status == Status.DONE for a in due),
            in_progress=sum(a.status == Status.IN_PROGRESS for a in due),
            not_started=sum(a.status == Status.NOT_STARTED for a in due),
            cancelled=sum(a.status == Status.CANCELLED for a in due),
            overdue=sum(a.overdue for a in due),
        )

    def __add__(self, other: MonthFigures) -> MonthFigures:
        return MonthFigures(
            *(getattr(self, name) + getattr(other, name) for name in self.__slots__)
        )

    def share(self, count: int) -> float | None:
        """`count` as a part of the due ones; None when nothing is due."""
        return count / self.due if self.due else None


class RowKind(Enum):
    ORGANISATION = "organisation"
    SUBTOTAL = "subtotal"  # a municipality's organisations
    TOTAL = "total"  # the region: every organisation of the report


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """A line of the summary tables: an organisation, a municipality's subtotal or the
    region's total; the month's figures and the roadmap-to-date ones side by side."""

    kind: RowKind
    name: str
    municipality: str
    month: MonthFigures
    to_date: SchoolSummary


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One month of the chart: activities due in it and how many of them are done."""

    month: date
    planned: int
    done: int


@dataclass(frozen=True, slots=True)
class Signature:
    position: str = ""
    name: str = ""

    def lines(self, day: date) -> list[str]:
        """The block under the report; blanks to fill by hand where nothing was given."""
        return [
            f"Должность: {self.position or BLANK}",
            f"Подпись: {BLANK}   Ф. И. О.: {self.name or BLANK}",
            f"Дата: {day:%d.%m.%Y}",
        ]


@dataclass(frozen=True, slots=True)
class SchoolReport:
    summary: SchoolSummary
    activities: tuple[ReportActivity, ...]  # due in the month or overdue, roadmap order

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def month(self) -> MonthFigures:
        return MonthFigures.of(self.activities)

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
    region: str = ""  # the region's name as the title gives it; "" when nobody said
    signature: Signature = Signature()
    chart: tuple[ChartPoint, ...] = ()  # planned vs done, month by month up to this one

    @property
    def period(self) -> str:
        return month_title(self.month)

    @property
    def title(self) -> str:
        """«Смоленская область. Отчёт о выполнении … проекта «500+» за ноябрь 2025 г.»"""
        region = f"{self.region}. " if self.region else ""
        return f"{region}{REPORT_TITLE} за {self.period} г."

    @property
    def has_reviews(self) -> bool:
        return any(a.review is not None for s in self.schools for a in s.activities)

    def summary_rows(self) -> list[SummaryRow]:
        """Organisations grouped by municipality, each group closed by its subtotal, then
        the region's total."""
        groups: dict[str, list[SchoolReport]] = defaultdict(list)
        for school in self.schools:
            groups[school.summary.municipality].append(school)
        rows: list[SummaryRow] = []
        for municipality in sorted(groups, key=lambda m: (m == "", name_key(m))):
            members = groups[municipality]
            rows.extend(organisation_row(school) for school in members)
            label = municipality or NO_MUNICIPALITY
            rows.append(total_row(RowKind.SUBTOTAL, f"Итого: {label}", municipality, members))
        label = f"Всего: {self.region}" if self.region else "Всего по региону"
        rows.append(total_row(RowKind.TOTAL, label, "", list(self.schools)))
        return rows

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


def organisation_row(school: SchoolReport) -> SummaryRow:
    summary = school.summary
    return SummaryRow(
        RowKind.ORGANISATION, summary.name, summary.municipality, school.month, summary
    )


def total_row(
    kind: RowKind, name: str, municipality: str, schools: list[SchoolReport]
) -> SummaryRow:
    month = sum((school.month for school in schools), MonthFigures())
    to_date = replace(sum_summaries([s.summary for s in schools]), name=name)
    return SummaryRow(kind, name, municipality, month, to_date)


def build_monthly_report(
    store: Store,
    month: date,
    school: str | None,
    today: date,
    *,
    region: str | None = None,
    signature: Signature = Signature(),
) -> MonthlyReport:
    """The report for `month` over every organisation (or those whose name has `school`);
    `region` names the region in the title: by default the hub's (`curator init --hub
    --region`), else the one regional organisation's."""
    first, school = month_start(month), (school or "").strip() or None
    with q.read_snapshot(store):
        organisations = chosen_organisations(store, school)
        period = report_period(first, today, organisations, filtered=bool(school))
        activities = read_activities(store, period, organisations)
        # The lists' flags are the due counts: the window check runs once per activity.
        due = {org_id: sum(a.due_in_month for a in listed) for org_id, listed in activities.items()}
        summaries = read_summaries(store, period, organisations, due)
        chart = read_chart(store, period, chart_months(first))
        region = (region or "").strip() or store.setting(HUB_REGION_SETTING) or ""
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
        region=region.strip() or regional_organisation(organisations),
        signature=signature,
        chart=chart,
    )


def regional_organisation(organisations: dict[str, dict]) -> str:
    """The name of the report's one regional organisation; "" when there is none or several."""
    regional = [row["name"] for row in organisations.values() if row["level"] == OrgLevel.REGION]
    return regional[0] if len(regional) == 1 else ""


# The dashboard's chart spans the roadmaps' period; a stray far-off date must not make it endless.
PROGRESS_CHART_MONTHS = 48


def progress_chart(
    store: Store, today: date, roadmap_id: str | None = None
) -> tuple[ChartPoint, ...]:
    """The hub dashboard's chart: planned vs done per month over the roadmaps' whole period
    (one roadmap's, or every one), by the very rules of the report's chart (`read_chart`)."""
    with q.read_snapshot(store):
        span = q.activity_span(store, roadmap_id)
        if span is None:
            return ()
        months = months_from(*span, at_most=PROGRESS_CHART_MONTHS)
        organisation = None if roadmap_id is None else q.roadmap_organisation(store, roadmap_id)
        period = q.PeriodParams(
            month_start=months[-1],
            next_month=next_month(months[-1]),
            cutoff=overdue_cutoff(months[-1], today),
            organisation_ids=None if roadmap_id is None else [organisation or ""],
        )
        return read_chart(store, period, months)


def read_chart(store: Store, period: q.PeriodParams, months: list[date]) -> tuple[ChartPoint, ...]:
    """Planned (due) vs done for each of `months` (the last is the period's), by the report's
    own rules: a recurring activity's status in a month comes from its occurrences in it."""
    planned, done = q.monthly_due(store, period, months)
    recurring = q.recurring_in_range(store, period, months[0])
    marked: dict[str, list[tuple[date, date, Status]]] = defaultdict(list)
    for o in q.range_occurrences(store, period, months[0]):
        window = (date.fromisoformat(o["window_start"]), date.fromisoformat(o["window_end"]))
        marked[o["activity_id"]].append((*window, Status(o["status"])))
    for row in recurring:
        with contextlib.suppress(ValueError):  # a status from a newer version: not charted
            own = Status(row["status"])
            schedule = Schedule.from_json(json.loads(row["schedule"]))
            for first in months:
                status = month_status(row["id"], own, schedule, marked[row["id"]], first)
                if status is not None:
                    planned[first] = planned.get(first, 0) + 1
                    done[first] = done.get(first, 0) + (status is Status.DONE)
    points = [ChartPoint(m, planned.get(m, 0), done.get(m, 0)) for m in months]
    while len(points) > 1 and points[0].planned == 0:  # months before the roadmaps began
        points.pop(0)
    return tuple(points)


def month_status(
    activity_id: str,
    own: Status,
    schedule: Schedule,
    marked: list[tuple[date, date, Status]],
    first: date,
) -> Status | None:
    """A recurring activity's status in the month starting `first`; None when it has no
    window in that month."""
    occurrences = occurrences_in_month(activity_id, schedule, marked, first)
    return recurring_status(own, occurrences, month_end(first)) if occurrences else None


def month_end(first: date) -> date:
    return next_month(first) - timedelta(days=1)


def occurrences_in_month(
    activity_id: str, schedule: Schedule, marked: list[tuple[date, date, Status]], first: date
) -> list[Occurrence]:
    """A recurring activity's occurrences in the month starting `first`: its windows that
    meet the month, with the statuses given to them; each is owed by the month's end."""
    last_day = month_end(first)
    windows = [(s, e) for s, e in schedule.windows if s <= last_day and e >= first]
    return occurrences_of(activity_id, windows, marked)


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
    notes: dict[str, list[str]] = defaultdict(list)
    hlc_range = (month_stamp(period.month_start), month_stamp(period.next_month))
    for note in q.month_notes(store, period, *hlc_range):
        if note["activity_id"] in listed:
            notes[note["activity_id"]].append(note["text"])
    marked: dict[str, list[tuple[date, date, Status]]] = defaultdict(list)
    for o in q.month_occurrences(store, period):
        window = (date.fromisoformat(o["window_start"]), date.fromisoformat(o["window_end"]))
        marked[o["activity_id"]].append((*window, Status(o["status"])))
    grouped: dict[str, list[ReportActivity]] = defaultdict(list)
    for row in rows:
        org_id = row["organisation_id"]
        name = organisations[org_id]["name"]
        listed_activity = activity_from(row, name, evidence.get(row["id"], ()))
        listed_activity = replace(listed_activity, notes=tuple(notes.get(row["id"], ())))
        if row["recurring_schedule"] and row["due_in_month"]:
            listed_activity = in_the_month(listed_activity, row, marked[row["id"]], period)
        grouped[org_id].append(listed_activity)
    return grouped


def month_stamp(day: date) -> str:
    """The first clock stamp of a day (UTC), to compare notes' stamps with as text."""
    wall_ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    return str(HlcStamp(wall_ms, 0))


def in_the_month(
    activity: ReportActivity,
    row: dict,
    marked: list[tuple[date, date, Status]],
    period: q.PeriodParams,
) -> ReportActivity:
    """A recurring activity as the month saw it: its occurrences in the month and the status
    they give it (each window of the month is owed by the month's end)."""
    schedule = Schedule.from_json(json.loads(row["recurring_schedule"]))
    occurrences = occurrences_in_month(activity.activity_id, schedule, marked, period.month_start)
    try:
        own = Status(activity.status)
    except ValueError:
        return activity  # a status from a newer version: shown as it is
    return replace(
        activity,
        status=recurring_status(own, occurrences, month_end(period.month_start)).value,
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
        review=review_text(row.get("review"), row.get("review_comment") or ""),
    )


def review_text(shown: str | None, comment: str) -> str | None:
    if not shown or shown == ReviewState.NOT_REVIEWED.value:
        return None
    label = review_label(shown)
    return f"{label}: {comment}" if comment else label


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
