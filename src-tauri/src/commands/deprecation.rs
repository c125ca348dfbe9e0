use std::path::PathBuf;

use steward_app::deprecation::{DeprecationView, ExportReport, RecordRefView};
use steward_app::{AppError, Steward};
use tauri::State;

use crate::state::AppState;

/// Where an export typed in the UI goes: a relative path is taken from the workspace's
/// folder (as the inventory export is), not from wherever the app was started.
pub fn export_path(steward: &Steward, raw: &str) -> Result<PathBuf, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::invalid(
            "path: name the file to write (or the folder, for an audit pack), e.g. /home/you/exports/sdr-archive.csv",
        ));
    }
    // `~` is a shell's, not the file system's: expand it rather than make a folder named ~.
    let path = match raw.strip_prefix("~/") {
        Some(rest) => std::env::home_dir()
            .map(|home| home.join(rest))
            .ok_or_else(|| {
                AppError::invalid("path: no home folder to expand ~ in; give a full path")
            })?,
        None => PathBuf::from(raw),
    };
    if path.is_absolute() {
        return Ok(path);
    }
    // The workspace's own folder, made absolute (it may have been opened by a relative path).
    let workspace = PathBuf::from(steward.info().path);
    let workspace = std::path::absolute(&workspace).unwrap_or(workspace);
    let dir = workspace
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    Ok(dir.join(path))
}

#[tauri::command(async)]
pub fn deprecations(state: State<'_, AppState>) -> Result<Vec<DeprecationView>, AppError> {
    state.steward()?.deprecations()
}

#[tauri::command(async)]
pub fn deprecation_records(
    state: State<'_, AppState>,
    system: String,
    item: String,
) -> Result<Vec<RecordRefView>, AppError> {
    state.steward()?.deprecation_records(&system, &item)
}

/// Writes the records only this system holds (for migrating them) to `path`.
#[tauri::command(async)]
pub fn export_only_here(
    state: State<'_, AppState>,
    system: String,
    path: String,
) -> Result<ExportReport, AppError> {
    let mut steward = state.steward()?;
    let path = export_path(&steward, &path)?;
    steward.export_only_here(&system, &path)
}

/// Writes the whole system's records (its archive before retirement) to `path`.
#[tauri::command(async)]
pub fn export_archive(
    state: State<'_, AppState>,
    system: String,
    path: String,
) -> Result<ExportReport, AppError> {
    let mut steward = state.steward()?;
    let path = export_path(&steward, &path)?;
    steward.export_archive(&system, &path)
}

#[tauri::command(async)]
pub fn set_quiet_days(
    state: State<'_, AppState>,
    system: String,
    days: u32,
) -> Result<DeprecationView, AppError> {
    state.steward()?.set_quiet_days(&system, days)
}

#[tauri::command(async)]
pub fn move_lifecycle(
    state: State<'_, AppState>,
    system: String,
    to: String,
    since: Option<String>,
    reason: Option<String>,
) -> Result<DeprecationView, AppError> {
    state
        .steward()?
        .move_lifecycle(&system, &to, since.as_deref(), reason.as_deref())
}
