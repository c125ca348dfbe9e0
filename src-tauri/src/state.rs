//! The one piece of managed state: the open workspace, or why it could not be opened (the UI
//! shows that reason and what to do, instead of the app failing to start).

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use steward_app::{AppError, ErrorCode, Steward};

pub struct AppState(Result<Mutex<Steward>, AppError>);

impl AppState {
    pub fn open(path: Result<PathBuf, AppError>) -> Self {
        let opened = path.and_then(|path| {
            tracing::info!(path = %path.display(), "opening workspace");
            Steward::open_default(&path, true)
        });
        if let Err(err) = &opened {
            tracing::error!(code = ?err.code, error = %err, "workspace unusable");
        }
        Self(opened.map(Mutex::new))
    }

    /// The workspace, locked for one command.
    pub fn steward(&self) -> Result<MutexGuard<'_, Steward>, AppError> {
        let mutex = self.0.as_ref().map_err(Clone::clone)?;
        mutex.lock().map_err(|_| {
            AppError::new(
                ErrorCode::Internal,
                "an earlier command crashed while holding the workspace; restart Steward",
            )
        })
    }
}
