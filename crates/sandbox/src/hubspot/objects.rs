//! The CRM's records in memory: every property with its history, archive and merge state,
//! and contact↔company associations.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::clock::iso;

/// Contacts or companies: the two object types the sandbox CRM holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectType {
    Contacts,
    Companies,
}

impl ObjectType {
    /// The path segment (`contacts`, `0-1` …) HubSpot accepts for a type.
    pub fn from_path(segment: &str) -> Option<Self> {
        match segment {
            "contacts" | "contact" | "0-1" => Some(Self::Contacts),
            "companies" | "company" | "0-2" => Some(Self::Companies),
            _ => None,
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Companies => "companies",
        }
    }

    /// The name HubSpot's error messages use ("Could not get some CONTACT objects …").
    pub fn upper(self) -> &'static str {
        match self {
            Self::Contacts => "CONTACT",
            Self::Companies => "COMPANY",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Contacts => Self::Companies,
            Self::Companies => Self::Contacts,
        }
    }

    /// The property that carries the last-modified time in list responses.
    pub fn modified_property(self) -> &'static str {
        match self {
            Self::Contacts => "lastmodifieddate",
            Self::Companies => "hs_lastmodifieddate",
        }
    }

    /// What HubSpot returns when no `properties` are asked for.
    pub fn default_properties(self) -> &'static [&'static str] {
        match self {
            Self::Contacts => &[
                "createdate",
                "email",
                "firstname",
                "hs_object_id",
                "lastmodifieddate",
                "lastname",
            ],
            Self::Companies => &[
                "createdate",
                "domain",
                "hs_lastmodifieddate",
                "hs_object_id",
                "name",
            ],
        }
    }
}

/// One value a property held, and when and how it got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub value: String,
    pub timestamp: i64,
    pub source: &'static str,
}

#[derive(Debug, Clone)]
pub struct CrmObject {
    pub id: u64,
    /// Each property's versions, oldest first; the last is the current value.
    pub properties: BTreeMap<String, Vec<Version>>,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived_at: Option<i64>,
    /// Set once this record was merged into another: its id then resolves to that one.
    pub merged_into: Option<u64>,
    /// Ids merged into this record, directly or through records it absorbed.
    pub merged_ids: Vec<u64>,
    pub associations: BTreeSet<u64>,
}

impl CrmObject {
    pub fn current(&self, name: &str) -> Option<&str> {
        self.properties
            .get(name)
            .and_then(|versions| versions.last())
            .map(|v| v.value.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A property as HubSpot shows it, computed ones included.
    pub fn property(&self, object: ObjectType, name: &str) -> Option<String> {
        match name {
            "hs_object_id" => Some(self.id.to_string()),
            "createdate" => Some(iso(self.created_at)),
            "lastmodifieddate" | "hs_lastmodifieddate" => Some(iso(self.updated_at)),
            "hs_merged_object_ids" if !self.merged_ids.is_empty() => Some(
                self.merged_ids
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            _ => {
                let _ = object;
                self.current(name).map(str::to_owned)
            }
        }
    }

    /// Sets a property; an unchanged value adds no history.
    pub fn set(&mut self, name: &str, value: String, at: i64, source: &'static str) -> bool {
        let versions = self.properties.entry(name.to_owned()).or_default();
        if versions.last().is_some_and(|v| v.value == value) {
            return false;
        }
        versions.push(Version {
            value,
            timestamp: at,
            source,
        });
        self.updated_at = self.updated_at.max(at);
        true
    }

    /// The JSON HubSpot returns for a record.
    pub fn to_json(&self, object: ObjectType, view: &View) -> Value {
        let names: Vec<&str> = if view.properties.is_empty() {
            object.default_properties().to_vec()
        } else {
            let mut names: BTreeSet<&str> = view.properties.iter().map(String::as_str).collect();
            names.extend(["hs_object_id", "createdate", object.modified_property()]);
            names.into_iter().collect()
        };
        let mut properties = Map::new();
        for name in names {
            properties.insert(
                name.to_owned(),
                self.property(object, name)
                    .map_or(Value::Null, Value::String),
            );
        }
        let mut out = json!({
            "id": self.id.to_string(),
            "properties": properties,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "archived": self.archived_at.is_some(),
        });
        if let Some(at) = self.archived_at {
            out["archivedAt"] = json!(iso(at));
        }
        if !view.with_history.is_empty() {
            let mut history = Map::new();
            for name in &view.with_history {
                let versions: Vec<Value> = self
                    .properties
                    .get(name)
                    .map(|vs| {
                        vs.iter()
                            .rev()
                            .map(|v| json!({"value": v.value, "timestamp": iso(v.timestamp), "sourceType": v.source}))
                            .collect()
                    })
                    .unwrap_or_default();
                history.insert(name.clone(), Value::Array(versions));
            }
            out["propertiesWithHistory"] = Value::Object(history);
        }
        if view.associations && !self.associations.is_empty() {
            let other = object.other();
            let kind = match object {
                ObjectType::Contacts => "contact_to_company",
                ObjectType::Companies => "company_to_contact",
            };
            let results: Vec<Value> = self
                .associations
                .iter()
                .map(|id| json!({"id": id.to_string(), "type": kind}))
                .collect();
            out["associations"] = json!({ other.plural(): { "results": results } });
        }
        out
    }
}

/// Which parts of a record a request asked for.
#[derive(Debug, Default, Clone)]
pub struct View {
    pub properties: Vec<String>,
    pub with_history: Vec<String>,
    pub associations: bool,
}

/// All records of one type, by id.
#[derive(Debug, Default)]
pub struct ObjectSet {
    pub records: BTreeMap<u64, CrmObject>,
    pub next_id: u64,
    /// (when, id) of every write made through the API, in order: what an integration follows.
    pub changes: Vec<(i64, u64)>,
}

impl ObjectSet {
    /// Follows merges: a merged id resolves to the record that absorbed it.
    pub fn resolve(&self, id: u64) -> Option<&CrmObject> {
        let mut record = self.records.get(&id)?;
        for _ in 0..64 {
            match record.merged_into {
                Some(next) => record = self.records.get(&next)?,
                None => return Some(record),
            }
        }
        None
    }

    pub fn live(&self) -> impl Iterator<Item = &CrmObject> {
        self.records
            .values()
            .filter(|r| r.archived_at.is_none() && r.merged_into.is_none())
    }

    pub fn insert_new(
        &mut self,
        properties: &Map<String, Value>,
        at: i64,
        source: &'static str,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut record = CrmObject {
            id,
            properties: BTreeMap::new(),
            created_at: at,
            updated_at: at,
            archived_at: None,
            merged_into: None,
            merged_ids: Vec::new(),
            associations: BTreeSet::new(),
        };
        for (name, value) in properties {
            record.set(name, value_text(value), at, source);
        }
        self.records.insert(id, record);
        id
    }
}

/// A property value as text, the way HubSpot stores every value.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
