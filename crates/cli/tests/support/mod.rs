//! What the CLI's integration tests share.

// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use rusqlite::Connection;
use serde_json::Value;
use steward_app::Keychain;

/// The OS keychain under a service name of this test's own, or `None` (the test is skipped
/// with a note) where there is none, unless `STEWARD_REQUIRE_KEYCHAIN` says there must be.
pub fn keychain(prefix: &str) -> Option<Keychain> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let keychain = Keychain::with_service(format!("{prefix}-{}-{nanos}", std::process::id()));
    match keychain.load("probe") {
        Ok(_) => Some(keychain),
        Err(e) if std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none() => {
            eprintln!("skipped: no OS keychain here ({e}); the test scripts provide one");
            None
        }
        Err(e) => panic!("the OS keychain is required here: {e}"),
    }
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every cached record of every system with its fields, associations and links, without
/// the bookkeeping (fetch times, run ids) that legitimately differs between two syncs.
pub fn snapshot(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare(
            "SELECT s.name, r.object, r.external_id, r.created_at, r.updated_at, r.archived,
                    (SELECT group_concat(field || '=' || value || '@' || ifnull(modified_at, ''), '|')
                       FROM (SELECT * FROM record_fields WHERE record_id = r.id ORDER BY field)),
                    (SELECT group_concat(object || ':' || external_id, ',')
                       FROM (SELECT * FROM record_associations WHERE record_id = r.id
                             ORDER BY object, external_id))
             FROM records r JOIN systems s ON s.id = r.system_id
             ORDER BY s.name, r.object, r.external_id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let cells: Vec<String> = (0..8)
            .map(|i| {
                row.get::<_, Option<String>>(i)
                    .or_else(|_| {
                        row.get::<_, Option<i64>>(i)
                            .map(|n| n.map(|n| n.to_string()))
                    })
                    .unwrap()
                    .unwrap_or_default()
            })
            .collect();
        out.push(cells.join("\t"));
    }
    out.push(format!(
        "links={}",
        count(&conn, "SELECT count(*) FROM record_links")
    ));
    out
}

/// What a `steward` run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as the one JSON document `--json` promises.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// Runs the `steward` binary on `workspace`, its secrets under the keychain `service`, as
/// the user `ci-owner`.
pub fn steward(workspace: &Path, service: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("--workspace")
        .arg(workspace)
        .args(args)
        .env("STEWARD_KEYCHAIN_SERVICE", service)
        .env("USER", "ci-owner")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `steward demo --no-ui --port 0 ARGS --workspace W` until it prints its ready line,
/// then stops it. Returns that line (empty if it never came) and what it wrote to stderr.
pub fn demo_until_ready(workspace: &Path, service: &str, args: &[&str]) -> (String, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["demo", "--no-ui", "--port", "0", "--skip-probe-run"])
        .args(args)
        .arg("--workspace")
        .arg(workspace)
        .env("STEWARD_KEYCHAIN_SERVICE", service)
        .env("USER", "ci-owner")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    (line, String::from_utf8_lossy(&output.stderr).into_owned())
}

/// `steward demo --no-ui --port 0 ARGS --workspace W`, kept serving until dropped: tests that
/// sync again or change a sandbox system while it runs.
pub struct Demo {
    child: std::process::Child,
    /// The ready line (each system's URL and token).
    pub line: Value,
}

impl Demo {
    /// `None` when no keychain is available here (and none is required).
    pub fn start(workspace: &Path, service: &str, args: &[&str]) -> Option<Demo> {
        use std::io::{BufRead, BufReader, Read};
        use std::process::Stdio;
        let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["demo", "--no-ui", "--port", "0", "--skip-probe-run"])
            .args(args)
            .arg("--workspace")
            .arg(workspace)
            .env("STEWARD_KEYCHAIN_SERVICE", service)
            .env("USER", "ci-owner")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        if line.trim().is_empty() {
            let _ = child.kill();
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr);
            }
            let _ = child.wait();
            if stderr.contains("keychain") && std::env::var_os("STEWARD_REQUIRE_KEYCHAIN").is_none()
            {
                eprintln!("skipped: no OS keychain here; the test scripts provide one");
                return None;
            }
            panic!("the demo did not start: {stderr}");
        }
        Some(Demo {
            child,
            line: serde_json::from_str(&line).unwrap(),
        })
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
