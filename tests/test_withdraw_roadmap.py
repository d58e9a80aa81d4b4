"""A roadmap imported by mistake is withdrawn (issue 16, item 5): as ordinary changes (every
activity `removed`), so the coordinator's withdrawal reaches the school with the next
roadmap bundle; a school may withdraw only a roadmap it imported itself."""

from __future__ import annotations

from pathlib import Path

from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from tests.bundle_helpers import ORG_NAME, cli, make_hub, make_school
from tests.conftest import small_roadmap


def shown(db: Path) -> int:
    with Store.open(db) as store:
        return len(store.activities())


def test_a_school_withdraws_the_roadmap_it_imported_by_mistake(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
    before = shown(db)
    asked = cli("withdraw-roadmap", "--db", db)
    assert asked.code != 0 and "--yes" in asked.err
    assert shown(db) == before > 0
    done = cli("withdraw-roadmap", "--db", db, "--yes")
    assert done.code == 0, done.err
    assert f"{before} мероприятий" in done.out
    assert shown(db) == 0
    again = cli("withdraw-roadmap", "--db", db, "--yes")
    assert again.code != 0 and "уже отозвана" in again.err


def test_a_roadmap_from_the_coordinator_is_the_coordinators_to_withdraw(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    before = shown(school.db)
    refused = cli("withdraw-roadmap", "--db", school.db, "--yes")
    assert refused.code != 0 and "только он" in refused.err
    assert shown(school.db) == before

    typo = cli("withdraw-roadmap", "МБОУ Тестовя", "--db", hub.db, "--yes")
    assert typo.code != 0 and ORG_NAME in typo.err  # the strict rule: closest names listed
    done = cli("withdraw-roadmap", ORG_NAME, "--db", hub.db, "--yes")
    assert done.code == 0, done.err
    assert shown(hub.db) == 0
    bundle = hub.export(tmp_path / "withdrawn", roadmap=True, organisation=ORG_NAME)
    assert school.import_(bundle).outcome == "accepted"
    assert shown(school.db) == 0  # the withdrawal travelled as changes


async def test_the_app_withdraws_after_asking(tmp_path: Path) -> None:
    from curator_tui.tui.screens.home import HomeScreen
    from curator_tui.tui.screens.withdraw import WithdrawDialog
    from tests.tui_support import make_app, press, screen_text, settle, toasts

    db = tmp_path / "school.db"
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
    before = shown(db)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"отозвать")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        assert isinstance(app.screen, WithdrawDialog)
        assert f"{before} мероприятий уйдут" in screen_text(app)
        await press(pilot, "enter")  # «Нет» has the focus: nothing happens
        assert isinstance(app.screen, HomeScreen) and shown(db) == before
        app.action_withdraw_roadmap()
        await settle(pilot)
        await press(pilot, "shift+tab", "enter")  # «Отозвать»
        assert isinstance(app.screen, HomeScreen)
        assert "отозвана" in toasts(app)
        assert shown(db) == 0
        assert "нет мероприятий" in screen_text(app)
