//! Retiring a redundant system: its deprecation checklist (automatic items judged from the
//! cache, the newest drift run and probe history; manual ones signed off), the admin-only
//! lifecycle moves, exports for migration and archive, and the "drift magnet" alert when a
//! retired system is written again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use steward_domain::{
    Action, AuditEvent, Checklist, Lifecycle, Role, System, Timestamp, Verdict, check_move,
};
use steward_store::{Connection, FindingFilter, RecordTimes, Workspace};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::governance::{ChecklistItemView, require, with_sign_offs};
use crate::sync::find as system_by_name;
use crate::workspace::Steward;

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeprecationView {
    pub system: String,
    pub system_id: i64,
    #[ts(type = "Lifecycle")]
    pub lifecycle: Lifecycle,
    pub lifecycle_since: Option<String>,
    pub quiet_days: u32,
    pub items: Vec<ChecklistItemView>,
    /// Whether `deprecated` may be reached without an override reason.
    pub complete: bool,
}

/// A record the drill-downs list: ids and dates (values are read by the export, not here).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordRefView {
    pub external_id: String,
    pub object: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub path: String,
    pub records: u64,
    pub sha256: String,
}

/// The verdict of "the last probe of this system passed".
pub(crate) fn last_probe_verdict(
    conn: &Connection,
    system_id: i64,
) -> Result<(Verdict, String), AppError> {
    let probes: Vec<_> = steward_store::list_probes(conn)?
        .into_iter()
        .filter(|p| p.spoke_id == system_id)
        .collect();
    if probes.is_empty() {
        return Ok((
            Verdict::Unknown,
            "no probe names this system; define one, or sign off that nothing writes back to it"
                .into(),
        ));
    }
    let mut last: Option<(String, steward_store::ProbeRunRow)> = None;
    for p in &probes {
        if let Some(run) = steward_store::last_verdict_run(conn, p.id)?
            && last
                .as_ref()
                .is_none_or(|(_, l)| run.started_at > l.started_at)
        {
            last = Some((p.name.clone(), run));
        }
    }
    Ok(match last {
        None => (Verdict::Unknown, "its probe has not run yet".into()),
        Some((name, run)) => {
            let verdict = if run.verdict == steward_domain::ProbeVerdict::Passed {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            (
                verdict,
                format!(
                    "probe \"{name}\" {} on {}",
                    run.verdict.as_str(),
                    run.started_at.to_rfc3339()
                ),
            )
        }
    })
}

/// Since when a system must have been quiet: the earlier of its lifecycle date (once it is
/// on its way out, nobody should write to it) and `quiet_days` ago.
fn quiet_since(
    lifecycle: Lifecycle,
    since: Option<Timestamp>,
    quiet_days: u32,
    now: Timestamp,
) -> Timestamp {
    let window = Timestamp::from_millis(now.millis() - i64::from(quiet_days) * DAY_MS);
    match (lifecycle, since) {
        (Lifecycle::Active, _) | (_, None) => window,
        (_, Some(since)) => since.min(window),
    }
}

fn day(at: Timestamp) -> String {
    at.to_rfc3339()[..10].to_owned()
}

/// Records touched (`pick`: created or updated) at or after `from`.
fn touched_after(
    records: &[RecordTimes],
    from: Timestamp,
    pick: impl Fn(&RecordTimes) -> Option<Timestamp>,
) -> Vec<&RecordTimes> {
    records
        .iter()
        .filter(|r| pick(r).is_some_and(|t| t > from))
        .collect()
}

fn quiet_item(
    records: &[RecordTimes],
    from: Timestamp,
    what: &str,
    pick: impl Fn(&RecordTimes) -> Option<Timestamp> + Copy,
) -> (Verdict, String) {
    if records.iter().all(|r| pick(r).is_none()) {
        return (
            Verdict::Unknown,
            format!(
                "the system does not say when records were {what}; sign off after checking by hand"
            ),
        );
    }
    let hits = touched_after(records, from, pick);
    let newest = records.iter().filter_map(pick).max();
    if hits.is_empty() {
        (
            Verdict::Pass,
            format!(
                "none {what} since {} (newest: {})",
                day(from),
                newest.map_or_else(|| "none".into(), day)
            ),
        )
    } else {
        (
            Verdict::Fail,
            format!(
                "{} records {what} since {} (newest: {})",
                hits.len(),
                day(from),
                newest.map_or_else(|| "none".into(), day)
            ),
        )
    }
}

/// Records of `system` the newest drift run found missing in the hub.
fn only_here(conn: &Connection, system_id: i64) -> Result<Option<(i64, Vec<String>)>, AppError> {
    let Some(run) = steward_store::latest_drift_run(conn)? else {
        return Ok(None);
    };
    let filter = FindingFilter {
        kind: Some("missing_in_hub".into()),
        system_id: Some(system_id),
        ..FindingFilter::default()
    };
    let (rows, _) = steward_store::list_findings(conn, run.id, &filter, 0, u64::MAX >> 1)?;
    Ok(Some((
        run.id,
        rows.into_iter().map(|r| r.finding.external_id).collect(),
    )))
}

/// The checklist's items, judged and with their sign-offs.
fn items(
    workspace: &Workspace,
    system: &System,
    now: Timestamp,
) -> Result<Vec<steward_domain::Item>, AppError> {
    let conn = workspace.conn();
    let since = steward_store::lifecycle_since(conn, system.id)?;
    let quiet_days = steward_store::quiet_days(conn, system.id)?;
    let from = quiet_since(system.lifecycle, since, quiet_days, now);
    let records = steward_store::record_times(conn, system.id)?;
    let mut judged = Vec::new();
    judged.push(match only_here(conn, system.id)? {
        None => (Verdict::Unknown, "drift has not been measured yet".into()),
        Some((run, ids)) if ids.is_empty() => (
            Verdict::Pass,
            format!("drift run {run}: every record of it is in the hub"),
        ),
        Some((run, ids)) => (
            Verdict::Fail,
            format!(
                "drift run {run}: {} records exist only here; export them for migration into the CRM",
                ids.len()
            ),
        ),
    });
    judged.push(quiet_item(&records, from, "created", |r| r.created_at));
    judged.push(last_probe_verdict(conn, system.id)?);
    judged.push(quiet_item(&records, from, "written", |r| r.updated_at));
    judged.push((
        Verdict::Unknown,
        "an admin attests that its credentials (API users, tokens, shares) are revoked".into(),
    ));
    judged.push(match steward_store::latest_archive(conn, system.id)? {
        Some(a) => (
            Verdict::Pass,
            format!(
                "{} records exported on {} by {} (SHA-256 {})",
                a.records,
                a.at.to_rfc3339(),
                a.actor,
                &a.sha256[..16.min(a.sha256.len())]
            ),
        ),
        None => (Verdict::Fail, "no archive exported yet".into()),
    });
    with_sign_offs(workspace, system.id, Checklist::Deprecation, judged)
}

pub(crate) fn checklist(
    workspace: &Workspace,
    system: &System,
    now: Timestamp,
) -> Result<DeprecationView, AppError> {
    let conn = workspace.conn();
    let items = items(workspace, system, now)?;
    Ok(DeprecationView {
        system: system.name.to_string(),
        system_id: system.id,
        lifecycle: system.lifecycle,
        lifecycle_since: steward_store::lifecycle_since(conn, system.id)?
            .map(Timestamp::to_rfc3339),
        quiet_days: steward_store::quiet_days(conn, system.id)?,
        complete: items.iter().all(steward_domain::Item::satisfied),
        items: items.iter().map(ChecklistItemView::from).collect(),
    })
}

/// Raises (or refreshes) a "drift magnet" alert for every deprecated system written after
/// it was deprecated. Returns how many systems are magnets.
pub fn check_drift_magnets(
    workspace: &mut Workspace,
    actor: &str,
    now: Timestamp,
) -> Result<usize, AppError> {
    let mut magnets = Vec::new();
    for system in steward_store::list_systems(workspace.conn())? {
        if system.lifecycle != Lifecycle::Deprecated {
            continue;
        }
        let Some(since) = steward_store::lifecycle_since(workspace.conn(), system.id)? else {
            continue;
        };
        let records = steward_store::record_times(workspace.conn(), system.id)?;
        let written = touched_after(&records, since, |r| r.updated_at.max(r.created_at));
        let Some(newest) = written
            .iter()
            .filter_map(|r| r.updated_at.max(r.created_at))
            .max()
        else {
            continue;
        };
        // Cleared by a person who saw these writes: only a newer write raises it again.
        let subject = format!("system/{}", system.id);
        let seen = steward_store::list_alerts(workspace.conn(), false)?
            .into_iter()
            .find(|a| a.kind == "drift_magnet" && a.subject == subject);
        if let Some(alert) = seen
            && alert.cleared_at.is_some()
            && alert
                .details
                .get("newest")
                .and_then(serde_json::Value::as_str)
                >= Some(newest.to_rfc3339().as_str())
        {
            continue;
        }
        magnets.push((system, since, written.len(), newest));
    }
    let count = magnets.len();
    for (system, since, written, newest) in magnets {
        workspace.change(|c| {
            let (id, new) = c.raise_alert(
                "drift_magnet",
                &format!("system/{}", system.id),
                Some(system.id),
                &format!(
                    "{} was deprecated on {} but {written} of its records were written since (newest {})",
                    system.name,
                    day(since),
                    day(newest)
                ),
                &json!({ "written_since": written, "since": since.to_rfc3339(), "newest": newest.to_rfc3339() }),
                now,
            )?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at: now,
                    actor: actor.to_owned(),
                    action: if new { "alert.raised" } else { "alert.seen_again" }.into(),
                    subject: format!("alert/{id}"),
                    details: json!({ "kind": "drift_magnet", "system": system.id, "written_since": written }),
                },
            ))
        })?;
        tracing::warn!(
            system = system.id,
            written,
            "drift magnet: a deprecated system was written"
        );
    }
    Ok(count)
}

/// Writes `records` of `system` (all their cached fields) as CSV to `path`; returns the
/// count and the file's SHA-256. The file is written beside and renamed into place, so a
/// failed export never leaves half a file under the name.
fn export_records(
    workspace: &Workspace,
    system_id: i64,
    only: Option<&std::collections::BTreeSet<String>>,
    path: &Path,
) -> Result<(u64, String), AppError> {
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
    check_target(path)?;
    let mut rows: Vec<(String, String, BTreeMap<String, String>)> = Vec::new();
    // `wanted` picks fields (by system); the records are picked here.
    steward_store::for_each_record(
        workspace.conn(),
        |sys, _, _| sys == system_id,
        |head, fields| {
            if head.archived
                || head.system_id != system_id
                || only.is_some_and(|o| !o.contains(&head.external_id))
            {
                return;
            }
            let values = fields.into_iter().map(|(k, v)| (k, v.value)).collect();
            rows.push((head.object.as_str().to_owned(), head.external_id, values));
        },
    )?;
    let mut columns: Vec<String> = rows
        .iter()
        .flat_map(|(_, _, f)| f.keys().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    columns.sort();
    let tmp = path.with_extension("csv.partial");
    // A partial file left by a killed export holds customer values too.
    let _ = std::fs::remove_file(&tmp);
    let written = write_csv(&tmp, &columns, &rows);
    if let Err(e) = written {
        // The partial file holds customer values: never leave it behind.
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    // A hard link never replaces a file that appeared meanwhile; where links are not
    // supported (some removable drives), a rename after the check above.
    let placed = match std::fs::hard_link(&tmp, path) {
        Ok(()) => std::fs::remove_file(&tmp),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => std::fs::rename(&tmp, path),
    };
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    Ok((rows.len() as u64, hex::encode(Sha256::digest(&bytes))))
}

/// An export never replaces anything: not an earlier archive (whose digest is on record),
/// not a folder, not the workspace itself.
fn check_target(path: &Path) -> Result<(), AppError> {
    let refuse = |why: &str| AppError::invalid(format!("out: {} {why}", path.display()));
    if path.is_dir() {
        return Err(refuse("is a folder: name the file to write"));
    }
    if path.exists() {
        return Err(refuse(
            "exists already: choose a new file name (exports never overwrite)",
        ));
    }
    Ok(())
}

type Rows = [(String, String, BTreeMap<String, String>)];

fn write_csv(tmp: &Path, columns: &[String], rows: &Rows) -> std::io::Result<()> {
    let file = std::fs::File::create_new(tmp)?;
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let mut header = vec!["object".to_owned(), "external_id".to_owned()];
    header.extend(columns.iter().cloned());
    out.write_record(&header)?;
    for (object, external, values) in rows {
        let mut line = vec![object.clone(), external.clone()];
        line.extend(
            columns
                .iter()
                .map(|c| values.get(c).cloned().unwrap_or_default()),
        );
        out.write_record(&line)?;
    }
    let inner = out.into_inner().map_err(csv::IntoInnerError::into_error)?;
    let file = inner
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    file.sync_all()
}

impl Steward {
    pub fn deprecation(&self, system: &str) -> Result<DeprecationView, AppError> {
        let system = system_by_name(&self.workspace, system)?;
        checklist(&self.workspace, &system, self.clock.now())
    }

    /// Every spoke's checklist.
    pub fn deprecations(&self) -> Result<Vec<DeprecationView>, AppError> {
        let now = self.clock.now();
        steward_store::list_systems(self.workspace.conn())?
            .iter()
            .filter(|s| s.role == Role::Spoke)
            .map(|s| checklist(&self.workspace, s, now))
            .collect()
    }

    /// The drill-down of an automatic item: `only_here` (records the hub lacks), or
    /// `sources_rerouted` / `no_writes` (records created / written inside the window).
    pub fn deprecation_records(
        &self,
        system: &str,
        item: &str,
    ) -> Result<Vec<RecordRefView>, AppError> {
        let system = system_by_name(&self.workspace, system)?;
        let conn = self.workspace.conn();
        let records = steward_store::record_times(conn, system.id)?;
        let from = quiet_since(
            system.lifecycle,
            steward_store::lifecycle_since(conn, system.id)?,
            steward_store::quiet_days(conn, system.id)?,
            self.clock.now(),
        );
        let picked: Vec<&RecordTimes> = match item {
            "only_here" => {
                let ids: std::collections::BTreeSet<String> = only_here(conn, system.id)?
                    .map(|(_, ids)| ids)
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                records
                    .iter()
                    .filter(|r| ids.contains(&r.external_id))
                    .collect()
            }
            "sources_rerouted" => touched_after(&records, from, |r| r.created_at),
            "no_writes" => touched_after(&records, from, |r| r.updated_at),
            other => {
                return Err(AppError::invalid(format!(
                    "item: \"{other}\" has no record list (only_here, sources_rerouted, no_writes)"
                )));
            }
        };
        Ok(picked
            .into_iter()
            .map(|r| RecordRefView {
                external_id: r.external_id.clone(),
                object: r.object.clone(),
                created_at: r.created_at.map(Timestamp::to_rfc3339),
                updated_at: r.updated_at.map(Timestamp::to_rfc3339),
            })
            .collect())
    }

    /// Exports the records only this system holds (every cached field) for migration into
    /// the CRM. Customer data goes to a file the user chose, on this machine.
    pub fn export_only_here(
        &mut self,
        system: &str,
        path: &Path,
    ) -> Result<ExportReport, AppError> {
        require(self.workspace.conn(), &self.actor, Action::SignOff)?;
        let system = system_by_name(&self.workspace, system)?;
        let ids = only_here(self.workspace.conn(), system.id)?
            .ok_or_else(|| {
                AppError::invalid("drift has not been measured yet: run `steward drift run` first")
            })?
            .1
            .into_iter()
            .collect();
        let (records, sha256) = export_records(&self.workspace, system.id, Some(&ids), path)?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|_| {
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor,
                    action: "deprecation.only_here_exported".into(),
                    subject: format!("system/{}", system.id),
                    details: json!({ "records": records, "sha256": sha256 }),
                },
            ))
        })?;
        Ok(ExportReport {
            path: path.display().to_string(),
            records,
            sha256,
        })
    }

    /// Exports every cached record of the system as its archive, and records it (the
    /// checklist's "archive exported").
    pub fn export_archive(&mut self, system: &str, path: &Path) -> Result<ExportReport, AppError> {
        require(self.workspace.conn(), &self.actor, Action::MoveLifecycle)?;
        let system = system_by_name(&self.workspace, system)?;
        let (records, sha256) = export_records(&self.workspace, system.id, None, path)?;
        let row = steward_store::ArchiveRow {
            id: 0,
            system_id: system.id,
            at: self.clock.now(),
            actor: self.actor.clone(),
            path: path.display().to_string(),
            records,
            sha256: sha256.clone(),
        };
        self.workspace.change(|c| {
            let id = c.record_archive(&row)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at: row.at,
                    actor: row.actor.clone(),
                    action: "deprecation.archive_exported".into(),
                    subject: format!("system/{}", system.id),
                    details: json!({ "archive": id, "records": records, "sha256": sha256 }),
                },
            ))
        })?;
        Ok(ExportReport {
            path: row.path,
            records,
            sha256,
        })
    }

    pub fn set_quiet_days(&mut self, system: &str, days: u32) -> Result<DeprecationView, AppError> {
        require(self.workspace.conn(), &self.actor, Action::MoveLifecycle)?;
        if !(1..=3650).contains(&days) {
            return Err(AppError::invalid("days: between 1 and 3650"));
        }
        let system = system_by_name(&self.workspace, system)?;
        let (at, actor) = (self.clock.now(), self.actor.clone());
        self.workspace.change(|c| {
            c.set_quiet_days(system.id, days)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at,
                    actor,
                    action: "deprecation.quiet_days_set".into(),
                    subject: format!("system/{}", system.id),
                    details: json!({ "days": days }),
                },
            ))
        })?;
        self.deprecation(system.name.as_str())
    }

    /// Moves a system's lifecycle (admins only). `since` backdates the decision (the day it
    /// took effect); `reason` overrides an incomplete checklist, and is required to go back.
    pub fn move_lifecycle(
        &mut self,
        system: &str,
        to: &str,
        since: Option<&str>,
        reason: Option<&str>,
    ) -> Result<DeprecationView, AppError> {
        require(self.workspace.conn(), &self.actor, Action::MoveLifecycle)?;
        let to: Lifecycle = to.parse().map_err(AppError::invalid)?;
        let system = system_by_name(&self.workspace, system)?;
        let now = self.clock.now();
        let since = match since.map(str::trim).filter(|s| !s.is_empty()) {
            None => now,
            Some(text) => parse_day(text)?,
        };
        if since > now {
            return Err(AppError::invalid(
                "since: the decision cannot take effect in the future",
            ));
        }
        let items = items(&self.workspace, &system, now)?;
        check_move(
            system.role == Role::Hub,
            system.lifecycle,
            to,
            &items,
            reason,
        )
        .map_err(|e| AppError::new(ErrorCode::Conflict, e.to_string()))?;
        let open: Vec<&str> = items
            .iter()
            .filter(|i| !i.satisfied())
            .map(|i| i.key)
            .collect();
        let overridden = to == Lifecycle::Deprecated && !open.is_empty();
        let actor = self.actor.clone();
        self.workspace.change(|c| {
            c.set_lifecycle(system.id, to, since)?;
            Ok::<_, AppError>((
                (),
                AuditEvent {
                    at: now,
                    actor,
                    action: "system.lifecycle_moved".into(),
                    subject: format!("system/{}", system.id),
                    details: json!({
                        "from": system.lifecycle.as_str(),
                        "to": to.as_str(),
                        "since": since.to_rfc3339(),
                        "reason": reason.map(str::trim),
                        "override": overridden.then_some(&open),
                    }),
                },
            ))
        })?;
        tracing::info!(
            system = system.id,
            to = to.as_str(),
            overridden,
            "lifecycle moved"
        );
        check_drift_magnets(&mut self.workspace, &self.actor, now)?;
        self.deprecation(system.name.as_str())
    }
}

/// A day (`2026-01-31`) or an RFC 3339 instant.
fn parse_day(text: &str) -> Result<Timestamp, AppError> {
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    Timestamp::parse_rfc3339(&full).map_err(|_| {
        AppError::invalid(format!(
            "since: \"{text}\" is not a date; write it like 2026-01-31"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_windows_start_at_the_decision_when_it_is_older() {
        let now = Timestamp::from_millis(100 * DAY_MS);
        let since = Some(Timestamp::from_millis(40 * DAY_MS));
        assert_eq!(
            quiet_since(Lifecycle::Active, since, 30, now).millis(),
            70 * DAY_MS
        );
        assert_eq!(
            quiet_since(Lifecycle::Deprecating, since, 30, now).millis(),
            40 * DAY_MS
        );
        assert_eq!(
            quiet_since(Lifecycle::Deprecated, None, 30, now).millis(),
            70 * DAY_MS
        );
    }

    #[test]
    fn days_parse_or_say_how_to_write_them() {
        assert_eq!(parse_day("1970-01-02").unwrap().millis(), DAY_MS);
        assert!(
            parse_day("yesterday")
                .unwrap_err()
                .message
                .contains("2026-01-31")
        );
    }
}
