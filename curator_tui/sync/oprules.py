"""Operations arriving in a bundle: their shape, their values, and what each role may sign.

`ops.jsonl` is hostile input even after its signature checked out (a trusted key can be
stolen or misused), so every line is parsed strictly and every value is checked before the
projection ever sees it: a bad value must be refused here with a clear message, not blow up
in SQLite or in the app's screens later. Which fields exist, what their values look like and
who may set them is declared once, in `domain/fields.py`; this module turns that into checks.

Roles (design.md, «Bundles»; the trust entry decides, not what the bundle claims):
- school and curator: progress of activities in their scope — an activity's status, notes,
  evidence and visits; never the roadmap structure, except the municipality of their own
  organisation (`SAID_BY_ANY_ROLE`);
- coordinator: also the structure (organisation, roadmap, section, activity fields).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from curator_tui.domain.fields import ENTITIES, Field, Kind, Setter, all_fields
from curator_tui.domain.ops import (
    MAX_SEEN,
    OPERATION_FIELDS,
    OPTIONAL_OPERATION_FIELDS,
    STAMP_MAX,
    Action,
    Entity,
    Operation,
    canonical_json,
)
from curator_tui.sync.limits import (
    DEFAULT_LIMITS,
    MAX_LIST,
    MAX_OP_SIZE,
    MAX_TEXT,
    MAX_VALUE_DEPTH,
    Limits,
    json_depth_exceeds,
    size_text,
)
from curator_tui.sync.trust import TrustRole

ID_PATTERN = re.compile(r"[0-9a-f]{32}")
HLC_PATTERN = re.compile(r"[0-9]{15}-[0-9]{6}")
LATEST_STAMP = str(STAMP_MAX)
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
MAX_SEQ = 2**53

ENTITY_LABELS = {entity: spec.label for entity, spec in ENTITIES.items()}
ACTION_LABELS = {Action.CREATE: "создание", Action.SET: "изменение", Action.REMOVE: "удаление"}
ROLE_LABELS = {
    TrustRole.SCHOOL: "школа",
    TrustRole.CURATOR: "куратор",
    TrustRole.COORDINATOR: "координатор",
}

STRUCTURE = frozenset(e for e, spec in ENTITIES.items() if spec.created_by is Setter.STRUCTURE)
PROGRESS_SETS = frozenset(e for e, spec in ENTITIES.items() if spec.add_only)
# Structure a school or curator may still state about its own organisation (the scope check
# keeps it to that one): `curator init --municipality` on a school laptop.
SAID_BY_ANY_ROLE = frozenset(
    (spec.entity, f.name) for spec, f in all_fields() if f.setter is Setter.OWN_ORGANISATION
)
# Fields that say who made a record or what file it is: fixed at creation, for every role.
IMMUTABLE = {
    entity: frozenset(f.name for f in spec.fields if f.setter is Setter.IMMUTABLE)
    for entity, spec in ENTITIES.items()
}


# --- parsing ------------------------------------------------------------------------------


class OpFormatError(ValueError):
    """A line of ops.jsonl is not an operation we accept (message in Russian)."""


def parse_ops(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Operation]:
    """Parse ops.jsonl strictly; raises OpFormatError naming the first bad line.

    The limits on the number of ops and on each line's size and depth are checked before any
    line is decoded (the JSON decoder recurses once per level of nesting).
    """
    count = data.count(b"\n")
    if count > limits.max_ops:
        raise OpFormatError(
            f"в пакете {count} изменений, а допустимо не больше {limits.max_ops} "
            "(выгрузите изменения несколькими пакетами)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OpFormatError("список изменений не в кодировке UTF-8") from exc
    if text and not text.endswith("\n"):
        raise OpFormatError("список изменений обрывается посреди строки")
    # "\n" only: str.splitlines also breaks at U+2028, U+0085 and the like, which canonical
    # JSON leaves unescaped inside strings (a note pasted from Word).
    lines = text.split("\n")[:-1]
    for number, line in enumerate(lines, start=1):
        problem = line_problem(line)
        if problem:
            raise OpFormatError(f"строка {number} списка изменений: {problem}")
    return parse_all_at_once(lines) or [
        parse_op_line(line, number) for number, line in enumerate(lines, start=1)
    ]


def line_problem(line: str) -> str | None:
    """A line too long or nested too deep to hand to the decoder, or None."""
    # Characters first: a UTF-8 byte count is needed only for a line that might be too long.
    if len(line) * 4 > MAX_OP_SIZE and len(line.encode("utf-8")) > MAX_OP_SIZE:
        return f"операция длиннее {size_text(MAX_OP_SIZE)}"
    if json_depth_exceeds(line, MAX_VALUE_DEPTH + 1):  # + 1: the op object itself
        return f"значение вложено глубже {MAX_VALUE_DEPTH} уровней"
    return None


# Types and enums checked as they arrive from another device.
OPERATION_SHAPE = TypeAdapter(Operation)
OPERATIONS_SHAPE = TypeAdapter(list[Operation])
OPERATION_KEYS = frozenset(OPERATION_FIELDS)
# An op without a causal context leaves `seen` out (domain.ops.Operation.to_dict).
OPERATION_KEY_SETS = (OPERATION_KEYS, OPERATION_KEYS - OPTIONAL_OPERATION_FIELDS)


def parse_all_at_once(lines: list[str]) -> list[Operation] | None:
    """The ops of well-formed lines, decoded, validated and re-encoded as one array (a third
    cheaper than line by line); None if anything is off, for `parse_op_line` to name it.

    Joining lines could let one line's text pair with the next one's, so the result counts
    only if every line is exactly the canonical encoding of one valid operation.
    """
    if not lines:
        return None
    joined = "[" + ",".join(lines) + "]"
    try:
        raws = _STRICT_JSON.decode(joined)
    except ValueError:
        return None
    if len(raws) != len(lines) or not all(
        isinstance(raw, dict) and raw.keys() in OPERATION_KEY_SETS for raw in raws
    ):
        return None
    try:
        ops = OPERATIONS_SHAPE.validate_python(raws, strict=False)
    except ValidationError:
        return None
    if any(shape_problem(op, raw) for op, raw in zip(ops, raws, strict=True)):
        return None
    if canonical_json([op.to_dict() for op in ops]) != joined:
        return None
    return ops


def parse_op_line(line: str, number: int) -> Operation:
    try:
        raw = _STRICT_JSON.decode(line)
    except ValueError as exc:
        raise OpFormatError(f"строка {number} списка изменений не читается") from exc
    if not isinstance(raw, dict) or raw.keys() not in OPERATION_KEY_SETS:
        raise OpFormatError(f"строка {number} списка изменений — не операция")
    try:
        op = OPERATION_SHAPE.validate_python(raw, strict=False)
    except ValidationError as exc:
        raise OpFormatError(f"строка {number} списка изменений — не операция") from exc
    problem = shape_problem(op, raw)
    if problem:
        raise OpFormatError(f"строка {number} списка изменений: {problem}")
    if op.to_json_line() != line:
        raise OpFormatError(f"строка {number} списка изменений записана не в каноническом виде")
    return op


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


# NaN and Infinity are not JSON. One decoder for the process: json.loads builds a new one per
# call when given a hook, which costs as much as decoding the line.
_STRICT_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def shape_problem(op: Operation, raw: dict[str, Any]) -> str | None:
    """Identifiers, numbers and the clock stamp: what every op must look like."""
    if not all(isinstance(raw[k], str) for k in ("op_id", "device_id", "entity_id", "hlc")):
        return "неверные поля операции"
    if type(raw["seq"]) is not int or not 1 <= op.seq <= MAX_SEQ:
        return "неверный номер операции"
    for name in ("op_id", "device_id", "entity_id"):
        if not ID_PATTERN.fullmatch(getattr(op, name)):
            return f"неверный идентификатор ({name})"
    if op.prev is not None and not ID_PATTERN.fullmatch(op.prev):
        return "неверная ссылка на предыдущую операцию"
    if "seen" in raw and not valid_seen(raw["seen"], op):
        return "неверный список увиденных значений поля"
    if not HLC_PATTERN.fullmatch(op.hlc):
        return "неверная отметка времени"
    if op.hlc > LATEST_STAMP:  # no clock of this program stamps later (domain.ops, clock)
        return "отметка времени позже 31.12.9999"
    if (op.action is Action.SET) != (op.field is not None):
        return "поле указано не для изменения"
    return None


def valid_seen(seen: Any, op: Operation) -> bool:
    """A `set`'s or a `remove`'s causal context: 1..MAX_SEEN op ids, sorted, each once, not
    the op itself."""
    return (
        op.action in (Action.SET, Action.REMOVE)
        and isinstance(seen, list)
        and 0 < len(seen) <= MAX_SEEN
        and all(isinstance(i, str) and ID_PATTERN.fullmatch(i) for i in seen)
        and seen == sorted(set(seen))
        and op.op_id not in seen
    )


# --- values -------------------------------------------------------------------------------

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


def _nonempty_id(value: Any) -> bool:
    return isinstance(value, str) and bool(ID_PATTERN.fullmatch(value))


def _int_in(low: int, high: int) -> Check:
    return lambda v: type(v) is int and low <= v <= high


def _flag(value: Any) -> bool:
    return value in (0, 1) and type(value) in (int, bool)


def _enum(values: frozenset[str]) -> Check:
    return lambda v: isinstance(v, str) and v in values


def _sha_or_empty(value: Any) -> bool:
    return value == "" or (isinstance(value, str) and bool(SHA256_PATTERN.fullmatch(value)))


def _iso_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _json_object(value: Any) -> bool:
    return isinstance(value, dict) and len(json.dumps(value, ensure_ascii=False)) <= MAX_TEXT


def _json_list(value: Any) -> bool:
    return isinstance(value, list) and len(json.dumps(value, ensure_ascii=False)) <= MAX_TEXT


def _id_list(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= MAX_LIST and all(map(_nonempty_id, value))


def _check_of(field: Field) -> Check:
    """The check of a declared field's value, as it arrives from another device."""
    check = _KIND_CHECKS[field.kind](field)
    if field.optional:
        return lambda value: value is None or check(value)
    return check


_KIND_CHECKS: dict[Kind, Callable[[Field], Check]] = {
    Kind.TEXT: lambda _f: _text,
    Kind.ID: lambda _f: _nonempty_id,
    Kind.INT: lambda f: _int_in(f.low, f.high),
    Kind.YEAR: lambda _f: _int_in(1900, 2200),
    Kind.FLAG: lambda _f: _flag,
    Kind.ENUM: lambda f: _enum(f.values),
    Kind.SHA256: lambda _f: _sha_or_empty,
    Kind.ISO_DATE: lambda _f: _iso_date,
    Kind.JSON_OBJECT: lambda _f: _json_object,
    Kind.JSON_LIST: lambda _f: _json_list,
    Kind.ID_LIST: lambda _f: _id_list,
}
FIELD_CHECKS: dict[Entity, dict[str, Check]] = {
    entity: {f.name: _check_of(f) for f in spec.fields} for entity, spec in ENTITIES.items()
}
# What a create must carry: the owner it hangs from (and, for the add-only sets, its author).
REQUIRED_ON_CREATE: dict[Entity, tuple[str, ...]] = {
    entity: tuple(f.name for f in spec.fields if f.required) for entity, spec in ENTITIES.items()
}


def value_problem(op: Operation) -> str | None:
    """Why the op's value cannot be accepted, or None."""
    checks = FIELD_CHECKS[op.entity]
    if op.action is Action.REMOVE:
        if op.entity not in PROGRESS_SETS:
            return f"{ENTITY_LABELS[op.entity]} не удаляется, а исключается изменением"
        return None if op.value is None else "у удаления не должно быть значения"
    if op.action is Action.SET:
        assert op.field is not None
        if op.field not in checks:
            return f"неизвестное поле «{op.field[:40]}»"
        if op.field in IMMUTABLE.get(op.entity, ()):
            return f"поле «{op.field}» задаётся при создании и не меняется"
        return None if checks[op.field](op.value) else f"неверное значение поля «{op.field}»"
    return create_problem(op, checks)


def create_problem(op: Operation, checks: dict[str, Check]) -> str | None:
    if not isinstance(op.value, dict):
        return "у создания нет значений полей"
    for name in REQUIRED_ON_CREATE[op.entity]:
        if name not in op.value:
            return f"не указано поле «{name}»"
    for name, value in op.value.items():
        if name not in checks:
            return f"неизвестное поле «{name[:40]}»"
        if not checks[name](value):
            return f"неверное значение поля «{name}»"
    author = op.value.get("device_id")
    if op.entity in PROGRESS_SETS and author != op.device_id:
        return "автор записи не совпадает с устройством, сделавшим изменение"
    if op.entity is Entity.EVIDENCE and not (op.value["sha256"] or op.value["url"]):
        return "у доказательства нет ни файла, ни ссылки"
    return None


# --- roles --------------------------------------------------------------------------------


def is_structure(op: Operation) -> bool:
    """Roadmap structure: what only a coordinator signs (an activity's status is progress)."""
    if op.entity not in STRUCTURE:
        return False
    field = ENTITIES[op.entity].field(op.field) if op.action is Action.SET else None
    return field is None or field.setter is not Setter.PROGRESS


def is_review(op: Operation) -> bool:
    """A reviewer's verdict or comment: what a school never signs (design.md, «Bundles»)."""
    if op.action is not Action.SET:
        return False
    field = ENTITIES[op.entity].field(op.field)
    return field is not None and field.setter is Setter.REVIEW


def role_problem(op: Operation, role: TrustRole) -> str | None:
    """Why a signer of this role may not sign this op, or None."""
    if is_review(op):
        if role is TrustRole.SCHOOL:
            return "школа не может выставлять проверку (это делают координатор и куратор)"
        return None
    if role is TrustRole.COORDINATOR or not is_structure(op):
        return None
    if op.action is Action.SET and (op.entity, op.field) in SAID_BY_ANY_ROLE:
        return None
    return (
        f"роль «{ROLE_LABELS[role]}» не может менять структуру дорожной карты "
        "(это делает координатор)"
    )


def describe_op(op: Operation) -> str:
    """«операция № 12 устройства 1a2b3c4d: мероприятие 5e6f7a8b…, изменение поля «status»»."""
    what = f"{ENTITY_LABELS[op.entity]} {op.entity_id[:8]}…, {ACTION_LABELS[op.action]}"
    if op.field:
        what += f" поля «{op.field}»"
    return f"операция № {op.seq} устройства {op.device_id[:8]} ({what})"
