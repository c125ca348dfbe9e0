use steward_app::AppError;
use steward_app::audit::{AuditOverview, AuditRunView};
use tauri::State;

use crate::commands::deprecation::export_path;
use crate::state::AppState;

#[tauri::command(async)]
pub fn audit_overview(state: State<'_, AppState>) -> Result<AuditOverview, AppError> {
    state.steward()?.audit_overview()
}

#[tauri::command(async)]
pub fn run_audit(state: State<'_, AppState>) -> Result<AuditRunView, AppError> {
    state.steward()?.run_audit()
}

/// Writes the audit pack of `quarter` (default: the newest scored) into `dir`; returns the
/// files written.
#[tauri::command(async)]
pub fn export_audit(
    state: State<'_, AppState>,
    quarter: Option<String>,
    dir: String,
) -> Result<Vec<String>, AppError> {
    let mut steward = state.steward()?;
    let dir = export_path(&steward, &dir)?;
    let quarter = quarter.as_deref().map(str::trim).filter(|q| !q.is_empty());
    steward.export_audit(quarter, &dir)
}
