//! Opening a workspace and the context every use case runs in.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;
use steward_connectors::Keychain;
use steward_domain::AuditEvent;
use steward_store::Workspace;
use ts_rs::TS;

use crate::clock::Clock;
use crate::error::{AppError, ErrorCode};

/// The file name of a workspace inside the data directory.
const WORKSPACE_FILE: &str = "workspace.steward";

/// The default workspace: `STEWARD_WORKSPACE` if set, else the OS data directory
/// (`~/.local/share/steward/` on Linux, `~/Library/Application Support/dev.steward.Steward/`
/// on macOS, `%APPDATA%\steward\Steward\data\` on Windows).
pub fn default_workspace_path() -> Result<PathBuf, AppError> {
    if let Some(path) = std::env::var_os("STEWARD_WORKSPACE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("dev", "steward", "Steward")
        .map(|dirs| dirs.data_dir().join(WORKSPACE_FILE))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Io,
                "no home directory to keep the workspace in; pass --workspace PATH",
            )
        })
}

/// The OS keychain under Steward's service name, or `STEWARD_KEYCHAIN_SERVICE` (which keeps
/// a test's or a second installation's entries apart).
pub fn os_keychain() -> Keychain {
    match std::env::var("STEWARD_KEYCHAIN_SERVICE") {
        Ok(service) if !service.trim().is_empty() => Keychain::with_service(service),
        _ => Keychain::os(),
    }
}

/// The demo's own workspace, beside the default one, so a demo never touches real data.
pub fn default_demo_workspace_path() -> Result<PathBuf, AppError> {
    let default = directories::ProjectDirs::from("dev", "steward", "Steward")
        .map(|dirs| dirs.data_dir().join("demo").join(WORKSPACE_FILE))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Io,
                "no home directory for the demo workspace; pass --workspace PATH",
            )
        })?;
    Ok(default)
}

/// The user who acts, as the OS knows them; written into every audit entry. `USER` (or
/// `USERNAME`) wins so that a service account running the CLI can name the person behind it.
pub fn os_user() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        .or_else(|| whoami::username().ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// An open workspace, the keychain its credentials live in, who is acting, and the clock.
#[derive(Debug)]
pub struct Steward {
    pub(crate) workspace: Workspace,
    pub(crate) keychain: Keychain,
    pub(crate) actor: String,
    pub(crate) clock: Clock,
}

/// What the UI shows about the open workspace.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceInfo {
    pub path: String,
    pub id: String,
    pub schema_version: i64,
    pub actor: String,
}

impl Steward {
    /// Creates a new workspace at `path`.
    pub fn init(
        path: &Path,
        keychain: Keychain,
        actor: String,
        clock: Clock,
    ) -> Result<Self, AppError> {
        let id = uuid::Uuid::new_v4().to_string();
        let event = AuditEvent {
            at: clock.now(),
            actor: actor.clone(),
            action: "workspace.created".into(),
            subject: "workspace".into(),
            details: json!({ "schema": steward_store::LATEST_VERSION }),
        };
        let workspace = Workspace::create(path, &id, event)?;
        tracing::info!(workspace = %id, "workspace created");
        Ok(Self {
            workspace,
            keychain,
            actor,
            clock,
        })
    }

    /// Opens an existing workspace at `path`.
    pub fn open(
        path: &Path,
        keychain: Keychain,
        actor: String,
        clock: Clock,
    ) -> Result<Self, AppError> {
        let workspace = Workspace::open(path)?;
        tracing::debug!(workspace = %workspace.id(), "workspace opened");
        Ok(Self {
            workspace,
            keychain,
            actor,
            clock,
        })
    }

    /// Opens the workspace at `path`, creating it on first use (the desktop app's start).
    pub fn open_or_init(
        path: &Path,
        keychain: Keychain,
        actor: String,
        clock: Clock,
    ) -> Result<Self, AppError> {
        if path.exists() {
            Self::open(path, keychain, actor, clock)
        } else {
            Self::init(path, keychain, actor, clock)
        }
    }

    /// Creates a workspace with the OS keychain, the OS user and the real clock.
    pub fn init_default(path: &Path) -> Result<Self, AppError> {
        Self::init(path, os_keychain(), os_user(), Clock::System)
    }

    /// Opens with the OS keychain, the OS user and the real clock; `create` makes a missing
    /// workspace instead of refusing.
    pub fn open_default(path: &Path, create: bool) -> Result<Self, AppError> {
        let (keychain, actor) = (os_keychain(), os_user());
        if create {
            Self::open_or_init(path, keychain, actor, Clock::System)
        } else {
            Self::open(path, keychain, actor, Clock::System)
        }
    }

    pub fn info(&self) -> WorkspaceInfo {
        WorkspaceInfo {
            path: self.workspace.path().display().to_string(),
            id: self.workspace.id().to_owned(),
            schema_version: steward_store::LATEST_VERSION,
            actor: self.actor.clone(),
        }
    }

    pub(crate) fn event(
        &self,
        at: steward_domain::Timestamp,
        action: &str,
        subject: String,
        details: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            at,
            actor: self.actor.clone(),
            action: action.to_owned(),
            subject,
            details,
        }
    }
}
