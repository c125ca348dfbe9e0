//! `steward sandbox serve` as scripts use it: one JSON line when ready, a manifest on disk
//! that is the same bytes for the same seed, and servers that answer until stopped.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

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
    assert_eq!(served.line["counts"]["crm_contacts"], 500);

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
    let [a, b, c] = paths.map(|p| std::fs::read(p).unwrap());
    assert_eq!(a, b);
    assert_ne!(a, c);
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
