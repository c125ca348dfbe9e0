//! The PostgreSQL connector against a real server. The test scripts start one on loopback
//! (`start_test_postgres` in scripts/lib.sh: trust auth, user `steward`) and set
//! `STEWARD_TEST_POSTGRES` to its URL; elsewhere these tests skip, unless
//! `STEWARD_REQUIRE_POSTGRES` is set, which makes a missing server a failure.
//!
//! Each test loads the sandbox portal's schema into a schema of its own and reads it through
//! schema-qualified table names.

#![allow(clippy::unwrap_used)] // a test should fail loudly at the first surprise

use steward_connectors::sql::{PostgresConnector, SqlSettings, postgres};
use steward_connectors::{
    Connector, ConnectorError, Context, Page, PageSink, ReadRequest, Secret, SourceField,
};
use steward_domain::{Association, ObjectType, Record, Timestamp};
use tokio_util::sync::CancellationToken;

const PORTAL_SCHEMA: &str = include_str!("fixtures/portal-schema.sql");

/// 2,500 accounts (every third without a CRM id; account n updated at minute 2500 - n of
/// 2025) and 2,500 users (every other never logged in), as the sandbox writes them.
const PORTAL_ROWS: &str = "
INSERT INTO accounts
SELECT g,
       CASE WHEN g % 3 <> 0 THEN 9000 + g END,
       'Account ' || g,
       CASE WHEN g % 2 = 0 THEN 'closed' ELSE 'active' END,
       '2025-01-01 00:00:00.000'::timestamp - g * interval '1 minute',
       '2025-01-01 00:00:00.000'::timestamp + (2500 - g) * interval '1 minute'
FROM generate_series(1, 2500) g;
INSERT INTO users
SELECT g, 1 + g % 2500, 'user' || g || '@example.test', 'User ' || g,
       '2025-01-01 00:00:00.000'::timestamp + g * interval '1 minute',
       CASE WHEN g % 2 = 0 THEN '2025-01-01 00:00:00.000'::timestamp + g * interval '1 minute' END
FROM generate_series(1, 2500) g;
";

/// A schema of one test's own, dropped when the test ends well.
struct Schema {
    url: String,
    name: String,
    admin: tokio_postgres::Client,
}

impl Schema {
    async fn new() -> Option<Self> {
        let Ok(url) = std::env::var("STEWARD_TEST_POSTGRES") else {
            assert!(
                std::env::var_os("STEWARD_REQUIRE_POSTGRES").is_none(),
                "STEWARD_TEST_POSTGRES is required here"
            );
            eprintln!("skipped: no PostgreSQL server here; the test scripts provide one");
            return None;
        };
        let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let name = format!("steward_test_{}", uuid::Uuid::new_v4().simple());
        admin
            .batch_execute(&format!(
                "CREATE SCHEMA {name}; SET search_path TO {name}; {PORTAL_SCHEMA} {PORTAL_ROWS}"
            ))
            .await
            .unwrap();
        Some(Self { url, name, admin })
    }

    fn settings(&self) -> String {
        include_str!("fixtures/portal.toml")
            .replace("SCHEMA.", &format!("{}.", self.name))
            .replace("\"accounts\"", &format!("\"{}.accounts\"", self.name))
    }

    async fn connect(&self, settings: &str) -> Result<PostgresConnector, ConnectorError> {
        postgres(
            ctx(),
            &self.url,
            None,
            SqlSettings::from_toml(settings).unwrap(),
        )
        .await
    }

    async fn connector(&self) -> PostgresConnector {
        self.connect(&self.settings()).await.unwrap()
    }

    async fn drop(self) {
        self.admin
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await
            .unwrap();
    }
}

fn ctx() -> Context {
    Context {
        system_id: 4,
        system_name: "portal".into(),
        cancel: CancellationToken::new(),
    }
}

#[derive(Default)]
struct Pages(Vec<Page>);

impl PageSink for Pages {
    fn accept(&mut self, _object: ObjectType, page: Page) -> Result<(), String> {
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

    fn sizes(&self) -> Vec<usize> {
        self.0.iter().map(|p| p.records.len()).collect()
    }
}

async fn read(connector: &PostgresConnector, object: ObjectType, request: ReadRequest) -> Pages {
    let mut pages = Pages::default();
    connector.read(object, &request, &mut pages).await.unwrap();
    pages
}

fn minute(n: i64) -> Timestamp {
    Timestamp::from_millis(1_735_689_600_000 + n * 60_000)
}

fn ids(range: impl Iterator<Item = i64>) -> Vec<String> {
    range.map(|i| i.to_string()).collect()
}

#[tokio::test]
async fn reads_the_portal_in_pages_and_resumes() {
    let Some(schema) = Schema::new().await else {
        return;
    };
    let connector = schema.connector().await;
    connector.healthcheck().await.unwrap();
    let pages = read(&connector, ObjectType::Company, ReadRequest::default()).await;
    assert_eq!(pages.sizes(), [1000, 1000, 500]);
    assert_eq!(pages.ids(), ids(1..=2500));
    let first = pages.records()[0];
    assert_eq!(first.key.system_id, 4);
    assert_eq!(first.created_at, Some(minute(-1)));
    assert_eq!(first.updated_at, Some(minute(2499)));
    assert_eq!(first.fields["crm_company_id"].value, "9001");
    assert_eq!(first.fields["created_at"].value, "2024-12-31T23:59:00.000Z");
    assert_eq!(first.fields["name"].modified_at, Some(minute(2499)));
    assert!(
        !pages.records()[2].fields.contains_key("crm_company_id"),
        "NULL is no field"
    );
    assert!(pages.0.iter().all(|p| p.problems.is_empty()));

    let rest = read(
        &connector,
        ObjectType::Company,
        ReadRequest {
            since: None,
            resume: pages.0[0].resume.clone(),
            ..ReadRequest::default()
        },
    )
    .await;
    assert_eq!(rest.ids(), ids(1001..=2500));
    assert_eq!(
        connector.count(ObjectType::Company, None).await.unwrap(),
        Some(2500)
    );
    schema.drop().await;
}

#[tokio::test]
async fn an_incremental_read_takes_changes_in_update_order() {
    let Some(schema) = Schema::new().await else {
        return;
    };
    let connector = schema.connector().await;
    let since = ReadRequest {
        since: Some(minute(1000)),
        resume: None,
        ..ReadRequest::default()
    };
    let pages = read(&connector, ObjectType::Company, since.clone()).await;
    assert_eq!(pages.ids(), ids((1..=1500).rev()));
    assert_eq!(pages.sizes(), [1000, 500]);
    assert_eq!(
        connector
            .count(ObjectType::Company, Some(minute(1000)))
            .await
            .unwrap(),
        Some(1500)
    );
    let rest = read(
        &connector,
        ObjectType::Company,
        ReadRequest {
            resume: pages.0[0].resume.clone(),
            ..since
        },
    )
    .await;
    assert_eq!(rest.ids(), ids((1..=500).rev()));
    schema.drop().await;
}

#[tokio::test]
async fn people_carry_their_company_and_mapped_fields() {
    let Some(schema) = Schema::new().await else {
        return;
    };
    let connector = schema.connector().await;
    assert_eq!(connector.crosswalks()[0].field, "crm_company_id");
    assert!(!connector.incremental());
    let pages = read(&connector, ObjectType::Person, ReadRequest::default()).await;
    assert_eq!(pages.ids(), ids(1..=2500));
    let (first, second) = (pages.records()[0], pages.records()[1]);
    assert_eq!(
        first.associations.iter().collect::<Vec<_>>(),
        [&Association {
            object: ObjectType::Company,
            external_id: "2".into()
        }]
    );
    let names: Vec<&str> = first.fields.keys().map(String::as_str).collect();
    assert_eq!(names, ["email", "name"]);
    assert_eq!(first.fields["email"].value, "user1@example.test");
    assert_eq!(
        second.fields["last_login"].value,
        "2025-01-01T00:02:00.000Z"
    );
    let described = connector.describe(ObjectType::Person).await.unwrap();
    assert_eq!(
        described[2],
        SourceField {
            name: "last_login".into(),
            label: "last_login_at".into(),
            value_type: "timestamp".into(),
            read_only: false
        }
    );
    schema.drop().await;
}

#[tokio::test]
async fn postgres_types_render_as_text_and_pages_are_exact_to_the_microsecond() {
    let Some(schema) = Schema::new().await else {
        return;
    };
    // 2,100 events within seven microseconds of one another: page boundaries fall inside
    // runs of equal milliseconds, and one event happened at infinity.
    schema
        .admin
        .batch_execute(&format!(
            "SET search_path TO {0};
             CREATE TABLE events (
                 id TEXT PRIMARY KEY, changed TIMESTAMPTZ, flag BOOLEAN, amount NUMERIC(10, 2),
                 ratio FLOAT8, photo BYTEA, tags TEXT[]);
             INSERT INTO events
             SELECT 'e' || lpad(g::text, 5, '0'),
                    '2025-01-01 00:00:00+00'::timestamptz + (g % 7) * interval '1 microsecond',
                    g % 2 = 0, g + 0.5, g / 2.0, '\\x00ff', ARRAY['a', 'b']
             FROM generate_series(1, 2100) g;
             UPDATE events SET changed = 'infinity' WHERE id = 'e00007';
             CREATE VIEW loose AS SELECT NULL::text AS id UNION ALL SELECT 'x';",
            schema.name
        ))
        .await
        .unwrap();
    let settings = format!(
        "[[objects]]\nobject = \"person\"\ntable = \"{0}.events\"\nid = \"id\"\nupdated_at = \"changed\"\n\
         [[objects]]\nobject = \"company\"\ntable = \"{0}.loose\"\nid = \"id\"\n",
        schema.name
    );
    let password = Secret::new("ignored-by-trust").unwrap();
    let connector = postgres(
        ctx(),
        &schema.url,
        Some(&password),
        SqlSettings::from_toml(&settings).unwrap(),
    )
    .await
    .unwrap();
    assert!(!connector.incremental(), "the view has no updated_at");
    let since = ReadRequest {
        since: Some(Timestamp::from_millis(1_735_689_600_000)),
        resume: None,
        ..ReadRequest::default()
    };
    let pages = read(&connector, ObjectType::Person, since).await;
    assert_eq!(pages.sizes(), [1000, 1000, 100]);
    let mut seen = pages.ids();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 2100, "every event exactly once");
    // Ordered by (changed, id): e00007 moved to infinity, so e00014 comes first.
    let first = pages.records()[0];
    let values: Vec<String> = first
        .fields
        .iter()
        .map(|(k, v)| format!("{k}={}", v.value))
        .collect();
    assert_eq!(
        values,
        [
            "amount=14.50",
            "changed=2025-01-01T00:00:00.000Z",
            "flag=true",
            "id=e00014",
            "ratio=7",
            "tags={a,b}",
        ],
        "numeric as written, float8 shortest, bytea left out"
    );
    let infinite = pages
        .records()
        .into_iter()
        .find(|r| r.key.external_id == "e00007")
        .unwrap();
    assert_eq!(infinite.updated_at, None);
    assert_eq!(infinite.fields["changed"].value, "infinity");
    assert_eq!(infinite.fields["amount"].value, "7.50");
    assert_eq!(infinite.fields["flag"].value, "false");
    assert_eq!(infinite.fields["ratio"].value, "3.5");
    assert_eq!(infinite.fields["tags"].value, "{a,b}");
    assert!(
        !infinite.fields.contains_key("photo"),
        "binary is never read"
    );
    let problems: Vec<_> = pages.0.iter().flat_map(|p| &p.problems).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].locator, "id e00007");
    assert_eq!(problems[0].field.as_deref(), Some("changed"));
    let regular = pages
        .records()
        .into_iter()
        .find(|r| r.key.external_id == "e00008")
        .unwrap();
    assert_eq!(regular.fields["changed"].value, "2025-01-01T00:00:00.000Z");
    assert_eq!(regular.fields["flag"].value, "true");
    assert_eq!(regular.fields["ratio"].value, "4");

    let loose = read(&connector, ObjectType::Company, ReadRequest::default()).await;
    assert_eq!(loose.ids(), ["x"]);
    assert_eq!(loose.0[0].problems[0].locator, "1 row");
    schema.drop().await;
}

#[tokio::test]
async fn misspelt_settings_are_named() {
    let Some(schema) = Schema::new().await else {
        return;
    };
    let connector = schema
        .connect(&schema.settings().replace("full_name = ", "fullname = "))
        .await
        .unwrap();
    let err = connector.healthcheck().await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Config(m) if m.contains("no column `fullname`")),
        "{err}"
    );
    let connector = schema
        .connect(&schema.settings().replace(".users", ".people"))
        .await
        .unwrap();
    let err = connector.describe(ObjectType::Person).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Config(m) if m.contains("does not exist")),
        "{err}"
    );
    // A database that is not there is named, and is a settings problem.
    let (base, _) = schema.url.rsplit_once('/').unwrap();
    let err = postgres(
        ctx(),
        &format!("{base}/no_such_db"),
        None,
        SqlSettings::from_toml(&schema.settings()).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Config(m) if m.contains("no_such_db")),
        "{err}"
    );
    schema.drop().await;
}
