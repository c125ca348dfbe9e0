use steward_app::AppError;
use steward_app::governance::{AlertView, GovernanceView, OnboardingView, SignOffRequest};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn governance(state: State<'_, AppState>) -> Result<GovernanceView, AppError> {
    state.steward()?.governance()
}

#[tauri::command(async)]
pub fn grant_role(
    state: State<'_, AppState>,
    person: String,
    role: String,
) -> Result<GovernanceView, AppError> {
    state.steward()?.grant_role(&person, &role)
}

#[tauri::command(async)]
pub fn revoke_role(
    state: State<'_, AppState>,
    person: String,
    role: String,
) -> Result<GovernanceView, AppError> {
    state.steward()?.revoke_role(&person, &role)
}

#[tauri::command(async)]
pub fn onboarding(state: State<'_, AppState>, system: String) -> Result<OnboardingView, AppError> {
    state.steward()?.onboarding(&system)
}

#[tauri::command(async)]
pub fn sign_off(state: State<'_, AppState>, request: SignOffRequest) -> Result<(), AppError> {
    state.steward()?.sign_off(&request)
}

#[tauri::command(async)]
pub fn withdraw_sign_off(
    state: State<'_, AppState>,
    system: String,
    checklist: String,
    item: String,
) -> Result<(), AppError> {
    state
        .steward()?
        .withdraw_sign_off(&system, &checklist, &item)
}

#[tauri::command(async)]
pub fn alerts(state: State<'_, AppState>, open_only: bool) -> Result<Vec<AlertView>, AppError> {
    state.steward()?.alerts(open_only)
}

#[tauri::command(async)]
pub fn clear_alert(state: State<'_, AppState>, id: i64) -> Result<(), AppError> {
    state.steward()?.clear_alert(id)
}
