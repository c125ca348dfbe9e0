//! The migrations, in order. Append-only: a released file is never edited (a test holds
//! their checksums).

use rusqlite_migration::{M, Migrations};

pub(crate) const MIGRATIONS_SQL: &[&str] = &[
    include_str!("../migrations/0001_workspace.sql"),
    include_str!("../migrations/0002_sync.sql"),
    include_str!("../migrations/0003_duplicates.sql"),
    include_str!("../migrations/0004_authority_drift_erasure.sql"),
    include_str!("../migrations/0005_merge_queue.sql"),
    include_str!("../migrations/0006_governance.sql"),
];

/// The newest schema this build knows (SQLite's `user_version`).
pub const LATEST_VERSION: i64 = MIGRATIONS_SQL.len() as i64;

/// `PRAGMA application_id` of a Steward workspace ("STWD"), so a foreign SQLite file is
/// recognised before it is touched.
pub(crate) const APPLICATION_ID: i64 = 0x5354_5744;

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS_SQL.iter().map(|sql| M::up(sql)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }
}
