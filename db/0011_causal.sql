-- «Куратор» schema v11: an edit's causal context (design.md, «The change log»).
--
-- op.seen: for a `set`, the ops of its field its author's replica still showed when the edit
-- was made (the winner and every concurrent value), as canonical JSON — a sorted list of op
-- ids — or NULL. The edit supersedes them all, so a field's conflicts are the values no known
-- op supersedes (a multi-value register). Ops written before v11 have NULL: their context is
-- their `prev` alone. Their conflict rows are recomputed by the next op of their field.
ALTER TABLE op ADD COLUMN seen TEXT;
