"""How a replica stores the chain values it proved (store/authorship.py, op_link): a run as
two rows, read back as every seq's digest and link, and files written one row per seq (as
db/0010 first did) read the same."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from curator_tui.domain.models import Status
from curator_tui.store import authorship as chains
from curator_tui.store.authorship import ZERO_LINK, Attestation, ChainValue, Segment
from curator_tui.store.database import transaction
from curator_tui.store.store import Store
from tests.bundle_helpers import ORG_NAME, Replica, make_curator, make_hub, make_school
from tests.test_peer_delivery import deliver, edit, send

DEVICE = "d" * 32


def digest(n: int) -> bytes:
    return hashlib.sha256(f"op {n}".encode()).digest()


def link_of(seq: int) -> bytes:
    link = ZERO_LINK
    for n in range(1, seq + 1):
        link = chains.next_link(link, digest(n))
    return link


def segment(start: int, end: int) -> Segment:
    digests = tuple(digest(n) for n in range(start, end + 1))
    return Segment(DEVICE, start, link_of(start - 1), digests)


def expected(low: int, high: int) -> dict[int, ChainValue]:
    return {n: ChainValue(digest(n), link_of(n)) for n in range(low, high + 1)}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "chain.db", create=True)


def save(store: Store, *segments: Segment) -> None:
    with transaction(store.conn) as conn:
        chains.save_segments(conn, segments)


def op_link_rows(store: Store) -> int:
    return int(store.conn.execute("SELECT COUNT(*) FROM op_link").fetchone()[0])


def test_a_run_is_its_base_and_rows_of_digests_and_reads_as_every_seq(store: Store) -> None:
    save(store, segment(11, 40))
    assert op_link_rows(store) == 1 + 2  # № 11–38 in one row, № 39–40 in another
    row_sizes = store.conn.execute("SELECT length(digest) FROM op_link ORDER BY seq")
    assert [size for (size,) in row_sizes] == [None, 28 * 32, 2 * 32]
    values = chains.chain_values(store.conn, DEVICE, 10)
    assert values == {10: ChainValue(None, link_of(10)), **expected(11, 40)}
    assert chains.stored_links(store.conn, DEVICE, {10, 25, 40}) == {
        n: link_of(n) for n in (10, 25, 40)
    }
    assert chains.stored_digests(store.conn, DEVICE, {10, 12, 41}) == {12: digest(12)}


def test_rows_written_one_per_seq_read_as_a_run_does(store: Store) -> None:
    """A file from before runs were stored whole: every seq its own row."""
    with transaction(store.conn) as conn:
        conn.execute(
            "INSERT INTO op_link (device_id, seq, digest, link) VALUES (?, 10, NULL, ?)",
            (DEVICE, link_of(10)),
        )
        conn.executemany(
            "INSERT INTO op_link (device_id, seq, digest, link) VALUES (?, ?, ?, ?)",
            [(DEVICE, n, digest(n), link_of(n)) for n in range(11, 41)],
        )
    old = chains.chain_values(store.conn, DEVICE, 10)
    assert old == {10: ChainValue(None, link_of(10)), **expected(11, 40)}
    save(store, segment(41, 45))  # a run stored after it continues the same chain
    assert chains.chain_values(store.conn, DEVICE, 39) == expected(39, 45)


def test_a_longer_run_ending_at_the_same_seq_keeps_its_digests(store: Store) -> None:
    save(store, segment(21, 30), segment(1, 30))
    assert chains.chain_values(store.conn, DEVICE, 1) == expected(1, 30)
    save(store, segment(25, 30))  # a shorter one after it takes nothing away
    assert chains.chain_values(store.conn, DEVICE, 1) == expected(1, 30)


def test_a_base_gets_its_digest_from_a_run_that_covers_it(store: Store) -> None:
    save(store, segment(11, 20))
    assert chains.stored_digests(store.conn, DEVICE, {10}) == {}
    save(store, segment(1, 10))
    assert op_link_rows(store) == 2  # the base row at № 10 now holds № 1–10
    assert chains.chain_values(store.conn, DEVICE, 0) == expected(1, 20)


def test_a_window_runs_through_stored_runs_to_the_last_attestation(store: Store) -> None:
    save(store, segment(1, 10), segment(11, 20), segment(31, 40))
    with transaction(store.conn) as conn:
        chains.save_attestations(
            conn, [Attestation(DEVICE, n, link_of(n), b"sig") for n in (10, 20, 40)]
        )
    window = chains.provable_window(store.conn, DEVICE, 5)
    assert window is not None
    assert (window.start, window.base, window.attestation.seq) == (5, link_of(4), 20)
    assert window.digests == {n: digest(n) for n in range(5, 21)}
    later = chains.provable_window(store.conn, DEVICE, 25)  # № 21–30 are missing here
    assert later is not None
    assert (later.start, later.base, later.attestation.seq) == (31, link_of(30), 40)


def densify(replica: Replica) -> None:
    """Rewrite the replica's chain values one row per seq, as db/0010 first stored them."""
    with replica.open() as store, transaction(store.conn) as conn:
        devices = [row[0] for row in conn.execute("SELECT DISTINCT device_id FROM op_link")]
        rows = [
            (device_id, seq, value.digest, value.link)
            for device_id in devices
            for seq, value in chains.chain_values(conn, device_id, 0).items()
        ]
        conn.execute("DELETE FROM op_link")
        conn.executemany(
            "INSERT INTO op_link (device_id, seq, digest, link) VALUES (?, ?, ?, ?)", rows
        )


def test_a_relay_whose_file_holds_one_row_per_seq_still_proves_what_it_carries(
    tmp_path: Path,
) -> None:
    hub = make_hub(tmp_path)
    school = make_school(tmp_path, hub)
    curator = make_curator(tmp_path, hub)
    curator.trust(school, "Директор", ORG_NAME, "school")
    school.trust(curator, "Куратор Иванова", ORG_NAME, "curator")
    for number in ("1", "2", "3"):
        edit(school, number, Status.DONE)
    deliver(school, curator, tmp_path / "visit")
    densify(curator)
    bundle = send(curator, hub, tmp_path / "relay")
    assert bundle is not None
    report = hub.import_(bundle)
    assert report.outcome == "accepted", report.problems
    with hub.open() as store:
        window = chains.provable_window(store.conn, school.device_id, 1)
        assert window is not None and (window.start, window.attestation.seq) == (1, 3)
