//! The Systems screen and `steward system …`: register, list and remove the systems that hold
//! lead data, with their credentials in the OS keychain.

use serde::{Deserialize, Serialize};
use serde_json::json;
use steward_connectors::Secret;
use steward_domain::{
    Connection, CredentialKind, Lifecycle, NewSystem, Population, Role, System, SystemKind,
    SystemName, Transport, ensure_can_add,
};
use steward_store::StoreError;
use ts_rs::TS;

use crate::error::AppError;
use crate::workspace::Steward;

/// A system as the Systems screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SystemView {
    pub id: i64,
    pub name: String,
    #[ts(type = "SystemKind")]
    pub kind: SystemKind,
    #[ts(type = "Role")]
    pub role: Role,
    #[ts(type = "Lifecycle")]
    pub lifecycle: Lifecycle,
    #[ts(type = "Population")]
    pub population: Population,
    pub owner: Option<String>,
    pub dependent_teams: Vec<String>,
    pub base_url: Option<String>,
    pub path: Option<String>,
    pub credential: CredentialState,
    /// Records of this system cached in the workspace.
    pub cached_records: u64,
}

/// Whether the keychain holds the credential a system needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CredentialState {
    /// Files need none.
    NotNeeded,
    Stored,
    Missing,
    /// The keychain could not be asked (locked or unreachable).
    Unknown,
}

/// A new system, as the Add form and `steward system add` give it. The secret travels
/// beside it, never inside it, so this can be logged and echoed safely.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddSystemRequest {
    pub name: String,
    #[ts(type = "SystemKind")]
    pub kind: Option<SystemKind>,
    #[ts(type = "Role")]
    pub role: Option<Role>,
    /// Defaults by kind: files are imported, APIs and databases are fed automatically.
    #[ts(type = "Population | null")]
    pub population: Option<Population>,
    pub owner: Option<String>,
    #[serde(default)]
    pub dependent_teams: Vec<String>,
    pub base_url: Option<String>,
    pub path: Option<String>,
    /// A TOML file of connector settings (required for SQL and REST systems: what to read).
    #[serde(default)]
    pub config_path: Option<String>,
}

/// What removing a system did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoveReport {
    pub name: String,
    pub cached_records_removed: u64,
    pub credential_removed: bool,
    /// Set when the system is gone but its keychain entry could not be removed.
    pub warning: Option<String>,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl AddSystemRequest {
    fn into_new_system(self) -> Result<NewSystem, AppError> {
        let name = SystemName::parse(&self.name)?;
        let kind = self
            .kind
            .ok_or_else(|| AppError::invalid("kind: choose what kind of system this is"))?;
        let role = self
            .role
            .ok_or_else(|| AppError::invalid("role: choose hub (the CRM) or spoke"))?;
        let population = self.population.unwrap_or(match kind.transport() {
            Transport::File => Population::Imported,
            Transport::Http | Transport::Database => Population::Automated,
        });
        let dependent_teams = self
            .dependent_teams
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(NewSystem {
            name,
            kind,
            role,
            population,
            owner: trimmed(self.owner),
            dependent_teams,
            connection: Connection {
                base_url: trimmed(self.base_url),
                path: trimmed(self.path),
            },
        })
    }
}

/// The keychain account of a system's credential: per workspace, per system id (ids are
/// never reused, see the systems table).
pub(crate) fn credential_account(workspace_id: &str, system_id: i64) -> String {
    format!("{workspace_id}/system/{system_id}")
}

impl Steward {
    fn credential_account(&self, system_id: i64) -> String {
        credential_account(self.workspace.id(), system_id)
    }

    fn view(&self, system: System) -> Result<SystemView, AppError> {
        let credential = match system.kind.credential() {
            CredentialKind::None => CredentialState::NotNeeded,
            _ => match self.keychain.load(&self.credential_account(system.id)) {
                Ok(Some(_)) => CredentialState::Stored,
                Ok(None) => CredentialState::Missing,
                Err(err) => {
                    tracing::warn!(system = system.id, error = %err, "keychain lookup failed");
                    CredentialState::Unknown
                }
            },
        };
        let cached_records = steward_store::record_count(self.workspace.conn(), system.id, None)?;
        Ok(SystemView {
            id: system.id,
            name: system.name.to_string(),
            kind: system.kind,
            role: system.role,
            lifecycle: system.lifecycle,
            population: system.population,
            owner: system.owner,
            dependent_teams: system.dependent_teams,
            base_url: system.connection.base_url,
            path: system.connection.path,
            credential,
            cached_records,
        })
    }

    /// Every system, the hub first.
    pub fn list_systems(&self) -> Result<Vec<SystemView>, AppError> {
        steward_store::list_systems(self.workspace.conn())?
            .into_iter()
            .map(|s| self.view(s))
            .collect()
    }

    /// Registers a system. Its secret, if given, goes to the OS keychain inside the same
    /// transaction as the system row: if either fails, neither remains.
    pub fn add_system(
        &mut self,
        request: AddSystemRequest,
        secret: Option<Secret>,
    ) -> Result<SystemView, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ManageSystems,
        )?;
        let config_path = request.config_path.clone().filter(|p| !p.trim().is_empty());
        let new = request.into_new_system()?;
        if secret.is_some() && new.kind.credential() == CredentialKind::None {
            return Err(AppError::invalid(format!(
                "credential: a {} system is read from its file and takes no token",
                new.kind
            )));
        }
        let existing = steward_store::list_systems(self.workspace.conn())?;
        ensure_can_add(&existing, &new)?;
        let settings = connector_settings(new.kind, config_path.as_deref())?;

        let at = self.clock.now();
        let event = self.event(
            at,
            "system.added",
            format!("system:{}", new.name),
            json!({
                "kind": new.kind,
                "role": new.role,
                "population": new.population,
                "credential": if secret.is_some() { "stored in keychain" } else { "none" },
            }),
        );
        let workspace_id = self.workspace.id().to_owned();
        let keychain = self.keychain.clone();
        let mut stored = None;
        let result = self.workspace.change(|change| {
            let system = change.insert_system(&new, at)?;
            change.set_system_settings(system.id, &settings)?;
            if let Some(secret) = &secret {
                let account = credential_account(&workspace_id, system.id);
                keychain.store(&account, secret)?;
                stored = Some(account);
            }
            Ok::<_, AppError>((system, event))
        });
        let system = match result {
            Ok(system) => system,
            Err(err) => {
                // The row rolled back; take back the secret if it got as far as the keychain.
                if let Some(account) = stored
                    && let Err(cleanup) = keychain.delete(&account)
                {
                    tracing::warn!(error = %cleanup, "could not take back a keychain entry");
                }
                return Err(err);
            }
        };
        tracing::info!(system = system.id, kind = %system.kind, role = %system.role, "system added");
        self.view(system)
    }

    /// Replaces a system's connector settings with a config file's (checked for its kind).
    pub fn configure_system(
        &mut self,
        name: &str,
        config_path: &str,
    ) -> Result<SystemView, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ManageSystems,
        )?;
        let system = self.find_system(name)?;
        let settings = connector_settings(system.kind, Some(config_path))?;
        let at = self.clock.now();
        let event = self.event(
            at,
            "system.configured",
            format!("system:{}", system.name),
            json!({ "settings": settings }),
        );
        self.workspace.change(|change| {
            change.set_system_settings(system.id, &settings)?;
            Ok::<_, AppError>(((), event))
        })?;
        self.view(system)
    }

    /// A system by name, matched without regard to case in every script.
    fn find_system(&self, name: &str) -> Result<System, AppError> {
        let not_found = || {
            AppError::from(StoreError::Missing {
                what: format!("system \"{}\"", name.trim()),
            })
        };
        let wanted = SystemName::parse(name).map_err(|_| not_found())?;
        steward_store::list_systems(self.workspace.conn())?
            .into_iter()
            .find(|s| s.name.same_as(&wanted))
            .ok_or_else(not_found)
    }

    /// Stores (or replaces) a system's credential in the OS keychain; the audit log records
    /// that it changed, never what it is.
    pub fn store_credential(&mut self, name: &str, secret: Secret) -> Result<SystemView, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ManageSystems,
        )?;
        let system = self.find_system(name)?;
        if system.kind.credential() == CredentialKind::None {
            return Err(AppError::invalid(format!(
                "credential: a {} system is read from its file and takes no token",
                system.kind
            )));
        }
        let account = self.credential_account(system.id);
        let event = self.event(
            self.clock.now(),
            "system.credential_stored",
            format!("system:{}", system.name),
            json!({ "kind": system.kind }),
        );
        let keychain = self.keychain.clone();
        self.workspace.change(|_| {
            keychain.store(&account, &secret)?;
            Ok::<_, AppError>(((), event))
        })?;
        tracing::info!(system = system.id, "credential stored");
        self.view(system)
    }

    /// Removes a system, every record of it cached in the workspace, and its credential.
    pub fn remove_system(&mut self, name: &str) -> Result<RemoveReport, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::ManageSystems,
        )?;
        let system = self.find_system(name)?;
        let kind = system.kind;
        let id = system.id;
        // Removing it drops its probes' history, and with it the memory of test records a
        // probe may still have to remove from the other system.
        for probe in steward_store::list_probes(self.workspace.conn())? {
            if (probe.spoke_id == id || probe.hub_id == id)
                && !steward_store::pending_cleanups(self.workspace.conn(), probe.id)?.is_empty()
            {
                return Err(AppError::new(
                    crate::ErrorCode::Conflict,
                    format!(
                        "probe \"{}\" still has test records to remove; run it once more (it sweeps them), then remove the system",
                        probe.name
                    ),
                ));
            }
        }
        let event = self.event(
            self.clock.now(),
            "system.removed",
            format!("system:{}", system.name),
            json!({ "kind": kind, "role": system.role }),
        );
        let cached_records_removed = self.workspace.change(|change| {
            let removed = change.delete_system(id)?;
            let mut event = event;
            event.details["cached_records_removed"] = json!(removed);
            Ok::<_, AppError>((removed, event))
        })?;
        let (credential_removed, warning) = if kind.credential() == CredentialKind::None {
            (false, None)
        } else {
            match self.keychain.delete(&self.credential_account(id)) {
                Ok(existed) => (existed, None),
                Err(err) => (
                    false,
                    Some(format!(
                        "the system is removed, but its keychain entry \"{}\" (service \"{}\") could not be: {err}; delete it in your keychain app",
                        self.credential_account(id),
                        self.keychain.service()
                    )),
                ),
            }
        };
        tracing::info!(system = id, cached_records_removed, "system removed");
        Ok(RemoveReport {
            name: system.name.to_string(),
            cached_records_removed,
            credential_removed,
            warning,
        })
    }
}

/// The connector settings for a new system: the config file's, or the kind's defaults.
/// Checked here, so a system that could never sync is not registered.
fn connector_settings(
    kind: SystemKind,
    config_path: Option<&str>,
) -> Result<serde_json::Value, AppError> {
    let settings = match config_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| AppError::invalid(format!("config: cannot read {path}: {e}")))?;
            steward_connectors::Settings::from_toml(kind, &text)
                .map_err(|e| AppError::invalid(format!("config {path}: {e}")))?
        }
        None => steward_connectors::Settings::parse(kind, &serde_json::Value::Null)
            .map_err(|e| AppError::invalid(format!("config: {e}")))?,
    };
    Ok(settings.to_json())
}
