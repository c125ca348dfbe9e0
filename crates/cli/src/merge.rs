//! `steward merge …`: the merge queue. Each subcommand calls the app layer and prints a
//! short table, or exactly one JSON document with `--json`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::IsTerminal;
use steward_app::merge::{
    ApproveRequest, DecisionReport, ExecuteRequest, MergePolicyView, MergeProgress, ProposalDetail,
    QueueQuery,
};

use steward_app::{AppError, Steward};
use tokio_util::sync::CancellationToken;

use crate::args::MergeCommand;
use crate::commands::Outcome;
use crate::output::{Printer, print_json};

fn print_detail(d: &ProposalDetail) {
    let s = &d.summary;
    println!(
        "proposal {} · {} · score {:.3} · survivor {} ({})",
        s.id, s.state, s.score, s.survivor, s.label
    );
    if let Some(reason) = &s.second_reason {
        println!(
            "  needs two approvers: {reason}; approved by: {}",
            s.approvals.join(", ")
        );
    }
    if let Some(detail) = &s.detail {
        println!("  {detail}");
    }
    println!("members:");
    for m in &d.members {
        println!(
            "  {:<9} {:<16} {:<12} {}",
            m.role, m.system, m.external_id, m.label
        );
    }
    if !d.golden.is_empty() {
        println!("golden record:");
    }
    for g in &d.golden {
        println!(
            "  {:<22} {:<30} {:<14} from {:<12} {}{}",
            g.key,
            g.value.as_deref().unwrap_or("—"),
            g.rule,
            g.source_record.as_deref().unwrap_or("—"),
            if g.written { "write" } else { "" },
            g.note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    for a in &d.associations {
        println!(
            "  company {} {} held by {}",
            a.external_id,
            a.label,
            a.held_by.join(", ")
        );
    }
    for s in &d.steps {
        println!(
            "  step {} {:<7} {:<9} {} ← {} {}",
            s.seq,
            s.kind,
            s.state,
            s.survivor,
            s.absorbed.join(","),
            s.detail.as_deref().unwrap_or_default()
        );
    }
    for b in &d.backups {
        println!(
            "  backup {} of {} taken {}{}",
            b.id,
            b.external_id,
            b.taken_at,
            b.restored_as
                .as_deref()
                .map(|n| format!(", restored as {n}"))
                .unwrap_or_default()
        );
    }
}

fn print_decisions(r: &DecisionReport) -> Outcome {
    for id in &r.approved {
        println!("  approved {id}");
    }
    for id in &r.awaiting_second {
        println!("  {id}: your approval is recorded; a second person must approve it too");
    }
    for id in &r.rejected {
        println!("  rejected {id}: its records are not duplicates from now on");
    }
    for (id, why) in &r.refused {
        println!("  {id} not changed: {why}");
    }
    if r.refused.is_empty() {
        Outcome::Done
    } else {
        Outcome::BadInput
    }
}

pub fn run(app: &mut Steward, command: MergeCommand, out: &Printer) -> Result<Outcome, AppError> {
    match command {
        MergeCommand::Propose => {
            let report = app.propose_merges()?;
            if out.json {
                print_json(&report);
            } else {
                println!(
                    "{} new proposals; {} withdrawn; {} clusters already queued; {} records kept \
                     apart (not duplicates); {} clusters with one hub record",
                    report.created,
                    report.withdrawn,
                    report.already_queued,
                    report.kept_apart,
                    report.no_merge
                );
            }
        }
        MergeCommand::Queue {
            state,
            limit,
            offset,
        } => {
            let view = app.merge_queue(&QueueQuery {
                state,
                limit: Some(limit),
                offset: Some(offset),
            })?;
            if out.json {
                print_json(&view);
            } else {
                let counts: Vec<String> = view
                    .counts
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect();
                println!("{}", counts.join(" · "));
                for p in &view.proposals {
                    println!(
                        "  {:>5} {:<9} {:.3} {:>2} records  {:<24} {}{}",
                        p.id,
                        p.state,
                        p.score,
                        p.size,
                        p.label,
                        p.copies.join(", "),
                        p.second_reason
                            .as_deref()
                            .map(|r| format!("  [two approvers: {r}]"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        MergeCommand::Show { id } => {
            let detail = app.merge_proposal(id)?;
            if out.json {
                print_json(&detail);
            } else {
                print_detail(&detail);
            }
        }
        MergeCommand::Approve { ids, min_score } => {
            let report = app.approve_merges(&ApproveRequest { ids, min_score })?;
            if out.json {
                print_json(&report);
                return Ok(if report.refused.is_empty() {
                    Outcome::Done
                } else {
                    Outcome::BadInput
                });
            }
            return Ok(print_decisions(&report));
        }
        MergeCommand::Reject { id, why } => {
            let report = app.reject_merge(id, &why)?;
            if out.json {
                print_json(&report);
            } else {
                print_decisions(&report);
            }
        }
        MergeCommand::Set {
            id,
            field,
            value,
            clear,
            why,
        } => {
            let value = if clear { None } else { value };
            let detail = app.set_merge_value(id, &field, value.as_deref(), &why)?;
            if out.json {
                print_json(&detail);
            } else {
                print_detail(&detail);
            }
        }
        MergeCommand::Execute { ids, limit, yes } => {
            if !yes {
                return Err(AppError::invalid(
                    "CRM merges cannot be undone: look at the approved proposals, then add --yes",
                ));
            }
            let env = app.sync_env();
            let runtime = crate::sandbox::runtime()?;
            // A progress line on a terminal; Ctrl-C stops between calls (what was sent is
            // settled, the rest goes back to the approved queue).
            let terminal = std::io::stderr().is_terminal() && !out.json;
            let progress = move |p: MergeProgress| {
                if terminal {
                    eprint!("\r{:<12} {:>6} / {} merges", p.stage, p.done, p.total);
                }
            };
            let cancel = CancellationToken::new();
            let report = runtime.block_on(async {
                let stop = cancel.clone();
                let watcher = tokio::spawn(async move {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        stop.cancel();
                    }
                });
                let report = steward_app::merge::execute_merges(
                    &env,
                    &ExecuteRequest { ids, limit },
                    &progress,
                    cancel.clone(),
                )
                .await;
                watcher.abort();
                report
            })?;
            if terminal {
                eprintln!();
            }
            if out.json {
                print_json(&report);
            } else {
                println!(
                    "{} proposals merged ({} merge calls, {} settled after an interruption) in \
                     {:.1} s, {} API calls",
                    report.proposals_done,
                    report.merges,
                    report.settled_after_crash,
                    report.seconds,
                    report.api_calls
                );
                for (id, why) in &report.back_to_pending {
                    println!("  {id} back to pending: {why}");
                }
                for (id, why) in &report.skipped {
                    println!("  {id} skipped: {why}");
                }
                if report.cancelled {
                    println!(
                        "  cancelled: {} proposals went back to the approved queue; run again to \
                         go on",
                        report.released
                    );
                }
                for (id, why) in &report.failed {
                    println!("  {id} failed: {why}");
                }
            }
            return Ok(if report.failed.is_empty() {
                Outcome::Done
            } else {
                Outcome::OutsideFailure
            });
        }
        MergeCommand::Backups => {
            let backups = app.merge_backups()?;
            if out.json {
                print_json(&backups);
            } else {
                for b in &backups {
                    println!(
                        "  {:>5} proposal {:<5} record {:<12} {} properties, {} associations, \
                         taken {}{}",
                        b.id,
                        b.proposal_id,
                        b.external_id,
                        b.properties,
                        b.associations,
                        b.taken_at,
                        b.restored_as
                            .as_deref()
                            .map(|n| format!(", restored as {n}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        MergeCommand::Restore { id, why, yes } => {
            if !yes {
                return Err(AppError::invalid(
                    "this creates a record in the CRM: add --yes",
                ));
            }
            let env = app.sync_env();
            let runtime = crate::sandbox::runtime()?;
            let report = runtime.block_on(steward_app::merge::restore_backup(
                &env,
                id,
                &why,
                CancellationToken::new(),
            ))?;
            if out.json {
                print_json(&report);
            } else {
                println!(
                    "record {} restored as {} ({} associations re-attached){}",
                    report.old_id,
                    report.new_id,
                    report.associations,
                    if report.left_out.is_empty() {
                        String::new()
                    } else {
                        format!("; left out: {}", report.left_out.join(", "))
                    }
                );
            }
        }
        MergeCommand::Policy {
            min_size,
            below_score,
            why,
        } => {
            let current = app.merge_queue(&QueueQuery {
                limit: Some(0),
                ..QueueQuery::default()
            })?;
            let policy = match why {
                Some(why) => app.set_merge_policy(
                    &MergePolicyView {
                        min_size: min_size.unwrap_or(current.policy.min_size),
                        below_score: below_score.unwrap_or(current.policy.below_score),
                    },
                    &why,
                )?,
                None => current.policy,
            };
            if out.json {
                print_json(&policy);
            } else {
                println!(
                    "two approvers for clusters of {} or more hub records (0: never) and for \
                     scores below {:.2} (0: never)",
                    policy.min_size, policy.below_score
                );
            }
        }
    }
    Ok(Outcome::Done)
}
