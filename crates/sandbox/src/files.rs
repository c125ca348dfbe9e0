//! The spokes that are files: the events export (CSV), the SDR's sheet (XLSX) and the
//! customer portal's database (SQLite, plus the same schema and rows as SQL for PostgreSQL).

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use serde::Serialize;

use crate::clock::iso;
use crate::seed::spokes::{SDR_DEPRECATED_DAYS_BEFORE, Spokes};

/// Where each file went.
#[derive(Debug, Clone, Serialize)]
pub struct FilePaths {
    pub events_csv: PathBuf,
    pub sdr_xlsx: PathBuf,
    pub portal_sqlite: PathBuf,
    pub portal_postgres_sql: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing the SDR sheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the portal database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.to_owned(),
        source,
    }
}

pub const EVENTS_HEADER: &[&str] = &[
    "Registration ID",
    "First Name",
    "Last Name",
    "Email",
    "Company",
    "Job Title",
    "Country",
    "Registered At",
];

/// CSV as an events tool exports it: a BOM, CRLF line ends, quotes only where needed.
pub fn events_csv(spokes: &Spokes) -> Vec<u8> {
    fn cell(text: &str) -> String {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    }
    let mut out = String::from("\u{feff}");
    out.push_str(&EVENTS_HEADER.join(","));
    out.push_str("\r\n");
    for row in &spokes.events {
        out.push_str(
            &row.cells
                .iter()
                .map(|c| cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub const SDR_HEADER: &[&str] = &[
    "Company",
    "Contact",
    "Email",
    "Phone",
    "Status",
    "Last touched",
];

/// An SDR's personal sheet: a title block above the header (row 4), company names only on the
/// first row of each group, dates as real Excel dates.
pub fn sdr_xlsx(spokes: &Spokes, path: &Path) -> Result<(), FileError> {
    let mut workbook = Workbook::new();
    // A fixed creation time keeps the file the same bytes for the same seed.
    let created = ExcelDateTime::from_ymd(2025, 11, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("Sam (SDR)"),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name("Prospects")?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string_with_format(0, 0, "SDR prospect list (Sam)", &bold)?;
    sheet.write_string(
        1,
        0,
        format!("Please use the CRM instead: this sheet is being retired ({SDR_DEPRECATED_DAYS_BEFORE} days' notice given)."),
    )?;
    for (col, title) in SDR_HEADER.iter().enumerate() {
        sheet.write_string_with_format(3, u16::try_from(col).unwrap_or(0), *title, &bold)?;
    }
    for (i, row) in spokes.sdr.iter().enumerate() {
        let r = u32::try_from(4 + i).unwrap_or(u32::MAX);
        sheet.write_string(r, 0, &row.company)?;
        sheet.write_string(r, 1, &row.contact)?;
        sheet.write_string(r, 2, &row.email)?;
        sheet.write_string(r, 3, &row.phone)?;
        sheet.write_string(r, 4, &row.status)?;
        // Excel's serial date: days since 1899-12-30.
        let serial = (row.last_touched as f64) / 86_400_000.0 + 25_569.0;
        sheet.write_number_with_format(r, 5, serial.floor(), &date)?;
    }
    workbook.save(path)?;
    Ok(())
}

/// The portal's schema, in SQL both SQLite and PostgreSQL accept.
pub const PORTAL_SCHEMA: &str = "\
CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    crm_company_id BIGINT,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);
CREATE INDEX users_by_email ON users (email);
";

/// How Steward's SQL connector reads this schema (its `--config` file): accounts are
/// companies keeping the CRM company id, users are people belonging to an account. The demo
/// registers the portal with it, and the tests sync the portal with it.
pub const PORTAL_CONNECTOR_CONFIG: &str = r#"[[objects]]
object = "company"
table = "accounts"
id = "id"
created_at = "created_at"
updated_at = "updated_at"
crosswalk = "crm_company_id"

[[objects]]
object = "person"
table = "users"
id = "id"
created_at = "created_at"
association = { column = "account_id", object = "company" }
"#;

fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn sql_time(ms: i64) -> String {
    // `2025-01-02 03:04:05.678` parses as a timestamp in PostgreSQL and sorts in SQLite.
    sql_text(&iso(ms)[..23].replace('T', " "))
}

/// The schema and every row as SQL statements.
pub fn portal_sql(spokes: &Spokes) -> String {
    let mut sql = String::from("BEGIN;\n");
    sql.push_str(PORTAL_SCHEMA);
    for a in &spokes.portal_accounts {
        sql.push_str(&format!(
            "INSERT INTO accounts VALUES ({}, {}, {}, {}, {}, {});\n",
            a.id,
            a.crm_company_id.map_or("NULL".into(), |id| id.to_string()),
            sql_text(&a.name),
            sql_text(a.status),
            sql_time(a.created_at),
            sql_time(a.updated_at)
        ));
    }
    for u in &spokes.portal_users {
        sql.push_str(&format!(
            "INSERT INTO users VALUES ({}, {}, {}, {}, {}, {});\n",
            u.id,
            u.account_id,
            sql_text(&u.email),
            sql_text(&u.full_name),
            sql_time(u.created_at),
            u.last_login_at.map_or("NULL".into(), sql_time)
        ));
    }
    sql.push_str("COMMIT;\n");
    sql
}

/// The same schema and rows as [`portal_sql`], inserted through prepared statements: feeding
/// SQLite one big script costs time quadratic in its length.
fn portal_sqlite(spokes: &Spokes, path: &Path) -> Result<(), FileError> {
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    tx.execute_batch(PORTAL_SCHEMA)?;
    let time = |ms: i64| iso(ms)[..23].replace('T', " ");
    {
        let mut account = tx.prepare("INSERT INTO accounts VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for a in &spokes.portal_accounts {
            account.execute(rusqlite::params![
                i64::try_from(a.id).unwrap_or(i64::MAX),
                a.crm_company_id
                    .map(|id| i64::try_from(id).unwrap_or(i64::MAX)),
                a.name,
                a.status,
                time(a.created_at),
                time(a.updated_at)
            ])?;
        }
        let mut user = tx.prepare("INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
        for u in &spokes.portal_users {
            user.execute(rusqlite::params![
                i64::try_from(u.id).unwrap_or(i64::MAX),
                i64::try_from(u.account_id).unwrap_or(i64::MAX),
                u.email,
                u.full_name,
                time(u.created_at),
                u.last_login_at.map(time)
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Writes every file spoke into `dir` (made if missing), replacing earlier copies.
pub fn write_all(spokes: &Spokes, dir: &Path) -> Result<FilePaths, FileError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let paths = FilePaths {
        events_csv: dir.join("events-2025.csv"),
        sdr_xlsx: dir.join("sdr-prospects.xlsx"),
        portal_sqlite: dir.join("portal.sqlite"),
        portal_postgres_sql: dir.join("portal.sql"),
    };
    std::fs::write(&paths.events_csv, events_csv(spokes)).map_err(io(&paths.events_csv))?;
    sdr_xlsx(spokes, &paths.sdr_xlsx)?;
    let sql = portal_sql(spokes);
    std::fs::write(&paths.portal_postgres_sql, &sql).map_err(io(&paths.portal_postgres_sql))?;
    let _ = std::fs::remove_file(&paths.portal_sqlite);
    portal_sqlite(spokes, &paths.portal_sqlite)?;
    Ok(paths)
}
