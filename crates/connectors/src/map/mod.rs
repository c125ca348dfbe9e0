//! A marketing automation platform with a Marketo-style REST API: client-credentials tokens,
//! leads listed by paging token since a time, errors as HTTP 200 with `success: false`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use steward_domain::{FieldValue, ObjectType, Record, RecordKey, Timestamp};
use tokio::sync::Mutex;
use url::Url;

use crate::connector::{Connector, Context, PageSink, deliver};
use crate::credentials::Secret;
use crate::driver::{HttpDriver, Pacer, Reply, Verdict, default_verdict};
use crate::error::ConnectorError;
use crate::model::{Crosswalk, Page, ReadRequest, RecordProblem, SourceField};

/// Marketo's documented limit: 100 calls per 20 seconds.
const WINDOW: Duration = Duration::from_secs(20);
const WINDOW_MAX: usize = 100;
const BATCH: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MapSettings {
    /// The lead fields to read; also what `describe` reports when the API has no describe.
    pub fields: Vec<String>,
    /// The field holding the CRM's contact id (the crosswalk to the hub).
    pub crm_id_field: Option<String>,
}

impl Default for MapSettings {
    fn default() -> Self {
        Self {
            fields: [
                "email",
                "firstName",
                "lastName",
                "company",
                "title",
                "phone",
                "leadStatus",
                "crmContactId",
            ]
            .map(str::to_owned)
            .to_vec(),
            crm_id_field: Some("crmContactId".into()),
        }
    }
}

impl MapSettings {
    pub fn validate(&self) -> Result<(), ConnectorError> {
        if self.fields.is_empty() {
            return Err(ConnectorError::config(
                "fields: name at least one lead field",
            ));
        }
        if let Some(bad) = self
            .fields
            .iter()
            .find(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(ConnectorError::config(format!(
                "fields: \"{bad}\" is not a lead field name (letters, digits, _)"
            )));
        }
        if let Some(crm) = &self.crm_id_field
            && !self.fields.contains(crm)
        {
            return Err(ConnectorError::config(format!(
                "crm_id_field \"{crm}\" must be one of the fields read"
            )));
        }
        Ok(())
    }
}

pub struct MapConnector {
    ctx: Context,
    base: Url,
    client_id: String,
    client_secret: Secret,
    settings: MapSettings,
    driver: HttpDriver,
    token: Mutex<Option<Secret>>,
}

/// `credential` is `client_id:client_secret`, as stored in the keychain.
pub fn connect(
    ctx: Context,
    base_url: &str,
    credential: &Secret,
    settings: MapSettings,
) -> Result<MapConnector, ConnectorError> {
    settings.validate()?;
    let base =
        Url::parse(base_url).map_err(|e| ConnectorError::config(format!("base URL: {e}")))?;
    let (id, secret) = credential.expose().split_once(':').ok_or_else(|| {
        ConnectorError::config("the stored credential must be client_id:client_secret")
    })?;
    let client_secret =
        Secret::new(secret).map_err(|_| ConnectorError::config("the client secret is empty"))?;
    let driver = HttpDriver::new(
        &ctx.system_name,
        Pacer::new(WINDOW_MAX, WINDOW),
        ctx.cancel.clone(),
    )?;
    Ok(MapConnector {
        ctx,
        base,
        client_id: id.to_owned(),
        client_secret,
        settings,
        driver,
        token: Mutex::new(None),
    })
}

#[derive(Debug, Deserialize)]
struct MarketoError {
    code: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<MarketoError>,
    #[serde(default)]
    result: Vec<Value>,
    next_page_token: Option<String>,
    #[serde(default)]
    more_result: bool,
}

/// Marketo reports a rate limit (606) or too many concurrent calls (615) inside a 200.
fn verdict(reply: &Reply) -> Verdict {
    if reply.status.is_success() {
        let limited = serde_json::from_slice::<Envelope>(&reply.body)
            .map(|e| e.errors.iter().any(|x| x.code == "606" || x.code == "615"))
            .unwrap_or(false);
        if limited {
            return Verdict::RateLimited(None);
        }
    }
    default_verdict(reply)
}

impl MapConnector {
    fn url(&self, path: &str) -> Result<Url, ConnectorError> {
        self.base
            .join(path)
            .map_err(|e| ConnectorError::config(format!("base URL: {e}")))
    }

    async fn fetch_token(&self) -> Result<Secret, ConnectorError> {
        let url = self.url("identity/oauth/token")?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let reply = self
            .driver
            .send(
                "getting an access token",
                // Marketo's documented form: the credentials as query parameters. Errors from
                // the driver never print the URL.
                |c| c.get(url.clone()).query(&form),
                default_verdict,
            )
            .await?;
        if !reply.status.is_success() {
            return Err(ConnectorError::Unauthorized {
                system: self.ctx.system_name.clone(),
                how: format!("HTTP {}", reply.status.as_u16()),
            });
        }
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        let token: Token = reply.json(&self.ctx.system_name, "the token response")?;
        Secret::new(token.access_token).map_err(|_| ConnectorError::Protocol {
            system: self.ctx.system_name.clone(),
            what: "the token response".into(),
            reason: "empty access token".into(),
        })
    }

    /// GETs an API path with the access token, renewing it once when it has expired.
    async fn call(&self, what: &str, url: Url) -> Result<Envelope, ConnectorError> {
        self.call_with(what, url, None).await
    }

    /// GETs (or with a body, POSTs) an API path with the access token, renewing it once
    /// when it has expired.
    async fn call_with(
        &self,
        what: &str,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Envelope, ConnectorError> {
        let mut renewed = false;
        loop {
            let token = {
                let mut slot = self.token.lock().await;
                if slot.is_none() || renewed {
                    *slot = Some(self.fetch_token().await?);
                }
                slot.as_ref()
                    .map(|t| t.expose().to_owned())
                    .unwrap_or_default()
            };
            let reply = self
                .driver
                .send(
                    what,
                    |c| match body {
                        Some(body) => c.post(url.clone()).bearer_auth(&token).json(body),
                        None => c.get(url.clone()).bearer_auth(&token),
                    },
                    verdict,
                )
                .await?;
            if !reply.status.is_success() {
                return Err(ConnectorError::Http {
                    system: self.ctx.system_name.clone(),
                    status: reply.status.as_u16(),
                    what: what.to_owned(),
                    message: "unexpected status".into(),
                });
            }
            let envelope: Envelope = reply.json(&self.ctx.system_name, what)?;
            if envelope.success {
                return Ok(envelope);
            }
            let codes: Vec<&str> = envelope.errors.iter().map(|e| e.code.as_str()).collect();
            // 601 invalid token, 602 expired token: get a new one and try once more.
            let token_refused = codes.iter().any(|c| *c == "601" || *c == "602");
            if token_refused && !renewed {
                renewed = true;
                continue;
            }
            if token_refused {
                return Err(ConnectorError::Unauthorized {
                    system: self.ctx.system_name.clone(),
                    how: "a freshly issued access token was refused".into(),
                });
            }
            return Err(ConnectorError::Http {
                system: self.ctx.system_name.clone(),
                status: reply.status.as_u16(),
                what: what.to_owned(),
                message: format!("error code {}", codes.join(", ")),
            });
        }
    }

    async fn paging_token(&self, since: Timestamp) -> Result<String, ConnectorError> {
        let mut url = self.url("rest/v1/activities/pagingtoken.json")?;
        url.query_pairs_mut()
            .append_pair("sinceDatetime", &since.to_rfc3339());
        let envelope = self.call("getting a paging token", url).await?;
        envelope
            .next_page_token
            .ok_or_else(|| ConnectorError::Protocol {
                system: self.ctx.system_name.clone(),
                what: "the paging token".into(),
                reason: "no nextPageToken".into(),
            })
    }

    fn to_record(&self, lead: &Value) -> Result<Record, RecordProblem> {
        let id = match lead.get("id") {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => {
                return Err(RecordProblem {
                    object: ObjectType::Person,
                    locator: "a lead".into(),
                    field: Some("id".into()),
                    reason: "the lead has no id".into(),
                    record_kept: false,
                });
            }
        };
        let instant = |name: &str| {
            lead.get(name)
                .and_then(Value::as_str)
                .and_then(|t| Timestamp::parse_rfc3339(t).ok())
        };
        let updated_at = instant("updatedAt");
        let mut fields = BTreeMap::new();
        for name in &self.settings.fields {
            let value = match lead.get(name) {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => continue,
            };
            // Marketo keeps one update time per lead, not per field.
            fields.insert(name.clone(), FieldValue::new(value, None));
        }
        Ok(Record {
            key: RecordKey {
                system_id: self.ctx.system_id,
                object: ObjectType::Person,
                external_id: id,
            },
            created_at: instant("createdAt"),
            updated_at,
            archived: false,
            fields,
            associations: BTreeSet::new(),
        })
    }
}

#[async_trait]
impl Connector for MapConnector {
    fn objects(&self) -> Vec<ObjectType> {
        vec![ObjectType::Person]
    }

    fn crosswalks(&self) -> Vec<Crosswalk> {
        self.settings
            .crm_id_field
            .iter()
            .map(|f| Crosswalk {
                object: ObjectType::Person,
                field: f.clone(),
            })
            .collect()
    }

    fn incremental(&self) -> bool {
        true
    }

    fn api_calls(&self) -> u64 {
        self.driver.calls()
    }

    async fn healthcheck(&self) -> Result<(), ConnectorError> {
        self.paging_token(Timestamp::from_millis(0))
            .await
            .map(|_| ())
    }

    async fn describe(&self, _object: ObjectType) -> Result<Vec<SourceField>, ConnectorError> {
        let url = self.url("rest/v1/leads/describe.json")?;
        let envelope = self.call("describing leads", url).await?;
        let described: BTreeMap<String, SourceField> = envelope
            .result
            .iter()
            .filter_map(|f| {
                let name = f.pointer("/rest/name")?.as_str()?.to_owned();
                Some((
                    name.clone(),
                    SourceField {
                        label: f
                            .get("displayName")
                            .and_then(Value::as_str)
                            .unwrap_or(&name)
                            .to_owned(),
                        value_type: f
                            .get("dataType")
                            .and_then(Value::as_str)
                            .unwrap_or("string")
                            .to_owned(),
                        read_only: f
                            .pointer("/rest/readOnly")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        name,
                    },
                ))
            })
            .collect();
        // Report the fields read, typed from the describe where it knows them.
        Ok(self
            .settings
            .fields
            .iter()
            .map(|f| {
                described
                    .get(f)
                    .cloned()
                    .unwrap_or_else(|| SourceField::text(f))
            })
            .collect())
    }

    fn writable(&self) -> bool {
        true
    }

    fn prober(&self) -> Option<&dyn crate::connector::Prober> {
        Some(self)
    }

    async fn read_values(
        &self,
        _object: ObjectType,
        external_id: &str,
        fields: &[String],
    ) -> Result<Option<BTreeMap<String, String>>, ConnectorError> {
        let mut url = self.url("rest/v1/leads.json")?;
        url.query_pairs_mut()
            .append_pair("filterType", "id")
            .append_pair("filterValues", external_id)
            .append_pair("fields", &fields.join(","));
        let envelope = self.call("reading one lead", url).await?;
        Ok(envelope.result.first().map(|lead| {
            fields
                .iter()
                .filter_map(|name| {
                    let value = match lead.get(name)? {
                        Value::String(s) if !s.is_empty() => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((name.clone(), value))
                })
                .collect()
        }))
    }

    async fn write_values(
        &self,
        _object: ObjectType,
        external_id: &str,
        values: &BTreeMap<String, String>,
    ) -> Result<(), ConnectorError> {
        let id: u64 = external_id
            .parse()
            .map_err(|_| ConnectorError::config(format!("\"{external_id}\" is not a lead id")))?;
        let mut input = serde_json::Map::new();
        input.insert("id".into(), Value::from(id));
        for (name, value) in values {
            input.insert(name.clone(), Value::String(value.clone()));
        }
        let body = serde_json::json!({
            "action": "updateOnly",
            "lookupField": "id",
            "input": [Value::Object(input)],
        });
        let url = self.url("rest/v1/leads.json")?;
        let envelope = self
            .call_with("updating one lead", url, Some(&body))
            .await?;
        let first = envelope.result.first();
        match first.and_then(|r| r.get("status")).and_then(Value::as_str) {
            Some("updated") => Ok(()),
            _ => Err(ConnectorError::Refused {
                system: self.ctx.system_name.clone(),
                what: format!("lead {external_id}"),
                reason: first
                    .and_then(|r| r.pointer("/reasons/0/code"))
                    .and_then(Value::as_str)
                    .map_or_else(
                        || "no reason given".into(),
                        |code| format!("error code {code}"),
                    ),
            }),
        }
    }

    async fn read(
        &self,
        object: ObjectType,
        request: &ReadRequest,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        let mut token = match &request.resume {
            Some(token) => token.clone(),
            None => {
                self.paging_token(request.since.unwrap_or(Timestamp::from_millis(0)))
                    .await?
            }
        };
        let mut fields = self.settings.fields.clone();
        fields.extend(["createdAt".to_owned(), "updatedAt".to_owned()]);
        let fields = fields.join(",");
        loop {
            self.ctx.check_cancelled()?;
            let mut url = self.url("rest/v1/leads.json")?;
            url.query_pairs_mut()
                .append_pair("nextPageToken", &token)
                .append_pair("batchSize", &BATCH.to_string())
                .append_pair("fields", &fields);
            let envelope = self.call("listing leads", url).await?;
            let mut page = Page::default();
            for lead in &envelope.result {
                match self.to_record(lead) {
                    Ok(r) => page.records.push(r),
                    Err(p) => page.problems.push(p),
                }
            }
            let next = envelope.next_page_token.clone();
            page.resume = next.clone();
            deliver(sink, object, page)?;
            match next {
                Some(next) if envelope.more_result && next != token => token = next,
                _ => return Ok(()),
            }
        }
    }
}

/// The marketing platform's side of a write-back probe: the test lead is created here
/// (`createOnly` by e-mail, so a retried call cannot make two), found by e-mail and
/// deleted afterwards.
#[async_trait]
impl crate::connector::Prober for MapConnector {
    async fn create_test_person(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<String, ConnectorError> {
        let input: serde_json::Map<String, Value> = values
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let body = serde_json::json!({
            "action": "createOnly",
            "lookupField": "email",
            "input": [Value::Object(input)],
        });
        let url = self.url("rest/v1/leads.json")?;
        let envelope = self
            .call_with("creating a probe's test lead", url, Some(&body))
            .await?;
        let first = envelope.result.first();
        if let Some(id) = first.and_then(|r| r.get("id")).and_then(Value::as_u64) {
            return Ok(id.to_string());
        }
        Err(ConnectorError::Refused {
            system: self.ctx.system_name.clone(),
            what: "the probe's test lead".into(),
            reason: first
                .and_then(|r| r.pointer("/reasons/0/message"))
                .and_then(Value::as_str)
                .unwrap_or("no reason given")
                .to_owned(),
        })
    }

    async fn find_people(&self, field: &str, value: &str) -> Result<Vec<String>, ConnectorError> {
        let mut url = self.url("rest/v1/leads.json")?;
        url.query_pairs_mut()
            .append_pair("filterType", field)
            .append_pair("filterValues", value)
            .append_pair("fields", "id");
        let envelope = self.call("looking for a probe's test lead", url).await?;
        Ok(envelope
            .result
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_u64))
            .map(|id| id.to_string())
            .collect())
    }

    async fn delete_person(&self, id: &str) -> Result<bool, ConnectorError> {
        let id: u64 = id
            .parse()
            .map_err(|_| ConnectorError::config(format!("\"{id}\" is not a lead id")))?;
        let body = serde_json::json!({"input": [{"id": id}]});
        let url = self.url("rest/v1/leads/delete.json")?;
        let envelope = self
            .call_with("removing a probe's test lead", url, Some(&body))
            .await?;
        Ok(envelope
            .result
            .first()
            .and_then(|r| r.get("status"))
            .and_then(Value::as_str)
            == Some("deleted"))
    }
}
