//! Issue 8 on the demo workspace, against the sandbox's manifest: the write-back probe
//! catches the bridge's lost statuses and measures its lag, the SDR sheet's deprecation
//! checklist names exactly the rows written after it was retired (a drift magnet), roles
//! gate actions, and the quarterly audit scores and exports its pack.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{Demo, keychain, steward};

const SDR: &str = "SDR prospects";
const SIZE: usize = 400;

#[test]
fn probes_checklists_roles_and_the_audit_on_the_sandbox() {
    let Some(keychain) = keychain("steward-gov8") else {
        return;
    };
    let service = keychain.service().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.db");
    let Some(_demo) = Demo::start(&ws, &service, &["--size", &SIZE.to_string()]) else {
        return;
    };
    let run = |args: &[&str]| steward(&ws, &service, args, &[]);
    let json_of = |args: &[&str]| -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = run(&all);
        assert!(
            r.code == 0 || r.code == 1,
            "{args:?}: {}{}",
            r.stdout,
            r.stderr
        );
        r.json()
    };
    let world = steward_sandbox::seed::generate(42, SIZE);
    let bridge =
        steward_sandbox::bridge::describe(&steward_sandbox::bridge::BridgeConfig::default());

    // --- The probe: the demo defined it (CONNECTED, then UNQUALIFIED). ---
    let r = run(&["--json", "probe", "run", "MAP write-back"]);
    assert_eq!(
        r.code, 1,
        "a failed probe is a finding: {}{}",
        r.stdout, r.stderr
    );
    let runs = r.json();
    let probe = &runs[0];
    assert_eq!(probe["verdict"], "failed", "{probe}");
    assert_eq!(probe["cleanup"], "done", "{probe}");
    let legs = probe["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 3, "{probe}");
    let lag = bridge.lag_ms;
    for leg in &legs[..2] {
        let ms = leg["ms"]
            .as_u64()
            .unwrap_or_else(|| panic!("arrived: {leg}"));
        assert!(
            ms + 300 >= lag && ms < lag + 3_000,
            "the bridge's {lag} ms lag measured as {ms}: {leg}"
        );
    }
    assert_eq!(legs[1]["status"], "CONNECTED");
    assert_eq!(legs[2]["status"], "UNQUALIFIED");
    assert!(bridge.dropped_status_values.contains(&"UNQUALIFIED"));
    assert_eq!(
        legs[2]["arrived"], false,
        "the bridge drops UNQUALIFIED: {}",
        legs[2]
    );
    assert!(
        legs[2]["detail"]
            .as_str()
            .unwrap()
            .contains("never reached"),
        "{}",
        legs[2]
    );
    let alerts = json_of(&["alerts"]);
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "probe_failed"
                && a["message"].as_str().unwrap().contains("UNQUALIFIED")),
        "{alerts}"
    );
    // A path the bridge carries passes, and the test records are gone from both systems.
    let map = "Marketing platform (sandbox)";
    assert_eq!(
        run(&[
            "probe",
            "add",
            "Working path",
            "--spoke",
            map,
            "--statuses",
            "IN_PROGRESS",
            "--target",
            "5",
            "--timeout",
            "10"
        ])
        .code,
        0
    );
    let good = json_of(&["probe", "run", "Working path"]);
    assert_eq!(good[0]["verdict"], "passed", "{good}");
    assert_eq!(good[0]["cleanup"], "done");
    let history = json_of(&["probe", "history", "MAP write-back"]);
    assert_eq!(history.as_array().unwrap().len(), 1);
    // A status the model cannot name is refused when the probe is defined.
    let bad = run(&[
        "probe",
        "add",
        "Typo",
        "--spoke",
        map,
        "--statuses",
        "QUALIFIED-ISH",
        "--target",
        "5",
        "--timeout",
        "10",
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("is not one of lead_status"),
        "{}",
        bad.stderr
    );

    // --- The SDR sheet's checklist against the manifest. ---
    let d = &world.manifest.spokes;
    let written_after: BTreeSet<String> = d
        .deprecated_still_written
        .written_after
        .iter()
        .map(|r| r.id.clone())
        .collect();
    assert!(!written_after.is_empty());
    let show = json_of(&["deprecation", "show", SDR]);
    let view = &show[0];
    assert_eq!(view["lifecycle"], "deprecated", "{view}");
    let item = |key: &str| -> Value {
        view["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(item("no_writes")["verdict"], "fail", "{view}");
    assert_eq!(item("archive_exported")["verdict"], "pass", "{view}");
    assert_eq!(
        item("write_back_verified")["verdict"],
        "unknown",
        "no probe names the sheet"
    );
    assert_eq!(item("credentials_revoked")["kind"], "manual");
    let records = json_of(&["deprecation", "records", SDR, "--item", "no_writes"]);
    let got: BTreeSet<String> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["externalId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        got, written_after,
        "the rows written after the sheet was retired"
    );
    let only_here_truth: BTreeSet<String> = d
        .missing_in_hub
        .iter()
        .filter(|r| r.system == "sdr_xlsx")
        .map(|r| r.id.clone())
        .collect();
    let only_here: BTreeSet<String> =
        json_of(&["deprecation", "records", SDR, "--item", "only_here"])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["externalId"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(only_here, only_here_truth, "records only the sheet holds");
    assert_eq!(
        item("only_here")["verdict"],
        if only_here_truth.is_empty() {
            "pass"
        } else {
            "fail"
        }
    );
    let magnets: Vec<Value> = json_of(&["alerts"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "drift_magnet")
        .cloned()
        .collect();
    assert_eq!(magnets.len(), 1, "{magnets:?}");
    assert_eq!(magnets[0]["system"], SDR);
    assert!(
        magnets[0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{} of its records", written_after.len())),
        "{magnets:?}"
    );
    let export = dir.path().join("only-here.csv");
    let report = json_of(&[
        "deprecation",
        "export-only-here",
        SDR,
        "--out",
        export.to_str().unwrap(),
    ]);
    assert_eq!(
        report["records"].as_u64().unwrap() as usize,
        only_here_truth.len()
    );
    // The other spokes are active, with their own checklists.
    let all = json_of(&["deprecation", "show"]);
    assert_eq!(all.as_array().unwrap().len(), 4);

    // --- Roles gate the actions; every change is in the chained log. ---
    let intruder = steward(
        &ws,
        &service,
        &[
            "deprecation",
            "move",
            SDR,
            "--to",
            "active",
            "--reason",
            "x",
        ],
        &[("USER", "intruder")],
    );
    assert_eq!(intruder.code, 2);
    assert!(
        intruder
            .stderr
            .contains("intruder may not move a system's lifecycle: it takes the role admin"),
        "{}",
        intruder.stderr
    );
    let reviewer = |args: &[&str]| steward(&ws, &service, args, &[("USER", "olu")]);
    assert_eq!(
        reviewer(&["audit", "run"]).code,
        2,
        "ops reviewers do not run the audit"
    );
    assert_eq!(run(&["role", "grant", "olu", "--role", "ops"]).code, 0);
    let refused = reviewer(&["role", "grant", "olu", "--role", "admin"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("may not grant or revoke roles"),
        "{}",
        refused.stderr
    );
    let last = run(&["role", "revoke", "ci-owner", "--role", "admin"]);
    assert_eq!(last.code, 2);
    assert!(last.stderr.contains("last admin"), "{}", last.stderr);
    let back = run(&["deprecation", "move", SDR, "--to", "active"]);
    assert_eq!(back.code, 2, "going back needs a reason");
    assert_eq!(
        run(&[
            "sign-off",
            SDR,
            "--checklist",
            "deprecation",
            "--item",
            "credentials_revoked",
            "--note",
            "API user removed, share revoked"
        ])
        .code,
        0
    );
    let signed = json_of(&["deprecation", "show", SDR]);
    let item = signed[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "credentials_revoked")
        .unwrap()
        .clone();
    assert_eq!(item["signOff"]["actor"], "ci-owner");
    assert_eq!(item["satisfied"], true);
    let onboarding = json_of(&["onboarding", map]);
    assert_eq!(
        onboarding["items"][2]["verdict"], "pass",
        "synced: {onboarding}"
    );
    // The owner's own items are the owner's: an admin who is not the owner may not.
    assert_eq!(run(&["role", "grant", "ana", "--role", "admin"]).code, 0);
    let as_ana = steward(
        &ws,
        &service,
        &[
            "sign-off",
            map,
            "--checklist",
            "onboarding",
            "--item",
            "owner_approved",
            "--note",
            "ok",
        ],
        &[("USER", "ana")],
    );
    assert_eq!(as_ana.code, 2);
    assert!(
        as_ana.stderr.contains("only the SSOT owner"),
        "{}",
        as_ana.stderr
    );
    assert_eq!(
        run(&[
            "sign-off",
            map,
            "--checklist",
            "onboarding",
            "--item",
            "owner_approved",
            "--note",
            "fits the stack"
        ])
        .code,
        0
    );
    // Exports never overwrite, not even an earlier archive.
    let again = run(&[
        "deprecation",
        "archive",
        SDR,
        "--out",
        export.to_str().unwrap(),
    ]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);
    // A cleared drift magnet stays cleared until the sheet is written again.
    let id = magnets[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(run(&["alerts", "--clear", &id]).code, 0);
    assert_eq!(run(&["sync", "--system", SDR]).code, 0);
    let open = json_of(&["alerts"]);
    assert!(
        !open
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "drift_magnet"),
        "cleared, nothing new written: {open}"
    );
    let cleared_twice = run(&["alerts", "--clear", &id]);
    assert_eq!(cleared_twice.code, 2, "{}", cleared_twice.stderr);

    // --- The audit: four scores with formulas, stored, and the pack. ---
    let audit = json_of(&["audit", "run"]);
    let reqs = audit["requirements"].as_array().unwrap();
    let keys: Vec<&str> = reqs.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["completeness", "currency", "integrity", "accessibility"]
    );
    for r in reqs {
        let score = r["score"].as_f64().unwrap_or_else(|| panic!("{r}"));
        assert!(score > 0.0 && score <= 100.0, "{r}");
        for p in r["parts"].as_array().unwrap() {
            assert!(p["formula"].as_str().unwrap().contains(" ÷ "), "{p}");
        }
    }
    let completeness = &reqs[0]["parts"][0];
    let missing_live: usize = d
        .missing_in_hub
        .iter()
        .filter(|r| r.system != "sdr_xlsx")
        .count();
    assert_eq!(
        completeness["denominator"].as_u64().unwrap() - completeness["numerator"].as_u64().unwrap(),
        missing_live as u64,
        "completeness counts the live spokes' leads the hub lacks: {completeness}"
    );
    let accessibility = &reqs[3]["parts"][1];
    assert_eq!(
        accessibility["denominator"], 2,
        "two probes: {accessibility}"
    );
    assert_eq!(
        accessibility["numerator"], 1,
        "one passing: {accessibility}"
    );
    let shown = json_of(&["audit", "show"]);
    assert_eq!(shown["quarters"].as_array().unwrap().len(), 1);
    assert_eq!(shown["runs"], 2, "the demo's run and this one");
    let pack = dir.path().join("pack");
    let files = json_of(&["audit", "export", "--out", pack.to_str().unwrap()]);
    assert_eq!(files.as_array().unwrap().len(), 7, "{files}");
    let html = std::fs::read_to_string(files[0].as_str().unwrap()).unwrap();
    assert!(
        html.contains("<svg") && html.contains("Completeness") && html.contains("@media print")
    );
    assert!(!html.contains("<script"), "self-contained, no script");
    let findings = std::fs::read_to_string(pack.join("drift_findings.csv")).unwrap();
    assert!(findings.lines().count() > 10);
    // No customer value in any file of the pack: no seeded address, phone or last name.
    let pack_text: String = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| std::fs::read_to_string(f.as_str().unwrap()).unwrap())
        .collect();
    let mut checked = 0;
    for contact in &world.contacts {
        for key in ["email", "phone", "lastname"] {
            if let Some(value) = contact.properties.get(key)
                && value.trim().chars().count() >= 6
            {
                checked += 1;
                assert!(
                    !pack_text.contains(value.trim()),
                    "{key} of contact {} in the pack",
                    contact.id
                );
            }
        }
    }
    assert!(checked > SIZE, "checked {checked} values");

    let verify = json_of(&["audit-log", "verify"]);
    assert_eq!(verify["intact"], true, "{verify}");
    let log = json_of(&["audit-log", "list", "--limit", "500"]);
    let actions: BTreeSet<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "role.granted",
        "system.lifecycle_moved",
        "probe.defined",
        "probe.finished",
        "checklist.signed_off",
        "audit.scored",
        "alert.raised",
    ] {
        assert!(actions.contains(action), "{action} not in {actions:?}");
    }
}

/// `steward probe run` in the background, as the demo's owner.
fn spawn_probe(ws: &std::path::Path, service: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("--workspace")
        .arg(ws)
        .args(["--json", "probe", "run", "MAP write-back"])
        .env("STEWARD_KEYCHAIN_SERVICE", service)
        .env("USER", "ci-owner")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn cancelled_and_killed_probes_leave_no_test_records() {
    let Some(keychain) = keychain("steward-probe-kill") else {
        return;
    };
    let service = keychain.service().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.db");
    let Some(_demo) = Demo::start(&ws, &service, &["--size", "300"]) else {
        return;
    };
    let run = |args: &[&str]| steward(&ws, &service, args, &[]);
    let pause = |ms| std::thread::sleep(std::time::Duration::from_millis(ms));

    // Ctrl-C while the lead is on its way to the hub: cancelled, and cleaned up.
    let child = spawn_probe(&ws, &service);
    pause(1_200);
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let runs: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(runs[0]["verdict"], "cancelled", "{runs}");
    assert_ne!(runs[0]["cleanup"], "failed", "{runs}");

    // Killed outright: the run is left running, its records wherever they got to.
    let mut child = spawn_probe(&ws, &service);
    pause(1_500);
    child.kill().unwrap();
    let _ = child.wait();
    pause(3_000); // the bridge may carry the orphaned lead into the CRM meanwhile

    // The next run refuses to race a live one, settles the killed one and sweeps it.
    let next = spawn_probe(&ws, &service);
    pause(800);
    let racing = run(&["probe", "run", "MAP write-back"]);
    assert_eq!(racing.code, 2, "{}", racing.stderr);
    assert!(
        racing.stderr.contains("is running already"),
        "{}",
        racing.stderr
    );
    let out = next.wait_with_output().unwrap();
    let finished: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        finished[0]["verdict"], "failed",
        "UNQUALIFIED is still lost: {finished}"
    );
    let history = run(&["--json", "probe", "history", "MAP write-back"]).json();
    let runs = history.as_array().unwrap();
    assert_eq!(runs.len(), 3, "{history}");
    assert_eq!(
        runs[1]["verdict"], "cancelled",
        "the killed run is settled: {}",
        runs[1]
    );
    assert!(
        runs[1]["error"].as_str().unwrap().contains("interrupted"),
        "{}",
        runs[1]
    );
    for r in runs {
        assert_eq!(r["cleanup"], "done", "every run's records are gone: {r}");
    }

    // Read both systems in full: no test lead anywhere.
    pause(3_000);
    for system in ["HubSpot (sandbox)", "Marketing platform (sandbox)"] {
        let synced = run(&["sync", "--system", system, "--full"]);
        assert_eq!(synced.code, 0, "{}{}", synced.stdout, synced.stderr);
    }
    let db = rusqlite::Connection::open(&ws).unwrap();
    let left = support::count(
        &db,
        "SELECT count(*) FROM record_fields WHERE value LIKE '%@probe.steward.invalid'",
    );
    let detail: Vec<String> = {
        let mut stmt = db
            .prepare(
                "SELECT r.system_id || ' ' || r.external_id || ' archived=' || r.archived || ' ' || f.field
                 FROM record_fields f JOIN records r ON r.id = f.record_id
                 WHERE f.value LIKE '%@probe.steward.invalid'",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(left, 0, "test records left behind: {detail:?}");
}
