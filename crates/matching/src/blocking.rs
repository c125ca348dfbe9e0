//! Blocking: which pairs are worth comparing. Each record gets several keys, each one a
//! conjunction that one person's records usually share even when other fields are corrupt
//! (same address; same number; same name; same surname at the same company; same first name
//! at the same company; the name's skeleton; the name swapped). Records sharing any key are
//! candidates. A key so common that its block would explode is compared only with its
//! neighbours in a sort by the other fields, so no block is quadratic.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::FxHasher;

use crate::features::{EMAIL_SHARED, Features, NONE, PHONE_SHARED, Sym};
use crate::input::Records;
use crate::normalise::name;
use crate::rules::{KeyPart, Rules};

/// Blocks up to this size are compared all-pairs; larger ones by a sliding window.
const MAX_BLOCK: usize = 50;
const WINDOW: usize = 6;

fn hash(parts: impl Hash) -> u64 {
    let mut h = FxHasher::default();
    parts.hash(&mut h);
    h.finish()
}

/// Keys per record: (key, record).
fn keys(f: &Features, extra: &[Vec<u64>], i: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(10);
    let some = |s: Sym| s != NONE;
    let (first, canon, last) = (f.first[i], f.first_canonical[i], f.last[i]);
    let (company, domain) = (f.company[i], f.org_domain[i]);
    if some(f.email[i]) && !f.has(i, EMAIL_SHARED) {
        out.push(hash((1u8, f.email[i])));
    }
    if some(f.phone[i]) && !f.has(i, PHONE_SHARED) {
        out.push(hash((2u8, f.phone[i])));
    }
    if some(canon) && some(last) {
        out.push(hash((3u8, canon, last)));
        let skeleton = name::skeleton(f.last_names.text(last));
        out.push(hash((6u8, canon, skeleton)));
    }
    if some(last) {
        if some(company) {
            out.push(hash((4u8, last, company)));
        }
        if some(domain) {
            out.push(hash((5u8, last, domain)));
        }
    }
    if some(canon) {
        if some(company) {
            out.push(hash((7u8, canon, company)));
        }
        if some(domain) {
            out.push(hash((8u8, canon, domain)));
        }
    }
    let initial = |sym: Sym, column: &crate::features::Column| column.text(sym).chars().next();
    if some(first) && some(last) {
        let (fi, li) = (initial(first, &f.first_names), initial(last, &f.last_names));
        // A typo in the first name: same surname, same initial.
        out.push(hash((12u8, last, fi)));
        // A typo in the surname: same first name, same start of the surname.
        let start: String = f.last_names.text(last).chars().take(3).collect();
        out.push(hash((13u8, canon, start)));
        // Typos in both, inside one organisation: the initials.
        if some(company) {
            out.push(hash((14u8, company, fi, li)));
        }
        if some(domain) {
            out.push(hash((15u8, domain, fi, li)));
        }
    }
    if some(first) && some(last) {
        // Swapped first and last name.
        let (x, y) = (f.first_names.text(first), f.last_names.text(last));
        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
        out.push(hash((9u8, lo, hi)));
    }
    if some(f.email_local[i]) && !f.has(i, EMAIL_SHARED) {
        let local = f.email_locals.text(f.email_local[i]);
        // A specific mailbox name (`anna.kowalski`) at another domain: the same person's
        // work and private address. Short ones (`js`) say too little.
        if local.len() >= 6 {
            out.push(hash((10u8, f.email_local[i])));
        }
    }
    for (r, rule_keys) in extra.iter().enumerate() {
        if rule_keys[i] != 0 {
            out.push(hash((11u8, r, rule_keys[i])));
        }
    }
    out
}

/// Values of the rules' blocking keys, one column per rule (0 = the record has no key).
fn rule_keys(records: &Records, f: &Features, rules: &Rules) -> Vec<Vec<u64>> {
    rules
        .block
        .iter()
        .map(|rule| {
            let parts = rule.parts().unwrap_or_default();
            (0..records.len())
                .map(|i| {
                    let mut values = Vec::with_capacity(parts.len());
                    for part in &parts {
                        match part_value(records, f, part, i) {
                            Some(v) => values.push(v),
                            None => return 0,
                        }
                    }
                    hash(values).max(1)
                })
                .collect()
        })
        .collect()
}

/// A key part's value: built-in columns in their normalised form, others case-folded.
fn part_value(records: &Records, f: &Features, part: &KeyPart, i: usize) -> Option<String> {
    let normalised = |sym: Sym, column: &crate::features::Column| {
        (sym != NONE).then(|| column.text(sym).to_owned())
    };
    let value = match part.column.as_str() {
        "first_name" => normalised(f.first_canonical[i], &f.canonical_firsts),
        "last_name" => normalised(f.last[i], &f.last_names),
        "email" => normalised(f.email[i], &f.emails),
        "phone" => normalised(f.phone[i], &f.phones),
        "company" => normalised(f.company[i], &f.companies),
        "domain" => normalised(f.org_domain[i], &f.domains),
        column => {
            let index = records.schema.index(column)?;
            records.rows[i].get(index).map(name::fold)
        }
    }?;
    let value = match part.prefix {
        Some(n) => value.chars().take(n).collect(),
        None => value,
    };
    (!value.is_empty()).then_some(value)
}

/// Candidate pairs, each `(a << 32) | b` with a < b, sorted and unique.
pub fn candidate_pairs(records: &Records, f: &Features, rules: &Rules) -> Vec<u64> {
    let extra = rule_keys(records, f, rules);
    let mut entries: Vec<(u64, u32)> = (0..f.len)
        .into_par_iter()
        .flat_map_iter(|i| keys(f, &extra, i).into_iter().map(move |k| (k, i as u32)))
        .collect();
    entries.par_sort_unstable();
    // Block boundaries.
    let mut starts = Vec::new();
    for (j, entry) in entries.iter().enumerate() {
        if j == 0 || entries[j - 1].0 != entry.0 {
            starts.push(j);
        }
    }
    starts.push(entries.len());
    let across_only = rules.across_sources_only;
    let mut pairs: Vec<u64> = starts
        .par_windows(2)
        .flat_map_iter(|w| {
            let block: Vec<u32> = entries[w[0]..w[1]].iter().map(|e| e.1).collect();
            block_pairs(f, block, across_only)
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

fn block_pairs(f: &Features, mut block: Vec<u32>, across_only: bool) -> Vec<u64> {
    block.dedup();
    let allowed = |a: u32, b: u32| !across_only || f.source[a as usize] != f.source[b as usize];
    let pack = |a: u32, b: u32| (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
    let mut out = Vec::new();
    if block.len() <= MAX_BLOCK {
        for (x, &a) in block.iter().enumerate() {
            for &b in &block[x + 1..] {
                if allowed(a, b) {
                    out.push(pack(a, b));
                }
            }
        }
        return out;
    }
    // Sorted neighbourhood: records close in name, then organisation, then address.
    block.sort_by(|&x, &y| {
        let key = |i: u32| {
            let i = i as usize;
            (
                f.last_names.text(f.last[i]),
                f.canonical_firsts.text(f.first_canonical[i]),
                f.companies.text(f.company[i]),
                f.email_locals.text(f.email_local[i]),
            )
        };
        key(x).cmp(&key(y))
    });
    for (x, &a) in block.iter().enumerate() {
        for &b in block.iter().skip(x + 1).take(WINDOW) {
            if allowed(a, b) {
                out.push(pack(a, b));
            }
        }
    }
    out
}

pub fn unpack(pair: u64) -> (usize, usize) {
    ((pair >> 32) as usize, (pair & 0xFFFF_FFFF) as usize)
}
