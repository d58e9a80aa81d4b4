"""Bundles say which version of the field vocabulary they are written in (domain/fields.py).

A replica refuses a bundle from a newer vocabulary as such («update the program»), instead of
calling a field or value it has never heard of bad; an older, an equal or an unstated one (a
bundle from a release before the key existed) is read as always.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from curator_tui.domain.fields import VOCABULARY_VERSION
from curator_tui.domain.models import Status
from curator_tui.domain.ops import Action, Entity
from curator_tui.sync.errors import BundleError
from curator_tui.sync.manifest import (
    NEWER_VOCABULARY,
    OPS_NAME,
    EntryInfo,
    build_manifest,
    canonical_json,
    parse_manifest,
)
from tests.bundle_helpers import (
    Replica,
    activity_id,
    bundle_manifest,
    forge,
    import_rows,
    make_hub,
    make_school,
    remote_op,
    snapshot,
)

NEWER = "пакет создан более новой версией программы"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Replica, Replica, str]:
    root = tmp_path_factory.mktemp("vocabulary")
    hub = make_hub(root)
    school = make_school(root, hub)
    with school.open() as store:
        activity = activity_id(store, "3")
    return root, hub, school, activity


def forged(
    pair: tuple[Path, Replica, Replica, str],
    name: str,
    seq: int,
    vocabulary: int | None,
    **op: object,
) -> Path:
    root, _hub, school, activity = pair
    ops = [remote_op(school.device_id, seq, Entity.ACTIVITY, activity, **op)]
    path = root / name / "bundle.curator"
    path.parent.mkdir()
    return forge(path, school.key, ops, vocabulary=vocabulary)


def status_of(hub: Replica, activity: str) -> str:
    with hub.open() as store:
        return store.activity(activity)["status"]


def test_an_exported_bundle_carries_this_program_s_vocabulary(
    pair: tuple[Path, Replica, Replica, str],
) -> None:
    root, _hub, school, activity = pair
    with school.open() as store:
        store.set_status(activity, Status.IN_PROGRESS)
    bundle = school.export(root / "exported")
    assert bundle_manifest(bundle)["vocabulary_version"] == VOCABULARY_VERSION


def test_a_newer_vocabulary_is_refused_as_newer_and_changes_nothing(
    pair: tuple[Path, Replica, Replica, str],
) -> None:
    _root, hub, _school, _activity = pair
    path = forged(pair, "newer", 500, VOCABULARY_VERSION + 1)
    before = snapshot(hub.db)
    report = hub.import_(path)
    assert report.outcome == "refused"
    assert [p.text for p in report.errors] == [NEWER_VOCABULARY]
    assert report.message.startswith(f"Пакет не принят: {NEWER}")
    assert "обновите «Куратор»" in report.message
    assert snapshot(hub.db) == before
    assert import_rows(hub.db)[-1]["message"] == report.message


def test_an_unknown_field_from_a_newer_vocabulary_is_not_called_bad(
    pair: tuple[Path, Replica, Replica, str],
) -> None:
    _root, hub, _school, _activity = pair
    newer = {"action": Action.SET, "field": "field_from_the_future", "value": "x"}
    report = hub.import_(forged(pair, "newer-field", 510, VOCABULARY_VERSION + 1, **newer))
    assert [p.text for p in report.errors] == [NEWER_VOCABULARY]
    # The same op claiming our own vocabulary is simply wrong.
    report = hub.import_(forged(pair, "same-field", 520, VOCABULARY_VERSION, **newer))
    assert report.outcome == "refused"
    assert "неизвестное поле «field_from_the_future»" in report.message
    assert NEWER not in report.message


def test_an_unknown_enum_value_from_a_newer_vocabulary_is_not_called_bad(
    pair: tuple[Path, Replica, Replica, str],
) -> None:
    _root, hub, _school, _activity = pair
    report = hub.import_(forged(pair, "newer-status", 530, VOCABULARY_VERSION + 7, value="paused"))
    assert [p.text for p in report.errors] == [NEWER_VOCABULARY]
    report = hub.import_(forged(pair, "same-status", 540, VOCABULARY_VERSION, value="paused"))
    assert "неверное значение поля «status»" in report.message


@pytest.mark.parametrize(
    ("vocabulary", "seq"),
    [(None, 600), (1, 610), (VOCABULARY_VERSION, 620)],
    ids=["unstated", "first", "ours"],
)
def test_an_older_equal_or_unstated_vocabulary_reads_as_today(
    pair: tuple[Path, Replica, Replica, str], vocabulary: int | None, seq: int
) -> None:
    _root, hub, _school, activity = pair
    value = Status.CANCELLED if seq % 20 else Status.DONE
    report = hub.import_(forged(pair, f"v-{seq}", seq, vocabulary, value=value.value))
    assert report.outcome == "accepted", report.problems
    assert status_of(hub, activity) == value


@pytest.mark.parametrize("bad", [0, -1, "2", 1.5, True, None])
def test_a_vocabulary_that_is_not_a_version_is_a_damaged_manifest(bad: object) -> None:
    """Our writer will not even write one (it checks what it signs), so read the bytes."""
    entries = {OPS_NAME: EntryInfo(size=0, sha256="0" * 64)}
    manifest = build_manifest(bundle_id="b", entries=entries, vocabulary=1)
    manifest["vocabulary_version"] = bad
    with pytest.raises(BundleError, match="Опись пакета повреждена: неверная версия словаря"):
        parse_manifest(canonical_json(manifest))
