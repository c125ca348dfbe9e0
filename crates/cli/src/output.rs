//! Everything `steward` prints: one JSON document with `--json`, a readable summary
//! otherwise. Errors go to stderr (and, with `--json`, also as a document on stdout).
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use serde::Serialize;
use steward_app::activity::{AuditPage, AuditVerification};
use steward_app::inventory::InventoryView;
use steward_app::sync::SyncReport;
use steward_app::systems::{CredentialState, RemoveReport, SystemView};
use steward_app::{AppError, ErrorCode, WorkspaceInfo};

pub struct Printer {
    pub json: bool,
}

pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(err) => eprintln!("steward: could not write JSON: {err}"),
    }
}

fn credential_label(state: CredentialState) -> &'static str {
    match state {
        CredentialState::NotNeeded => "-",
        CredentialState::Stored => "in keychain",
        CredentialState::Missing => "MISSING",
        CredentialState::Unknown => "keychain locked?",
    }
}

impl Printer {
    pub fn workspace(&self, info: &WorkspaceInfo, heading: &str) {
        if self.json {
            return print_json(info);
        }
        println!("{heading}: {}", info.path);
        println!(
            "  id: {}  schema: {}  acting as: {}",
            info.id, info.schema_version, info.actor
        );
    }

    pub fn system_added(&self, view: &SystemView) {
        if self.json {
            return print_json(view);
        }
        println!("Added {} ({} {}).", view.name, view.kind, view.role);
        if view.credential == CredentialState::Missing {
            println!(
                "  No credential stored: remove and add it again with --token-env VAR to connect."
            );
        }
    }

    pub fn sync_reports(&self, reports: &[SyncReport]) {
        if self.json {
            return print_json(&serde_json::json!({ "systems": reports }));
        }
        for r in reports {
            println!(
                "{}: {} ({} sync{}) — {} read, {} failed, {} removed, {} API calls, {:.1} s",
                r.system,
                r.status,
                r.mode,
                if r.resumed { ", resumed" } else { "" },
                r.records_read,
                r.records_failed,
                r.records_removed,
                r.api_calls,
                r.seconds
            );
            for p in &r.problems {
                println!(
                    "  {} {}{}: {}{}",
                    p.object,
                    p.locator,
                    p.field
                        .as_ref()
                        .map_or_else(String::new, |f| format!(" [{f}]")),
                    p.reason,
                    if p.record_kept { " (record kept)" } else { "" }
                );
            }
            if let Some(error) = &r.error {
                println!("  stopped: {error}");
            }
        }
    }

    pub fn inventory(&self, inventory: &InventoryView) {
        if self.json {
            return print_json(inventory);
        }
        for s in &inventory.systems {
            println!(
                "{} — {} {}, {}, populated {}{}",
                s.name,
                s.kind,
                s.role,
                s.lifecycle,
                s.population,
                s.owner
                    .as_ref()
                    .map_or_else(String::new, |o| format!(", owner {o}"))
            );
            for o in &s.objects {
                let filled: Vec<String> = o
                    .fields
                    .iter()
                    .filter(|f| f.filled > 0)
                    .map(|f| format!("{} {:.0}%", f.name, f.fill_rate * 100.0))
                    .collect();
                println!(
                    "  {}: {} records ({} archived), {} fields, changes {}; filled: {}",
                    o.object,
                    o.records,
                    o.archived,
                    o.fields.len(),
                    o.cadence,
                    filled.join(", ")
                );
            }
            match &s.last_sync {
                Some(run) => println!(
                    "  last sync: {} ({}), {} read, {} problems{}",
                    run.status,
                    run.finished_at.as_deref().unwrap_or("running"),
                    run.records_read,
                    run.problems.len(),
                    run.error
                        .as_ref()
                        .map_or_else(String::new, |e| format!(" — {e}"))
                ),
                None => println!("  never synced: steward sync --system \"{}\"", s.name),
            }
        }
    }

    pub fn credential_stored(&self, view: &SystemView) {
        if self.json {
            return print_json(view);
        }
        println!("Stored the credential of {} in the OS keychain.", view.name);
    }

    pub fn systems(&self, systems: &[SystemView]) {
        if self.json {
            return print_json(systems);
        }
        if systems.is_empty() {
            println!(
                "No systems yet. Add one: steward system add NAME --kind hubspot --role hub --base-url URL --token-env VAR"
            );
            return;
        }
        let rows: Vec<[String; 7]> = systems
            .iter()
            .map(|s| {
                [
                    s.name.clone(),
                    s.kind.to_string(),
                    s.role.to_string(),
                    s.lifecycle.to_string(),
                    s.population.to_string(),
                    credential_label(s.credential).to_owned(),
                    s.cached_records.to_string(),
                ]
            })
            .collect();
        let header = [
            "NAME",
            "KIND",
            "ROLE",
            "LIFECYCLE",
            "POPULATED",
            "CREDENTIAL",
            "RECORDS",
        ];
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[&str]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            println!("{}", padded.join("  ").trim_end());
        };
        line(&header);
        for row in &rows {
            line(&row.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }

    pub fn system_removed(&self, report: &RemoveReport) {
        if self.json {
            return print_json(report);
        }
        println!(
            "Removed {} and {} cached record(s){}.",
            report.name,
            report.cached_records_removed,
            if report.credential_removed {
                "; its credential is gone from the keychain"
            } else {
                ""
            }
        );
        if let Some(warning) = &report.warning {
            eprintln!("warning: {warning}");
        }
    }

    pub fn verification(&self, v: &AuditVerification) {
        if self.json {
            return print_json(v);
        }
        if v.intact {
            println!("Audit log intact: {} entries.", v.entries);
            if let Some(head) = &v.head_hash {
                println!("  head {head} (note it down elsewhere to detect a log cut short later)");
            }
        } else {
            println!(
                "Audit log TAMPERED at entry {}: {}.",
                v.broken_at.unwrap_or_default(),
                v.reason.as_deref().unwrap_or("unknown")
            );
            println!("  {} entries before it check out.", v.entries);
        }
    }

    pub fn audit_page(&self, page: &AuditPage) {
        if self.json {
            return print_json(page);
        }
        for e in &page.entries {
            println!(
                "{:>6}  {}  {:<16}  {:<18}  {}",
                e.seq, e.at, e.actor, e.action, e.subject
            );
        }
        if let Some(before) = page.next_before {
            println!("… {} entries in all; older: --before {before}", page.total);
        }
    }
}

impl Printer {
    pub fn duplicates(&self, listing: &steward_app::duplicates::DuplicatesListing) {
        if self.json {
            return print_json(listing);
        }
        let Some(run) = &listing.run else {
            println!("No duplicates found yet: run `steward duplicates`.");
            return;
        };
        println!(
            "{} people compared in {} pairs ({:.1} s): {} clusters hold {} records.",
            run.records, run.pairs_compared, run.seconds, run.clusters, run.duplicate_records
        );
        for cluster in listing.clusters.iter().take(50) {
            let members: Vec<String> = cluster
                .members
                .iter()
                .map(|m| format!("{}:{}", m.system, m.external_id))
                .collect();
            println!(
                "  {:>5}  {:.3}  {}  [{}]",
                cluster.summary.cluster,
                cluster.summary.score,
                cluster.summary.label,
                members.join(", ")
            );
        }
        if listing.clusters.len() > 50 {
            println!(
                "  … and {} more (--json for all)",
                listing.clusters.len() - 50
            );
        }
    }
}

/// Prints an error and picks the exit code: 2 for bad input, 3 when something outside failed.
pub fn fail(err: &AppError, json: bool) -> ExitCode {
    eprintln!("steward: {}", err.message);
    if json {
        print_json(&serde_json::json!({ "error": err }));
    }
    ExitCode::from(match err.code {
        ErrorCode::InvalidInput
        | ErrorCode::NotFound
        | ErrorCode::Conflict
        | ErrorCode::Forbidden
        | ErrorCode::WorkspaceUnusable => 2,
        ErrorCode::KeychainUnavailable
        | ErrorCode::Io
        | ErrorCode::Internal
        | ErrorCode::ExternalSystem
        | ErrorCode::Cancelled => 3,
    })
}
