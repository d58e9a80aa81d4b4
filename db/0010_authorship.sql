-- «Куратор» schema v10: operations are authored (docs/bundle-format.md, «Authorship»).
--
-- op_link: per author device, per seq, the SHA-256 of the op's canonical line (`digest`;
-- NULL where only the chain value is known, the base a bundle's segment started from) and
-- the chain value link(seq) = SHA-256(link(seq-1) || digest), link(0) = 32 zero bytes.
-- Written only for seqs an attestation by the author's key has proved (or for this
-- device's own ops, at export), so a relay can forward them with that attestation.
--
-- attestation: every attestation received or made: (device, seq, chain head) signed with
-- the device's key. A relay carries a device's ops only up to a head one of them covers.
--
-- author_key: device id → the public key that authors its ops, bound once, never replaced.
--
-- Files from before v10: the ops already in the log are accepted history and get no links
-- (they are not relayed onward until their author's own attested bundle brings links); each
-- device's own ops are chained from seq 1 at its first export. The keys this file already
-- knows for devices are bound as they are.

CREATE TABLE IF NOT EXISTS op_link (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    digest BLOB,
    link BLOB NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS attestation (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    head BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS author_key (
    device_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO author_key (device_id, public_key)
SELECT id, public_key FROM device WHERE public_key IS NOT NULL AND public_key <> '';
