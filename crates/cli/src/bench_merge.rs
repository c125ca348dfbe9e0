//! `steward bench merge`: the merge benchmark of docs/BENCHMARKS.md. The sandbox company runs
//! as its own process at the Pro tier (190 requests per rolling 10 s). The generator adds
//! `--merges` duplicate pairs to its CRM through the API (the same person entered twice: the
//! same rare name, phone and company, another address); the workspace syncs, finds the
//! duplicates, proposes and approves, then executes at least `--merges` merge calls with
//! backups and the journal. Request counts come from the sandbox's own stats.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use serde::Serialize;
use steward_app::merge::{ApproveRequest, ExecuteRequest, MergePolicyView};
use steward_app::sync::{SyncChoice, sync_system};
use steward_app::{AppError, ErrorCode};
use tokio_util::sync::CancellationToken;

use crate::args::BenchMergeArgs;
use crate::bench::{
    CEILING_PER_SECOND, hub_workspace, peak_rss_mb, reset_peak_rss, sandbox_stats,
    start_pro_sandbox, stats,
};

fn failed(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::ExternalSystem, message)
}

#[derive(Debug, Serialize)]
struct Figures {
    size: usize,
    seed: u64,
    /// Merges the matching engine proposed in all (the generated pairs and the sandbox
    /// company's own duplicates).
    proposed_merges: usize,
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

/// The sandbox's counts of merges performed and of merges asked twice.
async fn merge_counts(client: &reqwest::Client, base: &str) -> Result<(u64, u64), AppError> {
    let body = sandbox_stats(client, base).await?;
    Ok((
        body["merges_performed"].as_u64().unwrap_or(0),
        body["merges_repeated"].as_u64().unwrap_or(0),
    ))
}

/// A pronounceable, rare name from a number: the matching engine weighs rare names heavily,
/// so each generated pair is one person and no two pairs are namesakes.
fn name(mut n: u64, syllables: usize) -> String {
    const ONSETS: [&str; 16] = [
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr",
    ];
    const VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "ai", "ou", "ei"];
    let mut out = String::new();
    for _ in 0..syllables {
        out.push_str(ONSETS[(n % 16) as usize]);
        n /= 16;
        out.push_str(VOWELS[(n % 8) as usize]);
        n /= 8;
    }
    let mut chars = out.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Creates `pairs` duplicate pairs in the sandbox CRM, 100 contacts a call.
async fn generate_pairs(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    pairs: usize,
) -> Result<(), AppError> {
    let mut contacts = Vec::with_capacity(pairs * 2);
    for i in 0..pairs as u64 {
        // Distinct numbers for first and last names keep every pair's name unique.
        let (first, last) = (
            name(i.wrapping_mul(2_654_435_761) % 1_000_003, 2),
            name(i, 3),
        );
        let phone = format!("+1 415 {:03} {:04}", (i / 10_000) % 1_000, i % 10_000);
        let company = format!("{} Systems", name(i % 400, 2));
        let domain = company.to_lowercase().replace(' ', "");
        for email in [
            format!(
                "{}.{}@{domain}.test",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            format!(
                "{}{}{i}@mail.test",
                first.to_lowercase(),
                last.to_lowercase()
            ),
        ] {
            contacts.push(serde_json::json!({"properties": {
                "firstname": first, "lastname": last, "email": email,
                "phone": phone, "company": company,
            }}));
        }
    }
    for chunk in contacts.chunks(100) {
        loop {
            let response = client
                .post(format!("{base}/crm/v3/objects/contacts/batch/create"))
                .bearer_auth(token)
                .json(&serde_json::json!({ "inputs": chunk }))
                .send()
                .await
                .map_err(|e| failed(format!("batch create: {e}")))?;
            if response.status().as_u16() == 429 {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
            if !response.status().is_success() {
                return Err(failed(format!("batch create: HTTP {}", response.status())));
            }
            break;
        }
    }
    Ok(())
}

pub fn run(args: &BenchMergeArgs, json_out: bool) -> Result<(), AppError> {
    let setup = Instant::now();
    let dir = tempfile::tempdir().map_err(|e| failed(format!("temp dir: {e}")))?;
    eprintln!("Starting the sandbox with {} contacts…", args.size);
    let (_sandbox, line) = start_pro_sandbox(args.seed, args.size, dir.path())?;
    let (mut app, base, token, workspace) = hub_workspace(&line, dir.path())?;
    let runtime = crate::sandbox::runtime()?;
    eprintln!("Adding {} duplicate pairs through the API…", args.merges);
    runtime.block_on(generate_pairs(
        &reqwest::Client::new(),
        &base,
        &token,
        args.merges,
    ))?;
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
    let (mut chosen, mut merges, mut proposed) = (Vec::new(), 0_usize, 0_usize);
    for id in ids {
        let absorbed = steward_store::proposal_members(store.conn(), id)?
            .iter()
            .filter(|m| m.role == "absorbed")
            .count();
        proposed += absorbed;
        if merges < args.merges {
            chosen.push(id);
            merges += absorbed;
        }
    }
    drop(store);
    if merges < args.merges {
        return Err(failed(format!(
            "only {merges} merges were proposed (wanted {}): the matching engine did not \
             find the generated pairs",
            args.merges
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
            proposed_merges: proposed,
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
        "merge benchmark: size {} (seed {}) + generated pairs, Pro tier 190 req / 10 s \
         (setup {:.0} s, {} merges proposed)",
        f.size, f.seed, f.setup_seconds, f.proposed_merges
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
