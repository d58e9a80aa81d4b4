"""The trust list on screen (issue 16, item 3): listed, added from a `.pub` file for an
organisation chosen from the list, extended, and removed after a question."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, OptionList

from curator_tui.sync import replica
from curator_tui.sync.trust import ANY_ORGANISATION, TrustRole
from curator_tui.tui.screens.modals import ConfirmDialog
from curator_tui.tui.screens.setup import SetupScreen
from curator_tui.tui.screens.trust import TrustScreen
from tests.bundle_helpers import ORG_ID, ORG_NAME, OTHER_NAME, cli, make_hub, make_replica
from tests.conftest import small_roadmap
from tests.tui_support import make_app, press, screen_text, settle, toasts

SIZE = (80, 24)


def school_key_file(tmp_path: Path) -> Path:
    school = make_replica(
        tmp_path / "school.db", "Ноутбук директора", "school", organisation=ORG_NAME
    )
    target = tmp_path / "stick" / "school.pub"
    target.parent.mkdir()
    assert cli("keys", "export", target, "--db", school.db).code == 0
    return target


async def open_trust(pilot: object, app: object) -> TrustScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await press(pilot, "f9")  # type: ignore[arg-type]
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, TrustScreen)
    return screen


async def test_add_extend_and_remove_a_key(tmp_path: Path) -> None:
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    key_file = school_key_file(tmp_path)
    app = make_app(hub.db)
    async with app.run_test(notifications=True, size=SIZE) as pilot:
        screen = await open_trust(pilot, app)
        assert screen.query_one(DataTable).row_count == 0
        choices = screen.query_one("#trust-organisations", OptionList)
        names = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert names[0] == "Все организации (*)" and sorted(names[1:]) == sorted(
            [ORG_NAME, OTHER_NAME]
        )
        screen.query_one("#trust-key", Input).value = f'"{key_file}"'  # dropped: quoted
        choices.highlighted = names.index(ORG_NAME)
        await press(pilot, "ctrl+s")
        assert "добавлен" in toasts(app)
        [row] = replica.list_trust(hub.db)
        assert row.entry.display_name == "Ноутбук директора"  # the name the key file carries
        assert row.entry.organisation_id == ORG_ID and row.entry.role is TrustRole.SCHOOL
        await settle(pilot)  # the list redraws after the save
        text = screen_text(app)
        assert "Ноутбук директора" in text and "бессрочно" in text

        screen.query_one("#trust-until", Input).value = "2027-08-31"
        await press(pilot, "ctrl+e")
        [row] = replica.list_trust(hub.db)
        assert str(row.entry.valid_until) == "2027-08-31"
        await settle(pilot)
        assert "31.08.2027" in screen_text(app)

        await press(pilot, "ctrl+d")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "escape")  # «Нет»: nothing removed
        assert len(replica.list_trust(hub.db)) == 1
        await press(pilot, "ctrl+d", "y")
        assert replica.list_trust(hub.db) == []
        assert screen.query_one(DataTable).row_count == 0


async def test_a_school_key_for_all_organisations_is_refused(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    key_file = school_key_file(tmp_path)
    app = make_app(hub.db)
    async with app.run_test(notifications=True, size=SIZE) as pilot:
        screen = await open_trust(pilot, app)
        screen.query_one("#trust-key", Input).value = str(key_file)
        screen.query_one("#trust-organisations", OptionList).highlighted = 0  # «*»
        await press(pilot, "ctrl+s")
        assert "только для одной организации" in toasts(app)
        assert replica.list_trust(hub.db) == []
        screen.query_one("#trust-until", Input).value = "31.08.2027"
        await press(pilot, "ctrl+s")
        assert "ГГГГ-ММ-ДД" in toasts(app)


async def test_a_curator_for_every_organisation_and_the_palette(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    curator = make_replica(tmp_path / "curator.db", "Куратор Иванова", "curator")
    app = make_app(hub.db)
    async with app.run_test(notifications=True, size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"доверия")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, TrustScreen)
        screen.query_one("#trust-key", Input).value = str(curator.pub)
        screen.query_one("#trust-role-curator").value = True
        await press(pilot, "ctrl+s")
        [row] = replica.list_trust(hub.db)
        assert row.entry.role is TrustRole.CURATOR
        assert row.entry.organisation_id == ANY_ORGANISATION


async def test_setup_and_trust_screens_speak_russian(tmp_path: Path) -> None:
    from tests.test_tui_russian import english_on_screen

    hub = make_hub(tmp_path)
    replica.add_trust(
        hub.db, str(school_key_file(tmp_path)), name="Директор", organisation=ORG_NAME,
        role=TrustRole.SCHOOL,
    )  # fmt: skip
    app = make_app(hub.db, media_roots=[tmp_path / "no-media"])
    async with app.run_test(notifications=True, size=SIZE) as pilot:
        await open_trust(pilot, app)
        [row] = replica.list_trust(hub.db)
        # The key's fingerprint is base64, not words.
        assert all(word in row.entry.fingerprint for word in english_on_screen(app))
        await press(pilot, "ctrl+d")
        assert all(word in row.entry.fingerprint for word in english_on_screen(app))
        await press(pilot, "escape", "escape")
        app.push_screen(SetupScreen([ORG_NAME]))
        await settle(pilot)
        assert english_on_screen(app) == set()
