//! HubSpot's JSON shapes, and how a HubSpot object becomes a record snapshot.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use steward_domain::{
    Association, FieldValue, ObjectType, PastValue, Record, RecordKey, Timestamp,
};

use crate::connector::Context;
use crate::model::{Page, RecordProblem, SourceField};

#[derive(Debug, Deserialize)]
pub struct Next {
    pub after: String,
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    pub next: Option<Next>,
}

#[derive(Debug, Deserialize)]
pub struct ListPage {
    #[serde(default)]
    pub results: Vec<Object>,
    pub paging: Option<Paging>,
}

#[derive(Debug, Deserialize)]
pub struct SearchPage {
    #[serde(default)]
    pub total: usize,
    #[serde(default)]
    pub results: Vec<Object>,
}

#[derive(Debug, Deserialize)]
pub struct Batch {
    #[serde(default)]
    pub results: Vec<Object>,
}

/// One entry of a property's history, newest first as HubSpot lists them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    #[serde(default)]
    pub value: Option<String>,
    pub timestamp: Option<String>,
    #[serde(default)]
    pub source_type: Option<String>,
}

/// A batch create/update/archive answer: what was written, and per input what was not.
#[derive(Debug, Deserialize)]
pub struct BatchWrite {
    #[serde(default)]
    pub results: Vec<WrittenRef>,
    #[serde(default)]
    pub errors: Vec<BatchError>,
}

#[derive(Debug, Deserialize)]
pub struct WrittenRef {
    pub id: String,
}

/// Only the category: HubSpot's message can quote an input value.
#[derive(Debug, Deserialize)]
pub struct BatchError {
    pub category: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationRef {
    pub id: String,
}

/// `POST /crm/v4/associations/{from}/{to}/batch/read`.
#[derive(Debug, Deserialize)]
pub struct AssociationBatch {
    #[serde(default)]
    pub results: Vec<AssociationResult>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationResult {
    pub from: AssociationFrom,
    #[serde(default)]
    pub to: Vec<AssociationTo>,
}

#[derive(Debug, Deserialize)]
pub struct AssociationFrom {
    pub id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationTo {
    /// A number in HubSpot's v4 answers (a string in some).
    pub to_object_id: serde_json::Value,
}

/// An id HubSpot sent as a number or a string.
pub fn id_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
pub struct AssociationList {
    #[serde(default)]
    pub results: Vec<AssociationRef>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    pub id: String,
    #[serde(default)]
    pub properties: BTreeMap<String, Option<String>>,
    #[serde(default)]
    pub properties_with_history: BTreeMap<String, Vec<Version>>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub associations: BTreeMap<String, AssociationList>,
}

impl Object {
    pub fn modified(&self, property: &str) -> Option<i64> {
        let text = self.properties.get(property)?.as_deref()?;
        Timestamp::parse_rfc3339(text)
            .ok()
            .map(Timestamp::millis)
            .or_else(|| text.parse().ok())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(default)]
    pub read_only_value: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Property {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub calculated: bool,
    pub modification_metadata: Option<Metadata>,
    /// An enumeration's allowed values.
    #[serde(default)]
    pub options: Vec<PropertyOption>,
}

#[derive(Debug, Deserialize)]
pub struct PropertyOption {
    pub value: String,
}

#[derive(Debug, Deserialize)]
pub struct Properties {
    #[serde(default)]
    pub results: Vec<Property>,
}

impl Properties {
    pub fn into_fields(self) -> Vec<SourceField> {
        self.results
            .into_iter()
            .map(|p| SourceField {
                read_only: p.calculated
                    || p.modification_metadata.is_some_and(|m| m.read_only_value),
                label: if p.label.is_empty() {
                    p.name.clone()
                } else {
                    p.label
                },
                name: p.name,
                value_type: p.kind,
            })
            .collect()
    }
}

/// HubSpot's error body names the problem in `message`; it can quote an input value, so
/// only its category is kept.
pub fn error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Error {
        category: Option<String>,
    }
    serde_json::from_slice::<Error>(body)
        .ok()
        .and_then(|e| e.category)
        .unwrap_or_else(|| "no error category given".into())
}

fn instant(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(|t| Timestamp::parse_rfc3339(t).ok())
}

/// One HubSpot object as a snapshot: non-empty properties with the time of their newest
/// version, and associated records of the other object.
pub fn to_record(ctx: &Context, object: ObjectType, o: Object) -> Result<Record, RecordProblem> {
    let problem = |field: Option<&str>, reason: &str| RecordProblem {
        object,
        locator: format!("id {}", o.id),
        field: field.map(str::to_owned),
        reason: reason.to_owned(),
        record_kept: false,
    };
    if o.id.trim().is_empty() {
        return Err(problem(None, "the record has no id"));
    }
    let created_at = instant(o.created_at.as_deref());
    if o.created_at.is_some() && created_at.is_none() {
        return Err(problem(
            Some("createdAt"),
            "createdAt is not an RFC 3339 time",
        ));
    }
    let mut fields = BTreeMap::new();
    for (name, value) in &o.properties {
        let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
            continue;
        };
        let versions = o.properties_with_history.get(name);
        let newest = versions.and_then(|versions| versions.first());
        let earlier = versions
            .into_iter()
            .flatten()
            .skip(1)
            .take(FieldValue::MAX_EARLIER)
            .map(|v| PastValue {
                value: v.value.clone().unwrap_or_default(),
                modified_at: instant(v.timestamp.as_deref()),
                source: v.source_type.clone(),
            })
            .collect();
        fields.insert(
            name.clone(),
            FieldValue {
                value: value.to_owned(),
                modified_at: newest.and_then(|v| instant(v.timestamp.as_deref())),
                source: newest.and_then(|v| v.source_type.clone()),
                earlier,
            },
        );
    }
    let mut associations = BTreeSet::new();
    for (kind, list) in &o.associations {
        let other = match kind.as_str() {
            "companies" => ObjectType::Company,
            "contacts" => ObjectType::Person,
            _ => continue,
        };
        for r in &list.results {
            associations.insert(Association {
                object: other,
                external_id: r.id.clone(),
            });
        }
    }
    Ok(Record {
        key: RecordKey {
            system_id: ctx.system_id,
            object,
            external_id: o.id.clone(),
        },
        created_at,
        updated_at: instant(o.updated_at.as_deref()),
        archived: o.archived,
        fields,
        associations,
    })
}

pub fn to_page(
    ctx: &Context,
    object: ObjectType,
    objects: Vec<Object>,
    resume: Option<String>,
) -> Page {
    let mut page = Page {
        resume,
        ..Page::default()
    };
    for o in objects {
        match to_record(ctx, object, o) {
            Ok(record) => page.records.push(record),
            Err(problem) => page.problems.push(problem),
        }
    }
    page
}
