//! Sync against the sandbox company: every connector reads its system into a real workspace,
//! and the result is checked against the sandbox's own state and manifest, record by record.
//! The credentials go through the real OS keychain (the test scripts provide one).

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rusqlite::Connection;
use steward_app::sync::{SyncChoice, SyncEnv, SyncReport, sync_system};
use steward_app::systems::AddSystemRequest;
use steward_app::{Clock, Keychain, Secret, Steward};
use steward_domain::{Population, Role, SystemKind};
use steward_sandbox::faults::FaultRates;
use steward_sandbox::hubspot::objects::ObjectType as CrmType;
use steward_sandbox::server::{Config, Running, start};
use tokio_util::sync::CancellationToken;

fn keychain() -> Option<Keychain> {
    support::keychain("steward-sync-test")
}

fn request(name: &str, kind: SystemKind, role: Role) -> AddSystemRequest {
    AddSystemRequest {
        name: name.into(),
        kind: Some(kind),
        role: Some(role),
        population: Some(Population::Automated),
        ..AddSystemRequest::default()
    }
}

/// A workspace with the sandbox's systems registered (`files` adds the three file spokes).
fn register(dir: &Path, keychain: Keychain, running: &Running, files: bool) -> Steward {
    let mut app = Steward::init(
        &dir.join("ws.steward"),
        keychain,
        "ops@test".into(),
        Clock::System,
    )
    .unwrap();
    let e = &running.endpoints;
    app.add_system(
        AddSystemRequest {
            base_url: Some(e.crm.base_url.clone()),
            ..request("HubSpot", SystemKind::Hubspot, Role::Hub)
        },
        Some(Secret::new(e.crm.token.clone()).unwrap()),
    )
    .unwrap();
    app.add_system(
        AddSystemRequest {
            base_url: Some(e.map.base_url.clone()),
            ..request("MAP", SystemKind::Marketing, Role::Spoke)
        },
        Some(Secret::new(format!("{}:{}", e.map.client_id, e.map.client_secret)).unwrap()),
    )
    .unwrap();
    if files {
        let config = dir.join("portal.toml");
        std::fs::write(&config, steward_sandbox::files::PORTAL_CONNECTOR_CONFIG).unwrap();
        for (name, kind, path, config) in [
            ("Events", SystemKind::Csv, &e.files.events_csv, None),
            ("SDR", SystemKind::Xlsx, &e.files.sdr_xlsx, None),
            (
                "Portal",
                SystemKind::Sqlite,
                &e.files.portal_sqlite,
                Some(config.display().to_string()),
            ),
        ] {
            app.add_system(
                AddSystemRequest {
                    path: Some(path.display().to_string()),
                    config_path: config,
                    ..request(name, kind, Role::Spoke)
                },
                None,
            )
            .unwrap();
        }
    }
    app
}

async fn sync(env: &SyncEnv, name: &str, choice: SyncChoice) -> SyncReport {
    sync_system(env, name, choice, CancellationToken::new(), &|_| {})
        .await
        .unwrap()
}

async fn sandbox(dir: &Path, faults: FaultRates) -> Running {
    let config = Config {
        faults,
        ..Config::with_defaults(7, 1_500, dir.join("files"))
    };
    start(&config).await.unwrap()
}

use support::{count, snapshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sandbox_system_syncs_completely_and_exactly() {
    let Some(keychain) = keychain() else { return };
    let dir = tempfile::tempdir().unwrap();
    let running = sandbox(dir.path(), FaultRates::none()).await;
    let app = register(dir.path(), keychain, &running, true);
    let env = app.sync_env();

    let mut reports = BTreeMap::new();
    for name in ["HubSpot", "MAP", "Events", "SDR", "Portal"] {
        let report = sync(&env, name, SyncChoice::Auto).await;
        assert_eq!(report.mode, "full", "{name}");
        assert!(report.error.is_none(), "{name}: {:?}", report.error);
        reports.insert(name, report);
    }
    let conn = Connection::open(dir.path().join("ws.steward")).unwrap();
    let cached = |system: &str, object: &str, archived: i64| {
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM records r JOIN systems s ON s.id = r.system_id
                 WHERE s.name = '{system}' AND r.object = '{object}' AND r.archived = {archived}"
            ),
        )
    };

    // The hub: every live and archived record, every property with its newest version's
    // time, and every contact→company association.
    {
        let crm = running.crm.crm.read().unwrap();
        for (kind, object) in [
            (CrmType::Contacts, "person"),
            (CrmType::Companies, "company"),
        ] {
            let set = crm.set(kind);
            let live = set
                .records
                .values()
                .filter(|r| r.archived_at.is_none() && r.merged_into.is_none())
                .count();
            let archived = set
                .records
                .values()
                .filter(|r| r.archived_at.is_some())
                .count();
            assert_eq!(cached("HubSpot", object, 0), live as i64, "{object}");
            assert_eq!(cached("HubSpot", object, 1), archived as i64, "{object}");
            for record in set.records.values().filter(|r| r.archived_at.is_none()) {
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT f.field, f.value, f.modified_at FROM record_fields f
                         JOIN records r ON r.id = f.record_id
                         JOIN systems s ON s.id = r.system_id
                         WHERE s.name = 'HubSpot' AND r.object = ?1 AND r.external_id = ?2",
                    )
                    .unwrap();
                let fields: BTreeMap<String, (String, Option<i64>)> = stmt
                    .query_map((object, record.id.to_string()), |r| {
                        Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                for (name, versions) in &record.properties {
                    let newest = versions.last().unwrap();
                    match fields.get(name) {
                        Some((value, at)) => {
                            assert_eq!(value, &newest.value, "{object} {} {name}", record.id);
                            assert_eq!(
                                *at,
                                Some(newest.timestamp),
                                "{object} {} {name}",
                                record.id
                            );
                        }
                        None => assert!(
                            newest.value.is_empty(),
                            "{object} {} lost {name}",
                            record.id
                        ),
                    }
                }
            }
        }
        let associations = crm
            .contacts
            .records
            .values()
            .filter(|r| r.archived_at.is_none() && r.merged_into.is_none())
            .map(|r| r.associations.len())
            .sum::<usize>();
        let cached_associations = count(
            &conn,
            "SELECT count(*) FROM record_associations a JOIN records r ON r.id = a.record_id
             JOIN systems s ON s.id = r.system_id WHERE s.name = 'HubSpot' AND r.object = 'person'",
        );
        assert_eq!(cached_associations, associations as i64);
    }

    // The MAP: every lead, linked to the hub contact whose id it keeps.
    let (leads, crosswalked) = {
        let leads = running.map.leads.read().unwrap();
        let crm = running.crm.crm.read().unwrap();
        let crosswalked = leads
            .records
            .values()
            .filter(|l| {
                l.crm_contact_id
                    .is_some_and(|id| crm.contacts.records.contains_key(&id))
            })
            .count();
        (leads.records.len(), crosswalked)
    };
    assert_eq!(cached("MAP", "person", 0), leads as i64);

    // The events CSV: exactly the seeded bad rows are reported, with line and reason.
    let manifest = &running.manifest;
    let expected_bad: BTreeSet<(String, String)> = manifest
        .spokes
        .bad_rows
        .iter()
        .filter(|b| b.spoke.system == "events_csv")
        .map(|b| (format!("line {}", b.spoke.id), b.reason.to_owned()))
        .collect();
    let events = &reports["Events"];
    let reported: BTreeSet<(String, String)> = events
        .problems
        .iter()
        .map(|p| (p.locator.clone(), p.reason.clone()))
        .collect();
    assert_eq!(reported, expected_bad);
    let dropped = events.problems.iter().filter(|p| !p.record_kept).count() as i64;
    assert_eq!(events.status, "partial");
    assert_eq!(
        cached("Events", "person", 0),
        manifest.counts.events_rows as i64 - dropped
    );

    // The SDR sheet and the portal: every row.
    assert_eq!(cached("SDR", "person", 0), manifest.counts.sdr_rows as i64);
    assert_eq!(reports["SDR"].status, "succeeded");
    assert_eq!(
        cached("Portal", "company", 0),
        manifest.counts.portal_accounts as i64
    );
    assert_eq!(
        cached("Portal", "person", 0),
        manifest.counts.portal_users as i64
    );

    // Links by shared id: MAP leads and portal accounts that keep a hub id present there.
    let accounts_linked = count(
        &conn,
        "SELECT count(*) FROM records r JOIN systems s ON s.id = r.system_id
         JOIN record_fields f ON f.record_id = r.id AND f.field = 'crm_company_id'
         JOIN records h ON h.system_id = (SELECT id FROM systems WHERE role = 'hub')
                       AND h.object = 'company' AND h.external_id = f.value
         WHERE s.name = 'Portal'",
    );
    assert!(accounts_linked > 0);
    assert_eq!(
        reports["Portal"].crosswalk_links,
        crosswalked as u64 + accounts_linked as u64
    );

    // The inventory tells the same story.
    let inventory = app.inventory().unwrap();
    assert_eq!(inventory.systems.len(), 5);
    for s in &inventory.systems {
        let run = s.last_sync.as_ref().unwrap();
        assert!(
            run.status == "succeeded" || run.status == "partial",
            "{}",
            s.name
        );
        assert!(!s.objects.is_empty(), "{}", s.name);
        for o in &s.objects {
            assert!(!o.fields.is_empty(), "{} {}", s.name, o.object);
            assert!(
                o.fields.iter().any(|f| f.fill_rate > 0.9),
                "{} {}",
                s.name,
                o.object
            );
        }
    }
    let hub = &inventory.systems[0];
    assert_eq!(hub.role, "hub");
    let email = hub.objects.iter().find(|o| o.object == "person").unwrap();
    assert!(
        email
            .fields
            .iter()
            .any(|f| f.name == "email" && f.fill_rate > 0.5)
    );
    let csv = app.inventory_csv().unwrap();
    assert!(csv.starts_with("system,kind,role,lifecycle"));
    assert!(csv.lines().count() > 20);

    // Incremental: change 1% of the contacts; the next sync reads exactly those. (Records
    // at the previous high-water mark are listed by the search but not read again.)
    let (moved_to, moved_from) = {
        let crm = running.crm.crm.read().unwrap();
        let first = crm.contacts.live().next().unwrap();
        let other = crm
            .companies
            .live()
            .map(|c| c.id)
            .find(|c| !first.associations.contains(c))
            .unwrap();
        (other, first.associations.len() as i64)
    };
    let changed: Vec<u64> = {
        let mut crm = running.crm.crm.write().unwrap();
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        let ids: Vec<u64> = crm.contacts.live().map(|r| r.id).step_by(100).collect();
        for id in &ids {
            let record = crm.set_mut(CrmType::Contacts).records.get_mut(id).unwrap();
            record.set("jobtitle", format!("Changed {id}"), now, "API");
        }
        // The first one also moves to another company.
        let record = crm
            .set_mut(CrmType::Contacts)
            .records
            .get_mut(&ids[0])
            .unwrap();
        record.associations = [moved_to].into();
        ids
    };
    let associations_before = count(&conn, "SELECT count(*) FROM record_associations");
    let report = sync(&env, "HubSpot", SyncChoice::Auto).await;
    assert_eq!(report.mode, "incremental");
    let moved: Vec<String> = conn
        .prepare(
            "SELECT a.external_id FROM record_associations a JOIN records r ON r.id = a.record_id
             JOIN systems s ON s.id = r.system_id
             WHERE s.name = 'HubSpot' AND r.object = 'person' AND r.external_id = ?1",
        )
        .unwrap()
        .query_map([changed[0].to_string()], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        moved,
        [moved_to.to_string()],
        "associations come with the changes"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM record_associations"),
        associations_before - moved_from + 1,
        "only the moved contact's associations changed"
    );
    assert_eq!(
        report.records_read,
        changed.len() as u64,
        "only the changed records"
    );
    for id in &changed {
        let title: String = conn
            .query_row(
                "SELECT f.value FROM record_fields f JOIN records r ON r.id = f.record_id
                 JOIN systems s ON s.id = r.system_id
                 WHERE s.name = 'HubSpot' AND r.external_id = ?1 AND r.object = 'person'
                   AND f.field = 'jobtitle'",
                [id.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(title, format!("Changed {id}"));
    }
}

/// 20 % of requests fail (429s, 5xx, slow answers, dropped connections): the sync retries
/// through them and ends with exactly the snapshot of a clean sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_under_injected_faults_ends_with_the_clean_snapshot() {
    let Some(keychain) = keychain() else { return };
    let (clean_dir, faulty_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let clean = sandbox(clean_dir.path(), FaultRates::none()).await;
    let faulty = sandbox(
        faulty_dir.path(),
        FaultRates {
            too_many_requests: 8,
            server_error: 6,
            slow: 3,
            dropped: 3,
            lost_reply: 0,
            slow_by: Duration::from_millis(300),
        },
    )
    .await;
    let clean_app = register(clean_dir.path(), keychain.clone(), &clean, false);
    let faulty_app = register(faulty_dir.path(), keychain, &faulty, false);
    for name in ["HubSpot", "MAP"] {
        let a = sync(&clean_app.sync_env(), name, SyncChoice::Full).await;
        let b = sync(&faulty_app.sync_env(), name, SyncChoice::Full).await;
        assert_eq!(a.status, "succeeded", "{name}: {:?}", a.error);
        assert_eq!(b.status, "succeeded", "{name}: {:?}", b.error);
        assert!(b.api_calls > a.api_calls, "{name}: the faults cost retries");
    }
    let stats = faulty.crm.stats.snapshot();
    assert!(stats.faults_injected > 0);
    assert_eq!(
        snapshot(&clean_dir.path().join("ws.steward")),
        snapshot(&faulty_dir.path().join("ws.steward"))
    );
}

/// A sync cancelled midway keeps what it stored; the next one resumes after the last page
/// and ends with exactly the snapshot of an uninterrupted sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_sync_resumes_without_duplicates() {
    let Some(keychain) = keychain() else { return };
    let (once_dir, twice_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let once = sandbox(once_dir.path(), FaultRates::none()).await;
    let twice = sandbox(twice_dir.path(), FaultRates::none()).await;
    let once_app = register(once_dir.path(), keychain.clone(), &once, false);
    let twice_app = register(twice_dir.path(), keychain, &twice, false);
    sync(&once_app.sync_env(), "HubSpot", SyncChoice::Full).await;

    let cancel = CancellationToken::new();
    let stopped = AtomicBool::new(false);
    let env = twice_app.sync_env();
    let refused = std::sync::Mutex::new(None);
    let first = sync_system(&env, "HubSpot", SyncChoice::Full, cancel.clone(), &|p| {
        if p.object == "person" && p.done >= 300 && !stopped.swap(true, Ordering::SeqCst) {
            // Meanwhile, a second sync of the same system is refused, not interleaved.
            let second = std::thread::scope(|s| {
                s.spawn(|| {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap()
                        .block_on(sync_system(
                            &env,
                            "HubSpot",
                            SyncChoice::Full,
                            CancellationToken::new(),
                            &|_| {},
                        ))
                })
                .join()
                .unwrap()
            });
            *refused.lock().unwrap() = Some(second.map(|r| r.status).unwrap_err());
            cancel.cancel();
        }
    })
    .await
    .unwrap();
    let refused = refused.lock().unwrap().take().unwrap();
    assert_eq!(refused.code, steward_app::ErrorCode::Conflict);
    assert!(
        refused.message.contains("being synced already"),
        "{refused}"
    );
    assert_eq!(first.status, "cancelled");
    assert!(first.records_read >= 300);
    let second = sync(&env, "HubSpot", SyncChoice::Auto).await;
    assert!(second.resumed);
    assert_eq!(second.run_id, first.run_id, "the same run continues");
    assert_eq!(second.status, "succeeded");
    assert_eq!(
        snapshot(&once_dir.path().join("ws.steward")),
        snapshot(&twice_dir.path().join("ws.steward"))
    );
}

/// The portal's schema and rows on a real PostgreSQL server (the test scripts start one)
/// sync to exactly what the same rows give from the portal's SQLite file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_on_postgresql_syncs_like_the_portal_on_sqlite() {
    let Some(server) = std::env::var("STEWARD_TEST_POSTGRES").ok() else {
        assert!(
            std::env::var_os("STEWARD_REQUIRE_POSTGRES").is_none(),
            "STEWARD_TEST_POSTGRES must name a server here"
        );
        eprintln!("skipped: set STEWARD_TEST_POSTGRES (the test scripts start a server)");
        return;
    };
    let Some(keychain) = keychain() else { return };
    let dir = tempfile::tempdir().unwrap();
    let running = sandbox(dir.path(), FaultRates::none()).await;

    // A database of its own, loaded with the sandbox's portal.sql through psql.
    let database = format!("portal_{}", std::process::id());
    psql(&server, &["-c", &format!("CREATE DATABASE {database}")]);
    let (base, _) = server.rsplit_once('/').unwrap();
    let url = format!("{base}/{database}");
    let sql = running
        .endpoints
        .files
        .portal_postgres_sql
        .display()
        .to_string();
    psql(&url, &["-q", "-f", &sql]);

    let mut app = register(dir.path(), keychain, &running, true);
    let config = dir.path().join("portal.toml");
    app.add_system(
        AddSystemRequest {
            base_url: Some(url),
            config_path: Some(config.display().to_string()),
            ..request("Portal PG", SystemKind::Postgres, Role::Spoke)
        },
        None,
    )
    .unwrap();
    let env = app.sync_env();
    sync(&env, "HubSpot", SyncChoice::Full).await;
    let lite = sync(&env, "Portal", SyncChoice::Full).await;
    let pg = sync(&env, "Portal PG", SyncChoice::Full).await;
    assert_eq!(pg.status, "succeeded", "{:?}", pg.error);
    assert_eq!(pg.records_read, lite.records_read);

    // Same records, times, associations and values (time columns are written differently
    // by the two databases: compare their parsed instants, which the records carry).
    let conn = Connection::open(dir.path().join("ws.steward")).unwrap();
    let rows = |system: &str| -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT r.object, r.external_id, r.created_at, r.updated_at,
                        (SELECT group_concat(field || '=' || value, '|') FROM
                           (SELECT * FROM record_fields WHERE record_id = r.id
                              AND field NOT IN ('created_at', 'updated_at', 'last_login_at')
                            ORDER BY field)),
                        (SELECT group_concat(object || ':' || external_id, ',')
                           FROM record_associations WHERE record_id = r.id)
                 FROM records r JOIN systems s ON s.id = r.system_id
                 WHERE s.name = ?1 ORDER BY r.object, r.external_id",
            )
            .unwrap();
        stmt.query_map([system], |r| {
            Ok(format!(
                "{}\t{}\t{:?}\t{:?}\t{:?}\t{:?}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let (from_sqlite, from_postgres) = (rows("Portal"), rows("Portal PG"));
    assert!(from_sqlite.len() > 100);
    assert_eq!(from_sqlite, from_postgres);
    let linked = |system: &str| {
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM record_links l JOIN records r
                   ON r.id = l.left_record OR r.id = l.right_record
                 JOIN systems s ON s.id = r.system_id WHERE s.name = '{system}'"
            ),
        )
    };
    assert!(linked("Portal") > 0);
    assert_eq!(linked("Portal"), linked("Portal PG"));
    psql(
        &server,
        &["-c", &format!("DROP DATABASE {database} WITH (FORCE)")],
    );
}

/// Runs Debian's psql (on PATH, or from the newest server's bin folder).
fn psql(url: &str, args: &[&str]) {
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .and_then(|dirs| {
            let mut versions: Vec<_> = dirs.filter_map(Result::ok).map(|d| d.path()).collect();
            versions.sort();
            versions.pop().map(|v| v.join("bin/psql"))
        })
        .filter(|p| p.exists())
        .unwrap_or_else(|| "psql".into());
    let status = std::process::Command::new(bin)
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "psql {args:?} failed");
}

/// A portal with more properties than a URL can name: the listing asks for ids only and
/// the properties come from batch reads. The snapshot is the same as the one-call listing's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_too_long_for_a_url_batch_reads_to_the_same_snapshot() {
    let Some(keychain) = keychain() else { return };
    let dir = tempfile::tempdir().unwrap();
    let running = sandbox(dir.path(), FaultRates::none()).await;
    let plain_dir = dir.path().join("plain");
    let long_dir = dir.path().join("long");
    std::fs::create_dir_all(&plain_dir).unwrap();
    std::fs::create_dir_all(&long_dir).unwrap();
    let plain = register(&plain_dir, keychain.clone(), &running, false);
    let mut long = Steward::init(
        &long_dir.join("ws.steward"),
        keychain,
        "ops@test".into(),
        Clock::System,
    )
    .unwrap();
    let config = long_dir.join("hubspot.toml");
    std::fs::write(&config, "max_url_bytes = 200\n").unwrap();
    long.add_system(
        AddSystemRequest {
            base_url: Some(running.endpoints.crm.base_url.clone()),
            config_path: Some(config.display().to_string()),
            ..request("HubSpot", SystemKind::Hubspot, Role::Hub)
        },
        Some(Secret::new(running.endpoints.crm.token.clone()).unwrap()),
    )
    .unwrap();
    let a = sync(&plain.sync_env(), "HubSpot", SyncChoice::Full).await;
    let b = sync(&long.sync_env(), "HubSpot", SyncChoice::Full).await;
    assert_eq!(b.status, "succeeded", "{:?}", b.error);
    assert!(b.api_calls > a.api_calls, "ids first, then batch reads");
    assert_eq!(
        snapshot(&plain_dir.join("ws.steward")),
        snapshot(&long_dir.join("ws.steward"))
    );
}
