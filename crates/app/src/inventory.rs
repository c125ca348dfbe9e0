//! The Inventory screen, `steward inventory --json` and its CSV export: per system its
//! objects, fields and how full they are, how it is populated and how often it changes, its
//! last sync and that sync's problems, who depends on it, its role and lifecycle.

use serde::Serialize;
use steward_domain::{Cadence, ChangeCounts, System};
use steward_store::{ObjectCount, SyncRun};
use ts_rs::TS;

use crate::error::AppError;
use crate::sync::ProblemView;
use crate::workspace::Steward;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InventoryView {
    pub systems: Vec<SystemInventory>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SystemInventory {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub role: String,
    pub lifecycle: String,
    pub population: String,
    pub owner: Option<String>,
    pub dependent_teams: Vec<String>,
    pub objects: Vec<ObjectInventory>,
    /// Records linked to a record of another system (by shared id so far).
    pub linked_records: u64,
    pub last_sync: Option<SyncView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ObjectInventory {
    pub object: String,
    pub records: u64,
    pub archived: u64,
    pub fields: Vec<FieldInventory>,
    /// How often records change, over the 90 days up to the newest change seen.
    pub cadence: String,
    pub changed_last_7_days: u64,
    pub changed_last_30_days: u64,
    pub changed_last_90_days: u64,
    pub newest_change: Option<String>,
    pub oldest_change: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldInventory {
    pub name: String,
    pub label: String,
    pub value_type: String,
    pub read_only: bool,
    pub filled: u64,
    /// Share of live records holding a value (0–1).
    pub fill_rate: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    pub id: i64,
    pub mode: String,
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub records_read: u64,
    pub records_failed: u64,
    pub records_expected: Option<u64>,
    pub api_calls: u64,
    pub error: Option<String>,
    /// Every problem the run recorded.
    pub problem_count: u64,
    /// The first of them (up to 200).
    pub problems: Vec<ProblemView>,
}

const SHOWN_PROBLEMS: u32 = 200;

impl Steward {
    pub fn inventory(&self) -> Result<InventoryView, AppError> {
        let conn = self.workspace.conn();
        let systems = steward_store::list_systems(conn)?
            .into_iter()
            .map(|s| self.system_inventory(s))
            .collect::<Result<_, _>>()?;
        Ok(InventoryView { systems })
    }

    fn system_inventory(&self, system: System) -> Result<SystemInventory, AppError> {
        let conn = self.workspace.conn();
        let counts = steward_store::object_counts(conn, system.id)?;
        let described = steward_store::system_fields(conn, system.id)?;
        let fill = steward_store::field_fill(conn, system.id)?;
        let mut objects = Vec::new();
        let mut kinds: Vec<_> = described.iter().map(|f| f.object).collect();
        kinds.extend(counts.iter().map(|c| c.object));
        kinds.sort();
        kinds.dedup();
        for object in kinds {
            let count = counts
                .iter()
                .find(|c| c.object == object)
                .cloned()
                .unwrap_or(ObjectCount {
                    object,
                    live: 0,
                    archived: 0,
                });
            let fields = described
                .iter()
                .filter(|f| f.object == object)
                .map(|f| {
                    let filled = fill
                        .iter()
                        .find(|(o, n, _)| *o == object && *n == f.name)
                        .map_or(0, |(_, _, n)| *n);
                    FieldInventory {
                        name: f.name.clone(),
                        label: f.label.clone(),
                        value_type: f.value_type.clone(),
                        read_only: f.read_only,
                        filled,
                        fill_rate: if count.live == 0 {
                            0.0
                        } else {
                            filled as f64 / count.live as f64
                        },
                    }
                })
                .collect();
            // Observed cadence: windows end at the newest change, so a quiet export file is
            // judged by how it changed while it was in use, and `newest_change` says when
            // that was.
            let newest = steward_store::newest_activity(conn, system.id, object)?;
            let activity = match newest {
                Some(at) => steward_store::change_activity(conn, system.id, object, at)?,
                None => steward_store::ChangeActivity::default(),
            };
            objects.push(ObjectInventory {
                object: object.to_string(),
                records: count.live,
                archived: count.archived,
                fields,
                cadence: Cadence::from_counts(ChangeCounts {
                    last_7_days: activity.last_7_days,
                    last_30_days: activity.last_30_days,
                    last_90_days: activity.last_90_days,
                })
                .to_string(),
                changed_last_7_days: activity.last_7_days,
                changed_last_30_days: activity.last_30_days,
                changed_last_90_days: activity.last_90_days,
                newest_change: activity.newest.map(|t| t.to_rfc3339()),
                oldest_change: activity.oldest.map(|t| t.to_rfc3339()),
            });
        }
        let last_sync = steward_store::list_sync_runs(conn, system.id, 1)?
            .into_iter()
            .next()
            .map(|run| self.sync_view(run))
            .transpose()?;
        Ok(SystemInventory {
            id: system.id,
            name: system.name.to_string(),
            kind: system.kind.to_string(),
            role: system.role.to_string(),
            lifecycle: system.lifecycle.to_string(),
            population: system.population.to_string(),
            owner: system.owner.clone(),
            dependent_teams: system.dependent_teams.clone(),
            linked_records: steward_store::linked_records(conn, system.id)?,
            objects,
            last_sync,
        })
    }

    fn sync_view(&self, run: SyncRun) -> Result<SyncView, AppError> {
        let problems =
            steward_store::list_sync_problems(self.workspace.conn(), run.id, SHOWN_PROBLEMS)?
                .into_iter()
                .map(|p| ProblemView {
                    object: p.object.to_string(),
                    locator: p.locator,
                    field: p.field,
                    reason: p.reason,
                    record_kept: p.record_kept,
                })
                .collect();
        Ok(SyncView {
            id: run.id,
            mode: run.mode.as_str().to_owned(),
            status: run.status.as_str().to_owned(),
            started_at: run.started_at.to_rfc3339(),
            finished_at: run.finished_at.map(|t| t.to_rfc3339()),
            records_read: run.records_read,
            records_failed: run.records_failed,
            records_expected: run.records_expected,
            api_calls: run.api_calls,
            error: run.error,
            problem_count: steward_store::count_sync_problems(self.workspace.conn(), run.id)?,
            problems,
        })
    }

    /// The inventory as CSV: one row per system, object and field (a system with no records
    /// yet gets one row with empty object columns).
    pub fn inventory_csv(&self) -> Result<String, AppError> {
        let inventory = self.inventory()?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| AppError::new(crate::ErrorCode::Internal, e.to_string());
        out.write_record([
            "system",
            "kind",
            "role",
            "lifecycle",
            "population",
            "owner",
            "dependent_teams",
            "last_sync_status",
            "last_sync_finished_at",
            "last_sync_problems",
            "object",
            "records",
            "archived",
            "cadence",
            "newest_change",
            "field",
            "value_type",
            "filled",
            "fill_rate",
        ])
        .map_err(csv_err)?;
        for s in &inventory.systems {
            let head = [
                s.name.clone(),
                s.kind.clone(),
                s.role.clone(),
                s.lifecycle.clone(),
                s.population.clone(),
                s.owner.clone().unwrap_or_default(),
                s.dependent_teams.join("; "),
                s.last_sync
                    .as_ref()
                    .map(|r| r.status.clone())
                    .unwrap_or_default(),
                s.last_sync
                    .as_ref()
                    .and_then(|r| r.finished_at.clone())
                    .unwrap_or_default(),
                s.last_sync
                    .as_ref()
                    .map(|r| r.problem_count.to_string())
                    .unwrap_or_default(),
            ];
            if s.objects.is_empty() {
                let mut row = head.to_vec();
                row.extend(std::iter::repeat_n(String::new(), 9));
                out.write_record(&row).map_err(csv_err)?;
            }
            for o in &s.objects {
                for f in &o.fields {
                    let mut row = head.to_vec();
                    row.extend([
                        o.object.clone(),
                        o.records.to_string(),
                        o.archived.to_string(),
                        o.cadence.clone(),
                        o.newest_change.clone().unwrap_or_default(),
                        f.name.clone(),
                        f.value_type.clone(),
                        f.filled.to_string(),
                        format!("{:.4}", f.fill_rate),
                    ]);
                    out.write_record(&row).map_err(csv_err)?;
                }
            }
        }
        let bytes = out
            .into_inner()
            .map_err(|e| AppError::new(crate::ErrorCode::Internal, e.to_string()))?;
        String::from_utf8(bytes)
            .map_err(|e| AppError::new(crate::ErrorCode::Internal, e.to_string()))
    }
}
