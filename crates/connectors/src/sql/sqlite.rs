//! A SQLite database file, opened read-only. rusqlite is synchronous, so every call runs on
//! a blocking thread; a read streams its pages back through a channel of one page, which
//! also holds the reading thread back while the sink stores a page.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OpenFlags};
use steward_domain::{ObjectType, Timestamp};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::plan::{Column, Kind, Plan};
use super::query::{self, Dialect, Key, Param, Query};
use super::reader::{Cell, PageReader};
use super::settings::{SqlObject, SqlSettings, quote, quote_table};
use crate::connector::{Connector, Context, PageSink, deliver};
use crate::error::ConnectorError;
use crate::model::{Crosswalk, Page, ReadRequest, SourceField};

/// How long a read waits for a writer's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads people and companies from tables of a SQLite file.
#[derive(Debug)]
pub struct SqliteConnector {
    ctx: Context,
    path: PathBuf,
    settings: SqlSettings,
}

/// A connector to the SQLite database at `path`. Nothing is opened until it is used.
pub fn sqlite(ctx: Context, path: PathBuf, settings: SqlSettings) -> SqliteConnector {
    SqliteConnector {
        ctx,
        path,
        settings,
    }
}

impl SqliteConnector {
    /// Runs `work` on a blocking thread against a fresh read-only connection.
    async fn with_db<T, F>(&self, object: ObjectType, work: F) -> Result<T, ConnectorError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &SqlObject) -> Result<T, ConnectorError> + Send + 'static,
    {
        let settings = self.settings.object(object)?.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || work(&open(&path)?, &settings))
            .await
            .map_err(|e| ConnectorError::source("the SQLite database", e))?
    }
}

#[async_trait]
impl Connector for SqliteConnector {
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
        self.settings.validate()?;
        for object in self.objects() {
            self.with_db(object, |db, settings| {
                let plan = plan(db, settings)?;
                db.prepare(&query::probe(&plan, &Sqlite))
                    .and_then(|mut statement| statement.query([]).map(|_| ()))
                    .map_err(|e| failed(&plan, e))
            })
            .await?;
        }
        Ok(())
    }

    async fn describe(&self, object: ObjectType) -> Result<Vec<SourceField>, ConnectorError> {
        self.with_db(object, |db, settings| Ok(plan(db, settings)?.describe()))
            .await
    }

    async fn count(
        &self,
        object: ObjectType,
        since: Option<Timestamp>,
    ) -> Result<Option<u64>, ConnectorError> {
        self.with_db(object, move |db, settings| {
            let plan = plan(db, settings)?;
            count(db, &plan, &query::count(&plan, since, &Sqlite)).map(Some)
        })
        .await
    }

    async fn read(
        &self,
        object: ObjectType,
        request: &ReadRequest,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        let settings = self.settings.object(object)?.clone();
        let (pages, mut received) = mpsc::channel(1);
        let (path, request) = (self.path.clone(), request.clone());
        let (system_id, cancel) = (self.ctx.system_id, self.ctx.cancel.clone());
        let producer = tokio::task::spawn_blocking(move || {
            let produced = open(&path).and_then(|db| {
                let reader = PageReader::new(plan(&db, &settings)?, system_id, &request)?;
                produce(&db, reader, &cancel, &pages)
            });
            if let Err(e) = produced {
                // Nobody is left to tell when the receiver is gone: the read has stopped.
                let _ = pages.blocking_send(Err(e));
            }
        });
        while let Some(page) = received.recv().await {
            self.ctx.check_cancelled()?;
            deliver(sink, object, page?)?;
        }
        producer
            .await
            .map_err(|e| ConnectorError::source("the SQLite database", e))
    }
}

/// Runs a read's queries, sending each page; stops quietly when the receiver has gone.
fn produce(
    db: &Connection,
    mut reader: PageReader,
    cancel: &CancellationToken,
    pages: &mpsc::Sender<Result<Page, ConnectorError>>,
) -> Result<(), ConnectorError> {
    if let Some(query) = reader.rows_without_id(&Sqlite) {
        reader.note_rows_without_id(count(db, reader.plan(), &query)?);
    }
    while let Some(query) = reader.next_query(&Sqlite) {
        if cancel.is_cancelled() {
            return Err(ConnectorError::Cancelled);
        }
        let rows = fetch(db, reader.plan(), &query, reader.width())?;
        if let Some(page) = reader.accept(rows)?
            && pages.blocking_send(Ok(page)).is_err()
        {
            return Ok(());
        }
    }
    Ok(())
}

/// SQLite's SQL: columns as they are, values bound natively.
struct Sqlite;

impl Dialect for Sqlite {
    fn project(&self, column: &Column) -> String {
        quote(&column.name)
    }

    fn bind(&self, n: usize, _column: &Column) -> String {
        format!("?{n}")
    }

    /// SQLite has no timestamp type: instants are usually ISO 8601 text, which sorts like
    /// time. Values that are not (numbers, other text) cannot be compared with the bound, so
    /// they are always read rather than silently skipped.
    fn changed_since(&self, column: &Column, bound: &str) -> String {
        let c = quote(&column.name);
        format!(
            "({c} >= {bound} OR NOT (typeof({c}) = 'text' AND {c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'))"
        )
    }
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Key(Key::Int(i)) => ToSqlOutput::from(*i),
            Self::Key(Key::Real(r)) => ToSqlOutput::from(*r),
            Self::Key(Key::Text(t)) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Self::Key(Key::RawText(b)) => ToSqlOutput::Borrowed(ValueRef::Text(b)),
            Self::Key(Key::Blob(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Self::Since(at) => ToSqlOutput::Owned(Value::Text(since_text(*at))),
        })
    }
}

/// The bound of an incremental read in SQLite's own datetime format, floored to the second:
/// `2025-01-02 03:04:05` sorts at or before every spelling of that second (`.000`, `.5`,
/// `T03:04:05Z`), so a row is never missed for how its time is written; at worst a second's
/// worth of rows is read again.
fn since_text(at: Timestamp) -> String {
    let text = at.to_rfc3339();
    text.get(..19).unwrap_or(&text).replace('T', " ")
}

fn open(path: &Path) -> Result<Connection, ConnectorError> {
    if !path.is_file() {
        return Err(ConnectorError::config(format!(
            "there is no SQLite database at {}; check the path",
            path.display()
        )));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let opened = Connection::open_with_flags(path, flags)
        .and_then(|db| db.busy_timeout(BUSY_TIMEOUT).map(|()| db));
    opened.map_err(|e| ConnectorError::source(format!("the SQLite database {}", path.display()), e))
}

/// The table's columns as SQLite declares them, matched against the settings.
fn plan(db: &Connection, settings: &SqlObject) -> Result<Plan, ConnectorError> {
    let (schema, table) = match settings.table.split_once('.') {
        Some((schema, table)) => (format!("{}.", quote(schema)), table),
        None => (String::new(), settings.table.as_str()),
    };
    let sql = format!("PRAGMA {schema}table_info({})", quote(table));
    let failed = |e: rusqlite::Error| {
        ConnectorError::source(
            format!("the columns of {}", quote_table(&settings.table)),
            e,
        )
    };
    let mut statement = db.prepare(&sql).map_err(failed)?;
    let catalog = statement
        .query_map([], |row| {
            let name: String = row.get("name")?;
            let sql_type: String = row.get("type")?;
            Ok(column(name, sql_type))
        })
        .and_then(Iterator::collect::<rusqlite::Result<Vec<Column>>>)
        .map_err(failed)?;
    Plan::resolve(settings, &catalog, true)
}

/// SQLite's affinity rules, roughly: `TIME` in a declared type (DATETIME, TIMESTAMP) marks an
/// instant, `BOOL` a 0/1 truth value, `BLOB` bytes; anything else may hold anything and is
/// read as it comes.
fn column(name: String, sql_type: String) -> Column {
    let upper = sql_type.to_ascii_uppercase();
    let kind = if upper.contains("TIME") {
        Kind::Timestamp
    } else if upper.contains("BOOL") {
        Kind::Boolean
    } else if upper.contains("BLOB") {
        Kind::Binary
    } else {
        Kind::Text
    };
    let sql_type = if sql_type.is_empty() {
        "ANY".to_owned()
    } else {
        sql_type
    };
    Column {
        name,
        sql_type,
        kind,
        cast: String::new(),
    }
}

fn count(db: &Connection, plan: &Plan, query: &Query) -> Result<u64, ConnectorError> {
    let counted: i64 = db
        .query_row(
            &query.sql,
            rusqlite::params_from_iter(&query.params),
            |row| row.get(0),
        )
        .map_err(|e| failed(plan, e))?;
    Ok(u64::try_from(counted).unwrap_or(0))
}

fn fetch(
    db: &Connection,
    plan: &Plan,
    query: &Query,
    width: usize,
) -> Result<Vec<Vec<Cell>>, ConnectorError> {
    let run = || -> rusqlite::Result<Vec<Vec<Cell>>> {
        let mut statement = db.prepare_cached(&query.sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(&query.params))?;
        let mut cells = Vec::new();
        while let Some(row) = rows.next()? {
            let row = (0..width)
                .map(|i| row.get_ref(i).map(cell))
                .collect::<rusqlite::Result<Vec<Cell>>>()?;
            cells.push(row);
        }
        Ok(cells)
    };
    run().map_err(|e| failed(plan, e))
}

fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Cell::Text(text.to_owned()),
            Err(_) => Cell::RawText(bytes.to_vec()),
        },
        ValueRef::Blob(bytes) => Cell::Blob(bytes.to_vec()),
    }
}

/// SQLite's messages name tables and columns, never values.
fn failed(plan: &Plan, e: rusqlite::Error) -> ConnectorError {
    ConnectorError::source(format!("{} ({})", plan.table, plan.object), e)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
