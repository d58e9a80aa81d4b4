"""Reading ops.jsonl: the whole-array fast path says exactly what the line-by-line reader says."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curator_tui.domain.ops import Action, Entity, Operation, new_id
from curator_tui.sync.oprules import OpFormatError, parse_op_line, parse_ops
from tests.bundle_helpers import Replica, activity_id, make_hub, make_school

# Characters str.splitlines() breaks at that canonical JSON leaves as they are in a string.
LINE_BREAKS_KEPT_BY_JSON = "\u2028\u2029\x85"


def note_op(seq: int, text: str) -> Operation:
    return Operation(
        op_id=new_id(),
        device_id="d" * 32,
        seq=seq,
        hlc=f"001700000000000-{seq:06d}",
        entity=Entity.NOTE,
        entity_id="e" * 32,
        action=Action.SET,
        field="text",
        value=text,
    )


def jsonl(ops: list[Operation]) -> bytes:
    return "".join(op.to_json_line() + "\n" for op in ops).encode()


def line_by_line(data: bytes) -> list[Operation] | str:
    """The reference: each line on its own, or the message of the first bad one."""
    try:
        lines = data.decode().split("\n")[:-1]
        return [parse_op_line(line, number) for number, line in enumerate(lines, start=1)]
    except OpFormatError as exc:
        return str(exc)


def parsed(data: bytes) -> list[Operation] | str:
    try:
        return parse_ops(data)
    except OpFormatError as exc:
        return str(exc)


def test_line_breaks_inside_a_value_stay_in_the_value() -> None:
    text = f"Первая строка{LINE_BREAKS_KEPT_BY_JSON}вторая"
    [op] = parse_ops(jsonl([note_op(1, text)]))
    assert op.value == text


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        # Each line is wrong, yet joined with commas they make a valid array of two ops.
        (lambda a, b: ["[" + a, b + "]"], "строка 1 списка изменений не читается"),
        (lambda a, b: [a + "," + b, a], "строка 1 списка изменений не читается"),
        (lambda a, b: [a, " " + b], "строка 2 списка изменений записана не в каноническом виде"),
        (lambda a, b: [a, "null"], "строка 2 списка изменений — не операция"),
    ],
)
def test_lines_that_only_parse_when_joined_are_refused_by_number(
    lines: object, message: str
) -> None:
    a, b = note_op(1, "а").to_json_line(), note_op(2, "б").to_json_line()
    data = ("\n".join(lines(a, b)) + "\n").encode()  # type: ignore[operator]
    assert parsed(data) == message == line_by_line(data)


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(texts, min_size=1, max_size=8), cut=st.integers(0, 10_000))
def test_fast_path_agrees_with_line_by_line(values: list[str], cut: int) -> None:
    data = jsonl([note_op(seq, text) for seq, text in enumerate(values, start=1)])
    assert parsed(data) == line_by_line(data)
    text = data.decode()
    at = cut % len(text)
    damaged = (text[:at] + " " + text[at:]).encode()
    if damaged.endswith(b"\n"):
        assert parsed(damaged) == line_by_line(damaged)


def test_a_note_with_a_line_separator_travels_to_the_hub(tmp_path: Path) -> None:
    hub: Replica = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    text = f"Протокол\u2028(вставлено{LINE_BREAKS_KEPT_BY_JSON}из Word)"
    with school.open() as store:
        activity = activity_id(store, "1")
        store.add_note(activity, text)
    report = hub.import_(school.export(tmp_path / "out"))
    assert report.outcome == "accepted", report.message
    with hub.open() as store:
        assert [n["text"] for n in store.notes(activity)] == [text]
