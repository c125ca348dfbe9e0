//! The declarative REST connector: for CRMs and tools without a dedicated connector, a
//! config file says how to authenticate, where the records are, how pages go, and which
//! JSON values become which fields.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use steward_domain::{FieldValue, ObjectType, Record, RecordKey, Timestamp};
use url::Url;

use crate::connector::{Connector, Context, PageSink, deliver};
use crate::credentials::Secret;
use crate::driver::{HttpDriver, Pacer, default_verdict};
use crate::error::ConnectorError;
use crate::model::{Crosswalk, Page, ReadRequest, RecordProblem, SourceField};
use crate::values::{DateOrder, parse_instant};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestAuth {
    /// The header the credential goes in (`Authorization`, `X-Api-Key` …).
    pub header: String,
    /// Written before the credential with a space (`Bearer`); empty for the bare key.
    #[serde(default)]
    pub scheme: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum Paging {
    /// One request returns everything.
    None,
    /// `?limit=N&offset=K`; a short page ends the read.
    Offset {
        limit_param: String,
        offset_param: String,
        page_size: u32,
    },
    /// `?limit=N&page=P` counting from `first_page`; a short page ends the read.
    PageNumber {
        limit_param: String,
        page_param: String,
        page_size: u32,
        #[serde(default = "one")]
        first_page: u32,
    },
    /// The response carries the next cursor at a JSON pointer; absent or empty ends it.
    Cursor {
        cursor_param: String,
        cursor_path: String,
        #[serde(default)]
        limit_param: Option<String>,
        #[serde(default = "hundred")]
        page_size: u32,
    },
}

const fn one() -> u32 {
    1
}

const fn hundred() -> u32 {
    100
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestObject {
    pub object: ObjectType,
    /// Joined to the system's base URL (`model/party.party`, `/api/v1/contacts`).
    pub path: String,
    /// Fixed query parameters, in order; a name may repeat.
    #[serde(default)]
    pub query: Vec<(String, String)>,
    /// JSON pointer to the array of records; empty when the response is the array.
    #[serde(default)]
    pub record_path: String,
    /// JSON pointers (within a record) to its id and times.
    pub id: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Stored field name → JSON pointer within a record. Empty: every top-level scalar.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// A stored field holding the hub's id of the same record.
    #[serde(default)]
    pub crosswalk: Option<String>,
    pub paging: Paging,
    /// How the API narrows a list to records changed since an instant; without it the
    /// object is read whole every sync.
    #[serde(default)]
    pub incremental: Option<Incremental>,
}

/// A query parameter that carries "changed since" (`?updated_since=…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incremental {
    pub param: String,
    #[serde(default)]
    pub format: InstantFormat,
}

/// How an instant is written in that parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstantFormat {
    /// `2026-01-31T09:15:00.000Z`
    #[default]
    Rfc3339,
    UnixMillis,
    UnixSeconds,
}

impl InstantFormat {
    fn write(self, at: Timestamp) -> String {
        match self {
            Self::Rfc3339 => at.to_rfc3339(),
            Self::UnixMillis => at.millis().to_string(),
            Self::UnixSeconds => at.millis().div_euclid(1000).to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestSettings {
    #[serde(default)]
    pub auth: Option<RestAuth>,
    /// Requests allowed per `rate_window_seconds` (the API's documented limit).
    #[serde(default = "default_rate")]
    pub rate_limit: u32,
    #[serde(default = "default_window")]
    pub rate_window_seconds: u32,
    pub objects: Vec<RestObject>,
}

const fn default_rate() -> u32 {
    10
}

const fn default_window() -> u32 {
    1
}

fn pointer_ok(p: &str) -> bool {
    p.is_empty() || p.starts_with('/')
}

impl RestSettings {
    pub fn validate(&self) -> Result<(), ConnectorError> {
        let bad = |m: String| Err(ConnectorError::config(m));
        if self.objects.is_empty() {
            return bad(
                "objects: describe at least one ([[objects]] with object, path, id, paging)".into(),
            );
        }
        if self.rate_limit == 0 || self.rate_window_seconds == 0 {
            return bad("rate_limit and rate_window_seconds must be at least 1".into());
        }
        if let Some(auth) = &self.auth
            && (auth.header.trim().is_empty() || auth.header.contains([':', '\n', '\r']))
        {
            return bad("auth.header must be a header name such as Authorization".into());
        }
        let mut seen = BTreeSet::new();
        for (i, o) in self.objects.iter().enumerate() {
            let at = format!("objects[{i}]");
            if !seen.insert(o.object) {
                return bad(format!("{at}: {} is described twice", o.object));
            }
            if o.path.trim().is_empty() {
                return bad(format!("{at}.path: give the path of the list endpoint"));
            }
            let pointers = [
                Some(&o.record_path),
                Some(&o.id),
                o.created_at.as_ref(),
                o.updated_at.as_ref(),
            ];
            for p in pointers.into_iter().flatten().chain(o.fields.values()) {
                if !pointer_ok(p) {
                    return bad(format!(
                        "{at}: \"{p}\" is not a JSON pointer (it starts with /)"
                    ));
                }
            }
            if o.id.is_empty() {
                return bad(format!(
                    "{at}.id: a JSON pointer to the record's id, e.g. /id"
                ));
            }
            if let Some(c) = &o.crosswalk
                && !o.fields.is_empty()
                && !o.fields.contains_key(c)
            {
                return bad(format!("{at}.crosswalk: \"{c}\" is not one of the fields"));
            }
            let size = match &o.paging {
                Paging::None => 1,
                Paging::Offset { page_size, .. }
                | Paging::PageNumber { page_size, .. }
                | Paging::Cursor { page_size, .. } => *page_size,
            };
            if !(1..=10_000).contains(&size) {
                return bad(format!("{at}.paging.page_size must be 1–10000"));
            }
            if let Some(inc) = &o.incremental {
                if inc.param.trim().is_empty() {
                    return bad(format!("{at}.incremental.param: name the query parameter"));
                }
                // The mark an incremental read starts from is the newest `updated_at` seen.
                if o.updated_at.is_none() {
                    return bad(format!(
                        "{at}.incremental needs {at}.updated_at (a pointer to the change time)"
                    ));
                }
            }
        }
        Ok(())
    }
}

pub struct RestConnector {
    ctx: Context,
    base: Url,
    secret: Option<Secret>,
    settings: RestSettings,
    driver: HttpDriver,
}

pub fn connect(
    ctx: Context,
    base_url: &str,
    secret: Option<Secret>,
    settings: RestSettings,
) -> Result<RestConnector, ConnectorError> {
    settings.validate()?;
    if settings.auth.is_some() && secret.is_none() {
        return Err(ConnectorError::config(
            "the config names an auth header but no credential is stored; store one first",
        ));
    }
    // `join` keeps the last path segment only when the base ends with a slash.
    let mut base = base_url.to_owned();
    if !base.ends_with('/') {
        base.push('/');
    }
    let base = Url::parse(&base).map_err(|e| ConnectorError::config(format!("base URL: {e}")))?;
    let driver = HttpDriver::new(
        &ctx.system_name,
        Pacer::new(
            settings.rate_limit as usize,
            Duration::from_secs(u64::from(settings.rate_window_seconds)),
        ),
        ctx.cancel.clone(),
    )?;
    Ok(RestConnector {
        ctx,
        base,
        secret,
        settings,
        driver,
    })
}

/// A fingerprint of a page's records, to notice the same page served twice.
fn page_digest(items: &[Value]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for item in items {
        item.to_string().hash(&mut hasher);
    }
    hasher.finish()
}

/// Text for a JSON value. Understands the typed objects some RPC-style APIs send
/// (Tryton's `{"__class__": "datetime", …}`, `date`, `Decimal`).
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(map) => match map.get("__class__").and_then(Value::as_str) {
            Some("datetime") | Some("date") => {
                let n = |k: &str| map.get(k).and_then(Value::as_i64).unwrap_or(0);
                let text = format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                    n("year"),
                    n("month"),
                    n("day"),
                    n("hour"),
                    n("minute"),
                    n("second"),
                    n("microsecond") / 1000
                );
                Some(text)
            }
            Some("Decimal") => map
                .get("decimal")
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        },
        Value::Array(_) => None,
    }
}

impl RestConnector {
    fn spec(&self, object: ObjectType) -> Result<&RestObject, ConnectorError> {
        self.settings
            .objects
            .iter()
            .find(|o| o.object == object)
            .ok_or_else(|| ConnectorError::config(format!("no {object} object is configured")))
    }

    async fn fetch(
        &self,
        spec: &RestObject,
        extra: &[(String, String)],
    ) -> Result<Value, ConnectorError> {
        let mut url = self
            .base
            .join(spec.path.trim_start_matches('/'))
            .map_err(|e| ConnectorError::config(format!("path: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in spec.query.iter().chain(extra) {
                q.append_pair(k, v);
            }
        }
        let what = format!("listing {}", spec.object);
        let auth = self
            .settings
            .auth
            .as_ref()
            .zip(self.secret.as_ref())
            .map(|(a, s)| {
                let value = if a.scheme.is_empty() {
                    s.expose().to_owned()
                } else {
                    format!("{} {}", a.scheme, s.expose())
                };
                (a.header.clone(), value)
            });
        let reply = self
            .driver
            .send(
                &what,
                |c| {
                    let r = c.get(url.clone());
                    match &auth {
                        Some((h, v)) => r.header(h.as_str(), v.as_str()),
                        None => r,
                    }
                },
                default_verdict,
            )
            .await?;
        match reply.status.as_u16() {
            200..=299 => reply.json(&self.ctx.system_name, &what),
            s @ (401 | 403) => Err(ConnectorError::Unauthorized {
                system: self.ctx.system_name.clone(),
                how: format!("HTTP {s}"),
            }),
            s => Err(ConnectorError::Http {
                system: self.ctx.system_name.clone(),
                status: s,
                what,
                message: "see the system's own log".into(),
            }),
        }
    }

    fn to_record(
        &self,
        spec: &RestObject,
        item: &Value,
        index: u64,
    ) -> Result<Record, RecordProblem> {
        let problem = |field: Option<&str>, reason: &str| RecordProblem {
            object: spec.object,
            locator: format!("record {index} of the read"),
            field: field.map(str::to_owned),
            reason: reason.to_owned(),
            record_kept: false,
        };
        let id = item
            .pointer(&spec.id)
            .and_then(text_of)
            .ok_or_else(|| problem(Some(&spec.id), "no id at this pointer"))?;
        let instant = |p: &Option<String>| {
            p.as_ref()
                .and_then(|p| item.pointer(p))
                .and_then(text_of)
                .and_then(|t| parse_instant(&t, DateOrder::DayFirst))
        };
        let updated_at = instant(&spec.updated_at);
        let mut fields = BTreeMap::new();
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                fields.insert(name.to_owned(), FieldValue::new(value, None));
            }
        };
        if spec.fields.is_empty() {
            if let Some(map) = item.as_object() {
                for (k, v) in map {
                    put(k, text_of(v));
                }
            }
        } else {
            for (name, pointer) in &spec.fields {
                put(name, item.pointer(pointer).and_then(text_of));
            }
        }
        Ok(Record {
            key: RecordKey {
                system_id: self.ctx.system_id,
                object: spec.object,
                external_id: id,
            },
            created_at: instant(&spec.created_at),
            updated_at: updated_at.or_else(|| instant(&spec.created_at)),
            archived: false,
            fields,
            associations: BTreeSet::new(),
        })
    }
}

#[async_trait]
impl Connector for RestConnector {
    fn objects(&self) -> Vec<ObjectType> {
        self.settings.objects.iter().map(|o| o.object).collect()
    }

    fn crosswalks(&self) -> Vec<Crosswalk> {
        self.settings
            .objects
            .iter()
            .filter_map(|o| {
                o.crosswalk.as_ref().map(|f| Crosswalk {
                    object: o.object,
                    field: f.clone(),
                })
            })
            .collect()
    }

    fn api_calls(&self) -> u64 {
        self.driver.calls()
    }

    fn incremental(&self) -> bool {
        self.settings
            .objects
            .iter()
            .all(|o| o.incremental.is_some())
    }

    async fn healthcheck(&self) -> Result<(), ConnectorError> {
        for spec in &self.settings.objects {
            self.fetch(spec, &[]).await?;
        }
        Ok(())
    }

    async fn describe(&self, object: ObjectType) -> Result<Vec<SourceField>, ConnectorError> {
        let spec = self.spec(object)?;
        if !spec.fields.is_empty() {
            return Ok(spec.fields.keys().map(|n| SourceField::text(n)).collect());
        }
        // No field map: the fields are whatever the first records carry.
        let body = self.fetch(spec, &[]).await?;
        let mut names = BTreeSet::new();
        if let Some(items) = body.pointer(&spec.record_path).and_then(Value::as_array) {
            for item in items.iter().take(100) {
                if let Some(map) = item.as_object() {
                    names.extend(map.keys().cloned());
                }
            }
        }
        Ok(names.iter().map(|n| SourceField::text(n)).collect())
    }

    async fn read(
        &self,
        object: ObjectType,
        request: &ReadRequest,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        let spec = self.spec(object)?;
        // The resume token is the paging position (offset, page or cursor) to fetch next.
        let mut position: Option<String> = request.resume.clone();
        let mut index = 0_u64;
        let mut previous_page: Option<u64> = None;
        let mut fullest = 0_u64;
        loop {
            self.ctx.check_cancelled()?;
            let extra: Vec<(String, String)> = match &spec.paging {
                Paging::None => Vec::new(),
                Paging::Offset {
                    limit_param,
                    offset_param,
                    page_size,
                } => vec![
                    (limit_param.clone(), page_size.to_string()),
                    (
                        offset_param.clone(),
                        position.clone().unwrap_or_else(|| "0".into()),
                    ),
                ],
                Paging::PageNumber {
                    limit_param,
                    page_param,
                    page_size,
                    first_page,
                } => vec![
                    (limit_param.clone(), page_size.to_string()),
                    (
                        page_param.clone(),
                        position.clone().unwrap_or_else(|| first_page.to_string()),
                    ),
                ],
                Paging::Cursor {
                    cursor_param,
                    limit_param,
                    page_size,
                    ..
                } => {
                    let mut extra = Vec::new();
                    if let Some(l) = limit_param {
                        extra.push((l.clone(), page_size.to_string()));
                    }
                    if let Some(c) = &position {
                        extra.push((cursor_param.clone(), c.clone()));
                    }
                    extra
                }
            };
            let mut extra = extra;
            if let (Some(since), Some(inc)) = (request.since, &spec.incremental) {
                extra.push((inc.param.clone(), inc.format.write(since)));
            }
            let body = match self.fetch(spec, &extra).await {
                Ok(body) => body,
                // Some APIs (Django REST framework among them) answer a page past the last
                // one with 404: that is the end, not a failure.
                Err(ConnectorError::Http { status: 404, .. })
                    if position.is_some() && !matches!(spec.paging, Paging::Cursor { .. }) =>
                {
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            let items = body
                .pointer(&spec.record_path)
                .and_then(Value::as_array)
                .ok_or_else(|| ConnectorError::Protocol {
                    system: self.ctx.system_name.clone(),
                    what: format!("listing {object}"),
                    reason: format!("no array of records at \"{}\"", spec.record_path),
                })?;
            let mut page = Page::default();
            for item in items {
                index += 1;
                match self.to_record(spec, item, index) {
                    Ok(r) => page.records.push(r),
                    Err(p) => page.problems.push(p),
                }
            }
            let count = items.len() as u64;
            // An API that ignores the paging parameters sends the same page forever.
            let digest = page_digest(items);
            if count > 0 && Some(digest) == previous_page {
                return Err(ConnectorError::Protocol {
                    system: self.ctx.system_name.clone(),
                    what: format!("listing {object}"),
                    reason: "two pages in a row are the same: check the paging parameter names in the config".into(),
                });
            }
            previous_page = Some(digest);
            // Offset and page paging end on an empty page, or on one shorter than the
            // fullest page so far: an API may cap the page size below what was asked
            // without saying so, so the asked-for size proves nothing.
            let ended = count == 0 || count < fullest;
            fullest = fullest.max(count);
            let next = match &spec.paging {
                Paging::None => None,
                Paging::Offset { .. } => {
                    let at: u64 = position
                        .as_deref()
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(0);
                    (!ended).then(|| (at + count).to_string())
                }
                Paging::PageNumber { first_page, .. } => {
                    let at: u64 = position
                        .as_deref()
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(u64::from(*first_page));
                    (!ended).then(|| (at + 1).to_string())
                }
                Paging::Cursor { cursor_path, .. } => body
                    .pointer(cursor_path)
                    .and_then(text_of)
                    .filter(|c| count > 0 && Some(c) != position.as_ref()),
            };
            page.resume = next.clone();
            deliver(sink, object, page)?;
            match next {
                Some(n) => position = Some(n),
                None => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRYTON: &str = r#"
        [auth]
        header = "Authorization"
        scheme = "Bearer"
        [[objects]]
        object = "person"
        path = "model/party.party"
        query = [["f", "name"], ["o", "W1siaWQiLCJBU0MiXV0="]]
        id = "/id"
        created_at = "/create_date"
        [objects.fields]
        name = "/name"
        email = "/contact_mechanisms/0/value"
        [objects.paging]
        style = "offset"
        limit_param = "s"
        offset_param = "p"
        page_size = 100
    "#;

    #[test]
    fn a_tryton_config_parses_and_bad_ones_name_the_problem() {
        let settings: RestSettings = toml::from_str(TRYTON).unwrap();
        settings.validate().unwrap();
        assert_eq!(settings.objects[0].query[0], ("f".into(), "name".into()));
        let mut bad = settings.clone();
        bad.objects[0].id = "id".into();
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("JSON pointer"), "{err}");
        let mut twice = settings.clone();
        twice.objects.push(settings.objects[0].clone());
        assert!(twice.validate().unwrap_err().to_string().contains("twice"));
        assert!(toml::from_str::<RestSettings>("objects = []\nsurprise = 1").is_err());
    }

    #[test]
    fn typed_values_become_text() {
        let dt = serde_json::json!({"__class__": "datetime", "year": 2026, "month": 11, "day": 22,
            "hour": 16, "minute": 19, "second": 48, "microsecond": 429025});
        assert_eq!(text_of(&dt).as_deref(), Some("2026-11-22T16:19:48.429Z"));
        let dec = serde_json::json!({"__class__": "Decimal", "decimal": "10300.00"});
        assert_eq!(text_of(&dec).as_deref(), Some("10300.00"));
        assert_eq!(text_of(&serde_json::json!("  ")), None);
        assert_eq!(text_of(&serde_json::json!(7)).as_deref(), Some("7"));
    }
}
