//! What drift reports: a kind, the records and field it is about, the evidence (times,
//! sources, the rule and the link, never a value) and the fix it suggests.

use serde::Serialize;

use crate::link::LinkBasis;

/// The kinds of PRODUCT.md §5, plus `mismatch`: a copy that differs from the authority
/// where neither side's history says which one moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The copy holds a value the authority held before: it never heard of the change.
    Stale,
    /// Both changed since they last agreed: the authority changed after the copy was made,
    /// and the copy holds a value the authority never held.
    Divergent,
    /// Another system's integration overwrote a field the hub owns.
    ConflictingWrite,
    /// The copy differs and history cannot say which side moved; the authority stands.
    Mismatch,
    /// A spoke record with no hub record at all.
    MissingInHub,
    /// A spoke record whose hub record is archived.
    Orphan,
    /// A copy of a person whose hub record was permanently deleted (erased), or who is the
    /// subject of an erasure request.
    ErasureNotPropagated,
    /// A record that explains why a segment counts differently in two systems.
    CountMismatch,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Stale,
        Kind::Divergent,
        Kind::ConflictingWrite,
        Kind::Mismatch,
        Kind::MissingInHub,
        Kind::Orphan,
        Kind::ErasureNotPropagated,
        Kind::CountMismatch,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Stale => "stale",
            Kind::Divergent => "divergent",
            Kind::ConflictingWrite => "conflicting_write",
            Kind::Mismatch => "mismatch",
            Kind::MissingInHub => "missing_in_hub",
            Kind::Orphan => "orphan",
            Kind::ErasureNotPropagated => "erasure_not_propagated",
            Kind::CountMismatch => "count_mismatch",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == text)
    }
}

/// Where a fix's new value comes from: a record's field, now or an earlier version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueFrom {
    /// An index into `Snapshot::records`.
    pub record: usize,
    pub field: String,
    /// `None`: the current value; `Some(i)`: the i-th earlier version (newest first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<usize>,
}

/// What should change, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Fix {
    /// Write a value into `field` of `record`.
    Write {
        record: usize,
        field: String,
        from: ValueFrom,
    },
    /// Delete the copy (orphans and erasures).
    DeleteCopy { record: usize },
    /// Bring the spoke's lead into the hub (or delete it, if it should not exist).
    CreateInHub { record: usize },
    /// The rule is manual: a person picks the value.
    Decide,
}

/// Why a finding was made: codes, times and sources, never a value.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Evidence {
    /// A short code for the exact reason (`earlier_authority_value`, `hub_archived` …).
    pub reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<LinkBasis>,
    /// The rule applied: `<authority> <policy> (<category>)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// When the authority's value was written, and by which source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority_changed_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority_source: Option<String>,
    /// When the copy's value was written (its field's time, else its record's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_changed_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_created_at: Option<i64>,
    /// Stale: which earlier version of the authority's field the copy still holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreed_version: Option<usize>,
    /// Conflicting write: the earlier version the integration overwrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overwritten_version: Option<usize>,
    /// Which record the authority's value is in (an index into the snapshot's records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority_record: Option<usize>,
    /// Erasure found through another copy: that copy (an index into the records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_record: Option<usize>,
    /// Count mismatch: the hub's and the system's counts of the segment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<(usize, usize)>,
}

/// One finding. Records are indices into the snapshot; `field` a canonical field slot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// The system the finding is in (the copy's; the hub's for a conflicting write).
    pub system: u16,
    pub record: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<u16>,
    /// An index into `Snapshot::segments`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<u16>,
    pub evidence: Evidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}
