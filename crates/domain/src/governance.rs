//! Who may do what in a workspace: the named SSOT owner, ops reviewers and admins, and the
//! actions each role allows. A workspace with no admin named yet is ungoverned: anyone who
//! holds the file may act, and the app says so until an admin is named.

use serde::{Deserialize, Serialize};

use crate::system::string_enum;

string_enum! {
    /// A person's standing in the workspace.
    Duty ("role") { Owner => "owner", Ops => "ops", Admin => "admin" }
}

impl Duty {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Owner => "SSOT owner",
            Self::Ops => "ops reviewer",
            Self::Admin => "admin",
        }
    }
}

/// Something a person does that a role must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Grant and revoke roles.
    ManageRoles,
    /// Add, change or remove systems and their credentials.
    ManageSystems,
    /// Move a system active → deprecating → deprecated (or back).
    MoveLifecycle,
    /// Field authority, mappings, the status model.
    ChangeRules,
    /// The two-person rule for merges.
    ChangeMergePolicy,
    /// Approve, reject or edit merge proposals; run and restore merges.
    ReviewMerges,
    /// Write drift fixes into systems, or revert them.
    ApplyFixes,
    /// Record erasure requests.
    RequestErasure,
    /// Define and remove write-back probes.
    ManageProbes,
    /// Run probes (by hand or on schedule), clear alerts.
    RunProbes,
    /// Sign off (or waive) a checklist item.
    SignOff,
    /// Run and export the quarterly audit.
    RunAudit,
}

impl Action {
    /// The roles that allow this action.
    pub const fn allowed(self) -> &'static [Duty] {
        match self {
            Self::ManageRoles | Self::ManageSystems | Self::MoveLifecycle => &[Duty::Admin],
            Self::ChangeRules | Self::ChangeMergePolicy | Self::ManageProbes | Self::SignOff => {
                &[Duty::Owner, Duty::Admin]
            }
            Self::ReviewMerges | Self::ApplyFixes => &[Duty::Ops, Duty::Owner],
            Self::RequestErasure | Self::RunAudit => &[Duty::Owner, Duty::Admin],
            Self::RunProbes => &[Duty::Owner, Duty::Ops, Duty::Admin],
        }
    }

    pub const fn describe(self) -> &'static str {
        match self {
            Self::ManageRoles => "grant or revoke roles",
            Self::ManageSystems => "add, change or remove systems",
            Self::MoveLifecycle => "move a system's lifecycle",
            Self::ChangeRules => "change the field-authority rules",
            Self::ChangeMergePolicy => "change the two-person rule",
            Self::ReviewMerges => "review and run merges",
            Self::ApplyFixes => "write drift fixes into systems",
            Self::RequestErasure => "record an erasure request",
            Self::ManageProbes => "define or remove write-back probes",
            Self::RunProbes => "run probes and clear alerts",
            Self::SignOff => "sign off checklist items",
            Self::RunAudit => "run or export the quarterly audit",
        }
    }
}

/// Why an action was refused, naming the roles that would allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{actor} may not {what}: it takes the role {needed}; an admin grants it (steward role grant {actor} --role {first})"
)]
pub struct Refusal {
    pub actor: String,
    pub what: &'static str,
    pub needed: String,
    pub first: &'static str,
}

/// Whether `actor`, holding `held`, may do `action`. `governed` is false until an admin is
/// named: then everyone may.
pub fn permit(actor: &str, held: &[Duty], governed: bool, action: Action) -> Result<(), Refusal> {
    let allowed = action.allowed();
    if !governed || held.iter().any(|d| allowed.contains(d)) {
        return Ok(());
    }
    Err(Refusal {
        actor: actor.to_owned(),
        what: action.describe(),
        needed: allowed
            .iter()
            .map(|d| d.label())
            .collect::<Vec<_>>()
            .join(" or "),
        first: allowed[0].as_str(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ungoverned_workspaces_let_anyone_act() {
        assert!(permit("sam", &[], false, Action::MoveLifecycle).is_ok());
    }

    #[test]
    fn roles_gate_actions_once_governed() {
        assert!(permit("ana", &[Duty::Admin], true, Action::MoveLifecycle).is_ok());
        let refused = permit("olu", &[Duty::Ops], true, Action::MoveLifecycle).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "olu may not move a system's lifecycle: it takes the role admin; an admin grants it (steward role grant olu --role admin)"
        );
        assert!(permit("olu", &[Duty::Ops], true, Action::ReviewMerges).is_ok());
        assert!(permit("ana", &[Duty::Admin], true, Action::ReviewMerges).is_err());
        assert!(permit("own", &[Duty::Owner], true, Action::ChangeRules).is_ok());
        assert!(permit("nobody", &[], true, Action::RunProbes).is_err());
    }
}
