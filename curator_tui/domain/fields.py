"""The fields of every replicated entity, declared once.

What an operation may carry, what its value must look like, who may set it, how the state
table stores it and what a user calls it: the projection, the bundle rules (`sync.oprules`),
the roadmap import, `activities --json`, the detail screen, the history and the report all
read this declaration instead of keeping lists of their own. A test compares it with the
migrated tables (tests/test_fields.py).

Plain frozen dataclasses, no pydantic: the projection imports this on every cold start.

Adding a replicated field: declare it here, add its column in a migration (db/), bump
`VOCABULARY_VERSION`, and, if a roadmap document fills it, give `ParsedActivity` the attribute
and `importers.columns` the header names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from curator_tui.domain.models import EvidenceKind, OrgLevel, ReviewState, Status
from curator_tui.domain.ops import Entity

# The set of entities, fields and enum values this program knows. A bundle carries the
# version of the program that wrote it (sync/manifest.py); a reader with a smaller one refuses
# it as «made by a newer version» instead of calling a value it has never heard of bad.
# Bump it whenever a field, an entity or an enum value is added.
# 2: activity.report_form; 3: occurrence, evidence.occurrence; 4: an edit's causal context
# (op `seen`); 5: a removal's causal context (`seen` on a `remove`); 6: an activity's review
# (`review_state`, `review_comment`) and an evidence item's `remark`
VOCABULARY_VERSION = 6


class Kind(StrEnum):
    """What a field's value is (checked by `sync.oprules` as it arrives from another device)."""

    TEXT = "text"
    ID = "id"  # a 32-hex-digit entity or device id
    INT = "int"  # an integer in [low, high]
    YEAR = "year"  # 1900 … 2200
    FLAG = "flag"  # 0 or 1
    ENUM = "enum"  # a value of `enum`
    SHA256 = "sha256"  # a lowercase hex digest, or "" (a link has no file)
    ISO_DATE = "iso_date"  # YYYY-MM-DD
    JSON_OBJECT = "json_object"  # stored as canonical JSON text
    JSON_LIST = "json_list"  # stored as canonical JSON text
    ID_LIST = "id_list"  # stored as rows of a link table, not as a column


class Setter(StrEnum):
    """Who may set a field (the signer's trust entry decides, sync/oprules.py)."""

    STRUCTURE = "structure"  # the coordinator only: the roadmap as the document has it
    PROGRESS = "progress"  # school, curator and coordinator, within their scope
    OWN_ORGANISATION = "own_organisation"  # any role, about its own organisation
    REVIEW = "review"  # the coordinator, and a curator within its scope: never a school
    IMMUTABLE = "immutable"  # given at creation, never changed by anyone


class Shown(StrEnum):
    """Whether a field is a row of the activity's detail screen."""

    NO = "no"
    ALWAYS = "always"  # «—» when empty
    WHEN_SET = "when_set"  # a column few roadmaps have


_NO_PLACEHOLDER: Any = object()


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    name: str
    kind: Kind
    setter: Setter
    label: str  # as a heading: a detail row, a report column
    change_label: str = ""  # in the history («ответственный: …»); default: label, lower case
    optional: bool = False  # None is a value too
    low: int = 0  # Kind.INT only
    high: int = 0
    enum: type[StrEnum] | None = None  # Kind.ENUM only
    required: bool = False  # a create must carry it
    # The column is NOT NULL without a default: this stands in until the creating op arrives
    # (a `set` may arrive first).
    placeholder: Any = _NO_PLACEHOLDER
    imported: bool = False  # an activity field a roadmap document fills (ParsedActivity)
    detail: Shown = Shown.NO
    report_width: float = 0  # a column of the report's activity tables, this wide; 0: none

    @property
    def has_placeholder(self) -> bool:
        return self.placeholder is not _NO_PLACEHOLDER

    @property
    def stored_as_json(self) -> bool:
        return self.kind in (Kind.JSON_OBJECT, Kind.JSON_LIST)

    @property
    def is_column(self) -> bool:
        """False for an id list: its values are rows of a link table (visit_activity)."""
        return self.kind is not Kind.ID_LIST

    @property
    def history_label(self) -> str:
        return self.change_label or self.label[:1].lower() + self.label[1:]

    @property
    def values(self) -> frozenset[str]:
        """The values of an enum field."""
        assert self.enum is not None
        return frozenset(self.enum)


@dataclass(frozen=True, slots=True)
class EntitySpec:
    entity: Entity
    label: str  # «мероприятие», as a bundle report names it
    # Created by the coordinator (the roadmap's structure) or by anyone in scope (progress).
    created_by: Setter
    # An add-only set member (note, evidence, visit): removed by a tombstone, not by a field.
    add_only: bool
    fields: tuple[Field, ...]

    def field(self, name: str | None) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _text(name: str, label: str, setter: Setter = Setter.STRUCTURE, **more: Any) -> Field:
    return Field(name=name, kind=Kind.TEXT, setter=setter, label=label, **more)


def _owner(name: str, label: str, setter: Setter = Setter.STRUCTURE, **more: Any) -> Field:
    """The id of the entity this one hangs from: required, a placeholder until created."""
    return Field(
        name=name, kind=Kind.ID, setter=setter, label=label, required=True, placeholder="", **more
    )


def _position(**more: Any) -> Field:
    return Field(
        name="position",
        kind=Kind.INT,
        low=0,
        high=10**9,
        setter=Setter.STRUCTURE,
        label="Порядок",
        required=True,
        placeholder=0,
        **more,
    )


def _author() -> Field:
    return Field(
        name="device_id", kind=Kind.ID, setter=Setter.IMMUTABLE, label="Автор", required=True
    )


ORGANISATION = EntitySpec(
    Entity.ORGANISATION,
    "организация",
    Setter.STRUCTURE,
    False,
    (
        _text("name", "Название", required=True, placeholder=""),
        Field(
            name="level",
            kind=Kind.ENUM,
            enum=OrgLevel,
            setter=Setter.STRUCTURE,
            label="Уровень",
            required=True,
            placeholder=OrgLevel.SCHOOL.value,
        ),
        _text("municipality", "Муниципалитет", Setter.OWN_ORGANISATION),
    ),
)


def _year(name: str, label: str) -> Field:
    return Field(name=name, label=label, kind=Kind.YEAR, optional=True, setter=Setter.STRUCTURE)


ROADMAP = EntitySpec(
    Entity.ROADMAP,
    "дорожная карта",
    Setter.STRUCTURE,
    False,
    (
        _owner("organisation_id", "Организация"),
        _text("title", "Название"),
        _year("year", "Год"),
        _year("school_year", "Учебный год"),
        _text("source_name", "Файл документа"),
        # Text, not Kind.SHA256: what the importer wrote is carried as it was.
        _text("source_sha256", "Контрольная сумма документа"),
    ),
)

SECTION = EntitySpec(
    Entity.SECTION,
    "раздел",
    Setter.STRUCTURE,
    False,
    (_owner("roadmap_id", "Дорожная карта"), _position(), _text("title", "Название")),
)

ACTIVITY = EntitySpec(
    Entity.ACTIVITY,
    "мероприятие",
    Setter.STRUCTURE,
    False,
    (
        _owner("roadmap_id", "Дорожная карта"),
        Field(
            name="section_id", kind=Kind.ID, optional=True, setter=Setter.STRUCTURE, label="Раздел"
        ),
        _position(),
        _text("number", "№", change_label="номер", imported=True, report_width=7),
        Field(
            name="parent_id", kind=Kind.ID, optional=True, setter=Setter.STRUCTURE, label="Родитель"
        ),
        _text("title", "Мероприятие", change_label="название", imported=True, report_width=55),
        _text("responsible", "Ответственный", imported=True, detail=Shown.ALWAYS, report_width=22),
        _text(
            "deadline_text",
            "Срок (как в документе)",
            change_label="срок",
            imported=True,
            detail=Shown.ALWAYS,
            report_width=20,
        ),
        _text("indicator", "Показатель", imported=True, detail=Shown.ALWAYS),
        _text("result", "Результат", imported=True, detail=Shown.ALWAYS),
        _text("levels", "Уровни", imported=True, detail=Shown.ALWAYS),
        _text("publicity", "Публичность", imported=True, detail=Shown.ALWAYS),
        _text(
            "report_form",
            "Форма отчетности",
            imported=True,
            detail=Shown.WHEN_SET,
            report_width=20,
        ),
        Field(
            name="extra",
            kind=Kind.JSON_OBJECT,
            setter=Setter.STRUCTURE,
            label="Доп. столбцы",
            imported=True,
        ),
        Field(
            name="warnings",
            kind=Kind.JSON_LIST,
            setter=Setter.STRUCTURE,
            label="Замечания импорта",
            imported=True,
        ),
        Field(name="status", kind=Kind.ENUM, enum=Status, setter=Setter.PROGRESS, label="Статус"),
        Field(name="removed", kind=Kind.FLAG, setter=Setter.STRUCTURE, label="Исключено"),
        Field(
            name="review_state",
            kind=Kind.ENUM,
            enum=ReviewState,
            setter=Setter.REVIEW,
            label="Проверка",
        ),
        _text("review_comment", "Замечание проверяющего", Setter.REVIEW, detail=Shown.WHEN_SET),
    ),
)

NOTE = EntitySpec(
    Entity.NOTE,
    "заметка",
    Setter.PROGRESS,
    True,
    (
        _owner("activity_id", "Мероприятие", Setter.IMMUTABLE),
        _text("text", "Текст", Setter.PROGRESS, required=True),
        _author(),
    ),
)

EVIDENCE = EntitySpec(
    Entity.EVIDENCE,
    "доказательство",
    Setter.PROGRESS,
    True,
    (
        _owner("activity_id", "Мероприятие", Setter.IMMUTABLE),
        Field(
            name="kind",
            kind=Kind.ENUM,
            enum=EvidenceKind,
            setter=Setter.PROGRESS,
            label="Вид",
            required=True,
        ),
        _text("title", "Название", Setter.PROGRESS),
        _text("note", "Пояснение", Setter.PROGRESS),
        _text("original_name", "Имя файла", Setter.PROGRESS),
        Field(
            name="size",
            kind=Kind.INT,
            low=0,
            high=2**50,
            setter=Setter.IMMUTABLE,
            label="Размер",
            required=True,
        ),
        Field(
            name="sha256", kind=Kind.SHA256, setter=Setter.IMMUTABLE, label="Файл", required=True
        ),
        _text("url", "Ссылка", Setter.PROGRESS, required=True),
        _text("remark", "Замечание проверяющего", Setter.REVIEW),
        _author(),
        # The occurrence of a recurring activity the evidence is for (None: the activity).
        Field(
            name="occurrence",
            kind=Kind.ID,
            optional=True,
            setter=Setter.IMMUTABLE,
            label="Повторение",
        ),
    ),
)

VISIT = EntitySpec(
    Entity.VISIT,
    "визит",
    Setter.PROGRESS,
    True,
    (
        _owner("roadmap_id", "Дорожная карта", Setter.PROGRESS),
        Field(
            name="visit_date",
            kind=Kind.ISO_DATE,
            setter=Setter.PROGRESS,
            label="Дата",
            required=True,
            placeholder="",
        ),
        _text("participants", "Участники", Setter.PROGRESS),
        _text("notes", "Заметки", Setter.PROGRESS),
        _author(),
        Field(
            name="activities",
            kind=Kind.ID_LIST,
            setter=Setter.PROGRESS,
            label="Мероприятия",
            required=True,
        ),
    ),
)


def _window_date(name: str, label: str) -> Field:
    return Field(
        name=name,
        kind=Kind.ISO_DATE,
        setter=Setter.IMMUTABLE,
        label=label,
        required=True,
        placeholder="",
    )


# One window of a recurring activity («ежемесячно»: January, February …) with a status of its
# own. Its id derives from (activity id, window start) (`domain.rules.occurrence_id`), so two
# replicas marking the same month create one entity; the create carries only what both derive
# alike, and the status is a `set` (last writer wins, concurrent edits are a conflict).
OCCURRENCE = EntitySpec(
    Entity.OCCURRENCE,
    "повторение мероприятия",
    Setter.PROGRESS,
    False,
    (
        _owner("activity_id", "Мероприятие", Setter.IMMUTABLE),
        _window_date("window_start", "Начало"),
        _window_date("window_end", "Окончание"),
        Field(name="status", kind=Kind.ENUM, enum=Status, setter=Setter.PROGRESS, label="Статус"),
    ),
)

ENTITIES: dict[Entity, EntitySpec] = {
    spec.entity: spec
    for spec in (ORGANISATION, ROADMAP, SECTION, ACTIVITY, NOTE, EVIDENCE, VISIT, OCCURRENCE)
}


def spec_of(entity: Entity) -> EntitySpec:
    return ENTITIES[entity]


def all_fields() -> Iterator[tuple[EntitySpec, Field]]:
    for spec in ENTITIES.values():
        for field in spec.fields:
            yield spec, field


# What each face lists of an activity, in declaration order.
IMPORTED_FIELDS = tuple(f for f in ACTIVITY.fields if f.imported)
DETAIL_FIELDS = tuple(f for f in ACTIVITY.fields if f.detail is not Shown.NO)
REPORT_FIELDS = tuple(f for f in ACTIVITY.fields if f.report_width)

# Columns of the entity tables that are not fields: no operation sets them. Every row says
# which op created it and which sets its fields show (store/projection.py); the rest is
# derived from fields (an activity's schedule, a roadmap's period) or from other rows.
ROW_BOOKKEEPING = frozenset({"id", "origin_hlc", "origin_device", "origin_op", "winners"})
# An add-only member's tombstone, and the clock of its creating op (its place in a list).
ADD_ONLY_BOOKKEEPING = frozenset({"created_hlc", "removed"})
DERIVED_COLUMNS: dict[Entity, frozenset[str]] = {
    Entity.ROADMAP: frozenset({"period_start", "period_end"}),
    Entity.ACTIVITY: frozenset(
        {"schedule", "schedule_kind", "first_date", "due_date", "evidence_count", "search_text"}
    ),
}


def non_field_columns(entity: Entity) -> frozenset[str]:
    spec = ENTITIES[entity]
    return (
        ROW_BOOKKEEPING
        | (ADD_ONLY_BOOKKEEPING if spec.add_only else frozenset())
        | DERIVED_COLUMNS.get(entity, frozenset())
    )
