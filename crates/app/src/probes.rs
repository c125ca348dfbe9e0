//! Write-back probes: a tagged test lead is created in a spoke, awaited in the hub, then
//! each status is set in the hub and awaited in the spoke, every leg timed against the
//! target. The test records are removed from both systems however the run ends (failure,
//! cancel); a crash's leftovers are swept by the next run, found by their tag.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;
use steward_connectors::Connector;
use steward_domain::{
    Action, AuditEvent, FieldKey, Leg, LegKind, ObjectType, ProbeLimits, ProbeVerdict, Role,
    RuleSet, StatusModel, System, Timestamp, median, verdict,
};
use steward_store::{ProbeRow, ProbeRunRow, Workspace};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::governance::require;
use crate::rules::rules_in_force;
use crate::sync::find as system_by_name;
use crate::sync::{Connecting, SyncEnv};
use crate::workspace::Steward;

/// How often a leg looks for its arrival.
const POLL: Duration = Duration::from_millis(250);
/// The made-up domain of test leads' addresses: reserved, so no mail is ever sent.
const TAG_DOMAIN: &str = "probe.steward.invalid";

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeRequest {
    pub name: String,
    pub spoke: String,
    /// Canonical field the test lead is found by in the hub (`email`).
    pub match_key: String,
    /// Canonical status field (`lead_status`).
    pub status_field: String,
    /// Canonical statuses sent hub → spoke, in order.
    pub status_values: Vec<String>,
    pub target_seconds: f64,
    pub timeout_seconds: f64,
    pub every_minutes: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LegView {
    /// inbound | outbound
    pub leg: String,
    pub status: Option<String>,
    pub ms: Option<u64>,
    pub arrived: bool,
    pub within_target: bool,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeRunView {
    pub id: i64,
    pub probe: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub actor: String,
    /// running | passed | slow | failed | cancelled
    pub verdict: String,
    pub legs: Vec<LegView>,
    pub error: Option<String>,
    /// pending | done | failed: whether the test records are gone from both systems.
    pub cleanup: String,
    pub cleanup_detail: Option<String>,
    /// The test lead's made-up address, to look for it in either system.
    pub tag: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeView {
    pub id: i64,
    pub name: String,
    pub spoke: String,
    pub hub: String,
    pub match_key: String,
    pub status_field: String,
    pub status_values: Vec<String>,
    pub target_ms: u64,
    pub timeout_ms: u64,
    pub every_minutes: Option<u32>,
    pub last_run: Option<ProbeRunView>,
    /// When a scheduled probe is due next.
    pub next_due: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeProgress {
    pub probe: String,
    /// creating | inbound | outbound | cleanup | done
    pub phase: String,
    pub leg: u32,
    pub legs: u32,
}

fn run_view(row: &ProbeRunRow, probe: &str, target_ms: u64) -> ProbeRunView {
    ProbeRunView {
        id: row.id,
        probe: probe.to_owned(),
        started_at: row.started_at.to_rfc3339(),
        finished_at: row.finished_at.map(Timestamp::to_rfc3339),
        actor: row.actor.clone(),
        verdict: row.verdict.as_str().to_owned(),
        legs: row
            .legs
            .iter()
            .map(|l| LegView {
                leg: l.leg.as_str().to_owned(),
                status: l.status.clone(),
                ms: l.ms,
                arrived: l.arrived(),
                within_target: l.ms.is_some_and(|ms| ms <= target_ms),
                detail: l.detail.clone(),
            })
            .collect(),
        error: row.error.clone(),
        cleanup: row.cleanup.clone(),
        cleanup_detail: row.cleanup_detail.clone(),
        tag: row.tag.clone(),
    }
}

fn probe_view(
    workspace: &Workspace,
    p: &ProbeRow,
    systems: &[System],
) -> Result<ProbeView, AppError> {
    let name = |id: i64| {
        systems
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| format!("system {id}"), |s| s.name.to_string())
    };
    let last = steward_store::probe_runs(workspace.conn(), p.id, 1)?
        .into_iter()
        .next();
    Ok(ProbeView {
        id: p.id,
        name: p.name.clone(),
        spoke: name(p.spoke_id),
        hub: name(p.hub_id),
        match_key: p.match_key.clone(),
        status_field: p.status_field.clone(),
        status_values: p.status_values.clone(),
        target_ms: p.target_ms,
        timeout_ms: p.timeout_ms,
        every_minutes: p.every_minutes,
        next_due: p.every_minutes.map(|m| {
            let from = last.as_ref().map_or(p.created_at, |r| r.started_at);
            Timestamp::from_millis(from.millis() + i64::from(m) * 60_000).to_rfc3339()
        }),
        last_run: last.as_ref().map(|r| run_view(r, &p.name, p.target_ms)),
    })
}

/// The system's own name of a canonical field, from the rule set's mapping.
fn field_of(rules: &RuleSet, system: &System, key: &str) -> Result<String, AppError> {
    rules
        .mapping_of(system.name.as_str(), ObjectType::Person)
        .and_then(|m| m.fields.iter().find(|(_, k)| k.as_str() == key))
        .map(|(name, _)| name.clone())
        .ok_or_else(|| {
            AppError::invalid(format!(
                "{} maps no field to \"{key}\": map one on the Rules screen first",
                system.name
            ))
        })
}

fn seconds_to_ms(what: &str, seconds: f64) -> Result<u64, AppError> {
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(AppError::invalid(format!(
            "{what}: a positive number of seconds"
        )));
    }
    Ok((seconds * 1000.0).round() as u64)
}

impl Steward {
    pub fn probes(&self) -> Result<Vec<ProbeView>, AppError> {
        let systems = steward_store::list_systems(self.workspace.conn())?;
        steward_store::list_probes(self.workspace.conn())?
            .iter()
            .map(|p| probe_view(&self.workspace, p, &systems))
            .collect()
    }

    pub fn probe_history(&self, name: &str, limit: u32) -> Result<Vec<ProbeRunView>, AppError> {
        let probe = find(&self.workspace, name)?;
        Ok(
            steward_store::probe_runs(self.workspace.conn(), probe.id, limit.clamp(1, 1000))?
                .iter()
                .map(|r| run_view(r, &probe.name, probe.target_ms))
                .collect(),
        )
    }

    /// Defines a probe, checked against the rules: both systems must map the match key and
    /// the status field, and every status must be one the status model knows.
    pub fn add_probe(&mut self, request: &ProbeRequest) -> Result<ProbeView, AppError> {
        require(self.workspace.conn(), &self.actor, Action::ManageProbes)?;
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AppError::invalid("name: 1–64 characters"));
        }
        let spoke = system_by_name(&self.workspace, &request.spoke)?;
        if spoke.role != Role::Spoke {
            return Err(AppError::invalid(
                "spoke: name a spoke; the probe's other end is the hub",
            ));
        }
        if !takes_probes(spoke.kind) {
            return Err(AppError::invalid(format!(
                "spoke: {} is a {} system; probes create test leads through an API: a marketing platform today",
                spoke.name,
                spoke.kind.as_str()
            )));
        }
        let systems = steward_store::list_systems(self.workspace.conn())?;
        let hub = systems
            .iter()
            .find(|s| s.role == Role::Hub)
            .ok_or_else(|| AppError::invalid("the workspace has no hub yet: add the CRM first"))?;
        if !takes_probes(hub.kind) {
            return Err(AppError::invalid(format!(
                "the hub {} is a {} system; probes need HubSpot's API today",
                hub.name,
                hub.kind.as_str()
            )));
        }
        let rules = rules_in_force(&self.workspace);
        for system in [&spoke, hub] {
            field_of(&rules, system, request.match_key.trim())?;
            field_of(&rules, system, request.status_field.trim())?;
        }
        let key = FieldKey::parse(request.status_field.trim()).map_err(AppError::invalid)?;
        let model = rules.status_model(ObjectType::Person, &key).ok_or_else(|| {
            AppError::invalid(format!(
                "status field: \"{}\" has no status model; define its values on the Rules screen",
                key.as_str()
            ))
        })?;
        let mut values = Vec::new();
        for raw in &request.status_values {
            let value = model
                .values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(raw.trim()))
                .ok_or_else(|| {
                    AppError::invalid(format!(
                        "status values: \"{}\" is not one of {} ({})",
                        raw.trim(),
                        key.as_str(),
                        model.values.join(", ")
                    ))
                })?;
            values.push(value.clone());
        }
        if values.is_empty() {
            return Err(AppError::invalid(
                "status values: name at least one status to send",
            ));
        }
        let limits = ProbeLimits {
            target_ms: seconds_to_ms("target", request.target_seconds)?,
            timeout_ms: seconds_to_ms("timeout", request.timeout_seconds)?,
            every_minutes: request.every_minutes,
        };
        limits.check().map_err(AppError::invalid)?;
        let row = ProbeRow {
            id: 0,
            name: name.to_owned(),
            spoke_id: spoke.id,
            hub_id: hub.id,
            match_key: request.match_key.trim().to_owned(),
            status_field: key.as_str().to_owned(),
            status_values: values,
            target_ms: limits.target_ms,
            timeout_ms: limits.timeout_ms,
            every_minutes: limits.every_minutes,
            created_at: self.clock.now(),
            created_by: self.actor.clone(),
        };
        self.workspace.change(|c| {
            let id = c.add_probe(&row)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at: row.created_at,
                    actor: row.created_by.clone(),
                    action: "probe.defined".into(),
                    subject: format!("probe/{id}"),
                    details: json!({
                        "name": row.name, "spoke": spoke.id, "hub": hub.id,
                        "match_key": row.match_key, "status_field": row.status_field,
                        "status_values": row.status_values, "target_ms": row.target_ms,
                        "timeout_ms": row.timeout_ms, "every_minutes": row.every_minutes,
                    }),
                },
            ))
        })?;
        let probe = find(&self.workspace, name)?;
        probe_view(&self.workspace, &probe, &systems)
    }

    pub fn remove_probe(&mut self, name: &str) -> Result<(), AppError> {
        require(self.workspace.conn(), &self.actor, Action::ManageProbes)?;
        let probe = find(&self.workspace, name)?;
        let pending = steward_store::pending_cleanups(self.workspace.conn(), probe.id)?;
        if !pending.is_empty() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "probe \"{}\" still has test records to remove ({} runs); run it once more (it sweeps them) before removing it",
                    probe.name,
                    pending.len()
                ),
            ));
        }
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            c.remove_probe(probe.id)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor,
                    action: "probe.removed".into(),
                    subject: format!("probe/{}", probe.id),
                    details: json!({ "name": probe.name }),
                },
            ))
        })
    }
}

/// The kinds whose connectors create, find and delete test people (`Connector::prober`).
fn takes_probes(kind: steward_domain::SystemKind) -> bool {
    use steward_domain::SystemKind::{Hubspot, Marketing};
    matches!(kind, Hubspot | Marketing)
}

fn find(workspace: &Workspace, name: &str) -> Result<ProbeRow, AppError> {
    steward_store::find_probe(workspace.conn(), name)?.ok_or_else(|| {
        AppError::new(
            ErrorCode::NotFound,
            format!(
                "no probe named \"{}\"; `steward probe list` shows them",
                name.trim()
            ),
        )
    })
}

/// Probes whose schedule says they are due at `now`.
pub fn due_probes(env: &SyncEnv) -> Result<Vec<String>, AppError> {
    let workspace = Workspace::open(&env.workspace_path)?;
    let now = env.clock.now();
    let mut due = Vec::new();
    for p in steward_store::list_probes(workspace.conn())? {
        let Some(every) = p.every_minutes else {
            continue;
        };
        let last = steward_store::probe_runs(workspace.conn(), p.id, 1)?
            .into_iter()
            .next()
            .map_or(p.created_at, |r| r.started_at);
        if now.millis() >= last.millis() + i64::from(every) * 60_000 {
            due.push(p.name);
        }
    }
    Ok(due)
}

/// Everything a run needs, read before the first await.
struct Plan {
    probe: ProbeRow,
    spoke: System,
    hub: System,
    spoke_key: String,
    hub_key: String,
    spoke_status: String,
    hub_status: String,
    model: StatusModel,
    /// (canonical, the hub's word for it, or why there is none)
    sends: Vec<(String, Result<String, String>)>,
    /// The test lead's name fields under the spoke's own names (those it maps).
    test_lead: BTreeMap<String, String>,
}

fn plan(workspace: &Workspace, probe: ProbeRow) -> Result<Plan, AppError> {
    let systems = steward_store::list_systems(workspace.conn())?;
    let get = |id: i64| {
        systems.iter().find(|s| s.id == id).cloned().ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("probe \"{}\": its system was removed", probe.name),
            )
        })
    };
    let (spoke, hub) = (get(probe.spoke_id)?, get(probe.hub_id)?);
    let rules = rules_in_force(workspace);
    let key = FieldKey::parse(&probe.status_field).map_err(AppError::invalid)?;
    let model = rules
        .status_model(ObjectType::Person, &key)
        .cloned()
        .ok_or_else(|| {
            AppError::invalid(format!(
                "\"{}\" has no status model any more: define its values on the Rules screen, or remove the probe",
                probe.status_field
            ))
        })?;
    let hub_status = field_of(&rules, &hub, &probe.status_field)?;
    let sends = probe
        .status_values
        .iter()
        .map(|canonical| {
            let word = crate::fixes::target_word(
                workspace,
                &model,
                hub.name.as_str(),
                hub.id,
                ObjectType::Person,
                &hub_status,
                canonical,
            );
            (canonical.clone(), word)
        })
        .collect();
    let test_lead = [
        ("first_name", "Steward"),
        ("last_name", "Probe test lead"),
        ("company", "Steward probe"),
    ]
    .into_iter()
    .filter_map(|(key, text)| Some((field_of(&rules, &spoke, key).ok()?, text.to_owned())))
    .collect();
    Ok(Plan {
        test_lead,
        spoke_key: field_of(&rules, &spoke, &probe.match_key)?,
        hub_key: field_of(&rules, &hub, &probe.match_key)?,
        spoke_status: field_of(&rules, &spoke, &probe.status_field)?,
        hub_status,
        model,
        sends,
        spoke,
        hub,
        probe,
    })
}

/// Waits until `check` answers `Some`, or the timeout or a cancel. Returns what it answered
/// and the time it took.
///
/// `check` is a closure returning a future rather than an async closure: the future of an
/// async closure borrows the closure, and rustc cannot then prove the run's future `Send`
/// (which the desktop app's async commands require).
async fn wait_for<T, Fut>(
    timeout: Duration,
    cancel: &CancellationToken,
    mut check: impl FnMut() -> Fut,
) -> Result<Option<(T, u64)>, AppError>
where
    Fut: Future<Output = Result<Option<T>, AppError>>,
{
    let started = Instant::now();
    loop {
        if let Some(found) = check().await? {
            return Ok(Some((
                found,
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            )));
        }
        if started.elapsed() >= timeout {
            return Ok(None);
        }
        tokio::select! {
            () = cancel.cancelled() => return Err(AppError::new(ErrorCode::Cancelled, "the probe was cancelled")),
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// The legs of one run. Test-record ids are journaled as soon as they are known.
async fn legs(
    env: &SyncEnv,
    plan: &Plan,
    (run_id, tag): (i64, &str),
    (spoke, hub): (&dyn Connector, &dyn Connector),
    cancel: &CancellationToken,
    on_progress: &(dyn Fn(&ProbeProgress) + Send + Sync),
    out: &mut Vec<Leg>,
) -> Result<(), AppError> {
    let (spoke_probe, hub_probe) = probers(plan, spoke, hub)?;
    let total = u32::try_from(plan.sends.len() + 1).unwrap_or(u32::MAX);
    let progress = |phase: &str, leg: u32| {
        on_progress(&ProbeProgress {
            probe: plan.probe.name.clone(),
            phase: phase.into(),
            leg,
            legs: total,
        });
    };
    let timeout = Duration::from_millis(plan.probe.timeout_ms);
    let ext = |e: steward_connectors::ConnectorError| {
        AppError::new(ErrorCode::ExternalSystem, e.to_string())
    };

    progress("creating", 0);
    if cancel.is_cancelled() {
        return Err(AppError::new(
            ErrorCode::Cancelled,
            "the probe was cancelled",
        ));
    }
    let mut values = plan.test_lead.clone();
    values.insert(plan.spoke_key.clone(), tag.to_owned());
    let spoke_id = spoke_probe.create_test_person(&values).await.map_err(ext)?;
    let mut ws = Workspace::open(&env.workspace_path)?;
    ws.change(|c| {
        c.set_probe_ids(run_id, Some(&spoke_id), None)?;
        Ok::<_, AppError>((
            (),
            probe_event(
                env,
                run_id,
                "probe.test_lead_created",
                json!({ "system": plan.spoke.id }),
            ),
        ))
    })?;

    progress("inbound", 1);
    let hub_key = plan.hub_key.as_str();
    let arrived = wait_for(timeout, cancel, || async move {
        Ok(hub_probe
            .find_people(hub_key, tag)
            .await
            .map_err(ext)?
            .into_iter()
            .next())
    })
    .await?;
    let Some((hub_id, ms)) = arrived else {
        out.push(Leg {
            leg: LegKind::Inbound,
            status: None,
            ms: None,
            detail: Some(format!(
                "the test lead did not reach {} within {:.0} s",
                plan.hub.name,
                timeout.as_secs_f64()
            )),
        });
        return Ok(());
    };
    ws.change(|c| {
        c.set_probe_ids(run_id, None, Some(&hub_id))?;
        Ok::<_, AppError>((
            (),
            probe_event(
                env,
                run_id,
                "probe.test_lead_arrived",
                json!({ "system": plan.hub.id, "ms": ms }),
            ),
        ))
    })?;
    out.push(Leg {
        leg: LegKind::Inbound,
        status: None,
        ms: Some(ms),
        detail: None,
    });

    let fields = vec![plan.spoke_status.clone()];
    let (id, fields, status) = (
        spoke_id.as_str(),
        fields.as_slice(),
        plan.spoke_status.as_str(),
    );
    let read_spoke = move || async move {
        Ok::<_, AppError>(
            spoke
                .read_values(ObjectType::Person, id, fields)
                .await
                .map_err(ext)?
                .and_then(|mut v| v.remove(status)),
        )
    };
    for (i, (canonical, word)) in plan.sends.iter().enumerate() {
        progress("outbound", u32::try_from(i + 2).unwrap_or(u32::MAX));
        let word = match word {
            Ok(word) => word,
            Err(why) => {
                out.push(Leg {
                    leg: LegKind::Outbound,
                    status: Some(canonical.clone()),
                    ms: None,
                    detail: Some(why.clone()),
                });
                continue;
            }
        };
        let before = read_spoke().await?;
        let means = |w: &Option<String>| {
            w.as_deref()
                .and_then(|w| plan.model.canonical(plan.spoke.name.as_str(), w))
                .map(str::to_owned)
        };
        if means(&before).as_deref() == Some(canonical.as_str()) {
            out.push(Leg {
                leg: LegKind::Outbound,
                status: Some(canonical.clone()),
                ms: None,
                detail: Some(
                    "not observable: the test lead already held it; list another status before it"
                        .into(),
                ),
            });
            continue;
        }
        hub.write_values(
            ObjectType::Person,
            &hub_id,
            &BTreeMap::from([(plan.hub_status.clone(), word.clone())]),
        )
        .await
        .map_err(ext)?;
        let was = &before;
        let seen = wait_for(timeout, cancel, || async move {
            let now = read_spoke().await?;
            Ok((now != *was).then_some(now))
        })
        .await?;
        out.push(match seen {
            Some((now, ms)) if means(&now).as_deref() == Some(canonical.as_str()) => Leg {
                leg: LegKind::Outbound,
                status: Some(canonical.clone()),
                ms: Some(ms),
                detail: None,
            },
            Some((now, _)) => Leg {
                leg: LegKind::Outbound,
                status: Some(canonical.clone()),
                ms: None,
                detail: Some(format!(
                    "arrived as \"{}\", which the status model reads as {}",
                    now.clone().unwrap_or_default(),
                    means(&now).unwrap_or_else(|| "nothing (unmapped)".into())
                )),
            },
            None => Leg {
                leg: LegKind::Outbound,
                status: Some(canonical.clone()),
                ms: None,
                detail: Some(format!(
                    "never reached {} within {:.0} s: it still says \"{}\"",
                    plan.spoke.name,
                    timeout.as_secs_f64(),
                    before.unwrap_or_default()
                )),
            },
        });
    }
    Ok(())
}

fn probers<'a>(
    plan: &Plan,
    spoke: &'a dyn Connector,
    hub: &'a dyn Connector,
) -> Result<
    (
        &'a dyn steward_connectors::Prober,
        &'a dyn steward_connectors::Prober,
    ),
    AppError,
> {
    let none = |s: &System| {
        AppError::invalid(format!(
            "{} ({}) cannot take probe test records: probes run between HubSpot and a marketing platform",
            s.name,
            s.kind.as_str()
        ))
    };
    Ok((
        spoke.prober().ok_or_else(|| none(&plan.spoke))?,
        hub.prober().ok_or_else(|| none(&plan.hub))?,
    ))
}

/// The test records leave the cache with the systems: a sync during the run may have read
/// them, and they must not count as leads (drift, duplicates, the audit).
fn forget(c: &steward_store::Change<'_>, plan: &Plan, tag: &str) -> Result<(), AppError> {
    c.forget_test_records(plan.spoke.id, &plan.spoke_key, tag)?;
    c.forget_test_records(plan.hub.id, &plan.hub_key, tag)?;
    Ok(())
}

fn probe_event(env: &SyncEnv, run_id: i64, action: &str, details: serde_json::Value) -> AuditEvent {
    AuditEvent {
        at: env.clock.now(),
        actor: env.actor.clone(),
        action: action.into(),
        subject: format!("probe_run/{run_id}"),
        details,
    }
}

/// Removes a run's test records from both systems: by the ids it journaled, then by its
/// tag (a crash may have left records whose ids were never stored). `final_` is false for
/// the run that just ended without the lead reaching the hub: an integration may still
/// carry it, so the run stays pending for the next one to sweep.
async fn clean_up(
    run: &ProbeRunRow,
    plan: &Plan,
    spoke: &dyn Connector,
    hub: &dyn Connector,
    final_: bool,
) -> (String, Option<String>) {
    let Ok((spoke_probe, hub_probe)) = probers(plan, spoke, hub) else {
        return (
            "failed".into(),
            Some("a system of the probe cannot take probe calls (probes run between HubSpot and a marketing platform); remove its test records by hand".into()),
        );
    };
    let mut problems = Vec::new();
    let mut removed = 0;
    for (p, key, known) in [
        (spoke_probe, &plan.spoke_key, run.spoke_external.as_deref()),
        (hub_probe, &plan.hub_key, run.hub_external.as_deref()),
    ] {
        let mut ids: Vec<String> = known.map(str::to_owned).into_iter().collect();
        match p.find_people(key, &run.tag).await {
            Ok(found) => ids.extend(found),
            Err(e) => problems.push(e.to_string()),
        }
        ids.sort();
        ids.dedup();
        for id in ids {
            match p.delete_person(&id).await {
                Ok(true) => removed += 1,
                Ok(false) => {}
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    if !problems.is_empty() {
        return ("failed".into(), Some(problems.join("; ")));
    }
    let state = if final_ { "done" } else { "pending" };
    (
        state.into(),
        Some(format!("{removed} test records removed")),
    )
}

/// Runs one probe end to end. The outcome (passed, slow, failed, cancelled) is the report;
/// errors are for a probe that could not start.
pub async fn run_probe(
    env: &SyncEnv,
    name: &str,
    cancel: CancellationToken,
    on_progress: &(dyn Fn(&ProbeProgress) + Send + Sync),
) -> Result<ProbeRunView, AppError> {
    let mut workspace = Workspace::open(&env.workspace_path)?;
    require(workspace.conn(), &env.actor, Action::RunProbes)?;
    let probe = find(&workspace, name)?;
    let plan = plan(&workspace, probe)?;
    // The connectors get their own token: a cancelled run must still clean up.
    let calls = CancellationToken::new();
    let spoke = Connecting::new(env, &workspace, &plan.spoke, calls.clone())?
        .connect()
        .await?;
    let hub = Connecting::new(env, &workspace, &plan.hub, calls.clone())?
        .connect()
        .await?;

    // One run of a probe at a time (the app's schedule and cron may meet), held until this
    // function returns. Holding it, any run still marked running belongs to a process that
    // ended: it is settled as interrupted and swept below like any leftover.
    let _lock = crate::lock::exclusive(
        &env.workspace_path,
        &format!("probe-{}", plan.probe.id),
        &format!(
            "probe \"{}\" is running already (in the app or another command); wait for it to finish",
            plan.probe.name
        ),
    )?;
    let started = env.clock.now();
    let tag = format!("probe-{}@{TAG_DOMAIN}", uuid::Uuid::new_v4().simple());
    let run_id = workspace.change(|c| {
        for old in steward_store::pending_cleanups(c.conn(), plan.probe.id)? {
            if old.verdict != ProbeVerdict::Running {
                continue;
            }
            c.finish_probe_run(
                old.id,
                started,
                ProbeVerdict::Cancelled,
                &old.legs,
                Some("interrupted: the process running it ended before it finished"),
            )?;
        }
        let id = c.start_probe_run(plan.probe.id, started, &env.actor, &tag)?;
        Ok::<_, AppError>((
            id,
            probe_event(env, id, "probe.started", json!({ "probe": plan.probe.id })),
        ))
    })?;

    // Leftovers of earlier runs (failed cleanups, crashes, leads that were late).
    for old in steward_store::pending_cleanups(workspace.conn(), plan.probe.id)? {
        if old.id == run_id {
            continue;
        }
        let (state, detail) = clean_up(&old, &plan, spoke.as_ref(), hub.as_ref(), true).await;
        workspace.change(|c| {
            c.set_probe_cleanup(old.id, &state, detail.as_deref())?;
            forget(c, &plan, &old.tag)?;
            Ok::<_, AppError>((
                (),
                probe_event(env, old.id, "probe.swept", json!({ "cleanup": state })),
            ))
        })?;
    }
    tracing::info!(probe = plan.probe.id, run = run_id, "probe started");
    // Legs measured before an error or a cancel are kept: they are history and latency.
    let mut legs_ = Vec::new();
    let outcome = legs(
        env,
        &plan,
        (run_id, &tag),
        (spoke.as_ref(), hub.as_ref()),
        &cancel,
        on_progress,
        &mut legs_,
    )
    .await;
    let (verdict_, error) = match outcome {
        Ok(()) => (verdict(&legs_, plan.probe.target_ms), None),
        Err(e) if e.code == ErrorCode::Cancelled => (ProbeVerdict::Cancelled, Some(e.message)),
        Err(e) => (ProbeVerdict::Failed, Some(e.message)),
    };
    let finished = env.clock.now();
    workspace.change(|c| {
        c.finish_probe_run(run_id, finished, verdict_, &legs_, error.as_deref())?;
        Ok::<_, AppError>((
            (),
            probe_event(
                env,
                run_id,
                "probe.finished",
                json!({ "verdict": verdict_.as_str(), "legs": legs_.len() }),
            ),
        ))
    })?;

    on_progress(&ProbeProgress {
        probe: plan.probe.name.clone(),
        phase: "cleanup".into(),
        leg: 0,
        legs: 0,
    });
    let run = steward_store::get_probe_run(workspace.conn(), run_id)?
        .ok_or_else(|| AppError::new(ErrorCode::Internal, "the probe run vanished"))?;
    // Until the lead was seen in the hub, an integration may still carry it there (even
    // when the create call failed without an answer): the next run sweeps again.
    let reached_hub = run.hub_external.is_some();
    let (state, detail) = clean_up(&run, &plan, spoke.as_ref(), hub.as_ref(), reached_hub).await;
    workspace.change(|c| {
        c.set_probe_cleanup(run_id, &state, detail.as_deref())?;
        forget(c, &plan, &run.tag)?;
        Ok::<_, AppError>((
            (),
            probe_event(env, run_id, "probe.cleaned_up", json!({ "cleanup": state })),
        ))
    })?;
    raise_or_clear(
        &mut workspace,
        env,
        &plan,
        run_id,
        verdict_,
        &legs_,
        error.as_deref(),
    )?;
    on_progress(&ProbeProgress {
        probe: plan.probe.name.clone(),
        phase: "done".into(),
        leg: 0,
        legs: 0,
    });
    let run = steward_store::get_probe_run(workspace.conn(), run_id)?
        .ok_or_else(|| AppError::new(ErrorCode::Internal, "the probe run vanished"))?;
    Ok(run_view(&run, &plan.probe.name, plan.probe.target_ms))
}

fn raise_or_clear(
    workspace: &mut Workspace,
    env: &SyncEnv,
    plan: &Plan,
    run_id: i64,
    verdict_: ProbeVerdict,
    legs_: &[Leg],
    error: Option<&str>,
) -> Result<(), AppError> {
    let subject = format!("probe/{}", plan.probe.id);
    let now = env.clock.now();
    let lost: Vec<String> = legs_
        .iter()
        .filter(|l| !l.arrived())
        .map(|l| l.status.clone().unwrap_or_else(|| "the test lead".into()))
        .collect();
    let slow: Vec<String> = legs_
        .iter()
        .filter(|l| l.ms.is_some_and(|ms| ms > plan.probe.target_ms))
        .map(|l| {
            format!(
                "{} {:.1} s",
                l.status.clone().unwrap_or_else(|| "inbound".into()),
                l.ms.unwrap_or(0) as f64 / 1000.0
            )
        })
        .collect();
    let (kind, message) = match verdict_ {
        ProbeVerdict::Failed => (
            "probe_failed",
            match error {
                Some(e) => format!("probe \"{}\" could not run: {e}", plan.probe.name),
                None => format!(
                    "probe \"{}\": {} never reached {} ({})",
                    plan.probe.name,
                    if lost.len() == 1 { "one leg" } else { "legs" },
                    if lost.iter().any(|l| l == "the test lead") {
                        plan.hub.name.as_str()
                    } else {
                        plan.spoke.name.as_str()
                    },
                    lost.join(", ")
                ),
            },
        ),
        ProbeVerdict::Slow => (
            "probe_slow",
            format!(
                "probe \"{}\" missed its {:.1} s target: {}",
                plan.probe.name,
                plan.probe.target_ms as f64 / 1000.0,
                slow.join(", ")
            ),
        ),
        ProbeVerdict::Passed => {
            workspace.change(|c| {
                let n = c.clear_alerts(None, Some(("probe_failed", &subject)), now, &env.actor)?
                    + c.clear_alerts(None, Some(("probe_slow", &subject)), now, &env.actor)?;
                Ok::<_, AppError>((
                    (),
                    probe_event(env, run_id, "probe.alerts_cleared", json!({ "cleared": n })),
                ))
            })?;
            return Ok(());
        }
        _ => return Ok(()),
    };
    workspace.change(|c| {
        let (id, new) = c.raise_alert(
            kind,
            &subject,
            Some(plan.spoke.id),
            &message,
            &json!({ "run": run_id }),
            now,
        )?;
        Ok::<_, AppError>((
            (),
            AuditEvent {
                at: now,
                actor: env.actor.clone(),
                action: if new {
                    "alert.raised"
                } else {
                    "alert.seen_again"
                }
                .into(),
                subject: format!("alert/{id}"),
                details: json!({ "kind": kind, "probe": plan.probe.id, "run": run_id }),
            },
        ))
    })?;
    Ok(())
}

/// The median inbound and outbound latency of the runs in `[from, to)`.
pub(crate) fn median_latencies(
    workspace: &Workspace,
    from: Timestamp,
    to: Timestamp,
) -> Result<(Option<u64>, Option<u64>), AppError> {
    let runs = steward_store::probe_runs_between(workspace.conn(), from, to)?;
    let pick = |kind: LegKind| {
        let mut v: Vec<u64> = runs
            .iter()
            .flat_map(|r| r.legs.iter())
            .filter(|l| l.leg == kind)
            .filter_map(|l| l.ms)
            .collect();
        median(&mut v)
    };
    Ok((pick(LegKind::Inbound), pick(LegKind::Outbound)))
}
