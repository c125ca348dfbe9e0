//! The SQLite connector against a real file holding the sandbox portal's schema.

use std::collections::BTreeSet;

use steward_domain::{Association, Record};

use super::*;

const PORTAL_SCHEMA: &str = include_str!("../../../tests/fixtures/portal-schema.sql");

fn settings_text() -> String {
    include_str!("../../../tests/fixtures/portal.toml").replace("SCHEMA.", "main.")
}

/// `2025-01-01 00:00:00.000` plus `minutes`, as the sandbox writes times into SQLite.
fn time(minutes: i64) -> String {
    Timestamp::from_millis(1_735_689_600_000 + minutes * 60_000).to_rfc3339()[..23]
        .replace('T', " ")
}

fn instant(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_735_689_600_000 + minutes * 60_000)
}

struct Portal {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Portal {
    /// `accounts` accounts (every third without a CRM id, updated a minute apart in
    /// reverse id order) and `users` users spread over them (every other never logged in).
    fn new(accounts: i64, users: i64) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite");
        let mut db = Connection::open(&path).unwrap();
        let tx = db.transaction().unwrap();
        tx.execute_batch(PORTAL_SCHEMA).unwrap();
        {
            let mut insert = tx
                .prepare("INSERT INTO accounts VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .unwrap();
            for id in 1..=accounts {
                let crm = (id % 3 != 0).then_some(9_000 + id);
                let status = if id % 2 == 0 { "closed" } else { "active" };
                let updated = time(accounts - id);
                insert
                    .execute(rusqlite::params![
                        id,
                        crm,
                        format!("Account {id}"),
                        status,
                        time(-id),
                        updated
                    ])
                    .unwrap();
            }
            let mut insert = tx
                .prepare("INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .unwrap();
            for id in 1..=users {
                let login = (id % 2 == 0).then(|| time(id));
                let account = 1 + id % accounts.max(1);
                insert
                    .execute(rusqlite::params![
                        id,
                        account,
                        format!("user{id}@example.test"),
                        format!("User {id}"),
                        time(id),
                        login
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        Self { _dir: dir, path }
    }

    fn execute(&self, sql: &str) {
        Connection::open(&self.path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }

    fn connector(&self, settings: &str) -> SqliteConnector {
        sqlite(
            ctx(),
            self.path.clone(),
            SqlSettings::from_toml(settings).unwrap(),
        )
    }
}

fn ctx() -> Context {
    Context {
        system_id: 3,
        system_name: "portal".into(),
        cancel: CancellationToken::new(),
    }
}

#[derive(Default)]
struct Pages(Vec<Page>);

impl PageSink for Pages {
    fn accept(&mut self, object: ObjectType, page: Page) -> Result<(), String> {
        assert!(matches!(object, ObjectType::Person | ObjectType::Company));
        self.0.push(page);
        Ok(())
    }
}

impl Pages {
    fn records(&self) -> Vec<&Record> {
        self.0.iter().flat_map(|p| &p.records).collect()
    }

    fn ids(&self) -> Vec<String> {
        self.records()
            .iter()
            .map(|r| r.key.external_id.clone())
            .collect()
    }
}

async fn read(connector: &SqliteConnector, object: ObjectType, request: ReadRequest) -> Pages {
    let mut pages = Pages::default();
    connector.read(object, &request, &mut pages).await.unwrap();
    pages
}

fn since(minutes: i64) -> ReadRequest {
    ReadRequest {
        since: Some(instant(minutes)),
        resume: None,
        ..ReadRequest::default()
    }
}

fn ids(range: std::ops::RangeInclusive<i64>) -> Vec<String> {
    range.map(|i| i.to_string()).collect()
}

#[tokio::test]
async fn a_full_read_renders_every_column() {
    let portal = Portal::new(3, 0);
    let connector = portal.connector(&settings_text());
    let pages = read(&connector, ObjectType::Company, ReadRequest::default()).await;
    assert_eq!(pages.0.len(), 1);
    assert!(pages.0[0].problems.is_empty(), "{:?}", pages.0[0].problems);
    assert_eq!(pages.ids(), ids(1..=3));
    let first = pages.records()[0];
    assert_eq!(first.key.system_id, 3);
    assert_eq!(first.key.object, ObjectType::Company);
    assert_eq!(first.created_at, Some(instant(-1)));
    assert_eq!(first.updated_at, Some(instant(2)));
    let values: Vec<(&str, &str)> = first
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("created_at", "2024-12-31T23:59:00.000Z"),
            ("crm_company_id", "9001"),
            ("id", "1"),
            ("name", "Account 1"),
            ("status", "active"),
            ("updated_at", "2025-01-01T00:02:00.000Z"),
        ]
    );
    assert!(
        first
            .fields
            .values()
            .all(|f| f.modified_at == Some(instant(2)))
    );
    // NULL is no field at all.
    assert!(!pages.records()[2].fields.contains_key("crm_company_id"));
}

#[tokio::test]
async fn pages_of_a_thousand_with_no_row_twice() {
    let portal = Portal::new(10, 2_500);
    let connector = portal.connector(&settings_text());
    let pages = read(&connector, ObjectType::Person, ReadRequest::default()).await;
    let sizes: Vec<usize> = pages.0.iter().map(|p| p.records.len()).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    assert_eq!(pages.ids(), ids(1..=2_500), "in id order, each once");
    assert!(pages.0.iter().all(|p| p.resume.is_some()));
    assert_eq!(
        connector.count(ObjectType::Person, None).await.unwrap(),
        Some(2_500)
    );
}

#[tokio::test]
async fn a_read_resumes_after_the_page_it_was_given() {
    let portal = Portal::new(10, 2_500);
    let connector = portal.connector(&settings_text());
    let first = read(&connector, ObjectType::Person, ReadRequest::default()).await;
    let resume = first.0[0].resume.clone();
    let rest = read(
        &connector,
        ObjectType::Person,
        ReadRequest {
            since: None,
            resume,
            ..ReadRequest::default()
        },
    )
    .await;
    assert_eq!(rest.ids(), ids(1_001..=2_500));
    // The last page's token continues into nothing.
    let after_end = read(
        &connector,
        ObjectType::Person,
        ReadRequest {
            since: None,
            resume: first.0[2].resume.clone(),
            ..ReadRequest::default()
        },
    )
    .await;
    assert!(after_end.0.is_empty());
}

#[tokio::test]
async fn an_incremental_read_takes_rows_changed_since_in_update_order() {
    // Account n was updated at minute 2500 - n: the newest first by id.
    let portal = Portal::new(2_500, 0);
    let connector = portal.connector(&settings_text());
    assert!(!connector.incremental(), "users have no updated_at");
    let pages = read(&connector, ObjectType::Company, since(1_000)).await;
    assert_eq!(
        pages.ids(),
        ids(1..=1_500).into_iter().rev().collect::<Vec<_>>()
    );
    assert_eq!(pages.0.len(), 2);
    assert_eq!(
        connector
            .count(ObjectType::Company, Some(instant(1_000)))
            .await
            .unwrap(),
        Some(1_500)
    );
    // Resuming keeps both the bound and the place.
    let rest = read(
        &connector,
        ObjectType::Company,
        ReadRequest {
            resume: pages.0[0].resume.clone(),
            ..since(1_000)
        },
    )
    .await;
    assert_eq!(
        rest.ids(),
        ids(1..=500).into_iter().rev().collect::<Vec<_>>()
    );
    // A token from a full read is not a place in an incremental one.
    let full = read(&connector, ObjectType::Company, ReadRequest::default()).await;
    let mut sink = Pages::default();
    let mixed = ReadRequest {
        resume: full.0[0].resume.clone(),
        ..since(1_000)
    };
    let err = connector
        .read(ObjectType::Company, &mixed, &mut sink)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Config(_)), "{err}");
}

#[tokio::test]
async fn since_never_misses_a_row_for_how_its_time_is_written() {
    let portal = Portal::new(3, 0);
    portal.execute(
        "UPDATE accounts SET updated_at = '2025-01-01T00:10:00Z' WHERE id = 1;
         UPDATE accounts SET updated_at = 1735689600000 WHERE id = 2;
         UPDATE accounts SET updated_at = '2025-01-01 00:09:59.999' WHERE id = 3;",
    );
    let connector = portal.connector(&settings_text());
    let pages = read(&connector, ObjectType::Company, since(10)).await;
    // A number cannot be compared with the bound, so it is read (and parses as millis).
    assert_eq!(pages.ids(), ["2", "1"]);
    assert_eq!(pages.records()[1].updated_at, Some(instant(10)));
    assert_eq!(pages.records()[0].updated_at, Some(instant(0)));
}

#[tokio::test]
async fn associations_and_crosswalks() {
    let portal = Portal::new(4, 3);
    let connector = portal.connector(&settings_text());
    assert_eq!(
        connector.objects(),
        [ObjectType::Company, ObjectType::Person]
    );
    assert_eq!(
        connector.crosswalks(),
        [Crosswalk {
            object: ObjectType::Company,
            field: "crm_company_id".into()
        }]
    );
    let pages = read(&connector, ObjectType::Person, ReadRequest::default()).await;
    let user = pages.records()[0];
    assert_eq!(
        user.associations,
        BTreeSet::from([Association {
            object: ObjectType::Company,
            external_id: "2".into()
        }])
    );
    let names: Vec<&str> = user.fields.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["email", "name"],
        "mapped names; user 1 never logged in"
    );
    assert_eq!(user.fields["name"].value, "User 1");
    assert_eq!(
        user.fields["name"].modified_at, None,
        "users have no updated_at"
    );
    assert_eq!(
        pages.records()[1].fields["last_login"].value,
        "2025-01-01T00:02:00.000Z"
    );
}

#[tokio::test]
async fn bad_rows_are_problems_and_the_read_goes_on() {
    let portal = Portal::new(3, 0);
    portal.execute(
        "INSERT INTO accounts VALUES (NULL, NULL, 'No id', 'active', '2025-01-01', '2025-01-01');
         INSERT INTO accounts VALUES ('', NULL, 'Empty id', 'active', '2025-01-01', '2025-01-01');
         UPDATE accounts SET updated_at = 'last week', name = x'00ff' WHERE id = 2;",
    );
    let connector = portal.connector(&settings_text());
    let pages = read(&connector, ObjectType::Company, ReadRequest::default()).await;
    assert_eq!(pages.ids(), ids(1..=3));
    let problems: Vec<String> = pages.0[0]
        .problems
        .iter()
        .map(|p| {
            format!(
                "{} | {} | {} | {}",
                p.locator,
                p.field.as_deref().unwrap_or("-"),
                p.reason,
                p.record_kept
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            "1 row | id | no id, so they cannot be told apart; left out | false",
            "id 2 | updated_at | not a date and time Steward can read | true",
            "id 2 | name | binary value not read | true",
            "row after id 3 | id | the id is empty; row left out | false",
        ]
    );
    let second = pages.records()[1];
    assert_eq!(second.updated_at, None);
    assert_eq!(second.fields["updated_at"].value, "last week");
    assert!(!second.fields.contains_key("name"));
}

#[tokio::test]
async fn booleans_reals_and_binary_columns() {
    let portal = Portal::new(0, 0);
    portal.execute(
        "CREATE TABLE leads (id TEXT PRIMARY KEY, opted_in BOOLEAN, score REAL, photo BLOB, note);
         INSERT INTO leads VALUES ('a', 1, 3.0, x'01', 4.5), ('b', 0, 2.25, NULL, 'x');
         CREATE VIEW lead_view AS SELECT id AS lead, score FROM leads;",
    );
    let connector = portal.connector(
        "[[objects]]\nobject = \"person\"\ntable = \"leads\"\nid = \"id\"\n[[objects]]\nobject = \"company\"\ntable = \"lead_view\"\nid = \"lead\"\n",
    );
    let pages = read(&connector, ObjectType::Person, ReadRequest::default()).await;
    let values = |r: &Record| -> Vec<String> {
        r.fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.value))
            .collect()
    };
    assert_eq!(
        values(pages.records()[0]),
        ["id=a", "note=4.5", "opted_in=true", "score=3"]
    );
    assert_eq!(
        values(pages.records()[1]),
        ["id=b", "note=x", "opted_in=false", "score=2.25"]
    );
    let described: Vec<(String, String)> = connector
        .describe(ObjectType::Person)
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.name, f.value_type))
        .collect();
    assert_eq!(
        described,
        [
            ("id".into(), "TEXT".into()),
            ("opted_in".into(), "BOOLEAN".into()),
            ("score".into(), "REAL".into()),
            ("note".into(), "ANY".into()),
        ],
        "the binary column is left out"
    );
    let view = read(&connector, ObjectType::Company, ReadRequest::default()).await;
    assert_eq!(view.ids(), ["a", "b"]);
    let mapped = portal.connector(
        "[[objects]]\nobject = \"person\"\ntable = \"leads\"\nid = \"id\"\nfields = { photo = \"photo\" }\n",
    );
    let err = mapped.healthcheck().await.unwrap_err().to_string();
    assert!(err.contains("`photo` holds binary data"), "{err}");
}

#[tokio::test]
async fn describe_names_the_stored_fields() {
    let portal = Portal::new(1, 1);
    let connector = portal.connector(&settings_text());
    let fields = connector.describe(ObjectType::Person).await.unwrap();
    assert_eq!(
        fields,
        [
            SourceField {
                name: "email".into(),
                label: "email".into(),
                value_type: "TEXT".into(),
                read_only: false
            },
            SourceField {
                name: "name".into(),
                label: "full_name".into(),
                value_type: "TEXT".into(),
                read_only: false
            },
            SourceField {
                name: "last_login".into(),
                label: "last_login_at".into(),
                value_type: "TIMESTAMP".into(),
                read_only: false
            },
        ]
    );
}

#[tokio::test]
async fn healthcheck_names_what_is_wrong() {
    let portal = Portal::new(1, 1);
    portal
        .connector(&settings_text())
        .healthcheck()
        .await
        .unwrap();
    let err = portal
        .connector(&settings_text().replace("full_name = ", "fullname = "))
        .healthcheck()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no column `fullname` in `main.users`"),
        "{err}"
    );
    let err = portal
        .connector(&settings_text().replace("\"main.users\"", "\"people\""))
        .healthcheck()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no table or view `people`"),
        "{err}"
    );
    let missing = sqlite(
        ctx(),
        portal.path.with_file_name("nothing.sqlite"),
        SqlSettings::from_toml(&settings_text()).unwrap(),
    );
    let err = missing.healthcheck().await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Config(m) if m.contains("no SQLite database at")),
        "{err}"
    );
    std::fs::write(portal.path.with_file_name("text.sqlite"), "not a database").unwrap();
    let garbage = sqlite(
        ctx(),
        portal.path.with_file_name("text.sqlite"),
        SqlSettings::from_toml(&settings_text()).unwrap(),
    );
    let err = garbage.healthcheck().await.unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
}

#[tokio::test]
async fn the_file_is_opened_read_only() {
    let portal = Portal::new(1, 0);
    let db = open(&portal.path).unwrap();
    let err = db.execute("DELETE FROM accounts", []).unwrap_err();
    assert!(err.to_string().contains("readonly"), "{err}");
}

#[tokio::test]
async fn a_cancelled_read_or_a_refusing_sink_stops_it() {
    let portal = Portal::new(1, 2_500);
    let connector = portal.connector(&settings_text());
    connector.ctx.cancel.cancel();
    let mut pages = Pages::default();
    let err = connector
        .read(ObjectType::Person, &ReadRequest::default(), &mut pages)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Cancelled), "{err}");

    struct Refusing;
    impl PageSink for Refusing {
        fn accept(&mut self, _: ObjectType, _: Page) -> Result<(), String> {
            Err("disk full".into())
        }
    }
    let err = portal
        .connector(&settings_text())
        .read(ObjectType::Person, &ReadRequest::default(), &mut Refusing)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Sink(ref m) if m == "disk full"),
        "{err}"
    );
}

#[tokio::test]
async fn an_object_not_set_up_is_a_config_error() {
    let portal = Portal::new(1, 0);
    let connector =
        portal.connector("[[objects]]\nobject = \"company\"\ntable = \"accounts\"\nid = \"id\"\n");
    let err = connector.describe(ObjectType::Person).await.unwrap_err();
    assert!(
        err.to_string().contains("no table is set up for person"),
        "{err}"
    );
}
