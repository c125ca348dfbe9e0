//! `steward sync` and `steward inventory` as a user runs them against the sandbox: JSON
//! documents, the CSV export, and exit codes (2 for a name that does not exist, 3 for a
//! system that cannot be reached, which the other systems survive).

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use steward_sandbox::faults::FaultRates;
use steward_sandbox::server::{Config, start};

use support::{Run, steward};

fn json(run: &Run) -> Value {
    run.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_and_inventory_print_json_export_csv_and_exit_by_outcome() {
    let Some(keychain) = support::keychain("steward-sync-cli") else {
        return;
    };
    let service = keychain.service().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let running = start(&Config {
        faults: FaultRates::none(),
        ..Config::with_defaults(3, 800, dir.path().join("files"))
    })
    .await
    .unwrap();
    let ws = dir.path().join("ws.steward");
    let e = &running.endpoints;
    let run = |args: &[&str], env: &[(&str, &str)]| steward(&ws, &service, args, env);
    let token = e.crm.token.clone();
    add_hub(&ws, &service, &e.crm.base_url, &token);
    let events = e.files.events_csv.display().to_string();
    let added = run(
        &[
            "system", "add", "Events", "--kind", "csv", "--role", "spoke", "--path", &events,
        ],
        &[],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);

    // Everything syncs: one JSON document, a report per system.
    let synced = run(&["--json", "sync"], &[]);
    assert_eq!(synced.code, 0, "{}", synced.stderr);
    let doc = json(&synced);
    let reports = doc["systems"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["system"], "HubSpot");
    assert_eq!(reports[0]["status"], "succeeded");
    assert_eq!(reports[0]["mode"], "full");
    assert!(reports[0]["recordsRead"].as_u64().unwrap() > 800);
    assert_eq!(reports[1]["status"], "partial");
    assert!(!reports[1]["problems"].as_array().unwrap().is_empty());
    assert!(!synced.stdout.contains(&token), "no secret in the output");

    // The next sync of the hub is incremental and reads nothing new.
    let again = json(&run(&["--json", "sync", "--system", "hubspot"], &[]));
    assert_eq!(again["systems"][0]["mode"], "incremental");
    assert_eq!(again["systems"][0]["recordsRead"], 0);

    // The inventory, as JSON and as CSV.
    let csv = dir.path().join("inventory.csv");
    let inventory = run(
        &["--json", "inventory", "--csv", &csv.display().to_string()],
        &[],
    );
    assert_eq!(inventory.code, 0, "{}", inventory.stderr);
    let doc = json(&inventory);
    let hub = &doc["systems"][0];
    assert_eq!(hub["role"], "hub");
    assert_eq!(hub["lastSync"]["mode"], "incremental");
    let person = hub["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"] == "person")
        .unwrap();
    let email = person["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "email")
        .unwrap();
    assert!(email["fillRate"].as_f64().unwrap() > 0.5);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("system,kind,role,lifecycle,population"));
    assert!(
        text.lines()
            .any(|l| l.starts_with("HubSpot,hubspot,hub,") && l.contains(",email,"))
    );
    assert!(text.lines().any(|l| l.starts_with("Events,csv,spoke,")));

    // A name that does not exist: exit 2, and the report says why.
    let missing = run(&["--json", "sync", "--system", "Nope"], &[]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        json(&missing)["systems"][0]["error"]
            .as_str()
            .unwrap()
            .contains("no system named")
    );

    // A system that cannot be reached fails alone, with exit 3; the others still sync.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let added = run(
        &[
            "system",
            "add",
            "Old CRM",
            "--kind",
            "rest",
            "--role",
            "spoke",
            "--base-url",
            &dead,
            "--config",
            &write_rest_config(dir.path()),
        ],
        &[],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    let partly = run(&["--json", "sync"], &[]);
    assert_eq!(partly.code, 3, "{}\n{}", partly.stderr, partly.stdout);
    let doc = json(&partly);
    let by_name = |name: &str| {
        doc["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["system"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("HubSpot")["status"], "succeeded");
    assert_eq!(by_name("Old CRM")["status"], "failed");
    assert!(
        by_name("Old CRM")["error"]
            .as_str()
            .unwrap()
            .contains("cannot be reached")
    );
}

fn write_rest_config(dir: &Path) -> String {
    let path = dir.join("old-crm.toml");
    std::fs::write(
        &path,
        r#"
[[objects]]
object = "person"
path = "api/people"
record_path = "/data"
id = "/id"
[objects.paging]
style = "none"
"#,
    )
    .unwrap();
    path.display().to_string()
}

/// `steward sync` killed (SIGKILL) in the middle of a read: the next `steward sync` resumes
/// the same run without waiting for the dead one's claim to go stale, and the workspace
/// ends with exactly the snapshot of an uninterrupted sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_midway_resumes_in_the_next_process() {
    let Some(keychain) = support::keychain("steward-sync-crash") else {
        return;
    };
    let service = keychain.service().to_owned();
    let dir = tempfile::tempdir().unwrap();
    // The Starter tier paces the read (100 requests per 10 s), so there is a middle to kill.
    let running = start(&Config {
        tier: steward_sandbox::hubspot::rate_limit::Tier::Starter,
        ..Config::with_defaults(5, 8_000, dir.path().join("files"))
    })
    .await
    .unwrap();
    let e = &running.endpoints;
    let token = e.crm.token.clone();
    let (crashed, clean) = (
        dir.path().join("crashed.steward"),
        dir.path().join("clean.steward"),
    );
    add_hub(&crashed, &service, &e.crm.base_url, &token);
    add_hub(&clean, &service, &e.crm.base_url, &token);

    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("--workspace")
        .arg(&crashed)
        .args(["sync", "--system", "HubSpot"])
        .env("STEWARD_KEYCHAIN_SERVICE", &service)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let people = |path: &Path| {
        rusqlite::Connection::open(path)
            .and_then(|c| {
                c.query_row(
                    "SELECT count(*) FROM records WHERE object = 'person'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
            })
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while people(&crashed) < 2_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "the sync never got going"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync ended before the kill"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let stored = people(&crashed);
    assert!(stored < 7_000, "killed midway, with {stored} people stored");

    let resumed = steward(&crashed, &service, &["--json", "sync"], &[]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let report = &json(&resumed)["systems"][0];
    assert_eq!(report["resumed"], true);
    assert_eq!(report["runId"], 1, "the interrupted run continues");
    assert_eq!(report["status"], "succeeded");

    let whole = steward(&clean, &service, &["--json", "sync"], &[]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    assert_eq!(support::snapshot(&crashed), support::snapshot(&clean));
}

/// A new workspace with the sandbox CRM registered as the hub, its token in the keychain.
fn add_hub(ws: &Path, service: &str, base_url: &str, token: &str) {
    assert_eq!(steward(ws, service, &["workspace", "init"], &[]).code, 0);
    let added = steward(
        ws,
        service,
        &[
            "system",
            "add",
            "HubSpot",
            "--kind",
            "hubspot",
            "--role",
            "hub",
            "--base-url",
            base_url,
            "--token-env",
            "CRM_TOKEN",
        ],
        &[("CRM_TOKEN", token)],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
}
