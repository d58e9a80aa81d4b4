-- «Куратор» schema v1.
-- Projection tables (organisation … conflict) are rebuilt byte for byte from `op`;
-- local_* tables and bundle_import describe this replica only and are never replicated.

CREATE TABLE local_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE device (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    public_key TEXT NOT NULL DEFAULT '',
    is_local INTEGER NOT NULL DEFAULT 0
);

-- The change log: every user change is one row here, written in the same transaction
-- as its effect on the projection tables below.
CREATE TABLE op (
    op_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hlc TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    value TEXT NOT NULL,
    prev TEXT,
    UNIQUE (device_id, seq)
);
CREATE INDEX op_entity ON op (entity, entity_id);
CREATE INDEX op_hlc ON op (hlc, device_id);

CREATE TABLE organisation (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    level TEXT NOT NULL
);

CREATE TABLE roadmap (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    organisation_id TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    year INTEGER,
    school_year INTEGER,
    source_name TEXT NOT NULL DEFAULT '',
    source_sha256 TEXT NOT NULL DEFAULT '',
    period_start TEXT,
    period_end TEXT
);

CREATE TABLE section (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    roadmap_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT ''
);
CREATE INDEX section_roadmap ON section (roadmap_id, position);

CREATE TABLE activity (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    roadmap_id TEXT NOT NULL,
    section_id TEXT,
    position INTEGER NOT NULL,
    number TEXT NOT NULL DEFAULT '',
    parent_id TEXT,
    title TEXT NOT NULL DEFAULT '',
    responsible TEXT NOT NULL DEFAULT '',
    deadline_text TEXT NOT NULL DEFAULT '',
    schedule TEXT NOT NULL DEFAULT '{"kind":"unscheduled","windows":[]}',
    schedule_kind TEXT NOT NULL DEFAULT 'unscheduled',
    first_date TEXT,
    due_date TEXT,
    indicator TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    levels TEXT NOT NULL DEFAULT '',
    publicity TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '{}',
    warnings TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'not_started',
    removed INTEGER NOT NULL DEFAULT 0,
    evidence_count INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activity_roadmap ON activity (roadmap_id, position);
CREATE INDEX activity_due ON activity (due_date);
CREATE INDEX activity_status ON activity (status);

-- Last-writer-wins bookkeeping: which operation currently holds each field.
CREATE TABLE field_winner (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    op_id TEXT NOT NULL,
    hlc TEXT NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, field)
);

-- Two concurrent edits of one field: both kept, the winner stays deterministic.
CREATE TABLE conflict (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    winner_op TEXT NOT NULL,
    loser_op TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, field, loser_op)
);

CREATE TABLE note (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    activity_id TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL DEFAULT '',
    created_hlc TEXT NOT NULL DEFAULT '',
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX note_activity ON note (activity_id);

CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    activity_id TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'other',
    title TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    original_name TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL DEFAULT '',
    created_hlc TEXT NOT NULL DEFAULT '',
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX evidence_activity ON evidence (activity_id);
CREATE INDEX evidence_sha ON evidence (sha256);

CREATE TABLE visit (
    id TEXT PRIMARY KEY,
    origin_hlc TEXT NOT NULL DEFAULT '',
    origin_device TEXT NOT NULL DEFAULT '',
    origin_op TEXT NOT NULL DEFAULT '',
    roadmap_id TEXT NOT NULL,
    visit_date TEXT NOT NULL,
    participants TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL DEFAULT '',
    created_hlc TEXT NOT NULL DEFAULT '',
    removed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE visit_activity (
    visit_id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    PRIMARY KEY (visit_id, activity_id)
);
CREATE INDEX visit_activity_activity ON visit_activity (activity_id);

-- Every bundle this replica imported or refused (local record, not replicated).
CREATE TABLE bundle_import (
    bundle_id TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    signer TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}',
    message TEXT NOT NULL DEFAULT ''
);
