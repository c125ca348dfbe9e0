//! `steward drift`, `steward rules …` and `steward erasure …`: each calls the app layer and
//! prints a short table, or exactly one JSON document with `--json`.

#![allow(clippy::print_stdout)]

use serde::Serialize;
use steward_app::drift::{DriftOverview, FindingPage, FindingQuery, FindingView};
use steward_app::erasure::{ErasureInput, ErasureView};
use steward_app::fixes::{FixProgress, FixRecordView, FixRequest};
use steward_app::{AppError, ErrorCode, Steward};
use tokio_util::sync::CancellationToken;

use crate::args::{DriftArgs, ErasureCommand, RulesCommand};
use crate::commands::Outcome;
use crate::output::{Printer, print_json};

#[derive(Serialize)]
struct DriftReport<'a> {
    #[serde(flatten)]
    overview: &'a DriftOverview,
    findings: &'a FindingPage,
}

fn print_fixes(rows: &[FixRecordView]) {
    for r in rows {
        println!(
            "  #{:<5} {:<9} {:<16} {:<10} {:<14} {}",
            r.id,
            r.status,
            r.system,
            r.external_id,
            r.field,
            r.detail.as_deref().unwrap_or_default()
        );
    }
}

/// `--apply`, `--apply-all`, `--revert`, `--fixes`.
fn fixes(app: &Steward, args: &DriftArgs, out: &Printer) -> Result<Outcome, AppError> {
    if args.fixes {
        let rows = app.drift_fixes()?;
        if out.json {
            print_json(&rows);
        } else {
            print_fixes(&rows);
        }
        return Ok(Outcome::Done);
    }
    if !args.yes {
        return Err(AppError::invalid(
            "this writes to live systems: look at the findings first, then add --yes",
        ));
    }
    let env = app.sync_env();
    let runtime = crate::sandbox::runtime()?;
    if let Some(id) = args.revert {
        let row = runtime.block_on(steward_app::fixes::revert_fix(
            &env,
            id,
            CancellationToken::new(),
        ))?;
        if out.json {
            print_json(&row);
        } else {
            print_fixes(std::slice::from_ref(&row));
        }
        return Ok(Outcome::Done);
    }
    let latest = app
        .drift_overview()?
        .run
        .map(|r| r.id)
        .ok_or_else(|| AppError::invalid("no drift measured yet: run steward drift first"))?;
    let (run_id, seqs): (i64, Vec<i64>) = if args.apply_all {
        let seqs = all_findings(app, args)?
            .into_iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.action == "write"))
            .map(|f| f.seq)
            .collect();
        (latest, seqs)
    } else {
        let run = args.run.ok_or_else(|| {
            AppError::invalid(format!(
                "name the drift run the findings are from (--run {latest} is the newest)"
            ))
        })?;
        (run, args.apply.clone())
    };
    let progress = |p: FixProgress| tracing::debug!(done = p.done, total = p.total, "fixes");
    let report = runtime.block_on(steward_app::fixes::apply_fixes(
        &env,
        &FixRequest { run_id, seqs },
        &progress,
        CancellationToken::new(),
    ))?;
    if out.json {
        print_json(&report);
    } else {
        println!(
            "{} applied, {} skipped, {} failed.",
            report.applied, report.skipped, report.failed
        );
        print_fixes(&report.rows);
    }
    Ok(if report.failed > 0 {
        Outcome::OutsideFailure
    } else {
        Outcome::Done
    })
}

/// Every finding the filters select, page by page.
fn all_findings(app: &Steward, args: &DriftArgs) -> Result<Vec<FindingView>, AppError> {
    const PAGE: u64 = 10_000;
    let mut rows = Vec::new();
    loop {
        let page = app.drift_findings(&FindingQuery {
            kind: args.kind.clone(),
            system: args.system.clone(),
            field: args.field.clone(),
            offset: rows.len() as u64,
            limit: PAGE,
        })?;
        let done = page.rows.len() < PAGE as usize
            || rows.len() as u64 + page.rows.len() as u64 >= page.total;
        rows.extend(page.rows);
        if done {
            return Ok(rows);
        }
    }
}

pub fn drift(app: &Steward, args: &DriftArgs, out: &Printer) -> Result<Outcome, AppError> {
    if args.fixes || args.revert.is_some() || !args.apply.is_empty() || args.apply_all {
        return fixes(app, args, out);
    }
    if !args.last {
        let env = app.sync_env();
        let progress = |p: steward_app::drift::DriftProgress| {
            tracing::debug!(stage = %p.stage, done = p.done, total = p.total, "drift");
        };
        steward_app::drift::run_drift(&env, &progress, &|| false)?;
    }
    let overview = app.drift_overview()?;
    let findings = match args.limit {
        None if out.json => {
            let rows = all_findings(app, args)?;
            FindingPage {
                total: rows.len() as u64,
                rows,
            }
        }
        limit => app.drift_findings(&FindingQuery {
            kind: args.kind.clone(),
            system: args.system.clone(),
            field: args.field.clone(),
            offset: 0,
            limit: limit.unwrap_or(40),
        })?,
    };
    if out.json {
        print_json(&DriftReport {
            overview: &overview,
            findings: &findings,
        });
        return Ok(Outcome::Done);
    }
    let Some(run) = &overview.run else {
        println!("No drift measured yet: run `steward drift`.");
        return Ok(Outcome::Done);
    };
    println!(
        "Drift run {}: {} records, {} spoke records linked to the hub, {} findings ({:.1} s, rules v{}).",
        run.id, run.records, run.linked, run.findings, run.seconds, run.rules_version
    );
    for t in &overview.totals {
        println!("  {:<24} {:<16} {:>7}", t.kind, t.system, t.count);
    }
    for s in &overview.segments {
        println!(
            "  segment \"{}\" in {}{}: {}",
            s.segment,
            s.system,
            if s.hub { " (hub)" } else { "" },
            s.count
        );
    }
    println!(
        "{} findings match; the first {} (seq, kind, system, record, field, reason):",
        findings.total,
        findings.rows.len()
    );
    for f in &findings.rows {
        println!(
            "  {:<6} {:<22} {:<12} {:<10} {:<16} {}",
            f.seq,
            f.kind,
            f.system,
            f.external_id,
            f.field.as_deref().or(f.segment.as_deref()).unwrap_or("-"),
            f.reason
        );
    }
    Ok(Outcome::Done)
}

fn split_field(text: &str) -> Result<(&str, &str), AppError> {
    text.split_once('.').ok_or_else(|| {
        AppError::invalid(format!(
            "\"{text}\": name the field as OBJECT.FIELD (e.g. person.job_title)"
        ))
    })
}

pub fn rules(app: &mut Steward, command: RulesCommand, out: &Printer) -> Result<(), AppError> {
    let version = match command {
        RulesCommand::Show => {
            let view = app.rules()?;
            if out.json {
                print_json(&view);
                return Ok(());
            }
            match view.version {
                Some(v) => println!("Rules v{v}"),
                None => println!("Default rules (nothing saved yet)"),
            }
            for r in &view.authority {
                println!(
                    "  {:<8} {:<22} {:<12} {:<16} {}",
                    r.object, r.field, r.category, r.policy, r.system
                );
            }
            for m in &view.mapping {
                match &m.suggested {
                    Some(s) => println!(
                        "  suggested: {} {} \"{}\" → {s} ({})",
                        m.system,
                        m.object,
                        m.system_field,
                        m.reason.as_deref().unwrap_or_default()
                    ),
                    None => println!(
                        "  mapped:    {} {} \"{}\" → {}",
                        m.system, m.object, m.system_field, m.field
                    ),
                }
            }
            for s in &view.status {
                for sys in &s.systems {
                    for v in sys.values.iter().filter(|v| v.canonical.is_none()) {
                        println!(
                            "  unmapped status: {} {}.{} \"{}\" ({} records)",
                            sys.system, s.object, s.field, v.value, v.count
                        );
                    }
                }
            }
            for p in &view.problems {
                println!("  problem: {p}");
            }
            return Ok(());
        }
        RulesCommand::Export { out: file } => {
            let text = app.export_rules()?;
            match file {
                Some(path) => std::fs::write(&path, text).map_err(|e| {
                    AppError::new(ErrorCode::Io, format!("--out {}: {e}", path.display()))
                })?,
                None => print!("{text}"),
            }
            return Ok(());
        }
        RulesCommand::Import { file, why } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| AppError::invalid(format!("{}: {e}", file.display())))?;
            app.import_rules(&text, &why)?
        }
        RulesCommand::Suggest { accept, why } => {
            if !accept {
                let suggestions = app.suggest_mappings()?;
                if out.json {
                    print_json(&suggestions);
                } else {
                    for s in &suggestions {
                        println!(
                            "{} {} \"{}\" → {} ({})",
                            s.system, s.object, s.system_field, s.field, s.reason
                        );
                    }
                }
                return Ok(());
            }
            app.accept_suggestions(None, why.as_deref().unwrap_or_default())?
        }
        RulesCommand::Authority {
            field,
            system,
            policy,
            category,
            why,
        } => {
            let (object, key) = split_field(&field)?;
            app.set_authority(object, key, &system, &policy, category.as_deref(), &why)?
        }
        RulesCommand::Map {
            system,
            object,
            system_field,
            field,
            unmap,
            why,
        } => {
            if field.is_none() && !unmap {
                return Err(AppError::invalid("name the canonical field, or --unmap"));
            }
            app.map_field(&system, &object, &system_field, field.as_deref(), &why)?
        }
        RulesCommand::Status {
            field,
            system,
            value,
            canonical,
            unmap,
            why,
        } => {
            if canonical.is_none() && !unmap {
                return Err(AppError::invalid("name the canonical value, or --unmap"));
            }
            let (object, key) = split_field(&field)?;
            app.map_status(object, key, &system, &value, canonical.as_deref(), &why)?
        }
        RulesCommand::Segment {
            name,
            object,
            conditions,
            why,
        } => {
            let mut parsed = Vec::new();
            for c in &conditions {
                let (field, values) = c.split_once('=').ok_or_else(|| {
                    AppError::invalid(format!("--where \"{c}\": write FIELD=VALUE[,VALUE…]"))
                })?;
                parsed.push((
                    field.trim().to_owned(),
                    values
                        .split(',')
                        .map(|v| v.trim().to_owned())
                        .filter(|v| !v.is_empty())
                        .collect(),
                ));
            }
            app.set_segment(&name, &object, &parsed, &why)?
        }
    };
    if out.json {
        print_json(&serde_json::json!({ "version": version }));
    } else {
        println!("Rules v{version} in force.");
    }
    Ok(())
}

fn print_erasure(e: &ErasureView) {
    println!(
        "#{} {} ({}) requested {} by {}, due {}{}{}",
        e.id,
        e.reference,
        e.label,
        e.requested_at,
        e.requested_by,
        e.deadline_at,
        if e.overdue { " OVERDUE" } else { "" },
        e.completed_at
            .as_deref()
            .map(|c| format!(", completed {c}"))
            .unwrap_or_default()
    );
    for s in &e.systems {
        println!(
            "  {:<16} {:<14} {} {}",
            s.system,
            s.status,
            s.records.join(","),
            s.basis
        );
    }
}

pub fn erasure(
    app: &mut Steward,
    command: ErasureCommand,
    out: &Printer,
) -> Result<Outcome, AppError> {
    let views = match command {
        ErasureCommand::Request {
            email,
            phone,
            name,
            reference,
            deadline_days,
            dry_run,
        } => {
            let input = ErasureInput {
                email,
                phone,
                name,
                reference,
                deadline_days,
            };
            if dry_run {
                let preview = app.preview_erasure(&input)?;
                if out.json {
                    print_json(&preview);
                } else {
                    for p in &preview {
                        println!(
                            "  {:<28} {:>4} to purge ({}){}",
                            p.system,
                            p.records,
                            p.matched.join(", "),
                            if p.other_name > 0 {
                                format!("; {} under another name, left alone", p.other_name)
                            } else {
                                String::new()
                            }
                        );
                    }
                }
                return Ok(Outcome::Done);
            }
            vec![app.request_erasure(&input)?]
        }
        ErasureCommand::Check { id } => app.check_erasures(id)?,
        ErasureCommand::List => app.erasures()?,
    };
    if out.json {
        print_json(&views);
    } else {
        for v in &views {
            print_erasure(v);
        }
    }
    Ok(Outcome::Done)
}
