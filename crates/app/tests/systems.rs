//! The Systems use cases against a real workspace file and, where a secret is involved, the
//! real OS keychain (see crates/connectors/tests/keychain.rs for how the scripts provide it).

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use steward_app::systems::{AddSystemRequest, CredentialState};
use steward_app::{Clock, ErrorCode, Keychain, Secret, Steward};
use steward_domain::{Role, SystemKind, Timestamp};

const AT: Timestamp = Timestamp::from_millis(1_767_225_600_000);

fn keychain_with_defaults() -> Option<Keychain> {
    let keychain = Keychain::with_service(format!("steward-test-{}", uuid_like()));
    match keychain.load("probe") {
        Ok(_) => Some(keychain),
        Err(e) if std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none() => {
            eprintln!("skipped: no OS keychain here ({e}); the test scripts provide one");
            None
        }
        Err(e) => panic!("the OS keychain is required here: {e}"),
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn steward(dir: &Path, keychain: Keychain) -> Steward {
    Steward::init(
        &dir.join("ws.steward"),
        keychain,
        "ops@test".into(),
        Clock::Fixed(AT),
    )
    .unwrap()
}

fn csv(name: &str) -> AddSystemRequest {
    AddSystemRequest {
        name: name.into(),
        kind: Some(SystemKind::Csv),
        role: Some(Role::Spoke),
        path: Some("/data/events.csv".into()),
        dependent_teams: vec![" Events ".into(), "".into()],
        ..Default::default()
    }
}

fn hubspot() -> AddSystemRequest {
    AddSystemRequest {
        name: "HubSpot".into(),
        kind: Some(SystemKind::Hubspot),
        role: Some(Role::Hub),
        base_url: Some("https://api.hubapi.com".into()),
        owner: Some("Dana (RevOps)".into()),
        ..Default::default()
    }
}

#[test]
fn a_file_system_is_added_listed_removed_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = steward(dir.path(), Keychain::with_service("steward-test-unused"));
    let view = app.add_system(csv("Events sheet"), None).unwrap();
    assert_eq!(view.credential, CredentialState::NotNeeded);
    assert_eq!(
        view.population.as_str(),
        "imported",
        "files default to imported"
    );
    assert_eq!(view.dependent_teams, ["Events"]);
    assert_eq!(app.list_systems().unwrap(), vec![view]);

    let report = app.remove_system("events SHEET").unwrap();
    assert_eq!(report.cached_records_removed, 0);
    assert_eq!(report.name, "Events sheet");
    assert!(!report.credential_removed);
    assert!(app.list_systems().unwrap().is_empty());

    let page = app.audit_page(None, 50).unwrap();
    let actions: Vec<_> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["system.removed", "system.added", "workspace.created"]
    );
    assert_eq!(page.entries[0].actor, "ops@test");
    assert_eq!(page.entries[0].at, "2026-01-01T00:00:00.000Z");
    assert!(app.verify_audit_log().unwrap().intact);
}

#[test]
fn bad_input_is_refused_with_a_code_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = steward(dir.path(), Keychain::with_service("steward-test-unused"));
    let cases = [
        (
            AddSystemRequest {
                name: " ".into(),
                ..csv("x")
            },
            ErrorCode::InvalidInput,
            "name",
        ),
        (
            AddSystemRequest {
                kind: None,
                ..csv("x")
            },
            ErrorCode::InvalidInput,
            "kind",
        ),
        (
            AddSystemRequest {
                path: None,
                ..csv("x")
            },
            ErrorCode::InvalidInput,
            "path",
        ),
        (
            AddSystemRequest {
                role: Some(Role::Hub),
                ..csv("x")
            },
            ErrorCode::InvalidInput,
            "hub",
        ),
        (
            AddSystemRequest {
                base_url: Some("postgres://u:pw@h/db".into()),
                kind: Some(SystemKind::Postgres),
                path: None,
                ..csv("x")
            },
            ErrorCode::InvalidInput,
            "credential",
        ),
    ];
    for (request, code, fragment) in cases {
        let err = app.add_system(request, None).unwrap_err();
        assert_eq!(err.code, code, "{err}");
        assert!(err.message.contains(fragment), "{fragment}: {err}");
    }
    app.add_system(hubspot(), None).unwrap();
    let err = app
        .add_system(
            AddSystemRequest {
                name: "Salesforce".into(),
                kind: Some(SystemKind::Salesforce),
                ..hubspot()
            },
            None,
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("already has a hub"), "{err}");
    let err = app
        .add_system(csv("Events"), Some(Secret::new("t").unwrap()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(
        app.remove_system("nope").unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        app.audit_page(None, 0).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    // Only the hub got in: refused requests leave no rows and no audit entries.
    assert_eq!(app.list_systems().unwrap().len(), 1);
    assert_eq!(app.audit_page(None, 50).unwrap().total, 2);
}

fn failing_entry(_: &str, _: &str) -> keyring::Result<keyring::Entry> {
    let entry =
        keyring::Entry::new_with_credential(Box::new(keyring::mock::MockCredential::default()));
    let mock: &keyring::mock::MockCredential = entry.get_credential().downcast_ref().unwrap();
    mock.set_error(keyring::Error::PlatformFailure("no Secret Service".into()));
    Ok(entry)
}

#[test]
fn a_keychain_failure_leaves_no_system_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = steward(
        dir.path(),
        Keychain::with_entry_factory("steward-test", failing_entry),
    );
    let err = app
        .add_system(hubspot(), Some(Secret::new("pat-na1-x").unwrap()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::KeychainUnavailable, "{err}");
    assert!(app.list_systems().unwrap().is_empty());
    assert_eq!(app.audit_page(None, 50).unwrap().total, 1);
}

/// Holds what the app logs, at every level.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_token_reaches_the_keychain_and_nothing_else() {
    let Some(keychain) = keychain_with_defaults() else {
        return;
    };
    let token = format!("pat-na1-{}-SECRET", uuid_like());
    let dir = tempfile::tempdir().unwrap();
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();

    let json = tracing::subscriber::with_default(subscriber, || {
        let mut app = steward(dir.path(), keychain.clone());
        let view = app
            .add_system(hubspot(), Some(Secret::new(token.clone()).unwrap()))
            .unwrap();
        assert_eq!(view.credential, CredentialState::Stored);
        let account = format!("{}/system/{}", app.info().id, view.id);
        assert_eq!(keychain.load(&account).unwrap().unwrap().expose(), token);
        let json = serde_json::to_string(&(
            app.list_systems().unwrap(),
            app.audit_page(None, 50).unwrap(),
            app.info(),
        ))
        .unwrap();
        // Keep the workspace open so the WAL still holds the latest pages.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !contains(&bytes, token.as_bytes()),
                "token found in {}",
                path.display()
            );
        }
        assert!(
            dir.path().join("ws.steward-wal").exists(),
            "the WAL was checked too"
        );

        let report = app.remove_system("HubSpot").unwrap();
        assert!(report.credential_removed);
        assert!(keychain.load(&account).unwrap().is_none());
        json
    });
    assert!(!json.contains(&token), "token in JSON output");
    let logs = logs.0.lock().unwrap();
    assert!(!logs.is_empty(), "logs were captured");
    assert!(!contains(&logs, token.as_bytes()), "token in logs");
}
