//! The MAP's endpoints (Marketo REST API style: developers.marketo.com, "Authentication",
//! "Leads", "Paging Tokens", "Error Codes").

#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{BATCH_MAX, MapServer, lead_json};
use crate::clock::{now_ms, parse_instant};
use crate::seed::spokes::MapLead;

type App = State<Arc<MapServer>>;

fn pairs(raw: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn list(pairs: &[(String, String)], key: &str) -> Vec<String> {
    param(pairs, key)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// GET|POST /identity/oauth/token?grant_type=client_credentials&client_id=…&client_secret=…
pub async fn token(State(app): App, RawQuery(raw): RawQuery) -> Response {
    app.stats.request("GET /identity/oauth/token");
    let q = pairs(raw);
    let ok = param(&q, "grant_type") == Some("client_credentials")
        && param(&q, "client_id") == Some(app.client_id.as_str())
        && param(&q, "client_secret") == Some(app.client_secret.as_str());
    if !ok {
        app.stats.update(|s| s.unauthorized += 1);
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                json!({"error": "unauthorized", "error_description": "Bad client credentials"}),
            ),
        )
            .into_response();
    }
    axum::Json(json!({"access_token": app.issue_token(), "token_type": "bearer", "expires_in": 3599, "scope": "steward@sandbox"})).into_response()
}

/// A paging token encodes where a listing resumes: (updatedAt, id) of the last lead sent.
fn encode_token(since: i64, after_id: u64) -> String {
    format!("{since:x}.{after_id:x}")
}

fn decode_token(token: &str) -> Option<(i64, u64)> {
    let (since, after) = token.split_once('.')?;
    Some((
        i64::from_str_radix(since, 16).ok()?,
        u64::from_str_radix(after, 16).ok()?,
    ))
}

/// GET /rest/v1/activities/pagingtoken.json?sinceDatetime=…
pub async fn paging_token(
    State(app): App,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let q = pairs(raw);
    if let Err(r) = app.admit(
        &headers,
        param(&q, "access_token"),
        "GET /rest/v1/activities/pagingtoken.json",
    ) {
        return r;
    }
    // Nothing is older than 1970 here; clamping keeps the token's hex non-negative.
    let Some(since) = param(&q, "sinceDatetime")
        .and_then(parse_instant)
        .map(|ms| ms.max(0))
    else {
        return app.failure(
            "1001",
            "Invalid value for sinceDatetime: expected an ISO 8601 date-time",
        );
    };
    axum::Json(json!({"requestId": format!("pt#{since:x}"), "success": true, "nextPageToken": encode_token(since, 0)})).into_response()
}

/// GET /rest/v1/leads/describe.json — the lead fields, Marketo's describe shape.
pub async fn describe(State(app): App, RawQuery(raw): RawQuery, headers: HeaderMap) -> Response {
    let q = pairs(raw);
    if let Err(r) = app.admit(
        &headers,
        param(&q, "access_token"),
        "GET /rest/v1/leads/describe.json",
    ) {
        return r;
    }
    let fields: &[(&str, &str, &str, bool)] = &[
        ("id", "Id", "integer", true),
        ("email", "Email Address", "email", false),
        ("firstName", "First Name", "string", false),
        ("lastName", "Last Name", "string", false),
        ("company", "Company Name", "string", false),
        ("title", "Job Title", "string", false),
        ("phone", "Phone Number", "phone", false),
        ("leadStatus", "Lead Status", "string", false),
        ("crmContactId", "CRM Contact Id", "string", false),
        ("createdAt", "Created At", "datetime", true),
        ("updatedAt", "Updated At", "datetime", true),
    ];
    let result = fields
        .iter()
        .enumerate()
        .map(|(i, (name, label, kind, read_only))| {
            json!({"id": i + 1, "displayName": label, "dataType": kind,
                   "rest": {"name": name, "readOnly": read_only}})
        })
        .collect();
    app.success(result, None)
}

/// GET /rest/v1/leads.json — by `filterType`=id|email with `filterValues`, or every lead
/// changed since a paging token, oldest change first, `batchSize` (≤ 300) at a time.
pub async fn get_leads(State(app): App, RawQuery(raw): RawQuery, headers: HeaderMap) -> Response {
    let q = pairs(raw);
    if let Err(r) = app.admit(
        &headers,
        param(&q, "access_token"),
        "GET /rest/v1/leads.json",
    ) {
        return r;
    }
    let fields = list(&q, "fields");
    let leads = app
        .leads
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(filter) = param(&q, "filterType") {
        let values = list(&q, "filterValues");
        if values.len() > BATCH_MAX {
            return app.failure(
                "1003",
                &format!("Too many filterValues: at most {BATCH_MAX}"),
            );
        }
        let found: Vec<Value> = match filter {
            "id" => values
                .iter()
                .filter_map(|v| v.parse::<u64>().ok())
                .filter_map(|id| leads.records.get(&id))
                .map(|l| lead_json(l, &fields))
                .collect(),
            "email" => values
                .iter()
                .filter_map(|v| leads.by_email(v))
                .map(|l| lead_json(l, &fields))
                .collect(),
            other => {
                return app.failure(
                    "1003",
                    &format!("Invalid filterType '{other}': use id or email"),
                );
            }
        };
        return app.success(found, None);
    }
    let Some((since, after_id)) = param(&q, "nextPageToken").and_then(decode_token) else {
        return app.failure(
            "1003",
            "Either filterType with filterValues, or nextPageToken, is required",
        );
    };
    let batch = match param(&q, "batchSize").map(str::parse::<usize>) {
        None => BATCH_MAX,
        Some(Ok(n)) if (1..=BATCH_MAX).contains(&n) => n,
        Some(_) => {
            return app.failure(
                "1003",
                &format!("batchSize must be between 1 and {BATCH_MAX}"),
            );
        }
    };
    let mut changed: Vec<&MapLead> = leads
        .records
        .values()
        .filter(|l| (l.updated_at, l.id) > (since, after_id))
        .collect();
    changed.sort_by_key(|l| (l.updated_at, l.id));
    let more = changed.len() > batch;
    changed.truncate(batch);
    let next = changed.last().map_or_else(
        || encode_token(since, after_id),
        |l| encode_token(l.updated_at, l.id),
    );
    let result = changed.iter().map(|l| lead_json(l, &fields)).collect();
    app.success(
        result,
        Some(json!({"nextPageToken": next, "moreResult": more})),
    )
}

const WRITABLE: &[&str] = &[
    "email",
    "firstName",
    "lastName",
    "company",
    "title",
    "phone",
    "leadStatus",
    // The CRM contact a lead is linked to: a CRM merge re-points it at the survivor.
    "crmContactId",
];

fn apply_fields(lead: &mut MapLead, input: &serde_json::Map<String, Value>) {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    for (key, value) in input {
        let v = text(value);
        match key.as_str() {
            "email" => lead.email = v,
            "firstName" => lead.first_name = v,
            "lastName" => lead.last_name = v,
            "company" => lead.company = v,
            "title" => lead.job_title = v,
            "phone" => lead.phone = Some(v).filter(|p| !p.is_empty()),
            "leadStatus" => lead.status = v,
            "crmContactId" => lead.crm_contact_id = v.trim().parse().ok(),
            _ => {}
        }
    }
}

/// POST /rest/v1/leads.json {action: createOnly|updateOnly|createOrUpdate, lookupField: email|id, input: [...]}
pub async fn write_leads(
    State(app): App,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let q = pairs(raw);
    if let Err(r) = app.admit(
        &headers,
        param(&q, "access_token"),
        "POST /rest/v1/leads.json",
    ) {
        return r;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return app.failure("609", "Invalid JSON");
    };
    let action = body
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or("createOrUpdate");
    let lookup = body
        .get("lookupField")
        .and_then(Value::as_str)
        .unwrap_or("email");
    let Some(inputs) = body.get("input").and_then(Value::as_array) else {
        return app.failure("1003", "input is required");
    };
    if inputs.len() > BATCH_MAX {
        return app.failure("1003", &format!("Too many inputs: at most {BATCH_MAX}"));
    }
    if !["createOnly", "updateOnly", "createOrUpdate"].contains(&action)
        || !["email", "id"].contains(&lookup)
    {
        return app.failure(
            "1003",
            "action must be createOnly, updateOnly or createOrUpdate; lookupField email or id",
        );
    }
    let now = now_ms();
    let mut leads = app
        .leads
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut result = Vec::new();
    let (mut created, mut updated) = (0, 0);
    for input in inputs {
        let Some(fields) = input.as_object() else {
            result.push(json!({"status": "skipped", "reasons": [{"code": "1003", "message": "Each input must be an object"}]}));
            continue;
        };
        if let Some(bad) = fields
            .keys()
            .find(|k| !WRITABLE.contains(&k.as_str()) && k.as_str() != "id")
        {
            result.push(json!({"status": "skipped", "reasons": [{"code": "1006", "message": format!("Field '{bad}' not found")}]}));
            continue;
        }
        let existing = match lookup {
            "id" => fields
                .get("id")
                .and_then(Value::as_u64)
                .filter(|id| leads.records.contains_key(id)),
            _ => fields
                .get("email")
                .and_then(Value::as_str)
                .and_then(|e| leads.by_email(e))
                .map(|l| l.id),
        };
        match (existing, action) {
            (Some(id), "updateOnly" | "createOrUpdate") => {
                if let Some(lead) = leads.records.get_mut(&id) {
                    apply_fields(lead, fields);
                    lead.updated_at = now;
                }
                leads.changes.push((now, id));
                updated += 1;
                result.push(json!({"id": id, "status": "updated"}));
            }
            (Some(id), _) => result.push(json!({"id": id, "status": "skipped", "reasons": [{"code": "1005", "message": "Lead already exists"}]})),
            (None, "updateOnly") => result.push(json!({"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]})),
            (None, _) if fields.get("email").and_then(Value::as_str).is_none_or(str::is_empty) => {
                result.push(json!({"status": "skipped", "reasons": [{"code": "1003", "message": "email is required to create a lead"}]}));
            }
            (None, _) => {
                let id = leads.next_id;
                leads.next_id += 1;
                let mut lead = MapLead {
                    id,
                    crm_contact_id: None,
                    email: String::new(),
                    first_name: String::new(),
                    last_name: String::new(),
                    company: String::new(),
                    job_title: String::new(),
                    phone: None,
                    status: "New".into(),
                    created_at: now,
                    updated_at: now,
                };
                apply_fields(&mut lead, fields);
                leads.records.insert(id, lead);
                leads.changes.push((now, id));
                created += 1;
                result.push(json!({"id": id, "status": "created"}));
            }
        }
    }
    drop(leads);
    app.stats.update(|s| {
        s.records_created += created;
        s.records_updated += updated;
    });
    app.success(result, None)
}

/// POST /rest/v1/leads/delete.json {input: [{id}]}
pub async fn delete_leads(
    State(app): App,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let q = pairs(raw);
    if let Err(r) = app.admit(
        &headers,
        param(&q, "access_token"),
        "POST /rest/v1/leads/delete.json",
    ) {
        return r;
    }
    let Some(inputs) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b.get("input").and_then(Value::as_array).cloned())
    else {
        return app.failure("609", "Invalid JSON: input is required");
    };
    if inputs.len() > BATCH_MAX {
        return app.failure("1003", &format!("Too many inputs: at most {BATCH_MAX}"));
    }
    let mut leads = app
        .leads
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut deleted = 0;
    let result: Vec<Value> = inputs
        .iter()
        .map(|input| {
            let id = input.get("id").and_then(Value::as_u64).unwrap_or(0);
            if leads.records.remove(&id).is_some() {
                deleted += 1;
                json!({"id": id, "status": "deleted"})
            } else {
                json!({"id": id, "status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]})
            }
        })
        .collect();
    drop(leads);
    app.stats.update(|s| s.records_erased += deleted);
    app.success(result, None)
}

pub async fn stats(State(app): App) -> Response {
    axum::Json(app.stats.snapshot()).into_response()
}
