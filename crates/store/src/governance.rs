//! Governance tables: roles, lifecycle dates, checklist sign-offs, deprecation settings,
//! archive exports, alerts and the quarterly audit's stored scores.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use steward_domain::{Checklist, Duty, Lifecycle, SignOff, Timestamp};

use crate::{Change, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleRow {
    pub actor: String,
    pub role: Duty,
    pub granted_at: Timestamp,
    pub granted_by: String,
}

pub fn list_roles(conn: &Connection) -> Result<Vec<RoleRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT actor, role, granted_at, granted_by FROM roles ORDER BY actor COLLATE NOCASE, role",
    )?;
    let rows = stmt.query_map([], |r| {
        let role: String = r.get(1)?;
        Ok((r.get(0)?, role, r.get(2)?, r.get(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (actor, role, at, by): (String, String, i64, String) = row?;
        out.push(RoleRow {
            actor,
            role: role.parse().map_err(StoreError::Invalid)?,
            granted_at: Timestamp::from_millis(at),
            granted_by: by,
        });
    }
    Ok(out)
}

/// The roles `actor` holds (names compare without case).
pub fn roles_of(conn: &Connection, actor: &str) -> Result<Vec<Duty>, StoreError> {
    Ok(list_roles(conn)?
        .into_iter()
        .filter(|r| r.actor.eq_ignore_ascii_case(actor))
        .map(|r| r.role)
        .collect())
}

/// Whether an admin is named: until then the workspace is open to whoever holds it.
pub fn is_governed(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM roles WHERE role = 'admin' LIMIT 1",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// When the system entered its current lifecycle stage, if recorded.
pub fn lifecycle_since(conn: &Connection, system_id: i64) -> Result<Option<Timestamp>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT lifecycle_since FROM systems WHERE id = ?1",
            [system_id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten()
        .map(Timestamp::from_millis))
}

pub fn sign_offs(
    conn: &Connection,
    system_id: i64,
    checklist: Checklist,
) -> Result<Vec<(String, SignOff)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT item, actor, note, at FROM checklist_signoffs
         WHERE system_id = ?1 AND checklist = ?2 ORDER BY item",
    )?;
    let rows = stmt.query_map(params![system_id, checklist.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            SignOff {
                actor: r.get(1)?,
                note: r.get(2)?,
                at: Timestamp::from_millis(r.get(3)?),
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Days a system must have been quiet before it is retired (30 unless set).
pub fn quiet_days(conn: &Connection, system_id: i64) -> Result<u32, StoreError> {
    Ok(conn
        .query_row(
            "SELECT quiet_days FROM deprecation_settings WHERE system_id = ?1",
            [system_id],
            |r| r.get::<_, u32>(0),
        )
        .optional()?
        .unwrap_or(30))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveRow {
    pub id: i64,
    pub system_id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub path: String,
    pub records: u64,
    pub sha256: String,
}

pub fn latest_archive(conn: &Connection, system_id: i64) -> Result<Option<ArchiveRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, system_id, at, actor, path, records, sha256 FROM archive_exports
             WHERE system_id = ?1 ORDER BY id DESC LIMIT 1",
            [system_id],
            |r| {
                Ok(ArchiveRow {
                    id: r.get(0)?,
                    system_id: r.get(1)?,
                    at: Timestamp::from_millis(r.get(2)?),
                    actor: r.get(3)?,
                    path: r.get(4)?,
                    records: r.get::<_, i64>(5)?.max(0).unsigned_abs(),
                    sha256: r.get(6)?,
                })
            },
        )
        .optional()?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub system_id: Option<i64>,
    pub raised_at: Timestamp,
    pub last_seen: Timestamp,
    pub message: String,
    pub details: serde_json::Value,
    pub cleared_at: Option<Timestamp>,
    pub cleared_by: Option<String>,
}

/// Alerts, newest first: the open ones only, or every one.
pub fn list_alerts(conn: &Connection, open_only: bool) -> Result<Vec<AlertRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, subject, system_id, raised_at, last_seen, message, details,
                cleared_at, cleared_by
         FROM alerts WHERE (?1 = 0 OR cleared_at IS NULL) ORDER BY last_seen DESC, id DESC",
    )?;
    let rows = stmt.query_map([i64::from(open_only)], |r| {
        let details: String = r.get(7)?;
        Ok(AlertRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            subject: r.get(2)?,
            system_id: r.get(3)?,
            raised_at: Timestamp::from_millis(r.get(4)?),
            last_seen: Timestamp::from_millis(r.get(5)?),
            message: r.get(6)?,
            details: serde_json::from_str(&details).unwrap_or_default(),
            cleared_at: r.get::<_, Option<i64>>(8)?.map(Timestamp::from_millis),
            cleared_by: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditScoreRow {
    pub id: i64,
    pub quarter: String,
    pub at: Timestamp,
    pub actor: String,
    pub scores: serde_json::Value,
}

/// Every stored audit run, oldest first.
pub fn list_audit_scores(conn: &Connection) -> Result<Vec<AuditScoreRow>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, quarter, at, actor, scores FROM audit_scores ORDER BY at, id")?;
    let rows = stmt.query_map([], |r| {
        let scores: String = r.get(4)?;
        Ok(AuditScoreRow {
            id: r.get(0)?,
            quarter: r.get(1)?,
            at: Timestamp::from_millis(r.get(2)?),
            actor: r.get(3)?,
            scores: serde_json::from_str(&scores).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Change<'_> {
    pub fn grant_role(
        &self,
        actor: &str,
        role: Duty,
        at: Timestamp,
        by: &str,
    ) -> Result<(), StoreError> {
        if role == Duty::Owner
            && let Some(holder) = self
                .tx
                .query_row(
                    "SELECT actor FROM roles WHERE role = 'owner' AND actor <> ?1",
                    [actor],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
        {
            return Err(StoreError::Conflict(format!(
                "{holder} is the SSOT owner; there is one owner: revoke it first (steward role revoke {holder} --role owner)"
            )));
        }
        self.tx.execute(
            "INSERT OR IGNORE INTO roles (actor, role, granted_at, granted_by) VALUES (?1, ?2, ?3, ?4)",
            params![actor, role.as_str(), at.millis(), by],
        )?;
        Ok(())
    }

    /// Revokes a role. The last admin cannot be revoked: a governed workspace keeps one.
    pub fn revoke_role(&self, actor: &str, role: Duty) -> Result<bool, StoreError> {
        if role == Duty::Admin {
            let others: i64 = self.tx.query_row(
                "SELECT count(*) FROM roles WHERE role = 'admin' AND actor <> ?1",
                [actor],
                |r| r.get(0),
            )?;
            let holds: i64 = self.tx.query_row(
                "SELECT count(*) FROM roles WHERE role = 'admin' AND actor = ?1",
                [actor],
                |r| r.get(0),
            )?;
            if holds > 0 && others == 0 {
                return Err(StoreError::Conflict(format!(
                    "{actor} is the last admin; grant another admin first"
                )));
            }
        }
        Ok(self.tx.execute(
            "DELETE FROM roles WHERE actor = ?1 AND role = ?2",
            params![actor, role.as_str()],
        )? > 0)
    }

    pub fn set_lifecycle(
        &self,
        system_id: i64,
        to: Lifecycle,
        since: Timestamp,
    ) -> Result<(), StoreError> {
        let n = self.tx.execute(
            "UPDATE systems SET lifecycle = ?2, lifecycle_since = ?3 WHERE id = ?1",
            params![system_id, to.as_str(), since.millis()],
        )?;
        if n == 0 {
            return Err(StoreError::Missing {
                what: format!("system {system_id}"),
            });
        }
        Ok(())
    }

    pub fn sign_off(
        &self,
        system_id: i64,
        checklist: Checklist,
        item: &str,
        sign_off: &SignOff,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO checklist_signoffs (system_id, checklist, item, actor, note, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (system_id, checklist, item)
             DO UPDATE SET actor = excluded.actor, note = excluded.note, at = excluded.at",
            params![
                system_id,
                checklist.as_str(),
                item,
                sign_off.actor,
                sign_off.note,
                sign_off.at.millis()
            ],
        )?;
        Ok(())
    }

    pub fn withdraw_sign_off(
        &self,
        system_id: i64,
        checklist: Checklist,
        item: &str,
    ) -> Result<bool, StoreError> {
        Ok(self.tx.execute(
            "DELETE FROM checklist_signoffs WHERE system_id = ?1 AND checklist = ?2 AND item = ?3",
            params![system_id, checklist.as_str(), item],
        )? > 0)
    }

    pub fn set_quiet_days(&self, system_id: i64, days: u32) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO deprecation_settings (system_id, quiet_days) VALUES (?1, ?2)
             ON CONFLICT (system_id) DO UPDATE SET quiet_days = excluded.quiet_days",
            params![system_id, days],
        )?;
        Ok(())
    }

    pub fn record_archive(&self, row: &ArchiveRow) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO archive_exports (system_id, at, actor, path, records, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                row.system_id,
                row.at.millis(),
                row.actor,
                row.path,
                i64::try_from(row.records).unwrap_or(i64::MAX),
                row.sha256
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Raises an alert, or refreshes the open one of the same kind and subject. Returns its
    /// id and whether it is new.
    pub fn raise_alert(
        &self,
        kind: &str,
        subject: &str,
        system_id: Option<i64>,
        message: &str,
        details: &serde_json::Value,
        at: Timestamp,
    ) -> Result<(i64, bool), StoreError> {
        let open: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM alerts WHERE kind = ?1 AND subject = ?2 AND cleared_at IS NULL",
                params![kind, subject],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = open {
            self.tx.execute(
                "UPDATE alerts SET last_seen = ?2, message = ?3, details = ?4 WHERE id = ?1",
                params![id, at.millis(), message, details.to_string()],
            )?;
            return Ok((id, false));
        }
        self.tx.execute(
            "INSERT INTO alerts (kind, subject, system_id, raised_at, last_seen, message, details)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
            params![
                kind,
                subject,
                system_id,
                at.millis(),
                message,
                details.to_string()
            ],
        )?;
        Ok((self.tx.last_insert_rowid(), true))
    }

    /// Clears open alerts: one by id, or every one of `kind` and `subject` (a probe that
    /// passes again clears its own).
    pub fn clear_alerts(
        &self,
        id: Option<i64>,
        kind_subject: Option<(&str, &str)>,
        at: Timestamp,
        by: &str,
    ) -> Result<usize, StoreError> {
        let (kind, subject) = kind_subject.unwrap_or(("", ""));
        Ok(self.tx.execute(
            "UPDATE alerts SET cleared_at = ?1, cleared_by = ?2
             WHERE cleared_at IS NULL AND (id = ?3 OR (kind = ?4 AND subject = ?5))",
            params![at.millis(), by, id.unwrap_or(-1), kind, subject],
        )?)
    }

    pub fn save_audit_scores(
        &self,
        quarter: &str,
        at: Timestamp,
        actor: &str,
        scores: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO audit_scores (quarter, at, actor, scores) VALUES (?1, ?2, ?3, ?4)",
            params![quarter, at.millis(), actor, scores.to_string()],
        )?;
        Ok(self.tx.last_insert_rowid())
    }
}

/// A live cached record's id and dates, as its system gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordTimes {
    pub id: i64,
    pub object: String,
    pub external_id: String,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

/// Every live cached record of a system with its dates, oldest id first.
pub fn record_times(conn: &Connection, system_id: i64) -> Result<Vec<RecordTimes>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, object, external_id, created_at, updated_at FROM records
         WHERE system_id = ?1 AND archived = 0 ORDER BY id",
    )?;
    let rows = stmt.query_map([system_id], |r| {
        Ok(RecordTimes {
            id: r.get(0)?,
            object: r.get(1)?,
            external_id: r.get(2)?,
            created_at: r.get::<_, Option<i64>>(3)?.map(Timestamp::from_millis),
            updated_at: r.get::<_, Option<i64>>(4)?.map(Timestamp::from_millis),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
