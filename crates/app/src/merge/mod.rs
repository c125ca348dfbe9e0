//! The merge queue (`steward merge …`, the Merge screen): duplicate clusters in the hub
//! become proposals with a golden-record preview; reviewers approve (two of them where the
//! two-person rule says so), reject (remembered as "not a duplicate") or set a value; approved
//! proposals are merged through the CRM's merge API with a backup and a journal (see
//! `execute`), and a merged-away record can be recreated from its backup.
//!
//! Proposals hold record ids only. Values are read from the cache when shown; a reviewer's
//! typed value is kept until the merge is done, then blanked (the CRM holds it).

mod execute;
mod golden;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use steward_domain::{
    AuditEvent, CanonicalField, FieldKey, ObjectType, ProposalState, Role, RuleSet,
    SurvivorCandidate, System, TwoPersonRule, choose_survivor,
};
use steward_store::{MemberRow, NewProposal, OverrideRow, ProposalRow, Workspace};
use ts_rs::TS;

pub use execute::{
    ExecuteReport, ExecuteRequest, MergeProgress, RestoreReport, execute_merges, restore_backup,
};
pub use golden::{GoldenCandidate, GoldenField};
use golden::{GoldenContext, GoldenMember, Override};

use crate::error::{AppError, ErrorCode};
use crate::workspace::Steward;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProposalSummary {
    pub id: i64,
    /// pending, approved, rejected, executing, done, failed
    pub state: String,
    pub score: f64,
    /// Hub records to fold into one.
    pub size: u32,
    pub survivor: String,
    /// The survivor's name or address, for the list.
    pub label: String,
    /// Systems holding a copy of the person besides the hub.
    pub copies: Vec<String>,
    pub approvals: Vec<String>,
    /// Why a second approver is needed (`None`: one is enough).
    pub second_reason: Option<String>,
    pub detail: Option<String>,
    pub decided_by: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    /// Proposals per state.
    pub counts: BTreeMap<String, u64>,
    pub proposals: Vec<ProposalSummary>,
    /// Proposals matching the filter (for paging).
    pub total: u64,
    pub policy: MergePolicyView,
    /// The hub's name, and whether its connector can merge.
    pub hub: Option<String>,
    pub can_merge: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergePolicyView {
    /// Hub records in a cluster from which two approvers are needed (0: never by size).
    pub min_size: u32,
    /// Scores below this need two approvers (0: never).
    pub below_score: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeMemberView {
    pub system: String,
    pub external_id: String,
    /// survivor, absorbed, copy
    pub role: String,
    /// Still in the cache (a merged-away record leaves it).
    pub cached: bool,
    pub created_at: Option<String>,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeAssociationView {
    pub object: String,
    pub external_id: String,
    pub label: String,
    /// The hub records that hold it now.
    pub held_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeStepView {
    pub seq: i64,
    /// merge, values, repoint
    pub kind: String,
    pub survivor: String,
    pub absorbed: Vec<String>,
    /// planned, sent, confirmed, failed
    pub state: String,
    pub detail: Option<String>,
    pub sent_at: Option<String>,
    pub confirmed_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeBackupView {
    pub id: i64,
    pub proposal_id: i64,
    pub external_id: String,
    pub taken_at: String,
    /// Properties held (values are in the backup, not shown in lists).
    pub properties: u32,
    pub associations: u32,
    pub restored_as: Option<String>,
    pub restored_at: Option<String>,
    pub restored_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProposalDetail {
    pub summary: ProposalSummary,
    pub members: Vec<MergeMemberView>,
    pub golden: Vec<GoldenField>,
    pub associations: Vec<MergeAssociationView>,
    pub steps: Vec<MergeStepView>,
    pub backups: Vec<MergeBackupView>,
    /// Fields a person should decide before approving.
    pub open_decisions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProposeReport {
    pub created: u64,
    /// Untouched pending proposals whose cluster no longer exists.
    pub withdrawn: u64,
    /// Clusters left alone: their records are already in a proposal.
    pub already_queued: u64,
    /// Records kept apart because a reviewer said "not a duplicate".
    pub kept_apart: u64,
    /// Clusters with fewer than two hub records (nothing to merge in the CRM).
    pub no_merge: u64,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionReport {
    pub approved: Vec<i64>,
    /// Approved by this person, waiting for a second approver.
    pub awaiting_second: Vec<i64>,
    pub rejected: Vec<i64>,
    /// Proposal id and why it was not changed.
    pub refused: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueQuery {
    /// One state, or all.
    pub state: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// Which proposals to approve: these ids, or every pending one scoring at least this.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApproveRequest {
    pub ids: Vec<i64>,
    pub min_score: Option<f64>,
}

fn label_of(fields: &BTreeMap<String, steward_domain::FieldValue>) -> String {
    let get = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| fields.get(*n).map(|v| v.value.trim().to_owned()))
            .filter(|v| !v.is_empty())
    };
    let first = get(&["firstname", "first_name", "firstName", "First Name"]);
    let last = get(&["lastname", "last_name", "lastName", "Last Name"]);
    match (first, last) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => get(&["email", "Email", "name", "Name"]).unwrap_or_default(),
    }
}

pub(crate) fn rules_of(workspace: &Workspace) -> Result<RuleSet, AppError> {
    match steward_store::latest_rules(workspace.conn())? {
        Some(v) => serde_json::from_value(v.document).map_err(|e| {
            AppError::new(
                ErrorCode::WorkspaceUnusable,
                format!("rule set version {} cannot be read: {e}", v.version),
            )
        }),
        None => Ok(RuleSet::defaults(&steward_store::list_catalog(
            workspace.conn(),
        )?)),
    }
}

pub(crate) fn hub_of(workspace: &Workspace) -> Result<System, AppError> {
    steward_store::list_systems(workspace.conn())?
        .into_iter()
        .find(|s| s.role == Role::Hub)
        .ok_or_else(|| AppError::invalid("no hub system: add the CRM as the hub first"))
}

/// What the golden record needs from the workspace, loaded once.
pub(crate) struct GoldenInputs {
    pub rules: RuleSet,
    pub catalog: Vec<CanonicalField>,
    pub hub: System,
    pub read_only: Vec<String>,
    pub words: BTreeMap<String, Vec<String>>,
    pub names: HashMap<i64, String>,
}

impl GoldenInputs {
    pub fn load(workspace: &Workspace) -> Result<Self, AppError> {
        let hub = hub_of(workspace)?;
        let conn = workspace.conn();
        let read_only = steward_store::system_fields(conn, hub.id)?
            .into_iter()
            .filter(|f| f.read_only && f.object == ObjectType::Person)
            .map(|f| f.name)
            .collect();
        let rules = rules_of(workspace)?;
        let mut words = BTreeMap::new();
        if let Some(mapping) = rules.mapping_of(hub.name.as_str(), ObjectType::Person) {
            for (field, key) in &mapping.fields {
                if rules.status_model(ObjectType::Person, key).is_some() {
                    let values: Vec<String> =
                        steward_store::value_counts(conn, hub.id, ObjectType::Person, field, 200)?
                            .into_iter()
                            .map(|(v, _)| v)
                            .collect();
                    words.insert(field.clone(), values);
                }
            }
        }
        Ok(Self {
            rules,
            catalog: steward_store::list_catalog(conn)?,
            read_only,
            words,
            names: steward_store::list_systems(conn)?
                .into_iter()
                .map(|s| (s.id, s.name.to_string()))
                .collect(),
            hub,
        })
    }

    pub fn context(&self) -> GoldenContext<'_> {
        GoldenContext {
            rules: &self.rules,
            catalog: &self.catalog,
            object: ObjectType::Person,
            hub_name: self.hub.name.as_str(),
            hub_read_only: &self.read_only,
            hub_words: &self.words,
        }
    }
}

pub(crate) fn overrides_of(
    workspace: &Workspace,
    id: i64,
) -> Result<BTreeMap<String, Override>, AppError> {
    Ok(steward_store::overrides(workspace.conn(), id)?
        .into_iter()
        .map(|o| {
            (
                o.field,
                Override {
                    value: o.value,
                    reason: o.reason,
                    actor: o.actor,
                },
            )
        })
        .collect())
}

/// The members as the golden record reads them, from the cache.
fn cached_members(
    workspace: &Workspace,
    inputs: &GoldenInputs,
    members: &[MemberRow],
) -> Result<Vec<GoldenMember>, AppError> {
    let mut out = Vec::new();
    for m in members {
        let key = steward_domain::RecordKey {
            system_id: m.system_id,
            object: ObjectType::Person,
            external_id: m.external_id.clone(),
        };
        let Some(record) = steward_store::get_record(workspace.conn(), &key)? else {
            continue;
        };
        out.push(GoldenMember {
            system: inputs.names.get(&m.system_id).cloned().unwrap_or_default(),
            is_hub: m.system_id == inputs.hub.id,
            is_survivor: m.role == "survivor",
            external_id: m.external_id.clone(),
            fields: record.fields,
        });
    }
    Ok(out)
}

fn summary(
    workspace: &Workspace,
    names: &HashMap<i64, String>,
    row: &ProposalRow,
) -> Result<ProposalSummary, AppError> {
    let conn = workspace.conn();
    let members = steward_store::proposal_members(conn, row.id)?;
    let label = steward_store::get_record(
        conn,
        &steward_domain::RecordKey {
            system_id: row.system_id,
            object: row.object,
            external_id: row.survivor.clone(),
        },
    )?
    .map(|r| label_of(&r.fields))
    .unwrap_or_default();
    let copies: BTreeSet<String> = members
        .iter()
        .filter(|m| m.role == "copy")
        .filter_map(|m| names.get(&m.system_id).cloned())
        .collect();
    Ok(ProposalSummary {
        id: row.id,
        state: row.state.to_string(),
        score: row.score,
        size: u32::try_from(members.iter().filter(|m| m.role != "copy").count()).unwrap_or(0),
        survivor: row.survivor.clone(),
        label,
        copies: copies.into_iter().collect(),
        approvals: steward_store::approvals(conn, row.id)?
            .into_iter()
            .map(|(a, _)| a)
            .collect(),
        second_reason: row.second_reason.clone(),
        detail: row.detail.clone(),
        decided_by: row.decided_by.clone(),
        updated_at: row.updated_at.to_rfc3339(),
    })
}

fn names_of(workspace: &Workspace) -> Result<HashMap<i64, String>, AppError> {
    Ok(steward_store::list_systems(workspace.conn())?
        .into_iter()
        .map(|s| (s.id, s.name.to_string()))
        .collect())
}

fn not_found(id: i64) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("no merge proposal {id} (list them with `steward merge queue`)"),
    )
}

/// (cluster, hub records (record id, external id), weakest link, spoke copies (system id,
/// record id, external id)).
type HubGroup = (i64, Vec<(i64, String)>, f64, Vec<(i64, i64, String)>);

/// The hub records of one cluster that are matched to each other directly (a link at or
/// above the run's threshold), with the weakest link that joins each group. Hub records
/// joined only through another system's record are never proposed together: a merge is
/// irreversible, and a third record resembling both is not evidence enough.
fn hub_groups(
    hub_records: &BTreeMap<i64, String>,
    links: &[(i64, i64, f64)],
    threshold: f64,
) -> Vec<(Vec<(i64, String)>, f64)> {
    let mut parent: BTreeMap<i64, i64> = hub_records.keys().map(|&r| (r, r)).collect();
    fn root(parent: &mut BTreeMap<i64, i64>, mut x: i64) -> i64 {
        while let Some(&p) = parent.get(&x) {
            if p == x {
                break;
            }
            x = p;
        }
        x
    }
    let mut weakest: BTreeMap<i64, f64> = BTreeMap::new();
    let mut edges: Vec<&(i64, i64, f64)> = links
        .iter()
        .filter(|(a, b, p)| {
            *p >= threshold && hub_records.contains_key(a) && hub_records.contains_key(b)
        })
        .collect();
    edges.sort_by(|x, y| y.2.total_cmp(&x.2));
    for &(a, b, p) in edges {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            let w = weakest
                .remove(&ra)
                .unwrap_or(1.0)
                .min(weakest.remove(&rb).unwrap_or(1.0))
                .min(p);
            parent.insert(ra, rb);
            weakest.insert(rb, w);
        }
    }
    let mut groups: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for (&record, external) in hub_records {
        let r = root(&mut parent, record);
        groups
            .entry(r)
            .or_default()
            .push((record, external.clone()));
    }
    groups
        .into_iter()
        .filter(|(_, g)| g.len() >= 2)
        .map(|(r, g)| (g, weakest.get(&r).copied().unwrap_or(1.0)))
        .collect()
}

impl Steward {
    /// Builds proposals from the newest duplicate clusters: each cluster with two or more
    /// hub records becomes one, unless its records are already queued or a reviewer said
    /// they are not duplicates. Untouched pending proposals whose cluster is gone are
    /// withdrawn; ones a person approved or edited stay.
    pub fn propose_merges(&mut self) -> Result<ProposeReport, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ReviewMerges,
        )?;
        let hub = hub_of(&self.workspace)?;
        let conn = self.workspace.conn();
        let Some(run) = steward_store::latest_match_run(conn)? else {
            return Err(AppError::invalid(
                "no duplicates found yet: run `steward duplicates` (or Find duplicates) first",
            ));
        };
        let policy = steward_store::merge_policy(conn)?;
        let apart = steward_store::not_duplicates(conn, hub.id)?;
        let queued = steward_store::records_in_open_proposals(conn)?;
        let mut clusters: BTreeMap<i64, Vec<(i64, String, String)>> = BTreeMap::new();
        for (cluster, record, system, external) in steward_store::list_duplicate_members(conn)? {
            clusters
                .entry(cluster)
                .or_default()
                .push((record, system, external));
        }
        // Pending proposals by their hub records: an identical cluster keeps its proposal.
        let mut existing: HashMap<BTreeSet<String>, i64> = HashMap::new();
        for p in steward_store::list_proposals(conn, &[ProposalState::Pending], u32::MAX, 0)? {
            let ids: BTreeSet<String> = steward_store::proposal_members(conn, p.id)?
                .into_iter()
                .filter(|m| m.role != "copy")
                .map(|m| m.external_id)
                .collect();
            existing.insert(ids, p.id);
        }
        let crosswalks: Vec<(i64, ObjectType, String)> = steward_store::crosswalks(conn)?
            .into_iter()
            .filter(|(s, o, _)| *s != hub.id && *o == ObjectType::Person)
            .collect();
        // Spoke records by the hub id they keep.
        let mut keeping: HashMap<String, Vec<(i64, i64, String)>> = HashMap::new();
        for (system, object, field) in &crosswalks {
            for (record, external, value) in
                steward_store::field_values_of(conn, *system, *object, field)?
            {
                keeping
                    .entry(value.trim().to_owned())
                    .or_default()
                    .push((*system, record, external));
            }
        }
        let mut report = ProposeReport::default();
        let mut keep = HashSet::new();
        let mut new: Vec<NewProposal> = Vec::new();
        let mut links: HashMap<i64, Vec<(i64, i64, f64)>> = HashMap::new();
        for (cluster, left, right, p) in steward_store::list_duplicate_links(conn)? {
            links.entry(cluster).or_default().push((left, right, p));
        }
        let system_ids: HashMap<String, i64> = steward_store::list_systems(conn)?
            .into_iter()
            .map(|s| (s.name.as_str().to_lowercase(), s.id))
            .collect();
        let mut groups: Vec<HubGroup> = Vec::new();
        for (cluster, members) in &clusters {
            let hub_records: BTreeMap<i64, String> = members
                .iter()
                .filter(|(_, s, _)| s.eq_ignore_ascii_case(hub.name.as_str()))
                .map(|(r, _, e)| (*r, e.clone()))
                .collect();
            let cluster_links = links.get(cluster).map_or(&[][..], Vec::as_slice);
            let found = hub_groups(&hub_records, cluster_links, run.threshold);
            if found.is_empty() {
                report.no_merge += 1;
            }
            for (group, score) in found {
                // The spoke records matched directly to one of these hub records.
                let in_group: BTreeSet<i64> = group.iter().map(|(r, _)| *r).collect();
                let spoke: Vec<(i64, i64, String)> = members
                    .iter()
                    .filter(|(r, s, _)| {
                        !s.eq_ignore_ascii_case(hub.name.as_str())
                            && cluster_links.iter().any(|(a, b, p)| {
                                *p >= run.threshold
                                    && ((a == r && in_group.contains(b))
                                        || (b == r && in_group.contains(a)))
                            })
                    })
                    .filter_map(|(r, s, e)| {
                        system_ids
                            .get(&s.to_lowercase())
                            .map(|id| (*id, *r, e.clone()))
                    })
                    .collect();
                groups.push((*cluster, group, score, spoke));
            }
        }
        for (cluster, mut hub_members, mut score, spoke) in groups {
            // The same records as a proposal nobody has touched yet: it stays as it is.
            let same: BTreeSet<String> = hub_members.iter().map(|(_, e)| e.clone()).collect();
            if let Some(&id) = existing.get(&same) {
                keep.insert(id);
                continue;
            }
            if hub_members
                .iter()
                .any(|(_, e)| queued.contains(&(hub.id, e.clone())))
            {
                report.already_queued += 1;
                continue;
            }
            // Survivor first, then each record unless it was judged apart from one kept.
            let mut candidates = Vec::new();
            for (_, external) in &hub_members {
                let key = steward_domain::RecordKey {
                    system_id: hub.id,
                    object: ObjectType::Person,
                    external_id: external.clone(),
                };
                let cached = steward_store::get_record(conn, &key)?;
                candidates.push(SurvivorCandidate {
                    external_id: external.clone(),
                    created_at: cached
                        .as_ref()
                        .and_then(|r| r.created_at)
                        .map(|t| t.millis()),
                    filled: cached.as_ref().map_or(0, |r| r.fields.len()),
                });
            }
            let mut order: Vec<usize> = (0..candidates.len()).collect();
            if let Some(first) = choose_survivor(&candidates) {
                order.retain(|&i| i != first);
                order.insert(0, first);
            }
            let mut kept: Vec<(i64, String)> = Vec::new();
            for i in order {
                let (record, external) = hub_members[i].clone();
                if kept
                    .iter()
                    .any(|(_, k)| apart.contains(&steward_store::ordered_pair(k, &external)))
                {
                    report.kept_apart += 1;
                    continue;
                }
                kept.push((record, external));
            }
            if kept.len() < hub_members.len() {
                // Without the records kept apart, the rest must still be linked directly:
                // the survivor's group among them, with its own weakest link.
                let rest: BTreeMap<i64, String> = kept.iter().cloned().collect();
                let cluster_links = links.get(&cluster).map_or(&[][..], Vec::as_slice);
                let survivor = kept.first().map(|(r, _)| *r);
                match hub_groups(&rest, cluster_links, run.threshold)
                    .into_iter()
                    .find(|(g, _)| g.iter().any(|(r, _)| Some(*r) == survivor))
                {
                    Some((group, weakest)) => {
                        // The survivor first, as chosen above.
                        kept.retain(|(r, _)| group.iter().any(|(g, _)| g == r));
                        score = weakest;
                    }
                    None => kept.truncate(1),
                }
            }
            hub_members = kept;
            if hub_members.len() < 2 {
                continue;
            }
            let ids: BTreeSet<String> = hub_members.iter().map(|(_, e)| e.clone()).collect();
            if let Some(&id) = existing.get(&ids) {
                keep.insert(id);
                continue;
            }
            let survivor = hub_members[0].1.clone();
            let mut rows: Vec<MemberRow> = hub_members
                .iter()
                .enumerate()
                .map(|(i, (record, external))| MemberRow {
                    system_id: hub.id,
                    external_id: external.clone(),
                    record_id: Some(*record),
                    role: if i == 0 { "survivor" } else { "absorbed" }.into(),
                })
                .collect();
            let mut copies: BTreeSet<(i64, i64, String)> = spoke.into_iter().collect();
            for (_, external) in &hub_members {
                for copy in keeping.get(external).into_iter().flatten() {
                    copies.insert(copy.clone());
                }
            }
            rows.extend(
                copies
                    .into_iter()
                    .map(|(system_id, record, external)| MemberRow {
                        system_id,
                        external_id: external,
                        record_id: Some(record),
                        role: "copy".into(),
                    }),
            );
            let size = u32::try_from(hub_members.len()).unwrap_or(u32::MAX);
            new.push(NewProposal {
                system_id: hub.id,
                object: ObjectType::Person,
                match_run_id: Some(run.id),
                cluster: Some(cluster),
                score,
                survivor,
                second_reason: policy.reason(size, score),
                members: rows,
            });
        }
        let at = self.clock.now();
        let actor = self.actor.clone();
        let created = new.len() as u64;
        let withdrawn = self.workspace.change(|c| {
            let withdrawn = c.drop_untouched_proposals(&keep)?;
            for p in &new {
                c.insert_proposal(p, at)?;
            }
            Ok::<_, AppError>((
                withdrawn,
                AuditEvent {
                    at,
                    actor,
                    action: "merge.propose".into(),
                    subject: format!("match run {}", run.id),
                    details: serde_json::json!({"created": created, "withdrawn": withdrawn}),
                },
            ))
        })?;
        report.created = created;
        report.withdrawn = withdrawn;
        tracing::info!(created, withdrawn, "merge proposals built");
        Ok(report)
    }

    pub fn merge_queue(&self, query: &QueueQuery) -> Result<QueueView, AppError> {
        let conn = self.workspace.conn();
        let states: Vec<ProposalState> = match query.state.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => vec![s.parse().map_err(AppError::invalid)?],
            None => Vec::new(),
        };
        let counts = steward_store::proposal_counts(conn)?;
        let total = if states.is_empty() {
            counts.values().sum()
        } else {
            counts.get(states[0].as_str()).copied().unwrap_or(0)
        };
        let names = names_of(&self.workspace)?;
        let rows = steward_store::list_proposals(
            conn,
            &states,
            query.limit.unwrap_or(200).min(5_000),
            query.offset.unwrap_or(0),
        )?;
        let proposals = rows
            .iter()
            .map(|r| summary(&self.workspace, &names, r))
            .collect::<Result<_, _>>()?;
        let policy = steward_store::merge_policy(conn)?;
        let hub = hub_of(&self.workspace).ok();
        Ok(QueueView {
            counts,
            proposals,
            total,
            policy: MergePolicyView {
                min_size: policy.min_size,
                below_score: policy.below_score,
            },
            can_merge: hub
                .as_ref()
                .is_some_and(|h| h.kind == steward_domain::SystemKind::Hubspot),
            hub: hub.map(|h| h.name.to_string()),
        })
    }

    pub fn merge_proposal(&self, id: i64) -> Result<ProposalDetail, AppError> {
        let conn = self.workspace.conn();
        let row = steward_store::get_proposal(conn, id)?.ok_or_else(|| not_found(id))?;
        let inputs = GoldenInputs::load(&self.workspace)?;
        let members = steward_store::proposal_members(conn, id)?;
        let cached = cached_members(&self.workspace, &inputs, &members)?;
        let golden = if matches!(
            row.state,
            ProposalState::Pending | ProposalState::Approved | ProposalState::Rejected
        ) {
            golden::golden_record(
                &inputs.context(),
                &cached,
                &overrides_of(&self.workspace, id)?,
            )
        } else {
            Vec::new()
        };
        let mut member_views = Vec::new();
        let mut held: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in &members {
            let key = steward_domain::RecordKey {
                system_id: m.system_id,
                object: ObjectType::Person,
                external_id: m.external_id.clone(),
            };
            let record = steward_store::get_record(conn, &key)?;
            if m.system_id == inputs.hub.id
                && let Some(r) = &record
            {
                for a in r
                    .associations
                    .iter()
                    .filter(|a| a.object == ObjectType::Company)
                {
                    held.entry(a.external_id.clone())
                        .or_default()
                        .push(m.external_id.clone());
                }
            }
            member_views.push(MergeMemberView {
                system: inputs.names.get(&m.system_id).cloned().unwrap_or_default(),
                external_id: m.external_id.clone(),
                role: m.role.clone(),
                cached: record.is_some(),
                created_at: record
                    .as_ref()
                    .and_then(|r| r.created_at)
                    .map(|t| t.to_rfc3339()),
                label: record
                    .as_ref()
                    .map(|r| label_of(&r.fields))
                    .unwrap_or_default(),
            });
        }
        let associations = held
            .into_iter()
            .map(|(external_id, held_by)| {
                let label = steward_store::get_record(
                    conn,
                    &steward_domain::RecordKey {
                        system_id: inputs.hub.id,
                        object: ObjectType::Company,
                        external_id: external_id.clone(),
                    },
                )
                .ok()
                .flatten()
                .map(|r| label_of(&r.fields))
                .unwrap_or_default();
                MergeAssociationView {
                    object: "company".into(),
                    external_id,
                    label,
                    held_by,
                }
            })
            .collect();
        let steps = steward_store::merge_steps(conn, id)?
            .into_iter()
            .map(|s| MergeStepView {
                seq: s.seq,
                kind: s.kind,
                survivor: s.survivor,
                absorbed: s.absorbed,
                state: s.state,
                detail: s.detail,
                sent_at: s.sent_at.map(|t| t.to_rfc3339()),
                confirmed_at: s.confirmed_at.map(|t| t.to_rfc3339()),
            })
            .collect();
        let backups = steward_store::proposal_backups(conn, id)?
            .iter()
            .map(backup_view)
            .collect();
        let open_decisions = golden
            .iter()
            .filter(|g| g.needs_review)
            .map(|g| g.key.clone())
            .collect();
        Ok(ProposalDetail {
            summary: summary(&self.workspace, &inputs.names, &row)?,
            members: member_views,
            golden,
            associations,
            steps,
            backups,
            open_decisions,
        })
    }

    /// Approves proposals as this person. One approval moves a proposal to approved unless
    /// the two-person rule asks for a second, different approver. A proposal with fields a
    /// person must decide is refused until they are set.
    pub fn approve_merges(&mut self, request: &ApproveRequest) -> Result<DecisionReport, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ReviewMerges,
        )?;
        let conn = self.workspace.conn();
        let ids: Vec<i64> = match request.min_score {
            Some(min) if request.ids.is_empty() => {
                if !(0.0..=1.0).contains(&min) {
                    return Err(AppError::invalid("min score: between 0 and 1"));
                }
                steward_store::list_proposals(conn, &[ProposalState::Pending], u32::MAX, 0)?
                    .into_iter()
                    .filter(|p| p.score >= min)
                    .map(|p| p.id)
                    .collect()
            }
            Some(_) => {
                return Err(AppError::invalid(
                    "give proposal ids or a minimum score, not both",
                ));
            }
            None if request.ids.is_empty() => {
                return Err(AppError::invalid(
                    "no proposals named: give ids or --min-score",
                ));
            }
            None => request.ids.clone(),
        };
        let inputs = GoldenInputs::load(&self.workspace)?;
        let policy = steward_store::merge_policy(self.workspace.conn())?;
        let mut report = DecisionReport::default();
        let mut decided: Vec<(i64, bool, Option<String>, String)> = Vec::new();
        for id in ids {
            let Some(row) = steward_store::get_proposal(conn, id)? else {
                report.refused.push((id, "no such proposal".into()));
                continue;
            };
            if row.state != ProposalState::Pending {
                report
                    .refused
                    .push((id, format!("it is {}, not pending", row.state)));
                continue;
            }
            let members = steward_store::proposal_members(conn, id)?;
            let cached = cached_members(&self.workspace, &inputs, &members)?;
            let golden = golden::golden_record(
                &inputs.context(),
                &cached,
                &overrides_of(&self.workspace, id)?,
            );
            let open: Vec<&str> = golden
                .iter()
                .filter(|g| g.needs_review)
                .map(|g| g.key.as_str())
                .collect();
            if !open.is_empty() {
                report.refused.push((
                    id,
                    format!(
                        "decide {} first (set a value with a reason)",
                        open.join(", ")
                    ),
                ));
                continue;
            }
            let approvals = steward_store::approvals(conn, id)?;
            if approvals.iter().any(|(a, _)| *a == self.actor) {
                report.refused.push((
                    id,
                    format!(
                        "{} already approved it; the two-person rule needs someone else",
                        self.actor
                    ),
                ));
                continue;
            }
            // The two-person rule in force now, not when the proposal was built.
            let size = u32::try_from(cached.iter().filter(|m| m.is_hub).count()).unwrap_or(0);
            let second = policy.reason(size, row.score);
            let enough = second.is_none() || !approvals.is_empty();
            decided.push((id, enough, second, golden::golden_digest(&golden)));
        }
        let at = self.clock.now();
        let actor = self.actor.clone();
        for (id, enough, second, digest) in decided {
            let actor = actor.clone();
            let recorded = self.workspace.change(|c| {
                c.set_second_reason(id, second.as_deref())?;
                c.add_approval(id, &actor, at)?;
                if enough {
                    // What is approved is this golden record: a run compares against it.
                    c.set_approved_digest(id, Some(&digest))?;
                    if !c.decide_proposal(id, ProposalState::Approved, &actor, at)? {
                        return Err(AppError::new(
                            ErrorCode::Conflict,
                            format!("proposal {id} changed state meanwhile; look at it again"),
                        ));
                    }
                }
                Ok::<_, AppError>((
                    (),
                    AuditEvent {
                        at,
                        actor: actor.clone(),
                        action: if enough {
                            "merge.approve"
                        } else {
                            "merge.approve_first"
                        }
                        .into(),
                        subject: format!("merge proposal {id}"),
                        details: serde_json::json!({"complete": enough, "second_reason": second}),
                    },
                ))
            });
            if let Err(e) = recorded {
                report.refused.push((id, e.message));
                continue;
            }
            if enough {
                report.approved.push(id);
            } else {
                report.awaiting_second.push(id);
            }
        }
        Ok(report)
    }

    /// A proposal a person may still decide on or edit (pending or approved), or why not.
    fn undecided(&self, id: i64, otherwise: &str) -> Result<ProposalRow, AppError> {
        let row =
            steward_store::get_proposal(self.workspace.conn(), id)?.ok_or_else(|| not_found(id))?;
        if !matches!(row.state, ProposalState::Pending | ProposalState::Approved) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("proposal {id} is {}: {otherwise}", row.state),
            ));
        }
        Ok(row)
    }

    /// Rejects a proposal: its records are "not duplicates" of each other from now on.
    pub fn reject_merge(&mut self, id: i64, reason: &str) -> Result<DecisionReport, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ReviewMerges,
        )?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("say why they are not duplicates (--why)"));
        }
        let row = self.undecided(id, "only pending or approved ones can be rejected")?;
        let conn = self.workspace.conn();
        let hub_ids: Vec<String> = steward_store::proposal_members(conn, id)?
            .into_iter()
            .filter(|m| m.role != "copy")
            .map(|m| m.external_id)
            .collect();
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            for (i, a) in hub_ids.iter().enumerate() {
                for b in &hub_ids[i + 1..] {
                    c.add_not_duplicate(row.system_id, a, b, &actor, reason, at)?;
                }
            }
            if !c.decide_proposal(id, ProposalState::Rejected, &actor, at)? {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "proposal {id} is being merged or was decided meanwhile; look at it again"
                    ),
                ));
            }
            // A reviewer's typed values are not kept for a proposal that will not run.
            c.blank_overrides(id)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor: actor.clone(),
                    action: "merge.reject".into(),
                    subject: format!("merge proposal {id}"),
                    details: serde_json::json!({"records": hub_ids, "why": reason}),
                },
            ))
        })?;
        Ok(DecisionReport {
            rejected: vec![id],
            ..DecisionReport::default()
        })
    }

    /// Sets (or, with `None`, clears) the surviving value of one canonical field. An edit
    /// withdraws earlier approvals: they approved other values.
    pub fn set_merge_value(
        &mut self,
        id: i64,
        field: &str,
        value: Option<&str>,
        reason: &str,
    ) -> Result<ProposalDetail, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ReviewMerges,
        )?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("say why this value (--why)"));
        }
        self.undecided(id, "its values can no longer change")?;
        let key = FieldKey::parse(field).map_err(|e| AppError::invalid(format!("field: {e}")))?;
        let inputs = GoldenInputs::load(&self.workspace)?;
        let hub_field = inputs
            .rules
            .mapping_of(inputs.hub.name.as_str(), ObjectType::Person)
            .and_then(|m| m.fields.iter().find(|(_, k)| **k == key))
            .map(|(name, _)| name.clone())
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "field {field}: the hub maps no property to it, so the merge cannot write it"
                ))
            })?;
        if inputs.read_only.contains(&hub_field) {
            return Err(AppError::invalid(format!(
                "field {field}: HubSpot computes {hub_field}; it cannot be set"
            )));
        }
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            match value {
                Some(v) => c.set_override(
                    id,
                    &OverrideRow {
                        field: key.as_str().to_owned(),
                        value: Some(v.to_owned()),
                        reason: reason.to_owned(),
                        actor: actor.clone(),
                        at,
                    },
                )?,
                // Cleared: the rules choose again.
                None => {
                    c.clear_override(id, key.as_str())?;
                }
            }
            c.clear_approvals(id)?;
            c.set_approved_digest(id, None)?;
            if !c.transition(
                id,
                &[ProposalState::Pending, ProposalState::Approved],
                ProposalState::Pending,
                at,
            )? {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("proposal {id} is being merged or was decided meanwhile; look at it again"),
                ));
            }
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor: actor.clone(),
                    action: "merge.set_value".into(),
                    subject: format!("merge proposal {id}"),
                    // The field, never the value.
                    details: serde_json::json!({"field": key.as_str(), "cleared": value.is_none(), "why": reason, "approvals_withdrawn": true}),
                },
            ))
        })?;
        self.merge_proposal(id)
    }

    pub fn set_merge_policy(
        &mut self,
        policy: &MergePolicyView,
        why: &str,
    ) -> Result<MergePolicyView, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ChangeMergePolicy,
        )?;
        let why = why.trim();
        if why.is_empty() {
            return Err(AppError::invalid(
                "say why the two-person rule changes (--why)",
            ));
        }
        let rule = TwoPersonRule {
            min_size: policy.min_size,
            below_score: policy.below_score,
        };
        rule.validate().map_err(AppError::invalid)?;
        let before = steward_store::merge_policy(self.workspace.conn())?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            c.set_merge_policy(&rule)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor: actor.clone(),
                    action: "merge.policy".into(),
                    subject: "two-person rule".into(),
                    details: serde_json::json!({
                        "before": {"min_size": before.min_size, "below_score": before.below_score},
                        "after": {"min_size": rule.min_size, "below_score": rule.below_score},
                        "why": why,
                    }),
                },
            ))
        })?;
        Ok(policy.clone())
    }

    /// Every backup (newest last), for `steward merge backups` and the restore list.
    pub fn merge_backups(&self) -> Result<Vec<MergeBackupView>, AppError> {
        Ok(steward_store::list_backups(self.workspace.conn(), 100_000)?
            .iter()
            .map(backup_view)
            .collect())
    }
}

fn backup_view(b: &steward_store::BackupRow) -> MergeBackupView {
    let count = |key: &str| {
        b.content
            .get(key)
            .and_then(serde_json::Value::as_object)
            .map_or(0, |m| {
                m.values()
                    .map(|v| v.as_array().map_or(1, Vec::len))
                    .sum::<usize>()
            })
    };
    MergeBackupView {
        id: b.id,
        proposal_id: b.proposal_id,
        external_id: b.external_id.clone(),
        taken_at: b.taken_at.to_rfc3339(),
        properties: u32::try_from(
            b.content
                .get("properties")
                .and_then(serde_json::Value::as_object)
                .map_or(0, serde_json::Map::len),
        )
        .unwrap_or(0),
        associations: u32::try_from(count("associations")).unwrap_or(0),
        restored_as: b.restored_as.clone(),
        restored_at: b.restored_at.map(|t| t.to_rfc3339()),
        restored_by: b.restored_by.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(ids: &[(i64, &str)]) -> BTreeMap<i64, String> {
        ids.iter().map(|(r, e)| (*r, (*e).to_owned())).collect()
    }

    #[test]
    fn hub_records_joined_only_through_a_spoke_record_stay_apart() {
        // 1 and 2 are hub records; 9 is a MAP lead resembling both.
        let records = hub(&[(1, "101"), (2, "102")]);
        let links = [(1, 9, 0.99), (2, 9, 0.97), (1, 2, 0.2)];
        assert!(hub_groups(&records, &links, 0.5).is_empty());
        let links = [(1, 9, 0.99), (1, 2, 0.93)];
        let groups = hub_groups(&records, &links, 0.5);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].0.len(), 2);
        assert!((groups[0].1 - 0.93).abs() < 1e-9);
    }

    #[test]
    fn a_group_scores_its_weakest_joining_link() {
        let records = hub(&[(1, "1"), (2, "2"), (3, "3"), (4, "4")]);
        // 1–2 strong, 2–3 weaker, 1–3 weakest (not needed to join), 4 alone.
        let links = [(1, 2, 0.99), (2, 3, 0.8), (1, 3, 0.6), (3, 4, 0.1)];
        let groups = hub_groups(&records, &links, 0.5);
        assert_eq!(groups.len(), 1);
        let ids: Vec<&str> = groups[0].0.iter().map(|(_, e)| e.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert!((groups[0].1 - 0.8).abs() < 1e-9, "{}", groups[0].1);
    }
}
