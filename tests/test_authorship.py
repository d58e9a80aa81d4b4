"""Authored operations: an op in a device's name is accepted only with proof from its key.

Real replicas (school → curator → hub) and real signed bundles; the forgeries are what a
malicious relay can do with a genuine bundle and its own key: re-sign it with ops added,
altered, dropped or invented, attestations replayed or re-signed with another key.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from curator_tui.domain.models import Status
from curator_tui.domain.ops import Entity, HlcStamp, Operation
from curator_tui.store import authorship as chains
from curator_tui.store.database import migration_files
from curator_tui.store.store import Store
from curator_tui.sync import keys, replica, sshsig
from curator_tui.sync.authorship import attestation_message
from curator_tui.sync.container import (
    OPS_NAME,
    BundleWriter,
    build_manifest,
    canonical_json,
    new_bundle_id,
)
from curator_tui.sync.importing import import_bundles
from tests.bundle_helpers import (
    ORG_NAME,
    Replica,
    activity_id,
    bundle_manifest,
    bundle_ops,
    make_curator,
    make_hub,
    make_school,
    remote_op,
)
from tests.test_peer_delivery import deliver, edit, send

Manifest = dict[str, Any]


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Replica]:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", ORG_NAME, "school")
    school.trust(curator, "Куратор Иванова", ORG_NAME, "curator")
    for number in ("1", "2", "3"):
        edit(school, number, Status.DONE)
    deliver(school, curator, tmp_path / "visit")  # the curator's visit: school's № 1–3
    return {"hub": hub, "school": school, "curator": curator}


def relay(world: dict[str, Replica], folder: Path) -> Path:
    bundle = send(world["curator"], world["hub"], folder)
    assert bundle is not None
    return bundle


def resign(
    bundle: Path,
    key: Any,
    *,
    ops: Callable[[list[Operation]], list[Operation]] = lambda ops: ops,
    manifest: Callable[[Manifest], None] = lambda m: None,
) -> Path:
    """The bundle again, its ops and manifest changed, signed with `key` (the relay's)."""
    old = bundle_manifest(bundle)
    changed = ops(bundle_ops(bundle))
    target = bundle.with_name("forged-" + bundle.name)
    with BundleWriter(target) as writer:
        writer.add_bytes(OPS_NAME, "".join(op.to_json_line() + "\n" for op in changed).encode())
        extra = {
            k: v
            for k, v in old.items()
            if k not in ("format", "format_version", "vocabulary_version", "bundle_id", "entries")
        }
        extra["counts"] = {**extra["counts"], "ops": len(changed)}
        for op in changed:
            span = extra["ranges"].setdefault(op.device_id, {"from": op.seq, "to": op.seq})
            span["from"], span["to"] = min(span["from"], op.seq), max(span["to"], op.seq)
        manifest(extra)
        data = canonical_json(
            build_manifest(bundle_id=new_bundle_id(), entries=writer.entries, extra=extra)
        )
        writer.finish(data, sshsig.sign(key, data, sshsig.BUNDLE_NAMESPACE))
    return target


def refused(report: Any, text: str) -> None:
    assert report.outcome == "refused", report.problems
    assert any(text in p.text for p in report.errors), [p.text for p in report.errors]


def school_ops(bundle: Path, school: Replica) -> list[Operation]:
    return [op for op in bundle_ops(bundle) if op.device_id == school.device_id]


# --- the honest path ---------------------------------------------------------------------------


def test_a_new_device_id_is_its_keys_hash(world: dict[str, Replica]) -> None:
    for each in world.values():
        key = keys.load_private_key(each.paths.device_key).public_key()
        assert each.device_id == keys.device_id_for(key)


def test_school_to_curator_to_hub_carries_the_schools_attestation(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, hub = world["school"], world["hub"]
    bundle = relay(world, tmp_path / "relay")
    proof = bundle_manifest(bundle)["authors"][school.device_id]
    assert (proof["from"], proof["seq"], proof["passed"]) == (1, 3, {})
    assert [op.seq for op in school_ops(bundle, school)] == [1, 2, 3]
    report = hub.import_(bundle)
    assert report.outcome == "accepted", report.problems
    assert report.applied >= 3
    with hub.open() as store:
        assert chains.bound_keys(store.conn, [school.device_id]) == {
            school.device_id: keys.public_key_line(school.key.public_key())
        }
        # The hub can relay them on: the chain values and the attestation are stored.
        window = chains.provable_window(store.conn, school.device_id, 1)
        assert window is not None and window.attestation.seq == 3


def test_a_relay_never_carries_a_devices_ops_past_its_attested_head(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, curator = world["school"], world["curator"]
    with curator.open() as store:  # the curator holds № 4, but no attestation covers it
        store.conn.execute("DELETE FROM attestation WHERE device_id = ?", (school.device_id,))
        store.conn.commit()
    bundle = relay(world, tmp_path / "relay")
    assert school_ops(bundle, school) == []
    assert school.device_id not in bundle_manifest(bundle).get("authors", {})
    assert world["hub"].import_(bundle).outcome == "accepted"


def test_the_signers_own_ops_need_no_attestation_but_carry_one(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, hub = world["school"], world["hub"]
    bundle = school.export(tmp_path / "own")
    assert bundle_manifest(bundle)["authors"][school.device_id]["seq"] == 3
    stripped = resign(bundle, school.key, manifest=lambda m: m.pop("authors"))
    assert hub.import_(stripped).outcome == "accepted"


# --- forgeries by a relay ----------------------------------------------------------------------


def test_a_relay_cannot_add_an_op_in_another_devices_name(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, curator, hub = world["school"], world["curator"], world["hub"]
    with school.open() as store:
        activity = activity_id(store, "3.1")
    invented = remote_op(school.device_id, 4, Entity.ACTIVITY, activity)
    forged = resign(relay(world, tmp_path / "r"), curator.key, ops=lambda ops: [*ops, invented])
    refused(hub.import_(forged), "изменение № 4 устройства")


@pytest.mark.parametrize("what", ["value", "stamp", "seq"])
def test_a_relay_cannot_alter_another_devices_op(
    tmp_path: Path, world: dict[str, Replica], what: str
) -> None:
    school, curator, hub = world["school"], world["curator"], world["hub"]

    def alter(ops: list[Operation]) -> list[Operation]:
        changes: dict[str, Any] = {
            "value": {"value": "not_started"},
            "stamp": {"hlc": str(HlcStamp(4_000_000_000_000, 0))},
            "seq": {"seq": 3},
        }[what]
        out = []
        for op in ops:
            if op.device_id == school.device_id and op.seq == (2 if what == "seq" else 3):
                op = Operation(**{**op.to_dict(), **changes})
            out.append(op)
        if what == "seq":  # № 2 renumbered to № 3, the real № 3 dropped
            out = [op for op in out if op.op_id != ops_by_seq(ops, school, 3).op_id]
        return out

    forged = resign(relay(world, tmp_path / "r"), curator.key, ops=alter)
    reason = "нет изменения № 2" if what == "seq" else "не подтверждены его подписью"
    refused(hub.import_(forged), reason)


def ops_by_seq(ops: list[Operation], school: Replica, seq: int) -> Operation:
    [op] = [op for op in ops if op.device_id == school.device_id and op.seq == seq]
    return op


def test_a_relay_cannot_pre_empt_a_device_the_receiver_has_not_seen(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    curator, hub = world["curator"], world["hub"]
    newcomer = make_school(tmp_path, hub, name="newcomer")
    with newcomer.open() as store:
        activity = activity_id(store, "2")
    fresh = keys.generate_device_key()  # the relay's own key, posing as the newcomer's
    invented = remote_op(newcomer.device_id, 1, Entity.ACTIVITY, activity)
    forged = resign(
        relay(world, tmp_path / "r"),
        curator.key,
        ops=lambda ops: [*ops, invented],
        manifest=lambda m: m.setdefault("authors", {}).update(
            {newcomer.device_id: attest(fresh, newcomer.device_id, [invented])}
        ),
    )
    refused(hub.import_(forged), "ещё не известно")
    # The real device is not jammed: its own bundle (its seq 1 is a different op) goes in.
    edit(newcomer, "2", Status.DONE)
    report = hub.import_(newcomer.export(tmp_path / "real"))
    assert report.outcome == "accepted", report.problems


def attest(key: Any, device_id: str, ops: list[Operation], start: int = 1) -> dict[str, Any]:
    """An authors entry for `ops` (seq start…), signed with `key`."""
    link = chains.ZERO_LINK
    for op in ops:
        link = chains.next_link(link, chains.op_digest(op))
    seq = start + len(ops) - 1
    return {
        "base": chains.ZERO_LINK.hex(),
        "from": start,
        "head": link.hex(),
        "key": keys.public_key_line(key.public_key()),
        "passed": {},
        "seq": seq,
        "sig": base64.b64encode(key.sign(attestation_message(device_id, seq, link))).decode(),
    }


def test_a_relay_cannot_present_another_key_for_a_known_device(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, curator, hub = world["school"], world["curator"], world["hub"]
    deliver(school, hub, tmp_path / "direct")  # the hub binds the school to its key
    edit(school, "3.1", Status.DONE)
    deliver(school, curator, tmp_path / "visit2")
    bundle = relay(world, tmp_path / "r")
    fresh = keys.generate_device_key()
    ours = school_ops(bundle, school)

    def rekey(manifest: Manifest) -> None:
        proof = attest(fresh, school.device_id, ours, start=ours[0].seq)
        proof["base"] = manifest["authors"][school.device_id]["base"]
        link = bytes.fromhex(proof["base"])
        for op in ours:
            link = chains.next_link(link, chains.op_digest(op))
        proof["head"] = link.hex()
        message = attestation_message(school.device_id, proof["seq"], link)
        proof["sig"] = base64.b64encode(fresh.sign(message)).decode()
        manifest["authors"][school.device_id] = proof

    refused(hub.import_(resign(bundle, curator.key, manifest=rekey)), "с другим ключом")


def test_a_relay_cannot_drop_an_op_in_the_middle_of_a_chain(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, curator, hub = world["school"], world["curator"], world["hub"]
    bundle = relay(world, tmp_path / "r")
    dropped = ops_by_seq(bundle_ops(bundle), school, 2)
    forged = resign(
        bundle, curator.key, ops=lambda ops: [op for op in ops if op.op_id != dropped.op_id]
    )
    refused(hub.import_(forged), "нет изменения № 2")


def test_a_left_out_op_is_named_by_its_digest_and_cannot_be_replaced(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    """A relay may leave out an op it cannot sign, naming its digest; the receiver then
    accepts only that very op under that number."""
    school, curator, hub = world["school"], world["curator"], world["hub"]
    bundle = relay(world, tmp_path / "r")
    left_out = ops_by_seq(bundle_ops(bundle), school, 2)

    def name_digest(manifest: Manifest) -> None:
        manifest["authors"][school.device_id]["passed"] = {"2": chains.op_digest(left_out).hex()}

    honest = resign(
        bundle,
        curator.key,
        ops=lambda ops: [op for op in ops if op.op_id != left_out.op_id],
        manifest=name_digest,
    )
    assert hub.import_(honest).outcome == "accepted"
    other = Operation(**{**left_out.to_dict(), "value": "not_started", "op_id": "e" * 32})
    forged = resign(
        bundle,
        curator.key,
        ops=lambda ops: [other],
        manifest=lambda m: m.pop("authors"),
    )
    refused(hub.import_(forged), "изменение № 2 устройства")


@pytest.mark.parametrize("resigned", [False, True])
def test_a_relay_cannot_replay_an_old_attestation_with_new_ops(
    tmp_path: Path, world: dict[str, Replica], resigned: bool
) -> None:
    school, curator, hub = world["school"], world["curator"], world["hub"]
    bundle = relay(world, tmp_path / "r")
    with school.open() as store:
        activity = activity_id(store, "3.1")
    invented = remote_op(school.device_id, 4, Entity.ACTIVITY, activity)

    def stretch(manifest: Manifest) -> None:
        proof = manifest["authors"][school.device_id]
        if resigned:  # the old signature, over a head that now includes № 4
            link = bytes.fromhex(proof["head"])
            proof["head"] = chains.next_link(link, chains.op_digest(invented)).hex()
            proof["seq"] = 4

    forged = resign(bundle, curator.key, ops=lambda ops: [*ops, invented], manifest=stretch)
    refused(hub.import_(forged), "изменени")
    with hub.open() as store:
        assert store.conn.execute(
            "SELECT COUNT(*) FROM op WHERE device_id = ?", (school.device_id,)
        ).fetchone() == (0,)


def test_a_refused_forgery_does_not_stop_the_other_bundles(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, curator, hub = world["school"], world["curator"], world["hub"]
    bundle = relay(world, tmp_path / "r")
    forged = resign(bundle, curator.key, manifest=lambda m: m.pop("authors"))
    tampered = resign(
        bundle,
        curator.key,
        ops=lambda ops: [
            Operation(**{**op.to_dict(), "value": "not_started"})
            if op.device_id == school.device_id and op.seq == 1
            else op
            for op in ops
        ],
    )
    reports = import_bundles(hub.db, [tampered, bundle, forged])
    assert reports[0].outcome == "refused"
    assert reports[1].outcome == "accepted", reports[1].problems


@pytest.mark.parametrize("trusted", [True, False])
def test_a_legacy_random_id_is_taken_from_a_relay_only_with_a_trusted_key(
    tmp_path: Path, world: dict[str, Replica], trusted: bool
) -> None:
    """A device made before ids came from keys: only its key in the trust list binds it."""
    curator, hub = world["curator"], world["hub"]
    with Store.open(tmp_path / "legacy.db", create=True) as store:  # used before `init`
        store.init_device(name="", role="", public_key="ssh-ed25519 used")
    legacy = make_school(tmp_path, hub, name="legacy")
    assert legacy.device_id != keys.device_id_for(legacy.key.public_key())
    curator.trust(legacy, "Директор 2", ORG_NAME, "school")
    legacy.trust(curator, "Куратор Иванова", ORG_NAME, "curator")
    edit(legacy, "2", Status.DONE)
    deliver(legacy, curator, tmp_path / "visit-legacy")
    if not trusted:
        replica.remove_trust(hub.db, keys.fingerprint(legacy.key.public_key()))
    report = hub.import_(relay(world, tmp_path / "r"))
    if trusted:
        assert report.outcome == "accepted", report.problems
    else:
        refused(report, "ещё не известно")


def test_a_migrated_file_binds_the_keys_it_knew_and_chains_its_own_ops_at_export(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    school, curator = world["school"], world["curator"]
    with sqlite3.connect(curator.db) as conn:  # a v9 file that had met the school, upgraded
        for table in ("op_link", "attestation", "author_key"):
            conn.execute(f"DROP TABLE {table}")
        [upgrade] = [path for version, path in migration_files() if version == 10]
        conn.executescript(upgrade.read_text(encoding="utf-8"))
    with curator.open() as store:
        bound = chains.bound_keys(store.conn, [school.device_id])
        assert bound == {school.device_id: keys.public_key_line(school.key.public_key())}
        assert chains.provable_window(store.conn, school.device_id, 1) is None
    # The school's ops held before are history: not relayed until the school attests them.
    bundle = relay(world, tmp_path / "r")
    assert school_ops(bundle, school) == []
    with school.open() as store:  # the school's own file: chained from № 1 at its export
        store.conn.execute("DELETE FROM op_link")
        store.conn.execute("DELETE FROM attestation")
        store.conn.commit()
    deliver(school, curator, tmp_path / "again")
    assert [op.seq for op in school_ops(relay(world, tmp_path / "r2"), school)] == [1, 2, 3]


def test_history_from_before_authorship_is_confirmed_by_the_authors_next_proof(
    tmp_path: Path, world: dict[str, Replica]
) -> None:
    """A migrated hub held the school's № 1–3 unchained; the school's next bundle starts at
    № 4 from link(3), which the hub's own copy of № 1–3 reproduces: it can relay them all."""
    school, hub = world["school"], world["hub"]
    deliver(school, hub, tmp_path / "direct")
    deliver(hub, school, tmp_path / "ack")  # the school learns the hub holds № 1–3
    with hub.open() as store:  # as if № 1–3 had arrived before db/0010
        store.conn.execute("DELETE FROM op_link")
        store.conn.execute("DELETE FROM attestation WHERE device_id <> ?", (hub.device_id,))
        store.conn.commit()
    edit(school, "3.1", Status.DONE)
    bundle = send(school, hub, tmp_path / "next")
    assert bundle is not None
    assert bundle_manifest(bundle)["authors"][school.device_id]["from"] == 4
    assert hub.import_(bundle).outcome == "accepted"
    with hub.open() as store:
        window = chains.provable_window(store.conn, school.device_id, 1)
        assert window is not None and (window.start, window.attestation.seq) == (1, 4)
