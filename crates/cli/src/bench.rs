//! `steward bench sync`: the sync benchmark of docs/BENCHMARKS.md. The sandbox runs as a
//! separate process (`steward sandbox serve`), so the figures measure Steward's client alone,
//! and the request counts come from the sandbox's own stats, not from the client.
#![allow(clippy::print_stdout)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};
use steward_app::sync::{SyncChoice, SyncReport, sync_system};
use steward_app::systems::AddSystemRequest;
use steward_app::{AppError, Clock, ErrorCode, Keychain, Secret, Steward};
use steward_domain::{Population, Role, SystemKind};
use tokio_util::sync::CancellationToken;

use crate::args::{BenchLeadsArgs, BenchSyncArgs};

fn failed(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::ExternalSystem, message)
}

/// The Pro tier's ceiling: 190 requests per rolling 10 s.
pub(crate) const CEILING_PER_SECOND: f64 = 19.0;

#[derive(Debug, Serialize)]
struct Phase {
    records_read: u64,
    records_failed: u64,
    seconds: f64,
    /// Requests the sandbox admitted during the phase (its own count).
    requests: u64,
    /// 429s the sandbox answered during the phase (each one retried by the driver).
    rate_limited: u64,
    /// Admitted requests per second over the rate-limit ceiling.
    ceiling_used: f64,
    /// The client's peak resident memory during the phase (VmHWM after a reset).
    peak_rss_mb: f64,
}

#[derive(Debug, Serialize)]
struct Figures {
    size: usize,
    seed: u64,
    contacts: u64,
    companies: u64,
    full: Phase,
    /// Building the inventory of the synced CRM (counts, fill rates, cadence).
    inventory_seconds: f64,
    changed: u64,
    incremental: Phase,
}

pub(crate) struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sandbox(args: &BenchSyncArgs, dir: &Path) -> Result<(Sandbox, Value), AppError> {
    start_pro_sandbox(args.seed, args.size, dir)
}

/// `steward sandbox serve` at the Pro tier as its own process, and its ready line.
pub(crate) fn start_pro_sandbox(
    seed: u64,
    size: usize,
    dir: &Path,
) -> Result<(Sandbox, Value), AppError> {
    let exe = std::env::current_exe().map_err(|e| failed(format!("cannot find steward: {e}")))?;
    let mut child = Command::new(exe)
        .args(["sandbox", "serve", "--rate-tier", "pro", "--port", "0"])
        .args(["--seed", &seed.to_string(), "--size", &size.to_string()])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| failed(format!("cannot start the sandbox: {e}")))?;
    let stdout = child.stdout.take();
    let sandbox = Sandbox(child);
    let mut line = String::new();
    if let Some(stdout) = stdout {
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| failed(format!("reading the sandbox's line: {e}")))?;
    }
    let line: Value = serde_json::from_str(&line)
        .map_err(|e| failed(format!("the sandbox did not start: {e}")))?;
    Ok((sandbox, line))
}

/// Linux: resets the peak-RSS counter so a phase's peak is its own.
pub(crate) fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory so far (Linux VmHWM), in MB; 0 where unknown.
pub(crate) fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The sandbox's own counts (`GET /_sandbox/stats`).
pub(crate) async fn sandbox_stats(client: &reqwest::Client, base: &str) -> Result<Value, AppError> {
    client
        .get(format!("{base}/_sandbox/stats"))
        .send()
        .await
        .map_err(|e| failed(format!("sandbox stats: {e}")))?
        .json()
        .await
        .map_err(|e| failed(format!("sandbox stats: {e}")))
}

/// Requests the sandbox admitted (its own endpoints aside) and the 429s it answered.
pub(crate) async fn stats(client: &reqwest::Client, base: &str) -> Result<(u64, u64), AppError> {
    let body = sandbox_stats(client, base).await?;
    let requests: u64 = body["requests"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.contains("_sandbox"))
                .filter_map(|(_, v)| v.as_u64())
                .sum()
        })
        .unwrap_or(0);
    Ok((requests, body["rate_limited"].as_u64().unwrap_or(0)))
}

async fn phase(
    app: &Steward,
    client: &reqwest::Client,
    base: &str,
    choice: SyncChoice,
) -> Result<(SyncReport, Phase), AppError> {
    let (before, limited_before) = stats(client, base).await?;
    reset_peak_rss();
    let started = Instant::now();
    let report = sync_system(
        &app.sync_env(),
        "HubSpot",
        choice,
        CancellationToken::new(),
        &|_| {},
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_mb();
    let (after, limited_after) = stats(client, base).await?;
    if let Some(error) = &report.error {
        return Err(failed(format!("the sync failed: {error}")));
    }
    let rate_limited = limited_after - limited_before;
    let requests = after - before - rate_limited;
    Ok((
        report.clone(),
        Phase {
            records_read: report.records_read,
            records_failed: report.records_failed,
            seconds,
            requests,
            rate_limited,
            ceiling_used: requests as f64 / seconds / CEILING_PER_SECOND,
            peak_rss_mb: peak,
        },
    ))
}

/// Changes `jobtitle` on every hundredth contact through the API (batch update, 100 a call).
async fn change_one_percent(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    workspace: &Path,
) -> Result<u64, AppError> {
    let conn = rusqlite::Connection::open(workspace)
        .map_err(|e| failed(format!("reading the workspace: {e}")))?;
    let mut stmt = conn
        .prepare(
            "SELECT external_id FROM records WHERE object = 'person' AND archived = 0
             ORDER BY id",
        )
        .map_err(|e| failed(e.to_string()))?;
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(|e| failed(e.to_string()))?
        .filter_map(Result::ok)
        .step_by(100)
        .collect();
    for chunk in ids.chunks(100) {
        let inputs: Vec<Value> = chunk
            .iter()
            .map(|id| json!({"id": id, "properties": {"jobtitle": format!("Bench {id}")}}))
            .collect();
        loop {
            let response = client
                .post(format!("{base}/crm/v3/objects/contacts/batch/update"))
                .bearer_auth(token)
                .json(&json!({ "inputs": inputs }))
                .send()
                .await
                .map_err(|e| failed(format!("batch update: {e}")))?;
            if response.status().as_u16() == 429 {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
            if !response.status().is_success() {
                return Err(failed(format!("batch update: HTTP {}", response.status())));
            }
            break;
        }
    }
    Ok(ids.len() as u64)
}

/// A fresh workspace in `dir` with the sandbox's CRM (from its ready line) as the hub, its
/// token in the keychain under a service of this run's own. Returns the app, the CRM's base
/// URL and token, and the workspace file.
pub(crate) fn hub_workspace(
    line: &Value,
    dir: &Path,
) -> Result<(Steward, String, String, std::path::PathBuf), AppError> {
    let base = line["crm"]["base_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let token = line["crm"]["token"].as_str().unwrap_or_default().to_owned();
    let keychain = Keychain::with_service(format!("steward-bench-{}", std::process::id()));
    let workspace = dir.join("bench.steward");
    let mut app = Steward::init(&workspace, keychain, "bench".into(), Clock::System)?;
    app.add_system(
        AddSystemRequest {
            name: "HubSpot".into(),
            kind: Some(SystemKind::Hubspot),
            role: Some(Role::Hub),
            population: Some(Population::Manual),
            base_url: Some(base.clone()),
            ..AddSystemRequest::default()
        },
        Some(Secret::new(token.clone())?),
    )?;
    Ok((app, base, token, workspace))
}

pub fn sync(args: &BenchSyncArgs, json_out: bool) -> Result<(), AppError> {
    let dir = tempfile::tempdir().map_err(|e| failed(format!("temp dir: {e}")))?;
    eprintln!("Starting the sandbox with {} contacts…", args.size);
    let (_sandbox, line) = start_sandbox(args, dir.path())?;
    let (app, base, token, workspace) = hub_workspace(&line, dir.path())?;
    let client = reqwest::Client::new();
    let runtime = crate::sandbox::runtime()?;
    let figures = runtime.block_on(async {
        eprintln!("Full sync…");
        let (_, full) = phase(&app, &client, &base, SyncChoice::Full).await?;
        let built = Instant::now();
        let inventory = app.inventory()?;
        let inventory_seconds = built.elapsed().as_secs_f64();
        let count = |object: &str| {
            inventory.systems[0]
                .objects
                .iter()
                .find(|o| o.object == object)
                .map_or(0, |o| o.records)
        };
        let (contacts, companies) = (count("person"), count("company"));
        eprintln!("Changing 1% of the contacts through the API…");
        let changed = change_one_percent(&client, &base, &token, &workspace).await?;
        eprintln!("Incremental sync…");
        let (_, incremental) = phase(&app, &client, &base, SyncChoice::Auto).await?;
        Ok::<_, AppError>(Figures {
            size: args.size,
            seed: args.seed,
            contacts,
            companies,
            full,
            inventory_seconds,
            changed,
            incremental,
        })
    })?;
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&figures).unwrap_or_default()
        );
        return Ok(());
    }
    let f = &figures;
    println!(
        "sync benchmark: size {} (seed {}), Pro tier 190 req / 10 s",
        f.size, f.seed
    );
    println!(
        "  {:<12} {:>9} {:>7} {:>8} {:>9} {:>6} {:>8} {:>9}",
        "phase", "records", "failed", "seconds", "requests", "429s", "ceiling", "peak RSS"
    );
    for (name, p) in [("full", &f.full), ("incremental", &f.incremental)] {
        println!(
            "  {:<12} {:>9} {:>7} {:>8.1} {:>9} {:>6} {:>7.1}% {:>6.0} MB",
            name,
            p.records_read,
            p.records_failed,
            p.seconds,
            p.requests,
            p.rate_limited,
            p.ceiling_used * 100.0,
            p.peak_rss_mb
        );
    }
    println!(
        "  cached: {} contacts, {} companies; inventory built in {:.2} s; changed before the incremental sync: {}",
        f.contacts, f.companies, f.inventory_seconds, f.changed
    );
    Ok(())
}

/// `steward bench leads`: writes the matching benchmark's data set and prints one JSON line
/// with what was seeded (see `steward_sandbox::leads`).
pub fn leads(args: &BenchLeadsArgs) -> Result<(), AppError> {
    let started = Instant::now();
    let summary = steward_sandbox::leads::write(args.seed, args.size, &args.out).map_err(|e| {
        AppError::new(
            ErrorCode::Io,
            format!("bench leads: {}: {e}", args.out.display()),
        )
    })?;
    let mut line = serde_json::to_value(&summary).unwrap_or_default();
    if let Some(fields) = line.as_object_mut() {
        fields.insert(
            "leads".into(),
            json!(args.out.join("leads.csv").display().to_string()),
        );
        fields.insert(
            "truth".into(),
            json!(args.out.join("truth.csv").display().to_string()),
        );
        fields.insert("seconds".into(), json!(started.elapsed().as_secs_f64()));
    }
    println!("{line}");
    Ok(())
}
