//! Spreadsheets as spokes: CSV files ([`csv()`]) and XLSX workbooks ([`xlsx()`]), as a RevOps
//! team keeps them — a title block above the header, group labels written once per group,
//! mixed date formats, legacy encodings, and bad rows.
//!
//! A file is always read whole (no incremental reads, no resume): every read opens it, works
//! out its layout in a first pass ([`layout`] documents the detection rules), then turns
//! rows into records page by page ([`rows`] documents the checks). Nothing is dropped
//! silently: each row not kept, and each cell that could not be read, becomes a
//! [`crate::RecordProblem`] naming the line (CSV) or row (XLSX) and the column, never the
//! value. A row whose created/updated date is unparseable is kept without that date.
//!
//! Record ids are the id column's values, or the row's number when the file has no id
//! column: CSV lines are the file's physical lines counted from 1 at its first line (the
//! header's included); XLSX rows are Excel's. Merged XLSX cells are spread down their rows
//! before anything else, since their value belongs to every row they span.

mod csv;
mod decode;
mod layout;
mod names;
mod rows;
mod table;
mod xlsx;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use steward_domain::{ObjectType, Timestamp};

use self::csv::CsvGrid;
use self::layout::Layout;
use self::rows::{Outcome, RowReader};
use self::table::RawRow;
use self::xlsx::XlsxGrid;
use crate::connector::{Connector, Context, PageSink, deliver};
use crate::error::ConnectorError;
use crate::model::{Crosswalk, Page, ReadRequest, SourceField};
use crate::values::DateOrder;

/// Records (or problems) per page handed to the sink.
const PAGE_SIZE: usize = 1000;

/// How to read one file. Everything is optional: columns, delimiter, encoding and group
/// columns are detected when not given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileSettings {
    /// What each row is.
    pub object: ObjectType,
    /// The header of the column holding the rows' ids; `None` detects one (`ID`,
    /// `Registration ID`, `contact_id` …) or falls back to line (row) numbers.
    pub id_column: Option<String>,
    /// `None` detects `created`, `created at`, `registered at`, `date added` ….
    pub created_at_column: Option<String>,
    /// `None` detects `updated`, `modified`, `last modified`, `last touched`, `last activity` ….
    pub updated_at_column: Option<String>,
    /// How to read all-numeric dates that could be either way round (`03/04/2025`).
    pub date_order: DateOrder,
    /// XLSX: the sheet to read; `None` reads the first.
    pub sheet: Option<String>,
    /// Columns whose blank cells repeat the value above (merged-looking group labels);
    /// `None` detects the leftmost such column, `Some(vec![])` fills none.
    pub fill_down: Option<Vec<String>>,
    /// A column holding the hub's id for the same record.
    pub crosswalk_column: Option<String>,
    /// CSV: the field delimiter; `None` sniffs `,` `;` tab `|`.
    pub delimiter: Option<char>,
    /// CSV: an encoding label (`windows-1252`, `latin1`, `utf-16le` …); `None` reads a BOM,
    /// else UTF-8, else windows-1252. A BOM always wins.
    pub encoding: Option<String>,
}

impl Default for FileSettings {
    fn default() -> Self {
        Self {
            object: ObjectType::Person,
            id_column: None,
            created_at_column: None,
            updated_at_column: None,
            date_order: DateOrder::default(),
            sheet: None,
            fill_down: None,
            crosswalk_column: None,
            delimiter: None,
            encoding: None,
        }
    }
}

impl FileSettings {
    /// Checks the settings without touching the file.
    pub fn validate(&self) -> Result<(), ConnectorError> {
        let names = [
            ("id_column", &self.id_column),
            ("created_at_column", &self.created_at_column),
            ("updated_at_column", &self.updated_at_column),
            ("crosswalk_column", &self.crosswalk_column),
            ("sheet", &self.sheet),
        ];
        for (setting, value) in names {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(ConnectorError::config(format!(
                    "{setting} is empty: name it, or leave it out to detect it"
                )));
            }
        }
        self.validate_fill_down()?;
        if let (Some(id), Some(crosswalk)) = (&self.id_column, &self.crosswalk_column)
            && id.trim() == crosswalk.trim()
        {
            return Err(ConnectorError::config(
                "the id column and the crosswalk column must differ: the crosswalk holds the \
                 hub's id, the id column this file's own",
            ));
        }
        if let Some(delimiter) = self.delimiter
            && !(delimiter == '\t' || (delimiter.is_ascii_punctuation() && delimiter != '"'))
        {
            return Err(ConnectorError::config(format!(
                "the delimiter {delimiter:?} cannot separate CSV fields; use a comma, \
                 semicolon, tab or pipe"
            )));
        }
        if let Some(label) = &self.encoding
            && decode::encoding_for(label).is_none()
        {
            return Err(ConnectorError::config(format!(
                "unknown text encoding \"{}\"; use a label such as utf-8, windows-1252, \
                 iso-8859-1 or utf-16le",
                label.trim()
            )));
        }
        Ok(())
    }

    fn validate_fill_down(&self) -> Result<(), ConnectorError> {
        let mut seen = HashSet::new();
        for column in self.fill_down.iter().flatten().map(|c| c.trim()) {
            if column.is_empty() {
                return Err(ConnectorError::config("fill_down names an empty column"));
            }
            if !seen.insert(column) {
                return Err(ConnectorError::config(format!(
                    "fill_down names \"{column}\" twice"
                )));
            }
        }
        Ok(())
    }
}

/// A CSV file as a spoke.
#[derive(Debug)]
pub struct CsvConnector {
    file: FileSource,
}

/// One sheet of an XLSX workbook as a spoke.
#[derive(Debug)]
pub struct XlsxConnector {
    file: FileSource,
}

pub fn csv(ctx: Context, path: PathBuf, settings: FileSettings) -> CsvConnector {
    CsvConnector {
        file: FileSource {
            ctx,
            path,
            settings,
        },
    }
}

pub fn xlsx(ctx: Context, path: PathBuf, settings: FileSettings) -> XlsxConnector {
    XlsxConnector {
        file: FileSource {
            ctx,
            path,
            settings,
        },
    }
}

/// A file format: opened whole, then iterated as rows as often as needed.
trait Grid: Sized + Send + Sync + 'static {
    /// What a row number counts: `line` or `row`.
    const UNIT: &'static str;

    /// `what` names the file in errors.
    fn open(what: &str, path: &Path, settings: &FileSettings) -> Result<Self, ConnectorError>;

    fn rows(&self) -> impl Iterator<Item = Result<RawRow, ConnectorError>> + Send + '_;
}

#[derive(Debug)]
struct FileSource {
    ctx: Context,
    path: PathBuf,
    settings: FileSettings,
}

impl FileSource {
    fn what(&self) -> String {
        format!("the file {}", self.path.display())
    }

    fn crosswalks(&self) -> Vec<Crosswalk> {
        self.settings
            .crosswalk_column
            .iter()
            .map(|column| Crosswalk {
                object: self.settings.object,
                field: column.trim().to_owned(),
            })
            .collect()
    }

    fn check_object(&self, object: ObjectType) -> Result<(), ConnectorError> {
        if object == self.settings.object {
            Ok(())
        } else {
            Err(ConnectorError::config(format!(
                "{} holds {} records, not {object} records",
                self.what(),
                self.settings.object
            )))
        }
    }

    /// Opens the file and works out its layout, off the async threads (file I/O and a pass
    /// over every row).
    async fn load<G: Grid>(&self) -> Result<(G, Layout), ConnectorError> {
        self.settings.validate()?;
        self.ctx.check_cancelled()?;
        let (what, path, settings) = (self.what(), self.path.clone(), self.settings.clone());
        tokio::task::spawn_blocking(move || {
            let grid = G::open(&what, &path, &settings)?;
            let layout = layout::scan(grid.rows(), &settings, &what)?;
            Ok((grid, layout))
        })
        .await
        // A panic's message could quote the file; say only that reading failed.
        .map_err(|_| ConnectorError::source(self.what(), "the reader stopped unexpectedly"))?
    }

    async fn describe<G: Grid>(
        &self,
        object: ObjectType,
    ) -> Result<Vec<SourceField>, ConnectorError> {
        self.check_object(object)?;
        let (_, layout) = self.load::<G>().await?;
        Ok(layout
            .columns
            .iter()
            .zip(&layout.kinds)
            .map(|(column, kind)| SourceField {
                name: column.name.clone(),
                label: column.name.clone(),
                value_type: kind.name().to_owned(),
                read_only: false,
            })
            .collect())
    }

    async fn count<G: Grid>(&self, object: ObjectType) -> Result<Option<u64>, ConnectorError> {
        self.check_object(object)?;
        let (_, layout) = self.load::<G>().await?;
        Ok(Some(layout.data_rows))
    }

    async fn read<G: Grid>(
        &self,
        object: ObjectType,
        sink: &mut dyn PageSink,
    ) -> Result<(), ConnectorError> {
        self.check_object(object)?;
        let (grid, layout) = self.load::<G>().await?;
        let mut reader = RowReader::new(&layout, object, self.ctx.system_id, G::UNIT);
        let mut page = Page::default();
        let (mut records, mut problems) = (0usize, 0usize);
        for row in grid.rows() {
            match reader.read(row?) {
                None => continue,
                Some(Outcome::Kept(record, cell_problems)) => {
                    records += 1;
                    problems += cell_problems.len();
                    page.records.push(record);
                    page.problems.extend(cell_problems);
                }
                Some(Outcome::Dropped(problem)) => {
                    problems += 1;
                    page.problems.push(problem);
                }
            }
            if page.records.len() >= PAGE_SIZE || page.problems.len() >= PAGE_SIZE {
                self.flush(sink, object, &mut page)?;
                // Let other tasks run between pages of a long file.
                tokio::task::yield_now().await;
            }
        }
        if !page.records.is_empty() || !page.problems.is_empty() {
            self.flush(sink, object, &mut page)?;
        }
        tracing::debug!(
            system = %self.ctx.system_name,
            unit = G::UNIT,
            records,
            problems,
            "file read"
        );
        Ok(())
    }

    /// Hands the page over, unless the read was cancelled.
    fn flush(
        &self,
        sink: &mut dyn PageSink,
        object: ObjectType,
        page: &mut Page,
    ) -> Result<(), ConnectorError> {
        self.ctx.check_cancelled()?;
        deliver(sink, object, std::mem::take(page))
    }
}

/// Implements [`Connector`] for a file connector over its grid type.
macro_rules! file_connector {
    ($connector:ty, $grid:ty) => {
        #[async_trait]
        impl Connector for $connector {
            fn objects(&self) -> Vec<ObjectType> {
                vec![self.file.settings.object]
            }

            fn crosswalks(&self) -> Vec<Crosswalk> {
                self.file.crosswalks()
            }

            /// The file exists, opens, and has a header.
            async fn healthcheck(&self) -> Result<(), ConnectorError> {
                self.file.load::<$grid>().await.map(|_| ())
            }

            /// One field per header column, typed by what most of its cells hold.
            async fn describe(
                &self,
                object: ObjectType,
            ) -> Result<Vec<SourceField>, ConnectorError> {
                self.file.describe::<$grid>(object).await
            }

            /// The rows below the header that are not blank, bad ones included.
            async fn count(
                &self,
                object: ObjectType,
                _since: Option<Timestamp>,
            ) -> Result<Option<u64>, ConnectorError> {
                self.file.count::<$grid>(object).await
            }

            /// Reads the whole file: `since` and `resume` do not apply to files.
            async fn read(
                &self,
                object: ObjectType,
                _request: &ReadRequest,
                sink: &mut dyn PageSink,
            ) -> Result<(), ConnectorError> {
                self.file.read::<$grid>(object, sink).await
            }
        }
    };
}

file_connector!(CsvConnector, CsvGrid);
file_connector!(XlsxConnector, XlsxGrid);

/// Fails with a next step when the path is not a readable file.
fn check_file(what: &str, path: &Path) -> Result<(), ConnectorError> {
    let metadata =
        std::fs::metadata(path).map_err(|e| ConnectorError::source(what, io_reason(&e)))?;
    if metadata.is_dir() {
        return Err(ConnectorError::source(
            what,
            "it is a folder, not a file; choose the file itself",
        ));
    }
    Ok(())
}

fn read_bytes(what: &str, path: &Path) -> Result<Vec<u8>, ConnectorError> {
    check_file(what, path)?;
    std::fs::read(path).map_err(|e| ConnectorError::source(what, io_reason(&e)))
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => {
            "it does not exist; check the path, or choose the file again".into()
        }
        std::io::ErrorKind::PermissionDenied => {
            "Steward is not allowed to read it; check the file's permissions".into()
        }
        _ => error.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Write;

    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::model::RecordProblem;
    use steward_domain::Record;

    #[derive(Default)]
    struct Collect {
        pages: Vec<(ObjectType, Page)>,
        refuse: bool,
    }

    impl PageSink for Collect {
        fn accept(&mut self, object: ObjectType, page: Page) -> Result<(), String> {
            if self.refuse {
                return Err("the workspace is locked".into());
            }
            self.pages.push((object, page));
            Ok(())
        }
    }

    impl Collect {
        fn records(&self) -> Vec<&Record> {
            self.pages.iter().flat_map(|(_, p)| &p.records).collect()
        }

        fn problems(&self) -> Vec<&RecordProblem> {
            self.pages.iter().flat_map(|(_, p)| &p.problems).collect()
        }
    }

    fn context() -> Context {
        Context {
            system_id: 3,
            system_name: "Events".into(),
            cancel: CancellationToken::new(),
        }
    }

    fn file(bytes: &[u8], name: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        (dir, path)
    }

    async fn read_csv(bytes: &[u8], settings: FileSettings) -> Collect {
        let (_dir, path) = file(bytes, "events.csv");
        let connector = csv(context(), path, settings);
        let mut sink = Collect::default();
        connector
            .read(ObjectType::Person, &ReadRequest::default(), &mut sink)
            .await
            .unwrap();
        sink
    }

    /// The events export as the sandbox writes it: a BOM, CRLF, and its three kinds of bad
    /// line.
    const EVENTS: &str = "\u{feff}Registration ID,First Name,Last Name,Email,Company,\
        Job Title,Country,Registered At\r\n\
        R00000,Jordan,Lee,jordan.lee@example.test\r\n\
        R00001,Sam,Park,sam.park1@example.test,Acme,,,TBD\r\n\
        R00002,,,,Walk-in,,,2025-03-01\r\n\
        R00003, Ann ,Lee, ann@x.test ,\"Beta, Inc\",CTO,Norway,30/06/2025\r\n\
        R00004,Bo,Chan,bo@x.test,Gamma,,,2025-06-30 10:11:12\r\n";

    #[tokio::test]
    async fn reads_the_events_export_with_every_bad_line_reported() {
        let sink = read_csv(EVENTS.as_bytes(), FileSettings::default()).await;
        assert_eq!(sink.pages.len(), 1);
        let (object, page) = &sink.pages[0];
        assert_eq!(*object, ObjectType::Person);
        assert_eq!(page.resume, None);
        let ids: Vec<&str> = sink
            .records()
            .iter()
            .map(|r| r.key.external_id.as_str())
            .collect();
        assert_eq!(ids, ["R00001", "R00003", "R00004"]);
        let problems: Vec<(&str, &str, bool)> = sink
            .problems()
            .iter()
            .map(|p| (p.locator.as_str(), p.reason.as_str(), p.record_kept))
            .collect();
        assert_eq!(
            problems,
            [
                ("line 2", "wrong number of columns", false),
                ("line 3", "unparseable date", true),
                ("line 4", "no name and no email", false),
            ]
        );
        let ann = sink.records()[1];
        assert_eq!(ann.key.system_id, 3);
        assert_eq!(ann.fields["Company"].value, "Beta, Inc");
        assert_eq!(ann.fields["Email"].value, "ann@x.test");
        assert_eq!(
            ann.fields.keys().next().map(String::as_str),
            Some("Company"),
            "no BOM in the first header"
        );
        assert!(ann.fields.contains_key("Registration ID"));
    }

    #[tokio::test]
    async fn describes_counts_and_checks_health() {
        let (_dir, path) = file(EVENTS.as_bytes(), "events.csv");
        let settings = FileSettings {
            crosswalk_column: Some("Company".into()),
            ..FileSettings::default()
        };
        let connector = csv(context(), path, settings);
        assert_eq!(connector.objects(), [ObjectType::Person]);
        assert!(!connector.incremental());
        assert_eq!(
            connector.crosswalks(),
            [Crosswalk {
                object: ObjectType::Person,
                field: "Company".into()
            }]
        );
        connector.healthcheck().await.unwrap();
        assert_eq!(
            connector.count(ObjectType::Person, None).await.unwrap(),
            Some(5)
        );
        let fields = connector.describe(ObjectType::Person).await.unwrap();
        let described: Vec<(&str, &str)> = fields
            .iter()
            .map(|f| (f.name.as_str(), f.value_type.as_str()))
            .collect();
        assert_eq!(
            described,
            [
                ("Registration ID", "string"),
                ("First Name", "string"),
                ("Last Name", "string"),
                ("Email", "email"),
                ("Company", "string"),
                ("Job Title", "string"),
                ("Country", "string"),
                ("Registered At", "date"),
            ]
        );
        assert!(fields.iter().all(|f| f.label == f.name && !f.read_only));
        let wrong = connector.describe(ObjectType::Company).await.unwrap_err();
        assert!(matches!(wrong, ConnectorError::Config(_)), "{wrong}");
    }

    #[tokio::test]
    async fn pages_hold_at_most_a_thousand_records() {
        let mut text = String::from("id,name\n");
        for i in 0..2_500 {
            text.push_str(&format!("{i},Person {i}\n"));
        }
        let sink = read_csv(text.as_bytes(), FileSettings::default()).await;
        let sizes: Vec<usize> = sink.pages.iter().map(|(_, p)| p.records.len()).collect();
        assert_eq!(sizes, [1000, 1000, 500]);
        assert!(sink.pages.iter().all(|(_, p)| p.resume.is_none()));
        assert_eq!(sink.records()[2_499].key.external_id, "2499");
    }

    #[tokio::test]
    async fn semicolons_windows_1252_and_a_title_block() {
        let bytes = b"Export from the old CRM\r\n\r\n\
            Name;E-mail;City;Created\r\n\
            M\xfcller;m@x.test;K\xf6ln;2025-01-02\r\n\
            ;;;\r\n\
            Zo\xeb;z@x.test;;06/30/2025\r\n";
        let sink = read_csv(bytes, FileSettings::default()).await;
        let records = sink.records();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].key.external_id, "4");
        assert_eq!(records[0].fields["Name"].value, "Müller");
        assert_eq!(records[0].fields["City"].value, "Köln");
        assert_eq!(records[1].key.external_id, "6");
        assert_eq!(records[1].fields["Name"].value, "Zoë");
        assert!(sink.problems().is_empty());
    }

    #[tokio::test]
    async fn utf16_with_a_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Name\tEmail\r\nZoë\tz@x.test\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let sink = read_csv(&bytes, FileSettings::default()).await;
        assert_eq!(sink.records()[0].fields["Name"].value, "Zoë");
        assert_eq!(sink.records()[0].key.external_id, "2");
    }

    #[tokio::test]
    async fn a_corrupt_line_in_a_utf8_file_is_reported_not_guessed() {
        let bytes = b"Name,Email\nZo\xc3\xab,z@x.test\nM\xfcller,m@x.test\nJos\xc3\xa9,j@x.test\n";
        let sink = read_csv(bytes, FileSettings::default()).await;
        let names: Vec<&str> = sink
            .records()
            .iter()
            .map(|r| r.fields["Name"].value.as_str())
            .collect();
        assert_eq!(names, ["Zoë", "José"]);
        let problem = sink.problems()[0];
        assert_eq!(
            (problem.locator.as_str(), problem.reason.as_str()),
            ("line 3", "invalid text encoding")
        );
        assert!(!problem.record_kept);
    }

    #[tokio::test]
    async fn file_errors_name_the_file_and_a_next_step() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone.csv");
        let err = csv(context(), missing.clone(), FileSettings::default())
            .healthcheck()
            .await
            .unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, ConnectorError::Source { .. }));
        assert!(
            message.contains(&missing.display().to_string()),
            "{message}"
        );
        assert!(message.contains("does not exist"), "{message}");

        let folder = csv(context(), dir.path().to_owned(), FileSettings::default());
        let err = folder.healthcheck().await.unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");

        let (_d, not_xlsx) = file(EVENTS.as_bytes(), "events.xlsx");
        let err = xlsx(context(), not_xlsx, FileSettings::default())
            .healthcheck()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not an XLSX workbook"), "{err}");

        let (_e, headless) = file(b"1,2\n3,4\n", "numbers.csv");
        let err = csv(context(), headless, FileSettings::default())
            .healthcheck()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no header row found"), "{err}");
    }

    #[tokio::test]
    async fn a_cancelled_read_or_a_refusing_sink_stops_with_their_errors() {
        let (_dir, path) = file(EVENTS.as_bytes(), "events.csv");
        let ctx = context();
        ctx.cancel.cancel();
        let mut sink = Collect::default();
        let err = csv(ctx, path.clone(), FileSettings::default())
            .read(ObjectType::Person, &ReadRequest::default(), &mut sink)
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectorError::Cancelled));
        assert!(sink.pages.is_empty());

        let mut refusing = Collect {
            refuse: true,
            ..Collect::default()
        };
        let err = csv(context(), path, FileSettings::default())
            .read(ObjectType::Person, &ReadRequest::default(), &mut refusing)
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectorError::Sink(_)), "{err}");
    }

    #[test]
    fn settings_default_deserialize_and_validate() {
        let parsed: FileSettings = serde_json::from_str(r#"{"id_column": "ID"}"#).unwrap();
        assert_eq!(parsed.object, ObjectType::Person);
        assert_eq!(parsed.id_column.as_deref(), Some("ID"));
        assert!(serde_json::from_str::<FileSettings>(r#"{"colour": 1}"#).is_err());
        let month_first: FileSettings =
            serde_json::from_str(r#"{"object": "company", "date_order": "month_first"}"#).unwrap();
        assert_eq!(month_first.date_order, DateOrder::MonthFirst);
        FileSettings::default().validate().unwrap();

        let invalid = [
            FileSettings {
                id_column: Some(" ".into()),
                ..FileSettings::default()
            },
            FileSettings {
                sheet: Some(String::new()),
                ..FileSettings::default()
            },
            FileSettings {
                fill_down: Some(vec!["Company".into(), " Company".into()]),
                ..FileSettings::default()
            },
            FileSettings {
                fill_down: Some(vec![String::new()]),
                ..FileSettings::default()
            },
            FileSettings {
                id_column: Some("crm id".into()),
                crosswalk_column: Some(" crm id".into()),
                ..FileSettings::default()
            },
            FileSettings {
                delimiter: Some('a'),
                ..FileSettings::default()
            },
            FileSettings {
                delimiter: Some('"'),
                ..FileSettings::default()
            },
            FileSettings {
                delimiter: Some('§'),
                ..FileSettings::default()
            },
            FileSettings {
                encoding: Some("klingon".into()),
                ..FileSettings::default()
            },
        ];
        for settings in invalid {
            let err = settings.validate().unwrap_err();
            assert!(matches!(err, ConnectorError::Config(_)), "{settings:?}");
        }
        for delimiter in [',', ';', '\t', '|'] {
            let settings = FileSettings {
                delimiter: Some(delimiter),
                encoding: Some("latin1".into()),
                ..FileSettings::default()
            };
            settings.validate().unwrap();
        }
    }
}
