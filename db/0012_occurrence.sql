-- «Куратор» schema v12: recurring activities by occurrence (domain/fields.py, OCCURRENCE).
--
-- occurrence: one window of a recurring activity («ежемесячно»: each month) with a status of
-- its own. Its id is derived from (activity id, window start), so two replicas marking the
-- same month create the same row; the window is copied from the schedule when the row is
-- created and stays with it (a later edit of the deadline text does not move a status that
-- was given for a month). Projected like every entity (store/projection_batch.py).
--
-- evidence.occurrence: the occurrence a piece of evidence is for (NULL: the whole activity).

CREATE TABLE occurrence (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    winners TEXT NOT NULL DEFAULT '{}',
    activity_id TEXT NOT NULL,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'not_started'
);
CREATE INDEX occurrence_activity ON occurrence (activity_id, window_start);

ALTER TABLE evidence ADD COLUMN occurrence TEXT;
