//! `steward bench merge`: the merge benchmark of docs/BENCHMARKS.md. The sandbox company
//! (its seeded duplicates are the generator) runs as its own process at the Pro tier (190
//! requests per rolling 10 s); the workspace syncs it, finds duplicates, proposes and
//! approves, then executes at least `--merges` merge calls with backups and the journal.
//! Request counts come from the sandbox's own stats, not from the client.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use steward_app::merge::{ApproveRequest, ExecuteRequest, MergePolicyView};
use steward_app::sync::{SyncChoice, sync_system};
use steward_app::systems::AddSystemRequest;
use steward_app::{AppError, Clock, ErrorCode, Keychain, Secret, Steward};
use steward_domain::{Population, Role, SystemKind};
use tokio_util::sync::CancellationToken;

use crate::args::BenchMergeArgs;
use crate::bench::{peak_rss_mb, reset_peak_rss, start_pro_sandbox, stats};

/// The Pro tier's ceiling: 190 requests per rolling 10 s.
const CEILING_PER_SECOND: f64 = 19.0;

fn failed(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::ExternalSystem, message)
}

#[derive(Debug, Serialize)]
struct Figures {
    size: usize,
    seed: u64,
    proposals: u64,
    merges: u64,
    seconds: f64,
    merges_per_second: f64,
    /// Requests the sandbox admitted while merging (merges, backups, value writes).
    requests: u64,
    rate_limited: u64,
    /// Admitted requests per second over the ceiling.
    ceiling_used: f64,
    /// The sandbox's count of merges performed, and of merges asked twice.
    sandbox_merges: u64,
    sandbox_merges_repeated: u64,
    failed: usize,
    peak_rss_mb: f64,
    setup_seconds: f64,
}

async fn merge_counts(client: &reqwest::Client, base: &str) -> Result<(u64, u64), AppError> {
    let body: Value = client
        .get(format!("{base}/_sandbox/stats"))
        .send()
        .await
        .map_err(|e| failed(format!("sandbox stats: {e}")))?
        .json()
        .await
        .map_err(|e| failed(format!("sandbox stats: {e}")))?;
    Ok((
        body["merges_performed"].as_u64().unwrap_or(0),
        body["merges_repeated"].as_u64().unwrap_or(0),
    ))
}

pub fn run(args: &BenchMergeArgs, json_out: bool) -> Result<(), AppError> {
    let setup = Instant::now();
    let dir = tempfile::tempdir().map_err(|e| failed(format!("temp dir: {e}")))?;
    eprintln!("Starting the sandbox with {} contacts…", args.size);
    let (_sandbox, line) = start_pro_sandbox(args.seed, args.size, dir.path())?;
    let base = line["crm"]["base_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let token = line["crm"]["token"].as_str().unwrap_or_default().to_owned();
    let keychain = Keychain::with_service(format!("steward-bench-{}", std::process::id()));
    let workspace = dir.path().join("bench.steward");
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
        Some(Secret::new(token)?),
    )?;
    let runtime = crate::sandbox::runtime()?;
    eprintln!("Full sync…");
    let report = runtime.block_on(sync_system(
        &app.sync_env(),
        "HubSpot",
        SyncChoice::Full,
        CancellationToken::new(),
        &|_| {},
    ))?;
    if let Some(error) = report.error {
        return Err(failed(format!("the sync failed: {error}")));
    }
    app.accept_suggestions(None, "the benchmark's mapping")?;
    eprintln!("Finding duplicates among {} records…", report.records_read);
    steward_app::duplicates::find_duplicates(&app.sync_env(), &|_| {}, &|| false)?;
    app.set_merge_policy(
        &MergePolicyView {
            min_size: 0,
            below_score: 0.0,
        },
        "one approver in the benchmark",
    )?;
    app.propose_merges()?;
    app.approve_merges(&ApproveRequest {
        ids: Vec::new(),
        min_score: Some(0.0),
    })?;
    // Whole proposals, oldest first, until the target.
    let store = steward_store::Workspace::open(&workspace)?;
    let mut ids: Vec<i64> = steward_store::list_proposals(
        store.conn(),
        &[steward_domain::ProposalState::Approved],
        u32::MAX,
        0,
    )?
    .into_iter()
    .map(|p| p.id)
    .collect();
    ids.sort_unstable();
    let (mut chosen, mut merges) = (Vec::new(), 0_usize);
    for id in ids {
        if merges >= args.merges {
            break;
        }
        let absorbed = steward_store::proposal_members(store.conn(), id)?
            .iter()
            .filter(|m| m.role == "absorbed")
            .count();
        chosen.push(id);
        merges += absorbed;
    }
    drop(store);
    if merges < args.merges {
        return Err(failed(format!(
            "only {merges} merges were proposed at size {}: raise --size",
            args.size
        )));
    }
    let setup_seconds = setup.elapsed().as_secs_f64();
    eprintln!("Executing {} proposals ({merges} merges)…", chosen.len());
    let client = reqwest::Client::new();
    let env = app.sync_env();
    let figures = runtime.block_on(async {
        let (before, limited_before) = stats(&client, &base).await?;
        let (merged_before, _) = merge_counts(&client, &base).await?;
        reset_peak_rss();
        let started = Instant::now();
        let report = steward_app::merge::execute_merges(
            &env,
            &ExecuteRequest {
                ids: chosen.clone(),
                limit: None,
            },
            &|_| {},
            CancellationToken::new(),
        )
        .await?;
        let seconds = started.elapsed().as_secs_f64();
        let peak = peak_rss_mb();
        let (after, limited_after) = stats(&client, &base).await?;
        let (merged_after, repeated) = merge_counts(&client, &base).await?;
        let rate_limited = limited_after - limited_before;
        let requests = after - before - rate_limited;
        Ok::<_, AppError>(Figures {
            size: args.size,
            seed: args.seed,
            proposals: report.proposals_done,
            merges: report.merges,
            seconds,
            merges_per_second: report.merges as f64 / seconds,
            requests,
            rate_limited,
            ceiling_used: requests as f64 / seconds / CEILING_PER_SECOND,
            sandbox_merges: merged_after - merged_before,
            sandbox_merges_repeated: repeated,
            failed: report.failed.len() + report.back_to_pending.len(),
            peak_rss_mb: peak,
            setup_seconds,
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
        "merge benchmark: size {} (seed {}), Pro tier 190 req / 10 s (setup {:.0} s)",
        f.size, f.seed, f.setup_seconds
    );
    println!(
        "  {} proposals, {} merges in {:.1} s: {:.2} merges/s; {} requests, {} 429s, {:.1}% of \
         the ceiling; sandbox: {} merged, {} asked twice; {} failed; peak RSS {:.0} MB",
        f.proposals,
        f.merges,
        f.seconds,
        f.merges_per_second,
        f.requests,
        f.rate_limited,
        f.ceiling_used * 100.0,
        f.sandbox_merges,
        f.sandbox_merges_repeated,
        f.failed,
        f.peak_rss_mb
    );
    Ok(())
}
