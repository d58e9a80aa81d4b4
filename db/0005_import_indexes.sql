-- «Куратор» schema v5: a hub imports a school's bundle with fewer index pages to write.
--
-- Ids and clock stamps arriving from thousands of schools are scattered, so every index on
-- them costs a bundle about one page per operation, written to the WAL at commit and again
-- when the WAL is copied into the file. Two of the log's four such indexes earned nothing:
--
-- 1. op_entity (entity, entity_id): since v3 op_entity_id (entity_id) serves every
--    `entity = ? AND entity_id = ?` lookup (the projection's field histories, the lifecycle
--    and structure exports) as well; ids of different kinds never coincide. The «done»
--    months of one roadmap (hub_queries.monthly_progress) now read only its activities'
--    operations instead of every activity's (0.6 s → 0.2 ms on 3,000 schools); the whole
--    region's chart reads them by activity (0.8 s → 1.0 s).
-- 2. op_hlc (hlc, device_id): only the whole log in clock order (export, rebuild) used it,
--    and the seq still had to be sorted; sorting the whole log costs the same (0.70 s →
--    0.74 s for 288,000 operations).
DROP INDEX op_entity;
DROP INDEX op_hlc;

-- Every «done» or «in progress» a school sends also moved its activity in activity_status
-- (status): no query plan of the list, the dashboard, the summaries or the monthly report
-- reads it any more (activity_progress, db/0002, leads with removed and roadmap_id and holds
-- the status too), and on 3,000 schools they take as long without it.
DROP INDEX activity_status;

-- 3. Each import counts the conflicts its operations are in (sync_state._conflicts_involving):
--    a scan of the whole conflict table per bundle, 1.8 ms a bundle once a hub holds 10,000
--    conflicts. Conflict rows are written only when edits clash, so indexing them is cheap.
CREATE INDEX conflict_winner ON conflict (winner_op);
CREATE INDEX conflict_loser ON conflict (loser_op);

-- 4. Before unpacking a bundle the import asks whether it was accepted already
--    (sync_state.bundle_accepted): a scan of every import attempt, 4 ms a bundle once a
--    hub has taken a year of monthly bundles from 3,000 schools (36,000 rows).
CREATE INDEX bundle_import_id ON bundle_import (bundle_id);
