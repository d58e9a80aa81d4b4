-- «Куратор» schema v4: the hub dashboard paints its first rows at once on 3,000 schools, and
-- organisations carry their municipality.
--
-- 1. organisation.municipality: an ordinary replicated field (set by a roadmap import that
--    names the district, by `curator init --municipality`, or by the coordinator), merged
--    last-writer-wins like any other.
-- 2. organisation_bundle: per organisation, the last accepted bundle that touched it (local
--    bookkeeping like bundle_import, never replicated). The import writes it in the same
--    transaction as the bundle's changes; before, the dashboard and the report found it by
--    walking every bundle device's operations, which took a third of a second on a hub.
-- 3. roadmap_organisation, visit_roadmap: per-school counts walk roadmaps in organisation
--    order and read each one's activities (activity_progress, db/0002) and visits, instead of
--    looking up the roadmap of every one of 180,000 activities; a page of a few schools reads
--    only their rows.

ALTER TABLE organisation ADD COLUMN municipality TEXT NOT NULL DEFAULT '';

CREATE INDEX roadmap_organisation ON roadmap (organisation_id, id);
CREATE INDEX visit_roadmap ON visit (roadmap_id, removed, visit_date);

CREATE TABLE organisation_bundle (
    organisation_id TEXT PRIMARY KEY,
    bundle_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

-- Backfill from what v3 knew. The log does not say which bundle carried which operation, so
-- (as v3's queries did) each device's latest accepted bundle is credited to every organisation
-- whose roadmap, activities, notes, evidence or visits that device has operations on; an
-- organisation credited by several devices keeps the latest of their bundles.
WITH last_import AS (
    -- SQLite's bare columns: bundle_id comes from the row holding the MAX.
    SELECT device_id, bundle_id, MAX(imported_at) AS imported_at FROM bundle_import
    WHERE device_id != '' AND result = 'accepted' GROUP BY device_id
),
device_op AS (
    SELECT DISTINCT o.device_id, o.entity, o.entity_id FROM op o
    JOIN last_import b ON b.device_id = o.device_id
),
device_roadmap AS (
    SELECT d.device_id, d.entity_id AS roadmap_id FROM device_op d WHERE d.entity = 'roadmap'
    UNION SELECT d.device_id, a.roadmap_id FROM device_op d
        JOIN activity a ON a.id = d.entity_id WHERE d.entity = 'activity'
    UNION SELECT d.device_id, a.roadmap_id FROM device_op d
        JOIN evidence e ON e.id = d.entity_id JOIN activity a ON a.id = e.activity_id
        WHERE d.entity = 'evidence'
    UNION SELECT d.device_id, a.roadmap_id FROM device_op d
        JOIN note n ON n.id = d.entity_id JOIN activity a ON a.id = n.activity_id
        WHERE d.entity = 'note'
    UNION SELECT d.device_id, v.roadmap_id FROM device_op d
        JOIN visit v ON v.id = d.entity_id WHERE d.entity = 'visit'
),
credited AS (
    SELECT r.organisation_id, b.bundle_id, b.device_id, b.imported_at
    FROM device_roadmap dr JOIN last_import b ON b.device_id = dr.device_id
    JOIN roadmap r ON r.id = dr.roadmap_id
)
INSERT INTO organisation_bundle (organisation_id, bundle_id, device_id, imported_at)
SELECT organisation_id, bundle_id, device_id, MAX(imported_at) FROM credited
GROUP BY organisation_id;
