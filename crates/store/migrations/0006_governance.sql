-- Schema 6: governance (roles), write-back probes, alerts, deprecation and onboarding
-- checklists, archive exports and the quarterly audit scores.

-- Who may do what. One named SSOT owner; admins and ops reviewers may be several. A
-- workspace with no admin named yet is open to whoever holds the file (the app says so).
CREATE TABLE roles (
    actor      TEXT NOT NULL COLLATE NOCASE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'ops', 'admin')),
    granted_at INTEGER NOT NULL,
    granted_by TEXT NOT NULL,
    PRIMARY KEY (actor, role)
) STRICT;
CREATE UNIQUE INDEX roles_one_owner ON roles (role) WHERE role = 'owner';

-- Since when a system is in its lifecycle stage: the date the decision took effect, which
-- "written since it was deprecated" is measured from.
ALTER TABLE systems ADD COLUMN lifecycle_since INTEGER;

-- A write-back probe: a test lead sent spoke → hub, then status changes hub → spoke.
CREATE TABLE probes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL COLLATE NOCASE UNIQUE,
    spoke_id      INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    hub_id        INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    -- Canonical fields: the key the test lead is found by, and the status it carries.
    match_key     TEXT NOT NULL,
    status_field  TEXT NOT NULL,
    -- The canonical statuses sent hub → spoke, in order.
    status_values TEXT NOT NULL CHECK (json_valid(status_values)),
    target_ms     INTEGER NOT NULL CHECK (target_ms > 0),
    timeout_ms    INTEGER NOT NULL CHECK (timeout_ms >= target_ms),
    -- Scheduled runs while the app is open; NULL: by hand or cron only.
    every_minutes INTEGER CHECK (every_minutes IS NULL OR every_minutes >= 5),
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL
) STRICT;

-- A probe run. The tag (the test lead's e-mail, made up) and the ids it gets are written
-- before each create call, so a crashed run's test records are found and removed later.
CREATE TABLE probe_runs (
    id             INTEGER PRIMARY KEY,
    probe_id       INTEGER NOT NULL REFERENCES probes (id) ON DELETE CASCADE,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    actor          TEXT NOT NULL,
    verdict        TEXT NOT NULL CHECK (verdict IN ('running', 'passed', 'slow', 'failed', 'cancelled')),
    -- [{"leg":"inbound"|"outbound","status":…,"ms":…,"arrived":…,"detail":…}]: the test
    -- lead's own statuses only, never a customer value.
    steps          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(steps)),
    error          TEXT,
    tag            TEXT NOT NULL,
    spoke_external TEXT,
    hub_external   TEXT,
    cleanup        TEXT NOT NULL DEFAULT 'pending' CHECK (cleanup IN ('pending', 'done', 'failed')),
    cleanup_detail TEXT
) STRICT;
CREATE INDEX probe_runs_by_probe ON probe_runs (probe_id, started_at);

-- Alerts a person should see: a probe failed or was slow, a deprecated system written again.
-- One open alert per kind and subject; a repeat updates it.
CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('probe_failed', 'probe_slow', 'drift_magnet')),
    subject    TEXT NOT NULL,
    system_id  INTEGER REFERENCES systems (id) ON DELETE CASCADE,
    raised_at  INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    message    TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
    cleared_at INTEGER,
    cleared_by TEXT
) STRICT;
CREATE UNIQUE INDEX alerts_one_open ON alerts (kind, subject) WHERE cleared_at IS NULL;

-- A person's sign-off of a checklist item: a manual item done, or an automatic one waived.
CREATE TABLE checklist_signoffs (
    system_id INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    checklist TEXT NOT NULL CHECK (checklist IN ('deprecation', 'onboarding')),
    item      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    note      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (system_id, checklist, item)
) STRICT;

-- How long a system must have been quiet before it may be retired.
CREATE TABLE deprecation_settings (
    system_id  INTEGER PRIMARY KEY REFERENCES systems (id) ON DELETE CASCADE,
    quiet_days INTEGER NOT NULL CHECK (quiet_days BETWEEN 1 AND 3650)
) STRICT;

-- Archives of a system's cached records, exported before it is retired (where, how many,
-- and the file's SHA-256, so the archive can be checked later).
CREATE TABLE archive_exports (
    id        INTEGER PRIMARY KEY,
    system_id INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    path      TEXT NOT NULL,
    records   INTEGER NOT NULL,
    sha256    TEXT NOT NULL
) STRICT;

-- The quarterly audit: each run's four scores, their parts and formulas. Counts only.
CREATE TABLE audit_scores (
    id      INTEGER PRIMARY KEY,
    quarter TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    scores  TEXT NOT NULL CHECK (json_valid(scores))
) STRICT;
CREATE INDEX audit_scores_by_quarter ON audit_scores (quarter, at);

-- A drift run's tally for the audit: fields compared and agreeing, status values held and
-- unmapped ({"fields_compared":…}). NULL for runs measured before schema 6.
ALTER TABLE drift_runs ADD COLUMN quality TEXT CHECK (quality IS NULL OR json_valid(quality));
