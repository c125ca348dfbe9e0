//! The spokes on the wire and on disk, and the manifest re-derived from what they serve: each
//! planted defect must be visible exactly where the manifest says it is.
//! MAP expectations follow Marketo's REST documentation (Adobe Experience League, Marketo
//! developer docs: "Authentication", "Leads", "Paging Tokens", and "Error Codes" at
//! experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes, which gives
//! the envelope `{requestId, success: false, errors: [{code, message}]}` with HTTP 200, record
//! results with `status` and `reasons`, 401 from the identity endpoint for bad client
//! credentials, 600 "Empty access token" and 601 "Access token invalid").

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::{Value, json};
use steward_sandbox::bridge::BridgeConfig;
use steward_sandbox::files::{EVENTS_HEADER, SDR_HEADER};
use steward_sandbox::seed::spokes::SpokeRef;
use steward_sandbox::server::{Config, Running, start};

struct Sandbox {
    running: Running,
    client: reqwest::Client,
    map_token: String,
    _dir: tempfile::TempDir,
}

async fn sandbox(size: usize, lag: Duration) -> Sandbox {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        bridge: BridgeConfig {
            lag,
            tick: Duration::from_millis(50),
        },
        ..Config::with_defaults(42, size, dir.path().to_owned())
    };
    let running = start(&config).await.unwrap();
    let client = reqwest::Client::new();
    let map = &running.endpoints.map;
    let token: Value = client
        .get(format!(
            "{}/identity/oauth/token?grant_type=client_credentials&client_id={}&client_secret={}",
            map.base_url, map.client_id, map.client_secret
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let map_token = token["access_token"].as_str().unwrap().to_owned();
    Sandbox {
        running,
        client,
        map_token,
        _dir: dir,
    }
}

impl Sandbox {
    async fn crm_get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.running.endpoints.crm.base_url))
            .bearer_auth(&self.running.endpoints.crm.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn crm_post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}{path}", self.running.endpoints.crm.base_url))
            .bearer_auth(&self.running.endpoints.crm.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn map_get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.running.endpoints.map.base_url))
            .bearer_auth(&self.map_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn map_post(&self, path: &str, body: Value) -> Value {
        self.client
            .post(format!("{}{path}", self.running.endpoints.map.base_url))
            .bearer_auth(&self.map_token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn lead(&self, id: &str) -> Value {
        let body = self.map_get(&format!("/rest/v1/leads.json?filterType=id&filterValues={id}&fields=email,firstName,title,phone,leadStatus,crmContactId,updatedAt")).await;
        body["result"][0].clone()
    }

    async fn history(&self, contact: &str, property: &str) -> Vec<Value> {
        let (_, body) = self
            .crm_get(&format!(
                "/crm/v3/objects/contacts/{contact}?propertiesWithHistory={property}"
            ))
            .await;
        body["propertiesWithHistory"][property]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

fn ms(iso: &str) -> i64 {
    let at =
        time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339).unwrap();
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap()
}

/// "Authentication": client credentials for a token; "Error Codes": 600/601 for a missing or
/// bad token, 1006 for an unknown field, 606 past 100 calls in 20 seconds.
#[tokio::test]
async fn the_map_speaks_marketo() {
    let s = sandbox(300, Duration::from_secs(3600)).await;
    let map = &s.running.endpoints.map;
    let bad = s
        .client
        .get(format!(
            "{}/identity/oauth/token?grant_type=client_credentials&client_id=x&client_secret=y",
            map.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let no_token: Value = s
        .client
        .get(format!(
            "{}/rest/v1/leads.json?filterType=id&filterValues=1",
            map.base_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            no_token["success"].as_bool(),
            no_token["errors"][0]["code"].as_str(),
            no_token["errors"][0]["message"].as_str()
        ),
        (Some(false), Some("600"), Some("Empty access token"))
    );

    let lead = s.lead("900001").await;
    assert_eq!(lead["id"], 900_001);
    let by_email = s
        .map_get(&format!(
            "/rest/v1/leads.json?filterType=email&filterValues={}",
            lead["email"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_email["result"][0]["id"], 900_001);

    let created = s
        .map_post(
            "/rest/v1/leads.json",
            json!({"action": "createOrUpdate", "lookupField": "email", "input": [
                {"email": "webinar.lead@example.test", "firstName": "Wen", "lastName": "Bina"},
                {"email": lead["email"], "title": "CFO"},
                {"email": "x@example.test", "favouriteColour": "blue"},
            ]}),
        )
        .await;
    let statuses: Vec<&str> = created["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["created", "updated", "skipped"]);
    assert_eq!(created["result"][2]["reasons"][0]["code"], "1006");
    let new_id = created["result"][0]["id"].as_u64().unwrap();
    let deleted = s
        .map_post(
            "/rest/v1/leads/delete.json",
            json!({"input": [{"id": new_id}, {"id": 1}]}),
        )
        .await;
    assert_eq!(deleted["result"][0]["status"], "deleted");
    assert_eq!(deleted["result"][1]["reasons"][0]["code"], "1004");

    // Paging tokens: every lead exactly once, oldest change first.
    let token = s
        .map_get("/rest/v1/activities/pagingtoken.json?sinceDatetime=2000-01-01T00:00:00Z")
        .await;
    let mut next = token["nextPageToken"].as_str().unwrap().to_owned();
    let mut seen = BTreeSet::new();
    let mut last_update = String::new();
    loop {
        let page = s
            .map_get(&format!(
                "/rest/v1/leads.json?nextPageToken={next}&batchSize=100"
            ))
            .await;
        for lead in page["result"].as_array().unwrap() {
            assert!(seen.insert(lead["id"].as_u64().unwrap()));
            let updated = lead["updatedAt"].as_str().unwrap().to_owned();
            assert!(updated >= last_update, "ordered by update time");
            last_update = updated;
        }
        next = page["nextPageToken"].as_str().unwrap().to_owned();
        if page["moreResult"] != true {
            break;
        }
    }
    assert_eq!(
        seen.len(),
        s.running.manifest.counts.map_leads,
        "the deleted lead was seeded? no: it is gone, and the seeded ones all came"
    );

    let mut limited = None;
    for _ in 0..110 {
        let body = s
            .map_get("/rest/v1/leads.json?filterType=id&filterValues=900001")
            .await;
        if body["success"] == false {
            limited = Some(body);
            break;
        }
    }
    let limited = limited.expect("the 20-second window refuses at some point");
    assert_eq!(limited["errors"][0]["code"], "606");
}

/// The bridge carries CRM statuses to the MAP after its lag, loses the ones the MAP has no
/// word for, brings new MAP leads into the CRM, and overwrites the CRM's job title.
#[tokio::test]
async fn the_bridge_copies_late_loses_some_statuses_and_overwrites_the_title() {
    let s = sandbox(300, Duration::from_millis(300)).await;
    let linked = s.lead("900001").await;
    let contact = linked["crmContactId"].as_str().unwrap().to_owned();

    let (status, _) = s
        .crm_post(
            "/crm/v3/objects/contacts/batch/update",
            json!({"inputs": [{"id": contact, "properties": {"hs_lead_status": "CONNECTED"}}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_ne!(
        s.lead("900001").await["leadStatus"],
        "Engaged",
        "not before the lag"
    );
    let mut arrived = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if s.lead("900001").await["leadStatus"] == "Engaged" {
            arrived = true;
            break;
        }
    }
    assert!(arrived, "the status reached the MAP");

    s.crm_post(
        "/crm/v3/objects/contacts/batch/update",
        json!({"inputs": [{"id": contact, "properties": {"hs_lead_status": "UNQUALIFIED"}}]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(
        s.lead("900001").await["leadStatus"],
        "Engaged",
        "UNQUALIFIED never arrives"
    );
    assert!(s.running.map.stats.snapshot().bridge_dropped >= 1);

    let created = s.map_post("/rest/v1/leads.json", json!({"action": "createOnly", "input": [{"email": "probe.lead@example.test", "firstName": "Probe", "lastName": "Lead", "title": "Tester"}]})).await;
    assert_eq!(created["result"][0]["status"], "created");
    s.map_post("/rest/v1/leads.json", json!({"action": "updateOnly", "lookupField": "email", "input": [{"email": linked["email"], "title": "Chief Everything Officer"}]})).await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let (_, found) = s.crm_post("/crm/v3/objects/contacts/search", json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "probe.lead@example.test"}]}]})).await;
    assert_eq!(found["total"], 1, "a new MAP lead reached the CRM");
    let titles = s.history(&contact, "jobtitle").await;
    assert_eq!(titles[0]["value"], "Chief Everything Officer");
    assert_eq!(
        titles[0]["sourceType"], "INTEGRATION",
        "the MAP overwrote a CRM-owned field"
    );
}

/// Every MAP defect in the manifest, re-derived from what the CRM and the MAP serve.
#[tokio::test]
async fn map_defects_are_where_the_manifest_says() {
    let s = sandbox(1_500, Duration::from_secs(3600)).await;
    let d = &s.running.manifest.spokes;
    assert!(!d.stale.is_empty() && !d.divergent.is_empty() && !d.conflicting_writes.is_empty());
    for drift in d.stale.iter().take(10) {
        let lead = s.lead(&drift.spoke.id).await;
        assert_eq!(lead["title"], drift.spoke_value.as_str());
        let history = s.history(&drift.crm_contact_id, "jobtitle").await;
        assert_eq!(
            history[0]["value"],
            drift.hub_value.as_str(),
            "{history:?} {drift:?}"
        );
        assert!(
            ms(history[0]["timestamp"].as_str().unwrap()) > ms(lead["updatedAt"].as_str().unwrap()),
            "the hub changed after the spoke last did"
        );
    }
    for drift in d.divergent.iter().take(10) {
        let lead = s.lead(&drift.spoke.id).await;
        assert_eq!(lead["phone"], drift.spoke_value.as_str());
        let history = s.history(&drift.crm_contact_id, "phone").await;
        assert_eq!(history[0]["value"], drift.hub_value.as_str());
        assert_eq!(
            history.last().unwrap()["value"],
            drift.agreed_value.as_deref().unwrap(),
            "they agreed once"
        );
    }
    for write in d.conflicting_writes.iter().take(10) {
        let history = s.history(&write.crm_contact_id, "lifecyclestage").await;
        assert_eq!(
            (
                history[0]["value"].as_str(),
                history[0]["sourceType"].as_str()
            ),
            (Some(write.written_value.as_str()), Some("INTEGRATION"))
        );
        assert!(
            history
                .iter()
                .any(|v| v["value"] == write.authority_value.as_str())
        );
    }
    for missing in d.missing_in_hub.iter().filter(|m| m.system == "map") {
        let lead = s.lead(&missing.id).await;
        assert!(lead["crmContactId"].is_null());
        let (_, found) = s.crm_post("/crm/v3/objects/contacts/search", json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": lead["email"]}]}]})).await;
        assert_eq!(found["total"], 0, "{}", lead["email"]);
        tokio::time::sleep(Duration::from_millis(200)).await; // search allows 5 a second
    }
    for affected in d.write_back.affected.iter().take(10) {
        let lead = s.lead(&affected.id).await;
        let (_, contact) = s
            .crm_get(&format!(
                "/crm/v3/objects/contacts/{}?properties=hs_lead_status",
                lead["crmContactId"].as_str().unwrap()
            ))
            .await;
        let status = contact["properties"]["hs_lead_status"].as_str().unwrap();
        assert!(d.write_back.dropped_values.contains(&status), "{status}");
        assert_eq!(lead["leadStatus"], "Working", "the MAP never heard");
    }
    for erasure in &d.erasures_not_propagated {
        let (status, _) = s
            .crm_get(&format!(
                "/crm/v3/objects/contacts/{}?archived=true",
                erasure.crm_contact_id
            ))
            .await;
        assert_eq!(status, 404, "erased in the CRM");
        assert!(!erasure.still_in.is_empty());
        for copy in erasure.still_in.iter().filter(|c| c.system == "map") {
            assert_eq!(s.lead(&copy.id).await["email"], erasure.email.as_str());
        }
    }
}

fn refs<'a>(list: impl IntoIterator<Item = &'a SpokeRef>, system: &str) -> BTreeSet<String> {
    list.into_iter()
        .filter(|r| r.system == system)
        .map(|r| r.id.clone())
        .collect()
}

/// The events CSV: a BOM, the header, mixed date formats, and exactly the bad lines the
/// manifest lists; the SDR sheet: header on row 4, merged-looking company cells, and the
/// rows written after its deprecation; the portal: orphans, the count that does not tie out
/// and the erasures that never reached it.
#[tokio::test]
async fn file_and_portal_defects_are_where_the_manifest_says() {
    let s = sandbox(2_000, Duration::from_secs(3600)).await;
    let d = &s.running.manifest.spokes;
    let files = &s.running.endpoints.files;

    // Events CSV.
    let bytes = std::fs::read(&files.events_csv).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM");
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        EVENTS_HEADER
    );
    let mut bad = BTreeSet::new();
    let mut formats = BTreeSet::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let line = (i + 2).to_string();
        let date = record.get(7).unwrap_or("").trim();
        let shape = if date.contains('T') {
            "iso"
        } else if date.contains(' ') {
            "space"
        } else if date.contains('/') {
            "slash"
        } else if date.len() == 10 {
            "date"
        } else {
            "other"
        };
        let parses = date.chars().filter(char::is_ascii_digit).count() >= 8;
        let nameless = record.get(1).is_some_and(|f| f.trim().is_empty())
            && record.get(3).is_some_and(|e| e.trim().is_empty());
        if record.len() != EVENTS_HEADER.len() || !parses || nameless {
            bad.insert(line);
        } else {
            formats.insert(shape);
        }
    }
    assert_eq!(
        bad,
        refs(d.bad_rows.iter().map(|b| &b.spoke), "events_csv"),
        "the bad lines are exactly the manifest's"
    );
    assert!(formats.len() >= 3, "mixed date formats: {formats:?}");

    // SDR sheet.
    let mut workbook: Xlsx<_> = open_workbook(&files.sdr_xlsx).unwrap();
    let range = workbook.worksheet_range("Prospects").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[3].iter().map(ToString::to_string).collect();
    assert_eq!(header, SDR_HEADER, "the header is on row 4");
    assert!(
        rows[4..].iter().any(|r| r[0].to_string().is_empty()),
        "company cells left blank below a group's first row"
    );
    let since_days =
        (d.deprecated_still_written.deprecating_since as f64) / 86_400_000.0 + 25_569.0;
    let written_after: BTreeSet<String> = rows[4..]
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let serial = match &r[5] {
                Data::Float(f) => *f,
                Data::Int(i) => *i as f64,
                Data::DateTime(dt) => dt.as_f64(),
                _ => 0.0,
            };
            serial > since_days.floor()
        })
        .map(|(i, _)| (i + 5).to_string())
        .collect();
    let expected = refs(&d.deprecated_still_written.written_after, "sdr_xlsx");
    assert!(!expected.is_empty());
    assert!(
        expected.is_subset(&written_after),
        "rows touched after the deprecation date"
    );

    // Portal database.
    let db = rusqlite::Connection::open(&files.portal_sqlite).unwrap();
    let active: i64 = db
        .query_row(
            "SELECT count(*) FROM accounts WHERE status = 'active'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let active = usize::try_from(active).unwrap();
    let mismatch = &d.count_mismatch;
    assert_eq!(active, mismatch.spoke);
    let (_, hub) = s.crm_post("/crm/v3/objects/companies/search", json!({"filterGroups": [{"filters": [{"propertyName": "account_status", "operator": "EQ", "value": "active"}]}], "limit": 1})).await;
    assert_eq!(
        hub["total"].as_u64().unwrap() as usize,
        mismatch.hub,
        "the CRM's count, from the CRM"
    );
    assert_eq!(
        mismatch.spoke - mismatch.hub,
        mismatch.explained_by.len(),
        "the explaining records account for the whole difference"
    );
    for orphan in &d.orphans {
        let crm_id: i64 = db
            .query_row(
                "SELECT crm_company_id FROM accounts WHERE id = ?1",
                [orphan.spoke.id.parse::<i64>().unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(crm_id.to_string(), orphan.crm_company_id);
        let (status, _) = s
            .crm_get(&format!("/crm/v3/objects/companies/{crm_id}"))
            .await;
        assert_eq!(status, 404, "the hub record is gone");
        let (status, archived) = s
            .crm_get(&format!("/crm/v3/objects/companies/{crm_id}?archived=true"))
            .await;
        assert_eq!((status, archived["archived"].as_bool()), (200, Some(true)));
    }
    let mut portal_erasures = 0;
    for erasure in &d.erasures_not_propagated {
        for copy in erasure.still_in.iter().filter(|c| c.system == "portal") {
            let email: String = db
                .query_row(
                    "SELECT email FROM users WHERE id = ?1",
                    [copy.id.parse::<i64>().unwrap()],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(email.eq_ignore_ascii_case(&erasure.email));
            portal_erasures += 1;
        }
    }
    assert!(
        portal_erasures > 0,
        "some erased people are still in the portal"
    );

    // The same person across systems: every copy the manifest names exists there.
    let portal_users: BTreeSet<String> = {
        let mut stmt = db.prepare("SELECT id FROM users").unwrap();
        stmt.query_map([], |r| r.get::<_, i64>(0))
            .unwrap()
            .map(|id| id.unwrap().to_string())
            .collect()
    };
    let by_system: BTreeMap<&str, usize> = d
        .cross_system
        .iter()
        .flat_map(|c| c.copies.iter())
        .fold(BTreeMap::new(), |mut m, c| {
            *m.entry(c.system).or_default() += 1;
            m
        });
    assert!(
        ["map", "events_csv", "sdr_xlsx", "portal"]
            .iter()
            .all(|s| by_system.get(s).copied().unwrap_or(0) > 0),
        "{by_system:?}"
    );
    for copy in d
        .cross_system
        .iter()
        .flat_map(|c| c.copies.iter())
        .filter(|c| c.system == "portal")
    {
        assert!(portal_users.contains(&copy.id));
    }
}

/// The portal's SQL script (for PostgreSQL) holds the same rows as its SQLite file.
#[tokio::test]
async fn the_portal_sql_script_matches_the_sqlite_file() {
    let s = sandbox(300, Duration::from_secs(3600)).await;
    let files = &s.running.endpoints.files;
    let script = std::fs::read_to_string(&files.portal_postgres_sql).unwrap();
    let replayed = rusqlite::Connection::open_in_memory().unwrap();
    replayed.execute_batch(&script).unwrap();
    let file = rusqlite::Connection::open(&files.portal_sqlite).unwrap();
    for query in [
        "SELECT count(*), sum(id), count(crm_company_id), sum(status = 'active') FROM accounts",
        "SELECT count(*), sum(id), count(last_login_at), max(email) FROM users",
    ] {
        let row = |db: &rusqlite::Connection| -> Vec<String> {
            db.query_row(query, [], |r| {
                Ok((0..4)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                            .unwrap()
                    })
                    .collect())
            })
            .unwrap()
        };
        assert_eq!(row(&replayed), row(&file), "{query}");
    }
}

/// The portal's SQL script loads into a real PostgreSQL server with the same rows. The test
/// scripts start one on loopback and set `STEWARD_TEST_POSTGRES`; elsewhere this skips.
#[tokio::test]
async fn the_portal_sql_script_loads_into_postgresql() {
    let Some(url) = std::env::var("STEWARD_TEST_POSTGRES").ok() else {
        assert!(
            std::env::var_os("STEWARD_REQUIRE_POSTGRES").is_none(),
            "STEWARD_TEST_POSTGRES is required here"
        );
        eprintln!("skipped: no PostgreSQL server here; the test scripts provide one");
        return;
    };
    let s = sandbox(300, Duration::from_secs(3600)).await;
    let files = &s.running.endpoints.files;
    let psql = |database_url: &str, args: &[&str]| {
        let output = std::process::Command::new("psql")
            .arg(database_url)
            .args(["-v", "ON_ERROR_STOP=1", "-X", "-q", "-tA"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "psql {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    let database = format!("portal_{}", std::process::id());
    psql(
        &url,
        &["-c", &format!("DROP DATABASE IF EXISTS {database}")],
    );
    psql(&url, &["-c", &format!("CREATE DATABASE {database}")]);
    let portal_url = format!("{}/{database}", url.rsplit_once('/').unwrap().0);
    psql(
        &portal_url,
        &["-f", files.portal_postgres_sql.to_str().unwrap()],
    );
    let db = rusqlite::Connection::open(&files.portal_sqlite).unwrap();
    for (query, expected_query) in [
        (
            "SELECT count(*) FROM accounts WHERE status = 'active'",
            "SELECT count(*) FROM accounts WHERE status = 'active'",
        ),
        (
            "SELECT count(*) FROM users WHERE last_login_at IS NOT NULL",
            "SELECT count(*) FROM users WHERE last_login_at IS NOT NULL",
        ),
        (
            "SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id",
            "SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id",
        ),
    ] {
        let in_postgres = psql(&portal_url, &["-c", query]);
        let in_sqlite: i64 = db.query_row(expected_query, [], |r| r.get(0)).unwrap();
        assert_eq!(in_postgres, in_sqlite.to_string(), "{query}");
    }
    let max_login = psql(
        &portal_url,
        &[
            "-c",
            "SELECT extract(year FROM max(last_login_at))::int FROM users",
        ],
    );
    assert!(
        max_login.starts_with("202"),
        "timestamps are real timestamps in PostgreSQL: {max_login}"
    );
    psql(&url, &["-c", &format!("DROP DATABASE {database}")]);
}

/// Every lead the manifest calls missing from the hub is missing from it, in every spoke,
/// and every copy of a CRM person the manifest names carries that person's address. Checked
/// against the running CRM's state, all of it (through HTTP it would take minutes at
/// search's five requests a second).
#[tokio::test]
async fn missing_leads_and_cross_system_copies_hold_in_full() {
    let s = sandbox(2_000, Duration::from_secs(3600)).await;
    let d = &s.running.manifest.spokes;
    let files = &s.running.endpoints.files;
    let crm_emails: BTreeMap<String, u64> = {
        let crm = s.running.crm.crm.read().unwrap();
        crm.contacts
            .live()
            .filter_map(|c| Some((c.current("email")?.to_lowercase(), c.id)))
            .collect()
    };

    // Each spoke's address for a record, as the manifest names records.
    let text = std::fs::read_to_string(&files.events_csv).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let csv_emails: BTreeMap<String, String> = reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            (
                (i + 2).to_string(),
                r.unwrap().get(3).unwrap_or("").trim().to_lowercase(),
            )
        })
        .collect();
    let mut workbook: Xlsx<_> = open_workbook(&files.sdr_xlsx).unwrap();
    let range = workbook.worksheet_range("Prospects").unwrap();
    let sdr_emails: BTreeMap<String, String> = range
        .rows()
        .enumerate()
        .skip(4)
        .map(|(i, r)| ((i + 1).to_string(), r[2].to_string().to_lowercase()))
        .collect();
    let db = rusqlite::Connection::open(&files.portal_sqlite).unwrap();
    let portal_emails: BTreeMap<String, String> = {
        let mut stmt = db.prepare("SELECT id, email FROM users").unwrap();
        stmt.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?.to_string(), r.get::<_, String>(1)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let map_emails: BTreeMap<String, String> = {
        let leads = s.running.map.leads.read().unwrap();
        leads
            .records
            .values()
            .map(|l| (l.id.to_string(), l.email.to_lowercase()))
            .collect()
    };
    let email_of = |r: &SpokeRef| -> String {
        let table = match r.system {
            "events_csv" => &csv_emails,
            "sdr_xlsx" => &sdr_emails,
            "portal" => &portal_emails,
            "map" => &map_emails,
            other => panic!("unknown system {other}"),
        };
        table
            .get(&r.id)
            .cloned()
            .unwrap_or_else(|| panic!("{r:?} is not in its system"))
    };

    assert!(
        ["map", "events_csv", "sdr_xlsx"]
            .iter()
            .all(|sys| d.missing_in_hub.iter().any(|m| m.system == *sys))
    );
    for missing in &d.missing_in_hub {
        let email = email_of(missing);
        assert!(
            !email.is_empty() && !crm_emails.contains_key(&email),
            "{missing:?} ({email}) is in the CRM"
        );
    }
    // Every field drift and every lost status, in full, against both systems' state.
    {
        let crm = s.running.crm.crm.read().unwrap();
        let leads = s.running.map.leads.read().unwrap();
        let contact = |id: &str| {
            crm.contacts
                .records
                .get(&id.parse::<u64>().unwrap())
                .unwrap()
        };
        let lead = |id: &str| leads.records.get(&id.parse::<u64>().unwrap()).unwrap();
        for drift in d.stale.iter().chain(&d.divergent) {
            let hub = contact(&drift.crm_contact_id);
            assert_eq!(
                hub.current(drift.field),
                Some(drift.hub_value.as_str()),
                "{drift:?}"
            );
            let spoke = lead(&drift.spoke.id);
            let spoke_value = if drift.field == "phone" {
                spoke.phone.clone().unwrap_or_default()
            } else {
                spoke.job_title.clone()
            };
            assert_eq!(spoke_value, drift.spoke_value, "{drift:?}");
            assert_ne!(drift.hub_value, drift.spoke_value);
        }
        for write in &d.conflicting_writes {
            let versions = &contact(&write.crm_contact_id).properties[write.field];
            let last = versions.last().unwrap();
            assert_eq!(
                (last.value.as_str(), last.source),
                (write.written_value.as_str(), "INTEGRATION")
            );
            assert!(versions.iter().any(|v| v.value == write.authority_value));
        }
        for affected in &d.write_back.affected {
            let spoke = lead(&affected.id);
            let hub = contact(&spoke.crm_contact_id.unwrap().to_string());
            assert!(
                d.write_back
                    .dropped_values
                    .contains(&hub.current("hs_lead_status").unwrap())
            );
            assert_eq!(spoke.status, "Working");
        }
    }
    for person in &d.cross_system {
        let id: u64 = person.crm_contact_id.parse().unwrap();
        let crm_email = crm_emails
            .iter()
            .find(|(_, c)| **c == id)
            .map(|(e, _)| e.clone())
            .unwrap_or_else(|| panic!("contact {id} is not in the CRM"));
        for copy in &person.copies {
            assert_eq!(email_of(copy), crm_email, "{copy:?} of contact {id}");
        }
    }
}
