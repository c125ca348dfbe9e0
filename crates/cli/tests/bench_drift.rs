//! `steward bench drift` at a small size: every kind of drift the generator plants is found
//! exactly as often as it was planted, per system, so the benchmark's generator (and the
//! figures in docs/BENCHMARKS.md) cannot silently drift away from the engine.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

fn bench(dir: &std::path::Path) -> (Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "bench", "drift", "--hub", "2000", "--spokes", "4", "--json", "--dir",
        ])
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let figures = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (figures, stderr)
}

#[test]
fn every_planted_kind_is_found_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (figures, stderr) = bench(dir.path());
    assert!(stderr.contains("Generating"), "{stderr}");

    let checks = figures["checks"].as_array().unwrap();
    for c in checks {
        assert_eq!(c["planted"], c["found"], "{c}");
    }
    assert_eq!(figures["planted_equals_found"], true);
    for kind in [
        "stale",
        "divergent",
        "conflicting_write",
        "mismatch",
        "missing_in_hub",
        "orphan",
        "erasure_not_propagated",
        "count_mismatch",
    ] {
        let planted: u64 = checks
            .iter()
            .filter(|c| c["kind"] == kind)
            .map(|c| c["planted"].as_u64().unwrap())
            .sum();
        assert!(planted > 0, "nothing of kind {kind} was planted");
    }
    // Every spoke is measured, the copies are linked, and both systems count the segment.
    for system in [
        "Marketing platform",
        "Customer portal",
        "Events sheet",
        "SDR prospects",
    ] {
        assert!(
            checks
                .iter()
                .any(|c| c["system"] == system && c["kind"] == "stale"),
            "{system}"
        );
    }
    assert_eq!(figures["linked"], figures["linked_expected"]);
    assert_eq!(
        figures["records"].as_u64().unwrap(),
        figures["hub_records"].as_u64().unwrap() + figures["spoke_records"].as_u64().unwrap()
    );
    let segments = figures["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 2, "{segments:?}");
    for s in segments {
        assert_eq!(s["count"], s["expected"], "{s}");
    }

    // A second run reuses the generated workspace and finds the same.
    let (again, stderr) = bench(dir.path());
    assert!(!stderr.contains("Generating"), "{stderr}");
    assert_eq!(again["checks"], figures["checks"]);
}
