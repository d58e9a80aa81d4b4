"""The hub's side of `curator import` (asking before an unknown school is created) and
`curator export --roadmap --all-schools`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from curator_tui.domain.models import Status
from curator_tui.store import sync_state
from curator_tui.store.roadmaps import save_roadmap
from tests.bundle_helpers import (
    ORG_ID,
    ORG_NAME,
    OTHER_NAME,
    Replica,
    activity_id,
    bundle_manifest,
    cli,
    make_hub,
    make_replica,
    make_school,
)
from tests.conftest import small_roadmap


def school_bundle(root: Path) -> tuple[Path, Replica]:
    """A municipal coordinator's bundle carrying a school's roadmap, and a regional hub that
    trusts the coordinator but has never seen that school."""
    municipal = make_replica(root / "municipal.db", "Муниципалитет", "coordinator")
    with municipal.open() as store:
        save_roadmap(store, small_roadmap())
    bundle = municipal.export(root / "out", full=True)
    hub = make_replica(root / "hub.db", "Регион", "coordinator", hub_region="Регион")
    hub.trust(municipal, "Муниципальный координатор", "*", "coordinator")
    return bundle, hub


def organisations(hub: Replica) -> set[str]:
    with hub.open() as store:
        return {row["id"] for row in sync_state.organisations(store)}


def test_unknown_school_refused_without_a_terminal(tmp_path: Path) -> None:
    bundle, hub = school_bundle(tmp_path)
    run = cli("import", bundle, "--db", hub.db)
    assert run.code != 0
    assert f"Школа «{ORG_NAME}» ещё не известна хабу: пакет пропущен" in run.err
    assert "--yes" in run.err
    assert "не принят" in run.out or "НЕ" in run.out or "отклон" in run.out.casefold()
    assert ORG_ID not in organisations(hub)


def test_yes_creates_no_organisation_and_lists_the_closest(tmp_path: Path) -> None:
    bundle, hub = school_bundle(tmp_path)
    with hub.open() as store:
        save_roadmap(store, small_roadmap(organisation="МБОУ «Тестовая СОШ № 2»"))
    before = organisations(hub)
    run = cli("import", bundle, "--db", hub.db, "--yes")
    assert run.code != 0
    assert "пакет пропущен" in run.err and "Похожие организации" in run.err
    assert "МБОУ «Тестовая СОШ № 2»" in run.err and "--new-organisation" in run.err
    assert organisations(hub) == before


def test_a_named_new_organisation_is_created(tmp_path: Path) -> None:
    bundle, hub = school_bundle(tmp_path)
    run = cli("import", bundle, "--db", hub.db, "--new-organisation", "мбоу тестовая сош")
    assert run.code == 0, run.out + run.err
    assert ORG_ID in organisations(hub)


def test_an_organisation_the_trust_list_names_is_created(tmp_path: Path) -> None:
    """The coordinator bound a key to this organisation: the bundle may bring it in."""
    municipal = make_replica(tmp_path / "municipal.db", "Муниципалитет", "coordinator")
    with municipal.open() as store:
        save_roadmap(store, small_roadmap())
    bundle = municipal.export(tmp_path / "out", full=True)
    hub = make_replica(tmp_path / "hub.db", "Регион", "coordinator", hub_region="Регион")
    hub.trust(municipal, "Муниципальный координатор", ORG_ID, "coordinator")
    run = cli("import", bundle, "--db", hub.db, "--yes")
    assert run.code == 0, run.out + run.err
    assert ORG_ID in organisations(hub)


@pytest.mark.parametrize(("answer", "accepted"), [("д", True), ("", False), ("нет", False)])
def test_terminal_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, accepted: bool
) -> None:
    bundle, hub = school_bundle(tmp_path)
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return answer

    monkeypatch.setattr("builtins.input", fake_input)
    run = cli("import", bundle, "--db", hub.db)
    assert asked == [f"Школа «{ORG_NAME}» ещё не известна хабу. Создать? [д/Н] "]
    assert (run.code == 0) is accepted
    assert (ORG_ID in organisations(hub)) is accepted


def test_known_school_is_not_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        store.set_status(activity_id(store, "1"), Status.DONE)
    bundle = school.export(tmp_path / "out")
    monkeypatch.setattr("builtins.input", lambda _prompt: pytest.fail("asked"))
    run = cli("import", bundle, "--db", hub.db)
    assert run.code == 0, run.out + run.err


def test_all_schools(tmp_path: Path) -> None:
    hub = make_hub(tmp_path, small_roadmap(), small_roadmap(organisation=OTHER_NAME))
    out = tmp_path / "roadmaps"
    run = cli("export", "--roadmap", "--all-schools", "--to", out, "--db", hub.db)
    assert run.code == 0, run.out + run.err
    assert "Пакетов дорожных карт: 2 из 2" in run.out
    bundles = sorted(out.iterdir())
    assert len(bundles) == 2
    owners = {tuple(bundle_manifest(b)["organisations"]) for b in bundles}
    assert len(owners) == 2 and all(len(o) == 1 for o in owners)


def test_all_schools_needs_roadmap(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    run = cli("export", "--all-schools", "--db", hub.db)
    assert run.code != 0
    assert "--all-schools" in run.err


def test_the_apps_import_creates_no_organisation_either(tmp_path: Path) -> None:
    """The app and the folder import call the import with no question to ask: the default
    accepts only an organisation the trust list names."""
    bundle, hub = school_bundle(tmp_path)
    report = hub.import_(bundle)
    assert report.outcome == "refused"
    assert "ещё не известна сводной базе" in report.message
    assert ORG_ID not in organisations(hub)
