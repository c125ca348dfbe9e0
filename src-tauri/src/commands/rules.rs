use steward_app::AppError;
use steward_app::rules::{RulesView, SegmentConditionView};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn rules(state: State<'_, AppState>) -> Result<RulesView, AppError> {
    state.steward()?.rules()
}

#[tauri::command(async)]
pub fn export_rules(state: State<'_, AppState>) -> Result<String, AppError> {
    state.steward()?.export_rules()
}

#[tauri::command(async)]
pub fn set_authority(
    state: State<'_, AppState>,
    object: String,
    field: String,
    system: String,
    policy: String,
    category: Option<String>,
    why: String,
) -> Result<i64, AppError> {
    state
        .steward()?
        .set_authority(&object, &field, &system, &policy, category.as_deref(), &why)
}

#[tauri::command(async)]
pub fn map_field(
    state: State<'_, AppState>,
    system: String,
    object: String,
    system_field: String,
    field: Option<String>,
    why: String,
) -> Result<i64, AppError> {
    state
        .steward()?
        .map_field(&system, &object, &system_field, field.as_deref(), &why)
}

#[tauri::command(async)]
pub fn map_status(
    state: State<'_, AppState>,
    object: String,
    field: String,
    system: String,
    value: String,
    canonical: Option<String>,
    why: String,
) -> Result<i64, AppError> {
    state
        .steward()?
        .map_status(&object, &field, &system, &value, canonical.as_deref(), &why)
}

#[tauri::command(async)]
pub fn accept_suggestions(state: State<'_, AppState>, why: String) -> Result<i64, AppError> {
    state.steward()?.accept_suggestions(None, &why)
}

/// Defines (or replaces) a segment: every condition is a canonical field and the values
/// that put a record in it.
#[tauri::command(async)]
pub fn set_segment(
    state: State<'_, AppState>,
    name: String,
    object: String,
    conditions: Vec<SegmentConditionView>,
    why: String,
) -> Result<i64, AppError> {
    let conditions: Vec<(String, Vec<String>)> = conditions
        .into_iter()
        .map(|c| (c.field, c.values))
        .collect();
    state
        .steward()?
        .set_segment(&name, &object, &conditions, &why)
}
