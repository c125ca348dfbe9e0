//! The drift engine on small hand-made snapshots: each kind, each policy and each way of
//! linking, with the cases that must not be reported beside the ones that must.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use steward_domain::{ConflictPolicy, FieldKey, ObjectType, Segment, StatusModel, builtin_catalog};
use steward_drift::{Authority, Field, Fix, Kind, Snapshot, System, run};

const HUB: u16 = 0;
const MAP: u16 = 1;
const SHEET: u16 = 2;
const DAY: i64 = 86_400_000;

/// A snapshot with the built-in catalog, every rule "hub wins" by category, and three
/// systems: the hub, a MAP (keeps the hub's id) and a sheet (links by email).
fn world() -> Snapshot {
    let mut snap = Snapshot::default();
    snap.systems = vec![
        System {
            id: 10,
            name: "CRM".into(),
            hub: true,
        },
        System {
            id: 11,
            name: "MAP".into(),
            hub: false,
        },
        System {
            id: 12,
            name: "Sheet".into(),
            hub: false,
        },
    ];
    snap.integration_sources = vec!["INTEGRATION".into()];
    for f in builtin_catalog() {
        snap.fields.push(Field {
            object: f.object,
            key: f.key.clone(),
            kind: f.value_kind,
            category: f.category,
            policy: ConflictPolicy::default_for(f.category),
            authority: Authority::Hub,
            authority_name: "hub".into(),
            status: None,
        });
    }
    for system in [HUB, MAP, SHEET] {
        for (object, key) in [
            (ObjectType::Person, "email"),
            (ObjectType::Person, "first_name"),
            (ObjectType::Person, "job_title"),
            (ObjectType::Person, "phone"),
            (ObjectType::Person, "lead_status"),
            (ObjectType::Person, "lifecycle_stage"),
            (ObjectType::Person, "last_activity_at"),
            (ObjectType::Person, "original_source"),
            (ObjectType::Company, "name"),
            (ObjectType::Company, "account_status"),
        ] {
            let slot = snap.field_slot(object, key).unwrap();
            snap.names
                .insert((system, object, slot), format!("{key}@{system}"));
        }
    }
    snap
}

fn slot(snap: &Snapshot, key: &str) -> u16 {
    snap.field_slot(ObjectType::Person, key)
        .or_else(|| snap.field_slot(ObjectType::Company, key))
        .unwrap()
}

/// A record being written for a test; `add` puts it into the snapshot.
struct R<'a> {
    snap: &'a mut Snapshot,
    system: u16,
    id: String,
    object: ObjectType,
    created: i64,
    values: Vec<(u16, String, i64, String)>,
    earlier: Vec<(u16, String, i64, String)>,
    crosswalk: Option<String>,
    archived: bool,
    merged: Vec<String>,
}

impl R<'_> {
    fn val(mut self, key: &str, value: &str, at: i64) -> Self {
        let field = slot(self.snap, key);
        self.values.retain(|v| v.0 != field);
        self.values.push((field, value.into(), at, "CRM_UI".into()));
        self
    }

    /// The field's current value came from `source`, replacing `before` (written by
    /// `before_source` at `before_at`).
    fn history(
        mut self,
        key: &str,
        source: &str,
        before: &str,
        before_source: &str,
        before_at: i64,
    ) -> Self {
        let field = slot(self.snap, key);
        let current = self.values.iter_mut().find(|v| v.0 == field).unwrap();
        current.3 = source.into();
        self.earlier
            .push((field, before.into(), before_at, before_source.into()));
        self
    }

    fn crosswalk(mut self, id: &str) -> Self {
        self.crosswalk = Some(id.into());
        self
    }

    fn archived(mut self) -> Self {
        self.archived = true;
        self
    }

    fn merged(mut self, ids: &[&str]) -> Self {
        self.merged = ids.iter().map(|i| (*i).into()).collect();
        self
    }

    fn add(self) -> usize {
        let id = 1_000 + self.snap.records.len() as i64;
        let snap = self.snap;
        let i = snap.push_record(id, self.system, self.object, &self.id);
        snap.records[i].created_at = Some(self.created);
        snap.records[i].updated_at = Some(self.created);
        snap.records[i].archived = self.archived;
        for (field, value, at, source) in &self.values {
            snap.add_value(i, *field, value, Some(*at), Some(source));
        }
        for (field, value, at, source) in &self.earlier {
            snap.add_earlier(i, *field, value, Some(*at), Some(source));
        }
        if let Some(x) = &self.crosswalk {
            snap.set_crosswalk(i, x);
        }
        for m in &self.merged {
            snap.add_merged_id(i, m);
        }
        snap.finish_record(i);
        i
    }
}

fn rec<'a>(
    snap: &'a mut Snapshot,
    system: u16,
    id: &str,
    object: ObjectType,
    created: i64,
) -> R<'a> {
    R {
        snap,
        system,
        id: id.into(),
        object,
        created,
        values: Vec::new(),
        earlier: Vec::new(),
        crosswalk: None,
        archived: false,
        merged: Vec::new(),
    }
}

fn person<'a>(snap: &'a mut Snapshot, system: u16, id: &str, created: i64) -> R<'a> {
    rec(snap, system, id, ObjectType::Person, created)
}

fn kinds(snap: &Snapshot) -> Vec<(Kind, String, Option<String>)> {
    run(snap)
        .findings
        .iter()
        .map(|f| {
            (
                f.kind,
                format!(
                    "{}:{}",
                    snap.systems[usize::from(f.system)].name,
                    snap.external_id(f.record)
                ),
                f.field.map(|s| snap.fields[usize::from(s)].key.to_string()),
            )
        })
        .collect()
}

fn field(key: &str) -> Option<String> {
    Some(key.to_owned())
}

#[test]
fn a_copy_of_an_earlier_authority_value_is_stale_and_the_fix_writes_the_current_one() {
    let mut s = world();
    let hub = person(&mut s, HUB, "1", 0)
        .val("email", "ann@acme.test", 0)
        .val("job_title", "CFO", 50 * DAY)
        .history("job_title", "CRM_UI", "Controller", "IMPORT", 0)
        .add();
    let copy = person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("job_title", "Controller", DAY)
        .add();
    let report = run(&s);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!((f.kind, f.record, f.hub), (Kind::Stale, copy, Some(hub)));
    assert_eq!(f.evidence.agreed_version, Some(0));
    assert_eq!(f.evidence.reason, "earlier_authority_value");
    match f.fix.as_ref().unwrap() {
        Fix::Write {
            record,
            field,
            from,
        } => {
            assert_eq!((*record, field.as_str()), (copy, "job_title@1"));
            assert_eq!(
                (from.record, from.field.as_str(), from.version),
                (hub, "job_title@0", None)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn both_sides_moving_is_divergent_and_an_unexplained_difference_is_a_mismatch() {
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("email", "ann@acme.test", 0)
        .val("phone", "+44 20 7946 0011", 40 * DAY)
        .history("phone", "CRM_UI", "+44 20 7946 0018", "IMPORT", 0)
        .val("job_title", "CFO", 0)
        .add();
    // The copy was made at day 1; the hub changed its phone at day 40; the copy holds a
    // number the hub never had.
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("phone", "+44 20 7946 0099", 30 * DAY)
        .val("job_title", "COO", 20 * DAY)
        .add();
    let mut found = kinds(&s);
    found.sort();
    assert_eq!(
        found,
        vec![
            (Kind::Divergent, "MAP:m1".into(), field("phone")),
            (Kind::Mismatch, "MAP:m1".into(), field("job_title")),
        ]
    );
}

#[test]
fn without_history_a_newer_authority_value_makes_the_copy_stale() {
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("email", "a@b.test", 0)
        .val("job_title", "CFO", 30 * DAY)
        .add();
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("job_title", "COO", 2 * DAY)
        .add();
    person(&mut s, HUB, "2", 0)
        .val("email", "c@b.test", 0)
        .val("job_title", "CEO", DAY)
        .add();
    person(&mut s, MAP, "m2", DAY)
        .crosswalk("2")
        .val("job_title", "CTO", 2 * DAY)
        .add();
    let mut found = kinds(&s);
    found.sort();
    assert_eq!(
        found,
        vec![
            (Kind::Stale, "MAP:m1".into(), field("job_title")),
            (Kind::Mismatch, "MAP:m2".into(), field("job_title")),
        ]
    );
}

#[test]
fn spelling_nicknames_and_formats_are_not_drift() {
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("email", "Robert.Smith@Acme.test", 0)
        .val("first_name", "Robert", 0)
        .val("phone", "+44 20 7946 0018", 0)
        .val("country", "United Kingdom", 0)
        .add();
    // The copy has no country: its number is read in the hub record's.
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("email", " robert.smith@acme.test", DAY)
        .val("first_name", "Bob", DAY)
        .val("phone", "020 7946 0018", DAY)
        .add();
    assert!(kinds(&s).is_empty(), "{:?}", kinds(&s));
}

#[test]
fn an_integration_overwriting_a_hub_owned_field_is_a_conflicting_write_and_copies_wait() {
    let mut s = world();
    let hub = person(&mut s, HUB, "1", 0)
        .val("email", "a@b.test", 0)
        .val("lifecycle_stage", "marketingqualifiedlead", 60 * DAY)
        .history(
            "lifecycle_stage",
            "INTEGRATION",
            "opportunity",
            "CRM_UI",
            10 * DAY,
        )
        .add();
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("lifecycle_stage", "lead", DAY)
        .add();
    let report = run(&s);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    let f = &report.findings[0];
    assert_eq!((f.kind, f.record), (Kind::ConflictingWrite, hub));
    assert_eq!(f.evidence.overwritten_version, Some(0));
    assert_eq!(f.evidence.authority_source.as_deref(), Some("CRM_UI"));
    match f.fix.as_ref().unwrap() {
        Fix::Write { record, from, .. } => {
            assert_eq!((*record, from.record, from.version), (hub, hub, Some(0)))
        }
        other => panic!("{other:?}"),
    }
    // A person's own edit, or an integration rewriting the same value, is no conflict.
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("lifecycle_stage", "customer", 60 * DAY)
        .history("lifecycle_stage", "CRM_UI", "opportunity", "IMPORT", 0)
        .add();
    person(&mut s, HUB, "2", 0)
        .val("lifecycle_stage", "customer", 60 * DAY)
        .history("lifecycle_stage", "INTEGRATION", "Customer", "CRM_UI", 0)
        .add();
    assert!(kinds(&s).is_empty(), "{:?}", kinds(&s));
}

#[test]
fn records_without_a_live_hub_record_are_missing_orphaned_or_not_erased() {
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("email", "live@acme.test", 0)
        .add();
    person(&mut s, HUB, "2", 0)
        .val("email", "gone@acme.test", 0)
        .archived()
        .add();
    person(&mut s, HUB, "3", 0)
        .val("email", "kept@acme.test", 0)
        .merged(&["33"])
        .add();
    person(&mut s, MAP, "lead-new", DAY)
        .val("email", "new@elsewhere.test", DAY)
        .add();
    person(&mut s, MAP, "lead-orphan", DAY)
        .crosswalk("2")
        .val("email", "gone@acme.test", DAY)
        .add();
    person(&mut s, MAP, "lead-erased", DAY)
        .crosswalk("999")
        .val("email", "Erased.Person@gmail.com", DAY)
        .add();
    person(&mut s, MAP, "lead-merged", DAY)
        .crosswalk("33")
        .val("email", "kept@acme.test", DAY)
        .add();
    // The sheet has no hub ids: the erased person is recognised by the same mailbox.
    person(&mut s, SHEET, "row-9", DAY)
        .val("email", "erasedperson@gmail.com", DAY)
        .add();
    // A row that says nothing about who it is is a sync problem, not a missing lead.
    person(&mut s, SHEET, "row-10", DAY)
        .val("job_title", "Walk-in", DAY)
        .add();
    // Deleted and entered again under another id: still a copy of the live record.
    person(&mut s, MAP, "lead-reentered", DAY)
        .crosswalk("998")
        .val("email", "live@acme.test", DAY)
        .add();
    // Newer than the hub's last full read: the hub may have gained that id since.
    s.hub_read_at = Some(10 * DAY);
    person(&mut s, MAP, "lead-newer", 11 * DAY)
        .crosswalk("997")
        .val("email", "x@y.test", 11 * DAY)
        .add();
    let mut found = kinds(&s);
    found.sort();
    assert_eq!(
        found,
        vec![
            (Kind::MissingInHub, "MAP:lead-new".into(), None),
            (Kind::Orphan, "MAP:lead-orphan".into(), None),
            (Kind::ErasureNotPropagated, "MAP:lead-erased".into(), None),
            (Kind::ErasureNotPropagated, "Sheet:row-9".into(), None),
        ]
    );
}

#[test]
fn email_links_prefer_the_exact_address_and_refuse_to_guess_between_duplicates() {
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("email", "j.doe@gmail.com", 0)
        .val("job_title", "CEO", 0)
        .add();
    person(&mut s, HUB, "2", 0)
        .val("email", "jdoe@gmail.com", 0)
        .val("job_title", "CTO", 0)
        .add();
    // Exactly hub 2's address: compared with hub 2 only.
    person(&mut s, SHEET, "a", DAY)
        .val("email", "JDOE@gmail.com", DAY)
        .val("job_title", "CTO", DAY)
        .add();
    // The same mailbox as both, spelled like neither: ambiguous, neither missing nor compared.
    person(&mut s, SHEET, "b", DAY)
        .val("email", "jdoe+x@gmail.com", DAY)
        .val("job_title", "Intern", DAY)
        .add();
    assert!(kinds(&s).is_empty(), "{:?}", kinds(&s));
}

#[test]
fn the_authority_can_be_a_spoke_or_the_latest_or_the_first_touch() {
    // The MAP owns job titles: the hub copy is the one that is behind.
    let mut s = world();
    let title = slot(&s, "job_title");
    s.fields[usize::from(title)].authority = Authority::System(MAP);
    s.fields[usize::from(title)].authority_name = "MAP".into();
    person(&mut s, HUB, "1", 0)
        .val("email", "a@b.test", 0)
        .val("job_title", "CFO", 0)
        .add();
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("job_title", "Finance Director", 9 * DAY)
        .add();
    person(&mut s, SHEET, "r1", DAY)
        .val("email", "a@b.test", DAY)
        .val("job_title", "Finance Director", DAY)
        .add();
    assert_eq!(
        kinds(&s),
        vec![(Kind::Stale, "CRM:1".into(), field("job_title"))]
    );

    // Behavioural: the newest touch wins, wherever it is.
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("email", "a@b.test", 0)
        .val("last_activity_at", "2025-01-01", DAY)
        .add();
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("last_activity_at", "2025-03-01", 60 * DAY)
        .add();
    assert_eq!(
        kinds(&s),
        vec![(Kind::Stale, "CRM:1".into(), field("last_activity_at"))]
    );

    // Attribution: the first touch wins.
    let mut s = world();
    person(&mut s, HUB, "1", 0)
        .val("email", "a@b.test", 0)
        .val("original_source", "ORGANIC", 5 * DAY)
        .add();
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("original_source", "PAID_SEARCH", DAY)
        .add();
    assert_eq!(
        kinds(&s),
        vec![(Kind::Mismatch, "CRM:1".into(), field("original_source"))]
    );

    // Manual: a person decides; nothing is written by itself.
    let mut s = world();
    let title = slot(&s, "job_title");
    s.fields[usize::from(title)].policy = ConflictPolicy::Manual;
    person(&mut s, HUB, "1", 0)
        .val("email", "a@b.test", 0)
        .val("job_title", "CFO", 0)
        .add();
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("job_title", "COO", DAY)
        .add();
    let report = run(&s);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].fix, Some(Fix::Decide));
}

#[test]
fn statuses_compare_through_the_model_and_unmapped_words_are_counted_not_compared() {
    let mut s = world();
    let status = slot(&s, "lead_status");
    s.fields[usize::from(status)].status = Some(StatusModel {
        object: ObjectType::Person,
        field: FieldKey::parse("lead_status").unwrap(),
        values: vec!["NEW".into(), "IN_PROGRESS".into(), "UNQUALIFIED".into()],
        systems: BTreeMap::from([(
            "MAP".into(),
            BTreeMap::from([("Working".into(), "IN_PROGRESS".into())]),
        )]),
    });
    person(&mut s, HUB, "1", 0)
        .val("email", "a@b.test", 0)
        .val("lead_status", "IN_PROGRESS", 0)
        .add();
    person(&mut s, MAP, "m1", DAY)
        .crosswalk("1")
        .val("lead_status", "Working", DAY)
        .add();
    person(&mut s, HUB, "2", 0)
        .val("email", "c@b.test", 0)
        .val("lead_status", "UNQUALIFIED", 0)
        .add();
    person(&mut s, MAP, "m2", DAY)
        .crosswalk("2")
        .val("lead_status", "Working", DAY)
        .add();
    person(&mut s, HUB, "3", 0)
        .val("email", "d@b.test", 0)
        .val("lead_status", "NEW", 0)
        .add();
    person(&mut s, MAP, "m3", DAY)
        .crosswalk("3")
        .val("lead_status", "Nurture", DAY)
        .add();
    let report = run(&s);
    let found: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.kind, s.external_id(f.record).to_owned()))
        .collect();
    assert_eq!(found, vec![(Kind::Mismatch, "m2".to_owned())]);
    assert_eq!(report.unmapped.len(), 1);
    assert_eq!(
        (report.unmapped[0].value.as_str(), report.unmapped[0].count),
        ("Nurture", 1)
    );
}

#[test]
fn a_segment_is_counted_per_system_and_every_difference_is_explained() {
    let mut s = world();
    let status = slot(&s, "account_status");
    s.fields[usize::from(status)].status = Some(StatusModel {
        object: ObjectType::Company,
        field: FieldKey::parse("account_status").unwrap(),
        values: vec!["active".into(), "churned".into()],
        systems: BTreeMap::from([(
            "MAP".into(),
            BTreeMap::from([("closed".into(), "churned".into())]),
        )]),
    });
    s.segments.push(Segment {
        name: "active accounts".into(),
        object: ObjectType::Company,
        conditions: BTreeMap::from([(
            FieldKey::parse("account_status").unwrap(),
            vec!["active".into()],
        )]),
    });
    fn company<'a>(s: &'a mut Snapshot, system: u16, id: &str, status: &str) -> R<'a> {
        rec(s, system, id, ObjectType::Company, 0)
            .val("name", id, 0)
            .val("account_status", status, 0)
    }
    company(&mut s, HUB, "c1", "active").add();
    company(&mut s, HUB, "c2", "active").archived().add();
    company(&mut s, HUB, "c3", "churned").add();
    company(&mut s, HUB, "c4", "active").add();
    company(&mut s, MAP, "p1", "active").crosswalk("c1").add();
    company(&mut s, MAP, "p2", "active").crosswalk("c2").add();
    company(&mut s, MAP, "p3", "active").crosswalk("c3").add();
    company(&mut s, MAP, "p4", "closed").crosswalk("c4").add();
    company(&mut s, MAP, "p5", "active").crosswalk("c1").add();
    let report = run(&s);
    let counts: Vec<(u16, usize)> = report
        .segment_counts
        .iter()
        .map(|c| (c.system, c.count))
        .collect();
    assert_eq!(counts, vec![(HUB, 2), (MAP, 4)]);
    let mut explained: Vec<(String, &str)> = report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::CountMismatch)
        .map(|f| (s.external_id(f.record).to_owned(), f.evidence.reason))
        .collect();
    explained.sort();
    assert_eq!(
        explained,
        vec![
            ("p2".to_owned(), "hub_archived"),
            ("p3".to_owned(), "hub_value_differs"),
            ("p4".to_owned(), "system_value_differs"),
            ("p5".to_owned(), "duplicate_in_system"),
        ]
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.kind != Kind::CountMismatch || f.evidence.counts == Some((2, 4)))
    );
}
