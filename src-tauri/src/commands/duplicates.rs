use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use steward_app::duplicates::{ClusterDetail, DuplicatesProgress, DuplicatesView, MatchRunView};
use steward_app::{AppError, ErrorCode};
use tauri::{AppHandle, Emitter, State};

use crate::state::AppState;

/// The matching run in progress, so Cancel can stop it and a second one is refused.
#[derive(Default)]
pub struct MatchJob(Mutex<Option<Arc<AtomicBool>>>);

struct Running<'a>(&'a MatchJob);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut slot) = (self.0).0.lock() {
            *slot = None;
        }
    }
}

#[tauri::command(async)]
pub fn duplicates(state: State<'_, AppState>) -> Result<DuplicatesView, AppError> {
    state.steward()?.duplicates()
}

#[tauri::command(async)]
pub fn duplicate_cluster(
    state: State<'_, AppState>,
    cluster: i64,
) -> Result<ClusterDetail, AppError> {
    state.steward()?.duplicate_cluster(cluster)
}

/// Matches every cached person, emitting `duplicates-progress` as it goes. Runs on its own
/// workspace connection and a blocking thread, so the app stays responsive.
#[tauri::command]
pub async fn find_duplicates(
    app: AppHandle,
    state: State<'_, AppState>,
    job: State<'_, MatchJob>,
) -> Result<MatchRunView, AppError> {
    let env = state.steward()?.sync_env();
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut slot = job.0.lock().map_err(|_| busy())?;
        if slot.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "duplicates are already being found; wait for it to finish or cancel it",
            ));
        }
        *slot = Some(cancel.clone());
    }
    let _running = Running(&job);
    let stop = cancel.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let progress = |p: DuplicatesProgress| {
            let _ = app.emit("duplicates-progress", p);
        };
        steward_app::duplicates::find_duplicates(&env, &progress, &|| stop.load(Ordering::Relaxed))
    })
    .await
    .map_err(|e| AppError::new(ErrorCode::Internal, format!("matching stopped: {e}")))?
}

#[tauri::command(async)]
pub fn cancel_duplicates(job: State<'_, MatchJob>) -> Result<bool, AppError> {
    let slot = job.0.lock().map_err(|_| busy())?;
    Ok(slot.as_ref().is_some_and(|flag| {
        flag.store(true, Ordering::Relaxed);
        true
    }))
}

fn busy() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "the matching job state is unusable; restart Steward",
    )
}
