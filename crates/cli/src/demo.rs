//! `steward demo`: the sandbox company on fixed local ports, a demo workspace with each of
//! its systems registered (secrets in the OS keychain), and the desktop app opened on it.
#![allow(clippy::print_stdout)]

use std::io::Write;
use std::path::Path;

use steward_app::systems::AddSystemRequest;
use steward_app::{AppError, ErrorCode, Secret, Steward};
use steward_domain::{FieldKey, ObjectType, Population, Role, Segment, SystemKind};
use steward_sandbox::server::{Config, Endpoints, start};

use crate::args::DemoArgs;

fn outside(message: String) -> AppError {
    AppError::new(ErrorCode::Io, message)
}

struct DemoSystem {
    name: &'static str,
    request: AddSystemRequest,
    secret: Option<String>,
    /// Connector settings (TOML), written beside the sandbox's files.
    config: Option<&'static str>,
}

/// The sandbox's systems as an admin would register them.
fn systems(endpoints: &Endpoints) -> Vec<DemoSystem> {
    let request = |name: &str,
                   kind,
                   role,
                   population,
                   owner: &str,
                   teams: &[&str],
                   base_url: Option<&str>,
                   path: Option<&Path>| AddSystemRequest {
        name: name.into(),
        kind: Some(kind),
        role: Some(role),
        population: Some(population),
        owner: Some(owner.into()),
        dependent_teams: teams.iter().map(|t| (*t).to_owned()).collect(),
        base_url: base_url.map(Into::into),
        path: path.map(|p| p.display().to_string()),
        config_path: None,
    };
    let files = &endpoints.files;
    vec![
        DemoSystem {
            name: "HubSpot (sandbox)",
            request: request(
                "HubSpot (sandbox)",
                SystemKind::Hubspot,
                Role::Hub,
                Population::Manual,
                "Dana (RevOps)",
                &["Sales", "Marketing", "Customer Success"],
                Some(&endpoints.crm.base_url),
                None,
            ),
            secret: Some(endpoints.crm.token.clone()),
            config: None,
        },
        DemoSystem {
            name: "Marketing platform (sandbox)",
            request: request(
                "Marketing platform (sandbox)",
                SystemKind::Marketing,
                Role::Spoke,
                Population::Automated,
                "Priya (Marketing Ops)",
                &["Marketing"],
                Some(&endpoints.map.base_url),
                None,
            ),
            // Client-credentials apps have two halves; the keychain holds them as one secret.
            secret: Some(format!(
                "{}:{}",
                endpoints.map.client_id, endpoints.map.client_secret
            )),
            config: None,
        },
        DemoSystem {
            name: "Events sheet",
            request: request(
                "Events sheet",
                SystemKind::Csv,
                Role::Spoke,
                Population::Imported,
                "Events team",
                &["Marketing"],
                None,
                Some(&files.events_csv),
            ),
            secret: None,
            config: None,
        },
        DemoSystem {
            name: "SDR prospects",
            request: request(
                "SDR prospects",
                SystemKind::Xlsx,
                Role::Spoke,
                Population::Manual,
                "Sam (SDR)",
                &["Sales"],
                None,
                Some(&files.sdr_xlsx),
            ),
            secret: None,
            config: None,
        },
        DemoSystem {
            name: "Customer portal",
            request: request(
                "Customer portal",
                SystemKind::Sqlite,
                Role::Spoke,
                Population::Automated,
                "Portal engineering",
                &["Customer Success"],
                None,
                Some(&files.portal_sqlite),
            ),
            secret: None,
            config: Some(steward_sandbox::files::PORTAL_CONNECTOR_CONFIG),
        },
    ]
}

/// Creates the workspace if needed and registers what is missing. A system already there
/// keeps its history and gets its (stable, seed-derived) secret stored again; one whose
/// address changed (another `--port`, another folder) is registered anew.
fn register(workspace: &Path, endpoints: &Endpoints, dir: &Path) -> Result<Steward, AppError> {
    let mut app = Steward::open_default(workspace, true)?;
    let existing = app.list_systems()?;
    for mut system in systems(endpoints) {
        let secret = system.secret.map(Secret::new).transpose()?;
        let config = match system.config {
            Some(text) => {
                let path = dir.join(format!(
                    "{}.steward.toml",
                    system.name.to_lowercase().replace(' ', "-")
                ));
                std::fs::write(&path, text)
                    .map_err(|e| outside(format!("writing {}: {e}", path.display())))?;
                system.request.config_path = Some(path.display().to_string());
                Some(path)
            }
            None => None,
        };
        let current = existing
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(system.name));
        match current {
            Some(view)
                if view.base_url == system.request.base_url && view.path == system.request.path =>
            {
                if let Some(secret) = secret {
                    app.store_credential(system.name, secret)?;
                }
                if let Some(config) = &config {
                    app.configure_system(system.name, &config.display().to_string())?;
                }
            }
            Some(_) => {
                app.remove_system(system.name)?;
                app.add_system(system.request, secret)?;
            }
            None => {
                app.add_system(system.request, secret)?;
            }
        }
    }
    Ok(app)
}

/// What the sandbox company's owner of the truth has set up: the suggested mapping
/// confirmed, the spokes' own status words mapped onto the CRM's, and the segment the
/// seeds talk about ("active accounts"). Saved as two versions, as a person would.
fn configure_rules(app: &mut Steward) -> Result<(), AppError> {
    app.accept_suggestions(None, "the sandbox company's fields, as suggested")?;
    let systems = app.list_systems()?;
    let named = |kind: SystemKind| {
        systems
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.name.clone())
    };
    let (mut set, _) = app.rule_set()?;
    let key = |k: &str| FieldKey::parse(k).map_err(AppError::invalid);
    if let Some(map) = named(SystemKind::Marketing)
        && let Some(model) = set
            .status
            .iter_mut()
            .find(|m| m.field.as_str() == "lead_status")
    {
        let words = model.systems.entry(map).or_default();
        for (word, status) in [("Working", "IN_PROGRESS"), ("Engaged", "CONNECTED")] {
            words.insert(word.into(), status.into());
        }
    }
    if let Some(portal) = named(SystemKind::Sqlite)
        && let Some(model) = set
            .status
            .iter_mut()
            .find(|m| m.field.as_str() == "account_status")
    {
        model
            .systems
            .entry(portal)
            .or_default()
            .insert("closed".into(), "churned".into());
    }
    set.segment.retain(|s| s.name != "active accounts");
    set.segment.push(Segment {
        name: "active accounts".into(),
        object: ObjectType::Company,
        conditions: [(key("account_status")?, vec!["active".to_owned()])].into(),
    });
    app.save_rules(
        set,
        "status words of the MAP and the portal; the active-accounts segment",
    )?;
    Ok(())
}

pub fn run(args: &DemoArgs, workspace: &Path, json: bool) -> Result<(), AppError> {
    let runtime = crate::sandbox::runtime()?;
    runtime.block_on(async {
        let dir = workspace
            .parent()
            .unwrap_or(Path::new("."))
            .join("sandbox-files");
        let config = Config {
            port: args.port,
            ..Config::with_defaults(args.seed, args.size, dir)
        };
        let running = start(&config).await.map_err(|e| {
            outside(format!(
                "{e} (another demo may be running; stop it or pass --port)"
            ))
        })?;
        let app = register(workspace, &running.endpoints, &config.dir)?;
        // Every system read once, so the app opens on a full inventory.
        let names: Vec<String> = app.list_systems()?.into_iter().map(|s| s.name).collect();
        let reports = crate::sync::sync_names(
            &app.sync_env(),
            &names,
            steward_app::sync::SyncChoice::Auto,
            json,
        )
        .await?;
        for r in &reports {
            if let Some(error) = &r.error {
                eprintln!("steward demo: {} did not sync: {error}", r.system);
            }
        }
        // The Duplicates screen opens on the seeded clusters, found across all five systems.
        let env = app.sync_env();
        let found = tokio::task::spawn_blocking(move || {
            steward_app::duplicates::find_duplicates(&env, &|_| {}, &|| false)
        })
        .await;
        match found {
            Ok(Ok(run)) if !json => eprintln!(
                "steward demo: {} clusters of duplicates among {} people",
                run.clusters, run.records
            ),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => eprintln!("steward demo: duplicates were not found: {error}"),
            Err(error) => eprintln!("steward demo: duplicates were not found: {error}"),
        }
        // The sandbox company's rules, then drift, so the Drift screen opens on findings.
        let mut app = app;
        match configure_rules(&mut app) {
            Ok(()) => {
                let env = app.sync_env();
                let measured = tokio::task::spawn_blocking(move || {
                    steward_app::drift::run_drift(&env, &|_| {}, &|| false)
                })
                .await;
                match measured {
                    Ok(Ok(run)) if !json => eprintln!(
                        "steward demo: {} drift findings over {} records",
                        run.findings, run.records
                    ),
                    Ok(Ok(_)) => {}
                    Ok(Err(error)) => eprintln!("steward demo: drift was not measured: {error}"),
                    Err(error) => eprintln!("steward demo: drift was not measured: {error}"),
                }
            }
            Err(error) => eprintln!("steward demo: the rules were not set: {error}"),
        }
        // The Merge screen opens on the clusters the CRM holds more than once.
        match app.propose_merges() {
            Ok(report) if !json => eprintln!(
                "steward demo: {} merge proposals in the queue",
                report.created
            ),
            Ok(_) => {}
            Err(error) => eprintln!("steward demo: no merge proposals: {error}"),
        }
        governance(
            &mut app,
            &running.manifest,
            &config.dir,
            args.skip_probe_run,
            json,
        )
        .await;
        drop(app);
        let line = serde_json::json!({
            "workspace": workspace.display().to_string(),
            "crm": running.endpoints.crm,
            "map": running.endpoints.map,
            "files": running.endpoints.files,
            "counts": running.manifest.counts,
        });
        if args.no_ui {
            println!("{line}");
            let _ = std::io::stdout().flush();
            crate::sandbox::wait_for_stop().await;
            return Ok(());
        }
        if !json {
            eprintln!("Sandbox ready; opening Steward on {}", workspace.display());
        }
        let app = desktop_binary()?;
        let mut child = tokio::process::Command::new(&app)
            .arg("--workspace")
            .arg(workspace)
            .spawn()
            .map_err(|e| outside(format!("could not start {}: {e}", app.display())))?;
        tokio::select! {
            status = child.wait() => {
                let status = status.map_err(|e| outside(format!("the app: {e}")))?;
                if !status.success() {
                    return Err(outside(format!("the app exited with {status}")));
                }
            }
            () = crate::sandbox::wait_for_stop() => {
                let _ = child.kill().await;
            }
        }
        Ok(())
    })
}

/// The desktop app is built beside `steward` (same target folder, or the same install dir).
fn desktop_binary() -> Result<std::path::PathBuf, AppError> {
    let exe =
        std::env::current_exe().map_err(|e| outside(format!("cannot find this program: {e}")))?;
    let name = if cfg!(windows) {
        "steward-desktop.exe"
    } else {
        "steward-desktop"
    };
    let candidate = exe.with_file_name(name);
    if candidate.is_file() {
        Ok(candidate)
    } else {
        Err(outside(format!(
            "the desktop app is not built at {}; build it with `cargo build -p steward-desktop`, or pass --no-ui",
            candidate.display()
        )))
    }
}

/// The governance half on the sandbox: the demo user holds every role, a write-back probe
/// through the MAP bridge (run once: it catches the lost statuses), the SDR sheet retired
/// from the day the company decided to (it is still written: a drift magnet), and this
/// quarter's audit.
async fn governance(
    app: &mut Steward,
    manifest: &steward_sandbox::seed::Manifest,
    dir: &Path,
    skip_probe_run: bool,
    json: bool,
) {
    let say = |what: &str, result: Result<(), AppError>| {
        if let Err(error) = result {
            eprintln!("steward demo: {what}: {error}");
        }
    };
    let me = app.info().actor;
    for role in ["admin", "owner", "ops"] {
        say("roles", app.grant_role(&me, role).map(|_| ()));
    }
    let systems = app.list_systems().unwrap_or_default();
    let named = |kind: SystemKind| {
        systems
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.name.clone())
    };
    let defined = app
        .probes()
        .is_ok_and(|p| p.iter().any(|p| p.name == "MAP write-back"));
    if !defined && let Some(map) = named(SystemKind::Marketing) {
        let request = steward_app::probes::ProbeRequest {
            name: "MAP write-back".into(),
            spoke: map,
            match_key: "email".into(),
            status_field: "lead_status".into(),
            status_values: vec!["CONNECTED".into(), "UNQUALIFIED".into()],
            target_seconds: 5.0,
            timeout_seconds: 12.0,
            every_minutes: Some(60),
        };
        say("probe", app.add_probe(&request).map(|_| ()));
        if !skip_probe_run {
            let run = steward_app::probes::run_probe(
                &app.sync_env(),
                "MAP write-back",
                tokio_util::sync::CancellationToken::new(),
                &|_| {},
            )
            .await;
            match run {
                Ok(r) if !json => eprintln!("steward demo: write-back probe {}", r.verdict),
                Ok(_) => {}
                Err(error) => eprintln!("steward demo: the probe did not run: {error}"),
            }
        }
    }
    let retired =
        |s: &&steward_app::systems::SystemView| s.lifecycle != steward_domain::Lifecycle::Active;
    let sdr = systems
        .iter()
        .find(|s| s.kind == SystemKind::Xlsx)
        .filter(|s| !retired(s));
    if let Some(sdr) = sdr.map(|s| s.name.clone()) {
        let since = steward_domain::Timestamp::from_millis(
            manifest.spokes.deprecated_still_written.deprecating_since,
        )
        .to_rfc3339();
        say(
            "deprecating the SDR sheet",
            app.move_lifecycle(&sdr, "deprecating", Some(&since), None)
                .map(|_| ()),
        );
        say(
            "archiving the SDR sheet",
            app.export_archive(&sdr, &dir.join("sdr-archive.csv"))
                .map(|_| ()),
        );
        say(
            "retiring the SDR sheet",
            app.move_lifecycle(
                &sdr,
                "deprecated",
                Some(&since),
                Some("sales leadership retired the sheet on this date; open items tracked"),
            )
            .map(|_| ()),
        );
    }
    say("the audit", app.run_audit().map(|_| ()));
}
