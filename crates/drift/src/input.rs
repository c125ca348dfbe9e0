//! What drift reads: the systems, the canonical fields with their authority rules, and every
//! cached record projected onto the canonical fields its system maps.
//!
//! Built for a million records and more: every text lives in one arena (`Snapshot::text`) and
//! records hold spans into it, change sources are interned, and the rare earlier versions sit
//! beside the record rather than in every value. A value is 24 bytes plus its text.

use rustc_hash::FxHashMap;
use steward_domain::{
    ConflictPolicy, FieldCategory, FieldKey, ObjectType, Segment, StatusModel, ValueKind,
};

#[derive(Debug, Clone)]
pub struct System {
    /// The workspace's id for it.
    pub id: i64,
    pub name: String,
    pub hub: bool,
}

/// Which copy holds a field's true value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    Hub,
    /// An index into `Snapshot::systems`.
    System(u16),
}

/// One canonical field and the rule over it.
#[derive(Debug, Clone)]
pub struct Field {
    pub object: ObjectType,
    pub key: FieldKey,
    pub kind: ValueKind,
    pub category: FieldCategory,
    pub policy: ConflictPolicy,
    pub authority: Authority,
    /// The authority rule's system as written (`hub` or a name), for the evidence.
    pub authority_name: String,
    pub status: Option<StatusModel>,
}

/// A text in the snapshot's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    len: u32,
}

/// "No time" in the compact time fields.
const NO_TIME: i64 = i64::MIN;

fn time(at: Option<i64>) -> i64 {
    at.unwrap_or(NO_TIME)
}

fn optional(at: i64) -> Option<i64> {
    (at != NO_TIME).then_some(at)
}

/// One canonical field's value in one record.
#[derive(Debug, Clone, Copy)]
pub struct Value {
    /// An index into `Snapshot::fields`.
    pub field: u16,
    /// An index into `Snapshot::sources`, 0 when the system does not say.
    source: u16,
    at: i64,
    pub value: Span,
}

impl Value {
    /// When the system changed this field, if it says (else the record's `updated_at` is used).
    pub fn at(&self) -> Option<i64> {
        optional(self.at)
    }
}

/// A value a field held before its current one.
#[derive(Debug, Clone, Copy)]
pub struct Past {
    pub field: u16,
    pub value: Span,
    at: i64,
    source: u16,
}

impl Past {
    pub fn at(&self) -> Option<i64> {
        optional(self.at)
    }
}

#[derive(Debug, Clone)]
pub struct Rec {
    /// The workspace's record id.
    pub id: i64,
    /// An index into `Snapshot::systems`.
    pub system: u16,
    pub object: ObjectType,
    pub archived: bool,
    pub external_id: Span,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    /// Sorted by field slot (`Snapshot::finish_record` sorts them).
    pub values: Vec<Value>,
    /// Earlier values of some fields, newest first per field.
    pub earlier: Vec<Past>,
    /// The hub id this spoke record keeps (its crosswalk field), if any.
    pub crosswalk: Option<Span>,
    /// Hub only: ids of records merged into this one (HubSpot `hs_merged_object_ids`).
    pub merged_ids: Vec<Span>,
}

impl Rec {
    pub fn value(&self, field: u16) -> Option<&Value> {
        self.values
            .binary_search_by_key(&field, |v| v.field)
            .ok()
            .map(|i| &self.values[i])
    }

    /// When `value` last changed, as far as this record can say.
    pub fn changed_at(&self, value: &Value) -> Option<i64> {
        value.at().or(self.updated_at)
    }

    /// The earlier values of one field, newest first.
    pub fn earlier(&self, field: u16) -> impl Iterator<Item = &Past> {
        self.earlier.iter().filter(move |p| p.field == field)
    }
}

/// Everything one drift run reads.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub systems: Vec<System>,
    pub fields: Vec<Field>,
    /// (system, object, field slot) → the system's own field name.
    pub names: FxHashMap<(u16, ObjectType, u16), String>,
    pub records: Vec<Rec>,
    /// The newest matching run's clusters: (weakest-link score, workspace record ids).
    pub clusters: Vec<(f64, Vec<i64>)>,
    /// Hub change sources that are another system writing (e.g. `INTEGRATION`).
    pub integration_sources: Vec<String>,
    pub segments: Vec<Segment>,
    /// When the hub's newest complete full read started: a copy created before it that names
    /// a hub id the hub does not have points at a record deleted for good; one created after
    /// it may point at a record the hub gained since.
    pub hub_read_at: Option<i64>,
    /// Every text of the records, end to end.
    text: String,
    /// Change sources as the systems name them; index 0 is "none".
    sources: Vec<String>,
}

impl Snapshot {
    pub fn hub(&self) -> Option<u16> {
        self.systems
            .iter()
            .position(|s| s.hub)
            .and_then(|i| u16::try_from(i).ok())
    }

    pub fn field_slot(&self, object: ObjectType, key: &str) -> Option<u16> {
        self.fields
            .iter()
            .position(|f| f.object == object && f.key.as_str() == key)
            .and_then(|i| u16::try_from(i).ok())
    }

    pub fn field_name(&self, system: u16, object: ObjectType, field: u16) -> Option<&str> {
        self.names.get(&(system, object, field)).map(String::as_str)
    }

    /// Adds a record at once and returns its index, for builders that stream (a scan of the
    /// workspace): `add_value`, `add_earlier` … then `finish_record`.
    pub fn push_record(
        &mut self,
        id: i64,
        system: u16,
        object: ObjectType,
        external_id: &str,
    ) -> usize {
        let external_id = self.intern_text(external_id);
        self.records.push(Rec {
            id,
            system,
            object,
            archived: false,
            external_id,
            created_at: None,
            updated_at: None,
            values: Vec::new(),
            earlier: Vec::new(),
            crosswalk: None,
            merged_ids: Vec::new(),
        });
        self.records.len() - 1
    }

    pub fn add_value(
        &mut self,
        record: usize,
        field: u16,
        value: &str,
        at: Option<i64>,
        source: Option<&str>,
    ) {
        let value = self.intern_text(value);
        let source = self.intern_source(source);
        if let Some(r) = self.records.get_mut(record) {
            r.values.push(Value {
                field,
                source,
                at: time(at),
                value,
            });
        }
    }

    /// An earlier value of a field of `record` (add them newest first).
    pub fn add_earlier(
        &mut self,
        record: usize,
        field: u16,
        value: &str,
        at: Option<i64>,
        source: Option<&str>,
    ) {
        let value = self.intern_text(value);
        let source = self.intern_source(source);
        if let Some(r) = self.records.get_mut(record) {
            r.earlier.push(Past {
                field,
                value,
                at: time(at),
                source,
            });
        }
    }

    pub fn set_crosswalk(&mut self, record: usize, hub_id: &str) {
        let span = self.intern_text(hub_id);
        if let Some(r) = self.records.get_mut(record) {
            r.crosswalk = Some(span);
        }
    }

    pub fn add_merged_id(&mut self, record: usize, id: &str) {
        let span = self.intern_text(id);
        if let Some(r) = self.records.get_mut(record) {
            r.merged_ids.push(span);
        }
    }

    /// Sorts a streamed record's values (lookups binary-search them) and trims its vectors.
    pub fn finish_record(&mut self, record: usize) {
        if let Some(r) = self.records.get_mut(record) {
            r.values.sort_by_key(|v| v.field);
            r.values.dedup_by_key(|v| v.field);
            r.values.shrink_to_fit();
            r.earlier.shrink_to_fit();
        }
    }

    /// Frees what the arena and the record list reserved beyond their use.
    pub fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.records.shrink_to_fit();
    }

    /// A text of the arena.
    pub fn text(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.text
            .get(start..start + span.len as usize)
            .unwrap_or_default()
    }

    /// A record's id in its system.
    pub fn external_id(&self, record: usize) -> &str {
        self.text(self.records[record].external_id)
    }

    /// Who wrote a value, as its system names the source.
    pub fn source_of(&self, value: &Value) -> Option<&str> {
        self.source(value.source)
    }

    pub fn past_source(&self, past: &Past) -> Option<&str> {
        self.source(past.source)
    }

    fn source(&self, index: u16) -> Option<&str> {
        (index != 0)
            .then(|| self.sources.get(usize::from(index)).map(String::as_str))
            .flatten()
    }

    fn intern_text(&mut self, text: &str) -> Span {
        // Past 4 GiB of text a run would be far beyond its memory target anyway; the span
        // then reads as empty rather than wrapping.
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        let len = u32::try_from(text.len()).unwrap_or(0);
        if start < u32::MAX {
            self.text.push_str(text);
        }
        Span { start, len }
    }

    fn intern_source(&mut self, source: Option<&str>) -> u16 {
        let Some(source) = source.filter(|s| !s.is_empty()) else {
            return 0;
        };
        if self.sources.is_empty() {
            self.sources.push(String::new());
        }
        if let Some(i) = self.sources.iter().position(|s| s == source) {
            return u16::try_from(i).unwrap_or(0);
        }
        if self.sources.len() >= usize::from(u16::MAX) {
            return 0;
        }
        self.sources.push(source.to_owned());
        u16::try_from(self.sources.len() - 1).unwrap_or(0)
    }
}
