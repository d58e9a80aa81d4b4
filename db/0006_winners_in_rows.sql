-- «Куратор» schema v6: each entity's set-winners live in its own row.
--
-- field_winner named, per (entity, id, field), the `set` whose value the field shows (the
-- greatest clock and device id). A hub importing a school's bundle of 30 status changes wrote
-- about 21 of its ~133 WAL pages for it: the table and its primary-key index, keyed by ids
-- arriving from thousands of schools, so every change landed on a different leaf; plus a read
-- and a write statement per bundle. The activity row is rewritten by the same change anyway,
-- so the winners now ride in it: `winners` holds a JSON object {field: [op id, clock,
-- device id]}, in canonical JSON (keys sorted, no spaces; projection.winners_text), so a
-- replay of the log still rebuilds the projection byte for byte. '{}' = no field was set.
--
-- The object is built from field_winner in field order: SQLite 3.40 has no ORDER BY inside
-- an aggregate, but aggregates a single group in the order of an ordered subquery (the test
-- of this migration compares the text with what the program writes).

ALTER TABLE organisation ADD COLUMN winners TEXT NOT NULL DEFAULT '{}';
UPDATE organisation SET winners = (
    SELECT json_group_object(field, json_array(op_id, hlc, device_id)) FROM (
        SELECT field, op_id, hlc, device_id FROM field_winner
        WHERE entity = 'organisation' AND entity_id = organisation.id ORDER BY field
    )
) WHERE id IN (SELECT entity_id FROM field_winner WHERE entity = 'organisation');

ALTER TABLE roadmap ADD COLUMN winners TEXT NOT NULL DEFAULT '{}';
UPDATE roadmap SET winners = (
    SELECT json_group_object(field, json_array(op_id, hlc, device_id)) FROM (
        SELECT field, op_id, hlc, device_id FROM field_winner
        WHERE entity = 'roadmap' AND entity_id = roadmap.id ORDER BY field
    )
) WHERE id IN (SELECT entity_id FROM field_winner WHERE entity = 'roadmap');

ALTER TABLE section ADD COLUMN winners TEXT NOT NULL DEFAULT '{}';
UPDATE section SET winners = (
    SELECT json_group_object(field, json_array(op_id, hlc, device_id)) FROM (
        SELECT field, op_id, hlc, device_id FROM field_winner
        WHERE entity = 'section' AND entity_id = section.id ORDER BY field
    )
) WHERE id IN (SELECT entity_id FROM field_winner WHERE entity = 'section');

ALTER TABLE activity ADD COLUMN winners TEXT NOT NULL DEFAULT '{}';
UPDATE activity SET winners = (
    SELECT json_group_object(field, json_array(op_id, hlc, device_id)) FROM (
        SELECT field, op_id, hlc, device_id FROM field_winner
        WHERE entity = 'activity' AND entity_id = activity.id ORDER BY field
    )
) WHERE id IN (SELECT entity_id FROM field_winner WHERE entity = 'activity');

ALTER TABLE note ADD COLUMN winners TEXT NOT NULL DEFAULT '{}';
UPDATE note SET winners = (
    SELECT json_group_object(field, json_array(op_id, hlc, device_id)) FROM (
        SELECT field, op_id, hlc, device_id FROM field_winner
        WHERE entity = 'note' AND entity_id = note.id ORDER BY field
    )
) WHERE id IN (SELECT entity_id FROM field_winner WHERE entity = 'note');

ALTER TABLE evidence ADD COLUMN winners TEXT NOT NULL DEFAULT '{}';
UPDATE evidence SET winners = (
    SELECT json_group_object(field, json_array(op_id, hlc, device_id)) FROM (
        SELECT field, op_id, hlc, device_id FROM field_winner
        WHERE entity = 'evidence' AND entity_id = evidence.id ORDER BY field
    )
) WHERE id IN (SELECT entity_id FROM field_winner WHERE entity = 'evidence');

ALTER TABLE visit ADD COLUMN winners TEXT NOT NULL DEFAULT '{}';
UPDATE visit SET winners = (
    SELECT json_group_object(field, json_array(op_id, hlc, device_id)) FROM (
        SELECT field, op_id, hlc, device_id FROM field_winner
        WHERE entity = 'visit' AND entity_id = visit.id ORDER BY field
    )
) WHERE id IN (SELECT entity_id FROM field_winner WHERE entity = 'visit');

DROP TABLE field_winner;
