-- Schema 1: systems, the field catalog, record snapshots, sync runs and the audit log.
-- Append-only: never edit a released migration; add the next file instead.

CREATE TABLE workspace_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- AUTOINCREMENT: a removed system's id is never reused, so nothing keyed by it (keychain
-- entries, exported reports) can ever point at a different system.
CREATE TABLE systems (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL COLLATE NOCASE UNIQUE,
    kind            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('hub', 'spoke')),
    lifecycle       TEXT NOT NULL CHECK (lifecycle IN ('active', 'deprecating', 'deprecated')),
    population      TEXT NOT NULL CHECK (population IN ('manual', 'automated', 'imported')),
    owner           TEXT,
    dependent_teams TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(dependent_teams)),
    base_url        TEXT,
    path            TEXT,
    created_at      INTEGER NOT NULL
) STRICT;

-- The CRM is the one hub.
CREATE UNIQUE INDEX systems_one_hub ON systems (role) WHERE role = 'hub';

CREATE TABLE field_catalog (
    object     TEXT NOT NULL CHECK (object IN ('person', 'company')),
    key        TEXT NOT NULL,
    label      TEXT NOT NULL,
    category   TEXT NOT NULL,
    value_kind TEXT NOT NULL,
    PRIMARY KEY (object, key)
) STRICT;

CREATE TABLE sync_runs (
    id             INTEGER PRIMARY KEY,
    system_id      INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    status         TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'cancelled')),
    records_read   INTEGER NOT NULL DEFAULT 0,
    records_failed INTEGER NOT NULL DEFAULT 0,
    -- Where an incremental sync resumes (a cursor or a high-water mark), never a secret.
    resume_from    TEXT,
    error          TEXT
) STRICT;
CREATE INDEX sync_runs_by_system ON sync_runs (system_id, started_at);

-- Snapshots of records as last read: a cache of the systems, never a second truth.
CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    system_id   INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    object      TEXT NOT NULL CHECK (object IN ('person', 'company')),
    external_id TEXT NOT NULL,
    created_at  INTEGER,
    updated_at  INTEGER,
    archived    INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    fetched_at  INTEGER NOT NULL,
    sync_run_id INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL,
    UNIQUE (system_id, object, external_id)
) STRICT;

CREATE TABLE record_fields (
    record_id   INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    modified_at INTEGER,
    PRIMARY KEY (record_id, field)
) STRICT, WITHOUT ROWID;

CREATE TABLE record_links (
    left_record  INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    right_record INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    basis        TEXT NOT NULL CHECK (json_valid(basis)),
    PRIMARY KEY (left_record, right_record),
    CHECK (left_record <> right_record)
) STRICT;
CREATE INDEX record_links_right ON record_links (right_record);

-- Hash-chained and append-only: the triggers stop honest mistakes, the chain exposes the rest.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
