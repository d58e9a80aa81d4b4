-- «Куратор» schema v3: an activity's history is read by entity id alone (Store.history looks
-- up the activity's own operations and those of its notes and evidence), which the
-- (entity, entity_id) index cannot serve; on a hub that was a scan of the whole log.
CREATE INDEX op_entity_id ON op (entity_id);
