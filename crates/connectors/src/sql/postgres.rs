//! A PostgreSQL database, over one connection opened by [`postgres`].
//!
//! TLS is not supported yet: Steward connects without it (`sslmode=disable`) and refuses a
//! URL that demands it. Use it on loopback or a trusted network; a server that only accepts
//! encrypted connections refuses with a message saying so.
//!
//! Every value is selected as `column::text`, in a session set to UTC and ISO dates: text is
//! the one form every PostgreSQL type has (numeric, enums, arrays, types from extensions)
//! without client-side decoders, and `timestamp`/`timestamptz` text parses exactly. Keyset
//! values go back as text cast to the column's own type, so a page boundary is exact even
//! at microseconds.

use std::time::Duration;

use async_trait::async_trait;
use steward_domain::{ObjectType, Timestamp};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Config, NoTls};

use super::plan::{Column, Kind, Plan};
use super::query::{self, Dialect, Param, Query};
use super::reader::{Cell, PageReader};
use super::settings::{SqlObject, SqlSettings, quote};
use crate::connector::{Connector, Context, PageSink, deliver};
use crate::credentials::Secret;
use crate::error::ConnectorError;
use crate::model::{Crosswalk, ReadRequest, SourceField};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// UTC and ISO so timestamps read back as one spelling; read-only so nothing Steward sends
/// can change the database.
const SESSION: &str =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET default_transaction_read_only = on";

/// Reads people and companies from tables or views of a PostgreSQL database.
pub struct PostgresConnector {
    ctx: Context,
    settings: SqlSettings,
    client: Client,
}

impl std::fmt::Debug for PostgresConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConnector")
            .field("system", &self.ctx.system_name)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Connects to the database at `url` (`postgres://user@host:port/db`; the password comes
/// from the keychain, never the URL).
pub async fn postgres(
    ctx: Context,
    url: &str,
    password: Option<&Secret>,
    settings: SqlSettings,
) -> Result<PostgresConnector, ConnectorError> {
    settings.validate()?;
    let config = config(url, password)?;
    if !is_local(&config) {
        tracing::warn!(system = %ctx.system_name, "connecting to PostgreSQL without TLS");
    }
    let client = connect(&ctx.system_name, &config, password.is_some()).await?;
    Ok(PostgresConnector {
        ctx,
        settings,
        client,
    })
}

/// The URL's settings with the password added. Refuses a password in the URL (it would sit
/// in plain text in the settings) and a demand for TLS (not supported yet).
fn config(url: &str, password: Option<&Secret>) -> Result<Config, ConnectorError> {
    let mut config: Config = url.parse().map_err(|e| {
        ConnectorError::config(format!(
            "the PostgreSQL URL is not valid ({}); write it as postgres://user@host:port/database",
            chain(&e)
        ))
    })?;
    if config.get_password().is_some() {
        return Err(ConnectorError::config(
            "the PostgreSQL URL holds a password; remove it from the URL and store it as the credential",
        ));
    }
    if config.get_ssl_mode() == SslMode::Require {
        return Err(ConnectorError::config(
            "Steward cannot connect to PostgreSQL over TLS yet; remove sslmode=require from the URL and connect over loopback or a trusted network",
        ));
    }
    if config.get_hosts().is_empty() || config.get_user().is_none() {
        return Err(ConnectorError::config(
            "the PostgreSQL URL needs a user and a host: postgres://user@host:port/database",
        ));
    }
    config.ssl_mode(SslMode::Disable);
    if let Some(password) = password {
        config.password(password.expose());
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("Steward");
    }
    Ok(config)
}

fn is_local(config: &Config) -> bool {
    config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => {
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    })
}

async fn connect(
    system: &str,
    config: &Config,
    password_given: bool,
) -> Result<Client, ConnectorError> {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| connect_error(system, &e, password_given))?;
    // The connection does the socket I/O; it ends when the client is dropped.
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "the PostgreSQL connection ended");
        }
    });
    client
        .batch_execute(SESSION)
        .await
        .map_err(|e| query_error(system, "the session settings".into(), &e))?;
    Ok(client)
}

impl PostgresConnector {
    /// The table's columns as the server resolves them (search path and all), matched
    /// against the settings.
    async fn plan(&self, settings: &SqlObject) -> Result<Plan, ConnectorError> {
        let sql = format!(
            "SELECT * FROM {} LIMIT 0",
            super::settings::quote_table(&settings.table)
        );
        let statement =
            self.client.prepare(&sql).await.map_err(|e| {
                self.failed(format!("{} ({})", settings.table, settings.object), &e)
            })?;
        let catalog: Vec<Column> = statement
            .columns()
            .iter()
            .map(|c| column(c.name(), c.type_()))
            .collect();
        Plan::resolve(settings, &catalog, false)
    }

    async fn fetch(
        &self,
        plan: &Plan,
        query: &Query,
        width: usize,
    ) -> Result<Vec<Vec<Cell>>, ConnectorError> {
        let params = text_params(&query.params)?;
        let rows = self
            .client
            .query(&query.sql, &as_sql(&params))
            .await
            .map_err(|e| self.failed(what(plan), &e))?;
        rows.iter()
            .map(|row| {
                (0..width)
                    .map(|i| {
                        let text: Option<String> = row.try_get(i)?;
                        Ok(text.map_or(Cell::Null, Cell::Text))
                    })
                    .collect()
            })
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(|e| self.failed(what(plan), &e))
    }

    async fn count(&self, plan: &Plan, query: &Query) -> Result<u64, ConnectorError> {
        let params = text_params(&query.params)?;
        let row = self
            .client
            .query_one(&query.sql, &as_sql(&params))
            .await
            .map_err(|e| self.failed(what(plan), &e))?;
        let counted: i64 = row.try_get(0).map_err(|e| self.failed(what(plan), &e))?;
        Ok(u64::try_from(counted).unwrap_or(0))
    }

    fn failed(&self, what: String, e: &tokio_postgres::Error) -> ConnectorError {
        query_error(&self.ctx.system_name, what, e)
    }
}

#[async_trait]
impl Connector for PostgresConnector {
    fn objects(&self) -> Vec<ObjectType> {
        self.settings.object_types()
    }

    fn crosswalks(&self) -> Vec<Crosswalk> {
        self.settings.crosswalks()
    }

    fn incremental(&self) -> bool {
        self.settings.incremental()
    }

    async fn healthcheck(&self) -> Result<(), ConnectorError> {
        for settings in &self.settings.objects {
            let plan = self.plan(settings).await?;
            self.client
                .query(&query::probe(&plan, &Postgres), &[])
                .await
                .map_err(|e| self.failed(what(&plan), &e))?;
        }
        Ok(())
    }

    async fn describe(&self, object: ObjectType) -> Result<Vec<SourceField>, ConnectorError> {
        let plan = self.plan(self.settings.object(object)?).await?;
        Ok(plan.describe())
    }

    async fn count(
        &self,
        object: ObjectType,
        since: Option<Timestamp>,
    ) -> Result<Option<u64>, ConnectorError> {
        let plan = self.plan(self.settings.object(object)?).await?;
        let query = query::count(&plan, since, &Postgres);
        self.count(&plan, &query).await.map(Some)
    }

    async fn read(
        &self,
        object: ObjectType,
        request: &ReadRequest,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        let plan = self.plan(self.settings.object(object)?).await?;
        let mut reader = PageReader::new(plan, self.ctx.system_id, request)?;
        if let Some(query) = reader.rows_without_id(&Postgres) {
            let missing = self.count(reader.plan(), &query).await?;
            reader.note_rows_without_id(missing);
        }
        while let Some(query) = reader.next_query(&Postgres) {
            self.ctx.check_cancelled()?;
            let rows = self.fetch(reader.plan(), &query, reader.width()).await?;
            if let Some(page) = reader.accept(rows)? {
                deliver(sink, object, page)?;
            }
        }
        Ok(())
    }
}

/// PostgreSQL's SQL: every value read as text, every bound value text cast to its column's
/// type.
struct Postgres;

impl Dialect for Postgres {
    fn project(&self, column: &Column) -> String {
        format!("{}::text", quote(&column.name))
    }

    fn bind(&self, n: usize, column: &Column) -> String {
        format!("CAST(${n}::text AS {})", column.cast)
    }
}

fn column(name: &str, ty: &Type) -> Column {
    let kind = if *ty == Type::TIMESTAMP || *ty == Type::TIMESTAMPTZ {
        Kind::Timestamp
    } else if *ty == Type::BYTEA {
        Kind::Binary
    } else {
        Kind::Text
    };
    Column {
        name: name.to_owned(),
        sql_type: ty.name().to_owned(),
        kind,
        cast: format!("{}.{}", quote(ty.schema()), quote(ty.name())),
    }
}

/// Every bound value as text: keys are the columns' own text forms, the lower bound of an
/// incremental read is RFC 3339, which `timestamp`, `timestamptz` and `date` all accept.
fn text_params(params: &[Param]) -> Result<Vec<String>, ConnectorError> {
    params
        .iter()
        .map(|param| match param {
            Param::Key(key) => key.to_text().ok_or_else(|| {
                ConnectorError::config(
                    "the resume point was not made by this database; read again from the start",
                )
            }),
            Param::Since(at) => Ok(at.to_rfc3339()),
        })
        .collect()
}

fn as_sql(params: &[String]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn what(plan: &Plan) -> String {
    format!("{} ({})", plan.table, plan.object)
}

/// Only the server's message and code: its DETAIL can quote a row's values.
fn query_error(system: &str, what: String, e: &tokio_postgres::Error) -> ConnectorError {
    if let Some(db) = e.as_db_error() {
        let reason = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        let code = db.code();
        if [
            SqlState::UNDEFINED_TABLE,
            SqlState::UNDEFINED_COLUMN,
            SqlState::INVALID_SCHEMA_NAME,
        ]
        .contains(code)
        {
            return ConnectorError::config(format!("{what}: {reason}"));
        }
        return ConnectorError::Source { what, reason };
    }
    if is_transport(e) {
        return ConnectorError::Unreachable {
            system: system.to_owned(),
            reason: chain(e),
        };
    }
    ConnectorError::Source {
        what,
        reason: chain(e),
    }
}

fn connect_error(system: &str, e: &tokio_postgres::Error, password_given: bool) -> ConnectorError {
    let system = system.to_owned();
    let Some(db) = e.as_db_error() else {
        let reason = chain(e);
        if !password_given && reason.contains("password missing") {
            return ConnectorError::Unauthorized {
                system,
                how: "password authentication failed for the user in the URL".into(),
            };
        }
        return ConnectorError::Unreachable { system, reason };
    };
    let message = db.message();
    match db.code() {
        c if *c == SqlState::INVALID_PASSWORD => ConnectorError::Unauthorized {
            system,
            how: "password authentication failed for the user in the URL".into(),
        },
        c if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            ConnectorError::config(format!(
                "{system} refused the connection ({message}); check the user and database in the URL. Steward connects without TLS, so the server must accept unencrypted connections from this computer"
            ))
        }
        c if *c == SqlState::INVALID_CATALOG_NAME => ConnectorError::config(format!(
            "{system}: {message}; check the database in the URL"
        )),
        c => ConnectorError::Unreachable {
            system,
            reason: format!("{message} (SQLSTATE {})", c.code()),
        },
    }
}

fn is_transport(e: &tokio_postgres::Error) -> bool {
    use std::error::Error as _;
    e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>())
}

/// An error and its causes: tokio-postgres keeps the useful part ("Connection refused") in
/// the cause. Only for errors that are not the server's (those can quote values).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tokio_util::sync::CancellationToken;

    fn settings() -> SqlSettings {
        SqlSettings::from_toml(
            "[[objects]]\nobject = \"company\"\ntable = \"accounts\"\nid = \"id\"\n",
        )
        .unwrap()
    }

    fn ctx() -> Context {
        Context {
            system_id: 1,
            system_name: "portal".into(),
            cancel: CancellationToken::new(),
        }
    }

    async fn error(url: &str) -> String {
        postgres(ctx(), url, None, settings())
            .await
            .unwrap_err()
            .to_string()
    }

    #[tokio::test]
    async fn a_url_with_a_password_or_tls_is_refused_before_connecting() {
        let err = error("postgres://steward:hunter2@127.0.0.1:1/db").await;
        assert!(err.contains("holds a password"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let err = error("postgres://steward@127.0.0.1:1/db?sslmode=require").await;
        assert!(err.contains("over TLS"), "{err}");
        let err = error("postgres://127.0.0.1:1/db").await;
        assert!(err.contains("needs a user and a host"), "{err}");
        let err = error("mysql://x").await;
        assert!(err.contains("URL is not valid"), "{err}");
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let password = Secret::new("s3cret-pw").unwrap();
        let url = format!("postgres://steward@127.0.0.1:{port}/db");
        let err = postgres(ctx(), &url, Some(&password), settings())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Unreachable { reason, .. } if reason.contains("refused")),
            "{err:?}"
        );
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn keyset_values_go_back_as_text_cast_to_the_column_type() {
        let column = column("updated_at", &Type::TIMESTAMPTZ);
        assert_eq!(column.kind, Kind::Timestamp);
        assert_eq!(
            Postgres.bind(2, &column),
            "CAST($2::text AS \"pg_catalog\".\"timestamptz\")"
        );
        assert_eq!(Postgres.project(&column), "\"updated_at\"::text");
        assert_eq!(super::column("photo", &Type::BYTEA).kind, Kind::Binary);
    }
}
