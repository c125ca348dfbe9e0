//! A matching run: normalise → block → compare → learn → score → cluster, with progress
//! per stage and a way to stop. The `Matcher` it leaves behind explains any pair.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::blocking::{candidate_pairs, unpack};
use crate::cluster::{Cluster, cluster};
use crate::compare::{Comparisons, level_of};
use crate::error::MatchError;
use crate::features::Features;
use crate::input::Records;
use crate::model::{Model, probability};
use crate::rules::Rules;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Normalising,
    Blocking,
    Comparing,
    Learning,
    Clustering,
}

/// Told of progress: the stage, and how far into it (`done` of `total` units).
pub type Progress<'a> = &'a (dyn Fn(Stage, u64, u64) + Sync);
/// Asked now and then whether to stop.
pub type Cancel<'a> = &'a (dyn Fn() -> bool + Sync);

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub normalise: f64,
    pub block: f64,
    pub compare: f64,
    pub learn: f64,
    pub cluster: f64,
}

/// What a run found.
#[derive(Debug)]
pub struct Outcome {
    pub matcher: Matcher,
    pub clusters: Vec<Cluster>,
    pub pairs_compared: u64,
    /// The candidate pairs (packed, sorted): kept for the benchmark's blocking recall.
    pub candidates: Vec<u64>,
    pub threshold: f64,
    pub timings: Timings,
}

impl Outcome {
    pub fn duplicate_clusters(&self) -> usize {
        self.clusters.iter().filter(|c| c.members.len() > 1).count()
    }
}

/// The features and learnt model of a run: scores and explains pairs.
#[derive(Debug)]
pub struct Matcher {
    pub features: Features,
    pub comparisons: Comparisons,
    pub model: Model,
}

/// One comparison's part in a pair's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub comparison: String,
    pub level: &'static str,
    /// log2 of the likelihood ratio: + for "same person", − for "different people".
    pub bits: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub probability: f64,
    /// The shares of the match class and of the alternative, as log-odds.
    pub prior_bits: f64,
    /// The likeliest kind of *different* people for this pair ("colleagues", "namesakes" …):
    /// the evidence says how far the pair is from it.
    pub alternative: &'static str,
    pub evidence: Vec<Evidence>,
}

impl Matcher {
    pub fn probability(&self, a: usize, b: usize) -> f64 {
        let pattern = self.comparisons.pattern(&self.features, a, b);
        probability(
            self.model
                .score_bits(&self.comparisons, &self.features, a, pattern),
        )
    }

    pub fn explain(&self, a: usize, b: usize) -> Explanation {
        let pattern = self.comparisons.pattern(&self.features, a, b);
        let (prior_bits, bits, alternative) =
            self.model
                .weigh(&self.comparisons, &self.features, a, pattern);
        let evidence = self
            .comparisons
            .list
            .iter()
            .enumerate()
            .zip(bits.iter())
            .map(|((c, comparison), &bits)| Evidence {
                comparison: comparison.name.clone(),
                level: comparison.levels[level_of(pattern, c)].label,
                bits,
            })
            .collect();
        Explanation {
            probability: probability(prior_bits + bits.iter().sum::<f64>()),
            prior_bits,
            alternative,
            evidence,
        }
    }
}

/// Matches `records` under `rules`; `threshold` overrides the rules' one.
pub fn run(
    records: &Records,
    rules: &Rules,
    threshold: Option<f64>,
    progress: Progress,
    cancel: Cancel,
) -> Result<Outcome, MatchError> {
    let threshold = threshold.unwrap_or(rules.threshold);
    rules.check_threshold(threshold)?;
    rules.check_against(&records.schema)?;
    let stop = || {
        if cancel() {
            Err(MatchError::Cancelled)
        } else {
            Ok(())
        }
    };
    let mut timings = Timings::default();
    let total = records.len() as u64;

    let clock = Instant::now();
    progress(Stage::Normalising, 0, total);
    let features = Features::build(records, rules, &|done| {
        progress(Stage::Normalising, done as u64, total);
    });
    timings.normalise = clock.elapsed().as_secs_f64();
    stop()?;

    let clock = Instant::now();
    progress(Stage::Blocking, 0, 1);
    let candidates = candidate_pairs(records, &features, rules);
    progress(Stage::Blocking, 1, 1);
    timings.block = clock.elapsed().as_secs_f64();
    stop()?;

    let clock = Instant::now();
    let comparisons = Comparisons::new(rules);
    let pairs = candidates.len() as u64;
    let done = AtomicU64::new(0);
    progress(Stage::Comparing, 0, pairs);
    let patterns: Vec<u64> = candidates
        .par_chunks(65_536)
        .map(|chunk| {
            if cancel() {
                return Vec::new();
            }
            let out: Vec<u64> = chunk
                .iter()
                .map(|&p| {
                    let (a, b) = unpack(p);
                    comparisons.pattern(&features, a, b)
                })
                .collect();
            let so_far = done.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
            progress(Stage::Comparing, so_far, pairs);
            out
        })
        .flatten()
        .collect();
    stop()?;
    timings.compare = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    progress(Stage::Learning, 0, 1);
    let model = Model::train(&comparisons, &features, &patterns);
    progress(Stage::Learning, 1, 1);
    timings.learn = clock.elapsed().as_secs_f64();
    stop()?;

    let clock = Instant::now();
    progress(Stage::Clustering, 0, 1);
    let matcher = Matcher {
        features,
        comparisons,
        model,
    };
    let links: Vec<(u32, u32, f64)> = candidates
        .par_iter()
        .zip(patterns.par_iter())
        .filter_map(|(&pair, &pattern)| {
            let (a, b) = unpack(pair);
            let p = probability(matcher.model.score_bits(
                &matcher.comparisons,
                &matcher.features,
                a,
                pattern,
            ));
            (p >= threshold).then_some((a as u32, b as u32, p))
        })
        .collect();
    drop(patterns);
    let across_only = rules.across_sources_only;
    let score = |a: u32, b: u32| {
        let (a, b) = (a as usize, b as usize);
        if across_only && matcher.features.source[a] == matcher.features.source[b] {
            return 0.0;
        }
        matcher.probability(a, b)
    };
    let clusters = cluster(records.len(), links, threshold, &score);
    progress(Stage::Clustering, 1, 1);
    timings.cluster = clock.elapsed().as_secs_f64();
    Ok(Outcome {
        matcher,
        clusters,
        pairs_compared: pairs,
        candidates,
        threshold,
        timings,
    })
}
