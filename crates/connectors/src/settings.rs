//! Each kind's connector settings: parsed and checked without I/O, stored as JSON in the
//! workspace (never a secret), and turned into a connected [`Connector`].

use std::path::PathBuf;

use steward_domain::{Connection, SystemKind};

use crate::connector::{Connector, Context};
use crate::credentials::Secret;
use crate::error::ConnectorError;
use crate::files::FileSettings;
use crate::hubspot::HubspotSettings;
use crate::map::MapSettings;
use crate::rest::RestSettings;
use crate::sql::SqlSettings;

#[derive(Debug, Clone, PartialEq)]
pub enum Settings {
    Hubspot(HubspotSettings),
    Marketing(MapSettings),
    Csv(FileSettings),
    Xlsx(FileSettings),
    Sqlite(SqlSettings),
    Postgres(SqlSettings),
    Rest(RestSettings),
}

fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ConnectorError> {
    serde_json::from_value(value).map_err(|e| ConnectorError::config(e.to_string()))
}

impl Settings {
    /// The stored settings of a system of `kind`, checked. `{}` or `null` means the kind's
    /// defaults where it has them; SQL and REST systems must say what to read.
    pub fn parse(kind: SystemKind, stored: &serde_json::Value) -> Result<Self, ConnectorError> {
        let value = match stored {
            serde_json::Value::Null => serde_json::json!({}),
            other => other.clone(),
        };
        let settings = match kind {
            SystemKind::Hubspot => Self::Hubspot(decode(value)?),
            SystemKind::Marketing => Self::Marketing(decode(value)?),
            SystemKind::Csv => Self::Csv(decode(value)?),
            SystemKind::Xlsx => Self::Xlsx(decode(value)?),
            SystemKind::Sqlite => Self::Sqlite(decode(value).map_err(needs_objects)?),
            SystemKind::Postgres => Self::Postgres(decode(value).map_err(needs_objects)?),
            SystemKind::Rest => Self::Rest(decode(value)?),
            SystemKind::Salesforce => {
                return Err(ConnectorError::config(
                    "Salesforce has no connector in this version yet; add it as a rest system with a config file meanwhile",
                ));
            }
        };
        settings.validate()?;
        Ok(settings)
    }

    /// Settings written as TOML (a `--config` file), checked for `kind`.
    pub fn from_toml(kind: SystemKind, text: &str) -> Result<Self, ConnectorError> {
        let value: toml::Value =
            toml::from_str(text).map_err(|e| ConnectorError::config(e.to_string()))?;
        let json =
            serde_json::to_value(value).map_err(|e| ConnectorError::config(e.to_string()))?;
        Self::parse(kind, &json)
    }

    pub fn validate(&self) -> Result<(), ConnectorError> {
        match self {
            Self::Hubspot(s) => s.validate(),
            Self::Marketing(s) => s.validate(),
            Self::Csv(s) | Self::Xlsx(s) => s.validate(),
            Self::Sqlite(s) | Self::Postgres(s) => s.validate(),
            Self::Rest(s) => s.validate(),
        }
    }

    /// The JSON stored in the workspace.
    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Self::Hubspot(s) => serde_json::to_value(s),
            Self::Marketing(s) => serde_json::to_value(s),
            Self::Csv(s) | Self::Xlsx(s) => serde_json::to_value(s),
            Self::Sqlite(s) | Self::Postgres(s) => serde_json::to_value(s),
            Self::Rest(s) => serde_json::to_value(s),
        };
        value.unwrap_or(serde_json::Value::Null)
    }
}

fn needs_objects(e: ConnectorError) -> ConnectorError {
    let reason = match e {
        ConnectorError::Config(reason) => reason,
        other => other.to_string(),
    };
    ConnectorError::config(format!(
        "{reason}; a database system needs a config file naming its tables ([[objects]] with object, table, id)"
    ))
}

fn required<'a>(value: &'a Option<String>, what: &str) -> Result<&'a str, ConnectorError> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ConnectorError::config(format!("the system has no {what}")))
}

/// Connects a system: `secret` is what the keychain holds for it (if its kind needs one).
pub async fn connect(
    ctx: Context,
    connection: &Connection,
    settings: Settings,
    secret: Option<Secret>,
) -> Result<Box<dyn Connector>, ConnectorError> {
    let need_secret = |secret: Option<Secret>| {
        secret.ok_or_else(|| {
            ConnectorError::config("no credential is stored for this system; store one first")
        })
    };
    Ok(match settings {
        Settings::Hubspot(s) => {
            let url = required(&connection.base_url, "base URL")?;
            Box::new(crate::hubspot::connect(ctx, url, need_secret(secret)?, s)?)
        }
        Settings::Marketing(s) => {
            let url = required(&connection.base_url, "base URL")?;
            Box::new(crate::map::connect(ctx, url, &need_secret(secret)?, s)?)
        }
        Settings::Csv(s) => {
            let path = PathBuf::from(required(&connection.path, "file path")?);
            Box::new(crate::files::csv(ctx, path, s))
        }
        Settings::Xlsx(s) => {
            let path = PathBuf::from(required(&connection.path, "file path")?);
            Box::new(crate::files::xlsx(ctx, path, s))
        }
        Settings::Sqlite(s) => {
            let path = PathBuf::from(required(&connection.path, "file path")?);
            Box::new(crate::sql::sqlite(ctx, path, s))
        }
        Settings::Postgres(s) => {
            let url = required(&connection.base_url, "server URL")?;
            Box::new(crate::sql::postgres(ctx, url, secret.as_ref(), s).await?)
        }
        Settings::Rest(s) => {
            let url = required(&connection.base_url, "base URL")?;
            Box::new(crate::rest::connect(ctx, url, secret, s)?)
        }
    })
}
