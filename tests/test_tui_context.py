"""Screens see the app only through `tui.context.Curator`; the app must have all of it."""

from __future__ import annotations

from pathlib import Path

from curator_tui.tui.context import Curator, curator_of
from tests.tui_support import make_app


def test_the_app_has_everything_its_screens_ask_for(tmp_path: Path) -> None:
    app = make_app(tmp_path / "school.db")
    assert isinstance(app, Curator)
    assert curator_of(app) is app
