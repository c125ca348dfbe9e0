//! The Drift screen and `steward drift`: every cached record projected onto the canonical
//! fields its system maps, measured by the drift engine against the rules in force, and the
//! findings stored as record ids and field names. Values are read from the cache when a
//! finding is shown, so an erasure in the cache leaves nothing behind here.

use std::collections::HashMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use steward_domain::{AuditEvent, ObjectType, Role, RuleSet};
use steward_drift::{Authority, Field, Finding, Fix, Kind, Rec, Snapshot, System};
use steward_store::{FindingFilter, FindingRow, NewFinding, Workspace};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::sync::SyncEnv;
use crate::workspace::Steward;

/// HubSpot keeps the ids of records merged into a contact or company here.
const MERGED_IDS_FIELD: &str = "hs_merged_object_ids";

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DriftProgress {
    /// reading, linking, comparing, saving
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DriftRunView {
    pub id: i64,
    pub finished_at: String,
    pub rules_version: i64,
    pub records: u64,
    /// Spoke records linked to a hub record.
    pub linked: u64,
    pub findings: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KindTotal {
    pub kind: String,
    pub system: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    pub run_id: i64,
    pub at: String,
    /// Per kind, summed over systems.
    pub counts: Vec<KindCount>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KindCount {
    pub kind: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SegmentCountView {
    pub segment: String,
    pub system: String,
    pub hub: bool,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DriftOverview {
    pub run: Option<DriftRunView>,
    pub totals: Vec<KindTotal>,
    /// Oldest first.
    pub trend: Vec<TrendPoint>,
    pub segments: Vec<SegmentCountView>,
}

/// Which findings to list; `None` or empty matches everything.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingQuery {
    pub kind: Option<String>,
    pub system: Option<String>,
    pub field: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FixView {
    /// write, delete_copy, create_in_hub, decide
    pub action: String,
    pub system: String,
    pub external_id: String,
    pub field: Option<String>,
    /// The value to write (read from the authority's record now).
    pub value: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    pub seq: i64,
    pub kind: String,
    pub system: String,
    pub object: String,
    pub external_id: String,
    pub hub_external_id: Option<String>,
    /// The canonical field.
    pub field: Option<String>,
    pub system_field: Option<String>,
    pub hub_field: Option<String>,
    /// The copy's value, the hub's, and the earlier authority value (stale: what the copy
    /// still holds; conflicting write: what was overwritten). Read from the cache now.
    pub value: Option<String>,
    pub hub_value: Option<String>,
    pub earlier_value: Option<String>,
    pub segment: Option<String>,
    /// A code for the exact reason (earlier_authority_value, hub_archived …).
    pub reason: String,
    pub rule: Option<String>,
    /// How the copy was linked to its hub record (shared_id, email, match …).
    pub link: Option<String>,
    pub authority_changed_at: Option<String>,
    pub authority_source: Option<String>,
    pub copy_changed_at: Option<String>,
    /// Count mismatch: the hub's count and this system's.
    pub counts: Option<Vec<u64>>,
    pub fix: Option<FixView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingPage {
    pub total: u64,
    pub rows: Vec<FindingView>,
}

fn cancelled() -> AppError {
    AppError::new(ErrorCode::Cancelled, "drift was cancelled; nothing changed")
}

fn build(workspace: &Workspace, set: &RuleSet) -> Result<Snapshot, AppError> {
    let conn = workspace.conn();
    let systems = steward_store::list_systems(conn)?;
    let Some(hub) = systems.iter().find(|s| s.role == Role::Hub) else {
        return Err(AppError::invalid(
            "no hub system: add the CRM as the hub first",
        ));
    };
    let Some(hub_read_at) = steward_store::last_full_read(conn, hub.id)? else {
        return Err(AppError::invalid(format!(
            "{} has no complete full sync: sync it fully first (steward sync --full), so a \
             record missing from it really is gone",
            hub.name
        )));
    };
    let catalog = steward_store::list_catalog(conn)?;
    let names: Vec<String> = systems.iter().map(|s| s.name.to_string()).collect();
    let problems = set.problems(&steward_domain::RuleContext {
        catalog: &catalog,
        systems: &names,
    });
    if !problems.is_empty() {
        return Err(AppError::invalid(format!(
            "the rules in force cannot be used ({}): fix them on the Rules screen first",
            problems.join("; ")
        )));
    }
    let index: HashMap<i64, u16> = systems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, u16::try_from(i).unwrap_or(u16::MAX)))
        .collect();
    let by_name = |name: &str| {
        systems
            .iter()
            .position(|s| s.name.as_str().eq_ignore_ascii_case(name))
            .and_then(|i| u16::try_from(i).ok())
    };
    let mut snapshot = Snapshot::default();
    snapshot.systems = systems
        .iter()
        .map(|s| System {
            id: s.id,
            name: s.name.to_string(),
            hub: s.role == Role::Hub,
        })
        .collect();
    snapshot.integration_sources = set.integration_sources.clone();
    snapshot.segments = set.segment.clone();
    snapshot.hub_read_at = Some(hub_read_at.millis());
    for f in &catalog {
        let rule = set.rule(f.object, &f.key);
        let authority_name = rule.map_or("hub", |r| r.system.as_str()).to_owned();
        let authority = if authority_name.eq_ignore_ascii_case(steward_domain::HUB) {
            Authority::Hub
        } else {
            by_name(&authority_name).map_or(Authority::Hub, Authority::System)
        };
        snapshot.fields.push(Field {
            object: f.object,
            key: f.key.clone(),
            kind: f.value_kind,
            category: rule.map_or(f.category, |r| r.category),
            policy: rule.map_or_else(
                || steward_domain::ConflictPolicy::default_for(f.category),
                |r| r.policy,
            ),
            authority,
            authority_name,
            status: set.status_model(f.object, &f.key).cloned(),
        });
    }
    // (system id, object) → (system field → canonical slot).
    let mut slots: HashMap<(i64, ObjectType), HashMap<String, u16>> = HashMap::new();
    for m in &set.mapping {
        let Some(sys) = by_name(&m.system) else {
            continue;
        };
        for (name, key) in &m.fields {
            if let Some(slot) = snapshot.field_slot(m.object, key.as_str()) {
                slots
                    .entry((systems[usize::from(sys)].id, m.object))
                    .or_default()
                    .insert(name.clone(), slot);
                snapshot.names.insert((sys, m.object, slot), name.clone());
            }
        }
    }
    let slot_of = |system: i64, object: ObjectType, field: &str| {
        slots
            .get(&(system, object))
            .and_then(|m| m.get(field))
            .copied()
    };
    let crosswalks: HashMap<(i64, ObjectType), String> = steward_store::crosswalks(conn)?
        .into_iter()
        .map(|(s, o, f)| ((s, o), f))
        .collect();
    // The hub keeps first and last names; a spoke may keep one full name.
    let hub_index = index.get(&hub.id).copied().unwrap_or(0);
    let (first, last, full) = (
        snapshot.field_slot(ObjectType::Person, "first_name"),
        snapshot.field_slot(ObjectType::Person, "last_name"),
        snapshot.field_slot(ObjectType::Person, "full_name"),
    );
    let compose_full = match (first, last, full) {
        (Some(f), Some(l), Some(full)) => {
            let has = |slot| {
                snapshot
                    .names
                    .contains_key(&(hub_index, ObjectType::Person, slot))
            };
            (has(f) && has(l) && !has(full)).then_some((f, l, full))
        }
        _ => None,
    };
    if let Some((f, l, full)) = compose_full {
        let name = format!(
            "{} + {}",
            snapshot.names[&(hub_index, ObjectType::Person, f)],
            snapshot.names[&(hub_index, ObjectType::Person, l)]
        );
        snapshot
            .names
            .insert((hub_index, ObjectType::Person, full), name);
    }
    let mut scan = SnapshotScan {
        snap: &mut snapshot,
        index: &index,
        slot_of: &slot_of,
        crosswalks: &crosswalks,
        hub_id: hub.id,
        compose_full,
        current: None,
        names: (String::new(), String::new()),
    };
    steward_store::scan_records(conn, &mut scan)?;
    snapshot.shrink();
    let members = steward_store::list_duplicate_members(conn)?;
    let scores: HashMap<i64, f64> = steward_store::list_duplicate_clusters(conn)?
        .into_iter()
        .map(|c| (c.cluster, c.score))
        .collect();
    let mut clusters: HashMap<i64, Vec<i64>> = HashMap::new();
    for (cluster, record, ..) in members {
        clusters.entry(cluster).or_default().push(record);
    }
    let mut clusters: Vec<(i64, Vec<i64>)> = clusters.into_iter().collect();
    clusters.sort_unstable_by_key(|(c, _)| *c);
    snapshot.clusters = clusters
        .into_iter()
        .map(|(c, ids)| (scores.get(&c).copied().unwrap_or(0.0), ids))
        .collect();
    Ok(snapshot)
}

/// Streams the cache into the snapshot: only mapped fields, crosswalks and merged ids are
/// kept, their texts copied once into the snapshot's arena.
struct SnapshotScan<'a, F: Fn(i64, ObjectType, &str) -> Option<u16>> {
    snap: &'a mut Snapshot,
    index: &'a HashMap<i64, u16>,
    slot_of: &'a F,
    crosswalks: &'a HashMap<(i64, ObjectType), String>,
    hub_id: i64,
    /// (first, last, full) slots when the hub's full name is composed from its two fields.
    compose_full: Option<(u16, u16, u16)>,
    /// The record being streamed: its index, workspace system id and object.
    current: Option<(usize, i64, ObjectType)>,
    /// The hub record's first and last name, for the composed full name.
    names: (String, String),
}

impl<F: Fn(i64, ObjectType, &str) -> Option<u16>> steward_store::RecordScan
    for SnapshotScan<'_, F>
{
    fn wants(&self, system: i64, object: ObjectType, field: &str) -> bool {
        (self.slot_of)(system, object, field).is_some()
            || self
                .crosswalks
                .get(&(system, object))
                .is_some_and(|c| c == field)
            || (system == self.hub_id && field == MERGED_IDS_FIELD)
    }

    fn record(&mut self, head: steward_store::RecordHead) {
        let Some(&system) = self.index.get(&head.system_id) else {
            self.current = None;
            return;
        };
        let i = self
            .snap
            .push_record(head.id, system, head.object, &head.external_id);
        if let Some(r) = self.snap.records.get_mut(i) {
            r.archived = head.archived;
            r.created_at = head.created_at;
            r.updated_at = head.updated_at;
        }
        self.current = Some((i, head.system_id, head.object));
        self.names = (String::new(), String::new());
    }

    fn field(&mut self, f: steward_store::FieldRef<'_>) {
        let Some((i, system, object)) = self.current else {
            return;
        };
        if self
            .crosswalks
            .get(&(system, object))
            .is_some_and(|c| c == f.name)
        {
            self.snap.set_crosswalk(i, f.value);
        }
        if system == self.hub_id && f.name == MERGED_IDS_FIELD {
            for id in f
                .value
                .split([';', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                self.snap.add_merged_id(i, id);
            }
        }
        if let Some(slot) = (self.slot_of)(system, object, f.name) {
            self.snap
                .add_value(i, slot, f.value, f.modified_at, f.source);
            if system == self.hub_id
                && let Some((first, last, _)) = self.compose_full
            {
                if slot == first {
                    self.names.0 = f.value.trim().to_owned();
                } else if slot == last {
                    self.names.1 = f.value.trim().to_owned();
                }
            }
        }
    }

    fn earlier(&mut self, f: steward_store::FieldRef<'_>) {
        let Some((i, system, object)) = self.current else {
            return;
        };
        if let Some(slot) = (self.slot_of)(system, object, f.name) {
            self.snap
                .add_earlier(i, slot, f.value, f.modified_at, f.source);
        }
    }

    fn end_record(&mut self) {
        let Some((i, system, object)) = self.current.take() else {
            return;
        };
        if system == self.hub_id
            && object == ObjectType::Person
            && let Some((_, _, full)) = self.compose_full
        {
            let joined = format!("{} {}", self.names.0, self.names.1);
            let joined = joined.trim();
            if !joined.is_empty() {
                let at = self.snap.records[i]
                    .values
                    .iter()
                    .filter_map(|v| v.at())
                    .max();
                self.snap.add_value(i, full, joined, at, None);
            }
        }
        self.snap.finish_record(i);
    }
}

/// A finding as stored: records by workspace id, the system fields by name, and the
/// evidence's record indices turned into ids.
fn to_stored(snap: &Snapshot, f: &Finding) -> NewFinding {
    let rec = &snap.records[f.record];
    let hub = f.hub.map(|h| &snap.records[h]);
    let name = |r: &Rec| {
        f.field
            .and_then(|slot| snap.field_name(r.system, r.object, slot))
            .map(str::to_owned)
    };
    let mut evidence = serde_json::to_value(&f.evidence).unwrap_or_default();
    if let Some(map) = evidence.as_object_mut() {
        for key in ["authority_record", "via_record"] {
            if let Some(i) = map.remove(key).and_then(|v| v.as_u64()) {
                let r = &snap.records[usize::try_from(i)
                    .unwrap_or(usize::MAX)
                    .min(snap.records.len() - 1)];
                map.insert(format!("{key}_id"), r.id.into());
                map.insert(
                    format!("{key}_system"),
                    snap.systems[usize::from(r.system)].name.clone().into(),
                );
                map.insert(
                    format!("{key}_external_id"),
                    snap.text(r.external_id).to_owned().into(),
                );
                if key == "authority_record"
                    && let Some(n) = name(r)
                {
                    map.insert("authority_field".into(), n.into());
                }
            }
        }
    }
    let fix = f.fix.as_ref().map(|fix| {
        let at = |i: usize| {
            let r = &snap.records[i];
            serde_json::json!({
                "record_id": r.id,
                "system_id": snap.systems[usize::from(r.system)].id,
                "external_id": snap.text(r.external_id),
            })
        };
        match fix {
            Fix::Write {
                record,
                field,
                from,
            } => serde_json::json!({
                "action": "write",
                "target": at(*record),
                "field": field,
                "from": { "record": at(from.record), "field": from.field, "version": from.version },
            }),
            Fix::DeleteCopy { record } => {
                serde_json::json!({ "action": "delete_copy", "target": at(*record) })
            }
            Fix::CreateInHub { record } => {
                serde_json::json!({ "action": "create_in_hub", "target": at(*record) })
            }
            Fix::Decide => serde_json::json!({ "action": "decide" }),
        }
    });
    NewFinding {
        kind: f.kind.as_str().to_owned(),
        object: rec.object,
        system_id: snap.systems[usize::from(f.system)].id,
        record_id: Some(rec.id),
        external_id: snap.text(rec.external_id).to_owned(),
        hub_record_id: hub.map(|h| h.id),
        hub_external_id: hub.map(|h| snap.text(h.external_id).to_owned()),
        field: f
            .field
            .map(|slot| snap.fields[usize::from(slot)].key.to_string()),
        system_field: name(rec),
        hub_field: hub.and_then(name),
        segment: f
            .segment
            .and_then(|s| snap.segments.get(usize::from(s)))
            .map(|s| s.name.clone()),
        evidence,
        fix,
    }
}

/// Runs drift over the whole cache with the rules in force and stores the findings,
/// replacing the previous run's (whose counts stay for the trend). Runs on its own
/// connection; `cancel` stops it before anything is stored.
pub fn run_drift(
    env: &SyncEnv,
    progress: &(dyn Fn(DriftProgress) + Sync),
    cancel: &(dyn Fn() -> bool + Sync),
) -> Result<DriftRunView, AppError> {
    let started = Instant::now();
    let started_at = env.clock.now();
    let mut workspace = Workspace::open(&env.workspace_path)?;
    let step = |stage: &str, done: u64, total: u64| {
        progress(DriftProgress {
            stage: stage.to_owned(),
            done,
            total,
        });
    };
    let Some(saved) = steward_store::latest_rules(workspace.conn())? else {
        return Err(AppError::invalid(
            "no field mapping is confirmed yet: review the suggestions on the Rules screen \
             (or run `steward rules suggest --accept --why …`) first",
        ));
    };
    let set: RuleSet = serde_json::from_value(saved.document).map_err(|e| {
        AppError::new(
            ErrorCode::WorkspaceUnusable,
            format!("rule set version {} cannot be read: {e}", saved.version),
        )
    })?;
    step("reading", 0, 1);
    let snap = &build(&workspace, &set)?;
    let records = snap.records.len() as u64;
    step("reading", records, records);
    if cancel() {
        return Err(cancelled());
    }
    step("comparing", 0, records);
    let report = steward_drift::run(snap);
    step("comparing", records, records);
    if cancel() {
        return Err(cancelled());
    }
    let mut findings: Vec<NewFinding> =
        report.findings.iter().map(|f| to_stored(snap, f)).collect();
    findings.extend(crate::erasure::open_sightings(&workspace)?);
    step("saving", 0, findings.len() as u64);
    let mut totals: HashMap<(String, i64), u64> = HashMap::new();
    for f in &findings {
        *totals.entry((f.kind.clone(), f.system_id)).or_default() += 1;
    }
    let mut totals: Vec<serde_json::Value> = totals
        .into_iter()
        .map(|((kind, system_id), count)| serde_json::json!({"kind": kind, "system_id": system_id, "count": count}))
        .collect();
    totals.sort_by_key(|v| {
        (
            v["kind"].as_str().unwrap_or_default().to_owned(),
            v["system_id"].as_i64(),
        )
    });
    let segments: Vec<serde_json::Value> = report
        .segment_counts
        .iter()
        .map(|c| {
            serde_json::json!({
                "segment": snap.segments.get(usize::from(c.segment)).map(|s| s.name.clone()),
                "system_id": snap.systems[usize::from(c.system)].id,
                "count": c.count,
            })
        })
        .collect();
    let finished_at = env.clock.now();
    let run = steward_store::DriftRun {
        id: 0,
        started_at,
        finished_at,
        rules_version: saved.version,
        records,
        linked: report.linked as u64,
        seconds: started.elapsed().as_secs_f64(),
        totals: serde_json::Value::Array(totals),
        segments: serde_json::Value::Array(segments),
        quality: serde_json::to_value(report.quality).unwrap_or_default(),
    };
    let by_kind: HashMap<&str, usize> = findings.iter().fold(HashMap::new(), |mut m, f| {
        *m.entry(f.kind.as_str()).or_default() += 1;
        m
    });
    let (id, stored) = workspace.change(|c| {
        let (id, stored) = c.replace_drift(&run, &findings)?;
        let event = AuditEvent {
            at: finished_at,
            actor: env.actor.clone(),
            action: "drift.measured".into(),
            subject: format!("drift/{id}"),
            details: serde_json::json!({
                "records": run.records,
                "linked": run.linked,
                "rules_version": run.rules_version,
                "findings": stored,
                "by_kind": by_kind,
            }),
        };
        Ok::<_, AppError>(((id, stored), event))
    })?;
    step("saving", stored as u64, stored as u64);
    tracing::info!(
        records,
        linked = report.linked,
        findings = stored,
        "drift measured"
    );
    Ok(DriftRunView {
        id,
        finished_at: finished_at.to_rfc3339(),
        rules_version: run.rules_version,
        records,
        linked: run.linked,
        findings: stored as u64,
        seconds: run.seconds,
    })
}

/// After a sync: measures drift again when rules are confirmed, so the trend follows the
/// syncs. `None` when no rule set was saved yet (nothing to measure against).
pub fn drift_after_sync(env: &SyncEnv) -> Option<Result<DriftRunView, AppError>> {
    let has_rules = Workspace::open(&env.workspace_path)
        .and_then(|w| steward_store::latest_rules(w.conn()))
        .map(|r| r.is_some());
    match has_rules {
        Ok(false) => None,
        Ok(true) => Some(run_drift(env, &|_| {}, &|| false)),
        Err(e) => Some(Err(e.into())),
    }
}

fn time_text(value: &serde_json::Value) -> Option<String> {
    value
        .as_i64()
        .map(|ms| steward_domain::Timestamp::from_millis(ms).to_rfc3339())
}

impl Steward {
    fn system_names_by_id(&self) -> Result<HashMap<i64, String>, AppError> {
        Ok(steward_store::list_systems(self.workspace.conn())?
            .into_iter()
            .map(|s| (s.id, s.name.to_string()))
            .collect())
    }

    /// The newest run's totals, the trend over every run and the segment counts.
    pub fn drift_overview(&self) -> Result<DriftOverview, AppError> {
        let conn = self.workspace.conn();
        let names = self.system_names_by_id()?;
        let system = |v: &serde_json::Value| {
            v.as_i64()
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| "(removed system)".into())
        };
        let runs = steward_store::list_drift_runs(conn)?;
        let hub = steward_store::list_systems(conn)?
            .into_iter()
            .find(|s| s.role == Role::Hub)
            .map(|s| s.id);
        let trend = runs
            .iter()
            .map(|r| {
                let mut counts: Vec<KindCount> = Kind::ALL
                    .iter()
                    .map(|k| KindCount {
                        kind: k.as_str().to_owned(),
                        count: 0,
                    })
                    .collect();
                for t in r.totals.as_array().into_iter().flatten() {
                    if let Some(c) = counts
                        .iter_mut()
                        .find(|c| Some(c.kind.as_str()) == t["kind"].as_str())
                    {
                        c.count += t["count"].as_u64().unwrap_or(0);
                    }
                }
                TrendPoint {
                    run_id: r.id,
                    at: r.finished_at.to_rfc3339(),
                    counts,
                }
            })
            .collect();
        let Some(last) = runs.last() else {
            return Ok(DriftOverview {
                run: None,
                totals: Vec::new(),
                trend,
                segments: Vec::new(),
            });
        };
        let totals: Vec<KindTotal> = last
            .totals
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| KindTotal {
                kind: t["kind"].as_str().unwrap_or_default().to_owned(),
                system: system(&t["system_id"]),
                count: t["count"].as_u64().unwrap_or(0),
            })
            .collect();
        let segments = last
            .segments
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| SegmentCountView {
                segment: s["segment"].as_str().unwrap_or_default().to_owned(),
                system: system(&s["system_id"]),
                hub: s["system_id"].as_i64() == hub,
                count: s["count"].as_u64().unwrap_or(0),
            })
            .collect();
        Ok(DriftOverview {
            run: Some(DriftRunView {
                id: last.id,
                finished_at: last.finished_at.to_rfc3339(),
                rules_version: last.rules_version,
                records: last.records,
                linked: last.linked,
                findings: totals.iter().map(|t| t.count).sum(),
                seconds: last.seconds,
            }),
            totals,
            trend,
            segments,
        })
    }

    /// A page of the newest run's findings, with the values they are about.
    pub fn drift_findings(&self, query: &FindingQuery) -> Result<FindingPage, AppError> {
        let conn = self.workspace.conn();
        let Some(run) = steward_store::latest_drift_run(conn)? else {
            return Ok(FindingPage {
                total: 0,
                rows: Vec::new(),
            });
        };
        let names = self.system_names_by_id()?;
        let system_id = match query.system.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(name) => Some(
                names
                    .iter()
                    .find(|(_, n)| n.eq_ignore_ascii_case(name.trim()))
                    .map(|(id, _)| *id)
                    .ok_or_else(|| {
                        AppError::new(
                            ErrorCode::NotFound,
                            format!("no system named \"{}\"", name.trim()),
                        )
                    })?,
            ),
            None => None,
        };
        if let Some(kind) = query.kind.as_deref().filter(|k| !k.is_empty())
            && Kind::parse(kind).is_none()
        {
            return Err(AppError::invalid(format!(
                "unknown drift kind \"{kind}\" (expected one of: {})",
                Kind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let filter = FindingFilter {
            kind: query.kind.clone().filter(|k| !k.is_empty()),
            system_id,
            field: query.field.clone().filter(|f| !f.is_empty()),
            object: None,
        };
        let limit = if query.limit == 0 {
            500
        } else {
            query.limit.min(10_000)
        };
        let (rows, total) =
            steward_store::list_findings(conn, run.id, &filter, query.offset, limit)?;
        let rows = rows
            .into_iter()
            .map(|r| self.finding_view(&names, r))
            .collect::<Result<_, _>>()?;
        Ok(FindingPage { total, rows })
    }

    fn finding_view(
        &self,
        names: &HashMap<i64, String>,
        row: FindingRow,
    ) -> Result<FindingView, AppError> {
        let f = row.finding;
        let e = &f.evidence;
        let system = names
            .get(&f.system_id)
            .cloned()
            .unwrap_or_else(|| "(removed system)".into());
        let fix = match &f.fix {
            Some(fix) => Some(self.fix_view(
                names,
                fix,
                row.hub_value.as_deref(),
                row.earlier_value.as_deref(),
            )?),
            None => None,
        };
        // The hub keeps a full name as two fields ("firstname + lastname"): shown joined.
        let hub_value = match (&row.hub_value, f.hub_field.as_deref(), f.hub_record_id) {
            (None, Some(composed), Some(record)) if composed.contains(" + ") => {
                let mut parts = Vec::new();
                for part in composed.split(" + ") {
                    if let Some(v) =
                        steward_store::field_value(self.workspace.conn(), record, part)?
                    {
                        parts.push(v.trim().to_owned());
                    }
                }
                (!parts.is_empty()).then(|| parts.join(" "))
            }
            (value, ..) => value.clone(),
        };
        Ok(FindingView {
            seq: row.seq,
            kind: f.kind,
            system,
            object: f.object.to_string(),
            external_id: f.external_id,
            hub_external_id: f.hub_external_id,
            field: f.field,
            system_field: f.system_field,
            hub_field: f.hub_field,
            value: row.value,
            hub_value,
            earlier_value: row.earlier_value,
            segment: f.segment,
            reason: e["reason"].as_str().unwrap_or_default().to_owned(),
            rule: e["rule"].as_str().map(str::to_owned),
            link: e["link"]["by"].as_str().map(str::to_owned),
            authority_changed_at: time_text(&e["authority_changed_at"]),
            authority_source: e["authority_source"].as_str().map(str::to_owned),
            copy_changed_at: time_text(&e["copy_changed_at"]),
            counts: e["counts"]
                .as_array()
                .map(|c| c.iter().filter_map(serde_json::Value::as_u64).collect()),
            fix,
        })
    }

    fn fix_view(
        &self,
        names: &HashMap<i64, String>,
        fix: &serde_json::Value,
        hub_value: Option<&str>,
        earlier: Option<&str>,
    ) -> Result<FixView, AppError> {
        let mut action = fix["action"].as_str().unwrap_or_default().to_owned();
        let composed = |v: &serde_json::Value| v.as_str().is_some_and(|f| f.contains(" + "));
        if action == "write" && (composed(&fix["field"]) || composed(&fix["from"]["field"])) {
            action = "advice".into();
        }
        let target = &fix["target"];
        let system = target["system_id"]
            .as_i64()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_default();
        let external_id = target["external_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let field = fix["field"].as_str().map(str::to_owned);
        let value = if action == "write" {
            let from = &fix["from"];
            if from["version"].is_u64() {
                earlier.map(str::to_owned)
            } else if from["record"]["record_id"] == target["record_id"] {
                None
            } else {
                match from["record"]["record_id"].as_i64() {
                    Some(id) => steward_store::field_value(
                        self.workspace.conn(),
                        id,
                        from["field"].as_str().unwrap_or_default(),
                    )?
                    .or_else(|| hub_value.map(str::to_owned)),
                    None => None,
                }
            }
        } else {
            None
        };
        let description = match action.as_str() {
            "write" => format!(
                "write the authority's value into {system} {external_id} ({})",
                field.as_deref().unwrap_or("?")
            ),
            "delete_copy" => format!("delete {system} {external_id}: its hub record is gone"),
            "create_in_hub" => {
                format!("bring {system} {external_id} into the hub (or delete it there)")
            }
            "advice" => format!(
                "change {system} {external_id} by hand: one side keeps the name as first and last name"
            ),
            _ => "the rule is manual: pick the value".to_owned(),
        };
        Ok(FixView {
            action,
            system,
            external_id,
            field,
            value,
            description,
        })
    }
}
