//! HubSpot CRM v3: contacts, companies, contact→company associations and the properties
//! catalog. Full reads list every record (live, then archived) with each property's history,
//! which gives per-field modification times; incremental reads search by last-modified and
//! batch-read what changed.

mod merge;
mod probe;
mod wire;

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use steward_domain::{ObjectType, Timestamp};
use url::Url;

use crate::connector::{Connector, Context, PageSink, deliver};
use crate::credentials::Secret;
use crate::driver::{HttpDriver, Pacer, RateHeaders, Reply, Verdict};
use crate::error::ConnectorError;
use crate::model::{ReadRequest, SourceField};

/// A page of a list with property history (HubSpot allows 50 then, 100 without).
const LIST_PAGE: usize = 50;
const SEARCH_PAGE: usize = 200;
/// HubSpot's search answers at most this many results per query.
const SEARCH_CAP: usize = 10_000;
const BATCH_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubspotSettings {
    /// Read each property's history for per-field modification times (halves the page
    /// size; drift detection needs it).
    pub with_history: bool,
    /// Requests per 10 s before the server has announced its tier (Starter/free: 100).
    pub initial_rate_per_10s: usize,
    /// A listing names every property in its URL (twice, with history). A portal with
    /// hundreds of properties would pass URL limits, so past this length the listing asks
    /// for ids only and the properties come from batch reads (POST bodies).
    pub max_url_bytes: usize,
}

impl Default for HubspotSettings {
    fn default() -> Self {
        Self {
            with_history: true,
            initial_rate_per_10s: 100,
            max_url_bytes: 6_000,
        }
    }
}

impl HubspotSettings {
    pub fn validate(&self) -> Result<(), ConnectorError> {
        if !(1..=1_000).contains(&self.initial_rate_per_10s) {
            return Err(ConnectorError::config(
                "initial_rate_per_10s must be between 1 and 1000",
            ));
        }
        if self.max_url_bytes < 100 {
            return Err(ConnectorError::config("max_url_bytes must be at least 100"));
        }
        Ok(())
    }
}

pub struct HubspotConnector {
    ctx: Context,
    base: Url,
    token: Secret,
    settings: HubspotSettings,
    driver: HttpDriver,
    /// Search has its own limit (5 requests per second per account).
    search_pacer: Pacer,
    properties: Mutex<HashMap<ObjectType, Vec<String>>>,
}

pub fn connect(
    ctx: Context,
    base_url: &str,
    token: Secret,
    settings: HubspotSettings,
) -> Result<HubspotConnector, ConnectorError> {
    settings.validate()?;
    let base =
        Url::parse(base_url).map_err(|e| ConnectorError::config(format!("base URL: {e}")))?;
    let driver = HttpDriver::new(
        &ctx.system_name,
        Pacer::new(settings.initial_rate_per_10s, Duration::from_secs(10)),
        ctx.cancel.clone(),
    )?
    .with_rate_headers(RateHeaders {
        max: "x-hubspot-ratelimit-max",
        remaining: "x-hubspot-ratelimit-remaining",
        interval_ms: "x-hubspot-ratelimit-interval-milliseconds",
    });
    Ok(HubspotConnector {
        ctx,
        base,
        token,
        settings,
        driver,
        search_pacer: Pacer::new(4, Duration::from_secs(1)),
        properties: Mutex::new(HashMap::new()),
    })
}

fn segment(object: ObjectType) -> &'static str {
    match object {
        ObjectType::Person => "contacts",
        ObjectType::Company => "companies",
    }
}

/// A record id as one path segment: digits only, as HubSpot's ids are.
fn id_segment(id: &str) -> Result<&str, ConnectorError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(ConnectorError::config(format!(
            "\"{id}\" is not a HubSpot record id"
        )))
    }
}

/// The property HubSpot stamps on every change (contacts kept the old name).
fn modified_property(object: ObjectType) -> &'static str {
    match object {
        ObjectType::Person => "lastmodifieddate",
        ObjectType::Company => "hs_lastmodifieddate",
    }
}

/// Where a read stands, stored as the page's resume token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "phase", rename_all = "snake_case")]
enum Cursor {
    /// Listing live records, after this id.
    Live { after: Option<String> },
    /// Listing archived records, after this id.
    Archived { after: Option<String> },
    /// Incremental: records modified at or after `since` (ms).
    Changed { since: i64 },
}

impl HubspotConnector {
    fn url(&self, path: &str) -> Result<Url, ConnectorError> {
        self.base
            .join(path)
            .map_err(|e| ConnectorError::config(format!("base URL: {e}")))
    }

    fn check(&self, reply: &Reply, what: &str) -> Result<(), ConnectorError> {
        let status = reply.status.as_u16();
        match status {
            200..=299 => Ok(()),
            401 | 403 => Err(ConnectorError::Unauthorized {
                system: self.ctx.system_name.clone(),
                how: format!("HTTP {status}"),
            }),
            _ => Err(ConnectorError::Http {
                system: self.ctx.system_name.clone(),
                status,
                what: what.to_owned(),
                message: wire::error_message(&reply.body),
            }),
        }
    }

    async fn get(&self, what: &str, url: Url) -> Result<Reply, ConnectorError> {
        let reply = self
            .driver
            .send(
                what,
                |c| c.get(url.clone()).bearer_auth(self.token.expose()),
                crate::driver::default_verdict,
            )
            .await?;
        self.check(&reply, what)?;
        Ok(reply)
    }

    async fn post(
        &self,
        what: &str,
        url: Url,
        body: &serde_json::Value,
        search: bool,
    ) -> Result<Reply, ConnectorError> {
        if search && !self.search_pacer.acquire(&self.ctx.cancel).await {
            return Err(ConnectorError::Cancelled);
        }
        let reply = self
            .driver
            .send(
                what,
                |c| {
                    c.post(url.clone())
                        .bearer_auth(self.token.expose())
                        .json(body)
                },
                |r: &Reply| match crate::driver::default_verdict(r) {
                    // 207 is a batch's partial success: the caller reads which inputs failed.
                    Verdict::Done => Verdict::Done,
                    other => other,
                },
            )
            .await?;
        self.check(&reply, what)?;
        Ok(reply)
    }

    /// Every property name of an object (cached for the connector's life).
    async fn property_names(&self, object: ObjectType) -> Result<Vec<String>, ConnectorError> {
        if let Some(names) = self
            .properties
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&object)
        {
            return Ok(names.clone());
        }
        let names: Vec<String> = self
            .describe(object)
            .await?
            .into_iter()
            .map(|f| f.name)
            .collect();
        self.properties
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(object, names.clone());
        Ok(names)
    }

    fn listing_url(
        &self,
        object: ObjectType,
        archived: bool,
        after: Option<&str>,
        names: Option<&str>,
    ) -> Result<Url, ConnectorError> {
        let mut url = self.url(&format!("crm/v3/objects/{}", segment(object)))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("archived", if archived { "true" } else { "false" });
            match names {
                Some(names) => {
                    q.append_pair("properties", names);
                    if self.settings.with_history {
                        q.append_pair("limit", &LIST_PAGE.to_string());
                        q.append_pair("propertiesWithHistory", names);
                    } else {
                        q.append_pair("limit", "100");
                    }
                }
                None => {
                    q.append_pair("properties", "hs_object_id");
                    q.append_pair("limit", "100");
                }
            }
            if object == ObjectType::Person && !archived {
                q.append_pair("associations", "companies");
            }
            if let Some(after) = after {
                q.append_pair("after", after);
            }
        }
        Ok(url)
    }

    /// Inputs per batch read: HubSpot pages reads with property history at 50.
    fn batch_size(&self) -> usize {
        if self.settings.with_history {
            LIST_PAGE
        } else {
            BATCH_MAX
        }
    }

    /// Sets each contact's company associations from the v4 associations batch read.
    async fn attach_companies(&self, contacts: &mut [wire::Object]) -> Result<(), ConnectorError> {
        let what = "reading contact→company associations";
        let url = self.url("crm/v4/associations/contacts/companies/batch/read")?;
        let mut companies: HashMap<String, Vec<wire::AssociationRef>> = HashMap::new();
        let ids: Vec<String> = contacts.iter().map(|o| o.id.clone()).collect();
        for chunk in ids.chunks(BATCH_MAX) {
            let body =
                json!({ "inputs": chunk.iter().map(|id| json!({"id": id})).collect::<Vec<_>>() });
            let reply = self.post(what, url.clone(), &body, false).await?;
            let read: wire::AssociationBatch = reply.json(&self.ctx.system_name, what)?;
            for result in read.results {
                companies.entry(result.from.id).or_default().extend(
                    result.to.into_iter().filter_map(|t| {
                        wire::id_text(&t.to_object_id).map(|id| wire::AssociationRef { id })
                    }),
                );
            }
        }
        for contact in contacts {
            let results = companies.remove(&contact.id).unwrap_or_default();
            contact.associations = [("companies".to_owned(), wire::AssociationList { results })]
                .into_iter()
                .collect();
        }
        Ok(())
    }

    /// One page of a listing with every property. When naming them all would make the URL
    /// too long, lists ids (and associations) and batch-reads the properties.
    async fn list_page(
        &self,
        object: ObjectType,
        archived: bool,
        after: Option<&str>,
        names: &[String],
    ) -> Result<wire::ListPage, ConnectorError> {
        let what = format!("listing {}", segment(object));
        let joined = names.join(",");
        let url = self.listing_url(object, archived, after, Some(&joined))?;
        if url.as_str().len() <= self.settings.max_url_bytes {
            return self
                .get(&what, url)
                .await?
                .json(&self.ctx.system_name, &what);
        }
        let url = self.listing_url(object, archived, after, None)?;
        let listed: wire::ListPage = self
            .get(&what, url)
            .await?
            .json(&self.ctx.system_name, &what)?;
        let ids: Vec<String> = listed.results.iter().map(|o| o.id.clone()).collect();
        let mut read = HashMap::new();
        for ids in ids.chunks(self.batch_size()) {
            for o in self.batch_read(object, ids, names, archived).await? {
                read.insert(o.id.clone(), o);
            }
        }
        // In listing order, with the listing's associations; a record gone between the two
        // calls is left out (a full sync then removes it as unseen).
        let results = listed
            .results
            .into_iter()
            .filter_map(|listed| {
                read.remove(&listed.id).map(|mut o| {
                    o.associations = listed.associations;
                    o
                })
            })
            .collect();
        Ok(wire::ListPage {
            results,
            paging: listed.paging,
        })
    }

    async fn read_listing(
        &self,
        object: ObjectType,
        start: Cursor,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        let names = self.property_names(object).await?;
        let mut cursor = start;
        loop {
            self.ctx.check_cancelled()?;
            let (archived, after) = match &cursor {
                Cursor::Live { after } => (false, after.clone()),
                Cursor::Archived { after } => (true, after.clone()),
                Cursor::Changed { .. } => return Ok(()),
            };
            let page = self
                .list_page(object, archived, after.as_deref(), &names)
                .await?;
            let next = page.paging.and_then(|p| p.next).map(|n| n.after);
            cursor = match (archived, next) {
                (false, Some(after)) => Cursor::Live { after: Some(after) },
                (false, None) => Cursor::Archived { after: None },
                (true, Some(after)) => Cursor::Archived { after: Some(after) },
                (true, None) => {
                    let out = wire::to_page(&self.ctx, object, page.results, None);
                    deliver(sink, object, out)?;
                    return Ok(());
                }
            };
            let resume = serde_json::to_string(&cursor).ok();
            let out = wire::to_page(&self.ctx, object, page.results, resume);
            deliver(sink, object, out)?;
        }
    }

    async fn search_ids(
        &self,
        object: ObjectType,
        since: i64,
        after: usize,
    ) -> Result<wire::SearchPage, ConnectorError> {
        let modified = modified_property(object);
        let body = json!({
            "filterGroups": [{"filters": [{
                "propertyName": modified,
                "operator": "GTE",
                "value": Timestamp::from_millis(since).to_rfc3339(),
            }]}],
            "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
            "properties": [modified],
            "limit": SEARCH_PAGE,
            "after": after.to_string(),
        });
        let what = format!("searching changed {}", segment(object));
        let url = self.url(&format!("crm/v3/objects/{}/search", segment(object)))?;
        let reply = self.post(&what, url, &body, true).await?;
        reply.json(&self.ctx.system_name, &what)
    }

    async fn batch_read(
        &self,
        object: ObjectType,
        ids: &[String],
        names: &[String],
        archived: bool,
    ) -> Result<Vec<wire::Object>, ConnectorError> {
        let mut body = json!({
            "inputs": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
            "properties": names,
        });
        if self.settings.with_history {
            body["propertiesWithHistory"] = json!(names);
        }
        let what = format!("reading changed {}", segment(object));
        let mut url = self.url(&format!("crm/v3/objects/{}/batch/read", segment(object)))?;
        url.query_pairs_mut()
            .append_pair("archived", if archived { "true" } else { "false" });
        let reply = self.post(&what, url, &body, false).await?;
        let batch: wire::Batch = reply.json(&self.ctx.system_name, &what)?;
        Ok(batch.results)
    }

    /// Incremental: search ids modified since, oldest first, batch-read them.
    ///
    /// Pages go by time, not by offset: each query starts at the newest modification time
    /// read so far, skipping the ids already read at that instant. An offset into a list
    /// sorted by modification time would skip a record for good when another one is edited
    /// mid-read (it moves to the end and everything after it shifts left). This also keeps
    /// every query far from HubSpot's 10,000-result cap, except when more records than that
    /// share one millisecond.
    async fn read_changed(
        &self,
        object: ObjectType,
        mut since: i64,
        known: &BTreeSet<String>,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        let names = self.property_names(object).await?;
        let modified = modified_property(object);
        // Ids read at exactly `since`: at the start, those the last sync already holds.
        let mut read_at_since: BTreeSet<String> = known.clone();
        let mut after = 0;
        loop {
            self.ctx.check_cancelled()?;
            if after >= SEARCH_CAP {
                return Err(ConnectorError::Protocol {
                    system: self.ctx.system_name.clone(),
                    what: "searching changed records".into(),
                    reason: "more than 10,000 records share one modification time".into(),
                });
            }
            let found = self.search_ids(object, since, after).await?;
            let full_page = found.results.len() >= SEARCH_PAGE;
            let newest = found
                .results
                .iter()
                .filter_map(|o| o.modified(modified))
                .max()
                .unwrap_or(since);
            let mut at_newest = BTreeSet::new();
            let mut ids = Vec::with_capacity(found.results.len());
            for o in found.results {
                let at = o.modified(modified);
                if at == Some(since) && read_at_since.contains(&o.id) {
                    continue;
                }
                if at == Some(newest) {
                    at_newest.insert(o.id.clone());
                }
                ids.push(o.id);
            }
            let mut objects = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(self.batch_size()) {
                objects.extend(self.batch_read(object, chunk, &names, false).await?);
            }
            // A batch read carries no associations: a contact's companies come from the
            // associations API, so a new or re-assigned contact is linked like in a listing.
            let with_associations = object == ObjectType::Person;
            if with_associations {
                self.attach_companies(&mut objects).await?;
            }
            let resume = serde_json::to_string(&Cursor::Changed { since: newest }).ok();
            let mut page = wire::to_page(&self.ctx, object, objects, resume);
            page.associations_omitted = !with_associations;
            deliver(sink, object, page)?;
            if !full_page {
                return Ok(());
            }
            if newest > since {
                since = newest;
                read_at_since = at_newest;
                after = 0;
            } else {
                // A whole page at one instant: go through that instant by offset.
                read_at_since.extend(at_newest);
                after += SEARCH_PAGE;
            }
        }
    }
}

/// Chooses the starting point of a read from the request.
fn start_cursor(request: &ReadRequest) -> Result<Cursor, ConnectorError> {
    if let Some(token) = &request.resume {
        return serde_json::from_str(token).map_err(|_| {
            ConnectorError::config(
                "the stored resume point is not a HubSpot cursor; run a full sync",
            )
        });
    }
    Ok(match request.since {
        Some(since) => Cursor::Changed {
            since: since.millis(),
        },
        None => Cursor::Live { after: None },
    })
}

#[async_trait]
impl Connector for HubspotConnector {
    fn objects(&self) -> Vec<ObjectType> {
        // Companies first, so a contact's associations point at records already read.
        vec![ObjectType::Company, ObjectType::Person]
    }

    fn incremental(&self) -> bool {
        true
    }

    fn api_calls(&self) -> u64 {
        self.driver.calls()
    }

    async fn healthcheck(&self) -> Result<(), ConnectorError> {
        let mut url = self.url("crm/v3/objects/contacts")?;
        url.query_pairs_mut().append_pair("limit", "1");
        self.get("checking the connection", url).await.map(|_| ())
    }

    async fn describe(&self, object: ObjectType) -> Result<Vec<SourceField>, ConnectorError> {
        let what = format!("reading the {} properties", segment(object));
        let url = self.url(&format!("crm/v3/properties/{}", segment(object)))?;
        let reply = self.get(&what, url).await?;
        let catalog: wire::Properties = reply.json(&self.ctx.system_name, &what)?;
        Ok(catalog.into_fields())
    }

    async fn count(
        &self,
        object: ObjectType,
        since: Option<Timestamp>,
    ) -> Result<Option<u64>, ConnectorError> {
        let modified = modified_property(object);
        let filters = since.map_or_else(Vec::new, |since| {
            vec![json!({"filters": [{"propertyName": modified, "operator": "GTE", "value": since.to_rfc3339()}]})]
        });
        let body = json!({"filterGroups": filters, "properties": [modified], "limit": 1});
        let what = format!("counting {}", segment(object));
        let url = self.url(&format!("crm/v3/objects/{}/search", segment(object)))?;
        let reply = self.post(&what, url, &body, true).await?;
        let found: wire::SearchPage = reply.json(&self.ctx.system_name, &what)?;
        Ok(Some(found.total as u64))
    }

    fn writable(&self) -> bool {
        true
    }

    fn merger(&self) -> Option<&dyn crate::connector::Merger> {
        Some(self)
    }

    fn prober(&self) -> Option<&dyn crate::connector::Prober> {
        Some(self)
    }

    async fn read_values(
        &self,
        object: ObjectType,
        external_id: &str,
        fields: &[String],
    ) -> Result<Option<std::collections::BTreeMap<String, String>>, ConnectorError> {
        let what = format!("reading one of the {}", segment(object));
        let mut url = self.url(&format!(
            "crm/v3/objects/{}/{}",
            segment(object),
            id_segment(external_id)?
        ))?;
        url.query_pairs_mut()
            .append_pair("properties", &fields.join(","));
        let reply = match self.get(&what, url).await {
            Ok(reply) => reply,
            Err(ConnectorError::Http { status: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let object: wire::Object = reply.json(&self.ctx.system_name, &what)?;
        Ok(Some(
            object
                .properties
                .into_iter()
                .filter(|(name, _)| fields.contains(name))
                .filter_map(|(name, value)| Some((name, value.filter(|v| !v.is_empty())?)))
                .collect(),
        ))
    }

    async fn write_values(
        &self,
        object: ObjectType,
        external_id: &str,
        values: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), ConnectorError> {
        let what = format!("updating one of the {}", segment(object));
        let body = json!({"inputs": [{"id": external_id, "properties": values}]});
        let url = self.url(&format!("crm/v3/objects/{}/batch/update", segment(object)))?;
        let reply = self.post(&what, url, &body, false).await?;
        let result: wire::BatchWrite = reply.json(&self.ctx.system_name, &what)?;
        if let Some(error) = result.errors.first() {
            return Err(ConnectorError::Refused {
                system: self.ctx.system_name.clone(),
                what: format!("record {external_id}"),
                reason: error
                    .category
                    .clone()
                    .unwrap_or_else(|| "no reason given".into()),
            });
        }
        if !result.results.iter().any(|r| r.id == external_id) {
            return Err(ConnectorError::Refused {
                system: self.ctx.system_name.clone(),
                what: format!("record {external_id}"),
                reason: "the update named no result for it".into(),
            });
        }
        Ok(())
    }

    async fn read(
        &self,
        object: ObjectType,
        request: &ReadRequest,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        match start_cursor(request)? {
            Cursor::Changed { since } => {
                self.read_changed(object, since, &request.known_at_since, sink)
                    .await
            }
            listing => self.read_listing(object, listing, sink).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_tokens_are_refused() {
        for cursor in [
            Cursor::Live { after: None },
            Cursor::Archived {
                after: Some("42".into()),
            },
            Cursor::Changed { since: 7 },
        ] {
            let token = serde_json::to_string(&cursor).unwrap();
            let request = ReadRequest {
                since: None,
                resume: Some(token),
                ..ReadRequest::default()
            };
            assert_eq!(start_cursor(&request).unwrap(), cursor);
        }
        let foreign = ReadRequest {
            since: None,
            resume: Some("abc.def".into()),
            ..ReadRequest::default()
        };
        assert!(start_cursor(&foreign).is_err());
    }
}
