"""«Дорожные карты и отчёт» (F4 on a hub): a school's roadmap imported with the school chosen
from the list, roadmap bundles for one school or all into a folder, the monthly report.

A real hub with keys, real documents (the bundled demo roadmap), real bundles and a real
spreadsheet; the same services the `curator` command runs."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, Static, TabbedContent

from curator_tui.services import DEMO_ROADMAP
from curator_tui.store.store import Store
from curator_tui.tui.screens.coordinator import NEW_ORGANISATION, CoordinatorScreen, report_month
from curator_tui.tui.screens.import_summary import ImportSummaryScreen
from tests.bundle_helpers import ORG_ID, ORG_NAME, bundle_manifest, make_hub
from tests.test_tui_russian import english_on_screen
from tests.tui_support import make_app, press, school_db, screen_text, settle, toasts


def result(screen: CoordinatorScreen, tab: str) -> str:
    """A tab's result panel, whole (at 80×24 it scrolls)."""
    return str(screen.query_one(f"#{tab}-result", Static).render())


async def open_coordinator(pilot) -> CoordinatorScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await press(pilot, "f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CoordinatorScreen)
    return screen


async def test_the_coordinator_imports_sends_and_reports_from_the_app(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    out = tmp_path / "флешка"
    out.mkdir()
    app = make_app(hub.db, media_roots=[tmp_path / "media"], hub=True)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        screen = await open_coordinator(pilot)
        assert english_on_screen(app) == set()

        # 1. A new school's roadmap, named by its document.
        school = screen.query_one("#roadmap-school", Select)
        assert (ORG_NAME, ORG_ID) in [(str(p), v) for p, v in school._options]
        school.value = NEW_ORGANISATION
        screen.query_one("#roadmap-path", Input).value = f'"{DEMO_ROADMAP}"'
        await press(pilot, "ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, ImportSummaryScreen):  # what needs checking, then back
            await press(pilot, "escape")
        assert app.screen is screen
        assert "Импортировано мероприятий:" in result(screen, "roadmap")
        with Store.open(hub.db) as store:
            names = sorted(r["organisation"] for r in store.roadmaps())
        assert len(names) == 2 and ORG_NAME in names
        assert len(screen.query_one("#bundles-school", Select)._options) == 3  # all + two

        # 2. Roadmap bundles for every school, into the folder.
        await press(pilot, "f7")
        assert screen.query_one(TabbedContent).active == "coord-bundles"
        screen.query_one("#bundles-folder", Input).value = str(out)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        bundles = sorted(out.glob("*.curator"))
        assert len(bundles) == 2
        assert "Пакетов дорожных карт: 2 из 2" in result(screen, "bundles")
        assert {bundle_manifest(b)["kind"] for b in bundles} == {"roadmap"}

        # 3. The monthly report, then refused the second time unless overwriting.
        await press(pilot, "f8")
        screen.query_one("#report-month", Input).value = "2022-02"
        screen.query_one("#report-folder", Input).value = str(out)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        [report] = out.glob("*.xlsx")
        assert report.stat().st_size > 0
        assert "сохранён" in result(screen, "report")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "Ошибка:" in result(screen, "report")
        assert not screen.busy
        assert english_on_screen(app) == set()
        await press(pilot, "escape")
        assert not isinstance(app.screen, CoordinatorScreen)


async def test_one_schools_roadmap_is_imported_for_the_school_chosen(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    app = make_app(hub.db, media_roots=[tmp_path / "media"], hub=True)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        screen = await open_coordinator(pilot)
        screen.query_one("#roadmap-school", Select).value = ORG_ID
        screen.query_one("#roadmap-path", Input).value = str(DEMO_ROADMAP)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        if isinstance(app.screen, ImportSummaryScreen):
            await press(pilot, "escape")
        assert f"Организация: {ORG_NAME}" in result(screen, "roadmap")
    with Store.open(hub.db) as store:  # the demo's own organisation was not created
        assert {r["organisation"] for r in store.roadmaps()} == {ORG_NAME}


async def test_a_school_is_chosen_before_a_roadmap_is_imported(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    app = make_app(hub.db, media_roots=[tmp_path / "media"], hub=True)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        screen = await open_coordinator(pilot)
        screen.query_one("#roadmap-path", Input).value = str(DEMO_ROADMAP)
        await press(pilot, "ctrl+s")
        assert "Выберите школу" in toasts(app)
        assert not screen.busy


async def test_the_screen_is_the_hubs_only(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Карты и отчёт" not in screen_text(app)
        await press(pilot, "f4")
        assert not isinstance(app.screen, CoordinatorScreen)


def test_the_report_month_is_the_one_just_ended_early_in_a_month() -> None:
    from datetime import date

    assert report_month(date(2026, 12, 3)) == "2026-11"
    assert report_month(date(2026, 1, 5)) == "2025-12"
    assert report_month(date(2026, 11, 20)) == "2026-11"
