use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong with the workspace file. Messages name the path and the way
/// out; they never carry customer values.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("no workspace at {path}; create one with `steward workspace init`")]
    NotFound { path: PathBuf },
    #[error("a file already exists at {path}; open it, or choose another path")]
    AlreadyExists { path: PathBuf },
    #[error("{path} is not a Steward workspace ({reason}); nothing was changed")]
    NotAWorkspace { path: PathBuf, reason: String },
    #[error(
        "{path} was written by a newer Steward (schema {found}, this build knows up to {supported}); upgrade Steward — nothing was changed"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path} is damaged ({detail}); restore it from a backup — nothing was changed")]
    Corrupt { path: PathBuf, detail: String },
    #[error("workspace folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("{what} not found")]
    Missing { what: String },
    #[error("stored data is invalid: {0}")]
    Invalid(String),
    #[error("migrating the workspace failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("workspace database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Maps a UNIQUE/CHECK violation to a conflict with a readable message.
    pub(crate) fn on_constraint(err: rusqlite::Error, message: impl FnOnce() -> String) -> Self {
        match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => Self::Conflict(message()),
            _ => Self::Sqlite(err),
        }
    }
}
