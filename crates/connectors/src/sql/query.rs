//! The SQL a read runs: keyset pages ordered by id (or by `updated_at, id` for incremental
//! reads), and the resume token that names where a page ended.
//!
//! Keyset rather than OFFSET: each page is an index range, so page 1,000 costs what page 1
//! does, and rows inserted meanwhile neither shift nor repeat later pages.

use serde::{Deserialize, Serialize};
use steward_domain::Timestamp;

use super::plan::{Column, Plan};
use super::settings::quote;
use crate::error::ConnectorError;
use crate::model::ReadRequest;

pub(crate) const PAGE_SIZE: usize = 1000;

/// One sort-key value as the database holds it. SQLite keys keep their storage class, since
/// it decides their order; PostgreSQL keys are the column's exact text form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Key {
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    /// Text that is not UTF-8 (SQLite does not check).
    RawText(Vec<u8>),
}

impl Key {
    /// The key as text, for a database that binds every key as text.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Self::Int(i) => Some(i.to_string()),
            Self::Real(r) => Some(r.to_string()),
            Self::Text(t) => Some(t.clone()),
            Self::Blob(_) | Self::RawText(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Order {
    Id,
    UpdatedAt,
}

/// What a resume token holds. Opaque to callers; versioned so a later format can refuse it.
#[derive(Debug, Serialize, Deserialize)]
struct Token {
    v: u8,
    by: Order,
    after: Vec<Key>,
}

const TOKEN_VERSION: u8 = 1;

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Key(Key),
    /// The lower bound of an incremental read.
    Since(Timestamp),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<Param>,
}

/// Where the SQL of two databases differs.
pub(crate) trait Dialect {
    /// The SELECT expression for a column.
    fn project(&self, column: &Column) -> String;
    /// The `n`th bound value, compared with `column`.
    fn bind(&self, n: usize, column: &Column) -> String;
    /// Rows whose `column` is at or after the bound instant.
    fn changed_since(&self, column: &Column, bound: &str) -> String {
        format!("{} >= {bound}", quote(&column.name))
    }
}

/// Where a read is: its order, its lower bound, and the key of the last row read.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    order: Order,
    since: Option<Timestamp>,
    after: Option<Vec<Key>>,
}

impl Cursor {
    /// A read by `updated_at, id` when it is incremental and the table has `updated_at`,
    /// by id otherwise; continuing after `request.resume` when given.
    pub fn new(plan: &Plan, request: &ReadRequest) -> Result<Self, ConnectorError> {
        let since = request.since.filter(|_| plan.updated_at.is_some());
        let order = if since.is_some() {
            Order::UpdatedAt
        } else {
            Order::Id
        };
        let after = match &request.resume {
            None => None,
            Some(token) => Some(decode(token, order)?),
        };
        Ok(Self {
            order,
            since,
            after,
        })
    }

    pub fn is_fresh(&self) -> bool {
        self.after.is_none()
    }

    /// Whether rows come in id order, so that rows sharing an id come one after another.
    pub fn by_id(&self) -> bool {
        self.order == Order::Id
    }

    pub fn after(&self) -> Option<&[Key]> {
        self.after.as_deref()
    }

    /// The select indices whose values make a row's sort key.
    pub fn key_columns(&self, plan: &Plan) -> Vec<usize> {
        match (self.order, plan.updated_at) {
            (Order::UpdatedAt, Some(updated)) => vec![updated, 0],
            _ => vec![0],
        }
    }

    /// Moves past a page whose last row had `key`; returns the token naming that point.
    pub fn advance(&mut self, key: Vec<Key>) -> Result<String, ConnectorError> {
        let token = Token {
            v: TOKEN_VERSION,
            by: self.order,
            after: key,
        };
        let text = serde_json::to_string(&token)
            .map_err(|e| ConnectorError::source("a resume point", e))?;
        self.after = Some(token.after);
        Ok(text)
    }

    /// The next page.
    pub fn page(&self, plan: &Plan, dialect: &dyn Dialect) -> Query {
        let mut sql = Sql::new(dialect);
        // Positional aliases, which no setting can spell: ORDER BY resolves a bare name to
        // an output column first, and `"id"::text` named `id` would sort ids as text.
        let columns: Vec<String> = plan
            .select
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{} AS \"{i}\"", dialect.project(&s.column)))
            .collect();
        sql.text = format!("SELECT {} FROM {}", columns.join(", "), plan.table);
        sql.text
            .push_str(&format!(" WHERE {} IS NOT NULL", id(plan)));
        sql.since(plan, self.since);
        if let Some(after) = &self.after {
            sql.after(plan, &self.key_columns(plan), after);
        }
        let order: Vec<String> = self
            .key_columns(plan)
            .iter()
            .map(|&i| quote(&plan.select[i].column.name))
            .collect();
        sql.text
            .push_str(&format!(" ORDER BY {} LIMIT {PAGE_SIZE}", order.join(", ")));
        sql.finish()
    }

    /// How many rows without an id the read leaves out.
    pub fn rows_without_id(&self, plan: &Plan, dialect: &dyn Dialect) -> Query {
        let mut sql = Sql::new(dialect);
        sql.text = format!(
            "SELECT count(*) FROM {} WHERE {} IS NULL",
            plan.table,
            id(plan)
        );
        sql.since(plan, self.since);
        sql.finish()
    }
}

/// How many rows a read would return.
pub(crate) fn count(plan: &Plan, since: Option<Timestamp>, dialect: &dyn Dialect) -> Query {
    let mut sql = Sql::new(dialect);
    sql.text = format!(
        "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
        plan.table,
        id(plan)
    );
    sql.since(plan, since.filter(|_| plan.updated_at.is_some()));
    sql.finish()
}

/// Selects every planned column and no row: proves the table, columns and privileges.
pub(crate) fn probe(plan: &Plan, dialect: &dyn Dialect) -> String {
    let columns: Vec<String> = plan
        .select
        .iter()
        .map(|s| dialect.project(&s.column))
        .collect();
    format!("SELECT {} FROM {} LIMIT 0", columns.join(", "), plan.table)
}

fn id(plan: &Plan) -> String {
    quote(&plan.select[0].column.name)
}

fn decode(token: &str, order: Order) -> Result<Vec<Key>, ConnectorError> {
    let stale = || {
        ConnectorError::config(
            "the resume point was made by another kind of read or another version of Steward; read again from the start",
        )
    };
    let token: Token = serde_json::from_str(token).map_err(|_| stale())?;
    let width = match order {
        Order::Id => 1,
        Order::UpdatedAt => 2,
    };
    if token.v != TOKEN_VERSION || token.by != order || token.after.len() != width {
        return Err(stale());
    }
    Ok(token.after)
}

/// A query being built, numbering its parameters as they are added.
struct Sql<'a> {
    dialect: &'a dyn Dialect,
    text: String,
    params: Vec<Param>,
}

impl<'a> Sql<'a> {
    fn new(dialect: &'a dyn Dialect) -> Self {
        Self {
            dialect,
            text: String::new(),
            params: Vec::new(),
        }
    }

    fn bind(&mut self, column: &Column, param: Param) -> String {
        self.params.push(param);
        self.dialect.bind(self.params.len(), column)
    }

    fn since(&mut self, plan: &Plan, since: Option<Timestamp>) {
        let (Some(since), Some(updated)) = (since, plan.updated_at) else {
            return;
        };
        let column = &plan.select[updated].column;
        let bound = self.bind(column, Param::Since(since));
        let condition = self.dialect.changed_since(column, &bound);
        self.text.push_str(&format!(
            " AND {} IS NOT NULL AND {condition}",
            quote(&column.name)
        ));
    }

    /// `(a, b) > (?, ?)`: a row-value comparison, which both databases answer from an index
    /// on the same columns.
    fn after(&mut self, plan: &Plan, key_columns: &[usize], after: &[Key]) {
        let mut names = Vec::new();
        let mut bounds = Vec::new();
        for (&i, key) in key_columns.iter().zip(after) {
            let column = &plan.select[i].column;
            names.push(quote(&column.name));
            bounds.push(self.bind(column, Param::Key(key.clone())));
        }
        self.text.push_str(&format!(
            " AND ({}) > ({})",
            names.join(", "),
            bounds.join(", ")
        ));
    }

    fn finish(self) -> Query {
        Query {
            sql: self.text,
            params: self.params,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sql::SqlSettings;
    use crate::sql::plan::Kind;

    struct Plain;

    impl Dialect for Plain {
        fn project(&self, column: &Column) -> String {
            quote(&column.name)
        }
        fn bind(&self, n: usize, _column: &Column) -> String {
            format!("?{n}")
        }
    }

    fn plan(updated_at: bool) -> Plan {
        let text = format!(
            "[[objects]]\nobject = \"company\"\ntable = \"accounts\"\nid = \"id\"\n{}fields = {{ name = \"name\" }}",
            if updated_at {
                "updated_at = \"updated_at\"\n"
            } else {
                ""
            }
        );
        let settings = SqlSettings::from_toml(&text).unwrap();
        let catalog: Vec<Column> = ["id", "name", "updated_at"]
            .iter()
            .map(|n| Column {
                name: (*n).into(),
                sql_type: String::new(),
                kind: Kind::Text,
                cast: String::new(),
            })
            .collect();
        Plan::resolve(&settings.objects[0], &catalog, false).unwrap()
    }

    fn since(millis: i64) -> ReadRequest {
        ReadRequest {
            since: Some(Timestamp::from_millis(millis)),
            resume: None,
            ..ReadRequest::default()
        }
    }

    #[test]
    fn a_full_read_pages_by_id() {
        let plan = plan(true);
        let mut cursor = Cursor::new(&plan, &ReadRequest::default()).unwrap();
        let first = cursor.page(&plan, &Plain);
        assert_eq!(
            first.sql,
            "SELECT \"id\" AS \"0\", \"updated_at\" AS \"1\", \"name\" AS \"2\" FROM \"accounts\" WHERE \"id\" IS NOT NULL ORDER BY \"id\" LIMIT 1000"
        );
        assert!(first.params.is_empty());
        let token = cursor.advance(vec![Key::Int(7)]).unwrap();
        let next = cursor.page(&plan, &Plain);
        assert!(
            next.sql.contains("AND (\"id\") > (?1) ORDER BY"),
            "{}",
            next.sql
        );
        assert_eq!(next.params, vec![Param::Key(Key::Int(7))]);
        let resumed = ReadRequest {
            since: None,
            resume: Some(token),
            ..ReadRequest::default()
        };
        assert_eq!(
            Cursor::new(&plan, &resumed).unwrap().page(&plan, &Plain),
            next
        );
    }

    #[test]
    fn an_incremental_read_pages_by_update_time_then_id() {
        let plan = plan(true);
        let mut cursor = Cursor::new(&plan, &since(5)).unwrap();
        cursor
            .advance(vec![Key::Text("2025-01-01".into()), Key::Int(3)])
            .unwrap();
        let page = cursor.page(&plan, &Plain);
        assert!(
            page.sql.ends_with(
                "WHERE \"id\" IS NOT NULL AND \"updated_at\" IS NOT NULL AND \"updated_at\" >= ?1 AND (\"updated_at\", \"id\") > (?2, ?3) ORDER BY \"updated_at\", \"id\" LIMIT 1000"
            ),
            "{}",
            page.sql
        );
        assert_eq!(page.params[0], Param::Since(Timestamp::from_millis(5)));
        let counted = count(&plan, Some(Timestamp::from_millis(5)), &Plain);
        assert!(
            counted.sql.contains("\"updated_at\" >= ?1"),
            "{}",
            counted.sql
        );
    }

    #[test]
    fn without_updated_at_since_reads_everything() {
        let plan = plan(false);
        let cursor = Cursor::new(&plan, &since(5)).unwrap();
        assert!(cursor.page(&plan, &Plain).params.is_empty());
        assert!(
            count(&plan, Some(Timestamp::from_millis(5)), &Plain)
                .params
                .is_empty()
        );
    }

    #[test]
    fn a_token_from_another_kind_of_read_is_refused() {
        let plan = plan(true);
        let mut cursor = Cursor::new(&plan, &ReadRequest::default()).unwrap();
        let by_id = cursor.advance(vec![Key::Int(7)]).unwrap();
        for token in [by_id, "garbage".to_owned(), String::new()] {
            let request = ReadRequest {
                resume: Some(token),
                ..since(5)
            };
            let err = Cursor::new(&plan, &request).unwrap_err().to_string();
            assert!(err.contains("read again from the start"), "{err}");
        }
    }
}
