//! The declarative REST connector against a small API on loopback: offset paging that ends
//! on a short or empty page (or a 404 past the end), an API serving fewer records than
//! asked, incremental reads through a "changed since" parameter, the auth header, and an API
//! that ignores the paging parameters.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use steward_connectors::{
    Connector, ConnectorError, Context, Page, PageSink, ReadRequest, Secret, Settings,
};
use steward_domain::{Connection, ObjectType, SystemKind, Timestamp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Five people; 4 and 5 changed after 2026-01-01.
fn people() -> Vec<Value> {
    (1..=5)
        .map(|id| {
            let updated = if id >= 4 {
                "2026-02-01T00:00:00Z"
            } else {
                "2025-06-01T00:00:00Z"
            };
            json!({"id": id, "name": format!("Person {id}"),
                   "contact": {"email": format!("p{id}@x.test")}, "updated": updated})
        })
        .collect()
}

/// How the test API pages.
#[derive(Clone, Copy, Default)]
struct Behaviour {
    /// Always serve the first page, whatever the parameters say.
    ignore_paging: bool,
    /// Serve at most this many records a page, whatever was asked.
    cap: Option<usize>,
    /// Answer 404 for a page past the last one (as Django REST framework does).
    not_found_past_end: bool,
}

type Log = Arc<Mutex<Vec<String>>>;

/// Serves `GET /api/people?limit=&offset=[&changed_since=]`; logs every request line with
/// its X-Api-Key header.
async fn api(behaviour: Behaviour) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/", listener.local_addr().unwrap());
    let seen = Log::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0_u8; 8192];
            let n = socket.read(&mut buf).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let line = request.lines().next().unwrap_or_default().to_owned();
            let key = request
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("x-api-key:"))
                .unwrap_or_default()
                .to_owned();
            log.lock().unwrap().push(format!("{line} | {key}"));
            let query: Vec<(String, String)> = line
                .split_whitespace()
                .nth(1)
                .and_then(|t| t.split_once('?'))
                .map(|(_, q)| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .collect()
                })
                .unwrap_or_default();
            let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let mut rows = people();
            if let Some(since) = get("changed_since") {
                rows.retain(|p| p["updated"].as_str().unwrap() >= since.as_str());
            }
            let asked: usize = get("limit").and_then(|l| l.parse().ok()).unwrap_or(100);
            let limit = behaviour.cap.map_or(asked, |cap| asked.min(cap));
            let offset: usize = if behaviour.ignore_paging {
                0
            } else {
                get("offset").and_then(|o| o.parse().ok()).unwrap_or(0)
            };
            let (status, body) = if behaviour.not_found_past_end && offset >= rows.len() {
                (
                    "404 Not Found",
                    json!({"detail": "Invalid page."}).to_string(),
                )
            } else {
                let page: Vec<Value> = rows.into_iter().skip(offset).take(limit).collect();
                ("200 OK", json!({ "data": page }).to_string())
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (base, seen)
}

const CONFIG: &str = r#"
rate_limit = 100
[auth]
header = "X-Api-Key"
[[objects]]
object = "person"
path = "people"
record_path = "/data"
id = "/id"
updated_at = "/updated"
fields = { name = "/name", email = "/contact/email" }
paging = { style = "offset", limit_param = "limit", offset_param = "offset", page_size = 2 }
incremental = { param = "changed_since", format = "rfc3339" }
"#;

#[derive(Default)]
struct Collect(Vec<Page>);

impl PageSink for Collect {
    fn accept(&mut self, _object: ObjectType, page: Page) -> Result<(), String> {
        self.0.push(page);
        Ok(())
    }
}

async fn connector(base: &str, config: &str) -> Box<dyn Connector> {
    let settings = Settings::from_toml(SystemKind::Rest, config).unwrap();
    let ctx = Context {
        system_id: 1,
        system_name: "People API".into(),
        cancel: CancellationToken::new(),
    };
    let connection = Connection {
        base_url: Some(base.to_owned()),
        path: None,
    };
    let key = Secret::new("KEY-123").unwrap();
    steward_connectors::connect(ctx, &connection, settings, Some(key))
        .await
        .unwrap()
}

async fn read(connector: &dyn Connector, request: &ReadRequest) -> Collect {
    let mut sink = Collect::default();
    connector
        .read(ObjectType::Person, request, &mut sink)
        .await
        .unwrap();
    sink
}

fn ids(sink: &Collect) -> Vec<String> {
    sink.0
        .iter()
        .flat_map(|p| &p.records)
        .map(|r| r.key.external_id.clone())
        .collect()
}

#[tokio::test]
async fn offset_pages_run_until_a_short_page_with_the_auth_header() {
    let (base, seen) = api(Behaviour::default()).await;
    let connector = connector(&base, CONFIG).await;
    assert!(connector.incremental());
    let sink = read(connector.as_ref(), &ReadRequest::default()).await;
    assert_eq!(ids(&sink), ["1", "2", "3", "4", "5"]);
    let first = &sink.0[0].records[0];
    assert_eq!(first.fields["email"].value, "p1@x.test");
    assert_eq!(
        first.updated_at,
        Some(Timestamp::parse_rfc3339("2025-06-01T00:00:00Z").unwrap())
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "pages of 2, 2 and 1: {seen:?}");
    assert!(
        seen.iter().all(|l| l.ends_with("x-api-key: KEY-123")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn an_api_that_serves_fewer_than_asked_is_still_read_to_the_end() {
    let (base, seen) = api(Behaviour {
        cap: Some(2),
        ..Behaviour::default()
    })
    .await;
    let config = CONFIG.replace("page_size = 2", "page_size = 50");
    let connector = connector(&base, &config).await;
    let sink = read(connector.as_ref(), &ReadRequest::default()).await;
    assert_eq!(ids(&sink), ["1", "2", "3", "4", "5"]);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_404_past_the_last_page_ends_the_read() {
    let (base, seen) = api(Behaviour {
        not_found_past_end: true,
        ..Behaviour::default()
    })
    .await;
    // Pages of one: the sixth request asks past the end and gets a 404.
    let config = CONFIG.replace("page_size = 2", "page_size = 1");
    let connector = connector(&base, &config).await;
    let sink = read(connector.as_ref(), &ReadRequest::default()).await;
    assert_eq!(ids(&sink).len(), 5);
    assert_eq!(seen.lock().unwrap().len(), 6);
}

#[tokio::test]
async fn an_incremental_read_sends_the_mark_and_gets_only_the_changes() {
    let (base, seen) = api(Behaviour::default()).await;
    let connector = connector(&base, CONFIG).await;
    let request = ReadRequest {
        since: Some(Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()),
        ..ReadRequest::default()
    };
    let sink = read(connector.as_ref(), &request).await;
    assert_eq!(ids(&sink), ["4", "5"]);
    assert!(seen.lock().unwrap()[0].contains("changed_since=2026-01-01T00%3A00%3A00.000Z"));
}

#[tokio::test]
async fn an_api_that_ignores_the_paging_parameters_is_stopped_with_the_reason() {
    let (base, _) = api(Behaviour {
        ignore_paging: true,
        ..Behaviour::default()
    })
    .await;
    let connector = connector(&base, CONFIG).await;
    let err = connector
        .read(
            ObjectType::Person,
            &ReadRequest::default(),
            &mut Collect::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Protocol { .. }), "{err}");
    assert!(err.to_string().contains("paging parameter names"), "{err}");
}
