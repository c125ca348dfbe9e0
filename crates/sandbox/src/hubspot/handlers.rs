//! The endpoints. Each admits the request (auth, rate limit, stats), does its work under the
//! CRM's lock, and answers in HubSpot's shapes. Pages named beside each shape are the public
//! references the sandbox follows (developers.hubspot.com).

// The Err of these Results is the finished HTTP refusal; boxing it would only add an
// allocation on the refusal path.
#![allow(clippy::result_large_err)]

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::objects::{ObjectType, View, value_text};
use super::properties::{catalog, check_write, to_json};
use super::search::{self, RESULT_CAP, SearchRequest};
use super::{CrmServer, Limit};
use crate::clock::{iso, now_ms};

type App = State<Arc<CrmServer>>;

/// Most records one list page or one batch may hold.
const LIST_MAX: usize = 100;
const LIST_MAX_WITH_HISTORY: usize = 50;
const BATCH_MAX: usize = 100;

fn validation(app: &CrmServer, message: &str) -> Response {
    app.error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message, None)
}

/// Every object endpoint starts the same way: admit the request (auth, rate limit, stats),
/// then name the object type from the path.
fn begin(
    app: &CrmServer,
    headers: &HeaderMap,
    endpoint: &str,
    limit: Limit,
    segment: &str,
) -> Result<(super::Admitted, ObjectType), Response> {
    let admitted = app.admit(headers, endpoint, limit)?;
    Ok((admitted, object_type(app, segment)?))
}

fn object_type(app: &CrmServer, segment: &str) -> Result<ObjectType, Response> {
    ObjectType::from_path(segment)
        .ok_or_else(|| validation(app, &format!("Unable to infer object type from: {segment}")))
}

/// `properties=a,b&properties=c` → [a, b, c]: HubSpot takes arrays both ways.
fn query_list(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

fn query_one<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn parse_query(raw: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn view_from(pairs: &[(String, String)]) -> View {
    View {
        properties: query_list(pairs, "properties"),
        with_history: query_list(pairs, "propertiesWithHistory"),
        associations: !query_list(pairs, "associations").is_empty(),
    }
}

fn parse_body(app: &CrmServer, body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| {
        validation(
            app,
            &format!(
                "Invalid input JSON on line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn not_found(app: &CrmServer, id: &str) -> Response {
    // Observed HubSpot body (two spaces after the full stop are HubSpot's).
    app.error(
        StatusCode::NOT_FOUND,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
        Some(json!({ "id": [id] })),
    )
}

/// GET /crm/v3/objects/{objectType} — "CRM API | Contacts", list endpoint.
pub async fn list(
    State(app): App,
    Path(segment): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (admitted, object) = match begin(
        &app,
        &headers,
        "GET /crm/v3/objects/{objectType}",
        Limit::TenSecondly,
        &segment,
    ) {
        Ok(started) => started,
        Err(refusal) => return refusal,
    };
    let pairs = parse_query(raw);
    let view = view_from(&pairs);
    let max = if view.with_history.is_empty() {
        LIST_MAX
    } else {
        LIST_MAX_WITH_HISTORY
    };
    let limit = match query_one(&pairs, "limit").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=max).contains(&n) => n,
        Some(_) => {
            return validation(
                &app,
                &format!("limit must be an integer between 1 and {max}"),
            );
        }
    };
    let after = match query_one(&pairs, "after")
        .filter(|a| !a.is_empty())
        .map(str::parse::<u64>)
    {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return validation(
                &app,
                "after must be a paging cursor returned by a previous page",
            );
        }
    };
    let archived = query_one(&pairs, "archived") == Some("true");
    let crm = app
        .crm
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let set = crm.set(object);
    let mut page: Vec<&super::objects::CrmObject> = set
        .records
        .range((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
        .map(|(_, r)| r)
        .filter(|r| {
            if archived {
                r.archived_at.is_some()
            } else {
                r.archived_at.is_none() && r.merged_into.is_none()
            }
        })
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let mut body =
        json!({ "results": page.iter().map(|r| r.to_json(object, &view)).collect::<Vec<_>>() });
    if more && let Some(last) = page.last() {
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        body["paging"] = json!({ "next": {
            "after": last.id.to_string(),
            "link": format!("http://{host}/crm/v3/objects/{}?after={}", object.plural(), last.id),
        }});
    }
    admitted.respond(StatusCode::OK, Some(body))
}

/// GET /crm/v3/objects/{objectType}/{id}; a merged id answers with the record that absorbed it.
pub async fn get_one(
    State(app): App,
    Path((segment, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (admitted, object) = match begin(
        &app,
        &headers,
        "GET /crm/v3/objects/{objectType}/{id}",
        Limit::TenSecondly,
        &segment,
    ) {
        Ok(started) => started,
        Err(refusal) => return refusal,
    };
    let pairs = parse_query(raw);
    let archived = query_one(&pairs, "archived") == Some("true");
    let crm = app
        .crm
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let found = id
        .parse::<u64>()
        .ok()
        .and_then(|n| crm.set(object).resolve(n));
    match found {
        Some(record) if record.archived_at.is_none() || archived => admitted.respond(
            StatusCode::OK,
            Some(record.to_json(object, &view_from(&pairs))),
        ),
        _ => not_found(&app, &id),
    }
}

fn batch_inputs<'a>(app: &CrmServer, body: &'a Value) -> Result<&'a Vec<Value>, Response> {
    let inputs = body
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or_else(|| validation(app, "Invalid input JSON: inputs must be an array"))?;
    if inputs.len() > BATCH_MAX {
        return Err(validation(
            app,
            &format!(
                "Too many inputs: {}; the maximum is {BATCH_MAX}.",
                inputs.len()
            ),
        ));
    }
    Ok(inputs)
}

fn input_id(input: &Value) -> String {
    input.get("id").map(value_text).unwrap_or_default()
}

fn string_list(body: &Value, key: &str) -> Vec<String> {
    body.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(value_text).collect())
        .unwrap_or_default()
}

/// Checks every property of every input; HubSpot refuses the whole batch on a bad one.
fn check_properties(app: &CrmServer, object: ObjectType, inputs: &[Value]) -> Result<(), Response> {
    let mut problems = Vec::new();
    for input in inputs {
        let Some(props) = input.get("properties").and_then(Value::as_object) else {
            return Err(validation(
                app,
                "Invalid input JSON: each input needs a properties object",
            ));
        };
        problems.extend(
            props
                .iter()
                .filter_map(|(name, value)| check_write(object, name, &value_text(value))),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let detail = serde_json::to_string(&problems).unwrap_or_default();
        Err(validation(
            app,
            &format!("Property values were not valid: {detail}"),
        ))
    }
}

fn batch_result(
    started: i64,
    results: Vec<Value>,
    missing: &[String],
    object: ObjectType,
) -> (StatusCode, Value) {
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso(started),
        "completedAt": iso(now_ms()),
    });
    if missing.is_empty() {
        return (StatusCode::OK, body);
    }
    body["numErrors"] = json!(1);
    body["errors"] = json!([{
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": format!("Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.", object.upper()),
        "context": { "ids": missing },
    }]);
    (StatusCode::MULTI_STATUS, body)
}

/// POST /crm/v3/objects/{objectType}/batch/{read|create|update|archive} — 207 on partial success.
pub async fn batch(
    State(app): App,
    Path((segment, action)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Only the four real actions become stats keys; anything else is counted as one.
    let known = ["read", "create", "update", "archive"].contains(&action.as_str());
    let endpoint = format!(
        "POST /crm/v3/objects/{{objectType}}/batch/{}",
        if known { action.as_str() } else { "{unknown}" }
    );
    let (admitted, object) = match begin(&app, &headers, &endpoint, Limit::TenSecondly, &segment) {
        Ok(started) => started,
        Err(refusal) => return refusal,
    };
    let body = match parse_body(&app, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let inputs = match batch_inputs(&app, &body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let started = now_ms();
    match action.as_str() {
        "read" => {
            // `?archived=true` reads archived records (and only those), as HubSpot does.
            let archived = query_one(&parse_query(raw), "archived") == Some("true");
            let view = View {
                properties: string_list(&body, "properties"),
                with_history: string_list(&body, "propertiesWithHistory"),
                associations: false,
            };
            let crm = app
                .crm
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let set = crm.set(object);
            let (mut results, mut missing) = (Vec::new(), Vec::new());
            for input in inputs {
                let id = input_id(input);
                match id
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| {
                        if archived {
                            set.records.get(&n)
                        } else {
                            set.resolve(n)
                        }
                    })
                    .filter(|r| r.archived_at.is_some() == archived)
                {
                    Some(record) => results.push(record.to_json(object, &view)),
                    None => missing.push(id),
                }
            }
            let (status, body) = batch_result(started, results, &missing, object);
            admitted.respond(status, Some(body))
        }
        "create" => {
            if let Err(r) = check_properties(&app, object, inputs) {
                return r;
            }
            if object == ObjectType::Contacts {
                let mut seen = std::collections::BTreeSet::new();
                let repeated = inputs
                    .iter()
                    .filter_map(|i| i.pointer("/properties/email").map(value_text))
                    .find(|e| !e.is_empty() && !seen.insert(e.to_lowercase()));
                if repeated.is_some() {
                    return app.error(
                        StatusCode::CONFLICT,
                        "CONFLICT",
                        "Duplicate email in this batch: each contact's email must be unique.",
                        None,
                    );
                }
            }
            let mut crm = app
                .crm
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if object == ObjectType::Contacts
                && let Some((existing, _)) = inputs.iter().find_map(|input| {
                    let email = input.pointer("/properties/email").map(value_text)?;
                    crm.contacts
                        .live()
                        .find(|c| {
                            c.current("email")
                                .is_some_and(|e| e.eq_ignore_ascii_case(&email))
                        })
                        .map(|c| (c.id, email))
                })
            {
                drop(crm);
                return app.error(
                    StatusCode::CONFLICT,
                    "CONFLICT",
                    &format!("Contact already exists. Existing ID: {existing}"),
                    None,
                );
            }
            let at = now_ms();
            let mut results = Vec::new();
            for input in inputs {
                let props = input
                    .get("properties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let id = crm.set_mut(object).insert_new(&props, at, "API");
                crm.set_mut(object).changes.push((at, id));
                for target in associations_of(input) {
                    link(&mut crm, object, id, target);
                }
                if let Some(record) = crm.set(object).records.get(&id) {
                    results.push(record.to_json(
                        object,
                        &View {
                            properties: props.keys().cloned().collect(),
                            ..View::default()
                        },
                    ));
                }
            }
            drop(crm);
            app.stats
                .update(|s| s.records_created += results.len() as u64);
            let body = json!({"status": "COMPLETE", "results": results, "startedAt": iso(started), "completedAt": iso(now_ms())});
            admitted.respond(StatusCode::CREATED, Some(body))
        }
        "update" => {
            if let Err(r) = check_properties(&app, object, inputs) {
                return r;
            }
            let at = now_ms();
            let mut crm = app
                .crm
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // An email may not move onto a contact while another one holds it.
            if object == ObjectType::Contacts {
                for input in inputs {
                    let Some(email) = input.pointer("/properties/email").map(value_text) else {
                        continue;
                    };
                    let own = input_id(input)
                        .parse::<u64>()
                        .ok()
                        .and_then(|n| crm.contacts.resolve(n))
                        .map(|r| r.id);
                    let holder = crm
                        .contacts
                        .live()
                        .find(|c| {
                            c.current("email")
                                .is_some_and(|e| e.eq_ignore_ascii_case(&email))
                        })
                        .map(|c| c.id);
                    if let Some(holder) = holder.filter(|h| Some(*h) != own) {
                        drop(crm);
                        return app.error(
                            StatusCode::CONFLICT,
                            "CONFLICT",
                            &format!("Contact already exists. Existing ID: {holder}"),
                            None,
                        );
                    }
                }
            }
            let (mut results, mut missing) = (Vec::new(), Vec::new());
            for input in inputs {
                let id = input_id(input);
                let resolved = id
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| crm.set(object).resolve(n))
                    .filter(|r| r.archived_at.is_none())
                    .map(|r| r.id);
                let Some(target) = resolved else {
                    missing.push(id);
                    continue;
                };
                let props: Map<String, Value> = input
                    .get("properties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                if let Some(record) = crm.set_mut(object).records.get_mut(&target) {
                    for (name, value) in &props {
                        record.set(name, value_text(value), at, "API");
                    }
                    record.updated_at = at;
                    results.push(record.to_json(
                        object,
                        &View {
                            properties: props.keys().cloned().collect(),
                            ..View::default()
                        },
                    ));
                }
                crm.set_mut(object).changes.push((at, target));
            }
            drop(crm);
            app.stats
                .update(|s| s.records_updated += results.len() as u64);
            let (status, body) = batch_result(started, results, &missing, object);
            admitted.respond(status, Some(body))
        }
        "archive" => {
            let at = now_ms();
            let mut crm = app
                .crm
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut archived = 0;
            for input in inputs {
                let Ok(id) = input_id(input).parse::<u64>() else {
                    continue;
                };
                if let Some(record) = crm.set_mut(object).records.get_mut(&id)
                    && record.archived_at.is_none()
                    && record.merged_into.is_none()
                {
                    record.archived_at = Some(at);
                    record.updated_at = at;
                    archived += 1;
                }
            }
            drop(crm);
            app.stats.update(|s| s.records_archived += archived);
            admitted.respond(StatusCode::NO_CONTENT, None)
        }
        other => validation(&app, &format!("Unknown batch action: {other}")),
    }
}

/// `associations: [{to: {id}, types: [...]}]` on a create input.
fn associations_of(input: &Value) -> Vec<u64> {
    input
        .get("associations")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| a.pointer("/to/id").map(value_text)?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn link(crm: &mut super::Crm, object: ObjectType, id: u64, other_id: u64) {
    let other = object.other();
    if !crm.set(other).records.contains_key(&other_id) {
        return;
    }
    if let Some(record) = crm.set_mut(object).records.get_mut(&id) {
        record.associations.insert(other_id);
    }
    if let Some(record) = crm.set_mut(other).records.get_mut(&other_id) {
        record.associations.insert(id);
    }
}

/// POST /crm/v3/objects/{objectType}/search — "CRM search" guide.
pub async fn search(
    State(app): App,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (admitted, object) = match begin(
        &app,
        &headers,
        "POST /crm/v3/objects/{objectType}/search",
        Limit::Search,
        &segment,
    ) {
        Ok(started) => started,
        Err(refusal) => return refusal,
    };
    let request: SearchRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return validation(&app, &format!("Invalid input JSON: {e}")),
    };
    let (limit, after) = match search::validate(&request) {
        Ok(v) => v,
        Err(message) => return validation(&app, &message),
    };
    let crm = app
        .crm
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let hits = search::run(&request, crm.set(object).live(), object);
    let view = View {
        properties: request.properties.clone(),
        ..View::default()
    };
    let end = (after + limit).min(hits.len()).min(RESULT_CAP);
    let results: Vec<Value> = hits
        .get(after..end)
        .unwrap_or_default()
        .iter()
        .map(|r| r.to_json(object, &view))
        .collect();
    let mut body = json!({ "total": hits.len(), "results": results });
    if end < hits.len() && end < RESULT_CAP {
        body["paging"] = json!({ "next": { "after": end.to_string() } });
    }
    admitted.respond(StatusCode::OK, Some(body))
}

/// POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read — each input's
/// associated records of the other type; inputs without any are left out of `results`.
pub async fn associations_read(
    State(app): App,
    Path((from, to)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (admitted, object) = match begin(
        &app,
        &headers,
        "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read",
        Limit::TenSecondly,
        &from,
    ) {
        Ok(started) => started,
        Err(refusal) => return refusal,
    };
    match object_type(&app, &to) {
        Ok(other) if other != object => {}
        Ok(_) => return validation(&app, "associations join two different object types"),
        Err(refusal) => return refusal,
    }
    let body = match parse_body(&app, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let inputs = match batch_inputs(&app, &body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let started = now_ms();
    let crm = app
        .crm
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let set = crm.set(object);
    let type_id = match object {
        ObjectType::Contacts => 1,
        ObjectType::Companies => 2,
    };
    let results: Vec<Value> = inputs
        .iter()
        .filter_map(|input| {
            let id = input_id(input);
            let record = id.parse::<u64>().ok().and_then(|n| set.records.get(&n))?;
            (!record.associations.is_empty()).then(|| {
                let to: Vec<Value> = record
                    .associations
                    .iter()
                    .map(|other_id| {
                        json!({"toObjectId": other_id, "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": null}]})
                    })
                    .collect();
                json!({"from": {"id": id}, "to": to})
            })
        })
        .collect();
    admitted.respond(
        StatusCode::OK,
        Some(json!({
            "status": "COMPLETE",
            "results": results,
            "startedAt": iso(started),
            "completedAt": iso(now_ms()),
        })),
    )
}

/// POST /crm/v3/objects/{objectType}/merge — irreversible; a profile holds at most 250
/// identities ("Error handling": 414, "Cannot have more than 250 identities on a profile").
pub async fn merge(
    State(app): App,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (admitted, object) = match begin(
        &app,
        &headers,
        "POST /crm/v3/objects/{objectType}/merge",
        Limit::TenSecondly,
        &segment,
    ) {
        Ok(started) => started,
        Err(refusal) => return refusal,
    };
    let body = match parse_body(&app, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (Some(primary), Some(secondary)) = (
        body.get("primaryObjectId").map(value_text),
        body.get("objectIdToMerge").map(value_text),
    ) else {
        return validation(
            &app,
            "Invalid input JSON: primaryObjectId and objectIdToMerge are required",
        );
    };
    let mut crm = app
        .crm
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let set = crm.set(object);
    let already_merged = |id: &str| {
        id.parse::<u64>()
            .ok()
            .and_then(|n| set.records.get(&n))
            .is_some_and(|r| r.merged_into.is_some())
    };
    if already_merged(&secondary) {
        app.stats.update(|s| s.merges_repeated += 1);
    }
    let resolve = |id: &str| {
        id.parse::<u64>()
            .ok()
            .and_then(|n| set.resolve(n))
            .filter(|r| r.archived_at.is_none())
            .map(|r| r.id)
    };
    let Some(keep) = resolve(&primary) else {
        drop(crm);
        return not_found(&app, &primary);
    };
    let Some(absorb) = resolve(&secondary) else {
        drop(crm);
        return not_found(&app, &secondary);
    };
    if keep == absorb {
        drop(crm);
        return validation(&app, "The objects to merge are the same object.");
    }
    let (Some(kept), Some(absorbed)) = (set.records.get(&keep), set.records.get(&absorb)) else {
        drop(crm);
        return not_found(&app, &secondary);
    };
    let identities = kept.merged_ids.len() + absorbed.merged_ids.len() + 2;
    if identities > 250 {
        drop(crm);
        app.stats.update(|s| s.merges_refused += 1);
        return app.error(
            StatusCode::URI_TOO_LONG,
            "VALIDATION_ERROR",
            &format!("Cannot have more than 250 identities on a profile (this merge would make {identities})"),
            None,
        );
    }
    let absorbed = absorbed.clone();
    let at = now_ms();
    let moved: BTreeSet<u64> = absorbed.associations.clone();
    if let Some(record) = crm.set_mut(object).records.get_mut(&keep) {
        // The primary's values stand; its blanks are filled from the merged record.
        for (name, versions) in &absorbed.properties {
            if record.current(name).is_none()
                && let Some(v) = versions.last().filter(|v| !v.value.is_empty())
            {
                record.set(name, v.value.clone(), at, "MERGE");
            }
        }
        record.merged_ids.push(absorb);
        record.merged_ids.extend(&absorbed.merged_ids);
        record.associations.extend(&moved);
        record.updated_at = at;
    }
    crm.set_mut(object).changes.push((at, keep));
    if let Some(record) = crm.set_mut(object).records.get_mut(&absorb) {
        record.merged_into = Some(keep);
        record.archived_at = Some(at);
        record.associations.clear();
    }
    for other_id in moved {
        if let Some(other) = crm.set_mut(object.other()).records.get_mut(&other_id) {
            other.associations.remove(&absorb);
            other.associations.insert(keep);
        }
    }
    let merged = crm
        .set(object)
        .records
        .get(&keep)
        .map(|r| r.to_json(object, &View::default()));
    drop(crm);
    app.stats.update(|s| s.merges_performed += 1);
    admitted.respond(StatusCode::OK, merged)
}

/// POST /crm/v3/objects/contacts/gdpr-delete — permanent; 204 whether or not it existed.
pub async fn gdpr_delete(
    State(app): App,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let admitted = match app.admit(
        &headers,
        "POST /crm/v3/objects/contacts/gdpr-delete",
        Limit::TenSecondly,
    ) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if ObjectType::from_path(&segment) != Some(ObjectType::Contacts) {
        return validation(&app, "GDPR delete is available for contacts only.");
    }
    let body = match parse_body(&app, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(key) = body.get("objectId").map(value_text) else {
        return validation(&app, "Invalid input JSON: objectId is required");
    };
    let by_email = body.get("idProperty").map(value_text).as_deref() == Some("email");
    let mut crm = app
        .crm
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // By email: every record that holds it, archived ones too — an erasure leaves nothing.
    let targets: Vec<u64> = if by_email {
        crm.contacts
            .records
            .values()
            .filter(|c| c.merged_into.is_none())
            .filter(|c| {
                c.current("email")
                    .is_some_and(|e| e.eq_ignore_ascii_case(&key))
            })
            .map(|c| c.id)
            .collect()
    } else {
        key.parse::<u64>()
            .ok()
            .and_then(|n| crm.contacts.resolve(n))
            .map(|r| r.id)
            .into_iter()
            .collect()
    };
    if !targets.is_empty() {
        // Gone for good: the records, the ids merged into them, and their associations.
        let mut erase = targets.clone();
        for id in &targets {
            if let Some(record) = crm.contacts.records.get(id) {
                erase.extend(&record.merged_ids);
            }
        }
        for gone in &erase {
            if let Some(record) = crm.contacts.records.remove(gone) {
                for company in record.associations {
                    if let Some(c) = crm.companies.records.get_mut(&company) {
                        c.associations.remove(gone);
                    }
                }
            }
        }
        drop(crm);
        let erased = erase.len() as u64;
        app.stats.update(|s| s.records_erased += erased);
    }
    admitted.respond(StatusCode::NO_CONTENT, None)
}

/// GET /crm/v3/properties/{objectType} — "CRM API | Properties".
pub async fn properties(
    State(app): App,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (admitted, object) = match begin(
        &app,
        &headers,
        "GET /crm/v3/properties/{objectType}",
        Limit::TenSecondly,
        &segment,
    ) {
        Ok(started) => started,
        Err(refusal) => return refusal,
    };
    let results: Vec<Value> = catalog(object)
        .iter()
        .enumerate()
        .map(|(i, d)| to_json(d, i))
        .collect();
    admitted.respond(StatusCode::OK, Some(json!({ "results": results })))
}

/// GET /_sandbox/stats — what this server saw; no auth, not rate-limited.
pub async fn stats(State(app): App) -> Response {
    axum::Json(app.stats.snapshot()).into_response()
}
