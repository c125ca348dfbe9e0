//! The spokes of the sandbox company — the marketing platform's leads, the events sheet,
//! the SDR's sheet and the customer portal — derived from the CRM's people, with every
//! defect class of SANDBOX.md planted on purpose and written down in the manifest.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::names::{COUNTRIES, NICKNAMES};
use super::rng::Rng;
use super::{EPOCH_MS, SPAN_MS, SeedObject, ascii_slug, corrupt};

/// The seeded world's "now": every seeded timestamp is before it.
pub const AS_OF_MS: i64 = EPOCH_MS + SPAN_MS;
const DAY_MS: i64 = 86_400_000;
/// The SDR sheet was put on its way out this long before `AS_OF_MS`.
pub const SDR_DEPRECATED_DAYS_BEFORE: i64 = 60;
/// CRM lead statuses the broken CRM→MAP write-back never delivers.
pub const DROPPED_STATUSES: &[&str] = &["UNQUALIFIED", "BAD_TIMING"];

/// The CRM's lead status as the MAP names it; `None` for what the write-back loses.
pub fn map_status(crm_status: &str) -> Option<&'static str> {
    match crm_status {
        "NEW" => Some("New"),
        "OPEN" => Some("Open"),
        "IN_PROGRESS" => Some("Working"),
        "CONNECTED" => Some("Engaged"),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapLead {
    pub id: u64,
    pub crm_contact_id: Option<u64>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub job_title: String,
    pub phone: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One line of the events export, as text (bad lines included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdrRow {
    /// Blank below the first row of a company group, as a sheet with merged cells exports.
    pub company: String,
    pub contact: String,
    pub email: String,
    pub phone: String,
    pub status: String,
    pub last_touched: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAccount {
    pub id: u64,
    pub crm_company_id: Option<u64>,
    pub name: String,
    pub status: &'static str,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalUser {
    pub id: u64,
    pub account_id: u64,
    pub email: String,
    pub full_name: String,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

#[derive(Debug, Default)]
pub struct Spokes {
    pub map_leads: Vec<MapLead>,
    pub events: Vec<EventRow>,
    pub sdr: Vec<SdrRow>,
    pub portal_accounts: Vec<PortalAccount>,
    pub portal_users: Vec<PortalUser>,
}

/// A record in a spoke, named as the manifest names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SpokeRef {
    pub system: &'static str,
    /// The record's id in that system, or its line (CSV) or row (XLSX) number.
    pub id: String,
}

fn spoke(system: &'static str, id: impl ToString) -> SpokeRef {
    SpokeRef {
        system,
        id: id.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrossSystem {
    pub crm_contact_id: String,
    pub copies: Vec<SpokeRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDrift {
    pub spoke: SpokeRef,
    pub crm_contact_id: String,
    pub field: &'static str,
    pub hub_value: String,
    pub spoke_value: String,
    /// The value both held when they last agreed (divergent edits only).
    pub agreed_value: Option<String>,
    pub hub_changed_at: i64,
    pub spoke_changed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictingWrite {
    pub crm_contact_id: String,
    pub field: &'static str,
    pub authority_value: String,
    pub written_value: String,
    pub written_by: &'static str,
    pub written_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    pub spoke: SpokeRef,
    pub crm_company_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erasure {
    pub crm_contact_id: String,
    pub email: String,
    pub still_in: Vec<SpokeRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    pub spoke: SpokeRef,
    pub crm_company_id: String,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountMismatch {
    pub segment: &'static str,
    pub hub: usize,
    pub spoke_system: &'static str,
    pub spoke: usize,
    pub explained_by: Vec<Explained>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteBack {
    pub from: &'static str,
    pub to: &'static str,
    pub field: &'static str,
    pub dropped_values: Vec<&'static str>,
    /// MAP leads whose CRM status never arrived.
    pub affected: Vec<SpokeRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deprecation {
    pub system: &'static str,
    pub deprecating_since: i64,
    pub written_after: Vec<SpokeRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub spoke: SpokeRef,
    pub reason: &'static str,
}

/// Every planted spoke defect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpokeDefects {
    pub cross_system: Vec<CrossSystem>,
    pub stale: Vec<FieldDrift>,
    pub divergent: Vec<FieldDrift>,
    pub conflicting_writes: Vec<ConflictingWrite>,
    pub missing_in_hub: Vec<SpokeRef>,
    pub orphans: Vec<Orphan>,
    pub erasures_not_propagated: Vec<Erasure>,
    pub count_mismatch: CountMismatch,
    pub write_back: WriteBack,
    pub deprecated_still_written: Deprecation,
    pub bad_rows: Vec<BadRow>,
}

impl SpokeDefects {
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        BTreeMap::from([
            ("cross_system", self.cross_system.len()),
            ("stale", self.stale.len()),
            ("divergent", self.divergent.len()),
            ("conflicting_writes", self.conflicting_writes.len()),
            ("missing_in_hub", self.missing_in_hub.len()),
            ("orphans", self.orphans.len()),
            (
                "erasures_not_propagated",
                self.erasures_not_propagated.len(),
            ),
            (
                "count_mismatch_explained",
                self.count_mismatch.explained_by.len(),
            ),
            ("write_back_affected", self.write_back.affected.len()),
            (
                "deprecated_still_written",
                self.deprecated_still_written.written_after.len(),
            ),
            ("bad_rows", self.bad_rows.len()),
        ])
    }
}

fn at_least(n: usize, min: usize) -> usize {
    n.max(min)
}

/// A time in `from..to`, never at or after the world's "now" (`AS_OF_MS`).
fn between(rng: &mut Rng, from: i64, to: i64) -> i64 {
    let to = to.min(AS_OF_MS);
    if to <= from {
        return from.min(AS_OF_MS - 1);
    }
    from + i64::try_from(rng.below(u64::try_from(to - from).unwrap_or(1))).unwrap_or(0)
}

/// A person who is in no CRM: a lead that never reached it.
fn stranger(rng: &mut Rng, n: usize) -> (String, String, String, String) {
    let country = rng.pick(COUNTRIES);
    let first = rng.pick(country.first_names).to_string();
    let last = rng.pick(country.last_names).to_string();
    let company = format!(
        "{} {}",
        rng.pick(super::names::COMPANY_STEMS),
        rng.pick(country.suffixes)
    );
    let email = format!(
        "{}.{}.{n}@{}.{}",
        ascii_slug(&first),
        ascii_slug(&last),
        ascii_slug(&company),
        country.tld
    );
    (first, last, email, company)
}

/// The same number with its last two digits replaced (`first_choice`, or `fallback` when it
/// already ends that way): a new direct line, always different from the old one.
fn new_direct_line(phone: &str, first_choice: &str, fallback: &str) -> String {
    let ending: String = phone
        .chars()
        .filter(char::is_ascii_digit)
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    with_last_digits(
        phone,
        if ending == first_choice {
            fallback
        } else {
            first_choice
        },
    )
}

fn with_last_digits(phone: &str, digits: &str) -> String {
    let mut chars: Vec<char> = phone.chars().collect();
    let mut replacement = digits.chars().rev();
    for c in chars.iter_mut().rev() {
        if c.is_ascii_digit() {
            match replacement.next() {
                Some(d) => *c = d,
                None => break,
            }
        }
    }
    chars.into_iter().collect()
}

fn nickname_or_same(first: &str, rng: &mut Rng) -> String {
    NICKNAMES
        .iter()
        .find(|(formal, _)| *formal == first)
        .map_or_else(
            || first.to_owned(),
            |(_, short)| rng.pick(short).to_string(),
        )
}

/// Plants the spokes into `contacts` and `companies` (which it may change: later CRM edits,
/// erased contacts, archived companies) and returns them with their defects.
pub fn generate(
    contacts: &mut Vec<SeedObject>,
    companies: &mut [SeedObject],
    variant_ids: &BTreeSet<u64>,
    clustered: &BTreeSet<u64>,
    rng: &mut Rng,
) -> (Spokes, SpokeDefects) {
    let mut spokes = Spokes::default();
    let mut cross: BTreeMap<u64, Vec<SpokeRef>> = BTreeMap::new();
    let mut missing_in_hub = Vec::new();

    // Originals with an address: the people the spokes know.
    let originals: Vec<usize> = contacts
        .iter()
        .enumerate()
        .filter(|(_, c)| !variant_ids.contains(&c.id) && c.properties.contains_key("email"))
        .map(|(i, _)| i)
        .collect();

    // Erased in the CRM (GDPR), never erased downstream. Never one of a duplicate cluster,
    // so the cluster manifest stays whole.
    let erasable: Vec<usize> = originals
        .iter()
        .copied()
        .filter(|i| !clustered.contains(&contacts[*i].id))
        .collect();
    let erase_count = at_least(originals.len() / 200, 2).min(erasable.len());
    let mut erased: BTreeSet<usize> = BTreeSet::new();
    while erased.len() < erase_count {
        erased.insert(*rng.pick(&erasable));
    }

    // --- The marketing platform's leads ---
    let mut map_rng = rng.fork(10);
    let (mut stale, mut divergent, mut conflicting, mut affected) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut lead_of: BTreeMap<u64, u64> = BTreeMap::new();
    for &index in &originals {
        if !erased.contains(&index) && !map_rng.chance(55) {
            continue;
        }
        let lead_id = 900_001 + spokes.map_leads.len() as u64;
        let contact = &mut contacts[index];
        let created_at =
            (contact.created_at + between(&mut map_rng, DAY_MS / 24, 3 * DAY_MS)).min(AS_OF_MS - 2);
        let mut updated_at = created_at;
        let get = |name: &str| contact.properties.get(name).cloned().unwrap_or_default();
        let mut first_name = get("firstname");
        if map_rng.chance(15) {
            first_name = nickname_or_same(&first_name, &mut map_rng);
        }
        let mut lead = MapLead {
            id: lead_id,
            crm_contact_id: Some(contact.id),
            email: get("email"),
            first_name,
            last_name: get("lastname").trim().to_owned(),
            company: get("company"),
            job_title: get("jobtitle"),
            phone: contact.properties.get("phone").cloned(),
            status: "New".into(),
            created_at,
            updated_at,
        };
        let later = |rng: &mut Rng| between(rng, created_at + DAY_MS, AS_OF_MS - DAY_MS);
        let roll = map_rng.below(100);
        if roll < 4 {
            // Stale: the CRM changed the title later; the MAP never heard.
            let at = later(&mut map_rng);
            let new_title = super::names::JOB_TITLES
                .iter()
                .find(|t| **t != lead.job_title)
                .map_or("COO", |t| *t)
                .to_owned();
            contact.change("jobtitle", new_title.clone(), at, "CRM_UI");
            stale.push(FieldDrift {
                spoke: spoke("map", lead_id),
                crm_contact_id: contact.id.to_string(),
                field: "jobtitle",
                hub_value: new_title,
                spoke_value: lead.job_title.clone(),
                agreed_value: None,
                hub_changed_at: at,
                spoke_changed_at: lead.updated_at,
            });
        } else if roll < 6 && lead.phone.is_some() {
            // Divergent: both sides changed the phone since they last agreed.
            let agreed = lead.phone.clone().unwrap_or_default();
            let (hub_at, spoke_at) = (later(&mut map_rng), later(&mut map_rng));
            let hub_value = new_direct_line(&agreed, "11", "22");
            let spoke_value = new_direct_line(&agreed, "99", "88");
            contact.change("phone", hub_value.clone(), hub_at, "CRM_UI");
            lead.phone = Some(spoke_value.clone());
            updated_at = updated_at.max(spoke_at);
            divergent.push(FieldDrift {
                spoke: spoke("map", lead_id),
                crm_contact_id: contact.id.to_string(),
                field: "phone",
                hub_value,
                spoke_value,
                agreed_value: Some(agreed),
                hub_changed_at: hub_at,
                spoke_changed_at: spoke_at,
            });
        } else if roll < 8 {
            // Conflicting write: sales set the stage in the CRM; the MAP sync overwrote it.
            let at = later(&mut map_rng);
            contact
                .properties
                .insert("lifecyclestage".into(), "opportunity".into());
            contact.change(
                "lifecyclestage",
                "marketingqualifiedlead".into(),
                at,
                "INTEGRATION",
            );
            conflicting.push(ConflictingWrite {
                crm_contact_id: contact.id.to_string(),
                field: "lifecyclestage",
                authority_value: "opportunity".into(),
                written_value: "marketingqualifiedlead".into(),
                written_by: "map",
                written_at: at,
            });
        }
        let crm_status = contact
            .current("hs_lead_status")
            .unwrap_or("NEW")
            .to_owned();
        lead.status = match map_status(&crm_status) {
            Some(status) => status.to_owned(),
            None => {
                affected.push(spoke("map", lead_id));
                "Working".to_owned()
            }
        };
        lead.updated_at = updated_at;
        cross
            .entry(contact.id)
            .or_default()
            .push(spoke("map", lead_id));
        lead_of.insert(contact.id, lead_id);
        spokes.map_leads.push(lead);
    }
    let map_only = at_least(spokes.map_leads.len() * 3 / 100, 3);
    for n in 0..map_only {
        let (first_name, last_name, email, company) = stranger(&mut map_rng, n);
        let created_at = between(&mut map_rng, AS_OF_MS - 120 * DAY_MS, AS_OF_MS - DAY_MS);
        let id = 900_001 + spokes.map_leads.len() as u64;
        missing_in_hub.push(spoke("map", id));
        spokes.map_leads.push(MapLead {
            id,
            crm_contact_id: None,
            email,
            first_name,
            last_name,
            company,
            job_title: (*map_rng.pick(super::names::JOB_TITLES)).to_owned(),
            phone: None,
            status: "New".into(),
            created_at,
            updated_at: created_at,
        });
    }

    // --- The events export (CSV lines; line 1 is the header) ---
    let mut events_rng = rng.fork(11);
    let mut bad_rows = Vec::new();
    let event_rows = at_least(contacts.len() / 20, 20);
    let live: Vec<usize> = originals
        .iter()
        .copied()
        .filter(|i| !erased.contains(i))
        .collect();
    let formats: [fn(i64) -> String; 5] = [
        |ms| crate::clock::iso(ms)[..10].to_owned(),
        |ms| {
            let d = &crate::clock::iso(ms);
            format!("{}/{}/{}", &d[8..10], &d[5..7], &d[..4])
        },
        |ms| {
            let d = &crate::clock::iso(ms);
            format!("{}/{}/{}", &d[5..7], &d[8..10], &d[..4])
        },
        |ms| crate::clock::iso(ms)[..19].replace('T', " "),
        |ms| crate::clock::iso(ms),
    ];
    for n in 0..event_rows {
        let line = spokes.events.len() + 2;
        let registered = between(
            &mut events_rng,
            AS_OF_MS - 200 * DAY_MS,
            AS_OF_MS - 100 * DAY_MS,
        );
        let date = (events_rng.pick(&formats))(registered);
        if events_rng.chance(2) || n < 2 {
            let reason = *events_rng.pick(&[
                "wrong number of columns",
                "unparseable date",
                "no name and no email",
            ]);
            let cells = match reason {
                "wrong number of columns" => vec![
                    format!("R{n:05}"),
                    "Jordan".into(),
                    "Lee".into(),
                    "jordan.lee@example.test".into(),
                ],
                "unparseable date" => vec![
                    format!("R{n:05}"),
                    "Sam".into(),
                    "Park".into(),
                    format!("sam.park{n}@example.test"),
                    "Acme".into(),
                    "".into(),
                    "".into(),
                    "TBD".into(),
                ],
                _ => vec![
                    format!("R{n:05}"),
                    "".into(),
                    "".into(),
                    "".into(),
                    "Walk-in".into(),
                    "".into(),
                    "".into(),
                    date.clone(),
                ],
            };
            bad_rows.push(BadRow {
                spoke: spoke("events_csv", line),
                reason,
            });
            // Only the date is unreadable: the row is kept, and its person (a stranger)
            // never reached the CRM.
            if reason == "unparseable date" {
                missing_in_hub.push(spoke("events_csv", line));
            }
            spokes.events.push(EventRow { cells });
            continue;
        }
        let known = !live.is_empty() && events_rng.chance(70);
        let (first, last, email, company, title, country) = if known {
            let contact = &contacts[*events_rng.pick(&live)];
            let get = |name: &str| contact.properties.get(name).cloned().unwrap_or_default();
            cross
                .entry(contact.id)
                .or_default()
                .push(spoke("events_csv", line));
            let mut first = get("firstname");
            let mut props = contact.properties.clone();
            if events_rng.chance(30) {
                corrupt::apply("case_whitespace", &mut props, &mut events_rng);
                first = props.get("firstname").cloned().unwrap_or(first);
            }
            (
                first,
                props.get("lastname").cloned().unwrap_or_default(),
                get("email"),
                get("company"),
                // What the CRM holds now: a title changed later reached the event sheet too.
                contact.current("jobtitle").unwrap_or_default().to_owned(),
                get("country"),
            )
        } else {
            let (first, last, email, company) = stranger(&mut events_rng, 10_000 + n);
            missing_in_hub.push(spoke("events_csv", line));
            (first, last, email, company, String::new(), String::new())
        };
        let pad = |s: String, rng: &mut Rng| if rng.chance(10) { format!(" {s} ") } else { s };
        spokes.events.push(EventRow {
            cells: vec![
                format!("R{n:05}"),
                pad(first, &mut events_rng),
                last,
                pad(email, &mut events_rng),
                company,
                title,
                country,
                date,
            ],
        });
    }

    // --- The SDR's sheet (rows as Excel numbers them; the header is on row 4) ---
    let mut sdr_rng = rng.fork(12);
    let deprecating_since = AS_OF_MS - SDR_DEPRECATED_DAYS_BEFORE * DAY_MS;
    let mut written_after = Vec::new();
    let sdr_count = at_least(contacts.len() / 40, 12);
    // SDRs work accounts: several people at one company, the company written once.
    let mut people: Vec<(String, String, String, String)> = Vec::new();
    let mut by_company: BTreeMap<Option<u64>, Vec<usize>> = BTreeMap::new();
    for &i in &live {
        by_company
            .entry(contacts[i].company_id)
            .or_default()
            .push(i);
    }
    let mut n = 0;
    while people.len() < sdr_count {
        let group = 1 + sdr_rng.index(3);
        if !live.is_empty() && sdr_rng.chance(50) {
            let first = &contacts[*sdr_rng.pick(&live)];
            let colleagues: Vec<&SeedObject> = by_company
                .get(&first.company_id)
                .into_iter()
                .flatten()
                .map(|i| &contacts[*i])
                .take(group)
                .collect();
            for contact in colleagues {
                let get = |name: &str| contact.properties.get(name).cloned().unwrap_or_default();
                people.push((
                    get("company"),
                    format!("{} {}", get("firstname"), get("lastname").trim()),
                    get("email"),
                    contact.id.to_string(),
                ));
            }
        } else {
            let (_, _, _, company) = stranger(&mut sdr_rng, 20_000 + n);
            for _ in 0..group {
                n += 1;
                let (first, last, email, _) = stranger(&mut sdr_rng, 20_000 + n);
                people.push((
                    company.clone(),
                    format!("{first} {last}"),
                    email,
                    String::new(),
                ));
            }
        }
        n += 1;
    }
    people.sort();
    let mut previous_company = String::new();
    for (i, (company, contact, email, crm_id)) in people.into_iter().enumerate() {
        let row = 5 + i;
        let last_touched = between(&mut sdr_rng, AS_OF_MS - 270 * DAY_MS, AS_OF_MS - DAY_MS);
        if last_touched > deprecating_since {
            written_after.push(spoke("sdr_xlsx", row));
        }
        match crm_id.parse::<u64>() {
            Ok(id) => cross.entry(id).or_default().push(spoke("sdr_xlsx", row)),
            Err(_) => missing_in_hub.push(spoke("sdr_xlsx", row)),
        }
        let shown_company = if company == previous_company {
            String::new()
        } else {
            company.clone()
        };
        previous_company = company;
        spokes.sdr.push(SdrRow {
            company: shown_company,
            contact,
            email,
            phone: String::new(),
            status: (*sdr_rng.pick(&[
                "Researching",
                "Contacted",
                "Meeting booked",
                "Not interested",
            ]))
            .to_owned(),
            last_touched,
        });
    }

    // --- The customer portal ---
    let mut portal_rng = rng.fork(13);
    let customers: Vec<usize> = companies
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            matches!(
                c.properties.get("account_status").map(String::as_str),
                Some("active" | "churned")
            )
        })
        .map(|(i, _)| i)
        .collect();
    let active: Vec<usize> = customers
        .iter()
        .copied()
        .filter(|i| companies[*i].properties["account_status"] == "active")
        .collect();
    let churned: Vec<usize> = customers
        .iter()
        .copied()
        .filter(|i| companies[*i].properties["account_status"] == "churned")
        .collect();
    let orphan_count = at_least(active.len() / 30, 3).min(active.len() / 2);
    let stale_churn_count = at_least(churned.len() / 10, 2).min(churned.len());
    let mut orphaned: BTreeSet<usize> = BTreeSet::new();
    while orphaned.len() < orphan_count {
        orphaned.insert(*portal_rng.pick(&active));
    }
    let mut stale_churned: BTreeSet<usize> = BTreeSet::new();
    while stale_churned.len() < stale_churn_count {
        stale_churned.insert(*portal_rng.pick(&churned));
    }
    let mut orphans = Vec::new();
    let mut explained = Vec::new();
    let mut account_of: BTreeMap<u64, u64> = BTreeMap::new();
    for &index in &customers {
        let company = &mut companies[index];
        let id = 70_001 + spokes.portal_accounts.len() as u64;
        let crm_active = company.properties["account_status"] == "active";
        let status = if crm_active || stale_churned.contains(&index) {
            "active"
        } else {
            "closed"
        };
        if orphaned.contains(&index) {
            company.archived_at = Some(between(
                &mut portal_rng,
                AS_OF_MS - 90 * DAY_MS,
                AS_OF_MS - DAY_MS,
            ));
            orphans.push(Orphan {
                spoke: spoke("portal", id),
                crm_company_id: company.id.to_string(),
            });
            explained.push(Explained {
                spoke: spoke("portal", id),
                crm_company_id: company.id.to_string(),
                reason: "the CRM company is archived; the portal account is still active",
            });
        }
        if stale_churned.contains(&index) {
            explained.push(Explained {
                spoke: spoke("portal", id),
                crm_company_id: company.id.to_string(),
                reason: "churned in the CRM; still active in the portal",
            });
        }
        account_of.insert(company.id, id);
        spokes.portal_accounts.push(PortalAccount {
            id,
            crm_company_id: Some(company.id),
            name: company.properties.get("name").cloned().unwrap_or_default(),
            status,
            created_at: company.created_at + DAY_MS,
            updated_at: company.updated_at.max(company.created_at + DAY_MS),
        });
    }
    let hub_active = companies
        .iter()
        .filter(|c| {
            c.archived_at.is_none()
                && c.properties.get("account_status").map(String::as_str) == Some("active")
        })
        .count();
    let spoke_active = spokes
        .portal_accounts
        .iter()
        .filter(|a| a.status == "active")
        .count();

    let mut erasures: Vec<Erasure> = Vec::new();
    for &index in &originals {
        let contact = &contacts[index];
        let Some(account) = contact.company_id.and_then(|c| account_of.get(&c)) else {
            continue;
        };
        let is_erased = erased.contains(&index);
        if !is_erased && !portal_rng.chance(40) {
            continue;
        }
        let id = 30_001 + spokes.portal_users.len() as u64;
        let get = |name: &str| contact.properties.get(name).cloned().unwrap_or_default();
        if !is_erased {
            cross
                .entry(contact.id)
                .or_default()
                .push(spoke("portal", id));
        }
        spokes.portal_users.push(PortalUser {
            id,
            account_id: *account,
            email: get("email").to_lowercase(),
            full_name: format!("{} {}", get("firstname"), get("lastname").trim()),
            created_at: (contact.created_at + 2 * DAY_MS).min(AS_OF_MS - 1),
            last_login_at: portal_rng
                .chance(70)
                .then(|| between(&mut portal_rng, contact.created_at + 2 * DAY_MS, AS_OF_MS)),
        });
    }
    let mut users_by_email: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for user in &spokes.portal_users {
        users_by_email
            .entry(user.email.to_lowercase())
            .or_default()
            .push(user.id);
    }
    for &index in &erased {
        let contact = &contacts[index];
        let email = contact.properties.get("email").cloned().unwrap_or_default();
        let mut still_in = Vec::new();
        if let Some(lead) = lead_of.get(&contact.id) {
            still_in.push(spoke("map", lead));
        }
        still_in.extend(
            users_by_email
                .get(&email.to_lowercase())
                .into_iter()
                .flatten()
                .map(|id| spoke("portal", id)),
        );
        erasures.push(Erasure {
            crm_contact_id: contact.id.to_string(),
            email,
            still_in,
        });
    }
    let erased_ids: BTreeSet<u64> = erased.iter().map(|i| contacts[*i].id).collect();
    contacts.retain(|c| !erased_ids.contains(&c.id));
    for id in &erased_ids {
        cross.remove(id);
    }
    // Field drift planted on a contact that was then erased went with it: its copies are
    // erasures not propagated, not stale or divergent ones.
    let gone = |id: &str| id.parse::<u64>().is_ok_and(|id| erased_ids.contains(&id));
    stale.retain(|d| !gone(&d.crm_contact_id));
    divergent.retain(|d| !gone(&d.crm_contact_id));
    conflicting.retain(|w| !gone(&w.crm_contact_id));
    let erased_leads: BTreeSet<String> = erased_ids
        .iter()
        .filter_map(|id| lead_of.get(id))
        .map(u64::to_string)
        .collect();
    affected.retain(|a: &SpokeRef| !erased_leads.contains(&a.id));

    let defects = SpokeDefects {
        cross_system: cross
            .into_iter()
            .filter(|(_, copies)| !copies.is_empty())
            .map(|(id, copies)| CrossSystem {
                crm_contact_id: id.to_string(),
                copies,
            })
            .collect(),
        stale,
        divergent,
        conflicting_writes: conflicting,
        missing_in_hub,
        orphans,
        erasures_not_propagated: erasures,
        count_mismatch: CountMismatch {
            segment: "active accounts",
            hub: hub_active,
            spoke_system: "portal",
            spoke: spoke_active,
            explained_by: explained,
        },
        write_back: WriteBack {
            from: "crm",
            to: "map",
            field: "hs_lead_status",
            dropped_values: DROPPED_STATUSES.to_vec(),
            affected,
        },
        deprecated_still_written: Deprecation {
            system: "sdr_xlsx",
            deprecating_since,
            written_after,
        },
        bad_rows,
    };
    (spokes, defects)
}
