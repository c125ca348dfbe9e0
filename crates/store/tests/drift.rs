//! The tables of issue 6 as the store keeps them: field history in the cache, rule versions
//! that cannot be edited, drift findings that go with their records, and an erasure purge
//! that leaves nothing of the record behind.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use steward_domain::{
    AuditEvent, Connection as SystemConnection, FieldValue, NewSystem, ObjectType, PastValue,
    Population, Record, RecordKey, Role, SystemKind, SystemName, Timestamp,
};
use steward_store::{DriftRun, NewFinding, StoreError, Workspace};

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        at: Timestamp::from_millis(1_700_000_000_000),
        actor: "tester".into(),
        action: action.into(),
        subject: "test".into(),
        details: json!({}),
    }
}

fn workspace() -> (tempfile::TempDir, Workspace, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws =
        Workspace::create(&dir.path().join("ws.steward"), "ws-1", event("created")).unwrap();
    let system = ws
        .change(|c| {
            let s = c.insert_system(
                &NewSystem {
                    name: SystemName::parse("CRM").unwrap(),
                    kind: SystemKind::Hubspot,
                    role: Role::Hub,
                    population: Population::Manual,
                    owner: None,
                    dependent_teams: Vec::new(),
                    connection: SystemConnection {
                        base_url: Some("https://api.example.test".into()),
                        path: None,
                    },
                },
                Timestamp::from_millis(1),
            )?;
            Ok::<_, StoreError>((s, event("system.added")))
        })
        .unwrap();
    (dir, ws, system.id)
}

fn record(system_id: i64, id: &str) -> Record {
    let mut title = FieldValue::new("CFO", Some(Timestamp::from_millis(50)));
    title.source = Some("CRM_UI".into());
    title.earlier = vec![PastValue {
        value: "Controller".into(),
        modified_at: Some(Timestamp::from_millis(10)),
        source: Some("IMPORT".into()),
    }];
    Record {
        key: RecordKey {
            system_id,
            object: ObjectType::Person,
            external_id: id.into(),
        },
        created_at: Some(Timestamp::from_millis(1)),
        updated_at: Some(Timestamp::from_millis(50)),
        archived: false,
        fields: BTreeMap::from([
            ("jobtitle".to_owned(), title),
            ("email".to_owned(), FieldValue::new("ann@acme.test", None)),
        ]),
        associations: BTreeSet::new(),
    }
}

#[test]
fn a_fields_source_and_earlier_values_round_trip_through_the_cache() {
    let (_dir, mut ws, system) = workspace();
    let run = ws
        .cache(|c| {
            c.start_sync_run(
                system,
                Timestamp::from_millis(2),
                steward_store::SyncMode::Full,
            )
        })
        .unwrap();
    ws.cache(|c| c.upsert_record(&record(system, "7"), Timestamp::from_millis(3), run, true))
        .unwrap();
    let key = record(system, "7").key;
    let back = steward_store::get_record(ws.conn(), &key).unwrap().unwrap();
    assert_eq!(back.fields, record(system, "7").fields);
    // A later snapshot without history replaces the old history, not adds to it.
    let mut plain = record(system, "7");
    plain.fields.get_mut("jobtitle").unwrap().earlier.clear();
    ws.cache(|c| c.upsert_record(&plain, Timestamp::from_millis(4), run, true))
        .unwrap();
    let back = steward_store::get_record(ws.conn(), &key).unwrap().unwrap();
    assert!(back.fields["jobtitle"].earlier.is_empty());
}

#[test]
fn rule_versions_are_appended_never_edited() {
    let (_dir, mut ws, _) = workspace();
    for why in ["first", "second"] {
        ws.change(|c| {
            let v = c.save_rules(
                Timestamp::from_millis(9),
                "owner",
                why,
                &json!({"authority": []}),
            )?;
            Ok::<_, StoreError>((v, event("rules.changed")))
        })
        .unwrap();
    }
    let versions = steward_store::list_rule_versions(ws.conn()).unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(
        steward_store::latest_rules(ws.conn()).unwrap().unwrap().why,
        "second"
    );
    let edit = ws.conn().execute(
        "UPDATE rule_versions SET why = 'rewritten' WHERE version = 1",
        [],
    );
    assert!(edit.is_err(), "a version cannot be edited");
}

#[test]
fn findings_go_with_their_records_and_runs_keep_only_counts() {
    let (_dir, mut ws, system) = workspace();
    let run = ws
        .cache(|c| {
            c.start_sync_run(
                system,
                Timestamp::from_millis(2),
                steward_store::SyncMode::Full,
            )
        })
        .unwrap();
    for id in ["7", "8"] {
        ws.cache(|c| c.upsert_record(&record(system, id), Timestamp::from_millis(3), run, true))
            .unwrap();
    }
    let id_of = |ws: &Workspace, ext: &str| {
        steward_store::record_id(ws.conn(), system, ObjectType::Person, ext)
            .unwrap()
            .unwrap()
    };
    let (r7, r8) = (id_of(&ws, "7"), id_of(&ws, "8"));
    let finding = |record_id: i64, ext: &str| NewFinding {
        kind: "stale".into(),
        object: ObjectType::Person,
        system_id: system,
        record_id: Some(record_id),
        external_id: ext.into(),
        hub_record_id: None,
        hub_external_id: None,
        field: Some("job_title".into()),
        system_field: Some("jobtitle".into()),
        hub_field: None,
        segment: None,
        evidence: json!({"reason": "earlier_authority_value"}),
        fix: None,
    };
    let drift_run = DriftRun {
        id: 0,
        started_at: Timestamp::from_millis(5),
        finished_at: Timestamp::from_millis(6),
        rules_version: 1,
        records: 2,
        linked: 0,
        seconds: 0.1,
        totals: json!([{"kind": "stale", "system_id": system, "count": 2}]),
        segments: json!([]),
        quality: json!({"fields_compared": 4, "fields_agreeing": 3}),
    };
    // A finding whose record vanished meanwhile is not stored.
    let (run_id, stored) = ws
        .change(|c| {
            let out = c.replace_drift(
                &drift_run,
                &[finding(r7, "7"), finding(r8, "8"), finding(999, "gone")],
            )?;
            Ok::<_, StoreError>((out, event("drift.measured")))
        })
        .unwrap();
    assert_eq!(stored, 2);
    let all = steward_store::FindingFilter::default();
    let (rows, total) = steward_store::list_findings(ws.conn(), run_id, &all, 0, 10).unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        rows[0].value.as_deref(),
        Some("CFO"),
        "values are read from the cache"
    );
    assert!(!rows[0].finding.evidence.to_string().contains("CFO"));

    ws.change(|c| Ok::<_, StoreError>((c.purge_records(&[r7])?, event("erasure.requested"))))
        .unwrap();
    let (_, total) = steward_store::list_findings(ws.conn(), run_id, &all, 0, 10).unwrap();
    assert_eq!(total, 1, "the purged record's finding went with it");
    for table in ["record_fields", "record_field_versions"] {
        let left: i64 = ws
            .conn()
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE record_id = ?1"),
                [r7],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0, "{table}");
    }
    // A second run replaces the findings; the first keeps its counts for the trend.
    ws.change(|c| {
        Ok::<_, StoreError>((c.replace_drift(&drift_run, &[])?, event("drift.measured")))
    })
    .unwrap();
    let runs = steward_store::list_drift_runs(ws.conn()).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].totals[0]["count"], 2);
    let (_, total) = steward_store::list_findings(ws.conn(), run_id, &all, 0, 10).unwrap();
    assert_eq!(total, 0);
}
