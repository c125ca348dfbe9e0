use steward_app::AppError;
use steward_app::activity::{AuditPage, AuditVerification};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn audit_page(
    state: State<'_, AppState>,
    before: Option<i64>,
    limit: u32,
) -> Result<AuditPage, AppError> {
    state.steward()?.audit_page(before, limit)
}

#[tauri::command(async)]
pub fn verify_audit_log(state: State<'_, AppState>) -> Result<AuditVerification, AppError> {
    state.steward()?.verify_audit_log()
}
