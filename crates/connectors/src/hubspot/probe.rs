//! HubSpot's side of a write-back probe: find the test contact the integration created (by
//! search), and archive it afterwards.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::json;
use steward_domain::ObjectType;

use super::{HubspotConnector, segment, wire};
use crate::connector::Prober;
use crate::error::ConnectorError;

#[async_trait]
impl Prober for HubspotConnector {
    async fn create_test_person(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<String, ConnectorError> {
        let body = json!({"inputs": [{"properties": values}]});
        self.create_one(
            ObjectType::Person,
            &body,
            "creating a probe's test contact".into(),
        )
        .await
    }

    async fn find_people(&self, field: &str, value: &str) -> Result<Vec<String>, ConnectorError> {
        let body = json!({
            "filterGroups": [{"filters": [{"propertyName": field, "operator": "EQ", "value": value}]}],
            "properties": ["hs_object_id"],
            "limit": 10,
        });
        let what = "looking for a probe's test contact".to_owned();
        let url = self.url(&format!(
            "crm/v3/objects/{}/search",
            segment(ObjectType::Person)
        ))?;
        let reply = self.post(&what, url, &body, true).await?;
        let found: wire::SearchPage = reply.json(&self.ctx.system_name, &what)?;
        Ok(found.results.into_iter().map(|o| o.id).collect())
    }

    /// GDPR delete, not archive: an archived contact stays in the recycle bin (and in
    /// every full read) for 90 days; a test record should leave no trace.
    async fn delete_person(&self, id: &str) -> Result<bool, ConnectorError> {
        let what = "removing a probe's test contact".to_owned();
        let url = self.url(&format!(
            "crm/v3/objects/{}/gdpr-delete",
            segment(ObjectType::Person)
        ))?;
        let body = json!({"objectId": id});
        // Deleting twice is harmless, so the ordinary retrying send is right here.
        match self.post(&what, url, &body, false).await {
            Ok(_) => Ok(true),
            Err(ConnectorError::Http { status: 404, .. }) => Ok(false),
            // A portal without GDPR deletes turned on refuses them: archive instead, which
            // HubSpot empties from its recycle bin after 90 days.
            Err(ConnectorError::Http { status: 400, .. } | ConnectorError::Unauthorized { .. }) => {
                let url = self.url(&format!(
                    "crm/v3/objects/{}/batch/archive",
                    segment(ObjectType::Person)
                ))?;
                let body = json!({"inputs": [{"id": id}]});
                self.post(&what, url, &body, false).await.map(|_| true)
            }
            Err(e) => Err(e),
        }
    }
}
