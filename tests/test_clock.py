"""The hybrid logical clock (domain.ops): a fixed total order that never overflows or stops
parsing, and a local clock that never adopts a stamp far ahead of this computer's clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator_tui.domain.ops import (
    CLOCK_FLOOR_MS,
    MAX_COUNTER,
    MAX_DRIFT_MS,
    MAX_WALL_MS,
    STAMP_MAX,
    ZERO_STAMP,
    ClockExhausted,
    HlcStamp,
    adoption_limit,
    clock_looks_wrong,
    observe,
    stamp_after,
    tick,
)

NOW = 1_764_700_000_000  # 2025-12-02
YEAR_2040 = 2_208_988_800_000
YEAR_2009 = 1_230_000_000_000

# Walls and counters crowd at the edges, where carrying and the ceiling happen.
walls = st.one_of(
    st.integers(0, MAX_WALL_MS),
    st.integers(MAX_WALL_MS - 3, MAX_WALL_MS),
    st.integers(NOW - MAX_DRIFT_MS * 2, NOW + MAX_DRIFT_MS * 2),
    st.sampled_from([0, YEAR_2009, NOW, YEAR_2040, MAX_WALL_MS]),
)
counters = st.one_of(st.integers(0, MAX_COUNTER), st.integers(MAX_COUNTER - 2, MAX_COUNTER))
stamps = st.builds(HlcStamp, walls, counters)
# What a computer's clock may read: anything, even before 1970 or past 9999.
readings = st.one_of(walls, st.integers(-(10**13), 10**16))


def is_valid(stamp: HlcStamp) -> bool:
    return ZERO_STAMP <= stamp <= STAMP_MAX and HlcStamp.parse(str(stamp)) == stamp


@given(stamps, stamps)
def test_text_order_is_stamp_order(a: HlcStamp, b: HlcStamp) -> None:
    assert (str(a) < str(b)) == (a < b)
    assert (str(a) == str(b)) == (a == b)
    assert len(str(a)) == 22


@given(stamps.filter(lambda s: s < STAMP_MAX), readings)
def test_tick_moves_forward_and_stays_valid(last: HlcStamp, wall: int) -> None:
    stamp = tick(last, wall)
    assert stamp > last and str(stamp) > str(last)
    assert is_valid(stamp)
    assert stamp.wall_ms >= min(max(wall, 0), MAX_WALL_MS)


@given(stamps.filter(lambda s: s < STAMP_MAX))
def test_the_next_stamp_is_the_least_greater_one(stamp: HlcStamp) -> None:
    after = stamp_after(stamp)
    assert after > stamp and is_valid(after)
    if stamp.counter == MAX_COUNTER:
        assert after == HlcStamp(stamp.wall_ms + 1, 0)
    else:
        assert after == HlcStamp(stamp.wall_ms, stamp.counter + 1)


def test_a_full_counter_carries_into_the_wall() -> None:
    assert tick(HlcStamp(NOW, MAX_COUNTER), NOW - 5) == HlcStamp(NOW + 1, 0)
    assert str(tick(HlcStamp(NOW, MAX_COUNTER), NOW)) == f"{NOW + 1:015d}-000000"


def test_the_ceiling_is_the_last_millisecond_of_9999() -> None:
    assert str(STAMP_MAX) == "253402300799999-999999"
    # A clock reading past 9999 stamps at the ceiling and counts on there...
    assert tick(ZERO_STAMP, 10**16) == HlcStamp(MAX_WALL_MS, 0)
    assert tick(HlcStamp(MAX_WALL_MS, 41), 10**16) == HlcStamp(MAX_WALL_MS, 42)
    # ...until no later stamp exists: a clear error, never an unparsable stamp.
    with pytest.raises(ClockExhausted):
        tick(STAMP_MAX, NOW)
    with pytest.raises(ClockExhausted):
        stamp_after(HlcStamp(999_999_999_999_999, 0))  # a forged stamp from before the ceiling


@pytest.mark.parametrize(
    "text",
    [
        "1764700000000-000000",
        "0017647000000000-00000",
        "00176470000000+-000000",
        "001764700000000-00000١",
        "001764700000000_000000",
    ],
)
def test_stamps_of_another_shape_do_not_parse(text: str) -> None:
    with pytest.raises(ValueError):
        HlcStamp.parse(text)


@given(st.lists(st.tuples(st.booleans(), readings, st.lists(stamps, max_size=4)), max_size=30))
def test_a_run_of_events_keeps_the_clock_monotonic_valid_and_bounded(
    events: list[tuple[bool, int, list[HlcStamp]]],
) -> None:
    clock = ZERO_STAMP
    for local, wall, remote in events:
        before = clock
        if local and clock == STAMP_MAX:  # only a remote stamp at the very ceiling leads here
            with pytest.raises(ClockExhausted):
                tick(clock, wall)
        elif local:
            clock = tick(clock, wall)
            assert clock > before
        else:
            clock = observe(clock, [str(s) for s in remote], wall)
            adopted = [s for s in remote if s.wall_ms - max(wall, 0) < MAX_DRIFT_MS]
            assert clock == max([before, *adopted])
        assert clock >= before and is_valid(clock)


@given(stamps, readings)
def test_a_stamp_a_day_or_more_ahead_is_not_adopted(remote: HlcStamp, wall: int) -> None:
    last = tick(ZERO_STAMP, wall)
    adopted = observe(last, [str(remote)], wall)
    if remote.wall_ms - max(wall, 0) >= MAX_DRIFT_MS:
        assert adopted == last
    else:
        assert adopted == max(last, remote)
    assert str(adopted) <= max(str(last), adoption_limit(wall))


# A correct computer's clock stays well below the ceiling for the whole run: 20 steps of at
# most a day each, plus the day a received stamp may be ahead (a clock at 31.12.9999 that
# adopts STAMP_MAX itself has no later stamp: ClockExhausted, tested on its own).
@given(
    st.integers(CLOCK_FLOOR_MS, MAX_WALL_MS - 22 * MAX_DRIFT_MS),
    st.lists(st.tuples(st.integers(0, MAX_DRIFT_MS), st.lists(stamps, max_size=3)), max_size=20),
)
def test_a_correct_computer_is_never_told_its_clock_is_wrong(
    start: int, steps: list[tuple[int, list[HlcStamp]]]
) -> None:
    """Whatever it receives (2040, 9999, a counter at its ceiling), then edits."""
    wall, clock = start, tick(ZERO_STAMP, start)
    for elapsed, remote in steps:
        wall += elapsed
        clock = observe(clock, [str(s) for s in remote], wall)
        clock = tick(clock, wall)
        assert not clock_looks_wrong(clock, wall)
        assert clock.wall_ms - wall <= MAX_DRIFT_MS


def test_a_fast_stamp_within_a_day_is_adopted_and_edits_go_after_it() -> None:
    remote = HlcStamp(NOW + 10 * 3600 * 1000, 7)  # a laptop ten hours fast (a wrong time zone)
    clock = observe(tick(ZERO_STAMP, NOW), [str(remote)], NOW)
    assert clock == remote
    assert tick(clock, NOW + 1) == HlcStamp(remote.wall_ms, 8)


def test_a_computer_set_to_2009_counts_on_from_what_it_has_seen_and_is_warned() -> None:
    clock = tick(ZERO_STAMP, NOW)
    later = tick(clock, YEAR_2009)
    assert later == HlcStamp(NOW, 1)
    assert clock_looks_wrong(later, YEAR_2009)
    # Even with nothing seen yet: no correct clock running this program reads 2009.
    assert clock_looks_wrong(ZERO_STAMP, YEAR_2009)
    assert not clock_looks_wrong(ZERO_STAMP, NOW)
