use steward_app::{AppError, WorkspaceInfo};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn workspace_info(state: State<'_, AppState>) -> Result<WorkspaceInfo, AppError> {
    Ok(state.steward()?.info())
}
