//! The Duplicates screen and `steward duplicates`: the matching engine over every cached
//! person, within each system and across systems. Each system's own field names are read as
//! the engine's columns (`firstname`, `First Name`, `Contact` …); a person without a company
//! field takes its associated company record's name and domain.
//!
//! A run stores clusters as record ids, scores and evidence (comparison, level, bits) only;
//! the values shown beside them are read from the cache when a cluster is opened, so an
//! erasure in the cache leaves nothing behind here.

use std::time::Instant;

use serde::Serialize;
use steward_matching::engine::Stage;
use steward_matching::{Known, Records, Row, Rules, Schema};
use steward_store::{NewCluster, PersonForMatching, Workspace};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::sync::SyncEnv;
use crate::workspace::Steward;

/// The engine's columns, in the order the workspace's records are given to it.
const COLUMNS: [Known; 10] = [
    Known::Source,
    Known::FirstName,
    Known::LastName,
    Known::FullName,
    Known::Email,
    Known::Phone,
    Known::Company,
    Known::Title,
    Known::Country,
    Known::City,
];
/// Pairs with evidence stored per cluster: all of them up to this many members.
const EXPLAINED_MEMBERS: usize = 12;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DuplicatesProgress {
    /// normalising, blocking, comparing, learning, clustering, saving
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatchRunView {
    pub id: i64,
    pub finished_at: String,
    pub records: u64,
    pub pairs_compared: u64,
    pub threshold: f64,
    pub seconds: f64,
    /// Clusters of two or more records.
    pub clusters: u64,
    /// Records in those clusters.
    pub duplicate_records: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    pub cluster: i64,
    /// The weakest link's match probability.
    pub score: f64,
    pub size: u32,
    pub systems: Vec<String>,
    /// The first member's name (or address), for the list.
    pub label: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DuplicatesView {
    pub run: Option<MatchRunView>,
    /// Strongest first.
    pub clusters: Vec<ClusterSummary>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberValue {
    /// The engine's column (`first_name`, `email` …): what evidence names.
    pub column: String,
    /// The system's own field it came from.
    pub field: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub record_id: i64,
    pub system: String,
    pub external_id: String,
    pub values: Vec<MemberValue>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceView {
    pub comparison: String,
    /// The engine columns this comparison reads (`company` also reads `domain`).
    pub columns: Vec<String>,
    pub level: String,
    /// log2 likelihood ratio: + says "same person", − says "different people".
    pub bits: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    pub left: i64,
    pub right: i64,
    pub probability: f64,
    /// The likeliest kind of different people for this pair ("colleagues", "namesakes" …):
    /// the evidence is weighed against it.
    pub alternative: String,
    /// log2 of the odds before any comparison: prior + Σ evidence bits gives `probability`.
    pub prior_bits: f64,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClusterDetail {
    pub cluster: ClusterSummary,
    pub members: Vec<MemberView>,
    /// Strongest first.
    pub links: Vec<LinkView>,
}

/// One person's values as engine columns, with the system field each came from.
fn person_values(person: &PersonForMatching) -> Vec<(Known, String, String)> {
    let mut out: Vec<(Known, String, String)> = Vec::new();
    for (field, value) in &person.fields {
        if let Some(known) = Known::recognise(field)
            && !value.trim().is_empty()
            && !out.iter().any(|(k, ..)| *k == known)
        {
            out.push((known, field.clone(), value.clone()));
        }
    }
    // The associated company record supplies what the person lacks.
    for (field, value) in &person.company_fields {
        let known = match Known::recognise(field) {
            Some(Known::FullName | Known::Company) => Known::Company,
            Some(k @ (Known::Domain | Known::Country | Known::City)) => k,
            _ => continue,
        };
        if !value.trim().is_empty() && !out.iter().any(|(k, ..)| *k == known) {
            out.push((known, format!("company.{field}"), value.clone()));
        }
    }
    out
}

fn records_for(people: &[PersonForMatching]) -> Records {
    let mut header: Vec<&str> = vec!["id"];
    header.extend(COLUMNS.iter().map(|k| k.name()));
    header.push(Known::Domain.name());
    let schema = Schema::new(&header).unwrap_or_default();
    let rows = people
        .iter()
        .map(|p| {
            let values = person_values(p);
            let get = |k: Known| {
                values
                    .iter()
                    .find(|(known, ..)| *known == k)
                    .map_or("", |(_, _, v)| v.as_str())
            };
            let id = p.record_id.to_string();
            let mut row: Vec<&str> = vec![id.as_str(), p.system.as_str()];
            row.extend(COLUMNS[1..].iter().map(|&k| get(k)));
            row.push(get(Known::Domain));
            Row::new(row)
        })
        .collect();
    Records { schema, rows }
}

/// The fields (names, not values) that name a cluster in the list: first and last name, or
/// the full name, or the address.
fn label_fields(person: &PersonForMatching) -> Vec<String> {
    let values = person_values(person);
    let field = |k: Known| {
        values
            .iter()
            .find(|(known, _, v)| *known == k && !v.starts_with("company."))
            .map(|(_, f, _)| f.clone())
    };
    match (field(Known::FirstName), field(Known::LastName)) {
        (Some(f), Some(l)) => vec![f, l],
        (f, l) => f
            .or(l)
            .or_else(|| field(Known::FullName))
            .or_else(|| field(Known::Email))
            .into_iter()
            .collect(),
    }
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Normalising => "normalising",
        Stage::Blocking => "blocking",
        Stage::Comparing => "comparing",
        Stage::Learning => "learning",
        Stage::Clustering => "clustering",
    }
}

/// Matches every cached person and stores the clusters, replacing the previous run's. Runs
/// on its own connection, so the app stays responsive; `cancel` stops it between steps
/// without touching what was stored before.
pub fn find_duplicates(
    env: &SyncEnv,
    progress: &(dyn Fn(DuplicatesProgress) + Sync),
    cancel: &(dyn Fn() -> bool + Sync),
) -> Result<MatchRunView, AppError> {
    let started = Instant::now();
    let started_at = env.clock.now();
    let mut workspace = Workspace::open(&env.workspace_path)?;
    let people = steward_store::people_for_matching(workspace.conn())?;
    let records = records_for(&people);
    let rules = Rules::default();
    let report = |stage: Stage, done: u64, total: u64| {
        progress(DuplicatesProgress {
            stage: stage_name(stage).to_owned(),
            done,
            total,
        });
    };
    let outcome =
        steward_matching::run(&records, &rules, None, &report, cancel).map_err(|e| match e {
            steward_matching::MatchError::Cancelled => AppError::new(
                ErrorCode::Cancelled,
                "matching was cancelled; nothing changed",
            ),
            other => AppError::new(ErrorCode::Internal, other.to_string()),
        })?;
    let groups: Vec<_> = outcome
        .clusters
        .iter()
        .filter(|c| c.members.len() > 1)
        .collect();
    progress(DuplicatesProgress {
        stage: "saving".into(),
        done: 0,
        total: groups.len() as u64,
    });
    let clusters: Vec<NewCluster> = groups
        .iter()
        .map(|cluster| {
            let members: Vec<usize> = cluster.members.iter().map(|&m| m as usize).collect();
            let mut systems: Vec<String> =
                members.iter().map(|&m| people[m].system.clone()).collect();
            systems.sort();
            systems.dedup();
            let mut links = Vec::new();
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    if x > 0 && members.len() > EXPLAINED_MEMBERS {
                        break;
                    }
                    let explanation = outcome.matcher.explain(a, b);
                    links.push((
                        people[a].record_id,
                        people[b].record_id,
                        explanation.probability,
                        serde_json::to_value(&explanation).unwrap_or(serde_json::Value::Null),
                    ));
                }
            }
            NewCluster {
                score: cluster.score,
                label_record: people[members[0]].record_id,
                label_fields: label_fields(&people[members[0]]),
                systems,
                members: members.iter().map(|&m| people[m].record_id).collect(),
                links,
            }
        })
        .collect();
    if cancel() {
        return Err(AppError::new(
            ErrorCode::Cancelled,
            "matching was cancelled; nothing changed",
        ));
    }
    let finished_at = env.clock.now();
    let run = steward_store::MatchRun {
        id: 0,
        started_at,
        finished_at,
        records: records.len() as u64,
        pairs_compared: outcome.pairs_compared,
        threshold: outcome.threshold,
        seconds: started.elapsed().as_secs_f64(),
        model: serde_json::to_value(&outcome.matcher.model).unwrap_or(serde_json::Value::Null),
    };
    let (id, stored) = workspace.change(|c| {
        let (id, stored) = c.replace_duplicates(&run, &clusters)?;
        let event = steward_domain::AuditEvent {
            at: finished_at,
            actor: env.actor.clone(),
            action: "duplicates.found".into(),
            subject: "people".into(),
            details: serde_json::json!({
                "records": run.records,
                "pairs_compared": run.pairs_compared,
                "clusters": stored,
                // Clusters with a record that left the cache while matching ran.
                "skipped": clusters.len() - stored,
                "threshold": run.threshold,
            }),
        };
        Ok::<_, AppError>(((id, stored), event))
    })?;
    progress(DuplicatesProgress {
        stage: "saving".into(),
        done: clusters.len() as u64,
        total: clusters.len() as u64,
    });
    tracing::info!(
        records = run.records,
        pairs = run.pairs_compared,
        clusters = stored,
        "duplicates found"
    );
    let duplicate_records = steward_store::list_duplicate_clusters(workspace.conn())?
        .iter()
        .map(|c| u64::from(c.size))
        .sum();
    Ok(MatchRunView {
        id,
        finished_at: finished_at.to_rfc3339(),
        records: run.records,
        pairs_compared: run.pairs_compared,
        threshold: run.threshold,
        seconds: run.seconds,
        clusters: stored as u64,
        duplicate_records,
    })
}

fn summary(row: steward_store::ClusterRow) -> ClusterSummary {
    ClusterSummary {
        cluster: row.cluster,
        score: row.score,
        size: row.size,
        systems: row.systems,
        label: row.label,
    }
}

impl Steward {
    /// The newest run and its clusters, strongest first.
    pub fn duplicates(&self) -> Result<DuplicatesView, AppError> {
        let conn = self.workspace.conn();
        let clusters: Vec<ClusterSummary> = steward_store::list_duplicate_clusters(conn)?
            .into_iter()
            .map(summary)
            .collect();
        let run = steward_store::latest_match_run(conn)?.map(|run| MatchRunView {
            id: run.id,
            finished_at: run.finished_at.to_rfc3339(),
            records: run.records,
            pairs_compared: run.pairs_compared,
            threshold: run.threshold,
            seconds: run.seconds,
            clusters: clusters.len() as u64,
            duplicate_records: clusters.iter().map(|c| u64::from(c.size)).sum(),
        });
        Ok(DuplicatesView { run, clusters })
    }

    /// One cluster with its members' values (from the cache) and the evidence of each link.
    pub fn duplicate_cluster(&self, cluster: i64) -> Result<ClusterDetail, AppError> {
        let conn = self.workspace.conn();
        let Some((row, member_ids, links)) = steward_store::get_duplicate_cluster(conn, cluster)?
        else {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("no duplicate cluster {cluster}: find duplicates again"),
            ));
        };
        let people = steward_store::people_for_matching_ids(conn, &member_ids)?;
        let members = people
            .iter()
            .map(|p| MemberView {
                record_id: p.person.record_id,
                system: p.person.system.clone(),
                external_id: p.external_id.clone(),
                values: person_values(&p.person)
                    .into_iter()
                    .map(|(k, field, value)| MemberValue {
                        column: k.name().to_owned(),
                        field,
                        value,
                    })
                    .collect(),
            })
            .collect();
        let links = links
            .into_iter()
            .map(|l| {
                let explanation: ExplanationJson =
                    serde_json::from_value(l.evidence).unwrap_or_default();
                LinkView {
                    left: l.left_record,
                    right: l.right_record,
                    probability: l.probability,
                    alternative: explanation.alternative,
                    prior_bits: explanation.prior_bits,
                    evidence: explanation
                        .evidence
                        .into_iter()
                        .map(|e| EvidenceView {
                            columns: columns_of(&e.comparison),
                            comparison: e.comparison,
                            level: e.level,
                            bits: e.bits,
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(ClusterDetail {
            cluster: summary(row),
            members,
            links,
        })
    }
}

/// A cluster with its members' ids, for `steward duplicates --json`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterListing {
    #[serde(flatten)]
    pub summary: ClusterSummary,
    pub members: Vec<MemberRef>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
    pub record_id: i64,
    pub system: String,
    pub external_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicatesListing {
    pub run: Option<MatchRunView>,
    pub clusters: Vec<ClusterListing>,
}

impl Steward {
    /// The newest run's clusters with their members (system and id), strongest first.
    pub fn duplicates_listing(&self) -> Result<DuplicatesListing, AppError> {
        let view = self.duplicates()?;
        let mut members: std::collections::HashMap<i64, Vec<MemberRef>> =
            std::collections::HashMap::new();
        for (cluster, record_id, system, external_id) in
            steward_store::list_duplicate_members(self.workspace.conn())?
        {
            members.entry(cluster).or_default().push(MemberRef {
                record_id,
                system,
                external_id,
            });
        }
        Ok(DuplicatesListing {
            run: view.run,
            clusters: view
                .clusters
                .into_iter()
                .map(|summary| ClusterListing {
                    members: members.remove(&summary.cluster).unwrap_or_default(),
                    summary,
                })
                .collect(),
        })
    }
}

/// Which engine columns a comparison reads, so the UI can tint the right cells.
fn columns_of(comparison: &str) -> Vec<String> {
    let columns: &[&str] = match comparison {
        "first_name" => &["first_name", "full_name"],
        "last_name" => &["last_name", "full_name"],
        "company" => &["company", "domain"],
        other => return vec![other.to_owned()],
    };
    columns.iter().map(|c| (*c).to_owned()).collect()
}

#[derive(serde::Deserialize, Default)]
struct ExplanationJson {
    #[serde(default)]
    alternative: String,
    #[serde(default)]
    prior_bits: f64,
    #[serde(default)]
    evidence: Vec<EvidenceJson>,
}

#[derive(serde::Deserialize)]
struct EvidenceJson {
    comparison: String,
    level: String,
    bits: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_fields_become_engine_columns() {
        let person = PersonForMatching {
            record_id: 7,
            system: "sdr".into(),
            fields: vec![
                ("Contact".into(), "Ann Lee".into()),
                ("Email".into(), "ann@acme.io".into()),
                ("Status".into(), "open".into()),
            ],
            company_fields: vec![
                ("name".into(), "Acme Ltd".into()),
                ("domain".into(), "acme.io".into()),
            ],
        };
        let values = person_values(&person);
        let columns: Vec<Known> = values.iter().map(|(k, ..)| *k).collect();
        assert_eq!(
            columns,
            vec![Known::FullName, Known::Email, Known::Company, Known::Domain]
        );
        assert_eq!(values[2].1, "company.name");
        assert_eq!(label_fields(&person), vec!["Contact"]);
        let records = records_for(&[person]);
        assert_eq!(records.value(0, Known::Company), Some("Acme Ltd"));
        assert_eq!(records.value(0, Known::Source), Some("sdr"));
        assert_eq!(records.id(0), "7");
    }
}
