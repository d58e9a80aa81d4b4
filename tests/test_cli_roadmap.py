"""The `curator` roadmap commands end to end: real seed files, real databases."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from curator_tui.cli import main
from curator_tui.store.store import Store
from tests.conftest import SEEDS
from tests.docx_factory import text_table_rows, write_docx

SEED_FILES = sorted(SEEDS.glob("*.txt"))
MOLCHANOVO = SEEDS / "003_7fab529a65379eae.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def activities(capsys: pytest.CaptureFixture[str], db: Path) -> list[dict]:
    code, out, _ = run(capsys, "activities", "--db", str(db), "--json")
    assert code == 0
    return json.loads(out)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name[:3])
def test_every_seed_imports_and_lists_with_schedules(
    seed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "school.db"
    code, out, err = run(capsys, "import-roadmap", str(seed), "--db", str(db))
    assert code == 0, err
    assert "Импортировано мероприятий" in out
    rows = activities(capsys, db)
    assert rows
    required = {"number", "section", "title", "responsible", "deadline_text", "schedule"}
    assert required | {"indicator", "result", "status", "evidence_count"} <= rows[0].keys()
    for row in rows:
        assert row["schedule"]["kind"] in {"window", "deadline", "recurring", "unscheduled"}
        for start, end in row["schedule"]["windows"]:
            assert start <= end
    scheduled = [r for r in rows if r["schedule"]["windows"]]
    assert len(scheduled) >= 0.8 * len(rows)


def test_json_shapes_for_each_schedule_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "smolensk.db"
    run(capsys, "import-roadmap", str(SEEDS / "004_905b539a19fec123.txt"), "--db", str(db))
    by_number = {r["number"]: r for r in activities(capsys, db)}
    assert by_number["1"]["schedule"] == {
        "kind": "window",
        "windows": [["2022-01-17", "2022-02-04"]],
    }
    monday_meetings = by_number["13"]["schedule"]
    assert monday_meetings["kind"] == "recurring"
    assert monday_meetings["windows"][0] == ["2022-03-14", "2022-03-14"]
    assert by_number["8"]["schedule"]["kind"] == "recurring"


def test_set_status_and_note_by_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "school.db"
    run(capsys, "import-roadmap", str(SEEDS / "001_c8175a3c917fff77.txt"), "--db", str(db))
    code, out, _ = run(capsys, "set-status", "5", "выполнено", "--db", str(db))
    assert code == 0 and "Выполнено" in out
    code, _, _ = run(capsys, "note", "5", "Идентификация проведена", "--db", str(db))
    assert code == 0
    [row] = [r for r in activities(capsys, db) if r["number"] == "5"]
    assert row["status"] == "done"
    with Store.open(db) as store:
        assert [n["text"] for n in store.notes(row["id"])] == ["Идентификация проведена"]


def test_ambiguous_number_lists_the_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "molchanovo.db"
    run(capsys, "import-roadmap", str(MOLCHANOVO), "--db", str(db))
    code, _, err = run(capsys, "set-status", "21", "done", "--db", str(db))
    assert code == 1
    assert "неоднозначен" in err and err.count("№ 21") == 2
    code, _, err = run(capsys, "set-status", "21", "почти", "--db", str(db))
    assert code == 1 and "Неизвестный статус" in err


def test_attach_file_and_link_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "school.db"
    run(capsys, "import-roadmap", str(SEEDS / "001_c8175a3c917fff77.txt"), "--db", str(db))
    proof = tmp_path / "приказ.pdf"
    proof.write_bytes(b"%PDF order 1692")
    code, _, err = run(
        capsys, "attach", "1", str(proof), "--kind", "приказ", "--title", "Приказ", "--db", str(db)
    )
    assert code == 0, err
    code, _, _ = run(capsys, "attach", "1", "--link", "https://example.org", "--db", str(db))
    assert code == 0
    [row] = [r for r in activities(capsys, db) if r["number"] == "1"]
    assert row["evidence_count"] == 2
    with Store.open(db) as store:
        sha = hashlib.sha256(proof.read_bytes()).hexdigest()
        assert store.evidence_files.path_for(sha).read_bytes() == proof.read_bytes()


def amended_copy(tmp_path: Path) -> Path:
    """Seed 003 as an amending order: one deadline moved, one activity struck out."""
    text = MOLCHANOVO.read_text(encoding="utf-8")
    text = text.replace("Об утверждении муниципального плана", "О внесении изменений в приказ")
    text = text.replace("Март 2023г.\tПроведен вебинар", "Май 2023г.\tПроведен вебинар", 1)
    lines = [line for line in text.splitlines() if not line.startswith("10.\tМониторинг")]
    path = tmp_path / "amended.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_reimporting_an_amended_roadmap_keeps_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "molchanovo.db"
    run(capsys, "import-roadmap", str(MOLCHANOVO), "--db", str(db))
    first = {(r["section"], r["number"]): r for r in activities(capsys, db)}
    target = next(r for r in first.values() if r["title"].startswith("Участие в региональном веб"))
    run(capsys, "set-status", target["id"], "в работе", "--db", str(db))
    run(capsys, "note", target["id"], "Зарегистрировались", "--db", str(db))
    code, out, err = run(capsys, "import-roadmap", str(amended_copy(tmp_path)), "--db", str(db))
    assert code == 0, err
    assert "Обновлена" in out and "исключено 1" in out
    after = {r["id"]: r for r in activities(capsys, db)}
    assert after[target["id"]]["status"] == "in_progress"
    assert after[target["id"]]["deadline_text"] == "Май 2023г."
    assert len(after) == len(first) - 1


def test_docx_import_matches_the_text_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docx = tmp_path / "molchanovo.docx"
    preamble, rows = text_table_rows(MOLCHANOVO.read_text(encoding="utf-8"))
    write_docx(docx, rows, preamble=[line for line in preamble if line.strip()])
    run(capsys, "import-roadmap", str(MOLCHANOVO), "--db", str(tmp_path / "txt.db"))
    code, _, err = run(capsys, "import-roadmap", str(docx), "--db", str(tmp_path / "docx.db"))
    assert code == 0, err
    keys = ("number", "section", "title", "deadline_text", "schedule")
    from_text = [{k: r[k] for k in keys} for r in activities(capsys, tmp_path / "txt.db")]
    from_docx = [{k: r[k] for k in keys} for r in activities(capsys, tmp_path / "docx.db")]
    assert from_docx == from_text


def test_cp1251_file_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    legacy = tmp_path / "legacy.txt"
    text = (SEEDS / "000_4f3def3826d09c79.txt").read_text(encoding="utf-8")
    legacy.write_bytes(text.encode("cp1251", errors="replace"))
    code, out, err = run(capsys, "import-roadmap", str(legacy), "--db", str(tmp_path / "a.db"))
    assert code == 0, err
    assert "Импортировано мероприятий: 23" in out


BAD_INPUTS = {
    "empty.txt": b"",
    "binary.txt": bytes(range(256)) * 40,
    "prose.txt": "Приказ об утверждении чего-то\nБез таблицы вовсе.\n".encode(),
    "no-header.txt": "1\tОдно\tДругое\n2\tТретье\tЧетвёртое\n".encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_refused_and_creates_no_database(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / name
    bad.write_bytes(BAD_INPUTS[name])
    db = tmp_path / "new.db"
    code, _, err = run(capsys, "import-roadmap", str(bad), "--db", str(db))
    assert code == 1
    assert name in err and err.startswith("Ошибка:")
    assert not db.exists()


def test_bad_input_leaves_an_existing_database_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "school.db"
    run(capsys, "import-roadmap", str(MOLCHANOVO), "--db", str(db))
    with Store.open(db) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = file_digest(db)
    docx = tmp_path / "broken.docx"
    write_docx(docx, text_table_rows(MOLCHANOVO.read_text(encoding="utf-8"))[1])
    docx.write_bytes(docx.read_bytes()[:2000])
    code, _, err = run(capsys, "import-roadmap", str(docx), "--db", str(db))
    assert code == 1 and "broken.docx" in err
    assert file_digest(db) == before


def test_doctor_rebuild_check_passes_after_real_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "school.db"
    run(capsys, "import-roadmap", str(MOLCHANOVO), "--db", str(db))
    run(capsys, "set-status", "1", "выполнено", "--db", str(db))
    run(capsys, "note", "2", "Ознакомились", "--db", str(db))
    run(capsys, "import-roadmap", str(amended_copy(tmp_path)), "--db", str(db))
    code, out, _ = run(capsys, "doctor", "--rebuild-check", "--db", str(db))
    assert code == 0, out
    assert "без расхождений" in out


def test_every_command_is_found_in_the_group_that_registers_it() -> None:
    """`curator CMD` loads one group; the table saying which must match the groups."""
    import argparse

    from curator_tui import cli

    registered: dict[str, str] = {}
    for group in cli.GROUPS:
        sub = argparse.ArgumentParser().add_subparsers()
        cli.group_module(group).register(sub)
        registered |= dict.fromkeys(sub.choices, group)
    assert registered == cli.COMMAND_GROUPS
