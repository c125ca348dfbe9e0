//! Systems that hold lead and customer data: what they are, their role around the hub, and
//! the rules for adding one to a workspace.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a system definition was refused. Each message names the field and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("name: {0}")]
    InvalidName(String),
    #[error("a system named \"{0}\" already exists; pick another name or remove it first")]
    DuplicateName(String),
    #[error(
        "role: the workspace already has a hub (\"{existing}\"); the CRM is the one hub, add this system as a spoke"
    )]
    SecondHub { existing: String },
    #[error("role: a {kind} system cannot be the hub; only a CRM (hubspot, salesforce, rest) can")]
    HubKindNotAllowed { kind: SystemKind },
    #[error("connection: {0}")]
    InvalidConnection(String),
    #[error("owner: {0}")]
    InvalidOwner(String),
    #[error("dependent teams: {0}")]
    InvalidTeam(String),
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident ($label:literal) { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} \"{}\" (expected one of: {})",
                        $label,
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// What kind of system this is; decides which connector reads it.
    SystemKind ("kind") {
        Hubspot => "hubspot",
        Salesforce => "salesforce",
        Marketing => "marketing",
        Csv => "csv",
        Xlsx => "xlsx",
        Sqlite => "sqlite",
        Postgres => "postgres",
        Rest => "rest",
    }
}

string_enum! {
    /// Hub: the CRM, the single source of truth. Spoke: every other copy.
    Role ("role") { Hub => "hub", Spoke => "spoke" }
}

string_enum! {
    /// Where a system is on its way out (or not).
    Lifecycle ("lifecycle") { Active => "active", Deprecating => "deprecating", Deprecated => "deprecated" }
}

string_enum! {
    /// How records get into the system.
    Population ("population") { Manual => "manual", Automated => "automated", Imported => "imported" }
}

/// How Steward reaches a kind of system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    File,
    Database,
}

/// What secret a kind of system needs, if any. The secret itself never enters the domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    None,
    AccessToken,
    ApiToken,
    DatabasePassword,
}

impl SystemKind {
    pub const fn transport(self) -> Transport {
        match self {
            Self::Hubspot | Self::Salesforce | Self::Marketing | Self::Rest => Transport::Http,
            Self::Csv | Self::Xlsx | Self::Sqlite => Transport::File,
            Self::Postgres => Transport::Database,
        }
    }

    pub const fn credential(self) -> CredentialKind {
        match self {
            Self::Hubspot | Self::Salesforce => CredentialKind::AccessToken,
            Self::Marketing | Self::Rest => CredentialKind::ApiToken,
            Self::Postgres => CredentialKind::DatabasePassword,
            Self::Csv | Self::Xlsx | Self::Sqlite => CredentialKind::None,
        }
    }

    /// Only a CRM can be the single source of truth.
    pub const fn can_be_hub(self) -> bool {
        matches!(self, Self::Hubspot | Self::Salesforce | Self::Rest)
    }
}

/// A system's display name: unique per workspace (case-insensitively), 1–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SystemName(String);

impl SystemName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        let chars = name.chars().count();
        if chars == 0 {
            return Err(DomainError::InvalidName("must not be empty".into()));
        }
        if chars > Self::MAX_CHARS {
            return Err(DomainError::InvalidName(format!(
                "is {chars} characters long; the limit is {}",
                Self::MAX_CHARS
            )));
        }
        if let Some(bad) = name.chars().find(|c| {
            !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')' | '&'))
        }) {
            return Err(DomainError::InvalidName(format!(
                "contains \"{bad}\"; use letters, digits, spaces and - _ . ( ) &"
            )));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Names compare without regard to case, so "HubSpot" and "hubspot" are one system.
    pub fn same_as(&self, other: &SystemName) -> bool {
        self.0.to_lowercase() == other.0.to_lowercase()
    }
}

impl TryFrom<String> for SystemName {
    type Error = DomainError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<SystemName> for String {
    fn from(name: SystemName) -> Self {
        name.0
    }
}

impl std::fmt::Display for SystemName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where to find a system. Never holds a secret: tokens and passwords live in the keychain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// API base URL (HTTP kinds) or server URL without password (`postgres://user@host/db`).
    pub base_url: Option<String>,
    /// File path (CSV, XLSX, SQLite).
    pub path: Option<String>,
}

impl Connection {
    /// Checks that the connection fits the kind and that no secret hides inside it. Messages
    /// never repeat a URL: it may be carrying the very secret being refused.
    pub fn validate_for(&self, kind: SystemKind) -> Result<(), DomainError> {
        let bad = |msg: String| Err(DomainError::InvalidConnection(msg));
        match kind.transport() {
            Transport::Http => {
                let Some(url) = non_empty(&self.base_url) else {
                    return bad(format!("a {kind} system needs a base URL (https://…)"));
                };
                if self.path.is_some() {
                    return bad(format!(
                        "a {kind} system is reached by URL, not by a file path"
                    ));
                }
                check_url(
                    url,
                    &["https", "http"],
                    "base URL must start with https:// or http://",
                )?;
            }
            Transport::File => {
                if non_empty(&self.path).is_none() {
                    return bad(format!("a {kind} system needs the path of its file"));
                }
                if self.base_url.is_some() {
                    return bad(format!("a {kind} system is a file; give a path, not a URL"));
                }
            }
            Transport::Database => {
                let Some(url) = non_empty(&self.base_url) else {
                    return bad(
                        "a postgres system needs a server URL (postgres://user@host:5432/db)"
                            .into(),
                    );
                };
                check_url(
                    url,
                    &["postgres", "postgresql"],
                    "server URL must start with postgres://",
                )?;
            }
        }
        Ok(())
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Query parameters that carry credentials in the wild.
const SECRET_PARAMS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "token",
    "access_token",
    "api_key",
    "apikey",
    "key",
    "secret",
    "client_secret",
    "hapikey",
    "auth",
    "sslpassword",
];

/// Parses a URL and refuses one that would put a secret into the workspace file.
fn check_url(raw: &str, schemes: &[&str], wrong_scheme: &str) -> Result<(), DomainError> {
    let secret_inside = || {
        Err(DomainError::InvalidConnection(
            "the URL carries a credential; remove it and pass the secret with --token-env (it goes to the keychain)"
                .into(),
        ))
    };
    let Ok(url) = url::Url::parse(raw) else {
        // Even unparsable text may hold `user:password@`; say so rather than echo it.
        if raw.contains('@') {
            return secret_inside();
        }
        return Err(DomainError::InvalidConnection(format!(
            "{wrong_scheme} and be a valid URL"
        )));
    };
    if url.password().is_some()
        || url
            .query_pairs()
            .any(|(k, _)| SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str()))
    {
        return secret_inside();
    }
    // A user name alone is an identity for databases (postgres://steward@db), but an HTTP
    // URL's user part is how tokens are smuggled (https://TOKEN@host).
    if !url.username().is_empty() && !schemes.contains(&"postgres") {
        return secret_inside();
    }
    if !schemes.contains(&url.scheme()) {
        return Err(DomainError::InvalidConnection(wrong_scheme.to_owned()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(DomainError::InvalidConnection(format!(
            "{wrong_scheme} and name a host"
        )));
    }
    Ok(())
}

/// A system as the user defines it, before the workspace gives it an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSystem {
    pub name: SystemName,
    pub kind: SystemKind,
    pub role: Role,
    pub population: Population,
    pub owner: Option<String>,
    pub dependent_teams: Vec<String>,
    pub connection: Connection,
}

impl NewSystem {
    /// Field-level checks that need nothing but the definition itself.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.role == Role::Hub && !self.kind.can_be_hub() {
            return Err(DomainError::HubKindNotAllowed { kind: self.kind });
        }
        self.connection.validate_for(self.kind)?;
        if let Some(owner) = &self.owner
            && (owner.trim().is_empty() || owner.chars().count() > 128)
        {
            return Err(DomainError::InvalidOwner("must be 1–128 characters".into()));
        }
        for team in &self.dependent_teams {
            if team.trim().is_empty() || team.chars().count() > 64 {
                return Err(DomainError::InvalidTeam(format!(
                    "\"{team}\" must be 1–64 characters"
                )));
            }
        }
        Ok(())
    }
}

/// A system registered in a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    pub id: i64,
    pub name: SystemName,
    pub kind: SystemKind,
    pub role: Role,
    pub lifecycle: Lifecycle,
    pub population: Population,
    pub owner: Option<String>,
    pub dependent_teams: Vec<String>,
    pub connection: Connection,
}

/// Checks a new system against the ones already registered: unique name, at most one hub.
pub fn ensure_can_add(existing: &[System], new: &NewSystem) -> Result<(), DomainError> {
    new.validate()?;
    if let Some(clash) = existing.iter().find(|s| s.name.same_as(&new.name)) {
        return Err(DomainError::DuplicateName(clash.name.to_string()));
    }
    if new.role == Role::Hub
        && let Some(hub) = existing.iter().find(|s| s.role == Role::Hub)
    {
        return Err(DomainError::SecondHub {
            existing: hub.name.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_system(name: &str, kind: SystemKind, role: Role) -> NewSystem {
        let connection = match kind.transport() {
            Transport::Http => Connection {
                base_url: Some("https://api.example.test".into()),
                path: None,
            },
            Transport::File => Connection {
                base_url: None,
                path: Some("/data/events.csv".into()),
            },
            Transport::Database => Connection {
                base_url: Some("postgres://steward@127.0.0.1:5432/portal".into()),
                path: None,
            },
        };
        NewSystem {
            name: SystemName::parse(name).unwrap(),
            kind,
            role,
            population: Population::Automated,
            owner: None,
            dependent_teams: vec![],
            connection,
        }
    }

    fn registered(new: NewSystem, id: i64) -> System {
        System {
            id,
            name: new.name,
            kind: new.kind,
            role: new.role,
            lifecycle: Lifecycle::Active,
            population: new.population,
            owner: new.owner,
            dependent_teams: new.dependent_teams,
            connection: new.connection,
        }
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(
            SystemName::parse("  HubSpot (prod) ").unwrap().as_str(),
            "HubSpot (prod)"
        );
        for (raw, fragment) in [
            ("", "empty"),
            ("   ", "empty"),
            ("a/b", "contains \"/\""),
            (&"x".repeat(65), "65 characters"),
        ] {
            let err = SystemName::parse(raw).unwrap_err().to_string();
            assert!(err.contains(fragment), "{raw:?}: {err}");
        }
    }

    #[test]
    fn every_kind_round_trips_through_its_text() {
        for kind in SystemKind::ALL {
            assert_eq!(kind.as_str().parse::<SystemKind>().unwrap(), *kind);
        }
        let err = "excel".parse::<SystemKind>().unwrap_err();
        assert!(err.contains("hubspot, salesforce"), "{err}");
    }

    #[test]
    fn only_one_hub_and_unique_names() {
        let hub = registered(new_system("HubSpot", SystemKind::Hubspot, Role::Hub), 1);
        let existing = vec![hub];
        let second_hub = new_system("Salesforce", SystemKind::Salesforce, Role::Hub);
        assert_eq!(
            ensure_can_add(&existing, &second_hub),
            Err(DomainError::SecondHub {
                existing: "HubSpot".into()
            })
        );
        let clash = new_system("hubspot", SystemKind::Csv, Role::Spoke);
        assert_eq!(
            ensure_can_add(&existing, &clash),
            Err(DomainError::DuplicateName("HubSpot".into()))
        );
        let fine = new_system("Events sheet", SystemKind::Csv, Role::Spoke);
        assert_eq!(ensure_can_add(&existing, &fine), Ok(()));
    }

    #[test]
    fn a_spreadsheet_cannot_be_the_hub() {
        let sheet = new_system("Events", SystemKind::Csv, Role::Hub);
        assert_eq!(
            sheet.validate(),
            Err(DomainError::HubKindNotAllowed {
                kind: SystemKind::Csv
            })
        );
    }

    #[test]
    fn connections_must_fit_the_kind_and_hold_no_password() {
        let check = |kind, base_url: Option<&str>, path: Option<&str>| {
            Connection {
                base_url: base_url.map(Into::into),
                path: path.map(Into::into),
            }
            .validate_for(kind)
        };
        assert!(check(SystemKind::Hubspot, Some("https://api.hubapi.com"), None).is_ok());
        assert!(check(SystemKind::Hubspot, Some("http://127.0.0.1:8080/crm"), None).is_ok());
        assert!(check(SystemKind::Hubspot, None, None).is_err());
        assert!(check(SystemKind::Hubspot, Some("ftp://x"), None).is_err());
        assert!(check(SystemKind::Hubspot, Some("api.hubapi.com"), None).is_err());
        assert!(check(SystemKind::Csv, None, Some("/tmp/a.csv")).is_ok());
        assert!(check(SystemKind::Csv, Some("https://x"), Some("/tmp/a.csv")).is_err());
        assert!(
            check(
                SystemKind::Postgres,
                Some("postgres://app@db:5432/portal"),
                None
            )
            .is_ok()
        );
        let leak = check(
            SystemKind::Postgres,
            Some("postgres://app:hunter2@db/portal"),
            None,
        );
        assert!(leak.unwrap_err().to_string().contains("--token-env"));
        let leak = check(
            SystemKind::Rest,
            Some("https://u:p@api.example.test/v1"),
            None,
        );
        assert!(leak.is_err());
    }
}
