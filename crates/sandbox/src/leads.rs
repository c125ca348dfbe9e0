//! The lead benchmark's data: B2B people at the sandbox's companies as five systems hold
//! them (`crm`, `map`, `events`, `sdr`, `portal`), with duplicates inside and across those
//! systems and the traps a matcher must not fall into, written as `leads.csv` plus the
//! ground truth `truth.csv` (`id,entity`). `steward bench leads` calls [`write`].
//!
//! What makes it honest (neither easy nor impossible):
//! - names are drawn from per-country pools (a few hundred listed names, commonest first, then
//!   a generated tail of rarer surnames formed as the country forms them) with Zipf-like
//!   weights, so common names are common and people at different companies share names
//!   (≈15 % of people at 100k records, more than half at 1M: pools are still smaller than
//!   life's), while two different people at one company share a full name only when
//!   planted (≈0.2 % of people);
//! - about one person in six has 2–5 records spread over the systems (the CRM most); every
//!   copy after the first carries 1–3 of the sandbox's corruption kinds
//!   (`seed::corrupt::KINDS`, through `corrupt::apply`, widened where the sandbox's version
//!   has nothing to change: more nicknames, `jsmith@` ↔ `john.smith@`, work ↔ personal
//!   address, suffix spellings, typos in addresses typed into sheets), and a copy in another
//!   system also words the title its own way and sometimes lacks the city;
//! - each system fills its fields its own way (events sheets lack phones, portals titles);
//! - the hard negatives are built in and counted: colleagues on one email domain, ~40 % of a
//!   company giving its switchboard number, family firms whose colleagues share a last name,
//!   namesakes at one company (`john.smith2@`), role inboxes (`info@`) several people give,
//!   and same-name people at different companies.
//!
//! The same seed and size give the same bytes. Rows are grouped by system (as exports
//! concatenated), each system's first entries before its re-entries.

mod pools;

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::seed::corrupt::{self, KINDS, Props};
use crate::seed::names::{COUNTRIES, NICKNAMES as SANDBOX_NICKNAMES, TRANSLITERATIONS};
use crate::seed::rng::Rng;
use crate::seed::spokes::AS_OF_MS;
use crate::seed::{EPOCH_MS, SPAN_MS};
use pools::{GLOBAL_MAIL, NICKNAMES, ROLE_INBOXES, SUFFIX_FORMS, Split, TITLES};

/// The systems a row can come from, in file order.
pub const SOURCES: [&str; 5] = ["crm", "map", "events", "sdr", "portal"];
/// How often a record comes from each system: the CRM most.
const SOURCE_WEIGHTS: [u64; 5] = [40, 25, 16, 10, 9];

/// `leads.csv`'s header.
pub const COLUMNS: [&str; 11] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "country",
    "city",
    "source",
    "created_at",
];

/// The classes of look-alike records of different people the summary counts.
pub const HARD_NEGATIVES: [&str; 6] = [
    "colleagues_same_domain",
    "colleagues_shared_phone",
    "colleagues_same_last_name",
    "namesakes_same_company",
    "shared_role_inbox",
    "same_name_different_company",
];

const DAY_MS: i64 = 86_400_000;

/// Zipf offsets: the commonest first names are about 1.5 % of a country's people, the
/// commonest last names about 0.5 % (Smith in the US: 0.8 %), with a long tail of rare ones.
const FIRST_NAME_OFFSET: u64 = 25;
const LAST_NAME_OFFSET: u64 = 40;

/// How one class of hard negatives shows in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct HardNegative {
    /// People in at least one such pair.
    pub people: u64,
    /// Pairs of records of different people that look alike this way.
    pub record_pairs: u64,
}

/// What was written, for the benchmark's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub seed: u64,
    pub size: usize,
    pub records: u64,
    /// Real people (distinct `entity` values in truth.csv).
    pub entities: u64,
    /// Companies with at least one person, and the largest one's headcount.
    pub companies: u64,
    pub largest_company: u64,
    /// People with more than one record.
    pub duplicated_entities: u64,
    /// Pairs of records of the same person; those across systems; those inside one.
    pub true_pairs: u64,
    pub true_pairs_cross_source: u64,
    pub true_pairs_same_source: u64,
    pub records_by_source: BTreeMap<&'static str, u64>,
    /// People by how many records they have.
    pub entities_by_record_count: BTreeMap<String, u64>,
    /// Copies carrying each corruption kind (a copy carries 1–3).
    pub corruptions: BTreeMap<&'static str, u64>,
    /// Differences of copies in another system: title worded differently, city missing.
    pub cross_source: BTreeMap<&'static str, u64>,
    /// Fields a system left blank (or wrote its own way: `country_code`) on any record.
    pub source_habits: BTreeMap<&'static str, u64>,
    /// Records by the kind of address they carry.
    pub emails: BTreeMap<&'static str, u64>,
    pub hard_negatives: BTreeMap<&'static str, HardNegative>,
    /// Every `created_at` is before this.
    pub as_of: String,
}

/// Writes `dir/leads.csv` and `dir/truth.csv` for `size` records, streaming: memory holds
/// the companies, the addresses handed out and a few integers per record, not the rows.
pub fn write(seed: u64, size: usize, dir: &Path) -> io::Result<Summary> {
    std::fs::create_dir_all(dir)?;
    let parts = Parts::create(dir)?;
    let result = Generator::new(seed, size).run(parts);
    let summary = match result {
        Ok((summary, parts)) => {
            parts.assemble(dir)?;
            summary
        }
        Err(e) => {
            Parts::remove_all(dir);
            return Err(e);
        }
    };
    Ok(summary)
}

// ---------------------------------------------------------------------------------------
// Output: one part file per system and phase, joined at the end.

type CsvOut = csv::Writer<BufWriter<File>>;

struct Parts {
    /// [system][0 = first entries, 1 = re-entries]
    leads: Vec<[CsvOut; 2]>,
    truth: Vec<[CsvOut; 2]>,
}

fn part_path(dir: &Path, kind: &str, source: &str, phase: usize) -> PathBuf {
    dir.join(format!(".{kind}-{source}-{phase}.part"))
}

fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

impl Parts {
    fn create(dir: &Path) -> io::Result<Parts> {
        let open = |kind: &str, source: &str, phase: usize| -> io::Result<CsvOut> {
            let file = File::create(part_path(dir, kind, source, phase))?;
            Ok(csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(BufWriter::with_capacity(1 << 16, file)))
        };
        let mut leads = Vec::new();
        let mut truth = Vec::new();
        for source in SOURCES {
            leads.push([open("leads", source, 0)?, open("leads", source, 1)?]);
            truth.push([open("truth", source, 0)?, open("truth", source, 1)?]);
        }
        Ok(Parts { leads, truth })
    }

    fn assemble(self, dir: &Path) -> io::Result<()> {
        for writer in self.leads.into_iter().chain(self.truth).flatten() {
            writer
                .into_inner()
                .map_err(|e| io::Error::other(e.to_string()))?
                .flush()?;
        }
        for (kind, header) in [("leads", COLUMNS.join(",")), ("truth", "id,entity".into())] {
            let mut out = BufWriter::new(File::create(dir.join(format!("{kind}.csv")))?);
            writeln!(out, "{header}")?;
            for source in SOURCES {
                for phase in 0..2 {
                    let path = part_path(dir, kind, source, phase);
                    io::copy(&mut File::open(&path)?, &mut out)?;
                    std::fs::remove_file(&path)?;
                }
            }
            out.flush()?;
        }
        Ok(())
    }

    fn remove_all(dir: &Path) {
        for kind in ["leads", "truth"] {
            for source in SOURCES {
                for phase in 0..2 {
                    let _ = std::fs::remove_file(part_path(dir, kind, source, phase));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Weighted draws.

/// Draws an index with fixed integer weights (cumulative table, binary search).
struct Weighted {
    cum: Vec<u64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = u64>) -> Weighted {
        let mut total = 0;
        let cum = weights
            .into_iter()
            .map(|w| {
                total += w.max(1);
                total
            })
            .collect();
        Weighted { cum }
    }

    /// Zipf-like: the name at rank r weighs 1 / (r + offset).
    fn zipf(len: usize, offset: u64) -> Weighted {
        Weighted::new((0..len as u64).map(|r| 1_000_000_000 / (r + offset)))
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cum.last().copied().unwrap_or(1).max(1);
        let x = rng.below(total);
        self.cum.partition_point(|c| *c <= x)
    }
}

// ---------------------------------------------------------------------------------------
// Text helpers.

/// Lower-case ASCII letters and digits as an address would carry the name ("Müller" →
/// "mueller", "de Jong" → "dejong"), with the sandbox's transliterations first.
fn slug(text: &str) -> String {
    const EXTRA: &[(char, &str)] = &[
        ('à', "a"),
        ('â', "a"),
        ('ê', "e"),
        ('ë', "e"),
        ('î', "i"),
        ('ï', "i"),
        ('ô', "o"),
        ('û', "u"),
        ('ù', "u"),
        ('ÿ', "y"),
        ('œ', "oe"),
        ('æ', "ae"),
        ('ì', "i"),
        ('ò', "o"),
        ('ý', "y"),
        ('Å', "A"),
        ('Ø', "O"),
        ('Ó', "O"),
        ('Í', "I"),
        ('Ú', "U"),
        ('É', "E"),
        ('Ö', "O"),
        ('Ä', "A"),
        ('Â', "A"),
        ('À', "A"),
        ('ê', "e"),
        ('ô', "o"),
        ('Ô', "O"),
        ('Ê', "E"),
    ];
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if let Some((_, to)) = TRANSLITERATIONS.iter().find(|(from, _)| *from == c) {
            out.push_str(&to.to_lowercase());
        } else if let Some((_, to)) = EXTRA.iter().find(|(from, _)| *from == c) {
            out.push_str(&to.to_lowercase());
        }
    }
    out
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + (rng.below(10) as u8)))
        .collect()
}

/// The start of a national number: never a 0 (that is the trunk prefix's).
fn leading_digits(rng: &mut Rng, n: usize) -> String {
    let first = char::from(b'1' + (rng.below(9) as u8));
    let mut out = String::with_capacity(n);
    out.push(first);
    out.push_str(&digits(rng, n.saturating_sub(1)));
    out
}

/// FNV-1a over the lower-cased text: a key for grouping records, not stored.
fn key_of(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// The world.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Convention {
    /// john.smith@
    FirstDotLast,
    /// jsmith@
    FirstInitialLast,
    /// johns@
    FirstLastInitial,
    /// john@ (small firms)
    First,
}

struct Company {
    country: usize,
    /// The name without its legal suffix, and the suffix.
    base: String,
    suffix: &'static str,
    domain: String,
    city: &'static str,
    /// The reception's number (national significant digits).
    switchboard: String,
    /// Direct lines share these first digits where the company has a block of them.
    did_block: Option<String>,
    convention: Convention,
    /// A family firm: its family's last name (name key).
    family: Option<u32>,
    role_inbox: Option<&'static str>,
    /// People so far: (first key, last key).
    roster: Vec<(u32, u32)>,
}

impl Company {
    fn name(&self) -> String {
        format!("{} {}", self.base, self.suffix)
    }
}

/// A name key: the pool's country in the high bits, the rank in the low.
fn name_key(country: usize, rank: usize) -> u32 {
    ((country as u32) << 16) | (rank as u32 & 0xFFFF)
}

fn name_of<S: AsRef<str>>(list: &'static [Vec<S>], key: u32) -> &'static str {
    let country = (key >> 16) as usize;
    let rank = (key & 0xFFFF) as usize;
    list.get(country)
        .and_then(|l| l.get(rank))
        .map_or("", AsRef::as_ref)
}

struct Person {
    entity: u32,
    company: usize,
    first_key: u32,
    last_key: u32,
    first: &'static str,
    last: &'static str,
    work_email: String,
    personal_email: Option<String>,
    primary_personal: bool,
    /// As this person writes it (national digits are grouped after the prefix).
    phone: Option<String>,
    title: usize,
    city: &'static str,
    created_at: i64,
}

/// One output row before it is written.
#[derive(Debug, Clone, Default)]
struct Row {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    title: Option<String>,
    country: Option<String>,
    city: Option<String>,
}

/// What the hard-negative counts need of each record.
#[derive(Debug, Clone, Copy)]
struct Key {
    entity: u32,
    company: u32,
    first: u32,
    last: u32,
    /// The national number's digits (0: none).
    phone: u64,
    /// The address (0: none), and whether it is the company's domain / a role inbox.
    email: u64,
    work: bool,
    /// A work address with a number (`john.smith2@`).
    numbered: bool,
    role: bool,
}

struct Generator {
    seed: u64,
    size: usize,
    root: Rng,
    pools: &'static Split,
    first_zipf: Vec<Weighted>,
    last_zipf: Vec<Weighted>,
    title_zipf: Weighted,
    companies: Vec<Company>,
    company_pick: Weighted,
    /// (company, first key, last key) of everyone generated so far.
    names_at_company: HashSet<u64>,
    /// Every address handed out (lower case).
    addresses: HashSet<String>,
    keys: Vec<Key>,
    // counts
    corruptions: BTreeMap<&'static str, u64>,
    cross_source: BTreeMap<&'static str, u64>,
    source_habits: BTreeMap<&'static str, u64>,
    emails: BTreeMap<&'static str, u64>,
}

/// An entity's records: how many, and from which systems (in time order).
fn plan_entity(rng: &mut Rng, remaining: usize, source_pick: &Weighted) -> Vec<usize> {
    let n = if rng.below(6) == 0 {
        match rng.below(100) {
            0..=54 => 2,
            55..=79 => 3,
            80..=91 => 4,
            _ => 5,
        }
    } else {
        1
    };
    (0..n.min(remaining))
        .map(|_| source_pick.sample(rng))
        .collect()
}

impl Generator {
    fn new(seed: u64, size: usize) -> Generator {
        let pools = pools::split();
        debug_assert!(
            pools::POOLS
                .iter()
                .zip(COUNTRIES)
                .all(|(p, c)| p.code == c.code)
        );
        Generator {
            seed,
            size,
            root: Rng::new(seed),
            pools,
            first_zipf: pools
                .first
                .iter()
                .map(|l| Weighted::zipf(l.len(), FIRST_NAME_OFFSET))
                .collect(),
            last_zipf: pools
                .last
                .iter()
                .map(|l| Weighted::zipf(l.len(), LAST_NAME_OFFSET))
                .collect(),
            title_zipf: Weighted::zipf(TITLES.len(), 4),
            companies: Vec::new(),
            company_pick: Weighted::new([1]),
            names_at_company: HashSet::new(),
            addresses: HashSet::new(),
            keys: Vec::with_capacity(size.min(1 << 24)),
            corruptions: KINDS.iter().map(|k| (*k, 0)).collect(),
            cross_source: [("title_wording", 0), ("city_missing", 0)].into(),
            source_habits: [
                ("phone_blank", 0),
                ("title_blank", 0),
                ("city_blank", 0),
                ("country_code", 0),
            ]
            .into(),
            emails: [
                ("work", 0),
                ("work_numbered", 0),
                ("personal", 0),
                ("role_inbox", 0),
                ("none", 0),
            ]
            .into(),
        }
    }

    fn run(mut self, mut parts: Parts) -> io::Result<(Summary, Parts)> {
        let source_pick = Weighted::new(SOURCE_WEIGHTS);
        let plan_rng = self.root.fork(1);

        // Pass 1: how many people, and how many records each system gets, so ids can be
        // numbered with each system's first entries before its re-entries.
        let mut first_entries = [0usize; 5];
        let mut people = 0usize;
        {
            let mut rng = plan_rng.clone();
            let mut total = 0;
            while total < self.size {
                let sources = plan_entity(&mut rng, self.size - total, &source_pick);
                for (i, s) in sources.iter().enumerate() {
                    if !sources[..i].contains(s) {
                        first_entries[*s] += 1;
                    }
                }
                total += sources.len();
                people += 1;
            }
        }

        self.generate_companies(people);

        // Pass 2: the same plan, now with people and rows.
        let mut rng = plan_rng;
        let mut people_rng = self.root.fork(3);
        let mut copy_rng = self.root.fork(4);
        let mut next_id = [[1usize; 2]; 5];
        for (s, n) in first_entries.iter().enumerate() {
            next_id[s][1] = n + 1;
        }
        let mut total = 0;
        let mut entity = 0u32;
        let mut records_by_count: BTreeMap<String, u64> = BTreeMap::new();
        let mut true_pairs = 0u64;
        let mut cross_pairs = 0u64;
        while total < self.size {
            let sources = plan_entity(&mut rng, self.size - total, &source_pick);
            total += sources.len();
            entity += 1;
            *records_by_count
                .entry(sources.len().to_string())
                .or_default() += 1;
            let n = sources.len() as u64;
            true_pairs += n * (n - 1) / 2;
            let mut per_source = [0u64; 5];
            for s in &sources {
                per_source[*s] += 1;
            }
            cross_pairs += (n * n - per_source.iter().map(|c| c * c).sum::<u64>()) / 2;

            let person = self.make_person(entity, &mut people_rng);
            let entity_id = format!("e{entity}");
            let mut earlier: Vec<(usize, Option<String>)> = Vec::new();
            let mut created_at = person.created_at;
            for (k, &source) in sources.iter().enumerate() {
                let reentry = sources[..k].contains(&source);
                let phase = usize::from(reentry);
                let number = next_id[source][phase];
                next_id[source][phase] += 1;
                let id = format!("{}-{number}", SOURCES[source]);
                if k > 0 {
                    // Later than the record before, leaving room for the ones after.
                    let room = (AS_OF_MS - 1 - created_at) / (sources.len() - k + 1) as i64;
                    let step = room.clamp(1, 200 * DAY_MS);
                    created_at += 1 + i64::try_from(copy_rng.below(step as u64)).unwrap_or(0);
                }
                let row = self.make_row(&person, &sources, k, &earlier, &mut copy_rng);
                earlier.push((source, row.email.clone()));
                let stamp = rfc3339(created_at);
                let fields = [
                    id.as_str(),
                    row.first_name.as_deref().unwrap_or(""),
                    row.last_name.as_deref().unwrap_or(""),
                    row.email.as_deref().unwrap_or(""),
                    row.phone.as_deref().unwrap_or(""),
                    row.company.as_deref().unwrap_or(""),
                    row.title.as_deref().unwrap_or(""),
                    row.country.as_deref().unwrap_or(""),
                    row.city.as_deref().unwrap_or(""),
                    SOURCES[source],
                    stamp.as_str(),
                ];
                parts.leads[source][phase]
                    .write_record(fields)
                    .map_err(csv_io)?;
                parts.truth[source][phase]
                    .write_record([id.as_str(), entity_id.as_str()])
                    .map_err(csv_io)?;
                self.keys.push(self.key(&person, &row));
            }
        }

        let summary = self.summarise(SummaryParts {
            people: u64::from(entity),
            records_by_count,
            true_pairs,
            cross_pairs,
            next_id,
        });
        Ok((summary, parts))
    }

    // --- companies -------------------------------------------------------------------

    fn generate_companies(&mut self, people: usize) {
        let mut rng = self.root.fork(2);
        let count = (people / 8).max(1);
        let country_pick = Weighted::new([22, 14, 14, 10, 7, 7, 5, 7, 8, 6]);
        let pools = self.pools;
        let stems = &pools.stems;
        let qualifiers = &pools.qualifiers;
        let mut names: HashSet<String> = HashSet::new();
        let mut domains: HashSet<String> = HashSet::new();
        let mut weights = Vec::with_capacity(count);
        for _ in 0..count {
            // Headcount in the CRM, skewed: many with a handful, a few with hundreds.
            let weight = match rng.below(1000) {
                0..=349 => 1 + rng.below(3),
                350..=619 => 4 + rng.below(4),
                620..=799 => 8 + rng.below(8),
                800..=919 => 16 + rng.below(25),
                920..=974 => 41 + rng.below(60),
                975..=986 => 101 + rng.below(200),
                987..=989 => 301 + rng.below(700),
                _ => 4 + rng.below(12),
            };
            weights.push(weight);
            let country = country_pick.sample(&mut rng);
            let c = &COUNTRIES[country];
            let family = (weight <= 40 && rng.chance(12))
                .then(|| name_key(country, self.last_zipf[country].sample(&mut rng)));
            let qualifier = *rng.pick(qualifiers);
            let mut base = String::new();
            let mut short = String::new();
            for _ in 0..8 {
                (base, short) = match (family, rng.below(100)) {
                    (Some(key), 0..=59) => {
                        let surname = name_of(&pools.last, key);
                        (format!("{surname} {qualifier}"), surname.to_owned())
                    }
                    (_, 0..=5) => {
                        // Partners' names: one word each ("Baker & Young").
                        let mut partner = || {
                            let name =
                                &pools.last[country][self.last_zipf[country].sample(&mut rng)];
                            name.split(' ').next_back().unwrap_or(name).to_owned()
                        };
                        let (a, b) = (partner(), partner());
                        (format!("{a} & {b}"), format!("{a}{b}"))
                    }
                    _ => {
                        let stem = *rng.pick(stems);
                        let qualifier = *rng.pick(qualifiers);
                        (format!("{stem} {qualifier}"), stem.to_owned())
                    }
                };
                if names.insert(format!("{}|{}", c.code, base.to_lowercase())) {
                    break;
                }
            }
            let suffix = *rng.pick(c.suffixes);
            let full = slug(&base);
            let short = slug(&short);
            let mut candidates = Vec::new();
            if rng.chance(35) {
                candidates.push(short.clone());
            }
            candidates.push(full.clone());
            candidates.push(format!("{short}-{}", slug(qualifier)));
            let mut domain = String::new();
            for candidate in candidates {
                let d = format!("{candidate}.{}", c.tld);
                if domains.insert(d.clone()) {
                    domain = d;
                    break;
                }
            }
            let mut n = 2;
            while domain.is_empty() {
                let d = format!("{full}{n}.{}", c.tld);
                if domains.insert(d.clone()) {
                    domain = d;
                }
                n += 1;
            }
            let cities = &self.pools.cities[country];
            let city = cities[Weighted::zipf(cities.len(), 2).sample(&mut rng)];
            let block = leading_digits(&mut rng, 6);
            let switchboard = format!(
                "{block}{}",
                if rng.chance(50) {
                    "000".to_owned()
                } else {
                    digits(&mut rng, 3)
                }
            );
            let convention = match rng.below(100) {
                0..=74 => Convention::FirstDotLast,
                75..=87 => Convention::FirstInitialLast,
                88..=93 => Convention::FirstLastInitial,
                _ if weight <= 15 => Convention::First,
                _ => Convention::FirstDotLast,
            };
            self.companies.push(Company {
                country,
                base,
                suffix,
                domain,
                city,
                switchboard,
                did_block: rng.chance(60).then_some(block),
                convention,
                family,
                role_inbox: rng.chance(10).then(|| *rng.pick(ROLE_INBOXES)),
                roster: Vec::new(),
            });
        }
        self.company_pick = Weighted::new(weights);
    }

    // --- people ----------------------------------------------------------------------

    fn draw_name(&self, rng: &mut Rng, country: usize, company: &Company) -> (u32, u32) {
        // Some people carry names from elsewhere.
        let pool = if rng.chance(8) {
            rng.index(COUNTRIES.len())
        } else {
            country
        };
        let first = name_key(pool, self.first_zipf[pool].sample(rng));
        // Americans' surnames come from everywhere.
        let last_pool = if COUNTRIES[pool].code == "US" && rng.chance(20) {
            rng.index(COUNTRIES.len())
        } else {
            pool
        };
        let last = match company.family {
            Some(family) if rng.chance(40) => family,
            _ => name_key(last_pool, self.last_zipf[last_pool].sample(rng)),
        };
        (first, last)
    }

    fn make_person(&mut self, entity: u32, rng: &mut Rng) -> Person {
        let company_index = self.company_pick.sample(rng);
        let company = &self.companies[company_index];
        let country = company.country;
        let c = &COUNTRIES[country];

        // A namesake of a colleague (rare), otherwise a name no colleague has.
        let namesake = !company.roster.is_empty() && rng.below(10_000) < 25;
        let (first_key, last_key) = if namesake {
            *rng.pick(&company.roster)
        } else {
            let mut name = self.draw_name(rng, country, company);
            for _ in 0..30 {
                let key = pack(company_index, name.0, name.1);
                if !self.names_at_company.contains(&key) {
                    break;
                }
                name = self.draw_name(rng, country, company);
            }
            name
        };
        let first = name_of(&self.pools.first, first_key);
        let last = name_of(&self.pools.last, last_key);

        // The work address by the company's convention; a taken one gets a number.
        let (f, l) = (slug(first), slug(last));
        let local = match company.convention {
            Convention::FirstDotLast => format!("{f}.{l}"),
            Convention::FirstInitialLast => format!("{}{l}", initial(&f)),
            Convention::FirstLastInitial => format!("{f}{}", initial(&l)),
            Convention::First => f.clone(),
        };
        let domain = company.domain.clone();
        let work_email = self.unique_address(&local, &domain);

        // About one in five gives a personal address; some more have one that other
        // systems know.
        let primary_personal = rng.chance(20);
        let personal_email = (primary_personal || rng.chance(25)).then(|| {
            let provider = match rng.below(100) {
                0..=54 => "gmail.com",
                55..=74 => *rng.pick(&GLOBAL_MAIL[1..]),
                _ => *rng.pick(&self.pools.mail[country]),
            };
            let year = 60 + rng.below(40);
            let local = match rng.below(100) {
                0..=29 => format!("{f}.{l}"),
                30..=49 => format!("{f}{l}"),
                50..=64 => format!("{f}.{l}{year}"),
                65..=79 => format!("{f}{l}{year}"),
                80..=89 => format!("{}.{l}", initial(&f)),
                _ => format!("{f}_{l}"),
            };
            self.unique_address(&local, provider)
        });

        let company = &self.companies[company_index];
        let phone = if rng.chance(8) {
            None
        } else {
            let national = if rng.chance(40) {
                company.switchboard.clone()
            } else {
                match &company.did_block {
                    Some(block) if rng.chance(55) => loop {
                        let ext = digits(rng, 3);
                        if format!("{block}{ext}") != company.switchboard {
                            break format!("{block}{ext}");
                        }
                    },
                    _ => leading_digits(rng, 9),
                }
            };
            Some(if rng.chance(60) {
                format!("+{} {} {}", c.dial, &national[..3], &national[3..])
            } else {
                format!("{}{} {}", c.trunk, &national[..3], &national[3..])
            })
        };
        let title = self.title_zipf.sample(rng);
        let city = if rng.chance(85) {
            company.city
        } else {
            *rng.pick(&self.pools.cities[country])
        };
        let created_at =
            EPOCH_MS + i64::try_from(rng.below((SPAN_MS - 30 * DAY_MS) as u64)).unwrap_or(0);

        self.names_at_company
            .insert(pack(company_index, first_key, last_key));
        self.companies[company_index]
            .roster
            .push((first_key, last_key));
        Person {
            entity,
            company: company_index,
            first_key,
            last_key,
            first,
            last,
            work_email,
            personal_email,
            primary_personal,
            phone,
            title,
            city,
            created_at,
        }
    }

    fn unique_address(&mut self, local: &str, domain: &str) -> String {
        let mut address = format!("{local}@{domain}");
        let mut n = 2;
        while !self.addresses.insert(address.clone()) {
            address = format!("{local}{n}@{domain}");
            n += 1;
        }
        address
    }

    // --- rows ------------------------------------------------------------------------

    /// Record `k` of a person: the first as the person is, each later one a copy with
    /// corruptions; then the system's own habits.
    fn make_row(
        &mut self,
        person: &Person,
        sources: &[usize],
        k: usize,
        earlier: &[(usize, Option<String>)],
        rng: &mut Rng,
    ) -> Row {
        let company = &self.companies[person.company];
        let country = &COUNTRIES[company.country];
        let source = sources[k];
        let email = if person.primary_personal {
            person.personal_email.clone()
        } else {
            Some(person.work_email.clone())
        };
        let mut row = Row {
            first_name: Some(person.first.to_owned()),
            last_name: Some(person.last.to_owned()),
            email,
            phone: person.phone.clone(),
            company: Some(company.name()),
            title: Some(TITLES[person.title].0.to_owned()),
            country: Some(country.name.to_owned()),
            city: Some(person.city.to_owned()),
        };

        if k > 0 {
            if source != sources[0] {
                if rng.chance(50) {
                    let words = TITLES[person.title].1;
                    row.title = Some((*rng.pick(words)).to_owned());
                    bump(&mut self.cross_source, "title_wording");
                }
                if rng.chance(15) {
                    row.city = None;
                    bump(&mut self.cross_source, "city_missing");
                }
            }
            let mut props = to_props(&row, country.dial, country.trunk);
            let applied = self.corrupt(&mut props, person, source, rng);
            // A system that refuses a second record with the same address got this
            // re-entry under another spelling of it, or none.
            let unique_email_system = matches!(SOURCES[source], "crm" | "map" | "portal");
            let clash = props.get("email").is_some_and(|e| {
                earlier.iter().any(|(s, prev)| {
                    *s == source && prev.as_ref().is_some_and(|p| p.eq_ignore_ascii_case(e))
                })
            });
            let mut applied = applied;
            if unique_email_system && clash {
                let kind = if self.email_variant(&mut props, person, rng) {
                    "email_variant"
                } else {
                    props.remove("email");
                    "missing_email"
                };
                if !applied.contains(&kind) {
                    applied.push(kind);
                }
            }
            for kind in applied {
                bump(&mut self.corruptions, kind);
            }
            row = from_props(props, row.country.take());
        }

        // Each system's habits, on every record it holds.
        let habits = &mut self.source_habits;
        let mut blank = |field: &mut Option<String>, percent: u64, name: &'static str| {
            if field.is_some() && rng.chance(percent) {
                *field = None;
                bump(habits, name);
            }
        };
        let (phone_blank, title_blank, city_blank) = match SOURCES[source] {
            "map" => (35, 10, 10),
            "events" => (45, 5, 25),
            "sdr" => (5, 30, 20),
            "portal" => (60, 50, 30),
            _ => (0, 0, 0),
        };
        blank(&mut row.phone, phone_blank, "phone_blank");
        blank(&mut row.title, title_blank, "title_blank");
        blank(&mut row.city, city_blank, "city_blank");
        if SOURCES[source] == "events" && rng.chance(40) {
            row.country = Some(country.code.to_owned());
            bump(&mut self.source_habits, "country_code");
        }
        // Some people at a company with a shared inbox give it at events, to SDRs, on forms.
        if let Some(role) = company.role_inbox
            && matches!(SOURCES[source], "events" | "sdr" | "map")
            && rng.chance(20)
        {
            row.email = Some(format!("{role}@{}", company.domain));
        }
        row
    }

    /// Applies 1–3 corruption kinds to a copy, as the sandbox's own variants get them.
    fn corrupt(
        &self,
        props: &mut Props,
        person: &Person,
        source: usize,
        rng: &mut Rng,
    ) -> Vec<&'static str> {
        let wanted = 1 + rng.index(3);
        let mut applied: Vec<&'static str> = Vec::new();
        let mut attempts = 0;
        while applied.len() < wanted && attempts < 12 {
            attempts += 1;
            let kind = *rng.pick(KINDS);
            let clashes = |k: &str| {
                matches!(
                    (k, kind),
                    ("email_variant", "missing_email") | ("missing_email", "email_variant")
                )
            };
            if applied.contains(&kind) || applied.iter().any(|k| clashes(k)) {
                continue;
            }
            let done = match kind {
                "nickname" => corrupt::apply(kind, props, rng) || self.nickname(props, rng),
                "email_variant" => self.email_variant(props, person, rng),
                "company_suffix" => self.company_suffix(props, person, rng),
                "typo" if matches!(SOURCES[source], "events" | "sdr") && rng.chance(25) => {
                    email_typo(props, rng) || corrupt::apply(kind, props, rng)
                }
                _ => corrupt::apply(kind, props, rng),
            };
            if done {
                applied.push(kind);
            }
        }
        if applied.is_empty() {
            corrupt::apply("case_whitespace", props, rng);
            applied.push("case_whitespace");
        }
        applied
    }

    fn nickname(&self, props: &mut Props, rng: &mut Rng) -> bool {
        let Some(first) = props.get("firstname") else {
            return false;
        };
        let Some((_, short)) = NICKNAMES
            .iter()
            .chain(SANDBOX_NICKNAMES)
            .find(|(formal, _)| formal == first)
        else {
            return false;
        };
        let short = (*rng.pick(short)).to_owned();
        props.insert("firstname".into(), short);
        true
    }

    /// Another spelling of the person's address: the other of work and personal, gmail's
    /// dots and `+tags`, `j.smith@` for `john.smith@`, or `john.smith@` for `jsmith@`.
    fn email_variant(&self, props: &mut Props, person: &Person, rng: &mut Rng) -> bool {
        let Some(email) = props.get("email").cloned() else {
            return false;
        };
        if let Some(personal) = &person.personal_email
            && rng.chance(40)
        {
            let other = if email.eq_ignore_ascii_case(personal) {
                &person.work_email
            } else {
                personal
            };
            props.insert("email".into(), other.clone());
            return true;
        }
        let (local, domain) = email.split_once('@').unwrap_or((&email, ""));
        if domain == "gmail.com" || local.contains('.') {
            return corrupt::apply("email_variant", props, rng);
        }
        if domain == self.companies[person.company].domain {
            let variant = format!("{}.{}@{domain}", slug(person.first), slug(person.last));
            if !variant.eq_ignore_ascii_case(&email) {
                props.insert("email".into(), variant);
                return true;
            }
        }
        false
    }

    /// "Northwind Logistics GmbH" → "Northwind Logistics", "… G.m.b.H.", "NORTHWIND …".
    fn company_suffix(&self, props: &mut Props, person: &Person, rng: &mut Rng) -> bool {
        let company = &self.companies[person.company];
        if props.get("company") != Some(&company.name()) {
            return corrupt::apply("company_suffix", props, rng);
        }
        let variant = match rng.below(100) {
            0..=39 => company.base.clone(),
            40..=64 => match SUFFIX_FORMS
                .iter()
                .find(|(from, _)| *from == company.suffix)
            {
                Some((_, to)) => format!("{} {to}", company.base),
                None => company.base.clone(),
            },
            _ => return corrupt::apply("company_suffix", props, rng),
        };
        props.insert("company".into(), variant);
        true
    }

    fn key(&self, person: &Person, row: &Row) -> Key {
        let company = &self.companies[person.company];
        let phone = row.phone.as_deref().map_or(0, |p| {
            let d: String = p.chars().filter(char::is_ascii_digit).collect();
            let tail = &d[d.len().saturating_sub(9)..];
            tail.parse::<u64>().map_or(0, |n| n + 1)
        });
        let email = row.email.as_deref().map_or(0, key_of);
        let (work, numbered, role) = match row.email.as_deref().and_then(|e| e.split_once('@')) {
            Some((local, domain)) => {
                let at_company = domain.eq_ignore_ascii_case(&company.domain);
                let role = at_company && company.role_inbox.is_some_and(|r| r == local);
                let work = at_company && !role;
                (
                    work,
                    work && local.ends_with(|c: char| c.is_ascii_digit()),
                    role,
                )
            }
            None => (false, false, false),
        };
        Key {
            entity: person.entity,
            company: person.company as u32,
            first: person.first_key,
            last: person.last_key,
            phone,
            email,
            work,
            numbered,
            role,
        }
    }

    // --- summary ---------------------------------------------------------------------

    fn summarise(mut self, parts: SummaryParts) -> Summary {
        let keys = std::mem::take(&mut self.keys);
        for key in &keys {
            let kind = if key.role {
                "role_inbox"
            } else if key.work {
                "work"
            } else if key.email != 0 {
                "personal"
            } else {
                "none"
            };
            bump(&mut self.emails, kind);
            if key.numbered {
                bump(&mut self.emails, "work_numbered");
            }
        }

        let work = keys.iter().filter(|k| k.work);
        let phoned = keys.iter().filter(|k| k.phone != 0);
        let roles = keys.iter().filter(|k| k.role);
        let hard = BTreeMap::from([
            (
                "colleagues_same_domain",
                differing(work.map(|k| (u64::from(k.company), u64::from(k.entity), k.entity))),
            ),
            (
                "colleagues_shared_phone",
                differing(phoned.map(|k| (k.phone, u64::from(k.entity), k.entity))),
            ),
            (
                "colleagues_same_last_name",
                differing(keys.iter().map(|k| {
                    let group = (u64::from(k.company) << 32) | u64::from(k.last);
                    (group, u64::from(k.first), k.entity)
                })),
            ),
            (
                "namesakes_same_company",
                differing(keys.iter().map(|k| {
                    let group = pack(k.company as usize, k.first, k.last);
                    (group, u64::from(k.entity), k.entity)
                })),
            ),
            (
                "shared_role_inbox",
                differing(roles.map(|k| (k.email, u64::from(k.entity), k.entity))),
            ),
            (
                "same_name_different_company",
                differing(keys.iter().map(|k| {
                    let group = (u64::from(k.first) << 32) | u64::from(k.last);
                    (group, u64::from(k.company), k.entity)
                })),
            ),
        ]);

        let headcounts = self.companies.iter().map(|c| c.roster.len() as u64);
        let records_by_source = SOURCES
            .iter()
            .enumerate()
            .map(|(s, name)| (*name, (parts.next_id[s][1] - 1) as u64))
            .collect();
        let duplicated = parts
            .records_by_count
            .iter()
            .filter(|(n, _)| n.as_str() != "1")
            .map(|(_, c)| c)
            .sum();
        Summary {
            seed: self.seed,
            size: self.size,
            records: keys.len() as u64,
            entities: parts.people,
            companies: headcounts.clone().filter(|h| *h > 0).count() as u64,
            largest_company: headcounts.max().unwrap_or(0),
            duplicated_entities: duplicated,
            true_pairs: parts.true_pairs,
            true_pairs_cross_source: parts.cross_pairs,
            true_pairs_same_source: parts.true_pairs - parts.cross_pairs,
            records_by_source,
            entities_by_record_count: parts.records_by_count,
            corruptions: self.corruptions,
            cross_source: self.cross_source,
            source_habits: self.source_habits,
            emails: self.emails,
            hard_negatives: hard,
            as_of: rfc3339(AS_OF_MS),
        }
    }
}

struct SummaryParts {
    people: u64,
    records_by_count: BTreeMap<String, u64>,
    true_pairs: u64,
    cross_pairs: u64,
    next_id: [[usize; 2]; 5],
}

/// (company, first key, last key) in one integer.
fn pack(company: usize, first: u32, last: u32) -> u64 {
    ((company as u64) << 40) | (u64::from(first & 0xF_FFFF) << 20) | u64::from(last & 0xF_FFFF)
}

fn initial(s: &str) -> String {
    s.chars().take(1).collect()
}

fn bump(counts: &mut BTreeMap<&'static str, u64>, kind: &'static str) {
    *counts.entry(kind).or_default() += 1;
}

/// Pairs of records of different people that share `group` but differ in `sub` (pass the
/// entity as `sub` to count every pair of different people in a group), and the people in
/// at least one such pair.
fn differing(items: impl Iterator<Item = (u64, u64, u32)>) -> HardNegative {
    let mut items: Vec<(u64, u64, u32)> = items.collect();
    items.sort_unstable();
    let mut out = HardNegative::default();
    let mut i = 0;
    while i < items.len() {
        let group = items[i].0;
        let mut j = i;
        while j < items.len() && items[j].0 == group {
            j += 1;
        }
        let run = &items[i..j];
        // pairs of different people in the group, minus those with the same `sub`
        let all = pairs_of_different(run.iter().map(|x| x.2));
        let mut same_sub = 0;
        let mut a = 0;
        while a < run.len() {
            let mut b = a;
            while b < run.len() && run[b].1 == run[a].1 {
                b += 1;
            }
            same_sub += pairs_of_different(run[a..b].iter().map(|x| x.2));
            a = b;
        }
        let pairs = all - same_sub;
        if pairs > 0 {
            out.record_pairs += pairs;
            // A differing pair needs someone outside some `sub`, who pairs with everyone
            // in it: so everyone in the group is in at least one.
            let mut people: Vec<u32> = run.iter().map(|x| x.2).collect();
            people.sort_unstable();
            people.dedup();
            out.people += people.len() as u64;
        }
        i = j;
    }
    out
}

/// Pairs among records whose owners differ, given the owners sorted or grouped.
fn pairs_of_different(owners: impl Iterator<Item = u32>) -> u64 {
    let mut owners: Vec<u32> = owners.collect();
    owners.sort_unstable();
    let n = owners.len() as u64;
    let mut same = 0u64;
    let mut i = 0;
    while i < owners.len() {
        let mut j = i;
        while j < owners.len() && owners[j] == owners[i] {
            j += 1;
        }
        let m = (j - i) as u64;
        same += m * m;
        i = j;
    }
    (n * n - same) / 2
}

fn to_props(row: &Row, dial: &str, trunk: &str) -> Props {
    let mut props = Props::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            props.insert(k.to_owned(), v.clone());
        }
    };
    put("firstname", &row.first_name);
    put("lastname", &row.last_name);
    put("email", &row.email);
    put("phone", &row.phone);
    put("company", &row.company);
    put("jobtitle", &row.title);
    put("city", &row.city);
    props.insert("x_dial".into(), dial.to_owned());
    props.insert("x_trunk".into(), trunk.to_owned());
    props
}

fn from_props(mut props: Props, country: Option<String>) -> Row {
    Row {
        first_name: props.remove("firstname"),
        last_name: props.remove("lastname"),
        email: props.remove("email"),
        phone: props.remove("phone"),
        company: props.remove("company"),
        title: props.remove("jobtitle"),
        country,
        city: props.remove("city"),
    }
}

/// A slip typing the address into a sheet: a letter of the local part dropped or swapped.
fn email_typo(props: &mut Props, rng: &mut Rng) -> bool {
    let Some(email) = props.get("email") else {
        return false;
    };
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let mut chars: Vec<char> = local.chars().collect();
    if chars.len() < 4 {
        return false;
    }
    let at = 1 + rng.index(chars.len() - 2);
    if rng.chance(50) {
        chars.swap(at, at + 1);
    } else {
        chars.remove(at);
    }
    let typo: String = chars.into_iter().collect();
    if typo == local {
        return false;
    }
    let variant = format!("{typo}@{domain}");
    props.insert("email".into(), variant);
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    fn read(path: &Path) -> Vec<Vec<String>> {
        let mut reader = csv::Reader::from_path(path).unwrap();
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn leads_same_seed_same_bytes() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let sa = write(42, 3_000, a.path()).unwrap();
        let sb = write(42, 3_000, b.path()).unwrap();
        write(43, 3_000, c.path()).unwrap();
        assert_eq!(sa, sb);
        for file in ["leads.csv", "truth.csv"] {
            let bytes = std::fs::read(a.path().join(file)).unwrap();
            assert_eq!(bytes, std::fs::read(b.path().join(file)).unwrap(), "{file}");
            assert_ne!(bytes, std::fs::read(c.path().join(file)).unwrap(), "{file}");
        }
        let left: Vec<_> = std::fs::read_dir(a.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no part files left behind");
    }

    #[test]
    fn leads_tiny_sizes_still_make_whole_files() {
        for size in [0, 1, 7] {
            let dir = tempfile::tempdir().unwrap();
            let summary = write(1, size, dir.path()).unwrap();
            assert_eq!(read(&dir.path().join("leads.csv")).len(), size);
            assert_eq!(read(&dir.path().join("truth.csv")).len(), size);
            assert_eq!(summary.records, size as u64);
        }
    }

    #[test]
    fn leads_counts_add_up_and_the_truth_covers_every_id() {
        let dir = tempfile::tempdir().unwrap();
        let summary = write(7, 20_000, dir.path()).unwrap();
        let header = std::fs::read_to_string(dir.path().join("leads.csv")).unwrap();
        assert_eq!(header.lines().next().unwrap(), COLUMNS.join(","));
        let leads = read(&dir.path().join("leads.csv"));
        let truth = read(&dir.path().join("truth.csv"));
        assert_eq!(leads.len(), 20_000);
        assert_eq!(summary.records, 20_000);
        assert_eq!(summary.records_by_source.values().sum::<u64>(), 20_000);

        let ids: BTreeSet<&str> = leads.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(ids.len(), leads.len(), "ids are unique");
        let entity: HashMap<&str, &str> = truth
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str()))
            .collect();
        assert_eq!(entity.len(), truth.len());
        assert_eq!(
            ids,
            entity.keys().copied().collect::<BTreeSet<_>>(),
            "truth covers every id and nothing else"
        );
        for row in &leads {
            assert!(row[0].starts_with(&format!("{}-", row[9])), "{row:?}");
            assert!(SOURCES.contains(&row[9].as_str()));
        }

        let mut sizes: HashMap<&str, u64> = HashMap::new();
        let mut by_source: HashMap<(&str, &str), u64> = HashMap::new();
        for row in &leads {
            let e = entity[row[0].as_str()];
            *sizes.entry(e).or_default() += 1;
            *by_source.entry((e, row[9].as_str())).or_default() += 1;
        }
        assert_eq!(sizes.len() as u64, summary.entities);
        let pairs: u64 = sizes.values().map(|n| n * (n - 1) / 2).sum();
        assert_eq!(pairs, summary.true_pairs);
        let same: u64 = by_source.values().map(|n| n * (n - 1) / 2).sum();
        assert_eq!(same, summary.true_pairs_same_source);
        assert_eq!(
            summary.entities_by_record_count.values().sum::<u64>(),
            summary.entities
        );
        let dup_share = summary.duplicated_entities as f64 / summary.entities as f64;
        assert!((0.13..0.20).contains(&dup_share), "{dup_share}");
        assert!(sizes.values().all(|n| (1..=5).contains(n)));

        // Each system numbers its own rows.
        for source in SOURCES {
            let n = summary.records_by_source[source];
            for i in 1..=n {
                assert!(ids.contains(format!("{source}-{i}").as_str()));
            }
        }

        let as_of = time::OffsetDateTime::parse(
            &summary.as_of,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        for row in &leads {
            let t = time::OffsetDateTime::parse(
                &row[10],
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            assert!(t < as_of && t.year() >= 2024, "{row:?}");
        }

        // About a fifth of addresses are personal, about 1 % role inboxes.
        let share = |k: &str| summary.emails[k] as f64 / summary.records as f64;
        assert!(
            (0.15..0.30).contains(&share("personal")),
            "{:?}",
            summary.emails
        );
        assert!(
            (0.004..0.02).contains(&share("role_inbox")),
            "{:?}",
            summary.emails
        );
    }

    #[test]
    fn leads_every_corruption_and_hard_negative_occurs_at_20k() {
        let dir = tempfile::tempdir().unwrap();
        let summary = write(11, 20_000, dir.path()).unwrap();
        for kind in KINDS {
            assert!(
                summary.corruptions[kind] > 10,
                "{kind}: {:?}",
                summary.corruptions
            );
        }
        for (kind, n) in summary.cross_source.iter().chain(&summary.source_habits) {
            assert!(*n > 10, "{kind}");
        }
        for class in HARD_NEGATIVES {
            let h = summary.hard_negatives[class];
            assert!(h.record_pairs > 0 && h.people > 1, "{class}: {h:?}");
        }
        // Namesakes at one company are rare, about 0.2 % of people.
        let namesakes = summary.hard_negatives["namesakes_same_company"].people as f64;
        let share = namesakes / summary.entities as f64;
        assert!((0.002..0.01).contains(&share), "{share}");
        // Common names recur at other companies, but most people's full name is theirs.
        let same_name = summary.hard_negatives["same_name_different_company"].people as f64;
        let share = same_name / summary.entities as f64;
        assert!((0.01..0.15).contains(&share), "{share}");
        // Companies: about one per ten people, a few large.
        let per = summary.entities as f64 / summary.companies as f64;
        assert!((6.0..16.0).contains(&per), "{per}");
        assert!(
            summary.largest_company >= 100,
            "{}",
            summary.largest_company
        );
    }

    #[test]
    fn leads_namesakes_get_numbered_addresses_and_colleagues_share_switchboards() {
        let dir = tempfile::tempdir().unwrap();
        write(5, 20_000, dir.path()).unwrap();
        let leads = read(&dir.path().join("leads.csv"));
        let numbered = leads
            .iter()
            .filter(|r| r[9] == "crm")
            .filter_map(|r| r[3].split_once('@'))
            .filter(|(local, _)| local.contains('.') && local.ends_with('2'))
            .count();
        assert!(numbered > 0);
        let mut phones: HashMap<String, usize> = HashMap::new();
        for row in &leads {
            let d: String = row[4].chars().filter(char::is_ascii_digit).collect();
            if d.len() >= 9 {
                *phones.entry(d[d.len() - 9..].to_owned()).or_default() += 1;
            }
        }
        assert!(phones.values().any(|n| *n >= 10), "a switchboard many give");
    }
}
