//! `steward sandbox serve`: the sandbox company on loopback until stopped.
#![allow(clippy::print_stdout)]

use std::io::Write;

use steward_app::{AppError, ErrorCode};
use steward_sandbox::bridge::BridgeConfig;
use steward_sandbox::faults::FaultRates;
use steward_sandbox::server::{Config, start};

use crate::args::ServeArgs;

fn outside(message: String) -> AppError {
    AppError::new(ErrorCode::Io, message)
}

/// The runtime the sandbox's servers run on (two workers: the machine's two cores).
pub fn runtime() -> Result<tokio::runtime::Runtime, AppError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| outside(format!("could not start the sandbox runtime: {e}")))
}

pub fn serve(args: &ServeArgs) -> Result<(), AppError> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let dir = args
            .dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join(format!("steward-sandbox-{}", args.seed)));
        let config = Config {
            seed: args.seed,
            size: args.size,
            port: args.port,
            tier: args.rate_tier,
            dir,
            bridge: BridgeConfig {
                lag: std::time::Duration::from_millis(args.bridge_lag_ms),
                ..BridgeConfig::default()
            },
            faults: FaultRates {
                too_many_requests: args.fault_429,
                server_error: args.fault_5xx,
                slow: args.fault_slow,
                dropped: args.fault_drop,
                lost_reply: args.fault_lost_reply,
                slow_by: std::time::Duration::from_millis(args.slow_ms),
            },
        };
        config.faults.validate().map_err(AppError::invalid)?;
        let running = start(&config).await.map_err(|e| outside(e.to_string()))?;
        if let Some(path) = &args.manifest {
            write_manifest(path, &running.manifest)?;
        }
        let line = serde_json::json!({
            "crm": running.endpoints.crm,
            "map": running.endpoints.map,
            "files": running.endpoints.files,
            "manifest": args.manifest.as_ref().map(|p| p.display().to_string()),
            "counts": running.manifest.counts,
        });
        println!("{line}");
        let _ = std::io::stdout().flush();
        tracing::info!(addr = %running.addr, seed = args.seed, size = args.size, "sandbox serving");
        wait_for_stop().await;
        Ok(())
    })
}

/// Written beside, then renamed: a reader never sees half a manifest.
fn write_manifest(
    path: &std::path::Path,
    manifest: &steward_sandbox::seed::Manifest,
) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(manifest)
        .map_err(|e| outside(format!("could not encode the manifest: {e}")))?;
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text + "\n")
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| {
            outside(format!(
                "could not write the manifest to {}: {e}",
                path.display()
            ))
        })
}

pub async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
