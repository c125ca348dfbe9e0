//! The format-neutral grid both file formats are read into: rows of typed cells, numbered
//! as the user sees them (a CSV's physical lines, Excel's rows).

use steward_domain::Timestamp;

use crate::values::{DateOrder, parse_instant};

/// One cell. Text is trimmed on the way in, so a cell of spaces is [`Cell::Empty`].
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Text(String),
    /// A spreadsheet number, already printed (`42`, not `42.0`).
    Number(String),
    /// A spreadsheet date or date-time.
    Instant(Timestamp),
    /// A spreadsheet error value (`#N/A`, `#REF!` …).
    Error,
}

static EMPTY: Cell = Cell::Empty;

impl Cell {
    pub(super) fn text(raw: &str) -> Self {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            Self::Empty
        } else {
            Self::Text(trimmed.to_owned())
        }
    }

    pub(super) fn is_blank(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// The text a record stores for this cell; `None` for blanks and errors.
    pub(super) fn value(&self) -> Option<String> {
        match self {
            Self::Text(text) | Self::Number(text) => Some(text.clone()),
            Self::Instant(at) => Some(at.to_rfc3339()),
            Self::Empty | Self::Error => None,
        }
    }

    /// The instant this cell holds, reading text with `order`.
    pub(super) fn instant(&self, order: DateOrder) -> Option<Timestamp> {
        match self {
            Self::Instant(at) => Some(*at),
            Self::Text(text) | Self::Number(text) => parse_instant(text, order),
            Self::Empty | Self::Error => None,
        }
    }

    /// What kind of value this is, for describing a column; `None` for blanks and errors.
    pub(super) fn kind(&self) -> Option<Kind> {
        match self {
            Self::Instant(_) => Some(Kind::Date),
            Self::Number(_) => Some(Kind::Number),
            Self::Text(text) if parse_instant(text, DateOrder::DayFirst).is_some() => {
                Some(Kind::Date)
            }
            Self::Text(text) if is_number(text) => Some(Kind::Number),
            Self::Text(text) if text.contains('@') => Some(Kind::Email),
            Self::Text(_) => Some(Kind::Text),
            Self::Empty | Self::Error => None,
        }
    }
}

/// A column's value type as [`crate::SourceField::value_type`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Date,
    Number,
    Email,
    Text,
}

impl Kind {
    pub(super) const ALL: [Kind; 4] = [Kind::Date, Kind::Number, Kind::Email, Kind::Text];

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::Number => "number",
            Kind::Email => "email",
            Kind::Text => "string",
        }
    }
}

/// One row of the file, blank or not.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RawRow {
    /// CSV: the physical line the row starts on; XLSX: Excel's row number. 1-based.
    pub number: u64,
    pub cells: Vec<Cell>,
    /// CSV: how many fields the line had (a short line lost columns). XLSX: `None`, a grid
    /// has no per-row width.
    pub fields: Option<usize>,
    /// Some of the row's bytes were not valid in the file's encoding.
    pub malformed: bool,
}

impl RawRow {
    pub(super) fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }

    /// How far right the row's values reach: the last non-blank cell's position plus one.
    pub(super) fn used_width(&self) -> usize {
        self.cells
            .iter()
            .rposition(|c| !c.is_blank())
            .map_or(0, |i| i + 1)
    }

    pub(super) fn cell(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&EMPTY)
    }
}

/// A plain decimal number (`42`, `-3.5`). Leading zeros make it an identifier or a code
/// (`00123`), not a number.
pub(super) fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && all_digits(whole)
        && all_digits(fraction)
        && !(whole.len() > 1 && whole.starts_with('0'))
        && !(digits.contains('.') && fraction.is_empty())
}

/// A header name folded for comparison: lowercase, `_ - .` as spaces, single spaces.
pub(super) fn fold(name: &str) -> String {
    name.to_lowercase()
        .replace(['_', '-', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_decimals_without_leading_zeros() {
        for yes in ["0", "42", "-3.5", "0.25", "1000000"] {
            assert!(is_number(yes), "{yes}");
        }
        for no in [
            "",
            "-",
            "007",
            "1.",
            ".5",
            "1,5",
            "+49 30 123",
            "1e5",
            "12a",
        ] {
            assert!(!is_number(no), "{no}");
        }
    }

    #[test]
    fn cells_trim_and_classify() {
        assert_eq!(Cell::text("  "), Cell::Empty);
        assert_eq!(Cell::text(" Acme "), Cell::Text("Acme".into()));
        assert_eq!(Cell::text("2025-06-30").kind(), Some(Kind::Date));
        assert_eq!(Cell::text("30/06/2025").kind(), Some(Kind::Date));
        assert_eq!(Cell::text("12.5").kind(), Some(Kind::Number));
        assert_eq!(Cell::text("a@b.test").kind(), Some(Kind::Email));
        assert_eq!(Cell::text("TBD").kind(), Some(Kind::Text));
        assert_eq!(Cell::Error.kind(), None);
    }

    #[test]
    fn names_fold_for_comparison() {
        assert_eq!(fold(" Created_At "), "created at");
        assert_eq!(fold("Last-Modified  Date"), "last modified date");
    }
}
