//! `steward duplicates` on the demo workspace, scored against the sandbox's manifest: the
//! seeded CRM duplicate clusters and every person's copies in the MAP, the events CSV, the SDR
//! sheet and the portal are one person each; everything else is somebody else.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, HashMap};
use std::process::Command;

use serde_json::Value;

const SEED: u64 = 42;
const SIZE: usize = 2_000;

/// The manifest's system names → the demo's system kinds.
fn kind_of(manifest_system: &str) -> &'static str {
    match manifest_system {
        "map" => "marketing",
        "events_csv" => "csv",
        "sdr_xlsx" => "xlsx",
        "portal" => "sqlite",
        _ => "hubspot",
    }
}

/// The manifest names an events row by its line; the workspace keys it by its Registration
/// ID (the file's first column).
fn spoke_id(
    world: &steward_sandbox::seed::World,
    copy: &steward_sandbox::seed::spokes::SpokeRef,
) -> String {
    if copy.system == "events_csv"
        && let Ok(line) = copy.id.parse::<usize>()
        && let Some(row) = world.spokes.events.get(line.wrapping_sub(2))
    {
        return row.cells[0].clone();
    }
    copy.id.clone()
}

/// (system kind, id in that system) → entity, from the manifest.
fn truth() -> HashMap<(String, String), usize> {
    let world = steward_sandbox::seed::generate(SEED, SIZE);
    let manifest = &world.manifest;
    let mut entity: HashMap<(String, String), usize> = HashMap::new();
    let mut of_contact: HashMap<String, usize> = HashMap::new();
    let mut next = 0;
    for cluster in &manifest.crm_duplicate_clusters {
        if cluster.object != "contact" {
            continue;
        }
        for id in std::iter::once(&cluster.original).chain(cluster.variants.iter().map(|v| &v.id)) {
            of_contact.insert(id.clone(), next);
        }
        next += 1;
    }
    for contact in &world.contacts {
        let id = contact.id.to_string();
        let e = *of_contact.entry(id.clone()).or_insert_with(|| {
            next += 1;
            next - 1
        });
        entity.insert(("hubspot".into(), id), e);
    }
    for cross in &manifest.spokes.cross_system {
        let Some(&e) = of_contact.get(&cross.crm_contact_id) else {
            continue;
        };
        for copy in &cross.copies {
            entity.insert((kind_of(copy.system).into(), spoke_id(&world, copy)), e);
        }
    }
    for erasure in &manifest.spokes.erasures_not_propagated {
        for copy in &erasure.still_in {
            entity.insert((kind_of(copy.system).into(), spoke_id(&world, copy)), next);
        }
        next += 1;
    }
    entity
}

#[test]
fn the_demo_workspace_duplicates_match_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("demo.steward");
    let service = format!("steward-dup-test-{}", std::process::id());
    let (line, stderr) = support::demo_until_ready(
        &workspace,
        &service,
        &["--seed", &SEED.to_string(), "--size", &SIZE.to_string()],
    );
    if line.is_empty()
        && stderr.contains("keychain")
        && std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none()
    {
        eprintln!("skipped: no OS keychain here; the test scripts provide one");
        return;
    }
    assert!(!line.is_empty(), "the demo did not start: {stderr}");

    let steward = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(args)
            .arg("--workspace")
            .arg(&workspace)
            .env("STEWARD_KEYCHAIN_SERVICE", &service)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let systems = steward(&["--json", "system", "list"]);
    let kind_by_name: HashMap<String, String> = systems
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let listing = steward(&["--json", "duplicates"]);
    let run = &listing["run"];
    assert!(run["records"].as_u64().unwrap() > SIZE as u64, "{run}");

    let truth = truth();
    // Predicted pairs and true positives from the clusters; true pairs from the truth over
    // the records the workspace holds.
    let mut predicted = 0u64;
    let mut true_positives = 0u64;
    let mut unknown = Vec::new();
    let mut clustered: BTreeMap<usize, usize> = BTreeMap::new();
    for cluster in listing["clusters"].as_array().unwrap() {
        let members = cluster["members"].as_array().unwrap();
        let n = members.len() as u64;
        predicted += n * (n - 1) / 2;
        let mut by_entity: HashMap<usize, u64> = HashMap::new();
        for m in members {
            let kind = &kind_by_name[m["system"].as_str().unwrap()];
            let key = (kind.clone(), m["externalId"].as_str().unwrap().to_owned());
            match truth.get(&key) {
                Some(&e) => *by_entity.entry(e).or_default() += 1,
                None => unknown.push(key),
            }
        }
        for (e, k) in by_entity {
            true_positives += k * (k - 1) / 2;
            *clustered.entry(e).or_default() += 1;
        }
        assert!(cluster["score"].as_f64().unwrap() >= 0.5, "{cluster}");
    }
    let mut per_entity: HashMap<usize, u64> = HashMap::new();
    for e in truth.values() {
        *per_entity.entry(*e).or_default() += 1;
    }
    let true_pairs: u64 = per_entity.values().map(|n| n * (n - 1) / 2).sum();
    let precision = true_positives as f64 / predicted.max(1) as f64;
    let recall = true_positives as f64 / true_pairs.max(1) as f64;
    eprintln!(
        "precision {precision:.4} recall {recall:.4} ({true_positives} of {true_pairs} true pairs, {predicted} predicted); {} members outside the truth",
        unknown.len()
    );
    assert!(unknown.is_empty(), "members outside the truth: {unknown:?}");
    assert!(precision >= 0.95, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");

    // The evidence behind the strongest cluster, read back from the workspace.
    let app = steward_app::Steward::open(
        &workspace,
        steward_app::Keychain::with_service(service.clone()),
        "test".into(),
        steward_app::Clock::System,
    )
    .unwrap();
    let view = app.duplicates().unwrap();
    let first = &view.clusters[0];
    let detail = app.duplicate_cluster(first.cluster).unwrap();
    assert_eq!(detail.members.len(), first.size as usize);
    assert!(!detail.links.is_empty());
    let evidence = &detail.links[0].evidence;
    assert!(evidence.iter().any(|e| e.bits > 0.0), "{evidence:?}");
    assert!(
        detail.members.iter().all(|m| !m.values.is_empty()),
        "members show their values"
    );
}
