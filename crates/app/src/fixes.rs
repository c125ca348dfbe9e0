//! Applying drift fixes: the authority's value written into the copy that should change,
//! through that system's connector, one or in bulk after confirmation. Every write is
//! journaled first (pending, with the value it replaces), then marked applied or failed, so
//! each can be reverted and a crash leaves a pending row to reconcile, never a silent write.
//! A fix never targets the authority's own copy from a spoke.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use steward_connectors::Connector;
use steward_domain::{AuditEvent, FieldKey, ObjectType, RuleSet, StatusModel, ValueKind};
use steward_store::{FixRow, Workspace};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::sync::SyncEnv;
use crate::workspace::Steward;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FixRecordView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub system: String,
    pub object: String,
    pub external_id: String,
    pub field: String,
    /// The value the write replaced (what a revert puts back); `None` when the field was empty.
    pub before: Option<String>,
    pub after: String,
    /// pending, applied, failed, skipped, reverted
    pub status: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FixReport {
    pub applied: u64,
    pub skipped: u64,
    pub failed: u64,
    pub rows: Vec<FixRecordView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FixProgress {
    pub done: u64,
    pub total: u64,
}

/// Which findings to fix: their `seq`s in the drift run the person looked at. A request for
/// an older run is refused: seqs restart with every run (and drift runs after each sync).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FixRequest {
    pub run_id: i64,
    pub seqs: Vec<i64>,
}

/// One fix ready to write: where, what it replaces (as cached) and the new value.
struct Planned {
    seq: i64,
    system_id: i64,
    object: ObjectType,
    external_id: String,
    record_id: i64,
    field: String,
    cached_before: Option<String>,
    after: String,
}

fn view(row: &FixRow, names: &HashMap<i64, String>) -> FixRecordView {
    FixRecordView {
        id: row.id,
        at: row.at.to_rfc3339(),
        actor: row.actor.clone(),
        system: names
            .get(&row.system_id)
            .cloned()
            .unwrap_or_else(|| "(removed system)".into()),
        object: row.object.to_string(),
        external_id: row.external_id.clone(),
        field: row.field.clone(),
        before: row.before.clone(),
        after: row.after.clone(),
        status: row.status.clone(),
        detail: row.detail.clone(),
    }
}

fn system_names(workspace: &Workspace) -> Result<HashMap<i64, String>, AppError> {
    Ok(steward_store::list_systems(workspace.conn())?
        .into_iter()
        .map(|s| (s.id, s.name.to_string()))
        .collect())
}

/// What a plan needs besides the finding: the run it came from, the rules and the status
/// models in force.
struct PlanContext<'a> {
    run: &'a steward_store::DriftRun,
    rules: &'a RuleSet,
    system_names: &'a HashMap<i64, String>,
}

/// Turns a finding's fix into a planned write, or says why it cannot be applied.
fn plan(workspace: &Workspace, cx: &PlanContext<'_>, seq: i64) -> Result<Planned, String> {
    let conn = workspace.conn();
    let run = cx.run;
    let row = steward_store::get_finding(conn, run.id, seq)
        .map_err(|e| e.to_string())?
        .ok_or("no such finding in this drift run (measure drift again)")?;
    let f = &row.finding;
    let fix = f.fix.as_ref().ok_or("this finding has no fix")?;
    if fix["action"] != "write" {
        return Err(
            "only value fixes are written; this one is advice (delete or create by hand)".into(),
        );
    }
    let target = &fix["target"];
    let from = &fix["from"];
    let (Some(record_id), Some(system_id), Some(external_id), Some(field)) = (
        target["record_id"].as_i64(),
        target["system_id"].as_i64(),
        target["external_id"].as_str(),
        fix["field"]
            .as_str()
            .filter(|f| !f.is_empty() && !f.contains(" + ")),
    ) else {
        return Err("the fix does not name one field of one record".into());
    };
    let from_record = from["record"]["record_id"]
        .as_i64()
        .ok_or("the fix names no source")?;
    let from_field = from["field"]
        .as_str()
        .filter(|f| !f.contains(" + "))
        .ok_or("the hub keeps this as first and last name: change it by hand")?;
    let from_system = from["record"]["system_id"]
        .as_i64()
        .ok_or("the fix names no source system")?;
    // What drift saw must still be what the cache and the rules say: no sync of either
    // system and no rule change since the run started.
    let rules_now = steward_store::latest_rules(conn)
        .map_err(|e| e.to_string())?
        .map(|v| v.version);
    if rules_now != Some(run.rules_version) {
        return Err("the rules changed since drift was measured: measure drift again".into());
    }
    for system in [system_id, from_system] {
        let synced = steward_store::last_sync_start(conn, system).map_err(|e| e.to_string())?;
        if synced.is_some_and(|at| at >= run.started_at) {
            return Err(format!(
                "{} was synced after drift was measured: measure drift again",
                cx.system_names
                    .get(&system)
                    .map_or("a system", String::as_str)
            ));
        }
    }
    let canonical = f
        .field
        .as_deref()
        .and_then(|k| FieldKey::parse(k).ok())
        .ok_or("the finding names no canonical field")?;
    let kind = steward_store::list_catalog(conn)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|c| c.object == f.object && c.key == canonical)
        .map(|c| c.value_kind);
    if matches!(kind, Some(ValueKind::Date | ValueKind::Number)) {
        return Err(
            "dates and numbers are written in each system's own format: change it by hand".into(),
        );
    }
    // The value must come from the authority: the finding's authority record, or (a
    // conflicting write) the hub record's own earlier version.
    let authority = f.evidence["authority_record_id"].as_i64();
    let restoring = from["version"].is_u64() && from_record == record_id;
    if !restoring && authority != Some(from_record) {
        return Err("the fix's value does not come from the field's authority; not written".into());
    }
    let raw = match from["version"].as_i64() {
        Some(v) => steward_store::field_version(conn, from_record, from_field, v),
        None => steward_store::field_value(conn, from_record, from_field),
    }
    .map_err(|e| e.to_string())?
    .ok_or("the authority's value is no longer in the cache; sync and measure drift again")?;
    // A status goes into the target in the target's own word.
    let after = match cx.rules.status_model(f.object, &canonical) {
        Some(model) => {
            let name = |id: i64| cx.system_names.get(&id).cloned().unwrap_or_default();
            let value = model
                .canonical(&name(from_system), &raw)
                .ok_or("the authority's status is not in the status model: map it first")?;
            target_word(
                workspace,
                model,
                &name(system_id),
                system_id,
                f.object,
                field,
                value,
            )?
        }
        None => raw,
    };
    let cached_before =
        steward_store::field_value(conn, record_id, field).map_err(|e| e.to_string())?;
    Ok(Planned {
        seq,
        system_id,
        object: f.object,
        external_id: external_id.to_owned(),
        record_id,
        field: field.to_owned(),
        cached_before,
        after,
    })
}

/// The one word `system` uses for a canonical status: its map's, or a value it holds that is
/// the canonical one spelled another way. None or several: refused.
pub(crate) fn target_word(
    workspace: &Workspace,
    model: &StatusModel,
    system: &str,
    system_id: i64,
    object: ObjectType,
    field: &str,
    canonical: &str,
) -> Result<String, String> {
    let mut words: Vec<String> = model
        .systems
        .get(system)
        .into_iter()
        .flatten()
        .filter(|(_, to)| to.as_str() == canonical)
        .map(|(from, _)| from.clone())
        .collect();
    for (value, _) in steward_store::value_counts(workspace.conn(), system_id, object, field, 200)
        .map_err(|e| e.to_string())?
    {
        if value.eq_ignore_ascii_case(canonical) && !words.contains(&value) {
            words.push(value);
        }
    }
    match words.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "{system} has no word for the status \"{canonical}\": map one in the status model first"
        )),
        _ => Err(format!(
            "{system} has several words for the status \"{canonical}\" ({}): change it by hand",
            words.join(", ")
        )),
    }
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(str::trim).filter(|v| !v.is_empty()) == b.map(str::trim).filter(|v| !v.is_empty())
}

// `&mut`: a shared borrow of the workspace held across an await would make the future
// unsendable (a SQLite connection is not `Sync`).
async fn connector_for(
    env: &SyncEnv,
    workspace: &mut Workspace,
    system_id: i64,
    cancel: &CancellationToken,
) -> Result<Box<dyn Connector>, AppError> {
    let system = steward_store::list_systems(workspace.conn())?
        .into_iter()
        .find(|s| s.id == system_id)
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "the fix's system was removed"))?;
    crate::sync::Connecting::new(env, workspace, &system, cancel.clone())?
        .connect()
        .await
}

/// Writes the chosen findings' fixes into their systems. Each is checked live first: the
/// record must still hold what the cache says (else someone changed it since drift was
/// measured, and it is skipped), then journaled as pending with the value it replaces,
/// written, and marked applied or failed. Pending rows left by a crash are settled by
/// reading the live value on the next call.
pub async fn apply_fixes(
    env: &SyncEnv,
    request: &FixRequest,
    progress: &(dyn Fn(FixProgress) + Send + Sync),
    cancel: CancellationToken,
) -> Result<FixReport, AppError> {
    crate::governance::require_at(env, steward_domain::Action::ApplyFixes)?;
    let mut workspace = Workspace::open(&env.workspace_path)?;
    let names = system_names(&workspace)?;
    let Some(run) = steward_store::latest_drift_run(workspace.conn())? else {
        return Err(AppError::invalid(
            "no drift measured yet: measure drift first",
        ));
    };
    if run.id != request.run_id {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "these findings are from drift run {}, and run {} has replaced them (drift is \
                 measured again after each sync): look at the new findings and choose again",
                request.run_id, run.id
            ),
        ));
    }
    let rules: RuleSet = steward_store::latest_rules(workspace.conn())?
        .and_then(|v| serde_json::from_value(v.document).ok())
        .unwrap_or_default();
    settle_pending(env, &mut workspace, &cancel).await;
    let total = request.seqs.len() as u64;
    let mut report = FixReport::default();
    let mut connectors: HashMap<i64, Box<dyn Connector>> = HashMap::new();
    let skipped_row = |p: Option<&Planned>, detail: String| FixRecordView {
        id: 0,
        at: env.clock.now().to_rfc3339(),
        actor: env.actor.clone(),
        system: p
            .and_then(|p| names.get(&p.system_id).cloned())
            .unwrap_or_default(),
        object: p.map(|p| p.object.to_string()).unwrap_or_default(),
        external_id: p.map(|p| p.external_id.clone()).unwrap_or_default(),
        field: p.map(|p| p.field.clone()).unwrap_or_default(),
        before: p.and_then(|p| p.cached_before.clone()),
        after: p.map(|p| p.after.clone()).unwrap_or_default(),
        status: "skipped".into(),
        detail: Some(detail),
    };
    for (done, seq) in request.seqs.iter().enumerate() {
        progress(FixProgress {
            done: done as u64,
            total,
        });
        if cancel.is_cancelled() {
            break;
        }
        let cx = PlanContext {
            run: &run,
            rules: &rules,
            system_names: &names,
        };
        let planned = match plan(&workspace, &cx, *seq) {
            Ok(p) => p,
            Err(why) => {
                report.skipped += 1;
                report
                    .rows
                    .push(skipped_row(None, format!("finding {seq}: {why}")));
                continue;
            }
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = connectors.entry(planned.system_id)
        {
            match connector_for(env, &mut workspace, planned.system_id, &cancel).await {
                Ok(c) => {
                    slot.insert(c);
                }
                Err(e) => {
                    report.skipped += 1;
                    report.rows.push(skipped_row(Some(&planned), e.message));
                    continue;
                }
            }
        }
        let Some(connector) = connectors.get(&planned.system_id) else {
            continue;
        };
        if !connector.writable() {
            report.skipped += 1;
            report.rows.push(skipped_row(
                Some(&planned),
                "Steward does not write to this kind of system; change the value there by hand"
                    .into(),
            ));
            continue;
        }
        let fields = vec![planned.field.clone()];
        let live = match connector
            .read_values(planned.object, &planned.external_id, &fields)
            .await
        {
            Ok(Some(values)) => values.get(&planned.field).cloned(),
            Ok(None) => {
                report.skipped += 1;
                report.rows.push(skipped_row(
                    Some(&planned),
                    "the record is no longer in the system".into(),
                ));
                continue;
            }
            Err(e) => {
                report.failed += 1;
                report.rows.push(FixRecordView {
                    status: "failed".into(),
                    detail: Some(e.to_string()),
                    ..skipped_row(Some(&planned), String::new())
                });
                continue;
            }
        };
        if same(live.as_deref(), Some(&planned.after)) {
            report.skipped += 1;
            report.rows.push(skipped_row(
                Some(&planned),
                "the system holds that value already".into(),
            ));
            continue;
        }
        if !same(live.as_deref(), planned.cached_before.as_deref()) {
            report.skipped += 1;
            report.rows.push(skipped_row(
                Some(&planned),
                "changed in the system since drift was measured: sync and measure again before fixing".into(),
            ));
            continue;
        }
        let row = write_one(
            env,
            &mut workspace,
            connector.as_ref(),
            &planned,
            live,
            Some((run.id, planned.seq)),
            None,
        )
        .await?;
        if row.status == "applied" {
            report.applied += 1;
        } else {
            report.failed += 1;
        }
        report.rows.push(view(&row, &names));
    }
    progress(FixProgress { done: total, total });
    tracing::info!(
        applied = report.applied,
        skipped = report.skipped,
        failed = report.failed,
        "drift fixes"
    );
    Ok(report)
}

/// Journals, writes and settles one value.
async fn write_one(
    env: &SyncEnv,
    workspace: &mut Workspace,
    connector: &dyn Connector,
    planned: &Planned,
    before: Option<String>,
    settles: Option<(i64, i64)>,
    reverts: Option<i64>,
) -> Result<FixRow, AppError> {
    let at = env.clock.now();
    let mut row = FixRow {
        id: 0,
        at,
        actor: env.actor.clone(),
        system_id: planned.system_id,
        object: planned.object,
        external_id: planned.external_id.clone(),
        field: planned.field.clone(),
        before,
        after: planned.after.clone(),
        status: "pending".into(),
        detail: None,
    };
    let journaled = row.clone();
    row.id = workspace.change(|c| {
        let id = c.insert_fixes(std::slice::from_ref(&journaled))?[0];
        let event = AuditEvent {
            at,
            actor: journaled.actor.clone(),
            action: "drift.fix.started".into(),
            subject: format!("fix/{id}"),
            details: serde_json::json!({
                "system_id": journaled.system_id,
                "object": journaled.object,
                "external_id": journaled.external_id,
                "field": journaled.field,
            }),
        };
        Ok::<_, AppError>((id, event))
    })?;
    let values = BTreeMap::from([(planned.field.clone(), planned.after.clone())]);
    let outcome = connector
        .write_values(planned.object, &planned.external_id, &values)
        .await;
    let (status, detail) = match &outcome {
        Ok(()) => ("applied", None),
        Err(e) => ("failed", Some(e.to_string())),
    };
    let done_at = env.clock.now();
    workspace.change(|c| {
        c.set_fix_status(row.id, status, detail.as_deref())?;
        if outcome.is_ok() {
            c.cache_written_value(
                planned.record_id,
                &planned.field,
                &planned.after,
                done_at,
                settles,
            )?;
            if let Some(original) = reverts {
                c.set_fix_status(
                    original,
                    "reverted",
                    Some(&format!("reverted by fix {}", row.id)),
                )?;
            }
        }
        let event = match reverts {
            Some(original) if outcome.is_ok() => AuditEvent {
                at: done_at,
                actor: env.actor.clone(),
                action: "drift.fix.reverted".into(),
                subject: format!("fix/{original}"),
                details: serde_json::json!({ "by": row.id }),
            },
            _ => AuditEvent {
                at: done_at,
                actor: env.actor.clone(),
                action: format!("drift.fix.{status}"),
                subject: format!("fix/{}", row.id),
                details: serde_json::json!({ "detail": detail }),
            },
        };
        Ok::<_, AppError>(((), event))
    })?;
    row.status = status.into();
    row.detail = detail;
    Ok(row)
}

/// Pending rows are writes a crash interrupted: the live value says whether they landed.
/// A row that cannot be settled now (its system unreachable or removed) stays pending and
/// blocks nothing.
async fn settle_pending(env: &SyncEnv, workspace: &mut Workspace, cancel: &CancellationToken) {
    let pending: Vec<FixRow> = match steward_store::list_fixes(workspace.conn(), 10_000) {
        Ok(rows) => rows.into_iter().filter(|r| r.status == "pending").collect(),
        Err(e) => {
            tracing::warn!(error = %e, "the fix journal could not be read");
            return;
        }
    };
    for row in pending {
        let live = match connector_for(env, workspace, row.system_id, cancel).await {
            Ok(connector) => {
                connector
                    .read_values(
                        row.object,
                        &row.external_id,
                        std::slice::from_ref(&row.field),
                    )
                    .await
            }
            Err(e) => Err(steward_connectors::ConnectorError::Sink(e.message)),
        };
        let Ok(live) = live else {
            tracing::warn!(fix = row.id, "a pending fix could not be settled yet");
            continue;
        };
        let landed =
            live.is_some_and(|v| same(v.get(&row.field).map(String::as_str), Some(&row.after)));
        let (status, detail) = if landed {
            (
                "applied",
                "settled after an interruption: the system holds the new value",
            )
        } else {
            (
                "failed",
                "settled after an interruption: the write did not land",
            )
        };
        let at = env.clock.now();
        let settled = workspace.change(|c| {
            c.set_fix_status(row.id, status, Some(detail))?;
            let event = AuditEvent {
                at,
                actor: env.actor.clone(),
                action: format!("drift.fix.{status}"),
                subject: format!("fix/{}", row.id),
                details: serde_json::json!({ "detail": detail }),
            };
            Ok::<_, AppError>(((), event))
        });
        if let Err(e) = settled {
            tracing::warn!(fix = row.id, code = ?e.code, "a pending fix could not be settled");
        }
    }
}

/// Puts back the value an applied fix replaced, if the system still holds what it wrote.
pub async fn revert_fix(
    env: &SyncEnv,
    id: i64,
    cancel: CancellationToken,
) -> Result<FixRecordView, AppError> {
    crate::governance::require_at(env, steward_domain::Action::ApplyFixes)?;
    let mut workspace = Workspace::open(&env.workspace_path)?;
    let names = system_names(&workspace)?;
    let row = steward_store::get_fix(workspace.conn(), id)?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no fix {id} in the journal")))?;
    if row.status != "applied" {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "fix {id} is {}; only an applied fix can be reverted",
                row.status
            ),
        ));
    }
    let connector = connector_for(env, &mut workspace, row.system_id, &cancel).await?;
    let live = connector
        .read_values(
            row.object,
            &row.external_id,
            std::slice::from_ref(&row.field),
        )
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::Conflict, "the record is no longer in the system")
        })?;
    if !same(live.get(&row.field).map(String::as_str), Some(&row.after)) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "the field changed again since the fix; not reverted (sync and look at it first)",
        ));
    }
    let record_id = steward_store::record_id(
        workspace.conn(),
        row.system_id,
        row.object,
        &row.external_id,
    )?
    .ok_or_else(|| {
        AppError::new(
            ErrorCode::NotFound,
            "the record is no longer cached: sync it first",
        )
    })?;
    let planned = Planned {
        seq: 0,
        system_id: row.system_id,
        object: row.object,
        external_id: row.external_id.clone(),
        record_id,
        field: row.field.clone(),
        cached_before: Some(row.after.clone()),
        after: row.before.clone().unwrap_or_default(),
    };
    // The original is marked reverted in the same transaction that settles the write.
    let written = write_one(
        env,
        &mut workspace,
        connector.as_ref(),
        &planned,
        Some(row.after.clone()),
        None,
        Some(id),
    )
    .await?;
    Ok(view(&written, &names))
}

impl Steward {
    /// The fix journal, newest first.
    pub fn drift_fixes(&self) -> Result<Vec<FixRecordView>, AppError> {
        let names = system_names(&self.workspace)?;
        Ok(steward_store::list_fixes(self.workspace.conn(), 1_000)?
            .iter()
            .map(|r| view(r, &names))
            .collect())
    }
}
