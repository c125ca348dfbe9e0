-- Field authority (a versioned rule set), drift runs and their findings, and the erasure
-- tracker.

-- Who wrote a field's current value, as the system says (HubSpot: CRM_UI, IMPORT,
-- INTEGRATION …), and the values it held before (newest first, a few at most). Part of the
-- cache: they go with the record.
ALTER TABLE record_fields ADD COLUMN source TEXT;

CREATE TABLE record_field_versions (
    record_id   INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    value       TEXT NOT NULL,
    modified_at INTEGER,
    source      TEXT,
    PRIMARY KEY (record_id, field, seq)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO field_catalog (object, key, label, category, value_kind)
VALUES ('person', 'full_name', 'Full name', 'identity', 'text');

-- The field-authority rule set, one row per version (a JSON document: authority, mapping,
-- status model, segments). Never updated: a change is a new version, and its audit entry
-- says who, when, why and what changed.
CREATE TABLE rule_versions (
    version  INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    why      TEXT NOT NULL,
    document TEXT NOT NULL CHECK (json_valid(document))
) STRICT;

CREATE TRIGGER rule_versions_no_update BEFORE UPDATE ON rule_versions
BEGIN
    SELECT RAISE(ABORT, 'rule versions are append-only');
END;

CREATE TRIGGER rule_versions_no_delete BEFORE DELETE ON rule_versions
BEGIN
    SELECT RAISE(ABORT, 'rule versions are append-only');
END;

-- One row per drift run, kept for the trend: counts only, no values.
CREATE TABLE drift_runs (
    id            INTEGER PRIMARY KEY,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL,
    rules_version INTEGER NOT NULL,
    records       INTEGER NOT NULL,
    linked        INTEGER NOT NULL,
    seconds       REAL NOT NULL,
    -- [{"kind":…,"system_id":…,"count":…}], plus segment counts per system.
    totals        TEXT NOT NULL CHECK (json_valid(totals)),
    segments      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(segments))
) STRICT;

-- The newest run's findings. No values: they name records and fields, and values are read
-- from the cache when shown, so a finding goes with its records (an erasure leaves none).
CREATE TABLE drift_findings (
    run_id          INTEGER NOT NULL REFERENCES drift_runs (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('stale', 'divergent', 'conflicting_write',
                        'mismatch', 'missing_in_hub', 'orphan', 'erasure_not_propagated',
                        'count_mismatch')),
    object          TEXT NOT NULL CHECK (object IN ('person', 'company')),
    system_id       INTEGER NOT NULL,
    record_id       INTEGER REFERENCES records (id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    hub_record_id   INTEGER REFERENCES records (id) ON DELETE CASCADE,
    hub_external_id TEXT,
    field           TEXT,
    system_field    TEXT,
    hub_field       TEXT,
    segment         TEXT,
    -- Codes, times, sources, the rule applied and the link's basis: never a value.
    evidence        TEXT NOT NULL CHECK (json_valid(evidence)),
    -- Which system and record should change, and where its new value comes from.
    fix             TEXT CHECK (fix IS NULL OR json_valid(fix)),
    PRIMARY KEY (run_id, seq)
) STRICT;
CREATE INDEX drift_findings_record ON drift_findings (record_id);
CREATE INDEX drift_findings_hub ON drift_findings (hub_record_id);

-- Fixes written back to a system: the value before and after, so each can be undone.
CREATE TABLE drift_fixes (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    system_id   INTEGER NOT NULL,
    object      TEXT NOT NULL CHECK (object IN ('person', 'company')),
    external_id TEXT NOT NULL,
    field       TEXT NOT NULL,
    before      TEXT,
    after       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'failed', 'skipped', 'reverted')),
    detail      TEXT
) STRICT;

-- Erasure requests. The person's identifiers are kept only as keyed hashes (tombstones; the
-- key lives in the OS keychain), so a request can be proven later without keeping what was
-- erased; `label` is masked.
CREATE TABLE erasure_requests (
    id           INTEGER PRIMARY KEY,
    requested_at INTEGER NOT NULL,
    deadline_at  INTEGER NOT NULL,
    requested_by TEXT NOT NULL,
    reference    TEXT NOT NULL,
    label        TEXT NOT NULL,
    identifiers  TEXT NOT NULL CHECK (json_valid(identifiers)),
    purged       INTEGER NOT NULL DEFAULT 0,
    completed_at INTEGER
) STRICT;

CREATE TABLE erasure_tombstones (
    hash       TEXT NOT NULL,
    request_id INTEGER NOT NULL REFERENCES erasure_requests (id),
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    PRIMARY KEY (hash, request_id)
) STRICT;

-- Each system's status for a request. No foreign key to systems: the evidence outlives a
-- system's removal.
CREATE TABLE erasure_checks (
    request_id  INTEGER NOT NULL REFERENCES erasure_requests (id),
    system_id   INTEGER NOT NULL,
    system_name TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('not_found', 'deleted', 'still_present', 'not_checked')),
    checked_at  INTEGER NOT NULL,
    -- The sync the check relied on, what matched (kinds, never values) and the record ids.
    evidence    TEXT NOT NULL CHECK (json_valid(evidence)),
    PRIMARY KEY (request_id, system_id)
) STRICT;

-- Records a sync saw but did not cache because they match a tombstone.
CREATE TABLE erasure_sightings (
    request_id  INTEGER NOT NULL REFERENCES erasure_requests (id),
    system_id   INTEGER NOT NULL,
    object      TEXT NOT NULL CHECK (object IN ('person', 'company')),
    external_id TEXT NOT NULL,
    sync_run_id INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (request_id, system_id, object, external_id, sync_run_id)
) STRICT;
