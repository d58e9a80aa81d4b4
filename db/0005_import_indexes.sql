-- «Куратор» schema v5: a hub imports a school's bundle with fewer index pages to write.
--
-- Every operation was indexed twice by its entity: op_entity (entity, entity_id) and, since
-- v3, op_entity_id (entity_id). Ids are random, so each index costs a bundle one page per
-- operation, written to the WAL at commit and again at checkpoint. Entity ids never repeat
-- across entity kinds, so op_entity_id answers every `entity = ? AND entity_id = ?` lookup
-- (the projection's field histories, lifecycle and structure exports) as well, and the
-- per-roadmap «done» months of hub_queries.monthly_progress read fewer rows with it.
DROP INDEX op_entity;
