"""Authored operations: an op in device D's name is accepted only with proof from D's key.

The proof is D's hash chain (store/authorship.py) and an attestation — D's Ed25519 signature
over (device, seq, chain head), made once per export — which relays store and carry
unchanged. A bundle's manifest carries, per author, the chain value before the ops it holds
of that author, the attestation at the last of them and the digests of the seqs in between it
leaves out (`authors`, bundles.Authorship). The receiver recomputes the chain from the op lines
it got and checks the signature with the key it has bound to D. The signer's own ops need no
attestation: the bundle signature is the signer's key, which is bound to its device id.

Binding device → key, once, never replaced: by the device's own bundle (its signing key, in
the trust list), or, for a device a relay introduces, by its id (ids made from now on are the
key's own hash, `keys.device_id_for`) or by the trust list holding the key (older random ids).
So nobody can create, alter, re-stamp or pre-empt another device's ops (docs/bundle-format.md).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from curator_tui.domain.ops import Operation
from curator_tui.store import authorship as chains
from curator_tui.store.authorship import Attestation, Proofs, Segment, Window
from curator_tui.store.store import Store
from curator_tui.sync import keys
from curator_tui.sync.bundles import Authorship, BundleInfo
from curator_tui.sync.errors import KeyFileError
from curator_tui.sync.limits import MAX_PASSED
from curator_tui.sync.trust import TrustList

CONTEXT = b"curator-chain@v1\n"


def attestation_message(device_id: str, seq: int, head: bytes) -> bytes:
    return CONTEXT + f"{device_id}\n{seq}\n{head.hex()}".encode("ascii")


def line_digests(ops_bytes: bytes) -> list[bytes]:
    """SHA-256 of each op line, in order: parsing refused any line not canonical, so a line
    is exactly `Operation.to_json_line()` of its op."""
    return [hashlib.sha256(line).digest() for line in ops_bytes.split(b"\n")[:-1]]


# --- writing: what an export proves -------------------------------------------------------


def attest_own_ops(store: Store, key: Ed25519PrivateKey) -> None:
    """Chain this device's own ops and sign the head, unless signed already."""
    seq, head = chains.own_chain_head(store)
    if seq and chains.own_attestation(store, seq) is None:
        signature = key.sign(attestation_message(store.device_id, seq, head))
        chains.record_own_attestation(store, Attestation(store.device_id, seq, head, signature))


def windows_for(
    store: Store,
    known: Mapping[str, int],
    carries: Callable[[Operation], bool],
    budget: int = MAX_PASSED,
) -> dict[str, Window]:
    """Per device this replica holds ops of: what it can prove past what the receiver is
    known to hold, as far as the digests of the ops it leaves out (`carries` says which it
    would carry) fit in the manifest (`budget` of them). A device without a window is not
    relayed."""
    bound = chains.bound_keys(store.conn, store.sequence_heads())
    windows: dict[str, Window] = {}
    for device_id in sorted(bound):
        window = chains.provable_window(store.conn, device_id, known.get(device_id, 0) + 1)
        if window is None:
            continue
        left_out = sorted(set(window.digests) - carried_seqs(store, device_id, window, carries))
        fitted = [a for a in window.heads if bisect_right(left_out, a.seq) <= budget]
        if fitted:
            windows[device_id] = window.ending_at(fitted[-1])
            budget -= bisect_right(left_out, fitted[-1].seq)
    return windows


def carried_seqs(
    store: Store, device_id: str, window: Window, carries: Callable[[Operation], bool]
) -> set[int]:
    return {
        op.seq
        for op in chains.ops_between(store, device_id, window.start, window.attestation.seq)
        if carries(op)
    }


def authors_entries(
    store: Store,
    windows: Mapping[str, Window],
    written: Mapping[str, set[int]],
    budget: int = MAX_PASSED,
) -> dict[str, Authorship]:
    """The manifest's `authors`: every window the bundle carries an op of (and this device's
    own, so the receiver can relay them), with digests of the seqs it leaves out (`budget`
    of them at most)."""
    own = store.device_id
    bound = chains.bound_keys(store.conn, windows)
    entries: dict[str, Authorship] = {}
    for device_id, window in sorted(windows.items()):
        carried = written.get(device_id, set())
        end = window.attestation.seq
        if device_id != own and not any(window.start <= s <= end for s in carried):
            continue
        passed = {str(s): d.hex() for s, d in window.digests.items() if s not in carried}
        if len(passed) > budget:  # `windows_for` foresaw fewer: the receiver is told less
            continue
        budget -= len(passed)
        entries[device_id] = Authorship(
            key=bound[device_id],
            start=window.start,
            seq=end,
            base=window.base.hex(),
            head=window.attestation.head.hex(),
            sig=base64.b64encode(window.attestation.signature).decode("ascii"),
            passed=passed,
        )
    return entries


# --- reading: checking a bundle's authorship -------------------------------------------------


@dataclass
class Check:
    store: Store
    info: BundleInfo
    trust: TrustList
    names: Mapping[str, str]
    problems: list[str] = field(default_factory=list)
    proofs: Proofs = field(default_factory=Proofs)

    def name(self, device_id: str) -> str:
        name = self.names.get(device_id)
        return f"«{name}» ({device_id[:8]})" if name else device_id[:8]


def check_authorship(
    store: Store,
    info: BundleInfo,
    ops: Sequence[Operation],
    digests: Sequence[bytes],
    trust: TrustList,
    names: Mapping[str, str],
) -> tuple[list[str], Proofs]:
    """Problems (Russian, one per device at most) and, if none, the proofs to store."""
    check = Check(store, info, trust, names)
    signer = info.device.id
    carried: dict[str, dict[int, bytes]] = defaultdict(dict)
    for op, digest in zip(ops, digests, strict=True):
        carried[op.device_id][op.seq] = digest
    bound = chains.bound_keys(store.conn, {signer, *carried, *info.authors})
    signer_key = normal_key(info.device.public_key)
    if not check_binding(check, signer, signer_key, bound, introduced=False):
        return check.problems, check.proofs
    unproved: list[tuple[str, int]] = []  # ops no proof in this bundle covers
    for device_id in sorted(set(carried) | set(info.authors)):
        proof = info.authors.get(device_id)
        covered = range(0)
        if proof is not None:
            if not check_proof(check, device_id, proof, carried[device_id], bound):
                continue
            covered = range(proof.start, proof.seq + 1)
        if device_id != signer:  # the signer's own ops: proved by the bundle signature
            unproved += [(device_id, seq) for seq in carried[device_id] if seq not in covered]
    if unproved:
        check_held_or_proved_before(check, ops, digests, set(unproved))
    return check.problems, check.proofs


@functools.lru_cache(maxsize=256)
def parsed_key(line: str) -> Ed25519PublicKey | None:
    """The key of a public key line (None if damaged); a bundle names its keys several times."""
    try:
        key, _comment = keys.parse_public_key_line(line)
    except KeyFileError:
        return None
    return key


def normal_key(line: str) -> str | None:
    key = parsed_key(line)
    return None if key is None else keys.public_key_line(key)


def check_binding(
    check: Check,
    device_id: str,
    key_line: str | None,
    bound: Mapping[str, str],
    *,
    introduced: bool,
) -> bool:
    """Whether `key_line` may author `device_id`'s ops; binds it if first seen.

    `introduced`: the key comes from a relay, not from the device's own signed bundle."""
    if key_line is None:
        check.problems.append(f"ключ автора изменений устройства {check.name(device_id)} повреждён")
        return False
    known = bound.get(device_id) or check.proofs.keys.get(device_id)
    if known is not None:
        if known == key_line:
            return True
        check.problems.append(
            f"устройство {check.name(device_id)} известно этой базе с другим ключом: его "
            "изменения с этим ключом не принимаются (пакет подделан или ключ устройства "
            "заменён; если ключ заменён законно, устройству нужен новый идентификатор — "
            "curator init в новой базе)"
        )
        return False
    if introduced and not self_certified(device_id, key_line, check.trust):
        check.problems.append(
            f"изменения устройства {check.name(device_id)}, которое этой базе ещё не известно, "
            "принесло другое устройство, а ключ автора нельзя проверить: его нет в списке "
            "доверия, и идентификатор устройства не выведен из ключа. Импортируйте сначала "
            "пакет самого этого устройства или добавьте его ключ: curator trust add"
        )
        return False
    check.proofs.keys[device_id] = key_line
    return True


def self_certified(device_id: str, key_line: str, trust: TrustList) -> bool:
    key = parsed_key(key_line)
    assert key is not None  # a normalised line
    return keys.device_id_for(key) == device_id or trust.find(key) is not None


def check_proof(
    check: Check,
    device_id: str,
    proof: Authorship,
    carried: Mapping[int, bytes],
    bound: Mapping[str, str],
) -> bool:
    """The chain from `base` through the carried and passed digests reaches the attested
    head, the head is signed by the device's bound key, and it agrees with what is stored."""
    key_line = normal_key(proof.key)
    signer = check.info.device.id
    if device_id == signer and key_line != normal_key(check.info.device.public_key):
        check.problems.append(
            f"изменения устройства {check.name(device_id)} подтверждены не тем ключом, "
            "которым подписан пакет"
        )
        return False
    if not check_binding(check, device_id, key_line, bound, introduced=device_id != signer):
        return False
    assert key_line is not None  # check_binding refused a damaged one
    digests = chain_digests(check, device_id, proof, carried)
    if digests is None:
        return False
    segment = Segment(device_id, proof.start, bytes.fromhex(proof.base), tuple(digests))
    head = bytes.fromhex(proof.head)
    signature = base64.b64decode(proof.sig)
    link = segment.head
    stored = chains.stored_links(check.store.conn, device_id, {proof.start - 1, proof.seq})
    agrees = (
        link == head
        and (proof.start > 1 or segment.base == chains.ZERO_LINK)
        and stored.get(proof.start - 1, segment.base) == segment.base
        and stored.get(proof.seq, head) == head
    )
    if not agrees or not signed_by(key_line, device_id, proof.seq, head, signature):
        check.problems.append(
            f"изменения устройства {check.name(device_id)} № {proof.start}–{proof.seq} не "
            "подтверждены его подписью: цепочка изменений не сходится (изменения подделаны, "
            "изменены или пропущены по дороге)"
        )
        return False
    check.proofs.segments.append(segment)
    check.proofs.attestations.append(Attestation(device_id, proof.seq, head, signature))
    if proof.start > 1 and proof.start - 1 not in stored:
        check.proofs.segments.extend(confirmed_history(check.store, device_id, segment))
    return True


def confirmed_history(store: Store, device_id: str, proved: Segment) -> list[Segment]:
    """The device's ops 1…start-1 this replica holds from before db/0010, if the proved chain
    continues exactly them: then they are the author's too, and can be relayed."""
    held = chains.ops_between(store, device_id, 1, proved.start - 1)
    if len(held) != proved.start - 1:
        return []
    history = Segment(device_id, 1, chains.ZERO_LINK, tuple(map(chains.op_digest, held)))
    return [history] if history.head == proved.base else []


def chain_digests(
    check: Check, device_id: str, proof: Authorship, carried: Mapping[int, bytes]
) -> list[bytes] | None:
    """The digest of every seq from…seq: of the carried op, else as passed, else as stored."""
    missing = [
        s
        for s in range(proof.start, proof.seq + 1)
        if s not in carried and str(s) not in proof.passed
    ]
    stored = chains.stored_digests(check.store.conn, device_id, missing) if missing else {}
    digests: list[bytes] = []
    for seq in range(proof.start, proof.seq + 1):
        passed = proof.passed.get(str(seq))
        digest = carried.get(seq) or (bytes.fromhex(passed) if passed else stored.get(seq))
        if digest is None or (seq in carried and passed is not None):
            check.problems.append(
                f"изменения устройства {check.name(device_id)}: в цепочке его подписи нет "
                f"изменения № {seq} (пропущено по дороге)"
            )
            return None
        digests.append(digest)
    return digests


def check_held_or_proved_before(
    check: Check,
    ops: Sequence[Operation],
    digests: Sequence[bytes],
    slots: set[tuple[str, int]],
) -> None:
    """Ops of other devices outside this bundle's proofs: each must be held here already
    (the clash check compares it byte for byte) or be one an earlier proof stored."""
    outside = [
        (op, d) for op, d in zip(ops, digests, strict=True) if (op.device_id, op.seq) in slots
    ]
    held = chains.held_op_ids(check.store.conn, (op.op_id for op, _d in outside))
    new: dict[str, dict[int, bytes]] = defaultdict(dict)
    for op, digest in outside:
        if op.op_id not in held:
            new[op.device_id][op.seq] = digest
    for device_id, seqs in sorted(new.items()):
        stored = chains.stored_digests(check.store.conn, device_id, seqs)
        unproved = sorted(s for s, d in seqs.items() if stored.get(s) != d)
        if unproved:
            check.problems.append(
                f"изменение № {unproved[0]} устройства {check.name(device_id)} не подтверждено "
                "подписью этого устройства: пакет может приносить изменения другого устройства "
                "только вместе с его подписью"
            )


def signed_by(key_line: str, device_id: str, seq: int, head: bytes, signature: bytes) -> bool:
    key = parsed_key(key_line)
    assert key is not None  # a normalised line
    try:
        key.verify(signature, attestation_message(device_id, seq, head))
    except InvalidSignature:
        return False
    return True
