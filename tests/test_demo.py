"""The bundled demo: `make run` must open a roadmap that looks in use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from curator_tui.cli import main
from curator_tui.services import DEMO_DB_VARIABLE, build_demo
from curator_tui.store.queries import progress
from curator_tui.store.store import Store


def test_demo_is_dated_this_year_with_done_and_overdue_work(tmp_path: Path) -> None:
    today = date(2026, 11, 23)
    with Store.open(tmp_path / "demo.db", create=True) as store:
        build_demo(store, today)
        [roadmap] = store.roadmaps()
        summary = progress(store, today)
    assert roadmap["year"] == 2026
    assert summary.total == 49
    assert 0 < summary.overdue < summary.done < summary.total


def test_demo_command_builds_once_and_prints_without_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo" / "demo.db"
    assert main(["demo", "--db", str(db), "--print"]) == 0
    first = capsys.readouterr().out
    assert "Разработка и утверждение муниципальной программы" in first
    assert main(["demo", "--db", str(db), "--print"]) == 0
    assert capsys.readouterr().out == first


def test_demo_command_never_uses_the_personal_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    personal, demo = tmp_path / "curator.db", tmp_path / "data" / "demo.db"
    monkeypatch.setenv("CURATOR_DB", str(personal))
    monkeypatch.setenv(DEMO_DB_VARIABLE, str(demo))
    assert main(["demo", "--print"]) == 0
    assert demo.exists() and not personal.exists()
