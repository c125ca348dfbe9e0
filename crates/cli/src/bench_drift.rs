//! `steward bench drift`: the drift benchmark of docs/BENCHMARKS.md. A seeded generator
//! writes a hub (people and companies) and up to four spokes straight into a workspace's
//! cache, as finished full syncs would have, with drift planted at known rates; then
//! `steward_app::drift::run_drift` is timed stage by stage and every planted kind is
//! checked against what drift found.
//!
//! Generation is not what is measured: the workspace is kept in `--dir` beside a stamp of
//! the parameters (and of what was planted), and reused while they match. After generating,
//! the measurement runs in a fresh process so its peak memory is drift's alone.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use steward_app::drift::DriftProgress;
use steward_app::systems::AddSystemRequest;
use steward_app::{AppError, Clock, ErrorCode, Keychain, Steward};
use steward_domain::{
    AuditEvent, FieldKey, FieldValue, ObjectType, PastValue, Population, Record, RecordKey, Role,
    Segment, StatusModel, SystemKind, SystemMapping, Timestamp,
};
use steward_store::{SyncMode, SyncStatus, Workspace};

use crate::args::BenchDriftArgs;
use crate::bench::{peak_rss_mb, reset_peak_rss};
use crate::commands::Outcome;

/// Bumped whenever the generated data changes, so an older workspace is not reused.
const GENERATOR: u32 = 1;
const STAMP: &str = "drift-bench.json";
const WORKSPACE: &str = "drift-bench.steward";
/// Records per cache transaction, as a sync writes pages.
const PAGE: usize = 10_000;

const HUB: &str = "CRM";
const MAP: &str = "Marketing platform";
const PORTAL: &str = "Customer portal";
const EVENTS: &str = "Events sheet";
const SDR: &str = "SDR prospects";

fn io(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Io, message)
}

// ---------------------------------------------------------------------------------------
// Randomness: splitmix64, our own so the data never moves with a crate upgrade.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// A value in `0..n` other than the ones in `not` (`n` > `not.len()`).
    fn other(&mut self, n: usize, not: &[usize]) -> usize {
        loop {
            let v = self.below(n);
            if !not.contains(&v) {
                return v;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Vocabulary.

const FIRST: &[&str] = &[
    "Alice",
    "Ben",
    "Chloé",
    "Daniel",
    "Emma",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Katarzyna",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Pedro",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tanja",
    "Umar",
    "Valentina",
    "William",
    "Xavier",
    "Yasmin",
    "Zoë",
    "Amelia",
    "Bruno",
    "Clara",
    "David",
    "Elena",
    "Felix",
    "Giulia",
    "Henrik",
    "Isabel",
    "Jakob",
    "Laura",
    "Marco",
    "Nina",
    "Oscar",
    "Paula",
    "Rafael",
    "Sofia",
    "Thomas",
    "Ursula",
    "Victor",
    "Wiebke",
    "Yusuf",
    "Anna",
    "Lukas",
];
const LAST: &[&str] = &[
    "Smith",
    "Müller",
    "Dubois",
    "García",
    "Rossi",
    "Jansen",
    "Kowalski",
    "Nielsen",
    "Silva",
    "Novak",
    "Brown",
    "Schmidt",
    "Martin",
    "López",
    "Bianchi",
    "de Vries",
    "Nowak",
    "Hansen",
    "Santos",
    "Horvat",
    "Taylor",
    "Schneider",
    "Bernard",
    "Martínez",
    "Romano",
    "Bakker",
    "Wiśniewski",
    "Larsen",
    "Costa",
    "Kovač",
    "Wilson",
    "Fischer",
    "Petit",
    "Sánchez",
    "Colombo",
    "Visser",
    "Wójcik",
    "Pedersen",
    "Pereira",
    "Marić",
    "Evans",
    "Weber",
    "Durand",
    "Pérez",
    "Ricci",
    "Smit",
    "Kamińska",
    "Andersen",
    "Oliveira",
    "Jurić",
];
const TITLES: &[&str] = &[
    "Head of Marketing",
    "Marketing Manager",
    "VP Sales",
    "Account Executive",
    "CFO",
    "CTO",
    "Data Analyst",
    "Operations Manager",
    "Product Manager",
    "Software Engineer",
    "HR Director",
    "Customer Success Manager",
    "Sales Development Rep",
    "Chief Executive Officer",
    "Finance Manager",
    "Procurement Lead",
    "IT Manager",
    "Office Manager",
    "Growth Lead",
    "Brand Manager",
    "Solutions Architect",
    "Legal Counsel",
    "Controller",
    "Recruiter",
];
const ADJECTIVES: &[&str] = &[
    "Northwind",
    "Blue",
    "Silver",
    "Bright",
    "Granite",
    "Harbor",
    "Alpine",
    "Crimson",
    "Quiet",
    "Rapid",
    "Golden",
    "Iron",
    "Lumen",
    "Maple",
    "Nova",
    "Orbit",
    "Pioneer",
    "Summit",
    "Vertex",
    "Willow",
];
const NOUNS: &[&str] = &[
    "Analytics",
    "Logistics",
    "Systems",
    "Foods",
    "Robotics",
    "Energy",
    "Labs",
    "Media",
    "Health",
    "Capital",
    "Works",
    "Networks",
    "Textiles",
    "Studios",
    "Pharma",
    "Mobility",
    "Software",
    "Partners",
    "Dynamics",
    "Retail",
];
const LEGAL: &[&str] = &["Ltd", "GmbH", "Inc.", "SAS", "B.V.", "S.L."];

/// (country, calling code, trunk prefix, area part): numbers are `<area> <4 digits>`.
const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("United Kingdom", "+44", "0", "20 7946"),
    ("Germany", "+49", "0", "30 9018"),
    ("France", "+33", "0", "1 4455"),
    ("Netherlands", "+31", "0", "20 794"),
    ("Spain", "+34", "", "91 123"),
    ("United States", "+1", "", "415 555"),
];

/// The hub's lead statuses, and the marketing platform's word for each.
const LEAD_STATUS: &[(&str, &str)] = &[
    ("NEW", "Fresh"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "Working"),
    ("CONNECTED", "Engaged"),
    ("ATTEMPTED_TO_CONTACT", "Attempted"),
    ("UNQUALIFIED", "Disqualified"),
    ("BAD_TIMING", "Later"),
];
const LIFECYCLE: &[&str] = &[
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
];
/// The hub's account statuses, and the portal's word for each.
const ACCOUNT_STATUS: &[(&str, &str)] = &[
    ("active", "active"),
    ("churned", "closed"),
    ("prospect", "trial"),
];
const ACTIVE: usize = 0;
const CHURNED: usize = 1;
const PROSPECT: usize = 2;

fn international(country: usize, suffix: u16) -> String {
    let (_, code, _, area) = COUNTRIES[country];
    format!("{code} {area} {suffix:04}")
}

/// The same number as dialled at home (the SDR sheet writes them so).
fn national(country: usize, suffix: u16) -> String {
    let (_, code, trunk, area) = COUNTRIES[country];
    if code == "+1" {
        let (a, b) = area.split_once(' ').unwrap_or((area, ""));
        format!("({a}) {b}-{suffix:04}")
    } else {
        format!("{trunk}{area} {suffix:04}")
    }
}

/// Letters only, lowercase, for addresses.
fn slug(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Time (fixed, so the data never depends on the wall clock).

const DAY: i64 = 86_400_000;
/// 2024-01-15T00:00:00Z: the hub's import.
const T0: i64 = 1_705_276_800_000;

fn at(ms: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(ms))
}

// ---------------------------------------------------------------------------------------
// The world, compactly.

struct Company {
    adjective: u8,
    noun: u8,
    legal: u8,
    status: u8,
    archived: bool,
    at: i64,
}

impl Company {
    fn name(&self) -> String {
        format!(
            "{} {} {}",
            ADJECTIVES[usize::from(self.adjective)],
            NOUNS[usize::from(self.noun)],
            LEGAL[usize::from(self.legal)]
        )
    }
}

fn company_domain(c: &Company, index: usize) -> String {
    format!(
        "{}{}{index}.test",
        slug(ADJECTIVES[usize::from(c.adjective)]),
        slug(NOUNS[usize::from(c.noun)])
    )
}

#[derive(Clone)]
struct Person {
    first: u8,
    last: u8,
    country: u8,
    title: u8,
    /// The title before a person changed it in the hub (CRM_UI), if they did.
    title_before: Option<u8>,
    phone: u16,
    phone_before: Option<u16>,
    lead: u8,
    lifecycle: u8,
    /// The lifecycle stage a person set (CRM_UI) before an integration overwrote it.
    lifecycle_before: Option<u8>,
    company: u32,
    /// The hub's import of the person.
    at: i64,
    /// When a person changed the title or the phone in the hub.
    changed_at: i64,
}

impl Person {
    fn first(&self) -> &'static str {
        FIRST[usize::from(self.first)]
    }

    fn last(&self) -> &'static str {
        LAST[usize::from(self.last)]
    }

    fn country(&self) -> usize {
        usize::from(self.country)
    }
}

/// A person's address: unique by `tag`.
fn email(p: &Person, tag: &str, domain: &str) -> String {
    format!("{}.{}.{tag}@{domain}", slug(p.first()), slug(p.last()))
}

fn random_person(rng: &mut Rng, companies: usize) -> Person {
    Person {
        first: rng.below(FIRST.len()) as u8,
        last: rng.below(LAST.len()) as u8,
        country: rng.below(COUNTRIES.len()) as u8,
        title: rng.below(TITLES.len()) as u8,
        title_before: None,
        phone: rng.below(10_000) as u16,
        phone_before: None,
        lead: rng.below(LEAD_STATUS.len()) as u8,
        lifecycle: rng.below(LIFECYCLE.len()) as u8,
        lifecycle_before: None,
        company: rng.below(companies.max(1)) as u32,
        at: T0 + rng.below(30) as i64 * DAY + rng.below(DAY as usize) as i64,
        changed_at: 0,
    }
}

/// Someone the hub does not hold: the person, an address unique by `tag`, their company.
fn stranger(rng: &mut Rng, companies: usize, tag: &str) -> (Person, String, String) {
    let p = random_person(rng, companies);
    let company = format!(
        "{} {} {}",
        rng.pick(ADJECTIVES),
        rng.pick(NOUNS),
        rng.pick(LEGAL)
    );
    let address = email(&p, tag, &format!("{}-leads.test", slug(&company)));
    (p, address, company)
}

fn hub_person_id(i: usize) -> String {
    (100_000_000 + i).to_string()
}

fn hub_company_id(j: usize) -> String {
    (500_000_000 + j).to_string()
}

/// A hub person id that never existed (the person was erased from the hub).
fn erased_id(k: usize) -> String {
    (900_000_000 + k).to_string()
}

// ---------------------------------------------------------------------------------------
// What was planted, and the stamp kept beside the workspace.

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Counts {
    hub_people: u64,
    hub_companies: u64,
    hub_companies_archived: u64,
    spoke_people: u64,
    spoke_companies: u64,
    /// Spoke records that are copies of a hub record (drift's "linked").
    linked: u64,
    /// Live hub companies with an active status.
    hub_active_accounts: u64,
    /// Portal companies with the portal's "active".
    portal_active_accounts: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Stamp {
    generator: u32,
    hub: usize,
    spokes: u8,
    seed: u64,
    generation_seconds: f64,
    counts: Counts,
    /// kind → system → records (or fields) planted.
    planted: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Stamp {
    fn plant(&mut self, kind: &str, system: &str) {
        *self
            .planted
            .entry(kind.to_owned())
            .or_default()
            .entry(system.to_owned())
            .or_default() += 1;
    }

    fn same_run(&self, args: &BenchDriftArgs) -> bool {
        self.generator == GENERATOR
            && self.hub == args.hub
            && self.spokes == args.spokes
            && self.seed == args.seed
    }
}

// ---------------------------------------------------------------------------------------
// Writing into the cache, page by page, as a sync does.

struct SyncWriter<'a> {
    workspace: &'a mut Workspace,
    system_id: i64,
    system: &'static str,
    run_id: i64,
    fetched_at: Timestamp,
    page: Vec<Record>,
    written: u64,
}

impl<'a> SyncWriter<'a> {
    fn start(
        workspace: &'a mut Workspace,
        system_id: i64,
        system: &'static str,
        crosswalks: &[(ObjectType, &str)],
    ) -> Result<Self, AppError> {
        let now = Clock::System.now();
        let crosswalks: Vec<(ObjectType, String)> = crosswalks
            .iter()
            .map(|(o, f)| (*o, (*f).to_owned()))
            .collect();
        let run_id = workspace.cache(|c| {
            c.replace_crosswalks(system_id, &crosswalks)?;
            c.start_sync_run(system_id, now, SyncMode::Full)
        })?;
        Ok(Self {
            workspace,
            system_id,
            system,
            run_id,
            fetched_at: now,
            page: Vec::with_capacity(PAGE),
            written: 0,
        })
    }

    fn push(&mut self, record: Record) -> Result<(), AppError> {
        self.page.push(record);
        if self.page.len() >= PAGE {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), AppError> {
        let (page, at, run) = (&self.page, self.fetched_at, self.run_id);
        self.workspace.cache(|c| {
            for record in page {
                c.upsert_record(record, at, run, true)?;
            }
            Ok(())
        })?;
        self.written += self.page.len() as u64;
        self.page.clear();
        Ok(())
    }

    /// Ends the run as a complete full read (marks set, audited), as `app::sync` does.
    fn finish(mut self) -> Result<u64, AppError> {
        self.flush()?;
        let system_id = self.system_id;
        self.workspace.cache(|c| {
            for object in [ObjectType::Person, ObjectType::Company] {
                if let Some(newest) = c.newest_change(system_id, object)? {
                    c.set_high_water(system_id, object, newest)?;
                }
            }
            Ok(())
        })?;
        let mut run = steward_store::get_sync_run(self.workspace.conn(), self.run_id)?
            .ok_or_else(|| AppError::new(ErrorCode::Internal, "the sync run vanished"))?;
        let now = Clock::System.now();
        run.finished_at = Some(now);
        run.status = SyncStatus::Succeeded;
        run.records_read = self.written;
        run.records_expected = Some(self.written);
        run.resume_from = None;
        let event = AuditEvent {
            at: now,
            actor: "bench".into(),
            action: "sync.finished".into(),
            subject: format!("system:{}", self.system),
            details: serde_json::json!({
                "run": run.id,
                "mode": run.mode.as_str(),
                "status": run.status.as_str(),
                "records_read": run.records_read,
                "records_failed": 0,
                "records_removed": 0,
                "api_calls": 0,
                "generated_by": "steward bench drift",
            }),
        };
        self.workspace.change(|c| {
            c.update_sync_run(&run)?;
            Ok::<_, AppError>(((), event))
        })?;
        Ok(self.written)
    }
}

fn record(
    system_id: i64,
    object: ObjectType,
    id: String,
    created: i64,
    updated: i64,
    fields: Vec<(&str, FieldValue)>,
) -> Record {
    Record {
        key: RecordKey {
            system_id,
            object,
            external_id: id,
        },
        created_at: at(created),
        updated_at: at(updated),
        archived: false,
        fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        associations: Default::default(),
    }
}

/// A hub value: imported, or changed later by `source` over an earlier value.
fn hub_value(
    value: String,
    imported: i64,
    change: Option<(String, i64, &str, &str)>,
) -> FieldValue {
    match change {
        None => FieldValue {
            value,
            modified_at: at(imported),
            source: Some("IMPORT".into()),
            earlier: Vec::new(),
        },
        Some((before, changed, before_source, source)) => FieldValue {
            value,
            modified_at: at(changed),
            source: Some(source.into()),
            earlier: vec![PastValue {
                value: before,
                modified_at: at(imported),
                source: Some(before_source.into()),
            }],
        },
    }
}

/// A spoke's value: no source, no history, its record's time.
fn spoke_value(value: impl Into<String>) -> FieldValue {
    FieldValue::new(value, None)
}

// ---------------------------------------------------------------------------------------
// The spokes.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Spoke {
    /// Marketing platform: its own field names and status words; keeps the hub id.
    Map,
    /// Customer portal: people and accounts, keeps the hub ids.
    Portal,
    /// Events sheet: one full name, linked by address.
    Events,
    /// SDR sheet: numbers as dialled at home, linked by address.
    Sdr,
}

const SPOKES: [Spoke; 4] = [Spoke::Map, Spoke::Portal, Spoke::Events, Spoke::Sdr];

impl Spoke {
    fn name(self) -> &'static str {
        match self {
            Spoke::Map => MAP,
            Spoke::Portal => PORTAL,
            Spoke::Events => EVENTS,
            Spoke::Sdr => SDR,
        }
    }

    /// The field holding the hub's person id, if the spoke keeps one.
    fn crosswalk(self) -> Option<&'static str> {
        match self {
            Spoke::Map => Some("crmContactId"),
            Spoke::Portal => Some("crm_id"),
            Spoke::Events | Spoke::Sdr => None,
        }
    }

    fn has_phone(self) -> bool {
        self != Spoke::Events
    }

    /// The spoke's person fields: its own name → canonical field.
    fn person_fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Spoke::Map => &[
                ("email", "email"),
                ("firstName", "first_name"),
                ("lastName", "last_name"),
                ("phone", "phone"),
                ("company", "company_name"),
                ("title", "job_title"),
                ("country", "country"),
                ("leadStatus", "lead_status"),
            ],
            Spoke::Portal => &[
                ("email", "email"),
                ("first_name", "first_name"),
                ("last_name", "last_name"),
                ("phone", "phone"),
                ("job_title", "job_title"),
            ],
            Spoke::Events => &[
                ("Email", "email"),
                ("Full Name", "full_name"),
                ("Company", "company_name"),
                ("Job Title", "job_title"),
                ("Country", "country"),
            ],
            Spoke::Sdr => &[
                ("email", "email"),
                ("first", "first_name"),
                ("last", "last_name"),
                ("phone", "phone"),
                ("title", "job_title"),
                ("company", "company_name"),
            ],
        }
    }

    fn id(self, n: usize) -> String {
        match self {
            Spoke::Map => (20_000_000 + n).to_string(),
            Spoke::Portal => format!("P{n}"),
            Spoke::Events => format!("REG-{n}"),
            Spoke::Sdr => format!("SDR-{n}"),
        }
    }
}

const HUB_PERSON_FIELDS: &[(&str, &str)] = &[
    ("email", "email"),
    ("firstname", "first_name"),
    ("lastname", "last_name"),
    ("phone", "phone"),
    ("company", "company_name"),
    ("jobtitle", "job_title"),
    ("country", "country"),
    ("hs_lead_status", "lead_status"),
    ("lifecyclestage", "lifecycle_stage"),
];
const HUB_COMPANY_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("domain", "domain"),
    ("account_status", "account_status"),
];
const PORTAL_COMPANY_FIELDS: &[(&str, &str)] = &[
    ("account_name", "name"),
    ("website", "domain"),
    ("status", "account_status"),
];

/// One spoke person: a copy (with whatever drift was planted in it) or a stranger.
struct SpokePerson<'a> {
    person: &'a Person,
    email: String,
    company: String,
    title: usize,
    phone: u16,
    lead_word: &'static str,
    /// The hub id the copy keeps (crosswalk spokes).
    crosswalk: Option<String>,
    created: i64,
    updated: i64,
}

fn spoke_person_record(spoke: Spoke, system_id: i64, n: usize, p: &SpokePerson<'_>) -> Record {
    let person = p.person;
    let country = person.country();
    let mut fields: Vec<(&str, FieldValue)> = Vec::with_capacity(9);
    for (name, canonical) in spoke.person_fields() {
        let value = match *canonical {
            "email" => p.email.clone(),
            "first_name" => person.first().to_owned(),
            "last_name" => person.last().to_owned(),
            "full_name" => format!("{} {}", person.first(), person.last()),
            "phone" if spoke == Spoke::Sdr => national(country, p.phone),
            "phone" => international(country, p.phone),
            "company_name" => p.company.clone(),
            "job_title" => TITLES[p.title].to_owned(),
            "country" => COUNTRIES[country].0.to_owned(),
            "lead_status" => p.lead_word.to_owned(),
            _ => continue,
        };
        fields.push((name, spoke_value(value)));
    }
    if let (Some(field), Some(id)) = (spoke.crosswalk(), &p.crosswalk) {
        fields.push((field, spoke_value(id.clone())));
    }
    record(
        system_id,
        ObjectType::Person,
        spoke.id(n),
        p.created,
        p.updated,
        fields,
    )
}

/// What one spoke slot holds.
#[derive(Clone, Copy)]
enum Slot {
    Copy,
    Stranger,
    Erased,
}

// ---------------------------------------------------------------------------------------
// Generation.

fn workspace_path(dir: &Path) -> PathBuf {
    dir.join(WORKSPACE)
}

fn remove_workspace(path: &Path) -> Result<(), AppError> {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(&file)
                .map_err(|e| io(format!("removing {}: {e}", file.display())))?;
        }
    }
    Ok(())
}

fn keychain() -> Keychain {
    // No credential is stored: the hub is a REST system without auth, the spokes are files.
    Keychain::with_service("steward-bench-drift")
}

fn mapping(
    system: &str,
    object: ObjectType,
    fields: &[(&str, &str)],
) -> Result<SystemMapping, AppError> {
    Ok(SystemMapping {
        system: system.to_owned(),
        object,
        fields: fields
            .iter()
            .map(|(name, key)| {
                Ok((
                    (*name).to_owned(),
                    FieldKey::parse(key).map_err(AppError::invalid)?,
                ))
            })
            .collect::<Result<_, AppError>>()?,
    })
}

/// Registers the systems and saves the rules (the shape `steward demo` saves). Returns the
/// system ids: the hub's, then each spoke's.
fn register(path: &Path, dir: &Path, spokes: &[Spoke]) -> Result<(i64, Vec<i64>), AppError> {
    let mut app = Steward::init(path, keychain(), "bench".into(), Clock::System)?;
    let config = dir.join("crm-rest.toml");
    std::fs::write(
        &config,
        "# Never contacted: the benchmark writes the CRM's records into the cache itself.\n\
         [[objects]]\nobject = \"person\"\npath = \"api/contacts\"\nrecord_path = \"/data\"\nid = \"/id\"\n\
         [objects.paging]\nstyle = \"none\"\n\n\
         [[objects]]\nobject = \"company\"\npath = \"api/companies\"\nrecord_path = \"/data\"\nid = \"/id\"\n\
         [objects.paging]\nstyle = \"none\"\n",
    )
    .map_err(|e| io(format!("writing {}: {e}", config.display())))?;
    let hub = app.add_system(
        AddSystemRequest {
            name: HUB.into(),
            kind: Some(SystemKind::Rest),
            role: Some(Role::Hub),
            population: Some(Population::Manual),
            base_url: Some("http://127.0.0.1:9/".into()),
            config_path: Some(config.display().to_string()),
            ..AddSystemRequest::default()
        },
        None,
    )?;
    let mut ids = Vec::new();
    for spoke in spokes {
        let view = app.add_system(
            AddSystemRequest {
                name: spoke.name().into(),
                kind: Some(SystemKind::Csv),
                role: Some(Role::Spoke),
                population: Some(Population::Imported),
                path: Some(
                    dir.join(format!("{}.csv", slug(spoke.name())))
                        .display()
                        .to_string(),
                ),
                ..AddSystemRequest::default()
            },
            None,
        )?;
        ids.push(view.id);
    }

    let (mut set, _) = app.rule_set()?;
    set.mapping = vec![
        mapping(HUB, ObjectType::Person, HUB_PERSON_FIELDS)?,
        mapping(HUB, ObjectType::Company, HUB_COMPANY_FIELDS)?,
    ];
    for spoke in spokes {
        set.mapping.push(mapping(
            spoke.name(),
            ObjectType::Person,
            spoke.person_fields(),
        )?);
        if *spoke == Spoke::Portal {
            set.mapping
                .push(mapping(PORTAL, ObjectType::Company, PORTAL_COMPANY_FIELDS)?);
        }
    }
    let key = |k: &str| FieldKey::parse(k).map_err(AppError::invalid);
    let mut lead = StatusModel {
        object: ObjectType::Person,
        field: key("lead_status")?,
        values: LEAD_STATUS.iter().map(|(v, _)| (*v).to_owned()).collect(),
        systems: BTreeMap::new(),
    };
    let mut account = StatusModel {
        object: ObjectType::Company,
        field: key("account_status")?,
        values: ACCOUNT_STATUS
            .iter()
            .map(|(v, _)| (*v).to_owned())
            .collect(),
        systems: BTreeMap::new(),
    };
    if spokes.contains(&Spoke::Map) {
        lead.systems.insert(
            MAP.into(),
            LEAD_STATUS
                .iter()
                .map(|(v, w)| ((*w).to_owned(), (*v).to_owned()))
                .collect(),
        );
    }
    if spokes.contains(&Spoke::Portal) {
        account.systems.insert(
            PORTAL.into(),
            ACCOUNT_STATUS
                .iter()
                .filter(|(v, w)| v != w)
                .map(|(v, w)| ((*w).to_owned(), (*v).to_owned()))
                .collect(),
        );
    }
    let lifecycle = StatusModel {
        object: ObjectType::Person,
        field: key("lifecycle_stage")?,
        values: LIFECYCLE.iter().map(|v| (*v).to_owned()).collect(),
        systems: BTreeMap::new(),
    };
    set.status = vec![lifecycle, lead, account];
    set.segment = vec![Segment {
        name: "active accounts".into(),
        object: ObjectType::Company,
        conditions: [(key("account_status")?, vec!["active".to_owned()])].into(),
    }];
    app.save_rules(
        set,
        "drift benchmark: every system's fields, status words and the active-accounts segment",
    )?;
    Ok((hub.id, ids))
}

fn generate(args: &BenchDriftArgs, dir: &Path) -> Result<Stamp, AppError> {
    let started = Instant::now();
    let path = workspace_path(dir);
    remove_workspace(&path)?;
    let spokes: Vec<Spoke> = SPOKES[..usize::from(args.spokes)].to_vec();
    let mut stamp = Stamp {
        generator: GENERATOR,
        hub: args.hub,
        spokes: args.spokes,
        seed: args.seed,
        ..Stamp::default()
    };
    let mut rng = Rng(args.seed ^ 0xD1F7_BE4C_0000_0000);

    // The hub's companies: half active, a fifth churned, the rest prospects; a few archived.
    let company_count = (args.hub / 10).max(10);
    let mut companies: Vec<Company> = (0..company_count)
        .map(|_| {
            let roll = rng.below(10);
            Company {
                adjective: rng.below(ADJECTIVES.len()) as u8,
                noun: rng.below(NOUNS.len()) as u8,
                legal: rng.below(LEGAL.len()) as u8,
                status: if roll < 5 {
                    ACTIVE as u8
                } else if roll < 7 {
                    CHURNED as u8
                } else {
                    PROSPECT as u8
                },
                archived: false,
                at: T0 + rng.below(30) as i64 * DAY,
            }
        })
        .collect();
    let archived = (company_count / 100).max(2);
    let mut order: Vec<usize> = (0..company_count).collect();
    rng.shuffle(&mut order);
    for &j in &order[..archived] {
        companies[j].archived = true;
    }
    let domains: Vec<String> = companies
        .iter()
        .enumerate()
        .map(|(j, c)| company_domain(c, j))
        .collect();

    // The hub's people: 5 % retitled by a person, 3 % renumbered, 1 % with a lifecycle stage
    // an integration overwrote.
    let people: Vec<Person> = (0..args.hub)
        .map(|_| {
            let mut p = random_person(&mut rng, company_count);
            p.changed_at =
                T0 + 120 * DAY + rng.below(30) as i64 * DAY + rng.below(DAY as usize) as i64;
            if rng.chance(0.05) {
                p.title_before = Some(p.title);
                p.title = rng.other(TITLES.len(), &[usize::from(p.title)]) as u8;
            }
            if rng.chance(0.03) {
                p.phone_before = Some(p.phone);
                p.phone = rng.other(10_000, &[usize::from(p.phone)]) as u16;
            }
            if rng.chance(0.01) {
                p.lifecycle_before = Some(p.lifecycle);
                p.lifecycle = rng.other(LIFECYCLE.len(), &[usize::from(p.lifecycle)]) as u8;
            }
            p
        })
        .collect();

    eprintln!("Registering the systems and saving the rules…");
    let (hub_id, spoke_ids) = register(&path, dir, &spokes)?;
    let mut workspace = Workspace::open(&path)?;

    eprintln!(
        "Writing the hub: {} people, {} companies…",
        people.len(),
        companies.len()
    );
    let mut hub = SyncWriter::start(&mut workspace, hub_id, HUB, &[])?;
    for (i, p) in people.iter().enumerate() {
        let c = &companies[p.company as usize];
        let country = p.country();
        let title = p.title_before.map(|before| {
            (
                TITLES[usize::from(before)].to_owned(),
                p.changed_at,
                "IMPORT",
                "CRM_UI",
            )
        });
        let phone = p.phone_before.map(|before| {
            (
                international(country, before),
                p.changed_at,
                "IMPORT",
                "CRM_UI",
            )
        });
        let lifecycle = p.lifecycle_before.map(|before| {
            (
                LIFECYCLE[usize::from(before)].to_owned(),
                p.changed_at + 10 * DAY,
                "CRM_UI",
                "INTEGRATION",
            )
        });
        if lifecycle.is_some() {
            stamp.plant("conflicting_write", HUB);
        }
        let updated = if title.is_some() || phone.is_some() || lifecycle.is_some() {
            p.changed_at + 10 * DAY
        } else {
            p.at
        };
        let fields = vec![
            (
                "email",
                hub_value(
                    email(p, &i.to_string(), &domains[p.company as usize]),
                    p.at,
                    None,
                ),
            ),
            ("firstname", hub_value(p.first().to_owned(), p.at, None)),
            ("lastname", hub_value(p.last().to_owned(), p.at, None)),
            (
                "phone",
                hub_value(international(country, p.phone), p.at, phone),
            ),
            ("company", hub_value(c.name(), p.at, None)),
            (
                "jobtitle",
                hub_value(TITLES[usize::from(p.title)].to_owned(), p.at, title),
            ),
            (
                "country",
                hub_value(COUNTRIES[country].0.to_owned(), p.at, None),
            ),
            (
                "hs_lead_status",
                hub_value(LEAD_STATUS[usize::from(p.lead)].0.to_owned(), p.at, None),
            ),
            (
                "lifecyclestage",
                hub_value(
                    LIFECYCLE[usize::from(p.lifecycle)].to_owned(),
                    p.at,
                    lifecycle,
                ),
            ),
        ];
        hub.push(record(
            hub_id,
            ObjectType::Person,
            hub_person_id(i),
            p.at - 30 * DAY,
            updated,
            fields,
        ))?;
    }
    for (j, c) in companies.iter().enumerate() {
        let fields = vec![
            ("name", hub_value(c.name(), c.at, None)),
            ("domain", hub_value(domains[j].clone(), c.at, None)),
            (
                "account_status",
                hub_value(
                    ACCOUNT_STATUS[usize::from(c.status)].0.to_owned(),
                    c.at,
                    None,
                ),
            ),
        ];
        let mut r = record(
            hub_id,
            ObjectType::Company,
            hub_company_id(j),
            c.at - 60 * DAY,
            c.at,
            fields,
        );
        r.archived = c.archived;
        hub.push(r)?;
    }
    hub.finish()?;
    stamp.counts.hub_people = people.len() as u64;
    stamp.counts.hub_companies = companies.len() as u64;
    stamp.counts.hub_companies_archived = archived as u64;
    stamp.counts.hub_active_accounts = companies
        .iter()
        .filter(|c| !c.archived && usize::from(c.status) == ACTIVE)
        .count() as u64;

    // People erased from the hub whom a crosswalk spoke still holds (reused by the sheets).
    let mut erased: Vec<(Person, String, String)> = Vec::new();
    let per_spoke = (args.hub / 4).max(1);
    for (s, (&spoke, &system_id)) in spokes.iter().zip(&spoke_ids).enumerate() {
        let name = spoke.name();
        eprintln!("Writing {name}: {per_spoke} people…");
        // 3 % strangers (not in the hub), 0.2 % erased, the rest copies of distinct hub people.
        let strangers = per_spoke * 3 / 100;
        let erasures = (per_spoke / 500).max(1).min(per_spoke - strangers);
        let mut slots = vec![Slot::Copy; per_spoke];
        slots[..strangers].fill(Slot::Stranger);
        slots[strangers..strangers + erasures].fill(Slot::Erased);
        rng.shuffle(&mut slots);
        let mut pick: Vec<u32> = (0..args.hub as u32).collect();
        rng.shuffle(&mut pick);
        let mut copies = pick.into_iter();
        let mut reuse: Vec<(Person, String, String)> = erased.clone();
        rng.shuffle(&mut reuse);
        let mut reuse = reuse.into_iter();
        let mut crosswalks: Vec<(ObjectType, &str)> = Vec::new();
        if let Some(field) = spoke.crosswalk() {
            crosswalks.push((ObjectType::Person, field));
        }
        if spoke == Spoke::Portal {
            crosswalks.push((ObjectType::Company, "crm_account_id"));
        }
        let mut writer = SyncWriter::start(&mut workspace, system_id, name, &crosswalks)?;
        for (n, slot) in slots.iter().enumerate() {
            let created =
                T0 + 60 * DAY + rng.below(30) as i64 * DAY + rng.below(DAY as usize) as i64;
            // A sheet holds an erased person only if a crosswalk spoke had one to erase.
            let slot = match slot {
                Slot::Erased if spoke.crosswalk().is_none() && reuse.len() == 0 => Slot::Stranger,
                other => *other,
            };
            // Someone the hub does not hold (a stranger, or a person erased from it).
            let held: (Person, String, String);
            let spoke_person = match slot {
                Slot::Copy => {
                    let Some(i) = copies.next().map(|i| i as usize) else {
                        break;
                    };
                    let p = &people[i];
                    let mut title = usize::from(p.title);
                    if let Some(before) = p.title_before
                        && rng.chance(0.5)
                    {
                        title = usize::from(before);
                        stamp.plant("stale", name);
                    }
                    let mut phone = p.phone;
                    if let Some(before) = p.phone_before
                        && spoke.has_phone()
                        && rng.chance(0.4)
                    {
                        phone =
                            rng.other(10_000, &[usize::from(p.phone), usize::from(before)]) as u16;
                        stamp.plant("divergent", name);
                    }
                    let mut lead = usize::from(p.lead);
                    let mut updated = created;
                    if spoke == Spoke::Map && rng.chance(0.02) {
                        lead = rng.other(LEAD_STATUS.len(), &[lead]);
                        updated = T0 + 180 * DAY + rng.below(30) as i64 * DAY;
                        stamp.plant("mismatch", name);
                    }
                    stamp.counts.linked += 1;
                    SpokePerson {
                        person: p,
                        email: email(p, &i.to_string(), &domains[p.company as usize]),
                        company: companies[p.company as usize].name(),
                        title,
                        phone,
                        lead_word: LEAD_STATUS[lead].1,
                        crosswalk: Some(hub_person_id(i)),
                        created,
                        updated,
                    }
                }
                Slot::Stranger | Slot::Erased => {
                    let mut crosswalk = None;
                    held = match (slot, spoke.crosswalk()) {
                        (Slot::Stranger, _) => {
                            stamp.plant("missing_in_hub", name);
                            stranger(&mut rng, company_count, &format!("s{s}x{n}"))
                        }
                        (_, Some(_)) => {
                            stamp.plant("erasure_not_propagated", name);
                            let who = stranger(&mut rng, company_count, &format!("e{s}x{n}"));
                            crosswalk = Some(erased_id(erased.len()));
                            erased.push(who.clone());
                            who
                        }
                        (_, None) => {
                            let Some(who) = reuse.next() else { break };
                            stamp.plant("erasure_not_propagated", name);
                            who
                        }
                    };
                    let (p, email, company) = &held;
                    SpokePerson {
                        person: p,
                        email: email.clone(),
                        company: company.clone(),
                        title: usize::from(p.title),
                        phone: p.phone,
                        lead_word: LEAD_STATUS[usize::from(p.lead)].1,
                        crosswalk,
                        created,
                        updated: created,
                    }
                }
            };
            writer.push(spoke_person_record(spoke, system_id, n, &spoke_person))?;
            stamp.counts.spoke_people += 1;
        }

        if spoke == Spoke::Portal {
            // Accounts: every customer (active or churned) of the hub, including the archived
            // ones (orphans); 2 % with a status that disagrees; 3 % accounts the hub lacks.
            let mut n = 0usize;
            let mut push_account = |writer: &mut SyncWriter<'_>,
                                    name: String,
                                    website: String,
                                    word: &str,
                                    crosswalk: Option<String>,
                                    updated: i64|
             -> Result<(), AppError> {
                let mut fields = vec![
                    ("account_name", spoke_value(name)),
                    ("website", spoke_value(website)),
                    ("status", spoke_value(word)),
                ];
                if let Some(id) = crosswalk {
                    fields.push(("crm_account_id", spoke_value(id)));
                }
                let r = record(
                    system_id,
                    ObjectType::Company,
                    format!("A{n}"),
                    T0 + 45 * DAY,
                    updated,
                    fields,
                );
                n += 1;
                writer.push(r)
            };
            let mut accounts = 0u64;
            for (j, c) in companies.iter().enumerate() {
                let status = usize::from(c.status);
                if status == PROSPECT && !c.archived {
                    continue;
                }
                let mut word = ACCOUNT_STATUS[status].1;
                let mut updated = T0 + 60 * DAY + rng.below(30) as i64 * DAY;
                if c.archived {
                    stamp.plant("orphan", PORTAL);
                    if word == "active" {
                        stamp.plant("count_mismatch", PORTAL);
                    }
                } else if rng.chance(0.02) {
                    word = if status == ACTIVE { "closed" } else { "active" };
                    updated = T0 + 180 * DAY + rng.below(30) as i64 * DAY;
                    stamp.plant("mismatch", PORTAL);
                    stamp.plant("count_mismatch", PORTAL);
                }
                if word == "active" {
                    stamp.counts.portal_active_accounts += 1;
                }
                stamp.counts.linked += 1;
                accounts += 1;
                push_account(
                    &mut writer,
                    c.name(),
                    format!("https://www.{}/", domains[j]),
                    word,
                    Some(hub_company_id(j)),
                    updated,
                )?;
            }
            let strangers = (accounts * 3 / 100).max(1);
            for k in 0..strangers {
                let name = format!(
                    "{} {} {}",
                    rng.pick(ADJECTIVES),
                    rng.pick(NOUNS),
                    rng.pick(LEGAL)
                );
                let word = if rng.chance(0.6) { "active" } else { "closed" };
                stamp.plant("missing_in_hub", PORTAL);
                if word == "active" {
                    stamp.plant("count_mismatch", PORTAL);
                    stamp.counts.portal_active_accounts += 1;
                }
                let website = format!("{}-portal{k}.test", slug(&name));
                push_account(&mut writer, name, website, word, None, T0 + 70 * DAY)?;
            }
            stamp.counts.spoke_companies += accounts + strangers;
        }
        writer.finish()?;
    }
    stamp.generation_seconds = started.elapsed().as_secs_f64();
    Ok(stamp)
}

// ---------------------------------------------------------------------------------------
// Measuring.

#[derive(Debug, Serialize)]
struct Seconds {
    total: f64,
    /// Opening the workspace and reading the rule set.
    open: f64,
    /// Reading the cache into the engine's snapshot.
    reading: f64,
    /// The engine (linking, comparing, segments) and turning findings into stored rows.
    comparing: f64,
    /// Storing the findings and the run (one audited transaction).
    saving: f64,
}

#[derive(Debug, Serialize)]
struct KindCheck {
    kind: String,
    system: String,
    planted: u64,
    found: u64,
}

#[derive(Debug, Serialize)]
struct SegmentFigure {
    system: String,
    count: u64,
    expected: u64,
}

#[derive(Debug, Serialize)]
struct Figures {
    hub: usize,
    spokes: u8,
    seed: u64,
    workspace: String,
    generation_seconds: f64,
    hub_records: u64,
    spoke_records: u64,
    records: u64,
    linked: u64,
    linked_expected: u64,
    findings: u64,
    /// Kind → findings (over all systems).
    by_kind: BTreeMap<String, u64>,
    /// Every (kind, system) planted or found.
    checks: Vec<KindCheck>,
    planted_equals_found: bool,
    segments: Vec<SegmentFigure>,
    seconds: Seconds,
    peak_rss_mb: f64,
    threads: usize,
}

fn measure(
    args: &BenchDriftArgs,
    dir: &Path,
    stamp: &Stamp,
    json: bool,
) -> Result<Outcome, AppError> {
    let path = workspace_path(dir);
    let app = Steward::open(&path, keychain(), "bench".into(), Clock::System)?;
    let env = app.sync_env();
    let marks: Mutex<Vec<(String, Instant)>> = Mutex::new(Vec::new());
    let progress = |p: DriftProgress| {
        if let Ok(mut marks) = marks.lock()
            && marks.last().is_none_or(|(stage, _)| *stage != p.stage)
        {
            marks.push((p.stage, Instant::now()));
        }
    };
    if !json {
        eprintln!("Measuring drift…");
    }
    reset_peak_rss();
    let started = Instant::now();
    let run = steward_app::drift::run_drift(&env, &progress, &|| false)?;
    let ended = Instant::now();
    let peak = peak_rss_mb();
    let marks = marks.into_inner().unwrap_or_default();
    let mark = |stage: &str| marks.iter().find(|(s, _)| s == stage).map(|(_, t)| *t);
    let span = |from: Option<Instant>, to: Option<Instant>| match (from, to) {
        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
        _ => 0.0,
    };
    let (reading, comparing, saving) = (mark("reading"), mark("comparing"), mark("saving"));
    let seconds = Seconds {
        total: ended.duration_since(started).as_secs_f64(),
        open: span(Some(started), reading),
        reading: span(reading, comparing),
        comparing: span(comparing, saving),
        saving: span(saving, Some(ended)),
    };

    let overview = app.drift_overview()?;
    let mut found: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    for t in &overview.totals {
        *found.entry((t.kind.clone(), t.system.clone())).or_default() += t.count;
        *by_kind.entry(t.kind.clone()).or_default() += t.count;
    }
    let mut keys: Vec<(String, String)> = found.keys().cloned().collect();
    for (kind, systems) in &stamp.planted {
        for system in systems.keys() {
            keys.push((kind.clone(), system.clone()));
        }
    }
    keys.sort();
    keys.dedup();
    let checks: Vec<KindCheck> = keys
        .into_iter()
        .map(|(kind, system)| KindCheck {
            planted: stamp
                .planted
                .get(&kind)
                .and_then(|s| s.get(&system))
                .copied()
                .unwrap_or(0),
            found: found
                .get(&(kind.clone(), system.clone()))
                .copied()
                .unwrap_or(0),
            kind,
            system,
        })
        .collect();
    let equal = checks.iter().all(|c| c.planted == c.found);
    let segments = overview
        .segments
        .iter()
        .map(|s| SegmentFigure {
            system: s.system.clone(),
            count: s.count,
            expected: if s.hub {
                stamp.counts.hub_active_accounts
            } else {
                stamp.counts.portal_active_accounts
            },
        })
        .collect();
    let c = &stamp.counts;
    let hub_records = c.hub_people + c.hub_companies;
    let spoke_records = c.spoke_people + c.spoke_companies;
    let figures = Figures {
        hub: args.hub,
        spokes: args.spokes,
        seed: args.seed,
        workspace: path.display().to_string(),
        generation_seconds: stamp.generation_seconds,
        hub_records,
        spoke_records,
        records: run.records,
        linked: run.linked,
        linked_expected: c.linked,
        findings: run.findings,
        by_kind,
        checks,
        planted_equals_found: equal,
        segments,
        seconds,
        peak_rss_mb: peak,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&figures).unwrap_or_default()
        );
    } else {
        print_figures(&figures);
    }
    Ok(if equal {
        Outcome::Done
    } else {
        Outcome::Finding
    })
}

fn print_figures(f: &Figures) {
    println!(
        "drift benchmark: {} hub people, {} spokes (seed {}), {} threads",
        f.hub, f.spokes, f.seed, f.threads
    );
    println!(
        "  records: {} hub + {} spokes = {} (drift read {}); linked {} (expected {})",
        f.hub_records,
        f.spoke_records,
        f.hub_records + f.spoke_records,
        f.records,
        f.linked,
        f.linked_expected
    );
    let s = &f.seconds;
    println!(
        "  seconds: {:.2} total = open {:.2} + reading {:.2} + comparing {:.2} + saving {:.2}",
        s.total, s.open, s.reading, s.comparing, s.saving
    );
    println!("  peak RSS: {:.0} MB", f.peak_rss_mb);
    println!("  findings: {}", f.findings);
    for (kind, n) in &f.by_kind {
        println!("    {kind:<24} {n:>9}");
    }
    println!("  planted vs found:");
    for c in &f.checks {
        let mark = if c.planted == c.found {
            ""
        } else {
            "  <- differs"
        };
        println!(
            "    {:<24} {:<20} planted {:>8}, found {:>8}{mark}",
            c.kind, c.system, c.planted, c.found
        );
    }
    for seg in &f.segments {
        println!(
            "  active accounts in {}: {} (expected {})",
            seg.system, seg.count, seg.expected
        );
    }
    println!(
        "  planted = found: {}",
        if f.planted_equals_found { "yes" } else { "NO" }
    );
}

fn read_stamp(dir: &Path) -> Option<Stamp> {
    let text = std::fs::read_to_string(dir.join(STAMP)).ok()?;
    serde_json::from_str(&text).ok()
}

/// `steward bench drift`.
pub fn run(args: &BenchDriftArgs, json: bool) -> Result<Outcome, AppError> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir).map_err(|e| io(format!("--dir {}: {e}", dir.display())))?;
    let ready = read_stamp(dir).filter(|s| s.same_run(args) && workspace_path(dir).exists());
    if let Some(stamp) = ready {
        return measure(args, dir, &stamp, json);
    }
    if args.measure_only {
        return Err(AppError::invalid(format!(
            "{} holds no workspace generated with these parameters",
            dir.display()
        )));
    }
    let _ = std::fs::remove_file(dir.join(STAMP));
    eprintln!(
        "Generating the drift benchmark's workspace in {} (seed {})…",
        dir.display(),
        args.seed
    );
    let stamp = generate(args, dir)?;
    let text = serde_json::to_string_pretty(&stamp)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    std::fs::write(dir.join(STAMP), text).map_err(|e| io(format!("writing the stamp: {e}")))?;
    eprintln!(
        "Generated in {:.1} s; measuring in a fresh process…",
        stamp.generation_seconds
    );

    // A fresh process, so the peak memory measured is drift's, not the generator's.
    let exe = std::env::current_exe().map_err(|e| io(format!("cannot find steward: {e}")))?;
    let mut child = Command::new(exe);
    child
        .args(["bench", "drift", "--measure-only"])
        .args(["--hub", &args.hub.to_string()])
        .args(["--spokes", &args.spokes.to_string()])
        .args(["--seed", &args.seed.to_string()])
        .arg("--dir")
        .arg(dir);
    if json {
        child.arg("--json");
    }
    let status = child
        .status()
        .map_err(|e| io(format!("cannot run the measurement: {e}")))?;
    Ok(match status.code() {
        Some(0) => Outcome::Done,
        Some(1) => Outcome::Finding,
        Some(2) => Outcome::BadInput,
        Some(3) => Outcome::OutsideFailure,
        other => {
            return Err(AppError::new(
                ErrorCode::Internal,
                format!("the measurement ended with {other:?}"),
            ));
        }
    })
}
