//! The Rules screen and `steward rules`: the field-authority registry, the field mapping
//! (suggested from names and values, confirmed by a person), the status model and segments.
//! Every change is a new version of one rule set, audited with who, why and each changed line;
//! the set exports and imports as TOML so it can be reviewed like code.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use steward_domain::{
    AuditEvent, AuthorityRule, CanonicalField, ConflictPolicy, FieldCategory, FieldKey, HUB,
    ObjectType, Role, RuleContext, RuleSet, Segment, StatusModel, SystemMapping, ValueKind,
};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::workspace::Steward;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuthorityRuleView {
    pub object: String,
    pub field: String,
    pub label: String,
    pub category: String,
    pub value_kind: String,
    /// `hub` or a system's name.
    pub system: String,
    pub policy: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MappingView {
    pub system: String,
    pub object: String,
    pub system_field: String,
    /// The canonical field; empty when the field is not mapped.
    pub field: String,
    /// A suggestion for an unmapped field, with why.
    pub suggested: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusValueView {
    pub value: String,
    /// Records holding it.
    pub count: u64,
    /// The canonical value it maps to; `None` when unmapped (flagged, not compared).
    pub canonical: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusSystemView {
    pub system: String,
    pub system_field: String,
    pub values: Vec<StatusValueView>,
    pub unmapped: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusModelView {
    pub object: String,
    pub field: String,
    pub values: Vec<String>,
    pub systems: Vec<StatusSystemView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SegmentConditionView {
    pub field: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SegmentDefinitionView {
    pub name: String,
    pub object: String,
    pub conditions: Vec<SegmentConditionView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RuleVersionView {
    pub version: i64,
    pub at: String,
    pub actor: String,
    pub why: String,
    /// What this version changed from the one before.
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RulesView {
    /// `None` until a rule set is saved (the defaults are shown).
    pub version: Option<i64>,
    pub authority: Vec<AuthorityRuleView>,
    pub mapping: Vec<MappingView>,
    pub status: Vec<StatusModelView>,
    pub segments: Vec<SegmentDefinitionView>,
    pub integration_sources: Vec<String>,
    /// What makes the set unusable (a system it names was removed …).
    pub problems: Vec<String>,
    /// Newest first.
    pub history: Vec<RuleVersionView>,
    /// Registered systems' names, for the authority choice.
    pub systems: Vec<String>,
}

/// A mapping suggestion: a system field, the canonical field it likely carries and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MappingSuggestion {
    pub system: String,
    pub object: String,
    pub system_field: String,
    pub field: String,
    pub reason: String,
}

/// Field names (lowercase, letters and digits only, a leading `hs` dropped) that carry a
/// canonical field, per object.
const NAMES: &[(ObjectType, &str, &[&str])] = &[
    (
        ObjectType::Person,
        "email",
        &["email", "emailaddress", "mail", "email1"],
    ),
    (
        ObjectType::Person,
        "first_name",
        &["firstname", "first", "givenname", "forename"],
    ),
    (
        ObjectType::Person,
        "last_name",
        &["lastname", "last", "surname", "familyname"],
    ),
    (
        ObjectType::Person,
        "full_name",
        &["fullname", "contact", "contactname", "name", "person"],
    ),
    (
        ObjectType::Person,
        "phone",
        &[
            "phone",
            "phonenumber",
            "mobile",
            "mobilephone",
            "telephone",
            "tel",
        ],
    ),
    (
        ObjectType::Person,
        "company_name",
        &[
            "company",
            "companyname",
            "organisation",
            "organization",
            "accountname",
        ],
    ),
    (
        ObjectType::Person,
        "job_title",
        &["jobtitle", "title", "position"],
    ),
    (ObjectType::Person, "country", &["country"]),
    (ObjectType::Person, "city", &["city"]),
    (ObjectType::Person, "lifecycle_stage", &["lifecyclestage"]),
    (ObjectType::Person, "lead_status", &["leadstatus", "status"]),
    (
        ObjectType::Person,
        "last_activity_at",
        &[
            "lastactivitydate",
            "lastactivity",
            "lastactivityat",
            "lasttouched",
        ],
    ),
    (
        ObjectType::Person,
        "email_opt_out",
        &["emailoptout", "unsubscribed", "optout"],
    ),
    (
        ObjectType::Person,
        "original_source",
        &["originalsource", "analyticssource", "leadsource"],
    ),
    (
        ObjectType::Company,
        "name",
        &["name", "companyname", "accountname", "company"],
    ),
    (
        ObjectType::Company,
        "domain",
        &["domain", "website", "domainname"],
    ),
    (ObjectType::Company, "country", &["country"]),
    (ObjectType::Company, "industry", &["industry"]),
    (
        ObjectType::Company,
        "employee_count",
        &[
            "numberofemployees",
            "employees",
            "employeecount",
            "headcount",
        ],
    ),
    (
        ObjectType::Company,
        "account_status",
        &["accountstatus", "status"],
    ),
];

/// More distinct values than this is not a status vocabulary.
const MAX_STATUS_VALUES: usize = 50;

fn name_key(name: &str) -> String {
    let key: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    key.strip_prefix("hs")
        .filter(|k| !k.is_empty())
        .map_or(key.clone(), str::to_owned)
}

/// What the values say a field is, if they all say the same.
fn kind_by_values(samples: &[String]) -> Option<ValueKind> {
    if samples.len() < 3 {
        return None;
    }
    let share = |test: &dyn Fn(&str) -> bool| {
        samples.iter().filter(|v| test(v.trim())).count() * 10 >= samples.len() * 9
    };
    if share(&|v| v.split('@').count() == 2 && v.contains('.') && !v.contains(' ')) {
        return Some(ValueKind::Email);
    }
    if share(&|v| {
        v.chars().filter(char::is_ascii_digit).count() >= 7
            && v.chars()
                .all(|c| c.is_ascii_digit() || " +-().x/".contains(c))
    }) {
        return Some(ValueKind::Phone);
    }
    None
}

/// What a system's declared type says a field is (HubSpot `phone_number`, a MAP `email` …).
fn kind_by_type(value_type: &str) -> Option<ValueKind> {
    let t = value_type.to_ascii_lowercase();
    if t.contains("email") {
        Some(ValueKind::Email)
    } else if t.contains("phone") {
        Some(ValueKind::Phone)
    } else if t.contains("date") || t.contains("time") {
        Some(ValueKind::Date)
    } else if ["number", "integer", "float", "decimal"]
        .iter()
        .any(|n| t.contains(n))
    {
        Some(ValueKind::Number)
    } else {
        None
    }
}

fn fields_view(set: &RuleSet, catalog: &[CanonicalField]) -> Vec<AuthorityRuleView> {
    catalog
        .iter()
        .map(|f| {
            let rule = set.rule(f.object, &f.key);
            AuthorityRuleView {
                object: f.object.to_string(),
                field: f.key.to_string(),
                label: f.label.clone(),
                category: rule.map_or(f.category, |r| r.category).to_string(),
                value_kind: f.value_kind.to_string(),
                system: rule.map_or_else(|| HUB.to_owned(), |r| r.system.clone()),
                policy: rule
                    .map_or_else(|| ConflictPolicy::default_for(f.category), |r| r.policy)
                    .to_string(),
            }
        })
        .collect()
}

fn parse_object(text: &str) -> Result<ObjectType, AppError> {
    text.parse().map_err(AppError::invalid)
}

fn parse_key(text: &str) -> Result<FieldKey, AppError> {
    FieldKey::parse(text.trim()).map_err(AppError::invalid)
}

/// The rule set in force, as the background jobs read it: the newest saved version, or an
/// empty set (nothing mapped) before the first save or when a version cannot be read.
pub(crate) fn rules_in_force(workspace: &steward_store::Workspace) -> RuleSet {
    steward_store::latest_rules(workspace.conn())
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_value(v.document).ok())
        .unwrap_or_default()
}

/// Reads a TOML rule set, naming the line and the reason when it cannot.
pub fn parse_toml(text: &str) -> Result<RuleSet, AppError> {
    toml::from_str::<RuleSet>(text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                format!(
                    " at line {}",
                    text[..span.start.min(text.len())].lines().count().max(1)
                )
            })
            .unwrap_or_default();
        AppError::invalid(format!("the rules file is not valid{at}: {}", e.message()))
    })
}

pub fn to_toml(set: &RuleSet) -> Result<String, AppError> {
    toml::to_string_pretty(set).map_err(|e| {
        AppError::new(
            ErrorCode::Internal,
            format!("cannot write the rules as TOML: {e}"),
        )
    })
}

impl Steward {
    fn catalog(&self) -> Result<Vec<CanonicalField>, AppError> {
        Ok(steward_store::list_catalog(self.workspace.conn())?)
    }

    fn system_names(&self) -> Result<Vec<String>, AppError> {
        Ok(steward_store::list_systems(self.workspace.conn())?
            .into_iter()
            .map(|s| s.name.to_string())
            .collect())
    }

    /// The rule set in force and its version (defaults, version `None`, before the first save).
    pub fn rule_set(&self) -> Result<(RuleSet, Option<i64>), AppError> {
        match steward_store::latest_rules(self.workspace.conn())? {
            Some(v) => {
                let set = serde_json::from_value(v.document).map_err(|e| {
                    AppError::new(
                        ErrorCode::WorkspaceUnusable,
                        format!("rule set version {} cannot be read: {e}", v.version),
                    )
                })?;
                Ok((set, Some(v.version)))
            }
            None => Ok((RuleSet::defaults(&self.catalog()?), None)),
        }
    }

    /// Validates and stores `set` as a new version, audited with `why` and every changed
    /// line. Returns the version in force afterwards (unchanged when nothing changed).
    pub fn save_rules(&mut self, set: RuleSet, why: &str) -> Result<i64, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ChangeRules,
        )?;
        let why = why.trim();
        if why.is_empty() {
            return Err(AppError::invalid(
                "say why the rules change (--why): the audit log keeps it with the change",
            ));
        }
        let catalog = self.catalog()?;
        let systems = self.system_names()?;
        let problems = set.problems(&RuleContext {
            catalog: &catalog,
            systems: &systems,
        });
        if !problems.is_empty() {
            return Err(AppError::invalid(format!(
                "the rules cannot be used: {}",
                problems.join("; ")
            )));
        }
        let (before, version) = self.rule_set()?;
        let changes = set.diff(&before);
        if let Some(version) = version
            && changes.is_empty()
        {
            return Ok(version);
        }
        let document = serde_json::to_value(&set)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        let version = self.workspace.change(|c| {
            let version = c.save_rules(at, &actor, why, &document)?;
            let event = AuditEvent {
                at,
                actor: actor.clone(),
                action: "rules.changed".into(),
                subject: format!("rules/v{version}"),
                details: serde_json::json!({ "version": version, "why": why, "changes": changes }),
            };
            Ok::<_, AppError>((version, event))
        })?;
        tracing::info!(version, changes = changes.len(), "rules changed");
        Ok(version)
    }

    /// Sets one field's authority, policy and category.
    pub fn set_authority(
        &mut self,
        object: &str,
        field: &str,
        system: &str,
        policy: &str,
        category: Option<&str>,
        why: &str,
    ) -> Result<i64, AppError> {
        let (object, key) = (parse_object(object)?, parse_key(field)?);
        let policy: ConflictPolicy = policy.parse().map_err(AppError::invalid)?;
        let catalog = self.catalog()?;
        let Some(canonical) = catalog.iter().find(|f| f.object == object && f.key == key) else {
            return Err(AppError::invalid(format!(
                "no canonical field {object}.{key}"
            )));
        };
        let category: FieldCategory = match category {
            Some(c) => c.parse().map_err(AppError::invalid)?,
            None => canonical.category,
        };
        let (mut set, _) = self.rule_set()?;
        let system = if system.trim().eq_ignore_ascii_case(HUB) {
            HUB.to_owned()
        } else {
            system.trim().to_owned()
        };
        let rule = AuthorityRule {
            object,
            field: key.clone(),
            system,
            policy,
            category,
        };
        match set
            .authority
            .iter_mut()
            .find(|r| r.object == object && r.field == key)
        {
            Some(existing) => *existing = rule,
            None => set.authority.push(rule),
        }
        self.save_rules(set, why)
    }

    /// Maps (or, with `field` = `None`, unmaps) one system field.
    pub fn map_field(
        &mut self,
        system: &str,
        object: &str,
        system_field: &str,
        field: Option<&str>,
        why: &str,
    ) -> Result<i64, AppError> {
        let object = parse_object(object)?;
        let system = self.canonical_system_name(system)?;
        let (mut set, _) = self.rule_set()?;
        let mapping = match set
            .mapping
            .iter()
            .position(|m| m.object == object && m.system.eq_ignore_ascii_case(&system))
        {
            Some(i) => &mut set.mapping[i],
            None => {
                set.mapping.push(SystemMapping {
                    system: system.clone(),
                    object,
                    fields: BTreeMap::new(),
                });
                let last = set.mapping.len() - 1;
                &mut set.mapping[last]
            }
        };
        match field {
            Some(f) => {
                let key = parse_key(f)?;
                // One system field per canonical field: a new choice replaces the old one.
                mapping.fields.retain(|_, k| *k != key);
                mapping.fields.insert(system_field.to_owned(), key);
            }
            None => {
                mapping.fields.remove(system_field);
            }
        }
        set.mapping.retain(|m| !m.fields.is_empty());
        self.save_rules(set, why)
    }

    /// Maps (or unmaps) one status value of a system onto a canonical value.
    pub fn map_status(
        &mut self,
        object: &str,
        field: &str,
        system: &str,
        value: &str,
        canonical: Option<&str>,
        why: &str,
    ) -> Result<i64, AppError> {
        let (object, key) = (parse_object(object)?, parse_key(field)?);
        let system = self.canonical_system_name(system)?;
        let (mut set, _) = self.rule_set()?;
        let Some(model) = set
            .status
            .iter_mut()
            .find(|s| s.object == object && s.field == key)
        else {
            return Err(AppError::invalid(format!(
                "{object}.{key} has no status model: accept the suggestions first"
            )));
        };
        let map = model.systems.entry(system).or_default();
        match canonical {
            Some(to) => {
                map.insert(value.trim().to_owned(), to.trim().to_owned());
            }
            None => {
                map.remove(value.trim());
            }
        }
        model.systems.retain(|_, m| !m.is_empty());
        self.save_rules(set, why)
    }

    fn canonical_system_name(&self, name: &str) -> Result<String, AppError> {
        self.system_names()?
            .into_iter()
            .find(|s| s.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("no system named \"{}\"", name.trim()),
                )
            })
    }

    /// Suggests a canonical field for each unmapped field of every system, from its name and
    /// its values.
    pub fn suggest_mappings(&self) -> Result<Vec<MappingSuggestion>, AppError> {
        let conn = self.workspace.conn();
        let (set, _) = self.rule_set()?;
        let catalog = self.catalog()?;
        let crosswalks = steward_store::crosswalks(conn)?;
        let mut out = Vec::new();
        for system in steward_store::list_systems(conn)? {
            let fields = steward_store::system_fields(conn, system.id)?;
            for object in [ObjectType::Person, ObjectType::Company] {
                let mapping = set.mapping_of(system.name.as_str(), object);
                let mut taken: BTreeSet<FieldKey> = mapping
                    .map(|m| m.fields.values().cloned().collect())
                    .unwrap_or_default();
                let samples = steward_store::field_samples(conn, system.id, object, 200)?;
                // Recorded fields first (what a system describes), then ones only seen in records.
                let mut names: Vec<String> = fields
                    .iter()
                    .filter(|f| f.object == object)
                    .map(|f| f.name.clone())
                    .collect();
                let mut seen: Vec<&String> = samples.keys().collect();
                seen.sort();
                for name in seen {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
                let mut proposals: Vec<(usize, String, FieldKey, String)> = Vec::new();
                for name in &names {
                    if mapping.is_some_and(|m| m.fields.contains_key(name))
                        || crosswalks
                            .iter()
                            .any(|(s, o, f)| *s == system.id && *o == object && f == name)
                    {
                        continue;
                    }
                    let values = samples.get(name).map(Vec::as_slice).unwrap_or_default();
                    if values.is_empty() {
                        continue;
                    }
                    let key = name_key(name);
                    let by_type = fields
                        .iter()
                        .find(|f| f.object == object && &f.name == name)
                        .and_then(|f| kind_by_type(&f.value_type));
                    let by_values = kind_by_values(values)
                        .or(by_type.filter(|k| matches!(k, ValueKind::Email | ValueKind::Phone)));
                    let by_name = NAMES.iter().filter(|(o, ..)| *o == object).find_map(
                        |(_, canonical, names)| {
                            names
                                .iter()
                                .position(|n| *n == key)
                                .map(|rank| (rank, *canonical))
                        },
                    );
                    let proposal = match by_name {
                        Some((rank, canonical)) => {
                            let kind = catalog
                                .iter()
                                .find(|f| f.object == object && f.key.as_str() == canonical)
                                .map(|f| f.value_kind);
                            // A name that says email or phone must hold addresses or numbers.
                            // A declared date or number fits only a date or number field.
                            let fits = match kind {
                                Some(k @ (ValueKind::Email | ValueKind::Phone)) => {
                                    by_values == Some(k)
                                }
                                Some(k)
                                    if matches!(
                                        by_type,
                                        Some(ValueKind::Date | ValueKind::Number)
                                    ) =>
                                {
                                    by_type == Some(k)
                                }
                                _ => by_values != Some(ValueKind::Email),
                            };
                            fits.then(|| {
                                (rank, canonical.to_owned(), format!("the name \"{name}\""))
                            })
                        }
                        None => match by_values {
                            Some(ValueKind::Email) if object == ObjectType::Person => {
                                Some((50, "email".into(), "its values are email addresses".into()))
                            }
                            Some(ValueKind::Phone) if object == ObjectType::Person => {
                                Some((50, "phone".into(), "its values are phone numbers".into()))
                            }
                            _ => None,
                        },
                    };
                    if let Some((rank, canonical, reason)) = proposal
                        && let Ok(key) = FieldKey::parse(&canonical)
                    {
                        proposals.push((rank, name.clone(), key, reason));
                    }
                }
                proposals.sort_by_key(|p| p.0);
                for (_, name, key, reason) in proposals {
                    if taken.insert(key.clone()) {
                        out.push(MappingSuggestion {
                            system: system.name.to_string(),
                            object: object.to_string(),
                            system_field: name,
                            field: key.to_string(),
                            reason,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Accepts every suggestion (or those given), and gives each mapped status field of the
    /// hub a status model whose values are the hub's own. Returns the version in force.
    pub fn accept_suggestions(
        &mut self,
        only: Option<&[MappingSuggestion]>,
        why: &str,
    ) -> Result<i64, AppError> {
        let suggestions = match only {
            Some(list) => list.to_vec(),
            None => self.suggest_mappings()?,
        };
        let (mut set, _) = self.rule_set()?;
        for s in &suggestions {
            let object = parse_object(&s.object)?;
            let key = parse_key(&s.field)?;
            match set
                .mapping
                .iter_mut()
                .find(|m| m.object == object && m.system.eq_ignore_ascii_case(&s.system))
            {
                Some(m) => {
                    if !m.fields.values().any(|k| *k == key) {
                        m.fields.insert(s.system_field.clone(), key);
                    }
                }
                None => set.mapping.push(SystemMapping {
                    system: s.system.clone(),
                    object,
                    fields: BTreeMap::from([(s.system_field.clone(), key)]),
                }),
            }
        }
        self.add_hub_status_models(&mut set)?;
        self.save_rules(set, why)
    }

    fn add_hub_status_models(&self, set: &mut RuleSet) -> Result<(), AppError> {
        let conn = self.workspace.conn();
        let catalog = self.catalog()?;
        let Some(hub) = steward_store::list_systems(conn)?
            .into_iter()
            .find(|s| s.role == Role::Hub)
        else {
            return Ok(());
        };
        for m in set
            .mapping
            .clone()
            .iter()
            .filter(|m| m.system.eq_ignore_ascii_case(hub.name.as_str()))
        {
            for (name, key) in &m.fields {
                // Only a status vocabulary (an enumeration with few values) becomes a model:
                // its values go into the rules and the audit log, so never free text.
                let is_status = catalog.iter().any(|f| {
                    f.object == m.object
                        && &f.key == key
                        && f.category == FieldCategory::Status
                        && f.value_kind == ValueKind::Enumeration
                });
                if !is_status || set.status_model(m.object, key).is_some() {
                    continue;
                }
                let values: Vec<String> = steward_store::value_counts(
                    conn,
                    hub.id,
                    m.object,
                    name,
                    MAX_STATUS_VALUES + 1,
                )?
                .into_iter()
                .map(|(v, _)| v)
                .collect();
                if !values.is_empty() && values.len() <= MAX_STATUS_VALUES {
                    let mut values = values;
                    values.sort();
                    set.status.push(StatusModel {
                        object: m.object,
                        field: key.clone(),
                        values,
                        systems: BTreeMap::new(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Imports a TOML rule set (replacing the one in force), audited with `why`.
    pub fn import_rules(&mut self, text: &str, why: &str) -> Result<i64, AppError> {
        let set = parse_toml(text)?;
        self.save_rules(set, why)
    }

    pub fn export_rules(&self) -> Result<String, AppError> {
        to_toml(&self.rule_set()?.0)
    }

    /// Everything the Rules screen shows.
    pub fn rules(&self) -> Result<RulesView, AppError> {
        let conn = self.workspace.conn();
        let (set, version) = self.rule_set()?;
        let catalog = self.catalog()?;
        let systems = steward_store::list_systems(conn)?;
        let names: Vec<String> = systems.iter().map(|s| s.name.to_string()).collect();
        let suggestions = self.suggest_mappings()?;
        let mut mapping: Vec<MappingView> = Vec::new();
        for m in &set.mapping {
            for (system_field, key) in &m.fields {
                mapping.push(MappingView {
                    system: m.system.clone(),
                    object: m.object.to_string(),
                    system_field: system_field.clone(),
                    field: key.to_string(),
                    suggested: None,
                    reason: None,
                });
            }
        }
        for s in suggestions {
            mapping.push(MappingView {
                system: s.system,
                object: s.object,
                system_field: s.system_field,
                field: String::new(),
                suggested: Some(s.field),
                reason: Some(s.reason),
            });
        }
        mapping.sort_by(|a, b| {
            (&a.system, &a.object, &a.system_field).cmp(&(&b.system, &b.object, &b.system_field))
        });
        let mut status = Vec::new();
        for model in &set.status {
            let mut per_system = Vec::new();
            for system in &systems {
                let Some(m) = set.mapping_of(system.name.as_str(), model.object) else {
                    continue;
                };
                let Some((system_field, _)) = m.fields.iter().find(|(_, k)| **k == model.field)
                else {
                    continue;
                };
                let values: Vec<StatusValueView> =
                    steward_store::value_counts(conn, system.id, model.object, system_field, 200)?
                        .into_iter()
                        .map(|(value, count)| StatusValueView {
                            canonical: model
                                .canonical(system.name.as_str(), &value)
                                .map(str::to_owned),
                            value,
                            count,
                        })
                        .collect();
                let unmapped = values
                    .iter()
                    .filter(|v| v.canonical.is_none())
                    .map(|v| v.count)
                    .sum();
                per_system.push(StatusSystemView {
                    system: system.name.to_string(),
                    system_field: system_field.clone(),
                    values,
                    unmapped,
                });
            }
            status.push(StatusModelView {
                object: model.object.to_string(),
                field: model.field.to_string(),
                values: model.values.clone(),
                systems: per_system,
            });
        }
        let versions = steward_store::list_rule_versions(conn)?;
        let mut history = Vec::new();
        for (i, v) in versions.iter().enumerate() {
            let this: RuleSet = serde_json::from_value(v.document.clone()).unwrap_or_default();
            let before: RuleSet = versions
                .get(i + 1)
                .and_then(|p| serde_json::from_value(p.document.clone()).ok())
                .unwrap_or_else(|| RuleSet::defaults(&catalog));
            history.push(RuleVersionView {
                version: v.version,
                at: v.at.to_rfc3339(),
                actor: v.actor.clone(),
                why: v.why.clone(),
                changes: this.diff(&before),
            });
        }
        Ok(RulesView {
            version,
            authority: fields_view(&set, &catalog),
            mapping,
            status,
            segments: set
                .segment
                .iter()
                .map(|s: &Segment| SegmentDefinitionView {
                    name: s.name.clone(),
                    object: s.object.to_string(),
                    conditions: s
                        .conditions
                        .iter()
                        .map(|(k, v)| SegmentConditionView {
                            field: k.to_string(),
                            values: v.clone(),
                        })
                        .collect(),
                })
                .collect(),
            integration_sources: set.integration_sources.clone(),
            problems: set.problems(&RuleContext {
                catalog: &catalog,
                systems: &names,
            }),
            history,
            systems: names,
        })
    }

    /// Defines (or replaces) a segment.
    pub fn set_segment(
        &mut self,
        name: &str,
        object: &str,
        conditions: &[(String, Vec<String>)],
        why: &str,
    ) -> Result<i64, AppError> {
        let object = parse_object(object)?;
        let mut map = BTreeMap::new();
        for (field, values) in conditions {
            map.insert(parse_key(field)?, values.clone());
        }
        let (mut set, _) = self.rule_set()?;
        set.segment
            .retain(|s| !s.name.eq_ignore_ascii_case(name.trim()));
        set.segment.push(Segment {
            name: name.trim().to_owned(),
            object,
            conditions: map,
        });
        self.save_rules(set, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_without_case_punctuation_or_hs() {
        assert_eq!(name_key("First Name"), "firstname");
        assert_eq!(name_key("hs_lead_status"), "leadstatus");
        assert_eq!(name_key("job_title"), "jobtitle");
    }

    #[test]
    fn declared_types_are_read_loosely() {
        assert_eq!(kind_by_type("phone_number"), Some(ValueKind::Phone));
        assert_eq!(kind_by_type("datetime"), Some(ValueKind::Date));
        assert_eq!(kind_by_type("enumeration"), None);
        assert_eq!(kind_by_type("string"), None);
    }

    #[test]
    fn values_say_email_or_phone_only_when_nearly_all_agree() {
        let emails: Vec<String> = ["a@b.test", "c@d.test", "e@f.test"]
            .map(String::from)
            .to_vec();
        assert_eq!(kind_by_values(&emails), Some(ValueKind::Email));
        let phones: Vec<String> = ["+44 20 7946 0018", "030 1234567", "(555) 123-4567"]
            .map(String::from)
            .to_vec();
        assert_eq!(kind_by_values(&phones), Some(ValueKind::Phone));
        let mixed: Vec<String> = ["a@b.test", "Acme", "c@d.test"].map(String::from).to_vec();
        assert_eq!(kind_by_values(&mixed), None);
    }

    #[test]
    fn a_bad_rules_file_names_the_line() {
        let err = parse_toml("[[authority]]\nobject = \"person\"\nfield = \"email\"\nsystem = \"hub\"\npolicy = \"sometimes\"\ncategory = \"identity\"\n").unwrap_err();
        assert!(err.message.contains("line 5"), "{}", err.message);
        let set = RuleSet::defaults(&steward_domain::builtin_catalog());
        let text = to_toml(&set).unwrap();
        assert_eq!(parse_toml(&text).unwrap(), set);
    }
}
