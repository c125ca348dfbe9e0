//! Connectors to the systems Steward reads and writes, and the credentials they use.
//!
//! Credentials live only in the OS keychain ([`credentials::Keychain`]); in memory they are
//! [`credentials::Secret`]s, which never print.

pub mod credentials;

pub use credentials::{Keychain, KeychainError, Secret};
