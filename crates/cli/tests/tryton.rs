//! A real CRM nobody here wrote: Tryton (trytond + party + sale_opportunity, from PyPI, on
//! SQLite) started on loopback by scripts/tryton/serve.py, which creates parties and
//! opportunities through Tryton's own REST API. Steward then reads them through the
//! declarative REST connector, configured only by the TOML below.
//!
//! Runs when `STEWARD_TEST_TRYTON=1` (the test scripts set it; it needs Python 3.11 and the
//! package registry for the first install). Credentials go through the real OS keychain.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rusqlite::Connection;
use steward_app::sync::{SyncChoice, sync_system};
use steward_app::systems::AddSystemRequest;
use steward_app::{Clock, Secret, Steward};
use steward_domain::{Population, Role, SystemKind};
use tokio_util::sync::CancellationToken;

/// Parties are organisations (companies); opportunities in state `lead` are the leads.
/// Pages of 10 so that 30 parties take several requests.
const TRYTON_CONFIG: &str = r#"
rate_limit = 20
rate_window_seconds = 1

[auth]
header = "Authorization"
scheme = "Bearer"

[[objects]]
object = "company"
path = "model/party.party"
# f = the fields to return; o = order by id (base64 of [["id","ASC"]]), needed to page.
query = [
  ["f", "name"], ["f", "code"], ["f", "create_date"], ["f", "last_modified_at"],
  ["f", "contact_mechanisms.type"], ["f", "contact_mechanisms.value"], ["f", "addresses.city"],
  ["o", "W1siaWQiLCJBU0MiXV0="],
]
id = "/id"
created_at = "/create_date"
updated_at = "/last_modified_at"
[objects.fields]
name = "/name"
code = "/code"
email = "/contact_mechanisms/0/value"
phone = "/contact_mechanisms/1/value"
city = "/addresses/0/city"
[objects.paging]
style = "offset"
limit_param = "s"
offset_param = "p"
page_size = 10

[[objects]]
object = "person"
path = "model/sale.opportunity"
query = [
  ["f", "number"], ["f", "state"], ["f", "party.name"], ["f", "amount"],
  ["f", "create_date"], ["f", "last_modified_at"], ["o", "W1siaWQiLCJBU0MiXV0="],
]
id = "/id"
created_at = "/create_date"
updated_at = "/last_modified_at"
[objects.fields]
number = "/number"
state = "/state"
party = "/party/name"
amount = "/amount"
[objects.paging]
style = "offset"
limit_param = "s"
offset_param = "p"
page_size = 10
"#;

struct Tryton {
    child: Child,
    line: serde_json::Value,
}

impl Drop for Tryton {
    fn drop(&mut self) {
        // Closing its stdin stops serve.py, which stops trytond and removes its files.
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
    }
}

fn start_tryton(dir: &Path, parties: u32) -> Tryton {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/tryton/serve.py");
    let mut child = Command::new("python3")
        .arg(script)
        .args(["--dir", &dir.join("tryton").display().to_string()])
        .args(["--port", "0", "--parties", &parties.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 must be installed to run the Tryton test");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let line = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("serve.py did not print its JSON line ({e}): {line:?}"));
    Tryton { child, line }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tryton_parties_and_leads_sync_through_the_declarative_rest_connector() {
    if std::env::var_os("STEWARD_TEST_TRYTON").is_none() {
        eprintln!("skipped: set STEWARD_TEST_TRYTON=1 (the test scripts do) to run Tryton");
        return;
    }
    let Some(keychain) = support::keychain("steward-tryton-test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tryton = start_tryton(dir.path(), 30);
    let base_url = tryton.line["base_url"].as_str().unwrap().to_owned();
    let token = tryton.line["token"].as_str().unwrap().to_owned();
    let parties = tryton.line["parties"].as_i64().unwrap();
    let opportunities = tryton.line["opportunities"].as_i64().unwrap();
    assert!(base_url.starts_with("http://127.0.0.1:"), "loopback only");

    let config = dir.path().join("tryton.toml");
    std::fs::write(&config, TRYTON_CONFIG).unwrap();
    let mut app = Steward::init(
        &dir.path().join("ws.steward"),
        keychain,
        "ops@test".into(),
        Clock::System,
    )
    .unwrap();
    app.add_system(
        AddSystemRequest {
            name: "Tryton".into(),
            kind: Some(SystemKind::Rest),
            role: Some(Role::Hub),
            population: Some(Population::Manual),
            base_url: Some(base_url),
            config_path: Some(config.display().to_string()),
            ..AddSystemRequest::default()
        },
        Some(Secret::new(token).unwrap()),
    )
    .unwrap();
    let report = sync_system(
        &app.sync_env(),
        "Tryton",
        SyncChoice::Auto,
        CancellationToken::new(),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.status, "succeeded", "{:?}", report.error);
    assert_eq!(report.records_read, (parties + opportunities) as u64);
    // 30 parties in pages of 10 need 4 requests (the last one empty), plus the leads.
    assert!(report.api_calls >= 4 + 2, "{} calls", report.api_calls);

    let conn = Connection::open(dir.path().join("ws.steward")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM records WHERE object = 'company'"),
        parties
    );
    assert_eq!(
        count("SELECT count(*) FROM records WHERE object = 'person'"),
        opportunities
    );
    // Every party has its name, an email as its first contact mechanism, and times.
    assert_eq!(
        count(
            "SELECT count(*) FROM records r WHERE object = 'company'
               AND EXISTS (SELECT 1 FROM record_fields f WHERE f.record_id = r.id AND f.field = 'name')
               AND EXISTS (SELECT 1 FROM record_fields f WHERE f.record_id = r.id
                           AND f.field = 'email' AND f.value LIKE '%@%')
               AND created_at IS NOT NULL AND updated_at IS NOT NULL"
        ),
        parties
    );
    // Every fifth opportunity has no party; the rest name theirs.
    let with_party = count("SELECT count(*) FROM record_fields WHERE field = 'party'");
    assert!(with_party > 0 && with_party < opportunities, "{with_party}");
    let amounts = count(
        "SELECT count(*) FROM record_fields WHERE field = 'amount' AND value GLOB '*[0-9].[0-9][0-9]'",
    );
    assert!(amounts > 0, "Decimal amounts arrive as text");

    let inventory = app.inventory().unwrap();
    let tryton = &inventory.systems[0];
    assert_eq!(tryton.objects.len(), 2);
    let companies = tryton
        .objects
        .iter()
        .find(|o| o.object == "company")
        .unwrap();
    let name = companies.fields.iter().find(|f| f.name == "name").unwrap();
    assert!((name.fill_rate - 1.0).abs() < 1e-9);
}
