//! Reading the instants systems write, in every shape they come in.

use steward_domain::Timestamp;
use time::{Date, Month, PrimitiveDateTime, Time};

/// How to read an all-numeric date whose day and month could be swapped (`03/04/2025`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// 03/04/2025 is 3 April (most of the world).
    #[default]
    DayFirst,
    /// 03/04/2025 is 4 March (the US).
    MonthFirst,
}

/// Parses an instant: RFC 3339, ISO 8601 with a space or without an offset (read as UTC),
/// a bare ISO date, `dd/mm/yyyy` or `mm/dd/yyyy` (`-` and `.` separators too, unambiguous
/// ones either way round), or Unix milliseconds. `None` when it is none of these.
pub fn parse_instant(text: &str, order: DateOrder) -> Option<Timestamp> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(at) = Timestamp::parse_rfc3339(text) {
        return Some(at);
    }
    if text.len() >= 13 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().map(Timestamp::from_millis);
    }
    let (date_part, time_part) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t.trim_end_matches('Z'))),
        None => (text, None),
    };
    let date = iso_date(date_part).or_else(|| slashed_date(date_part, order))?;
    let time = match time_part {
        None => Time::MIDNIGHT,
        Some(t) => clock(t)?,
    };
    Some(Timestamp::from_datetime(
        PrimitiveDateTime::new(date, time).assume_utc(),
    ))
}

fn numbers(text: &str, sep: &[char]) -> Option<Vec<u32>> {
    text.split(sep)
        .map(|p| {
            (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect()
}

fn ymd(y: u32, m: u32, d: u32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

fn iso_date(text: &str) -> Option<Date> {
    match numbers(text, &['-'])?.as_slice() {
        [y, m, d] if *y >= 1000 => ymd(*y, *m, *d),
        _ => None,
    }
}

fn slashed_date(text: &str, order: DateOrder) -> Option<Date> {
    let parts = numbers(text, &['/', '.', '-'])?;
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    if *y < 1000 {
        return None;
    }
    let (day, month) = if *a > 12 {
        (*a, *b)
    } else if *b > 12 {
        (*b, *a)
    } else {
        match order {
            DateOrder::DayFirst => (*a, *b),
            DateOrder::MonthFirst => (*b, *a),
        }
    };
    ymd(*y, month, day)
}

fn clock(text: &str) -> Option<Time> {
    // Drop an offset we could not parse as RFC 3339 (`+0000`): read as UTC.
    let text = text.split(['+']).next()?;
    let (hms, fraction) = match text.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (text, None),
    };
    let parts = numbers(hms, &[':'])?;
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let millis = match fraction {
        None => 0,
        Some(f) if f.bytes().all(|b| b.is_ascii_digit()) && !f.is_empty() => {
            let digits: String = f.chars().chain("000".chars()).take(3).collect();
            digits.parse().ok()?
        }
        Some(_) => return None,
    };
    Time::from_hms_milli(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(s).ok()?,
        millis,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> String {
        parse_instant(text, DateOrder::DayFirst)
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn every_shape_the_sandbox_and_apis_write() {
        for (input, expected) in [
            ("2025-06-30T10:11:12.345Z", "2025-06-30T10:11:12.345Z"),
            ("2025-06-30T12:11:12+02:00", "2025-06-30T10:11:12.000Z"),
            ("2025-06-30 10:11:12", "2025-06-30T10:11:12.000Z"),
            ("2025-06-30 10:11:12.5", "2025-06-30T10:11:12.500Z"),
            ("2025-06-30T10:11:12", "2025-06-30T10:11:12.000Z"),
            ("2025-06-30", "2025-06-30T00:00:00.000Z"),
            ("30/06/2025", "2025-06-30T00:00:00.000Z"),
            ("06/30/2025", "2025-06-30T00:00:00.000Z"),
            ("03/04/2025", "2025-04-03T00:00:00.000Z"),
            ("30.06.2025", "2025-06-30T00:00:00.000Z"),
            (" 2025-06-30 ", "2025-06-30T00:00:00.000Z"),
            ("1751278272345", "2025-06-30T10:11:12.345Z"),
            ("TBD", "none"),
            ("", "none"),
            ("2025-02-30", "none"),
            ("31/31/2025", "none"),
            ("12:00", "none"),
        ] {
            assert_eq!(at(input), expected, "{input}");
        }
        assert_eq!(
            parse_instant("03/04/2025", DateOrder::MonthFirst).map(|t| t.to_rfc3339()),
            Some("2025-03-04T00:00:00.000Z".into())
        );
    }
}
