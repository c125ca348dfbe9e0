//! Checklists a system walks through: onboarding a new tool, and retiring a redundant one.
//! Automatic items are judged from evidence; manual ones need a person's sign-off (a name
//! and a note), which also waives an automatic item that cannot pass.

use serde::{Deserialize, Serialize};

use crate::system::{Lifecycle, string_enum};

string_enum! {
    /// Which checklist.
    Checklist ("checklist") { Deprecation => "deprecation", Onboarding => "onboarding" }
}

string_enum! {
    /// How an item is judged.
    ItemKind ("item kind") { Automatic => "automatic", Manual => "manual" }
}

string_enum! {
    /// What the evidence says.
    Verdict ("verdict") { Pass => "pass", Fail => "fail", Unknown => "unknown" }
}

/// A person's sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub actor: String,
    pub note: String,
    pub at: crate::Timestamp,
}

/// One item, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: ItemKind,
    pub verdict: Verdict,
    /// What the verdict rests on, in words (counts, dates, names; never a customer value).
    pub evidence: String,
    pub sign_off: Option<SignOff>,
}

impl Item {
    /// Passed on its evidence, or signed off by a person.
    pub fn satisfied(&self) -> bool {
        self.verdict == Verdict::Pass || self.sign_off.is_some()
    }
}

/// The deprecation checklist's items, in order: (key, label, kind).
pub const DEPRECATION_ITEMS: &[(&str, &str, ItemKind)] = &[
    (
        "only_here",
        "No records exist only in this system",
        ItemKind::Automatic,
    ),
    (
        "sources_rerouted",
        "Sources re-routed: no new records",
        ItemKind::Automatic,
    ),
    (
        "write_back_verified",
        "Write-back verified by the last probe",
        ItemKind::Automatic,
    ),
    ("no_writes", "No writes", ItemKind::Automatic),
    (
        "credentials_revoked",
        "Credentials revoked",
        ItemKind::Manual,
    ),
    ("archive_exported", "Archive exported", ItemKind::Automatic),
];

/// The onboarding checklist's items.
pub const ONBOARDING_ITEMS: &[(&str, &str, ItemKind)] = &[
    ("owner_named", "A named owner", ItemKind::Automatic),
    (
        "teams_listed",
        "Dependent teams listed",
        ItemKind::Automatic,
    ),
    (
        "first_sync",
        "Connected: a sync succeeded",
        ItemKind::Automatic,
    ),
    (
        "fields_mapped",
        "Fields mapped to canonical fields",
        ItemKind::Automatic,
    ),
    (
        "authority_decided",
        "Field authority decided for its fields",
        ItemKind::Manual,
    ),
    (
        "write_back_probed",
        "Write-back probed (if it writes back)",
        ItemKind::Automatic,
    ),
    (
        "owner_approved",
        "Approved by the SSOT owner",
        ItemKind::Manual,
    ),
];

/// The items of `checklist`.
pub fn items_of(checklist: Checklist) -> &'static [(&'static str, &'static str, ItemKind)] {
    match checklist {
        Checklist::Deprecation => DEPRECATION_ITEMS,
        Checklist::Onboarding => ONBOARDING_ITEMS,
    }
}

/// Why a lifecycle move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("the system is {0} already")]
    Same(Lifecycle),
    #[error(
        "the deprecation checklist is not complete ({0}); finish or sign off those items, or give an override reason"
    )]
    Checklist(String),
    #[error("moving a system back to {0} needs a reason")]
    ReasonNeeded(Lifecycle),
    #[error("the hub is the single source of truth: it cannot be deprecated")]
    Hub,
}

/// Whether a system may move `from` → `to`, given its deprecation checklist and an optional
/// override reason. Starting a deprecation is always allowed (it starts the checklist);
/// finishing one takes a complete checklist or a reason; going back takes a reason.
pub fn check_move(
    is_hub: bool,
    from: Lifecycle,
    to: Lifecycle,
    items: &[Item],
    reason: Option<&str>,
) -> Result<(), MoveRefused> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if from == to {
        return Err(MoveRefused::Same(to));
    }
    if is_hub && to != Lifecycle::Active {
        return Err(MoveRefused::Hub);
    }
    match to {
        Lifecycle::Deprecating => {
            if from == Lifecycle::Deprecated && reason.is_none() {
                return Err(MoveRefused::ReasonNeeded(to));
            }
            Ok(())
        }
        Lifecycle::Active => reason.map(|_| ()).ok_or(MoveRefused::ReasonNeeded(to)),
        Lifecycle::Deprecated => {
            let open: Vec<&str> = items
                .iter()
                .filter(|i| !i.satisfied())
                .map(|i| i.key)
                .collect();
            if open.is_empty() || reason.is_some() {
                Ok(())
            } else {
                Err(MoveRefused::Checklist(open.join(", ")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    fn item(key: &'static str, verdict: Verdict, signed: bool) -> Item {
        Item {
            key,
            label: key,
            kind: ItemKind::Automatic,
            verdict,
            evidence: String::new(),
            sign_off: signed.then(|| SignOff {
                actor: "ana".into(),
                note: "checked".into(),
                at: Timestamp::from_millis(1),
            }),
        }
    }

    #[test]
    fn deprecating_needs_the_checklist_or_a_reason() {
        use Lifecycle::*;
        let open = [
            item("no_writes", Verdict::Fail, false),
            item("only_here", Verdict::Pass, false),
        ];
        assert_eq!(
            check_move(false, Deprecating, Deprecated, &open, None)
                .unwrap_err()
                .to_string(),
            "the deprecation checklist is not complete (no_writes); finish or sign off those items, or give an override reason"
        );
        assert!(check_move(false, Deprecating, Deprecated, &open, Some("  ")).is_err());
        assert!(
            check_move(
                false,
                Deprecating,
                Deprecated,
                &open,
                Some("board decision")
            )
            .is_ok()
        );
        let signed = [item("no_writes", Verdict::Fail, true)];
        assert!(check_move(false, Deprecating, Deprecated, &signed, None).is_ok());
        assert!(check_move(false, Active, Deprecating, &open, None).is_ok());
        assert!(check_move(false, Deprecated, Active, &[], None).is_err());
        assert!(check_move(false, Deprecated, Active, &[], Some("still needed")).is_ok());
        assert!(check_move(true, Active, Deprecating, &[], Some("x")).is_err());
        assert!(check_move(false, Active, Active, &[], None).is_err());
    }
}
