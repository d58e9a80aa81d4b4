"""The read models both faces render (curator_tui.views) and the platform's media finder,
tested below the UI: real SQLite files, real bundles, no terminal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.domain.rules import is_behind, is_stale
from curator_tui.platform import find_medium, removable_media, start_directory
from curator_tui.store.roadmaps import save_roadmap
from curator_tui.store.store import Store
from curator_tui.sync.exporting import ExportOptions, export_bundle
from curator_tui.sync.importing import verify_bundle
from curator_tui.views.bundles import bundle_report_view, export_view, organisation_scope
from curator_tui.views.dashboard import dashboard_rows, dashboard_totals, first_page
from curator_tui.views.detail import load_detail
from curator_tui.views.format import (
    date_time,
    device_label,
    file_size,
    group_thousands,
    local_time_of_utc_stamp,
    short_date,
    span_text,
    transfer_size,
)
from tests.bundle_helpers import ORG_ID, ORG_NAME, Replica, activity_id, make_hub, make_school
from tests.conftest import small_roadmap

TODAY = date(2022, 2, 10)

# --- format ---------------------------------------------------------------------------------


def test_sizes_read_the_same_everywhere() -> None:
    assert [file_size(n) for n in (512, 2048, 5 * 1024**2)] == ["512 Б", "2 КБ", "5.0 МБ"]
    assert [transfer_size(n) for n in (512, 1536 * 1024, 0)] == ["0,5 КБ", "1,5 МБ", "0,0 КБ"]
    assert group_thousands(1234567) == "1\u00a0234\u00a0567"


def test_dates_in_numbers() -> None:
    assert short_date(date(2024, 3, 31)) == "31.03.24"
    assert short_date(None) == "—"
    assert date_time(datetime(2024, 3, 31, 9, 5)) == "31.03.2024 09:05"
    assert span_text(date(2023, 3, 1), date(2023, 3, 31)) == "01.03.2023 – 31.03.2023"
    assert local_time_of_utc_stamp("not a stamp") == "not a stamp"
    in_local_time = datetime(2024, 3, 31, 7, 15, tzinfo=UTC).astimezone()
    assert local_time_of_utc_stamp("2024-03-31T07:15:00Z") == date_time(in_local_time)


def test_who_made_a_change() -> None:
    assert device_label("Ноутбук", "ab" * 16) == "Ноутбук"
    assert device_label("", "ab" * 16, "ab" * 16) == "этот компьютер"
    assert device_label(None, "abcdef" + "0" * 26, "other") == "устройство abcdef"


# --- the dashboard ----------------------------------------------------------------------------


@pytest.fixture
def hub_db(tmp_path: Path) -> Path:
    db = tmp_path / "hub.db"
    with Store.open(db, create=True) as store:
        for name in ("МБОУ «Вторая СОШ»", "МБОУ «Первая СОШ»", "МБОУ «Третья СОШ»"):
            save_roadmap(store, small_roadmap(organisation=name))
    return db


def test_dashboard_rows_carry_the_rules_verdicts(hub_db: Path) -> None:
    with Store.open(hub_db) as store:
        rows = dashboard_rows(store, TODAY)
    assert len(rows) == 3
    for row in rows:
        assert row.behind == is_behind(row.summary.overdue, row.summary.due_before_cutoff)
        assert row.stale == is_stale(row.summary.last_bundle, TODAY)
        assert row.roadmap_id is not None and row.roadmap.startswith("Дорожная карта")
    assert all(r.stale for r in rows)  # no bundle ever arrived
    totals = dashboard_totals(rows, shown=2)
    assert (totals.shown, totals.rows, totals.stale) == (2, 3, 3)
    assert totals.overdue == sum(r.summary.overdue for r in rows) > 0
    assert totals.behind == sum(r.behind for r in rows)


def test_the_first_page_is_the_first_schools_by_name_with_the_same_figures(hub_db: Path) -> None:
    with Store.open(hub_db) as store:
        page = first_page(store, TODAY, 2)
        every = {r.summary.organisation_id: r for r in dashboard_rows(store, TODAY)}
    assert (page.schools, page.complete) == (3, False)
    assert [r.name for r in page.rows] == ["МБОУ «Вторая СОШ»", "МБОУ «Первая СОШ»"]
    for row in page.rows:
        assert row == every[row.summary.organisation_id]


# --- the activity detail ----------------------------------------------------------------------


def test_detail_lists_evidence_with_what_opens_it(tmp_path: Path) -> None:
    db = tmp_path / "school.db"
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF" + b"." * 3000)
    with Store.open(db, create=True) as store:
        save_roadmap(store, small_roadmap())
        activity = activity_id(store, "3")
        store.set_status(activity, Status.DONE)
        store.attach_file(activity, scan, kind=EvidenceKind.PROTOCOL, title="Протокол", note="n")
        store.attach_link(
            activity, "https://example.org/news", kind=EvidenceKind.LINK, title="Новость"
        )
        detail = load_detail(store, activity)
        assert load_detail(store, "no-such-activity") is None
    assert detail is not None
    assert detail.organisation == ORG_NAME
    by_title = {item["title"]: item for item in detail.evidence}
    stored, link = by_title["Протокол"], by_title["Новость"]
    assert detail.evidence_text(stored) == "Протокол · Протокол · 3 КБ — n"
    assert detail.evidence_text(link) == "Ссылка · Новость · https://example.org/news"
    assert detail.evidence_target(link) == "https://example.org/news"
    target = detail.evidence_target(stored)
    assert isinstance(target, Path) and target.read_bytes() == scan.read_bytes()
    missing = {**stored, "id": "not-here"}
    assert detail.evidence_text(missing) == "Протокол · Протокол · файл ещё не получен — n"
    assert detail.evidence_target(missing) is None


# --- bundles ----------------------------------------------------------------------------------


@pytest.fixture
def hub(tmp_path: Path) -> Replica:
    return make_hub(tmp_path)


def test_an_export_and_its_verification_as_both_faces_show_them(
    tmp_path: Path, hub: Replica
) -> None:
    school = make_school(tmp_path, hub)
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)
    result = export_bundle(school.db, ExportOptions(destination=tmp_path / "out"))
    shown = export_view(result)
    assert shown.path == result.path and shown.ops == 1
    assert (shown.kind, shown.evidence) == ("изменения", "0, 0,0 КБ")
    assert shown.organisations == (f"{ORG_NAME} ({ORG_ID})",)
    assert shown.bundle_size.endswith("КБ") and shown.bundle_size != "0,0 КБ"

    assert result.path is not None
    view = bundle_report_view(verify_bundle(hub.db, result.path))
    assert view.signer is not None
    assert view.signer.who == f"«Директор school», школа; {ORG_NAME} ({ORG_ID})"
    assert view.signer.fingerprint.startswith("SHA256:")
    assert view.contents is not None
    assert view.contents.ops == 1
    assert view.contents.op_lines == ("мероприятие · изменение: 1",)
    assert view.contents.device.startswith("«Ноутбук school» (")
    # The bundle also carries the hub's roadmap range; the order follows random device ids.
    school_ranges = [r for r in view.contents.ranges if "«Ноутбук school»" in r]
    assert len(school_ranges) == 1 and school_ranges[0].endswith("№ 1–1")
    assert (view.problems, view.verdict) == ((), "Итог: пакет будет принят.")


def test_a_refused_bundle_says_why_in_its_verdict(tmp_path: Path, hub: Replica) -> None:
    school = make_school(tmp_path, hub)
    with school.open() as store:
        store.set_status(activity_id(store, "3"), Status.DONE)
    bundle = school.export(tmp_path / "out")
    stranger = make_hub(tmp_path / "elsewhere")  # trusts nobody
    view = bundle_report_view(verify_bundle(stranger.db, bundle))
    assert view.signer is None and view.untrusted_key.startswith("SHA256:")
    assert view.problems and view.problems[0].startswith("✗ ")
    assert view.verdict == f"Итог: пакет НЕ будет принят — {view.problems[0][2:]}"


def test_who_a_key_may_speak_for() -> None:
    assert organisation_scope("*", None) == "любые организации"
    assert organisation_scope("org-1", None) == "org-1"
    assert organisation_scope("org-1", "Школа") == "Школа (org-1)"


# --- removable media ------------------------------------------------------------------------


def test_media_are_found_one_or_two_levels_below_a_root(tmp_path: Path) -> None:
    media, mnt = tmp_path / "media", tmp_path / "mnt"
    sticks = [media / "anna" / "KINGSTON", media / "anna" / "SCANS", mnt / "usb"]
    for folder in (*sticks, media / "anna" / ".hidden", mnt / "empty"):
        folder.mkdir(parents=True)
    mounted = set(sticks)
    found = list(removable_media([media, mnt], is_mount=lambda p: p in mounted))
    assert found == sticks
    assert find_medium([mnt, media], is_mount=lambda p: p in mounted) == mnt / "usb"
    assert find_medium([tmp_path / "absent"]) is None
    assert start_directory([tmp_path / "absent", mnt / "empty", media]) == media
