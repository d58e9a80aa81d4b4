"""The vocabulary of the programme, shared by every layer: statuses, kinds, schedules.

Nothing here knows about SQLite, files or the terminal. Plain enums and frozen dataclasses,
no pydantic: every start of the app imports this module, and pydantic alone costs about as
much as starting a minimal Textual app. What importers produce lives in `domain/parsed.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import cast


class OrgLevel(StrEnum):
    """Who owns a roadmap: the same table is written at three levels of the programme."""

    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    REGION = "region"

    @property
    def label(self) -> str:
        return _ORG_LEVEL_LABELS[self]


_ORG_LEVEL_LABELS = {
    OrgLevel.SCHOOL: "образовательная организация",
    OrgLevel.MUNICIPALITY: "муниципалитет",
    OrgLevel.REGION: "регион",
}


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Status:
        """Accept the code or the Russian label, in any case («выполнено», «done»)."""
        wanted = text.strip().lower()
        for status in cls:
            if wanted in (status.value, status.label.lower(), *STATUS_ALIASES.get(status, ())):
                return status
        raise ValueError(text)


STATUS_LABELS = {
    Status.NOT_STARTED: "Не начато",
    Status.IN_PROGRESS: "В работе",
    Status.DONE: "Выполнено",
    Status.CANCELLED: "Отменено",
}

STATUS_ALIASES: dict[Status, tuple[str, ...]] = {
    Status.NOT_STARTED: ("new", "planned", "не начата", "запланировано"),
    Status.IN_PROGRESS: ("progress", "в процессе", "выполняется"),
    Status.DONE: ("выполнена", "готово", "сделано"),
    Status.CANCELLED: ("отменена", "снято"),
}


# A trust entry's scope naming every organisation (sync/trust.py).
ANY_ORGANISATION = "*"


class TrustRole(StrEnum):
    """What a key is trusted as (sync/trust.py), and a device's own role."""

    SCHOOL = "school"
    CURATOR = "curator"
    COORDINATOR = "coordinator"


class ReviewState(StrEnum):
    """A reviewer's verdict on an activity (issue 15): the coordinator's or the curator's."""

    NOT_REVIEWED = "not_reviewed"
    ACCEPTED = "accepted"
    RETURNED = "returned"  # «на доработку»: the comment says what to fix

    @property
    def label(self) -> str:
        return REVIEW_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> ReviewState:
        """The code, the Russian label or a word of it («принято», «на-доработку»)."""
        wanted = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
        for state in cls:
            words = (state.value.replace("_", " "), state.label.lower(), *REVIEW_ALIASES[state])
            if wanted in words:
                return state
        raise ValueError(text)


REVIEW_LABELS = {
    ReviewState.NOT_REVIEWED: "Не проверено",
    ReviewState.ACCEPTED: "Принято",
    ReviewState.RETURNED: "На доработку",
}
REVIEW_ALIASES: dict[ReviewState, tuple[str, ...]] = {
    ReviewState.NOT_REVIEWED: ("не проверено", "сбросить"),
    ReviewState.ACCEPTED: ("принять", "принята", "ok"),
    ReviewState.RETURNED: ("доработка", "вернуть", "на доработке"),
}
# Shown, never stored: a returned activity the school changed after the verdict.
RESUBMITTED_LABEL = "Повторно на проверке"
RESUBMITTED = "resubmitted"


def review_label(shown: str) -> str:
    """A row's review as a reader calls it: a verdict's label or «Повторно на проверке»; an
    unknown code (from a newer version) as it is."""
    if shown == RESUBMITTED:
        return RESUBMITTED_LABEL
    try:
        return ReviewState(shown).label
    except ValueError:
        return shown


class EvidenceKind(StrEnum):
    ORDER = "order"
    PROTOCOL = "protocol"
    CERTIFICATE = "certificate"
    PARTICIPANTS = "participants"
    PHOTO = "photo"
    LINK = "link"
    OTHER = "other"

    @property
    def label(self) -> str:
        return EVIDENCE_KIND_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> EvidenceKind:
        wanted = text.strip().lower()
        for kind in cls:
            if wanted in (kind.value, kind.label.lower()):
                return kind
        raise ValueError(text)


EVIDENCE_KIND_LABELS = {
    EvidenceKind.ORDER: "Приказ",
    EvidenceKind.PROTOCOL: "Протокол",
    EvidenceKind.CERTIFICATE: "Справка",
    EvidenceKind.PARTICIPANTS: "Список участников",
    EvidenceKind.PHOTO: "Фото",
    EvidenceKind.LINK: "Ссылка",
    EvidenceKind.OTHER: "Иное",
}


class ScheduleKind(StrEnum):
    WINDOW = "window"
    DEADLINE = "deadline"
    RECURRING = "recurring"
    UNSCHEDULED = "unscheduled"


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """The span a roadmap covers: a calendar year or a school year (1 Sep – 31 Aug)."""

    start: date
    end: date

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(start=date(year, 1, 1), end=date(year, 12, 31))

    @classmethod
    def school_year(cls, first_year: int) -> Period:
        return cls(start=date(first_year, 9, 1), end=date(first_year + 1, 8, 31))


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """A deadline phrase understood as dates.

    `windows` are inclusive (start, end) pairs in chronological order. For a `deadline` there
    is one window whose end is the due date; for `recurring` one window per occurrence in the
    roadmap period; `unscheduled` has none. `warning` says what could not be understood.
    """

    kind: ScheduleKind
    windows: tuple[tuple[date, date], ...] = ()
    rule: str | None = None
    warning: str | None = None

    def __post_init__(self) -> None:
        # Windows may be given as any sequence of pairs; stored as tuples so equal schedules
        # compare and hash equal.
        object.__setattr__(self, "windows", tuple(tuple(w) for w in self.windows))

    @property
    def due(self) -> date | None:
        """The last day the activity may be done on, if any."""
        return self.windows[-1][1] if self.windows else None

    def next_window(self, today: date) -> tuple[date, date] | None:
        """The first window that has not ended yet, or None when all are past."""
        return next((w for w in self.windows if w[1] >= today), None)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "windows": [[a.isoformat(), b.isoformat()] for a, b in self.windows],
            **({"rule": self.rule} if self.rule else {}),
            **({"warning": self.warning} if self.warning else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Schedule:
        pairs = cast("list[tuple[str, str]]", data.get("windows", []))
        windows = tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in pairs)
        return cls(
            kind=ScheduleKind(str(data["kind"])),
            windows=windows,
            rule=cast("str | None", data.get("rule")),
            warning=cast("str | None", data.get("warning")),
        )
