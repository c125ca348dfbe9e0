use std::sync::Mutex;

use steward_app::inventory::InventoryView;
use steward_app::sync::{SyncChoice, SyncReport, sync_system};
use steward_app::{AppError, ErrorCode};
use tauri::{AppHandle, Emitter, State};
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// The sync in progress, so the Cancel button can stop it and a second one waits its turn.
/// The slot stays taken until the sync has ended, cancelled or not.
#[derive(Default)]
pub struct SyncJob(Mutex<Option<CancellationToken>>);

/// Frees the slot when the sync command ends, however it ends.
struct Running<'a>(&'a SyncJob);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut slot) = (self.0).0.lock() {
            *slot = None;
        }
    }
}

#[tauri::command(async)]
pub fn inventory(state: State<'_, AppState>) -> Result<InventoryView, AppError> {
    state.steward()?.inventory()
}

/// Writes the inventory CSV beside the workspace and returns its path.
#[tauri::command(async)]
pub fn export_inventory_csv(state: State<'_, AppState>) -> Result<String, AppError> {
    let steward = state.steward()?;
    let csv = steward.inventory_csv()?;
    let dir = steward
        .info()
        .path
        .rsplit_once(std::path::MAIN_SEPARATOR)
        .map_or_else(|| ".".to_owned(), |(dir, _)| dir.to_owned());
    let path = std::path::Path::new(&dir)
        .join("exports")
        .join("inventory.csv");
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, csv).map_err(io)?;
    Ok(path.display().to_string())
}

/// Syncs the named systems one after another, emitting `sync-progress` after every page.
/// Runs on its own workspace connection, so the rest of the app stays responsive.
#[tauri::command]
pub async fn sync_systems(
    app: AppHandle,
    state: State<'_, AppState>,
    job: State<'_, SyncJob>,
    names: Vec<String>,
    choice: SyncChoice,
) -> Result<Vec<SyncReport>, AppError> {
    let env = state.steward()?.sync_env();
    let cancel = CancellationToken::new();
    {
        let mut slot = job.0.lock().map_err(|_| busy())?;
        if slot.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "a sync is already running; wait for it to finish or cancel it",
            ));
        }
        *slot = Some(cancel.clone());
    }
    let _running = Running(&job);
    let mut reports = Vec::new();
    for name in &names {
        let progress = |p: &steward_app::sync::SyncProgress| {
            let _ = app.emit("sync-progress", p);
        };
        // One system that cannot start (no credential, unreachable) is reported; the rest
        // still sync.
        let report = sync_system(&env, name, choice, cancel.clone(), &progress).await;
        reports.push(report.unwrap_or_else(|e| SyncReport::not_started(name, &e)));
        if cancel.is_cancelled() {
            break;
        }
    }
    // The trend follows the syncs: drift is measured again when rules are confirmed.
    if reports.iter().any(|r| r.run_id != 0 && !r.external_failure) {
        let measured = tauri::async_runtime::spawn_blocking(move || {
            steward_app::drift::drift_after_sync(&env)
        })
        .await;
        if let Ok(Some(Err(error))) = measured {
            tracing::warn!(code = ?error.code, "drift was not measured after the sync");
        }
    }
    Ok(reports)
}

#[tauri::command(async)]
pub fn cancel_sync(job: State<'_, SyncJob>) -> Result<bool, AppError> {
    let slot = job.0.lock().map_err(|_| busy())?;
    Ok(slot.as_ref().is_some_and(|t| {
        t.cancel();
        true
    }))
}

fn busy() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "the sync job state is unusable; restart Steward",
    )
}
