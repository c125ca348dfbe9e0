//! The quarterly audit: the four SSOT scores computed from the workspace's own evidence
//! (the newest drift and matching runs, probe history, syncs, systems), stored per quarter
//! for the trend, and the audit pack: a self-contained HTML report with charts, printable
//! to PDF, and CSVs of the findings underneath. The pack holds counts, ids and field names,
//! never a customer value.

use std::path::Path;

use serde::Serialize;
use serde_json::json;
use steward_domain::{
    Action, AuditEvent, AuditInputs, Lifecycle, ObjectType, Quarter, Requirement, Role, Timestamp,
    score,
};
use steward_store::{Connection, FindingFilter, Workspace};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::governance::require;
use crate::rules::rules_in_force;
use crate::workspace::Steward;

/// Hub fields every person should have, as canonical keys.
const REQUIRED: &[&str] = &["email", "first_name", "last_name", "company", "lead_status"];
const WEEK_MS: i64 = 7 * 86_400_000;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartView {
    pub label: String,
    pub numerator: u64,
    pub denominator: u64,
    pub share: Option<f64>,
    pub formula: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RequirementView {
    pub key: String,
    pub label: String,
    pub score: Option<f64>,
    pub formula: String,
    pub parts: Vec<PartView>,
    pub facts: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditRunView {
    pub id: i64,
    pub quarter: String,
    pub at: String,
    pub actor: String,
    pub requirements: Vec<RequirementView>,
}

/// The newest run of each quarter, for the trend.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditOverview {
    pub latest: Option<AuditRunView>,
    pub quarters: Vec<AuditRunView>,
    pub runs: u32,
}

fn count(
    conn: &Connection,
    sql: &str,
    params: &[&dyn steward_store::ToSqlValue],
) -> Result<u64, AppError> {
    let n: Option<i64> = conn
        .query_row(sql, params, |r| r.get(0))
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("audit query: {e}")))?;
    Ok(n.unwrap_or(0).max(0).unsigned_abs())
}

fn inputs(
    workspace: &Workspace,
    now: Timestamp,
    quarter: &Quarter,
) -> Result<AuditInputs, AppError> {
    let conn = workspace.conn();
    let systems = steward_store::list_systems(conn)?;
    let live: Vec<_> = systems
        .iter()
        .filter(|s| s.lifecycle != Lifecycle::Deprecated)
        .collect();
    let hub = systems.iter().find(|s| s.role == Role::Hub);
    let mut i = AuditInputs::default();
    for s in live.iter().filter(|s| s.role == Role::Spoke) {
        i.spoke_people += count(
            conn,
            "SELECT count(*) FROM records WHERE system_id = ?1 AND object = 'person' AND archived = 0",
            &[&s.id],
        )?;
    }
    if let Some(run) = steward_store::latest_drift_run(conn)? {
        let total = |kind: &str, system: Option<i64>| -> Result<u64, AppError> {
            let filter = FindingFilter {
                kind: Some(kind.into()),
                system_id: system,
                object: Some(ObjectType::Person),
                ..FindingFilter::default()
            };
            Ok(steward_store::list_findings(conn, run.id, &filter, 0, 0)?.1)
        };
        for s in live.iter().filter(|s| s.role == Role::Spoke) {
            i.missing_in_hub += total("missing_in_hub", Some(s.id))?;
        }
        i.open_conflicts = count(
            conn,
            "SELECT count(DISTINCT record_id) FROM drift_findings
              WHERE run_id = ?1 AND kind = 'conflicting_write' AND object = 'person'",
            &[&run.id],
        )?;
        i.linked = run.linked;
        let q = &run.quality;
        let get = |k: &str| q.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
        i.fields_compared = get("fields_compared");
        i.fields_agreeing = get("fields_agreeing");
        i.status_values = get("status_values");
        i.status_unmapped = get("status_unmapped");
    }
    if let Some(hub) = hub {
        i.people_matched = count(
            conn,
            "SELECT count(*) FROM records WHERE system_id = ?1 AND object = 'person' AND archived = 0",
            &[&hub.id],
        )?;
        if let Some(run) = steward_store::latest_match_run(conn)? {
            i.duplicate_extras = count(
                conn,
                "SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM duplicate_members m
                   JOIN records r ON r.id = m.record_id
                  WHERE m.run_id = ?1 AND r.system_id = ?2 GROUP BY m.cluster HAVING n > 1)",
                &[&run.id, &hub.id],
            )?;
        }
        let rules = rules_in_force(workspace);
        if let Some(mapping) = rules.mapping_of(hub.name.as_str(), ObjectType::Person) {
            for key in REQUIRED {
                let Some((name, _)) = mapping.fields.iter().find(|(_, k)| k.as_str() == *key)
                else {
                    continue;
                };
                i.required_fields.push((*key).to_owned());
                i.required_slots += i.people_matched;
                i.required_filled += count(
                    conn,
                    "SELECT count(*) FROM record_fields f JOIN records r ON r.id = f.record_id
                      WHERE r.system_id = ?1 AND r.object = 'person' AND r.archived = 0
                        AND f.field = ?2 AND trim(f.value) <> ''",
                    &[&hub.id, name],
                )?;
            }
        }
    }
    i.systems = live.len() as u64;
    for s in &live {
        let last = steward_store::list_sync_runs(conn, s.id, 1)?
            .into_iter()
            .next();
        if last.is_some_and(|r| {
            r.status == steward_store::SyncStatus::Succeeded
                && r.started_at.millis() >= now.millis() - WEEK_MS
        }) {
            i.systems_syncing += 1;
        }
        i.systems_owned += u64::from(s.owner.is_some());
    }
    for p in steward_store::list_probes(conn)? {
        i.probes += 1;
        let last = steward_store::last_verdict_run(conn, p.id)?;
        i.probes_passing +=
            u64::from(last.is_some_and(|r| r.verdict == steward_domain::ProbeVerdict::Passed));
    }
    let (from, to) = quarter_bounds(quarter);
    let (sync_ms, write_back_ms) = crate::probes::median_latencies(workspace, from, to)?;
    i.median_sync_ms = sync_ms;
    i.median_write_back_ms = write_back_ms;
    Ok(i)
}

pub(crate) fn quarter_bounds(q: &Quarter) -> (Timestamp, Timestamp) {
    let year: i32 = q.as_str()[..4].parse().unwrap_or(1970);
    let n: u8 = q.as_str()[6..].parse().unwrap_or(1);
    let start = |y: i32, month: u8| {
        Timestamp::parse_rfc3339(&format!("{y:04}-{month:02}-01T00:00:00Z"))
            .unwrap_or(Timestamp::from_millis(0))
    };
    let from = start(year, 3 * (n - 1) + 1);
    let to = if n == 4 {
        start(year + 1, 1)
    } else {
        start(year, 3 * n + 1)
    };
    (from, to)
}

fn view(row: &steward_store::AuditScoreRow) -> AuditRunView {
    let requirements: Vec<Requirement> =
        serde_json::from_value(row.scores.get("requirements").cloned().unwrap_or_default())
            .unwrap_or_default();
    AuditRunView {
        id: row.id,
        quarter: row.quarter.clone(),
        at: row.at.to_rfc3339(),
        actor: row.actor.clone(),
        requirements: requirements
            .into_iter()
            .map(|r| RequirementView {
                key: r.key,
                label: r.label,
                score: r.score,
                formula: r.formula,
                parts: r
                    .parts
                    .into_iter()
                    .map(|p| PartView {
                        label: p.label,
                        numerator: p.numerator,
                        denominator: p.denominator,
                        share: p.share,
                        formula: p.formula,
                    })
                    .collect(),
                facts: r.facts,
            })
            .collect(),
    }
}

impl Steward {
    /// Computes and stores this quarter's scores (or `quarter`'s, when the evidence is
    /// the workspace's present state: a past quarter's run stays as it was stored).
    pub fn run_audit(&mut self) -> Result<AuditRunView, AppError> {
        require(self.workspace.conn(), &self.actor, Action::RunAudit)?;
        let now = self.clock.now();
        let quarter = Quarter::of(now);
        let inputs = inputs(&self.workspace, now, &quarter)?;
        let requirements = score(&inputs);
        let document = json!({ "inputs": inputs, "requirements": requirements });
        let actor = self.actor.clone();
        let id = self.workspace.change(|c| {
            let id = c.save_audit_scores(quarter.as_str(), now, &actor, &document)?;
            Ok::<_, AppError>((
                id,
                AuditEvent {
                    at: now,
                    actor: actor.clone(),
                    action: "audit.scored".into(),
                    subject: format!("audit/{id}"),
                    details: json!({
                        "quarter": quarter.as_str(),
                        "scores": requirements.iter().map(|r| (r.key.clone(), r.score)).collect::<std::collections::BTreeMap<_, _>>(),
                    }),
                },
            ))
        })?;
        tracing::info!(audit = id, quarter = quarter.as_str(), "audit scored");
        let rows = steward_store::list_audit_scores(self.workspace.conn())?;
        let row = rows
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| AppError::new(ErrorCode::Internal, "the audit run vanished"))?;
        Ok(view(row))
    }

    pub fn audit_overview(&self) -> Result<AuditOverview, AppError> {
        let rows = steward_store::list_audit_scores(self.workspace.conn())?;
        let mut quarters: Vec<AuditRunView> = Vec::new();
        for row in &rows {
            let v = view(row);
            match quarters.last_mut() {
                Some(last) if last.quarter == v.quarter => *last = v,
                _ => quarters.push(v),
            }
        }
        Ok(AuditOverview {
            latest: rows.last().map(view),
            runs: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            quarters,
        })
    }

    /// Writes the audit pack for `quarter` (default: the newest scored) into `dir`:
    /// `audit-<quarter>.html` and the CSVs it draws on. Returns the files written.
    pub fn export_audit(
        &mut self,
        quarter: Option<&str>,
        dir: &Path,
    ) -> Result<Vec<String>, AppError> {
        require(self.workspace.conn(), &self.actor, Action::RunAudit)?;
        let overview = self.audit_overview()?;
        let wanted = match quarter {
            Some(q) => Some(Quarter::parse(q).map_err(AppError::invalid)?),
            None => None,
        };
        let run = match &wanted {
            Some(q) => overview.quarters.iter().find(|r| r.quarter == q.as_str()),
            None => overview.quarters.last(),
        }
        .cloned()
        .ok_or_else(|| {
            AppError::invalid(
                "no audit has been run for that quarter: run `steward audit run` first",
            )
        })?;
        let io =
            |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(io)?;
        let csvs = crate::audit_pack::csvs(self, &run)?;
        let mut written = Vec::new();
        for (name, text) in &csvs {
            let path = dir.join(name);
            write_atomically(&path, text.as_bytes()).map_err(io)?;
            written.push(path.display().to_string());
        }
        let html = crate::audit_pack::html(self, &run, &overview.quarters, &csvs)?;
        let path = dir.join(format!("audit-{}.html", run.quarter));
        write_atomically(&path, html.as_bytes()).map_err(io)?;
        written.insert(0, path.display().to_string());
        let (at, actor) = (self.clock.now(), self.actor.clone());
        let files = written.len();
        self.workspace.change(|_| {
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor,
                    action: "audit.exported".into(),
                    subject: format!("audit/{}", run.id),
                    details: json!({ "quarter": run.quarter, "files": files }),
                },
            ))
        })?;
        Ok(written)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// A percentage for people.
pub(crate) fn pct(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_owned(), |s| format!("{s:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_have_bounds() {
        let (from, to) = quarter_bounds(&Quarter::parse("2026-Q4").unwrap());
        assert_eq!(from.to_rfc3339(), "2026-10-01T00:00:00.000Z");
        assert_eq!(to.to_rfc3339(), "2027-01-01T00:00:00.000Z");
        let (from, to) = quarter_bounds(&Quarter::parse("2026-Q1").unwrap());
        assert_eq!(from.to_rfc3339(), "2026-01-01T00:00:00.000Z");
        assert_eq!(to.to_rfc3339(), "2026-04-01T00:00:00.000Z");
    }
}
