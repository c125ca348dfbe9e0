//! The quarterly audit: the four SSOT requirements as scores out of 100. Each is the mean of
//! its parts' shares, and every part carries the formula it was computed with, so a reader
//! can check a score by hand. A part with nothing to measure is shown and left out of the
//! mean, never counted as perfect.

use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// What the scores are computed from: counts only, never a value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInputs {
    /// Live people in the spokes (deprecated systems left out), and those the hub lacks.
    pub spoke_people: u64,
    pub missing_in_hub: u64,
    /// Linked (copy, field) pairs compared by the newest drift run, and those in agreement.
    pub fields_compared: u64,
    pub fields_agreeing: u64,
    /// Median latencies of this quarter's probe legs: spoke → hub and hub → spoke.
    pub median_sync_ms: Option<u64>,
    pub median_write_back_ms: Option<u64>,
    /// Live hub people, and the extra hub records the newest matching run's clusters hold
    /// (a cluster with 3 hub records holds 2 extra).
    pub people_matched: u64,
    pub duplicate_extras: u64,
    /// Required hub fields: the slots (people × required fields) and those filled.
    pub required_slots: u64,
    pub required_filled: u64,
    pub required_fields: Vec<String>,
    /// Status values held by linked records, and those the status model cannot map.
    pub status_values: u64,
    pub status_unmapped: u64,
    /// Hub people with a conflicting write open in the newest drift run (an integration
    /// overwrote a field the hub owns), and the spoke records linked then (shown, not scored).
    pub open_conflicts: u64,
    pub linked: u64,
    /// Systems not deprecated, those whose last sync succeeded within a week, those with a
    /// named owner.
    pub systems: u64,
    pub systems_syncing: u64,
    pub systems_owned: u64,
    /// Probes defined, and those whose last run passed.
    pub probes: u64,
    pub probes_passing: u64,
}

/// One measured part of a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub label: String,
    pub numerator: u64,
    pub denominator: u64,
    /// 0–1; `None` when there was nothing to measure.
    pub share: Option<f64>,
    pub formula: String,
}

/// A requirement's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    pub key: String,
    pub label: String,
    /// 0–100, the mean of the parts measured; `None` when none was.
    pub score: Option<f64>,
    pub formula: String,
    pub parts: Vec<Part>,
    /// Figures shown beside the score but not in it (latencies).
    pub facts: Vec<(String, String)>,
}

fn part(label: &str, numerator: u64, denominator: u64, formula: &str) -> Part {
    let share = (denominator > 0).then(|| numerator.min(denominator) as f64 / denominator as f64);
    Part {
        label: label.to_owned(),
        numerator,
        denominator,
        share,
        formula: format!(
            "{formula} = {numerator} ÷ {denominator} = {}",
            share.map_or_else(
                || "n/a (nothing to measure)".to_owned(),
                |s| format!("{:.1} %", s * 100.0)
            )
        ),
    }
}

/// `1 − bad ÷ total`, as a part whose numerator is the good ones.
fn inverse(label: &str, bad: u64, total: u64, formula: &str) -> Part {
    part(label, total.saturating_sub(bad), total, formula)
}

fn requirement(
    key: &str,
    label: &str,
    parts: Vec<Part>,
    facts: Vec<(String, String)>,
) -> Requirement {
    let measured: Vec<f64> = parts.iter().filter_map(|p| p.share).collect();
    let score = (!measured.is_empty())
        .then(|| 100.0 * measured.iter().sum::<f64>() / measured.len() as f64);
    let names: Vec<&str> = parts.iter().map(|p| p.label.as_str()).collect();
    let formula = if parts.len() == 1 {
        format!("{label} = 100 × {}", names[0])
    } else {
        format!(
            "{label} = 100 × mean({}), over the parts measured",
            names.join(", ")
        )
    };
    Requirement {
        key: key.to_owned(),
        label: label.to_owned(),
        score,
        formula,
        parts,
        facts,
    }
}

fn ms(value: Option<u64>) -> String {
    value.map_or_else(
        || "no probe run this quarter".to_owned(),
        |v| format!("{:.1} s", v as f64 / 1000.0),
    )
}

/// The four requirements, in PRODUCT.md's order.
pub fn score(i: &AuditInputs) -> Vec<Requirement> {
    vec![
        requirement(
            "completeness",
            "Completeness",
            vec![part(
                "spoke people present in the hub",
                i.spoke_people.saturating_sub(i.missing_in_hub),
                i.spoke_people,
                "(spoke people − missing in hub) ÷ spoke people",
            )],
            vec![],
        ),
        requirement(
            "currency",
            "Currency",
            vec![part(
                "linked fields in agreement",
                i.fields_agreeing,
                i.fields_compared,
                "agreeing field pairs ÷ field pairs compared",
            )],
            vec![
                (
                    "median sync latency (spoke → hub)".into(),
                    ms(i.median_sync_ms),
                ),
                (
                    "median write-back latency (hub → spoke)".into(),
                    ms(i.median_write_back_ms),
                ),
            ],
        ),
        requirement(
            "integrity",
            "Integrity",
            vec![
                inverse(
                    "people not duplicated",
                    i.duplicate_extras,
                    i.people_matched,
                    "(hub people − extra hub records in duplicate clusters) ÷ hub people",
                ),
                part(
                    "required fields filled",
                    i.required_filled,
                    i.required_slots,
                    &format!(
                        "filled ÷ (hub people × {{{}}})",
                        i.required_fields.join(", ")
                    ),
                ),
                inverse(
                    "statuses the model maps",
                    i.status_unmapped,
                    i.status_values,
                    "(status values − unmapped) ÷ status values",
                ),
                inverse(
                    "hub people without a conflicting write",
                    i.open_conflicts,
                    i.people_matched,
                    "(hub people − those with an open conflicting write) ÷ hub people",
                ),
            ],
            vec![],
        ),
        requirement(
            "accessibility",
            "Accessibility",
            vec![
                part(
                    "systems connected and syncing",
                    i.systems_syncing,
                    i.systems,
                    "systems whose last sync succeeded within 7 days ÷ systems",
                ),
                part(
                    "probes passing",
                    i.probes_passing,
                    i.probes,
                    "probes whose last run passed ÷ probes",
                ),
                part(
                    "systems with a named owner",
                    i.systems_owned,
                    i.systems,
                    "systems with an owner ÷ systems",
                ),
            ],
            vec![],
        ),
    ]
}

/// A calendar quarter, "2026-Q4".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Quarter(String);

impl Quarter {
    pub fn of(at: Timestamp) -> Self {
        let date = at.to_rfc3339();
        let year = &date[..4];
        let month: u32 = date[5..7].parse().unwrap_or(1);
        Self(format!("{year}-Q{}", (month - 1) / 3 + 1))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().to_ascii_uppercase();
        let ok = t.is_ascii()
            && t.len() == 7
            && t[..4].chars().all(|c| c.is_ascii_digit())
            && &t[4..6] == "-Q"
            && matches!(&t[6..], "1" | "2" | "3" | "4");
        if ok {
            Ok(Self(t))
        } else {
            Err(format!(
                "quarter: \"{text}\" is not a quarter; write it like 2026-Q4"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_show_their_formulas_and_skip_what_was_not_measured() {
        let inputs = AuditInputs {
            spoke_people: 200,
            missing_in_hub: 50,
            fields_compared: 1000,
            fields_agreeing: 900,
            people_matched: 100,
            duplicate_extras: 10,
            required_slots: 0,
            status_values: 40,
            status_unmapped: 4,
            open_conflicts: 5,
            linked: 100,
            systems: 4,
            systems_syncing: 3,
            systems_owned: 2,
            median_sync_ms: Some(2100),
            ..AuditInputs::default()
        };
        let scores = score(&inputs);
        assert_eq!(scores[0].score, Some(75.0));
        assert_eq!(
            scores[0].parts[0].formula,
            "(spoke people − missing in hub) ÷ spoke people = 150 ÷ 200 = 75.0 %"
        );
        assert_eq!(scores[1].score, Some(90.0));
        assert_eq!(scores[1].facts[0].1, "2.1 s");
        // Integrity: 0.9, n/a, 0.9, 0.95 (5 of 100 hub people) → 91.67.
        let integrity = scores[2].score.unwrap();
        assert!((integrity - 91.666).abs() < 0.01, "{integrity}");
        assert!(
            scores[2].parts[1]
                .formula
                .ends_with("n/a (nothing to measure)")
        );
        // Accessibility: 0.75, n/a (no probes), 0.5.
        assert_eq!(scores[3].score, Some(62.5));
        assert_eq!(score(&AuditInputs::default())[0].score, None);
    }

    #[test]
    fn quarters() {
        let at = Timestamp::parse_rfc3339("2026-11-23T01:00:00Z").unwrap();
        assert_eq!(Quarter::of(at).as_str(), "2026-Q4");
        let at = Timestamp::parse_rfc3339("2026-03-31T23:59:59Z").unwrap();
        assert_eq!(Quarter::of(at).as_str(), "2026-Q1");
        assert_eq!(Quarter::parse("2026-q2").unwrap().as_str(), "2026-Q2");
        assert!(Quarter::parse("2026-Q5").is_err());
        assert!(
            Quarter::parse("202é-Q4").is_err(),
            "no panic on multi-byte text"
        );
    }
}
