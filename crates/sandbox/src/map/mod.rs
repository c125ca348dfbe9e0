//! A marketing automation platform in Marketo's REST style: an OAuth client-credentials
//! token endpoint, leads read by id or email, listed incrementally with paging tokens,
//! created, updated and deleted in batches of up to 300, and errors reported Marketo's way
//! (HTTP 200 with `success: false` and numbered error codes).

// The Err of these Results is the finished HTTP refusal; boxing it would only add an
// allocation on the refusal path.
#![allow(clippy::result_large_err)]

mod handlers;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::clock::iso;
use crate::hubspot::rate_limit::{Verdict, Window};
use crate::seed::spokes::MapLead;
use crate::stats::Stats;

/// Marketo's documented limit: 100 calls per 20 seconds.
pub const WINDOW: Duration = Duration::from_secs(20);
pub const WINDOW_MAX: usize = 100;
pub const BATCH_MAX: usize = 300;

/// The leads, and a log of API writes the bridge follows.
#[derive(Debug, Default)]
pub struct Leads {
    pub records: BTreeMap<u64, MapLead>,
    pub next_id: u64,
    /// (when, lead id) of every write made through the API, in order.
    pub changes: Vec<(i64, u64)>,
}

impl Leads {
    pub fn from_seed(leads: Vec<MapLead>) -> Self {
        let records: BTreeMap<u64, MapLead> = leads.into_iter().map(|l| (l.id, l)).collect();
        let next_id = records.keys().next_back().map_or(1, |id| id + 1);
        Self {
            records,
            next_id,
            changes: Vec::new(),
        }
    }

    pub fn by_email(&self, email: &str) -> Option<&MapLead> {
        self.records
            .values()
            .find(|l| l.email.eq_ignore_ascii_case(email))
    }
}

/// A lead as the MAP's API shows it; `fields` narrows it (Marketo's `fields` parameter).
pub fn lead_json(lead: &MapLead, fields: &[String]) -> Value {
    let all = json!({
        "id": lead.id,
        "email": lead.email,
        "firstName": lead.first_name,
        "lastName": lead.last_name,
        "company": lead.company,
        "title": lead.job_title,
        "phone": lead.phone,
        "leadStatus": lead.status,
        "crmContactId": lead.crm_contact_id.map(|id| id.to_string()),
        "createdAt": iso(lead.created_at),
        "updatedAt": iso(lead.updated_at),
    });
    let wanted: Vec<&str> = if fields.is_empty() {
        vec![
            "id",
            "email",
            "firstName",
            "lastName",
            "updatedAt",
            "createdAt",
        ]
    } else {
        let mut f: Vec<&str> = fields.iter().map(String::as_str).collect();
        f.insert(0, "id");
        f
    };
    let mut out = serde_json::Map::new();
    for name in wanted {
        out.insert(
            name.to_owned(),
            all.get(name).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(out)
}

pub struct MapServer {
    pub leads: RwLock<Leads>,
    client_id: String,
    client_secret: String,
    tokens: Mutex<BTreeSet<String>>,
    window: Mutex<Window>,
    pub stats: Stats,
    request_ids: AtomicU64,
}

impl MapServer {
    pub fn new(leads: Leads, client_id: String, client_secret: String) -> Arc<Self> {
        Arc::new(Self {
            leads: RwLock::new(leads),
            client_id,
            client_secret,
            tokens: Mutex::new(BTreeSet::new()),
            window: Mutex::new(Window::new(WINDOW, WINDOW_MAX)),
            stats: Stats::default(),
            request_ids: AtomicU64::new(1),
        })
    }

    fn request_id(&self) -> String {
        format!(
            "{:x}#{:x}",
            self.request_ids.fetch_add(1, Ordering::Relaxed),
            0x5e_ed
        )
    }

    /// Marketo's failure shape: HTTP 200, `success: false`, coded errors.
    pub fn failure(&self, code: &str, message: &str) -> Response {
        axum::Json(json!({
            "requestId": self.request_id(),
            "success": false,
            "errors": [{"code": code, "message": message}],
        }))
        .into_response()
    }

    pub fn success(&self, result: Vec<Value>, extra: Option<Value>) -> Response {
        let mut body = json!({ "requestId": self.request_id(), "success": true, "result": result });
        if let Some(Value::Object(extra)) = extra {
            for (k, v) in extra {
                body[k] = v;
            }
        }
        axum::Json(body).into_response()
    }

    fn issue_token(&self) -> String {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed);
        let token = format!("map-{:016x}:{n}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(token.clone());
        }
        token
    }

    /// Checks the access token (header or `access_token` parameter) and the rate limit.
    pub fn admit(
        &self,
        headers: &HeaderMap,
        query_token: Option<&str>,
        endpoint: &str,
    ) -> Result<(), Response> {
        self.stats.request(endpoint);
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .or(query_token);
        let known = token.is_some_and(|t| {
            self.tokens
                .lock()
                .map(|set| set.contains(t))
                .unwrap_or(false)
        });
        if !known {
            self.stats.update(|s| s.unauthorized += 1);
            return Err(self.failure(
                if token.is_some() { "601" } else { "600" },
                if token.is_some() {
                    "Access token invalid"
                } else {
                    "Empty access token"
                },
            ));
        }
        let verdict = self.window.lock().map(|mut w| w.admit(Instant::now()));
        if let Ok(Verdict::Refused { .. }) = verdict {
            self.stats.update(|s| s.rate_limited += 1);
            return Err(self.failure(
                "606",
                &format!(
                    "Max rate limit '{WINDOW_MAX}' exceeded with in '{}' secs",
                    WINDOW.as_secs()
                ),
            ));
        }
        Ok(())
    }
}

pub fn router(server: Arc<MapServer>) -> Router {
    Router::new()
        .route(
            "/identity/oauth/token",
            get(handlers::token).post(handlers::token),
        )
        .route(
            "/rest/v1/leads.json",
            get(handlers::get_leads).post(handlers::write_leads),
        )
        .route("/rest/v1/leads/delete.json", post(handlers::delete_leads))
        .route("/rest/v1/leads/describe.json", get(handlers::describe))
        .route(
            "/rest/v1/activities/pagingtoken.json",
            get(handlers::paging_token),
        )
        .route("/_sandbox/stats", get(handlers::stats))
        .with_state(server)
}
