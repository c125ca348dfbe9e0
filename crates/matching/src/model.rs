//! Fellegi–Sunter scoring, learnt without labels, as a latent-class model.
//!
//! Candidate pairs come from blocking, so the people among them who are *not* one person are
//! not random pairs either: they are colleagues (same organisation, other names), namesakes
//! (same name, other organisation), relatives or same-surname colleagues, and the rest. One
//! "non-match" class with fields independent inside it cannot describe that mixture, and EM
//! then settles on the wrong split (e.g. "same surname = same person"). So EM fits one match
//! class and several non-match classes, each with its own level probabilities; the match
//! class's level ratios are kept monotone (a weaker agreement never counts more).
//!
//! A pair's evidence is read against its likeliest alternative class: per comparison
//! log2(m / u_alternative), plus the prior. Agreeing on a value also weighs the value's
//! rarity, log2(u_random / p(value)), where `u_random` is the chance two random records
//! agree at that level (from random pairs).

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::compare::{Comparisons, Field, level_of};
use crate::features::{Column, Features, NONE};

#[derive(Debug, Clone, Serialize)]
pub struct LevelParams {
    pub label: &'static str,
    pub m: f64,
    /// Among the candidate pairs that are different people.
    pub u: f64,
    /// Among random pairs: how rare agreement is in general (scales value frequencies).
    pub u_random: f64,
    /// log2(m/u), or the level's fixed weight (for display; pairs are weighed against their
    /// likeliest alternative class).
    pub bits: f64,
    pub term_frequency: bool,
    pub fixed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComparisonParams {
    pub name: String,
    pub levels: Vec<LevelParams>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// Per comparison: m (the match class), u (the non-match classes together), u_random.
    pub comparisons: Vec<ComparisonParams>,
    /// Class 0 is "one person"; the rest are the kinds of different people.
    pub classes: Vec<ClassParams>,
    /// The share of candidate pairs that are one person.
    pub lambda: f64,
    pub em_iterations: usize,
    pub u_sample_pairs: u64,
    /// log2 of each class's level probabilities [class][comparison][level], for scoring.
    #[serde(skip)]
    logs: Vec<Vec<Vec<f64>>>,
}

/// Random pairs for `u`: enough to see levels that one pair in ten thousand reaches.
const U_SAMPLES: u64 = 2_000_000;
const EM_MAX_ITERATIONS: usize = 200;
const FLOOR: f64 = 1e-7;
const M_FLOOR: f64 = 0.01;
const ALPHA: f64 = 20.0;

/// A class of pair: its name (shown as the alternative a link was weighed against) and the
/// level each comparison typically takes in it, which is where EM starts and what a class
/// seen on few pairs is pulled towards. Colleagues share a company and nothing personal;
/// namesakes share a name, and so the name in their mailboxes, at other organisations.
struct ClassSpec {
    name: &'static str,
    typical: &'static [(Field, &'static str)],
}

const CLASSES: [ClassSpec; 5] = [
    ClassSpec {
        name: "one person",
        typical: &[],
    },
    ClassSpec {
        name: "colleagues",
        typical: &[
            (Field::Company, "same company"),
            (Field::FirstName, "different"),
            (Field::LastName, "different"),
            (Field::Email, "different"),
            (Field::Phone, "different"),
        ],
    },
    ClassSpec {
        name: "namesakes",
        typical: &[
            (Field::FirstName, "same"),
            (Field::LastName, "same"),
            (Field::Email, "same name, other domain"),
            (Field::Phone, "different"),
            (Field::Company, "different"),
        ],
    },
    ClassSpec {
        name: "relatives or same-surname colleagues",
        typical: &[
            (Field::LastName, "same"),
            (Field::Company, "same company"),
            (Field::FirstName, "different"),
            (Field::Email, "different"),
        ],
    },
    ClassSpec {
        name: "unrelated records",
        typical: &[],
    },
];

/// Each class's starting level probabilities, [class][comparison][level].
fn class_profiles(comparisons: &Comparisons, u: &[Vec<f64>]) -> Vec<Vec<Vec<f64>>> {
    CLASSES
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            comparisons
                .list
                .iter()
                .enumerate()
                .map(|(c, comparison)| {
                    if k == 0 {
                        return initial_levels(comparison.levels.len(), true, &u[c]);
                    }
                    let typical = spec
                        .typical
                        .iter()
                        .find(|(field, _)| *field == comparison.field)
                        .and_then(|(_, label)| {
                            comparison.levels.iter().position(|l| l.label == *label)
                        });
                    match typical {
                        Some(t) => typical_levels(comparison.levels.len(), t, &u[c]),
                        None => initial_levels(comparison.levels.len(), false, &u[c]),
                    }
                })
                .collect()
        })
        .collect()
}

/// Mostly level `t`, the rest spread as among random pairs.
fn typical_levels(levels: usize, t: usize, random: &[f64]) -> Vec<f64> {
    const MISSING: f64 = 0.2;
    let others: f64 = (1..levels)
        .filter(|&l| l != t)
        .map(|l| random[l].max(FLOOR))
        .sum();
    (0..levels)
        .map(|l| match l {
            0 => MISSING,
            _ if l == t => (1.0 - MISSING) * 0.7,
            _ => (1.0 - MISSING) * 0.3 * random[l].max(FLOOR) / others.max(FLOOR),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassParams {
    pub name: &'static str,
    pub share: f64,
    /// Per comparison, per level (level 0, missing, is 1).
    pub levels: Vec<Vec<f64>>,
}

/// splitmix64: a small, seeded generator, so a run is reproducible.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// Level counts over random pairs (all pairs when there are few records).
fn sample_u(comparisons: &Comparisons, f: &Features) -> (Vec<Vec<f64>>, u64) {
    let n = f.len as u64;
    let all_pairs = n.saturating_mul(n.saturating_sub(1)) / 2;
    let pairs: Vec<(u32, u32)> = if all_pairs <= U_SAMPLES {
        (0..n)
            .flat_map(|a| ((a + 1)..n).map(move |b| (a as u32, b as u32)))
            .collect()
    } else {
        let mut rng = SplitMix(0x5eed);
        (0..U_SAMPLES)
            .map(|_| {
                loop {
                    let (a, b) = (rng.below(n), rng.below(n));
                    if a != b {
                        break (a.min(b) as u32, a.max(b) as u32);
                    }
                }
            })
            .collect()
    };
    let counts = pairs
        .par_chunks(16_384)
        .map(|chunk| {
            let mut counts = vec![[0u64; 16]; comparisons.len()];
            for &(a, b) in chunk {
                let pattern = comparisons.pattern(f, a as usize, b as usize);
                for (c, row) in counts.iter_mut().enumerate() {
                    row[level_of(pattern, c)] += 1;
                }
            }
            counts
        })
        .reduce(
            || vec![[0u64; 16]; comparisons.len()],
            |mut x, y| {
                for (a, b) in x.iter_mut().zip(y) {
                    for (p, q) in a.iter_mut().zip(b) {
                        *p += q;
                    }
                }
                x
            },
        );
    let u = comparisons
        .list
        .iter()
        .zip(counts)
        .map(|(comparison, row)| {
            let seen: u64 = row[1..comparison.levels.len()].iter().sum();
            (0..comparison.levels.len())
                .map(|l| {
                    if l == 0 {
                        1.0
                    } else {
                        (row[l] as f64).max(0.5) / (seen.max(1) as f64)
                    }
                })
                .collect()
        })
        .collect();
    (u, pairs.len() as u64)
}

/// The column whose value frequencies weigh a comparison's "same" level.
pub fn tf_column(f: &Features, field: Field) -> Option<(&Column, &[u32])> {
    match field {
        Field::FirstName => Some((&f.first_names, &f.first)),
        Field::LastName => Some((&f.last_names, &f.last)),
        Field::Email => Some((&f.emails, &f.email)),
        Field::Phone => Some((&f.phones, &f.phone)),
        Field::Company => Some((&f.companies, &f.company)),
        Field::Extra(i) => f.extras.get(i).map(|e| (&e.column, e.syms.as_slice())),
    }
}

impl Model {
    /// Learns the model from the candidate pairs' level patterns.
    pub fn train(comparisons: &Comparisons, f: &Features, patterns: &[u64]) -> Model {
        let (mut u, u_sample_pairs) = sample_u(comparisons, f);
        // A "same value" level's u is known exactly from the value frequencies.
        for (c, comparison) in comparisons.list.iter().enumerate() {
            if comparison.levels.get(1).is_some_and(|l| l.term_frequency)
                && let Some((column, _)) = tf_column(f, comparison.field)
            {
                u[c][1] = column.agreement_chance().max(FLOOR);
            }
        }
        let mut histogram: FxHashMap<u64, u64> = FxHashMap::default();
        for &p in patterns {
            *histogram.entry(p).or_default() += 1;
        }
        let mut histogram: Vec<(u64, f64)> =
            histogram.into_iter().map(|(p, n)| (p, n as f64)).collect();
        histogram.sort_unstable_by_key(|&(p, _)| p);

        let profiles = class_profiles(comparisons, &u);
        let mut classes: Vec<ClassParams> = CLASSES
            .iter()
            .zip(&profiles)
            .map(|(spec, profile)| ClassParams {
                name: spec.name,
                share: 1.0 / CLASSES.len() as f64,
                levels: profile.clone(),
            })
            .collect();
        let mut iterations = 0;
        let n_classes = classes.len();
        let mut joint = vec![0.0; n_classes];
        for _ in 0..EM_MAX_ITERATIONS {
            iterations += 1;
            let logs: Vec<Vec<Vec<f64>>> = classes
                .iter()
                .enumerate()
                .map(|(k, class)| log_levels(comparisons, class, k == 0))
                .collect();
            let mut next: Vec<Vec<Vec<f64>>> = classes
                .iter()
                .map(|k| k.levels.iter().map(|row| vec![0.0; row.len()]).collect())
                .collect();
            let mut mass = vec![0.0; n_classes];
            let mut total = 0.0;
            for &(pattern, n) in &histogram {
                for (k, class) in classes.iter().enumerate() {
                    joint[k] = class.share.max(FLOOR).log2() + pattern_log(&logs[k], pattern);
                }
                let top = joint.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = joint.iter().map(|j| (j - top).exp2()).sum();
                for k in 0..n_classes {
                    let r = (joint[k] - top).exp2() / sum * n;
                    mass[k] += r;
                    for (c, row) in next[k].iter_mut().enumerate() {
                        row[level_of(pattern, c)] += r;
                    }
                }
                total += n;
            }
            let mut change: f64 = 0.0;
            for (k, class) in classes.iter_mut().enumerate() {
                let share = mass[k] / f64::max(total, 1.0);
                change = change.max((share - class.share).abs());
                class.share = share.max(FLOOR);
                // One person's records can disagree on anything now and then (a second
                // address, a new number): in the match class no level's probability drops
                // below M_FLOOR, so no single disagreement vetoes a match on its own.
                // Every class is smoothed towards its starting profile (a Dirichlet prior
                // worth ALPHA pairs), so a class seen on few pairs keeps its meaning and
                // can't make any level impossible.
                let floor = if k == 0 { M_FLOOR } else { FLOOR };
                for (c, (params, counts)) in class.levels.iter_mut().zip(&next[k]).enumerate() {
                    let seen: f64 = counts.iter().sum();
                    let alpha = ALPHA;
                    let prior = &profiles[k][c];
                    for l in 0..params.len() {
                        let value = ((counts[l] + alpha * prior[l]) / (seen + alpha)).max(floor);
                        change = change.max((value - params[l]).abs());
                        params[l] = value;
                    }
                }
            }
            let reference = non_match_levels(&classes);
            monotone(comparisons, &mut classes[0].levels, &reference);
            if change < 1e-6 {
                break;
            }
        }
        let m = classes[0].levels.clone();
        let u_cand = non_match_levels(&classes);
        let bits = level_bits(comparisons, &m, &u_cand);
        Model {
            comparisons: comparisons
                .list
                .iter()
                .enumerate()
                .map(|(c, comparison)| ComparisonParams {
                    name: comparison.name.clone(),
                    levels: comparison
                        .levels
                        .iter()
                        .enumerate()
                        .map(|(l, level)| LevelParams {
                            label: level.label,
                            m: m[c][l],
                            u: u_cand[c][l],
                            u_random: u[c][l],
                            bits: bits[c][l],
                            term_frequency: level.term_frequency,
                            fixed: level.fixed_bits.is_some(),
                        })
                        .collect(),
                })
                .collect(),
            lambda: classes[0].share,
            logs: classes
                .iter()
                .map(|class| {
                    class
                        .levels
                        .iter()
                        .map(|row| row.iter().map(|p| p.max(FLOOR).log2()).collect())
                        .collect()
                })
                .collect(),
            classes,
            em_iterations: iterations,
            u_sample_pairs,
        }
    }

    /// Per class, log2 of its share and of each comparison's level probability for this
    /// pair, with fixed weights and value rarity credited to the match class.
    fn class_logs(
        &self,
        comparisons: &Comparisons,
        f: &Features,
        a: usize,
        pattern: u64,
    ) -> Vec<(f64, Vec<f64>)> {
        self.classes
            .iter()
            .enumerate()
            .map(|(k, class)| {
                let per: Vec<f64> = comparisons
                    .list
                    .iter()
                    .enumerate()
                    .map(|(c, comparison)| {
                        let l = level_of(pattern, c);
                        let params = &self.comparisons[c].levels[l];
                        if let Some(bits) = comparison.levels[l].fixed_bits {
                            return if k == 0 { bits } else { 0.0 };
                        }
                        let mut log = class.levels[c][l].max(FLOOR).log2();
                        if k == 0
                            && l > 0
                            && params.term_frequency
                            && let Some((column, syms)) = tf_column(f, comparison.field)
                            && syms[a] != NONE
                        {
                            log += (params.u_random / column.frequency(syms[a]).max(FLOOR)).log2();
                        }
                        log
                    })
                    .collect();
                (class.share.max(FLOOR).log2(), per)
            })
            .collect()
    }

    /// The pair's evidence against its likeliest alternative: (prior bits, per-comparison
    /// bits, the alternative's name). Prior + Σ evidence is the pair's exact log-odds.
    pub fn weigh(
        &self,
        comparisons: &Comparisons,
        f: &Features,
        a: usize,
        pattern: u64,
    ) -> (f64, Vec<f64>, &'static str) {
        let logs = self.class_logs(comparisons, f, a, pattern);
        let totals: Vec<f64> = logs
            .iter()
            .map(|(s, per)| s + per.iter().sum::<f64>())
            .collect();
        let (alt, alt_total) = totals.iter().copied().enumerate().skip(1).fold(
            (1, f64::NEG_INFINITY),
            |best, (k, t)| {
                if t > best.1 { (k, t) } else { best }
            },
        );
        let others: f64 = totals[1..].iter().map(|t| (t - alt_total).exp2()).sum();
        let prior = logs[0].0 - logs[alt].0 - others.log2();
        let evidence = logs[0]
            .1
            .iter()
            .zip(&logs[alt].1)
            .map(|(m, u)| m - u)
            .collect();
        (prior, evidence, self.classes[alt].name)
    }

    /// The pair's log-odds of being one person, in bits. (The hot path of scoring: no
    /// allocation; `weigh` gives the same number with its parts.)
    pub fn score_bits(
        &self,
        comparisons: &Comparisons,
        f: &Features,
        a: usize,
        pattern: u64,
    ) -> f64 {
        let mut totals = [0.0f64; CLASSES.len()];
        for (k, class) in self.classes.iter().enumerate().take(CLASSES.len()) {
            totals[k] = class.share.max(FLOOR).log2();
        }
        for (c, comparison) in comparisons.list.iter().enumerate() {
            let l = level_of(pattern, c);
            if let Some(bits) = comparison.levels[l].fixed_bits {
                totals[0] += bits;
                continue;
            }
            for (total, logs) in totals.iter_mut().zip(&self.logs) {
                *total += logs[c][l];
            }
            let params = &self.comparisons[c].levels[l];
            if l > 0
                && params.term_frequency
                && let Some((column, syms)) = tf_column(f, comparison.field)
                && syms[a] != NONE
            {
                totals[0] += (params.u_random / column.frequency(syms[a]).max(FLOOR)).log2();
            }
        }
        let n = self.classes.len().min(CLASSES.len());
        let top = totals[1..n]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let rest: f64 = totals[1..n].iter().map(|t| (t - top).exp2()).sum();
        totals[0] - top - rest.log2()
    }
}

/// A class's starting level probabilities: mostly the best level where the class agrees by
/// construction, else the random pairs' spread. "Missing" is a level too: records of one
/// person are often a sparse re-entry, so how often a field is missing differs by class.
fn initial_levels(levels: usize, agrees: bool, random: &[f64]) -> Vec<f64> {
    const MISSING: f64 = 0.2;
    (0..levels)
        .map(|l| match l {
            0 => MISSING,
            _ if !agrees => (1.0 - MISSING) * random[l].max(FLOOR),
            1 => (1.0 - MISSING) * 0.7,
            _ if l == levels - 1 => (1.0 - MISSING) * 0.05,
            _ => (1.0 - MISSING) * 0.25 / (levels.saturating_sub(3).max(1)) as f64,
        })
        .collect()
}

/// log2 of each level's probability in a class; fixed levels weigh their fixed bits for the
/// match class and nothing for the others.
fn log_levels(comparisons: &Comparisons, class: &ClassParams, is_match: bool) -> Vec<Vec<f64>> {
    comparisons
        .list
        .iter()
        .enumerate()
        .map(|(c, comparison)| {
            comparison
                .levels
                .iter()
                .enumerate()
                .map(|(l, level)| match (l, level.fixed_bits) {
                    (_, Some(bits)) if is_match => bits,
                    (_, Some(_)) => 0.0,
                    _ => class.levels[c][l].max(FLOOR).log2(),
                })
                .collect()
        })
        .collect()
}

fn pattern_log(logs: &[Vec<f64>], pattern: u64) -> f64 {
    logs.iter()
        .enumerate()
        .map(|(c, row)| row[level_of(pattern, c)])
        .sum()
}

/// The non-match classes together, weighted by their shares.
fn non_match_levels(classes: &[ClassParams]) -> Vec<Vec<f64>> {
    let weight: f64 = classes[1..].iter().map(|k| k.share).sum::<f64>().max(FLOOR);
    let mut out: Vec<Vec<f64>> = classes[0]
        .levels
        .iter()
        .map(|row| vec![0.0; row.len()])
        .collect();
    for class in &classes[1..] {
        for (o, row) in out.iter_mut().zip(&class.levels) {
            for (x, p) in o.iter_mut().zip(row) {
                *x += p * class.share / weight;
            }
        }
    }
    out
}

/// Levels are declared strongest agreement first, so their likelihood ratios m/u must not
/// rise from one level to the next: "different first name" can never count for a match.
/// Adjacent violators are pooled (isotonic regression of the ratios); pooling keeps Σm and
/// Σu. This keeps EM from settling on a class such as "same surname, any first name".
fn monotone(comparisons: &Comparisons, m: &mut [Vec<f64>], u: &[Vec<f64>]) {
    for (c, comparison) in comparisons.list.iter().enumerate() {
        let learnt: Vec<usize> = (1..comparison.levels.len())
            .filter(|&l| comparison.levels[l].fixed_bits.is_none())
            .collect();
        // Blocks of adjacent learnt levels: (levels, Σm, Σu).
        let mut blocks: Vec<(Vec<usize>, f64, f64)> = Vec::new();
        for &l in &learnt {
            blocks.push((vec![l], m[c][l], u[c][l]));
            while blocks.len() >= 2 {
                let n = blocks.len();
                let (prev, last) = (&blocks[n - 2], &blocks[n - 1]);
                if last.1 * prev.2 > prev.1 * last.2 {
                    let (levels, bm, bu) = blocks.pop().unwrap_or_default();
                    let top = blocks.last_mut().map(|b| {
                        b.0.extend(levels);
                        b.1 += bm;
                        b.2 += bu;
                    });
                    if top.is_none() {
                        break;
                    }
                } else {
                    break;
                }
            }
        }
        for (levels, bm, bu) in blocks {
            if levels.len() > 1 {
                for l in levels {
                    let share = u[c][l] / bu.max(f64::MIN_POSITIVE);
                    m[c][l] = (bm * share).max(FLOOR);
                }
            }
        }
    }
}

fn level_bits(comparisons: &Comparisons, m: &[Vec<f64>], u: &[Vec<f64>]) -> Vec<Vec<f64>> {
    comparisons
        .list
        .iter()
        .enumerate()
        .map(|(c, comparison)| {
            comparison
                .levels
                .iter()
                .enumerate()
                .map(|(l, level)| match (l, level.fixed_bits) {
                    (_, Some(bits)) => bits,
                    _ => (m[c][l].max(FLOOR) / u[c][l].max(FLOOR)).log2(),
                })
                .collect()
        })
        .collect()
}

pub fn odds_bits(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

pub fn probability(bits: f64) -> f64 {
    1.0 / (1.0 + (-bits).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_and_odds_are_inverse() {
        for p in [0.01, 0.5, 0.9, 0.999] {
            assert!((probability(odds_bits(p)) - p).abs() < 1e-12);
        }
    }

    #[test]
    fn splitmix_is_seeded_and_bounded() {
        let mut a = SplitMix(1);
        let mut b = SplitMix(1);
        for _ in 0..100 {
            let x = a.below(10);
            assert!(x < 10);
            assert_eq!(x, b.below(10));
        }
    }
}
