//! The erasure tracker: a request (an address and/or a phone number, optionally a name)
//! becomes a checklist across every system, with a status per system (not found / deleted /
//! still present), its evidence and time, and a deadline. Steward purges the person from its
//! own workspace at once and keeps only keyed hashes of the identifiers (tombstones; the key
//! lives in the OS keychain, so a short identifier cannot be guessed from the file): later
//! syncs do not cache a record that matches one, they note the sighting, so the checklist
//! stays current and the request can be proven later without keeping what was erased.
//!
//! Only fields that hold addresses or numbers are searched: those the rules map onto the
//! canonical email or phone, and those whose names say so. The search runs over each
//! system's cache as of its last complete read (the evidence says which); a full sync that
//! started after the request is what proves a copy gone.

use std::collections::{BTreeSet, HashMap};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use steward_connectors::{Keychain, Secret};
use steward_domain::{AuditEvent, ObjectType, Record, RuleSet, Timestamp};
use steward_matching::{Known, normalise};
use steward_store::{ErasureCheck, ErasureRequest, NewFinding, SyncMode, SyncStatus, Workspace};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::workspace::Steward;

const DAY_MS: i64 = 86_400_000;
/// GDPR's one month, as a default.
pub const DEFAULT_DEADLINE_DAYS: u32 = 30;
/// Phone numbers compare on their last digits: the national number without prefixes.
const PHONE_DIGITS: usize = 9;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErasureInput {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    /// The ticket or case this request came in as (e.g. "DSR-2041").
    pub reference: String,
    pub deadline_days: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErasureSystemView {
    pub system: String,
    /// not_found, deleted, still_present, not_checked
    pub status: String,
    pub checked_at: String,
    /// The records that still hold the person (ids in that system).
    pub records: Vec<String>,
    /// Which identifiers matched (email, phone), never their values.
    pub matched: Vec<String>,
    /// Records holding the address or number under another name: left alone.
    pub other_name: u64,
    /// What the status rests on ("cache as of the full sync of …").
    pub basis: String,
}

/// What a request would find in one system (nothing is changed by a preview).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErasurePreview {
    pub system: String,
    /// Records that would be purged from the workspace (and are still in the system).
    pub records: u64,
    /// Which identifiers matched (email, phone, name).
    pub matched: Vec<String>,
    /// Records holding the address or number under another name: left alone.
    pub other_name: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErasureView {
    pub id: i64,
    pub reference: String,
    /// The identifiers, masked.
    pub label: String,
    pub requested_at: String,
    pub requested_by: String,
    pub deadline_at: String,
    pub overdue: bool,
    pub completed_at: Option<String>,
    /// Records purged from Steward's own workspace.
    pub purged: u64,
    pub systems: Vec<ErasureSystemView>,
}

/// The normalised identifiers of a request (kept in memory only while it is made).
struct Identifiers {
    email: Option<String>,
    phone: Option<String>,
    name: Option<String>,
}

fn phone_key(raw: &str) -> Option<String> {
    let digits = normalise::digits(raw);
    let phone_shaped = raw
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().x/".contains(c));
    (phone_shaped && digits.len() >= 7).then(|| {
        let skip = digits.len().saturating_sub(PHONE_DIGITS);
        digits[skip..].to_owned()
    })
}

fn email_key(raw: &str) -> Option<String> {
    raw.contains('@')
        .then(|| normalise::email(raw).map(|e| e.address))
        .flatten()
}

/// A keyed hash (HMAC-SHA-256) of one identifier. The key is the workspace's own, kept in
/// the OS keychain: without it a nine-digit number could be found by trying them all.
fn tombstone(key: &Secret, kind: &str, value: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()) else {
        return String::new();
    };
    for part in ["steward-erasure/v1", kind, value] {
        mac.update(&(part.len() as u64).to_le_bytes());
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

fn key_account(workspace_id: &str) -> String {
    format!("{workspace_id}/erasure-key")
}

/// The workspace's tombstone key; made and stored on the first request when `create`.
fn erasure_key(
    keychain: &Keychain,
    workspace_id: &str,
    create: bool,
) -> Result<Option<Secret>, AppError> {
    let account = key_account(workspace_id);
    if let Some(key) = keychain.load(&account)? {
        return Ok(Some(key));
    }
    if !create {
        return Ok(None);
    }
    let material = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let key =
        Secret::new(material).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    keychain.store(&account, &key)?;
    Ok(Some(key))
}

/// Which of each system's person fields hold addresses and numbers: mapped onto the
/// canonical email or phone by the rules, or named so.
#[derive(Debug, Default, Clone)]
struct IdentityFields {
    /// (system id, field) → "email" or "phone".
    mapped: HashMap<(i64, String), &'static str>,
}

impl IdentityFields {
    fn new(rules: &RuleSet, systems: &[(i64, String)]) -> Self {
        let mut mapped = HashMap::new();
        for m in rules
            .mapping
            .iter()
            .filter(|m| m.object == ObjectType::Person)
        {
            let Some((id, _)) = systems
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(&m.system))
            else {
                continue;
            };
            for (field, key) in &m.fields {
                match key.as_str() {
                    "email" => mapped.insert((*id, field.clone()), "email"),
                    "phone" => mapped.insert((*id, field.clone()), "phone"),
                    _ => None,
                };
            }
        }
        Self { mapped }
    }

    fn kind(&self, system_id: i64, field: &str) -> Option<&'static str> {
        if let Some(kind) = self.mapped.get(&(system_id, field.to_owned())) {
            return Some(kind);
        }
        match Known::recognise(field) {
            Some(Known::Email) => Some("email"),
            Some(Known::Phone) => Some("phone"),
            _ => None,
        }
    }
}

fn system_ids(workspace: &Workspace) -> Result<Vec<(i64, String)>, AppError> {
    Ok(steward_store::list_systems(workspace.conn())?
        .into_iter()
        .map(|s| (s.id, s.name.to_string()))
        .collect())
}

/// A record id to show in evidence: masked when it is itself the erased address or number
/// (a sheet keyed by email).
fn shown_id(external_id: &str, is_identifier: bool) -> String {
    if is_identifier {
        let first: String = external_id.chars().take(1).collect();
        format!("{first}••• (the erased address or number)")
    } else {
        external_id.to_owned()
    }
}

/// "j•••@e•••.test", "+•• ••• •••• 18": enough for a person to recognise the request.
fn mask(ids: &Identifiers) -> String {
    let mut parts = Vec::new();
    if let Some(email) = &ids.email {
        let (local, domain) = email.split_once('@').unwrap_or((email, ""));
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        let tld = domain.rsplit_once('.').map_or("", |(_, t)| t);
        parts.push(format!("{}•••@{}•••.{tld}", first(local), first(domain)));
    }
    if let Some(phone) = &ids.phone {
        parts.push(format!(
            "phone …{}",
            &phone[phone.len().saturating_sub(2)..]
        ));
    }
    if ids.name.is_some() {
        parts.push("name given".into());
    }
    parts.join(", ")
}

/// How a record stands to a request.
#[derive(Debug, Default, PartialEq, Eq)]
struct Verdict {
    /// What matched (kinds only).
    matched: BTreeSet<&'static str>,
    /// The address or number matched, but the name given is not this record's: left alone.
    other_name: bool,
}

/// What in a record matches the identifiers: its address and number fields (current and
/// earlier values), confirmed by the name when one is given.
fn matches(
    record_fields: &[(String, Vec<String>)],
    ids: &Identifiers,
    kind_of: &dyn Fn(&str) -> Option<&'static str>,
) -> Verdict {
    let mut out = BTreeSet::new();
    let (mut first, mut last, mut full) = (None, None, None);
    for (field, values) in record_fields {
        match kind_of(field) {
            Some("email")
                if ids.email.is_some() && values.iter().any(|v| email_key(v) == ids.email) =>
            {
                out.insert("email");
            }
            Some("phone")
                if ids.phone.is_some() && values.iter().any(|v| phone_key(v) == ids.phone) =>
            {
                out.insert("phone");
            }
            _ => {}
        }
        let value = values.first().map(String::as_str);
        match Known::recognise(field) {
            Some(Known::FirstName) => first = value,
            Some(Known::LastName) => last = value,
            Some(Known::FullName) => full = value,
            _ => {}
        }
    }
    let mut verdict = Verdict::default();
    if out.is_empty() {
        return verdict;
    }
    if let Some(name) = &ids.name
        && let Some(p) = normalise::person(first, last, full)
        && let Some(n) = normalise::person(None, None, Some(name))
    {
        if n.first_canonical == p.first_canonical && n.last == p.last {
            out.insert("name");
        } else {
            verdict.other_name = true;
            return verdict;
        }
    }
    verdict.matched = out;
    verdict
}

/// A cached record that holds the person: its id, its id in the system, what matched.
type Hit = (i64, String, BTreeSet<&'static str>);

/// Tombstones as a sync consults them: the key (read once per sync), the hashes (read again
/// for every page, so a request filed mid-sync is honoured from the next page) and which of
/// the system's fields hold addresses and numbers.
#[derive(Debug)]
pub struct Tombstones {
    keychain: Keychain,
    key: Option<Secret>,
    hashes: HashMap<String, i64>,
    fields: IdentityFields,
    system_id: i64,
}

impl Tombstones {
    pub fn load(
        workspace: &Workspace,
        keychain: &Keychain,
        system_id: i64,
    ) -> Result<Self, AppError> {
        let mut tombstones = Self {
            keychain: keychain.clone(),
            key: None,
            hashes: HashMap::new(),
            fields: IdentityFields::new(
                &crate::rules::rules_in_force(workspace),
                &system_ids(workspace)?,
            ),
            system_id,
        };
        tombstones.refresh(workspace)?;
        Ok(tombstones)
    }

    /// Reads the hashes again (a request may have been filed since the last page); the key
    /// is read from the keychain once there is a tombstone to check.
    pub fn refresh(&mut self, workspace: &Workspace) -> Result<(), AppError> {
        self.hashes = steward_store::tombstones(workspace.conn())?
            .into_iter()
            .collect();
        if self.key.is_none() && !self.hashes.is_empty() {
            self.key = erasure_key(&self.keychain, workspace.id(), false)?;
            if self.key.is_none() {
                return Err(AppError::new(
                    ErrorCode::KeychainUnavailable,
                    "the erasure key is missing from the keychain, so erased people cannot be \
                     recognised: restore the keychain entry before syncing",
                ));
            }
        }
        Ok(())
    }

    /// The erasure request a person record belongs to, if one of its address or number
    /// fields holds an erased identifier.
    pub fn hit(&self, record: &Record) -> Option<i64> {
        let key = self.key.as_ref()?;
        if self.hashes.is_empty() || record.key.object != ObjectType::Person {
            return None;
        }
        record.fields.iter().find_map(|(name, v)| {
            let hashed = match self.fields.kind(self.system_id, name)? {
                "email" => email_key(&v.value).map(|k| tombstone(key, "email", &k)),
                _ => phone_key(&v.value).map(|k| tombstone(key, "phone", &k)),
            }?;
            self.hashes.get(&hashed).copied()
        })
    }
}

/// Every cached person the identifiers match, per system, and how many hold the address or
/// number under another name.
type Found = (HashMap<i64, Vec<Hit>>, HashMap<i64, usize>);

fn search(
    conn: &steward_store::Connection,
    ids: &Identifiers,
    fields: &IdentityFields,
) -> Result<Found, AppError> {
    let mut found: HashMap<i64, Vec<Hit>> = HashMap::new();
    let mut other_names: HashMap<i64, usize> = HashMap::new();
    steward_store::for_each_record(
        conn,
        |_, object, _| object == ObjectType::Person,
        |head, record_fields| {
            if head.object != ObjectType::Person {
                return;
            }
            let values: Vec<(String, Vec<String>)> = record_fields
                .into_iter()
                .map(|(k, v)| {
                    let mut all = vec![v.value];
                    all.extend(v.earlier.into_iter().map(|p| p.value));
                    (k, all)
                })
                .collect();
            let system = head.system_id;
            let verdict = matches(&values, ids, &|f| fields.kind(system, f));
            if verdict.other_name {
                *other_names.entry(system).or_default() += 1;
            } else if !verdict.matched.is_empty() {
                found
                    .entry(system)
                    .or_default()
                    .push((head.id, head.external_id, verdict.matched));
            }
        },
    )?;
    Ok((found, other_names))
}

/// Merge backups of the person: every backup of a proposal where one of them holds the
/// address or number (its properties or their history): the other records of that proposal
/// are the same person under another address. An erasure purges them, or a restore could
/// bring the person back. Returns the backups and their proposals.
fn matching_backups(
    conn: &steward_store::Connection,
    ids: &Identifiers,
    fields: &IdentityFields,
) -> Result<(Vec<i64>, BTreeSet<i64>), AppError> {
    let all = steward_store::list_backups(conn, u32::MAX)?;
    let mut proposals = BTreeSet::new();
    for backup in &all {
        let Some(properties) = backup.content["properties"].as_object() else {
            continue;
        };
        let values: Vec<(String, Vec<String>)> = properties
            .iter()
            .map(|(name, value)| {
                let mut all: Vec<String> = value.as_str().map(str::to_owned).into_iter().collect();
                all.extend(
                    backup.content["history"][name]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v["value"].as_str().map(str::to_owned)),
                );
                (name.clone(), all)
            })
            .collect();
        let system = backup.system_id;
        if !matches(&values, ids, &|f| fields.kind(system, f))
            .matched
            .is_empty()
        {
            proposals.insert(backup.proposal_id);
        }
    }
    let purge = all
        .iter()
        .filter(|b| proposals.contains(&b.proposal_id))
        .map(|b| b.id)
        .collect();
    Ok((purge, proposals))
}

/// Open requests' "still present" copies, as drift findings: the records are not in the
/// cache (purged, and not cached again), so they are named by system and id.
pub fn open_sightings(workspace: &Workspace) -> Result<Vec<NewFinding>, AppError> {
    let conn = workspace.conn();
    let mut out = Vec::new();
    for request in steward_store::list_erasures(conn)? {
        if request.completed_at.is_some() {
            continue;
        }
        for check in steward_store::erasure_checks(conn, request.id)? {
            if check.status != "still_present" {
                continue;
            }
            for id in check.evidence["records"].as_array().into_iter().flatten() {
                let Some(external_id) = id.as_str() else {
                    continue;
                };
                out.push(NewFinding {
                    kind: "erasure_not_propagated".into(),
                    object: ObjectType::Person,
                    system_id: check.system_id,
                    record_id: None,
                    external_id: external_id.to_owned(),
                    hub_record_id: None,
                    hub_external_id: None,
                    field: None,
                    system_field: None,
                    hub_field: None,
                    segment: None,
                    evidence: serde_json::json!({
                        "reason": "erasure_request_still_present",
                        "erasure_request": request.id,
                        "reference": request.reference,
                        "checked_at": check.checked_at.millis(),
                    }),
                    fix: Some(serde_json::json!({
                        "action": "delete_copy",
                        "target": {"system_id": check.system_id, "external_id": external_id},
                    })),
                });
            }
        }
    }
    Ok(out)
}

/// What a system's cache can say: as of its newest complete full read, or nothing.
fn read_basis(workspace: &Workspace, system_id: i64) -> Result<(String, bool), AppError> {
    Ok(
        match steward_store::last_full_read(workspace.conn(), system_id)? {
            Some(at) => (
                format!("the cache as of the full read started {}", at.to_rfc3339()),
                true,
            ),
            None => (
                "never read in full: sync it fully, then check again".into(),
                false,
            ),
        },
    )
}

/// The identifiers of a request, normalised, its reference and its deadline in days.
fn validate(input: &ErasureInput) -> Result<(Identifiers, String, u32), AppError> {
    let reference = input.reference.trim();
    if reference.is_empty() {
        return Err(AppError::invalid(
            "give the request's reference (the ticket or case it came in as)",
        ));
    }
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let email = match given(&input.email) {
        Some(raw) => Some(email_key(raw).ok_or_else(|| {
            AppError::invalid("email: not an address (one @, a local part and a domain)")
        })?),
        None => None,
    };
    let phone = match given(&input.phone) {
        Some(raw) => Some(phone_key(raw).ok_or_else(|| {
            AppError::invalid("phone: not a number (at least 7 digits; + - ( ) and spaces allowed)")
        })?),
        None => None,
    };
    if email.is_none() && phone.is_none() {
        return Err(AppError::invalid(
            "give an email address or a phone number: a name alone could erase the wrong person",
        ));
    }
    let ids = Identifiers {
        email,
        phone,
        name: given(&input.name).map(str::to_owned),
    };
    let days = input
        .deadline_days
        .unwrap_or(DEFAULT_DEADLINE_DAYS)
        .clamp(1, 365);
    Ok((ids, reference.to_owned(), days))
}

impl Steward {
    /// What a request would find and purge, per system, without changing anything.
    pub fn preview_erasure(&self, input: &ErasureInput) -> Result<Vec<ErasurePreview>, AppError> {
        let (ids, _, _) = validate(input)?;
        let fields = IdentityFields::new(
            &crate::rules::rules_in_force(&self.workspace),
            &system_ids(&self.workspace)?,
        );
        let (found, other_names) = search(self.workspace.conn(), &ids, &fields)?;
        Ok(steward_store::list_systems(self.workspace.conn())?
            .into_iter()
            .map(|s| {
                let hits = found.get(&s.id).map(Vec::as_slice).unwrap_or_default();
                ErasurePreview {
                    system: s.name.to_string(),
                    records: hits.len() as u64,
                    matched: hits
                        .iter()
                        .flat_map(|(_, _, m)| m.iter().map(|k| (*k).to_owned()))
                        .collect::<BTreeSet<String>>()
                        .into_iter()
                        .collect(),
                    other_name: other_names.get(&s.id).copied().unwrap_or(0) as u64,
                }
            })
            .collect())
    }

    /// Records a request, searches every system's cache, purges the person from the
    /// workspace, and returns the checklist.
    pub fn request_erasure(&mut self, input: &ErasureInput) -> Result<ErasureView, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::RequestErasure,
        )?;
        let (ids, reference, days) = validate(input)?;
        let reference = reference.as_str();
        let now = self.clock.now();
        let key = erasure_key(&self.keychain, self.workspace.id(), true)?
            .ok_or_else(|| AppError::new(ErrorCode::Internal, "no erasure key"))?;
        let mut hashes: Vec<(String, &str)> = Vec::new();
        let mut kinds = Vec::new();
        for (kind, value) in [("email", &ids.email), ("phone", &ids.phone)] {
            if let Some(value) = value {
                hashes.push((tombstone(&key, kind, value), kind));
                kinds.push(kind);
            }
        }
        if ids.name.is_some() {
            // Only confirms matches; not kept, not even hashed.
            kinds.push("name");
        }
        let systems = steward_store::list_systems(self.workspace.conn())?;
        let fields = IdentityFields::new(
            &crate::rules::rules_in_force(&self.workspace),
            &system_ids(&self.workspace)?,
        );
        let mut bases = HashMap::new();
        for system in &systems {
            bases.insert(system.id, read_basis(&self.workspace, system.id)?);
        }
        let (actor, label) = (self.actor.clone(), mask(&ids));
        // The search and the purge share one write transaction: no sync can cache the person
        // in between.
        let (id, purged) = self.workspace.change(|c| {
            let (found, other_names) = search(c.conn(), &ids, &fields)?;
            let mut checks = Vec::new();
            for system in &systems {
                let (basis, complete) = bases.get(&system.id).cloned().unwrap_or_default();
                let hits = found.get(&system.id).cloned().unwrap_or_default();
                let matched: BTreeSet<&str> = hits
                    .iter()
                    .flat_map(|(_, _, m)| m.iter().copied())
                    .collect();
                checks.push(ErasureCheck {
                    request_id: 0,
                    system_id: system.id,
                    system_name: system.name.to_string(),
                    // Found is found; "not found" only counts in a cache read in full.
                    status: if !hits.is_empty() {
                        "still_present"
                    } else if complete {
                        "not_found"
                    } else {
                        "not_checked"
                    }
                    .into(),
                    checked_at: now,
                    evidence: serde_json::json!({
                        "records": hits
                            .iter()
                            .map(|(_, e, _)| {
                                let own = (ids.email.is_some() && email_key(e) == ids.email)
                                    || (ids.phone.is_some() && phone_key(e) == ids.phone);
                                shown_id(e, own)
                            })
                            .collect::<Vec<_>>(),
                        "matched": matched,
                        "other_name": other_names.get(&system.id).copied().unwrap_or(0),
                        "basis": basis,
                    }),
                });
            }
            let purge: Vec<i64> = found.values().flatten().map(|(id, ..)| *id).collect();
            let request = ErasureRequest {
                id: 0,
                requested_at: now,
                deadline_at: Timestamp::from_millis(now.millis() + i64::from(days) * DAY_MS),
                requested_by: actor.clone(),
                reference: reference.to_owned(),
                label: label.clone(),
                identifiers: serde_json::json!({ "kinds": kinds }),
                purged: purge.len() as u64,
                completed_at: None,
            };
            let id = c.insert_erasure(&request, &hashes)?;
            let purged = c.purge_records(&purge)?;
            let (backup_ids, proposals) = matching_backups(c.conn(), &ids, &fields)?;
            let backups = c.delete_backups(&backup_ids)?;
            for proposal in &proposals {
                // A reviewer's typed values for the person go too.
                c.blank_overrides(*proposal)?;
            }
            for check in &checks {
                c.set_erasure_check(&ErasureCheck {
                    request_id: id,
                    ..check.clone()
                })?;
            }
            if checks.iter().all(|c| c.status == "not_found") {
                c.complete_erasure(id, Some(now))?;
            }
            let in_status = |status: &str| -> Vec<String> {
                checks
                    .iter()
                    .filter(|c| c.status == status)
                    .map(|c| c.system_name.clone())
                    .collect()
            };
            let event = AuditEvent {
                at: now,
                actor: actor.clone(),
                action: "erasure.requested".into(),
                subject: format!("erasure/{id}"),
                details: serde_json::json!({
                    "reference": request.reference,
                    "identifiers": kinds,
                    "deadline": request.deadline_at.to_rfc3339(),
                    "purged_from_workspace": purged,
                    "merge_backups_purged": backups,
                    "still_present_in": in_status("still_present"),
                    "not_checked_in": in_status("not_checked"),
                }),
            };
            Ok::<_, AppError>(((id, purged), event))
        })?;
        // Purged pages are zeroed, and the write-ahead log folded in and truncated.
        if let Err(e) = self.workspace.scrub() {
            tracing::warn!(error = %e, "the workspace could not be scrubbed after an erasure");
        }
        tracing::info!(erasure = id, purged, "erasure requested");
        self.erasure(id)
    }

    /// Re-checks open requests (or one) against the syncs that started since the last check:
    /// a sighting keeps a system `still_present`; a succeeded full read without one proves the
    /// person gone (`deleted`, or `not_found` where they never were).
    pub fn check_erasures(&mut self, only: Option<i64>) -> Result<Vec<ErasureView>, AppError> {
        crate::governance::require(
            self.workspace.conn(),
            &self.actor,
            steward_domain::Action::RequestErasure,
        )?;
        let now = self.clock.now();
        let requests = steward_store::list_erasures(self.workspace.conn())?;
        let systems = steward_store::list_systems(self.workspace.conn())?;
        let mut checked = Vec::new();
        for request in requests.iter().filter(|r| only.is_none_or(|id| id == r.id)) {
            if request.completed_at.is_some() && only.is_none() {
                continue;
            }
            let previous = steward_store::erasure_checks(self.workspace.conn(), request.id)?;
            let mut updates = Vec::new();
            let key = erasure_key(&self.keychain, self.workspace.id(), false)?;
            let hashes: BTreeSet<String> = steward_store::tombstones(self.workspace.conn())?
                .into_iter()
                .filter(|(_, r)| *r == request.id)
                .map(|(h, _)| h)
                .collect();
            let tombstoned = |id: &str| {
                key.as_ref().is_some_and(|k| {
                    let email = email_key(id).map(|v| tombstone(k, "email", &v));
                    let phone = phone_key(id).map(|v| tombstone(k, "phone", &v));
                    [email, phone]
                        .into_iter()
                        .flatten()
                        .any(|h| hashes.contains(&h))
                })
            };
            for system in &systems {
                let before = previous.iter().find(|c| c.system_id == system.id);
                let since = before.map_or(request.requested_at, |c| c.checked_at);
                let runs = steward_store::list_sync_runs(self.workspace.conn(), system.id, 20)?;
                // A run that started before the request may have cached the person before the
                // tombstone existed: only later runs say anything.
                let Some(run) = runs.iter().find(|r| {
                    r.started_at > since
                        && r.finished_at.is_some()
                        && matches!(r.status, SyncStatus::Succeeded | SyncStatus::Partial)
                }) else {
                    continue;
                };
                let seen: Vec<String> =
                    steward_store::sightings(self.workspace.conn(), request.id, system.id)?
                        .into_iter()
                        .filter(|s| s.sync_run_id == run.id)
                        .map(|s| s.external_id)
                        .collect();
                let proves_absence =
                    run.mode == SyncMode::Full && run.status == SyncStatus::Succeeded;
                let was_present = before.is_some_and(|c| c.status == "still_present");
                let status = if !seen.is_empty() {
                    "still_present"
                } else if !proves_absence {
                    continue;
                } else if was_present {
                    "deleted"
                } else {
                    "not_found"
                };
                updates.push(ErasureCheck {
                    request_id: request.id,
                    system_id: system.id,
                    system_name: system.name.to_string(),
                    status: status.into(),
                    checked_at: now,
                    evidence: serde_json::json!({
                        "records": seen
                            .iter()
                            .map(|e| shown_id(e, tombstoned(e)))
                            .collect::<Vec<_>>(),
                        "matched": if seen.is_empty() { Vec::<&str>::new() } else { vec!["tombstone"] },
                        "basis": format!(
                            "the {} read started {} ({})",
                            run.mode.as_str(),
                            run.started_at.to_rfc3339(),
                            run.status.as_str()
                        ),
                        "sync_run": run.id,
                        "previous": before.map(|c| c.status.clone()),
                    }),
                });
            }
            let mut statuses: HashMap<i64, String> = previous
                .iter()
                .map(|c| (c.system_id, c.status.clone()))
                .collect();
            for u in &updates {
                statuses.insert(u.system_id, u.status.clone());
            }
            // Done only when every system is known clean: none still holds the person and none
            // is unchecked.
            let done = systems.iter().all(|sys| {
                statuses
                    .get(&sys.id)
                    .is_some_and(|s| s == "not_found" || s == "deleted")
            });
            let complete_now = done && request.completed_at.is_none();
            let reopen = !done && request.completed_at.is_some();
            if !updates.is_empty() || complete_now || reopen {
                let actor = self.actor.clone();
                let id = request.id;
                self.workspace.change(|c| {
                    for u in &updates {
                        c.set_erasure_check(u)?;
                    }
                    if complete_now {
                        c.complete_erasure(id, Some(now))?;
                    } else if reopen {
                        c.complete_erasure(id, None)?;
                    }
                    let event = AuditEvent {
                        at: now,
                        actor,
                        action: "erasure.checked".into(),
                        subject: format!("erasure/{id}"),
                        details: serde_json::json!({
                            "systems": updates.iter().map(|u| serde_json::json!({"system": u.system_name, "status": u.status})).collect::<Vec<_>>(),
                            "completed": done,
                        }),
                    };
                    Ok::<_, AppError>(((), event))
                })?;
            }
            checked.push(request.id);
        }
        checked.into_iter().map(|id| self.erasure(id)).collect()
    }

    pub fn erasures(&self) -> Result<Vec<ErasureView>, AppError> {
        steward_store::list_erasures(self.workspace.conn())?
            .into_iter()
            .map(|r| self.erasure_view(r))
            .collect()
    }

    pub fn erasure(&self, id: i64) -> Result<ErasureView, AppError> {
        let request = steward_store::get_erasure(self.workspace.conn(), id)?.ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, format!("no erasure request {id}"))
        })?;
        self.erasure_view(request)
    }

    fn erasure_view(&self, r: ErasureRequest) -> Result<ErasureView, AppError> {
        let checks = steward_store::erasure_checks(self.workspace.conn(), r.id)?;
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        Ok(ErasureView {
            id: r.id,
            reference: r.reference,
            label: r.label,
            requested_at: r.requested_at.to_rfc3339(),
            requested_by: r.requested_by,
            deadline_at: r.deadline_at.to_rfc3339(),
            overdue: r.completed_at.is_none() && self.clock.now() > r.deadline_at,
            completed_at: r.completed_at.map(Timestamp::to_rfc3339),
            purged: r.purged,
            systems: checks
                .into_iter()
                .map(|c| ErasureSystemView {
                    system: c.system_name,
                    status: c.status,
                    checked_at: c.checked_at.to_rfc3339(),
                    records: strings(&c.evidence["records"]),
                    matched: strings(&c.evidence["matched"]),
                    other_name: c.evidence["other_name"].as_u64().unwrap_or(0),
                    basis: c.evidence["basis"].as_str().unwrap_or_default().to_owned(),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Secret {
        Secret::new(text.to_owned()).unwrap()
    }

    #[test]
    fn identifiers_normalise_before_hashing_and_the_key_matters() {
        assert_eq!(
            email_key(" J.Smith+dsr@GoogleMail.com"),
            Some("jsmith@gmail.com".into())
        );
        assert_eq!(phone_key("+44 (0)20 7946-0018"), Some("079460018".into()));
        assert_eq!(phone_key("Acme 2024"), None);
        let a = tombstone(&key("k1"), "email", "a@b.test");
        assert_eq!(a, tombstone(&key("k1"), "email", "a@b.test"));
        assert_ne!(
            a,
            tombstone(&key("k2"), "email", "a@b.test"),
            "keyed per workspace"
        );
        assert_ne!(
            a,
            tombstone(&key("k1"), "phone", "a@b.test"),
            "the kind is part of it"
        );
        assert_eq!(
            shown_id("ann@acme.test", true),
            "a••• (the erased address or number)"
        );
        assert_eq!(shown_id("900017", false), "900017");
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).into(), vec![(*b).into()]))
            .collect()
    }

    fn named(field: &str) -> Option<&'static str> {
        match Known::recognise(field) {
            Some(Known::Email) => Some("email"),
            Some(Known::Phone) => Some("phone"),
            _ => None,
        }
    }

    #[test]
    fn only_address_fields_match_and_a_given_name_must_agree() {
        let ids = Identifiers {
            email: Some("ann.lee@acme.test".into()),
            phone: None,
            name: Some("Ann Lee".into()),
        };
        let hit = matches(
            &fields(&[
                ("email", "Ann.Lee@acme.test"),
                ("firstname", "Ann"),
                ("lastname", "Lee"),
            ]),
            &ids,
            &named,
        );
        assert_eq!(
            hit.matched.into_iter().collect::<Vec<_>>(),
            vec!["email", "name"]
        );
        // The owner's address in another field is not the person.
        let owner = matches(
            &fields(&[("notes", "ann.lee@acme.test"), ("firstname", "Bo")]),
            &ids,
            &named,
        );
        assert_eq!(owner, Verdict::default());
        // The same address under another name (a shared inbox) is left alone.
        let other = matches(
            &fields(&[
                ("email", "ann.lee@acme.test"),
                ("firstname", "Bo"),
                ("lastname", "Park"),
            ]),
            &ids,
            &named,
        );
        assert!(other.other_name && other.matched.is_empty());
        // A former address (an earlier value) is the same person.
        let former = vec![(
            "email".to_owned(),
            vec!["new@acme.test".to_owned(), "ann.lee@acme.test".to_owned()],
        )];
        assert!(
            matches(
                &former,
                &Identifiers {
                    name: None,
                    ..ids_clone(&ids)
                },
                &named
            )
            .matched
            .contains("email")
        );
        assert_eq!(mask(&ids), "a•••@a•••.test, name given");
    }

    fn ids_clone(ids: &Identifiers) -> Identifiers {
        Identifiers {
            email: ids.email.clone(),
            phone: ids.phone.clone(),
            name: ids.name.clone(),
        }
    }
}
