//! What the cache says about each system: objects, fields and how full they are, how often
//! records change, links to the hub, and the connector settings.

use rusqlite::{Connection, params};
use steward_domain::{ObjectType, Timestamp};

use crate::Change;
use crate::cache::SystemField;
use crate::error::StoreError;

fn object_of(text: String) -> Result<ObjectType, StoreError> {
    text.parse().map_err(StoreError::Invalid)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The fields a system described at its last sync, in its own order.
pub fn system_fields(conn: &Connection, system_id: i64) -> Result<Vec<SystemField>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT object, name, label, value_type, read_only FROM system_fields
         WHERE system_id = ?1 ORDER BY object, position",
    )?;
    let mut rows = stmt.query([system_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(SystemField {
            object: object_of(row.get(0)?)?,
            name: row.get(1)?,
            label: row.get(2)?,
            value_type: row.get(3)?,
            read_only: row.get(4)?,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectCount {
    pub object: ObjectType,
    pub live: u64,
    pub archived: u64,
}

pub fn object_counts(conn: &Connection, system_id: i64) -> Result<Vec<ObjectCount>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT object, sum(archived = 0), sum(archived) FROM records
         WHERE system_id = ?1 GROUP BY object ORDER BY object",
    )?;
    let mut rows = stmt.query([system_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(ObjectCount {
            object: object_of(row.get(0)?)?,
            live: count(row.get(1)?),
            archived: count(row.get(2)?),
        });
    }
    Ok(out)
}

/// How many live records hold a non-empty value, per object and field.
pub fn field_fill(
    conn: &Connection,
    system_id: i64,
) -> Result<Vec<(ObjectType, String, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.object, f.field, count(*) FROM records r
         JOIN record_fields f ON f.record_id = r.id
         WHERE r.system_id = ?1 AND r.archived = 0 AND trim(f.value) <> ''
         GROUP BY r.object, f.field",
    )?;
    let mut rows = stmt.query([system_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((object_of(row.get(0)?)?, row.get(1)?, count(row.get(2)?)));
    }
    Ok(out)
}

/// How many records changed in recent windows, as their modification times show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeActivity {
    pub last_7_days: u64,
    pub last_30_days: u64,
    pub last_90_days: u64,
    pub newest: Option<Timestamp>,
    pub oldest: Option<Timestamp>,
    /// Records with no modification time at all.
    pub undated: u64,
}

pub fn change_activity(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
    now: Timestamp,
) -> Result<ChangeActivity, StoreError> {
    const DAY: i64 = 86_400_000;
    let now = now.millis();
    conn.query_row(
        "SELECT coalesce(sum(t >= ?3), 0), coalesce(sum(t >= ?4), 0), coalesce(sum(t >= ?5), 0),
                max(t), min(t), coalesce(sum(t IS NULL), 0)
         FROM (SELECT coalesce(updated_at, created_at) AS t FROM records
               WHERE system_id = ?1 AND object = ?2)",
        params![
            system_id,
            object.as_str(),
            now - 7 * DAY,
            now - 30 * DAY,
            now - 90 * DAY
        ],
        |r| {
            Ok(ChangeActivity {
                last_7_days: count(r.get(0)?),
                last_30_days: count(r.get(1)?),
                last_90_days: count(r.get(2)?),
                newest: r.get::<_, Option<i64>>(3)?.map(Timestamp::from_millis),
                oldest: r.get::<_, Option<i64>>(4)?.map(Timestamp::from_millis),
                undated: count(r.get(5)?),
            })
        },
    )
    .map_err(StoreError::from)
}

/// The newest change or, for records that carry no change time, creation, of `object`.
pub fn newest_activity(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
) -> Result<Option<Timestamp>, StoreError> {
    let at: Option<i64> = conn.query_row(
        "SELECT max(coalesce(updated_at, created_at)) FROM records
         WHERE system_id = ?1 AND object = ?2",
        params![system_id, object.as_str()],
        |r| r.get(0),
    )?;
    Ok(at.map(Timestamp::from_millis))
}

/// How many of a system's records are linked to a record in another system.
pub fn linked_records(conn: &Connection, system_id: i64) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM records r
         JOIN (SELECT left_record AS id FROM record_links
               UNION SELECT right_record FROM record_links) l ON l.id = r.id
         WHERE r.system_id = ?1",
        [system_id],
        |r| r.get(0),
    )?;
    Ok(count(n))
}

/// The connector settings stored for a system (`{}` when none).
pub fn system_settings(conn: &Connection, system_id: i64) -> Result<serde_json::Value, StoreError> {
    let text: String = conn.query_row(
        "SELECT settings FROM systems WHERE id = ?1",
        [system_id],
        |r| r.get(0),
    )?;
    serde_json::from_str(&text).map_err(|e| StoreError::Invalid(format!("system settings: {e}")))
}

impl Change<'_> {
    pub fn set_system_settings(
        &self,
        system_id: i64,
        settings: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let changed = self.tx.execute(
            "UPDATE systems SET settings = ?2 WHERE id = ?1",
            params![system_id, settings.to_string()],
        )?;
        if changed == 0 {
            return Err(StoreError::Missing {
                what: format!("system {system_id}"),
            });
        }
        Ok(())
    }
}
