//! `steward drift` on the demo workspace, scored against the sandbox's manifest for three
//! seeds: every planted stale, divergent and conflicting write, lead missing in the hub,
//! orphan, erasure not propagated and record behind the segment count mismatch is found,
//! and nothing else is reported under those kinds (precision and recall 1.0).
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use steward_sandbox::seed::World;
use steward_sandbox::seed::spokes::SpokeRef;

/// The demo's system names for the manifest's.
fn system_name(manifest_system: &str) -> &'static str {
    match manifest_system {
        "map" => "Marketing platform (sandbox)",
        "events_csv" => "Events sheet",
        "sdr_xlsx" => "SDR prospects",
        "portal" => "Customer portal",
        _ => "HubSpot (sandbox)",
    }
}

/// (system, id) as the workspace names a manifest's spoke record: an events row by its
/// Registration ID rather than its line.
fn spoke(world: &World, r: &SpokeRef) -> (String, String) {
    let id = if r.system == "events_csv"
        && let Ok(line) = r.id.parse::<usize>()
        && let Some(row) = world.spokes.events.get(line.wrapping_sub(2))
    {
        row.cells[0].clone()
    } else {
        r.id.clone()
    };
    (system_name(r.system).to_owned(), id)
}

type Key = (String, String, String);

fn found(rows: &[Value], kind: &str, field: &str) -> BTreeSet<Key> {
    rows.iter()
        .filter(|r| r["kind"] == kind)
        .map(|r| {
            (
                r["system"].as_str().unwrap().to_owned(),
                r["externalId"].as_str().unwrap().to_owned(),
                r[field].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn assert_exact(kind: &str, got: &BTreeSet<Key>, truth: &BTreeSet<Key>, seed: u64) {
    let extra: Vec<_> = got.difference(truth).take(5).collect();
    let missed: Vec<_> = truth.difference(got).take(5).collect();
    assert!(
        extra.is_empty() && missed.is_empty(),
        "seed {seed}, {kind}: {} found, {} planted; extra {extra:?}, missed {missed:?}",
        got.len(),
        truth.len()
    );
    assert!(!truth.is_empty(), "seed {seed} plants no {kind}");
}

fn score(seed: u64, size: usize) {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("demo.steward");
    let service = format!("steward-drift-test-{}-{seed}", std::process::id());
    let (line, stderr) = support::demo_until_ready(
        &workspace,
        &service,
        &["--seed", &seed.to_string(), "--size", &size.to_string()],
    );
    if line.is_empty()
        && stderr.contains("keychain")
        && std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none()
    {
        eprintln!("skipped: no OS keychain here; the test scripts provide one");
        return;
    }
    assert!(!line.is_empty(), "the demo did not start: {stderr}");
    // The demo measured drift once; measuring again gives the same findings.
    let first = support::steward(&workspace, &service, &["--json", "drift", "--last"], &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let run = support::steward(&workspace, &service, &["--json", "drift"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let rows = report["findings"]["rows"].as_array().unwrap().clone();
    assert_eq!(
        report["findings"]["total"].as_u64().unwrap() as usize,
        rows.len()
    );
    let strip = |v: &Value| {
        let mut rows: Vec<String> = v["findings"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}",
                    r["kind"], r["system"], r["externalId"], r["field"]
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(
        strip(&first.json()),
        strip(&report),
        "seed {seed}: a second run differs"
    );
    assert_eq!(report["trend"].as_array().unwrap().len(), 2);

    let world = steward_sandbox::seed::generate(seed, size);
    let d = &world.manifest.spokes;
    let hub = system_name("crm").to_owned();
    let drift_truth = |list: &[steward_sandbox::seed::spokes::FieldDrift]| -> BTreeSet<Key> {
        list.iter()
            .map(|x| {
                let (s, id) = spoke(&world, &x.spoke);
                (s, id, x.field.to_owned())
            })
            .collect()
    };
    assert_exact(
        "stale",
        &found(&rows, "stale", "hubField"),
        &drift_truth(&d.stale),
        seed,
    );
    assert_exact(
        "divergent",
        &found(&rows, "divergent", "hubField"),
        &drift_truth(&d.divergent),
        seed,
    );
    let conflicts: BTreeSet<Key> = d
        .conflicting_writes
        .iter()
        .map(|w| (hub.clone(), w.crm_contact_id.clone(), w.field.to_owned()))
        .collect();
    assert_exact(
        "conflicting_write",
        &found(&rows, "conflicting_write", "hubField"),
        &conflicts,
        seed,
    );
    let records = |refs: &mut dyn Iterator<Item = &SpokeRef>| -> BTreeSet<Key> {
        refs.map(|r| {
            let (s, id) = spoke(&world, r);
            (s, id, String::new())
        })
        .collect()
    };
    let no_field = |kind: &str| -> BTreeSet<Key> { found(&rows, kind, "none") };
    assert_exact(
        "missing_in_hub",
        &no_field("missing_in_hub"),
        &records(&mut d.missing_in_hub.iter()),
        seed,
    );
    assert_exact(
        "orphan",
        &no_field("orphan"),
        &records(&mut d.orphans.iter().map(|o| &o.spoke)),
        seed,
    );
    assert_exact(
        "erasure_not_propagated",
        &no_field("erasure_not_propagated"),
        &records(&mut d.erasures_not_propagated.iter().flat_map(|e| &e.still_in)),
        seed,
    );
    assert_exact(
        "count_mismatch",
        &no_field("count_mismatch"),
        &records(&mut d.count_mismatch.explained_by.iter().map(|e| &e.spoke)),
        seed,
    );
    // The broken write-back shows as exactly the leads whose status never arrived.
    let lost: BTreeSet<Key> = found(&rows, "mismatch", "field")
        .into_iter()
        .filter(|(_, _, f)| f == "lead_status")
        .collect();
    assert_exact(
        "lead status write-back",
        &lost,
        &d.write_back
            .affected
            .iter()
            .map(|r| {
                let (s, id) = spoke(&world, r);
                (s, id, "lead_status".to_owned())
            })
            .collect(),
        seed,
    );
    // "CRM 119, portal 125" on the demo seed: the segment counts are the manifest's.
    let segments = report["segments"].as_array().unwrap();
    let count = |system: &str| {
        segments
            .iter()
            .find(|s| s["segment"] == "active accounts" && s["system"] == system)
            .and_then(|s| s["count"].as_u64())
            .unwrap() as usize
    };
    assert_eq!(count(&hub), d.count_mismatch.hub, "seed {seed}");
    assert_eq!(
        count(system_name("portal")),
        d.count_mismatch.spoke,
        "seed {seed}"
    );
    // Every finding says why, and stale ones name the value the copy still holds.
    for r in &rows {
        assert!(!r["reason"].as_str().unwrap().is_empty(), "{r}");
        if r["kind"] == "stale" {
            assert!(r["earlierValue"].is_string(), "{r}");
            assert_eq!(r["earlierValue"], r["value"], "{r}");
            assert_eq!(r["fix"]["action"], "write", "{r}");
            assert_eq!(r["fix"]["value"], r["hubValue"], "{r}");
        }
    }
}

#[test]
fn drift_matches_the_manifest_for_the_demo_seed() {
    score(42, 2_000);
}

#[test]
fn drift_matches_the_manifest_for_two_other_seeds() {
    score(7, 2_000);
    score(1_234, 1_500);
}
