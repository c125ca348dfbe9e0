//! Rows into records, page by page, the same for every database: the databases only run the
//! queries this hands out and return cells.

use std::collections::{BTreeMap, BTreeSet};

use steward_domain::{Association, FieldValue, Record, RecordKey, Timestamp};

use super::plan::{Kind, Plan};
use super::query::{Cursor, Dialect, Key, PAGE_SIZE, Query};
use crate::error::ConnectorError;
use crate::model::{Page, ReadRequest, RecordProblem};
use crate::values::{DateOrder, parse_instant};

/// One value as the database handed it over.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    /// Text that is not UTF-8 (SQLite does not check).
    RawText(Vec<u8>),
}

impl Cell {
    fn key(&self) -> Option<Key> {
        match self {
            Self::Null => None,
            Self::Int(i) => Some(Key::Int(*i)),
            Self::Real(r) => Some(Key::Real(*r)),
            Self::Text(t) => Some(Key::Text(t.clone())),
            Self::Blob(b) => Some(Key::Blob(b.clone())),
            Self::RawText(b) => Some(Key::RawText(b.clone())),
        }
    }

    /// The value as text, or why it cannot be read. Integers are decimal; reals are Rust's
    /// shortest round-trip form (`3`, not `3.0`); instants are RFC 3339 when they parse;
    /// 0 and 1 in a boolean column are `false` and `true`.
    fn render(&self, kind: Kind) -> Result<Option<String>, &'static str> {
        let text = match self {
            Self::Null => return Ok(None),
            Self::Int(i) => i.to_string(),
            Self::Real(r) => r.to_string(),
            Self::Text(t) => t.clone(),
            Self::Blob(_) => return Err("binary value not read"),
            Self::RawText(_) => return Err("text that is not valid UTF-8 not read"),
        };
        let rendered = match (kind, self) {
            (Kind::Timestamp, _) => {
                parse_instant(&text, DateOrder::DayFirst).map(|at| at.to_rfc3339())
            }
            (Kind::Boolean, Self::Int(0)) => Some("false".to_owned()),
            (Kind::Boolean, Self::Int(1)) => Some("true".to_owned()),
            _ => None,
        };
        Ok(Some(rendered.unwrap_or(text)))
    }
}

/// Reads one object: hands out each page's query and turns its rows into a [`Page`].
pub(crate) struct PageReader {
    plan: Plan,
    cursor: Cursor,
    system_id: i64,
    done: bool,
    /// Problems waiting for the next page (rows without an id).
    carried: Vec<RecordProblem>,
    /// The last id read, to locate a row whose own id cannot be read.
    last_id: Option<String>,
}

impl PageReader {
    pub fn new(plan: Plan, system_id: i64, request: &ReadRequest) -> Result<Self, ConnectorError> {
        let cursor = Cursor::new(&plan, request)?;
        let last_id = cursor.after().and_then(|key| key.last()?.to_text());
        Ok(Self {
            plan,
            cursor,
            system_id,
            done: false,
            carried: Vec::new(),
            last_id,
        })
    }

    /// The query counting rows a read leaves out for having no id; asked once, at the start
    /// of a read (not when resuming).
    pub fn rows_without_id(&self, dialect: &dyn Dialect) -> Option<Query> {
        self.cursor
            .is_fresh()
            .then(|| self.cursor.rows_without_id(&self.plan, dialect))
    }

    pub fn note_rows_without_id(&mut self, count: u64) {
        if count > 0 {
            self.carried.push(RecordProblem {
                object: self.plan.object,
                locator: format!("{count} row{}", if count == 1 { "" } else { "s" }),
                field: Some(self.plan.select[0].stored.clone()),
                reason: "no id, so they cannot be told apart; left out".into(),
                record_kept: false,
            });
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// How many cells each row of a page has.
    pub fn width(&self) -> usize {
        self.plan.select.len()
    }

    /// The next page's query, or `None` when the read is done.
    pub fn next_query(&self, dialect: &dyn Dialect) -> Option<Query> {
        (!self.done).then(|| self.cursor.page(&self.plan, dialect))
    }

    /// Takes the rows the last query returned; `None` when there is nothing to hand over.
    pub fn accept(&mut self, rows: Vec<Vec<Cell>>) -> Result<Option<Page>, ConnectorError> {
        self.done = rows.len() < PAGE_SIZE;
        let resume = match rows.last() {
            Some(last) => Some(self.cursor.advance(self.key_of(last)?)?),
            None => None,
        };
        let mut page = Page {
            problems: std::mem::take(&mut self.carried),
            resume,
            ..Page::default()
        };
        for row in &rows {
            self.take_row(row, &mut page);
        }
        let empty = page.records.is_empty() && page.problems.is_empty() && page.resume.is_none();
        Ok((!empty).then_some(page))
    }

    fn key_of(&self, row: &[Cell]) -> Result<Vec<Key>, ConnectorError> {
        self.cursor
            .key_columns(&self.plan)
            .into_iter()
            .map(|i| row.get(i).and_then(Cell::key))
            .collect::<Option<Vec<Key>>>()
            .ok_or_else(|| {
                ConnectorError::source(
                    format!("{} ({})", self.plan.table, self.plan.object),
                    "the database returned a row without its sort key",
                )
            })
    }

    fn take_row(&mut self, row: &[Cell], page: &mut Page) {
        match self.row_id(row) {
            Ok(id) => {
                let (record, mut problems) = self.record(id.clone(), row);
                page.problems.append(&mut problems);
                page.records.push(record);
                self.last_id = Some(id);
            }
            Err(problem) => page.problems.push(problem),
        }
    }

    /// The row's id, or the problem that leaves the row out.
    fn row_id(&self, row: &[Cell]) -> Result<String, RecordProblem> {
        let left_out = |locator: String, reason: String| RecordProblem {
            object: self.plan.object,
            locator,
            field: Some(self.plan.select[0].stored.clone()),
            reason,
            record_kept: false,
        };
        let after_last = || match &self.last_id {
            Some(last) => format!("row after id {last}"),
            None => "first row".to_owned(),
        };
        let id = match row[0].render(Kind::Text) {
            Ok(Some(id)) if !id.is_empty() => id,
            Ok(_) => {
                return Err(left_out(
                    after_last(),
                    "the id is empty; row left out".into(),
                ));
            }
            Err(why) => return Err(left_out(after_last(), format!("{why}; row left out"))),
        };
        // Only in id order do rows sharing an id arrive one after another.
        if self.cursor.by_id() && self.last_id.as_deref() == Some(id.as_str()) {
            let reason = "another row has the same id; this one was left out";
            return Err(left_out(format!("id {id}"), reason.into()));
        }
        Ok(id)
    }

    /// The record of a row with a readable id. A cell that cannot be read is a problem; the
    /// record is kept without it.
    fn record(&self, id: String, row: &[Cell]) -> (Record, Vec<RecordProblem>) {
        let plan = &self.plan;
        let mut problems = Vec::new();
        let mut note = |field: &str, reason: &str| {
            problems.push(RecordProblem {
                object: plan.object,
                locator: format!("id {id}"),
                field: Some(field.to_owned()),
                reason: reason.to_owned(),
                record_kept: true,
            });
        };
        let updated_at = instant(plan, row, plan.updated_at, &mut note);
        let created_at = instant(plan, row, plan.created_at, &mut note);
        let associations = associations(plan, row, &mut note);
        let fields = fields(plan, row, updated_at, &mut note);
        let record = Record {
            key: RecordKey {
                system_id: self.system_id,
                object: plan.object,
                external_id: id,
            },
            created_at,
            updated_at,
            archived: false,
            fields,
            associations,
        };
        (record, problems)
    }
}

type Note<'a> = &'a mut dyn FnMut(&str, &str);

/// Every non-NULL field column, stamped with the row's `updated_at`.
fn fields(
    plan: &Plan,
    row: &[Cell],
    modified_at: Option<Timestamp>,
    note: Note<'_>,
) -> BTreeMap<String, FieldValue> {
    let mut fields = BTreeMap::new();
    for &i in &plan.fields {
        let selected = &plan.select[i];
        match row[i].render(selected.column.kind) {
            Ok(Some(value)) => {
                fields.insert(selected.stored.clone(), FieldValue::new(value, modified_at));
            }
            Ok(None) => {}
            Err(why) => note(&selected.stored, why),
        }
    }
    fields
}

/// The record of another object the association column names, if any.
fn associations(plan: &Plan, row: &[Cell], note: Note<'_>) -> BTreeSet<Association> {
    let Some((i, object)) = plan.association else {
        return BTreeSet::new();
    };
    match row[i].render(Kind::Text) {
        Ok(Some(external_id)) if !external_id.is_empty() => BTreeSet::from([Association {
            object,
            external_id,
        }]),
        Ok(_) => BTreeSet::new(),
        Err(why) => {
            note(&plan.select[i].stored, why);
            BTreeSet::new()
        }
    }
}

/// A `created_at` / `updated_at` cell as an instant; `None` when empty or unreadable (noted).
fn instant(plan: &Plan, row: &[Cell], index: Option<usize>, note: Note<'_>) -> Option<Timestamp> {
    let i = index?;
    let name = &plan.select[i].stored;
    match row[i].render(Kind::Text) {
        Ok(Some(text)) => {
            let at = parse_instant(&text, DateOrder::DayFirst);
            if at.is_none() {
                note(name, "not a date and time Steward can read");
            }
            at
        }
        Ok(None) => None,
        Err(why) => {
            note(name, why);
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sql::SqlSettings;
    use crate::sql::plan::Column;
    use steward_domain::ObjectType;

    fn reader() -> PageReader {
        let text = "[[objects]]\nobject = \"person\"\ntable = \"users\"\nid = \"id\"\nupdated_at = \"changed\"\nassociation = { column = \"account_id\", object = \"company\" }\n";
        let settings = SqlSettings::from_toml(text).unwrap();
        let catalog: Vec<Column> = [
            ("id", Kind::Text),
            ("changed", Kind::Timestamp),
            ("account_id", Kind::Text),
            ("score", Kind::Text),
        ]
        .iter()
        .map(|(name, kind)| Column {
            name: (*name).into(),
            sql_type: String::new(),
            kind: *kind,
            cast: String::new(),
        })
        .collect();
        let plan = Plan::resolve(&settings.objects[0], &catalog, false).unwrap();
        PageReader::new(plan, 9, &ReadRequest::default()).unwrap()
    }

    fn text(t: &str) -> Cell {
        Cell::Text(t.into())
    }

    #[test]
    fn cells_render_as_text() {
        assert_eq!(Cell::Int(-4).render(Kind::Text), Ok(Some("-4".into())));
        assert_eq!(Cell::Real(3.0).render(Kind::Text), Ok(Some("3".into())));
        assert_eq!(Cell::Real(0.25).render(Kind::Text), Ok(Some("0.25".into())));
        assert_eq!(Cell::Null.render(Kind::Text), Ok(None));
        assert!(Cell::Blob(vec![1]).render(Kind::Text).is_err());
        assert_eq!(
            text("2025-01-02 03:04:05.678").render(Kind::Timestamp),
            Ok(Some("2025-01-02T03:04:05.678Z".into()))
        );
        // PostgreSQL's text form of a timestamptz in UTC.
        assert_eq!(
            text("2025-01-02 03:04:05.678912+00").render(Kind::Timestamp),
            Ok(Some("2025-01-02T03:04:05.678Z".into()))
        );
        assert_eq!(
            text("soon").render(Kind::Timestamp),
            Ok(Some("soon".into()))
        );
        assert_eq!(Cell::Int(1).render(Kind::Boolean), Ok(Some("true".into())));
        assert_eq!(Cell::Int(0).render(Kind::Boolean), Ok(Some("false".into())));
        assert_eq!(Cell::Int(2).render(Kind::Boolean), Ok(Some("2".into())));
    }

    #[test]
    fn a_row_becomes_a_record_with_its_association() {
        let mut reader = reader();
        // Columns: id, changed (updated_at), account_id (association), then the fields:
        // id, changed, account_id, score.
        let row = vec![
            Cell::Int(5),
            text("2025-01-02 03:04:05"),
            Cell::Int(77),
            Cell::Int(5),
            text("2025-01-02 03:04:05"),
            Cell::Int(77),
            Cell::Null,
        ];
        let page = reader.accept(vec![row]).unwrap().unwrap();
        assert!(page.problems.is_empty(), "{:?}", page.problems);
        let record = &page.records[0];
        assert_eq!(record.key.external_id, "5");
        assert_eq!(record.key.system_id, 9);
        let at = Timestamp::parse_rfc3339("2025-01-02T03:04:05Z").unwrap();
        assert_eq!(record.updated_at, Some(at));
        assert_eq!(record.fields["changed"].value, "2025-01-02T03:04:05.000Z");
        assert_eq!(record.fields["account_id"].modified_at, Some(at));
        assert!(!record.fields.contains_key("score"));
        assert_eq!(
            record.associations.iter().next().unwrap(),
            &Association {
                object: ObjectType::Company,
                external_id: "77".into()
            }
        );
        assert!(page.resume.is_some());
        assert!(
            reader.next_query(&NoDialect).is_none(),
            "a short page ends the read"
        );
    }

    #[test]
    fn unreadable_rows_and_cells_are_problems_without_values() {
        let mut reader = reader();
        reader.note_rows_without_id(2);
        let row = |id: Cell, changed: &str, score: Cell| {
            vec![
                id.clone(),
                text(changed),
                Cell::Null,
                id,
                text(changed),
                Cell::Null,
                score,
            ]
        };
        let page = reader
            .accept(vec![
                row(text(""), "2025-01-01", Cell::Null),
                row(Cell::Int(1), "TBD", Cell::Blob(vec![0xde, 0xad])),
                row(Cell::Int(1), "2025-01-01", Cell::Null),
                row(Cell::RawText(vec![0xff]), "2025-01-01", Cell::Null),
            ])
            .unwrap()
            .unwrap();
        let seen: Vec<(&str, Option<&str>, bool)> = page
            .problems
            .iter()
            .map(|p| (p.locator.as_str(), p.field.as_deref(), p.record_kept))
            .collect();
        assert_eq!(
            seen,
            [
                ("2 rows", Some("id"), false),
                ("first row", Some("id"), false),
                ("id 1", Some("changed"), true),
                ("id 1", Some("score"), true),
                ("id 1", Some("id"), false),
                ("row after id 1", Some("id"), false),
            ]
        );
        assert_eq!(page.problems[1].reason, "the id is empty; row left out");
        assert_eq!(page.records.len(), 1);
        assert_eq!(page.records[0].updated_at, None);
        assert_eq!(page.records[0].fields["changed"].value, "TBD");
        for p in &page.problems {
            assert!(
                !p.reason.contains("TBD") && !p.locator.contains("TBD"),
                "{p:?}"
            );
        }
    }

    struct NoDialect;

    impl Dialect for NoDialect {
        fn project(&self, column: &Column) -> String {
            column.name.clone()
        }
        fn bind(&self, n: usize, _column: &Column) -> String {
            format!("?{n}")
        }
    }
}
