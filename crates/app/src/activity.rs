//! The Activity screen and `steward audit-log …`: the audit log, newest first, and whether
//! its hash chain holds.

use serde::Serialize;
use steward_domain::{ChainStatus, ChainedEntry};
use ts_rs::TS;

use crate::error::AppError;
use crate::workspace::Steward;

/// The most entries one page may ask for.
pub const MAX_PAGE: u32 = 500;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryView {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    #[ts(type = "Record<string, unknown>")]
    pub details: serde_json::Value,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Entries in the whole log.
    pub total: u64,
    /// Pass as `before` for the next (older) page; `null` at the start of the log.
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    pub intact: bool,
    /// Entries that passed (all of them when intact; those before the break otherwise).
    pub entries: u64,
    /// The newest entry's hash: note it down elsewhere to detect a log cut short later.
    pub head_hash: Option<String>,
    /// The first entry that does not hold, and why.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
    pub checked_at: String,
}

fn view(entry: ChainedEntry) -> AuditEntryView {
    AuditEntryView {
        seq: entry.seq,
        at: entry.at.to_rfc3339(),
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        details: serde_json::from_str(&entry.details).unwrap_or(serde_json::Value::Null),
        hash: entry.hash,
    }
}

impl Steward {
    /// A page of the audit log, newest first, older than `before`.
    pub fn audit_page(&self, before: Option<i64>, limit: u32) -> Result<AuditPage, AppError> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(AppError::invalid(format!(
                "limit: must be between 1 and {MAX_PAGE}, got {limit}"
            )));
        }
        let entries = self.workspace.audit_page(before, limit)?;
        let next_before = match entries.last() {
            Some(oldest) if oldest.seq > 1 && entries.len() == limit as usize => Some(oldest.seq),
            _ => None,
        };
        Ok(AuditPage {
            total: self.workspace.audit_len()?,
            entries: entries.into_iter().map(view).collect(),
            next_before,
        })
    }

    /// Walks the whole chain.
    pub fn verify_audit_log(&self) -> Result<AuditVerification, AppError> {
        let checked_at = self.clock.now().to_rfc3339();
        Ok(match self.workspace.verify_audit_log()? {
            ChainStatus::Intact { entries, head_hash } => AuditVerification {
                intact: true,
                entries,
                head_hash: (entries > 0).then_some(head_hash),
                broken_at: None,
                reason: None,
                checked_at,
            },
            ChainStatus::Broken(at) => AuditVerification {
                intact: false,
                entries: at.verified,
                head_hash: None,
                broken_at: Some(at.seq),
                reason: Some(at.reason),
                checked_at,
            },
        })
    }
}
