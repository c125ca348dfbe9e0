//! `steward` as a user runs it: exit codes, JSON documents, and secrets that go only to the
//! OS keychain.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

mod support;

use std::path::{Path, PathBuf};

use support::Run;

fn steward(workspace: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    support::steward(workspace, &keychain_service(), args, env)
}

fn keychain_service() -> String {
    format!("steward-cli-test-{}", std::process::id())
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.steward");
    let run = steward(&path, &["--json", "workspace", "init"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["actor"], "ci-owner");
    (dir, path)
}

#[test]
fn systems_are_added_listed_and_removed_with_json_documents() {
    let (_dir, ws) = workspace();
    let run = steward(
        &ws,
        &[
            "system",
            "add",
            "Events sheet",
            "--kind",
            "csv",
            "--role",
            "spoke",
            "--path",
            "/data/e.csv",
            "--team",
            "Events",
            "--json",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let added = run.json();
    assert_eq!(added["name"], "Events sheet");
    assert_eq!(added["population"], "imported");
    assert_eq!(added["dependentTeams"], serde_json::json!(["Events"]));

    let list = steward(&ws, &["--json", "system", "list"], &[]).json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let human = steward(&ws, &["system", "list"], &[]);
    assert!(human.stdout.starts_with("NAME"), "{}", human.stdout);
    assert!(human.stdout.contains("Events sheet"));

    let removed = steward(&ws, &["--json", "system", "remove", "EVENTS SHEET"], &[]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_eq!(removed.json()["name"], "Events sheet");
    let list = steward(&ws, &["--json", "system", "list"], &[]).json();
    assert_eq!(list, serde_json::json!([]));

    let log = steward(&ws, &["--json", "audit-log", "list"], &[]).json();
    let actions: Vec<_> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["system.removed", "system.added", "workspace.created"]
    );
}

#[test]
fn bad_usage_and_bad_input_exit_2_with_the_reason() {
    let (_dir, ws) = workspace();
    let cases: &[(&[&str], &str)] = &[
        (&["system", "add", "X", "--role", "spoke"], "--kind"),
        (
            &["system", "add", "X", "--kind", "excel", "--role", "spoke"],
            "unknown kind \"excel\"",
        ),
        (
            &[
                "system", "add", "X", "--kind", "csv", "--role", "hub", "--path", "a.csv",
            ],
            "cannot be the hub",
        ),
        (
            &["system", "add", "X", "--kind", "hubspot", "--role", "hub"],
            "base URL",
        ),
        (
            &[
                "system",
                "add",
                "X",
                "--kind",
                "hubspot",
                "--role",
                "hub",
                "--base-url",
                "https://h",
                "--token-env",
                "STEWARD_TEST_UNSET_VAR",
            ],
            "STEWARD_TEST_UNSET_VAR is not set",
        ),
        (&["system", "remove", "ghost"], "not found"),
        (&["workspace", "init"], "already exists"),
    ];
    for (args, fragment) in cases {
        let run = steward(&ws, args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(fragment), "{args:?}: {}", run.stderr);
    }
    let run = steward(&ws, &["--json", "system", "remove", "ghost"], &[]);
    assert_eq!(run.json()["error"]["code"], "not_found");
}

#[test]
fn a_missing_or_newer_workspace_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let run = steward(&dir.path().join("none.steward"), &["system", "list"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("steward workspace init"),
        "{}",
        run.stderr
    );

    let (_dir, ws) = workspace();
    let conn = rusqlite::Connection::open(&ws).unwrap();
    conn.pragma_update(None, "user_version", 42).unwrap();
    drop(conn);
    let run = steward(&ws, &["--json", "system", "list"], &[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["code"], "workspace_unusable");
    assert!(run.stderr.contains("newer Steward"), "{}", run.stderr);
}

#[test]
fn audit_log_verify_exits_1_and_names_the_tampered_entry() {
    let (_dir, ws) = workspace();
    for name in ["A", "B", "C"] {
        let run = steward(
            &ws,
            &[
                "system", "add", name, "--kind", "csv", "--role", "spoke", "--path", "x.csv",
            ],
            &[],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let ok = steward(&ws, &["--json", "audit-log", "verify"], &[]);
    assert_eq!(ok.code, 0);
    assert_eq!(ok.json()["intact"], true);
    assert_eq!(ok.json()["entries"], 4);

    let conn = rusqlite::Connection::open(&ws).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 3;",
    )
    .unwrap();
    drop(conn);
    let bad = steward(&ws, &["--json", "audit-log", "verify"], &[]);
    assert_eq!(bad.code, 1);
    assert_eq!(bad.json()["intact"], false);
    assert_eq!(bad.json()["brokenAt"], 3);
    let human = steward(&ws, &["audit-log", "verify"], &[]);
    assert!(
        human.stdout.contains("TAMPERED at entry 3"),
        "{}",
        human.stdout
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Needs the real OS keychain; the test scripts run it under an unlocked gnome-keyring.
#[test]
fn a_token_from_token_env_lands_in_the_keychain_only() {
    let (dir, ws) = workspace();
    let token = format!("pat-na1-cli-{}-SECRET", std::process::id());
    let env = [("HUBSPOT_TOKEN", token.as_str()), ("STEWARD_LOG", "trace")];
    let run = steward(
        &ws,
        &[
            "--json",
            "system",
            "add",
            "HubSpot",
            "--kind",
            "hubspot",
            "--role",
            "hub",
            "--base-url",
            "https://api.hubapi.com",
            "--token-env",
            "HUBSPOT_TOKEN",
        ],
        &env,
    );
    if run.code == 3 && std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none() {
        eprintln!("skipped: no OS keychain here; the test scripts provide one");
        return;
    }
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["credential"], "stored");
    let list = steward(&ws, &["--json", "system", "list"], &env);
    assert_eq!(list.json()[0]["credential"], "stored");
    let log = steward(&ws, &["--json", "audit-log", "list"], &env);

    let mut outputs = Vec::new();
    for r in [&run, &list, &log] {
        outputs.push(r.stdout.as_bytes().to_vec());
        outputs.push(r.stderr.as_bytes().to_vec());
    }
    assert!(
        outputs.iter().any(|o| contains(o, b"DEBUG")),
        "debug logs were captured"
    );
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        outputs.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    // The workspace file and any WAL or shared-memory file beside it.
    for (i, bytes) in outputs.iter().enumerate() {
        assert!(
            !contains(bytes, token.as_bytes()),
            "token leaked into output #{i}"
        );
    }
    let removed = steward(&ws, &["--json", "system", "remove", "HubSpot"], &env);
    assert_eq!(removed.json()["credentialRemoved"], true);
}
