//! The desktop shell: opens the workspace, registers the IPC commands and starts the window.
//! Every command is a few lines over `steward_app`; logic lives there.

mod commands;
mod state;

use std::path::PathBuf;

use state::AppState;

/// `--workspace PATH` on the command line, else `STEWARD_WORKSPACE`, else the OS data dir.
fn workspace_path() -> Result<PathBuf, steward_app::AppError> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--workspace"
            && let Some(path) = args.next()
        {
            return Ok(PathBuf::from(path));
        }
    }
    steward_app::default_workspace_path()
}

pub fn run() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let state = AppState::open(workspace_path());
    let result = tauri::Builder::default()
        .manage(state)
        .manage(commands::inventory::SyncJob::default())
        .manage(commands::duplicates::MatchJob::default())
        .manage(commands::drift::DriftJob::default())
        .manage(commands::merge::MergeJob::default())
        .manage(commands::probes::ProbeJob::default())
        .setup(|app| {
            commands::probes::schedule(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::workspace::workspace_info,
            commands::systems::list_systems,
            commands::systems::add_system,
            commands::systems::remove_system,
            commands::activity::audit_page,
            commands::activity::verify_audit_log,
            commands::inventory::inventory,
            commands::inventory::export_inventory_csv,
            commands::inventory::sync_systems,
            commands::inventory::cancel_sync,
            commands::duplicates::duplicates,
            commands::duplicates::duplicate_cluster,
            commands::duplicates::find_duplicates,
            commands::duplicates::cancel_duplicates,
            commands::drift::drift_overview,
            commands::drift::drift_findings,
            commands::drift::run_drift,
            commands::drift::cancel_drift,
            commands::drift::apply_fixes,
            commands::drift::revert_fix,
            commands::drift::drift_fixes,
            commands::merge::merge_queue,
            commands::merge::merge_proposal,
            commands::merge::propose_merges,
            commands::merge::approve_merges,
            commands::merge::reject_merge,
            commands::merge::set_merge_value,
            commands::merge::set_merge_policy,
            commands::merge::execute_merges,
            commands::merge::cancel_merges,
            commands::merge::merge_backups,
            commands::merge::restore_backup,
            commands::rules::rules,
            commands::rules::export_rules,
            commands::rules::set_authority,
            commands::rules::map_field,
            commands::rules::map_status,
            commands::rules::accept_suggestions,
            commands::rules::set_segment,
            commands::erasure::erasures,
            commands::erasure::request_erasure,
            commands::erasure::check_erasures,
            commands::erasure::preview_erasure,
            commands::governance::governance,
            commands::governance::grant_role,
            commands::governance::revoke_role,
            commands::governance::onboarding,
            commands::governance::sign_off,
            commands::governance::withdraw_sign_off,
            commands::governance::alerts,
            commands::governance::clear_alert,
            commands::deprecation::deprecations,
            commands::deprecation::deprecation_records,
            commands::deprecation::export_only_here,
            commands::deprecation::export_archive,
            commands::deprecation::set_quiet_days,
            commands::deprecation::move_lifecycle,
            commands::probes::probes,
            commands::probes::probe_history,
            commands::probes::add_probe,
            commands::probes::remove_probe,
            commands::probes::run_probe,
            commands::probes::cancel_probe,
            commands::audit::audit_overview,
            commands::audit::run_audit,
            commands::audit::export_audit,
        ])
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(err) = result {
        tracing::error!(error = %err, "the desktop app failed to start");
        std::process::exit(1);
    }
}
