//! What a connector hands the sync: pages of records, per-record problems, and the fields a
//! system describes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use steward_domain::{ObjectType, Record, Timestamp};

/// A field as the system itself names and types it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceField {
    pub name: String,
    pub label: String,
    /// The system's own type name (`string`, `enumeration`, `datetime`, `TEXT` …).
    pub value_type: String,
    /// Computed by the system; Steward can read it but never write it.
    pub read_only: bool,
}

impl SourceField {
    pub fn text(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            label: name.to_owned(),
            value_type: "string".to_owned(),
            read_only: false,
        }
    }
}

/// A record that could not be read whole. Names where and why, never the value. A locator
/// of the form `id <external id>` names the record, so a full sync keeps its previous
/// snapshot instead of removing it as gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProblem {
    pub object: ObjectType,
    /// Where it is: `line 17`, `row 9`, `id 4711`.
    pub locator: String,
    pub field: Option<String>,
    pub reason: String,
    /// Whether the record was still stored (a bad cell) or left out (a bad row).
    pub record_kept: bool,
}

/// One page of a read. `resume` is where a later read continues after this page, so the
/// sync can store it in the same transaction as the page's records.
#[derive(Debug, Default)]
pub struct Page {
    pub records: Vec<Record>,
    pub problems: Vec<RecordProblem>,
    pub resume: Option<String>,
    /// The read could not carry associations (HubSpot's batch read): keep the cached ones
    /// rather than take the records' empty sets as "none".
    pub associations_omitted: bool,
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct ReadRequest {
    /// Only records changed at or after this instant (incremental); `None` reads everything.
    pub since: Option<Timestamp>,
    /// Continue after the last page a previous, interrupted read stored.
    pub resume: Option<String>,
    /// Records already read whose modification time is exactly `since`: an incremental
    /// read may skip them (it still reads any other record changed at that instant).
    pub known_at_since: BTreeSet<String>,
}

/// A field in which a spoke keeps the hub's id for the same thing, e.g. the MAP's
/// `crmContactId`: records that share it are linked without any matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crosswalk {
    pub object: ObjectType,
    pub field: String,
}
