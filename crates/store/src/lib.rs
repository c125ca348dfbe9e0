//! The local workspace: one SQLite file per workspace holding systems, the field catalog,
//! record snapshots, sync runs and the hash-chained audit log.
//!
//! Reads go straight to [`Workspace`]. Every write goes through [`Workspace::change`], whose
//! closure must return the [`AuditEvent`] that describes it: the change and its audit row
//! commit in one transaction or not at all.

mod audit;
mod cache;
mod catalog;
mod drift;
mod duplicates;
mod erasure;
mod error;
mod governance;
mod inventory;
mod merge;
mod open;
mod probes;
mod records;
mod rules;
mod schema;
mod sync_runs;
mod systems;

use std::path::{Path, PathBuf};

pub use rusqlite::Connection;
pub use rusqlite::ToSql as ToSqlValue;
use rusqlite::TransactionBehavior;
use steward_domain::{AuditEvent, ChainStatus, ChainedEntry};

pub use cache::{CacheWrite, SystemField, high_water, ids_modified_at};
pub use drift::{
    DriftRun, FieldRef, FindingFilter, FindingRow, FixRow, NewFinding, RecordHead, RecordScan,
    crosswalks, field_samples, field_value, field_version, for_each_record, get_finding, get_fix,
    latest_drift_run, list_drift_runs, list_findings, list_fixes, record_id, scan_records,
    value_counts,
};
pub use duplicates::{
    ClusterRow, LinkRow, MatchRun, NewCluster, PersonForMatching, PersonWithId,
    get_duplicate_cluster, latest_match_run, list_duplicate_clusters, list_duplicate_links,
    list_duplicate_members, people_for_matching, people_for_matching_ids,
};
pub use erasure::{
    ErasureCheck, ErasureRequest, Sighting, erasure_checks, get_erasure, list_erasures, sightings,
    tombstones,
};
pub use error::StoreError;
pub use governance::{
    AlertRow, ArchiveRow, AuditScoreRow, RecordTimes, RoleRow, is_governed, latest_archive,
    lifecycle_since, list_alerts, list_audit_scores, list_roles, quiet_days, record_times,
    roles_of, sign_offs,
};
pub use inventory::{
    ChangeActivity, ObjectCount, change_activity, field_fill, linked_records, newest_activity,
    object_counts, system_fields, system_settings,
};
pub use merge::{
    BackupRow, MemberRow, NewProposal, NewStep, OverrideRow, ProposalRow, StepRow, approvals,
    field_values_of, get_backup, get_proposal, list_backups, list_proposals, merge_policy,
    merge_steps, not_duplicates, ordered_pair, overrides, proposal_backups, proposal_counts,
    proposal_members, records_in_open_proposals,
};
pub use probes::{
    ProbeRow, ProbeRunRow, find_probe, get_probe_run, last_verdict_run, list_probes,
    pending_cleanups, probe_runs, probe_runs_between,
};
pub use rules::{RuleVersion, latest_rules, list_rule_versions};
pub use schema::LATEST_VERSION;
pub use sync_runs::{
    SyncMode, SyncProblem, SyncRun, SyncStatus, count_sync_problems, get_sync_run, last_full_read,
    last_sync_start, list_sync_problems, list_sync_runs,
};

/// An open workspace file.
#[derive(Debug)]
pub struct Workspace {
    conn: Connection,
    path: PathBuf,
    id: String,
}

/// The write side of one transaction. Created only by [`Workspace::change`].
pub struct Change<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Workspace {
    /// Creates a new workspace file (and its folder) holding the built-in field catalog and
    /// `event` as its first audit entry. Refuses to touch an existing file.
    pub fn create(path: &Path, workspace_id: &str, event: AuditEvent) -> Result<Self, StoreError> {
        open::create(path, workspace_id, |conn| {
            catalog::insert_builtin(conn)?;
            audit::append(conn, &event)?;
            Ok(())
        })?;
        Self::open(path)
    }

    /// Opens an existing workspace, migrating it to the latest schema. A missing, foreign,
    /// corrupt or newer-schema file is refused before anything is written to it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let (conn, id) = open::existing(path)?;
        Ok(Self {
            conn,
            path: path.to_owned(),
            id,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A stable id for this workspace, used to keep its keychain entries apart from others'.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs `write` in one transaction and appends the audit event it returns in that same
    /// transaction. Any error rolls everything back.
    /// The closure may fail with its own error type, so a step outside the database (a
    /// keychain write) can abort the transaction too.
    pub fn change<T, E: From<StoreError>>(
        &mut self,
        write: impl FnOnce(&Change<'_>) -> Result<(T, AuditEvent), E>,
    ) -> Result<T, E> {
        // IMMEDIATE takes the write lock up front, so a change that reads before it writes
        // waits for another process's writer (busy timeout) instead of failing midway.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let change = Change { tx };
        let (value, event) = write(&change)?;
        audit::append(&change.tx, &event)?;
        change.tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// Audit entries, newest first: at most `limit` of them with `seq < before` (all when
    /// `before` is `None`).
    pub fn audit_page(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ChainedEntry>, StoreError> {
        audit::page(&self.conn, before, limit)
    }

    pub fn audit_len(&self) -> Result<u64, StoreError> {
        audit::len(&self.conn)
    }

    /// Walks the whole chain and names the first entry that does not hold.
    pub fn verify_audit_log(&self) -> Result<ChainStatus, StoreError> {
        audit::verify(&self.conn)
    }
}

pub use catalog::list as list_catalog;
pub use records::{get_record, list_links, record_count};
pub use systems::list_systems;

impl Change<'_> {
    /// Read access inside the transaction, for a change that must read what it decides on
    /// under the same write lock (an erasure's search and purge).
    pub fn conn(&self) -> &Connection {
        &self.tx
    }
}

impl Workspace {
    /// After an erasure: the write-ahead log is folded into the file and truncated, so its
    /// older page images do not keep purged values (deleted content itself is zeroed:
    /// `secure_delete` is on for every connection).
    pub fn scrub(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Read access for the free functions above (`list_systems(ws.conn())` …).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}
