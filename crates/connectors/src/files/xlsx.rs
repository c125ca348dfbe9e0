//! XLSX workbooks: one sheet, read through calamine into the neutral grid.

use std::path::Path;

use calamine::{Data, Dimensions, ExcelDateTime, Range, Reader, Xlsx, XlsxError, open_workbook};
use steward_domain::Timestamp;
use time::{Date, Month, PrimitiveDateTime, Time};

use super::table::{Cell, RawRow};
use super::{FileSettings, Grid, check_file};
use crate::error::ConnectorError;

pub(super) struct XlsxGrid {
    range: Range<Data>,
}

impl XlsxGrid {
    pub(super) fn from_range(range: Range<Data>) -> Self {
        Self { range }
    }
}

impl Grid for XlsxGrid {
    const UNIT: &'static str = "row";

    fn open(what: &str, path: &Path, settings: &FileSettings) -> Result<Self, ConnectorError> {
        check_file(what, path)?;
        let mut workbook: Xlsx<_> =
            open_workbook(path).map_err(|e| ConnectorError::source(what, workbook_error(e)))?;
        let sheet = pick_sheet(what, &workbook.sheet_names(), settings.sheet.as_deref())?;
        let mut range = workbook
            .worksheet_range(&sheet)
            .map_err(|e| ConnectorError::source(what, workbook_error(e)))?;
        let merged = workbook
            .merge_cells_by_sheet_name(&sheet)
            .map_err(|e| ConnectorError::source(what, workbook_error(e)))?;
        spread_merged_cells(&mut range, &merged);
        Ok(Self::from_range(range))
    }

    fn rows(&self) -> impl Iterator<Item = Result<RawRow, ConnectorError>> + Send + '_ {
        // The range starts at the sheet's first used row; Excel numbers rows from 1.
        let first = self.range.start().map_or(0, |(row, _)| u64::from(row));
        self.range.rows().enumerate().map(move |(i, cells)| {
            Ok(RawRow {
                number: first + i as u64 + 1,
                cells: cells.iter().map(cell).collect(),
                fields: None,
                malformed: false,
            })
        })
    }
}

/// The configured sheet, or the workbook's first.
fn pick_sheet(
    what: &str,
    names: &[String],
    wanted: Option<&str>,
) -> Result<String, ConnectorError> {
    let Some(wanted) = wanted.map(str::trim) else {
        return names
            .first()
            .cloned()
            .ok_or_else(|| ConnectorError::source(what, "the workbook has no sheets"));
    };
    if let Some(name) = names.iter().find(|n| n.as_str() == wanted) {
        return Ok(name.clone());
    }
    let hint = match names.iter().find(|n| n.eq_ignore_ascii_case(wanted)) {
        Some(close) => format!("did you mean \"{close}\"?"),
        None => format!("its sheets are: {}", names.join(", ")),
    };
    Err(ConnectorError::source(
        what,
        format!("the workbook has no sheet \"{wanted}\"; {hint}"),
    ))
}

/// Why a workbook could not be read, without echoing any cell the parser choked on.
fn workbook_error(error: XlsxError) -> String {
    match error {
        XlsxError::Io(e) => super::io_reason(&e),
        XlsxError::Zip(_) => "it is not an XLSX workbook (an old .xls, or a CSV renamed?); \
                              save it from Excel as \"Excel Workbook (.xlsx)\" and try again"
            .into(),
        XlsxError::Password => {
            "it is password-protected; save a copy without a password and try again".into()
        }
        XlsxError::WorksheetNotFound(_) | XlsxError::NotAWorksheet(_) => {
            "the sheet is not a worksheet (a chart sheet?); choose another sheet".into()
        }
        _ => "the workbook is damaged or uses features Steward cannot read; \
              re-save it from Excel and try again"
            .into(),
    }
}

/// A merged cell holds its value only in its top-left cell. Copy it down the merged rows
/// (the first column only: a merged header or title spanning columns must not repeat).
fn spread_merged_cells(range: &mut Range<Data>, merged: &[Dimensions]) {
    for region in merged {
        let Some(top) = range.get_value(region.start).cloned() else {
            continue;
        };
        for row in region.start.0.saturating_add(1)..=region.end.0 {
            let at = (row, region.start.1);
            // Only inside the range: `set_value` grows or panics outside it.
            if range.get_value(at).is_some() {
                range.set_value(at, top.clone());
            }
        }
    }
}

pub(super) fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::text(text),
        Data::Int(n) => Cell::Number(n.to_string()),
        Data::Float(f) => Cell::Number(number(*f)),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) => date_time(dt),
        Data::Error(_) => Cell::Error,
    }
}

/// Integral numbers print without Excel's `.0`.
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn date_time(dt: &ExcelDateTime) -> Cell {
    let serial = dt.as_f64();
    // Durations and bare times (serial below one day) are clock readings, not instants.
    if dt.is_duration() || (0.0..1.0).contains(&serial) {
        return Cell::Text(clock(serial));
    }
    // A serial that is no real date (Excel's 1900-02-29) stays a number.
    instant(dt).map_or_else(|| Cell::Number(number(serial)), Cell::Instant)
}

/// Excel stores no time zone: read as UTC, as text dates without an offset are.
fn instant(dt: &ExcelDateTime) -> Option<Timestamp> {
    let (year, month, day, hour, minute, second, milli) = dt.to_ymd_hms_milli();
    let date = Date::from_calendar_date(i32::from(year), Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms_milli(hour, minute, second, milli).ok()?;
    Some(Timestamp::from_datetime(
        PrimitiveDateTime::new(date, time).assume_utc(),
    ))
}

/// `h:mm:ss` from a fraction of days (hours may exceed 24 for durations).
fn clock(days: f64) -> String {
    let seconds = (days * 86_400.0).round() as i64;
    let sign = if seconds < 0 { "-" } else { "" };
    let seconds = seconds.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use calamine::ExcelDateTimeType;

    use super::*;

    fn excel_date(serial: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    }

    #[test]
    fn cells_print_as_the_sheet_shows_them() {
        assert_eq!(cell(&Data::Float(42.0)), Cell::Number("42".into()));
        assert_eq!(cell(&Data::Float(-3.0)), Cell::Number("-3".into()));
        assert_eq!(cell(&Data::Float(0.25)), Cell::Number("0.25".into()));
        assert_eq!(cell(&Data::Int(7)), Cell::Number("7".into()));
        assert_eq!(
            cell(&Data::String("  Acme ".into())),
            Cell::Text("Acme".into())
        );
        assert_eq!(cell(&Data::String("   ".into())), Cell::Empty);
        assert_eq!(cell(&Data::Bool(true)), Cell::Text("TRUE".into()));
        assert_eq!(cell(&Data::Error(calamine::CellErrorType::NA)), Cell::Error);
    }

    #[test]
    fn dates_become_instants_and_times_stay_clock_text() {
        // 45839 is 2025-07-01; .5 is noon.
        let Cell::Instant(at) = cell(&excel_date(45_839.5)) else {
            panic!("an instant")
        };
        assert_eq!(at.to_rfc3339(), "2025-07-01T12:00:00.000Z");
        assert_eq!(cell(&excel_date(0.75)), Cell::Text("18:00:00".into()));
        let duration = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(cell(&duration), Cell::Text("36:00:00".into()));
    }

    #[test]
    fn rows_are_numbered_as_excel_numbers_them() {
        let mut range = Range::new((2, 1), (3, 2));
        range.set_value((2, 1), Data::String("Company".into()));
        range.set_value((3, 2), Data::Float(5.0));
        let grid = XlsxGrid::from_range(range);
        let rows: Vec<RawRow> = grid.rows().collect::<Result<_, _>>().unwrap();
        assert_eq!(rows[0].number, 3);
        assert_eq!(rows[1].number, 4);
        assert_eq!(rows[1].cells, [Cell::Empty, Cell::Number("5".into())]);
        assert_eq!(rows[1].fields, None);
    }

    #[test]
    fn merged_cells_spread_down_their_first_column_only() {
        let mut range = Range::new((0, 0), (3, 2));
        range.set_value((0, 0), Data::String("Title".into()));
        range.set_value((1, 0), Data::String("Acme".into()));
        let merged = [
            Dimensions::new((0, 0), (0, 2)), // a title across columns
            Dimensions::new((1, 0), (3, 0)), // a company down three rows
            Dimensions::new((2, 2), (9, 2)), // reaching past the range
        ];
        spread_merged_cells(&mut range, &merged);
        assert_eq!(range.get_value((0, 1)), Some(&Data::Empty));
        assert_eq!(range.get_value((3, 0)), Some(&Data::String("Acme".into())));
        assert_eq!(range.get_size(), (4, 3));
    }

    #[test]
    fn a_missing_sheet_is_named_with_the_ones_there_are() {
        let names = ["Prospects".to_owned(), "Notes".to_owned()];
        assert_eq!(pick_sheet("f", &names, None).unwrap(), "Prospects");
        assert_eq!(pick_sheet("f", &names, Some(" Notes ")).unwrap(), "Notes");
        let close = pick_sheet("f", &names, Some("prospects")).unwrap_err();
        assert!(
            close.to_string().contains("did you mean \"Prospects\"?"),
            "{close}"
        );
        let missing = pick_sheet("f", &names, Some("Leads")).unwrap_err();
        assert!(
            missing.to_string().contains("Prospects, Notes"),
            "{missing}"
        );
    }
}
