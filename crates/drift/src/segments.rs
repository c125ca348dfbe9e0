//! Count reconciliation: a segment defined once in canonical terms is counted in every
//! system that carries its fields, and each system's difference from the hub is explained
//! record by record (the hub's 340 active accounts against the portal's 357, and exactly the
//! 17 records that make the gap).

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::compare;
use crate::finding::{Evidence, Finding, Kind};
use crate::input::Snapshot;
use crate::link::Link;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentCount {
    pub segment: u16,
    pub system: u16,
    pub count: usize,
}

pub fn reconcile(snap: &Snapshot, links: &[Link]) -> (Vec<SegmentCount>, Vec<Finding>) {
    let mut counts = Vec::new();
    let mut findings = Vec::new();
    let Some(hub) = snap.hub() else {
        return (counts, findings);
    };
    for (seg_index, seg) in snap.segments.iter().enumerate() {
        let seg_no = u16::try_from(seg_index).unwrap_or(u16::MAX);
        let Some(conditions) = seg
            .conditions
            .iter()
            .map(|(key, values)| Some((snap.field_slot(seg.object, key.as_str())?, values)))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let carries = |system: u16| {
            conditions
                .iter()
                .all(|(slot, _)| snap.field_name(system, seg.object, *slot).is_some())
        };
        let member = |i: usize| -> bool {
            let r = &snap.records[i];
            let system = snap.systems[usize::from(r.system)].name.as_str();
            !r.archived
                && conditions.iter().all(|(slot, values)| {
                    let field = &snap.fields[usize::from(*slot)];
                    let Some(v) = r.value(*slot) else {
                        return false;
                    };
                    let Ok(key) = compare::key(field, system, snap.text(v.value), None) else {
                        return false;
                    };
                    values.iter().any(|want| {
                        if field.status.is_some() {
                            *want == key
                        } else {
                            compare::key(field, system, want, None).is_ok_and(|w| w == key)
                        }
                    })
                })
        };
        let in_object = |i: &usize| snap.records[*i].object == seg.object;
        // Systems that map the segment's fields and hold records of its object at all.
        let holding: FxHashSet<u16> = snap
            .records
            .iter()
            .filter(|r| r.object == seg.object && !r.archived)
            .map(|r| r.system)
            .collect();
        let systems: Vec<u16> = (0..snap.systems.len())
            .filter_map(|s| u16::try_from(s).ok())
            .filter(|s| carries(*s) && holding.contains(s))
            .collect();
        if !systems.contains(&hub) {
            continue;
        }
        let mut members: FxHashMap<u16, FxHashSet<usize>> = FxHashMap::default();
        for (i, r) in snap.records.iter().enumerate() {
            if in_object(&i) && systems.contains(&r.system) && member(i) {
                members.entry(r.system).or_default().insert(i);
            }
        }
        let empty = FxHashSet::default();
        let hub_members = members.get(&hub).unwrap_or(&empty);
        for &system in &systems {
            let mine = members.get(&system).unwrap_or(&empty);
            counts.push(SegmentCount {
                segment: seg_no,
                system,
                count: mine.len(),
            });
            if system == hub {
                continue;
            }
            let pair = Some((hub_members.len(), mine.len()));
            let finding =
                |record: usize, hub_record: Option<usize>, reason: &'static str| Finding {
                    kind: Kind::CountMismatch,
                    system,
                    record,
                    hub: hub_record,
                    field: None,
                    segment: Some(seg_no),
                    evidence: Evidence {
                        reason,
                        counts: pair,
                        ..Evidence::default()
                    },
                    fix: None,
                };
            let mut copies_of: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
            for (i, r) in snap.records.iter().enumerate() {
                if r.system == system
                    && in_object(&i)
                    && let Link::Hub { hub: h, .. } = &links[i]
                {
                    copies_of.entry(*h).or_default().push(i);
                }
            }
            let mut mine_sorted: Vec<usize> = mine.iter().copied().collect();
            mine_sorted.sort_unstable();
            let mut counted: FxHashSet<usize> = FxHashSet::default();
            for i in mine_sorted {
                let f = match &links[i] {
                    // A second copy of one hub record counts twice here and once in the hub.
                    Link::Hub { hub: h, .. } if !counted.insert(*h) => {
                        finding(i, Some(*h), "duplicate_in_system")
                    }
                    Link::Hub { hub: h, .. } if hub_members.contains(h) => continue,
                    Link::Hub { hub: h, .. } if snap.records[*h].archived => {
                        finding(i, Some(*h), "hub_archived")
                    }
                    Link::Hub { hub: h, .. } => finding(i, Some(*h), "hub_value_differs"),
                    Link::Deleted | Link::ErasedVia(_) => finding(i, None, "hub_deleted"),
                    Link::Unconfirmed => finding(i, None, "hub_not_read_yet"),
                    Link::Ambiguous => finding(i, None, "hub_ambiguous"),
                    Link::None => finding(i, None, "not_in_hub"),
                };
                findings.push(f);
            }
            let mut hub_sorted: Vec<usize> = hub_members.iter().copied().collect();
            hub_sorted.sort_unstable();
            for h in hub_sorted {
                match copies_of.get(&h) {
                    None => findings.push(finding(h, Some(h), "not_in_system")),
                    Some(copies) if !copies.iter().any(|c| mine.contains(c)) => {
                        findings.push(finding(copies[0], Some(h), "system_value_differs"));
                    }
                    Some(_) => {}
                }
            }
        }
    }
    (counts, findings)
}
