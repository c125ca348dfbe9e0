//! The sandbox company's data, generated from a seed: the same seed and size give the same
//! records and the same manifest, byte for byte.

pub mod corrupt;
pub mod names;
pub mod rng;
pub mod spokes;

use serde::Serialize;

use corrupt::Props;
use names::{
    COMPANY_STEMS, COUNTRIES, Country, INDUSTRIES, JOB_TITLES, LEAD_STATUSES, LIFECYCLE_STAGES,
    STEM_QUALIFIERS,
};
use rng::Rng;

/// 2024-01-01T00:00:00Z: the sandbox's history starts here, whatever today's date is.
pub(crate) const EPOCH_MS: i64 = 1_704_067_200_000;
/// Records were created over two years.
pub(crate) const SPAN_MS: i64 = 2 * 365 * 24 * 3_600_000;

/// One CRM object as seeded: id, properties as first written, later changes, and its
/// creation and last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedObject {
    pub id: u64,
    pub properties: Props,
    pub created_at: i64,
    pub updated_at: i64,
    /// Contact → company association.
    pub company_id: Option<u64>,
    /// Later values, in time order: (property, value, when, source such as `CRM_UI`).
    pub history: Vec<(String, String, i64, &'static str)>,
    pub archived_at: Option<i64>,
}

impl SeedObject {
    /// A property's value as the CRM shows it now.
    pub fn current(&self, name: &str) -> Option<&str> {
        self.history
            .iter()
            .rev()
            .find(|(field, ..)| field == name)
            .map(|(_, value, ..)| value.as_str())
            .or_else(|| self.properties.get(name).map(String::as_str))
    }

    /// Records a later change, keeping `updated_at` the newest change.
    pub fn change(&mut self, name: &str, value: String, at: i64, source: &'static str) {
        self.history.push((name.to_owned(), value, at, source));
        self.updated_at = self.updated_at.max(at);
    }
}

/// A seeded duplicate cluster: the original and each variant with what was done to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateCluster {
    pub cluster: u32,
    pub object: &'static str,
    pub original: String,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variant {
    pub id: String,
    pub corruptions: Vec<&'static str>,
}

/// The ground truth a test or benchmark scores Steward against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub seed: u64,
    pub size: usize,
    /// The seeded world's "now" (ms): every seeded timestamp is before it.
    pub as_of: i64,
    pub counts: Counts,
    /// Defects per class, for scoring at a glance.
    pub defect_counts: std::collections::BTreeMap<&'static str, usize>,
    pub crm_duplicate_clusters: Vec<DuplicateCluster>,
    pub spokes: spokes::SpokeDefects,
    /// How the running CRM↔MAP bridge behaves (set when the sandbox serves).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<crate::bridge::BridgeManifest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub crm_contacts: usize,
    pub crm_companies: usize,
    pub crm_duplicate_clusters: usize,
    pub crm_duplicate_records: usize,
    pub map_leads: usize,
    pub events_rows: usize,
    pub sdr_rows: usize,
    pub portal_accounts: usize,
    pub portal_users: usize,
}

pub struct World {
    pub contacts: Vec<SeedObject>,
    pub companies: Vec<SeedObject>,
    pub spokes: spokes::Spokes,
    pub manifest: Manifest,
}

/// The smallest world that still holds every kind of record.
pub const MIN_SIZE: usize = 50;

/// Generates `size` CRM contacts (duplicates included) and their companies.
pub fn generate(seed: u64, size: usize) -> World {
    let size = size.max(MIN_SIZE);
    let mut root = Rng::new(seed);
    let mut companies = generate_companies(&mut root.fork(1), (size / 10).max(10));

    // About one person in sixteen has been entered more than once.
    let mut people_rng = root.fork(2);
    let mut dup_rng = root.fork(3);
    let mut plans: Vec<usize> = Vec::new();
    let mut total = 0;
    while total < size {
        let copies = if dup_rng.chance(6) {
            1 + weighted_extra(&mut dup_rng)
        } else {
            0
        };
        let copies = copies.min(size - total - 1);
        plans.push(copies);
        total += 1 + copies;
    }

    let mut contacts: Vec<SeedObject> = Vec::with_capacity(size);
    let mut originals: Vec<(usize, usize)> = Vec::new();
    let mut emails = std::collections::HashSet::new();
    for (i, copies) in plans.iter().enumerate() {
        let id = 101 + i as u64;
        let mut person = generate_person(&mut people_rng, id, &companies);
        unique_email(&mut person.properties, &mut emails);
        if *copies > 0 {
            originals.push((contacts.len(), *copies));
        }
        contacts.push(person);
    }

    // Variants come later (higher ids, later dates), as re-entries do.
    let mut clusters = Vec::new();
    let mut next_id = 101 + contacts.len() as u64;
    let mut variant_rng = root.fork(4);
    for (cluster_no, (index, copies)) in originals.into_iter().enumerate() {
        let original = contacts[index].clone();
        let mut variants = Vec::new();
        for _ in 0..copies {
            let (mut variant, corruptions) = make_variant(&original, next_id, &mut variant_rng);
            unique_email(&mut variant.properties, &mut emails);
            variants.push(Variant {
                id: next_id.to_string(),
                corruptions,
            });
            contacts.push(variant);
            next_id += 1;
        }
        clusters.push(DuplicateCluster {
            cluster: u32::try_from(cluster_no + 1).unwrap_or(u32::MAX),
            object: "contact",
            original: original.id.to_string(),
            variants,
        });
    }
    for contact in &mut contacts {
        contact.properties.retain(|k, _| !k.starts_with("x_"));
    }

    let variant_ids: std::collections::BTreeSet<u64> = clusters
        .iter()
        .flat_map(|c| c.variants.iter().filter_map(|v| v.id.parse().ok()))
        .collect();
    let mut clustered = variant_ids.clone();
    clustered.extend(
        clusters
            .iter()
            .filter_map(|c| c.original.parse::<u64>().ok()),
    );
    let (spokes, spoke_defects) = spokes::generate(
        &mut contacts,
        &mut companies,
        &variant_ids,
        &clustered,
        &mut root.fork(5),
    );

    let mut defect_counts = spoke_defects.counts();
    defect_counts.insert("crm_duplicate_clusters", clusters.len());
    let manifest = Manifest {
        seed,
        size,
        as_of: spokes::AS_OF_MS,
        counts: Counts {
            crm_contacts: contacts.len(),
            crm_companies: companies.len(),
            crm_duplicate_clusters: clusters.len(),
            crm_duplicate_records: clusters.iter().map(|c| c.variants.len()).sum(),
            map_leads: spokes.map_leads.len(),
            events_rows: spokes.events.len(),
            sdr_rows: spokes.sdr.len(),
            portal_accounts: spokes.portal_accounts.len(),
            portal_users: spokes.portal_users.len(),
        },
        defect_counts,
        crm_duplicate_clusters: clusters,
        spokes: spoke_defects,
        bridge: None,
    };
    World {
        contacts,
        companies,
        spokes,
        manifest,
    }
}

/// Two different people can draw the same address; the CRM would refuse the second, so it
/// gets a number, as such people's addresses do.
fn unique_email(props: &mut Props, taken: &mut std::collections::HashSet<String>) {
    let Some(email) = props.get("email").cloned() else {
        return;
    };
    let mut candidate = email.clone();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        let (local, domain) = email.split_once('@').unwrap_or((&email, ""));
        candidate = format!("{local}{n}@{domain}");
        n += 1;
    }
    props.insert("email".into(), candidate);
}

/// 1 extra copy most often, up to 4.
fn weighted_extra(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2 + rng.index(2),
    }
}

pub(crate) fn ascii_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match names::TRANSLITERATIONS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(&to.to_lowercase()),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

fn timestamps(rng: &mut Rng) -> (i64, i64) {
    let created = EPOCH_MS + i64::try_from(rng.below(SPAN_MS as u64)).unwrap_or(0);
    let remaining = (EPOCH_MS + SPAN_MS - created).max(1);
    let updated = created + i64::try_from(rng.below(remaining as u64)).unwrap_or(0);
    (created, updated)
}

fn generate_companies(rng: &mut Rng, count: usize) -> Vec<SeedObject> {
    (0..count)
        .map(|i| {
            let country = rng.pick(COUNTRIES);
            let stem = rng.pick(COMPANY_STEMS);
            let qualifier = rng.pick(STEM_QUALIFIERS);
            let suffix = rng.pick(country.suffixes);
            // Stems repeat across countries, as real company names do; the domain tells them apart.
            let domain = format!(
                "{}{}{}.{}",
                ascii_slug(stem),
                ascii_slug(qualifier),
                i,
                country.tld
            );
            let (created_at, updated_at) = timestamps(rng);
            let properties: Props = [
                ("name", format!("{stem} {qualifier} {suffix}")),
                ("domain", domain),
                ("country", country.name.to_owned()),
                ("city", rng.pick(country.cities).to_string()),
                ("industry", rng.pick(INDUSTRIES).to_string()),
                ("numberofemployees", (10 + rng.below(5000)).to_string()),
                (
                    "account_status",
                    match rng.below(20) {
                        0..=11 => "active",
                        12..=14 => "churned",
                        _ => "prospect",
                    }
                    .to_owned(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            SeedObject {
                id: 5_001 + i as u64,
                properties,
                created_at,
                updated_at,
                company_id: None,
                history: Vec::new(),
                archived_at: None,
            }
        })
        .collect()
}

fn phone_number(rng: &mut Rng, country: &Country) -> String {
    let digits: String = (0..9)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect();
    // Some are stored with the country code, some as dialled at home.
    if rng.chance(60) {
        format!("+{} {} {}", country.dial, &digits[..3], &digits[3..])
    } else {
        format!("{}{} {}", country.trunk, &digits[..3], &digits[3..])
    }
}

fn generate_person(rng: &mut Rng, id: u64, companies: &[SeedObject]) -> SeedObject {
    let company = rng.pick(companies);
    let country = COUNTRIES
        .iter()
        .find(|c| Some(c.name) == company.properties.get("country").map(String::as_str))
        .unwrap_or(&COUNTRIES[0]);
    let first = rng.pick(country.first_names).to_string();
    let last = rng.pick(country.last_names).to_string();
    let email = if rng.chance(20) {
        format!(
            "{}{}{}@gmail.com",
            ascii_slug(&first),
            ascii_slug(&last),
            rng.below(100)
        )
    } else {
        let domain = company
            .properties
            .get("domain")
            .cloned()
            .unwrap_or_default();
        format!("{}.{}@{}", ascii_slug(&first), ascii_slug(&last), domain)
    };
    let (created_at, updated_at) = timestamps(rng);
    let mut properties: Props = [
        ("firstname", first),
        ("lastname", last),
        ("email", email),
        ("phone", phone_number(rng, country)),
        (
            "company",
            company.properties.get("name").cloned().unwrap_or_default(),
        ),
        ("jobtitle", rng.pick(JOB_TITLES).to_string()),
        ("country", country.name.to_owned()),
        (
            "city",
            company.properties.get("city").cloned().unwrap_or_default(),
        ),
        ("lifecyclestage", rng.pick(LIFECYCLE_STAGES).to_string()),
        ("hs_lead_status", rng.pick(LEAD_STATUSES).to_string()),
        ("x_dial", country.dial.to_owned()),
        ("x_trunk", country.trunk.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if rng.chance(5) {
        properties.remove("phone");
    }
    SeedObject {
        id,
        properties,
        created_at,
        updated_at,
        company_id: Some(company.id),
        history: Vec::new(),
        archived_at: None,
    }
}

fn make_variant(original: &SeedObject, id: u64, rng: &mut Rng) -> (SeedObject, Vec<&'static str>) {
    let mut properties = original.properties.clone();
    let wanted = 1 + rng.index(3);
    let mut applied = Vec::new();
    let mut attempts = 0;
    while applied.len() < wanted && attempts < 12 {
        attempts += 1;
        let kind = *rng.pick(corrupt::KINDS);
        // A changed address and a missing one would hide each other.
        let clashes = |k: &str| {
            matches!(
                (k, kind),
                ("email_variant", "missing_email") | ("missing_email", "email_variant")
            )
        };
        if !applied.contains(&kind)
            && !applied.iter().any(|k| clashes(k))
            && corrupt::apply(kind, &mut properties, rng)
        {
            applied.push(kind);
        }
    }
    if applied.is_empty() {
        // Every person has a last name, so this one always applies.
        corrupt::apply("case_whitespace", &mut properties, rng);
        applied.push("case_whitespace");
    }
    // The CRM refuses a second contact with the same address: a re-entry that got into it
    // came with another spelling of the address, or none.
    let same_email = match (properties.get("email"), original.properties.get("email")) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    if same_email {
        let kind = if corrupt::apply("email_variant", &mut properties, rng) {
            "email_variant"
        } else {
            properties.remove("email");
            "missing_email"
        };
        if !applied.contains(&kind) {
            applied.push(kind);
        }
    }
    // Later than the original, but before the world's "now".
    let created_at =
        (original.created_at + 1 + i64::try_from(rng.below(180 * 86_400_000)).unwrap_or(0))
            .min(spokes::AS_OF_MS - 2)
            .max(original.created_at + 1);
    let updated_at = (created_at + i64::try_from(rng.below(30 * 86_400_000)).unwrap_or(0))
        .min(spokes::AS_OF_MS - 1)
        .max(created_at);
    // A re-entry is often not linked to the company record.
    let company_id = if applied.contains(&"missing_fields") {
        None
    } else {
        original.company_id
    };
    applied.sort_unstable();
    (
        SeedObject {
            id,
            properties,
            created_at,
            updated_at,
            company_id,
            history: Vec::new(),
            archived_at: None,
        },
        applied,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_time_is_before_the_worlds_now() {
        let world = generate(3, 3_000);
        let now = world.manifest.as_of;
        for record in world.contacts.iter().chain(&world.companies) {
            assert!(
                record.created_at < now && record.updated_at < now,
                "record {}",
                record.id
            );
            assert!(
                record.history.iter().all(|(_, _, at, _)| *at < now),
                "record {}",
                record.id
            );
        }
        assert!(
            world
                .spokes
                .map_leads
                .iter()
                .all(|l| l.created_at < now && l.updated_at < now)
        );
        assert!(
            world
                .spokes
                .portal_users
                .iter()
                .all(|u| u.created_at < now && u.last_login_at.is_none_or(|t| t < now))
        );
        assert!(world.spokes.sdr.iter().all(|r| r.last_touched < now));
    }

    #[test]
    fn same_seed_same_world() {
        let a = generate(42, 500);
        let b = generate(42, 500);
        assert_eq!(a.contacts, b.contacts);
        assert_eq!(a.manifest, b.manifest);
        let c = generate(43, 500);
        assert_ne!(a.contacts, c.contacts);
    }

    #[test]
    fn the_size_is_the_number_of_contacts_and_the_counts_add_up() {
        let world = generate(7, 2_000);
        let m = &world.manifest;
        let erased = m.spokes.erasures_not_propagated.len();
        assert!(erased >= 2);
        assert_eq!(
            world.contacts.len() + erased,
            2_000,
            "erased contacts are gone from the CRM"
        );
        assert_eq!(m.counts.crm_contacts, world.contacts.len());
        assert!(m.counts.crm_duplicate_clusters > 40, "{:?}", m.counts);
        let countries: std::collections::BTreeSet<_> = world
            .contacts
            .iter()
            .filter_map(|c| c.properties.get("country"))
            .collect();
        assert!(countries.len() >= 8, "{countries:?}");
        assert!(
            world
                .contacts
                .iter()
                .all(|c| c.properties.keys().all(|k| !k.starts_with("x_")))
        );
        let emails: Vec<String> = world
            .contacts
            .iter()
            .filter_map(|c| c.properties.get("email"))
            .map(|e| e.to_lowercase())
            .collect();
        let unique: std::collections::BTreeSet<&String> = emails.iter().collect();
        assert_eq!(
            unique.len(),
            emails.len(),
            "the CRM holds each address once"
        );
        let ids: std::collections::BTreeSet<u64> = world.contacts.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), world.contacts.len(), "ids are unique");
    }

    #[test]
    fn every_variant_differs_from_its_original_and_every_kind_occurs() {
        let world = generate(11, 5_000);
        let by_id: std::collections::BTreeMap<String, &SeedObject> = world
            .contacts
            .iter()
            .map(|c| (c.id.to_string(), c))
            .collect();
        let mut kinds = std::collections::BTreeSet::new();
        for cluster in &world.manifest.crm_duplicate_clusters {
            let original = by_id[&cluster.original];
            assert!((1..=4).contains(&cluster.variants.len()));
            for variant in &cluster.variants {
                let copy = by_id[&variant.id];
                assert_ne!(
                    copy.properties, original.properties,
                    "cluster {}",
                    cluster.cluster
                );
                assert!(copy.created_at > original.created_at);
                kinds.extend(variant.corruptions.iter().copied());
            }
        }
        assert_eq!(kinds.len(), corrupt::KINDS.len(), "{kinds:?}");
    }
}
