//! Executing approved merges, safely:
//!
//! 1. the proposal turns `executing` (it can no longer be edited or withdrawn);
//! 2. every hub record's full state is read live and stored as its backup (one per record
//!    and proposal; a resumed run never replaces one with the post-merge state);
//! 3. the live state is compared with what was reviewed (a change since → back to pending),
//!    and HubSpot's identity cap is checked before any call;
//! 4. the calls are planned in the journal (merge steps, the surviving values, spoke
//!    copies pointed at the survivor), then each goes `sent` → call → `confirmed`;
//! 5. a step found `sent` after a crash is settled by asking the CRM where the absorbed id
//!    stands now (merged into the survivor → confirmed; still live → sent again). A merge is
//!    never sent twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use steward_connectors::{Connector, ConnectorError, Merger, RecordBackup, Whereabouts};
use steward_domain::{
    AuditEvent, FieldValue, ObjectType, ProposalState, Timestamp, ValueKind, check_identity_cap,
    plan_steps,
};
use steward_store::{MemberRow, NewStep, ProposalRow, StepRow, Workspace};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::golden::{GoldenField, GoldenMember, golden_digest, golden_record, writes};
use super::{GoldenInputs, hub_of, overrides_of};
use crate::error::{AppError, ErrorCode};
use crate::sync::{Connecting, SyncEnv};

/// Proposals backed up, planned and merged together (one batch read per chunk).
const CHUNK: usize = 50;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteRequest {
    /// These approved proposals (empty: every approved one).
    pub ids: Vec<i64>,
    /// At most this many proposals (interrupted ones are always finished first).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeProgress {
    /// backing_up, merging, writing, done
    pub stage: String,
    /// Merge calls confirmed.
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteReport {
    pub proposals_done: u64,
    /// Merge calls confirmed in this run.
    pub merges: u64,
    /// Steps an earlier, interrupted run had sent, settled by asking the CRM (confirmed if
    /// it had merged them, sent again if not).
    pub settled_after_crash: u64,
    /// Proposal id and why it failed (after a merge call) or was refused (before any).
    pub failed: Vec<(i64, String)>,
    /// Sent back to pending: the records changed in the CRM since they were reviewed.
    pub back_to_pending: Vec<(i64, String)>,
    /// Approved when the run began, then rejected, edited or withdrawn: not merged.
    pub skipped: Vec<(i64, String)>,
    pub cancelled: bool,
    /// Proposals a cancelled run gave back to the approved queue (nothing was sent for them).
    pub released: u64,
    pub api_calls: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub backup_id: i64,
    pub proposal_id: i64,
    pub old_id: String,
    pub new_id: String,
    /// Properties not restored, and why (a unique address the survivor now holds).
    pub left_out: Vec<String>,
    pub associations: u32,
}

fn external(e: ConnectorError) -> AppError {
    AppError::from(e)
}

fn merger_of<'a>(hub: &'a dyn Connector, name: &str) -> Result<&'a dyn Merger, AppError> {
    hub.merger().ok_or_else(|| {
        AppError::invalid(format!(
            "{name} has no merge API Steward can use (HubSpot has; Salesforce is next)"
        ))
    })
}

/// Everything known about one proposal while it runs.
struct Running {
    row: ProposalRow,
    members: Vec<MemberRow>,
    steps: Vec<StepRow>,
    backups: HashMap<String, RecordBackup>,
}

impl Running {
    fn hub_ids(&self) -> Vec<String> {
        self.members
            .iter()
            .filter(|m| m.role != "copy")
            .map(|m| m.external_id.clone())
            .collect()
    }

    fn absorbed(&self) -> Vec<String> {
        self.members
            .iter()
            .filter(|m| m.role == "absorbed")
            .map(|m| m.external_id.clone())
            .collect()
    }

    fn merges_left(&self) -> u64 {
        if self.steps.is_empty() {
            return self.absorbed().len() as u64;
        }
        self.steps
            .iter()
            .filter(|s| s.kind == "merge" && s.state != "confirmed")
            .count() as u64
    }
}

/// A backup as the golden record reads a member: value and the time it was set.
fn backup_fields(backup: &RecordBackup) -> BTreeMap<String, FieldValue> {
    backup
        .properties
        .iter()
        .map(|(name, value)| {
            let when = |v: &steward_connectors::BackupVersion| {
                v.at.as_deref()
                    .and_then(|t| Timestamp::parse_rfc3339(t).ok())
            };
            let history = backup.history.get(name).map_or(&[][..], Vec::as_slice);
            let mut field = FieldValue::new(value.clone(), history.first().and_then(when));
            // As the cache keeps them (the newest few earlier versions), so the golden
            // record computed from a backup is the one computed from the cache.
            field.earlier = history
                .iter()
                .skip(1)
                .take(FieldValue::MAX_EARLIER)
                .map(|v| steward_domain::PastValue {
                    value: v.value.clone(),
                    modified_at: when(v),
                    source: v.source.clone(),
                })
                .collect();
            (name.clone(), field)
        })
        .collect()
}

/// Hub properties whose live value differs from the cache the reviewer saw.
fn changed_since_review(
    workspace: &Workspace,
    inputs: &GoldenInputs,
    running: &Running,
) -> Result<Vec<String>, AppError> {
    let Some(mapping) = inputs
        .rules
        .mapping_of(inputs.hub.name.as_str(), ObjectType::Person)
    else {
        return Ok(Vec::new());
    };
    let mut changed = Vec::new();
    for id in running.hub_ids() {
        let Some(backup) = running.backups.get(&id) else {
            continue;
        };
        let cached = steward_store::get_record(
            workspace.conn(),
            &steward_domain::RecordKey {
                system_id: inputs.hub.id,
                object: ObjectType::Person,
                external_id: id.clone(),
            },
        )?;
        let Some(cached) = cached else {
            changed.push(format!("{id} (no longer cached)"));
            continue;
        };
        for field in mapping.fields.keys() {
            let live = backup.properties.get(field).map(|v| v.trim());
            let seen = cached.fields.get(field).map(|v| v.value.trim());
            if live.filter(|v| !v.is_empty()) != seen.filter(|v| !v.is_empty()) {
                changed.push(format!("{id}.{field}"));
            }
        }
    }
    Ok(changed)
}

/// The golden record from the live backups and the cached spoke copies.
fn live_writes(
    workspace: &Workspace,
    inputs: &GoldenInputs,
    running: &Running,
) -> Result<(BTreeMap<String, String>, Vec<String>), AppError> {
    let golden = live_golden(workspace, inputs, running)?;
    let fields = golden
        .iter()
        .filter(|g| g.written)
        .map(|g| g.key.clone())
        .collect();
    Ok((writes(&golden, &inputs.read_only), fields))
}

/// What a spoke copy should hold after the merge: the golden values of the fields the spoke
/// maps and does not own (field authority), in its own words (statuses through the model);
/// dates and numbers are left alone (each system writes them in its own format).
fn spoke_values(
    workspace: &Workspace,
    inputs: &GoldenInputs,
    golden: &[GoldenField],
    system_id: i64,
    cached: &BTreeMap<String, FieldValue>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(system) = inputs.names.get(&system_id) else {
        return out;
    };
    let Some(mapping) = inputs.rules.mapping_of(system, ObjectType::Person) else {
        return out;
    };
    for g in golden {
        let Some(value) = g.value.as_deref() else {
            continue;
        };
        if g.authority.eq_ignore_ascii_case(system) {
            continue;
        }
        let Some((field, key)) = mapping.fields.iter().find(|(_, k)| k.as_str() == g.key) else {
            continue;
        };
        let kind = inputs
            .catalog
            .iter()
            .find(|c| c.object == ObjectType::Person && c.key == *key)
            .map(|c| c.value_kind);
        if matches!(kind, Some(ValueKind::Date | ValueKind::Number)) {
            continue;
        }
        let word = match inputs.rules.status_model(ObjectType::Person, key) {
            Some(model) => {
                let Some(canonical) = model.canonical(inputs.hub.name.as_str(), value) else {
                    continue;
                };
                match crate::fixes::target_word(
                    workspace,
                    model,
                    system,
                    system_id,
                    ObjectType::Person,
                    field,
                    canonical,
                ) {
                    Ok(word) => word,
                    Err(_) => continue,
                }
            }
            None => value.to_owned(),
        };
        let held = cached.get(field).map(|v| v.value.trim().to_lowercase());
        if held.as_deref() != Some(word.trim().to_lowercase().as_str()) {
            out.insert(field.clone(), word);
        }
    }
    out
}

/// The golden record from the live backups and the cached spoke copies.
fn live_golden(
    workspace: &Workspace,
    inputs: &GoldenInputs,
    running: &Running,
) -> Result<Vec<GoldenField>, AppError> {
    let mut members = Vec::new();
    for m in &running.members {
        if m.role == "copy" {
            let key = steward_domain::RecordKey {
                system_id: m.system_id,
                object: ObjectType::Person,
                external_id: m.external_id.clone(),
            };
            if let Some(record) = steward_store::get_record(workspace.conn(), &key)? {
                members.push(GoldenMember {
                    system: inputs.names.get(&m.system_id).cloned().unwrap_or_default(),
                    is_hub: false,
                    is_survivor: false,
                    external_id: m.external_id.clone(),
                    fields: record.fields,
                });
            }
        } else if let Some(backup) = running.backups.get(&m.external_id) {
            members.push(GoldenMember {
                system: inputs.hub.name.to_string(),
                is_hub: true,
                is_survivor: m.role == "survivor",
                external_id: m.external_id.clone(),
                fields: backup_fields(backup),
            });
        }
    }
    Ok(golden_record(
        &inputs.context(),
        &members,
        &overrides_of(workspace, running.row.id)?,
    ))
}

/// Golden values not among their hub property's options, named by field and property with
/// the options (the schema, never the value: this text reaches the audit log).
fn refused_options(
    golden: &[GoldenField],
    options: Option<&BTreeMap<String, Vec<String>>>,
    read_only: &[String],
) -> Vec<String> {
    let Some(options) = options else {
        return Vec::new();
    };
    golden
        .iter()
        .filter(|g| !read_only.contains(&g.hub_field))
        .filter_map(|g| {
            let allowed = options.get(&g.hub_field)?;
            let value = g.value.as_deref()?;
            (!allowed.iter().any(|o| o == value)).then(|| {
                let shown: Vec<&str> = allowed.iter().take(12).map(String::as_str).collect();
                format!(
                    "{} is not one of {}'s options ({}{})",
                    g.key,
                    g.hub_field,
                    shown.join(", "),
                    if allowed.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                )
            })
        })
        .collect()
}

/// One spoke copy in the journal: its system, the crosswalk field to re-point (empty: values
/// only) and its id, joined by the unit separator (no field name or id holds one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    system: i64,
    field: String,
    external_id: String,
}

impl Target {
    const SEP: char = '\u{1f}';

    fn encode(system: i64, field: &str, external_id: &str) -> String {
        format!("{system}{}{field}{}{external_id}", Self::SEP, Self::SEP)
    }

    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, Self::SEP);
        Some(Self {
            system: parts.next()?.parse().ok()?,
            field: parts.next()?.to_owned(),
            external_id: parts.next()?.to_owned(),
        })
    }
}

/// Spoke records by the hub id their crosswalk keeps: hub id → encoded targets.
/// Read when a run plans (not when the proposal was made): a copy linked since is found too.
fn crosswalk_holders(
    workspace: &Workspace,
    hub_id: i64,
) -> Result<HashMap<String, Vec<String>>, AppError> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (system, object, field) in steward_store::crosswalks(workspace.conn())? {
        if system == hub_id || object != ObjectType::Person {
            continue;
        }
        for (_, external, value) in
            steward_store::field_values_of(workspace.conn(), system, object, &field)?
        {
            out.entry(value.trim().to_owned())
                .or_default()
                .push(Target::encode(system, &field, &external));
        }
    }
    Ok(out)
}

struct Run<'a> {
    env: &'a SyncEnv,
    workspace: Workspace,
    inputs: GoldenInputs,
    hub: Box<dyn Connector>,
    spokes: HashMap<i64, Box<dyn Connector>>,
    /// Read once, when the first proposal is planned.
    holders: Option<HashMap<String, Vec<String>>>,
    /// The hub's enumeration options, read once before the first proposal is planned.
    options: Option<BTreeMap<String, Vec<String>>>,
    cancel: CancellationToken,
    report: ExecuteReport,
    done: u64,
    total: u64,
}

impl Run<'_> {
    /// A cancelled run gives the proposals it sent nothing for back to the approved queue.
    fn release(&mut self, ids: &[i64]) -> Result<(), AppError> {
        let at = self.env.clock.now();
        let event = self.audit(
            "merge.released",
            format!("{} proposals", ids.len()),
            serde_json::json!({"proposals": ids}),
        );
        let released = self.workspace.change(|c| {
            let mut released = 0;
            for id in ids {
                if c.unclaim(*id, at)? {
                    released += 1;
                }
            }
            Ok::<_, AppError>((released, event))
        })?;
        self.report.released = released;
        Ok(())
    }

    /// Borrows only the connector, so a call's future does not hold the whole run.
    fn merger(&self) -> Result<&dyn Merger, AppError> {
        merger_of(self.hub.as_ref(), self.inputs.hub.name.as_str())
    }

    fn audit(&self, action: &str, subject: String, details: serde_json::Value) -> AuditEvent {
        AuditEvent {
            at: self.env.clock.now(),
            actor: self.env.actor.clone(),
            action: action.into(),
            subject,
            details,
        }
    }

    fn step_state(
        &mut self,
        running: &mut Running,
        seq: i64,
        state: &str,
        detail: Option<&str>,
    ) -> Result<(), AppError> {
        let at = self.env.clock.now();
        let id = running.row.id;
        let event = self.audit(
            &format!("merge.step_{state}"),
            format!("merge proposal {id}"),
            serde_json::json!({"seq": seq, "detail": detail}),
        );
        self.workspace.change(|c| {
            if state == "sent" {
                // Compare-and-set: a step another run has sent is never sent again from here.
                if !c.claim_step(id, seq, at)? {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        format!(
                            "merge proposal {id} is being merged by another run; wait for it \
                             to finish"
                        ),
                    ));
                }
            } else {
                c.set_step_state(id, seq, state, detail, at)?;
            }
            Ok::<_, AppError>(((), event))
        })?;
        if let Some(step) = running.steps.iter_mut().find(|s| s.seq == seq) {
            step.state = state.to_owned();
            step.detail = detail.map(str::to_owned);
            if state == "sent" {
                step.sent_at = Some(at);
            }
        }
        Ok(())
    }

    /// Ends a proposal's run: back to a person (nothing was merged) or failed, together with
    /// the step that failed, in one transaction (a kill between the two would leave it
    /// executing with nothing left to do). Backups stay once a merge call was sent.
    fn fail(
        &mut self,
        running: &mut Running,
        step: Option<(i64, &str)>,
        reason: String,
        back_to_pending: bool,
    ) -> Result<(), AppError> {
        let at = self.env.clock.now();
        let id = running.row.id;
        let state = if back_to_pending {
            ProposalState::Pending
        } else {
            ProposalState::Failed
        };
        let event = self.audit(
            if back_to_pending {
                "merge.back_to_pending"
            } else {
                "merge.failed"
            },
            format!("merge proposal {id}"),
            serde_json::json!({"why": reason, "step": step.map(|(seq, _)| seq)}),
        );
        self.workspace.change(|c| {
            if let Some((seq, detail)) = step {
                c.set_step_state(id, seq, "failed", Some(detail), at)?;
            }
            c.set_proposal_state(id, state, Some(&reason), at)?;
            if back_to_pending {
                c.clear_approvals(id)?;
                c.set_approved_digest(id, None)?;
            } else {
                // A reviewer's typed values are not kept for a proposal that will not run.
                c.blank_overrides(id)?;
            }
            // Guarded in SQL: kept once any merge call was sent.
            c.delete_proposal_backups(id)?;
            Ok::<_, AppError>(((), event))
        })?;
        if let Some((seq, detail)) = step
            && let Some(s) = running.steps.iter_mut().find(|s| s.seq == seq)
        {
            s.state = "failed".into();
            s.detail = Some(detail.to_owned());
        }
        if back_to_pending {
            self.report.back_to_pending.push((id, reason));
        } else {
            self.report.failed.push((id, reason));
        }
        Ok(())
    }

    /// Backs up, checks and plans the chunk's proposals that have no journal yet.
    async fn prepare(&mut self, chunk: &mut Vec<Running>) -> Result<(), AppError> {
        let fresh: Vec<usize> = (0..chunk.len())
            .filter(|&i| chunk[i].steps.is_empty())
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let wanted: Vec<String> = fresh
            .iter()
            .flat_map(|&i| {
                let r = &chunk[i];
                r.hub_ids()
                    .into_iter()
                    .filter(|id| !r.backups.contains_key(id))
                    .collect::<Vec<_>>()
            })
            .collect();
        let read: HashMap<String, RecordBackup> = if wanted.is_empty() {
            HashMap::new()
        } else {
            merger_of(self.hub.as_ref(), self.inputs.hub.name.as_str())?
                .backup_records(ObjectType::Person, &wanted)
                .await
                .map_err(external)?
                .into_iter()
                .map(|b| (b.id.clone(), b))
                .collect()
        };
        // Store every proposal's backups whole, or none of them.
        let at = self.env.clock.now();
        let hub_id = self.inputs.hub.id;
        let mut stored: Vec<(usize, Vec<RecordBackup>)> = Vec::new();
        let mut missing: Vec<(usize, Vec<String>)> = Vec::new();
        for &i in &fresh {
            let r = &chunk[i];
            let need: Vec<String> = r
                .hub_ids()
                .into_iter()
                .filter(|id| !r.backups.contains_key(id))
                .collect();
            let gone: Vec<String> = need
                .iter()
                .filter(|id| !read.contains_key(*id))
                .cloned()
                .collect();
            if gone.is_empty() {
                stored.push((
                    i,
                    need.iter().filter_map(|id| read.get(id).cloned()).collect(),
                ));
            } else {
                missing.push((i, gone));
            }
        }
        let count: usize = stored.iter().map(|(_, b)| b.len()).sum();
        if count > 0 {
            let event = self.audit(
                "merge.backup",
                format!("{count} hub records"),
                serde_json::json!({"proposals": stored.iter().map(|(i, _)| chunk[*i].row.id).collect::<Vec<_>>(), "records": count}),
            );
            let rows: Vec<(i64, RecordBackup)> = stored
                .iter()
                .flat_map(|(i, b)| b.iter().map(|b| (chunk[*i].row.id, b.clone())))
                .collect();
            self.workspace.change(|c| {
                for (proposal, backup) in &rows {
                    let content = serde_json::to_value(backup)
                        .map_err(|e| AppError::new(ErrorCode::Internal, format!("backup: {e}")))?;
                    c.insert_backup(
                        *proposal,
                        hub_id,
                        ObjectType::Person,
                        &backup.id,
                        &content,
                        at,
                    )?;
                }
                Ok::<_, AppError>(((), event))
            })?;
            for (i, backups) in stored {
                for b in backups {
                    chunk[i].backups.insert(b.id.clone(), b);
                }
            }
        }
        let mut dropped: BTreeSet<usize> = BTreeSet::new();
        for (i, gone) in missing {
            let reason = format!(
                "{} no longer live in {} (merged or deleted outside Steward): sync and find \
                 duplicates again; nothing was merged",
                gone.join(", "),
                self.inputs.hub.name
            );
            self.fail(&mut chunk[i], None, reason, false)?;
            dropped.insert(i);
        }
        let api = self.merger()?.merge_api();
        // Files and databases are never written: their copies are left for drift.
        let http_systems: BTreeSet<i64> = steward_store::list_systems(self.workspace.conn())?
            .into_iter()
            .filter(|s| s.kind.transport() == steward_domain::Transport::Http)
            .map(|s| s.id)
            .collect();
        for &i in &fresh {
            if dropped.contains(&i) {
                continue;
            }
            // What runs must be what was approved: the golden record from the live backups
            // against the one approved (from the cache then).
            let live = golden_digest(&live_golden(&self.workspace, &self.inputs, &chunk[i])?);
            if chunk[i].row.approved_digest.as_deref() != Some(live.as_str()) {
                let changed = changed_since_review(&self.workspace, &self.inputs, &chunk[i])?;
                let reason = format!(
                    "the golden record changed since it was approved{}: sync, review and \
                     approve again; nothing was merged",
                    if changed.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (changed in {}: {})",
                            self.inputs.hub.name,
                            changed
                                .iter()
                                .take(5)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                );
                self.fail(&mut chunk[i], None, reason, true)?;
                dropped.insert(i);
                continue;
            }
            // A surviving value HubSpot would refuse is caught now, before the irreversible
            // merge, not by the values write after it.
            if self.options.is_none() {
                let options = merger_of(self.hub.as_ref(), self.inputs.hub.name.as_str())?
                    .property_options(ObjectType::Person)
                    .await
                    .map_err(external)?;
                self.options = Some(options);
            }
            let golden = live_golden(&self.workspace, &self.inputs, &chunk[i])?;
            let refused = refused_options(&golden, self.options.as_ref(), &self.inputs.read_only);
            if !refused.is_empty() {
                let reason = format!(
                    "{} would refuse these surviving values: {}; set another value and approve \
                     again; nothing was merged",
                    self.inputs.hub.name,
                    refused.join("; ")
                );
                self.fail(&mut chunk[i], None, reason, true)?;
                dropped.insert(i);
                continue;
            }
            let identities: Vec<usize> = chunk[i]
                .hub_ids()
                .iter()
                .map(|id| 1 + chunk[i].backups.get(id).map_or(0, |b| b.merged_ids.len()))
                .collect();
            if let Err(reason) = check_identity_cap(api, &identities) {
                self.fail(&mut chunk[i], None, reason, false)?;
                dropped.insert(i);
                continue;
            }
            let r = &chunk[i];
            let mut steps: Vec<NewStep> = plan_steps(api, &r.row.survivor, &r.absorbed())
                .into_iter()
                .map(|s| NewStep {
                    kind: "merge",
                    survivor: s.survivor,
                    absorbed: s.absorbed,
                })
                .collect();
            steps.push(NewStep {
                kind: "values",
                survivor: r.row.survivor.clone(),
                absorbed: Vec::new(),
            });
            if self.holders.is_none() {
                self.holders = Some(crosswalk_holders(&self.workspace, self.inputs.hub.id)?);
            }
            // Spoke copies: those whose crosswalk keeps a merged-away id (re-pointed), and
            // the records matched to the group (given the golden values they don't own).
            let mut moved: Vec<String> = r
                .absorbed()
                .iter()
                .filter_map(|a| self.holders.as_ref().and_then(|h| h.get(a)))
                .flatten()
                .cloned()
                .collect();
            for m in r
                .members
                .iter()
                .filter(|m| m.role == "copy" && http_systems.contains(&m.system_id))
            {
                let already = moved.iter().any(|t| {
                    Target::parse(t)
                        .is_some_and(|t| t.system == m.system_id && t.external_id == m.external_id)
                });
                if !already {
                    moved.push(Target::encode(m.system_id, "", &m.external_id));
                }
            }
            if !moved.is_empty() {
                steps.push(NewStep {
                    kind: "repoint",
                    survivor: r.row.survivor.clone(),
                    absorbed: moved,
                });
            }
            let id = r.row.id;
            let event = self.audit(
                "merge.plan",
                format!("merge proposal {id}"),
                serde_json::json!({"survivor": r.row.survivor, "absorbed": r.absorbed(), "calls": steps.len()}),
            );
            self.workspace.change(|c| {
                c.plan_steps(id, &steps)?;
                Ok::<_, AppError>(((), event))
            })?;
            chunk[i].steps = steward_store::merge_steps(self.workspace.conn(), id)?;
        }
        let mut keep = 0;
        chunk.retain(|_| {
            keep += 1;
            !dropped.contains(&(keep - 1))
        });
        Ok(())
    }

    /// Runs (or settles) one proposal's merge calls. False when the proposal failed.
    async fn merge_calls(
        &mut self,
        running: &mut Running,
        progress: &(dyn Fn(MergeProgress) + Send + Sync),
    ) -> Result<bool, AppError> {
        let pending: Vec<StepRow> = running
            .steps
            .iter()
            .filter(|s| s.kind == "merge" && (s.state == "planned" || s.state == "sent"))
            .cloned()
            .collect();
        let planned_merges = running.steps.iter().filter(|s| s.kind == "merge").count();
        for step in pending {
            if self.cancel.is_cancelled() {
                self.report.cancelled = true;
                return Ok(false);
            }
            let mut resent = None;
            if step.state == "sent" {
                match self.settle(&step).await? {
                    Settled::Done => {
                        self.report.settled_after_crash += 1;
                        self.confirm_merge(running, &step, Some("settled after an interruption"))?;
                        progress(self.progress("merging"));
                        continue;
                    }
                    Settled::NotDone => {
                        self.report.settled_after_crash += 1;
                        resent = Some("sent again after an interruption: the CRM had not done it");
                    }
                    Settled::Lost(reason) => {
                        let summary = self.partial(running, planned_merges, &reason);
                        self.fail(running, Some((step.seq, &reason)), summary, false)?;
                        return Ok(false);
                    }
                }
            } else {
                self.step_state(running, step.seq, "sent", None)?;
            }
            // An error may hide a merge that happened: ask before anything else, and send
            // again only what the CRM says it has not done (a few times for a transient one).
            let mut attempt = 0;
            loop {
                let sent = merger_of(self.hub.as_ref(), self.inputs.hub.name.as_str())?
                    .merge(ObjectType::Person, &step.survivor, &step.absorbed)
                    .await;
                let error = match sent {
                    Ok(answered) if answered.as_deref().is_none_or(|id| id == step.survivor) => {
                        self.confirm_merge(running, &step, resent)?;
                        break;
                    }
                    Ok(answered) => {
                        // The merge happened, but the record lives on under another id: the
                        // rest of the plan names the old one.
                        let other = answered.unwrap_or_default();
                        self.confirm_merge(running, &step, Some(&format!("answered as {other}")))?;
                        let summary = format!(
                            "{} answered the merge with record {other}, not {}: the remaining \
                             calls were not sent; look at record {other} in the CRM (the \
                             backups hold every record)",
                            self.inputs.hub.name, step.survivor
                        );
                        self.fail(running, None, summary, false)?;
                        return Ok(false);
                    }
                    Err(ConnectorError::Cancelled) => {
                        // Left `sent`: the next run asks the CRM.
                        self.report.cancelled = true;
                        return Ok(false);
                    }
                    Err(e) => e,
                };
                match self.settle(&step).await? {
                    Settled::Done => {
                        self.confirm_merge(
                            running,
                            &step,
                            Some("confirmed by asking after an error"),
                        )?;
                        break;
                    }
                    Settled::NotDone if transient(&error) && attempt < 3 => {
                        attempt += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(400 * attempt)).await;
                    }
                    Settled::NotDone | Settled::Lost(_) => {
                        let reason = error.to_string();
                        let summary = self.partial(running, planned_merges, &reason);
                        self.fail(running, Some((step.seq, &reason)), summary, false)?;
                        return Ok(false);
                    }
                }
            }
            progress(self.progress("merging"));
        }
        Ok(true)
    }

    fn partial(&self, running: &Running, planned: usize, reason: &str) -> String {
        let done = running
            .steps
            .iter()
            .filter(|s| s.kind == "merge" && s.state == "confirmed")
            .count();
        format!(
            "{done} of {planned} merges done (irreversible; the backups hold every record: \
             `steward merge restore` brings a merged-away one back), then: {reason}"
        )
    }

    fn progress(&self, stage: &str) -> MergeProgress {
        MergeProgress {
            stage: stage.into(),
            done: self.done,
            total: self.total,
        }
    }

    fn confirm_merge(
        &mut self,
        running: &mut Running,
        step: &StepRow,
        detail: Option<&str>,
    ) -> Result<(), AppError> {
        self.step_state(running, step.seq, "confirmed", detail)?;
        self.report.merges += 1;
        self.done += 1;
        Ok(())
    }

    /// Where an unanswered merge stands: asked of the CRM, never assumed.
    async fn settle(&mut self, step: &StepRow) -> Result<Settled, AppError> {
        let merger = merger_of(self.hub.as_ref(), self.inputs.hub.name.as_str())?;
        let mut merged = 0;
        for id in &step.absorbed {
            match merger
                .whereabouts(ObjectType::Person, id)
                .await
                .map_err(external)?
            {
                Whereabouts::MergedInto(into) if into == step.survivor => merged += 1,
                Whereabouts::Live => {}
                Whereabouts::MergedInto(other) => {
                    return Ok(Settled::Lost(format!(
                        "{id} was merged into {other} outside this proposal"
                    )));
                }
                Whereabouts::Gone => {
                    return Ok(Settled::Lost(format!("{id} is no longer in the CRM")));
                }
            }
        }
        Ok(if merged == step.absorbed.len() {
            Settled::Done
        } else {
            Settled::NotDone
        })
    }

    /// Writes the surviving values of every proposal whose merges are done, in batches.
    async fn write_values(&mut self, chunk: &mut [Running]) -> Result<(), AppError> {
        // (proposal index, the values step, property → value, canonical fields written)
        let mut batch: Vec<ValueWrite> = Vec::new();
        for (i, r) in chunk.iter().enumerate() {
            let merged = r
                .steps
                .iter()
                .filter(|s| s.kind == "merge")
                .all(|s| s.state == "confirmed");
            let Some(step) = r.steps.iter().find(|s| s.kind == "values") else {
                continue;
            };
            if !merged || step.state == "confirmed" || step.state == "failed" {
                continue;
            }
            let (values, fields) = live_writes(&self.workspace, &self.inputs, r)?;
            batch.push((i, step.seq, values, fields));
        }
        if batch.is_empty() {
            return Ok(());
        }
        for (i, seq, _, _) in &batch {
            // Re-sending values is harmless: a `sent` step is simply written again.
            if chunk[*i]
                .steps
                .iter()
                .any(|s| s.seq == *seq && s.state == "planned")
            {
                self.step_state(&mut chunk[*i], *seq, "sent", None)?;
            }
        }
        let writes: Vec<(String, BTreeMap<String, String>)> = batch
            .iter()
            .filter(|(_, _, v, _)| !v.is_empty())
            .map(|(i, _, v, _)| (chunk[*i].row.survivor.clone(), v.clone()))
            .collect();
        let results = if writes.is_empty() {
            Vec::new()
        } else {
            merger_of(self.hub.as_ref(), self.inputs.hub.name.as_str())?
                .write_many(ObjectType::Person, &writes)
                .await
                .map_err(external)?
        };
        let mut outcome = results.into_iter();
        for (i, seq, values, fields) in batch {
            let refused = if values.is_empty() {
                None
            } else {
                outcome.next().flatten()
            };
            match refused {
                None => {
                    let detail = if fields.is_empty() {
                        "nothing to change".to_owned()
                    } else {
                        format!("wrote {}", fields.join(", "))
                    };
                    self.step_state(&mut chunk[i], seq, "confirmed", Some(&detail))?;
                    // Into the cache too, as the next sync would read it.
                    if let Some(record) = steward_store::record_id(
                        self.workspace.conn(),
                        self.inputs.hub.id,
                        ObjectType::Person,
                        &chunk[i].row.survivor,
                    )? {
                        let at = self.env.clock.now();
                        let event = self.audit(
                            "merge.cache",
                            format!("merge proposal {}", chunk[i].row.id),
                            serde_json::json!({"fields": fields}),
                        );
                        self.workspace.change(|c| {
                            for (field, value) in &values {
                                c.cache_written_value(record, field, value, at, None)?;
                            }
                            Ok::<_, AppError>(((), event))
                        })?;
                    }
                }
                Some(reason) => {
                    let summary = format!(
                        "merged, but the surviving values were refused ({reason}); set them in \
                         the CRM by hand (the backups hold every value)"
                    );
                    self.fail(&mut chunk[i], Some((seq, &reason)), summary, false)?;
                }
            }
        }
        Ok(())
    }

    /// Points spoke copies that kept an absorbed id at the survivor.
    async fn repoint(&mut self, running: &mut Running) -> Result<(), AppError> {
        let Some(step) = running
            .steps
            .iter()
            .find(|s| s.kind == "repoint" && s.state != "confirmed" && s.state != "failed")
            .cloned()
        else {
            return Ok(());
        };
        // Copies are pointed at the survivor only once every merge is confirmed.
        if running
            .steps
            .iter()
            .any(|s| s.kind == "merge" && s.state != "confirmed")
        {
            return Ok(());
        }
        if step.state == "planned" {
            self.step_state(running, step.seq, "sent", None)?;
        }
        let golden = live_golden(&self.workspace, &self.inputs, running)?;
        let mut notes = Vec::new();
        let mut refused = Vec::new();
        for target in &step.absorbed {
            let Some(Target {
                system,
                field,
                external_id,
            }) = Target::parse(target)
            else {
                refused.push(format!(
                    "an unreadable journal entry ({} characters)",
                    target.len()
                ));
                continue;
            };
            let (field, external_id) = (field.as_str(), external_id.as_str());
            if !self.spokes.contains_key(&system) {
                let Some(found) = steward_store::list_systems(self.workspace.conn())?
                    .into_iter()
                    .find(|s| s.id == system)
                else {
                    notes.push(format!("system {system} was removed"));
                    continue;
                };
                let connector =
                    Connecting::new(self.env, &self.workspace, &found, self.cancel.clone())?
                        .connect()
                        .await?;
                self.spokes.insert(system, connector);
            }
            let connector = &self.spokes[&system];
            let name = self.inputs.names.get(&system).cloned().unwrap_or_default();
            if !connector.writable() {
                notes.push(format!(
                    "{name} is read-only here: {external_id} left for drift"
                ));
                continue;
            }
            let record = steward_store::record_id(
                self.workspace.conn(),
                system,
                ObjectType::Person,
                external_id,
            )?;
            let cached = match record {
                Some(_) => steward_store::get_record(
                    self.workspace.conn(),
                    &steward_domain::RecordKey {
                        system_id: system,
                        object: ObjectType::Person,
                        external_id: external_id.to_owned(),
                    },
                )?
                .map(|r| r.fields)
                .unwrap_or_default(),
                None => BTreeMap::new(),
            };
            let mut values = spoke_values(&self.workspace, &self.inputs, &golden, system, &cached);
            if !field.is_empty() {
                values.insert(field.to_owned(), step.survivor.clone());
            }
            if values.is_empty() {
                continue;
            }
            // The copy as it was, before Steward writes into it (kept once per proposal).
            let before = serde_json::json!({
                "id": external_id,
                "properties": cached
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.value.clone())))
                    .collect::<serde_json::Map<_, _>>(),
            });
            let at = self.env.clock.now();
            let event = self.audit(
                "merge.backup",
                format!("merge proposal {}", running.row.id),
                serde_json::json!({"system": name, "record": external_id, "copy": true}),
            );
            let proposal = running.row.id;
            self.workspace.change(|c| {
                c.insert_backup(
                    proposal,
                    system,
                    ObjectType::Person,
                    external_id,
                    &before,
                    at,
                )?;
                Ok::<_, AppError>(((), event))
            })?;
            let written: Vec<&String> = values.keys().collect();
            match connector
                .write_values(ObjectType::Person, external_id, &values)
                .await
            {
                Ok(()) => {
                    notes.push(format!(
                        "{name} {external_id} ({})",
                        written
                            .iter()
                            .map(|f| f.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    if let Some(record) = record {
                        let at = self.env.clock.now();
                        let event = self.audit(
                            "merge.cache",
                            format!("merge proposal {}", running.row.id),
                            serde_json::json!({"system": name, "record": external_id, "fields": written}),
                        );
                        self.workspace.change(|c| {
                            for (field, value) in &values {
                                c.cache_written_value(record, field, value, at, None)?;
                            }
                            Ok::<_, AppError>(((), event))
                        })?;
                    }
                }
                Err(ConnectorError::Cancelled) => {
                    self.report.cancelled = true;
                    return Ok(());
                }
                Err(e) => refused.push(format!("{name} {external_id}: {e}")),
            }
        }
        if refused.is_empty() {
            let detail = if notes.is_empty() {
                "spoke copies already agree".to_owned()
            } else {
                format!("spoke copies updated: {}", notes.join("; "))
            };
            self.step_state(running, step.seq, "confirmed", Some(&detail))?;
        } else {
            // The merge itself is done; the copies left behind show up in drift.
            let detail = format!(
                "not updated: {}{}",
                refused.join("; "),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("; updated: {}", notes.join("; "))
                }
            );
            self.step_state(running, step.seq, "failed", Some(&detail))?;
        }
        Ok(())
    }

    /// A proposal whose every step is confirmed: done, merged-away records out of the cache.
    fn finish(&mut self, running: &Running) -> Result<(), AppError> {
        // A spoke copy that could not be re-pointed does not undo a merge: the proposal is
        // done, and says what was left behind.
        let settled =
            |s: &StepRow| s.state == "confirmed" || (s.kind == "repoint" && s.state == "failed");
        if !running.steps.iter().all(settled) {
            return Ok(());
        }
        let left_behind = running
            .steps
            .iter()
            .find(|s| s.kind == "repoint" && s.state == "failed")
            .and_then(|s| s.detail.clone())
            .map(|d| format!("merged; spoke copies {d}"));
        let at = self.env.clock.now();
        let id = running.row.id;
        let absorbed = running.absorbed();
        let hub_id = self.inputs.hub.id;
        let event = self.audit(
            "merge.done",
            format!("merge proposal {id}"),
            serde_json::json!({"survivor": running.row.survivor, "absorbed": absorbed, "calls": running.steps.len()}),
        );
        self.workspace.change(|c| {
            c.set_proposal_state(id, ProposalState::Done, left_behind.as_deref(), at)?;
            c.blank_overrides(id)?;
            for a in &absorbed {
                c.remove_cached_record(hub_id, ObjectType::Person, a)?;
            }
            Ok::<_, AppError>(((), event))
        })?;
        self.report.proposals_done += 1;
        Ok(())
    }
}

/// Worth sending again once the CRM says it was not done.
fn transient(error: &ConnectorError) -> bool {
    match error {
        ConnectorError::Unreachable { .. } | ConnectorError::RateLimited { .. } => true,
        ConnectorError::Http { status, .. } => *status >= 500,
        _ => false,
    }
}

type ValueWrite = (usize, i64, BTreeMap<String, String>, Vec<String>);

enum Settled {
    Done,
    NotDone,
    Lost(String),
}

/// One merge run per workspace at a time, across windows and commands.
fn merge_lock(workspace: &std::path::Path) -> Result<std::fs::File, AppError> {
    crate::lock::exclusive(
        workspace,
        "merge",
        "merges are running for this workspace in another window or command: wait for them \
         to finish, or cancel them there",
    )
}

/// Merges approved proposals in the hub (interrupted ones first), as described above.
pub async fn execute_merges(
    env: &SyncEnv,
    request: &ExecuteRequest,
    progress: &(dyn Fn(MergeProgress) + Send + Sync),
    cancel: CancellationToken,
) -> Result<ExecuteReport, AppError> {
    crate::governance::require_at(env, steward_domain::Action::ReviewMerges)?;
    let started = Instant::now();
    let _lock = merge_lock(&env.workspace_path)?;
    let workspace = Workspace::open(&env.workspace_path)?;
    let inputs = GoldenInputs::load(&workspace)?;
    let hub = hub_of(&workspace)?;
    let connector = Connecting::new(env, &workspace, &hub, cancel.clone())?
        .connect()
        .await?;
    if connector.merger().is_none() {
        return Err(AppError::invalid(format!(
            "{} has no merge API Steward can use (HubSpot has; Salesforce is next)",
            hub.name
        )));
    }
    let conn = workspace.conn();
    let mut queue: Vec<ProposalRow> =
        steward_store::list_proposals(conn, &[ProposalState::Executing], u32::MAX, 0)?;
    let mut approved =
        steward_store::list_proposals(conn, &[ProposalState::Approved], u32::MAX, 0)?;
    if !request.ids.is_empty() {
        for id in &request.ids {
            let known = queue.iter().chain(&approved).any(|p| p.id == *id);
            if !known {
                let state = steward_store::get_proposal(conn, *id)?
                    .map_or_else(|| "unknown".to_owned(), |p| p.state.to_string());
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("proposal {id} is {state}: only approved proposals are merged"),
                ));
            }
        }
        approved.retain(|p| request.ids.contains(&p.id));
    }
    approved.sort_by_key(|p| p.id);
    if let Some(limit) = request.limit {
        approved.truncate(limit as usize);
    }
    queue.extend(approved);
    let mut run = Run {
        env,
        inputs,
        hub: connector,
        spokes: HashMap::new(),
        holders: None,
        options: None,
        cancel: cancel.clone(),
        report: ExecuteReport::default(),
        done: 0,
        total: 0,
        workspace,
    };
    let mut all: Vec<Running> = Vec::with_capacity(queue.len());
    for row in queue {
        let conn = run.workspace.conn();
        let members = steward_store::proposal_members(conn, row.id)?;
        let steps = steward_store::merge_steps(conn, row.id)?;
        let mut backups = HashMap::new();
        for b in steward_store::proposal_backups(conn, row.id)? {
            if b.system_id != hub.id {
                continue;
            }
            let record: RecordBackup = serde_json::from_value(b.content).map_err(|e| {
                AppError::new(
                    ErrorCode::WorkspaceUnusable,
                    format!(
                        "backup {} of merge proposal {} cannot be read ({e}); nothing was sent",
                        b.id, row.id
                    ),
                )
            })?;
            backups.insert(record.id.clone(), record);
        }
        all.push(Running {
            row,
            members,
            steps,
            backups,
        });
    }
    // An executing proposal with a failed merge or values step has nothing left to run.
    let mut runnable = Vec::with_capacity(all.len());
    for mut r in all {
        let failed = r
            .steps
            .iter()
            .find(|s| s.kind != "repoint" && s.state == "failed")
            .map(|s| (s.seq, s.detail.clone().unwrap_or_default()));
        match failed {
            Some((seq, detail)) => {
                let reason = format!("step {seq} failed in an earlier run: {detail}");
                run.fail(&mut r, None, reason, false)?;
            }
            None => runnable.push(r),
        }
    }
    run.total = runnable.iter().map(Running::merges_left).sum();
    progress(run.progress("backing_up"));
    let mut rest = runnable.into_iter();
    loop {
        let mut chunk: Vec<Running> = rest.by_ref().take(CHUNK).collect();
        if chunk.is_empty() || cancel.is_cancelled() {
            run.report.cancelled |= cancel.is_cancelled();
            break;
        }
        let at = env.clock.now();
        let starting: Vec<i64> = chunk
            .iter()
            .filter(|r| r.row.state == ProposalState::Approved)
            .map(|r| r.row.id)
            .collect();
        if !starting.is_empty() {
            let event = run.audit(
                "merge.start",
                format!("{} proposals", starting.len()),
                serde_json::json!({"proposals": starting}),
            );
            // Compare-and-set: one rejected or edited since the run began is left alone.
            let claimed = run.workspace.change(|c| {
                let mut claimed = BTreeSet::new();
                for id in &starting {
                    if c.transition(
                        *id,
                        &[ProposalState::Approved],
                        ProposalState::Executing,
                        at,
                    )? {
                        claimed.insert(*id);
                    }
                }
                Ok::<_, AppError>((claimed, event))
            })?;
            chunk.retain_mut(|r| {
                if r.row.state != ProposalState::Approved {
                    return true;
                }
                if claimed.contains(&r.row.id) {
                    r.row.state = ProposalState::Executing;
                    return true;
                }
                run.report.skipped.push((
                    r.row.id,
                    "changed while the run was going (rejected, edited or withdrawn); not merged"
                        .into(),
                ));
                false
            });
        }
        let chunk_ids: Vec<i64> = chunk.iter().map(|r| r.row.id).collect();
        progress(run.progress("backing_up"));
        if let Err(e) = run.prepare(&mut chunk).await {
            if e.code == ErrorCode::Cancelled {
                run.report.cancelled = true;
                run.release(&chunk_ids)?;
                break;
            }
            return Err(e);
        }
        // A cancel that arrives inside a call comes back as an error: the same as one
        // between calls (what was sent is settled next time, the rest is handed back).
        let stopped = |e: &AppError| e.code == ErrorCode::Cancelled;
        let mut ok = Vec::with_capacity(chunk.len());
        for mut r in chunk {
            match run.merge_calls(&mut r, progress).await {
                Ok(true) => ok.push(r),
                Ok(false) => {}
                Err(e) if stopped(&e) => run.report.cancelled = true,
                Err(e) => return Err(e),
            }
            if run.report.cancelled {
                break;
            }
        }
        if !run.report.cancelled {
            progress(run.progress("writing"));
            match run.write_values(&mut ok).await {
                Ok(()) => {}
                Err(e) if stopped(&e) => run.report.cancelled = true,
                Err(e) => return Err(e),
            }
        }
        if !run.report.cancelled {
            for r in &mut ok {
                match run.repoint(r).await {
                    Ok(()) => {}
                    Err(e) if stopped(&e) => run.report.cancelled = true,
                    Err(e) => return Err(e),
                }
                if run.report.cancelled {
                    break;
                }
                run.finish(r)?;
            }
        }
        if run.report.cancelled {
            run.release(&chunk_ids)?;
            break;
        }
    }
    run.report.api_calls = run.hub.api_calls();
    run.report.seconds = started.elapsed().as_secs_f64();
    progress(run.progress("done"));
    tracing::info!(
        proposals = run.report.proposals_done,
        merges = run.report.merges,
        failed = run.report.failed.len(),
        settled = run.report.settled_after_crash,
        "merges executed"
    );
    Ok(run.report)
}

/// Recreates a merged-away record from its backup: a new record (new id) with the backup's
/// writable properties and its associations, recorded in the audit log with why. A unique
/// address the survivor holds now is left out, and said so.
pub async fn restore_backup(
    env: &SyncEnv,
    backup_id: i64,
    why: &str,
    cancel: CancellationToken,
) -> Result<RestoreReport, AppError> {
    let why = why.trim();
    if why.is_empty() {
        return Err(AppError::invalid("say why this record comes back (--why)"));
    }
    crate::governance::require_at(env, steward_domain::Action::ReviewMerges)?;
    let _lock = merge_lock(&env.workspace_path)?;
    let mut workspace = Workspace::open(&env.workspace_path)?;
    let (backup, record, connecting, survivor) = {
        let conn = workspace.conn();
        let backup = steward_store::get_backup(conn, backup_id)?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("no backup {backup_id} (list them with `steward merge backups`)"),
            )
        })?;
        if let Some(new_id) = &backup.restored_as {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("backup {backup_id} was already restored as record {new_id}"),
            ));
        }
        let proposal = steward_store::get_proposal(conn, backup.proposal_id)?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "the backup's proposal is gone"))?;
        if backup.system_id != proposal.system_id {
            return Err(AppError::invalid(format!(
                "backup {backup_id} is a spoke copy's values before the merge wrote into it: \
                 Steward restores CRM records only; put those values back in that system"
            )));
        }
        if proposal.survivor == backup.external_id {
            return Err(AppError::invalid(format!(
                "record {} survived the merge: it is still in the CRM, nothing to restore",
                backup.external_id
            )));
        }
        let record: RecordBackup = serde_json::from_value(backup.content.clone()).map_err(|e| {
            AppError::new(
                ErrorCode::WorkspaceUnusable,
                format!("backup {backup_id}: {e}"),
            )
        })?;
        let hub = hub_of(&workspace)?;
        let connecting = Connecting::new(env, &workspace, &hub, cancel.clone())?;
        (
            backup,
            record,
            (connecting, hub.name.to_string()),
            proposal.survivor,
        )
    };
    let (connecting, hub_name) = connecting;
    let connector = connecting.connect().await?;
    let merger = connector
        .merger()
        .ok_or_else(|| AppError::invalid(format!("{hub_name} cannot restore merged records")))?;
    // Only a record this merge absorbed comes back: one deleted since (an erasure in the
    // CRM) must stay gone.
    match merger
        .whereabouts(backup.object, &backup.external_id)
        .await
        .map_err(external)?
    {
        Whereabouts::MergedInto(into) if into == survivor => {}
        Whereabouts::Live => {
            return Err(AppError::invalid(format!(
                "record {} is live in the CRM (it was never merged away): nothing to restore",
                backup.external_id
            )));
        }
        Whereabouts::MergedInto(other) => {
            return Err(AppError::invalid(format!(
                "record {} now answers as {other}, not as this merge's survivor {survivor}: \
                 it was merged again since; restore from that merge's backup instead",
                backup.external_id
            )));
        }
        Whereabouts::Gone => {
            return Err(AppError::invalid(format!(
                "the survivor of record {} is gone from the CRM (deleted or erased): a restore \
                 would bring back a person the CRM no longer holds",
                backup.external_id
            )));
        }
    }
    // An earlier attempt that was interrupted after its create call left its marker: look
    // for the record it made (same names, created since) before making another.
    let identity: BTreeMap<String, String> = ["firstname", "lastname"]
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), record.properties.get(*k)?.clone())))
        .collect();
    let mut found = None;
    if let Some(started) = backup.restored_at
        && !identity.is_empty()
    {
        let made = merger
            .find_created(backup.object, &identity, started.millis())
            .await
            .map_err(external)?;
        match made.as_slice() {
            [one] => found = Some(one.clone()),
            [] => {}
            several => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "an interrupted restore of backup {backup_id} may have created one of \
                         records {}: look at them in the CRM before restoring again",
                        several.join(", ")
                    ),
                ));
            }
        }
    }
    let mut left_out = BTreeSet::new();
    let resumed = found.is_some();
    let new_id = match found {
        Some(id) => id,
        None => {
            let (at, actor) = (env.clock.now(), env.actor.clone());
            workspace.change(|c| {
                c.mark_restoring(backup_id, &actor, at)?;
                Ok::<_, AppError>((
                    (),
                    AuditEvent {
                        at,
                        actor: actor.clone(),
                        action: "merge.restore_started".into(),
                        subject: format!("backup {backup_id}"),
                        details: serde_json::json!({"old_id": backup.external_id}),
                    },
                ))
            })?;
            match merger.recreate(backup.object, &record, &left_out).await {
                Ok(id) => id,
                // HubSpot keeps addresses unique: the survivor may hold this one now.
                Err(ConnectorError::Http { status: 409, .. }) => {
                    left_out.insert("email".to_owned());
                    merger
                        .recreate(backup.object, &record, &left_out)
                        .await
                        .map_err(external)?
                }
                Err(e) => return Err(external(e)),
            }
        }
    };

    let at = env.clock.now();
    let actor = env.actor.clone();
    let associations = record.associations.values().map(Vec::len).sum::<usize>();
    let left: Vec<String> = left_out
        .iter()
        .map(|f| format!("{f} (held by another record now: HubSpot keeps it unique)"))
        .collect();
    let system_id = backup.system_id;
    workspace.change(|c| {
        c.mark_restored(backup_id, &new_id, &actor, at)?;
        // A person brought them apart on purpose: matching must not propose them again.
        c.add_not_duplicate(system_id, &survivor, &new_id, &actor, why, at)?;
        Ok::<_, AppError>((
            (),
            AuditEvent {
                at,
                actor: actor.clone(),
                action: "merge.restore".into(),
                subject: format!("backup {backup_id}"),
                details: serde_json::json!({
                    "proposal": backup.proposal_id,
                    "old_id": backup.external_id,
                    "new_id": new_id,
                    "left_out": left_out,
                    "associations": associations,
                    "found_after_an_interruption": resumed,
                    "why": why,
                }),
            },
        ))
    })?;
    Ok(RestoreReport {
        backup_id,
        proposal_id: backup.proposal_id,
        old_id: backup.external_id,
        new_id,
        left_out: left,
        associations: u32::try_from(associations).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_merge_run_per_workspace_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = dir.path().join("ws.steward");
        let held = merge_lock(&workspace).unwrap();
        let second = merge_lock(&workspace).unwrap_err();
        assert_eq!(second.code, ErrorCode::Conflict);
        assert!(
            second.message.contains("another window or command"),
            "{}",
            second.message
        );
        drop(held);
        assert!(
            merge_lock(&workspace).is_ok(),
            "the lock goes with its holder"
        );
    }

    #[test]
    fn journal_targets_round_trip_whatever_the_field_name() {
        for (field, id) in [("crmContactId", "900123"), ("", "7"), ("a/b", "x/y")] {
            let text = Target::encode(3, field, id);
            let back = Target::parse(&text).unwrap();
            assert_eq!(
                (back.system, back.field.as_str(), back.external_id.as_str()),
                (3, field, id)
            );
        }
        assert!(Target::parse("not a target").is_none());
    }
}
