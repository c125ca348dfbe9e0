//! Connector failures, each with what the user can do next. Messages name systems, fields,
//! rows and HTTP statuses, never a customer value or a secret.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConnectorError {
    #[error("the connection settings are not valid: {0}")]
    Config(String),
    #[error("{system} refused the credential ({how}); store a new one and sync again")]
    Unauthorized { system: String, how: String },
    #[error("{system} cannot be reached ({reason}); check the URL and that it is running")]
    Unreachable { system: String, reason: String },
    #[error(
        "{system} kept refusing for its rate limit after {attempts} attempts; sync again later"
    )]
    RateLimited { system: String, attempts: u32 },
    #[error("{system} answered HTTP {status} to {what}: {message}")]
    Http {
        system: String,
        status: u16,
        what: String,
        message: String,
    },
    #[error("{system} sent a response Steward does not understand ({what}): {reason}")]
    Protocol {
        system: String,
        what: String,
        reason: String,
    },
    #[error("reading {what} failed: {reason}")]
    Source { what: String, reason: String },
    #[error("cancelled")]
    Cancelled,
    /// Steward reads this kind of system but does not write to it.
    #[error("Steward does not write to this kind of system; change the value there by hand")]
    ReadOnly,
    /// The system refused to change a record (it named the reason by a code).
    #[error("{system} did not change {what}: {reason}")]
    Refused {
        system: String,
        what: String,
        reason: String,
    },
    /// The receiving side (the workspace) could not take a page.
    #[error("storing a page failed: {0}")]
    Sink(String),
}

impl ConnectorError {
    pub fn source(what: impl Into<String>, reason: impl ToString) -> Self {
        Self::Source {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    pub fn config(reason: impl Into<String>) -> Self {
        Self::Config(reason.into())
    }
}
