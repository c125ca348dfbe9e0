//! The erasure tracker's tables: requests (identifiers only as salted hashes), each system's
//! status with its evidence, and what later syncs saw of an erased person without caching it.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use steward_domain::{ObjectType, Timestamp};

use crate::cache::CacheWrite;
use crate::{Change, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErasureRequest {
    pub id: i64,
    pub requested_at: Timestamp,
    pub deadline_at: Timestamp,
    pub requested_by: String,
    pub reference: String,
    pub label: String,
    /// Which kinds of identifier were given, with their hashes.
    pub identifiers: serde_json::Value,
    pub purged: u64,
    pub completed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErasureCheck {
    pub request_id: i64,
    pub system_id: i64,
    pub system_name: String,
    /// not_found, deleted, still_present, not_checked
    pub status: String,
    pub checked_at: Timestamp,
    pub evidence: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sighting {
    pub request_id: i64,
    pub system_id: i64,
    pub object: ObjectType,
    pub external_id: String,
    pub sync_run_id: i64,
    pub seen_at: Timestamp,
}

fn request_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<ErasureRequest> {
    let identifiers: String = row.get(6)?;
    Ok(ErasureRequest {
        id: row.get(0)?,
        requested_at: Timestamp::from_millis(row.get(1)?),
        deadline_at: Timestamp::from_millis(row.get(2)?),
        requested_by: row.get(3)?,
        reference: row.get(4)?,
        label: row.get(5)?,
        identifiers: serde_json::from_str(&identifiers).unwrap_or_default(),
        purged: row.get::<_, i64>(7)?.max(0).unsigned_abs(),
        completed_at: row.get::<_, Option<i64>>(8)?.map(Timestamp::from_millis),
    })
}

const REQUEST_COLUMNS: &str = "id, requested_at, deadline_at, requested_by, reference, label,
    identifiers, purged, completed_at";

/// Every request, newest first.
pub fn list_erasures(conn: &Connection) -> Result<Vec<ErasureRequest>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {REQUEST_COLUMNS} FROM erasure_requests ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([], request_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_erasure(conn: &Connection, id: i64) -> Result<Option<ErasureRequest>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {REQUEST_COLUMNS} FROM erasure_requests WHERE id = ?1"),
            [id],
            request_from,
        )
        .optional()?)
}

pub fn erasure_checks(conn: &Connection, request_id: i64) -> Result<Vec<ErasureCheck>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT request_id, system_id, system_name, status, checked_at, evidence
         FROM erasure_checks WHERE request_id = ?1 ORDER BY system_name",
    )?;
    let rows = stmt.query_map([request_id], |r| {
        let evidence: String = r.get(5)?;
        Ok(ErasureCheck {
            request_id: r.get(0)?,
            system_id: r.get(1)?,
            system_name: r.get(2)?,
            status: r.get(3)?,
            checked_at: Timestamp::from_millis(r.get(4)?),
            evidence: serde_json::from_str(&evidence).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every tombstone hash with its request.
pub fn tombstones(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare("SELECT hash, request_id FROM erasure_tombstones")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What syncs saw of a request's person in one system, newest run first.
pub fn sightings(
    conn: &Connection,
    request_id: i64,
    system_id: i64,
) -> Result<Vec<Sighting>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT request_id, system_id, object, external_id, sync_run_id, seen_at
         FROM erasure_sightings WHERE request_id = ?1 AND system_id = ?2
         ORDER BY sync_run_id DESC, external_id",
    )?;
    let rows = stmt.query_map(params![request_id, system_id], |r| {
        let object: String = r.get(2)?;
        Ok(Sighting {
            request_id: r.get(0)?,
            system_id: r.get(1)?,
            object: object.parse().unwrap_or(ObjectType::Person),
            external_id: r.get(3)?,
            sync_run_id: r.get(4)?,
            seen_at: Timestamp::from_millis(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Change<'_> {
    /// Stores a request with its tombstones; returns its id.
    pub fn insert_erasure(
        &self,
        request: &ErasureRequest,
        tombstones: &[(String, &str)],
    ) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO erasure_requests (requested_at, deadline_at, requested_by, reference,
                                           label, identifiers, purged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                request.requested_at.millis(),
                request.deadline_at.millis(),
                request.requested_by,
                request.reference,
                request.label,
                request.identifiers.to_string(),
                i64::try_from(request.purged).unwrap_or(i64::MAX),
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        let mut insert = self.tx.prepare(
            "INSERT OR IGNORE INTO erasure_tombstones (hash, request_id, kind) VALUES (?1, ?2, ?3)",
        )?;
        for (hash, kind) in tombstones {
            insert.execute(params![hash, id, kind])?;
        }
        Ok(id)
    }

    pub fn set_erasure_check(&self, check: &ErasureCheck) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO erasure_checks (request_id, system_id, system_name, status, checked_at,
                                         evidence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (request_id, system_id) DO UPDATE SET
               system_name = excluded.system_name, status = excluded.status,
               checked_at = excluded.checked_at, evidence = excluded.evidence",
            params![
                check.request_id,
                check.system_id,
                check.system_name,
                check.status,
                check.checked_at.millis(),
                check.evidence.to_string()
            ],
        )?;
        Ok(())
    }

    pub fn complete_erasure(&self, id: i64, at: Option<Timestamp>) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE erasure_requests SET completed_at = ?2 WHERE id = ?1",
            params![id, at.map(Timestamp::millis)],
        )?;
        Ok(())
    }

    /// Removes records from the cache with everything that hangs off them (fields, history,
    /// associations, links, clusters, findings) and blanks the values the fix journal kept for
    /// them. Returns how many went.
    pub fn purge_records(&self, ids: &[i64]) -> Result<u64, StoreError> {
        let mut journal = self.tx.prepare(
            "UPDATE drift_fixes SET before = NULL, after = '(erased)', detail = 'erased'
             WHERE (system_id, object, external_id) IN
                   (SELECT system_id, object, external_id FROM records WHERE id = ?1)",
        )?;
        let mut delete = self.tx.prepare("DELETE FROM records WHERE id = ?1")?;
        let mut n = 0;
        for id in ids {
            journal.execute([id])?;
            n += delete.execute([id])? as u64;
        }
        Ok(n)
    }
}

impl CacheWrite<'_> {
    /// Notes that a sync saw a tombstoned person, and drops any cached copy of that record.
    pub fn add_erasure_sighting(&self, sighting: &Sighting) -> Result<(), StoreError> {
        self.tx().execute(
            "INSERT OR IGNORE INTO erasure_sightings (request_id, system_id, object, external_id,
                                                      sync_run_id, seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sighting.request_id,
                sighting.system_id,
                sighting.object.as_str(),
                sighting.external_id,
                sighting.sync_run_id,
                sighting.seen_at.millis()
            ],
        )?;
        self.tx().execute(
            "DELETE FROM records WHERE system_id = ?1 AND object = ?2 AND external_id = ?3",
            params![
                sighting.system_id,
                sighting.object.as_str(),
                sighting.external_id
            ],
        )?;
        Ok(())
    }
}
