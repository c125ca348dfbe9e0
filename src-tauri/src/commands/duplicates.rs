use steward_app::duplicates::{ClusterDetail, DuplicatesProgress, DuplicatesView, MatchRunView};
use steward_app::{AppError, ErrorCode};
use tauri::{AppHandle, Emitter, State};

use crate::commands::job::JobSlot;
use crate::state::AppState;

/// The run in progress, so Cancel can stop it and a second one is refused.
pub struct MatchJob(pub JobSlot);

impl Default for MatchJob {
    fn default() -> Self {
        Self(JobSlot::new(
            "duplicates are already being found; wait for it to finish or cancel it",
        ))
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
    let (_running, stop) = job.0.start()?;
    tauri::async_runtime::spawn_blocking(move || {
        let progress = |p: DuplicatesProgress| {
            let _ = app.emit("duplicates-progress", p);
        };
        steward_app::duplicates::find_duplicates(&env, &progress, &|| stop.is_cancelled())
    })
    .await
    .map_err(|e| AppError::new(ErrorCode::Internal, format!("matching stopped: {e}")))?
}

#[tauri::command(async)]
pub fn cancel_duplicates(job: State<'_, MatchJob>) -> Result<bool, AppError> {
    job.0.cancel()
}
