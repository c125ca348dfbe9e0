use std::collections::BTreeSet;
use std::time::Duration;

use steward_app::AppError;
use steward_app::probes::{ProbeProgress, ProbeRequest, ProbeRunView, ProbeView};
use steward_app::sync::SyncEnv;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::commands::job::JobSlot;
use crate::state::AppState;

/// The probe run in progress (asked for, or scheduled), so Cancel can stop it and a second
/// is refused.
pub struct ProbeJob(pub JobSlot);

impl Default for ProbeJob {
    fn default() -> Self {
        Self(JobSlot::new(
            "a probe is already running; wait for it to finish or cancel it",
        ))
    }
}

/// How often the scheduler looks for probes that are due.
const TICK: Duration = Duration::from_secs(60);

#[tauri::command(async)]
pub fn probes(state: State<'_, AppState>) -> Result<Vec<ProbeView>, AppError> {
    state.steward()?.probes()
}

#[tauri::command(async)]
pub fn probe_history(
    state: State<'_, AppState>,
    name: String,
    limit: u32,
) -> Result<Vec<ProbeRunView>, AppError> {
    state.steward()?.probe_history(&name, limit)
}

#[tauri::command(async)]
pub fn add_probe(state: State<'_, AppState>, request: ProbeRequest) -> Result<ProbeView, AppError> {
    state.steward()?.add_probe(&request)
}

#[tauri::command(async)]
pub fn remove_probe(state: State<'_, AppState>, name: String) -> Result<(), AppError> {
    state.steward()?.remove_probe(&name)
}

/// Runs one probe end to end, emitting `probe-progress`. A cancelled run still removes its
/// test records, and resolves with its verdict `cancelled`.
#[tauri::command]
pub async fn run_probe(
    app: AppHandle,
    state: State<'_, AppState>,
    job: State<'_, ProbeJob>,
    name: String,
) -> Result<ProbeRunView, AppError> {
    let env = state.steward()?.sync_env();
    let (_running, stop) = job.0.start()?;
    let progress = move |p: &ProbeProgress| {
        let _ = app.emit("probe-progress", p);
    };
    steward_app::probes::run_probe(&env, &name, stop, &progress).await
}

#[tauri::command(async)]
pub fn cancel_probe(job: State<'_, ProbeJob>) -> Result<bool, AppError> {
    job.0.cancel()
}

/// Runs scheduled probes while the app is open: every minute, each probe that is due, one
/// after another, on a thread of its own. A tick is skipped while a probe already runs.
pub fn schedule(app: &AppHandle) {
    let env = match app.state::<AppState>().steward() {
        Ok(steward) => steward.sync_env(),
        // No workspace: nothing to schedule (the window says why).
        Err(_) => return,
    };
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("probe-scheduler".into())
        .spawn(move || {
            let mut failing = BTreeSet::new();
            loop {
                std::thread::sleep(TICK);
                run_due(&app, &env, &mut failing);
            }
        });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "the probe scheduler did not start; run probes by hand");
    }
}

/// One tick. `failing` names the probes whose last scheduled run could not start, so a
/// probe that keeps failing to start (no credential, refused) is logged once, not every
/// minute.
fn run_due(app: &AppHandle, env: &SyncEnv, failing: &mut BTreeSet<String>) {
    let due = match steward_app::probes::due_probes(env) {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(code = ?err.code, "could not list the probes that are due");
            return;
        }
    };
    let job = app.state::<ProbeJob>();
    for name in due {
        let Ok((_running, stop)) = job.0.start() else {
            tracing::debug!("a probe is already running; scheduled probes wait for the next tick");
            return;
        };
        let progress = |p: &ProbeProgress| {
            let _ = app.emit("probe-progress", p);
        };
        let run = steward_app::probes::run_probe(env, &name, stop.clone(), &progress);
        match tauri::async_runtime::block_on(run) {
            Ok(run) => {
                failing.remove(&name);
                tracing::info!(run = run.id, verdict = %run.verdict, "scheduled probe ran");
            }
            Err(err) if failing.insert(name.clone()) => {
                tracing::warn!(code = ?err.code, "a scheduled probe could not start");
            }
            Err(err) => {
                tracing::debug!(code = ?err.code, "a scheduled probe still cannot start");
            }
        }
        if stop.is_cancelled() {
            return;
        }
    }
}
