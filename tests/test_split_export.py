"""Every change delivered within the receiver's limits: an export whose pending set is bigger
than one bundle may hold is written as numbered parts (…-1-of-3), each within the limits,
which the receiver imports one by one and so converges.

Real replicas and real signed bundles; the limits are lowered through `ExportOptions.limits`
instead of writing 200,000 ops.
"""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import pytest

from curator_tui.cli.sync import print_export
from curator_tui.domain.models import EvidenceKind, Status
from curator_tui.store.store import Store
from curator_tui.sync.exporting import ExportOptions, ExportResult, export_bundle
from curator_tui.sync.limits import PartLimits
from tests.bundle_helpers import (
    Replica,
    bundle_manifest,
    bundle_ops,
    cli,
    make_curator,
    make_hub,
    make_school,
)

SMALL = PartLimits(max_ops=6)


def busy_school(tmp_path: Path) -> tuple[Replica, Replica]:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        rows = store.activities()
        for round_ in range(3):
            for row in rows:
                store.set_status(row["id"], list(Status)[round_ % 3])
                store.add_note(row["id"], f"заметка {round_} к № {row['number']}")
    return hub, school


def export_for(
    source: Replica, target: Replica, folder: Path, limits: PartLimits = SMALL
) -> ExportResult:
    return export_bundle(
        source.db, ExportOptions(destination=folder, receiver=target.device_id, limits=limits)
    )


def progress_of(store: Store) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each activity's number, status and notes: what the school typed."""
    return [
        (row["number"], row["status"], tuple(sorted(n["text"] for n in store.notes(row["id"]))))
        for row in store.activities()
    ]


def test_a_big_export_is_split_into_numbered_parts_within_the_limits(tmp_path: Path) -> None:
    hub, school = busy_school(tmp_path)
    result = export_for(school, hub, tmp_path / "out")
    parts = list(result.paths)
    assert len(parts) > 2
    assert [p.name.rsplit("-of-", 1)[0].rsplit("-", 1)[1] for p in parts] == [
        str(n) for n in range(1, len(parts) + 1)
    ]
    assert all(p.name.endswith(f"-of-{len(parts)}.curator") for p in parts)
    assert all(len(bundle_ops(p)) <= SMALL.max_ops for p in parts)
    assert sum(len(bundle_ops(p)) for p in parts) >= result.ops
    assert f"Записано пакетов: {len(parts)}" in result.message
    # Each part starts where the one before ends, for the school's own ops.
    own = school.device_id
    spans = [bundle_manifest(p)["ranges"][own] for p in parts]
    assert all(b["from"] == a["to"] + 1 for a, b in itertools.pairwise(spans))


def test_the_parts_import_one_by_one_and_relay_on_to_a_fresh_replica(tmp_path: Path) -> None:
    hub, school = busy_school(tmp_path)
    for part in export_for(school, hub, tmp_path / "to-hub").paths:
        report = hub.import_(part)
        assert report.outcome == "accepted", report.problems
    with school.open() as typed, hub.open() as received:
        assert progress_of(received) == progress_of(typed)

    # The hub relays the school's ops on to a curator who has only the roadmap: it can cut
    # them only where the school attested them, which its own split export did.
    curator = make_curator(tmp_path, hub)
    relayed = export_for(hub, curator, tmp_path / "to-curator")
    assert len(relayed.paths) > 1
    for part in relayed.paths:
        assert len(bundle_ops(part)) <= SMALL.max_ops
        report = curator.import_(part)
        assert report.outcome == "accepted", report.problems
    with school.open() as typed, curator.open() as relay_end:
        assert progress_of(relay_end) == progress_of(typed)


def test_an_export_that_fits_is_one_bundle_named_as_before(tmp_path: Path) -> None:
    _hub, school = busy_school(tmp_path)
    result = export_bundle(school.db, ExportOptions(destination=tmp_path / "out"))
    assert result.paths == (result.path,)
    assert result.path is not None and "-of-" not in result.path.name
    assert result.message.startswith("Пакет записан")


def test_the_command_says_how_many_files_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub, school = busy_school(tmp_path)
    run = cli("export", "--db", school.db, "--to", tmp_path / "cli")
    assert run.code == 0, run.err
    assert run.out.startswith("Пакет (")  # one bundle: as before
    # What the command prints for a split export (its limits are the receivers' own).
    result = export_for(school, hub, tmp_path / "out")
    print_export(result)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"Записано пакетов: {len(result.paths)}")
    assert printed[1 : 1 + len(result.paths)] == [
        f"  {number}. {path.name}" for number, path in enumerate(result.paths, start=1)
    ]


def test_a_manifest_beyond_its_limit_splits_the_export_too(tmp_path: Path) -> None:
    """Every evidence file is an entry of the manifest: many files split the export so that
    each part's manifest stays within the receiver's limit."""
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    with school.open() as store:
        activity = store.activities()[0]["id"]
        for number in range(8):
            scan = tmp_path / f"скан-{number}.pdf"
            scan.write_bytes(f"протокол {number}".encode())
            store.attach_file(activity, scan, kind=EvidenceKind.PROTOCOL)
    whole = export_for(school, hub, tmp_path / "whole", limits=PartLimits())
    [single] = whole.paths
    limit = len(manifest_bytes(single)) - 400
    split = export_for(school, hub, tmp_path / "split", limits=PartLimits(max_manifest_size=limit))
    assert len(split.paths) > 1
    assert all(len(manifest_bytes(part)) <= limit for part in split.paths)
    for part in split.paths:
        assert hub.import_(part).outcome == "accepted"
    with hub.open() as store:
        assert len(store.evidence(activity)) == 8


def manifest_bytes(bundle: Path) -> bytes:
    with zipfile.ZipFile(bundle) as archive:
        return archive.read("manifest.json")
