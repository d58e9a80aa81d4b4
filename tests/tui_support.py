"""What the TUI tests share: fixture databases, waiting for workers, reading the screen."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot

from curator_tui.domain.models import EvidenceKind, OrgLevel, Status
from curator_tui.domain.ops import HlcStamp, Operation
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.tui.app import CuratorApp, build_app
from tests.conftest import small_roadmap

# Inside the small roadmap's year: «Январь 2022» is past, «до 01.03.2022» is two weeks away.
TODAY = date(2022, 2, 15)


def school_db(tmp_path: Path, roadmap: ParsedRoadmap | None = None) -> Path:
    """A school's database file holding one roadmap (the small one unless given)."""
    path = tmp_path / "school.db"
    with Store.open(path, create=True) as store:
        save_roadmap(store, roadmap or small_roadmap())
    return path


def bigger_roadmap() -> ParsedRoadmap:
    """Two sections of a few activities each, with sub-items and assorted deadlines."""
    deadlines = ["Январь 2022 г.", "до 01.03.2022", "ежемесячно", "по отдельному графику"]
    activities = []
    for number in range(1, 13):
        section = "Организационные мероприятия" if number <= 6 else "Работа с учителями"
        activities.append(
            ParsedActivity(
                number=str(number),
                title=f"Мероприятие номер {number}",
                responsible="Директор" if number % 2 else "Завуч",
                deadline_text=deadlines[number % len(deadlines)],
                section=section,
            )
        )
    return ParsedRoadmap(
        organisation="МБОУ «Вторая СОШ»",
        level=OrgLevel.SCHOOL,
        title="Дорожная карта",
        year=2022,
        sections=["Организационные мероприятия", "Работа с учителями"],
        activities=activities,
    )


# --- a database whose every byte on screen is the same on every run (for snapshots) ---------

SNAPSHOT_DEVICE = "5c" * 16
SNAPSHOT_START = datetime(2022, 2, 10, 9, 0)  # local time: shown as «10.02.2022 09:00»


def restamped(ops: list[Operation]) -> list[Operation]:
    """The same changes, as if made one minute apart from 10.02.2022 09:00 on one laptop."""
    start_ms = int(SNAPSHOT_START.timestamp() * 1000)
    new_ids = {op.op_id: f"{index + 1:032x}" for index, op in enumerate(ops)}
    result = []
    for index, op in enumerate(ops):
        value = op.value
        if isinstance(value, dict) and "device_id" in value:
            value = {**value, "device_id": SNAPSHOT_DEVICE}
        result.append(
            replace(
                op,
                op_id=new_ids[op.op_id],
                device_id=SNAPSHOT_DEVICE,
                seq=index + 1,
                hlc=str(HlcStamp(start_ms + index * 60_000, 0)),
                prev=new_ids.get(op.prev or ""),
                value=value,
            )
        )
    return result


def snapshot_db(tmp_path: Path) -> Path:
    """A school in the middle of its year: statuses, a note, evidence and a visit, all dated."""
    scan = tmp_path / "protokol.txt"
    scan.write_text("Протокол педагогического совета № 3", encoding="utf-8")
    with Store.open(tmp_path / "scratch.db", create=True) as scratch:
        save_roadmap(scratch, bigger_roadmap())
        ids = {row["number"]: row["id"] for row in scratch.activities()}
        scratch.set_status(ids["1"], Status.DONE)
        scratch.set_status(ids["2"], Status.IN_PROGRESS)
        scratch.set_status(ids["5"], Status.DONE)
        scratch.set_status(ids["12"], Status.CANCELLED)
        scratch.add_note(ids["2"], "Первое совещание прошло, второе назначено на март.")
        scratch.attach_file(ids["2"], scan, kind=EvidenceKind.PROTOCOL, title="Протокол № 3")
        scratch.attach_link(
            ids["2"], "https://school.example/news/7", kind=EvidenceKind.LINK, title="Новость"
        )
        scratch.add_visit(
            scratch.roadmaps()[0]["id"],
            date(2022, 2, 3),
            participants="директор, куратор",
            notes="Обсудили график совещаний",
            activity_ids=[ids["2"], ids["3"]],
        )
        ops = list(scratch.ops())
    path = tmp_path / "school.db"
    with Store.open(path, create=True) as store:
        store.remember_device(SNAPSHOT_DEVICE, "Ноутбук школы", "school", "")
        store.apply_remote(restamped(ops))
        store.evidence_files.ingest(scan)
    return path


def make_app(db: Path, **kwargs: object) -> CuratorApp:
    return build_app(db, today=TODAY, **kwargs)  # type: ignore[arg-type]


# DirectoryTree keeps a queue-reading worker alive for as long as it is shown.
LONG_LIVED_GROUPS = {"_loader"}


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and every message it posted has been handled."""
    app = pilot.app

    def busy() -> list[object]:
        return [w for w in app.workers if not w.is_finished and w.group not in LONG_LIVED_GROUPS]

    for _ in range(500):
        await pilot.pause()
        if not busy():
            await pilot.pause()
            if not busy():
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"workers still running: {busy()}")


def screen_text(app: CuratorApp) -> str:
    """The terminal as plain text, the way a user reads it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def toasts(app: CuratorApp) -> str:
    """The notifications on screen, each on one line however the toast wraps it."""
    shown = [" ".join(str(t.render()).split()) for t in app.screen.query("Toast")]
    return "\n".join(shown)


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)
    await settle(pilot)
