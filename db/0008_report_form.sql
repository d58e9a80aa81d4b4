-- «Куратор» schema v8: an activity's «Форма отчетности» (how its result is to be reported),
-- a column some roadmaps have. An ordinary replicated field of the roadmap's structure
-- (domain/fields.py): set by the roadmap import and the coordinator, merged last-writer-wins.
-- Activities imported before it have none; importing their roadmap again fills it.
ALTER TABLE activity ADD COLUMN report_form TEXT NOT NULL DEFAULT '';
