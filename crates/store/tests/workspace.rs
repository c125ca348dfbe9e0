//! The workspace file end to end: create, reopen, refuse what it must, and keep the audit
//! chain honest.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::json;
use steward_domain::{
    Association, AuditEvent, ChainStatus, Connection as SystemConnection, FieldKey, FieldValue,
    LinkBasis, NewSystem, ObjectType, Population, Record, RecordKey, RecordLink, Role, SystemKind,
    SystemName, Timestamp,
};
use steward_store::{StoreError, SyncMode, SyncProblem, SyncRun, SyncStatus, Workspace};

fn event(action: &str, subject: &str) -> AuditEvent {
    AuditEvent {
        at: Timestamp::from_millis(1_700_000_000_000),
        actor: "tester".into(),
        action: action.into(),
        subject: subject.into(),
        details: json!({}),
    }
}

fn new_workspace() -> (tempfile::TempDir, PathBuf, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/ws.steward");
    let ws = Workspace::create(&path, "ws-1", event("workspace.created", "workspace")).unwrap();
    (dir, path, ws)
}

fn system(name: &str, kind: SystemKind, role: Role) -> NewSystem {
    NewSystem {
        name: SystemName::parse(name).unwrap(),
        kind,
        role,
        population: Population::Automated,
        owner: Some("RevOps".into()),
        dependent_teams: vec!["Sales".into(), "Marketing".into()],
        connection: SystemConnection {
            base_url: Some("https://api.example.test".into()),
            path: None,
        },
    }
}

fn add(ws: &mut Workspace, new: &NewSystem) -> Result<steward_domain::System, StoreError> {
    ws.change(|c| {
        let s = c.insert_system(new, Timestamp::from_millis(5))?;
        Ok::<_, StoreError>((s, event("system.added", new.name.as_str())))
    })
}

fn snapshot(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_created_workspace_reopens_with_its_id_catalog_and_first_audit_entry() {
    let (_dir, path, ws) = new_workspace();
    drop(ws);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("creating"))
        .collect();
    assert!(leftovers.is_empty(), "staging files left: {leftovers:?}");
    let mut ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.id(), "ws-1");
    let catalog = steward_store::list_catalog(ws.conn()).unwrap();
    assert_eq!(catalog.len(), steward_domain::builtin_catalog().len());
    let log = ws.audit_page(None, 10).unwrap();
    assert_eq!(log.len(), 1);
    let custom = steward_domain::CanonicalField {
        object: ObjectType::Person,
        key: FieldKey::parse("partner_tier").unwrap(),
        label: "Partner tier".into(),
        category: steward_domain::FieldCategory::Custom,
        value_kind: steward_domain::ValueKind::Enumeration,
    };
    ws.change(|c| {
        c.upsert_field(&custom)?;
        Ok::<_, StoreError>(((), event("field.added", "field:person.partner_tier")))
    })
    .unwrap();
    let catalog = steward_store::list_catalog(ws.conn()).unwrap();
    assert!(catalog.contains(&custom));
    let log = ws.audit_page(None, 10).unwrap();
    assert_eq!(log[1].action, "workspace.created");
    let journal: String = ws
        .conn()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn create_refuses_an_existing_file_and_open_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taken.steward");
    std::fs::write(&path, b"keep me").unwrap();
    let err = Workspace::create(&path, "x", event("workspace.created", "w")).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err}");
    assert_eq!(snapshot(&path), b"keep me");

    let err = Workspace::open(&dir.path().join("absent.steward")).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }));
    assert!(err.to_string().contains("steward workspace init"));
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.steward");
    std::fs::write(&path, "id,email\n1,a@b.test\n").unwrap();
    let before = snapshot(&path);
    let err = Workspace::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
    assert_eq!(snapshot(&path), before);
    assert!(!dir.path().join("notes.steward-wal").exists());
}

#[test]
fn another_programs_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let before = snapshot(&path);
    let err = Workspace::open(&path).unwrap_err();
    assert!(err.to_string().contains("another program"), "{err}");
    assert_eq!(snapshot(&path), before);
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let (_dir, path, ws) = new_workspace();
    drop(ws);
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let before = snapshot(&path);
    let err = Workspace::open(&path).unwrap_err();
    match &err {
        StoreError::TooNew {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (99, steward_store::LATEST_VERSION));
        }
        other => panic!("expected TooNew, got {other}"),
    }
    assert!(err.to_string().contains("nothing was changed"));
    assert_eq!(snapshot(&path), before);
}

#[test]
fn a_damaged_file_is_refused_untouched() {
    let (_dir, path, ws) = new_workspace();
    drop(ws);
    // Fold the WAL into the main file, then scribble over everything after the first page.
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let mut bytes = snapshot(&path);
    for b in bytes.iter_mut().skip(4096) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Workspace::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert_eq!(snapshot(&path), bytes);
}

#[test]
fn systems_keep_unique_names_and_one_hub() {
    let (_dir, _path, mut ws) = new_workspace();
    add(
        &mut ws,
        &system("Events", SystemKind::Marketing, Role::Spoke),
    )
    .unwrap();
    let hub = add(&mut ws, &system("HubSpot", SystemKind::Hubspot, Role::Hub)).unwrap();
    assert_eq!(hub.dependent_teams, vec!["Sales", "Marketing"]);

    let err = add(&mut ws, &system("HUBSPOT", SystemKind::Rest, Role::Spoke)).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let err = add(
        &mut ws,
        &system("Salesforce", SystemKind::Salesforce, Role::Hub),
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");

    let names: Vec<_> = steward_store::list_systems(ws.conn())
        .unwrap()
        .into_iter()
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(names, ["HubSpot", "Events"], "hub first");
    // Refused changes left no audit rows behind.
    assert_eq!(ws.audit_len().unwrap(), 3);
}

fn person(system_id: i64, id: &str, fields: &[(&str, &str, i64)]) -> Record {
    Record {
        key: RecordKey {
            system_id,
            object: ObjectType::Person,
            external_id: id.into(),
        },
        created_at: Some(Timestamp::from_millis(1)),
        updated_at: Some(Timestamp::from_millis(2)),
        archived: false,
        fields: fields
            .iter()
            .map(|(k, v, at)| {
                (
                    (*k).to_owned(),
                    FieldValue::new(*v, Some(Timestamp::from_millis(*at))),
                )
            })
            .collect::<BTreeMap<_, _>>(),
        associations: [Association {
            object: ObjectType::Company,
            external_id: "c-1".into(),
        }]
        .into(),
    }
}

#[test]
fn snapshots_keep_per_field_times_links_and_go_with_their_system() {
    let (_dir, _path, mut ws) = new_workspace();
    let hub = add(&mut ws, &system("HubSpot", SystemKind::Hubspot, Role::Hub)).unwrap();
    let map = add(&mut ws, &system("MAP", SystemKind::Marketing, Role::Spoke)).unwrap();
    let a = person(
        hub.id,
        "101",
        &[("email", "ana@acme.test", 10), ("lead_status", "new", 11)],
    );
    let b = person(map.id, "L-9", &[("email", "ana@acme.test", 12)]);
    ws.change(|c| {
        let run = c.start_sync_run(hub.id, Timestamp::from_millis(9))?;
        c.upsert_record(&a, Timestamp::from_millis(20), Some(run))?;
        c.upsert_record(&b, Timestamp::from_millis(20), None)?;
        let link = RecordLink::new(
            b.key.clone(),
            a.key.clone(),
            LinkBasis::SharedId {
                field: "crm_id".into(),
            },
        )
        .map_err(StoreError::Invalid)?;
        c.link_records(&link)?;
        c.update_sync_run(&SyncRun {
            id: run,
            system_id: hub.id,
            started_at: Timestamp::from_millis(9),
            finished_at: Some(Timestamp::from_millis(21)),
            status: SyncStatus::Succeeded,
            records_read: 1,
            records_failed: 0,
            resume_from: Some("hs_lastmodifieddate>=21".into()),
            error: None,
            mode: SyncMode::Full,
            api_calls: 3,
            records_expected: Some(1),
            records_removed: 0,
        })?;
        Ok::<_, StoreError>(((), event("sync.completed", "system:HubSpot")))
    })
    .unwrap();
    assert_eq!(
        steward_store::get_record(ws.conn(), &a.key).unwrap(),
        Some(a.clone())
    );
    let links = steward_store::list_links(ws.conn(), &b.key).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].left, a.key);
    let runs = steward_store::list_sync_runs(ws.conn(), hub.id, 5).unwrap();
    assert_eq!(runs[0].status, SyncStatus::Succeeded);

    // A newer read replaces the snapshot: a field the system dropped is gone.
    let a2 = person(hub.id, "101", &[("email", "ana@acme.test", 10)]);
    ws.change(|c| {
        c.upsert_record(&a2, Timestamp::from_millis(30), None)?;
        Ok::<_, StoreError>(((), event("sync.completed", "system:HubSpot")))
    })
    .unwrap();
    assert_eq!(
        steward_store::get_record(ws.conn(), &a.key).unwrap(),
        Some(a2)
    );

    let removed = ws
        .change(|c| {
            Ok::<_, StoreError>((c.delete_system(hub.id)?, event("system.removed", "HubSpot")))
        })
        .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(
        steward_store::record_count(ws.conn(), hub.id, None).unwrap(),
        0
    );
    assert!(
        steward_store::list_links(ws.conn(), &b.key)
            .unwrap()
            .is_empty()
    );
    assert!(
        steward_store::list_sync_runs(ws.conn(), hub.id, 5)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_failed_change_writes_nothing() {
    let (_dir, _path, mut ws) = new_workspace();
    let before = ws.audit_len().unwrap();
    let err = ws
        .change(|c| {
            c.insert_system(
                &system("HubSpot", SystemKind::Hubspot, Role::Hub),
                Timestamp::from_millis(1),
            )?;
            Err::<((), AuditEvent), _>(StoreError::Invalid("changed my mind".into()))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert!(steward_store::list_systems(ws.conn()).unwrap().is_empty());
    assert_eq!(ws.audit_len().unwrap(), before);
}

#[test]
fn the_audit_log_refuses_edits_and_verification_pins_a_forced_one() {
    let (_dir, path, mut ws) = new_workspace();
    for i in 0..4 {
        ws.change(|_| Ok::<_, StoreError>(((), event("note.added", &format!("check {i}")))))
            .unwrap();
    }
    assert!(matches!(
        ws.verify_audit_log().unwrap(),
        ChainStatus::Intact { entries: 5, .. }
    ));
    let page = ws.audit_page(Some(4), 2).unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2]);

    let raw = Connection::open(&path).unwrap();
    let err = raw
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 3", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(
        raw.execute("DELETE FROM audit_log WHERE seq = 3", [])
            .is_err()
    );

    // Someone with the file and sqlite3 can drop the triggers; the chain still tells.
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET subject = 'check 9' WHERE seq = 3;",
    )
    .unwrap();
    match ws.verify_audit_log().unwrap() {
        ChainStatus::Broken(at) => {
            assert_eq!(at.seq, 3);
            assert!(at.reason.contains("edited"), "{}", at.reason);
        }
        intact => panic!("tampering went unseen: {intact:?}"),
    }
}

/// Released migrations are append-only: editing one would fork the schema of every
/// workspace already migrated past it.
#[test]
fn released_migrations_are_unchanged() {
    use sha2::{Digest, Sha256};
    let released = [
        "0001_workspace.sql",
        "0002_sync.sql",
        "0003_duplicates.sql",
        "0004_authority_drift_erasure.sql",
        "0005_merge_queue.sql",
        "0006_governance.sql",
    ];
    let digests: Vec<String> = released
        .iter()
        .map(|name| {
            let sql = std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(name),
            )
            .unwrap();
            hex::encode(Sha256::digest(&sql))
        })
        .collect();
    let expected: Vec<&str> = include_str!("migration_checksums.txt").lines().collect();
    assert_eq!(
        digests, expected,
        "a released migration was edited; add a new one instead"
    );
}

/// A sync's page writes: snapshots stamped with the run, associations kept when a read did
/// not carry them, unseen records removed except those named, crosswalk links rebuilt, and
/// one claim per system at a time.
#[test]
fn the_cache_keeps_what_a_partial_read_did_not_see_and_links_by_shared_id() {
    let (_dir, _path, mut ws) = new_workspace();
    let hub = add(&mut ws, &system("HubSpot", SystemKind::Hubspot, Role::Hub)).unwrap();
    let map = add(&mut ws, &system("MAP", SystemKind::Marketing, Role::Spoke)).unwrap();
    let at = Timestamp::from_millis(50);
    let contact = person(hub.id, "101", &[("email", "ana@acme.test", 10)]);
    let other = person(hub.id, "102", &[("email", "bo@acme.test", 10)]);
    let bad = person(hub.id, "103", &[("email", "cy@acme.test", 10)]);
    let lead = person(map.id, "L-1", &[("crmContactId", " 101 ", 12)]);
    let first = ws
        .cache(|c| {
            let run = c.start_sync_run(hub.id, at, SyncMode::Full)?;
            for r in [&contact, &other, &bad] {
                c.upsert_record(r, at, run, true)?;
            }
            let spoke_run = c.start_sync_run(map.id, at, SyncMode::Full)?;
            c.upsert_record(&lead, at, spoke_run, true)?;
            c.replace_crosswalks(map.id, &[(ObjectType::Person, "crmContactId".into())])?;
            Ok(run)
        })
        .unwrap();
    assert!(first > 0);
    let links = ws.cache(|c| c.relink_crosswalks(hub.id, None)).unwrap();
    assert_eq!(
        ws.cache(|c| c.relink_crosswalks(hub.id, Some(map.id)))
            .unwrap(),
        1,
        "a spoke's relink rebuilds its own links and leaves the count the same"
    );
    assert_eq!(links, 1, "the MAP lead keeps the hub id (spaces trimmed)");
    assert_eq!(
        steward_store::list_links(ws.conn(), &contact.key).unwrap()[0].basis,
        LinkBasis::SharedId {
            field: "crmContactId".into()
        }
    );

    // A second full read sees 101 without its associations, cannot take in 103, and no
    // longer has 102: 102 goes, 103 keeps its old snapshot, 101 keeps its associations.
    let mut bare = contact.clone();
    bare.associations.clear();
    let removed = ws
        .cache(|c| {
            let run = c.start_sync_run(hub.id, at, SyncMode::Full)?;
            c.upsert_record(&bare, at, run, false)?;
            c.add_problems(
                run,
                &[SyncProblem {
                    object: ObjectType::Person,
                    locator: "id 103".into(),
                    field: Some("createdAt".into()),
                    reason: "createdAt is not an RFC 3339 time".into(),
                    record_kept: false,
                }],
            )?;
            c.remove_unseen(hub.id, ObjectType::Person, run)
        })
        .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(
        steward_store::get_record(ws.conn(), &contact.key).unwrap(),
        Some(contact.clone())
    );
    assert!(
        steward_store::get_record(ws.conn(), &other.key)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        steward_store::get_record(ws.conn(), &bad.key).unwrap(),
        Some(bad.clone())
    );

    // Claims: a live one refuses a second owner; a stale one is taken over; release frees it.
    let (t0, t1) = (Timestamp::from_millis(1_000), Timestamp::from_millis(2_000));
    fn claim(
        ws: &mut Workspace,
        system: i64,
        owner: &str,
        now: Timestamp,
        stale_before: i64,
    ) -> Result<(), String> {
        ws.cache(|c| c.claim_sync(system, owner, now, Timestamp::from_millis(stale_before)))
            .unwrap()
    }
    assert_eq!(claim(&mut ws, hub.id, "app", t0, 0), Ok(()));
    assert_eq!(
        claim(&mut ws, hub.id, "cli", t1, 500),
        Err("app".to_owned())
    );
    assert_eq!(claim(&mut ws, hub.id, "cli", t1, 1_500), Ok(()));
    ws.cache(|c| c.release_sync(hub.id, "app")).unwrap();
    assert_eq!(
        claim(&mut ws, hub.id, "app", t1, 0),
        Err("cli".to_owned()),
        "only the owner releases a claim"
    );
    ws.cache(|c| c.release_sync(hub.id, "cli")).unwrap();
    assert_eq!(claim(&mut ws, hub.id, "app", t1, 0), Ok(()));
    // A heartbeat keeps only its owner's claim; a takeover succeeds once, from the dead one.
    assert!(ws.cache(|c| c.heartbeat(hub.id, "app", t1)).unwrap());
    assert!(!ws.cache(|c| c.heartbeat(hub.id, "cli", t1)).unwrap());
    assert!(
        ws.cache(|c| c.take_over_sync(hub.id, "app", "b", t1))
            .unwrap()
    );
    assert!(
        !ws.cache(|c| c.take_over_sync(hub.id, "app", "c", t1))
            .unwrap()
    );
    assert!(!ws.cache(|c| c.heartbeat(hub.id, "app", t1)).unwrap());
}

/// Duplicate clusters: people read with their company's fields; a new run replaces the
/// last one's clusters; a cluster (and the name it is listed under) goes as soon as one of
/// its records leaves the cache.
#[test]
fn duplicate_clusters_never_outlive_their_records() {
    let (_dir, _path, mut ws) = new_workspace();
    let hub = add(&mut ws, &system("HubSpot", SystemKind::Hubspot, Role::Hub)).unwrap();
    let map = add(&mut ws, &system("MAP", SystemKind::Marketing, Role::Spoke)).unwrap();
    let a = person(
        hub.id,
        "101",
        &[("firstname", "Ana", 1), ("email", "ana@acme.test", 1)],
    );
    let b = person(map.id, "L-9", &[("firstName", "Ana", 1)]);
    let company = Record {
        key: RecordKey {
            system_id: hub.id,
            object: ObjectType::Company,
            external_id: "c-1".into(),
        },
        created_at: None,
        updated_at: None,
        archived: false,
        fields: [("name".to_owned(), FieldValue::new("Acme", None))].into(),
        associations: Default::default(),
    };
    ws.change(|c| {
        for r in [&a, &b, &company] {
            c.upsert_record(r, Timestamp::from_millis(5), None)?;
        }
        Ok::<_, StoreError>(((), event("sync.completed", "system:HubSpot")))
    })
    .unwrap();
    let people = steward_store::people_for_matching(ws.conn()).unwrap();
    assert_eq!(people.len(), 2, "companies are not people");
    assert_eq!(people[0].system, "HubSpot");
    assert_eq!(
        people[0].company_fields,
        vec![("name".to_owned(), "Acme".to_owned())]
    );
    assert!(
        people[1].company_fields.is_empty(),
        "the MAP has no company c-1"
    );
    let ids: Vec<i64> = people.iter().map(|p| p.record_id).collect();

    let run = |id: i64| steward_store::MatchRun {
        id,
        started_at: Timestamp::from_millis(10),
        finished_at: Timestamp::from_millis(11),
        records: 2,
        pairs_compared: 1,
        threshold: 0.5,
        seconds: 0.1,
        model: serde_json::json!({}),
    };
    let cluster = steward_store::NewCluster {
        score: 0.97,
        label_record: ids[0],
        label_fields: vec!["firstname".into()],
        systems: vec!["HubSpot".into(), "MAP".into()],
        members: ids.clone(),
        links: vec![(
            ids[0],
            ids[1],
            0.97,
            serde_json::json!([{"comparison": "first_name"}]),
        )],
    };
    for _ in 0..2 {
        ws.change(|c| {
            c.replace_duplicates(&run(0), std::slice::from_ref(&cluster))?;
            Ok::<_, StoreError>(((), event("duplicates.found", "people")))
        })
        .unwrap();
    }
    let listed = steward_store::list_duplicate_clusters(ws.conn()).unwrap();
    assert_eq!(
        listed.len(),
        1,
        "the second run replaced the first's clusters"
    );
    assert_eq!(listed[0].label, "Ana", "read from the record's fields");
    let runs: i64 = ws
        .conn()
        .query_row("SELECT COUNT(*) FROM match_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 1, "only the newest run is kept");
    let (_, members, links) = steward_store::get_duplicate_cluster(ws.conn(), listed[0].cluster)
        .unwrap()
        .unwrap();
    assert_eq!(members, ids);
    assert_eq!(links[0].evidence[0]["comparison"], "first_name");
    let with_ids = steward_store::people_for_matching_ids(ws.conn(), &members).unwrap();
    assert_eq!(with_ids[1].external_id, "L-9");

    // Archiving a member drops the cluster too.
    ws.conn()
        .execute("UPDATE records SET archived = 1 WHERE id = ?1", [ids[0]])
        .unwrap();
    assert!(
        steward_store::list_duplicate_clusters(ws.conn())
            .unwrap()
            .is_empty()
    );
    ws.conn()
        .execute("UPDATE records SET archived = 0 WHERE id = ?1", [ids[0]])
        .unwrap();
    ws.change(|c| {
        let (_, stored) = c.replace_duplicates(&run(0), std::slice::from_ref(&cluster))?;
        assert_eq!(stored, 1);
        Ok::<_, StoreError>(((), event("duplicates.found", "people")))
    })
    .unwrap();
    // An erasure (or a record the system no longer has) takes the cluster with it.
    ws.conn()
        .execute("DELETE FROM records WHERE id = ?1", [ids[1]])
        .unwrap();
    assert!(
        steward_store::list_duplicate_clusters(ws.conn())
            .unwrap()
            .is_empty()
    );
    let leftovers: i64 = ws
        .conn()
        .query_row(
            "SELECT (SELECT COUNT(*) FROM duplicate_members) + (SELECT COUNT(*) FROM duplicate_links)
                  + (SELECT COUNT(*) FROM duplicate_clusters)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leftovers, 0);
    assert!(
        steward_store::latest_match_run(ws.conn())
            .unwrap()
            .is_some()
    );
    // A run whose cluster lost a member while it was matching skips that cluster.
    ws.change(|c| {
        let (_, stored) = c.replace_duplicates(&run(0), std::slice::from_ref(&cluster))?;
        assert_eq!(stored, 0);
        Ok::<_, StoreError>(((), event("duplicates.found", "people")))
    })
    .unwrap();
}
