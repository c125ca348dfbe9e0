//! Sync runs: when each system was read, how far it got, and where to resume.

use rusqlite::{Connection, params};
use steward_domain::Timestamp;

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
}

impl Change<'_> {
    pub fn start_sync_run(&self, system_id: i64, at: Timestamp) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO sync_runs (system_id, started_at, status) VALUES (?1, ?2, 'running')",
            params![system_id, at.millis()],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Records progress or the end of a run. `error` must name the problem without
    /// customer values.
    pub fn update_sync_run(&self, run: &SyncRun) -> Result<(), StoreError> {
        let changed = self.tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, status = ?3, records_read = ?4,
                                  records_failed = ?5, resume_from = ?6, error = ?7
             WHERE id = ?1",
            params![
                run.id,
                run.finished_at.map(Timestamp::millis),
                run.status.as_str(),
                i64::try_from(run.records_read).unwrap_or(i64::MAX),
                i64::try_from(run.records_failed).unwrap_or(i64::MAX),
                run.resume_from,
                run.error
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::Missing {
                what: format!("sync run {}", run.id),
            });
        }
        Ok(())
    }
}

/// A system's sync runs, newest first.
pub fn list_sync_runs(
    conn: &Connection,
    system_id: i64,
    limit: u32,
) -> Result<Vec<SyncRun>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, system_id, started_at, finished_at, status, records_read, records_failed,
                resume_from, error
         FROM sync_runs WHERE system_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![system_id, limit])?;
    let mut runs = Vec::new();
    while let Some(row) = rows.next()? {
        let status: String = row.get(4)?;
        runs.push(SyncRun {
            id: row.get(0)?,
            system_id: row.get(1)?,
            started_at: Timestamp::from_millis(row.get(2)?),
            finished_at: row.get::<_, Option<i64>>(3)?.map(Timestamp::from_millis),
            status: SyncStatus::parse(&status)?,
            records_read: u64::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
            records_failed: u64::try_from(row.get::<_, i64>(6)?).unwrap_or(0),
            resume_from: row.get(7)?,
            error: row.get(8)?,
        });
    }
    Ok(runs)
}
