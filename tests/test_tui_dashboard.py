"""The hub dashboard: per-school rows, sorting, filtering, highlights, drill-down, the
cross-school overdue list and the planned/done chart."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from curator_tui.domain.models import Status
from curator_tui.reports.model import (
    ChartPoint,
    build_monthly_report,
    progress_chart,
    school_summaries,
)
from curator_tui.store import sync_state
from curator_tui.store.hub_queries import is_hub
from curator_tui.store.roadmaps import organisation_id, save_roadmap
from curator_tui.store.store import Store
from curator_tui.tui.app import build_app
from curator_tui.tui.screens.dashboard import (
    DashboardScreen,
    OverdueActivitiesScreen,
    ProgressChartScreen,
    SchoolActivitiesScreen,
    chart_lines,
    dashboard_rows,
)
from curator_tui.tui.widgets.school_table import DashboardRow, SchoolTable, is_behind, is_stale
from tests.conftest import small_roadmap
from tests.tui_support import TODAY, bigger_roadmap, make_app, restamped, screen_text, settle

SCHOOLS = ("МБОУ «Первая СОШ»", "МБОУ «Вторая СОШ»", "МКОУ «Сельская ООШ»")
FIRST_DEVICE = "a1" * 16


def roadmap_for(name: str):  # type: ignore[no-untyped-def]
    return bigger_roadmap().model_copy(update={"organisation": name})


def hub_db(tmp_path: Path, *, with_bundle: bool = True) -> Path:
    """Three schools: the first has all its past-due activities done and sent a bundle;
    the others have done nothing (three activities of «Январь 2022» overdue each)."""
    with Store.open(tmp_path / "first.db", create=True) as scratch:
        save_roadmap(scratch, roadmap_for(SCHOOLS[0]))
        ids = {row["number"]: row["id"] for row in scratch.activities()}
        for number in ("4", "8", "12", "1"):
            scratch.set_status(ids[number], Status.DONE)
        scratch.set_status(ids["2"], Status.IN_PROGRESS)
        scratch.add_visit(
            scratch.roadmaps()[0]["id"],
            date(2022, 2, 3),
            participants="директор",
            notes="",
            activity_ids=[],
        )
        ops = restamped(list(scratch.ops()))
    ops = [replace(op, device_id=FIRST_DEVICE) for op in ops]
    path = tmp_path / "hub.db"
    with Store.open(path, create=True) as hub:
        hub.remember_device(FIRST_DEVICE, "Ноутбук Первой", "school", "")
        hub.apply_remote(ops)
        for name in SCHOOLS[1:]:
            save_roadmap(hub, roadmap_for(name))
        if with_bundle:  # as the import records an accepted bundle touching the first school
            sync_state.record_import(
                hub,
                sync_state.ImportRecord(
                    "b1",
                    "school",
                    FIRST_DEVICE,
                    sync_state.RESULT_ACCEPTED,
                    organisations=[organisation_id(SCHOOLS[0])],
                ),
            )
    return path


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    return hub_db(tmp_path)


async def open_dashboard(pilot: Pilot[None]) -> DashboardScreen:
    await settle(pilot)
    screen = DashboardScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


# --- plain functions ----------------------------------------------------------------------


def test_rows_carry_school_summaries(hub: Path) -> None:
    with Store.open(hub) as store:
        rows = dashboard_rows(store, TODAY)
        summaries = school_summaries(store, TODAY)
    # The same figures as the monthly report's summary, but for «due in the month».
    assert [r.summary for r in rows] == [replace(s, due_in_month=0) for s in summaries]
    assert any(s.due_in_month for s in summaries)
    by_name = {r.name: r for r in rows}
    first = by_name[SCHOOLS[0]]
    assert first.summary.done == 4 and first.summary.overdue == 0
    assert first.bundle_device == "Ноутбук Первой"
    assert first.summary.last_visit == date(2022, 2, 3)
    assert not first.behind
    assert by_name[SCHOOLS[1]].summary.overdue == 3 and by_name[SCHOOLS[1]].behind
    assert all(r.roadmap_id for r in rows)


def test_highlight_rules() -> None:
    assert is_stale(None, TODAY)
    assert is_stale(datetime(2022, 1, 16, 12), TODAY)  # 30 days
    assert not is_stale(datetime(2022, 1, 17), TODAY)
    assert is_behind(5, 100)  # five overdue, however many are due
    assert is_behind(1, 4)  # a quarter of the due ones
    assert not is_behind(1, 5)
    assert not is_behind(0, 0)


def test_progress_chart_is_the_reports_chart_over_the_roadmap_period(hub: Path) -> None:
    with Store.open(hub) as store:
        points = progress_chart(store, TODAY)
        roadmap = next(r for r in store.roadmaps() if r["organisation_id"])
        one = progress_chart(store, TODAY, roadmap["id"])
        report = build_monthly_report(store, points[-1].month, None, TODAY)
    months = [p.month for p in points]
    assert months == sorted(months) and len(set(months)) == len(months)
    assert months[0] == date(2022, 1, 1)  # the roadmaps begin in January 2022
    # One rule: for the months the report's chart shows, the dashboard shows the same figures.
    by_month = {p.month: p for p in points}
    assert report.chart and all(by_month[p.month] == p for p in report.chart)
    # The first school did its four activities; the three schools have the same roadmap.
    assert sum(p.done for p in points) > 0
    assert sum(p.planned for p in one) * 3 == sum(p.planned for p in points)


def test_chart_lines() -> None:
    points = [ChartPoint(date(2022, 1, 1), 4, 2), ChartPoint(date(2022, 2, 1), 0, 4)]
    lines = chart_lines(points, width=8)
    assert lines[0] == "янв 22 план     4 ████████".replace("█", "░")
    assert lines[1].endswith("вып.     2 ████")
    assert lines[3].endswith("вып.     4 ████████")
    assert chart_lines([]) == ["Нет мероприятий со сроками и нет выполненных."]


# --- the screen ---------------------------------------------------------------------------


async def test_dashboard_shows_each_school(hub: Path) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(pilot)
        with Store.open(hub) as store:
            summaries = {s.name: s for s in school_summaries(store, TODAY)}
        assert {r.name for r in screen.shown_rows} == set(summaries)
        text = screen_text(app)
        for name, s in summaries.items():
            line = next(line for line in text.splitlines() if name in line)
            numbers = [
                s.total,
                s.done,
                s.in_progress,
                s.overdue,
                s.done_without_evidence,
                s.evidence_files,
            ]
            assert " ".join(str(n) for n in numbers) in " ".join(line.split())
        assert "Ноутбук Первой" in text
        assert "никогда" in text
        assert "≥ 25 % наступивших" in text  # the legend


async def test_sort_and_reverse(hub: Path) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(pilot)
        assert [r.name for r in screen.shown_rows] == sorted(SCHOOLS, key=str.casefold)
        # name → roadmap → total → done
        await pilot.press("s", "s", "s")
        await settle(pilot)
        assert screen.sort_key == "done"
        assert screen.shown_rows[-1].name == SCHOOLS[0]
        await pilot.press("r")
        await settle(pilot)
        assert screen.shown_rows[0].name == SCHOOLS[0]
        assert "▼Вып." in screen_text(app)


async def test_filter(hub: Path) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(pilot)
        await pilot.press("slash", *"сельск")
        await settle(pilot)
        assert [r.name for r in screen.shown_rows] == [SCHOOLS[2]]
        assert "Школ: 1 из 3" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.shown_rows) == 3


async def test_highlight_marks(hub: Path) -> None:
    # Today: the first school's bundle arrived a moment ago; the others never sent one.
    app = build_app(hub, today=datetime.now().date())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(pilot)
        stale = {r.name: r.stale for r in screen.shown_rows}
        assert stale == {SCHOOLS[0]: False, SCHOOLS[1]: True, SCHOOLS[2]: True}
        text = screen_text(app).splitlines()
        assert next(line for line in text if SCHOOLS[1] in line).startswith("!∅")
        assert next(line for line in text if SCHOOLS[0] in line)[1] == " "
    app = make_app(hub)  # 15.02.2022: the first school is on time, the others behind
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(pilot)
        behind = {r.name: r.behind for r in screen.shown_rows}
        assert behind == {SCHOOLS[0]: False, SCHOOLS[1]: True, SCHOOLS[2]: True}
        line = next(line for line in screen_text(app).splitlines() if SCHOOLS[0] in line)
        assert line.startswith(" ")


async def test_enter_drills_into_one_school(hub: Path) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(pilot)
        target = screen.shown_rows[1]
        await pilot.press("down", "enter")
        await settle(pilot)
        school = app.screen
        assert isinstance(school, SchoolActivitiesScreen)
        rows = school.activity_list.loaded_rows()
        assert len(rows) == 12
        assert {r.roadmap_id for r in rows} == {target.roadmap_id}
        assert target.name in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_cross_school_overdue(hub: Path) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OverdueActivitiesScreen)
        rows = app.screen.activity_list.loaded_rows()
        assert len(rows) == 6  # three for each of the two schools that did nothing
        text = screen_text(app)
        assert SCHOOLS[1] in text and SCHOOLS[2] in text


async def test_chart_screen(hub: Path) -> None:
    app = make_app(hub)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("g")
        await settle(pilot)
        chart = app.screen
        assert isinstance(chart, ProgressChartScreen)
        with Store.open(hub) as store:
            assert chart.points == progress_chart(store, TODAY)
        assert sum(p.done for p in chart.points) > 0
        assert "фев 22 план" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("G")  # the school under the cursor: «Вторая», nothing done
        await settle(pilot)
        chart = app.screen
        assert isinstance(chart, ProgressChartScreen) and chart.points is not None
        assert sum(p.done for p in chart.points) == 0
        assert sum(p.planned for p in chart.points) > 0
        assert SCHOOLS[1] in screen_text(app)


def open_steps() -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await open_dashboard(pilot)
        await pilot.press("down")
        await settle(pilot)

    return run


def test_snapshot(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    db = hub_db(tmp_path, with_bundle=False)
    assert snap_compare(make_app(db), terminal_size=(80, 24), run_before=open_steps())


def test_is_hub(hub: Path, tmp_path: Path) -> None:
    with Store.open(hub) as store:
        assert is_hub(store)  # three organisations
    with Store.open(tmp_path / "school.db", create=True) as store:
        save_roadmap(store, roadmap_for(SCHOOLS[0]))
        assert not is_hub(store)


async def test_a_hub_opens_on_the_dashboard_and_a_school_on_its_list(tmp_path: Path) -> None:
    from curator_tui.tui.screens.home import HomeScreen
    from tests.tui_support import school_db

    hub_app = make_app(hub_db(tmp_path / "hub"))
    async with hub_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(hub_app.screen, DashboardScreen)
    school_app = make_app(school_db(tmp_path))
    async with school_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(school_app.screen, HomeScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(school_app.screen, DashboardScreen)


async def test_a_hub_opening_on_the_dashboard_has_its_layout(tmp_path: Path) -> None:
    """The home screen of a hub is styled like a pushed dashboard: title and filter on one
    line each, the table right below them (not pushed down by an unstyled filter bar)."""
    app = make_app(hub_db(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert "поиск" in lines[1]
        assert "Школа" in lines[2]


# --- two-stage loading, municipality ------------------------------------------------------


def many_schools_db(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "many.db"
    with Store.open(path, create=True) as hub:
        for number in range(count):
            roadmap = small_roadmap(organisation=f"МБОУ «СОШ № {number + 1}»")
            save_roadmap(hub, roadmap)
    return path


async def test_a_big_hub_paints_its_first_page_before_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = many_schools_db(tmp_path, 50)
    with Store.open(db) as store:
        everything = dashboard_rows(store, TODAY)
    release = threading.Event()

    def held_back(store: Store, today: date) -> list[DashboardRow]:
        assert release.wait(10)
        return dashboard_rows(store, today)

    monkeypatch.setattr("curator_tui.tui.screens.dashboard.dashboard_rows", held_back)
    app = make_app(db)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one(SchoolTable)
        # Stage 1: a screenful of rows, in name order, with every figure, already drawn.
        assert table.painted
        assert [r.summary for r in screen.shown_rows] == [r.summary for r in everything[:20]]
        assert "Школ: 50 · сводка загружается…" in screen_text(app)
        release.set()
        await settle(pilot)
        assert [r.summary for r in screen.shown_rows] == [r.summary for r in everything]
        assert "Школ: 50 из 50" in screen_text(app)
        await pilot.press("end", "enter")  # the drill-down opens the school's activity list
        await settle(pilot)
        assert isinstance(app.screen, SchoolActivitiesScreen)
        assert app.screen.roadmap_id == everything[-1].roadmap_id
        assert len(app.screen.activity_list.loaded_rows()) == 4


async def test_a_busy_store_loads_the_first_page_in_the_background(hub: Path) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        with app.gate.open():  # a worker's long query holds the store …
            await pilot.app.push_screen(screen := DashboardScreen())
            await pilot.pause()
            assert screen.shown_rows == []  # … so the screen does not wait for it
        await settle(pilot)
        assert len(screen.shown_rows) == 3


def set_municipalities(db: Path, municipalities: dict[str, str]) -> None:
    with Store.open(db) as store:
        for name, municipality in municipalities.items():
            store.set_municipality(organisation_id(name), municipality)


async def test_filter_by_name_or_municipality(hub: Path) -> None:
    tomsky = "Томский район"
    set_municipalities(
        hub, {SCHOOLS[0]: "Молчановский район", SCHOOLS[1]: tomsky, SCHOOLS[2]: tomsky}
    )
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_dashboard(pilot)
        text = screen_text(app)
        assert "Муниципалитет" in text
        line = next(line for line in text.splitlines() if SCHOOLS[0] in line)
        assert "Молчановский район" in line
        await pilot.press("slash", *"томск")
        await settle(pilot)
        assert {r.name for r in screen.shown_rows} == {SCHOOLS[1], SCHOOLS[2]}
        await pilot.press(*" сельск")  # every word, in the name or the municipality
        await settle(pilot)
        assert [r.name for r in screen.shown_rows] == [SCHOOLS[2]]
        await pilot.press("escape")
        await pilot.press("slash", *"молчановский")
        await settle(pilot)
        assert [r.name for r in screen.shown_rows] == [SCHOOLS[0]]
        assert "Школ: 1 из 3" in screen_text(app)


async def test_narrow_dashboards_drop_the_municipality_and_sort_by_what_they_show(
    hub: Path,
) -> None:
    set_municipalities(hub, {SCHOOLS[0]: "Молчановский район"})
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dashboard(pilot)
        assert "Молчановский" not in screen_text(app)
        await pilot.press("s")  # from the name straight to the first count shown
        await settle(pilot)
        assert screen.sort_key == "total"
