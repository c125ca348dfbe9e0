//! What drift reads (every cached record with its fields, their sources and earlier
//! versions) and what it leaves: one row per run with its counts (kept for the trend), and
//! the newest run's findings, which name records and fields but hold no values.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use steward_domain::{FieldValue, ObjectType, PastValue, Timestamp};

use crate::{Change, StoreError};

/// A cached record's head, as drift reads it.
#[derive(Debug, Clone)]
pub struct RecordHead {
    pub id: i64,
    pub system_id: i64,
    pub object: ObjectType,
    pub external_id: String,
    pub archived: bool,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

fn object_of(text: &str) -> ObjectType {
    if text == "company" {
        ObjectType::Company
    } else {
        ObjectType::Person
    }
}

/// One field value as a scan sees it, borrowed from SQLite: copy what is kept.
#[derive(Debug, Clone, Copy)]
pub struct FieldRef<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub modified_at: Option<i64>,
    pub source: Option<&'a str>,
}

/// What a scan of the cache calls, record by record in id order: the record, each wanted
/// field, the earlier values of its wanted fields (newest first per field), then its end.
pub trait RecordScan {
    fn wants(&self, system_id: i64, object: ObjectType, field: &str) -> bool;
    fn record(&mut self, head: RecordHead);
    fn field(&mut self, field: FieldRef<'_>);
    fn earlier(&mut self, field: FieldRef<'_>);
    fn end_record(&mut self);
}

/// An earlier value read ahead of its record, owned (the cursor moves on).
struct PendingVersion {
    record_id: i64,
    field: String,
    value: String,
    modified_at: Option<i64>,
    source: Option<String>,
}

/// Streams the whole cache through `scan` without holding it: records, their fields and
/// their earlier values in three cursors merged by record id. Values are handed out
/// borrowed, so a scan copies only what it keeps.
pub fn scan_records(conn: &Connection, scan: &mut dyn RecordScan) -> Result<(), StoreError> {
    let mut versions_stmt = conn.prepare(
        "SELECT record_id, field, value, modified_at, source FROM record_field_versions
         ORDER BY record_id, field, seq",
    )?;
    let mut versions = versions_stmt.query([])?;
    let next_version =
        |versions: &mut rusqlite::Rows<'_>| -> Result<Option<PendingVersion>, StoreError> {
            Ok(match versions.next()? {
                Some(row) => Some(PendingVersion {
                    record_id: row.get(0)?,
                    field: row.get(1)?,
                    value: row.get(2)?,
                    modified_at: row.get(3)?,
                    source: row.get(4)?,
                }),
                None => None,
            })
        };
    let mut pending = next_version(&mut versions)?;
    // Two sequential scans merged by record id: both tables are stored in that order, so
    // this reads each once, where a join would look every record's fields up.
    let mut records_stmt = conn.prepare(
        "SELECT id, system_id, object, external_id, archived, created_at, updated_at
         FROM records ORDER BY id",
    )?;
    let mut fields_stmt = conn.prepare(
        "SELECT record_id, field, value, modified_at, source FROM record_fields
         ORDER BY record_id",
    )?;
    let mut records = records_stmt.query([])?;
    let mut fields = fields_stmt.query([])?;
    let mut field = fields.next()?;
    while let Some(row) = records.next()? {
        let id: i64 = row.get(0)?;
        let system_id: i64 = row.get(1)?;
        let object = object_of(row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?);
        scan.record(RecordHead {
            id,
            system_id,
            object,
            external_id: row.get(3)?,
            archived: row.get(4)?,
            created_at: row.get(5)?,
            updated_at: row.get(6)?,
        });
        while let Some(f) = field {
            let fid: i64 = f.get(0)?;
            if fid > id {
                break;
            }
            if fid == id {
                // The name is checked before anything is copied: most fields are not wanted.
                let name = f.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                if scan.wants(system_id, object, name) {
                    scan.field(FieldRef {
                        name,
                        value: f.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?,
                        modified_at: f.get(3)?,
                        source: f
                            .get_ref(4)?
                            .as_str_or_null()
                            .map_err(rusqlite::Error::from)?,
                    });
                }
            }
            field = fields.next()?;
        }
        // Then the record's earlier values, from the second cursor.
        while let Some(v) = pending.as_ref().filter(|v| v.record_id <= id) {
            if v.record_id == id && scan.wants(system_id, object, &v.field) {
                scan.earlier(FieldRef {
                    name: &v.field,
                    value: &v.value,
                    modified_at: v.modified_at,
                    source: v.source.as_deref(),
                });
            }
            pending = next_version(&mut versions)?;
        }
        scan.end_record();
    }
    Ok(())
}

/// Calls `each` for every cached record, in id order, with the fields `wanted` keeps
/// (`wanted(system_id, object, field)`), each with its source and earlier versions.
pub fn for_each_record(
    conn: &Connection,
    wanted: impl Fn(i64, ObjectType, &str) -> bool,
    each: impl FnMut(RecordHead, Vec<(String, FieldValue)>),
) -> Result<(), StoreError> {
    struct Collect<W, E> {
        wanted: W,
        each: E,
        head: Option<RecordHead>,
        fields: Vec<(String, FieldValue)>,
    }
    impl<W: Fn(i64, ObjectType, &str) -> bool, E: FnMut(RecordHead, Vec<(String, FieldValue)>)>
        RecordScan for Collect<W, E>
    {
        fn wants(&self, system_id: i64, object: ObjectType, field: &str) -> bool {
            (self.wanted)(system_id, object, field)
        }
        fn record(&mut self, head: RecordHead) {
            self.head = Some(head);
        }
        fn field(&mut self, f: FieldRef<'_>) {
            self.fields.push((
                f.name.to_owned(),
                FieldValue {
                    value: f.value.to_owned(),
                    modified_at: f.modified_at.map(Timestamp::from_millis),
                    source: f.source.map(str::to_owned),
                    earlier: Vec::new(),
                },
            ));
        }
        fn earlier(&mut self, f: FieldRef<'_>) {
            if let Some((_, current)) = self.fields.iter_mut().find(|(n, _)| n == f.name) {
                current.earlier.push(PastValue {
                    value: f.value.to_owned(),
                    modified_at: f.modified_at.map(Timestamp::from_millis),
                    source: f.source.map(str::to_owned),
                });
            }
        }
        fn end_record(&mut self) {
            if let Some(head) = self.head.take() {
                (self.each)(head, std::mem::take(&mut self.fields));
            }
        }
    }
    scan_records(
        conn,
        &mut Collect {
            wanted,
            each,
            head: None,
            fields: Vec::new(),
        },
    )
}

/// The fields in which each spoke keeps the hub's id: (system id, object, field).
pub fn crosswalks(conn: &Connection) -> Result<Vec<(i64, ObjectType, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT system_id, object, field FROM system_crosswalks")?;
    let rows = stmt.query_map([], |r| {
        let object: String = r.get(1)?;
        Ok((r.get(0)?, object_of(&object), r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftRun {
    pub id: i64,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub rules_version: i64,
    pub records: u64,
    pub linked: u64,
    pub seconds: f64,
    pub totals: serde_json::Value,
    pub segments: serde_json::Value,
    /// The audit's tally (`Null` for runs before schema 6).
    pub quality: serde_json::Value,
}

/// A finding as stored: records by workspace id, fields by name, evidence and fix as JSON
/// that holds no values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFinding {
    pub kind: String,
    pub object: ObjectType,
    pub system_id: i64,
    pub record_id: Option<i64>,
    pub external_id: String,
    pub hub_record_id: Option<i64>,
    pub hub_external_id: Option<String>,
    pub field: Option<String>,
    pub system_field: Option<String>,
    pub hub_field: Option<String>,
    pub segment: Option<String>,
    pub evidence: serde_json::Value,
    pub fix: Option<serde_json::Value>,
}

/// A stored finding with the values it is about, read from the cache now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRow {
    pub seq: i64,
    pub finding: NewFinding,
    pub value: Option<String>,
    pub hub_value: Option<String>,
    /// Stale: the earlier authority value the copy still holds; conflicting write: the value
    /// the integration overwrote.
    pub earlier_value: Option<String>,
}

/// Filters for listing findings; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub kind: Option<String>,
    pub system_id: Option<i64>,
    pub field: Option<String>,
    pub object: Option<ObjectType>,
}

impl Change<'_> {
    /// Stores a run and its findings; older runs keep only their counts. A finding whose
    /// record left the cache while drift ran is skipped. Returns the run id and how many
    /// findings were stored.
    pub fn replace_drift(
        &self,
        run: &DriftRun,
        findings: &[NewFinding],
    ) -> Result<(i64, usize), StoreError> {
        self.tx.execute("DELETE FROM drift_findings", [])?;
        self.tx.execute(
            "INSERT INTO drift_runs (started_at, finished_at, rules_version, records, linked,
                                     seconds, totals, segments, quality)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                run.started_at.millis(),
                run.finished_at.millis(),
                run.rules_version,
                i64::try_from(run.records).unwrap_or(i64::MAX),
                i64::try_from(run.linked).unwrap_or(i64::MAX),
                run.seconds,
                run.totals.to_string(),
                run.segments.to_string(),
                (!run.quality.is_null()).then(|| run.quality.to_string()),
            ],
        )?;
        let run_id = self.tx.last_insert_rowid();
        let mut exists = self.tx.prepare("SELECT 1 FROM records WHERE id = ?1")?;
        let mut insert = self.tx.prepare(
            "INSERT INTO drift_findings (run_id, seq, kind, object, system_id, record_id,
                 external_id, hub_record_id, hub_external_id, field, system_field, hub_field,
                 segment, evidence, fix)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let mut stored = 0usize;
        for f in findings {
            let mut present = true;
            for id in [f.record_id, f.hub_record_id].into_iter().flatten() {
                present &= exists.exists([id])?;
            }
            if !present {
                continue;
            }
            stored += 1;
            insert.execute(params![
                run_id,
                i64::try_from(stored).unwrap_or(i64::MAX),
                f.kind,
                f.object.as_str(),
                f.system_id,
                f.record_id,
                f.external_id,
                f.hub_record_id,
                f.hub_external_id,
                f.field,
                f.system_field,
                f.hub_field,
                f.segment,
                f.evidence.to_string(),
                f.fix.as_ref().map(serde_json::Value::to_string),
            ])?;
        }
        Ok((run_id, stored))
    }
}

fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DriftRun> {
    let totals: String = row.get(7)?;
    let segments: String = row.get(8)?;
    let quality: Option<String> = row.get(9)?;
    Ok(DriftRun {
        id: row.get(0)?,
        started_at: Timestamp::from_millis(row.get(1)?),
        finished_at: Timestamp::from_millis(row.get(2)?),
        rules_version: row.get(3)?,
        records: row.get::<_, i64>(4)?.max(0).unsigned_abs(),
        linked: row.get::<_, i64>(5)?.max(0).unsigned_abs(),
        seconds: row.get(6)?,
        totals: serde_json::from_str(&totals).unwrap_or_default(),
        segments: serde_json::from_str(&segments).unwrap_or_default(),
        quality: quality
            .and_then(|q| serde_json::from_str(&q).ok())
            .unwrap_or_default(),
    })
}

const RUN_COLUMNS: &str = "id, started_at, finished_at, rules_version, records, linked, seconds, totals, segments, quality";

pub fn latest_drift_run(conn: &Connection) -> Result<Option<DriftRun>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {RUN_COLUMNS} FROM drift_runs ORDER BY id DESC LIMIT 1"),
            [],
            run_from_row,
        )
        .optional()?)
}

/// Every run, oldest first (the trend).
pub fn list_drift_runs(conn: &Connection) -> Result<Vec<DriftRun>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {RUN_COLUMNS} FROM drift_runs ORDER BY id"))?;
    let rows = stmt.query_map([], run_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const FINDING_SELECT: &str = "SELECT d.seq, d.kind, d.object, d.system_id, d.record_id,
        d.external_id, d.hub_record_id, d.hub_external_id, d.field, d.system_field,
        d.hub_field, d.segment, d.evidence, d.fix,
        (SELECT value FROM record_fields WHERE record_id = d.record_id AND field = d.system_field),
        (SELECT value FROM record_fields WHERE record_id = d.hub_record_id AND field = d.hub_field),
        (SELECT value FROM record_field_versions
          WHERE record_id = COALESCE(json_extract(d.evidence, '$.authority_record_id'), d.hub_record_id)
            AND field = COALESCE(json_extract(d.evidence, '$.authority_field'), d.hub_field)
            AND seq = COALESCE(json_extract(d.evidence, '$.agreed_version'),
                               json_extract(d.evidence, '$.overwritten_version')))
     FROM drift_findings d";

const FINDING_WHERE: &str = "WHERE d.run_id = ?1 AND (?2 IS NULL OR d.kind = ?2)
       AND (?3 IS NULL OR d.system_id = ?3) AND (?4 IS NULL OR d.field = ?4)
       AND (?5 IS NULL OR d.object = ?5)";

fn finding_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FindingRow> {
    let object: String = row.get(2)?;
    let evidence: String = row.get(12)?;
    let fix: Option<String> = row.get(13)?;
    Ok(FindingRow {
        seq: row.get(0)?,
        finding: NewFinding {
            kind: row.get(1)?,
            object: object_of(&object),
            system_id: row.get(3)?,
            record_id: row.get(4)?,
            external_id: row.get(5)?,
            hub_record_id: row.get(6)?,
            hub_external_id: row.get(7)?,
            field: row.get(8)?,
            system_field: row.get(9)?,
            hub_field: row.get(10)?,
            segment: row.get(11)?,
            evidence: serde_json::from_str(&evidence).unwrap_or_default(),
            fix: fix.and_then(|f| serde_json::from_str(&f).ok()),
        },
        value: row.get(14)?,
        hub_value: row.get(15)?,
        earlier_value: row.get(16)?,
    })
}

/// A page of the run's findings in (kind, system, record) order, and how many match.
pub fn list_findings(
    conn: &Connection,
    run_id: i64,
    filter: &FindingFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<FindingRow>, u64), StoreError> {
    let args = params![
        run_id,
        filter.kind,
        filter.system_id,
        filter.field,
        filter.object.map(ObjectType::as_str),
    ];
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM drift_findings d {FINDING_WHERE}"),
        args,
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "{FINDING_SELECT} {FINDING_WHERE} ORDER BY d.seq LIMIT ?6 OFFSET ?7"
    ))?;
    let rows = stmt.query_map(
        params![
            run_id,
            filter.kind,
            filter.system_id,
            filter.field,
            filter.object.map(ObjectType::as_str),
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX),
        ],
        finding_from_row,
    )?;
    Ok((rows.collect::<Result<_, _>>()?, total.max(0).unsigned_abs()))
}

/// One finding of the run.
pub fn get_finding(
    conn: &Connection,
    run_id: i64,
    seq: i64,
) -> Result<Option<FindingRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{FINDING_SELECT} WHERE d.run_id = ?1 AND d.seq = ?2"),
            params![run_id, seq],
            finding_from_row,
        )
        .optional()?)
}

/// Up to `limit` non-empty values of each field of a system's `object` records (the first
/// records by id), for suggesting what the fields mean. Read locally, never logged.
pub fn field_samples(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
    limit: usize,
) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT f.field, f.value FROM records r JOIN record_fields f ON f.record_id = r.id
         WHERE r.id IN (SELECT id FROM records WHERE system_id = ?1 AND object = ?2
                        ORDER BY id LIMIT ?3)
           AND trim(f.value) <> ''",
    )?;
    let mut rows = stmt.query(params![
        system_id,
        object.as_str(),
        i64::try_from(limit).unwrap_or(i64::MAX)
    ])?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    while let Some(row) = rows.next()? {
        out.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    Ok(out)
}

/// How often each value of one field occurs in a system's `object` records, most frequent
/// first, at most `limit` values (status values: a small vocabulary).
pub fn value_counts(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
    field: &str,
    limit: usize,
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT trim(f.value), count(*) FROM records r JOIN record_fields f ON f.record_id = r.id
         WHERE r.system_id = ?1 AND r.object = ?2 AND f.field = ?3 AND trim(f.value) <> ''
         GROUP BY trim(f.value) ORDER BY count(*) DESC, trim(f.value) LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![
            system_id,
            object.as_str(),
            field,
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0).unsigned_abs())),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One cached field's current value.
pub fn field_value(
    conn: &Connection,
    record_id: i64,
    field: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM record_fields WHERE record_id = ?1 AND field = ?2",
            params![record_id, field],
            |r| r.get(0),
        )
        .optional()?)
}

/// One write-back of a drift fix, as journaled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub system_id: i64,
    pub object: ObjectType,
    pub external_id: String,
    pub field: String,
    pub before: Option<String>,
    pub after: String,
    pub status: String,
    pub detail: Option<String>,
}

fn fix_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FixRow> {
    let object: String = row.get(4)?;
    Ok(FixRow {
        id: row.get(0)?,
        at: Timestamp::from_millis(row.get(1)?),
        actor: row.get(2)?,
        system_id: row.get(3)?,
        object: object_of(&object),
        external_id: row.get(5)?,
        field: row.get(6)?,
        before: row.get(7)?,
        after: row.get(8)?,
        status: row.get(9)?,
        detail: row.get(10)?,
    })
}

const FIX_COLUMNS: &str =
    "id, at, actor, system_id, object, external_id, field, before, after, status, detail";

/// The fix journal, newest first.
pub fn list_fixes(conn: &Connection, limit: u32) -> Result<Vec<FixRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {FIX_COLUMNS} FROM drift_fixes ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], fix_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn get_fix(conn: &Connection, id: i64) -> Result<Option<FixRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {FIX_COLUMNS} FROM drift_fixes WHERE id = ?1"),
            [id],
            fix_from_row,
        )
        .optional()?)
}

/// The cached record of one system's record, if Steward has it.
pub fn record_id(
    conn: &Connection,
    system_id: i64,
    object: ObjectType,
    external_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM records WHERE system_id = ?1 AND object = ?2 AND external_id = ?3",
            params![system_id, object.as_str(), external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// An earlier version of a cached field (0 = the newest earlier one).
pub fn field_version(
    conn: &Connection,
    record_id: i64,
    field: &str,
    seq: i64,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM record_field_versions WHERE record_id = ?1 AND field = ?2 AND seq = ?3",
            params![record_id, field, seq],
            |r| r.get(0),
        )
        .optional()?)
}

impl Change<'_> {
    /// Journals fixes about to be written (status `pending`); returns their ids in order.
    pub fn insert_fixes(&self, rows: &[FixRow]) -> Result<Vec<i64>, StoreError> {
        let mut insert = self.tx.prepare(
            "INSERT INTO drift_fixes (at, actor, system_id, object, external_id, field, before,
                                      after, status, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        let mut ids = Vec::with_capacity(rows.len());
        for r in rows {
            insert.execute(params![
                r.at.millis(),
                r.actor,
                r.system_id,
                r.object.as_str(),
                r.external_id,
                r.field,
                r.before,
                r.after,
                r.status,
                r.detail
            ])?;
            ids.push(self.tx.last_insert_rowid());
        }
        Ok(ids)
    }

    /// Records how journaled fixes ended.
    pub fn set_fix_status(
        &self,
        id: i64,
        status: &str,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE drift_fixes SET status = ?2, detail = ?3 WHERE id = ?1",
            params![id, status, detail],
        )?;
        Ok(())
    }

    /// Puts a value Steward wrote into a system into its cached snapshot too (the next sync
    /// would), and drops the finding it settled.
    pub fn cache_written_value(
        &self,
        record_id: i64,
        field: &str,
        value: &str,
        at: Timestamp,
        settled: Option<(i64, i64)>,
    ) -> Result<(), StoreError> {
        if value.is_empty() {
            self.tx.execute(
                "DELETE FROM record_fields WHERE record_id = ?1 AND field = ?2",
                params![record_id, field],
            )?;
        } else {
            self.tx.execute(
                "INSERT INTO record_fields (record_id, field, value, modified_at, source)
             VALUES (?1, ?2, ?3, ?4, 'STEWARD')
             ON CONFLICT (record_id, field) DO UPDATE SET value = excluded.value,
               modified_at = excluded.modified_at, source = excluded.source",
                params![record_id, field, value, at.millis()],
            )?;
        }
        if let Some((run_id, seq)) = settled {
            self.tx.execute(
                "DELETE FROM drift_findings WHERE run_id = ?1 AND seq = ?2",
                params![run_id, seq],
            )?;
        }
        Ok(())
    }
}
