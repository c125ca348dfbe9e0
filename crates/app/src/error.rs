//! The errors both front ends show: a small closed set of codes the UI acts on, and a
//! message that says what went wrong and what to do next. No customer values, no secrets.

use serde::Serialize;
use steward_connectors::KeychainError;
use steward_domain::DomainError;
use steward_store::StoreError;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input was refused; the message names the field and the reason.
    InvalidInput,
    NotFound,
    /// The change clashes with what exists (a name taken, a second hub).
    Conflict,
    /// The person acting lacks the role the action takes; the message names it.
    Forbidden,
    /// The workspace file cannot be used as it is (newer schema, damaged, foreign).
    WorkspaceUnusable,
    /// The OS keychain could not be reached or refused access.
    KeychainUnavailable,
    /// Reading or writing a local file failed.
    Io,
    /// An outside system (a CRM, a spoke's API or database) failed or refused.
    ExternalSystem,
    /// The user cancelled a long job; what it finished is kept.
    Cancelled,
    /// A bug: please report it.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        let code = match err {
            DomainError::DuplicateName(_) | DomainError::SecondHub { .. } => ErrorCode::Conflict,
            _ => ErrorCode::InvalidInput,
        };
        Self::new(code, err.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        let code = match &err {
            StoreError::NotFound { .. } | StoreError::Missing { .. } => ErrorCode::NotFound,
            StoreError::AlreadyExists { .. } | StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::NotAWorkspace { .. }
            | StoreError::TooNew { .. }
            | StoreError::Corrupt { .. } => ErrorCode::WorkspaceUnusable,
            StoreError::Io { .. } => ErrorCode::Io,
            StoreError::Invalid(_) | StoreError::Migration(_) | StoreError::Sqlite(_) => {
                ErrorCode::Internal
            }
        };
        if code == ErrorCode::Internal {
            tracing::error!(error = %err, "workspace error");
        }
        Self::new(code, err.to_string())
    }
}

impl From<KeychainError> for AppError {
    fn from(err: KeychainError) -> Self {
        let code = match err {
            KeychainError::EmptySecret => ErrorCode::InvalidInput,
            _ => ErrorCode::KeychainUnavailable,
        };
        Self::new(code, err.to_string())
    }
}
