"""What is still to deliver, on screen: «не выгружено» in the list's header, the sync
screen's receiver, count and gaps. Real replicas and bundles, the real app driven by Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from curator_tui.domain.models import Status
from tests.bundle_helpers import Replica, activity_id, make_curator, make_hub, make_school
from tests.test_tui_sync import SIZE, open_sync
from tests.tui_support import make_app, press, screen_text, settle


def edit(replica: Replica, number: str) -> None:
    with replica.open() as store:
        store.set_status(activity_id(store, number), Status.DONE)


async def header_text(replica: Replica) -> str:
    app = make_app(replica.db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        return screen_text(app)


async def test_the_header_counts_what_the_coordinator_has_not_acknowledged(
    tmp_path: Path,
) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    assert "не выгружено" not in await header_text(school)
    edit(school, "2")
    edit(school, "3")
    school.export(tmp_path / "lost")  # written, not acknowledged: still to deliver
    assert "не выгружено 2" in await header_text(school)
    hub.import_(school.export(tmp_path / "out"))
    school.import_(hub.export(tmp_path / "ack", receiver=school.device_id))
    assert "не выгружено" not in await header_text(school)


async def test_the_sync_screen_names_the_receiver_the_count_and_the_gaps(
    tmp_path: Path,
) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", "МБОУ «Тестовая СОШ»", "school")
    school.trust(curator, "Куратор Иванова", "МБОУ «Тестовая СОШ»", "curator")
    edit(school, "2")
    hub.import_(school.export(tmp_path / "a"))
    school.import_(hub.export(tmp_path / "ack", receiver=school.device_id))
    edit(school, "3")
    curator.import_(school.export(tmp_path / "b"))  # № 2 only: the curator lacks № 1
    app = make_app(curator.db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        text = screen_text(app)
        assert "Не выгружено (нет подтверждения от координатора): 1" in text
        assert "нет № 1, есть до № 2" in text
        receiver = screen.query_one("#export-for", Input)
        receiver.value = "Директор"
        await press(pilot, "ctrl+s")
        text = screen_text(app)
        assert f"Пакет для: Ноутбук school ({school.device_id[:8]})" in text
