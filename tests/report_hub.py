"""A coordinator's hub for report tests: three organisations on one real SQLite file.

Schedules are under the test's control: `use_test_schedules` replaces the deadline parser
(still being written) with a table of the phrases used here, so the figures below hold
whatever the real parser later does with other phrases.

Report month 2025-11, made on 2025-12-10 (so overdue means «due before 01.12.2025»):

    СОШ № 1 (school, Чебаркульский городской округ)
                            due   overdue   status         evidence
      1 Педсовет            Nov   -         done           file + link
      2 Совещания           every -         in progress    -   (set by a bundle's device)
      3 Диагностика         ≤15.11 yes      not started    -
      4 Семинар             Oct   yes       in progress    -
      5 Открытые уроки      Jan+Dec -       not started    -   (spans Nov, no window in it)
      6 Самообследование    Mar   -         done           removed file → done w/o proof
      7 Методический день   none  -         not started    -
      8 Родит. собрание     Oct   -         cancelled      -
    Ёлкинская ООШ (school)
      1 Утверждение ДК      Mar   yes       not started    -
      2 Мониторинг          every -         done           link
      3 «- Консультации»    Nov   yes       not started    -
    Управление образования (municipality): nothing due, nothing overdue; one activity
      removed by an amended import (it was due in November).

Notes: СОШ № 1's «Педсовет» has a curator's note made in November (in the report) and one
made in October (not: notes of the month only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from curator_tui.domain.models import (
    EvidenceKind,
    OrgLevel,
    Period,
    Schedule,
    ScheduleKind,
    Status,
)
from curator_tui.domain.ops import Action, Entity, HlcStamp, Operation, new_id
from curator_tui.domain.parsed import ParsedActivity, ParsedRoadmap
from curator_tui.store import sync_state
from curator_tui.store.roadmaps import organisation_id, save_roadmap
from curator_tui.store.store import Store, now_ms

YEAR = 2025
MONTH = date(2025, 11, 1)
TODAY = date(2025, 12, 10)
SCHOOL_1 = "МБОУ «СОШ № 1 г. Чебаркуль»"
SCHOOL_2 = "МКОУ «Ёлкинская ООШ»"
MUNICIPALITY = "Управление образования Молчановского района"
SCHOOL_1_MUNICIPALITY = "Чебаркульский городской округ"  # as its roadmap names it
BUNDLE_DEVICE = "device-of-school-1"
CURATOR_DEVICE = "device-of-the-curator"
NOVEMBER_NOTE = "Протокол подписан 12.11, загружен на сайт"
OCTOBER_NOTE = "Дата педсовета перенесена"
LAST_BUNDLE = "2025-12-05T09:30:00"


def month_window(month: int) -> tuple[date, date]:
    start = date(YEAR, month, 1)
    end = date(YEAR + (month == 12), month % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


TEST_SCHEDULES: dict[str, Schedule] = {
    "Ноябрь 2025 г.": Schedule(kind=ScheduleKind.WINDOW, windows=(month_window(11),)),
    "Октябрь 2025 г.": Schedule(kind=ScheduleKind.WINDOW, windows=(month_window(10),)),
    "Март 2025 г.": Schedule(kind=ScheduleKind.WINDOW, windows=(month_window(3),)),
    # As the real parser reads «до …»: from the start of the roadmap's period to the date.
    "До 15.11.2025 г.": Schedule(
        kind=ScheduleKind.DEADLINE, windows=((date(2025, 1, 1), date(2025, 11, 15)),)
    ),
    "Январь, декабрь 2025 г.": Schedule(
        kind=ScheduleKind.WINDOW, windows=(month_window(1), month_window(12))
    ),
    "ежемесячно": Schedule(
        kind=ScheduleKind.RECURRING, windows=tuple(month_window(m) for m in range(1, 13))
    ),
}


def test_parse_deadline(text: str, period: Period) -> Schedule:
    return TEST_SCHEDULES.get(text.strip(), Schedule(kind=ScheduleKind.UNSCHEDULED))


test_parse_deadline.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def use_test_schedules(monkeypatch: pytest.MonkeyPatch) -> None:
    # Replaces the cached entry point, so no parse cached by another test leaks in or out.
    monkeypatch.setattr("curator_tui.store.projection.cached_schedule", test_parse_deadline)


def activity(number: str, title: str, deadline: str, responsible: str = "Директор"):
    return ParsedActivity(
        number=number, title=title, responsible=responsible, deadline_text=deadline
    )


SCHOOL_1_ACTIVITIES = [
    activity("1", "Педсовет по итогам четверти", "Ноябрь 2025 г."),
    activity("2", "Совещания с кураторами", "ежемесячно", "Куратор"),
    activity("3", "Диагностика по математике", "До 15.11.2025 г.", "Завуч"),
    activity("4", "Семинар по функциональной грамотности", "Октябрь 2025 г.", "Методист"),
    activity("5", "Открытые уроки", "Январь, декабрь 2025 г."),
    activity("6", "Отчёт о самообследовании", "Март 2025 г."),
    activity("7", "Методический день", "По отдельному графику"),
    activity("8", "Родительское собрание", "Октябрь 2025 г."),
]
SCHOOL_2_ACTIVITIES = [
    activity("1", "Утверждение дорожной карты", "Март 2025 г."),
    activity("2", "Мониторинг посещаемости", "ежемесячно"),
    activity("3", "- Консультации для родителей", "Ноябрь 2025 г.", "Педагог-психолог"),
]
MUNICIPALITY_ACTIVITIES = [
    activity("1", "Совещание руководителей", "Март 2025 г.", "Начальник управления"),
    activity("2", "Курсы повышения квалификации", "По отдельному графику"),
]
OUTDATED = activity("3", "Устаревшее мероприятие", "Ноябрь 2025 г.")


@dataclass(frozen=True)
class Hub:
    path: Path
    month: date = MONTH
    today: date = TODAY


def roadmap(
    organisation: str, items: list[ParsedActivity], level: OrgLevel, municipality: str = ""
) -> ParsedRoadmap:
    return ParsedRoadmap(
        organisation=organisation,
        level=level,
        municipality=municipality,
        title="Дорожная карта",
        year=YEAR,
        activities=items,
    )


def ids_by_number(store: Store, roadmap_id: str) -> dict[str, str]:
    return {row["number"]: row["id"] for row in store.activities(roadmap_id)}


def build_hub(path: Path, files: Path) -> Hub:
    """The hub described in this module's docstring, written through the real store."""
    files.mkdir(parents=True, exist_ok=True)
    with Store.open(path, create=True) as store:
        first = save_roadmap(
            store,
            roadmap(SCHOOL_1, SCHOOL_1_ACTIVITIES, OrgLevel.SCHOOL, SCHOOL_1_MUNICIPALITY),
        )
        second = save_roadmap(store, roadmap(SCHOOL_2, SCHOOL_2_ACTIVITIES, OrgLevel.SCHOOL))
        items = [*MUNICIPALITY_ACTIVITIES, OUTDATED]
        save_roadmap(store, roadmap(MUNICIPALITY, items, OrgLevel.MUNICIPALITY))
        third = save_roadmap(
            store, roadmap(MUNICIPALITY, MUNICIPALITY_ACTIVITIES, OrgLevel.MUNICIPALITY)
        )
        fill_school_1(store, first.roadmap_id, files)
        fill_school_2(store, second.roadmap_id)
        fill_municipality(store, third.roadmap_id, files)
    return Hub(path)


def fill_school_1(store: Store, roadmap_id: str, files: Path) -> None:
    ids = ids_by_number(store, roadmap_id)
    store.set_status(ids["1"], Status.DONE)
    protocol = files / "protocol.pdf"
    protocol.write_bytes(b"%PDF-1.4 protocol of the teachers' council\n")
    store.attach_file(
        ids["1"], protocol, kind=EvidenceKind.PROTOCOL, title="Протокол педсовета № 3"
    )
    store.attach_link(ids["1"], "https://school1.example/news/42", title="Новость на сайте")
    store.set_status(ids["4"], Status.IN_PROGRESS)
    store.set_status(ids["6"], Status.DONE)
    report = files / "self-review.docx"
    report.write_bytes(b"self-review")
    store.remove_evidence(store.attach_file(ids["6"], report, kind=EvidenceKind.OTHER))
    store.set_status(ids["8"], Status.CANCELLED)
    store.add_visit(
        roadmap_id, date(2025, 10, 1), participants="Куратор", notes="", activity_ids=[ids["4"]]
    )
    store.add_visit(
        roadmap_id, date(2025, 11, 20), participants="Куратор", notes="", activity_ids=[ids["1"]]
    )
    receive_bundle_setting_status(store, ids["2"], Status.IN_PROGRESS)
    receive_curator_notes(store, ids["1"])


def receive_curator_notes(store: Store, activity_id: str) -> None:
    """A curator's notes, made on their laptop in October and November and imported since."""
    made = [(1, date(2025, 10, 20), OCTOBER_NOTE), (2, date(2025, 11, 12), NOVEMBER_NOTE)]
    ops = [
        Operation(
            op_id=new_id(),
            device_id=CURATOR_DEVICE,
            seq=seq,
            hlc=str(
                HlcStamp(int(datetime(day.year, day.month, day.day, 12).timestamp() * 1000), 0)
            ),
            entity=Entity.NOTE,
            entity_id=new_id(),
            action=Action.CREATE,
            value={"activity_id": activity_id, "text": text, "device_id": CURATOR_DEVICE},
        )
        for seq, day, text in made
    ]
    store.apply_remote(ops)


def receive_bundle_setting_status(store: Store, activity_id: str, status: Status) -> None:
    """What importing a school's bundle leaves behind: its device's op and an import record."""
    op = Operation(
        op_id=new_id(),
        device_id=BUNDLE_DEVICE,
        seq=1,
        hlc=str(HlcStamp(now_ms() + 60_000, 0)),
        entity=Entity.ACTIVITY,
        entity_id=activity_id,
        action=Action.SET,
        field="status",
        value=status.value,
    )
    store.apply_remote([op])
    school = organisation_id(SCHOOL_1)
    rows = [
        ("bundle-1", "2025-11-02T08:00:00", BUNDLE_DEVICE, [school]),
        ("bundle-2", LAST_BUNDLE, BUNDLE_DEVICE, [school]),
        ("bundle-3", "2025-12-09T10:00:00", "device-with-no-operations", []),
    ]
    for bundle_id, imported_at, device_id, organisations in rows:  # as the import records them
        sync_state.record_import(
            store,
            sync_state.ImportRecord(
                bundle_id,
                "school-1",
                device_id,
                sync_state.RESULT_ACCEPTED,
                organisations=organisations,
                imported_at=imported_at,
            ),
        )


def fill_school_2(store: Store, roadmap_id: str) -> None:
    ids = ids_by_number(store, roadmap_id)
    store.set_status(ids["2"], Status.DONE)
    store.attach_link(ids["2"], "https://elka.example/journal", kind=EvidenceKind.CERTIFICATE)


def fill_municipality(store: Store, roadmap_id: str, files: Path) -> None:
    ids = ids_by_number(store, roadmap_id)
    order = files / "prikaz.pdf"
    order.write_bytes(b"%PDF-1.4 order")
    store.set_status(ids["1"], Status.DONE)
    store.attach_file(ids["1"], order, kind=EvidenceKind.ORDER, title="Приказ № 91")
