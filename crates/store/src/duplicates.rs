//! Duplicate clusters found by the matching engine over the cached people, and the rows the
//! engine reads. Only the newest run's clusters are kept; a cluster disappears as soon as one
//! of its records leaves the cache (see 0003_duplicates.sql).

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use steward_domain::Timestamp;

use crate::{Change, StoreError};

/// A cached person as the matching engine reads it: its own fields, and the fields of the
/// company record it is associated with (the first one, when several).
#[derive(Debug, Clone, Default)]
pub struct PersonForMatching {
    pub record_id: i64,
    pub system: String,
    pub fields: Vec<(String, String)>,
    pub company_fields: Vec<(String, String)>,
}

/// Every live (not archived) person in the cache, in record-id order.
pub fn people_for_matching(conn: &Connection) -> Result<Vec<PersonForMatching>, StoreError> {
    let mut people: Vec<PersonForMatching> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT r.id, s.name FROM records r JOIN systems s ON s.id = r.system_id
         WHERE r.object = 'person' AND r.archived = 0 ORDER BY r.id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (record_id, system) = row?;
        index.insert(record_id, people.len());
        people.push(PersonForMatching {
            record_id,
            system,
            ..PersonForMatching::default()
        });
    }
    let mut stmt = conn.prepare(
        "SELECT f.record_id, f.field, f.value FROM record_fields f
         JOIN records r ON r.id = f.record_id
         WHERE r.object = 'person' AND r.archived = 0
         ORDER BY f.record_id, f.field",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, field, value) = row?;
        if let Some(&i) = index.get(&id) {
            people[i].fields.push((field, value));
        }
    }
    let mut stmt = conn.prepare(
        "SELECT a.record_id, c.id, cf.field, cf.value FROM record_associations a
         JOIN records p ON p.id = a.record_id
         JOIN records c ON c.system_id = p.system_id AND c.object = 'company'
                       AND c.external_id = a.external_id
         JOIN record_fields cf ON cf.record_id = c.id
         WHERE p.object = 'person' AND p.archived = 0 AND a.object = 'company'
           AND c.archived = 0
         ORDER BY a.record_id, c.id, cf.field",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut chosen: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for row in rows {
        let (person, company, field, value) = row?;
        let first = *chosen.entry(person).or_insert(company);
        if first == company
            && let Some(&i) = index.get(&person)
        {
            people[i].company_fields.push((field, value));
        }
    }
    Ok(people)
}

/// A cached person with its id in its system.
#[derive(Debug, Clone)]
pub struct PersonWithId {
    pub person: PersonForMatching,
    pub external_id: String,
}

/// The given records (people) as the engine reads them, in the order given; ids no longer in
/// the cache are left out.
pub fn people_for_matching_ids(
    conn: &Connection,
    ids: &[i64],
) -> Result<Vec<PersonWithId>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    let mut head = conn.prepare(
        "SELECT s.name, r.external_id FROM records r JOIN systems s ON s.id = r.system_id
         WHERE r.id = ?1",
    )?;
    let mut fields =
        conn.prepare("SELECT field, value FROM record_fields WHERE record_id = ?1 ORDER BY field")?;
    let mut company = conn.prepare(
        "SELECT cf.field, cf.value FROM record_associations a
         JOIN records p ON p.id = a.record_id
         JOIN records c ON c.system_id = p.system_id AND c.object = 'company'
                       AND c.external_id = a.external_id
         JOIN record_fields cf ON cf.record_id = c.id
         WHERE a.record_id = ?1 AND a.object = 'company'
           AND c.id = (SELECT MIN(c2.id) FROM record_associations a2
                       JOIN records c2 ON c2.system_id = p.system_id AND c2.object = 'company'
                                      AND c2.external_id = a2.external_id
                                      AND c2.archived = 0
                       WHERE a2.record_id = ?1 AND a2.object = 'company')
         ORDER BY cf.field",
    )?;
    let pairs = |stmt: &mut rusqlite::Statement<'_>,
                 id: i64|
     -> Result<Vec<(String, String)>, StoreError> {
        Ok(stmt
            .query_map([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<_, _>>()?)
    };
    for &id in ids {
        let Some((system, external_id)) = head
            .query_row([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        out.push(PersonWithId {
            person: PersonForMatching {
                record_id: id,
                system,
                fields: pairs(&mut fields, id)?,
                company_fields: pairs(&mut company, id)?,
            },
            external_id,
        });
    }
    Ok(out)
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchRun {
    pub id: i64,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub records: u64,
    pub pairs_compared: u64,
    pub threshold: f64,
    pub seconds: f64,
    pub model: serde_json::Value,
}

/// A cluster to store: its members (record ids) and every scored pair inside it.
#[derive(Debug, Clone)]
pub struct NewCluster {
    pub score: f64,
    /// The record whose fields name the cluster in the list, and those fields' names (the
    /// values are read when listed, so none is stored here).
    pub label_record: i64,
    pub label_fields: Vec<String>,
    pub systems: Vec<String>,
    pub members: Vec<i64>,
    /// (left record, right record, probability, evidence JSON)
    pub links: Vec<(i64, i64, f64, serde_json::Value)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterRow {
    pub cluster: i64,
    pub score: f64,
    pub size: u32,
    pub systems: Vec<String>,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRow {
    pub left_record: i64,
    pub right_record: i64,
    pub probability: f64,
    pub evidence: serde_json::Value,
}

impl Change<'_> {
    /// Stores a run and its clusters, replacing the previous run and its clusters. A cluster
    /// with a member that left the cache or was archived while the run was matching is
    /// skipped. Returns the run's id and how many clusters were stored.
    pub fn replace_duplicates(
        &self,
        run: &MatchRun,
        clusters: &[NewCluster],
    ) -> Result<(i64, usize), StoreError> {
        self.tx.execute("DELETE FROM match_runs", [])?;
        self.tx.execute(
            "INSERT INTO match_runs (started_at, finished_at, records, pairs_compared, threshold,
                                     seconds, model)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                run.started_at.millis(),
                run.finished_at.millis(),
                i64::try_from(run.records).unwrap_or(i64::MAX),
                i64::try_from(run.pairs_compared).unwrap_or(i64::MAX),
                run.threshold,
                run.seconds,
                run.model.to_string(),
            ],
        )?;
        let run_id = self.tx.last_insert_rowid();
        let mut cluster_stmt = self.tx.prepare(
            "INSERT INTO duplicate_clusters (run_id, cluster, score, size, systems,
                                             label_record, label_fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut live = self
            .tx
            .prepare("SELECT 1 FROM records WHERE id = ?1 AND archived = 0")?;
        let mut stored = 0;
        let mut member_stmt = self.tx.prepare(
            "INSERT INTO duplicate_members (run_id, cluster, record_id) VALUES (?1, ?2, ?3)",
        )?;
        let mut link_stmt = self.tx.prepare(
            "INSERT INTO duplicate_links (run_id, cluster, left_record, right_record,
                                          probability, evidence)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for cluster in clusters {
            let mut all_live = true;
            for member in &cluster.members {
                all_live &= live.exists([member])?;
            }
            if !all_live {
                continue;
            }
            stored += 1;
            let number = i64::try_from(stored).unwrap_or(i64::MAX);
            cluster_stmt.execute(params![
                run_id,
                number,
                cluster.score,
                i64::try_from(cluster.members.len()).unwrap_or(i64::MAX),
                serde_json::to_string(&cluster.systems).unwrap_or_else(|_| "[]".into()),
                cluster.label_record,
                serde_json::to_string(&cluster.label_fields).unwrap_or_else(|_| "[]".into()),
            ])?;
            for member in &cluster.members {
                member_stmt.execute(params![run_id, number, member])?;
            }
            for (left, right, probability, evidence) in &cluster.links {
                link_stmt.execute(params![
                    run_id,
                    number,
                    left,
                    right,
                    probability,
                    evidence.to_string()
                ])?;
            }
        }
        Ok((run_id, stored))
    }
}

/// The list's label: the label record's named fields, in the order named, joined by spaces.
const LABEL_SQL: &str = "COALESCE((SELECT group_concat(TRIM(f.value), ' ' ORDER BY j.key)
        FROM json_each(c.label_fields) j
        JOIN record_fields f ON f.record_id = c.label_record AND f.field = j.value), '')";

fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MatchRun> {
    let model: String = row.get(7)?;
    Ok(MatchRun {
        id: row.get(0)?,
        started_at: Timestamp::from_millis(row.get(1)?),
        finished_at: Timestamp::from_millis(row.get(2)?),
        records: row.get::<_, i64>(3)?.max(0).unsigned_abs(),
        pairs_compared: row.get::<_, i64>(4)?.max(0).unsigned_abs(),
        threshold: row.get(5)?,
        seconds: row.get(6)?,
        model: serde_json::from_str(&model).unwrap_or(serde_json::Value::Null),
    })
}

pub fn latest_match_run(conn: &Connection) -> Result<Option<MatchRun>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, started_at, finished_at, records, pairs_compared, threshold, seconds, model
             FROM match_runs ORDER BY id DESC LIMIT 1",
            [],
            run_from_row,
        )
        .optional()?)
}

/// The newest run's clusters, strongest first.
pub fn list_duplicate_clusters(conn: &Connection) -> Result<Vec<ClusterRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT c.cluster, c.score, c.size, c.systems, {LABEL_SQL}, c.label_record
         FROM duplicate_clusters c
         WHERE c.run_id = (SELECT MAX(id) FROM match_runs)
         ORDER BY c.score DESC, c.cluster"
    ))?;
    let rows = stmt.query_map([], cluster_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A cluster's row, its member record ids and its links.
pub type ClusterContents = (ClusterRow, Vec<i64>, Vec<LinkRow>);

/// One cluster of the newest run: its row, member record ids and links.
pub fn get_duplicate_cluster(
    conn: &Connection,
    cluster: i64,
) -> Result<Option<ClusterContents>, StoreError> {
    let row = list_duplicate_clusters_where(conn, cluster)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT record_id FROM duplicate_members
         WHERE run_id = (SELECT MAX(id) FROM match_runs) AND cluster = ?1 ORDER BY record_id",
    )?;
    let members = stmt
        .query_map([cluster], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT left_record, right_record, probability, evidence FROM duplicate_links
         WHERE run_id = (SELECT MAX(id) FROM match_runs) AND cluster = ?1
         ORDER BY probability DESC",
    )?;
    let links = stmt
        .query_map([cluster], |r| {
            let evidence: String = r.get(3)?;
            Ok(LinkRow {
                left_record: r.get(0)?,
                right_record: r.get(1)?,
                probability: r.get(2)?,
                evidence: serde_json::from_str(&evidence).unwrap_or(serde_json::Value::Null),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((row, members, links)))
}

fn list_duplicate_clusters_where(
    conn: &Connection,
    cluster: i64,
) -> Result<Option<ClusterRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT c.cluster, c.score, c.size, c.systems, {LABEL_SQL}, c.label_record
                 FROM duplicate_clusters c
                 WHERE c.run_id = (SELECT MAX(id) FROM match_runs) AND c.cluster = ?1"
            ),
            [cluster],
            cluster_row,
        )
        .optional()?)
}

fn cluster_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ClusterRow> {
    let systems: String = row.get(3)?;
    let label: String = row.get(4)?;
    Ok(ClusterRow {
        cluster: row.get(0)?,
        score: row.get(1)?,
        size: u32::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
        systems: serde_json::from_str(&systems).unwrap_or_default(),
        label: if label.trim().is_empty() {
            format!("record {}", row.get::<_, i64>(5)?)
        } else {
            label
        },
    })
}

/// Every member of the newest run's clusters: (cluster, record id, system, id in the system).
pub fn list_duplicate_members(
    conn: &Connection,
) -> Result<Vec<(i64, i64, String, String)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT m.cluster, m.record_id, s.name, r.external_id FROM duplicate_members m
         JOIN records r ON r.id = m.record_id JOIN systems s ON s.id = r.system_id
         WHERE m.run_id = (SELECT MAX(id) FROM match_runs) ORDER BY m.cluster, m.record_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every scored pair of the newest run: (cluster, left record, right record, probability).
pub fn list_duplicate_links(conn: &Connection) -> Result<Vec<(i64, i64, i64, f64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT cluster, left_record, right_record, probability FROM duplicate_links
         WHERE run_id = (SELECT MAX(id) FROM match_runs) ORDER BY cluster, probability DESC",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
