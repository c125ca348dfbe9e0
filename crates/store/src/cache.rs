//! Refreshing the cache of what the systems hold. A sync writes pages of snapshots here,
//! each page in its own transaction together with the run's resume point, so a crash loses
//! at most the page in flight and a rerun continues without duplicating records.
//!
//! These writes are not audit-log entries: they change no customer data anywhere, they
//! record what was read. The sync run itself (start, counts, problems, end) is the record
//! of them, and its finish is audited by the caller through [`crate::Workspace::change`].

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use steward_domain::{ObjectType, Record, Timestamp};

use crate::error::StoreError;
use crate::sync_runs::{self, SyncMode, SyncProblem, SyncRun};
use crate::{Workspace, records};

/// A field as a system describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemField {
    pub object: ObjectType,
    pub name: String,
    pub label: String,
    pub value_type: String,
    pub read_only: bool,
}

/// The write side of one cache transaction. Created only by [`Workspace::cache`].
pub struct CacheWrite<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Workspace {
    /// Runs `write` in one transaction (all or nothing).
    pub fn cache<T>(
        &mut self,
        write: impl FnOnce(&CacheWrite<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let cache = CacheWrite { tx };
        let value = write(&cache)?;
        cache.tx.commit()?;
        Ok(value)
    }
}

impl CacheWrite<'_> {
    pub fn start_sync_run(
        &self,
        system_id: i64,
        at: Timestamp,
        mode: SyncMode,
    ) -> Result<i64, StoreError> {
        sync_runs::start(&self.tx, system_id, at, mode)
    }

    pub fn update_sync_run(&self, run: &SyncRun) -> Result<(), StoreError> {
        sync_runs::update(&self.tx, run)
    }

    pub fn add_problems(&self, run_id: i64, problems: &[SyncProblem]) -> Result<(), StoreError> {
        sync_runs::add_problems(&self.tx, run_id, problems)
    }

    pub(crate) fn tx(&self) -> &rusqlite::Connection {
        &self.tx
    }

    /// Stores a snapshot read by `run_id`. `with_associations` is false when the read did
    /// not carry associations (HubSpot's batch read): the cached ones are kept.
    pub fn upsert_record(
        &self,
        record: &Record,
        fetched_at: Timestamp,
        run_id: i64,
        with_associations: bool,
    ) -> Result<(), StoreError> {
        records::upsert(
            &self.tx,
            record,
            fetched_at,
            Some(run_id),
            with_associations,
        )
    }

    /// Claims the right to sync a system for `owner`. Fails with the current owner when a
    /// live sync holds it; a claim whose heartbeat is older than `stale_before` is taken over.
    pub fn claim_sync(
        &self,
        system_id: i64,
        owner: &str,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> Result<Result<(), String>, StoreError> {
        let current: Option<(String, i64)> = self
            .tx
            .query_row(
                "SELECT owner, heartbeat FROM sync_claims WHERE system_id = ?1",
                [system_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((other, heartbeat)) = current
            && other != owner
            && heartbeat >= stale_before.millis()
        {
            return Ok(Err(other));
        }
        self.tx.execute(
            "INSERT INTO sync_claims (system_id, owner, heartbeat) VALUES (?1, ?2, ?3)
             ON CONFLICT (system_id) DO UPDATE SET owner = excluded.owner,
                                                   heartbeat = excluded.heartbeat",
            params![system_id, owner, now.millis()],
        )?;
        Ok(Ok(()))
    }

    /// Takes a claim over from `dead`, a holder known to be gone. Fails (false) when someone
    /// else got there first.
    pub fn take_over_sync(
        &self,
        system_id: i64,
        dead: &str,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self.tx.execute(
            "UPDATE sync_claims SET owner = ?3, heartbeat = ?4 WHERE system_id = ?1 AND owner = ?2",
            params![system_id, dead, owner, now.millis()],
        )?;
        Ok(changed == 1)
    }

    /// Keeps `owner`'s claim alive. False when the claim is no longer theirs (it went stale
    /// and another sync took it): the caller must stop.
    pub fn heartbeat(
        &self,
        system_id: i64,
        owner: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self.tx.execute(
            "UPDATE sync_claims SET heartbeat = ?3 WHERE system_id = ?1 AND owner = ?2",
            params![system_id, owner, now.millis()],
        )?;
        Ok(changed == 1)
    }

    pub fn release_sync(&self, system_id: i64, owner: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "DELETE FROM sync_claims WHERE system_id = ?1 AND owner = ?2",
            params![system_id, owner],
        )?;
        Ok(())
    }

    /// Replaces what a system says its fields are, for one object.
    pub fn replace_system_fields(
        &self,
        system_id: i64,
        object: ObjectType,
        fields: &[SystemField],
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "DELETE FROM system_fields WHERE system_id = ?1 AND object = ?2",
            params![system_id, object.as_str()],
        )?;
        let mut insert = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO system_fields
               (system_id, object, name, label, value_type, read_only, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (i, f) in fields.iter().filter(|f| f.object == object).enumerate() {
            insert.execute(params![
                system_id,
                object.as_str(),
                f.name,
                f.label,
                f.value_type,
                f.read_only,
                i64::try_from(i).unwrap_or(i64::MAX)
            ])?;
        }
        Ok(())
    }

    /// Replaces the fields in which a system keeps the hub's ids.
    pub fn replace_crosswalks(
        &self,
        system_id: i64,
        crosswalks: &[(ObjectType, String)],
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "DELETE FROM system_crosswalks WHERE system_id = ?1",
            [system_id],
        )?;
        for (object, field) in crosswalks {
            self.tx.execute(
                "INSERT OR IGNORE INTO system_crosswalks (system_id, object, field) VALUES (?1, ?2, ?3)",
                params![system_id, object.as_str(), field],
            )?;
        }
        Ok(())
    }

    /// After a complete full read: drops the records of `object` this run did not see
    /// (deleted in the system). Returns how many went.
    /// Records the run saw but could not take in (problems located `id <external id>`,
    /// across every attempt of a resumed run) keep their previous snapshot rather than vanish.
    pub fn remove_unseen(
        &self,
        system_id: i64,
        object: ObjectType,
        run_id: i64,
    ) -> Result<u64, StoreError> {
        let n = self.tx.execute(
            "DELETE FROM records WHERE system_id = ?1 AND object = ?2
               AND (sync_run_id IS NULL OR sync_run_id <> ?3)
               AND external_id NOT IN (
                   SELECT substr(locator, 4) FROM sync_problems
                   WHERE sync_run_id = ?3 AND object = ?2 AND record_kept = 0
                     AND locator LIKE 'id %')",
            params![system_id, object.as_str(), run_id],
        )?;
        Ok(n as u64)
    }

    pub fn set_high_water(
        &self,
        system_id: i64,
        object: ObjectType,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO sync_marks (system_id, object, high_water) VALUES (?1, ?2, ?3)
             ON CONFLICT (system_id, object) DO UPDATE SET high_water = excluded.high_water",
            params![system_id, object.as_str(), at.millis()],
        )?;
        Ok(())
    }

    pub fn newest_change(
        &self,
        system_id: i64,
        object: ObjectType,
    ) -> Result<Option<Timestamp>, StoreError> {
        newest_change(&self.tx, system_id, object)
    }

    /// Rebuilds the shared-id links between the hub and the spokes that keep its ids: those
    /// of `spoke` alone after a spoke's sync, all of them after the hub's (`spoke` = `None`).
    /// Returns how many shared-id links the workspace holds afterwards.
    pub fn relink_crosswalks(&self, hub_id: i64, spoke: Option<i64>) -> Result<u64, StoreError> {
        // `?2 IS NULL` selects every spoke.
        self.tx.execute(
            "DELETE FROM record_links
             WHERE json_extract(basis, '$.kind') = 'shared_id'
               AND (?1 IS NULL
                    OR left_record IN (SELECT id FROM records WHERE system_id = ?1)
                    OR right_record IN (SELECT id FROM records WHERE system_id = ?1))",
            [spoke],
        )?;
        // Links are stored with the lower (system, object, id) key on the left, as
        // `RecordLink::new` orders them; records of different systems order by system id.
        self.tx.execute(
            "INSERT OR IGNORE INTO record_links (left_record, right_record, basis)
             SELECT CASE WHEN s.system_id < h.system_id THEN s.id ELSE h.id END,
                    CASE WHEN s.system_id < h.system_id THEN h.id ELSE s.id END,
                    json_object('kind', 'shared_id', 'field', x.field)
             FROM system_crosswalks x
             JOIN records s ON s.system_id = x.system_id AND s.object = x.object
             JOIN record_fields f ON f.record_id = s.id AND f.field = x.field
             JOIN records h ON h.system_id = ?1 AND h.object = s.object
                           AND h.external_id = trim(f.value)
             WHERE x.system_id <> ?1 AND (?2 IS NULL OR x.system_id = ?2)",
            params![hub_id, spoke],
        )?;
        count_links(&self.tx)
    }
}

fn count_links(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM record_links WHERE json_extract(basis, '$.kind') = 'shared_id'",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Where the next incremental read of `object` starts, if a complete sync set it.
pub fn high_water(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
) -> Result<Option<Timestamp>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT high_water FROM sync_marks WHERE system_id = ?1 AND object = ?2")?;
    let mut rows = stmt.query(params![system_id, object.as_str()])?;
    Ok(match rows.next()? {
        Some(row) => Some(Timestamp::from_millis(row.get(0)?)),
        None => None,
    })
}

/// The newest modification time among a system's cached records of `object`.
fn newest_change(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
) -> Result<Option<Timestamp>, StoreError> {
    let at: Option<i64> = conn.query_row(
        "SELECT max(updated_at) FROM records WHERE system_id = ?1 AND object = ?2",
        params![system_id, object.as_str()],
        |r| r.get(0),
    )?;
    Ok(at.map(Timestamp::from_millis))
}

/// The external ids of a system's records of `object` last modified exactly at `at`.
pub fn ids_modified_at(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
    at: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT external_id FROM records WHERE system_id = ?1 AND object = ?2 AND updated_at = ?3",
    )?;
    let ids = stmt
        .query_map(params![system_id, object.as_str(), at.millis()], |r| {
            r.get(0)
        })?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}
