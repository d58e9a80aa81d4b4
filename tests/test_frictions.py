"""Small frictions a new user met (issue 16, item 11), each driven as the user meets it, and
the school named wherever schools mix (item 6: the overdue list by deadline).

Real databases, real bundles, the real app through Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, TabbedContent

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.rules import web_link
from curator_tui.store.database import StoreError
from curator_tui.store.store import Store
from curator_tui.tui.screens.dashboard import OverdueActivitiesScreen
from curator_tui.tui.screens.evidence import EvidenceDialog
from curator_tui.tui.screens.sync import SyncScreen
from curator_tui.tui.screens.visit import VisitDialog
from tests.bundle_helpers import activity_id, make_hub, make_school
from tests.test_tui_dashboard import SCHOOLS, hub_db
from tests.test_tui_sync import open_sync
from tests.tui_support import make_app, press, school_db, screen_text, settle, toasts


def first_activity(db: Path) -> str:
    with Store.open(db) as store:
        return activity_id(store, "3")


# --- the visit notification -------------------------------------------------------------------


async def test_a_visit_logged_from_the_detail_is_announced_once(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_activity(first_activity(db))
        await settle(pilot)
        await press(pilot, "v")
        assert isinstance(app.screen, VisitDialog)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert toasts(app).count("Визит записан") == 1


# --- evidence: links and the same file twice --------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "link"),
    [
        ("https://school.ru/news/1", "https://school.ru/news/1"),
        ("http://гимназия.рф/отчёт?id=3", "http://гимназия.рф/отчёт?id=3"),
        ("www.school.ru/news", "https://www.school.ru/news"),
        ("см. приказ № 5", None),
        ("приказ.pdf", None),
        ("C:\\Документы\\приказ.pdf", None),
        ("https://", None),
        ("ftp://school.ru/x", None),
    ],
)
def test_a_link_is_a_web_address(typed: str, link: str | None) -> None:
    assert web_link(typed) == link


def test_the_store_refuses_a_link_that_is_not_one_and_the_same_file_twice(
    tmp_path: Path,
) -> None:
    db = school_db(tmp_path)
    scan = tmp_path / "приказ.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    activity = first_activity(db)
    with Store.open(db) as store:
        with pytest.raises(StoreError, match="не ссылка"):
            store.attach_link(activity, "см. приказ")
        store.attach_link(activity, "www.school.ru/news")
        store.attach_file(activity, scan, kind=EvidenceKind.ORDER, title="Приказ")
        with pytest.raises(StoreError, match="уже прикреплён к мероприятию: «Приказ»"):
            store.attach_file(
                activity, scan.rename(tmp_path / "копия.pdf"), kind=EvidenceKind.ORDER
            )
        # The same file is fine for another activity, and again once the first is removed.
        other = activity_id(store, "2")
        store.attach_file(other, tmp_path / "копия.pdf", kind=EvidenceKind.ORDER)
        [link, first] = store.evidence(activity)
        assert link["url"] == "https://www.school.ru/news"
        store.remove_evidence(first["id"])
        store.attach_file(activity, tmp_path / "копия.pdf", kind=EvidenceKind.ORDER)
        assert len(store.evidence(activity)) == 2


async def test_the_dialog_warns_of_a_link_that_is_not_one_and_stays_open(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db, media_roots=[tmp_path / "media"])
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_activity(first_activity(db))
        await settle(pilot)
        await press(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog)
        dialog.query_one("#evidence-url", Input).value = "см. сайт школы"
        await press(pilot, "ctrl+s")
        assert "не ссылка" in toasts(app)
        assert app.screen is dialog and not dialog.busy
        assert app.focused is dialog.query_one("#evidence-url", Input)
    with Store.open(db) as store:
        assert store.evidence(first_activity(db)) == []


async def test_a_quoted_dragged_path_is_attached(tmp_path: Path) -> None:
    """A file dragged onto the terminal arrives quoted: it is read as the path it is."""
    db = school_db(tmp_path)
    folder = tmp_path / "флешка с пробелом"
    folder.mkdir()
    scan = folder / "протокол № 3.pdf"
    scan.write_bytes(b"%PDF-1.4 protocol")
    app = make_app(db, media_roots=[tmp_path / "media"])
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_activity(first_activity(db))
        await settle(pilot)
        await press(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog)
        dialog.query_one("#evidence-path", Input).value = f"'{scan}'"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EvidenceDialog), toasts(app)
    with Store.open(db) as store:
        [attached] = store.evidence(first_activity(db))
        assert attached["original_name"] == scan.name


# --- the exchange screen ----------------------------------------------------------------------


async def test_f6_to_f8_switch_tabs_while_a_field_has_focus(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path), media_roots=[tmp_path / "media"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(pilot)
        tabs = screen.query_one(TabbedContent)
        for field, key, tab in (
            ("#import-path", "f8", "sync-history"),
            ("#export-destination", "f7", "sync-import"),
            ("#import-path", "f6", "sync-export"),
            ("#export-for", "f8", "sync-history"),
        ):
            tabs.active = "sync-export" if field.startswith("#export") else "sync-import"
            await settle(pilot)
            screen.query_one(field, Input).focus()
            await press(pilot, key)
            assert tabs.active == tab, (field, key)


async def test_the_result_panels_have_room_at_80x24(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path), media_roots=[tmp_path / "media"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(pilot)
        for key, panel in (("f6", "#export-result"), ("f7", "#import-report")):
            await press(pilot, key)
            box = screen.query_one(panel).parent
            assert box is not None and box.region.height >= 6, (panel, box.region)
            assert box.region.bottom <= 23  # above the key bar


async def test_the_replicas_own_bundle_is_named_so_and_a_repeat_is_called_a_repeat(
    tmp_path: Path,
) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)
    from_school = school.export(tmp_path / "stick")
    assert hub.import_(from_school).outcome == "accepted"
    with school.open() as store:
        organisation = str(store.roadmaps()[0]["organisation_id"])
    own = hub.export(tmp_path / "own", roadmap=True, organisation=organisation)
    app = make_app(hub.db, media_roots=[tmp_path / "media"])
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        screen = await open_sync(pilot)
        screen.chosen = [own]
        await press(pilot, "ctrl+r")
        await settle(pilot)
        text = screen_text(app)
        assert "это её собственный пакет" in text
        assert "нет в списке доверия" not in text

        screen.chosen = [from_school]
        await press(pilot, "ctrl+r")
        await settle(pilot)
        await press(pilot, "ctrl+y")
        assert "Этот пакет уже загружен: повтор ничего не изменит" in toasts(app)
        assert "Сначала проверьте пакеты" not in toasts(app)


async def test_a_typed_folder_points_to_the_whole_folder_import(tmp_path: Path) -> None:
    app = make_app(school_db(tmp_path), media_roots=[tmp_path / "media"])
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        screen = await open_sync(pilot)
        await press(pilot, "f7")
        typed = screen.query_one("#import-path", Input)
        typed.focus()
        typed.value = str(tmp_path)
        await press(pilot, "enter")
        assert "Это папка" in toasts(app) and "Ctrl+O" in toasts(app)
        assert "Файл не найден" not in toasts(app)
        assert isinstance(app.screen, SyncScreen)


# --- the school named in the overdue list ----------------------------------------------------


async def test_the_overdue_list_names_the_school_in_either_sort(tmp_path: Path) -> None:
    app = make_app(hub_db(tmp_path), hub=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        await settle(pilot)
        assert isinstance(app.screen, OverdueActivitiesScreen)
        by_number = screen_text(app)
        await press(pilot, "t")
        await settle(pilot)
        by_deadline = screen_text(app)
    for school in SCHOOLS[1:]:
        assert f"{school} · " in by_number
        assert f"Крайний срок — январь 2022 · {school}" in by_deadline


# --- keys typed while the app starts -------------------------------------------------------


async def test_keys_typed_in_one_burst_reach_the_filter(tmp_path: Path) -> None:
    """Keys typed while the app starts arrive in one burst, all queued before «/» is acted
    on: every one after «/» goes into the filter, none is lost or taken for a command
    («о», «m» and the like are keys of the list)."""
    app = make_app(school_db(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key, character in (("slash", "/"), ("С", "С"), ("е", "е"), ("m", "m"), ("и", "и")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        box = app.screen.query_one("#filter", Input)
        assert box.value == "Сеmи"  # the Latin «m» too: a letter here, not «В этом месяце»
        assert app.focused is box
        # Typed one by one, as before: «/» opens the filter and is not typed into it.
        await press(pilot, "escape")
        await press(pilot, "slash", "3")
        assert box.value == "3"


async def test_the_dashboard_spells_out_its_short_column_titles(tmp_path: Path) -> None:
    from curator_tui.tui.widgets.school_table import COLUMNS

    app = make_app(hub_db(tmp_path), hub=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        legend = " ".join(screen_text(app).split("\n")[-5:-1])
    abbreviated = [c.title for c in COLUMNS if c.title.endswith(".") or len(c.title) == 4]
    assert len(abbreviated) == 7
    for title in abbreviated:
        assert f"{title.rstrip('.')}" in legend, title
    assert "в работе" in legend and "без доказательств" in legend
