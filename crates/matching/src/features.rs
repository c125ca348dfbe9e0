//! Each record's normalised values, interned per field so that equality is an integer
//! compare and every value's frequency is known (for term-frequency weights and for spotting
//! numbers and inboxes that several people share).

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::input::{Known, Records};
use crate::normalise::{company, email, name, phone};
use crate::rules::{ExtraKind, Rules};

/// An interned value; `NONE` is a missing one.
pub type Sym = u32;
pub const NONE: Sym = u32::MAX;

/// One field's distinct values and how many records hold each. The values live end to end
/// in one string (`ends[sym]` is where each stops): comparing tens of millions of pairs
/// reads them at random, and one arena keeps them close together in memory.
#[derive(Debug, Default)]
pub struct Column {
    index: FxHashMap<Box<str>, Sym>,
    arena: String,
    ends: Vec<u32>,
    pub counts: Vec<u32>,
    /// Records with a value.
    pub filled: u32,
}

impl Column {
    fn intern(&mut self, value: Option<&str>) -> Sym {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return NONE;
        };
        self.filled += 1;
        if let Some(&sym) = self.index.get(value) {
            self.counts[sym as usize] += 1;
            return sym;
        }
        let sym = Sym::try_from(self.ends.len()).unwrap_or(NONE - 1);
        self.index.insert(value.into(), sym);
        self.arena.push_str(value);
        self.ends
            .push(u32::try_from(self.arena.len()).unwrap_or(u32::MAX));
        self.counts.push(1);
        sym
    }

    pub fn text(&self, sym: Sym) -> &str {
        let i = sym as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.arena
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// Drops the lookup table once every value is in: only `text` is needed after that.
    fn seal(&mut self) {
        self.index = FxHashMap::default();
    }

    /// The share of filled records holding this value: the chance a random record has it.
    pub fn frequency(&self, sym: Sym) -> f64 {
        let count = self.counts.get(sym as usize).copied().unwrap_or(1).max(1);
        f64::from(count) / f64::from(self.filled.max(1))
    }

    /// Σ p(v)²: the chance two random filled records agree.
    pub fn agreement_chance(&self) -> f64 {
        let total = f64::from(self.filled.max(1));
        self.counts
            .iter()
            .map(|&c| (f64::from(c) / total).powi(2))
            .sum()
    }
}

/// An extra column from the rules, parsed for its kind.
#[derive(Debug)]
pub struct ExtraColumn {
    pub name: String,
    pub kind: ExtraKind,
    pub days: u32,
    pub tolerance: f64,
    pub term_frequency: bool,
    pub syms: Vec<Sym>,
    pub column: Column,
    /// Dates as yyyymmdd (components kept even when the date is impossible, since a typo
    /// in a date of birth is still evidence); 0 = none.
    pub dates: Vec<u32>,
    pub numbers: Vec<f64>,
}

/// A record's interned values side by side: comparing a pair reads one cache line per
/// record instead of one per field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Packed {
    pub first: Sym,
    pub canon: Sym,
    pub last: Sym,
    pub email: Sym,
    pub local: Sym,
    pub edomain: Sym,
    pub phone: Sym,
    pub company: Sym,
    pub odomain: Sym,
    pub flags: u8,
}

/// Flags on a record's values.
pub const EMAIL_SHARED: u8 = 1;
pub const PHONE_SHARED: u8 = 2;
pub const EMAIL_FREE: u8 = 4;

#[derive(Debug, Default)]
pub struct Features {
    pub len: usize,
    pub first: Vec<Sym>,
    pub first_canonical: Vec<Sym>,
    pub last: Vec<Sym>,
    pub email: Vec<Sym>,
    pub email_local: Vec<Sym>,
    pub email_domain: Vec<Sym>,
    pub phone: Vec<Sym>,
    pub company: Vec<Sym>,
    /// The organisation's web domain: a work address's domain or the `domain` column.
    pub org_domain: Vec<Sym>,
    pub source: Vec<Sym>,
    pub flags: Vec<u8>,
    /// The same values per record, for comparing pairs.
    pub rows: Vec<Packed>,
    pub first_names: Column,
    pub canonical_firsts: Column,
    pub last_names: Column,
    pub emails: Column,
    pub email_locals: Column,
    pub domains: Column,
    pub phones: Column,
    pub companies: Column,
    pub sources: Column,
    pub extras: Vec<ExtraColumn>,
}

/// What normalising one record gives, before interning.
#[derive(Default)]
struct Normalised {
    first: Option<String>,
    first_canonical: Option<String>,
    last: Option<String>,
    email: Option<email::Email>,
    phone: Option<String>,
    company: Option<String>,
    org_domain: Option<String>,
    source: Option<String>,
}

fn normalise(records: &Records, i: usize) -> Normalised {
    let row = |k| records.value(i, k);
    let person = name::person(
        row(Known::FirstName),
        row(Known::LastName),
        row(Known::FullName),
    );
    let (first, first_canonical, last) = match person {
        Some(p) => (
            Some(p.first).filter(|s| !s.is_empty()),
            Some(p.first_canonical).filter(|s| !s.is_empty()),
            Some(p.last).filter(|s| !s.is_empty()),
        ),
        None => (None, None, None),
    };
    let region = row(Known::Country).and_then(phone::region_of_country);
    let email = row(Known::Email).and_then(email::email);
    let domain_column = row(Known::Domain).map(normalise_domain);
    let org_domain = domain_column.filter(|d| !d.is_empty()).or_else(|| {
        email
            .as_ref()
            .filter(|e| !e.free_provider)
            .map(|e| e.domain.clone())
    });
    Normalised {
        first,
        first_canonical,
        last,
        phone: row(Known::Phone)
            .and_then(|p| phone::phone(p, region))
            .map(|p| p.e164),
        company: row(Known::Company).and_then(company::company),
        org_domain,
        source: row(Known::Source).map(str::to_owned),
        email,
    }
}

/// "https://www.Acme.com/about" → "acme.com".
fn normalise_domain(raw: &str) -> String {
    let lower = raw.trim().to_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

/// Records are normalised in parallel in chunks, then interned in order, so memory holds
/// one chunk of intermediate strings at a time.
const CHUNK: usize = 65_536;

impl Features {
    pub fn build(records: &Records, rules: &Rules, progress: &dyn Fn(usize)) -> Features {
        let mut f = Features {
            len: records.len(),
            ..Features::default()
        };
        for start in (0..records.len()).step_by(CHUNK) {
            let end = (start + CHUNK).min(records.len());
            let chunk: Vec<Normalised> = (start..end)
                .into_par_iter()
                .map(|i| normalise(records, i))
                .collect();
            for n in chunk {
                f.first.push(f.first_names.intern(n.first.as_deref()));
                f.first_canonical
                    .push(f.canonical_firsts.intern(n.first_canonical.as_deref()));
                f.last.push(f.last_names.intern(n.last.as_deref()));
                let mut flags = 0;
                match &n.email {
                    Some(e) => {
                        if e.role {
                            flags |= EMAIL_SHARED;
                        }
                        if e.free_provider {
                            flags |= EMAIL_FREE;
                        }
                        f.email.push(f.emails.intern(Some(&e.address)));
                        f.email_local.push(f.email_locals.intern(Some(&e.local)));
                        f.email_domain.push(f.domains.intern(Some(&e.domain)));
                    }
                    None => {
                        f.email.push(NONE);
                        f.email_local.push(NONE);
                        f.email_domain.push(NONE);
                    }
                }
                f.flags.push(flags);
                f.phone.push(f.phones.intern(n.phone.as_deref()));
                f.company.push(f.companies.intern(n.company.as_deref()));
                f.org_domain.push(f.domains.intern(n.org_domain.as_deref()));
                f.source.push(f.sources.intern(n.source.as_deref()));
            }
            progress(end);
        }
        // The org domain and the email domain share one table, so don't count a record twice.
        f.domains.filled = u32::try_from(
            f.email_domain
                .iter()
                .zip(&f.org_domain)
                .filter(|(a, b)| **a != NONE || **b != NONE)
                .count(),
        )
        .unwrap_or(u32::MAX);
        for column in [
            &mut f.first_names,
            &mut f.canonical_firsts,
            &mut f.last_names,
            &mut f.emails,
            &mut f.email_locals,
            &mut f.domains,
            &mut f.phones,
            &mut f.companies,
            &mut f.sources,
        ] {
            column.seal();
        }
        f.mark_shared();
        f.rows = (0..f.len)
            .map(|i| Packed {
                first: f.first[i],
                canon: f.first_canonical[i],
                last: f.last[i],
                email: f.email[i],
                local: f.email_local[i],
                edomain: f.email_domain[i],
                phone: f.phone[i],
                company: f.company[i],
                odomain: f.org_domain[i],
                flags: f.flags[i],
            })
            .collect();
        f.extras = rules
            .compare
            .iter()
            .map(|rule| extra_column(records, rule))
            .collect();
        f
    }

    /// An address or number that people with different names give belongs to a team or a
    /// switchboard: agreeing on it says "same organisation", not "same person". Names are
    /// grouped first, so one person's records with a typo or a nickname count once.
    fn mark_shared(&mut self) {
        let shared_of = |values: &[Sym]| {
            let mut groups: FxHashMap<Sym, Vec<usize>> = FxHashMap::default();
            let mut shared = FxHashSet::default();
            for (i, &v) in values.iter().enumerate() {
                if v == NONE || shared.contains(&v) {
                    continue;
                }
                let reps = groups.entry(v).or_default();
                if !reps.iter().any(|&r| self.same_person_name(r, i)) {
                    reps.push(i);
                    if reps.len() >= 2 {
                        shared.insert(v);
                    }
                }
            }
            shared
        };
        let shared_emails = shared_of(&self.email);
        let shared_phones = shared_of(&self.phone);
        for i in 0..self.len {
            if shared_emails.contains(&self.email[i]) {
                self.flags[i] |= EMAIL_SHARED;
            }
            if shared_phones.contains(&self.phone[i]) {
                self.flags[i] |= PHONE_SHARED;
            }
        }
    }

    /// Whether two records' names could be one person's (a typo, a nickname, an initial, a
    /// missing part): both parts close, or one side lacking a part.
    fn same_person_name(&self, a: usize, b: usize) -> bool {
        let close = |x: &str, y: &str| {
            x == y
                || x.chars().count() == 1 && y.starts_with(x)
                || y.chars().count() == 1 && x.starts_with(y)
                || crate::similarity::within_one_edit(x, y)
                || crate::similarity::jaro_winkler_at_least(x, y, 0.88)
        };
        let first = match (self.first[a], self.first[b]) {
            (NONE, _) | (_, NONE) => true,
            (x, y) => {
                x == y
                    || self.first_canonical[a] == self.first_canonical[b]
                    || close(self.first_names.text(x), self.first_names.text(y))
                    || close(
                        self.canonical_firsts.text(self.first_canonical[a]),
                        self.canonical_firsts.text(self.first_canonical[b]),
                    )
            }
        };
        let last = match (self.last[a], self.last[b]) {
            (NONE, _) | (_, NONE) => true,
            (x, y) => x == y || close(self.last_names.text(x), self.last_names.text(y)),
        };
        first && last
    }

    pub fn has(&self, i: usize, flag: u8) -> bool {
        self.flags[i] & flag != 0
    }
}

fn extra_column(records: &Records, rule: &crate::rules::ExtraComparison) -> ExtraColumn {
    let index = records.schema.index(&rule.column.to_lowercase());
    let mut out = ExtraColumn {
        name: rule.column.to_lowercase(),
        kind: rule.kind,
        days: rule.days.unwrap_or(365),
        tolerance: rule.tolerance.unwrap_or(0.0),
        term_frequency: rule
            .term_frequency
            .unwrap_or(matches!(rule.kind, ExtraKind::Exact | ExtraKind::Text)),
        syms: Vec::with_capacity(records.len()),
        column: Column::default(),
        dates: Vec::new(),
        numbers: Vec::new(),
    };
    for i in 0..records.len() {
        let raw = index.and_then(|c| records.rows[i].get(c));
        let folded = raw.map(name::fold);
        out.syms.push(out.column.intern(folded.as_deref()));
        match rule.kind {
            ExtraKind::Date => out.dates.push(raw.map_or(0, parse_date)),
            ExtraKind::Number => out
                .numbers
                .push(raw.and_then(|r| r.parse().ok()).unwrap_or(f64::NAN)),
            ExtraKind::Exact | ExtraKind::Text => {}
        }
    }
    out
}

/// yyyymmdd from "19840517", "1984-05-17", "1984/05/17", "17.05.1984" or an RFC 3339
/// instant's date; 0 when it has no such shape.
pub fn parse_date(raw: &str) -> u32 {
    let digits: String = raw
        .split(['T', ' '])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() != 8 {
        return 0;
    }
    let Ok(n) = digits.parse::<u32>() else {
        return 0;
    };
    let day_first = raw.find(['.', '/', '-']).is_some_and(|at| at <= 2);
    if day_first {
        // dd.mm.yyyy
        let (d, m, y) = (n / 1_000_000, n / 10_000 % 100, n % 10_000);
        y * 10_000 + m * 100 + d
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_in_common_shapes() {
        assert_eq!(parse_date("19840517"), 19_840_517);
        assert_eq!(parse_date("1984-05-17"), 19_840_517);
        assert_eq!(parse_date("1984-05-17T10:00:00Z"), 19_840_517);
        assert_eq!(parse_date("17.05.1984"), 19_840_517);
        assert_eq!(parse_date("soon"), 0);
    }

    #[test]
    fn domains_lose_scheme_and_www() {
        assert_eq!(normalise_domain("https://www.Acme.com/about"), "acme.com");
        assert_eq!(normalise_domain("acme.co.uk"), "acme.co.uk");
    }

    #[test]
    fn shared_inboxes_and_switchboards_are_marked() {
        let csv = "id,first_name,last_name,email,phone,country\n\
            1,Ann,Lee,team@acme.io,+44 20 7946 0000,UK\n\
            2,Bob,Kay,team@acme.io,+44 20 7946 0000,UK\n\
            3,Cy,Day,team@acme.io,+44 20 7946 0000,UK\n\
            4,Dee,Fox,dee@acme.io,+44 20 7946 0001,UK\n";
        let records = Records::from_csv(csv.as_bytes()).unwrap();
        let f = Features::build(&records, &Rules::default(), &|_| {});
        assert!(f.has(0, EMAIL_SHARED) && f.has(2, PHONE_SHARED));
        assert!(!f.has(3, EMAIL_SHARED) && !f.has(3, PHONE_SHARED));
        assert_eq!(f.phones.filled, 4);
        assert_eq!(f.emails.counts[f.email[0] as usize], 3);
    }
}
