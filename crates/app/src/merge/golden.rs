//! The golden record of a merge proposal: per canonical field the hub maps, the value the
//! survivor keeps, which system and record it comes from, and the rule that chose it.
//! Computed from the cache for the preview and from the live pre-merge backup when merging,
//! with the same code, so what was approved is what is written.

use std::collections::BTreeMap;

use serde::Serialize;
use steward_domain::{
    Candidate, CanonicalField, ConflictPolicy, FieldKey, FieldValue, ObjectType, RuleSet,
    ValueKind, choose_value,
};
use ts_rs::TS;

/// One record of the proposal as the golden record reads it.
#[derive(Debug, Clone)]
pub struct GoldenMember {
    pub system: String,
    pub is_hub: bool,
    pub is_survivor: bool,
    pub external_id: String,
    /// The system's own field names.
    pub fields: BTreeMap<String, FieldValue>,
}

/// A reviewer's value for a field.
#[derive(Debug, Clone)]
pub struct Override {
    pub value: Option<String>,
    pub reason: String,
    pub actor: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GoldenCandidate {
    pub system: String,
    pub external_id: String,
    pub value: String,
    pub at: Option<String>,
    pub chosen: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GoldenField {
    pub key: String,
    pub label: String,
    pub category: String,
    pub policy: String,
    /// `hub` or a system's name.
    pub authority: String,
    /// The hub's property the value goes into.
    pub hub_field: String,
    /// The surviving value as the hub will hold it (`None`: empty).
    pub value: Option<String>,
    /// Where it comes from.
    pub source_system: Option<String>,
    pub source_record: Option<String>,
    /// authority, last_touch, earliest_touch, survivor, only_value, override
    pub rule: String,
    /// A person should decide (a manual policy, or copies disagree and the authority has
    /// no value).
    pub needs_review: bool,
    /// Written into the survivor after the merge (it differs from what the survivor holds).
    pub written: bool,
    /// Why a chosen value is not written, when it is not.
    pub note: Option<String>,
    pub override_reason: Option<String>,
    pub override_by: Option<String>,
    pub candidates: Vec<GoldenCandidate>,
}

/// What the golden record needs besides the members.
pub struct GoldenContext<'a> {
    pub rules: &'a RuleSet,
    pub catalog: &'a [CanonicalField],
    pub object: ObjectType,
    pub hub_name: &'a str,
    /// Hub properties the CRM computes (never written).
    pub hub_read_only: &'a [String],
    /// Hub property → the words it accepts (an enumeration's options), when known.
    pub hub_words: &'a BTreeMap<String, Vec<String>>,
}

/// The field of `system` that maps onto `key`.
fn field_of<'a>(
    rules: &'a RuleSet,
    system: &str,
    object: ObjectType,
    key: &FieldKey,
) -> Option<&'a str> {
    rules
        .mapping_of(system, object)?
        .fields
        .iter()
        .find(|(_, k)| *k == key)
        .map(|(name, _)| name.as_str())
}

/// A spoke's status word in the hub's word, through the status model (`None`: no single
/// hub word).
fn hub_word(
    cx: &GoldenContext<'_>,
    key: &FieldKey,
    hub_field: &str,
    system: &str,
    raw: &str,
) -> Option<String> {
    let model = cx.rules.status_model(cx.object, key)?;
    let canonical = model.canonical(system, raw)?;
    let mut words: Vec<&String> = model
        .systems
        .get(cx.hub_name)
        .into_iter()
        .flatten()
        .filter(|(_, to)| to.as_str() == canonical)
        .map(|(from, _)| from)
        .collect();
    if words.is_empty() {
        // The hub's own values are the canonical ones.
        let options = cx.hub_words.get(hub_field);
        if options.is_none_or(|o| o.iter().any(|w| w == canonical)) {
            return Some(canonical.to_owned());
        }
        return options?
            .iter()
            .find(|w| w.eq_ignore_ascii_case(canonical))
            .cloned();
    }
    words.dedup();
    match words.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// When a value was first set: the oldest of the newest versions that hold it unbroken
/// (earlier versions are newest first).
fn first_set(value: &FieldValue) -> Option<i64> {
    let mut at = value.modified_at;
    for earlier in &value.earlier {
        if earlier.value.trim() != value.value.trim() {
            break;
        }
        at = earlier.modified_at.or(at);
    }
    at.map(|t| t.millis())
}

/// The golden record: one row per canonical field the hub maps, in catalog order.
pub fn golden_record(
    cx: &GoldenContext<'_>,
    members: &[GoldenMember],
    overrides: &BTreeMap<String, Override>,
) -> Vec<GoldenField> {
    let survivor = members.iter().find(|m| m.is_survivor);
    let mut out = Vec::new();
    for field in cx.catalog.iter().filter(|f| f.object == cx.object) {
        let Some(hub_field) = field_of(cx.rules, cx.hub_name, cx.object, &field.key) else {
            continue;
        };
        let rule = cx.rules.rule(cx.object, &field.key);
        let policy = rule.map_or_else(|| ConflictPolicy::default_for(field.category), |r| r.policy);
        let authority = rule.map_or("hub", |r| r.system.as_str());
        // Dates and numbers are written only in the hub's own format: from hub records.
        let hub_only = matches!(field.value_kind, ValueKind::Date | ValueKind::Number);
        let mut candidates = Vec::new();
        let mut views = Vec::new();
        for m in members {
            if hub_only && !m.is_hub {
                continue;
            }
            let name = if m.is_hub {
                Some(hub_field)
            } else {
                field_of(cx.rules, &m.system, cx.object, &field.key)
            };
            let Some(value) = name.and_then(|n| m.fields.get(n)) else {
                continue;
            };
            if value.value.trim().is_empty() {
                continue;
            }
            // First touch: when the value was first set, not last re-set.
            let at = if policy == ConflictPolicy::EarliestTouch {
                first_set(value)
            } else {
                value.modified_at.map(|t| t.millis())
            };
            candidates.push(Candidate {
                system: m.system.clone(),
                is_hub: m.is_hub,
                is_survivor: m.is_survivor,
                value: value.value.clone(),
                at,
            });
            views.push(GoldenCandidate {
                system: m.system.clone(),
                external_id: m.external_id.clone(),
                value: value.value.clone(),
                at: value.modified_at.map(|t| t.to_rfc3339()),
                chosen: false,
            });
        }
        let current = survivor
            .and_then(|s| s.fields.get(hub_field))
            .map(|v| v.value.clone())
            .filter(|v| !v.trim().is_empty());
        let read_only = cx.hub_read_only.iter().any(|f| f == hub_field);
        let mut row = GoldenField {
            key: field.key.as_str().to_owned(),
            label: field.label.clone(),
            category: rule.map_or(field.category, |r| r.category).to_string(),
            policy: policy.to_string(),
            authority: authority.to_owned(),
            hub_field: hub_field.to_owned(),
            value: None,
            source_system: None,
            source_record: None,
            rule: String::new(),
            needs_review: false,
            written: false,
            note: None,
            override_reason: None,
            override_by: None,
            candidates: Vec::new(),
        };
        if let Some(o) = overrides.get(field.key.as_str()) {
            row.value = o.value.clone().filter(|v| !v.trim().is_empty());
            row.rule = "override".into();
            row.override_reason = Some(o.reason.clone());
            row.override_by = Some(o.actor.clone());
        } else if let Some(choice) = choose_value(policy, authority, &candidates) {
            let view = &mut views[choice.index];
            view.chosen = true;
            row.source_system = Some(view.system.clone());
            row.source_record = Some(view.external_id.clone());
            row.rule = choice.rule;
            row.needs_review = choice.needs_review;
            let chosen = &candidates[choice.index];
            row.value = if chosen.is_hub || cx.rules.status_model(cx.object, &field.key).is_none() {
                Some(chosen.value.clone())
            } else {
                let word = hub_word(cx, &field.key, hub_field, &chosen.system, &chosen.value);
                if word.is_none() {
                    row.note = Some(format!(
                        "{}'s status \"{}\" has no single word in the hub: map it in the status \
                         model, or set the value here",
                        chosen.system, chosen.value
                    ));
                    row.needs_review = true;
                }
                word.or_else(|| current.clone())
            };
        } else {
            row.rule = "only_value".into();
        }
        row.candidates = views;
        if row.value != current {
            if read_only {
                row.note =
                    Some("HubSpot computes this property: the survivor keeps its own".into());
                row.value.clone_from(&current);
            } else if row.value.is_none() {
                // An empty choice never blanks a value the survivor holds.
                row.value.clone_from(&current);
            } else {
                row.written = true;
            }
        }
        out.push(row);
    }
    out
}

/// The values to write into the survivor after the merge: every surviving value of a
/// property the CRM lets Steward write (hub property → value). All of them, not only those
/// that differ from the survivor's before the merge: the CRM's own merge may change some.
pub fn writes(golden: &[GoldenField], read_only: &[String]) -> BTreeMap<String, String> {
    golden
        .iter()
        .filter(|g| !read_only.contains(&g.hub_field))
        .filter_map(|g| Some((g.hub_field.clone(), g.value.clone()?)))
        .collect()
}

/// A digest of what a golden record decides (field, value, source, rule): what was approved
/// is compared with what would run. SHA-256, so the proposal keeps no values.
pub fn golden_digest(golden: &[GoldenField]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for g in golden {
        for part in [
            g.key.as_str(),
            g.value.as_deref().unwrap_or(""),
            g.source_system.as_deref().unwrap_or(""),
            g.source_record.as_deref().unwrap_or(""),
            g.rule.as_str(),
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_domain::{SystemMapping, Timestamp, builtin_catalog};

    fn member(
        system: &str,
        hub: bool,
        survivor: bool,
        id: &str,
        fields: &[(&str, &str, i64)],
    ) -> GoldenMember {
        GoldenMember {
            system: system.into(),
            is_hub: hub,
            is_survivor: survivor,
            external_id: id.into(),
            fields: fields
                .iter()
                .map(|(k, v, at)| {
                    (
                        (*k).to_owned(),
                        FieldValue::new(*v, Some(Timestamp::from_millis(*at))),
                    )
                })
                .collect(),
        }
    }

    fn rules() -> RuleSet {
        let mut set = RuleSet::defaults(&builtin_catalog());
        let map = |system: &str, pairs: &[(&str, &str)]| SystemMapping {
            system: system.into(),
            object: ObjectType::Person,
            fields: pairs
                .iter()
                .map(|(f, k)| ((*f).to_owned(), FieldKey::parse(k).unwrap()))
                .collect(),
        };
        set.mapping.push(map(
            "CRM",
            &[
                ("firstname", "first_name"),
                ("jobtitle", "job_title"),
                ("hs_analytics_source", "original_source"),
                ("notes_last_updated", "last_activity_at"),
                ("createdate", "created_at"),
            ],
        ));
        set.mapping.push(map(
            "MAP",
            &[
                ("firstName", "first_name"),
                ("title", "job_title"),
                ("lastActivity", "last_activity_at"),
            ],
        ));
        set
    }

    #[test]
    fn the_hub_owns_identity_first_touch_wins_attribution_and_dates_stay_in_hub_format() {
        let catalog = builtin_catalog();
        let set = rules();
        let words = BTreeMap::new();
        let read_only = vec!["createdate".to_owned()];
        let cx = GoldenContext {
            rules: &set,
            catalog: &catalog,
            object: ObjectType::Person,
            hub_name: "CRM",
            hub_read_only: &read_only,
            hub_words: &words,
        };
        let members = [
            member(
                "CRM",
                true,
                true,
                "1",
                &[("firstname", "Ann", 5), ("createdate", "2020", 1)],
            ),
            member(
                "CRM",
                true,
                false,
                "2",
                &[
                    ("firstname", "Anne", 9),
                    ("jobtitle", "CTO", 9),
                    ("hs_analytics_source", "ADS", 2),
                    ("createdate", "2021", 2),
                    ("notes_last_updated", "2024-05-01", 9),
                ],
            ),
            member(
                "MAP",
                false,
                false,
                "77",
                &[
                    ("firstName", "Annie", 20),
                    ("lastActivity", "2025-01-01", 20),
                ],
            ),
        ];
        let golden = golden_record(&cx, &members, &BTreeMap::new());
        let row = |k: &str| golden.iter().find(|g| g.key == k).unwrap();
        let first = row("first_name");
        assert_eq!(
            (first.value.as_deref(), first.rule.as_str(), first.written),
            (Some("Ann"), "authority", false)
        );
        let title = row("job_title");
        assert_eq!(
            (
                title.value.as_deref(),
                title.source_record.as_deref(),
                title.written
            ),
            (Some("CTO"), Some("2"), true)
        );
        assert_eq!(row("original_source").value.as_deref(), Some("ADS"));
        // The MAP's newer activity date is in its own format: the hub's newest one wins.
        let activity = row("last_activity_at");
        assert_eq!(
            (activity.value.as_deref(), activity.rule.as_str()),
            (Some("2024-05-01"), "only_value")
        );
        // Earliest touch keeps the survivor's creation date: nothing to write.
        let created = row("created_at");
        assert!(!created.written, "{created:?}");
        // Every writable surviving value is written (the CRM's merge may change any).
        let all = writes(&golden, &read_only);
        assert_eq!(all.len(), 4, "{all:?}");
        assert!(!all.contains_key("createdate"));
        let digest = golden_digest(&golden);
        // An override wins and says who and why.
        let mut o = BTreeMap::new();
        o.insert(
            "first_name".to_owned(),
            Override {
                value: Some("Anna".into()),
                reason: "she asked".into(),
                actor: "ops".into(),
            },
        );
        let golden = golden_record(&cx, &members, &o);
        let first = golden.iter().find(|g| g.key == "first_name").unwrap();
        assert_eq!(
            (first.value.as_deref(), first.rule.as_str(), first.written),
            (Some("Anna"), "override", true)
        );
        assert_ne!(
            golden_digest(&golden),
            digest,
            "an override changes what is approved"
        );
        assert_eq!(
            golden_digest(&golden_record(&cx, &members, &o)),
            golden_digest(&golden),
            "the same inputs, the same digest"
        );
    }
}
