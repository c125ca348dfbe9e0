//! Records as one system holds them, field by field with each field's own modification
//! time, and the links that say two records in different systems are the same thing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::field::ObjectType;
use crate::time::Timestamp;

/// Names one record: which system, which kind of object, and the system's own id for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordKey {
    pub system_id: i64,
    pub object: ObjectType,
    pub external_id: String,
}

/// A field's value and when the source system last changed it (if it tells us).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValue {
    pub value: String,
    pub modified_at: Option<Timestamp>,
    /// Who wrote the current value, as the system says it (HubSpot: `CRM_UI`, `IMPORT`,
    /// `INTEGRATION` …), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Earlier values, newest first, when the system keeps a history (at most
    /// `FieldValue::MAX_EARLIER`). Drift tells a stale copy from a divergent one with them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<PastValue>,
}

/// A value a field held before its current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastValue {
    pub value: String,
    pub modified_at: Option<Timestamp>,
    pub source: Option<String>,
}

impl FieldValue {
    /// Earlier versions kept per field: enough to see what a copy last agreed with.
    pub const MAX_EARLIER: usize = 5;

    /// A value with no known source or history.
    pub fn new(value: impl Into<String>, modified_at: Option<Timestamp>) -> Self {
        Self {
            value: value.into(),
            modified_at,
            source: None,
            earlier: Vec::new(),
        }
    }
}

/// Another record of the same system this one is associated with (a contact's company).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Association {
    pub object: ObjectType,
    pub external_id: String,
}

/// A snapshot of one record as last read from its system. A cache, never the truth.
///
/// Fields are keyed by the system's own field names (`firstname`, `First Name`, `leadStatus`):
/// the snapshot says what the system holds; mapping onto canonical fields is a separate,
/// user-confirmed step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub key: RecordKey,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub archived: bool,
    pub fields: BTreeMap<String, FieldValue>,
    pub associations: BTreeSet<Association>,
}

impl Record {
    /// The latest change Steward can see: the record's own `updated_at`, or failing that the
    /// newest field modification time.
    pub fn last_modified(&self) -> Option<Timestamp> {
        let newest_field = self.fields.values().filter_map(|f| f.modified_at).max();
        self.updated_at.max(newest_field)
    }
}

/// Why two records are believed to be the same person or company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkBasis {
    /// One system stores the other's id (e.g. the MAP keeps the CRM contact id).
    SharedId { field: String },
    /// A person confirmed the link.
    Manual { by: String },
    /// The matching engine linked them with this confidence (0–1).
    Match { score_millis: u16 },
}

/// A link between records in two different systems. Stored with `left < right` so a pair
/// has one spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLink {
    pub left: RecordKey,
    pub right: RecordKey,
    pub basis: LinkBasis,
}

impl RecordLink {
    /// Orders the pair; refuses a link of a record to itself or within one system (those are
    /// duplicates, not links).
    pub fn new(a: RecordKey, b: RecordKey, basis: LinkBasis) -> Result<Self, String> {
        if a.system_id == b.system_id {
            return Err("a link joins records of two different systems".into());
        }
        if a.object != b.object {
            return Err(format!("cannot link a {} to a {}", a.object, b.object));
        }
        let (left, right) = if a < b { (a, b) } else { (b, a) };
        Ok(Self { left, right, basis })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(system_id: i64, id: &str) -> RecordKey {
        RecordKey {
            system_id,
            object: ObjectType::Person,
            external_id: id.into(),
        }
    }

    #[test]
    fn last_modified_takes_the_newest_signal() {
        let mut record = Record {
            key: key(1, "7"),
            created_at: Some(Timestamp::from_millis(1)),
            updated_at: Some(Timestamp::from_millis(10)),
            archived: false,
            fields: BTreeMap::new(),
            associations: BTreeSet::new(),
        };
        record.fields.insert(
            "email".to_owned(),
            FieldValue::new("a@b.test", Some(Timestamp::from_millis(20))),
        );
        assert_eq!(record.last_modified(), Some(Timestamp::from_millis(20)));
        record.updated_at = Some(Timestamp::from_millis(30));
        assert_eq!(record.last_modified(), Some(Timestamp::from_millis(30)));
    }

    #[test]
    fn links_have_one_spelling_and_cross_systems() {
        let basis = LinkBasis::Manual { by: "ops".into() };
        let ab = RecordLink::new(key(2, "x"), key(1, "y"), basis.clone()).unwrap();
        let ba = RecordLink::new(key(1, "y"), key(2, "x"), basis.clone()).unwrap();
        assert_eq!(ab, ba);
        assert_eq!(ab.left.system_id, 1);
        assert!(RecordLink::new(key(1, "a"), key(1, "b"), basis.clone()).is_err());
        let company = RecordKey {
            object: ObjectType::Company,
            ..key(2, "c")
        };
        assert!(RecordLink::new(key(1, "a"), company, basis).is_err());
    }
}
