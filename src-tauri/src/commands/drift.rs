use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use steward_app::drift::{DriftOverview, DriftProgress, DriftRunView, FindingPage, FindingQuery};
use steward_app::fixes::{FixProgress, FixRecordView, FixReport, FixRequest};
use steward_app::{AppError, ErrorCode};
use tauri::{AppHandle, Emitter, State};
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// The drift run in progress, so Cancel can stop it and a second one is refused.
#[derive(Default)]
pub struct DriftJob(Mutex<Option<Arc<AtomicBool>>>);

struct Running<'a>(&'a DriftJob);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut slot) = (self.0).0.lock() {
            *slot = None;
        }
    }
}

fn busy() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "the drift job's state is unusable; restart Steward",
    )
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
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut slot = job.0.lock().map_err(|_| busy())?;
        if slot.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "drift is already being measured; wait for it to finish or cancel it",
            ));
        }
        *slot = Some(cancel.clone());
    }
    let _running = Running(&job);
    let stop = cancel.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let progress = |p: DriftProgress| {
            let _ = app.emit("drift-progress", p);
        };
        steward_app::drift::run_drift(&env, &progress, &|| stop.load(Ordering::Relaxed))
    })
    .await
    .map_err(|e| AppError::new(ErrorCode::Internal, format!("drift stopped: {e}")))?
}

#[tauri::command(async)]
pub fn cancel_drift(job: State<'_, DriftJob>) -> Result<bool, AppError> {
    let slot = job.0.lock().map_err(|_| busy())?;
    Ok(slot.as_ref().is_some_and(|flag| {
        flag.store(true, Ordering::Relaxed);
        true
    }))
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
