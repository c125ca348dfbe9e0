//! Comparison levels: how two records agree on each field, from "the same" down to
//! "different". Level 0 is always "missing on one side", which is no evidence either way.
//! The weight of every other level is learnt (see `model`), except a few levels whose meaning
//! is fixed by how organisations work, not by the data: a numbered namesake address
//! (`john.smith2@`, given to a second John Smith) says "another person".

use strsim::osa_distance;

use crate::similarity::{jaro_winkler_at_least, within_one_edit};

use crate::features::{EMAIL_FREE, EMAIL_SHARED, Features, NONE, PHONE_SHARED, Packed, Sym};
use crate::normalise::email::local_stem;
use crate::rules::{ExtraKind, Rules};

/// Up to 16 comparisons of up to 16 levels each fit in a `u64` pattern.
pub const MAX_COMPARISONS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    FirstName,
    LastName,
    Email,
    Phone,
    Company,
    Extra(usize),
}

#[derive(Debug, Clone)]
pub struct Level {
    pub label: &'static str,
    /// Agreement on this level is weighed by the value's frequency.
    pub term_frequency: bool,
    /// A weight (bits) set by design rather than learnt.
    pub fixed_bits: Option<f64>,
}

const fn level(label: &'static str) -> Level {
    Level {
        label,
        term_frequency: false,
        fixed_bits: None,
    }
}

const fn tf(label: &'static str) -> Level {
    Level {
        label,
        term_frequency: true,
        fixed_bits: None,
    }
}

const fn fixed(label: &'static str, bits: f64) -> Level {
    Level {
        label,
        term_frequency: false,
        fixed_bits: Some(bits),
    }
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub name: String,
    pub field: Field,
    pub levels: Vec<Level>,
}

/// The comparisons a run makes, in pattern order.
#[derive(Debug, Clone)]
pub struct Comparisons {
    pub list: Vec<Comparison>,
}

const MISSING: Level = level("missing");

impl Comparisons {
    pub fn new(rules: &Rules) -> Comparisons {
        let skip = |name: &str| rules.skip.iter().any(|s| s == name);
        let mut list = Vec::new();
        if !skip("first_name") {
            list.push(Comparison {
                name: "first_name".into(),
                field: Field::FirstName,
                levels: vec![
                    MISSING,
                    tf("same"),
                    level("nickname"),
                    level("close spelling"),
                    level("initial"),
                    level("different"),
                ],
            });
        }
        if !skip("last_name") {
            list.push(Comparison {
                name: "last_name".into(),
                field: Field::LastName,
                levels: vec![
                    MISSING,
                    tf("same"),
                    level("one typo"),
                    level("similar"),
                    level("different"),
                ],
            });
        }
        if !skip("email") {
            list.push(Comparison {
                name: "email".into(),
                field: Field::Email,
                levels: vec![
                    MISSING,
                    tf("same address"),
                    fixed("same shared inbox", 0.0),
                    level("same mailbox, other spelling"),
                    fixed("numbered namesake", -12.0),
                    level("same name, other domain"),
                    level("different"),
                ],
            });
        }
        if !skip("phone") {
            list.push(Comparison {
                name: "phone".into(),
                field: Field::Phone,
                levels: vec![
                    MISSING,
                    tf("same number"),
                    fixed("same shared number", 1.0),
                    level("same last digits"),
                    level("different"),
                ],
            });
        }
        if !skip("company") {
            list.push(Comparison {
                name: "company".into(),
                field: Field::Company,
                levels: vec![
                    MISSING,
                    tf("same company"),
                    level("same web domain"),
                    level("similar name"),
                    level("different"),
                ],
            });
        }
        for (i, extra) in rules.compare.iter().enumerate() {
            let same = Level {
                label: "same",
                term_frequency: extra
                    .term_frequency
                    .unwrap_or(matches!(extra.kind, ExtraKind::Exact | ExtraKind::Text)),
                fixed_bits: None,
            };
            let levels = match extra.kind {
                ExtraKind::Exact => vec![MISSING, same, level("different")],
                ExtraKind::Text => vec![
                    MISSING,
                    same,
                    level("one edit"),
                    level("two edits"),
                    level("different"),
                ],
                ExtraKind::Date => vec![
                    MISSING,
                    same,
                    level("one part off"),
                    level("close"),
                    level("different"),
                ],
                ExtraKind::Number => vec![MISSING, same, level("close"), level("different")],
            };
            list.push(Comparison {
                name: extra.column.to_lowercase(),
                field: Field::Extra(i),
                levels,
            });
        }
        list.truncate(MAX_COMPARISONS);
        Comparisons { list }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The pattern of levels for a pair: 4 bits per comparison.
    pub fn pattern(&self, f: &Features, a: usize, b: usize) -> u64 {
        let (ra, rb) = (&f.rows[a], &f.rows[b]);
        let names = names(f, ra, rb);
        let mut pattern = 0u64;
        for (c, comparison) in self.list.iter().enumerate() {
            let level = match comparison.field {
                Field::FirstName => names.0,
                Field::LastName => names.1,
                Field::Email => email_level(f, ra, rb),
                Field::Phone => phone_level(f, ra, rb),
                Field::Company => company_level(f, ra, rb),
                Field::Extra(i) => extra_level(f, i, a, b),
            };
            pattern |= u64::from(level) << (4 * c);
        }
        pattern
    }
}

pub fn level_of(pattern: u64, comparison: usize) -> usize {
    ((pattern >> (4 * comparison)) & 0xF) as usize
}

/// First- and last-name levels, trying the names swapped too (people and forms mix up
/// which is which).
fn names(f: &Features, ra: &Packed, rb: &Packed) -> (u8, u8) {
    let straight = (
        first_level(f, ra.first, ra.canon, rb.first, rb.canon),
        last_level(f, ra.last, rb.last),
    );
    if straight.0 <= 1 && straight.1 <= 1 {
        return straight;
    }
    let (fa, la, fb, lb) = (ra.first, ra.last, rb.first, rb.last);
    if fa != NONE && la != NONE && fb != NONE && lb != NONE {
        let swapped_first = f.first_names.text(fa) == f.last_names.text(lb);
        let swapped_last = f.last_names.text(la) == f.first_names.text(fb);
        if swapped_first && swapped_last {
            return (1, 1);
        }
    }
    straight
}

fn first_level(f: &Features, a: Sym, ca: Sym, b: Sym, cb: Sym) -> u8 {
    if a == NONE || b == NONE {
        return 0;
    }
    if a == b {
        return 1;
    }
    if ca == cb && ca != NONE {
        return 2;
    }
    let (x, y) = (f.first_names.text(a), f.first_names.text(b));
    // A typo, or a typo in a nickname's formal name (`Vicky` / `Victoira`).
    if close(x, y, 0.92)
        || (ca != NONE
            && cb != NONE
            && close(
                f.canonical_firsts.text(ca),
                f.canonical_firsts.text(cb),
                0.92,
            ))
    {
        return 3;
    }
    let initial = |s: &str| s.chars().next();
    let is_initial = |s: &str| s.chars().count() == 1;
    if (is_initial(x) || is_initial(y)) && initial(x) == initial(y) {
        return 4;
    }
    5
}

fn last_level(f: &Features, a: Sym, b: Sym) -> u8 {
    if a == NONE || b == NONE {
        return 0;
    }
    if a == b {
        return 1;
    }
    let (x, y) = (f.last_names.text(a), f.last_names.text(b));
    if x.len() >= 4 && y.len() >= 4 && within_one_edit(x, y) {
        return 2;
    }
    if jaro_winkler_at_least(x, y, 0.88) {
        return 3;
    }
    4
}

/// One edit apart (for words long enough that one edit is a typo, not a different name), or
/// Jaro-Winkler at or above `jw`.
fn close(x: &str, y: &str, jw: f64) -> bool {
    (x.len() >= 4 && y.len() >= 4 && within_one_edit(x, y)) || jaro_winkler_at_least(x, y, jw)
}

fn email_level(f: &Features, ra: &Packed, rb: &Packed) -> u8 {
    let (ea, eb) = (ra.email, rb.email);
    if ea == NONE || eb == NONE {
        return 0;
    }
    let shared = (ra.flags & EMAIL_SHARED != 0) || (rb.flags & EMAIL_SHARED != 0);
    if ea == eb {
        return if shared { 2 } else { 1 };
    }
    // A team inbox against a personal address says nothing about the person.
    if shared {
        return 0;
    }
    let (la, lb) = (f.email_locals.text(ra.local), f.email_locals.text(rb.local));
    let same_domain = ra.edomain == rb.edomain;
    let (sa, sb) = (local_stem(la), local_stem(lb));
    // A company gives a second John Smith `john.smith2@`; a free provider's digits are the
    // owner's choice, so only work domains say "namesake".
    if same_domain && sa == sb && la != lb && !sa.is_empty() && ra.flags & EMAIL_FREE == 0 {
        return 4;
    }
    if same_domain && mailbox_variant(la, lb) {
        return 3;
    }
    // `anna.kowalski@` at work and at a free provider, or at two companies: the mailbox says
    // the name again, which the name comparisons already weigh. EM learns what it adds.
    if la == lb || mailbox_variant(la, lb) {
        return 5;
    }
    6
}

/// The letters of a mailbox name, on the stack (`j.smith-2` → `jsmith`); None if too long.
fn squash(s: &str, buf: &mut [u8; 64]) -> Option<usize> {
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_alphabetic) {
        *buf.get_mut(n)? = b;
        n += 1;
    }
    Some(n)
}

/// `j.smith` / `john.smith` / `johnsmith` / `jsmith` / `john` / `johns`: one person's
/// mailbox written another way.
fn mailbox_variant(a: &str, b: &str) -> bool {
    let (mut bx, mut by) = ([0u8; 64], [0u8; 64]);
    let (Some(nx), Some(ny)) = (squash(a, &mut bx), squash(b, &mut by)) else {
        return false;
    };
    let (x, y) = (&bx[..nx], &by[..ny]);
    if x.len() < 3 || y.len() < 3 {
        return false;
    }
    if x == y {
        return true;
    }
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    // `john` / `johns` within `johnsmith`; `jsmith` = j + `smith` ending `johnsmith`.
    let prefix = long.starts_with(short);
    let initial_and_rest = short.len() >= 4 && short[0] == long[0] && long.ends_with(&short[1..]);
    prefix
        || initial_and_rest
        || jaro_winkler_at_least(
            std::str::from_utf8(x).unwrap_or_default(),
            std::str::from_utf8(y).unwrap_or_default(),
            0.94,
        )
}

fn phone_level(f: &Features, ra: &Packed, rb: &Packed) -> u8 {
    let (pa, pb) = (ra.phone, rb.phone);
    if pa == NONE || pb == NONE {
        return 0;
    }
    if pa == pb {
        return if ra.flags & PHONE_SHARED != 0 { 2 } else { 1 };
    }

    // The same subscriber number under another country or area code.
    fn tail(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().rev().filter(u8::is_ascii_digit).take(8)
    }
    let (x, y) = (f.phones.text(pa), f.phones.text(pb));
    if x.len() >= 8 && y.len() >= 8 && tail(x).eq(tail(y)) {
        return 3;
    }
    4
}

fn company_level(f: &Features, ra: &Packed, rb: &Packed) -> u8 {
    let (ca, cb) = (ra.company, rb.company);
    let (da, db) = (ra.odomain, rb.odomain);
    if ca != NONE && ca == cb {
        return 1;
    }
    if da != NONE && da == db {
        return 2;
    }
    // One side names the company, the other only has its web domain.
    let named_by = |c: Sym, d: Sym| {
        c != NONE && d != NONE && domain_names(f.domains.text(d), f.companies.text(c))
    };
    if (ca == NONE || cb == NONE) && (named_by(ca, db) || named_by(cb, da)) {
        return 2;
    }
    if ca == NONE || cb == NONE {
        return 0;
    }
    let (x, y) = (f.companies.text(ca), f.companies.text(cb));
    if jaro_winkler_at_least(x, y, 0.92) || token_contained(x, y) {
        return 3;
    }
    4
}

/// `tidewaterfreight.com` names "tidewater freight": the domain's first label is the
/// company's name run together, or its start (`tidewater.com`).
fn domain_names(domain: &str, company: &str) -> bool {
    let label = domain.split('.').next().unwrap_or_default();
    let name: String = company
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    label.len() >= 4
        && name.len() >= 4
        && (name == label || name.starts_with(label) || label.starts_with(&name))
}

/// "northwind" within "northwind logistics": one name written shorter.
fn token_contained(x: &str, y: &str) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    short.len() >= 4 && long.split(' ').zip(short.split(' ')).all(|(l, s)| l == s)
}

fn extra_level(f: &Features, i: usize, a: usize, b: usize) -> u8 {
    let column = &f.extras[i];
    let (sa, sb) = (column.syms[a], column.syms[b]);
    if sa == NONE || sb == NONE {
        return 0;
    }
    if column.kind == ExtraKind::Number {
        // Equal as numbers (`1.50` = `1.5`), not as text; a value that is no number is missing.
        let (x, y) = (column.numbers[a], column.numbers[b]);
        return if x.is_nan() || y.is_nan() {
            0
        } else if x == y {
            1
        } else if (x - y).abs() <= column.tolerance {
            2
        } else {
            3
        };
    }
    if column.kind == ExtraKind::Date && (column.dates[a] == 0 || column.dates[b] == 0) {
        // "n/a", "unknown": no date to compare.
        return 0;
    }
    if sa == sb {
        return 1;
    }
    match column.kind {
        ExtraKind::Exact => 2,
        ExtraKind::Text => {
            let (x, y) = (column.column.text(sa), column.column.text(sb));
            if within_one_edit(x, y) {
                2
            } else if (x.len().abs_diff(y.len()) <= 2 && osa_distance(x, y) <= 2)
                || jaro_winkler_at_least(x, y, 0.9)
            {
                3
            } else {
                4
            }
        }
        ExtraKind::Date => date_level(column.dates[a], column.dates[b], column.days),
        ExtraKind::Number => 3,
    }
}

fn date_level(a: u32, b: u32, days: u32) -> u8 {
    if a == 0 || b == 0 {
        return 4;
    }
    if a == b {
        return 1;
    }
    let parts = |d: u32| (d / 10_000, d / 100 % 100, d % 100);
    let ((ya, ma, da), (yb, mb, db)) = (parts(a), parts(b));
    let same_parts = u8::from(ya == yb) + u8::from(ma == mb) + u8::from(da == db);
    let swapped = ya == yb && ma == db && da == mb;
    // yyyymmdd values: exactly one of the eight digits differs.
    let one_digit = (0..8)
        .filter(|i| a / 10u32.pow(*i) % 10 != b / 10u32.pow(*i) % 10)
        .count()
        == 1;
    if same_parts == 2 || swapped || one_digit {
        return 2;
    }
    match (day_number(ya, ma, da), day_number(yb, mb, db)) {
        (Some(x), Some(y)) if x.abs_diff(y) <= i64::from(days).unsigned_abs() => 3,
        _ => 4,
    }
}

/// Days since 0000-03-01 (a civil-calendar count), or `None` for an impossible date.
fn day_number(y: u32, m: u32, d: u32) -> Option<i64> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (y, m, d) = (i64::from(y), i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn mailbox_variants() {
        for (a, b) in [
            ("j.smith", "john.smith"),
            ("johnsmith", "john.smith"),
            ("lucas", "lucas.fonseca"),
            ("norbertk", "norbert.klein"),
            ("kmyers", "karen.myers"),
            ("mhorn", "markus.horn"),
        ] {
            assert!(mailbox_variant(a, b), "{a} {b}");
        }
        assert!(!mailbox_variant("anna.lee", "john.smith"));
        assert!(!mailbox_variant("j.smith", "k.jones"));
    }

    #[test]
    fn date_levels() {
        assert_eq!(date_level(19_840_517, 19_840_517, 365), 1);
        assert_eq!(date_level(19_840_517, 19_840_518, 365), 2);
        assert_eq!(
            date_level(19_840_517, 19_841_705, 365),
            2,
            "day and month swapped"
        );
        assert_eq!(date_level(19_840_517, 19_850_101, 365), 3);
        assert_eq!(date_level(19_840_517, 19_700_101, 365), 4);
        assert_eq!(
            day_number(2024, 3, 1).unwrap() - day_number(2024, 2, 28).unwrap(),
            2
        );
    }

    #[test]
    fn domains_name_companies() {
        assert!(domain_names("tidewaterfreight.com", "tidewater freight"));
        assert!(domain_names("tidewater.co.uk", "tidewater freight"));
        assert!(!domain_names("gmail.com", "tidewater freight"));
    }

    #[test]
    fn company_containment() {
        assert!(token_contained("northwind", "northwind logistics"));
        assert!(!token_contained("north", "northwind logistics"));
    }
}
