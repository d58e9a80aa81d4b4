-- «Куратор» schema v17: a reviewer's verdict on an activity (issue 15): «не проверено»,
-- «принято», «на доработку» with a comment. Ordinary replicated fields (domain/fields.py,
-- Setter.REVIEW): signed by a coordinator or a curator, refused from a school's bundle,
-- merged last-writer-wins with concurrent verdicts kept as conflicts.
ALTER TABLE activity ADD COLUMN review_state TEXT NOT NULL DEFAULT 'not_reviewed';
ALTER TABLE activity ADD COLUMN review_comment TEXT NOT NULL DEFAULT '';
-- A reviewer's «замечание» on one evidence item, under the same rule.
ALTER TABLE evidence ADD COLUMN remark TEXT NOT NULL DEFAULT '';
