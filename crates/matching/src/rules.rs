//! The rules file (TOML): extra columns to compare, extra blocking keys, the threshold.
//!
//! ```toml
//! threshold = 0.5              # match probability a link needs (default 0.5)
//! across_sources_only = false  # only link records whose `source` differs
//! skip = ["company"]           # built-in comparisons to leave out
//!
//! [[compare]]
//! column = "date_of_birth"
//! kind = "date"                # exact | text | date | number
//!
//! [[compare]]
//! column = "postcode"
//! kind = "text"
//!
//! [[block]]
//! on = ["postcode", "last_name:2"]   # a column, or its first N characters
//! ```

use serde::Deserialize;

use crate::error::MatchError;
use crate::input::Schema;

/// How an extra column is compared. Each kind has fixed levels; their weights are learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtraKind {
    /// Equal after trimming and case folding, or not.
    Exact,
    /// Equal; one edit apart; two edits apart or Jaro-Winkler ≥ 0.9; else.
    Text,
    /// Same day; one part mistyped or day and month swapped; within `days`; else.
    Date,
    /// Equal; within `tolerance`; else.
    Number,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraComparison {
    pub column: String,
    pub kind: ExtraKind,
    /// Date: how many days apart still counts as close (default 365).
    #[serde(default)]
    pub days: Option<u32>,
    /// Number: how far apart still counts as close (default 0: exact only).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// Weigh agreement by how rare the value is (default true for exact and text).
    #[serde(default)]
    pub term_frequency: Option<bool>,
}

/// One blocking key: records that agree on every part are compared.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockRule {
    pub on: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    #[serde(default)]
    pub across_sources_only: bool,
    #[serde(default)]
    pub skip: Vec<String>,
    #[serde(default)]
    pub compare: Vec<ExtraComparison>,
    #[serde(default)]
    pub block: Vec<BlockRule>,
}

fn default_threshold() -> f64 {
    0.5
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            threshold: default_threshold(),
            across_sources_only: false,
            skip: Vec::new(),
            compare: Vec::new(),
            block: Vec::new(),
        }
    }
}

/// The built-in comparisons, by the names `skip` uses.
pub const BUILT_IN: [&str; 5] = ["first_name", "last_name", "email", "phone", "company"];

/// A part of a blocking key: a column (built-in names mean their normalised form) and an
/// optional prefix length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPart {
    pub column: String,
    pub prefix: Option<usize>,
}

impl Rules {
    pub fn from_toml(text: &str) -> Result<Rules, MatchError> {
        let rules: Rules = toml::from_str(text).map_err(|e| MatchError::rules(e.to_string()))?;
        rules.check_threshold(rules.threshold)?;
        for name in &rules.skip {
            if !BUILT_IN.contains(&name.as_str()) {
                return Err(MatchError::rules(format!(
                    "skip: `{name}` is not a built-in comparison ({})",
                    BUILT_IN.join(", ")
                )));
            }
        }
        let built_in = BUILT_IN
            .iter()
            .filter(|b| !rules.skip.iter().any(|s| s == *b))
            .count();
        if built_in + rules.compare.len() > crate::compare::MAX_COMPARISONS {
            return Err(MatchError::rules(format!(
                "at most {} comparisons in all: {built_in} built-in and {} from [[compare]]",
                crate::compare::MAX_COMPARISONS,
                rules.compare.len()
            )));
        }
        for extra in &rules.compare {
            if extra
                .tolerance
                .is_some_and(|t| !(t >= 0.0 && t.is_finite()))
            {
                return Err(MatchError::rules(format!(
                    "compare `{}`: tolerance must be a number ≥ 0",
                    extra.column
                )));
            }
        }
        Ok(rules)
    }

    pub fn check_threshold(&self, threshold: f64) -> Result<(), MatchError> {
        if threshold > 0.0 && threshold < 1.0 {
            Ok(())
        } else {
            Err(MatchError::rules(format!(
                "threshold must be between 0 and 1 (exclusive), not {threshold}"
            )))
        }
    }

    /// Checks that every column the rules name is in the input.
    pub fn check_against(&self, schema: &Schema) -> Result<(), MatchError> {
        for extra in &self.compare {
            if schema.index(&extra.column.to_lowercase()).is_none() {
                return Err(MatchError::rules(format!(
                    "compare: the input has no column `{}`",
                    extra.column
                )));
            }
        }
        for rule in &self.block {
            if rule.on.is_empty() {
                return Err(MatchError::rules("block: `on` names no column"));
            }
            for part in rule.parts()? {
                if schema.index(&part.column).is_none() {
                    return Err(MatchError::rules(format!(
                        "block: the input has no column `{}`",
                        part.column
                    )));
                }
            }
        }
        Ok(())
    }
}

impl BlockRule {
    pub fn parts(&self) -> Result<Vec<KeyPart>, MatchError> {
        self.on
            .iter()
            .map(|spec| {
                let (column, prefix) = match spec.rsplit_once(':') {
                    Some((column, n)) => {
                        let n: usize = n.trim().parse().map_err(|_| {
                            MatchError::rules(format!(
                                "block: `{spec}` should be COLUMN or COLUMN:N with N a length"
                            ))
                        })?;
                        (column, Some(n.max(1)))
                    }
                    None => (spec.as_str(), None),
                };
                Ok(KeyPart {
                    column: column.trim().to_lowercase(),
                    prefix,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_a_full_rules_file() {
        let rules = Rules::from_toml(
            r#"
threshold = 0.8
across_sources_only = true
skip = ["company"]
[[compare]]
column = "dob"
kind = "date"
days = 30
[[block]]
on = ["dob", "last_name:2"]
"#,
        )
        .unwrap();
        assert_eq!(rules.threshold, 0.8);
        assert!(rules.across_sources_only);
        assert_eq!(rules.compare[0].kind, ExtraKind::Date);
        assert_eq!(
            rules.block[0].parts().unwrap()[1],
            KeyPart {
                column: "last_name".into(),
                prefix: Some(2)
            }
        );
        let schema = Schema::new(&["id", "dob", "last_name"]).unwrap();
        rules.check_against(&schema).unwrap();
        let schema = Schema::new(&["id", "last_name"]).unwrap();
        assert!(rules.check_against(&schema).is_err());
    }

    #[test]
    fn refuses_what_it_cannot_honour() {
        assert!(Rules::from_toml("threshold = 1.5").is_err());
        assert!(Rules::from_toml("skip = [\"shoe\"]").is_err());
        assert!(Rules::from_toml("[[compare]]\ncolumn = \"x\"\nkind = \"fuzzy\"").is_err());
        assert!(Rules::from_toml("colour = 1").is_err());
        let bad = Rules::from_toml("[[block]]\non = [\"x:y\"]").unwrap();
        assert!(bad.block[0].parts().is_err());
    }
}
