-- «Куратор» schema v7: the log is found by entity through the entity's own row.
--
-- op_entity_id (entity_id) was keyed by content-derived ids, scattered over the whole log:
-- a hub importing one school's bundle of 30 status changes wrote 39 of its ~116 WAL pages
-- to that index, one leaf per change, and as many again when the WAL was copied into the file.
-- entity_op keys the same lookup by (entity, rowid of the entity's projection row) instead.
-- One school's rows were created together, so their rowids are neighbours, and a bundle's
-- entries land on one or two leaves. A lookup by id goes through the table's own primary key
-- (WHERE t.id = ?) to its rowid, then here, then to the op by its rowid (store/entity_log.py).
--
-- Projection rows are never deleted, and nothing VACUUMs a replica (the activity search's
-- trigram index is keyed by the same rowids), so a rowid names its row for good. Like the
-- projection, entity_op is derived from the log: every op has its entity's row (a `set` that
-- arrives before its `create` makes a placeholder row), and each replica fills it as it
-- applies ops. It is never exported: the log's rows keep their replicated columns only.

CREATE TABLE entity_op (
    entity TEXT NOT NULL,
    entity_row INTEGER NOT NULL,
    op_row INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_row, op_row)
) WITHOUT ROWID;

INSERT INTO entity_op (entity, entity_row, op_row)
SELECT o.entity, t.rowid, o.rowid FROM op o JOIN organisation t ON t.id = o.entity_id
WHERE o.entity = 'organisation';

INSERT INTO entity_op (entity, entity_row, op_row)
SELECT o.entity, t.rowid, o.rowid FROM op o JOIN roadmap t ON t.id = o.entity_id
WHERE o.entity = 'roadmap';

INSERT INTO entity_op (entity, entity_row, op_row)
SELECT o.entity, t.rowid, o.rowid FROM op o JOIN section t ON t.id = o.entity_id
WHERE o.entity = 'section';

INSERT INTO entity_op (entity, entity_row, op_row)
SELECT o.entity, t.rowid, o.rowid FROM op o JOIN activity t ON t.id = o.entity_id
WHERE o.entity = 'activity';

INSERT INTO entity_op (entity, entity_row, op_row)
SELECT o.entity, t.rowid, o.rowid FROM op o JOIN note t ON t.id = o.entity_id
WHERE o.entity = 'note';

INSERT INTO entity_op (entity, entity_row, op_row)
SELECT o.entity, t.rowid, o.rowid FROM op o JOIN evidence t ON t.id = o.entity_id
WHERE o.entity = 'evidence';

INSERT INTO entity_op (entity, entity_row, op_row)
SELECT o.entity, t.rowid, o.rowid FROM op o JOIN visit t ON t.id = o.entity_id
WHERE o.entity = 'visit';

DROP INDEX op_entity_id;
