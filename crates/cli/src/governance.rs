//! `steward role|onboarding|sign-off|deprecation|probe|alerts|audit`: governance. Each
//! subcommand calls the app layer and prints a short table, or one JSON document with
//! `--json`. A failed or slow probe exits 1 (a finding), so cron can alert on it.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::IsTerminal;

use steward_app::governance::{ChecklistItemView, SignOffRequest};
use steward_app::probes::{ProbeProgress, ProbeRequest, ProbeRunView};
use steward_app::{AppError, Steward};
use tokio_util::sync::CancellationToken;

use crate::args::{AuditCommand, DeprecationCommand, ProbeCommand, RoleCommand};
use crate::commands::Outcome;
use crate::output::{Printer, print_json};

fn items(items: &[ChecklistItemView]) {
    for i in items {
        let mark = if i.satisfied { "✓" } else { "✗" };
        println!("  {mark} {:<22} {:<8} {}", i.key, i.verdict, i.evidence);
        if let Some(s) = &i.sign_off {
            println!("      signed off by {} on {}: {}", s.actor, s.at, s.note);
        }
    }
}

pub fn role(app: &mut Steward, command: RoleCommand, out: &Printer) -> Result<Outcome, AppError> {
    let view = match command {
        RoleCommand::List => app.governance()?,
        RoleCommand::Grant { person, role } => app.grant_role(&person, &role)?,
        RoleCommand::Revoke { person, role } => app.revoke_role(&person, &role)?,
    };
    if out.json {
        print_json(&view);
        return Ok(Outcome::Done);
    }
    if !view.governed {
        println!("no admin is named: anyone holding this workspace may do everything");
    }
    println!(
        "SSOT owner: {}",
        view.ssot_owner.as_deref().unwrap_or("not named")
    );
    for r in &view.roles {
        println!(
            "  {:<20} {:<13} granted by {} on {}",
            r.actor, r.label, r.granted_by, r.granted_at
        );
    }
    Ok(Outcome::Done)
}

pub fn onboarding(app: &Steward, system: &str, out: &Printer) -> Result<Outcome, AppError> {
    let view = app.onboarding(system)?;
    if out.json {
        print_json(&view);
    } else {
        println!(
            "{} onboarding: {} of {} done",
            view.system, view.done, view.total
        );
        items(&view.items);
    }
    Ok(Outcome::Done)
}

pub fn sign_off(
    app: &mut Steward,
    system: String,
    checklist: String,
    item: String,
    note: String,
    out: &Printer,
) -> Result<Outcome, AppError> {
    app.sign_off(&SignOffRequest {
        system,
        checklist,
        item,
        note,
    })?;
    if out.json {
        print_json(&serde_json::json!({ "signed_off": true }));
    } else {
        println!("signed off");
    }
    Ok(Outcome::Done)
}

pub fn deprecation(
    app: &mut Steward,
    command: DeprecationCommand,
    out: &Printer,
) -> Result<Outcome, AppError> {
    let views = match command {
        DeprecationCommand::Show { system: Some(s) } => vec![app.deprecation(&s)?],
        DeprecationCommand::Show { system: None } => app.deprecations()?,
        DeprecationCommand::Records { system, item } => {
            let records = app.deprecation_records(&system, &item)?;
            if out.json {
                print_json(&records);
            } else {
                println!("{} records", records.len());
                for r in &records {
                    println!(
                        "  {:<10} {:<16} created {:<24} updated {}",
                        r.object,
                        r.external_id,
                        r.created_at.as_deref().unwrap_or("—"),
                        r.updated_at.as_deref().unwrap_or("—")
                    );
                }
            }
            return Ok(Outcome::Done);
        }
        DeprecationCommand::ExportOnlyHere { system, out: path } => {
            let report = app.export_only_here(&system, &path)?;
            return exported(&report, out);
        }
        DeprecationCommand::Archive { system, out: path } => {
            let report = app.export_archive(&system, &path)?;
            return exported(&report, out);
        }
        DeprecationCommand::QuietDays { system, days } => vec![app.set_quiet_days(&system, days)?],
        DeprecationCommand::Move {
            system,
            to,
            since,
            reason,
        } => vec![app.move_lifecycle(&system, &to, since.as_deref(), reason.as_deref())?],
    };
    if out.json {
        print_json(&views);
        return Ok(Outcome::Done);
    }
    for v in &views {
        println!(
            "{} · {}{} · quiet {} days · {}",
            v.system,
            v.lifecycle.as_str(),
            v.lifecycle_since
                .as_deref()
                .map(|s| format!(" since {}", &s[..10]))
                .unwrap_or_default(),
            v.quiet_days,
            if v.complete {
                "checklist complete"
            } else {
                "checklist open"
            }
        );
        items(&v.items);
    }
    Ok(Outcome::Done)
}

fn exported(
    report: &steward_app::deprecation::ExportReport,
    out: &Printer,
) -> Result<Outcome, AppError> {
    if out.json {
        print_json(report);
    } else {
        println!(
            "{} records written to {} (SHA-256 {})",
            report.records, report.path, report.sha256
        );
    }
    Ok(Outcome::Done)
}

fn print_run(r: &ProbeRunView) {
    println!(
        "  run {} · {} · {} · cleanup {}{}",
        r.id,
        r.started_at,
        r.verdict,
        r.cleanup,
        r.error
            .as_deref()
            .map(|e| format!(" · {e}"))
            .unwrap_or_default()
    );
    for l in &r.legs {
        println!(
            "    {:<8} {:<14} {:>9} {}{}",
            l.leg,
            l.status.as_deref().unwrap_or(""),
            l.ms.map_or_else(
                || "lost".into(),
                |ms| format!("{:.2} s", ms as f64 / 1000.0)
            ),
            if l.arrived && !l.within_target {
                "over target "
            } else {
                ""
            },
            l.detail.as_deref().unwrap_or("")
        );
    }
}

pub fn probe(app: &mut Steward, command: ProbeCommand, out: &Printer) -> Result<Outcome, AppError> {
    match command {
        ProbeCommand::List => {
            let probes = app.probes()?;
            if out.json {
                print_json(&probes);
            } else {
                for p in &probes {
                    println!(
                        "{} · {} ⇄ {} · {} · target {:.1} s{}",
                        p.name,
                        p.spoke,
                        p.hub,
                        p.status_values.join(", "),
                        p.target_ms as f64 / 1000.0,
                        p.every_minutes
                            .map(|m| format!(" · every {m} min"))
                            .unwrap_or_default()
                    );
                    if let Some(r) = &p.last_run {
                        print_run(r);
                    }
                }
            }
        }
        ProbeCommand::Add {
            name,
            spoke,
            match_key,
            status_field,
            statuses,
            target,
            timeout,
            every,
        } => {
            let view = app.add_probe(&ProbeRequest {
                name,
                spoke,
                match_key,
                status_field,
                status_values: statuses,
                target_seconds: target,
                timeout_seconds: timeout,
                every_minutes: every,
            })?;
            if out.json {
                print_json(&view);
            } else {
                println!(
                    "probe \"{}\" defined ({} ⇄ {})",
                    view.name, view.spoke, view.hub
                );
            }
        }
        ProbeCommand::Remove { name } => {
            app.remove_probe(&name)?;
            if out.json {
                print_json(&serde_json::json!({ "removed": name }));
            } else {
                println!("probe \"{name}\" removed");
            }
        }
        ProbeCommand::History { name, limit } => {
            let runs = app.probe_history(&name, limit)?;
            if out.json {
                print_json(&runs);
            } else {
                for r in &runs {
                    print_run(r);
                }
            }
        }
        ProbeCommand::Run { names, due } => {
            let env = app.sync_env();
            let names = if due {
                steward_app::probes::due_probes(&env)?
            } else if names.is_empty() {
                app.probes()?.into_iter().map(|p| p.name).collect()
            } else {
                names
            };
            let terminal = std::io::stderr().is_terminal() && !out.json;
            let progress = move |p: &ProbeProgress| {
                if terminal {
                    eprint!(
                        "\r{:<28} {:<9} leg {} of {}   ",
                        p.probe, p.phase, p.leg, p.legs
                    );
                }
            };
            let runtime = crate::sandbox::runtime()?;
            let cancel = CancellationToken::new();
            let results = runtime.block_on(async {
                let stop = cancel.clone();
                let watcher = tokio::spawn(async move {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        stop.cancel();
                    }
                });
                let mut runs = Vec::new();
                for name in &names {
                    // Ctrl-C stops the batch: the probe under way cleans up and reports.
                    if cancel.is_cancelled() {
                        break;
                    }
                    let run =
                        steward_app::probes::run_probe(&env, name, cancel.clone(), &progress).await;
                    runs.push((name.clone(), run));
                }
                watcher.abort();
                runs
            });
            if terminal {
                eprintln!();
            }
            // One probe that cannot start does not hide the others' verdicts.
            let mut done = Vec::new();
            let mut refused: Vec<AppError> = Vec::new();
            for (name, run) in results {
                match run {
                    Ok(view) => done.push(view),
                    Err(e) => {
                        eprintln!("steward: probe \"{name}\" did not run: {}", e.message);
                        refused.push(e);
                    }
                }
            }
            if done.is_empty() && !refused.is_empty() {
                return Err(refused.swap_remove(0));
            }
            let runs = done;
            if out.json {
                print_json(&runs);
            } else {
                for r in &runs {
                    println!("{}", r.probe);
                    print_run(r);
                }
            }
            if !refused.is_empty() {
                return Ok(
                    if refused
                        .iter()
                        .any(|e| e.code == steward_app::ErrorCode::ExternalSystem)
                    {
                        Outcome::OutsideFailure
                    } else {
                        Outcome::BadInput
                    },
                );
            }
            if runs.iter().any(|r| r.verdict != "passed") {
                return Ok(Outcome::Finding);
            }
        }
    }
    Ok(Outcome::Done)
}

pub fn alerts(
    app: &mut Steward,
    all: bool,
    clear: Option<i64>,
    out: &Printer,
) -> Result<Outcome, AppError> {
    if let Some(id) = clear {
        app.clear_alert(id)?;
    }
    let alerts = app.alerts(!all)?;
    if out.json {
        print_json(&alerts);
    } else {
        for a in &alerts {
            println!(
                "{:>4} {:<13} {}{}",
                a.id,
                a.kind,
                a.message,
                a.cleared_by
                    .as_deref()
                    .map(|b| format!(" (cleared by {b})"))
                    .unwrap_or_default()
            );
            println!("     {}", a.next_step);
        }
    }
    Ok(Outcome::Done)
}

pub fn audit(app: &mut Steward, command: AuditCommand, out: &Printer) -> Result<Outcome, AppError> {
    match command {
        AuditCommand::Run => {
            let run = app.run_audit()?;
            if out.json {
                print_json(&run);
            } else {
                println!("audit {} · scored {} by {}", run.quarter, run.at, run.actor);
                for r in &run.requirements {
                    println!(
                        "  {:<14} {:>6}   {}",
                        r.label,
                        r.score.map_or_else(|| "n/a".into(), |s| format!("{s:.1}")),
                        r.formula
                    );
                    for p in &r.parts {
                        println!("      {}: {}", p.label, p.formula);
                    }
                    for (k, v) in &r.facts {
                        println!("      {k}: {v}");
                    }
                }
            }
        }
        AuditCommand::Show => {
            let overview = app.audit_overview()?;
            if out.json {
                print_json(&overview);
            } else {
                for q in &overview.quarters {
                    let scores: Vec<String> = q
                        .requirements
                        .iter()
                        .map(|r| {
                            format!(
                                "{} {}",
                                r.label,
                                r.score.map_or_else(|| "n/a".into(), |s| format!("{s:.1}"))
                            )
                        })
                        .collect();
                    println!("{} · {}", q.quarter, scores.join(" · "));
                }
            }
        }
        AuditCommand::Export { out: dir, quarter } => {
            let files = app.export_audit(quarter.as_deref(), &dir)?;
            if out.json {
                print_json(&files);
            } else {
                for f in &files {
                    println!("{f}");
                }
            }
        }
    }
    Ok(Outcome::Done)
}
