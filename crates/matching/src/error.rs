//! Typed errors. Messages name a line, a column or a rule and the reason, never a value:
//! the records are customer data.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MatchError {
    /// The input file: `line` is its 1-based line (the header is line 1).
    #[error("line {line}: {reason}")]
    Input { line: u64, reason: String },
    /// The rules file.
    #[error("rules: {0}")]
    Rules(String),
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
}

impl MatchError {
    pub fn input(line: u64, reason: impl Into<String>) -> MatchError {
        MatchError::Input {
            line,
            reason: reason.into(),
        }
    }

    pub fn rules(reason: impl Into<String>) -> MatchError {
        MatchError::Rules(reason.into())
    }
}
