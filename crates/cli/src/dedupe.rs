//! `steward dedupe`: the matching engine on a CSV file (shared/design/CLI.md). The clusters
//! file is written to a temporary file beside the target and renamed into place, so a
//! refused input or a crash leaves nothing partial.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use steward_app::{AppError, ErrorCode};
use steward_matching::engine::{Stage, Timings};
use steward_matching::{MatchError, Records, Rules};

use crate::args::DedupeArgs;

#[derive(Debug, Serialize)]
struct Summary {
    records: usize,
    clusters: usize,
    duplicate_clusters: usize,
    pairs_compared: u64,
    seconds: f64,
    peak_rss_mb: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    truth: Option<Scores>,
    threshold: f64,
    timings: Timings,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    explanations: Vec<PairExplanation>,
}

/// `--explain A,B`: why two records are (or are not) one person.
#[derive(Debug, Serialize)]
struct PairExplanation {
    left: String,
    right: String,
    same_cluster: bool,
    #[serde(flatten)]
    explanation: steward_matching::Explanation,
}

fn explain(
    records: &Records,
    outcome: &steward_matching::Outcome,
    pairs: &[String],
) -> Result<Vec<PairExplanation>, AppError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let index: HashMap<&str, usize> = (0..records.len()).map(|i| (records.id(i), i)).collect();
    let mut cluster_of = vec![0usize; records.len()];
    for (c, cluster) in outcome.clusters.iter().enumerate() {
        for &m in &cluster.members {
            cluster_of[m as usize] = c;
        }
    }
    pairs
        .iter()
        .map(|pair| {
            let refused = || {
                AppError::new(
                    ErrorCode::InvalidInput,
                    format!("--explain {pair}: give two ids of the input, as ID,ID"),
                )
            };
            let (a, b) = pair.split_once(',').ok_or_else(refused)?;
            let (&x, &y) = index
                .get(a.trim())
                .zip(index.get(b.trim()))
                .ok_or_else(refused)?;
            Ok(PairExplanation {
                left: a.trim().to_owned(),
                right: b.trim().to_owned(),
                same_cluster: cluster_of[x] == cluster_of[y],
                explanation: outcome.matcher.explain(x, y),
            })
        })
        .collect()
}

/// Against a truth file: pairwise precision/recall/F1 from the clusters, and the share of
/// true pairs blocking let through.
#[derive(Debug, Serialize)]
struct Scores {
    true_pairs: u64,
    predicted_pairs: u64,
    true_positives: u64,
    precision: f64,
    recall: f64,
    f1: f64,
    blocking_recall: f64,
}

fn bad_input(e: MatchError) -> AppError {
    match e {
        MatchError::Cancelled => AppError::new(ErrorCode::Cancelled, "cancelled"),
        other => AppError::new(ErrorCode::InvalidInput, other.to_string()),
    }
}

fn io(what: &Path, e: std::io::Error) -> AppError {
    AppError::new(ErrorCode::Io, format!("{}: {e}", what.display()))
}

pub fn run(args: &DedupeArgs, json: bool) -> Result<(), AppError> {
    let started = Instant::now();
    let rules = match &args.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
            Rules::from_toml(&text).map_err(|e| {
                AppError::new(ErrorCode::InvalidInput, format!("{}: {e}", path.display()))
            })?
        }
        None => Rules::default(),
    };
    let file = std::fs::File::open(&args.input).map_err(|e| io(&args.input, e))?;
    let records = Records::from_csv(BufReader::with_capacity(1 << 20, file)).map_err(|e| {
        AppError::new(
            ErrorCode::InvalidInput,
            format!("{}: {e}", args.input.display()),
        )
    })?;
    let show = !json && std::io::stderr().is_terminal();
    let progress = move |stage: Stage, done: u64, total: u64| {
        if show {
            eprint!("\r{stage:?}: {done}/{total}          ");
        }
    };
    let outcome = steward_matching::run(&records, &rules, args.threshold, &progress, &|| false)
        .map_err(bad_input)?;
    if show {
        eprintln!();
    }
    let explanations = explain(&records, &outcome, &args.explain)?;
    write_atomically(&args.out, |w| {
        steward_matching::output::write_clusters(&records, &outcome.clusters, w)
    })?;
    if let Some(path) = &args.model {
        let text = serde_json::to_string_pretty(&outcome.matcher.model)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        write_atomically(path, |w| w.write_all(text.as_bytes()))?;
    }
    let truth = match &args.truth {
        Some(path) => Some(score(&records, &outcome, path)?),
        None => None,
    };
    let summary = Summary {
        records: records.len(),
        clusters: outcome.clusters.len(),
        duplicate_clusters: outcome.duplicate_clusters(),
        pairs_compared: outcome.pairs_compared,
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_mb: crate::bench::peak_rss_mb(),
        truth,
        threshold: outcome.threshold,
        timings: outcome.timings.clone(),
        explanations,
    };
    if json {
        match serde_json::to_string(&summary) {
            Ok(text) => println!("{text}"),
            Err(e) => return Err(AppError::new(ErrorCode::Internal, e.to_string())),
        }
    } else {
        println!(
            "{} records → {} clusters ({} with duplicates); {} pairs compared in {:.1} s, peak {:.0} MB.",
            summary.records,
            summary.clusters,
            summary.duplicate_clusters,
            summary.pairs_compared,
            summary.seconds,
            summary.peak_rss_mb
        );
        for e in &summary.explanations {
            println!(
                "{} ~ {}: {:.1} % one person ({}), weighed against {}; prior {:+.1} bits",
                e.left,
                e.right,
                e.explanation.probability * 100.0,
                if e.same_cluster {
                    "same cluster"
                } else {
                    "apart"
                },
                e.explanation.alternative,
                e.explanation.prior_bits
            );
            for ev in &e.explanation.evidence {
                println!("    {:<12} {:<32} {:+.1}", ev.comparison, ev.level, ev.bits);
            }
        }
        if let Some(t) = &summary.truth {
            println!(
                "Against the truth: precision {:.4}, recall {:.4}, F1 {:.4}; blocking kept {:.4} of true pairs.",
                t.precision, t.recall, t.f1, t.blocking_recall
            );
        }
    }
    Ok(())
}

fn write_atomically(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AppError> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io(target, e))?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, temp.as_file_mut());
        write(&mut w).map_err(|e| io(target, e))?;
        w.flush().map_err(|e| io(target, e))?;
    }
    // On disk before it takes the target's name, so a power cut can't leave a short file.
    temp.as_file().sync_all().map_err(|e| io(target, e))?;
    // A temporary file is private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| io(target, e))?;
    }
    temp.persist(target).map_err(|e| io(target, e.error))?;
    Ok(())
}

/// Scores the clusters against `id,entity`, counting pairs without listing them: predicted
/// pairs Σ C(n,2) over clusters; true positives Σ over (cluster, entity) of C(n,2).
fn score(
    records: &Records,
    outcome: &steward_matching::Outcome,
    path: &Path,
) -> Result<Scores, AppError> {
    let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut csv = csv::Reader::from_reader(BufReader::new(file));
    let mut entity_of: HashMap<String, String> = HashMap::new();
    for row in csv.records() {
        let row = row.map_err(|e| {
            AppError::new(ErrorCode::InvalidInput, format!("{}: {e}", path.display()))
        })?;
        entity_of.insert(
            row.get(0).unwrap_or("").to_owned(),
            row.get(1).unwrap_or("").to_owned(),
        );
    }
    let entity: Vec<u32> = {
        let mut names: HashMap<&str, u32> = HashMap::new();
        (0..records.len())
            .map(|i| {
                let e = entity_of.get(records.id(i)).map_or("", String::as_str);
                let next = names.len() as u32;
                if e.is_empty() {
                    u32::MAX - i as u32
                } else {
                    *names.entry(e).or_insert(next)
                }
            })
            .collect()
    };
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let mut per_entity: HashMap<u32, u64> = HashMap::new();
    for &e in &entity {
        *per_entity.entry(e).or_default() += 1;
    }
    let true_pairs: u64 = per_entity.values().map(|&n| pairs(n)).sum();
    let mut predicted = 0;
    let mut tp = 0;
    for cluster in &outcome.clusters {
        predicted += pairs(cluster.members.len() as u64);
        let mut by: HashMap<u32, u64> = HashMap::new();
        for &m in &cluster.members {
            *by.entry(entity[m as usize]).or_default() += 1;
        }
        tp += by.values().map(|&n| pairs(n)).sum::<u64>();
    }
    let blocked = outcome
        .candidates
        .iter()
        .filter(|&&p| {
            let (a, b) = steward_matching::blocking::unpack(p);
            entity[a] == entity[b]
        })
        .count() as u64;
    let precision = if predicted == 0 {
        0.0
    } else {
        tp as f64 / predicted as f64
    };
    let recall = if true_pairs == 0 {
        0.0
    } else {
        tp as f64 / true_pairs as f64
    };
    Ok(Scores {
        true_pairs,
        predicted_pairs: predicted,
        true_positives: tp,
        precision,
        recall,
        f1: if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        },
        blocking_recall: if true_pairs == 0 {
            1.0
        } else {
            blocked as f64 / true_pairs as f64
        },
    })
}
