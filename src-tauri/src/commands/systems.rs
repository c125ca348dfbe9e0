use steward_app::systems::{AddSystemRequest, RemoveReport, SystemView};
use steward_app::{AppError, Secret};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn list_systems(state: State<'_, AppState>) -> Result<Vec<SystemView>, AppError> {
    state.steward()?.list_systems()
}

/// The secret arrives beside the request and is wrapped at once, so it is never logged. An
/// empty field means "no credential"; one of only spaces is refused, not silently dropped.
#[tauri::command(async)]
pub fn add_system(
    state: State<'_, AppState>,
    request: AddSystemRequest,
    secret: Option<String>,
) -> Result<SystemView, AppError> {
    let secret = secret
        .filter(|s| !s.is_empty())
        .map(Secret::new)
        .transpose()?;
    state.steward()?.add_system(request, secret)
}

#[tauri::command(async)]
pub fn remove_system(state: State<'_, AppState>, name: String) -> Result<RemoveReport, AppError> {
    state.steward()?.remove_system(&name)
}
