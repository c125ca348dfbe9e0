//! Which hub record each spoke record is a copy of. In order of trust: the hub id the spoke
//! keeps (a crosswalk, through merges too), the same address, the same mailbox once
//! normalised (gmail dots, `+tags`), a company's domain, and last the matching engine's
//! clusters. A crosswalk naming a hub record the hub no longer has at all (neither live nor
//! archived) means that record was permanently deleted: an erasure the copy never heard of.

use rustc_hash::FxHashMap;
use serde::Serialize;
use steward_domain::ObjectType;
use steward_matching::normalise;

use crate::input::Snapshot;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum LinkBasis {
    SharedId,
    /// The shared id is of a record since merged into this one.
    MergedId,
    Email,
    NormalisedEmail,
    Domain,
    Match {
        score: f64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// A copy of this hub record (which may be archived).
    Hub { hub: usize, basis: LinkBasis },
    /// The shared id names a hub record that no longer exists.
    Deleted,
    /// The shared id names a hub record the hub's last full read did not have, but the copy
    /// is newer than that read: the hub may have gained it since. Not judged until the hub
    /// is read again.
    Unconfirmed,
    /// Shares its address with a copy whose hub record no longer exists.
    ErasedVia(usize),
    /// Several hub records fit (the hub has duplicates): not compared, not missing.
    Ambiguous,
    /// No hub record: the hub never had it.
    None,
}

fn email_keys(snap: &Snapshot, index: usize, slot: Option<u16>) -> Option<(String, String)> {
    let value = snap.records[index].value(slot?)?;
    let raw = snap.text(value.value).trim();
    if raw.is_empty() {
        return None;
    }
    let exact = raw.to_lowercase();
    let normal = normalise::email(raw).map_or_else(|| exact.clone(), |e| e.address);
    Some((exact, normal))
}

fn domain_key(snap: &Snapshot, index: usize, slot: Option<u16>) -> Option<String> {
    let raw = snap
        .text(snap.records[index].value(slot?)?.value)
        .trim()
        .to_ascii_lowercase();
    let raw = raw.split_once("://").map_or(raw.as_str(), |(_, r)| r);
    let raw = raw
        .strip_prefix("www.")
        .unwrap_or(raw)
        .trim_end_matches('/');
    (!raw.is_empty()).then(|| raw.to_owned())
}

/// One link per record (hub records get `Link::None`).
pub fn link_all(snap: &Snapshot) -> Vec<Link> {
    let Some(hub) = snap.hub() else {
        return vec![Link::None; snap.records.len()];
    };
    let email = snap.field_slot(ObjectType::Person, "email");
    let domain = snap.field_slot(ObjectType::Company, "domain");
    let mut by_id: FxHashMap<(ObjectType, &str), usize> = FxHashMap::default();
    let mut by_merged: FxHashMap<(ObjectType, &str), usize> = FxHashMap::default();
    let mut by_email: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    let mut by_mailbox: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    let mut by_domain: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, r) in snap.records.iter().enumerate() {
        if r.system != hub {
            continue;
        }
        by_id.insert((r.object, snap.text(r.external_id)), i);
        for merged in &r.merged_ids {
            by_merged.insert((r.object, snap.text(*merged)), i);
        }
        match r.object {
            ObjectType::Person => {
                if let Some((exact, normal)) = email_keys(snap, i, email) {
                    by_email.entry(exact).or_default().push(i);
                    by_mailbox.entry(normal).or_default().push(i);
                }
            }
            ObjectType::Company => {
                if let Some(d) = domain_key(snap, i, domain) {
                    by_domain.entry(d).or_default().push(i);
                }
            }
        }
    }
    // Prefer live hub records; several live ones (or several archived, none live) is ambiguous.
    let pick = |candidates: Option<&Vec<usize>>| -> Option<Result<usize, ()>> {
        let candidates = candidates?;
        let live: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| !snap.records[*i].archived)
            .collect();
        match (live.as_slice(), candidates.as_slice()) {
            ([one], _) | ([], [one]) => Some(Ok(*one)),
            _ => Some(Err(())),
        }
    };

    let mut links: Vec<Link> = snap
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if r.system == hub {
                return Link::None;
            }
            let shared = r
                .crosswalk
                .map(|x| snap.text(x).trim())
                .filter(|x| !x.is_empty());
            if let Some(x) = shared {
                if let Some(&h) = by_id.get(&(r.object, x)) {
                    return Link::Hub {
                        hub: h,
                        basis: LinkBasis::SharedId,
                    };
                }
                if let Some(&h) = by_merged.get(&(r.object, x)) {
                    return Link::Hub {
                        hub: h,
                        basis: LinkBasis::MergedId,
                    };
                }
            }
            let tiers = match r.object {
                ObjectType::Person => email_keys(snap, i, email).map(|(exact, normal)| {
                    [
                        (pick(by_email.get(&exact)), LinkBasis::Email),
                        (pick(by_mailbox.get(&normal)), LinkBasis::NormalisedEmail),
                    ]
                }),
                ObjectType::Company => domain_key(snap, i, domain).map(|d| {
                    let found = pick(by_domain.get(&d));
                    [(found, LinkBasis::Domain), (None, LinkBasis::Domain)]
                }),
            };
            for (found, basis) in tiers.into_iter().flatten() {
                match found {
                    // A live hub record under another id (deleted and entered again): a copy.
                    Some(Ok(h)) if !snap.records[h].archived || shared.is_none() => {
                        return Link::Hub { hub: h, basis };
                    }
                    Some(Err(())) if shared.is_none() => return Link::Ambiguous,
                    _ => {}
                }
            }
            match shared {
                // The hub id it keeps is gone from the hub, live and archived.
                Some(_)
                    if r.created_at
                        .zip(snap.hub_read_at)
                        .is_none_or(|(c, read)| c < read) =>
                {
                    Link::Deleted
                }
                Some(_) => Link::Unconfirmed,
                None => Link::None,
            }
        })
        .collect();

    link_by_clusters(snap, hub, &mut links);
    link_erased_via_email(snap, email, &mut links);
    links
}

/// Records still unlinked that the matching engine put in a cluster with exactly one live
/// hub record are copies of it.
fn link_by_clusters(snap: &Snapshot, hub: u16, links: &mut [Link]) {
    if snap.clusters.is_empty() {
        return;
    }
    let index: FxHashMap<i64, usize> = snap
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    for (score, members) in &snap.clusters {
        let members: Vec<usize> = members
            .iter()
            .filter_map(|id| index.get(id).copied())
            .collect();
        let hubs: Vec<usize> = members
            .iter()
            .copied()
            .filter(|i| snap.records[*i].system == hub && !snap.records[*i].archived)
            .collect();
        for &m in &members {
            if snap.records[m].system == hub || links[m] != Link::None {
                continue;
            }
            links[m] = match hubs.as_slice() {
                [one] if snap.records[*one].object == snap.records[m].object => Link::Hub {
                    hub: *one,
                    basis: LinkBasis::Match { score: *score },
                },
                [] => continue,
                _ => Link::Ambiguous,
            };
        }
    }
}

/// An unlinked copy sharing its mailbox with a copy whose hub record was deleted is the same
/// erased person.
fn link_erased_via_email(snap: &Snapshot, email: Option<u16>, links: &mut [Link]) {
    let mut erased: FxHashMap<String, usize> = FxHashMap::default();
    for (i, link) in links.iter().enumerate() {
        if *link == Link::Deleted
            && let Some((_, normal)) = email_keys(snap, i, email)
        {
            erased.entry(normal).or_insert(i);
        }
    }
    if erased.is_empty() {
        return;
    }
    let hub = snap.hub();
    for (i, link) in links.iter_mut().enumerate() {
        if *link == Link::None
            && Some(snap.records[i].system) != hub
            && snap.records[i].object == ObjectType::Person
            && let Some((_, normal)) = email_keys(snap, i, email)
            && let Some(&via) = erased.get(&normal)
        {
            *link = Link::ErasedVia(via);
        }
    }
}
