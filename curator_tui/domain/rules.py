"""The programme's rules about progress, each defined once: open, overdue, due soon, behind,
stale, the status of a recurring activity from its occurrences, and the kind of evidence a
file probably is.

Pure functions of their arguments (the caller passes `today`), so every face and every report
judges an activity or a school the same way. Where SQL must apply a rule to thousands of rows,
`curator_tui.store.rules_sql` writes the same rule as an SQL condition from these constants,
and a test checks that both agree on the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath

from curator_tui.domain.models import EvidenceKind, ReviewState, Status
from curator_tui.domain.ops import stable_id

# Still to be done: neither done nor cancelled.
OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)
# A deadline this many days ahead (or fewer) is «скоро срок».
DUE_SOON_DAYS = 14
# A school that sent no bundle for this many days (or never) is marked on the dashboard.
STALE_DAYS = 30
# A school is behind with this many overdue activities …
MANY_OVERDUE = 5
# … or with this share of the activities already due (not cancelled) still open.
OVERDUE_SHARE = 0.25

PHOTO_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".heic", ".gif", ".bmp", ".webp", ".tif", ".tiff"}
)


def is_open(status: Status) -> bool:
    return status in OPEN_STATUSES


def is_overdue(status: Status, due: date | None, before: date) -> bool:
    """Open and its last due date falls before `before` (today, or a report's cut-off)."""
    return is_open(status) and due is not None and due < before


def is_due_soon(status: Status, due: date | None, coming: date | None, today: date) -> bool:
    """Open, not overdue, and `coming` (the end of the deadline ahead) is at most
    DUE_SOON_DAYS away. The list's row marks the end of the next window; a count over many
    rows (SQL) takes the last due date for `coming`."""
    if coming is None or not is_open(status) or is_overdue(status, due, today):
        return False
    return 0 <= (coming - today).days <= DUE_SOON_DAYS


def counts_as_due(status: Status, due: date | None, before: date) -> bool:
    """Not cancelled and due before `before`, done or not: the base «behind» is measured on."""
    return status is not Status.CANCELLED and due is not None and due < before


def is_behind(overdue: int, due_by_now: int) -> bool:
    """`due_by_now`: activities (not cancelled) whose last due date has passed."""
    return overdue >= MANY_OVERDUE or (due_by_now > 0 and overdue >= OVERDUE_SHARE * due_by_now)


def is_stale(last_bundle: datetime | None, today: date) -> bool:
    return last_bundle is None or (today - last_bundle.date()).days >= STALE_DAYS


def guess_evidence_kind(file_name: str | PurePath, chosen: EvidenceKind) -> EvidenceKind:
    """A picture left as «Иное» is a photo; any kind the user chose stays as chosen."""
    if chosen is EvidenceKind.OTHER and PurePath(file_name).suffix.lower() in PHOTO_SUFFIXES:
        return EvidenceKind.PHOTO
    return chosen


# --- recurring activities by occurrence --------------------------------------------------------
#
# A recurring activity («ежемесячно») has one occurrence per window of its schedule, each with
# a status of its own (January done, February in progress). The activity's status as shown is
# derived from them (`recurring_status`); a non-recurring activity has no occurrences and keeps
# its own status.

# The month's name in the nominative, as report titles, list groups and occurrences say it.
MONTH_NAMES = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)


# A link is evidence only if it can be opened: a web address with a host («https://…»,
# «http://…»; «www.…» is read as https). Anything else («см. приказ», «приказ.pdf»,
# «C:\\Документы\\…») is a note or a file, not a link.
WEB_ADDRESS = re.compile(r"^https?://[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)
WWW_ADDRESS = re.compile(r"^www\.[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)


def web_link(text: str) -> str | None:
    """The web address `text` is («www.site.ru/x» becomes «https://www.site.ru/x»), or None."""
    link = text.strip()
    if WEB_ADDRESS.match(link):
        return link
    if WWW_ADDRESS.match(link):
        return f"https://{link}"
    return None


def occurrence_id(activity_id: str, window_start: date) -> str:
    """The same on every replica: two devices marking one month create one occurrence."""
    return stable_id(activity_id, window_start.isoformat())


@dataclass(frozen=True, slots=True)
class Occurrence:
    activity_id: str
    start: date
    end: date
    status: Status = Status.NOT_STARTED
    # Someone gave this occurrence a status (it has a row); False: only the schedule has it.
    marked: bool = False

    @property
    def id(self) -> str:
        return occurrence_id(self.activity_id, self.start)

    @property
    def label(self) -> str:
        """«январь 2026» for a whole month, otherwise its dates («12.01.2026»)."""
        if self.start.day == 1 and self.end == last_day_of_month(self.start):
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        first = self.start.strftime("%d.%m.%Y")
        return first if self.start == self.end else f"{first} – {self.end.strftime('%d.%m.%Y')}"


def last_day_of_month(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def occurrences_of(
    activity_id: str,
    windows: Iterable[tuple[date, date]],
    marked: Iterable[tuple[date, date, Status]],
) -> list[Occurrence]:
    """The occurrences of a recurring activity: one per window of its schedule, with the
    status its row gives (`marked`: start, end, status). A row whose window the schedule no
    longer has (the deadline text was edited) is still listed: a status given is not lost."""
    found = {start: Occurrence(activity_id, start, end) for start, end in windows}
    for start, end, status in marked:
        found[start] = Occurrence(activity_id, start, end, status, marked=True)
    return [found[start] for start in sorted(found)]


def recurring_status(own: Status, occurrences: Sequence[Occurrence], today: date) -> Status:
    """The status a recurring activity shows, from its occurrences.

    - cancelled, when the activity itself is cancelled (it stops every occurrence);
    - its own status, while no occurrence has been given one (as before occurrences existed);
    - done, when every occurrence begun by `today` (not cancelled) is done — the current
      month's occurrence counts as soon as it begins: it is owed now;
    - in progress, when some occurrence is done or in progress;
    - not started otherwise.
    """
    if own is Status.CANCELLED or not any(o.marked for o in occurrences):
        return own
    begun = [o for o in occurrences if o.start <= today and o.status is not Status.CANCELLED]
    if begun and all(o.status is Status.DONE for o in begun):
        return Status.DONE
    if any(o.status in (Status.DONE, Status.IN_PROGRESS) for o in occurrences):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def owed_due(due: date | None, occurrences: Sequence[Occurrence]) -> date | None:
    """The due date the rules judge a recurring activity by: the earliest end of an
    occurrence still open, once any occurrence has been given a status (January done,
    February not: February's end); otherwise `due`, its last due date, as for any activity."""
    if not any(o.marked for o in occurrences):
        return due
    owed = [o.end for o in occurrences if is_open(o.status)]
    return min(owed) if owed else due


@dataclass(frozen=True, slots=True)
class Standing:
    """How the rules see an activity: the status it shows and the due date it is judged by."""

    status: Status
    due: date | None


def standing(
    own: Status, due: date | None, occurrences: Sequence[Occurrence], today: date
) -> Standing:
    """One derivation for every face (list, counts, dashboard, detail, JSON, report): an
    activity with no occurrence given a status stands by its own status and last due date;
    a recurring one tracked by occurrence by `recurring_status` and `owed_due`. The SQL twin
    is `store.rules_sql.shown_status` and `owed_due_date`."""
    return Standing(recurring_status(own, occurrences, today), owed_due(due, occurrences))


_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_MONTH_STEMS = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def find_occurrences(occurrences: Sequence[Occurrence], text: str) -> list[Occurrence]:
    """The occurrences `text` names: a month («2026-01», «январь», «января 2026»), or a day
    («2026-01-15», «15.01.2026», the window holding it). Empty when the text is none of
    these or names no occurrence; several when it is ambiguous (two windows in a month)."""
    spoken = text.strip().casefold().replace("ё", "е")
    day = _day_named(spoken)
    if day is not None:
        return [o for o in occurrences if o.start <= day <= o.end]
    month = _month_named(spoken)
    if month is None:
        return []
    year, number = month
    return [o for o in occurrences if _overlaps_month(o, year, number)]


def _day_named(text: str) -> date | None:
    for pattern, order in ((_ISO_DAY, (0, 1, 2)), (_DOTTED_DAY, (2, 1, 0))):
        found = pattern.fullmatch(text)
        if found:
            year, month, day = (int(found.group(i + 1)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def _month_named(text: str) -> tuple[int | None, int] | None:
    found = _YEAR_MONTH.fullmatch(text)
    if found:
        number = int(found.group(2))
        return (int(found.group(1)), number) if 1 <= number <= 12 else None
    words = text.split()
    if not words or len(words) > 2:
        return None
    year = int(words[1]) if len(words) == 2 and words[1].isdigit() else None
    if len(words) == 2 and year is None:
        return None
    for number, stem in enumerate(_MONTH_STEMS, start=1):
        # «ма» is May alone («май», «мая»): March has its own stem, tried first.
        if words[0].startswith(stem) and (stem != "ма" or words[0] in ("май", "мая")):
            return year, number
    return None


def _overlaps_month(occurrence: Occurrence, year: int | None, month: int) -> bool:
    """Whether the occurrence's window meets the month (of any year, when none is given)."""
    day = occurrence.start.replace(day=1)
    while day <= occurrence.end:
        if day.month == month and (year is None or day.year == year):
            return True
        day = last_day_of_month(day) + timedelta(days=1)
    return False


REVIEW_COMMENT_MAX = 4000  # characters: what to fix, not a document (that is evidence)
# Control characters and the invisible direction marks a pasted text may smuggle in.
_COMMENT_CONTROLS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def review_comment(text: str, state: ReviewState) -> str:
    """A reviewer's comment as stored: control and direction characters dropped, spaces
    trimmed; required for «на доработку»; refused (ValueError, in Russian) when too long."""
    cleaned = "\n".join(line.strip() for line in _COMMENT_CONTROLS.sub("", text).split("\n"))
    cleaned = cleaned.strip()
    if len(cleaned) > REVIEW_COMMENT_MAX:
        raise ValueError(
            f"Комментарий слишком длинный: {len(cleaned)} знаков, допустимо до "
            f"{REVIEW_COMMENT_MAX}. Подробности приложите файлом к мероприятию."
        )
    if state is ReviewState.RETURNED and not cleaned:
        raise ValueError("Для «на доработку» нужен комментарий: напишите, что исправить.")
    return cleaned


# --- delete versus work ----------------------------------------------------------------------


def work_stands_against_removal(work: tuple[str, str], removal: tuple[str, str]) -> bool:
    """Whether work on a removed activity is the coordinator's to decide: work the removal
    did not know of, made without knowing of the removal. `work` and `removal` are the ops'
    (clock, device id).

    Decided from what each op's replica held, never from the clocks alone:
    - one device's ops are sequential: work and a removal of the same device each knew of
      the one made before it (a coordinator's own note on an activity it removed is none);
    - a removal is stamped after every piece of work its replica holds on the activity
      (`store.change_log`), even work a fast device stamped in 2040: work stamped before it
      is work it knew of, and a removal made again after the work settles it;
    - work from another device stamped after the removal is taken as made without knowing of
      it (no op says what its writer had seen of the removal): shown once too often rather
      than hidden in silence.
    The SQL twin is `store.removed_work.stands_against_removal`.
    """
    return work[1] != removal[1] and work[0] > removal[0]
