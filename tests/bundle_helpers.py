"""Replicas made the way users make them (curator init, trust add, roadmap bundles), the
`curator` command run in-process, snapshots for byte-for-byte comparisons, and a forger of
bundles that are correctly signed but carry whatever ops a test wants."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from curator_tui.cli import main as curator_main
from curator_tui.domain.fields import VOCABULARY_VERSION
from curator_tui.domain.ops import Action, Entity, HlcStamp, Operation, new_id
from curator_tui.store.roadmaps import organisation_id
from curator_tui.store.store import Store
from curator_tui.sync import keys, replica, sshsig
from curator_tui.sync.bundles import (
    SOFTWARE,
    BundleInfo,
    BundleKind,
    Counts,
    DeviceInfo,
    DeviceRange,
    SignerDevice,
)
from curator_tui.sync.container import (
    OPS_NAME,
    BundleWriter,
    build_manifest,
    canonical_json,
    entry_zipinfo,
    evidence_name,
    new_bundle_id,
)
from curator_tui.sync.exporting import ExportOptions, export_bundle
from curator_tui.sync.importing import BundleReport, import_bundle
from curator_tui.sync.oprules import OPERATION_SHAPE
from curator_tui.sync.trust import TrustRole
from tests.conftest import small_roadmap

ORG_NAME = small_roadmap().organisation
ORG_ID = organisation_id(ORG_NAME)
OTHER_NAME = "МБОУ «Другая СОШ»"
OTHER_ID = organisation_id(OTHER_NAME)


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


def cli(*args: str | Path) -> CliRun:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = curator_main([str(a) for a in args])
    return CliRun(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class Replica:
    db: Path

    @property
    def paths(self) -> replica.ReplicaPaths:
        return replica.ReplicaPaths(self.db.with_name(self.db.name + ".files"))

    @property
    def pub(self) -> Path:
        return self.paths.device_public_key

    @property
    def key(self) -> Ed25519PrivateKey:
        return keys.load_private_key(self.paths.device_key)

    @property
    def age_recipient(self) -> str:
        return replica.replica_keys(self.db).age_recipient

    @contextlib.contextmanager
    def open(self) -> Iterator[Store]:
        with Store.open(self.db) as store:
            yield store

    @property
    def device_id(self) -> str:
        with self.open() as store:
            return store.device_id

    def export(self, folder: Path, **options: Any) -> Path:
        result = export_bundle(self.db, ExportOptions(destination=folder, **options))
        assert result.path is not None, "nothing was exported"
        return result.path

    def import_(self, bundle: Path) -> BundleReport:
        return import_bundle(self.db, bundle)

    def trust(self, other: Replica, name: str, organisation: str, role: str) -> None:
        replica.add_trust(
            self.db, str(other.pub), name=name, organisation=organisation, role=TrustRole(role)
        )


def make_replica(
    db: Path,
    name: str,
    role: str,
    *,
    organisation: str | None = None,
    coordinator: Replica | None = None,
    hub_region: str | None = None,
) -> Replica:
    replica.init_replica(
        db,
        replica.InitOptions(
            name=name,
            role=TrustRole(role),
            organisation=organisation,
            coordinator_key=str(coordinator.pub) if coordinator else None,
            hub_region=hub_region,
        ),
    )
    return Replica(db)


def make_hub(root: Path, *roadmaps: Any) -> Replica:
    from curator_tui.store.roadmaps import save_roadmap

    hub = make_replica(root / "hub.db", "Координатор", "coordinator", hub_region="Регион")
    with hub.open() as store:
        for parsed in roadmaps or (small_roadmap(),):
            save_roadmap(store, parsed)
    return hub


def make_school(root: Path, hub: Replica, name: str = "school", org: str = ORG_NAME) -> Replica:
    """A school that trusts its coordinator, is trusted back, and has the roadmap bundle."""
    school = make_replica(
        root / f"{name}.db", f"Ноутбук {name}", "school", organisation=org, coordinator=hub
    )
    hub.trust(school, f"Директор {name}", org, "school")
    folder = root / f"roadmap-for-{name}"
    bundle = hub.export(folder, roadmap=True, organisation=org)
    report = school.import_(bundle)
    assert report.outcome == "accepted", report.problems
    return school


def make_curator(root: Path, hub: Replica, org: str = ORG_NAME) -> Replica:
    curator = make_replica(root / "curator.db", "Куратор Иванова", "curator", coordinator=hub)
    hub.trust(curator, "Куратор Иванова", org, "curator")
    bundle = hub.export(root / "roadmap-for-curator", roadmap=True, organisation=org)
    assert curator.import_(bundle).outcome == "accepted"
    return curator


def activity_id(store: Store, number: str) -> str:
    [row] = store.find_activities(number)
    return str(row["id"])


# --- snapshots ------------------------------------------------------------------------------


def snapshot(db: Path) -> dict[str, Any]:
    """Everything an import may not change when it refuses a bundle."""
    with Store.open(db) as store:
        shot: dict[str, Any] = {"projection": store.dump_projection()}
        shot["op"] = store.db.execute("SELECT * FROM op ORDER BY op_id").fetchall()
        shot["setting"] = store.db.execute("SELECT * FROM local_setting ORDER BY key").fetchall()
        shot["device"] = store.db.execute("SELECT * FROM device ORDER BY id").fetchall()
        shot["evidence_files"] = evidence_files(store.evidence_files.root)
    return shot


def evidence_files(root: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file in the evidence store (temp files included)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def import_rows(db: Path) -> list[dict[str, Any]]:
    with Store.open(db) as store:
        return list(store.db.query("SELECT * FROM bundle_import ORDER BY rowid"))


# --- reading bundles --------------------------------------------------------------------------


def bundle_ops(path: Path) -> list[Operation]:
    with zipfile.ZipFile(path) as archive:
        lines = archive.read(OPS_NAME).decode().splitlines()
    return [OPERATION_SHAPE.validate_json(line) for line in lines]


def bundle_manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return dict(json.loads(archive.read("manifest.json")))


def fix_crc(data: bytes, name: str) -> bytes:
    """`data` with entry `name`'s CRC-32 recomputed in both its headers, as a forger would
    after changing its bytes (so the checks behind the CRC get their turn)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
        central = archive.start_dir  # type: ignore[attr-defined]
        for record in archive.infolist():
            if record.filename == name:
                break
            central += 46 + len(record.filename) + len(record.extra) + len(record.comment)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    crc = struct.pack("<I", zlib.crc32(data[start : start + info.file_size]))
    fixed = bytearray(data)
    fixed[info.header_offset + 14 : info.header_offset + 18] = crc
    fixed[central + 16 : central + 20] = crc
    return bytes(fixed)


# --- forging signed bundles ---------------------------------------------------------------------


def write_zip(path: Path, items: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    """A ZIP laid out as our writer lays it out; an item given as a ZipInfo keeps the oddity
    a test gave it (compression, a symlink's mode, a bad name). Duplicates are allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of some tests
        with zipfile.ZipFile(path, "w") as archive:
            for item, data in items:
                info = entry_zipinfo(item) if isinstance(item, str) else item
                with archive.open(info, "w", force_zip64=True) as target:
                    target.write(data)
    return path


def forge(
    path: Path,
    key: Ed25519PrivateKey,
    ops: list[Operation],
    *,
    evidence: dict[str, bytes] | None = None,
    kind: BundleKind = BundleKind.CHANGES,
    device_id: str | None = None,
    role: str = "school",
    ranges: dict[str, DeviceRange] | None = None,
    counts: Counts | None = None,
    public_key: str | None = None,
    vocabulary: int | None = VOCABULARY_VERSION,
) -> Path:
    """A well-formed, genuinely signed bundle around arbitrary ops (as a malicious signer would)."""
    evidence = evidence or {}
    device_id = device_id or (ops[0].device_id if ops else "f" * 32)
    if ranges is None:
        ranges = {}
        for op in ops:
            span = ranges.get(op.device_id)
            low, high = (span.start, span.end) if span else (op.seq, op.seq)
            ranges[op.device_id] = DeviceRange(start=min(low, op.seq), end=max(high, op.seq))
    source = path.with_name(path.name + ".src")
    source.mkdir(parents=True, exist_ok=True)
    with BundleWriter(path) as writer:
        writer.add_bytes(OPS_NAME, "".join(op.to_json_line() + "\n" for op in ops).encode())
        for sha256, data in sorted(evidence.items()):
            blob = source / sha256
            blob.write_bytes(data)
            writer.add_file(evidence_name(sha256), blob)
        info = BundleInfo(
            kind=kind,
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            software=SOFTWARE,
            device=SignerDevice(
                id=device_id,
                name="Подделка",
                role=role,
                public_key=public_key or keys.public_key_line(key.public_key()),
            ),
            organisations=[],
            organisation_names={},
            ranges=ranges,
            devices={d: DeviceInfo(name="", role="", public_key="") for d in ranges},
            counts=counts
            or Counts(
                ops=len(ops),
                evidence_files=len(evidence),
                evidence_bytes=sum(len(d) for d in evidence.values()),
            ),
        )
        manifest = canonical_json(
            build_manifest(
                bundle_id=new_bundle_id(),
                entries=writer.entries,
                extra=info.to_json(),
                vocabulary=vocabulary,
            )
        )
        writer.finish(manifest, sshsig.sign(key, manifest, sshsig.BUNDLE_NAMESPACE))
    return path


def remote_op(device: str, seq: int, entity: Entity, entity_id: str, **kwargs: Any) -> Operation:
    """An op as another device would have made it: by default, its activity's status «done»."""
    defaults: dict[str, Any] = {"action": Action.SET, "field": "status", "value": "done"}
    return Operation(
        op_id=new_id(),
        device_id=device,
        seq=seq,
        hlc=str(HlcStamp(1_740_000_000_000 + seq, 0)),
        entity=entity,
        entity_id=entity_id,
        **{**defaults, **kwargs},
    )
