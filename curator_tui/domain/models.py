"""Pydantic models shared by every layer: the vocabulary of the programme.

Nothing here knows about SQLite, files or the terminal; importers produce these objects,
the store persists them and the TUI shows them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


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


class Period(BaseModel):
    """The span a roadmap covers: a calendar year or a school year (1 Sep – 31 Aug)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    start: date
    end: date

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(start=date(year, 1, 1), end=date(year, 12, 31))

    @classmethod
    def school_year(cls, first_year: int) -> Period:
        return cls(start=date(first_year, 9, 1), end=date(first_year + 1, 8, 31))


class Schedule(BaseModel):
    """A deadline phrase understood as dates.

    `windows` are inclusive (start, end) pairs in chronological order. For a `deadline` there
    is one window whose end is the due date; for `recurring` one window per occurrence in the
    roadmap period; `unscheduled` has none. `warning` says what could not be understood.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: ScheduleKind
    windows: tuple[tuple[date, date], ...] = ()
    rule: str | None = None
    warning: str | None = None

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
        windows = tuple(
            (date.fromisoformat(a), date.fromisoformat(b))
            for a, b in data.get("windows", [])  # type: ignore[union-attr]
        )
        return cls(
            kind=ScheduleKind(str(data["kind"])),
            windows=windows,
            rule=data.get("rule"),  # type: ignore[arg-type]
            warning=data.get("warning"),  # type: ignore[arg-type]
        )


class ParsedActivity(BaseModel):
    """One activity row as an importer understood it, before it has an identity."""

    model_config = ConfigDict(defer_build=True)

    number: str = ""
    title: str
    responsible: str = ""
    deadline_text: str = ""
    indicator: str = ""
    result: str = ""
    levels: str = ""
    publicity: str = ""
    extra: dict[str, str] = Field(default_factory=dict)
    section: str = ""
    parent_number: str | None = None
    warnings: list[str] = Field(default_factory=list)


class ParsedRoadmap(BaseModel):
    """A whole roadmap document as an importer understood it."""

    model_config = ConfigDict(defer_build=True)

    organisation: str = ""
    level: OrgLevel = OrgLevel.SCHOOL
    municipality: str = ""  # the district the document names, in display form; "" if none
    title: str = ""
    year: int | None = None
    school_year: int | None = None
    amendment: bool = False
    source_name: str = ""
    source_sha256: str = ""
    sections: list[str] = Field(default_factory=list)
    activities: list[ParsedActivity] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def period(self) -> Period | None:
        if self.school_year is not None:
            return Period.school_year(self.school_year)
        if self.year is not None:
            return Period.calendar_year(self.year)
        return None
