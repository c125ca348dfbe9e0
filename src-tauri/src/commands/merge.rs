use steward_app::AppError;
use steward_app::merge::{
    ApproveRequest, DecisionReport, ExecuteReport, ExecuteRequest, MergeBackupView,
    MergePolicyView, MergeProgress, ProposalDetail, ProposeReport, QueueQuery, QueueView,
    RestoreReport,
};
use tauri::{AppHandle, Emitter, State};

use crate::commands::job::JobSlot;
use crate::state::AppState;

/// The merge run in progress, so Cancel can stop it between calls and a second is refused.
pub struct MergeJob(pub JobSlot);

impl Default for MergeJob {
    fn default() -> Self {
        Self(JobSlot::new(
            "merges are already running; wait for them to finish or cancel",
        ))
    }
}

#[tauri::command(async)]
pub fn merge_queue(state: State<'_, AppState>, query: QueueQuery) -> Result<QueueView, AppError> {
    state.steward()?.merge_queue(&query)
}

#[tauri::command(async)]
pub fn merge_proposal(state: State<'_, AppState>, id: i64) -> Result<ProposalDetail, AppError> {
    state.steward()?.merge_proposal(id)
}

#[tauri::command(async)]
pub fn propose_merges(state: State<'_, AppState>) -> Result<ProposeReport, AppError> {
    state.steward()?.propose_merges()
}

#[tauri::command(async)]
pub fn approve_merges(
    state: State<'_, AppState>,
    request: ApproveRequest,
) -> Result<DecisionReport, AppError> {
    state.steward()?.approve_merges(&request)
}

#[tauri::command(async)]
pub fn reject_merge(
    state: State<'_, AppState>,
    id: i64,
    why: String,
) -> Result<DecisionReport, AppError> {
    state.steward()?.reject_merge(id, &why)
}

#[tauri::command(async)]
pub fn set_merge_value(
    state: State<'_, AppState>,
    id: i64,
    field: String,
    value: Option<String>,
    why: String,
) -> Result<ProposalDetail, AppError> {
    state
        .steward()?
        .set_merge_value(id, &field, value.as_deref(), &why)
}

#[tauri::command(async)]
pub fn set_merge_policy(
    state: State<'_, AppState>,
    policy: MergePolicyView,
    why: String,
) -> Result<MergePolicyView, AppError> {
    state.steward()?.set_merge_policy(&policy, &why)
}

/// Merges approved proposals in the CRM, emitting `merge-progress`.
#[tauri::command]
pub async fn execute_merges(
    app: AppHandle,
    state: State<'_, AppState>,
    job: State<'_, MergeJob>,
    request: ExecuteRequest,
) -> Result<ExecuteReport, AppError> {
    let env = state.steward()?.sync_env();
    let (_running, stop) = job.0.start()?;
    let progress = move |p: MergeProgress| {
        let _ = app.emit("merge-progress", p);
    };
    steward_app::merge::execute_merges(&env, &request, &progress, stop).await
}

#[tauri::command(async)]
pub fn cancel_merges(job: State<'_, MergeJob>) -> Result<bool, AppError> {
    job.0.cancel()
}

#[tauri::command(async)]
pub fn merge_backups(state: State<'_, AppState>) -> Result<Vec<MergeBackupView>, AppError> {
    state.steward()?.merge_backups()
}

#[tauri::command]
pub async fn restore_backup(
    state: State<'_, AppState>,
    id: i64,
    why: String,
) -> Result<RestoreReport, AppError> {
    let env = state.steward()?.sync_env();
    steward_app::merge::restore_backup(&env, id, &why, tokio_util::sync::CancellationToken::new())
        .await
}
