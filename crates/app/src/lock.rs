//! Jobs that must not run twice at once for a workspace (merges, one probe), across windows
//! and commands: an OS file lock beside the workspace, released by the OS however its holder
//! ends, so a killed job never leaves it taken.

use std::path::{Path, PathBuf};

use crate::error::{AppError, ErrorCode};

/// Takes the lock `<workspace>.<name>-lock`, or refuses with `busy` when another process
/// (or window) holds it.
pub(crate) fn exclusive(
    workspace: &Path,
    name: &str,
    busy: &str,
) -> Result<std::fs::File, AppError> {
    let path = PathBuf::from(format!("{}.{name}-lock", workspace.display()));
    let io = |e: std::io::Error| {
        AppError::new(ErrorCode::Io, format!("the lock {}: {e}", path.display()))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(AppError::new(ErrorCode::Conflict, busy)),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}
