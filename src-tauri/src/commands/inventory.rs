use steward_app::inventory::InventoryView;
use steward_app::sync::{SyncChoice, SyncReport, sync_system};
use steward_app::{AppError, ErrorCode};
use tauri::{AppHandle, Emitter, State};

use crate::commands::job::JobSlot;
use crate::state::AppState;

/// The sync in progress, so Cancel can stop it and a second one is refused.
pub struct SyncJob(pub JobSlot);

impl Default for SyncJob {
    fn default() -> Self {
        Self(JobSlot::new(
            "a sync is already running; wait for it to finish or cancel it",
        ))
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
    let (_running, cancel) = job.0.start()?;
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
    job.0.cancel()
}
