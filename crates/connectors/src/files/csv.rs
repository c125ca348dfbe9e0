//! CSV files: decoded whole (they are small), then parsed row by row each time they are read.

use std::collections::BTreeSet;
use std::path::Path;

use super::decode::{decode, encoding_for};
use super::table::{Cell, RawRow};
use super::{FileSettings, Grid, read_bytes};
use crate::error::ConnectorError;

/// Delimiters sniffed for, in order of preference when the evidence ties.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines looked at to sniff the delimiter (a title block plus enough data).
const SNIFF_LINES: usize = 50;

pub(super) struct CsvGrid {
    what: String,
    text: String,
    bad_lines: BTreeSet<u64>,
    delimiter: u8,
}

impl CsvGrid {
    pub(super) fn from_bytes(
        what: &str,
        bytes: &[u8],
        settings: &FileSettings,
    ) -> Result<Self, ConnectorError> {
        let configured = match settings.encoding.as_deref() {
            None => None,
            Some(label) => Some(encoding_for(label).ok_or_else(|| {
                ConnectorError::config(format!("unknown text encoding \"{label}\""))
            })?),
        };
        let decoded = decode(bytes, configured);
        let delimiter = match settings.delimiter {
            Some(c) => u8::try_from(c).map_err(|_| {
                ConnectorError::config("the CSV delimiter must be a single ASCII character")
            })?,
            None => sniff_delimiter(&decoded.text),
        };
        Ok(Self {
            what: what.to_owned(),
            text: decoded.text,
            bad_lines: decoded.bad_lines,
            delimiter,
        })
    }

    fn row(&self, record: &csv::StringRecord, lines: &mut LineCounter<'_>) -> RawRow {
        let byte = record.position().map_or(0, csv::Position::byte);
        let number = lines.line_of(usize::try_from(byte).unwrap_or(usize::MAX));
        // A quoted field can span lines; the row is bad if any of its lines is.
        let spanned: usize = record.iter().map(|f| f.matches('\n').count()).sum();
        let last = number.saturating_add(spanned as u64);
        RawRow {
            number,
            cells: record.iter().map(Cell::text).collect(),
            fields: Some(record.len()),
            malformed: self.bad_lines.range(number..=last).next().is_some(),
        }
    }
}

/// Physical line numbers of records. The csv crate's own `Position::line` lags behind
/// blank lines and CRLF ends, so the line is counted here from the record's byte offset,
/// which points at or before the line ends that precede the record.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `byte` that is not a line end. Offsets must
    /// not go backwards (records come in order).
    fn line_of(&mut self, byte: usize) -> u64 {
        let rest = self.text.get(byte..).unwrap_or_default();
        let start = byte
            + rest
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        let passed = self.text.get(self.at..start).unwrap_or_default();
        self.line += passed.iter().filter(|b| **b == b'\n').count() as u64;
        self.at = self.at.max(start);
        self.line
    }
}

impl Grid for CsvGrid {
    const UNIT: &'static str = "line";

    fn open(what: &str, path: &Path, settings: &FileSettings) -> Result<Self, ConnectorError> {
        Self::from_bytes(what, &read_bytes(what, path)?, settings)
    }

    fn rows(&self) -> impl Iterator<Item = Result<RawRow, ConnectorError>> + Send + '_ {
        let mut lines = LineCounter::new(&self.text);
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(self.text.as_bytes())
            .into_records()
            .map(move |record| match record {
                Ok(record) => Ok(self.row(&record, &mut lines)),
                Err(e) => Err(ConnectorError::source(&self.what, e)),
            })
    }
}

/// The delimiter that splits the most lines into the same number of fields (so a title
/// block above the header, with no delimiters, does not sway it). Excel's `sep=;` first
/// line, when present, decides.
fn sniff_delimiter(text: &str) -> u8 {
    if let Some(hint) = text
        .lines()
        .next()
        .and_then(|l| l.trim().strip_prefix("sep="))
        && let [delimiter] = hint.as_bytes()
    {
        return *delimiter;
    }
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(SNIFF_LINES)
        .collect();
    // `max_by_key` keeps the last of equals: reversed, that is the most preferred.
    DELIMITERS
        .iter()
        .rev()
        .copied()
        .max_by_key(|d| consistency(&lines, *d))
        .unwrap_or(b',')
}

/// (how many lines share the most common non-zero count of `delimiter`, that count).
fn consistency(lines: &[&str], delimiter: u8) -> (usize, usize) {
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for count in lines.iter().map(|l| count_unquoted(l, delimiter)) {
        if count == 0 {
            continue;
        }
        match tally.iter_mut().find(|(c, _)| *c == count) {
            Some((_, lines)) => *lines += 1,
            None => tally.push((count, 1)),
        }
    }
    tally
        .into_iter()
        .map(|(count, lines)| (lines, count))
        .max()
        .unwrap_or((0, 0))
}

fn count_unquoted(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn grid(bytes: &[u8]) -> CsvGrid {
        CsvGrid::from_bytes("the test file", bytes, &FileSettings::default()).unwrap()
    }

    fn rows(grid: &CsvGrid) -> Vec<RawRow> {
        grid.rows().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn sniffs_the_delimiter_that_splits_lines_consistently() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("Name;Amount\nAcme;1,5\nBeta;2,25\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n"), b'|');
        assert_eq!(
            sniff_delimiter("Title, with a comma\n\na;b;c\n1;2;3\n4;5;6\n"),
            b';'
        );
        assert_eq!(
            sniff_delimiter("\"a;x\",b\n\"1;y\",2\n"),
            b',',
            "quotes hide"
        );
        assert_eq!(sniff_delimiter("sep=|\na,b\n"), b'|');
        assert_eq!(sniff_delimiter("just one column\n"), b',');
    }

    #[test]
    fn rows_carry_physical_line_numbers_through_blank_lines_and_quoted_newlines() {
        let g = grid(b"a,b\r\n\r\n\"x\r\ny\",2\r\n3,4\r\n");
        let crlf = rows(&g);
        let numbers: Vec<u64> = crlf.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 3, 5]);
        assert_eq!(crlf[1].cells[0], Cell::Text("x\r\ny".into()));
        assert_eq!(crlf[2].fields, Some(2));
        let lf = grid(b"t\n\n\na,b\n\"1\n2\",x\n\n3,4");
        let numbers: Vec<u64> = rows(&lf).iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 4, 5, 8]);
    }

    #[test]
    fn a_row_with_undecodable_bytes_is_marked() {
        let g = grid(b"Name,City\nZo\xc3\xab,K\xc3\xb6ln\nM\xfcller,Ulm\n\xc3\xa9,x\n");
        let marked: Vec<bool> = rows(&g).iter().map(|r| r.malformed).collect();
        assert_eq!(marked, [false, false, true, false]);
    }

    #[test]
    fn configured_delimiter_and_encoding_are_used() {
        let settings = FileSettings {
            delimiter: Some(';'),
            encoding: Some("windows-1252".into()),
            ..FileSettings::default()
        };
        let g = CsvGrid::from_bytes("f", b"a,x;b\n\xe9;2\n", &settings).unwrap();
        let rows = rows(&g);
        assert_eq!(rows[0].cells[0], Cell::Text("a,x".into()));
        assert_eq!(rows[1].cells[0], Cell::Text("é".into()));
    }
}
