//! The governance tables: one SSOT owner, never zero admins, alerts raised once per kind and
//! subject until cleared, probe runs journaled with their tag, and audit scores kept per
//! quarter.

#![allow(clippy::unwrap_used)]

use serde_json::json;
use steward_domain::{
    AuditEvent, Connection as SystemConnection, Duty, Leg, LegKind, Lifecycle, NewSystem,
    Population, ProbeVerdict, Role, SystemKind, SystemName, Timestamp,
};
use steward_store::{ProbeRow, StoreError, Workspace};

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

fn workspace() -> (tempfile::TempDir, Workspace, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws =
        Workspace::create(&dir.path().join("ws.steward"), "ws-1", event("created")).unwrap();
    let id = ws
        .change(|c| {
            let s = c.insert_system(
                &NewSystem {
                    name: SystemName::parse("Sheet").unwrap(),
                    kind: SystemKind::Csv,
                    role: Role::Spoke,
                    population: Population::Manual,
                    owner: None,
                    dependent_teams: Vec::new(),
                    connection: SystemConnection {
                        base_url: None,
                        path: Some("/data/sheet.csv".into()),
                    },
                },
                at(1),
            )?;
            Ok::<_, StoreError>((s, event("system.added")))
        })
        .unwrap()
        .id;
    (dir, ws, id)
}

fn change<T>(
    ws: &mut Workspace,
    f: impl FnOnce(&steward_store::Change<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    ws.change(|c| Ok::<_, StoreError>((f(c)?, event("test"))))
}

#[test]
fn one_owner_and_never_no_admin() {
    let (_dir, mut ws, _) = workspace();
    assert!(!steward_store::is_governed(ws.conn()).unwrap());
    change(&mut ws, |c| c.grant_role("ana", Duty::Admin, at(1), "ana")).unwrap();
    change(&mut ws, |c| c.grant_role("ana", Duty::Owner, at(1), "ana")).unwrap();
    assert!(steward_store::is_governed(ws.conn()).unwrap());
    let second = change(&mut ws, |c| c.grant_role("bo", Duty::Owner, at(2), "ana")).unwrap_err();
    assert!(
        second.to_string().contains("ana is the SSOT owner"),
        "{second}"
    );
    let last = change(&mut ws, |c| c.revoke_role("ANA", Duty::Admin)).unwrap_err();
    assert!(last.to_string().contains("last admin"), "{last}");
    change(&mut ws, |c| c.grant_role("bo", Duty::Admin, at(3), "ana")).unwrap();
    assert!(change(&mut ws, |c| c.revoke_role("ana", Duty::Admin)).unwrap());
    assert_eq!(
        steward_store::roles_of(ws.conn(), "ANA").unwrap(),
        vec![Duty::Owner]
    );
    assert_eq!(steward_store::list_roles(ws.conn()).unwrap().len(), 2);
    // A refused change leaves nothing behind, not even its audit entry: the two refusals
    // above added none (created, the system, four changes).
    assert_eq!(ws.audit_len().unwrap(), 6);
}

#[test]
fn alerts_are_raised_once_until_cleared() {
    let (_dir, mut ws, system) = workspace();
    let raise = |ws: &mut Workspace, when| {
        change(ws, |c| {
            c.raise_alert(
                "drift_magnet",
                "system/1",
                Some(system),
                "written",
                &json!({}),
                at(when),
            )
        })
        .unwrap()
    };
    assert!(raise(&mut ws, 10).1);
    assert!(!raise(&mut ws, 20).1, "the open alert is refreshed");
    let open = steward_store::list_alerts(ws.conn(), true).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].raised_at, open[0].last_seen), (at(10), at(20)));
    let cleared = change(&mut ws, |c| {
        c.clear_alerts(None, Some(("drift_magnet", "system/1")), at(30), "ana")
    })
    .unwrap();
    assert_eq!(cleared, 1);
    assert!(
        steward_store::list_alerts(ws.conn(), true)
            .unwrap()
            .is_empty()
    );
    assert!(raise(&mut ws, 40).1, "a new one after clearing");
    assert_eq!(
        steward_store::list_alerts(ws.conn(), false).unwrap().len(),
        2
    );
}

#[test]
fn probe_runs_keep_their_tag_and_ids_and_go_with_their_probe() {
    let (_dir, mut ws, system) = workspace();
    let probe = ProbeRow {
        id: 0,
        name: "Bridge".into(),
        spoke_id: system,
        hub_id: system,
        match_key: "email".into(),
        status_field: "lead_status".into(),
        status_values: vec!["CONNECTED".into()],
        target_ms: 5_000,
        timeout_ms: 10_000,
        every_minutes: Some(60),
        created_at: at(1),
        created_by: "ana".into(),
    };
    let id = change(&mut ws, |c| c.add_probe(&probe)).unwrap();
    let clash = change(&mut ws, |c| {
        c.add_probe(&ProbeRow {
            name: "bridge".into(),
            ..probe.clone()
        })
    })
    .unwrap_err();
    assert!(clash.to_string().contains("exists"), "{clash}");
    let run = change(&mut ws, |c| {
        c.start_probe_run(id, at(5), "ana", "probe-x@probe.steward.invalid")
    })
    .unwrap();
    change(&mut ws, |c| c.set_probe_ids(run, Some("77"), None)).unwrap();
    change(&mut ws, |c| c.set_probe_ids(run, None, Some("9001"))).unwrap();
    let legs = vec![Leg {
        leg: LegKind::Inbound,
        status: None,
        ms: Some(2_100),
        detail: None,
    }];
    change(&mut ws, |c| {
        c.finish_probe_run(run, at(9), ProbeVerdict::Passed, &legs, None)
    })
    .unwrap();
    let pending = steward_store::pending_cleanups(ws.conn(), id).unwrap();
    assert_eq!(pending.len(), 1, "not cleaned up yet");
    assert_eq!(
        (
            pending[0].spoke_external.as_deref(),
            pending[0].hub_external.as_deref()
        ),
        (Some("77"), Some("9001"))
    );
    assert_eq!(pending[0].legs, legs);
    change(&mut ws, |c| {
        c.set_probe_cleanup(run, "done", Some("2 removed"))
    })
    .unwrap();
    assert!(
        steward_store::pending_cleanups(ws.conn(), id)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        steward_store::probe_runs_between(ws.conn(), at(5), at(6))
            .unwrap()
            .len(),
        1
    );
    assert!(change(&mut ws, |c| c.remove_probe(id)).unwrap());
    assert!(
        steward_store::probe_runs(ws.conn(), id, 10)
            .unwrap()
            .is_empty(),
        "history goes with the probe"
    );
}

#[test]
fn lifecycles_sign_offs_and_audit_scores() {
    let (_dir, mut ws, system) = workspace();
    change(&mut ws, |c| {
        c.set_lifecycle(system, Lifecycle::Deprecating, at(100))
    })
    .unwrap();
    assert_eq!(
        steward_store::lifecycle_since(ws.conn(), system).unwrap(),
        Some(at(100))
    );
    assert_eq!(steward_store::quiet_days(ws.conn(), system).unwrap(), 30);
    change(&mut ws, |c| c.set_quiet_days(system, 14)).unwrap();
    assert_eq!(steward_store::quiet_days(ws.conn(), system).unwrap(), 14);
    let sign = steward_domain::SignOff {
        actor: "ana".into(),
        note: "revoked".into(),
        at: at(5),
    };
    change(&mut ws, |c| {
        c.sign_off(
            system,
            steward_domain::Checklist::Deprecation,
            "credentials_revoked",
            &sign,
        )
    })
    .unwrap();
    let again = steward_domain::SignOff {
        note: "revoked, checked twice".into(),
        ..sign
    };
    change(&mut ws, |c| {
        c.sign_off(
            system,
            steward_domain::Checklist::Deprecation,
            "credentials_revoked",
            &again,
        )
    })
    .unwrap();
    let signed =
        steward_store::sign_offs(ws.conn(), system, steward_domain::Checklist::Deprecation)
            .unwrap();
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0].1.note, "revoked, checked twice");
    assert!(
        steward_store::sign_offs(ws.conn(), system, steward_domain::Checklist::Onboarding)
            .unwrap()
            .is_empty()
    );
    let bad = change(&mut ws, |c| {
        c.save_audit_scores("2026-Q5", at(1), "ana", &json!({}))
    });
    assert!(bad.is_err(), "quarters are checked by the schema");
    change(&mut ws, |c| {
        c.save_audit_scores("2026-Q4", at(2), "ana", &json!({"requirements": []}))
    })
    .unwrap();
    change(&mut ws, |c| {
        c.save_audit_scores("2026-Q3", at(1), "ana", &json!({"requirements": []}))
    })
    .unwrap();
    let rows = steward_store::list_audit_scores(ws.conn()).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.quarter.as_str()).collect::<Vec<_>>(),
        ["2026-Q3", "2026-Q4"]
    );
}
