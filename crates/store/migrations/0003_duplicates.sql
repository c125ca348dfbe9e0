-- Duplicate detection over the workspace's people (the matching engine).

-- One row per matching run: its size and the model it learnt (comparison levels and their
-- weights: no customer values).
CREATE TABLE match_runs (
    id             INTEGER PRIMARY KEY,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER NOT NULL,
    records        INTEGER NOT NULL,
    pairs_compared INTEGER NOT NULL,
    threshold      REAL NOT NULL,
    seconds        REAL NOT NULL,
    model          TEXT NOT NULL CHECK (json_valid(model))
) STRICT;

-- The newest run's clusters of two or more records. No values: the list's label is read from
-- `label_record`'s fields named in `label_fields` (e.g. ["firstname","lastname"]) when
-- listed. Triggers drop the whole cluster as soon as any member record leaves the cache (an
-- erasure, a record the system no longer has) or is archived: no cluster outlives the
-- records it was found on.
CREATE TABLE duplicate_clusters (
    run_id       INTEGER NOT NULL REFERENCES match_runs (id) ON DELETE CASCADE,
    cluster      INTEGER NOT NULL,
    score        REAL NOT NULL,
    size         INTEGER NOT NULL,
    systems      TEXT NOT NULL CHECK (json_valid(systems)),
    label_record INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    label_fields TEXT NOT NULL CHECK (json_valid(label_fields)),
    PRIMARY KEY (run_id, cluster)
) STRICT;
CREATE INDEX duplicate_clusters_by_score ON duplicate_clusters (run_id, score DESC);

CREATE TABLE duplicate_members (
    run_id    INTEGER NOT NULL,
    cluster   INTEGER NOT NULL,
    record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, cluster, record_id),
    FOREIGN KEY (run_id, cluster) REFERENCES duplicate_clusters (run_id, cluster) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX duplicate_members_by_record ON duplicate_members (record_id);

-- Every pair inside a cluster with its match probability and per-comparison evidence
-- (comparison, level, bits: no values).
CREATE TABLE duplicate_links (
    run_id       INTEGER NOT NULL,
    cluster      INTEGER NOT NULL,
    left_record  INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    right_record INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    probability  REAL NOT NULL,
    evidence     TEXT NOT NULL CHECK (json_valid(evidence)),
    PRIMARY KEY (run_id, cluster, left_record, right_record),
    FOREIGN KEY (run_id, cluster) REFERENCES duplicate_clusters (run_id, cluster) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
-- A record's deletion cascades here: without these it would scan the table per record.
CREATE INDEX duplicate_links_by_left ON duplicate_links (left_record);
CREATE INDEX duplicate_links_by_right ON duplicate_links (right_record);

CREATE TRIGGER duplicate_member_gone AFTER DELETE ON duplicate_members
BEGIN
    DELETE FROM duplicate_clusters WHERE run_id = OLD.run_id AND cluster = OLD.cluster;
END;

CREATE TRIGGER duplicate_member_archived AFTER UPDATE OF archived ON records
WHEN NEW.archived = 1 AND OLD.archived = 0
BEGIN
    DELETE FROM duplicate_clusters WHERE (run_id, cluster) IN
        (SELECT run_id, cluster FROM duplicate_members WHERE record_id = NEW.id);
END;
