//! The field-authority rule set, one row per version. A version is never changed: a change
//! is a new version, and its audit entry says who, why and what changed.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use steward_domain::Timestamp;

use crate::{Change, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleVersion {
    pub version: i64,
    pub at: Timestamp,
    pub actor: String,
    pub why: String,
    pub document: serde_json::Value,
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RuleVersion> {
    let document: String = row.get(4)?;
    Ok(RuleVersion {
        version: row.get(0)?,
        at: Timestamp::from_millis(row.get(1)?),
        actor: row.get(2)?,
        why: row.get(3)?,
        document: serde_json::from_str(&document).unwrap_or(serde_json::Value::Null),
    })
}

/// The rule set in force, if one was ever saved.
pub fn latest_rules(conn: &Connection) -> Result<Option<RuleVersion>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT version, at, actor, why, document FROM rule_versions
             ORDER BY version DESC LIMIT 1",
            [],
            from_row,
        )
        .optional()?)
}

/// Every version, newest first.
pub fn list_rule_versions(conn: &Connection) -> Result<Vec<RuleVersion>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT version, at, actor, why, document FROM rule_versions ORDER BY version DESC",
    )?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Change<'_> {
    /// Stores `document` as the next version and returns its number.
    pub fn save_rules(
        &self,
        at: Timestamp,
        actor: &str,
        why: &str,
        document: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        self.tx.execute(
            "INSERT INTO rule_versions (version, at, actor, why, document)
             VALUES ((SELECT COALESCE(max(version), 0) + 1 FROM rule_versions), ?1, ?2, ?3, ?4)",
            params![at.millis(), actor, why, document.to_string()],
        )?;
        Ok(self
            .tx
            .query_row("SELECT max(version) FROM rule_versions", [], |r| r.get(0))?)
    }
}
