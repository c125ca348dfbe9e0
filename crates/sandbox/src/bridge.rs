//! The CRM↔MAP integration, as many companies run one: it copies some fields each way after
//! a lag, and it is deliberately partly broken. CRM lead statuses the MAP has no word for
//! (UNQUALIFIED, BAD_TIMING) are lost on the way, and the MAP's job title overwrites the
//! CRM's, although the CRM owns that field. Write-back probes and drift reports find both.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::clock::now_ms;
use crate::hubspot::CrmServer;
use crate::map::MapServer;
use crate::seed::spokes::{DROPPED_STATUSES, map_status};

#[derive(Debug, Clone, Copy)]
pub struct BridgeConfig {
    /// How old a change must be before the bridge carries it.
    pub lag: Duration,
    /// How often it looks.
    pub tick: Duration,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        Self {
            lag: Duration::from_secs(2),
            tick: Duration::from_millis(250),
        }
    }
}

/// What the bridge does, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BridgeManifest {
    pub lag_ms: u64,
    pub crm_to_map: Vec<&'static str>,
    pub map_to_crm: Vec<&'static str>,
    pub dropped_status_values: Vec<&'static str>,
    pub overwrites_authority_field: &'static str,
}

pub fn describe(config: &BridgeConfig) -> BridgeManifest {
    BridgeManifest {
        lag_ms: u64::try_from(config.lag.as_millis()).unwrap_or(u64::MAX),
        crm_to_map: vec!["hs_lead_status → leadStatus"],
        map_to_crm: vec![
            "new leads → contacts (email, firstname, lastname, company, jobtitle)",
            "title → jobtitle",
        ],
        dropped_status_values: DROPPED_STATUSES.to_vec(),
        overwrites_authority_field: "jobtitle",
    }
}

struct Cursor {
    crm: usize,
    map: usize,
}

/// Runs until the runtime stops.
pub fn spawn(
    crm: Arc<CrmServer>,
    map: Arc<MapServer>,
    config: BridgeConfig,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut cursor = Cursor { crm: 0, map: 0 };
        let mut interval = tokio::time::interval(config.tick);
        loop {
            interval.tick().await;
            let cutoff = now_ms() - i64::try_from(config.lag.as_millis()).unwrap_or(0);
            crm_to_map(&crm, &map, &mut cursor, cutoff);
            map_to_crm(&crm, &map, &mut cursor, cutoff);
        }
    })
}

fn crm_to_map(crm: &CrmServer, map: &MapServer, cursor: &mut Cursor, cutoff: i64) {
    // Each change: every id that now means this contact (merged ids too, since a lead may
    // still hold one of those), and its status.
    let statuses: Vec<(Vec<u64>, String)> = {
        let crm = crm
            .crm
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = crm.contacts.changes[cursor.crm..]
            .iter()
            .take_while(|(at, _)| *at <= cutoff)
            .count();
        let out = crm.contacts.changes[cursor.crm..cursor.crm + due]
            .iter()
            .filter_map(|(_, id)| {
                let record = crm.contacts.resolve(*id)?;
                let mut ids = record.merged_ids.clone();
                ids.push(record.id);
                Some((ids, record.current("hs_lead_status")?.to_owned()))
            })
            .collect();
        cursor.crm += due;
        out
    };
    if statuses.is_empty() {
        return;
    }
    let now = now_ms();
    let (mut written, mut dropped) = (0, 0);
    let mut leads = map
        .leads
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let by_crm: HashMap<u64, u64> = leads
        .records
        .values()
        .filter_map(|l| Some((l.crm_contact_id?, l.id)))
        .collect();
    for (ids, status) in statuses {
        let Some(lead) = ids
            .iter()
            .find_map(|contact| by_crm.get(contact))
            .and_then(|id| leads.records.get_mut(id))
        else {
            continue;
        };
        match map_status(&status) {
            Some(value) if lead.status != value => {
                lead.status = value.to_owned();
                lead.updated_at = now;
                written += 1;
            }
            Some(_) => {}
            None => dropped += 1,
        }
    }
    drop(leads);
    map.stats.update(|s| {
        s.bridge_writes += written;
        s.bridge_dropped += dropped;
    });
}

fn map_to_crm(crm: &CrmServer, map: &MapServer, cursor: &mut Cursor, cutoff: i64) {
    let changed: Vec<crate::seed::spokes::MapLead> = {
        let leads = map
            .leads
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = leads.changes[cursor.map..]
            .iter()
            .take_while(|(at, _)| *at <= cutoff)
            .count();
        let out = leads.changes[cursor.map..cursor.map + due]
            .iter()
            .filter_map(|(_, id)| leads.records.get(id).cloned())
            .collect();
        cursor.map += due;
        out
    };
    if changed.is_empty() {
        return;
    }
    let now = now_ms();
    let mut links = Vec::new();
    let mut written = 0;
    {
        let mut store = crm
            .crm
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for lead in changed {
            let existing = match lead.crm_contact_id {
                // A link that no longer resolves means the contact was erased in the CRM:
                // an integration must not bring it back.
                Some(id) => match store.contacts.resolve(id) {
                    Some(record) => Some(record.id),
                    None => continue,
                },
                None => store
                    .contacts
                    .live()
                    .find(|c| {
                        c.current("email")
                            .is_some_and(|e| e.eq_ignore_ascii_case(&lead.email))
                    })
                    .map(|c| c.id),
            };
            match existing {
                Some(id) => {
                    if let Some(record) = store.contacts.records.get_mut(&id)
                        && !lead.job_title.is_empty()
                        && record.set("jobtitle", lead.job_title.clone(), now, "INTEGRATION")
                    {
                        written += 1;
                    }
                    if lead.crm_contact_id.is_none() {
                        links.push((lead.id, id));
                    }
                }
                None => {
                    let mut props = Map::new();
                    for (name, value) in [
                        ("email", &lead.email),
                        ("firstname", &lead.first_name),
                        ("lastname", &lead.last_name),
                        ("company", &lead.company),
                        ("jobtitle", &lead.job_title),
                    ] {
                        if !value.is_empty() {
                            props.insert(name.to_owned(), Value::String(value.clone()));
                        }
                    }
                    let id = store.contacts.insert_new(&props, now, "INTEGRATION");
                    links.push((lead.id, id));
                    written += 1;
                }
            }
        }
    }
    crm.stats.update(|s| s.bridge_writes += written);
    if !links.is_empty() {
        let mut leads = map
            .leads
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (lead, contact) in links {
            if let Some(lead) = leads.records.get_mut(&lead) {
                lead.crm_contact_id = Some(contact);
            }
        }
    }
}
