//! `steward sync`: one system after another, a progress line on stderr, a report each.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use steward_app::sync::{SyncChoice, SyncEnv, SyncProgress, SyncReport, sync_system};
use steward_app::{AppError, Steward};
use tokio_util::sync::CancellationToken;

use crate::args::SyncArgs;
use crate::commands::Outcome;
use crate::output::Printer;

/// Draws progress: rewritten in place on a terminal, a line every few seconds in a log.
struct ProgressLine {
    terminal: bool,
    last: Mutex<Option<Instant>>,
}

impl ProgressLine {
    fn show(&self, p: &SyncProgress) {
        let every = if self.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(5)
        };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        *last = Some(Instant::now());
        let total = p.total.map_or_else(String::new, |t| format!(" / {t}"));
        let eta = p
            .eta_seconds
            .map_or_else(String::new, |s| format!(", ETA {s:.0} s"));
        let line = format!(
            "{} · {}: {}{total} records ({:.0}/s{eta}), {} failed, {} API calls",
            p.system, p.object, p.done, p.per_second, p.failed, p.api_calls
        );
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K{line}");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    fn end(&self) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
    }
}

pub fn run(app: &Steward, args: &SyncArgs, out: &Printer) -> Result<Outcome, AppError> {
    let choice = if args.full {
        SyncChoice::Full
    } else if args.incremental {
        SyncChoice::Incremental
    } else {
        SyncChoice::Auto
    };
    let names: Vec<String> = if args.systems.is_empty() {
        app.list_systems()?.into_iter().map(|s| s.name).collect()
    } else {
        args.systems.clone()
    };
    let env = app.sync_env();
    let runtime = crate::sandbox::runtime()?;
    let reports = runtime.block_on(sync_names(&env, &names, choice, out.json))?;
    out.sync_reports(&reports);
    if reports.iter().any(|r| r.run_id != 0 && !r.external_failure) {
        match steward_app::drift::drift_after_sync(&env) {
            Some(Ok(run)) if !out.json => eprintln!(
                "steward: drift measured again: {} findings over {} records",
                run.findings, run.records
            ),
            Some(Err(error)) => eprintln!("steward: drift was not measured: {error}"),
            _ => {}
        }
    }
    if reports
        .iter()
        .any(|r| r.external_failure || r.status == "cancelled")
    {
        eprintln!(
            "steward: some systems did not sync completely (see above); run steward sync again to resume"
        );
        return Ok(Outcome::OutsideFailure);
    }
    if reports.iter().any(|r| r.run_id == 0) {
        eprintln!("steward: some systems could not start syncing (see above)");
        return Ok(Outcome::BadInput);
    }
    Ok(Outcome::Done)
}

/// Syncs systems one after another with a progress line on stderr. Ctrl-C stops after the
/// page in flight; the next sync resumes there.
pub async fn sync_names(
    env: &SyncEnv,
    names: &[String],
    choice: SyncChoice,
    quiet: bool,
) -> Result<Vec<SyncReport>, AppError> {
    let cancel = CancellationToken::new();
    let progress = ProgressLine {
        terminal: std::io::stderr().is_terminal() && !quiet,
        last: Mutex::new(None),
    };
    let stop = cancel.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.cancel();
        }
    });
    let mut reports = Vec::new();
    for name in names {
        let report = sync_system(env, name, choice, cancel.clone(), &|p| progress.show(p)).await;
        progress.end();
        reports.push(report.unwrap_or_else(|e| SyncReport::not_started(name, &e)));
        if cancel.is_cancelled() {
            break;
        }
    }
    watcher.abort();
    Ok(reports)
}
