"""Wrong device clocks through real replicas and bundles: a school laptop set to 2040 or past
9999 cannot move the hub's clock, cannot stop anyone from editing, and is the one named; a
correct computer is never told its clock is wrong."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from curator_tui.domain.models import Status
from curator_tui.domain.ops import (
    MAX_WALL_MS,
    Action,
    Entity,
    HlcStamp,
    Operation,
    stamp_after,
)
from curator_tui.store.store import Change, now_ms
from curator_tui.sync.opening import BundleReport
from curator_tui.tui.formatting import stamp_time
from tests.bundle_helpers import (
    Replica,
    activity_id,
    cli,
    forge,
    make_curator,
    make_hub,
    make_school,
    remote_op,
    snapshot,
)

YEAR_2040 = 2_208_988_800_000  # 01.01.2040 00:00 UTC
YEAR_2009 = 1_230_000_000_000
HOUR = 3600 * 1000


@dataclass(frozen=True)
class Region:
    root: Path
    hub: Replica
    school: Replica
    curator: Replica
    activity: str  # activity 3 of the school's organisation


@pytest.fixture
def region(tmp_path: Path) -> Region:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    curator = make_curator(tmp_path, hub)
    with hub.open() as store:
        activity = activity_id(store, "3")
    return Region(tmp_path, hub, school, curator, activity)


def status_at(replica: Replica, activity: str, status: Status, wall_ms: int) -> Operation:
    """The replica's user sets the status while its computer's clock reads `wall_ms`."""
    with replica.open() as store:
        [op] = store.record(
            [Change(Entity.ACTIVITY, activity, Action.SET, "status", status.value)],
            wall_ms=wall_ms,
        )
    return op


def status_of(replica: Replica, activity: str) -> str:
    with replica.open() as store:
        row = store.activity(activity)
        assert row is not None
        return str(row["status"])


def clock_of(replica: Replica) -> HlcStamp:
    with replica.open() as store:
        return store.last_stamp()


def warnings_of(report: BundleReport) -> str:
    return "\n".join(p.text for p in report.warnings)


def fast_school_bundle(region: Region, wall_ms: int) -> tuple[Operation, Path]:
    op = status_at(region.school, region.activity, Status.DONE, wall_ms)
    return op, region.school.export(region.root / f"from-school-{wall_ms}")


def assert_clock_near_wall(replica: Replica) -> None:
    assert clock_of(replica).wall_ms <= now_ms()
    with replica.open() as store:
        assert store.clock_warning() is None
    doctor = cli("doctor", "--db", replica.db)
    assert doctor.code == 0 and "Внимание" not in doctor.out, doctor.out


def years_ahead(text: str) -> int:
    found = re.search(r"спешат на (\d+) г\.", text)
    assert found, text
    return int(found[1])


@pytest.mark.parametrize(
    ("wall_ms", "stamped"), [(YEAR_2040, "01.01.2040"), (10**16, "31.12.9999")]
)
def test_a_laptop_far_in_the_future_does_not_move_the_hub_and_is_named(
    region: Region, wall_ms: int, stamped: str
) -> None:
    fast, bundle = fast_school_bundle(region, wall_ms)
    assert HlcStamp.parse(fast.hlc).wall_ms == min(wall_ms, MAX_WALL_MS)  # 9999: the ceiling
    report = region.hub.import_(bundle)
    assert report.outcome == "accepted", report.problems
    text = warnings_of(report)
    assert "часы устройства «Ноутбук school»" in text and f"помечены {stamped}" in text
    expected = (min(wall_ms, MAX_WALL_MS) - now_ms()) // (365 * 24 * HOUR)
    assert years_ahead(text) in (expected, expected + 1)
    assert status_of(region.hub, region.activity) == "done"  # nothing the school typed is lost
    assert_clock_near_wall(region.hub)

    # The hub's coordinator changes the value from 2040: it takes effect, stamped right after.
    before = now_ms()
    edit = status_at(region.hub, region.activity, Status.IN_PROGRESS, before)
    assert edit.hlc == str(stamp_after(HlcStamp.parse(fast.hlc)))
    assert status_of(region.hub, region.activity) == "in_progress"
    # Every other edit is stamped by the hub's own clock, which stayed where it was.
    with region.hub.open() as store:
        other = store.set_status(activity_id(store, "1"), Status.DONE)
    assert before <= HlcStamp.parse(other.hlc).wall_ms <= now_ms()
    assert_clock_near_wall(region.hub)

    # The curator receives both through the hub: the school is named, the hub is not.
    report = region.curator.import_(region.hub.export(region.root / "from-hub"))
    assert report.outcome == "accepted", report.problems
    text = warnings_of(report)
    assert "«Ноутбук school»" in text and "«Координатор»" not in text
    assert status_of(region.curator, region.activity) == "in_progress"
    assert_clock_near_wall(region.curator)


def test_a_stamp_after_9999_is_refused(region: Region) -> None:
    forged = remote_op(region.school.device_id, 500, Entity.ACTIVITY, region.activity)
    forged = Operation(**{**forged.to_dict(), "hlc": "999999999999999-000000"})
    path = forge(region.root / "forged" / "b.curator", region.school.key, [forged])
    before = snapshot(region.hub.db)
    result = cli("import", path, "--db", region.hub.db)
    assert result.code == 1
    assert "отметка времени позже 31.12.9999" in result.out + result.err
    assert snapshot(region.hub.db) == before


def test_a_clock_hours_ahead_is_followed_and_a_full_counter_carries(region: Region) -> None:
    """Ten hours fast is a wrong time zone, not a broken clock: the hub counts on after it."""
    ahead = HlcStamp(now_ms() + 10 * HOUR, 999_999)
    op = remote_op(region.school.device_id, 500, Entity.ACTIVITY, region.activity)
    op = Operation(**{**op.to_dict(), "hlc": str(ahead)})
    report = region.hub.import_(forge(region.root / "near" / "b.curator", region.school.key, [op]))
    assert report.outcome == "accepted", report.problems
    assert "спешат" not in warnings_of(report)
    assert clock_of(region.hub) == ahead
    with region.hub.open() as store:
        assert store.clock_warning() is None
        edit = store.set_status(activity_id(store, "1"), Status.DONE)
    assert edit.hlc == str(HlcStamp(ahead.wall_ms + 1, 0))


def test_a_laptop_set_to_2009_counts_on_from_what_it_has_seen_and_is_warned(
    region: Region,
) -> None:
    seen = status_at(region.school, region.activity, Status.IN_PROGRESS, now_ms())
    late = status_at(region.school, region.activity, Status.DONE, YEAR_2009)
    assert late.hlc > seen.hlc
    with region.school.open() as store:
        assert "отстают" in (store.clock_warning(wall_ms=YEAR_2009) or "")
    report = region.hub.import_(region.school.export(region.root / "from-2009"))
    assert report.outcome == "accepted" and status_of(region.hub, region.activity) == "done"
    assert "спешат" not in warnings_of(report)


def test_a_computer_reading_2009_names_no_one_else_and_is_warned(
    region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh laptop at 2009 receives correct stamps: its own clock is the wrong one."""
    status_at(region.school, region.activity, Status.DONE, now_ms())
    bundle = region.school.export(region.root / "from-school")
    monkeypatch.setattr(time, "time_ns", lambda: YEAR_2009 * 1_000_000)
    report = region.hub.import_(bundle)
    assert report.outcome == "accepted", report.problems
    assert "спешат" not in warnings_of(report)
    doctor = cli("doctor", "--db", region.hub.db)
    assert "Внимание: Часы компьютера" in doctor.out and "отстают" in doctor.out


@pytest.fixture
def moscow_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time three hours ahead of UTC, where 31.12.9999 21:00 UTC is already 10000."""
    monkeypatch.setenv("TZ", "Europe/Moscow")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("moscow_time")
def test_stamps_at_the_ceiling_can_be_shown_in_moscow(region: Region) -> None:
    op = status_at(region.school, region.activity, Status.DONE, 10**16)
    assert stamp_time(op.hlc) == "—"
    assert stamp_time(str(HlcStamp(YEAR_2040, 0))) == "01.01.2040 03:00"
    with region.school.open() as store:  # the laptop's clock was put right afterwards
        warning = store.clock_warning()
    assert warning is not None and "изменения от 31.12.9999" in warning
