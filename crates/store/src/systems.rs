//! The systems table.

use rusqlite::{Connection, Row, params};
use steward_domain::{Connection as SystemConnection, Lifecycle, NewSystem, System, Timestamp};

use crate::error::StoreError;
use crate::{Change, StoreError as E};

const COLUMNS: &str =
    "id, name, kind, role, lifecycle, population, owner, dependent_teams, base_url, path";

fn parse<T: std::str::FromStr<Err = String>>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    text.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into())
    })
}

fn row_to_system(row: &Row<'_>) -> rusqlite::Result<System> {
    let name: String = row.get(1)?;
    let teams: String = row.get(7)?;
    Ok(System {
        id: row.get(0)?,
        name: steward_domain::SystemName::parse(&name).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
        })?,
        kind: parse(row, 2)?,
        role: parse(row, 3)?,
        lifecycle: parse(row, 4)?,
        population: parse(row, 5)?,
        owner: row.get(6)?,
        dependent_teams: serde_json::from_str(&teams).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, e.into())
        })?,
        connection: SystemConnection {
            base_url: row.get(8)?,
            path: row.get(9)?,
        },
    })
}

/// Every system, the hub first, then by name.
pub fn list_systems(conn: &Connection) -> Result<Vec<System>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM systems ORDER BY role = 'spoke', name"
    ))?;
    let rows = stmt.query_map([], row_to_system)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Change<'_> {
    /// Inserts a system as active. The caller checks domain rules first
    /// ([`steward_domain::ensure_can_add`]); the schema enforces unique names and one hub.
    pub fn insert_system(&self, new: &NewSystem, at: Timestamp) -> Result<System, StoreError> {
        let teams = serde_json::to_string(&new.dependent_teams)
            .map_err(|e| E::Invalid(format!("dependent teams: {e}")))?;
        self.tx
            .execute(
                "INSERT INTO systems (name, kind, role, lifecycle, population, owner,
                                      dependent_teams, base_url, path, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    new.name.as_str(),
                    new.kind.as_str(),
                    new.role.as_str(),
                    Lifecycle::Active.as_str(),
                    new.population.as_str(),
                    new.owner,
                    teams,
                    new.connection.base_url,
                    new.connection.path,
                    at.millis()
                ],
            )
            .map_err(|e| {
                E::on_constraint(e, || {
                    format!(
                        "a system named \"{}\" or a second hub would clash",
                        new.name
                    )
                })
            })?;
        let id = self.tx.last_insert_rowid();
        let mut stmt = self
            .tx
            .prepare_cached(&format!("SELECT {COLUMNS} FROM systems WHERE id = ?1"))?;
        Ok(stmt.query_row([id], row_to_system)?)
    }

    /// Removes a system and, by cascade, every cached record, link and sync run of it.
    /// Returns how many cached records went with it.
    pub fn delete_system(&self, id: i64) -> Result<u64, StoreError> {
        let records: i64 = self.tx.query_row(
            "SELECT count(*) FROM records WHERE system_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        // Merge backups are the only local copies of records merged away in this system:
        // never dropped as a side effect.
        let backups: i64 = self.tx.query_row(
            "SELECT count(*) FROM merge_backups b JOIN merge_proposals p ON p.id = b.proposal_id
             WHERE p.system_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        if backups > 0 {
            return Err(StoreError::Conflict(format!(
                "this system's merge journal holds {backups} backups of records (the only local \
                 copies of records merged away); it stays registered. Remove its credential \
                 from the keychain to stop using it"
            )));
        }
        self.tx
            .execute("DELETE FROM merge_proposals WHERE system_id = ?1", [id])?;
        // A spoke's copies as they were before a merge wrote into them go with its cache.
        self.tx
            .execute("DELETE FROM merge_backups WHERE system_id = ?1", [id])?;
        let deleted = self.tx.execute("DELETE FROM systems WHERE id = ?1", [id])?;
        if deleted == 0 {
            return Err(StoreError::Missing {
                what: format!("system {id}"),
            });
        }
        Ok(u64::try_from(records).unwrap_or(0))
    }
}
