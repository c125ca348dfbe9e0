//! Secrets in the OS keychain: Secret Service (GNOME Keyring, KWallet) on Linux, Keychain on
//! macOS, Credential Manager on Windows. Nothing else in Steward stores a secret.

use thiserror::Error;
use zeroize::Zeroizing;

/// A token or password. Its `Debug` and `Display` print a mask, its memory is wiped on drop,
/// and the only way to the bytes is [`Secret::expose`], at the point of use.
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes a secret, trimming the line break a paste or `echo` leaves behind. Refuses an
    /// empty one, which would look stored but authenticate nothing.
    pub fn new(raw: impl Into<String>) -> Result<Self, KeychainError> {
        let raw = Zeroizing::new(raw.into());
        let trimmed = raw.trim_end_matches(['\r', '\n']);
        if trimmed.trim().is_empty() {
            return Err(KeychainError::EmptySecret);
        }
        Ok(Self(Zeroizing::new(trimmed.to_owned())))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(********)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("********")
    }
}

#[derive(Debug, Error)]
pub enum KeychainError {
    #[error(
        "the OS keychain is not reachable ({0}); on Linux start and unlock GNOME Keyring or KWallet (Secret Service), then try again"
    )]
    Unavailable(String),
    #[error("the OS keychain refused access ({0}); allow Steward in your keychain and try again")]
    Denied(String),
    #[error("the secret is empty; pass the token itself")]
    EmptySecret,
    #[error("the OS keychain failed: {0}")]
    Other(String),
}

impl From<keyring::Error> for KeychainError {
    fn from(err: keyring::Error) -> Self {
        use keyring::Error as K;
        // keyring's messages name the platform failure, never the secret.
        match err {
            K::PlatformFailure(e) => Self::Unavailable(e.to_string()),
            K::NoStorageAccess(e) => Self::Denied(e.to_string()),
            other => Self::Other(other.to_string()),
        }
    }
}

type EntryFactory = fn(&str, &str) -> keyring::Result<keyring::Entry>;

/// One service's entries in the OS keychain. Accounts are opaque strings chosen by the caller
/// (Steward uses `<workspace id>/system/<system id>`).
#[derive(Clone)]
pub struct Keychain {
    service: String,
    entry: EntryFactory,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("service", &self.service)
            .finish()
    }
}

impl Keychain {
    /// The service name Steward's entries carry in the OS keychain.
    pub const SERVICE: &'static str = "Steward";

    /// The OS keychain, under Steward's service name.
    pub fn os() -> Self {
        Self::with_service(Self::SERVICE)
    }

    /// The OS keychain under another service name (tests use their own).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            entry: keyring::Entry::new,
        }
    }

    /// A keychain whose entries come from `entry`; for exercising failure paths.
    pub fn with_entry_factory(service: impl Into<String>, entry: EntryFactory) -> Self {
        Self {
            service: service.into(),
            entry,
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        Ok((self.entry)(&self.service, account)?)
    }

    pub fn store(&self, account: &str, secret: &Secret) -> Result<(), KeychainError> {
        self.entry(account)?.set_password(secret.expose())?;
        tracing::debug!(account, "credential stored in the keychain");
        Ok(())
    }

    pub fn load(&self, account: &str) -> Result<Option<Secret>, KeychainError> {
        match self.entry(account)?.get_password() {
            Ok(raw) => Ok(Some(Secret(Zeroizing::new(raw)))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes an entry; `Ok(false)` when there was none.
    pub fn delete(&self, account: &str) -> Result<bool, KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => {
                tracing::debug!(account, "credential removed from the keychain");
                Ok(true)
            }
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("pat-na1-0123456789\n").unwrap();
        assert_eq!(secret.expose(), "pat-na1-0123456789");
        assert_eq!(format!("{secret}"), "********");
        assert_eq!(format!("{secret:?}"), "Secret(********)");
        assert!(!format!("{:?}", Some(&secret)).contains("0123"));
    }

    #[test]
    fn an_empty_secret_is_refused() {
        assert!(matches!(Secret::new("\n"), Err(KeychainError::EmptySecret)));
        assert!(matches!(
            Secret::new("   "),
            Err(KeychainError::EmptySecret)
        ));
    }

    // keyring's mock stands in only to produce failures a real keychain won't on demand.
    fn failing_entry(service: &str, account: &str) -> keyring::Result<keyring::Entry> {
        let entry =
            keyring::Entry::new_with_credential(Box::new(keyring::mock::MockCredential::default()));
        let _ = (service, account);
        let mock: &keyring::mock::MockCredential = entry
            .get_credential()
            .downcast_ref()
            .expect("a mock credential");
        mock.set_error(keyring::Error::PlatformFailure(
            "org.freedesktop.DBus.Error.ServiceUnknown".into(),
        ));
        Ok(entry)
    }

    #[test]
    fn an_unreachable_keychain_says_what_to_do() {
        let keychain = Keychain::with_entry_factory("test", failing_entry);
        let err = keychain
            .store("ws/system/1", &Secret::new("t").unwrap())
            .unwrap_err();
        assert!(matches!(err, KeychainError::Unavailable(_)), "{err}");
        assert!(err.to_string().contains("unlock GNOME Keyring"), "{err}");
    }
}
