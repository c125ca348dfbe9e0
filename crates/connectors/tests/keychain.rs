//! Against the real OS keychain (Secret Service on Linux). The test scripts run this under
//! `dbus-run-session` with an unlocked gnome-keyring and set `STEWARD_REQUIRE_KEYCHAIN=1`,
//! which turns a missing keychain into a failure instead of a skip.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use steward_connectors::{Keychain, KeychainError, Secret};

fn keychain_or_skip() -> Option<Keychain> {
    let keychain = Keychain::with_service(format!("steward-test-{}", uuid::Uuid::new_v4()));
    match keychain.load("probe") {
        Ok(_) => Some(keychain),
        Err(KeychainError::Unavailable(why))
            if std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none() =>
        {
            eprintln!("skipped: no OS keychain here ({why}); the test scripts provide one");
            None
        }
        Err(e) => panic!("the OS keychain is required here: {e}"),
    }
}

#[test]
fn a_secret_round_trips_through_the_os_keychain() {
    let Some(keychain) = keychain_or_skip() else {
        return;
    };
    let account = "ws-test/system/1";
    assert!(keychain.load(account).unwrap().is_none());
    keychain
        .store(account, &Secret::new("pat-eu1-abc").unwrap())
        .unwrap();
    assert_eq!(
        keychain.load(account).unwrap().unwrap().expose(),
        "pat-eu1-abc"
    );
    keychain
        .store(account, &Secret::new("pat-eu1-rotated").unwrap())
        .unwrap();
    assert_eq!(
        keychain.load(account).unwrap().unwrap().expose(),
        "pat-eu1-rotated"
    );
    assert!(keychain.delete(account).unwrap());
    assert!(!keychain.delete(account).unwrap());
    assert!(keychain.load(account).unwrap().is_none());
}

#[test]
fn accounts_are_kept_apart() {
    let Some(keychain) = keychain_or_skip() else {
        return;
    };
    keychain
        .store("a/system/1", &Secret::new("one").unwrap())
        .unwrap();
    keychain
        .store("b/system/1", &Secret::new("two").unwrap())
        .unwrap();
    assert_eq!(
        keychain.load("a/system/1").unwrap().unwrap().expose(),
        "one"
    );
    assert_eq!(
        keychain.load("b/system/1").unwrap().unwrap().expose(),
        "two"
    );
    keychain.delete("a/system/1").unwrap();
    keychain.delete("b/system/1").unwrap();
}
