//! `steward`: everything the desktop app does, headless. A thin front end: parse, call one
//! `steward_app` method, print. See shared/design/CLI.md for the contract.

mod args;
mod bench;
mod bench_drift;
mod bench_merge;
mod commands;
mod dedupe;
mod demo;
mod drift;
mod governance;
mod merge;
mod output;
mod sandbox;
mod sync;

use std::process::ExitCode;

/// Matching a million records allocates tens of millions of short strings; mimalloc does
/// that measurably faster than the system allocator (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_logging();
    let json = cli.json;
    match commands::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => output::fail(&err, json),
    }
}

/// Structured logs to stderr, quiet unless `STEWARD_LOG` asks (e.g. `STEWARD_LOG=debug`).
/// They carry ids, kinds and counts, never customer values or secrets.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
