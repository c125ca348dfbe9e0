//! Write-back probes and their runs. A run's tag and test-record ids are stored before each
//! create call, so a crash's leftovers are found and cleaned up by the next run.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use steward_domain::{Leg, ProbeVerdict, Timestamp};

use crate::{Change, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeRow {
    pub id: i64,
    pub name: String,
    pub spoke_id: i64,
    pub hub_id: i64,
    pub match_key: String,
    pub status_field: String,
    pub status_values: Vec<String>,
    pub target_ms: u64,
    pub timeout_ms: u64,
    pub every_minutes: Option<u32>,
    pub created_at: Timestamp,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeRunRow {
    pub id: i64,
    pub probe_id: i64,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub actor: String,
    pub verdict: ProbeVerdict,
    pub legs: Vec<Leg>,
    pub error: Option<String>,
    pub tag: String,
    pub spoke_external: Option<String>,
    pub hub_external: Option<String>,
    pub cleanup: String,
    pub cleanup_detail: Option<String>,
}

const PROBE_COLUMNS: &str = "id, name, spoke_id, hub_id, match_key, status_field, status_values,
     target_ms, timeout_ms, every_minutes, created_at, created_by";

fn probe_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProbeRow> {
    let values: String = r.get(6)?;
    Ok(ProbeRow {
        id: r.get(0)?,
        name: r.get(1)?,
        spoke_id: r.get(2)?,
        hub_id: r.get(3)?,
        match_key: r.get(4)?,
        status_field: r.get(5)?,
        status_values: serde_json::from_str(&values).unwrap_or_default(),
        target_ms: r.get::<_, i64>(7)?.max(0).unsigned_abs(),
        timeout_ms: r.get::<_, i64>(8)?.max(0).unsigned_abs(),
        every_minutes: r.get(9)?,
        created_at: Timestamp::from_millis(r.get(10)?),
        created_by: r.get(11)?,
    })
}

pub fn list_probes(conn: &Connection) -> Result<Vec<ProbeRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PROBE_COLUMNS} FROM probes ORDER BY name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map([], probe_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A probe by name (any case), else by id: a name that is a number wins over an id.
pub fn find_probe(conn: &Connection, name_or_id: &str) -> Result<Option<ProbeRow>, StoreError> {
    let by_name = conn
        .query_row(
            &format!("SELECT {PROBE_COLUMNS} FROM probes WHERE name = ?1"),
            [name_or_id.trim()],
            probe_from_row,
        )
        .optional()?;
    if by_name.is_some() {
        return Ok(by_name);
    }
    let Ok(id) = name_or_id.trim().parse::<i64>() else {
        return Ok(None);
    };
    Ok(conn
        .query_row(
            &format!("SELECT {PROBE_COLUMNS} FROM probes WHERE id = ?1"),
            [id],
            probe_from_row,
        )
        .optional()?)
}

const RUN_COLUMNS: &str = "id, probe_id, started_at, finished_at, actor, verdict, steps, error,
     tag, spoke_external, hub_external, cleanup, cleanup_detail";

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProbeRunRow> {
    let verdict: String = r.get(5)?;
    let steps: String = r.get(6)?;
    Ok(ProbeRunRow {
        id: r.get(0)?,
        probe_id: r.get(1)?,
        started_at: Timestamp::from_millis(r.get(2)?),
        finished_at: r.get::<_, Option<i64>>(3)?.map(Timestamp::from_millis),
        actor: r.get(4)?,
        verdict: verdict.parse().unwrap_or(ProbeVerdict::Failed),
        legs: serde_json::from_str(&steps).unwrap_or_default(),
        error: r.get(7)?,
        tag: r.get(8)?,
        spoke_external: r.get(9)?,
        hub_external: r.get(10)?,
        cleanup: r.get(11)?,
        cleanup_detail: r.get(12)?,
    })
}

/// A probe's runs, newest first (at most `limit`).
pub fn probe_runs(
    conn: &Connection,
    probe_id: i64,
    limit: u32,
) -> Result<Vec<ProbeRunRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM probe_runs WHERE probe_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![probe_id, limit], run_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A probe's newest run with a verdict (finished, not cancelled): what "its last run
/// passed" means on checklists and in the audit.
pub fn last_verdict_run(
    conn: &Connection,
    probe_id: i64,
) -> Result<Option<ProbeRunRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {RUN_COLUMNS} FROM probe_runs
                  WHERE probe_id = ?1 AND verdict IN ('passed', 'slow', 'failed')
                  ORDER BY started_at DESC, id DESC LIMIT 1"
            ),
            [probe_id],
            run_from_row,
        )
        .optional()?)
}

/// Every run started in `[from, to)`, oldest first (the audit's latencies).
pub fn probe_runs_between(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<ProbeRunRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM probe_runs WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at"
    ))?;
    let rows = stmt.query_map(params![from.millis(), to.millis()], run_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Runs whose test records may still be in a system.
pub fn pending_cleanups(conn: &Connection, probe_id: i64) -> Result<Vec<ProbeRunRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM probe_runs WHERE probe_id = ?1 AND cleanup <> 'done' ORDER BY id"
    ))?;
    let rows = stmt.query_map([probe_id], run_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_probe_run(conn: &Connection, id: i64) -> Result<Option<ProbeRunRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {RUN_COLUMNS} FROM probe_runs WHERE id = ?1"),
            [id],
            run_from_row,
        )
        .optional()?)
}

impl Change<'_> {
    pub fn add_probe(&self, p: &ProbeRow) -> Result<i64, StoreError> {
        let taken: Option<String> = self
            .tx
            .query_row("SELECT name FROM probes WHERE name = ?1", [&p.name], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(name) = taken {
            return Err(StoreError::Conflict(format!(
                "a probe named \"{name}\" exists; choose another name"
            )));
        }
        self.tx.execute(
            "INSERT INTO probes (name, spoke_id, hub_id, match_key, status_field, status_values,
                 target_ms, timeout_ms, every_minutes, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                p.name,
                p.spoke_id,
                p.hub_id,
                p.match_key,
                p.status_field,
                serde_json::to_string(&p.status_values).unwrap_or_else(|_| "[]".into()),
                i64::try_from(p.target_ms).unwrap_or(i64::MAX),
                i64::try_from(p.timeout_ms).unwrap_or(i64::MAX),
                p.every_minutes,
                p.created_at.millis(),
                p.created_by
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    pub fn remove_probe(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.tx.execute("DELETE FROM probes WHERE id = ?1", [id])? > 0)
    }

    /// Starts a run: its tag is stored before any test record is created.
    pub fn start_probe_run(
        &self,
        probe_id: i64,
        at: Timestamp,
        actor: &str,
        tag: &str,
    ) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO probe_runs (probe_id, started_at, actor, verdict, tag)
             VALUES (?1, ?2, ?3, 'running', ?4)",
            params![probe_id, at.millis(), actor, tag],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Records the ids the test records got, as soon as they are known.
    pub fn set_probe_ids(
        &self,
        run: i64,
        spoke: Option<&str>,
        hub: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE probe_runs SET spoke_external = coalesce(?2, spoke_external),
                                   hub_external = coalesce(?3, hub_external)
             WHERE id = ?1",
            params![run, spoke, hub],
        )?;
        Ok(())
    }

    pub fn finish_probe_run(
        &self,
        run: i64,
        at: Timestamp,
        verdict: ProbeVerdict,
        legs: &[Leg],
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE probe_runs SET finished_at = ?2, verdict = ?3, steps = ?4, error = ?5 WHERE id = ?1",
            params![
                run,
                at.millis(),
                verdict.as_str(),
                serde_json::to_string(legs).unwrap_or_else(|_| "[]".into()),
                error
            ],
        )?;
        Ok(())
    }

    /// Drops a probe's test record from the cache (a sync may have read it mid-run): the
    /// records of `system_id` whose `field` holds exactly `tag`. Returns how many.
    pub fn forget_test_records(
        &self,
        system_id: i64,
        field: &str,
        tag: &str,
    ) -> Result<usize, StoreError> {
        Ok(self.tx.execute(
            "DELETE FROM records WHERE id IN (
                 SELECT r.id FROM records r
                   JOIN record_fields f ON f.record_id = r.id AND f.field = ?2
                  WHERE r.system_id = ?1 AND f.value = ?3)",
            params![system_id, field, tag],
        )?)
    }

    pub fn set_probe_cleanup(
        &self,
        run: i64,
        state: &str,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE probe_runs SET cleanup = ?2, cleanup_detail = ?3 WHERE id = ?1",
            params![run, state, detail],
        )?;
        Ok(())
    }
}
