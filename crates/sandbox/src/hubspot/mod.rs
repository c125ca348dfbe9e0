//! A HubSpot-compatible CRM (CRM v3 objects API) on loopback, answering with the paths,
//! parameters, status codes, bodies and headers HubSpot's public reference documents.

// The Err of these Results is the finished HTTP refusal; boxing it would only add an
// allocation on the refusal path.
#![allow(clippy::result_large_err)]

mod handlers;
pub mod objects;
pub mod properties;
pub mod rate_limit;
pub mod search;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::seed::SeedObject;
use crate::stats::Stats;
use objects::{CrmObject, ObjectSet, ObjectType, Version};
use rate_limit::{SEARCH_MAX, SEARCH_WINDOW, Tier, Verdict, WINDOW, Window};

/// The records of both types.
#[derive(Debug, Default)]
pub struct Crm {
    pub contacts: ObjectSet,
    pub companies: ObjectSet,
}

impl Crm {
    pub fn set(&self, object: ObjectType) -> &ObjectSet {
        match object {
            ObjectType::Contacts => &self.contacts,
            ObjectType::Companies => &self.companies,
        }
    }

    pub fn set_mut(&mut self, object: ObjectType) -> &mut ObjectSet {
        match object {
            ObjectType::Contacts => &mut self.contacts,
            ObjectType::Companies => &mut self.companies,
        }
    }

    /// Loads a generated world: every seeded property as one version, written at creation.
    /// Takes the seeded records by value: at a million contacts, holding them twice would
    /// double the sandbox's peak memory.
    pub fn from_seed(companies: Vec<SeedObject>, contacts: Vec<SeedObject>) -> Self {
        let mut crm = Self::default();
        let links: Vec<(u64, u64)> = contacts
            .iter()
            .filter_map(|c| c.company_id.map(|company| (c.id, company)))
            .collect();
        for (object, seeded) in [
            (ObjectType::Companies, companies),
            (ObjectType::Contacts, contacts),
        ] {
            let set = crm.set_mut(object);
            for s in seeded {
                let created_at = s.created_at;
                let mut properties: std::collections::BTreeMap<String, Vec<Version>> = s
                    .properties
                    .into_iter()
                    .map(|(k, value)| {
                        (
                            k,
                            vec![Version {
                                value,
                                timestamp: created_at,
                                source: "IMPORT",
                            }],
                        )
                    })
                    .collect();
                // Later changes, after the import: what drift is made of.
                for (name, value, timestamp, source) in s.history {
                    properties.entry(name).or_default().push(Version {
                        value,
                        timestamp,
                        source,
                    });
                }
                set.records.insert(
                    s.id,
                    CrmObject {
                        id: s.id,
                        properties,
                        created_at: s.created_at,
                        updated_at: s.updated_at,
                        archived_at: s.archived_at,
                        merged_into: None,
                        merged_ids: Vec::new(),
                        associations: s.company_id.into_iter().collect(),
                    },
                );
                set.next_id = set.next_id.max(s.id + 1);
            }
        }
        for (contact, company) in links {
            if let Some(record) = crm.companies.records.get_mut(&company) {
                record.associations.insert(contact);
            }
        }
        crm
    }
}

/// The server's state: the records, the one valid token, the limits and what was seen.
pub struct CrmServer {
    pub crm: RwLock<Crm>,
    token: String,
    window: Mutex<Window>,
    search_window: Mutex<Window>,
    pub stats: Stats,
    correlation: AtomicU64,
}

/// A request that passed authentication and the rate limit; carries the headers to send.
pub struct Admitted {
    headers: HeaderMap,
}

impl Admitted {
    pub fn respond(self, status: StatusCode, body: Option<Value>) -> Response {
        let mut response = match body {
            Some(body) => (status, axum::Json(body)).into_response(),
            None => status.into_response(),
        };
        response.headers_mut().extend(self.headers);
        response
    }
}

/// Which limit a request counts against.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    TenSecondly,
    /// Search: exempt from the ten-second window, limited per second instead.
    Search,
}

impl CrmServer {
    pub fn new(crm: Crm, token: String, tier: Tier) -> Arc<Self> {
        Arc::new(Self {
            crm: RwLock::new(crm),
            token,
            window: Mutex::new(Window::new(WINDOW, tier.per_ten_seconds())),
            search_window: Mutex::new(Window::new(SEARCH_WINDOW, SEARCH_MAX)),
            stats: Stats::default(),
            correlation: AtomicU64::new(1),
        })
    }

    pub fn correlation_id(&self) -> String {
        let n = self.correlation.fetch_add(1, Ordering::Relaxed);
        format!("5a7b0c1d-0000-4000-8000-{n:012x}")
    }

    /// HubSpot's error body: `{status, message, correlationId, category, context?}`.
    pub fn error(
        &self,
        status: StatusCode,
        category: &str,
        message: &str,
        context: Option<Value>,
    ) -> Response {
        let mut body = json!({
            "status": "error",
            "message": message,
            "correlationId": self.correlation_id(),
            "category": category,
        });
        if let Some(context) = context {
            body["context"] = context;
        }
        (status, axum::Json(body)).into_response()
    }

    /// Authenticates and rate-limits one request, counting it under `endpoint`.
    pub fn admit(
        &self,
        headers: &HeaderMap,
        endpoint: &str,
        limit: Limit,
    ) -> Result<Admitted, Response> {
        self.stats.request(endpoint);
        let presented = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(self.token.as_str()) {
            self.stats.update(|s| s.unauthorized += 1);
            return Err(self.error(
                StatusCode::UNAUTHORIZED,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                None,
            ));
        }
        let now = Instant::now();
        let (window, policy, message) = match limit {
            Limit::TenSecondly => (
                &self.window,
                "TEN_SECONDLY_ROLLING",
                "You have reached your ten_secondly_rolling limit.",
            ),
            Limit::Search => (
                &self.search_window,
                "SECONDLY",
                "You have reached your secondly limit.",
            ),
        };
        let (verdict, max) = {
            let mut window = window
                .lock()
                .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
            (window.admit(now), window.max())
        };
        let mut out = HeaderMap::new();
        let remaining = match verdict {
            Verdict::Admitted { remaining } => remaining,
            Verdict::Refused { retry_after } => {
                self.stats.update(|s| s.rate_limited += 1);
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({
                        "status": "error",
                        "message": message,
                        "errorType": "RATE_LIMIT",
                        "correlationId": self.correlation_id(),
                        "policyName": policy,
                    })),
                )
                    .into_response();
                let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from(seconds.max(1)));
                if limit == Limit::TenSecondly {
                    insert_rate_headers(response.headers_mut(), max, 0);
                }
                return Err(response);
            }
        };
        if limit == Limit::TenSecondly {
            insert_rate_headers(&mut out, max, remaining);
        }
        Ok(Admitted { headers: out })
    }
}

fn insert_rate_headers(headers: &mut HeaderMap, max: usize, remaining: usize) {
    headers.insert("x-hubspot-ratelimit-max", HeaderValue::from(max));
    headers.insert(
        "x-hubspot-ratelimit-remaining",
        HeaderValue::from(remaining),
    );
    headers.insert(
        "x-hubspot-ratelimit-interval-milliseconds",
        HeaderValue::from(u64::try_from(WINDOW.as_millis()).unwrap_or(10_000)),
    );
}

/// The CRM's routes.
pub fn router(server: Arc<CrmServer>) -> Router {
    Router::new()
        .route("/crm/v3/objects/{object_type}", get(handlers::list))
        .route("/crm/v3/objects/{object_type}/{id}", get(handlers::get_one))
        .route(
            "/crm/v3/objects/{object_type}/batch/{action}",
            post(handlers::batch),
        )
        .route(
            "/crm/v3/objects/{object_type}/search",
            post(handlers::search),
        )
        .route("/crm/v3/objects/{object_type}/merge", post(handlers::merge))
        .route(
            "/crm/v3/objects/{object_type}/gdpr-delete",
            post(handlers::gdpr_delete),
        )
        .route(
            "/crm/v3/properties/{object_type}",
            get(handlers::properties),
        )
        .route(
            "/crm/v4/associations/{from}/{to}/batch/read",
            post(handlers::associations_read),
        )
        .route("/_sandbox/stats", get(handlers::stats))
        .with_state(server)
}
