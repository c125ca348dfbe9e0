//! Creating and opening workspace files. Opening probes the file read-only first, so a
//! foreign, corrupt or newer-schema file is refused before a single byte of it changes.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::StoreError;
use crate::schema::{APPLICATION_ID, LATEST_VERSION, migrations};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Builds a new workspace under a temporary name, with `init` writing its first rows in the
/// same transaction as its identity, and only then links it into place. A crash or an error
/// at any step leaves nothing at `path`; a file that appears there meanwhile is never replaced.
pub(crate) fn create(
    path: &Path,
    workspace_id: &str,
    init: impl FnOnce(&Connection) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    if path.exists() {
        return Err(StoreError::AlreadyExists {
            path: path.to_owned(),
        });
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let file_name = path
        .file_name()
        .map_or_else(|| "workspace".into(), |n| n.to_string_lossy().into_owned());
    let staging = dir.join(format!(".{file_name}.creating-{}", std::process::id()));
    remove_with_journals(&staging);

    let built = (|| {
        let mut conn = Connection::open(&staging)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        migrations().to_latest(&mut conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO workspace_meta (key, value) VALUES ('workspace_id', ?1)",
            [workspace_id],
        )?;
        init(&tx)?;
        tx.commit()?;
        conn.close().map_err(|(_, e)| e)?;
        // A hard link, unlike a rename, refuses to replace a file that appeared meanwhile.
        std::fs::hard_link(&staging, path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                StoreError::AlreadyExists {
                    path: path.to_owned(),
                }
            } else {
                StoreError::Io {
                    path: path.to_owned(),
                    source,
                }
            }
        })
    })();
    remove_with_journals(&staging);
    built
}

fn remove_with_journals(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(&file);
    }
}

pub(crate) fn existing(path: &Path) -> Result<(Connection, String), StoreError> {
    if !path.is_file() {
        return Err(StoreError::NotFound {
            path: path.to_owned(),
        });
    }
    check_magic(path)?;
    let found = probe_read_only(path)?;

    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(path, e))?;
    configure(&conn).map_err(|e| classify(path, e))?;
    if found < LATEST_VERSION {
        tracing::info!(from = found, to = LATEST_VERSION, "migrating workspace");
        migrations().to_latest(&mut conn)?;
    }
    let id = workspace_id(&conn).map_err(|e| classify(path, e))?;
    Ok((conn, id))
}

fn check_magic(path: &Path) -> Result<(), StoreError> {
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut header))
        .map_err(|source| StoreError::Io {
            path: path.to_owned(),
            source,
        })?;
    if read < header.len() || &header != SQLITE_MAGIC {
        return Err(StoreError::NotAWorkspace {
            path: path.to_owned(),
            reason: "it is not an SQLite database".into(),
        });
    }
    Ok(())
}

/// Reads identity and schema version without the right to write.
fn probe_read_only(path: &Path) -> Result<i64, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(path, e))?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    if app_id != APPLICATION_ID {
        return Err(StoreError::NotAWorkspace {
            path: path.to_owned(),
            reason: "it is another program's SQLite database".into(),
        });
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    if version > LATEST_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    // Touch the schema and the identity row: damage in the first pages shows here.
    workspace_id(&conn).map_err(|e| classify(path, e))?;
    Ok(version)
}

fn workspace_id(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT value FROM workspace_meta WHERE key = 'workspace_id'",
        [],
        |r| r.get(0),
    )
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Deleted and replaced values are overwritten with zeros, not left in free space: an
    // erasure (or a sync replacing a snapshot) leaves no old value in the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

fn classify(path: &Path, err: rusqlite::Error) -> StoreError {
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
            path: path.to_owned(),
            detail: err.to_string(),
        },
        _ if matches!(err, rusqlite::Error::QueryReturnedNoRows) => StoreError::Corrupt {
            path: path.to_owned(),
            detail: "its workspace id is missing".into(),
        },
        _ => StoreError::Sqlite(err),
    }
}
