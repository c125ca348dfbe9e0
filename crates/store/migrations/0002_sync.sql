-- Schema 2: connector settings, the fields each system describes, sync progress, problems
-- and high-water marks, crosswalks, and associations between records of one system.

-- Per-kind connector settings as JSON (never a secret: those live in the keychain).
ALTER TABLE systems ADD COLUMN settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings));

-- The fields a system describes, under its own names and types.
CREATE TABLE system_fields (
    system_id  INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    object     TEXT NOT NULL CHECK (object IN ('person', 'company')),
    name       TEXT NOT NULL,
    label      TEXT NOT NULL,
    value_type TEXT NOT NULL,
    read_only  INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
    position   INTEGER NOT NULL,
    PRIMARY KEY (system_id, object, name)
) STRICT;

-- Fields in which a spoke keeps the hub's id: links follow from them without matching.
CREATE TABLE system_crosswalks (
    system_id INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    object    TEXT NOT NULL CHECK (object IN ('person', 'company')),
    field     TEXT NOT NULL,
    PRIMARY KEY (system_id, object, field)
) STRICT;

-- From here on `sync_runs.resume_from` holds a JSON resume point (the object being read
-- and the connector's own token), still never a secret.
ALTER TABLE sync_runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'full' CHECK (mode IN ('full', 'incremental'));
ALTER TABLE sync_runs ADD COLUMN api_calls INTEGER NOT NULL DEFAULT 0;
-- What the system said a read would return, when it could say.
ALTER TABLE sync_runs ADD COLUMN records_expected INTEGER;
-- Cached records a full read found gone from the system.
ALTER TABLE sync_runs ADD COLUMN records_removed INTEGER NOT NULL DEFAULT 0;

-- Who is syncing a system now: one sync per system at a time, across processes. A claim
-- whose heartbeat has gone quiet belongs to a process that died and may be taken over.
CREATE TABLE sync_claims (
    system_id INTEGER PRIMARY KEY REFERENCES systems (id) ON DELETE CASCADE,
    owner     TEXT NOT NULL,
    heartbeat INTEGER NOT NULL
) STRICT;

-- Records that could not be read whole: where and why, never the value.
CREATE TABLE sync_problems (
    sync_run_id INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    object      TEXT NOT NULL CHECK (object IN ('person', 'company')),
    locator     TEXT NOT NULL,
    field       TEXT,
    reason      TEXT NOT NULL,
    record_kept INTEGER NOT NULL CHECK (record_kept IN (0, 1)),
    PRIMARY KEY (sync_run_id, seq)
) STRICT;

-- Where the next incremental read starts: the newest change seen by the last complete sync.
CREATE TABLE sync_marks (
    system_id  INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    object     TEXT NOT NULL CHECK (object IN ('person', 'company')),
    high_water INTEGER NOT NULL,
    PRIMARY KEY (system_id, object)
) STRICT;

CREATE TABLE record_associations (
    record_id   INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    object      TEXT NOT NULL CHECK (object IN ('person', 'company')),
    external_id TEXT NOT NULL,
    PRIMARY KEY (record_id, object, external_id)
) STRICT, WITHOUT ROWID;
