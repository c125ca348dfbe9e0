//! Governance: who holds which role, the gate every guarded action passes, the onboarding
//! checklist for a new tool, and the alerts a person should see.

use serde::{Deserialize, Serialize};
use serde_json::json;
use steward_domain::{
    Action, AuditEvent, Checklist, Duty, Item, ItemKind, ObjectType, SignOff, System, Verdict,
    items_of, permit,
};
use steward_store::{Connection, Workspace};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::workspace::Steward;

/// Refuses `action` unless `actor` holds a role that allows it (or no admin is named yet).
pub(crate) fn require(conn: &Connection, actor: &str, action: Action) -> Result<(), AppError> {
    let governed = steward_store::is_governed(conn)?;
    let held = steward_store::roles_of(conn, actor)?;
    permit(actor, &held, governed, action)
        .map_err(|refusal| AppError::new(ErrorCode::Forbidden, refusal.to_string()))
}

/// `require` for the async jobs, which hold a workspace path rather than the app.
pub(crate) fn require_at(env: &crate::sync::SyncEnv, action: Action) -> Result<(), AppError> {
    let workspace = Workspace::open(&env.workspace_path)?;
    require(workspace.conn(), &env.actor, action)
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    pub actor: String,
    #[ts(type = "\"owner\" | \"ops\" | \"admin\"")]
    pub role: Duty,
    pub label: String,
    pub granted_at: String,
    pub granted_by: String,
}

/// An action and the roles that allow it, for the screen's table.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PermissionView {
    pub action: String,
    pub roles: Vec<String>,
    /// Whether the person using the app may do it now.
    pub allowed: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GovernanceView {
    /// False until an admin is named: then anyone holding the workspace may act.
    pub governed: bool,
    pub ssot_owner: Option<String>,
    pub actor: String,
    pub my_roles: Vec<String>,
    pub roles: Vec<RoleView>,
    pub permissions: Vec<PermissionView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignOffView {
    pub actor: String,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItemView {
    pub key: String,
    pub label: String,
    /// automatic | manual
    pub kind: String,
    /// pass | fail | unknown
    pub verdict: String,
    pub evidence: String,
    pub sign_off: Option<SignOffView>,
    pub satisfied: bool,
}

impl From<&Item> for ChecklistItemView {
    fn from(item: &Item) -> Self {
        Self {
            key: item.key.to_owned(),
            label: item.label.to_owned(),
            kind: item.kind.as_str().to_owned(),
            verdict: item.verdict.as_str().to_owned(),
            evidence: item.evidence.clone(),
            sign_off: item.sign_off.as_ref().map(|s| SignOffView {
                actor: s.actor.clone(),
                note: s.note.clone(),
                at: s.at.to_rfc3339(),
            }),
            satisfied: item.satisfied(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OnboardingView {
    pub system: String,
    pub system_id: i64,
    pub items: Vec<ChecklistItemView>,
    pub done: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertView {
    pub id: i64,
    /// probe_failed | probe_slow | drift_magnet
    pub kind: String,
    pub subject: String,
    pub system: Option<String>,
    pub raised_at: String,
    pub last_seen: String,
    pub message: String,
    /// What to do about it.
    pub next_step: String,
    pub cleared_at: Option<String>,
    pub cleared_by: Option<String>,
}

/// A sign-off request (manual item done, or automatic item waived).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignOffRequest {
    pub system: String,
    /// deprecation | onboarding
    pub checklist: String,
    pub item: String,
    pub note: String,
}

/// Items with their sign-offs attached, in the checklist's order.
pub(crate) fn with_sign_offs(
    workspace: &Workspace,
    system_id: i64,
    checklist: Checklist,
    judged: Vec<(Verdict, String)>,
) -> Result<Vec<Item>, AppError> {
    let signed = steward_store::sign_offs(workspace.conn(), system_id, checklist)?;
    Ok(items_of(checklist)
        .iter()
        .zip(judged)
        .map(|(&(key, label, kind), (verdict, evidence))| Item {
            key,
            label,
            kind,
            verdict,
            evidence,
            sign_off: signed
                .iter()
                .find(|(item, _)| item == key)
                .map(|(_, s)| s.clone()),
        })
        .collect())
}

fn next_step(kind: &str) -> &'static str {
    match kind {
        "probe_failed" => {
            "Open the probe's history: a lost leg names the status that never arrived. Fix the integration's mapping, then run the probe again (it clears this alert when it passes)."
        }
        "probe_slow" => {
            "The integration works but lags past its target: check its schedule or queue, or raise the target if the lag is acceptable."
        }
        "drift_magnet" => {
            "Someone still writes to a retired system. Find who (its records' last-touched dates are listed), re-route them to the CRM, then clear this alert."
        }
        _ => "Review and clear it.",
    }
}

pub(crate) fn alert_view(row: &steward_store::AlertRow, names: &[System]) -> AlertView {
    AlertView {
        id: row.id,
        kind: row.kind.clone(),
        subject: row.subject.clone(),
        system: row
            .system_id
            .and_then(|id| names.iter().find(|s| s.id == id))
            .map(|s| s.name.to_string()),
        raised_at: row.raised_at.to_rfc3339(),
        last_seen: row.last_seen.to_rfc3339(),
        message: row.message.clone(),
        next_step: next_step(&row.kind).to_owned(),
        cleared_at: row.cleared_at.map(|t| t.to_rfc3339()),
        cleared_by: row.cleared_by.clone(),
    }
}

const ACTIONS: &[Action] = &[
    Action::ManageRoles,
    Action::ManageSystems,
    Action::MoveLifecycle,
    Action::ChangeRules,
    Action::ChangeMergePolicy,
    Action::ReviewMerges,
    Action::ApplyFixes,
    Action::RequestErasure,
    Action::ManageProbes,
    Action::RunProbes,
    Action::SignOff,
    Action::RunAudit,
];

impl Steward {
    pub fn governance(&self) -> Result<GovernanceView, AppError> {
        let conn = self.workspace.conn();
        let governed = steward_store::is_governed(conn)?;
        let rows = steward_store::list_roles(conn)?;
        let mine = steward_store::roles_of(conn, &self.actor)?;
        Ok(GovernanceView {
            governed,
            ssot_owner: rows
                .iter()
                .find(|r| r.role == Duty::Owner)
                .map(|r| r.actor.clone()),
            actor: self.actor.clone(),
            my_roles: mine.iter().map(|d| d.as_str().to_owned()).collect(),
            roles: rows
                .iter()
                .map(|r| RoleView {
                    actor: r.actor.clone(),
                    role: r.role,
                    label: r.role.label().to_owned(),
                    granted_at: r.granted_at.to_rfc3339(),
                    granted_by: r.granted_by.clone(),
                })
                .collect(),
            permissions: ACTIONS
                .iter()
                .map(|a| PermissionView {
                    action: a.describe().to_owned(),
                    roles: a.allowed().iter().map(|d| d.label().to_owned()).collect(),
                    allowed: permit(&self.actor, &mine, governed, *a).is_ok(),
                })
                .collect(),
        })
    }

    /// Grants `role` to `person`. Until an admin is named anyone may (that is how the first
    /// admin is named); after that only an admin.
    pub fn grant_role(&mut self, person: &str, role: &str) -> Result<GovernanceView, AppError> {
        let person = checked_person(person)?;
        let role: Duty = role.parse().map_err(AppError::invalid)?;
        require(self.workspace.conn(), &self.actor, Action::ManageRoles)?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            c.grant_role(&person, role, at, &actor)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor: actor.clone(),
                    action: "role.granted".into(),
                    subject: format!("role/{person}"),
                    details: json!({ "person": person, "role": role.as_str() }),
                },
            ))
        })?;
        tracing::info!(role = role.as_str(), "role granted");
        self.governance()
    }

    pub fn revoke_role(&mut self, person: &str, role: &str) -> Result<GovernanceView, AppError> {
        let person = checked_person(person)?;
        let role: Duty = role.parse().map_err(AppError::invalid)?;
        require(self.workspace.conn(), &self.actor, Action::ManageRoles)?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            // Nothing to revoke: refused inside the transaction, so no audit entry is left.
            if !c.revoke_role(&person, role)? {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("{person} does not hold the role {}", role.as_str()),
                ));
            }
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor: actor.clone(),
                    action: "role.revoked".into(),
                    subject: format!("role/{person}"),
                    details: json!({ "person": person, "role": role.as_str() }),
                },
            ))
        })?;
        self.governance()
    }

    /// The onboarding checklist of one system.
    pub fn onboarding(&self, system: &str) -> Result<OnboardingView, AppError> {
        let system = crate::sync::find(&self.workspace, system)?;
        let conn = self.workspace.conn();
        let rules = crate::rules::rules_in_force(&self.workspace);
        let mut judged = Vec::new();
        judged.push(match &system.owner {
            Some(owner) => (Verdict::Pass, format!("owned by {owner}")),
            None => (Verdict::Fail, "no owner named: edit the system".into()),
        });
        judged.push(if system.dependent_teams.is_empty() {
            (Verdict::Fail, "no dependent team listed".into())
        } else {
            (Verdict::Pass, system.dependent_teams.join(", "))
        });
        let runs = steward_store::list_sync_runs(conn, system.id, 50)?;
        judged.push(
            match runs
                .iter()
                .find(|r| r.status == steward_store::SyncStatus::Succeeded)
            {
                Some(run) => (
                    Verdict::Pass,
                    format!(
                        "synced {} records on {}",
                        run.records_read,
                        run.started_at.to_rfc3339()
                    ),
                ),
                None => (Verdict::Fail, "no sync has succeeded yet".into()),
            },
        );
        let mapped = rules
            .mapping_of(system.name.as_str(), ObjectType::Person)
            .map_or(0, |m| m.fields.len())
            + rules
                .mapping_of(system.name.as_str(), ObjectType::Company)
                .map_or(0, |m| m.fields.len());
        judged.push(if mapped > 0 {
            (
                Verdict::Pass,
                format!("{mapped} fields mapped in the rule set"),
            )
        } else {
            (
                Verdict::Fail,
                "no field of it is mapped in the rule set".into(),
            )
        });
        let owns = rules
            .authority
            .iter()
            .filter(|r| r.system.eq_ignore_ascii_case(system.name.as_str()))
            .count();
        judged.push((
            Verdict::Unknown,
            format!("it is the authority for {owns} fields; the SSOT owner confirms the rules"),
        ));
        judged.push(crate::deprecation::last_probe_verdict(conn, system.id)?);
        judged.push((Verdict::Unknown, "the SSOT owner signs it off".into()));
        let items = with_sign_offs(&self.workspace, system.id, Checklist::Onboarding, judged)?;
        let done = items.iter().filter(|i| i.satisfied()).count();
        Ok(OnboardingView {
            system: system.name.to_string(),
            system_id: system.id,
            total: u32::try_from(items.len()).unwrap_or(u32::MAX),
            done: u32::try_from(done).unwrap_or(u32::MAX),
            items: items.iter().map(ChecklistItemView::from).collect(),
        })
    }

    /// Signs off a checklist item: a manual one done, an automatic one waived. A note is
    /// required: it is the evidence a later reader gets.
    pub fn sign_off(&mut self, request: &SignOffRequest) -> Result<(), AppError> {
        require(self.workspace.conn(), &self.actor, Action::SignOff)?;
        let checklist: Checklist = request.checklist.parse().map_err(AppError::invalid)?;
        let system = crate::sync::find(&self.workspace, &request.system)?;
        let Some(&(key, _, kind)) = items_of(checklist)
            .iter()
            .find(|(k, _, _)| *k == request.item.trim())
        else {
            return Err(AppError::invalid(format!(
                "item: \"{}\" is not on the {} checklist (items: {})",
                request.item.trim(),
                checklist.as_str(),
                items_of(checklist)
                    .iter()
                    .map(|(k, _, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        // The owner's own items: what an admin could otherwise approve on the owner's behalf.
        let owners_item = checklist == Checklist::Onboarding
            && matches!(key, "owner_approved" | "authority_decided");
        if owners_item
            && steward_store::is_governed(self.workspace.conn())?
            && !steward_store::roles_of(self.workspace.conn(), &self.actor)?.contains(&Duty::Owner)
        {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                format!(
                    "{} may not sign off \"{key}\": only the SSOT owner does (steward role list names them)",
                    self.actor
                ),
            ));
        }
        let note = request.note.trim();
        if note.is_empty() || note.chars().count() > 500 {
            return Err(AppError::invalid(
                "note: say what was checked (1–500 characters); it is kept with the sign-off",
            ));
        }
        let sign_off = SignOff {
            actor: self.actor.clone(),
            note: note.to_owned(),
            at: self.clock.now(),
        };
        self.workspace.change(|c| {
            c.sign_off(system.id, checklist, key, &sign_off)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at: sign_off.at,
                    actor: sign_off.actor.clone(),
                    action: "checklist.signed_off".into(),
                    subject: format!("system/{}", system.id),
                    details: json!({
                        "checklist": checklist.as_str(),
                        "item": key,
                        "waiver": kind == ItemKind::Automatic,
                        "note": sign_off.note,
                    }),
                },
            ))
        })
    }

    pub fn withdraw_sign_off(
        &mut self,
        system: &str,
        checklist: &str,
        item: &str,
    ) -> Result<(), AppError> {
        require(self.workspace.conn(), &self.actor, Action::SignOff)?;
        let checklist: Checklist = checklist.parse().map_err(AppError::invalid)?;
        let system = crate::sync::find(&self.workspace, system)?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        let item = item.trim().to_owned();
        self.workspace.change(|c| {
            if !c.withdraw_sign_off(system.id, checklist, &item)? {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("\"{item}\" was not signed off"),
                ));
            }
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor,
                    action: "checklist.sign_off_withdrawn".into(),
                    subject: format!("system/{}", system.id),
                    details: json!({ "checklist": checklist.as_str(), "item": item }),
                },
            ))
        })
    }

    pub fn alerts(&self, open_only: bool) -> Result<Vec<AlertView>, AppError> {
        let systems = steward_store::list_systems(self.workspace.conn())?;
        Ok(
            steward_store::list_alerts(self.workspace.conn(), open_only)?
                .iter()
                .map(|a| alert_view(a, &systems))
                .collect(),
        )
    }

    pub fn clear_alert(&mut self, id: i64) -> Result<(), AppError> {
        require(self.workspace.conn(), &self.actor, Action::RunProbes)?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            if c.clear_alerts(Some(id), None, at, &actor)? == 0 {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("no open alert {id}"),
                ));
            }
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor: actor.clone(),
                    action: "alert.cleared".into(),
                    subject: format!("alert/{id}"),
                    details: json!({}),
                },
            ))
        })
    }
}

fn checked_person(person: &str) -> Result<String, AppError> {
    let person = person.trim();
    if person.is_empty() || person.chars().count() > 128 || person.contains(['\n', '\r']) {
        return Err(AppError::invalid(
            "person: give the OS user name they act under (1–128 characters, one line)",
        ));
    }
    Ok(person.to_owned())
}
