//! Record snapshots with per-field modification times, and links between records.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, params};
use steward_domain::{
    Association, FieldValue, ObjectType, PastValue, Record, RecordKey, RecordLink, Timestamp,
};

use crate::Change;
use crate::error::StoreError;

fn record_id(conn: &Connection, key: &RecordKey) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM records WHERE system_id = ?1 AND object = ?2 AND external_id = ?3",
    )?;
    Ok(stmt
        .query_row(
            params![key.system_id, key.object.as_str(), key.external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The cached snapshot of one record, if Steward has read it.
pub fn get_record(conn: &Connection, key: &RecordKey) -> Result<Option<Record>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, created_at, updated_at, archived FROM records
         WHERE system_id = ?1 AND object = ?2 AND external_id = ?3",
    )?;
    let head = stmt
        .query_row(
            params![key.system_id, key.object.as_str(), key.external_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((id, created_at, updated_at, archived)) = head else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT field, value, modified_at, source FROM record_fields WHERE record_id = ?1",
    )?;
    let mut rows = stmt.query([id])?;
    let mut fields = BTreeMap::new();
    while let Some(row) = rows.next()? {
        fields.insert(
            row.get::<_, String>(0)?,
            FieldValue {
                value: row.get(1)?,
                modified_at: row.get::<_, Option<i64>>(2)?.map(Timestamp::from_millis),
                source: row.get(3)?,
                earlier: Vec::new(),
            },
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT field, value, modified_at, source FROM record_field_versions
         WHERE record_id = ?1 ORDER BY field, seq",
    )?;
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        let field: String = row.get(0)?;
        if let Some(current) = fields.get_mut(&field) {
            current.earlier.push(PastValue {
                value: row.get(1)?,
                modified_at: row.get::<_, Option<i64>>(2)?.map(Timestamp::from_millis),
                source: row.get(3)?,
            });
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT object, external_id FROM record_associations WHERE record_id = ?1",
    )?;
    let mut rows = stmt.query([id])?;
    let mut associations = BTreeSet::new();
    while let Some(row) = rows.next()? {
        associations.insert(Association {
            object: row
                .get::<_, String>(0)?
                .parse()
                .map_err(StoreError::Invalid)?,
            external_id: row.get(1)?,
        });
    }
    Ok(Some(Record {
        key: key.clone(),
        created_at: created_at.map(Timestamp::from_millis),
        updated_at: updated_at.map(Timestamp::from_millis),
        archived,
        fields,
        associations,
    }))
}

/// How many records of a system (and object) the workspace holds.
pub fn record_count(
    conn: &Connection,
    system_id: i64,
    object: Option<ObjectType>,
) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM records WHERE system_id = ?1 AND (?2 IS NULL OR object = ?2)",
        params![system_id, object.map(ObjectType::as_str)],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every link that touches `key`.
pub fn list_links(conn: &Connection, key: &RecordKey) -> Result<Vec<RecordLink>, StoreError> {
    let Some(id) = record_id(conn, key)? else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT l.basis, a.system_id, a.object, a.external_id, b.system_id, b.object, b.external_id
         FROM record_links l
         JOIN records a ON a.id = l.left_record
         JOIN records b ON b.id = l.right_record
         WHERE l.left_record = ?1 OR l.right_record = ?1
         ORDER BY a.system_id, a.external_id, b.system_id, b.external_id",
    )?;
    let mut rows = stmt.query([id])?;
    let mut links = Vec::new();
    while let Some(row) = rows.next()? {
        let invalid = |e: String| StoreError::Invalid(format!("record link: {e}"));
        let basis: String = row.get(0)?;
        let key_at = |i: usize| -> Result<RecordKey, StoreError> {
            Ok(RecordKey {
                system_id: row.get(i)?,
                object: row.get::<_, String>(i + 1)?.parse().map_err(invalid)?,
                external_id: row.get(i + 2)?,
            })
        };
        links.push(RecordLink {
            left: key_at(1)?,
            right: key_at(4)?,
            basis: serde_json::from_str(&basis).map_err(|e| invalid(e.to_string()))?,
        });
    }
    Ok(links)
}

impl Change<'_> {
    /// Stores the snapshot of a record as read at `fetched_at`, replacing the previous one
    /// (a field the system no longer has is dropped).
    pub fn upsert_record(
        &self,
        record: &Record,
        fetched_at: Timestamp,
        sync_run_id: Option<i64>,
    ) -> Result<(), StoreError> {
        upsert(&self.tx, record, fetched_at, sync_run_id, true)
    }

    /// Links two cached records; both must have been read already.
    pub fn link_records(&self, link: &RecordLink) -> Result<(), StoreError> {
        let id_of = |key: &RecordKey| {
            record_id(&self.tx, key)?.ok_or_else(|| StoreError::Missing {
                what: format!(
                    "record {}/{} of system {}",
                    key.object, key.external_id, key.system_id
                ),
            })
        };
        let (left, right) = (id_of(&link.left)?, id_of(&link.right)?);
        let basis = serde_json::to_string(&link.basis)
            .map_err(|e| StoreError::Invalid(format!("link basis: {e}")))?;
        self.tx.execute(
            "INSERT INTO record_links (left_record, right_record, basis) VALUES (?1, ?2, ?3)
             ON CONFLICT (left_record, right_record) DO UPDATE SET basis = excluded.basis",
            params![left, right, basis],
        )?;
        Ok(())
    }
}

/// Stores a snapshot, replacing the previous one of the same key: fields the system no
/// longer has are dropped, and so are associations when `with_associations` says the read
/// carried them (otherwise the cached ones stay).
pub(crate) fn upsert(
    tx: &Connection,
    record: &Record,
    fetched_at: Timestamp,
    sync_run_id: Option<i64>,
    with_associations: bool,
) -> Result<(), StoreError> {
    let key = &record.key;
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO records (system_id, object, external_id, created_at, updated_at,
                                  archived, fetched_at, sync_run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (system_id, object, external_id) DO UPDATE SET
               created_at = excluded.created_at, updated_at = excluded.updated_at,
               archived = excluded.archived, fetched_at = excluded.fetched_at,
               sync_run_id = excluded.sync_run_id
             RETURNING id",
        )?
        .query_row(
            params![
                key.system_id,
                key.object.as_str(),
                key.external_id,
                record.created_at.map(Timestamp::millis),
                record.updated_at.map(Timestamp::millis),
                record.archived,
                fetched_at.millis(),
                sync_run_id
            ],
            |r| r.get(0),
        )?;
    tx.prepare_cached("DELETE FROM record_fields WHERE record_id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM record_field_versions WHERE record_id = ?1")?
        .execute([id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO record_fields (record_id, field, value, modified_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (field, value) in &record.fields {
        insert.execute(params![
            id,
            field,
            value.value,
            value.modified_at.map(Timestamp::millis),
            value.source
        ])?;
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO record_field_versions (record_id, field, seq, value, modified_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (field, value) in &record.fields {
        for (seq, past) in value
            .earlier
            .iter()
            .take(FieldValue::MAX_EARLIER)
            .enumerate()
        {
            insert.execute(params![
                id,
                field,
                i64::try_from(seq).unwrap_or(0),
                past.value,
                past.modified_at.map(Timestamp::millis),
                past.source
            ])?;
        }
    }
    if !with_associations {
        return Ok(());
    }
    tx.prepare_cached("DELETE FROM record_associations WHERE record_id = ?1")?
        .execute([id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO record_associations (record_id, object, external_id)
         VALUES (?1, ?2, ?3)",
    )?;
    for a in &record.associations {
        insert.execute(params![id, a.object.as_str(), a.external_id])?;
    }
    Ok(())
}
