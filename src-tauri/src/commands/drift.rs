use steward_app::drift::{DriftOverview, DriftProgress, DriftRunView, FindingPage, FindingQuery};
use steward_app::fixes::{FixProgress, FixRecordView, FixReport, FixRequest};
use steward_app::{AppError, ErrorCode};
use tauri::{AppHandle, Emitter, State};
use tokio_util::sync::CancellationToken;

use crate::commands::job::JobSlot;
use crate::state::AppState;

/// The run in progress, so Cancel can stop it and a second one is refused.
pub struct DriftJob(pub JobSlot);

impl Default for DriftJob {
    fn default() -> Self {
        Self(JobSlot::new(
            "drift is already being measured; wait for it to finish or cancel it",
        ))
    }
}

#[tauri::command(async)]
pub fn drift_overview(state: State<'_, AppState>) -> Result<DriftOverview, AppError> {
    state.steward()?.drift_overview()
}

#[tauri::command(async)]
pub fn drift_findings(
    state: State<'_, AppState>,
    query: FindingQuery,
) -> Result<FindingPage, AppError> {
    state.steward()?.drift_findings(&query)
}

/// Measures drift over the whole cache, emitting `drift-progress`. Own connection and a
/// blocking thread, so the window stays responsive.
#[tauri::command]
pub async fn run_drift(
    app: AppHandle,
    state: State<'_, AppState>,
    job: State<'_, DriftJob>,
) -> Result<DriftRunView, AppError> {
    let env = state.steward()?.sync_env();
    let (_running, stop) = job.0.start()?;
    tauri::async_runtime::spawn_blocking(move || {
        let progress = |p: DriftProgress| {
            let _ = app.emit("drift-progress", p);
        };
        steward_app::drift::run_drift(&env, &progress, &|| stop.is_cancelled())
    })
    .await
    .map_err(|e| AppError::new(ErrorCode::Internal, format!("drift stopped: {e}")))?
}

#[tauri::command(async)]
pub fn cancel_drift(job: State<'_, DriftJob>) -> Result<bool, AppError> {
    job.0.cancel()
}

/// Writes the chosen findings' fixes into their systems, emitting `fix-progress`.
#[tauri::command]
pub async fn apply_fixes(
    app: AppHandle,
    state: State<'_, AppState>,
    request: FixRequest,
) -> Result<FixReport, AppError> {
    let env = state.steward()?.sync_env();
    let progress = move |p: FixProgress| {
        let _ = app.emit("fix-progress", p);
    };
    steward_app::fixes::apply_fixes(&env, &request, &progress, CancellationToken::new()).await
}

#[tauri::command]
pub async fn revert_fix(state: State<'_, AppState>, id: i64) -> Result<FixRecordView, AppError> {
    let env = state.steward()?.sync_env();
    steward_app::fixes::revert_fix(&env, id, CancellationToken::new()).await
}

#[tauri::command(async)]
pub fn drift_fixes(state: State<'_, AppState>) -> Result<Vec<FixRecordView>, AppError> {
    state.steward()?.drift_fixes()
}
