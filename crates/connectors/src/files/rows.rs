//! Turning data rows into records, or into the problems that explain why not.
//!
//! Checks run in this order and the first that fails drops the row, so each bad row gives
//! exactly one problem: undecodable bytes, misaligned columns, a missing id, no name and no
//! email, a duplicate id. A kept record can still carry cell problems: an unparseable
//! created/updated date (the record is kept without that date and without that cell, since
//! the rest of the row is sound), a spreadsheet error value, a value outside the header's
//! columns (XLSX only). Problems name the line or row and the column, never the value.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use steward_domain::{FieldValue, ObjectType, Record, RecordKey, Timestamp};

use super::layout::{DateColumn, Layout, fits};
use super::table::{Cell, RawRow};
use crate::model::RecordProblem;

pub(super) const INVALID_ENCODING: &str = "invalid text encoding";
pub(super) const WRONG_COLUMNS: &str = "wrong number of columns";
pub(super) const MISSING_ID: &str = "missing id";
pub(super) const DUPLICATE_ID: &str = "duplicate id";
pub(super) const UNPARSEABLE_DATE: &str = "unparseable date";
pub(super) const CELL_ERROR: &str = "spreadsheet error in cell";
pub(super) const OUTSIDE_HEADER: &str = "value outside the header's columns";

#[derive(Debug)]
pub(super) enum Outcome {
    Kept(Record, Vec<RecordProblem>),
    Dropped(RecordProblem),
}

/// Reads the data rows of one file in order (fill-down and duplicate ids depend on what came
/// before).
pub(super) struct RowReader<'a> {
    layout: &'a Layout,
    object: ObjectType,
    system_id: i64,
    /// `line` (CSV) or `row` (XLSX), for locators.
    unit: &'static str,
    /// The last value seen in each fill-down column.
    carried: Vec<Option<Cell>>,
    /// Ids of the records kept so far.
    seen: HashSet<String>,
}

impl<'a> RowReader<'a> {
    pub(super) fn new(
        layout: &'a Layout,
        object: ObjectType,
        system_id: i64,
        unit: &'static str,
    ) -> Self {
        Self {
            layout,
            object,
            system_id,
            unit,
            carried: vec![None; layout.fill_down.len()],
            seen: HashSet::new(),
        }
    }

    /// `None` for what is not data: the header, anything above it, blank rows.
    pub(super) fn read(&mut self, row: RawRow) -> Option<Outcome> {
        (row.number > self.layout.header_number && !row.is_blank()).then(|| self.outcome(row))
    }

    fn outcome(&mut self, mut row: RawRow) -> Outcome {
        if row.malformed {
            return self.dropped(&row, None, INVALID_ENCODING);
        }
        if !fits(&row, self.layout.columns.len()) {
            return self.dropped(&row, None, WRONG_COLUMNS);
        }
        self.fill_down(&mut row);
        let external_id = match self.layout.id {
            None => row.number.to_string(),
            Some(column) => match row.cell(column).value() {
                Some(id) => id,
                None => return self.dropped(&row, Some(column), MISSING_ID),
            },
        };
        if self.layout.required.is_missing(&row) {
            return self.dropped(&row, None, self.layout.required.reason);
        }
        if self.seen.contains(&external_id) {
            return self.dropped(&row, self.layout.id, DUPLICATE_ID);
        }
        self.seen.insert(external_id.clone());
        let (record, problems) = self.record(&row, external_id);
        Outcome::Kept(record, problems)
    }

    /// Blank cells of fill-down columns take the last value above them.
    fn fill_down(&mut self, row: &mut RawRow) {
        for (carried, &column) in self.carried.iter_mut().zip(&self.layout.fill_down) {
            if row.cells.len() <= column {
                row.cells.resize(column + 1, Cell::Empty);
            }
            let Some(cell) = row.cells.get_mut(column) else {
                continue;
            };
            if cell.is_blank() {
                if let Some(value) = carried {
                    *cell = value.clone();
                }
            } else {
                // An error value is not worth repeating.
                *carried = cell.value().is_some().then(|| cell.clone());
            }
        }
    }

    fn record(&self, row: &RawRow, external_id: String) -> (Record, Vec<RecordProblem>) {
        let mut unreadable = BTreeSet::new();
        let created_at = date(row, self.layout.created, &mut unreadable);
        let updated_at = date(row, self.layout.updated, &mut unreadable);
        let mut problems: Vec<RecordProblem> = unreadable
            .iter()
            .map(|column| self.problem(row, Some(*column), UNPARSEABLE_DATE, true))
            .collect();
        let mut fields = BTreeMap::new();
        let mut outside = false;
        for (index, cell) in row.cells.iter().enumerate() {
            if cell.is_blank() || unreadable.contains(&index) {
                continue;
            }
            let Some(column) = self.layout.columns.get(index) else {
                outside = true;
                continue;
            };
            match cell.value() {
                Some(value) => {
                    let modified_at = updated_at;
                    fields.insert(column.name.clone(), FieldValue::new(value, modified_at));
                }
                None => problems.push(self.problem(row, Some(index), CELL_ERROR, true)),
            }
        }
        if outside {
            problems.push(self.problem(row, None, OUTSIDE_HEADER, true));
        }
        let record = Record {
            key: RecordKey {
                system_id: self.system_id,
                object: self.object,
                external_id,
            },
            created_at,
            updated_at,
            archived: false,
            fields,
            associations: BTreeSet::new(),
        };
        (record, problems)
    }

    fn dropped(&self, row: &RawRow, column: Option<usize>, reason: &str) -> Outcome {
        Outcome::Dropped(self.problem(row, column, reason, false))
    }

    fn problem(
        &self,
        row: &RawRow,
        column: Option<usize>,
        reason: &str,
        record_kept: bool,
    ) -> RecordProblem {
        RecordProblem {
            object: self.object,
            locator: format!("{} {}", self.unit, row.number),
            field: column
                .and_then(|i| self.layout.columns.get(i))
                .map(|c| c.name.clone()),
            reason: reason.to_owned(),
            record_kept,
        }
    }
}

/// The instant in a date column; a filled cell that is no date is noted in `unreadable`.
fn date(
    row: &RawRow,
    column: Option<DateColumn>,
    unreadable: &mut BTreeSet<usize>,
) -> Option<Timestamp> {
    let column = column?;
    let cell = row.cell(column.index);
    if cell.is_blank() {
        return None;
    }
    let at = cell.instant(column.order);
    if at.is_none() {
        unreadable.insert(column.index);
    }
    at
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::FileSettings;
    use super::super::layout::tests::{csv_rows, layout};
    use super::*;

    struct Read {
        records: Vec<Record>,
        problems: Vec<RecordProblem>,
    }

    impl Read {
        fn problem_lines(&self) -> Vec<(&str, &str, Option<&str>, bool)> {
            self.problems
                .iter()
                .map(|p| {
                    (
                        p.locator.as_str(),
                        p.reason.as_str(),
                        p.field.as_deref(),
                        p.record_kept,
                    )
                })
                .collect()
        }

        fn ids(&self) -> Vec<&str> {
            self.records
                .iter()
                .map(|r| r.key.external_id.as_str())
                .collect()
        }

        fn value(&self, record: usize, field: &str) -> Option<&str> {
            self.records[record]
                .fields
                .get(field)
                .map(|v| v.value.as_str())
        }
    }

    fn read_with(rows: Vec<RawRow>, settings: &FileSettings, unit: &'static str) -> Read {
        let layout = layout(&rows, settings);
        let mut reader = RowReader::new(&layout, settings.object, 7, unit);
        let mut read = Read {
            records: Vec::new(),
            problems: Vec::new(),
        };
        for row in rows {
            match reader.read(row) {
                Some(Outcome::Kept(record, problems)) => {
                    read.records.push(record);
                    read.problems.extend(problems);
                }
                Some(Outcome::Dropped(problem)) => read.problems.push(problem),
                None => {}
            }
        }
        read
    }

    fn read(lines: &[&[&str]]) -> Read {
        read_with(csv_rows(lines), &FileSettings::default(), "line")
    }

    const EVENTS_HEADER: &[&str] = &[
        "Registration ID",
        "First Name",
        "Last Name",
        "Email",
        "Company",
        "Job Title",
        "Country",
        "Registered At",
    ];

    #[test]
    fn the_events_exports_bad_rows_are_reported_with_their_lines() {
        let read = read(&[
            EVENTS_HEADER,
            &["R00000", "Jordan", "Lee", "jordan.lee@example.test"],
            &[
                "R00001",
                "Sam",
                "Park",
                "sam.park1@example.test",
                "Acme",
                "",
                "",
                "TBD",
            ],
            &["R00002", "", "", "", "Walk-in", "", "", "2025-03-01"],
            &[
                "R00003",
                " Ann ",
                "Lee",
                "ann@x.test",
                "Beta",
                "CTO",
                "Norway",
                "30/06/2025",
            ],
        ]);
        assert_eq!(
            read.problem_lines(),
            [
                ("line 2", "wrong number of columns", None, false),
                ("line 3", "unparseable date", Some("Registered At"), true),
                ("line 4", "no name and no email", None, false),
            ]
        );
        assert_eq!(read.ids(), ["R00001", "R00003"]);
        // The unparseable date is left out, the rest of the row kept.
        assert_eq!(read.records[0].created_at, None);
        assert_eq!(read.value(0, "Registered At"), None);
        assert_eq!(read.value(0, "Email"), Some("sam.park1@example.test"));
        let ann = &read.records[1];
        assert_eq!(
            ann.created_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-06-30T00:00:00.000Z")
        );
        assert_eq!(read.value(1, "First Name"), Some("Ann"), "trimmed");
        assert_eq!(read.value(1, "Registered At"), Some("30/06/2025"));
        assert_eq!(ann.key.system_id, 7);
        assert_eq!(ann.key.object, ObjectType::Person);
        assert!(!ann.archived && ann.associations.is_empty());
        assert!(ann.fields.values().all(|v| v.modified_at.is_none()));
    }

    #[test]
    fn problems_never_carry_the_cells_value() {
        let read = read(&[&["ID", "Name", "Created"], &["1", "Ann", "secret-ish"]]);
        let text = format!("{:?}", read.problems);
        assert!(!text.contains("secret-ish"), "{text}");
    }

    #[test]
    fn a_duplicate_id_drops_the_second_occurrence_only() {
        let read = read(&[&["ID", "Name"], &["7", "Ann"], &["8", "Bo"], &["7", "Cy"]]);
        assert_eq!(read.ids(), ["7", "8"]);
        assert_eq!(
            read.problem_lines(),
            [("line 4", "duplicate id", Some("ID"), false)]
        );
        assert_eq!(read.value(0, "Name"), Some("Ann"));
    }

    #[test]
    fn a_dropped_rows_id_does_not_make_a_later_row_a_duplicate() {
        let read = read(&[&["ID", "Name", "Email"], &["7", "", ""], &["7", "Ann", ""]]);
        assert_eq!(read.ids(), ["7"]);
        assert_eq!(read.problem_lines()[0].1, "no name and no email");
    }

    #[test]
    fn a_row_without_its_id_is_reported() {
        let read = read(&[&["ID", "Name"], &["1", "Ann"], &["", "Bo"]]);
        assert_eq!(read.ids(), ["1"]);
        assert_eq!(
            read.problem_lines(),
            [("line 3", "missing id", Some("ID"), false)]
        );
    }

    #[test]
    fn without_an_id_column_the_line_number_is_the_id() {
        let read = read(&[
            &["Title", ""],
            &["Name", "Email"],
            &["Ann", "a@x.test"],
            &["", ""],
            &["Bo", "b@x.test"],
        ]);
        assert_eq!(read.ids(), ["3", "5"]);
        assert!(read.problems.is_empty());
    }

    #[test]
    fn undecodable_rows_are_dropped() {
        let mut rows = csv_rows(&[&["Name", "Email"], &["Ann", "a@x.test"]]);
        rows[1].malformed = true;
        let read = read_with(rows, &FileSettings::default(), "line");
        assert!(read.records.is_empty());
        assert_eq!(
            read.problem_lines(),
            [("line 2", "invalid text encoding", None, false)]
        );
    }

    #[test]
    fn the_updated_date_stamps_every_field() {
        let read = read(&[
            &["Email", "Created", "Last touched"],
            &["a@x.test", "2025-01-02", "2025-06-30 10:11:12"],
        ]);
        let record = &read.records[0];
        let updated = record.updated_at.unwrap();
        assert_eq!(updated.to_rfc3339(), "2025-06-30T10:11:12.000Z");
        assert_eq!(
            record.created_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-01-02T00:00:00.000Z")
        );
        assert!(
            record
                .fields
                .values()
                .all(|v| v.modified_at == Some(updated))
        );
    }

    #[test]
    fn month_first_columns_read_ambiguous_dates_month_first() {
        let read = read(&[
            &["Email", "Created"],
            &["a@x.test", "06/30/2025"],
            &["b@x.test", "03/04/2025"],
        ]);
        assert_eq!(
            read.records[1]
                .created_at
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2025-03-04T00:00:00.000Z")
        );
    }

    #[test]
    fn the_sdr_group_column_is_filled_down_and_stored_like_any_value() {
        let read = read(&[
            &["SDR prospect list (Sam)", "", "", ""],
            &["Company", "Contact", "Email", "Phone"],
            &["Acme", "Ann Lee", "ann@acme.test", ""],
            &["", "Bo Chan", "bo@acme.test", ""],
            &["Beta", "Cy Dunn", "cy@beta.test", ""],
            &["", "Di Eze", "di@beta.test", ""],
        ]);
        let companies: Vec<Option<&str>> = (0..4).map(|i| read.value(i, "Company")).collect();
        assert_eq!(
            companies,
            [Some("Acme"), Some("Acme"), Some("Beta"), Some("Beta")]
        );
        assert!(
            (0..4).all(|i| read.value(i, "Phone").is_none()),
            "an empty ordinary column stays empty"
        );
        assert_eq!(read.ids(), ["3", "4", "5", "6"]);
    }

    #[test]
    fn grid_rows_keep_values_outside_the_header_as_a_problem() {
        let mut rows = csv_rows(&[
            &["Name", "Email"],
            &["Ann", "a@x.test"],
            &["Bo", "b@x.test"],
            &["Cy", "c@x.test"],
        ]);
        for row in &mut rows {
            row.fields = None;
        }
        // A note beside the table, and error values, on one row only.
        rows[1]
            .cells
            .extend([Cell::Empty, Cell::text("a note"), Cell::Error]);
        rows[1].cells[1] = Cell::Error;
        let read = read_with(rows, &FileSettings::default(), "row");
        assert_eq!(read.ids(), ["2", "3", "4"]);
        assert_eq!(
            read.problem_lines(),
            [
                ("row 2", "spreadsheet error in cell", Some("Email"), true),
                ("row 2", "value outside the header's columns", None, true),
            ]
        );
        assert_eq!(read.value(0, "Name"), Some("Ann"));
    }

    #[test]
    fn grid_dates_become_rfc3339_and_feed_the_record_dates() {
        let at = Timestamp::from_millis(1_751_278_272_345);
        let rows = vec![
            RawRow {
                number: 4,
                cells: vec![Cell::text("Contact"), Cell::text("Last touched")],
                fields: None,
                malformed: false,
            },
            RawRow {
                number: 5,
                cells: vec![Cell::text("Ann"), Cell::Instant(at)],
                fields: None,
                malformed: false,
            },
        ];
        let read = read_with(rows, &FileSettings::default(), "row");
        assert_eq!(read.records[0].updated_at, Some(at));
        assert_eq!(
            read.value(0, "Last touched"),
            Some("2025-06-30T10:11:12.345Z")
        );
        assert_eq!(read.ids(), ["5"]);
    }

    #[test]
    fn company_files_require_a_name() {
        let settings = FileSettings {
            object: ObjectType::Company,
            ..FileSettings::default()
        };
        let rows = csv_rows(&[&["Name", "Domain"], &["Acme", "acme.test"], &["", "b.test"]]);
        let read = read_with(rows, &settings, "line");
        assert_eq!(read.records[0].key.object, ObjectType::Company);
        assert_eq!(read.problem_lines(), [("line 3", "no name", None, false)]);
    }
}
