//! One function per subcommand: call the app layer, hand the result to `output`.

use std::process::ExitCode;

use steward_app::systems::AddSystemRequest;
use steward_app::{AppError, Secret, Steward, default_workspace_path};

use crate::args::{
    AddArgs, AuditLogCommand, BenchCommand, Cli, Command, SandboxCommand, SystemCommand,
    WorkspaceCommand,
};
use crate::output::Printer;

/// How a successful run ends: 0, or 1 when a check found what it was asked to fail on.
pub enum Outcome {
    Done,
    Finding,
    /// The output was printed, but an outside system failed (exit 3).
    OutsideFailure,
    /// The output was printed, but some input was refused (exit 2).
    BadInput,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Done => ExitCode::SUCCESS,
            Self::Finding => ExitCode::from(1),
            Self::OutsideFailure => ExitCode::from(3),
            Self::BadInput => ExitCode::from(2),
        }
    }
}

pub fn run(cli: Cli) -> Result<Outcome, AppError> {
    let workspace = cli.workspace;
    let workspace_flag = workspace.clone();
    let path = move || match workspace.clone() {
        Some(path) => Ok(path),
        None => default_workspace_path(),
    };
    let open = || Steward::open_default(&path()?, false);
    let out = Printer { json: cli.json };
    match cli.command {
        Command::Workspace(WorkspaceCommand::Init) => {
            let app = Steward::init_default(&path()?)?;
            out.workspace(&app.info(), "Created workspace");
        }
        Command::Workspace(WorkspaceCommand::Info) => {
            let app = open()?;
            out.workspace(&app.info(), "Workspace");
        }
        Command::System(SystemCommand::Add(args)) => {
            let secret = read_secret(args.token_env.as_deref())?;
            let mut app = open()?;
            let view = app.add_system(add_request(args), secret)?;
            out.system_added(&view);
        }
        Command::System(SystemCommand::List) => {
            let app = open()?;
            out.systems(&app.list_systems()?);
        }
        Command::System(SystemCommand::Configure { name, config }) => {
            let mut app = open()?;
            let view = app.configure_system(&name, &config)?;
            out.system_added(&view);
        }
        Command::System(SystemCommand::Remove { name }) => {
            let mut app = open()?;
            out.system_removed(&app.remove_system(&name)?);
        }
        Command::AuditLog(AuditLogCommand::Verify) => {
            let app = open()?;
            let verification = app.verify_audit_log()?;
            out.verification(&verification);
            if !verification.intact {
                return Ok(Outcome::Finding);
            }
        }
        Command::AuditLog(AuditLogCommand::List { limit, before }) => {
            let app = open()?;
            out.audit_page(&app.audit_page(before, limit)?);
        }
        Command::System(SystemCommand::Credential { name, token_env }) => {
            let secret = read_secret(Some(&token_env))?
                .ok_or_else(|| AppError::invalid("--token-env is required"))?;
            let mut app = open()?;
            out.credential_stored(&app.store_credential(&name, secret)?);
        }
        Command::Sandbox(SandboxCommand::Serve(args)) => crate::sandbox::serve(&args)?,
        Command::Sync(args) => {
            let app = open()?;
            return crate::sync::run(&app, &args, &out);
        }
        Command::Bench(BenchCommand::Sync(args)) => crate::bench::sync(&args, out.json)?,
        Command::Bench(BenchCommand::Leads(args)) => crate::bench::leads(&args)?,
        Command::Bench(BenchCommand::Merge(args)) => crate::bench_merge::run(&args, out.json)?,
        Command::Bench(BenchCommand::Drift(args)) => {
            return crate::bench_drift::run(&args, out.json);
        }
        Command::Dedupe(args) => crate::dedupe::run(&args, out.json)?,
        Command::Duplicates(args) => {
            let app = open()?;
            if !args.last {
                let env = app.sync_env();
                let progress = |p: steward_app::duplicates::DuplicatesProgress| {
                    tracing::debug!(stage = %p.stage, done = p.done, total = p.total, "matching");
                };
                steward_app::duplicates::find_duplicates(&env, &progress, &|| false)?;
            }
            out.duplicates(&app.duplicates_listing()?);
        }
        Command::Inventory(args) => {
            let app = open()?;
            let inventory = app.inventory()?;
            if let Some(file) = &args.csv {
                std::fs::write(file, app.inventory_csv()?).map_err(|e| {
                    AppError::new(
                        steward_app::ErrorCode::Io,
                        format!("--csv {}: {e}", file.display()),
                    )
                })?;
            }
            out.inventory(&inventory);
        }
        Command::Drift(args) => return crate::drift::drift(&open()?, &args, &out),
        Command::Rules(command) => crate::drift::rules(&mut open()?, command, &out)?,
        Command::Erasure(command) => return crate::drift::erasure(&mut open()?, command, &out),
        Command::Merge(command) => return crate::merge::run(&mut open()?, command, &out),
        Command::Role(command) => return crate::governance::role(&mut open()?, command, &out),
        Command::Onboarding { system } => {
            return crate::governance::onboarding(&open()?, &system, &out);
        }
        Command::SignOff {
            system,
            checklist,
            item,
            note,
        } => {
            return crate::governance::sign_off(&mut open()?, system, checklist, item, note, &out);
        }
        Command::Deprecation(command) => {
            return crate::governance::deprecation(&mut open()?, command, &out);
        }
        Command::Probe(command) => return crate::governance::probe(&mut open()?, command, &out),
        Command::Alerts { all, clear } => {
            return crate::governance::alerts(&mut open()?, all, clear, &out);
        }
        Command::Audit(command) => return crate::governance::audit(&mut open()?, command, &out),
        Command::Demo(args) => {
            let workspace = match workspace_flag {
                Some(path) => path,
                None => steward_app::default_demo_workspace_path()?,
            };
            crate::demo::run(&args, &workspace, out.json)?;
        }
    }
    Ok(Outcome::Done)
}

fn add_request(args: AddArgs) -> AddSystemRequest {
    AddSystemRequest {
        name: args.name,
        kind: Some(args.kind),
        role: Some(args.role),
        population: args.population,
        owner: args.owner,
        dependent_teams: args.teams,
        base_url: args.base_url,
        path: args.path,
        config_path: args.config,
    }
}

/// Secrets are never flags: `--token-env VAR` names the variable that holds one.
fn read_secret(var: Option<&str>) -> Result<Option<Secret>, AppError> {
    let Some(var) = var else { return Ok(None) };
    let raw = std::env::var(var).map_err(|_| {
        AppError::invalid(format!(
            "--token-env: environment variable {var} is not set (or not valid UTF-8)"
        ))
    })?;
    Secret::new(raw)
        .map(Some)
        .map_err(|e| AppError::invalid(format!("--token-env: {var}: {e}")))
}
