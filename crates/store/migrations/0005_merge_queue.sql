-- The merge queue: proposals built from duplicate clusters, their approvals and value
-- overrides, pairs a reviewer said are not duplicates, the journal of every merge call, and
-- the pre-merge backups that make a merged-away record restorable.

-- One proposal: the hub records of one cluster to fold into `survivor`. No values here: the
-- golden-record preview is computed from the cache and the rules when shown.
CREATE TABLE merge_proposals (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- No cascade: removing the hub must not silently take the journal and backups with it.
    system_id       INTEGER NOT NULL REFERENCES systems (id),
    object          TEXT NOT NULL CHECK (object IN ('person', 'company')),
    -- The matching run and cluster it came from (the cluster itself is replaced per run).
    match_run_id    INTEGER,
    cluster         INTEGER,
    score           REAL NOT NULL,
    survivor        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN
                        ('pending', 'approved', 'rejected', 'executing', 'done', 'failed')),
    -- Why a second approver is needed (NULL: one is enough).
    second_reason   TEXT,
    -- Why it failed, or what went wrong after the merge (no values).
    detail          TEXT,
    decided_by      TEXT,
    decided_at      INTEGER,
    -- SHA-256 of the golden record as approved (field, value, source, rule): a run compares
    -- it with the golden record computed from the live backups.
    approved_digest TEXT
) STRICT;
CREATE INDEX merge_proposals_by_state ON merge_proposals (state, score DESC);

-- Members: the hub records (survivor included) and the spoke copies linked to them. The
-- cached record id goes when the record leaves the cache (a merged-away record does);
-- system and external id stay for the journal.
CREATE TABLE merge_members (
    proposal_id INTEGER NOT NULL REFERENCES merge_proposals (id) ON DELETE CASCADE,
    system_id   INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    record_id   INTEGER REFERENCES records (id) ON DELETE SET NULL,
    -- survivor, absorbed (hub records merged away), copy (a spoke record of the person)
    role        TEXT NOT NULL CHECK (role IN ('survivor', 'absorbed', 'copy')),
    PRIMARY KEY (proposal_id, system_id, external_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX merge_members_by_record ON merge_members (record_id);

-- A proposal still waiting for a decision or a run is withdrawn when one of its hub records
-- leaves the cache (erased, deleted in its system): it would merge something unseen. A
-- spoke copy leaving does not withdraw it.
CREATE TRIGGER merge_member_gone AFTER UPDATE OF record_id ON merge_members
WHEN NEW.record_id IS NULL AND OLD.record_id IS NOT NULL AND NEW.role <> 'copy'
BEGIN
    DELETE FROM merge_proposals
    WHERE id = NEW.proposal_id AND state IN ('pending', 'approved');
END;

CREATE TABLE merge_approvals (
    proposal_id INTEGER NOT NULL REFERENCES merge_proposals (id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, actor)
) STRICT, WITHOUT ROWID;

-- A reviewer's value for one canonical field, with why. The value is customer data: it is
-- blanked once the merge is done (the CRM holds it then) and goes with the proposal.
CREATE TABLE merge_overrides (
    proposal_id INTEGER NOT NULL REFERENCES merge_proposals (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    value       TEXT,
    reason      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, field)
) STRICT, WITHOUT ROWID;

-- "Not a duplicate": a rejected pair (lower id first) never comes back as a proposal.
CREATE TABLE merge_not_duplicates (
    system_id INTEGER NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    left_id   TEXT NOT NULL,
    right_id  TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (system_id, left_id, right_id),
    CHECK (left_id < right_id)
) STRICT, WITHOUT ROWID;

-- The journal: every API call of a proposal's execution, planned before the first call.
-- kind 'merge': `absorbed` (JSON list) into `survivor`; kind 'values': the golden values
-- written into the survivor; kind 'repoint': spoke copies pointed at the survivor.
-- state: planned → sent → confirmed, or failed. A step found 'sent' after a crash is
-- settled by asking the CRM, never by sending it again blind.
CREATE TABLE merge_steps (
    proposal_id  INTEGER NOT NULL REFERENCES merge_proposals (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('merge', 'values', 'repoint')),
    survivor     TEXT NOT NULL,
    absorbed     TEXT NOT NULL CHECK (json_valid(absorbed)),
    state        TEXT NOT NULL CHECK (state IN ('planned', 'sent', 'confirmed', 'failed')),
    detail       TEXT,
    sent_at      INTEGER,
    confirmed_at INTEGER,
    PRIMARY KEY (proposal_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX merge_steps_open ON merge_steps (state) WHERE state IN ('planned', 'sent');

-- The full pre-merge state of each hub record of a proposal (every property with its
-- history, associations, merged ids), taken before the first call, and of each spoke copy's
-- cached fields before Steward writes into it. Exactly one per record and proposal. A
-- restore records the new record's id here.
CREATE TABLE merge_backups (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES merge_proposals (id) ON DELETE CASCADE,
    system_id   INTEGER NOT NULL,
    object      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    taken_at    INTEGER NOT NULL,
    content     TEXT NOT NULL CHECK (json_valid(content)),
    restored_as TEXT,
    restored_at INTEGER,
    restored_by TEXT,
    UNIQUE (proposal_id, system_id, external_id)
) STRICT;
CREATE INDEX merge_backups_by_record ON merge_backups (system_id, external_id);

-- The queue's settings: the two-person rule (one row).
CREATE TABLE merge_policy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    min_size    INTEGER NOT NULL,
    below_score REAL NOT NULL
) STRICT;
INSERT INTO merge_policy (id, min_size, below_score) VALUES (1, 3, 0.9);
