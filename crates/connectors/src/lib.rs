//! Connectors to the systems Steward reads and writes, and the credentials they use.
//!
//! Every connector implements [`Connector`]: a serde settings type is checked by a pure
//! `validate` ([`settings::Settings::parse`]), [`connect`] does the I/O, and reads hand
//! [`Page`]s to a [`PageSink`] so a sync streams. HTTP connectors send through the shared
//! [`driver::HttpDriver`] (pacing, retries, `Retry-After`, cancellation).
//!
//! Credentials live only in the OS keychain ([`credentials::Keychain`]); in memory they are
//! [`credentials::Secret`]s, which never print.

mod connector;
pub mod credentials;
pub mod driver;
mod error;
pub mod files;
pub mod hubspot;
pub mod map;
mod model;
pub mod rest;
pub mod settings;
pub mod sql;
mod values;

pub use connector::{
    BackupVersion, Connector, Context, Merger, PageSink, Prober, RecordBackup, Whereabouts,
};
pub use credentials::{Keychain, KeychainError, Secret};
pub use error::ConnectorError;
pub use model::{Crosswalk, Page, ReadRequest, RecordProblem, SourceField};
pub use settings::{Settings, connect};
