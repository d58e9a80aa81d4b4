-- «Куратор» schema v9: delivery is per peer (docs/bundle-format.md, «Export»).
--
-- peer_knowledge: per peer device, per author device, the highest contiguous sequence number
-- that peer is known to hold (from its bundles' `holds`, and the ops it sent). An incremental
-- export for a peer carries every op past it, so a bundle that was lost or refused goes again
-- until the peer's own bundle acknowledges it. Raised in the import's transaction.
--
-- author_coverage: per device, how far that device's own bundles have brought its history
-- here, counting the ops its role never exports (a school's own roadmap structure): those
-- seqs will never arrive from anyone, so they are no gap in what this replica holds.
--
-- peer_told: per peer, what this replica's last bundle written for it said it holds. A bundle
-- without ops is still written when this replica holds more than it last told the peer (an
-- acknowledgement, so the peer stops resending), and not again and again.
--
-- All three are local bookkeeping, never exported, not part of the projection.
--
-- Files from before v9 had one «exported up to» mark per device for the whole replica
-- (local_setting `sync.exported.<device>`). They become knowledge of the default receiver
-- (the coordinator), under the peer id '' : what was exported to anyone is not sent to the
-- coordinator again, as before; everything after it is sent until acknowledged.

CREATE TABLE peer_knowledge (
    peer_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (peer_id, device_id)
) WITHOUT ROWID;

CREATE TABLE peer_told (
    peer_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (peer_id, device_id)
) WITHOUT ROWID;

CREATE TABLE author_coverage (
    device_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO peer_knowledge (peer_id, device_id, seq)
SELECT '', substr(key, length('sync.exported.') + 1), CAST(value AS INTEGER)
FROM local_setting WHERE key LIKE 'sync.exported.%' AND CAST(value AS INTEGER) > 0;

DELETE FROM local_setting WHERE key LIKE 'sync.exported.%';
