"""Text from a document or a bundle never steers the terminal: escape sequences, BEL, bidi
overrides and invisible characters are shown as visible placeholders, in every CLI output
(real subprocesses, real bytes) and in the TUI (Pilot), and user text is never markup."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

from curator_tui.domain.parsed import ParsedActivity
from curator_tui.domain.safe_text import is_safe, placeholder, safe_lines, safe_text
from curator_tui.tui.screens.detail import DetailScreen
from curator_tui.tui.screens.modals import StatusPicker
from tests.bundle_helpers import activity_id, make_hub, make_school, snapshot
from tests.conftest import small_roadmap
from tests.tui_support import make_app, press, school_db, screen_text, settle

EVIL = "\x1b]0;pwned\x07\x1b[2J\u202e"
SHOWN = "␛]0;pwned␇␛[2J⟨U+202E⟩"
CURATOR = [sys.executable, "-c", "import sys; from curator_tui.cli import main; sys.exit(main())"]
RAW = (b"\x1b", b"\x07", "\u202e".encode())


# --- the neutraliser ------------------------------------------------------------------------


def test_escape_bell_and_bidi_become_visible_placeholders() -> None:
    assert safe_text("Ноут" + EVIL) == "Ноут" + SHOWN
    assert placeholder("\u2066") == "⟨U+2066⟩" and placeholder("\x9b") == "⟨U+009B⟩"
    assert placeholder("\x7f") == "␡"


def test_one_line_text_shows_its_newlines_many_lines_keep_them() -> None:
    forged = "Ноутбук\nИтог: пакет будет принят.\r\tx"
    assert safe_text(forged) == "Ноутбук␊Итог: пакет будет принят.␍␉x"
    assert safe_lines(forged) == "Ноутбук\nИтог: пакет будет принят.␍\tx"


def test_ordinary_text_comes_back_as_the_same_object() -> None:
    text = "МБОУ «СОШ № 1» — дорожная карта 2024/2025, мягкий\u00adперенос [b]не разметка[/b]"
    assert safe_text(text) is text and is_safe(text)


def test_every_control_and_invisible_format_character_is_neutralised() -> None:
    kept = {"\n", "\t", "\u00ad"}
    unsafe = [
        chr(code)
        for code in range(0x110000)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        and chr(code) not in kept
    ]
    leaked = [f"U+{ord(c):04X}" for c in unsafe if safe_lines(c) == c]
    assert not leaked


# --- the CLI: real processes, real bytes ----------------------------------------------------


def curator(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*CURATOR, *map(str, args)], capture_output=True, timeout=120, check=False
    )


def hostile_bundle(root: Path) -> tuple[Path, Path]:
    """A school (organisation name, device name and a note all hostile) and its bundle;
    returns (hub db, bundle)."""
    org = "МБОУ «СОШ" + EVIL + "»"
    hub = make_hub(root, small_roadmap(organisation=org))
    school = make_school(root, hub, org=org)
    with school.open() as store:
        store.add_note(activity_id(store, "1"), "Сделано" + EVIL + "\nИтог: подделка")
        store.conn.execute("UPDATE device SET name = ?", ("Ноут" + EVIL,))
        store.conn.commit()
    return hub.db, school.export(root / "out")


def test_verify_and_import_print_hostile_names_neutralised(tmp_path: Path) -> None:
    hub_db, bundle = hostile_bundle(tmp_path)
    before = snapshot(hub_db)
    verify = curator("verify", bundle, "--db", hub_db)
    assert verify.returncode == 0, verify.stderr.decode()
    assert snapshot(hub_db) == before  # verifying changes nothing
    imported = curator("import", bundle, "--db", hub_db)
    assert imported.returncode == 0, imported.stderr.decode()
    for run in (verify, imported):
        output = run.stdout + run.stderr
        assert not [raw for raw in RAW if raw in output], output
        text = output.decode()
        assert f"Устройство: «Ноут{SHOWN}»" in text
        assert f"МБОУ «СОШ{SHOWN}»" in text
    assert "Итог: пакет будет принят." in verify.stdout.decode()
    assert "Итог: Пакет импортирован" in imported.stdout.decode()


def test_import_roadmap_prints_a_bidi_override_in_a_title_neutralised(tmp_path: Path) -> None:
    # The text reader refuses a file with ESC or BEL (binary); a bidi override is text.
    roadmap = tmp_path / "roadmap.txt"
    roadmap.write_text(
        "Дорожная карта\u202e МБОУ «СОШ № 1» на 2024 год\n"
        "№\tМероприятие\tСрок\tОтветственный\n"
        "1\tСовещание\u202e\u2066\tянварь 2024\tДиректор\n",
        encoding="utf-8",
    )
    db = tmp_path / "school.db"
    imported = curator("import-roadmap", roadmap, "--db", db)
    assert imported.returncode == 0, imported.stderr.decode()
    listed = curator("activities", "--db", db)
    assert listed.returncode == 0
    for run in (imported, listed):
        assert not [raw for raw in RAW if raw in run.stdout + run.stderr]
    assert "Совещание⟨U+202E⟩⟨U+2066⟩" in listed.stdout.decode()


def test_activities_prints_a_hostile_title_on_one_safe_line(tmp_path: Path) -> None:
    db = hostile_roadmap_db(tmp_path)
    before = snapshot(db)
    listed = curator("activities", "--db", db)
    assert listed.returncode == 0
    assert not [raw for raw in RAW if raw in listed.stdout + listed.stderr]
    assert f"Утверждение{SHOWN}" in listed.stdout.decode()
    assert len(listed.stdout.decode().splitlines()) == 4  # one line per activity
    assert snapshot(db) == before


def test_an_error_quoting_a_hostile_file_name_is_neutralised(tmp_path: Path) -> None:
    missing = tmp_path / f"карта{EVIL}.txt"
    run = curator("import-roadmap", missing, "--db", tmp_path / "school.db")
    assert run.returncode == 1
    assert not [raw for raw in RAW if raw in run.stderr]
    assert f"Ошибка: Файл карта{SHOWN}.txt не найден" in run.stderr.decode()
    assert not (tmp_path / "school.db").exists()


# --- the TUI ----------------------------------------------------------------------------------


def hostile_roadmap_db(tmp_path: Path) -> Path:
    roadmap = small_roadmap()
    first = roadmap.activities[0]
    roadmap.activities[0] = ParsedActivity(
        number=first.number,
        title="Утверждение" + EVIL + " [b]жирно[/b] [@click=app.quit]выход[/]",
        responsible="Директор" + EVIL,
        deadline_text=first.deadline_text,
        section=first.section,
    )
    db = school_db(tmp_path, roadmap)
    from curator_tui.store.store import Store

    with Store.open(db) as store:
        store.add_note(activity_id(store, "1"), "Заметка" + EVIL)
    return db


async def test_the_list_and_the_detail_show_placeholders(tmp_path: Path) -> None:
    db = hostile_roadmap_db(tmp_path)
    app = make_app(db)
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        listed = screen_text(app)
        assert "Утверждение␛]0;pwned␇" in listed and "\x1b" not in listed
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        shown = screen_text(app)
        assert f"Заметка{SHOWN}" in shown
        assert "[b]жирно[/b]" in shown  # literal brackets, not markup
        assert not [c for c in "\x1b\x07\u202e" if c in shown]


async def test_a_dialog_shows_a_hostile_title_literally(tmp_path: Path) -> None:
    db = hostile_roadmap_db(tmp_path)
    app = make_app(db)
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        assert isinstance(app.screen, StatusPicker)
        shown = screen_text(app)
        assert "[@click=app.quit]выход[/]" in shown and "␛" in shown
        assert "\x1b" not in shown
