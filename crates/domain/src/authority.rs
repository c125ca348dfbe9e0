//! The field-authority registry: per canonical field which system is authoritative and how
//! conflicts resolve, how each system's fields map onto canonical ones, each system's status
//! values on one canonical status model, and segments defined once in canonical terms.
//!
//! One document (`RuleSet`) holds all of it, so a change is one reviewable diff: it is
//! versioned as a whole, exported and imported as TOML, and every change's lines
//! (`RuleSet::diff`) go into the audit log with who and why.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::field::{CanonicalField, FieldCategory, FieldKey, ObjectType};
use crate::system::string_enum;

/// The name an authority rule uses for whichever system is the hub.
pub const HUB: &str = "hub";

string_enum! {
    /// How a disagreement between copies of a field resolves.
    ConflictPolicy ("conflict policy") {
        AuthorityWins => "authority_wins",
        LastTouch => "last_touch",
        EarliestTouch => "earliest_touch",
        Manual => "manual",
    }
}

impl ConflictPolicy {
    /// The default for a category: behavioural data follows the latest touch, attribution
    /// the first, identity and status the authority (the hub unless said otherwise).
    pub fn default_for(category: FieldCategory) -> Self {
        match category {
            FieldCategory::Behavioural => Self::LastTouch,
            FieldCategory::Attribution => Self::EarliestTouch,
            FieldCategory::Identity | FieldCategory::Status | FieldCategory::Custom => {
                Self::AuthorityWins
            }
        }
    }
}

/// Who owns one canonical field and how conflicts on it resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorityRule {
    pub object: ObjectType,
    pub field: FieldKey,
    /// A system's name, or `hub`.
    pub system: String,
    pub policy: ConflictPolicy,
    pub category: FieldCategory,
}

/// Which of one system's fields carry which canonical fields (user-confirmed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemMapping {
    pub system: String,
    pub object: ObjectType,
    /// The system's own field name → canonical field.
    pub fields: BTreeMap<String, FieldKey>,
}

/// A canonical status field's values, and each system's values mapped onto them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusModel {
    pub object: ObjectType,
    pub field: FieldKey,
    pub values: Vec<String>,
    /// System name → (its value → canonical value). The hub's own values need no map when
    /// they are the canonical ones.
    #[serde(default)]
    pub systems: BTreeMap<String, BTreeMap<String, String>>,
}

impl StatusModel {
    /// The canonical value of `raw` as `system` writes it: its map first, else a value that
    /// is already canonical (ignoring case). `None` when unmapped.
    pub fn canonical<'a>(&'a self, system: &str, raw: &str) -> Option<&'a str> {
        let raw = raw.trim();
        if let Some(map) = self.systems.get(system)
            && let Some((_, to)) = map.iter().find(|(from, _)| from.trim() == raw)
        {
            return self.values.iter().find(|v| *v == to).map(String::as_str);
        }
        self.values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(raw))
            .map(String::as_str)
    }
}

/// A set of records defined once in canonical terms ("active accounts"), counted in every
/// system that carries its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    pub object: ObjectType,
    /// Canonical field → the canonical values that put a record in the segment. Live
    /// (not archived) records only.
    #[serde(rename = "where")]
    pub conditions: BTreeMap<FieldKey, Vec<String>>,
}

/// The whole registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    #[serde(default)]
    pub authority: Vec<AuthorityRule>,
    #[serde(default)]
    pub mapping: Vec<SystemMapping>,
    #[serde(default)]
    pub status: Vec<StatusModel>,
    #[serde(default)]
    pub segment: Vec<Segment>,
    /// Change sources (as the hub records them, e.g. HubSpot's `INTEGRATION`) that are
    /// another system writing rather than a person: such a write over an authority-owned
    /// field is a conflicting write.
    #[serde(default = "default_integration_sources")]
    pub integration_sources: Vec<String>,
}

fn default_integration_sources() -> Vec<String> {
    vec!["INTEGRATION".to_owned()]
}

/// What a rule set is checked against.
pub struct RuleContext<'a> {
    pub catalog: &'a [CanonicalField],
    /// Registered systems' names.
    pub systems: &'a [String],
}

impl RuleSet {
    /// One rule per canonical field: the hub owns it, with its category's default policy.
    pub fn defaults(catalog: &[CanonicalField]) -> Self {
        Self {
            authority: catalog
                .iter()
                .map(|f| AuthorityRule {
                    object: f.object,
                    field: f.key.clone(),
                    system: HUB.to_owned(),
                    policy: ConflictPolicy::default_for(f.category),
                    category: f.category,
                })
                .collect(),
            integration_sources: default_integration_sources(),
            ..Self::default()
        }
    }

    pub fn rule(&self, object: ObjectType, field: &FieldKey) -> Option<&AuthorityRule> {
        self.authority
            .iter()
            .find(|r| r.object == object && &r.field == field)
    }

    pub fn status_model(&self, object: ObjectType, field: &FieldKey) -> Option<&StatusModel> {
        self.status
            .iter()
            .find(|s| s.object == object && &s.field == field)
    }

    /// The canonical fields `system` carries for `object`: system field → canonical field.
    pub fn mapping_of(&self, system: &str, object: ObjectType) -> Option<&SystemMapping> {
        self.mapping
            .iter()
            .find(|m| m.object == object && m.system.eq_ignore_ascii_case(system))
    }

    /// Every problem with the set, each naming where it is. Empty when it can be used.
    pub fn problems(&self, cx: &RuleContext<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let known_system = |name: &str| cx.systems.iter().any(|s| s.eq_ignore_ascii_case(name));
        let known_field = |object: ObjectType, key: &FieldKey| {
            cx.catalog
                .iter()
                .any(|f| f.object == object && &f.key == key)
        };
        let mut seen = BTreeSet::new();
        for (i, rule) in self.authority.iter().enumerate() {
            let at = format!("authority #{} ({}.{})", i + 1, rule.object, rule.field);
            if !known_field(rule.object, &rule.field) {
                out.push(format!(
                    "{at}: no canonical field {}.{}",
                    rule.object, rule.field
                ));
            }
            if !seen.insert((rule.object, rule.field.clone())) {
                out.push(format!("{at}: the field has a rule already"));
            }
            if rule.system != HUB && !known_system(&rule.system) {
                out.push(format!(
                    "{at}: no system named \"{}\" (use \"hub\" or a registered system's name)",
                    rule.system
                ));
            }
        }
        let mut mapped = BTreeSet::new();
        for (i, m) in self.mapping.iter().enumerate() {
            let at = format!("mapping #{} ({} {})", i + 1, m.system, m.object);
            if !known_system(&m.system) {
                out.push(format!("{at}: no system named \"{}\"", m.system));
            }
            if !mapped.insert((m.system.to_lowercase(), m.object)) {
                out.push(format!(
                    "{at}: the system's {} fields are mapped twice",
                    m.object
                ));
            }
            let mut targets = BTreeSet::new();
            for (name, key) in &m.fields {
                if !known_field(m.object, key) {
                    out.push(format!(
                        "{at}: field \"{name}\" maps to unknown {}.{key}",
                        m.object
                    ));
                }
                if !targets.insert(key) {
                    out.push(format!("{at}: two fields map to {}.{key}", m.object));
                }
            }
        }
        for (i, s) in self.status.iter().enumerate() {
            let at = format!("status #{} ({}.{})", i + 1, s.object, s.field);
            if !known_field(s.object, &s.field) {
                out.push(format!("{at}: no canonical field {}.{}", s.object, s.field));
            }
            if s.values.is_empty() {
                out.push(format!("{at}: no canonical values"));
            }
            for (system, map) in &s.systems {
                if !known_system(system) {
                    out.push(format!("{at}: no system named \"{system}\""));
                }
                for (from, to) in map {
                    if !s.values.contains(to) {
                        out.push(format!(
                            "{at}: {system}'s \"{from}\" maps to \"{to}\", which is not one of the canonical values"
                        ));
                    }
                }
            }
        }
        let mut names = BTreeSet::new();
        for (i, seg) in self.segment.iter().enumerate() {
            let at = format!("segment #{} (\"{}\")", i + 1, seg.name);
            if seg.name.trim().is_empty() {
                out.push(format!("{at}: the segment needs a name"));
            }
            if !names.insert(seg.name.to_lowercase()) {
                out.push(format!("{at}: another segment has this name"));
            }
            if seg.conditions.is_empty() {
                out.push(format!("{at}: a segment needs at least one condition"));
            }
            for (key, values) in &seg.conditions {
                if !known_field(seg.object, key) {
                    out.push(format!("{at}: no canonical field {}.{key}", seg.object));
                }
                if values.is_empty() {
                    out.push(format!("{at}: {key} lists no values"));
                }
                if let Some(model) = self.status_model(seg.object, key) {
                    for v in values.iter().filter(|v| !model.values.contains(v)) {
                        out.push(format!(
                            "{at}: \"{v}\" is not a canonical value of {}.{key}",
                            seg.object
                        ));
                    }
                }
            }
        }
        out
    }

    /// What changed from `before` to `self`, one line per change, for the audit log and the
    /// review screen. Rules hold no customer values, so the lines may quote them.
    pub fn diff(&self, before: &RuleSet) -> Vec<String> {
        let mut out = Vec::new();
        let rules = |set: &RuleSet| -> BTreeMap<(ObjectType, FieldKey), AuthorityRule> {
            set.authority
                .iter()
                .map(|r| ((r.object, r.field.clone()), r.clone()))
                .collect()
        };
        let (old, new) = (rules(before), rules(self));
        for (key, rule) in &new {
            let name = format!("{}.{}", key.0, key.1);
            match old.get(key) {
                None => out.push(format!(
                    "authority {name}: added ({}, {}, {})",
                    rule.system, rule.policy, rule.category
                )),
                Some(prev) if prev != rule => {
                    if prev.system != rule.system {
                        out.push(format!(
                            "authority {name}: system {} → {}",
                            prev.system, rule.system
                        ));
                    }
                    if prev.policy != rule.policy {
                        out.push(format!(
                            "authority {name}: policy {} → {}",
                            prev.policy, rule.policy
                        ));
                    }
                    if prev.category != rule.category {
                        out.push(format!(
                            "authority {name}: category {} → {}",
                            prev.category, rule.category
                        ));
                    }
                }
                Some(_) => {}
            }
        }
        for key in old.keys().filter(|k| !new.contains_key(*k)) {
            out.push(format!("authority {}.{}: removed", key.0, key.1));
        }
        let maps = |set: &RuleSet| -> BTreeMap<(String, ObjectType, String), FieldKey> {
            set.mapping
                .iter()
                .flat_map(|m| {
                    m.fields
                        .iter()
                        .map(|(f, k)| ((m.system.clone(), m.object, f.clone()), k.clone()))
                })
                .collect()
        };
        let (old, new) = (maps(before), maps(self));
        for (key, to) in &new {
            match old.get(key) {
                None => out.push(format!("mapping {} {} \"{}\" → {to}", key.0, key.1, key.2)),
                Some(prev) if prev != to => out.push(format!(
                    "mapping {} {} \"{}\": {prev} → {to}",
                    key.0, key.1, key.2
                )),
                Some(_) => {}
            }
        }
        for key in old.keys().filter(|k| !new.contains_key(*k)) {
            out.push(format!(
                "mapping {} {} \"{}\": removed",
                key.0, key.1, key.2
            ));
        }
        let statuses = |set: &RuleSet| -> BTreeMap<(ObjectType, FieldKey), StatusModel> {
            set.status
                .iter()
                .map(|s| ((s.object, s.field.clone()), s.clone()))
                .collect()
        };
        let (old, new) = (statuses(before), statuses(self));
        for (key, model) in &new {
            let name = format!("{}.{}", key.0, key.1);
            let Some(prev) = old.get(key) else {
                out.push(format!(
                    "status {name}: added ({})",
                    model.values.join(", ")
                ));
                continue;
            };
            if prev.values != model.values {
                out.push(format!(
                    "status {name}: values {} → {}",
                    prev.values.join(", "),
                    model.values.join(", ")
                ));
            }
            let empty = BTreeMap::new();
            let systems: BTreeSet<&String> =
                prev.systems.keys().chain(model.systems.keys()).collect();
            for system in systems {
                let (a, b) = (
                    prev.systems.get(system).unwrap_or(&empty),
                    model.systems.get(system).unwrap_or(&empty),
                );
                let values: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for v in values {
                    match (a.get(v), b.get(v)) {
                        (None, Some(to)) => {
                            out.push(format!("status {name}: {system} \"{v}\" → \"{to}\""));
                        }
                        (Some(from), None) => {
                            out.push(format!(
                                "status {name}: {system} \"{v}\" (was \"{from}\") unmapped"
                            ));
                        }
                        (Some(from), Some(to)) if from != to => out.push(format!(
                            "status {name}: {system} \"{v}\": \"{from}\" → \"{to}\""
                        )),
                        _ => {}
                    }
                }
            }
        }
        for key in old.keys().filter(|k| !new.contains_key(*k)) {
            out.push(format!("status {}.{}: removed", key.0, key.1));
        }
        let segments = |set: &RuleSet| -> BTreeMap<String, Segment> {
            set.segment
                .iter()
                .map(|s| (s.name.clone(), s.clone()))
                .collect()
        };
        let (old, new) = (segments(before), segments(self));
        for (name, seg) in &new {
            match old.get(name) {
                None => out.push(format!("segment \"{name}\": added")),
                Some(prev) if prev != seg => out.push(format!("segment \"{name}\": changed")),
                Some(_) => {}
            }
        }
        for name in old.keys().filter(|k| !new.contains_key(*k)) {
            out.push(format!("segment \"{name}\": removed"));
        }
        if before.integration_sources != self.integration_sources {
            out.push(format!(
                "integration sources: {} → {}",
                before.integration_sources.join(", "),
                self.integration_sources.join(", ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::builtin_catalog;

    fn key(k: &str) -> FieldKey {
        FieldKey::parse(k).unwrap()
    }

    fn cx<'a>(catalog: &'a [CanonicalField], systems: &'a [String]) -> RuleContext<'a> {
        RuleContext { catalog, systems }
    }

    #[test]
    fn defaults_follow_the_category() {
        let catalog = builtin_catalog();
        let set = RuleSet::defaults(&catalog);
        assert_eq!(set.authority.len(), catalog.len());
        let policy = |o, k: &str| set.rule(o, &key(k)).unwrap().policy;
        assert_eq!(
            policy(ObjectType::Person, "email"),
            ConflictPolicy::AuthorityWins
        );
        assert_eq!(
            policy(ObjectType::Person, "lead_status"),
            ConflictPolicy::AuthorityWins
        );
        assert_eq!(
            policy(ObjectType::Person, "last_activity_at"),
            ConflictPolicy::LastTouch
        );
        assert_eq!(
            policy(ObjectType::Person, "original_source"),
            ConflictPolicy::EarliestTouch
        );
        assert!(set.authority.iter().all(|r| r.system == HUB));
        assert!(set.problems(&cx(&catalog, &[])).is_empty());
    }

    #[test]
    fn problems_name_where_and_why() {
        let catalog = builtin_catalog();
        let systems = vec!["CRM".to_owned(), "MAP".to_owned()];
        let mut set = RuleSet::defaults(&catalog);
        set.authority[0].system = "Nowhere".into();
        set.mapping.push(SystemMapping {
            system: "MAP".into(),
            object: ObjectType::Person,
            fields: BTreeMap::from([
                ("email".into(), key("email")),
                ("mail2".into(), key("email")),
                ("x".into(), key("no_such_field")),
            ]),
        });
        set.status.push(StatusModel {
            object: ObjectType::Person,
            field: key("lead_status"),
            values: vec!["NEW".into()],
            systems: BTreeMap::from([(
                "MAP".into(),
                BTreeMap::from([("Open".into(), "OPEN".into())]),
            )]),
        });
        let problems = set.problems(&cx(&catalog, &systems)).join("\n");
        assert!(
            problems.contains("no system named \"Nowhere\""),
            "{problems}"
        );
        assert!(
            problems.contains("two fields map to person.email"),
            "{problems}"
        );
        assert!(
            problems.contains("unknown person.no_such_field"),
            "{problems}"
        );
        assert!(problems.contains("\"Open\" maps to \"OPEN\""), "{problems}");
    }

    #[test]
    fn policies_serialise_as_they_are_written() {
        for policy in ConflictPolicy::ALL {
            assert_eq!(serde_json::to_value(policy).unwrap(), policy.as_str());
            assert_eq!(policy.as_str().parse::<ConflictPolicy>().unwrap(), *policy);
        }
    }

    #[test]
    fn status_values_resolve_through_the_map_or_as_canonical() {
        let model = StatusModel {
            object: ObjectType::Company,
            field: key("account_status"),
            values: vec!["active".into(), "churned".into()],
            systems: BTreeMap::from([(
                "portal".into(),
                BTreeMap::from([("closed".into(), "churned".into())]),
            )]),
        };
        assert_eq!(model.canonical("portal", "closed"), Some("churned"));
        assert_eq!(model.canonical("portal", " Active "), Some("active"));
        assert_eq!(model.canonical("CRM", "churned"), Some("churned"));
        assert_eq!(model.canonical("portal", "suspended"), None);
    }

    #[test]
    fn a_diff_says_each_change_once() {
        let catalog = builtin_catalog();
        let before = RuleSet::defaults(&catalog);
        let mut after = before.clone();
        assert!(after.diff(&before).is_empty());
        let rule = after
            .authority
            .iter_mut()
            .find(|r| r.field.as_str() == "job_title")
            .unwrap();
        rule.system = "MAP".into();
        after.mapping.push(SystemMapping {
            system: "MAP".into(),
            object: ObjectType::Person,
            fields: BTreeMap::from([("title".into(), key("job_title"))]),
        });
        let lines = after.diff(&before);
        assert_eq!(
            lines,
            vec![
                "authority person.job_title: system hub → MAP".to_owned(),
                "mapping MAP person \"title\" → job_title".to_owned(),
            ]
        );
        assert_eq!(before.diff(&after).len(), 2);
    }
}
