use steward_app::AppError;
use steward_app::erasure::{ErasureInput, ErasurePreview, ErasureView};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn erasures(state: State<'_, AppState>) -> Result<Vec<ErasureView>, AppError> {
    state.steward()?.erasures()
}

#[tauri::command(async)]
pub fn request_erasure(
    state: State<'_, AppState>,
    input: ErasureInput,
) -> Result<ErasureView, AppError> {
    state.steward()?.request_erasure(&input)
}

#[tauri::command(async)]
pub fn check_erasures(
    state: State<'_, AppState>,
    id: Option<i64>,
) -> Result<Vec<ErasureView>, AppError> {
    state.steward()?.check_erasures(id)
}

#[tauri::command(async)]
pub fn preview_erasure(
    state: State<'_, AppState>,
    input: ErasureInput,
) -> Result<Vec<ErasurePreview>, AppError> {
    state.steward()?.preview_erasure(&input)
}
