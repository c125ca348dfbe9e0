//! The records the engine matches: a schema of named columns (some recognised by name, the
//! rest carried along for rules) and compact rows. A file becomes records only whole: any bad
//! row stops the read with its line number and the reason, so nothing is half-matched.

use std::collections::HashMap;
use std::io::Read;

use crate::error::MatchError;

/// The columns the engine understands without a rules file (`steward dedupe` in CLI.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Known {
    FirstName,
    LastName,
    FullName,
    Email,
    Phone,
    Company,
    Title,
    Country,
    City,
    Domain,
    CreatedAt,
    UpdatedAt,
    Source,
}

impl Known {
    pub const ALL: [Known; 13] = [
        Known::FirstName,
        Known::LastName,
        Known::FullName,
        Known::Email,
        Known::Phone,
        Known::Company,
        Known::Title,
        Known::Country,
        Known::City,
        Known::Domain,
        Known::CreatedAt,
        Known::UpdatedAt,
        Known::Source,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Known::FirstName => "first_name",
            Known::LastName => "last_name",
            Known::FullName => "full_name",
            Known::Email => "email",
            Known::Phone => "phone",
            Known::Company => "company",
            Known::Title => "title",
            Known::Country => "country",
            Known::City => "city",
            Known::Domain => "domain",
            Known::CreatedAt => "created_at",
            Known::UpdatedAt => "updated_at",
            Known::Source => "source",
        }
    }

    pub fn from_name(name: &str) -> Option<Known> {
        Known::ALL.into_iter().find(|k| k.name() == name)
    }

    /// A system's own field name read as a known column: `firstname`, `First Name`,
    /// `firstName`, `given_name` are all the first name. For a person, a bare `name` or
    /// `contact` is the full name. Timestamps and ids are not recognised here.
    pub fn recognise(field: &str) -> Option<Known> {
        let key: String = field
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match key.as_str() {
            "firstname" | "givenname" | "forename" | "first" => Known::FirstName,
            "lastname" | "surname" | "familyname" | "last" => Known::LastName,
            "fullname" | "name" | "contact" | "contactname" | "displayname" => Known::FullName,
            "email" | "emailaddress" | "mail" | "workemail" | "businessemail" => Known::Email,
            "phone" | "phonenumber" | "telephone" | "tel" | "workphone" | "businessphone"
            | "mobile" | "mobilephone" => Known::Phone,
            "company" | "companyname" | "account" | "accountname" | "organisation"
            | "organization" | "employer" => Known::Company,
            "title" | "jobtitle" | "position" => Known::Title,
            "country" => Known::Country,
            "city" | "town" => Known::City,
            "domain" | "website" | "companydomain" | "webdomain" => Known::Domain,
            _ => return None,
        })
    }
}

/// Column names in file order; `known` says where each recognised column is.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub columns: Vec<String>,
    known: HashMap<Known, usize>,
}

impl Schema {
    /// A schema from header names (trimmed, compared case-insensitively). The first column
    /// named `id` is the id; any other repeated name is refused, since rules name columns.
    pub fn new(header: &[&str]) -> Result<Schema, MatchError> {
        let mut schema = Schema::default();
        let mut seen = HashMap::new();
        for (index, raw) in header.iter().enumerate() {
            let name = raw.trim().trim_start_matches('\u{feff}').to_lowercase();
            if name.is_empty() {
                return Err(MatchError::input(
                    1,
                    format!("column {} has no name", index + 1),
                ));
            }
            if seen.insert(name.clone(), index).is_some() {
                return Err(MatchError::input(
                    1,
                    format!("column `{name}` appears twice"),
                ));
            }
            if let Some(known) = Known::from_name(&name) {
                schema.known.insert(known, index);
            }
            schema.columns.push(name);
        }
        if schema.index("id").is_none() {
            return Err(MatchError::input(1, "the header has no `id` column"));
        }
        Ok(schema)
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    pub fn known(&self, field: Known) -> Option<usize> {
        self.known.get(&field).copied()
    }

    pub fn id_index(&self) -> usize {
        self.index("id").unwrap_or(0)
    }
}

/// One record's values in a single allocation: `ends[i]` is where column `i` stops.
#[derive(Debug, Clone)]
pub struct Row {
    text: Box<str>,
    ends: Box<[u32]>,
}

impl Row {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Row {
        let mut text = String::new();
        let mut ends = Vec::new();
        for value in values {
            text.push_str(value);
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Row {
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    /// A column's value, trimmed; `None` when absent or blank.
    pub fn get(&self, column: usize) -> Option<&str> {
        let end = *self.ends.get(column)? as usize;
        let start = match column {
            0 => 0,
            _ => self.ends[column - 1] as usize,
        };
        let value = self.text.get(start..end)?.trim();
        (!value.is_empty()).then_some(value)
    }
}

/// Records to match: a schema and rows, with ids unique.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub schema: Schema,
    pub rows: Vec<Row>,
}

impl Records {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn id(&self, record: usize) -> &str {
        self.rows[record]
            .get(self.schema.id_index())
            .unwrap_or_default()
    }

    pub fn value(&self, record: usize, field: Known) -> Option<&str> {
        self.rows[record].get(self.schema.known(field)?)
    }

    /// Reads a CSV with a header. Every row must have the header's number of fields, valid
    /// UTF-8 and a non-empty id no other row has; the first that doesn't is the error.
    pub fn from_csv(reader: impl Read) -> Result<Records, MatchError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let header = csv.byte_headers().map_err(|e| csv_error(&e))?.clone();
        let names: Vec<&str> = header
            .iter()
            .enumerate()
            .map(|(i, field)| {
                std::str::from_utf8(field).map_err(|_| {
                    MatchError::input(1, format!("column {} is not valid UTF-8", i + 1))
                })
            })
            .collect::<Result<_, _>>()?;
        let schema = Schema::new(&names)?;
        let id_column = schema.id_index();
        let mut rows = Vec::new();
        let mut first_line: HashMap<Box<str>, u64> = HashMap::new();
        let mut record = csv::ByteRecord::new();
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(csv_error(&e)),
            }
            let line = record.position().map_or(0, csv::Position::line);
            // Records are numbered with u32 inside the engine.
            if rows.len() >= (u32::MAX - 1) as usize {
                return Err(MatchError::input(
                    line,
                    "too many records for one run (at most 4,294,967,294)",
                ));
            }
            let mut values = Vec::with_capacity(record.len());
            for (i, field) in record.iter().enumerate() {
                values.push(std::str::from_utf8(field).map_err(|_| {
                    MatchError::input(
                        line,
                        format!("column `{}` is not valid UTF-8", schema.columns[i]),
                    )
                })?);
            }
            let id = values[id_column].trim();
            if id.is_empty() {
                return Err(MatchError::input(line, "the id is empty"));
            }
            if let Some(earlier) = first_line.insert(id.into(), line) {
                return Err(MatchError::input(
                    line,
                    format!("the id is the same as line {earlier}'s"),
                ));
            }
            rows.push(Row::new(values));
        }
        Ok(Records { schema, rows })
    }
}

fn csv_error(error: &csv::Error) -> MatchError {
    let line = error.position().map_or(0, csv::Position::line);
    let reason = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
        csv::ErrorKind::Io(e) => format!("the file cannot be read: {e}"),
        _ => "the row is not valid CSV".to_owned(),
    };
    MatchError::input(line, reason)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(text: &str) -> Result<Records, MatchError> {
        Records::from_csv(text.as_bytes())
    }

    #[test]
    fn reads_known_and_extra_columns() {
        let records = read("ID,First_Name,email,shoe_size\n1, Ann ,a@x.io,\n2,Bo,,42\n").unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records.id(1), "2");
        assert_eq!(records.value(0, Known::FirstName), Some("Ann"));
        assert_eq!(records.value(1, Known::Email), None);
        assert_eq!(records.value(0, Known::Phone), None);
        let shoe = records.schema.index("shoe_size").unwrap();
        assert_eq!(records.rows[1].get(shoe), Some("42"));
    }

    #[test]
    fn bad_input_names_the_line_and_the_reason() {
        let err = |text: &str| read(text).unwrap_err().to_string();
        assert!(err("name\nAnn\n").contains("no `id` column"));
        assert_eq!(
            err("id,name\n1,Ann\n2,Bo\n1,Cy\n"),
            "line 4: the id is the same as line 2's"
        );
        assert_eq!(
            err("id,name\n1,Ann\n2,Bo,extra\n"),
            "line 3: the row has 3 fields where the header has 2"
        );
        assert_eq!(err("id,name\n ,Ann\n"), "line 2: the id is empty");
        assert!(err("id,name,name\n").contains("appears twice"));
        let bytes = b"id,name\n1,\xff\xfe\n";
        let e = Records::from_csv(&bytes[..]).unwrap_err().to_string();
        assert_eq!(e, "line 2: column `name` is not valid UTF-8");
    }
}
