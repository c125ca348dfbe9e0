//! SQL databases: SQLite files and PostgreSQL servers, read table by table (or view by view)
//! into people and companies.
//!
//! [`SqlSettings`] say which table holds each object and what its columns mean. A read pages
//! through a table by its id (by `updated_at, id` when incremental), 1,000 rows a page, each
//! page ending in a resume token. Every non-NULL column becomes a field: integers in decimal,
//! reals in their shortest form, booleans `true`/`false`, timestamp columns as RFC 3339 (as
//! written when they do not parse), other values as the database writes them as text.
//! Binary columns are never read: left out of an unmapped table, refused when mapped, and a
//! stray binary value in SQLite is a problem on its record.
//!
//! Identifiers come from the user's settings: they are validated as plain SQL names and
//! quoted; values are always bound parameters. Both databases are only ever read: SQLite
//! opens read-only, PostgreSQL sessions are `default_transaction_read_only`.

mod plan;
mod postgres;
mod query;
mod reader;
mod settings;
mod sqlite;

pub use postgres::{PostgresConnector, postgres};
pub use settings::{SqlAssociation, SqlObject, SqlSettings};
pub use sqlite::{SqliteConnector, sqlite};
