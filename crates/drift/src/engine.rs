//! One drift run over a snapshot: links, then per linked group every mapped field against
//! its rule, conflicting writes in the hub's own history, and segment counts.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use steward_domain::{ConflictPolicy, ObjectType};
use steward_matching::normalise;

use crate::compare::{self, Skip};
use crate::finding::{Evidence, Finding, Fix, Kind, ValueFrom};
use crate::input::{Authority, Field, Rec, Snapshot};
use crate::link::{Link, link_all};
use crate::segments::{self, SegmentCount};

/// A status value a system writes that the status model does not map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub system: u16,
    pub field: u16,
    pub value: String,
    pub count: usize,
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub links: Vec<Link>,
    /// Spoke records linked to a hub record.
    pub linked: usize,
    pub unmapped: Vec<Unmapped>,
    pub segment_counts: Vec<SegmentCount>,
    pub quality: Quality,
}

/// What the quarterly audit's currency and integrity scores are computed from.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Quality {
    /// (copy, field) pairs where the copy and its hub record both hold a comparable value.
    pub fields_compared: u64,
    /// Of those, the pairs that agree.
    pub fields_agreeing: u64,
    /// Status values held by linked records, and those the status model does not map.
    pub status_values: u64,
    pub status_unmapped: u64,
}

impl Quality {
    fn add(&mut self, other: Self) {
        self.fields_compared += other.fields_compared;
        self.fields_agreeing += other.fields_agreeing;
        self.status_values += other.status_values;
        self.status_unmapped += other.status_unmapped;
    }
}

pub fn run(snap: &Snapshot) -> Report {
    let links = link_all(snap);
    let mut findings = Vec::new();
    let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    let mut linked = 0;
    for (i, (r, link)) in snap.records.iter().zip(&links).enumerate() {
        if snap.systems[usize::from(r.system)].hub || r.archived {
            continue;
        }
        let copy = |kind, reason, link, fix| Finding {
            kind,
            system: r.system,
            record: i,
            hub: None,
            field: None,
            segment: None,
            evidence: Evidence {
                reason,
                link,
                copy_created_at: r.created_at,
                copy_changed_at: r.updated_at,
                ..Evidence::default()
            },
            fix: Some(fix),
        };
        match link {
            Link::Hub { hub, basis } => {
                linked += 1;
                if snap.records[*hub].archived {
                    let mut f = copy(
                        Kind::Orphan,
                        "hub_archived",
                        Some(basis.clone()),
                        Fix::DeleteCopy { record: i },
                    );
                    f.hub = Some(*hub);
                    findings.push(f);
                } else {
                    groups.entry(*hub).or_default().push(i);
                }
            }
            Link::Deleted => findings.push(copy(
                Kind::ErasureNotPropagated,
                "hub_record_deleted",
                Some(crate::link::LinkBasis::SharedId),
                Fix::DeleteCopy { record: i },
            )),
            Link::ErasedVia(via) => {
                let mut f = copy(
                    Kind::ErasureNotPropagated,
                    "same_mailbox_as_erased_copy",
                    Some(crate::link::LinkBasis::NormalisedEmail),
                    Fix::DeleteCopy { record: i },
                );
                f.evidence.via_record = Some(*via);
                findings.push(f);
            }
            Link::Unconfirmed => {}
            Link::None if !identifiable(snap, r) => {}
            Link::None => findings.push(copy(
                Kind::MissingInHub,
                "no_hub_record",
                None,
                Fix::CreateInHub { record: i },
            )),
            Link::Ambiguous => {}
        }
    }

    let integration = |source: Option<&str>| {
        source.is_some_and(|s| {
            snap.integration_sources
                .iter()
                .any(|i| i.eq_ignore_ascii_case(s))
        })
    };
    let mut hubs: Vec<(usize, Vec<usize>)> = groups.into_iter().collect();
    hubs.sort_unstable_by_key(|(h, _)| *h);
    let hub_system = snap.hub();
    // Hub records with no copies still get their own history checked.
    let lone: Vec<(usize, Vec<usize>)> = snap
        .records
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            Some(r.system) == hub_system
                && !r.archived
                && hubs.binary_search_by_key(i, |(h, _)| *h).is_err()
        })
        .map(|(i, _)| (i, Vec::new()))
        .collect();
    hubs.extend(lone);

    let per_group: Vec<GroupResult> = hubs
        .par_iter()
        .map(|(hub, copies)| compare_group(snap, *hub, copies, &integration))
        .collect();
    let mut unmapped: FxHashMap<(u16, u16, String), usize> = FxHashMap::default();
    let mut quality = Quality::default();
    for (mut found, skipped, tally) in per_group {
        quality.add(tally);
        findings.append(&mut found);
        for key in skipped {
            *unmapped.entry(key).or_default() += 1;
        }
    }
    let mut unmapped: Vec<Unmapped> = unmapped
        .into_iter()
        .map(|((system, field, value), count)| Unmapped {
            system,
            field,
            value,
            count,
        })
        .collect();
    unmapped.sort_by(|a, b| (a.system, a.field, &a.value).cmp(&(b.system, b.field, &b.value)));

    let (segment_counts, mut explained) = segments::reconcile(snap, &links);
    findings.append(&mut explained);
    findings.sort_by_key(|f| (f.kind, f.system, f.record, f.field));
    Report {
        findings,
        links,
        linked,
        unmapped,
        segment_counts,
        quality,
    }
}

/// Whether a record says who or what it is (an address, a name, a domain): a row with
/// none of them is a sync problem, not a lead the hub lacks.
fn identifiable(snap: &Snapshot, r: &Rec) -> bool {
    let keys: &[&str] = match r.object {
        ObjectType::Person => &["email", "phone", "first_name", "last_name", "full_name"],
        ObjectType::Company => &["name", "domain"],
    };
    keys.iter().any(|k| {
        snap.field_slot(r.object, k)
            .and_then(|slot| r.value(slot))
            .is_some_and(|v| !snap.text(v.value).trim().is_empty())
    })
}

fn region(snap: &Snapshot, r: &Rec) -> Option<&'static str> {
    let slot = snap.field_slot(r.object, "country")?;
    normalise::region_of_country(snap.text(r.value(slot)?.value))
}

fn rule_text(field: &Field) -> String {
    format!(
        "{} {} ({})",
        field.authority_name, field.policy, field.category
    )
}

/// A group's findings, the status values it could not compare (system, field, value), and
/// its tally of comparisons.
type GroupResult = (Vec<Finding>, Vec<(u16, u16, String)>, Quality);

/// The copies of one hub record, field by field.
fn compare_group(
    snap: &Snapshot,
    hub: usize,
    copies: &[usize],
    integration: &(dyn Fn(Option<&str>) -> bool + Sync),
) -> GroupResult {
    let mut out = Vec::new();
    let mut unmapped = Vec::new();
    let mut tally = Quality::default();
    let h = &snap.records[hub];
    let members: Vec<usize> = std::iter::once(hub).chain(copies.iter().copied()).collect();
    // A copy without a country is read in its hub record's (the same person's) country.
    let hub_region = region(snap, h);
    let regions: Vec<Option<&'static str>> = members
        .iter()
        .map(|m| region(snap, &snap.records[*m]).or(hub_region))
        .collect();
    for (slot, field) in snap.fields.iter().enumerate() {
        if field.object != h.object {
            continue;
        }
        let slot = u16::try_from(slot).unwrap_or(u16::MAX);
        let name = |m: usize| {
            snap.field_name(snap.records[m].system, field.object, slot)
                .unwrap_or_default()
                .to_owned()
        };
        let system_name = |m: usize| {
            snap.systems[usize::from(snap.records[m].system)]
                .name
                .as_str()
        };
        let key_of = |m: usize, raw: &str, region: Option<&str>| {
            compare::key(field, system_name(m), raw, region)
        };

        // The hub's own history: an integration overwriting a field the hub owns.
        if field.policy == ConflictPolicy::AuthorityWins
            && field.authority == Authority::Hub
            && let Some(v) = h.value(slot)
            && integration(snap.source_of(v))
            && let Ok(current) = key_of(hub, snap.text(v.value), regions[0])
            && let Some((k, overwritten)) = h
                .earlier(slot)
                .enumerate()
                .find(|(_, p)| !integration(snap.past_source(p)))
            && key_of(hub, snap.text(overwritten.value), regions[0])
                .is_ok_and(|before| before != current)
        {
            out.push(Finding {
                kind: Kind::ConflictingWrite,
                system: h.system,
                record: hub,
                hub: Some(hub),
                field: Some(slot),
                segment: None,
                evidence: Evidence {
                    reason: "integration_overwrote_authority",
                    rule: Some(rule_text(field)),
                    authority_changed_at: overwritten.at(),
                    authority_source: snap.past_source(overwritten).map(str::to_owned),
                    copy_changed_at: h.changed_at(v),
                    overwritten_version: Some(k),
                    authority_record: Some(hub),
                    ..Evidence::default()
                },
                fix: Some(Fix::Write {
                    record: hub,
                    field: name(hub),
                    from: ValueFrom {
                        record: hub,
                        field: name(hub),
                        version: Some(k),
                    },
                }),
            });
            // Copies are measured against a value nobody owns yet: the conflict comes first.
            continue;
        }
        if copies.is_empty() {
            continue;
        }

        // Each member's comparable key for this field.
        let mut keyed: Vec<(usize, usize, String)> = Vec::new(); // (member position, record, key)
        for (pos, &m) in members.iter().enumerate() {
            let Some(v) = snap.records[m].value(slot) else {
                continue;
            };
            match key_of(m, snap.text(v.value), regions[pos]) {
                Ok(k) => keyed.push((pos, m, k)),
                Err(Skip::Unmapped) => {
                    unmapped.push((
                        snap.records[m].system,
                        slot,
                        snap.text(v.value).trim().to_owned(),
                    ));
                }
                Err(Skip::Empty) => {}
            }
        }
        if field.status.is_some() {
            let unmapped_here = unmapped.iter().filter(|(_, f, _)| *f == slot).count() as u64;
            tally.status_values += keyed.len() as u64 + unmapped_here;
        }
        if let Some((_, _, hub_key)) = keyed.iter().find(|(_, m, _)| *m == hub) {
            let copies_keyed = keyed.iter().filter(|(_, m, _)| *m != hub);
            for (_, _, k) in copies_keyed {
                tally.fields_compared += 1;
                tally.fields_agreeing += u64::from(k == hub_key);
            }
        }
        if keyed.len() < 2 || keyed.iter().all(|(_, _, k)| *k == keyed[0].2) {
            continue;
        }
        let changed = |m: usize| {
            let r = &snap.records[m];
            r.value(slot).and_then(|v| r.changed_at(v))
        };
        let authority = match (field.policy, field.authority) {
            (ConflictPolicy::AuthorityWins, Authority::Hub) => {
                keyed.iter().position(|(_, m, _)| *m == hub)
            }
            (ConflictPolicy::AuthorityWins, Authority::System(s)) => keyed
                .iter()
                .position(|(_, m, _)| snap.records[*m].system == s),
            (ConflictPolicy::LastTouch, _) => {
                (0..keyed.len()).max_by_key(|i| (changed(keyed[*i].1), keyed[*i].1 == hub))
            }
            (ConflictPolicy::EarliestTouch, _) => (0..keyed.len())
                .min_by_key(|i| (changed(keyed[*i].1).unwrap_or(i64::MAX), keyed[*i].1 != hub)),
            (ConflictPolicy::Manual, _) => None,
        };
        let Some(a) = authority else {
            if field.policy == ConflictPolicy::Manual {
                for &(_, m, _) in keyed.iter().filter(|(_, m, _)| *m != hub) {
                    out.push(copy_finding(
                        snap,
                        Kind::Mismatch,
                        "manual_rule",
                        field,
                        slot,
                        m,
                        hub,
                        None,
                        Some(Fix::Decide),
                    ));
                }
            }
            continue;
        };
        let (a_pos, a_rec, a_key) = (keyed[a].0, keyed[a].1, keyed[a].2.clone());
        let Some(a_val) = snap.records[a_rec].value(slot) else {
            continue;
        };
        let a_changed = snap.records[a_rec].changed_at(a_val);
        let earlier: Vec<Option<String>> = snap.records[a_rec]
            .earlier(slot)
            .map(|p| key_of(a_rec, snap.text(p.value), regions[a_pos]).ok())
            .collect();
        for &(_, m, ref k) in &keyed {
            if m == a_rec || *k == a_key {
                continue;
            }
            let x = &snap.records[m];
            let x_changed = changed(m);
            let agreed = earlier
                .iter()
                .position(|e| e.as_deref() == Some(k.as_str()));
            let (kind, reason) = if agreed.is_some() {
                (Kind::Stale, "earlier_authority_value")
            } else if !earlier.is_empty()
                && a_changed
                    .zip(x.created_at.or(x_changed))
                    .is_some_and(|(a, x)| a > x)
            {
                (Kind::Divergent, "both_changed_since_copy")
            } else if earlier.is_empty() && a_changed.zip(x_changed).is_some_and(|(a, x)| a > x) {
                (Kind::Stale, "authority_newer")
            } else {
                (Kind::Mismatch, "differs")
            };
            let fix = Fix::Write {
                record: m,
                field: name(m),
                from: ValueFrom {
                    record: a_rec,
                    field: name(a_rec),
                    version: None,
                },
            };
            let mut f = copy_finding(
                snap,
                kind,
                reason,
                field,
                slot,
                m,
                hub,
                Some(a_rec),
                Some(fix),
            );
            f.evidence.agreed_version = agreed;
            f.evidence.authority_changed_at = a_changed;
            f.evidence.authority_source = snap.source_of(a_val).map(str::to_owned);
            out.push(f);
        }
    }
    (out, unmapped, tally)
}

#[allow(clippy::too_many_arguments)]
fn copy_finding(
    snap: &Snapshot,
    kind: Kind,
    reason: &'static str,
    field: &Field,
    slot: u16,
    record: usize,
    hub: usize,
    authority: Option<usize>,
    fix: Option<Fix>,
) -> Finding {
    let r = &snap.records[record];
    Finding {
        kind,
        system: r.system,
        record,
        hub: Some(hub),
        field: Some(slot),
        segment: None,
        evidence: Evidence {
            reason,
            rule: Some(rule_text(field)),
            copy_changed_at: r.value(slot).and_then(|v| r.changed_at(v)),
            copy_created_at: r.created_at,
            authority_record: authority,
            ..Evidence::default()
        },
        fix,
    }
}
