//! HubSpot's merge path: backups through batch reads with every property's history and the
//! v4 associations, `POST …/merge` sent once (never retried blind), where an id stands now
//! (a merged id answers with the record that absorbed it), batch updates of the surviving
//! values, and recreating a record from its backup.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use serde_json::json;
use steward_domain::{MergeApi, ObjectType};

use super::{BATCH_MAX, HubspotConnector, id_segment, segment, wire};
use crate::connector::{BackupVersion, Connector, Merger, RecordBackup, Whereabouts};
use crate::driver::default_verdict;
use crate::error::ConnectorError;

/// HubSpot's default contact→company association type.
const CONTACT_TO_COMPANY: u32 = 1;

impl HubspotConnector {
    fn to_backup(o: wire::Object) -> RecordBackup {
        let merged_ids = o
            .properties
            .get("hs_merged_object_ids")
            .cloned()
            .flatten()
            .map(|ids| {
                ids.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        RecordBackup {
            id: o.id,
            created_at: o.created_at,
            updated_at: o.updated_at,
            properties: o
                .properties
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.filter(|v| !v.is_empty())?)))
                .collect(),
            history: o
                .properties_with_history
                .into_iter()
                .map(|(k, versions)| {
                    let versions = versions
                        .into_iter()
                        .map(|v| BackupVersion {
                            value: v.value.unwrap_or_default(),
                            at: v.timestamp,
                            source: v.source_type,
                        })
                        .collect();
                    (k, versions)
                })
                .collect(),
            associations: o
                .associations
                .into_iter()
                .map(|(k, list)| (k, list.results.into_iter().map(|r| r.id).collect()))
                .collect(),
            merged_ids,
        }
    }
}

#[async_trait]
impl Merger for HubspotConnector {
    fn merge_api(&self) -> MergeApi {
        MergeApi::HubSpot
    }

    async fn backup_records(
        &self,
        object: ObjectType,
        ids: &[String],
    ) -> Result<Vec<RecordBackup>, ConnectorError> {
        let names = self.property_names(object).await?;
        let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let mut objects = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_MAX) {
            let body = json!({
                "inputs": chunk.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
                "properties": names,
                "propertiesWithHistory": names,
            });
            let what = format!("backing up {}", segment(object));
            let mut url = self.url(&format!("crm/v3/objects/{}/batch/read", segment(object)))?;
            url.query_pairs_mut().append_pair("archived", "false");
            let reply = self.post(&what, url, &body, false).await?;
            let batch: wire::Batch = reply.json(&self.ctx.system_name, &what)?;
            // A merged id answers with its survivor's id: that is not this record's state.
            objects.extend(
                batch
                    .results
                    .into_iter()
                    .filter(|o| wanted.contains(o.id.as_str())),
            );
        }
        if object == ObjectType::Person {
            self.attach_companies(&mut objects).await?;
        }
        let mut seen = BTreeSet::new();
        Ok(objects
            .into_iter()
            .filter(|o| seen.insert(o.id.clone()))
            .map(Self::to_backup)
            .collect())
    }

    async fn merge(
        &self,
        object: ObjectType,
        survivor: &str,
        absorbed: &[String],
    ) -> Result<Option<String>, ConnectorError> {
        let [absorbed] = absorbed else {
            return Err(ConnectorError::config(
                "HubSpot merges one record into another per call",
            ));
        };
        let what = format!("merging two {}", segment(object));
        let url = self.url(&format!("crm/v3/objects/{}/merge", segment(object)))?;
        let body = json!({"primaryObjectId": id_segment(survivor)?, "objectIdToMerge": id_segment(absorbed)?});
        let reply = self
            .driver
            .send_once(
                &what,
                |c| {
                    c.post(url.clone())
                        .bearer_auth(self.token.expose())
                        .json(&body)
                },
                default_verdict,
            )
            .await?;
        self.check(&reply, &what)?;
        // The merged record; its id is the survivor's (an unreadable body says nothing).
        Ok(serde_json::from_slice::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|body| body.get("id").and_then(wire::id_text)))
    }

    async fn whereabouts(
        &self,
        object: ObjectType,
        id: &str,
    ) -> Result<Whereabouts, ConnectorError> {
        let what = format!("looking up one of the {}", segment(object));
        let mut url = self.url(&format!(
            "crm/v3/objects/{}/{}",
            segment(object),
            id_segment(id)?
        ))?;
        url.query_pairs_mut()
            .append_pair("properties", "hs_object_id");
        let reply = match self.get(&what, url).await {
            Ok(reply) => reply,
            Err(ConnectorError::Http { status: 404, .. }) => return Ok(Whereabouts::Gone),
            Err(e) => return Err(e),
        };
        let found: wire::Object = reply.json(&self.ctx.system_name, &what)?;
        Ok(if found.archived {
            Whereabouts::Gone
        } else if found.id == id {
            Whereabouts::Live
        } else {
            Whereabouts::MergedInto(found.id)
        })
    }

    async fn write_many(
        &self,
        object: ObjectType,
        writes: &[(String, BTreeMap<String, String>)],
    ) -> Result<Vec<Option<String>>, ConnectorError> {
        let mut out = Vec::with_capacity(writes.len());
        let url = self.url(&format!("crm/v3/objects/{}/batch/update", segment(object)))?;
        for chunk in writes.chunks(BATCH_MAX) {
            let what = format!("updating {}", segment(object));
            let body = json!({"inputs": chunk
                .iter()
                .map(|(id, values)| json!({"id": id, "properties": values}))
                .collect::<Vec<_>>()});
            match self.post(&what, url.clone(), &body, false).await {
                Ok(reply) => {
                    let result: wire::BatchWrite = reply.json(&self.ctx.system_name, &what)?;
                    let written: BTreeSet<&str> =
                        result.results.iter().map(|r| r.id.as_str()).collect();
                    out.extend(chunk.iter().map(|(id, _)| {
                        (!written.contains(id.as_str()))
                            .then(|| "HubSpot did not confirm the update".to_owned())
                    }));
                }
                // One refused input fails the whole batch (a taken address, a bad option):
                // write them one by one to say which.
                Err(ConnectorError::Http { status, .. }) if chunk.len() > 1 && status < 500 => {
                    for (id, values) in chunk {
                        out.push(match self.write_values(object, id, values).await {
                            Ok(()) => None,
                            Err(
                                e @ (ConnectorError::Http { .. } | ConnectorError::Refused { .. }),
                            ) => Some(e.to_string()),
                            Err(e) => return Err(e),
                        });
                    }
                }
                Err(ConnectorError::Http { message, .. }) if chunk.len() == 1 => {
                    out.push(Some(message));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    async fn property_options(
        &self,
        object: ObjectType,
    ) -> Result<BTreeMap<String, Vec<String>>, ConnectorError> {
        let what = format!("reading the {} properties", segment(object));
        let url = self.url(&format!("crm/v3/properties/{}", segment(object)))?;
        let reply = self.get(&what, url).await?;
        let catalog: wire::Properties = reply.json(&self.ctx.system_name, &what)?;
        Ok(catalog
            .results
            .into_iter()
            .filter(|p| !p.options.is_empty())
            .map(|p| (p.name, p.options.into_iter().map(|o| o.value).collect()))
            .collect())
    }

    async fn find_created(
        &self,
        object: ObjectType,
        equal_to: &BTreeMap<String, String>,
        since_ms: i64,
    ) -> Result<Vec<String>, ConnectorError> {
        let mut filters: Vec<serde_json::Value> = equal_to
            .iter()
            .map(|(name, value)| json!({"propertyName": name, "operator": "EQ", "value": value}))
            .collect();
        filters.push(json!({
            "propertyName": "createdate",
            "operator": "GTE",
            "value": steward_domain::Timestamp::from_millis(since_ms).to_rfc3339(),
        }));
        let body = json!({
            "filterGroups": [{"filters": filters}],
            "properties": ["hs_object_id"],
            "limit": 10,
        });
        let what = format!("looking for a restored one of the {}", segment(object));
        let url = self.url(&format!("crm/v3/objects/{}/search", segment(object)))?;
        let reply = self.post(&what, url, &body, true).await?;
        let found: wire::SearchPage = reply.json(&self.ctx.system_name, &what)?;
        Ok(found.results.into_iter().map(|o| o.id).collect())
    }

    async fn recreate(
        &self,
        object: ObjectType,
        backup: &RecordBackup,
        leave_out: &BTreeSet<String>,
    ) -> Result<String, ConnectorError> {
        let writable: BTreeSet<String> = self
            .describe(object)
            .await?
            .into_iter()
            .filter(|f| !f.read_only)
            .map(|f| f.name)
            .collect();
        let properties: BTreeMap<&String, &String> = backup
            .properties
            .iter()
            .filter(|(k, v)| writable.contains(*k) && !leave_out.contains(*k) && !v.is_empty())
            .collect();
        let associations: Vec<serde_json::Value> = if object == ObjectType::Person {
            backup
                .associations
                .get("companies")
                .into_iter()
                .flatten()
                .map(|id| {
                    json!({"to": {"id": id}, "types": [{
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": CONTACT_TO_COMPANY,
                    }]})
                })
                .collect()
        } else {
            Vec::new()
        };
        let body = json!({"inputs": [{"properties": properties, "associations": associations}]});
        let what = format!("restoring one of the {}", segment(object));
        self.create_one(object, &body, what).await
    }
}

impl HubspotConnector {
    /// One record created by `batch/create`, sent once (a create repeated blind could make
    /// two); its new id.
    pub(super) async fn create_one(
        &self,
        object: ObjectType,
        body: &serde_json::Value,
        what: String,
    ) -> Result<String, ConnectorError> {
        let url = self.url(&format!("crm/v3/objects/{}/batch/create", segment(object)))?;
        let reply = self
            .driver
            .send_once(
                &what,
                |c| {
                    c.post(url.clone())
                        .bearer_auth(self.token.expose())
                        .json(body)
                },
                default_verdict,
            )
            .await?;
        self.check(&reply, &what)?;
        let created: wire::BatchWrite = reply.json(&self.ctx.system_name, &what)?;
        created
            .results
            .into_iter()
            .next()
            .map(|r| r.id)
            .ok_or_else(|| ConnectorError::Protocol {
                system: self.ctx.system_name.clone(),
                what,
                reason: "the create answered no record".into(),
            })
    }
}
