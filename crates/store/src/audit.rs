//! Appending to and reading the hash-chained audit log.

use rusqlite::{Connection, OptionalExtension, params};
use steward_domain::audit::ChainVerifier;
use steward_domain::{AuditEvent, ChainStatus, ChainedEntry, GENESIS_HASH, Timestamp};

use crate::error::StoreError;

/// Seals `event` onto the end of the chain. Runs inside the caller's transaction, which
/// SQLite serialises against other writers, so two appends cannot share a predecessor.
pub(crate) fn append(conn: &Connection, event: &AuditEvent) -> Result<ChainedEntry, StoreError> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = last.map_or((1, GENESIS_HASH.to_owned()), |(s, h)| (s + 1, h));
    let entry = ChainedEntry::seal(seq, &prev_hash, event);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            entry.seq,
            entry.at.millis(),
            entry.actor,
            entry.action,
            entry.subject,
            entry.details,
            entry.prev_hash,
            entry.hash
        ],
    )?;
    Ok(entry)
}

const COLUMNS: &str = "seq, at, actor, action, subject, details, prev_hash, hash";

fn row_to_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<ChainedEntry> {
    Ok(ChainedEntry {
        seq: row.get(0)?,
        at: Timestamp::from_millis(row.get(1)?),
        actor: row.get(2)?,
        action: row.get(3)?,
        subject: row.get(4)?,
        details: row.get(5)?,
        prev_hash: row.get(6)?,
        hash: row.get(7)?,
    })
}

pub(crate) fn page(
    conn: &Connection,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<ChainedEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit], row_to_entry)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn len(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(crate) fn verify(conn: &Connection) -> Result<ChainStatus, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut verifier = ChainVerifier::default();
    while let Some(row) = rows.next()? {
        if let Err(at) = verifier.push(&row_to_entry(row)?) {
            return Ok(ChainStatus::Broken(at));
        }
    }
    Ok(verifier.finish())
}
