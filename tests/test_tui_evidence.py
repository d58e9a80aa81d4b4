"""Attaching, opening and removing evidence through the app; bad files are refused cleanly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from textual.widgets import DirectoryTree, Input

from curator_tui.domain.models import EvidenceKind
from curator_tui.platform import start_directory
from curator_tui.store.store import Store
from curator_tui.tui.screens.detail import DetailScreen
from curator_tui.tui.screens.evidence import EvidenceDialog
from curator_tui.tui.screens.modals import ConfirmDialog
from tests.tui_support import make_app, press, school_db, screen_text, settle, toasts


def evidence_of(db: Path, number: str) -> list[dict]:
    with Store.open(db) as store:
        return store.evidence(store.find_activities(number)[0]["id"])


def counts(db: Path) -> tuple[int, int]:
    """(operations in the log, files in the evidence store)."""
    with Store.open(db) as store:
        root = store.evidence_files.root
        files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
        return store.op_count(), len(files)


async def open_evidence_dialog(pilot: object, db: Path, number: str = "1") -> EvidenceDialog:
    with Store.open(db) as store:
        pilot.app.open_activity(store.find_activities(number)[0]["id"])  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await press(pilot, "e")  # type: ignore[arg-type]
    dialog = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(dialog, EvidenceDialog)
    return dialog


async def fill(pilot: object, selector: str, text: str) -> None:
    """Put text into a field as if pasted (typing a long path key by key only costs time)."""
    field = pilot.app.screen.query_one(selector, Input)  # type: ignore[attr-defined]
    field.focus()
    field.value = text
    await settle(pilot)  # type: ignore[arg-type]


async def test_attach_a_file_by_typing_its_path(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    scan = tmp_path / "prikaz.pdf"
    scan.write_bytes(b"%PDF-1.4 order of the director\n" * 50_000)  # ~1.5 MB: several chunks
    app = make_app(db, media_roots=[tmp_path / "no-usb"])
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        await open_evidence_dialog(pilot, db)
        await fill(pilot, "#evidence-path", str(scan))
        await fill(pilot, "#evidence-title", "Приказ о рабочей группе")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert "Приказ о рабочей группе" in screen_text(app)
    [item] = evidence_of(db, "1")
    assert item["title"] == "Приказ о рабочей группе"
    assert item["original_name"] == "prikaz.pdf"
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    assert item["sha256"] == sha
    with Store.open(db) as store:
        assert store.evidence_files.path_for(sha).read_bytes() == scan.read_bytes()


async def test_attach_a_photo_picked_in_the_file_browser(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    usb = tmp_path / "media"
    (usb / "FLASH").mkdir(parents=True)
    photo = usb / "FLASH" / "seminar.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo of the seminar")
    app = make_app(db, media_roots=[tmp_path / "absent", usb])
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        dialog = await open_evidence_dialog(pilot, db)
        tree = dialog.query_one(DirectoryTree)
        assert Path(tree.path) == usb
        tree.focus()
        await press(pilot, "down", "enter")  # open FLASH
        await settle(pilot)
        await press(pilot, "down", "enter")  # pick seminar.jpg
        assert dialog.query_one("#evidence-path", Input).value == str(photo)
        await press(pilot, "ctrl+s")
        await settle(pilot)
    [item] = evidence_of(db, "1")
    assert item["kind"] == EvidenceKind.PHOTO.value
    assert item["title"] == "seminar.jpg"


async def test_attach_a_link(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    app = make_app(db, media_roots=[])
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        await open_evidence_dialog(pilot, db)
        await fill(pilot, "#evidence-url", "https://school.example/news/42")
        await fill(pilot, "#evidence-title", "Новость на сайте")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "Ссылка · Новость на сайте · https://school.example/news/42" in screen_text(app)
    [item] = evidence_of(db, "1")
    assert (item["kind"], item["url"]) == (
        EvidenceKind.LINK.value,
        "https://school.example/news/42",
    )


@pytest.mark.parametrize(
    ("make_source", "message"),
    [
        (lambda tmp: tmp / "vanished.pdf", "Файл не найден"),
        (lambda tmp: tmp, "Это папка, а не файл"),
    ],
    ids=["vanished-file", "directory"],
)
async def test_a_bad_path_is_refused_in_russian_and_nothing_is_written(
    tmp_path: Path, make_source: object, message: str
) -> None:
    db = school_db(tmp_path)
    before = counts(db)
    source = make_source(tmp_path)  # type: ignore[operator]
    app = make_app(db, media_roots=[])
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        dialog = await open_evidence_dialog(pilot, db)
        await fill(pilot, "#evidence-path", str(source))
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # still open: the user can pick another file
        assert message in toasts(app)
        assert not dialog.busy
        await press(pilot, "escape")
        assert isinstance(app.screen, DetailScreen)
    assert counts(db) == before
    assert evidence_of(db, "1") == []


async def test_remove_evidence_asks_first(tmp_path: Path) -> None:
    db = school_db(tmp_path)
    with Store.open(db) as store:
        target = store.find_activities("1")[0]["id"]
        store.attach_link(target, "https://example.org/a", title="Протокол совещания")
    app = make_app(db)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_activity(target)
        await settle(pilot)
        await press(pilot, "delete")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "escape")  # «Нет»
        assert len(evidence_of(db, "1")) == 1
        await press(pilot, "delete", "tab", "enter")  # focus «Удалить» and press it
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "Доказательства (0)" in text
        assert "доказательство удалено" in text
    assert evidence_of(db, "1") == []
    with Store.open(db) as store:
        assert store.history(target)[-1]["action"] == "remove"


async def test_opening_evidence_without_a_viewer_says_where_the_file_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = school_db(tmp_path)
    scan = tmp_path / "spisok.txt"
    scan.write_text("Иванов, Петров", encoding="utf-8")
    with Store.open(db) as store:
        target = store.find_activities("1")[0]["id"]
        store.attach_file(target, scan, kind=EvidenceKind.PARTICIPANTS)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no xdg-open, no open
    app = make_app(db)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_activity(target)
        await settle(pilot)
        await press(pilot, "o")
        shown = toasts(app)
        assert "Нет программы для просмотра" in shown
        with Store.open(db) as store:
            [item] = store.evidence(target)
            assert str(store.evidence_files.path_for(item["sha256"])) in shown


def test_file_browser_starts_at_removable_media_or_home(tmp_path: Path) -> None:
    empty, usb = tmp_path / "media", tmp_path / "run-media"
    empty.mkdir()
    (usb / "stick").mkdir(parents=True)
    assert start_directory([tmp_path / "absent", empty, usb]) == usb
    assert start_directory([tmp_path / "absent", empty]) == Path.home()
