//! Sync runs: when each system was read, how far it got, and where to resume.

use rusqlite::{Connection, params};
use steward_domain::{ObjectType, Timestamp};

use crate::Change;
use crate::error::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStatus {
    Running,
    Succeeded,
    /// Finished, but some records could not be read (see `records_failed`).
    Partial,
    Failed,
    Cancelled,
}

impl SyncStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            "partial" => Self::Partial,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            other => return Err(StoreError::Invalid(format!("sync status \"{other}\""))),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// Everything; what was not seen is removed from the cache.
    Full,
    /// Only what changed since the last complete sync.
    Incremental,
}

impl SyncMode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Incremental => "incremental",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "full" => Ok(Self::Full),
            "incremental" => Ok(Self::Incremental),
            other => Err(StoreError::Invalid(format!("sync mode \"{other}\""))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRun {
    pub id: i64,
    pub system_id: i64,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub status: SyncStatus,
    pub records_read: u64,
    pub records_failed: u64,
    pub resume_from: Option<String>,
    pub error: Option<String>,
    pub mode: SyncMode,
    pub api_calls: u64,
    pub records_expected: Option<u64>,
    /// Cached records a full read found gone from the system.
    pub records_removed: u64,
}

/// A record that could not be read whole, as stored with its run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncProblem {
    pub object: ObjectType,
    pub locator: String,
    pub field: Option<String>,
    pub reason: String,
    pub record_kept: bool,
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn start(
    tx: &Connection,
    system_id: i64,
    at: Timestamp,
    mode: SyncMode,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO sync_runs (system_id, started_at, status, mode) VALUES (?1, ?2, 'running', ?3)",
        params![system_id, at.millis(), mode.as_str()],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Records progress or the end of a run. `error` must name the problem without customer
/// values.
pub(crate) fn update(tx: &Connection, run: &SyncRun) -> Result<(), StoreError> {
    let changed = tx
        .prepare_cached(
            "UPDATE sync_runs SET finished_at = ?2, status = ?3, records_read = ?4,
                                  records_failed = ?5, resume_from = ?6, error = ?7,
                                  api_calls = ?8, records_expected = ?9, records_removed = ?10
             WHERE id = ?1",
        )?
        .execute(params![
            run.id,
            run.finished_at.map(Timestamp::millis),
            run.status.as_str(),
            to_i64(run.records_read),
            to_i64(run.records_failed),
            run.resume_from,
            run.error,
            to_i64(run.api_calls),
            run.records_expected.map(to_i64),
            to_i64(run.records_removed),
        ])?;
    if changed == 0 {
        return Err(StoreError::Missing {
            what: format!("sync run {}", run.id),
        });
    }
    Ok(())
}

pub(crate) fn add_problems(
    tx: &Connection,
    run_id: i64,
    problems: &[SyncProblem],
) -> Result<(), StoreError> {
    let next: i64 = tx.query_row(
        "SELECT coalesce(max(seq), 0) + 1 FROM sync_problems WHERE sync_run_id = ?1",
        [run_id],
        |r| r.get(0),
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO sync_problems (sync_run_id, seq, object, locator, field, reason, record_kept)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, p) in problems.iter().enumerate() {
        insert.execute(params![
            run_id,
            next + i64::try_from(i).unwrap_or(0),
            p.object.as_str(),
            p.locator,
            p.field,
            p.reason,
            p.record_kept
        ])?;
    }
    Ok(())
}

impl Change<'_> {
    pub fn start_sync_run(&self, system_id: i64, at: Timestamp) -> Result<i64, StoreError> {
        start(&self.tx, system_id, at, SyncMode::Full)
    }

    pub fn update_sync_run(&self, run: &SyncRun) -> Result<(), StoreError> {
        update(&self.tx, run)
    }
}

/// One run by id.
pub fn get_sync_run(conn: &Connection, id: i64) -> Result<Option<SyncRun>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = ?1"
    ))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => Ok(Some(run_from(row)?)),
        None => Ok(None),
    }
}

/// How many problems a run recorded.
pub fn count_sync_problems(conn: &Connection, run_id: i64) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sync_problems WHERE sync_run_id = ?1",
        [run_id],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The problems a run recorded, in the order found (at most `limit`).
pub fn list_sync_problems(
    conn: &Connection,
    run_id: i64,
    limit: u32,
) -> Result<Vec<SyncProblem>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT object, locator, field, reason, record_kept FROM sync_problems
         WHERE sync_run_id = ?1 ORDER BY seq LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![run_id, limit])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(SyncProblem {
            object: row
                .get::<_, String>(0)?
                .parse()
                .map_err(StoreError::Invalid)?,
            locator: row.get(1)?,
            field: row.get(2)?,
            reason: row.get(3)?,
            record_kept: row.get(4)?,
        });
    }
    Ok(out)
}

const RUN_COLUMNS: &str = "id, system_id, started_at, finished_at, status, records_read, \
    records_failed, resume_from, error, mode, api_calls, records_expected, records_removed";

fn run_from(row: &rusqlite::Row<'_>) -> Result<SyncRun, StoreError> {
    let status: String = row.get(4)?;
    let mode: String = row.get(9)?;
    let count = |i: usize| -> Result<u64, StoreError> {
        Ok(u64::try_from(row.get::<_, i64>(i)?).unwrap_or(0))
    };
    Ok(SyncRun {
        id: row.get(0)?,
        system_id: row.get(1)?,
        started_at: Timestamp::from_millis(row.get(2)?),
        finished_at: row.get::<_, Option<i64>>(3)?.map(Timestamp::from_millis),
        status: SyncStatus::parse(&status)?,
        records_read: count(5)?,
        records_failed: count(6)?,
        resume_from: row.get(7)?,
        error: row.get(8)?,
        mode: SyncMode::parse(&mode)?,
        api_calls: count(10)?,
        records_expected: row
            .get::<_, Option<i64>>(11)?
            .map(|n| u64::try_from(n).unwrap_or(0)),
        records_removed: count(12)?,
    })
}

/// A system's sync runs, newest first.
pub fn list_sync_runs(
    conn: &Connection,
    system_id: i64,
    limit: u32,
) -> Result<Vec<SyncRun>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs WHERE system_id = ?1
         ORDER BY started_at DESC, id DESC LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![system_id, limit])?;
    let mut runs = Vec::new();
    while let Some(row) = rows.next()? {
        runs.push(run_from(row)?);
    }
    Ok(runs)
}

/// When the newest complete full read of a system started (succeeded, or partial: both read
/// every page and removed what the system no longer has).
pub fn last_full_read(conn: &Connection, system_id: i64) -> Result<Option<Timestamp>, StoreError> {
    let at: Option<i64> = conn.query_row(
        "SELECT max(started_at) FROM sync_runs
         WHERE system_id = ?1 AND mode = 'full' AND status IN ('succeeded', 'partial')",
        [system_id],
        |r| r.get(0),
    )?;
    Ok(at.map(Timestamp::from_millis))
}

/// When the newest sync of a system started, whatever its outcome.
pub fn last_sync_start(conn: &Connection, system_id: i64) -> Result<Option<Timestamp>, StoreError> {
    let at: Option<i64> = conn.query_row(
        "SELECT max(started_at) FROM sync_runs WHERE system_id = ?1",
        [system_id],
        |r| r.get(0),
    )?;
    Ok(at.map(Timestamp::from_millis))
}
