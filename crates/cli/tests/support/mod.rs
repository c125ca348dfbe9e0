//! What the CLI's integration tests share.

use steward_app::Keychain;

/// The OS keychain under a service name of this test's own, or `None` (the test is skipped
/// with a note) where there is none, unless `STEWARD_REQUIRE_KEYCHAIN` says there must be.
pub fn keychain(prefix: &str) -> Option<Keychain> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let keychain = Keychain::with_service(format!("{prefix}-{}-{nanos}", std::process::id()));
    match keychain.load("probe") {
        Ok(_) => Some(keychain),
        Err(e) if std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none() => {
            eprintln!("skipped: no OS keychain here ({e}); the test scripts provide one");
            None
        }
        Err(e) => panic!("the OS keychain is required here: {e}"),
    }
}
