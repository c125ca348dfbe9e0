//! `steward sandbox serve` as scripts use it: one JSON line when ready, a manifest on disk
//! that is the same bytes for the same seed, and servers that answer until stopped.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

struct Served {
    child: Child,
    line: Value,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(seed: &str, manifest: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "sandbox",
            "serve",
            "--seed",
            seed,
            "--size",
            "500",
            "--manifest",
        ])
        .arg(manifest)
        .arg("--dir")
        .arg(manifest.with_extension("files"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    Served {
        child,
        line: serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}")),
    }
}

/// A plain HTTP/1.1 GET over loopback, so the CLI's tests need no HTTP client crate.
fn http_get(base_url: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let addr = base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

#[test]
fn serve_prints_where_the_crm_is_and_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve("7", &dir.path().join("manifest.json"));
    let crm = &served.line["crm"];
    assert_eq!(crm["kind"], "hubspot");
    let base = crm["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let counts = &served.line["counts"];
    assert!(counts["crm_contacts"].as_u64().unwrap() > 450, "{counts}");
    assert!(counts["map_leads"].as_u64().unwrap() > 0, "{counts}");
    assert!(
        served.line["map"]["base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    for file in [
        "events_csv",
        "sdr_xlsx",
        "portal_sqlite",
        "portal_postgres_sql",
    ] {
        let path = served.line["files"][file].as_str().unwrap();
        assert!(Path::new(path).is_file(), "{file}: {path}");
    }

    let (status, _) = http_get(base, "/crm/v3/objects/contacts?limit=1", None);
    assert_eq!(status, 401);
    let (status, body) = http_get(
        base,
        "/crm/v3/objects/contacts?limit=1",
        crm["token"].as_str(),
    );
    assert_eq!(status, 200, "{body}");
    let (status, stats) = http_get(base, "/_sandbox/stats", None);
    assert_eq!(status, 200);
    let stats: Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["requests"]["GET /crm/v3/objects/{objectType}"], 2);
    assert_eq!(stats["unauthorized"], 1);
}

#[test]
fn the_same_seed_writes_the_same_manifest_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let paths = ["a.json", "b.json", "c.json"].map(|n| dir.path().join(n));
    for (path, seed) in paths.iter().zip(["11", "11", "12"]) {
        drop(serve(seed, path));
    }
    let read = |p: &std::path::PathBuf, suffix: &str| {
        if suffix.is_empty() {
            std::fs::read(p).unwrap()
        } else {
            let path = p.with_extension("files").join(suffix);
            std::fs::read(&path).unwrap_or_else(|e| {
                let listing: Vec<_> = std::fs::read_dir(p.parent().unwrap())
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect();
                panic!("{}: {e}; {listing:?}", path.display())
            })
        }
    };
    for file in ["", "events-2025.csv", "sdr-prospects.xlsx", "portal.sql"] {
        let [a, b, c] = [&paths[0], &paths[1], &paths[2]].map(|p| read(p, file));
        assert_eq!(a, b, "{file}: same seed, same bytes");
        assert_ne!(a, c, "{file}: another seed, other data");
    }
    let a = read(&paths[0], "");
    let manifest: Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(manifest["seed"], 11);
    assert!(
        !manifest["crm_duplicate_clusters"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_bad_rate_tier_is_bad_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["sandbox", "serve", "--rate-tier", "gold"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown rate tier"));
}

/// `steward demo --no-ui`: the sandbox's five systems registered, secrets in the keychain,
/// and a second run that refreshes instead of duplicating. Needs the real OS keychain.
#[test]
fn demo_registers_the_sandbox_systems_once() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("demo.steward");
    let service = format!("steward-demo-test-{}", std::process::id());
    let run_demo = || support::demo_until_ready(&workspace, &service, &["--size", "300"]);
    let (line, stderr) = run_demo();
    if line.is_empty()
        && stderr.contains("keychain")
        && std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none()
    {
        eprintln!("skipped: no OS keychain here; the test scripts provide one");
        return;
    }
    let line: Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?} {stderr}"));
    assert_eq!(line["workspace"], workspace.display().to_string());
    run_demo();

    let list = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["--json", "system", "list", "--workspace"])
        .arg(&workspace)
        .env("STEWARD_KEYCHAIN_SERVICE", &service)
        .output()
        .unwrap();
    let systems: Value = serde_json::from_slice(&list.stdout).unwrap();
    let systems = systems.as_array().unwrap();
    assert_eq!(
        systems.len(),
        5,
        "registered once, refreshed the second time"
    );
    assert_eq!(systems[0]["role"], "hub");
    for system in systems {
        let expected = if ["hubspot", "marketing"].contains(&system["kind"].as_str().unwrap()) {
            "stored"
        } else {
            "not_needed"
        };
        assert_eq!(system["credential"], expected, "{system}");
    }
    for system in ["HubSpot (sandbox)", "Marketing platform (sandbox)"] {
        Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["system", "remove", system, "--workspace"])
            .arg(&workspace)
            .env("STEWARD_KEYCHAIN_SERVICE", &service)
            .env("USER", "ci-owner")
            .output()
            .unwrap();
    }
}
