//! The merge queue's tables: a pending proposal is withdrawn when one of its records leaves
//! the cache (an executing one is not), a backup is stored once per record and proposal, a
//! "not a duplicate" pair is kept in one order, and the journal keeps its steps.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use steward_domain::{
    AuditEvent, Connection as SystemConnection, FieldValue, NewSystem, ObjectType, Population,
    ProposalState, Record, RecordKey, Role, SystemKind, SystemName, Timestamp,
};
use steward_store::{MemberRow, NewProposal, NewStep, StoreError, Workspace};

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        at: Timestamp::from_millis(1_700_000_000_000),
        actor: "tester".into(),
        action: action.into(),
        subject: "test".into(),
        details: json!({}),
    }
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

/// A workspace with a hub and three cached people (ids "1", "2", "3").
fn workspace() -> (tempfile::TempDir, Workspace, i64, Vec<i64>) {
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
                at(1),
            )?;
            Ok::<_, StoreError>((s, event("system.added")))
        })
        .unwrap()
        .id;
    let run = ws
        .cache(|c| c.start_sync_run(system, at(2), steward_store::SyncMode::Full))
        .unwrap();
    let mut ids = Vec::new();
    for id in ["1", "2", "3"] {
        let record = Record {
            key: RecordKey {
                system_id: system,
                object: ObjectType::Person,
                external_id: id.into(),
            },
            created_at: Some(at(1)),
            updated_at: Some(at(5)),
            archived: false,
            fields: BTreeMap::from([("email".to_owned(), FieldValue::new("a@b.test", None))]),
            associations: BTreeSet::new(),
        };
        ws.cache(|c| c.upsert_record(&record, at(3), run, true))
            .unwrap();
        ids.push(
            steward_store::record_id(ws.conn(), system, ObjectType::Person, id)
                .unwrap()
                .unwrap(),
        );
    }
    (dir, ws, system, ids)
}

fn propose(ws: &mut Workspace, system: i64, records: &[(i64, &str)]) -> i64 {
    let proposal = NewProposal {
        system_id: system,
        object: ObjectType::Person,
        match_run_id: None,
        cluster: None,
        score: 0.97,
        survivor: records[0].1.to_owned(),
        second_reason: None,
        members: records
            .iter()
            .enumerate()
            .map(|(i, (r, e))| MemberRow {
                system_id: system,
                external_id: (*e).to_owned(),
                record_id: Some(*r),
                role: if i == 0 { "survivor" } else { "absorbed" }.into(),
            })
            .collect(),
    };
    ws.change(|c| {
        Ok::<_, StoreError>((
            c.insert_proposal(&proposal, at(10))?,
            event("merge.propose"),
        ))
    })
    .unwrap()
}

#[test]
fn a_pending_proposal_goes_with_its_records_an_executing_one_stays() {
    let (_dir, mut ws, system, ids) = workspace();
    let pending = propose(&mut ws, system, &[(ids[0], "1"), (ids[1], "2")]);
    ws.change(|c| Ok::<_, StoreError>((c.purge_records(&[ids[1]])?, event("erasure.requested"))))
        .unwrap();
    assert!(
        steward_store::get_proposal(ws.conn(), pending)
            .unwrap()
            .is_none()
    );

    let running = propose(&mut ws, system, &[(ids[0], "1"), (ids[2], "3")]);
    ws.change(|c| {
        c.set_proposal_state(running, ProposalState::Executing, None, at(11))?;
        Ok::<_, StoreError>(((), event("merge.start")))
    })
    .unwrap();
    ws.change(|c| {
        c.remove_cached_record(system, ObjectType::Person, "3")?;
        Ok::<_, StoreError>(((), event("merge.done")))
    })
    .unwrap();
    let row = steward_store::get_proposal(ws.conn(), running)
        .unwrap()
        .unwrap();
    assert_eq!(row.state, ProposalState::Executing);
    let members = steward_store::proposal_members(ws.conn(), running).unwrap();
    let gone = members.iter().find(|m| m.external_id == "3").unwrap();
    assert_eq!(gone.record_id, None, "the journal keeps its external id");
}

#[test]
fn a_backup_is_stored_once_per_record_and_the_journal_keeps_its_plan() {
    let (_dir, mut ws, system, ids) = workspace();
    let id = propose(&mut ws, system, &[(ids[0], "1"), (ids[1], "2")]);
    let first = json!({"id": "2", "properties": {"email": "before@merge.test"}});
    let later = json!({"id": "2", "properties": {"email": "after@merge.test"}});
    let stored = ws
        .change(|c| {
            let a = c.insert_backup(id, system, ObjectType::Person, "2", &first, at(20))?;
            let b = c.insert_backup(id, system, ObjectType::Person, "2", &later, at(21))?;
            Ok::<_, StoreError>(((a, b), event("merge.backup")))
        })
        .unwrap();
    assert_eq!(stored, (true, false));
    let backups = steward_store::proposal_backups(ws.conn(), id).unwrap();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        backups[0].content, first,
        "a resumed run never replaces the pre-merge state"
    );

    let plan = [
        NewStep {
            kind: "merge",
            survivor: "1".into(),
            absorbed: vec!["2".into()],
        },
        NewStep {
            kind: "values",
            survivor: "1".into(),
            absorbed: Vec::new(),
        },
    ];
    let planned = ws
        .change(|c| {
            let a = c.plan_steps(id, &plan)?;
            let b = c.plan_steps(id, &plan[..1])?;
            c.set_step_state(id, 0, "sent", None, at(30))?;
            Ok::<_, StoreError>(((a, b), event("merge.plan")))
        })
        .unwrap();
    assert_eq!(
        planned,
        (true, false),
        "a planned proposal keeps its journal"
    );
    let steps = steward_store::merge_steps(ws.conn(), id).unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (steps[0].state.as_str(), steps[0].sent_at),
        ("sent", Some(at(30)))
    );
    // A merge call was sent: it may have happened, so its backups are never dropped.
    let deleted = ws
        .change(|c| Ok::<_, StoreError>((c.delete_proposal_backups(id)?, event("merge.back"))))
        .unwrap();
    assert_eq!(deleted, 0);
    let released = ws
        .change(|c| Ok::<_, StoreError>((c.unclaim(id, at(40))?, event("merge.released"))))
        .unwrap();
    assert!(
        !released,
        "a proposal with a sent call is never handed back"
    );
    // A planned step is claimed once.
    let claims = ws
        .change(|c| {
            let a = c.claim_step(id, 1, at(41))?;
            let b = c.claim_step(id, 1, at(42))?;
            Ok::<_, StoreError>(((a, b), event("merge.sent")))
        })
        .unwrap();
    assert_eq!(claims, (true, false));
}

#[test]
fn decisions_and_claims_only_move_a_proposal_from_the_state_they_expect() {
    let (_dir, mut ws, system, ids) = workspace();
    let id = propose(&mut ws, system, &[(ids[0], "1"), (ids[1], "2")]);
    let moved = ws
        .change(|c| {
            let approve = c.decide_proposal(id, ProposalState::Approved, "ops", at(1))?;
            let claim = c.transition(
                id,
                &[ProposalState::Approved],
                ProposalState::Executing,
                at(2),
            )?;
            // Rejecting or claiming again once it is executing: refused.
            let reject = c.decide_proposal(id, ProposalState::Rejected, "ops", at(3))?;
            let again = c.transition(
                id,
                &[ProposalState::Approved],
                ProposalState::Executing,
                at(4),
            )?;
            // Nothing sent yet: a cancelled run hands it back.
            let released = c.unclaim(id, at(5))?;
            Ok::<_, StoreError>(((approve, claim, reject, again, released), event("merge")))
        })
        .unwrap();
    assert_eq!(moved, (true, true, false, false, true));
    let row = steward_store::get_proposal(ws.conn(), id).unwrap().unwrap();
    assert_eq!(row.state, ProposalState::Approved);
}

#[test]
fn a_hub_with_merge_backups_is_not_removed() {
    let (_dir, mut ws, system, ids) = workspace();
    let id = propose(&mut ws, system, &[(ids[0], "1"), (ids[1], "2")]);
    ws.change(|c| {
        c.insert_backup(
            id,
            system,
            ObjectType::Person,
            "2",
            &json!({"id": "2"}),
            at(1),
        )?;
        Ok::<_, StoreError>(((), event("merge.backup")))
    })
    .unwrap();
    let refused = ws
        .change(|c| Ok::<_, StoreError>((c.delete_system(system)?, event("system.removed"))))
        .unwrap_err();
    assert!(refused.to_string().contains("backups"), "{refused}");
    assert_eq!(
        steward_store::proposal_backups(ws.conn(), id)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn not_duplicate_pairs_are_kept_in_one_order() {
    let (_dir, mut ws, system, _) = workspace();
    ws.change(|c| {
        c.add_not_duplicate(system, "9", "10", "ops", "namesakes", at(1))?;
        c.add_not_duplicate(system, "10", "9", "ops", "again", at(2))?;
        Ok::<_, StoreError>(((), event("merge.reject")))
    })
    .unwrap();
    let pairs = steward_store::not_duplicates(ws.conn(), system).unwrap();
    assert_eq!(pairs.len(), 1);
    assert!(pairs.contains(&steward_store::ordered_pair("9", "10")));
    // String order: "10" < "9".
    assert_eq!(
        steward_store::ordered_pair("9", "10"),
        ("10".into(), "9".into())
    );
}
