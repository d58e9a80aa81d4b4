"""A whole stick at once: every bundle of a folder imported in one action, in the right order,
each on its own (a hostile file is refused with its reason, the others still go in).

Real replicas, real signed bundles (a split export gives parts with consecutive sequence
numbers); the hostile files are what a stick may really carry: a flipped byte, garbage named
like a bundle, and files that are not bundles at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import DataTable, Input

from curator_tui.services import import_folder, import_order
from curator_tui.sync.exporting import ExportOptions, export_bundle
from curator_tui.sync.importing import verify_bundle
from curator_tui.sync.limits import PartLimits
from curator_tui.tui.screens.folder_import import FolderImportScreen
from curator_tui.views.folder_import import folder_row
from tests.bundle_helpers import Replica, cli, import_rows, make_hub, make_school, snapshot
from tests.test_split_export import busy_school, progress_of
from tests.test_tui_russian import english_on_screen
from tests.test_tui_sync import flipped, open_sync
from tests.tui_support import make_app, press, screen_text, settle

SMALL = PartLimits(max_ops=6)


def stick_with_parts(tmp_path: Path) -> tuple[Replica, Replica, Path, list[Path]]:
    """A busy school's split export on a stick, the parts renamed so that their names sort
    in the wrong order (z-… is the first part)."""
    hub, school = busy_school(tmp_path)
    result = export_bundle(
        school.db,
        ExportOptions(destination=tmp_path / "out", receiver=hub.device_id, limits=SMALL),
    )
    assert len(result.paths) >= 3
    stick = tmp_path / "stick"
    stick.mkdir()
    parts = []
    for number, part in enumerate(result.paths):
        renamed = stick / f"{chr(ord('z') - number)}-part.curator"
        shutil.move(part, renamed)
        parts.append(renamed)
    return hub, school, stick, parts


def test_parts_go_in_by_sequence_whatever_their_names(tmp_path: Path) -> None:
    hub, school, stick, parts = stick_with_parts(tmp_path)
    reports = [verify_bundle(hub.db, part) for part in sorted(parts)]
    assert import_order(reports) == parts

    done = import_folder(hub.db, stick)
    assert [r.path for r in done.reports] == parts
    assert all(r.outcome == "accepted" for r in done.reports), [r.problems for r in done.reports]
    assert not any(r.warnings for r in done.reports)  # no gap reported that a later part fills
    with school.open() as typed, hub.open() as received:
        assert progress_of(received) == progress_of(typed)


def test_a_roadmap_goes_in_before_changes(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    stick = tmp_path / "stick"
    roadmap = hub.export(stick, roadmap=True, organisation=school_org(school))
    shutil.move(roadmap, stick / "z-roadmap.curator")
    reports = [verify_bundle(school.db, stick / "z-roadmap.curator")]
    assert import_order(reports) == [stick / "z-roadmap.curator"]
    assert reports[0].info is not None and reports[0].info.kind == "roadmap"


def school_org(school: Replica) -> str:
    with school.open() as store:
        return str(store.roadmaps()[0]["organisation_id"])


def test_the_command_imports_a_folder_and_reports_each_hostile_file(tmp_path: Path) -> None:
    hub, school, stick, parts = stick_with_parts(tmp_path)
    other = make_school(tmp_path, hub, "school2")
    with other.open() as store:
        store.add_note(store.activities()[0]["id"], "заметка второй школы")
    flipped(other.export(tmp_path / "other"), stick / "m-damaged.curator")
    (stick / "n-garbage.curator").write_bytes(b"PK\x03\x04 not a bundle at all")
    (stick / "readme.txt").write_text("не пакет")
    (stick / "sub").mkdir()  # folders inside are not looked into
    shutil.copy(parts[0], stick / "sub" / "copy.curator")

    run = cli("import", "--db", hub.db, stick)
    assert run.code == 1, run.err  # some files were refused
    lines = run.out.splitlines()
    header = next(line for line in lines if line.startswith("Файл"))
    assert all(word in header for word in ("Школа", "Подписал", "Итог", "Изменений", "Новых"))
    table = lines[lines.index(header) : lines.index(header) + 1 + len(parts) + 2]
    assert all(len(line) <= 80 for line in table)
    assert sum("принят" in line and "отклонён" not in line for line in table) == len(parts)
    assert sum("отклонён" in line for line in table) == 2
    assert f"Пакетов: {len(parts) + 2}; принято {len(parts)}, уже было 0, отклонено 2" in run.out
    assert "m-damaged.curator: Пакет не принят: " in run.out
    assert "n-garbage.curator: Пакет не принят: " in run.out
    assert "Не пакеты, пропущены: readme.txt" in run.out
    assert "Проверка 1 из" in run.err
    # Everything the school typed arrived; the hostile files added nothing.
    with school.open() as typed, hub.open() as received:
        assert progress_of(received) == progress_of(typed)
    results = [row["result"] for row in import_rows(hub.db)]
    assert results.count("accepted") == len(parts)
    assert results.count("refused") == 2

    # Again: every bundle is already there, the database does not change.
    before = snapshot(hub.db)
    again = cli("import", "--db", hub.db, stick)
    assert f"уже было {len(parts)}" in again.out
    assert snapshot(hub.db) == before


def test_a_folder_without_bundles_says_so(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    run = cli("import", "--db", hub.db, empty)
    assert run.code == 0, run.err
    assert "В папке нет пакетов" in run.out


def test_the_own_bundle_is_named_as_such_in_the_row(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    stick = tmp_path / "stick"
    own = hub.export(stick, roadmap=True, organisation=school_org(school))
    report = verify_bundle(hub.db, own)
    row = folder_row(report, own_key=report.signer_fingerprint)
    assert row.signer == "эта же база"
    assert row.result == "отклонён"


# --- the exchange screen ----------------------------------------------------------------------


async def test_the_screen_imports_a_whole_folder_and_shows_a_table_that_fits(
    tmp_path: Path,
) -> None:
    hub, school, stick, parts = stick_with_parts(tmp_path)
    (stick / "n-garbage.curator").write_bytes(b"garbage")
    (stick / "readme.txt").write_text("не пакет")
    app = make_app(hub.db, media_roots=[tmp_path / "nowhere"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(pilot)
        await press(pilot, "f7")
        typed = screen.query_one("#import-path", Input)
        typed.focus()
        typed.value = f'"{stick}"'  # dragged onto the terminal: quoted
        await press(pilot, "ctrl+o")
        await settle(pilot)
        summary = app.screen
        assert isinstance(summary, FolderImportScreen)
        table = summary.query_one("#folder-table", DataTable)
        assert table.row_count == len(parts) + 1
        assert str(table.get_row_at(0)[0]) == parts[0].name
        assert [str(c) for c in table.get_row_at(len(parts))][3] == "отклонён"
        text = screen_text(app)
        assert english_on_screen(app) <= {"school"}  # the signer «Директор school» is data
        assert f"Пакетов: {len(parts) + 1}; принято {len(parts)}" in text
        assert "Не пакеты, пропущены: readme.txt" in text
        assert f"{parts[0].name}: Пакет импортирован: новых изменений" in text
        # The keyboard walks the table; the reason under it follows the cursor.
        await press(pilot, "ctrl+end")
        assert "n-garbage.curator: Пакет не принят: " in screen_text(app)
        region = summary.query_one("#folder-import").region
        assert region.bottom <= 24 and region.right <= 80
        await press(pilot, "escape")
        assert app.screen is screen
        assert "принято" in screen_text(app)
    with school.open() as typed_store, hub.open() as received:
        assert progress_of(received) == progress_of(typed_store)
