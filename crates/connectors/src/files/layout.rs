//! What a file's rows mean, worked out in one pass before any record is built: where the
//! header is, which columns hold the id, the dates and the names, which column was written
//! once per group, and how to read its ambiguous dates.
//!
//! The rules, each chosen to fail safe (a missed guess is fixed by a setting; a wrong guess
//! would corrupt data):
//!
//! - **Header**: the first non-blank row whose non-blank cells are ≥ 2 distinct pieces of text
//!   (no numbers, dates or emails) and that reaches at least as far right as most of the
//!   rows below it do. A title block (one cell per row, or a short `Owner | Sam` line) fails
//!   the width test; data rows that end in blanks do not make the header fail it.
//! - **Id**: the configured column, else the first column named `id` or `… id` / `…_id`
//!   (not the crosswalk) that is filled and unique in all but 1 row in 20 (one exception is
//!   always allowed, so a single duplicate is reported rather than disabling the id). An
//!   account id on a people sheet, or a CRM id filled for some rows only, is a reference,
//!   not the rows' id: rows then fall back to their line (row) numbers.
//! - **Dates**: columns named like `created` / `registered at` / `date added` and `updated` /
//!   `last modified` / `last touched` / `last activity`. Ambiguous all-numeric dates follow
//!   the configured order; with the default (day first) a column whose dates show only
//!   month-first evidence (`06/30/2025`, never `30/06/2025`) is read month first. A column
//!   with both (a mixed export) keeps the configured order. `MonthFirst` is never overridden.
//! - **Fill-down** (unless configured): the leftmost column, when it is a group label written
//!   only on a group's first row. It must be text (no numbers or dates), not an id, date,
//!   name or email column; filled on the first data row; and each written value distinct (a
//!   group is written once; a real column repeats values). Then one of two signs that its
//!   blanks are continuations, not gaps: blank on at least a quarter of the rows
//!   (continuations are common, a genuine gap is an exception), or the written values sorted
//!   with a blank between two of them and at least 5 of them (a column sorted by itself keeps
//!   genuine blanks together at one end; 5 values land sorted by chance 1 time in 120).
//!   Other columns are never filled unless configured.
//! - **Types** (for describe): a column is `date`, `number` or `email` when more than half
//!   of its non-blank cells are; else `string`.

use std::collections::HashSet;

use steward_domain::ObjectType;

use super::FileSettings;
use super::names::{
    COMPANY_NAMES, CREATED_NAMES, PERSON_NAMES, UPDATED_NAMES, is_email_name, is_id_name,
};
use super::table::{Cell, Kind, RawRow, fold};
use crate::error::ConnectorError;
use crate::values::DateOrder;

/// Non-blank rows searched for the header (a title block is a handful).
const HEAD_ROWS: usize = 100;
/// Rows below a candidate header whose widths it is compared with.
const WIDTH_SAMPLE: usize = 50;

/// A header column. Columns with a blank header cell get a made-up name, `Column 3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Column {
    pub name: String,
    named: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DateColumn {
    pub index: usize,
    pub order: DateOrder,
}

/// Columns of which a row must fill at least one to be a record, and the reason given when
/// it fills none. No columns: no such check (a file without name or email columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Required {
    pub columns: Vec<usize>,
    pub reason: &'static str,
}

impl Required {
    fn for_object(object: ObjectType, columns: &[Column]) -> Self {
        let (names, reason) = match object {
            ObjectType::Person => (PERSON_NAMES, "no name and no email"),
            ObjectType::Company => (COMPANY_NAMES, "no name"),
        };
        let columns = named(columns)
            .filter(|(_, folded)| {
                names.contains(&folded.as_str())
                    || (object == ObjectType::Person && is_email_name(folded))
            })
            .map(|(i, _)| i)
            .collect();
        Self { columns, reason }
    }

    pub(super) fn is_missing(&self, row: &RawRow) -> bool {
        !self.columns.is_empty() && self.columns.iter().all(|i| row.cell(*i).is_blank())
    }
}

/// Everything a read needs to turn rows into records.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    /// The header's line (row) number; rows up to it are not data.
    pub header_number: u64,
    pub columns: Vec<Column>,
    pub id: Option<usize>,
    pub created: Option<DateColumn>,
    pub updated: Option<DateColumn>,
    pub required: Required,
    pub fill_down: Vec<usize>,
    /// Each column's value type, for describe.
    pub kinds: Vec<Kind>,
    /// Non-blank rows below the header, bad ones included.
    pub data_rows: u64,
}

/// Whether a CSV line lines up with the header: fewer fields than the header has, or a value
/// past its last column, means a delimiter was lost or gained and no cell can be trusted.
/// Grid rows (XLSX) always line up.
pub(super) fn fits(row: &RawRow, width: usize) -> bool {
    match row.fields {
        Some(fields) => fields >= width && row.used_width() <= width,
        None => true,
    }
}

/// Reads the rows once and works out the layout.
pub(super) fn scan(
    rows: impl Iterator<Item = Result<RawRow, ConnectorError>>,
    settings: &FileSettings,
    what: &str,
) -> Result<Layout, ConnectorError> {
    let mut rows = rows.filter(|row| !matches!(row, Ok(r) if r.is_blank()));
    let head = rows
        .by_ref()
        .take(HEAD_ROWS)
        .collect::<Result<Vec<_>, _>>()?;
    let (at, header) = find_header(&head).ok_or_else(|| no_header(what))?;
    let columns = column_names(header);
    let plan = Plan::resolve(&columns, settings, what)?;
    let mut stats = Stats::new(&plan, columns.len());
    for row in head.iter().skip(at + 1) {
        stats.add(row);
    }
    for row in rows {
        stats.add(&row?);
    }
    Ok(stats.finish(plan, settings.date_order, header.number, columns))
}

fn no_header(what: &str) -> ConnectorError {
    ConnectorError::source(
        what,
        "no header row found: Steward looks for a row of at least two distinct column names \
         above the data; add one, or remove what is above it",
    )
}

fn find_header(head: &[RawRow]) -> Option<(usize, &RawRow)> {
    head.iter().enumerate().find(|(i, row)| {
        let below = head.get(i + 1..).unwrap_or_default();
        looks_like_header(row) && row.used_width() >= modal_width(below)
    })
}

fn looks_like_header(row: &RawRow) -> bool {
    let mut names = HashSet::new();
    for cell in &row.cells {
        match cell {
            Cell::Empty => {}
            Cell::Text(text) if cell.kind() == Some(Kind::Text) => {
                if !names.insert(text.as_str()) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    names.len() >= 2
}

/// The most common width among the rows (the wider on a tie); 0 for none.
fn modal_width(rows: &[RawRow]) -> usize {
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for width in rows.iter().take(WIDTH_SAMPLE).map(RawRow::used_width) {
        match tally.iter_mut().find(|(w, _)| *w == width) {
            Some((_, n)) => *n += 1,
            None => tally.push((width, 1)),
        }
    }
    tally
        .into_iter()
        .max_by_key(|(width, n)| (*n, *width))
        .map_or(0, |(width, _)| width)
}

fn column_names(header: &RawRow) -> Vec<Column> {
    let written: HashSet<&str> = header
        .cells
        .iter()
        .filter_map(|c| match c {
            Cell::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    (0..header.used_width())
        .map(|i| match header.cell(i) {
            Cell::Text(name) => Column {
                name: name.clone(),
                named: true,
            },
            _ => {
                let mut name = format!("Column {}", i + 1);
                while written.contains(name.as_str()) {
                    name.push('_');
                }
                Column { name, named: false }
            }
        })
        .collect()
}

/// The named columns with their folded names.
fn named(columns: &[Column]) -> impl Iterator<Item = (usize, String)> + '_ {
    columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.named)
        .map(|(i, c)| (i, fold(&c.name)))
}

/// The column a setting names, matched exactly (it becomes a field name); a near miss is
/// suggested.
fn locate(
    columns: &[Column],
    wanted: &str,
    role: &str,
    what: &str,
) -> Result<usize, ConnectorError> {
    let wanted = wanted.trim();
    if let Some(i) = columns.iter().position(|c| c.name == wanted) {
        return Ok(i);
    }
    let hint = match columns.iter().find(|c| c.name.eq_ignore_ascii_case(wanted)) {
        Some(close) => format!("did you mean \"{}\"?", close.name),
        None => {
            let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            format!("its columns are: {}", names.join(", "))
        }
    };
    Err(ConnectorError::config(format!(
        "{what} has no column \"{wanted}\" for the {role}; {hint}"
    )))
}

/// The columns' roles as far as names and settings decide them; the rest waits for the
/// scan's evidence.
#[derive(Debug)]
struct Plan {
    id: IdChoice,
    created: Option<usize>,
    updated: Option<usize>,
    required: Required,
    fill_down: FillChoice,
}

#[derive(Debug)]
enum IdChoice {
    Configured(usize),
    Candidates(Vec<usize>),
}

#[derive(Debug)]
enum FillChoice {
    Configured(Vec<usize>),
    Candidate(Option<usize>),
}

impl Plan {
    fn resolve(
        columns: &[Column],
        settings: &FileSettings,
        what: &str,
    ) -> Result<Self, ConnectorError> {
        let find = |wanted: &Option<String>, role: &str| {
            wanted
                .as_deref()
                .map(|name| locate(columns, name, role, what))
                .transpose()
        };
        let crosswalk = find(&settings.crosswalk_column, "crosswalk column")?;
        let id = match find(&settings.id_column, "id column")? {
            Some(i) => IdChoice::Configured(i),
            None => IdChoice::Candidates(
                named(columns)
                    .filter(|(i, folded)| Some(*i) != crosswalk && is_id_name(folded))
                    .map(|(i, _)| i)
                    .collect(),
            ),
        };
        let by_name = |names: &[&str], not: Option<usize>| {
            named(columns)
                .find(|(i, folded)| Some(*i) != not && names.contains(&folded.as_str()))
                .map(|(i, _)| i)
        };
        let created = find(&settings.created_at_column, "created-at column")?
            .or_else(|| by_name(CREATED_NAMES, None));
        let updated = find(&settings.updated_at_column, "updated-at column")?
            .or_else(|| by_name(UPDATED_NAMES, created));
        let required = Required::for_object(settings.object, columns);
        let fill_down = match &settings.fill_down {
            Some(names) => FillChoice::Configured(
                names
                    .iter()
                    .map(|name| locate(columns, name, "fill-down column", what))
                    .collect::<Result<_, _>>()?,
            ),
            None => {
                let taken = |i: usize| {
                    Some(i) == crosswalk
                        || Some(i) == created
                        || Some(i) == updated
                        || required.columns.contains(&i)
                        || match &id {
                            IdChoice::Configured(id) => *id == i,
                            IdChoice::Candidates(ids) => ids.contains(&i),
                        }
                };
                let leftmost = columns.first().filter(|c| c.named).map(|_| 0);
                FillChoice::Candidate(leftmost.filter(|i| !taken(*i)))
            }
        };
        Ok(Self {
            id,
            created,
            updated,
            required,
            fill_down,
        })
    }
}

/// Evidence gathered over the data rows.
struct Stats {
    width: usize,
    rows: u64,
    fitting: u64,
    kinds: Vec<[u64; 4]>,
    created: Option<(usize, Evidence)>,
    updated: Option<(usize, Evidence)>,
    ids: Vec<Uniqueness>,
    group: Option<Group>,
}

impl Stats {
    fn new(plan: &Plan, width: usize) -> Self {
        let ids = match &plan.id {
            IdChoice::Configured(_) => Vec::new(),
            IdChoice::Candidates(ids) => ids.iter().map(|i| Uniqueness::new(*i)).collect(),
        };
        let group = match plan.fill_down {
            FillChoice::Candidate(Some(column)) => Some(Group::new(column)),
            _ => None,
        };
        Self {
            width,
            rows: 0,
            fitting: 0,
            kinds: vec![[0; 4]; width],
            created: plan.created.map(|i| (i, Evidence::default())),
            updated: plan.updated.map(|i| (i, Evidence::default())),
            ids,
            group,
        }
    }

    fn add(&mut self, row: &RawRow) {
        self.rows += 1;
        // Misaligned or undecodable rows are reported, not learnt from.
        if row.malformed || !fits(row, self.width) {
            return;
        }
        self.fitting += 1;
        for (counts, cell) in self.kinds.iter_mut().zip(&row.cells) {
            if let Some(kind) = cell.kind()
                && let Some(slot) = Kind::ALL.iter().position(|k| *k == kind)
                && let Some(count) = counts.get_mut(slot)
            {
                *count += 1;
            }
        }
        for (column, evidence) in self.created.iter_mut().chain(self.updated.iter_mut()) {
            evidence.add(row.cell(*column));
        }
        for ids in &mut self.ids {
            ids.add(row);
        }
        if let Some(group) = &mut self.group {
            group.add(row);
        }
    }

    fn finish(
        self,
        plan: Plan,
        order: DateOrder,
        header_number: u64,
        columns: Vec<Column>,
    ) -> Layout {
        let id = match plan.id {
            IdChoice::Configured(i) => Some(i),
            IdChoice::Candidates(_) => self
                .ids
                .iter()
                .find(|ids| ids.identifies(self.fitting))
                .map(|ids| ids.column),
        };
        let fill_down = match plan.fill_down {
            FillChoice::Configured(columns) => columns,
            FillChoice::Candidate(_) => self
                .group
                .iter()
                .filter(|g| g.is_merged_looking())
                .map(|g| g.column)
                .collect(),
        };
        let date = |found: Option<(usize, Evidence)>| {
            found.map(|(index, evidence)| DateColumn {
                index,
                order: evidence.order(order),
            })
        };
        Layout {
            header_number,
            columns,
            id,
            created: date(self.created),
            updated: date(self.updated),
            required: plan.required,
            fill_down,
            kinds: self.kinds.iter().map(majority).collect(),
            data_rows: self.rows,
        }
    }
}

fn majority(counts: &[u64; 4]) -> Kind {
    let total: u64 = counts.iter().sum();
    Kind::ALL
        .iter()
        .zip(counts)
        .find(|(_, n)| **n * 2 > total)
        .map_or(Kind::Text, |(kind, _)| *kind)
}

/// Which way round a column's all-numeric dates can only be.
#[derive(Debug, Default, Clone, Copy)]
struct Evidence {
    day_first: bool,
    month_first: bool,
}

impl Evidence {
    fn add(&mut self, cell: &Cell) {
        if let Cell::Text(text) = cell
            && let Some((first, second)) = numeric_day_month(text)
        {
            self.day_first |= first > 12;
            self.month_first |= second > 12;
        }
    }

    fn order(self, configured: DateOrder) -> DateOrder {
        if configured == DateOrder::DayFirst && self.month_first && !self.day_first {
            DateOrder::MonthFirst
        } else {
            configured
        }
    }
}

/// The first two parts of `a/b/yyyy` (also `-` and `.`, and with a time after it).
fn numeric_day_month(text: &str) -> Option<(u32, u32)> {
    let date = text.split([' ', 'T']).next()?;
    let parts: Vec<u32> = date
        .split(['/', '-', '.'])
        .map(|p| {
            (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [a, b, year] if *year >= 1000 => Some((*a, *b)),
        _ => None,
    }
}

/// Whether a candidate id column identifies rows.
struct Uniqueness {
    column: usize,
    seen: HashSet<String>,
    exceptions: u64,
}

impl Uniqueness {
    fn new(column: usize) -> Self {
        Self {
            column,
            seen: HashSet::new(),
            exceptions: 0,
        }
    }

    fn add(&mut self, row: &RawRow) {
        let fresh = row
            .cell(self.column)
            .value()
            .is_some_and(|v| self.seen.insert(v));
        self.exceptions += u64::from(!fresh);
    }

    fn identifies(&self, rows: u64) -> bool {
        self.exceptions <= (rows / 20).max(1)
    }
}

/// Whether the leftmost column looks like a group label written once per group.
struct Group {
    column: usize,
    rows: u64,
    blanks: u64,
    starts_blank: Option<bool>,
    seen: HashSet<String>,
    repeated: bool,
    not_text: bool,
    order: SortOrder,
}

impl Group {
    fn new(column: usize) -> Self {
        Self {
            column,
            rows: 0,
            blanks: 0,
            starts_blank: None,
            seen: HashSet::new(),
            repeated: false,
            not_text: false,
            order: SortOrder::default(),
        }
    }

    fn add(&mut self, row: &RawRow) {
        let cell = row.cell(self.column);
        self.rows += 1;
        self.starts_blank.get_or_insert(cell.is_blank());
        match cell {
            Cell::Empty => {
                self.blanks += 1;
                self.order.blank();
            }
            Cell::Text(text) if cell.kind() == Some(Kind::Text) => {
                self.order.value(text);
                if !self.repeated && !self.seen.insert(text.clone()) {
                    self.repeated = true;
                    self.seen = HashSet::new();
                }
            }
            _ => self.not_text = true,
        }
    }

    fn is_merged_looking(&self) -> bool {
        let written_once =
            self.starts_blank == Some(false) && self.blanks > 0 && !self.repeated && !self.not_text;
        let common = self.blanks * 4 >= self.rows;
        let sorted_groups = self.order.sorted_with_blanks_between() && self.order.values >= 5;
        written_once && (common || sorted_groups)
    }
}

/// Whether a column's written values are in order (as a sort by that column leaves them)
/// with blanks between them.
#[derive(Debug)]
struct SortOrder {
    previous: Option<String>,
    values: u64,
    ascending_bytes: bool,
    ascending: bool,
    descending: bool,
    blank_pending: bool,
    blank_between: bool,
}

impl Default for SortOrder {
    fn default() -> Self {
        Self {
            previous: None,
            values: 0,
            ascending_bytes: true,
            ascending: true,
            descending: true,
            blank_pending: false,
            blank_between: false,
        }
    }
}

impl SortOrder {
    fn blank(&mut self) {
        self.blank_pending = self.previous.is_some();
    }

    fn value(&mut self, text: &str) {
        let folded = text.to_lowercase();
        if let Some(previous) = &self.previous {
            // Byte order is how programs sort; case-folded order how spreadsheets do.
            self.ascending_bytes &= previous.as_str() <= text;
            let previous = previous.to_lowercase();
            self.ascending &= previous <= folded;
            self.descending &= previous >= folded;
        }
        self.blank_between |= self.blank_pending;
        self.blank_pending = false;
        self.previous = Some(text.to_owned());
        self.values += 1;
    }

    fn sorted_with_blanks_between(&self) -> bool {
        (self.ascending_bytes || self.ascending || self.descending) && self.blank_between
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(super) mod tests {
    use super::*;

    /// Rows as a CSV would give them, numbered from 1, `""` for a blank cell.
    pub(in super::super) fn csv_rows(lines: &[&[&str]]) -> Vec<RawRow> {
        lines
            .iter()
            .enumerate()
            .map(|(i, cells)| RawRow {
                number: i as u64 + 1,
                cells: cells.iter().map(|c| Cell::text(c)).collect(),
                fields: Some(cells.len()),
                malformed: false,
            })
            .collect()
    }

    pub(in super::super) fn layout(rows: &[RawRow], settings: &FileSettings) -> Layout {
        scan(rows.iter().cloned().map(Ok), settings, "the test file").unwrap()
    }

    fn names(layout: &Layout) -> Vec<&str> {
        layout.columns.iter().map(|c| c.name.as_str()).collect()
    }

    const SDR: &[&[&str]] = &[
        &["SDR prospect list (Sam)", "", "", "", "", ""],
        &["Please use the CRM instead", "", "", "", "", ""],
        &["", "", "", "", "", ""],
        &[
            "Company",
            "Contact",
            "Email",
            "Phone",
            "Status",
            "Last touched",
        ],
        &[
            "Acme",
            "Ann Lee",
            "ann@acme.test",
            "",
            "Contacted",
            "2025-06-01",
        ],
        &[
            "",
            "Bo Chan",
            "bo@acme.test",
            "",
            "Researching",
            "2025-06-02",
        ],
        &[
            "Beta",
            "Cy Dunn",
            "cy@beta.test",
            "",
            "Contacted",
            "2025-06-03",
        ],
        &[
            "Gamma",
            "Di Eze",
            "di@gamma.test",
            "",
            "Meeting booked",
            "2025-06-04",
        ],
        &["", "Ed Fox", "ed@gamma.test", "", "Contacted", "2025-06-05"],
        &[
            "",
            "Flo Gu",
            "flo@gamma.test",
            "",
            "Not interested",
            "2025-06-06",
        ],
    ];

    #[test]
    fn the_header_is_found_below_a_title_block() {
        let layout = layout(&csv_rows(SDR), &FileSettings::default());
        assert_eq!(layout.header_number, 4);
        assert_eq!(
            names(&layout),
            [
                "Company",
                "Contact",
                "Email",
                "Phone",
                "Status",
                "Last touched"
            ]
        );
        assert_eq!(layout.data_rows, 6);
        assert_eq!(layout.id, None);
        assert_eq!(layout.created, None);
        assert_eq!(layout.updated.map(|d| d.index), Some(5));
        assert_eq!(layout.required.columns, [1, 2]);
        assert_eq!(layout.required.reason, "no name and no email");
    }

    #[test]
    fn a_short_key_value_line_above_the_header_is_not_the_header() {
        let rows = csv_rows(&[
            &["Owner", "Sam", "", ""],
            &["Name", "Email", "City", "Plan"],
            &["Ann", "ann@x.test", "Oslo", "Pro"],
            &["Bo", "bo@x.test", "", "Free"],
            &["Cy", "cy@x.test", "Rome", ""],
        ]);
        assert_eq!(layout(&rows, &FileSettings::default()).header_number, 2);
    }

    #[test]
    fn a_row_of_numbers_dates_emails_or_repeats_is_not_a_header() {
        for bad in [
            &["a", "1"][..],
            &["a", "2025-01-01"][..],
            &["a", "x@y.test"][..],
            &["a", "a"][..],
            &["only one"][..],
        ] {
            let row = &csv_rows(&[bad])[0];
            assert!(!looks_like_header(row), "{bad:?}");
        }
        let err = scan(
            csv_rows(&[&["1", "2"], &["3", "4"]]).into_iter().map(Ok),
            &FileSettings::default(),
            "the file /tmp/x.csv",
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("the file /tmp/x.csv"), "{message}");
        assert!(message.contains("no header row found"), "{message}");
    }

    #[test]
    fn unnamed_header_cells_get_a_made_up_name() {
        let rows = csv_rows(&[&["Name", "", "Email"], &["Ann", "x", "a@x.test"]]);
        assert_eq!(
            names(&layout(&rows, &FileSettings::default())),
            ["Name", "Column 2", "Email"]
        );
    }

    #[test]
    fn the_group_column_is_detected_in_the_sdr_layout() {
        let layout = layout(&csv_rows(SDR), &FileSettings::default());
        assert_eq!(layout.fill_down, [0], "Company");
    }

    #[test]
    fn genuine_blanks_in_an_ordinary_first_column_are_not_filled() {
        let detect = |rows: &[&[&str]]| layout(&csv_rows(rows), &FileSettings::default());
        let header: &[&str] = &["Company", "Contact", "Email"];
        // A value written twice: a real column, not a group label.
        let repeated = detect(&[
            header,
            &["Acme", "Ann", "a@x.test"],
            &["", "Bo", "b@x.test"],
            &["Beta", "Cy", "c@x.test"],
            &["Acme", "Di", "d@x.test"],
        ]);
        assert!(repeated.fill_down.is_empty());
        // One gap among many distinct values: a missing value, not a group.
        let rare = detect(&[
            header,
            &["Acme", "Ann", "a@x.test"],
            &["Beta", "Bo", "b@x.test"],
            &["", "Cy", "c@x.test"],
            &["Gamma", "Di", "d@x.test"],
            &["Delta", "Ed", "e@x.test"],
        ]);
        assert!(rare.fill_down.is_empty());
        // Blank on the first data row: there is nothing above to continue.
        let leading = detect(&[
            header,
            &["", "Ann", "a@x.test"],
            &["Acme", "Bo", "b@x.test"],
            &["", "Cy", "c@x.test"],
        ]);
        assert!(leading.fill_down.is_empty());
        // Numbers are not group labels.
        let numbers = detect(&[
            &["Score", "Contact", "Email"],
            &["10", "Ann", "a@x.test"],
            &["", "Bo", "b@x.test"],
        ]);
        assert!(numbers.fill_down.is_empty());
        // Names, emails and ids are never group labels, even when leftmost.
        let names_first = detect(&[&["Contact", "Company"], &["Ann", "Acme"], &["", "Acme"]]);
        assert!(names_first.fill_down.is_empty());
    }

    #[test]
    fn a_sorted_group_column_is_filled_even_when_most_groups_are_single_rows() {
        let detect = |companies: &[&str]| {
            let mut lines: Vec<Vec<&str>> = vec![vec!["Company", "Email"]];
            lines.extend(companies.iter().map(|c| vec![*c, "a@x.test"]));
            let lines: Vec<&[&str]> = lines.iter().map(Vec::as_slice).collect();
            layout(&csv_rows(&lines), &FileSettings::default()).fill_down
        };
        // 13 rows, 3 continuations: under a quarter, but sorted with blanks between.
        let sorted = [
            "Acme", "", "Beta", "Cobalt", "Delta", "", "Echo", "Foxtrot", "Golf", "Hotel", "",
            "India", "Juliet",
        ];
        assert_eq!(detect(&sorted), [0]);
        let mut shuffled = sorted;
        shuffled.swap(2, 9);
        assert!(detect(&shuffled).is_empty(), "unsorted and rarely blank");
        // A column sorted by itself puts its genuine blanks at the end.
        let blanks_last = [
            "Acme", "Beta", "Cobalt", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "", "",
        ];
        assert!(detect(&blanks_last).is_empty());
        // Four sorted values are too few to rule out chance.
        assert!(detect(&["Acme", "", "Beta", "Cobalt", "Delta"]).is_empty());
        assert_eq!(
            detect(&["Acme", "", "Beta", "Cobalt", "Delta", "Echo"]),
            [0]
        );
    }

    #[test]
    fn configured_fill_down_columns_are_used_as_named() {
        let settings = FileSettings {
            fill_down: Some(vec!["Status".into()]),
            ..FileSettings::default()
        };
        assert_eq!(layout(&csv_rows(SDR), &settings).fill_down, [4]);
        let none = FileSettings {
            fill_down: Some(vec![]),
            ..FileSettings::default()
        };
        assert!(layout(&csv_rows(SDR), &none).fill_down.is_empty());
    }

    #[test]
    fn ids_are_detected_by_name_and_must_identify_rows() {
        let header: &[&str] = &["Registration ID", "Account ID", "Name"];
        let rows = csv_rows(&[
            header,
            &["R1", "A1", "Ann"],
            &["R2", "A1", "Bo"],
            &["R3", "A2", "Cy"],
            &["R3", "A2", "Di"],
        ]);
        let found = layout(&rows, &FileSettings::default());
        assert_eq!(found.id, Some(0), "one duplicate is reported, not fatal");
        let account_first = csv_rows(&[
            &["Account ID", "Name"],
            &["A1", "Ann"],
            &["A1", "Bo"],
            &["A2", "Cy"],
            &["A2", "Di"],
        ]);
        let none = layout(&account_first, &FileSettings::default());
        assert_eq!(none.id, None, "a repeated reference is not the rows' id");
        let crosswalk = FileSettings {
            crosswalk_column: Some("Registration ID".into()),
            ..FileSettings::default()
        };
        assert_eq!(layout(&rows, &crosswalk).id, None, "A1 repeats too often");
        let configured = FileSettings {
            id_column: Some("Account ID".into()),
            ..FileSettings::default()
        };
        assert_eq!(layout(&rows, &configured).id, Some(1));
    }

    #[test]
    fn a_configured_column_must_exist_and_a_near_miss_is_suggested() {
        let settings = FileSettings {
            id_column: Some("company".into()),
            ..FileSettings::default()
        };
        let err = scan(
            csv_rows(SDR).into_iter().map(Ok),
            &settings,
            "the file x.csv",
        )
        .unwrap_err();
        assert!(matches!(err, ConnectorError::Config(_)));
        assert!(
            err.to_string().contains("did you mean \"Company\"?"),
            "{err}"
        );
    }

    #[test]
    fn date_columns_are_detected_by_name_and_read_month_first_only_on_evidence() {
        let rows = |dates: [&str; 2]| {
            csv_rows(&[
                &["Email", "Date Added", "Last Modified"],
                &["a@x.test", dates[0], "2025-01-01"],
                &["b@x.test", dates[1], "2025-01-02"],
            ])
        };
        let default = FileSettings::default();
        let us = layout(&rows(["06/30/2025", "07/01/2025"]), &default);
        assert_eq!(
            us.created,
            Some(DateColumn {
                index: 1,
                order: DateOrder::MonthFirst
            })
        );
        assert_eq!(us.updated.map(|d| d.index), Some(2));
        let mixed = layout(&rows(["06/30/2025", "30/06/2025"]), &default);
        assert_eq!(mixed.created.map(|d| d.order), Some(DateOrder::DayFirst));
        let ambiguous = layout(&rows(["06/07/2025", "2025-06-30"]), &default);
        assert_eq!(
            ambiguous.created.map(|d| d.order),
            Some(DateOrder::DayFirst)
        );
        let us_configured = FileSettings {
            date_order: DateOrder::MonthFirst,
            ..FileSettings::default()
        };
        let kept = layout(&rows(["30/06/2025", "01/07/2025"]), &us_configured);
        assert_eq!(kept.created.map(|d| d.order), Some(DateOrder::MonthFirst));
    }

    #[test]
    fn column_types_follow_the_majority_of_their_cells() {
        let rows = csv_rows(&[
            &["Email", "Registered At", "Seats", "Notes", "Empty"],
            &["a@x.test", "2025-06-30", "3", "hi", ""],
            &["b@x.test", "30/06/2025", "10", "2025-01-01", ""],
            &["c@x.test", "TBD", "007", "x", ""],
        ]);
        let kinds: Vec<&str> = layout(&rows, &FileSettings::default())
            .kinds
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(kinds, ["email", "date", "number", "string", "string"]);
    }

    #[test]
    fn misaligned_lines_do_not_teach_the_layout() {
        let rows = csv_rows(&[
            &["Company", "Contact", "Email"],
            &["Acme", "Ann", "a@x.test"],
            &["", "Bo", "b@x.test"],
            &["Acme", "Cy"],
        ]);
        let found = layout(&rows, &FileSettings::default());
        assert_eq!(found.fill_down, [0], "the short line's repeat is ignored");
        assert_eq!(found.data_rows, 3, "but still counted");
        assert!(!fits(&rows[3], 3));
        assert!(
            fits(&csv_rows(&[&["a", "b", "c", ""]])[0], 3),
            "a trailing comma"
        );
    }
}
