//! The field-authority rules, the erasure tracker and drift fixes, through the `steward`
//! binary on a running demo: versioned and audited rule changes that round-trip as TOML, an
//! erasure that purges the workspace and stays true across later syncs, and a fix written
//! into a live system, journaled, and reverted.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use rusqlite::Connection;
use serde_json::Value;
use support::{Demo, count, steward};

const SEED: u64 = 42;
const SIZE: &str = "600";
const MAP: &str = "Marketing platform (sandbox)";
const PORTAL: &str = "Customer portal";

fn ok(workspace: &Path, service: &str, args: &[&str]) -> Value {
    let run = steward(workspace, service, args, &[]);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.json()
}

fn audit_actions(workspace: &Path, service: &str) -> Vec<Value> {
    ok(
        workspace,
        service,
        &["--json", "audit-log", "list", "--limit", "500"],
    )["entries"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn rule_changes_are_versioned_audited_and_round_trip_as_toml() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("demo.steward");
    let service = format!("steward-rules-test-{}", std::process::id());
    let Some(demo) = Demo::start(&workspace, &service, &["--seed", "42", "--size", SIZE]) else {
        return;
    };
    drop(demo);
    let rules = ok(&workspace, &service, &["--json", "rules", "show"]);
    assert_eq!(
        rules["version"], 2,
        "the demo saved its mapping, then its statuses"
    );
    let history = rules["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0]["changes"].as_array().unwrap().iter().any(|c| {
        c.as_str()
            .unwrap()
            .contains("\"Working\" → \"IN_PROGRESS\"")
    }));
    assert!(
        rules["status"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["systems"]
                .as_array()
                .unwrap()
                .iter()
                .any(
                    |sys| sys["system"] == "SDR prospects" && sys["unmapped"].as_u64().unwrap() > 0
                )),
        "the SDR's own statuses are flagged as unmapped"
    );

    // A change needs a why, names a real system, and is audited line by line.
    let no_why = steward(
        &workspace,
        &service,
        &[
            "rules",
            "authority",
            "person.job_title",
            "--system",
            MAP,
            "--policy",
            "authority_wins",
        ],
        &[],
    );
    assert_eq!(no_why.code, 2, "{}", no_why.stderr);
    let nowhere = steward(
        &workspace,
        &service,
        &[
            "rules",
            "authority",
            "person.job_title",
            "--system",
            "Nowhere",
            "--policy",
            "authority_wins",
            "--why",
            "x",
        ],
        &[],
    );
    assert_eq!(nowhere.code, 2);
    assert!(
        nowhere.stderr.contains("no system named \"Nowhere\""),
        "{}",
        nowhere.stderr
    );
    let changed = ok(
        &workspace,
        &service,
        &[
            "--json",
            "rules",
            "authority",
            "person.job_title",
            "--system",
            MAP,
            "--policy",
            "authority_wins",
            "--why",
            "marketing owns titles now",
        ],
    );
    assert_eq!(changed["version"], 3);
    let entry = audit_actions(&workspace, &service)
        .into_iter()
        .find(|e| e["action"] == "rules.changed" && e["details"]["version"] == 3)
        .expect("an audit entry for version 3");
    assert_eq!(entry["details"]["why"], "marketing owns titles now");
    assert_eq!(
        entry["details"]["changes"],
        serde_json::json!([format!("authority person.job_title: system hub → {MAP}")])
    );

    // With the MAP in charge of titles, a stale MAP title is the truth: the CRM is behind.
    let report = ok(&workspace, &service, &["--json", "drift"]);
    let rows = report["findings"]["rows"].as_array().unwrap();
    assert!(
        !rows
            .iter()
            .any(|r| r["system"] == MAP && r["field"] == "job_title")
    );
    assert!(
        rows.iter()
            .any(|r| r["system"] == "HubSpot (sandbox)" && r["field"] == "job_title")
    );

    // Export, import unchanged: no new version. A broken file names its line.
    let file = dir.path().join("rules.toml");
    let export = steward(
        &workspace,
        &service,
        &["rules", "export", "--out", file.to_str().unwrap()],
        &[],
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("[[authority]]") && text.contains(MAP),
        "{text}"
    );
    let same = ok(
        &workspace,
        &service,
        &[
            "--json",
            "rules",
            "import",
            file.to_str().unwrap(),
            "--why",
            "no change",
        ],
    );
    assert_eq!(same["version"], 3);
    std::fs::write(
        &file,
        text.replacen("policy = \"authority_wins\"", "policy = \"sometimes\"", 1),
    )
    .unwrap();
    let broken = steward(
        &workspace,
        &service,
        &["rules", "import", file.to_str().unwrap(), "--why", "typo"],
        &[],
    );
    assert_eq!(broken.code, 2);
    assert!(broken.stderr.contains("line"), "{}", broken.stderr);
    assert_eq!(
        ok(&workspace, &service, &["--json", "rules", "show"])["version"],
        3
    );
}

/// Everything the workspace file holds, as text (to prove a value is gone from it).
fn workspace_mentions(workspace: &Path, needle: &str) -> i64 {
    let conn = Connection::open(workspace).unwrap();
    let needle = needle.to_lowercase();
    let mut hits = 0;
    for sql in [
        "SELECT lower(value) FROM record_fields",
        "SELECT lower(value) FROM record_field_versions",
        "SELECT lower(details) FROM audit_log",
        "SELECT lower(label || identifiers || reference) FROM erasure_requests",
        "SELECT lower(evidence) FROM erasure_checks",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        hits += rows.iter().filter(|v| v.contains(&needle)).count() as i64;
    }
    hits
}

fn status_of<'a>(request: &'a Value, system: &str) -> &'a Value {
    request["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["system"] == system)
        .unwrap_or_else(|| panic!("no {system} in {request}"))
}

#[test]
fn an_erasure_purges_the_workspace_and_later_syncs_keep_its_checklist_true() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("demo.steward");
    let service = format!("steward-erasure-test-{}", std::process::id());
    let Some(demo) = Demo::start(
        &workspace,
        &service,
        &["--seed", &SEED.to_string(), "--size", SIZE],
    ) else {
        return;
    };
    let world = steward_sandbox::seed::generate(SEED, SIZE.parse().unwrap());
    let erased = world
        .manifest
        .spokes
        .erasures_not_propagated
        .iter()
        .find(|e| e.still_in.iter().any(|s| s.system == "portal"))
        .expect("an erased person still in the MAP and the portal");
    let lead = erased
        .still_in
        .iter()
        .find(|s| s.system == "map")
        .unwrap()
        .id
        .clone();
    let users: Vec<String> = erased
        .still_in
        .iter()
        .filter(|s| s.system == "portal")
        .map(|s| s.id.clone())
        .collect();
    assert!(workspace_mentions(&workspace, &erased.email) > 0);

    let bad = steward(
        &workspace,
        &service,
        &[
            "erasure",
            "request",
            "--name",
            "Ann Lee",
            "--reference",
            "DSR-0",
        ],
        &[],
    );
    assert_eq!(bad.code, 2, "a name alone is refused: {}", bad.stderr);
    let preview = ok(
        &workspace,
        &service,
        &[
            "--json",
            "erasure",
            "request",
            "--email",
            &erased.email,
            "--reference",
            "DSR-1",
            "--dry-run",
        ],
    );
    let would = |system: &str| {
        preview
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["system"] == system)
            .unwrap()["records"]
            .as_u64()
            .unwrap() as usize
    };
    assert_eq!((would(MAP), would(PORTAL)), (1, users.len()));
    assert!(
        workspace_mentions(&workspace, &erased.email) > 0,
        "a preview changes nothing"
    );
    let request = &ok(
        &workspace,
        &service,
        &[
            "--json",
            "erasure",
            "request",
            "--email",
            &erased.email.to_uppercase(),
            "--reference",
            "DSR-1",
        ],
    )[0];
    assert_eq!(
        status_of(request, "HubSpot (sandbox)")["status"],
        "not_found"
    );
    assert_eq!(status_of(request, MAP)["status"], "still_present");
    assert_eq!(
        status_of(request, MAP)["records"],
        serde_json::json!([lead])
    );
    let mut portal: Vec<String> = status_of(request, PORTAL)["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    portal.sort();
    assert_eq!(portal, users);
    assert_eq!(status_of(request, "Events sheet")["status"], "not_found");
    assert!(request["completedAt"].is_null());
    assert!(request["deadlineAt"].as_str().unwrap() > request["requestedAt"].as_str().unwrap());
    // Purged at once, and nothing of the address anywhere in the workspace: only hashes.
    assert_eq!(workspace_mentions(&workspace, &erased.email), 0);
    for file in [workspace.clone(), workspace.with_extension("steward-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let needle = erased.email.to_lowercase();
        assert!(
            !bytes
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes())),
            "{} still holds the address",
            file.display()
        );
    }
    let conn = Connection::open(&workspace).unwrap();
    assert!(count(&conn, "SELECT count(*) FROM erasure_tombstones") >= 1);
    drop(conn);

    // Drift reports the copies the request found, by id.
    let report = ok(&workspace, &service, &["--json", "drift"]);
    let flagged: Vec<&Value> = report["findings"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["kind"] == "erasure_not_propagated" && r["reason"] == "erasure_request_still_present"
        })
        .collect();
    assert_eq!(flagged.len(), 1 + users.len(), "{flagged:?}");

    // The portal deletes its users; a full sync of it proves them gone. The MAP still holds
    // the lead: a full sync sees it again but does not cache it.
    let portal_db = demo.line["files"]["portal_sqlite"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = Connection::open(&portal_db).unwrap();
    for user in &users {
        db.execute(
            "DELETE FROM users WHERE id = ?1",
            [user.parse::<i64>().unwrap()],
        )
        .unwrap();
    }
    drop(db);
    for system in [PORTAL, MAP] {
        let run = steward(
            &workspace,
            &service,
            &["sync", "--full", "--system", system],
            &[],
        );
        assert_eq!(run.code, 0, "{system}: {}", run.stderr);
    }
    assert_eq!(
        workspace_mentions(&workspace, &erased.email),
        0,
        "a later sync caches no copy"
    );
    let checked = &ok(&workspace, &service, &["--json", "erasure", "check"])[0];
    assert_eq!(status_of(checked, PORTAL)["status"], "deleted");
    assert_eq!(status_of(checked, MAP)["status"], "still_present");
    assert_eq!(
        status_of(checked, MAP)["records"],
        serde_json::json!([lead])
    );
    assert!(checked["completedAt"].is_null());
    let actions: Vec<String> = audit_actions(&workspace, &service)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(actions.contains(&"erasure.requested".to_owned()));
    assert!(actions.contains(&"erasure.checked".to_owned()));
    drop(demo);
}

#[test]
fn a_fix_is_checked_live_journaled_written_and_reverted() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("demo.steward");
    let service = format!("steward-fix-test-{}", std::process::id());
    let Some(demo) = Demo::start(
        &workspace,
        &service,
        &["--seed", &SEED.to_string(), "--size", SIZE],
    ) else {
        return;
    };
    let report = ok(
        &workspace,
        &service,
        &["--json", "drift", "--last", "--kind", "stale"],
    );
    let stale = report["findings"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["system"] == MAP && r["field"] == "job_title")
        .expect("a stale MAP title")
        .clone();
    let seq = stale["seq"].to_string();
    let run_id = report["run"]["id"].to_string();
    let lead = stale["externalId"].as_str().unwrap().to_owned();

    let unconfirmed = steward(
        &workspace,
        &service,
        &["drift", "--apply", &seq, "--run", &run_id],
        &[],
    );
    assert_eq!(unconfirmed.code, 2, "{}", unconfirmed.stderr);
    // A lead missing from the hub has advice, not a value to write.
    let advice = ok(
        &workspace,
        &service,
        &["--json", "drift", "--last", "--kind", "missing_in_hub"],
    );
    let missing = advice["findings"]["rows"][0]["seq"].to_string();
    let skipped = ok(
        &workspace,
        &service,
        &[
            "--json", "drift", "--apply", &missing, "--run", &run_id, "--yes",
        ],
    );
    assert_eq!(skipped["skipped"], 1);

    // A lost status has no word in the MAP ("UNQUALIFIED"): refused rather than written raw.
    let lost = ok(
        &workspace,
        &service,
        &[
            "--json",
            "drift",
            "--last",
            "--kind",
            "mismatch",
            "--field",
            "lead_status",
        ],
    );
    let lost_seq = lost["findings"]["rows"][0]["seq"].to_string();
    let refused = ok(
        &workspace,
        &service,
        &[
            "--json", "drift", "--apply", &lost_seq, "--run", &run_id, "--yes",
        ],
    );
    assert_eq!(refused["skipped"], 1, "{refused}");
    assert!(
        refused["rows"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("no word for the status"),
        "{refused}"
    );

    let applied = ok(
        &workspace,
        &service,
        &[
            "--json", "drift", "--apply", &seq, "--run", &run_id, "--yes",
        ],
    );
    assert_eq!(applied["applied"], 1, "{applied}");
    let row = &applied["rows"][0];
    assert_eq!(row["before"], stale["value"]);
    assert_eq!(row["after"], stale["hubValue"]);
    assert_eq!(row["status"], "applied");
    // Applying the same finding again finds it settled.
    let again = ok(
        &workspace,
        &service,
        &[
            "--json", "drift", "--apply", &seq, "--run", &run_id, "--yes",
        ],
    );
    assert_eq!(again["applied"], 0);

    // The MAP really holds the CRM's title now: read it back and measure again.
    let run = steward(
        &workspace,
        &service,
        &["sync", "--full", "--system", MAP],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = ok(&workspace, &service, &["--json", "drift"]);
    assert!(
        !after["findings"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["system"] == MAP
                && r["externalId"] == lead.as_str()
                && r["field"] == "job_title"),
        "the stale title is gone"
    );

    // The seqs of a replaced run are refused: they name other findings now.
    let replaced = steward(
        &workspace,
        &service,
        &["drift", "--apply", &seq, "--run", &run_id, "--yes"],
        &[],
    );
    assert_ne!(replaced.code, 0);
    assert!(
        replaced.stderr.contains("has replaced them"),
        "{}",
        replaced.stderr
    );

    // The journal keeps the old value; a revert puts it back.
    let id = row["id"].to_string();
    let reverted = ok(
        &workspace,
        &service,
        &["--json", "drift", "--revert", &id, "--yes"],
    );
    assert_eq!(reverted["status"], "applied");
    assert_eq!(reverted["after"], stale["value"]);
    let journal = ok(&workspace, &service, &["--json", "drift", "--fixes"]);
    let original = journal
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == row["id"])
        .unwrap();
    assert_eq!(original["status"], "reverted");
    let twice = steward(
        &workspace,
        &service,
        &["drift", "--revert", &id, "--yes"],
        &[],
    );
    assert_ne!(twice.code, 0, "a reverted fix is not reverted again");
    let actions: Vec<String> = audit_actions(&workspace, &service)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for action in [
        "drift.fix.started",
        "drift.fix.applied",
        "drift.fix.reverted",
    ] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action} in {actions:?}"
        );
    }
    drop(demo);
}
