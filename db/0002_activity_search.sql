-- «Куратор» schema v2: the activity list stays fast on a hub with 200,000 activities.
--
-- Narrow indexes let the list count, page and total up progress without reading the wide
-- activity rows. A full-text index of trigrams over activity.search_text answers the live
-- filter without scanning every title: a substring of three letters or more is a phrase of
-- trigrams, and since search_text puts two spaces before every word (projection.search_key),
-- the first one or two letters of a word are one too («  с», «  се»).
-- It is an external-content table kept in step by the triggers below, whatever code writes
-- the activity row. A removed activity has an empty search_text, so the index never holds it
-- and a text-only count needs no join with activity.

CREATE INDEX activity_list ON activity (removed, roadmap_id, position);
CREATE INDEX activity_by_deadline
    ON activity (removed, COALESCE(due_date, '9999-12-31'), roadmap_id, position);
CREATE INDEX activity_progress
    ON activity (removed, roadmap_id, status, due_date, first_date, evidence_count);

CREATE VIRTUAL TABLE activity_trigram USING fts5 (
    search_text, content = 'activity', content_rowid = 'rowid', tokenize = 'trigram'
);

CREATE TRIGGER activity_search_insert AFTER INSERT ON activity BEGIN
    INSERT INTO activity_trigram (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TRIGGER activity_search_delete AFTER DELETE ON activity BEGIN
    INSERT INTO activity_trigram (activity_trigram, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
END;

CREATE TRIGGER activity_search_update AFTER UPDATE OF search_text ON activity
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO activity_trigram (activity_trigram, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO activity_trigram (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- Index what v1 wrote; Store.open then rewrites search_text in the v2 spelling, row by row
-- through the trigger (projection.SEARCH_KEY_VERSION).
INSERT INTO activity_trigram (activity_trigram) VALUES ('rebuild');
