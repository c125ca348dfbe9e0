//! `steward sync` and the sync progress bar: read a system through its connector into the
//! workspace, page by page, resumable after a crash or a cancel.
//!
//! A sync opens its own connection to the workspace file (SQLite in WAL mode), so the app
//! keeps answering while a long read runs.

use std::path::PathBuf;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;
use steward_connectors::{
    Connector, ConnectorError, Context, Keychain, Page, PageSink, ReadRequest, RecordProblem,
    Settings,
};
use steward_domain::{AuditEvent, CredentialKind, ObjectType, Role, System, SystemKind, Timestamp};
use steward_store::{
    SyncMode, SyncProblem, SyncRun, SyncStatus, SystemField, Workspace, list_sync_runs,
};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::clock::Clock;
use crate::error::{AppError, ErrorCode};
use crate::workspace::Steward;

/// How much to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncChoice {
    /// Incremental when the system supports it and every object has a high-water mark from
    /// an earlier read that finished; else full.
    #[default]
    Auto,
    Full,
    Incremental,
}

/// What the progress bar shows, sent after every page.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub system: String,
    pub object: String,
    pub done: u64,
    pub total: Option<u64>,
    pub failed: u64,
    pub per_second: f64,
    pub eta_seconds: Option<f64>,
    pub api_calls: u64,
}

/// A problem row as reports show it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProblemView {
    pub object: String,
    pub locator: String,
    pub field: Option<String>,
    pub reason: String,
    pub record_kept: bool,
}

/// The outcome of one system's sync. A failed read is data here, not an error: the run, its
/// counts and its resume point are kept, and the next sync continues from there.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub system: String,
    pub run_id: i64,
    pub mode: String,
    /// succeeded | partial | failed | cancelled
    pub status: String,
    pub resumed: bool,
    pub records_read: u64,
    pub records_failed: u64,
    /// Cached records the system no longer has (a full sync removes them).
    pub records_removed: u64,
    pub api_calls: u64,
    pub seconds: f64,
    /// Links to the hub by shared id, across the workspace, after this sync.
    pub crosswalk_links: u64,
    /// Every problem the run recorded.
    pub problem_count: u64,
    /// The first problems found (all are kept with the run).
    pub problems: Vec<ProblemView>,
    pub error: Option<String>,
    /// Whether the error came from the outside system (exit code 3) rather than input.
    pub external_failure: bool,
}

const REPORTED_PROBLEMS: usize = 50;

impl SyncReport {
    /// A sync that could not start (unknown system, bad settings, no credential, the
    /// system unreachable at connect), as a report, so one system's failure does not stop
    /// the others.
    pub fn not_started(system: &str, error: &AppError) -> Self {
        Self {
            system: system.to_owned(),
            run_id: 0,
            mode: String::new(),
            status: SyncStatus::Failed.as_str().to_owned(),
            resumed: false,
            records_read: 0,
            records_failed: 0,
            records_removed: 0,
            api_calls: 0,
            seconds: 0.0,
            crosswalk_links: 0,
            problem_count: 0,
            problems: Vec::new(),
            error: Some(error.message.clone()),
            external_failure: matches!(
                error.code,
                ErrorCode::ExternalSystem | ErrorCode::KeychainUnavailable | ErrorCode::Io
            ),
        }
    }
}

/// Everything a sync needs, detached from the app's own workspace connection.
#[derive(Debug, Clone)]
pub struct SyncEnv {
    pub workspace_path: PathBuf,
    pub keychain: Keychain,
    pub actor: String,
    pub clock: Clock,
}

impl Steward {
    pub fn sync_env(&self) -> SyncEnv {
        SyncEnv {
            workspace_path: self.workspace.path().to_owned(),
            keychain: self.keychain.clone(),
            actor: self.actor.clone(),
            clock: self.clock,
        }
    }
}

impl From<ConnectorError> for AppError {
    fn from(err: ConnectorError) -> Self {
        let code = match &err {
            ConnectorError::Config(_) => ErrorCode::InvalidInput,
            ConnectorError::Cancelled => ErrorCode::Cancelled,
            ConnectorError::Source { .. } | ConnectorError::Sink(_) => ErrorCode::Io,
            _ => ErrorCode::ExternalSystem,
        };
        Self::new(code, err.to_string())
    }
}

/// Where an interrupted run stands: the object being read and the connector's token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct ResumePoint {
    object: ObjectType,
    token: Option<String>,
}

/// A claim on a system's sync, so two syncs of one system (the app and a CLI, or two
/// clicks) never interleave: each would remove the other's records as unseen.
#[derive(Debug, Clone)]
struct Claim {
    system_id: i64,
    owner: String,
    clock: Clock,
}

/// A claim whose heartbeat is older than this belongs to a process that died.
const CLAIM_STALE_MS: i64 = 60_000;

/// How often a running sync proves it is alive, pages or not (a long `Retry-After`, a slow
/// answer): well inside `CLAIM_STALE_MS`.
const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Refreshes the claim's heartbeat on its own workspace connection until cancelled, or until
/// the claim turns out to be someone else's (the sync's next write then stops it).
fn keep_claim_alive(path: PathBuf, claim: Claim) -> CancellationToken {
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    tokio::spawn(async move {
        let Ok(mut workspace) = Workspace::open(&path) else {
            return;
        };
        loop {
            tokio::select! {
                () = stopped.cancelled() => return,
                () = tokio::time::sleep(HEARTBEAT_EVERY) => {}
            }
            let beat =
                workspace.cache(|c| c.heartbeat(claim.system_id, &claim.owner, claim.clock.now()));
            if !matches!(beat, Ok(true)) {
                return;
            }
        }
    });
    stop
}

fn this_host() -> String {
    whoami::hostname().unwrap_or_else(|_| "unknown-host".to_owned())
}

/// Whether a claim's holder (`host|pid|nonce`) is a process on this machine that no longer
/// runs. Known on Linux (`/proc`); elsewhere the heartbeat going stale decides.
fn holder_is_gone(holder: &str) -> bool {
    let mut parts = holder.split('|');
    let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    cfg!(target_os = "linux")
        && host == this_host()
        && pid.parse::<u32>().is_ok()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

struct StoreSink<'a> {
    workspace: &'a mut Workspace,
    run: SyncRun,
    claim: &'a Claim,
    fetched_at: Timestamp,
    started: Instant,
    system: String,
    total: Option<u64>,
    done_before: u64,
    /// API calls the run had made before this attempt (a resumed run continues its count).
    calls_before: u64,
    connector_calls: &'a (dyn Fn() -> u64 + Sync),
    on_progress: &'a (dyn Fn(&SyncProgress) + Send + Sync),
    tombstones: crate::erasure::Tombstones,
}

/// What the sink says when the claim is gone: another sync took the system over.
const CLAIM_LOST: &str = "another sync took this system over (this one had gone quiet for a minute); it continues from here";

fn problem_row(p: &RecordProblem) -> SyncProblem {
    SyncProblem {
        object: p.object,
        locator: p.locator.clone(),
        field: p.field.clone(),
        reason: p.reason.clone(),
        record_kept: p.record_kept,
    }
}

impl PageSink for StoreSink<'_> {
    fn accept(&mut self, object: ObjectType, page: Page) -> Result<(), String> {
        let problems: Vec<SyncProblem> = page.problems.iter().map(problem_row).collect();
        let left_out = page.problems.iter().filter(|p| !p.record_kept).count() as u64;
        let mut run = self.run.clone();
        run.records_read += page.records.len() as u64;
        run.records_failed += left_out;
        run.api_calls = self.calls_before + (self.connector_calls)();
        run.resume_from = Some(
            serde_json::to_string(&ResumePoint {
                object,
                token: page.resume.clone(),
            })
            .map_err(|e| e.to_string())?,
        );
        let (fetched_at, run_id) = (self.fetched_at, run.id);
        let with_associations = !page.associations_omitted;
        let claim = self.claim;
        // A request filed while this sync runs is honoured from the next page on.
        self.tombstones
            .refresh(self.workspace)
            .map_err(|e| e.message)?;
        let tombstones = &self.tombstones;
        let still_ours = self
            .workspace
            .cache(|c| {
                // Nothing is written once the claim is someone else's.
                if !c.heartbeat(claim.system_id, &claim.owner, claim.clock.now())? {
                    return Ok(false);
                }
                for record in &page.records {
                    // An erased person is not cached again; the sighting keeps the checklist true.
                    match tombstones.hit(record) {
                        Some(request_id) => c.add_erasure_sighting(&steward_store::Sighting {
                            request_id,
                            system_id: claim.system_id,
                            object: record.key.object,
                            external_id: record.key.external_id.clone(),
                            sync_run_id: run_id,
                            seen_at: fetched_at,
                        })?,
                        None => c.upsert_record(record, fetched_at, run_id, with_associations)?,
                    }
                }
                c.add_problems(run_id, &problems)?;
                c.update_sync_run(&run)?;
                Ok(true)
            })
            .map_err(|e| e.to_string())?;
        if !still_ours {
            return Err(CLAIM_LOST.to_owned());
        }
        self.run = run;
        let done = self.run.records_read - self.done_before;
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let per_second = done as f64 / seconds;
        (self.on_progress)(&SyncProgress {
            system: self.system.clone(),
            object: object.to_string(),
            done,
            total: self.total,
            failed: self.run.records_failed,
            per_second,
            eta_seconds: self
                .total
                .filter(|_| per_second > 0.0)
                .map(|t| t.saturating_sub(done) as f64 / per_second),
            api_calls: self.run.api_calls,
        });
        Ok(())
    }
}

fn view(p: &SyncProblem) -> ProblemView {
    ProblemView {
        object: p.object.to_string(),
        locator: p.locator.clone(),
        field: p.field.clone(),
        reason: p.reason.clone(),
        record_kept: p.record_kept,
    }
}

/// A registered system by name (any case).
pub(crate) fn find(workspace: &Workspace, name: &str) -> Result<System, AppError> {
    steward_store::list_systems(workspace.conn())?
        .into_iter()
        .find(|s| s.name.as_str().eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!(
                    "no system named \"{}\"; `steward system list` shows them",
                    name.trim()
                ),
            )
        })
}

/// The settings and keychain credential a system connects with.
pub(crate) fn connection_inputs(
    env: &SyncEnv,
    workspace: &Workspace,
    system: &System,
) -> Result<(Settings, Option<steward_connectors::Secret>), AppError> {
    let settings = Settings::parse(
        system.kind,
        &steward_store::system_settings(workspace.conn(), system.id)?,
    )?;
    if system.kind.credential() == CredentialKind::None {
        return Ok((settings, None));
    }
    let account = crate::systems::credential_account(workspace.id(), system.id);
    let secret = env.keychain.load(&account)?;
    // A REST API without an auth header, or a database that trusts local users, needs none;
    // their connectors say so if their settings ask for one.
    let optional = matches!(system.kind, SystemKind::Rest | SystemKind::Postgres);
    if secret.is_none() && !optional {
        return Err(AppError::invalid(format!(
            "no credential is stored for \"{}\"; store one (steward system credential) and sync again",
            system.name
        )));
    }
    Ok((settings, secret))
}

/// What connecting to a system takes, read from the workspace first: a future must not hold
/// a borrow of the workspace (a SQLite connection is not `Sync`).
pub(crate) struct Connecting {
    ctx: Context,
    connection: steward_domain::Connection,
    settings: Settings,
    secret: Option<steward_connectors::Secret>,
}

impl Connecting {
    pub(crate) fn new(
        env: &SyncEnv,
        workspace: &Workspace,
        system: &System,
        cancel: CancellationToken,
    ) -> Result<Self, AppError> {
        let (settings, secret) = connection_inputs(env, workspace, system)?;
        Ok(Self {
            ctx: Context {
                system_id: system.id,
                system_name: system.name.to_string(),
                cancel,
            },
            connection: system.connection.clone(),
            settings,
            secret,
        })
    }

    pub(crate) async fn connect(self) -> Result<Box<dyn Connector>, AppError> {
        Ok(
            steward_connectors::connect(self.ctx, &self.connection, self.settings, self.secret)
                .await?,
        )
    }
}

/// Syncs one system. Setup problems (unknown system, bad settings, no credential) are
/// errors; once a run has started, its outcome is the report.
pub async fn sync_system(
    env: &SyncEnv,
    name: &str,
    choice: SyncChoice,
    cancel: CancellationToken,
    on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncReport, AppError> {
    let mut workspace = Workspace::open(&env.workspace_path)?;
    let system = find(&workspace, name)?;
    let connector = Connecting::new(env, &workspace, &system, cancel)?
        .connect()
        .await?;
    let now = env.clock.now();
    let claim = Claim {
        system_id: system.id,
        owner: format!(
            "{}|{}|{}",
            this_host(),
            std::process::id(),
            uuid::Uuid::new_v4()
        ),
        clock: env.clock,
    };
    let stale_before = Timestamp::from_millis(now.millis() - CLAIM_STALE_MS);
    let mut claimed =
        workspace.cache(|c| c.claim_sync(system.id, &claim.owner, now, stale_before))?;
    if let Err(holder) = &claimed
        && holder_is_gone(holder)
    {
        // The holder crashed on this machine: no need to wait for its heartbeat to go stale.
        // Taken over only from that holder, so two syncs racing for it cannot both win.
        let holder = holder.clone();
        if workspace.cache(|c| c.take_over_sync(system.id, &holder, &claim.owner, now))? {
            claimed = Ok(());
        }
    }
    if claimed.is_err() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "\"{}\" is being synced already (by this app or a steward command); wait for it to finish, or cancel it",
                system.name
            ),
        ));
    }

    let result = sync_claimed(
        &mut workspace,
        env,
        &system,
        connector.as_ref(),
        choice,
        &claim,
        on_progress,
    )
    .await;
    if result.is_err() {
        // Finishing releases the claim; anything that failed before that releases it here.
        if let Err(e) = workspace.cache(|c| c.release_sync(claim.system_id, &claim.owner)) {
            tracing::warn!(system = system.id, error = %e, "could not release a sync claim");
        }
    } else if system.lifecycle == steward_domain::Lifecycle::Deprecated
        && let Err(e) =
            crate::deprecation::check_drift_magnets(&mut workspace, &env.actor, env.clock.now())
    {
        // A retired system written again: the alert is the point, the sync itself is done.
        tracing::warn!(system = system.id, error = %e, "could not check for a drift magnet");
    }
    result
}

/// Everything a sync does while it holds the system's claim.
async fn sync_claimed(
    workspace: &mut Workspace,
    env: &SyncEnv,
    system: &System,
    connector: &dyn Connector,
    choice: SyncChoice,
    claim: &Claim,
    on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncReport, AppError> {
    let started = Instant::now();
    let now = env.clock.now();
    let _heartbeat = keep_claim_alive(env.workspace_path.clone(), claim.clone()).drop_guard();
    // An interrupted run continues where its last stored page ended. (The claim means a
    // run still marked running was left by a process that died.)
    let previous = list_sync_runs(workspace.conn(), system.id, 1)?
        .into_iter()
        .next();
    let resumable = previous.filter(|r| {
        matches!(
            r.status,
            SyncStatus::Running | SyncStatus::Failed | SyncStatus::Cancelled
        ) && r.resume_from.is_some()
            && choice != SyncChoice::Full
    });
    let objects = connector.objects();
    let (mut run, resume) = match resumable {
        Some(mut run) => {
            let point: Option<ResumePoint> = run
                .resume_from
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok());
            run.status = SyncStatus::Running;
            run.finished_at = None;
            run.error = None;
            (run, point)
        }
        None => {
            let mode = match choice {
                SyncChoice::Full => SyncMode::Full,
                SyncChoice::Incremental if connector.incremental() => SyncMode::Incremental,
                SyncChoice::Incremental => {
                    return Err(AppError::invalid(format!(
                        "\"{}\" is read whole every time (a {}); run a full sync",
                        system.name, system.kind
                    )));
                }
                SyncChoice::Auto => {
                    let marked = objects.iter().all(|o| {
                        steward_store::high_water(workspace.conn(), system.id, *o)
                            .ok()
                            .flatten()
                            .is_some()
                    });
                    if connector.incremental() && marked {
                        SyncMode::Incremental
                    } else {
                        SyncMode::Full
                    }
                }
            };
            let id = workspace.cache(|c| c.start_sync_run(system.id, now, mode))?;
            let run = steward_store::get_sync_run(workspace.conn(), id)?
                .ok_or_else(|| AppError::new(ErrorCode::Internal, "the new sync run vanished"))?;
            (run, None)
        }
    };
    let resumed = resume.is_some();
    tracing::info!(
        system = system.id,
        run = run.id,
        mode = run.mode.as_str(),
        resumed,
        "sync started"
    );

    let calls_before = run.api_calls;
    let outcome = read_all(
        workspace,
        &env.keychain,
        system,
        connector,
        &mut run,
        claim,
        resume,
        on_progress,
    )
    .await;
    run.api_calls = calls_before + connector.api_calls();
    run.finished_at = Some(env.clock.now());
    let error = outcome.err();
    if matches!(&error, Some(ConnectorError::Sink(m)) if m == CLAIM_LOST) {
        // The run is the other sync's now: leave it alone.
        return Err(AppError::new(ErrorCode::Conflict, CLAIM_LOST));
    }
    run.status = match &error {
        None if run.records_failed > 0 => SyncStatus::Partial,
        None => SyncStatus::Succeeded,
        Some(ConnectorError::Cancelled) => SyncStatus::Cancelled,
        Some(_) => SyncStatus::Failed,
    };
    run.error = error.as_ref().map(ToString::to_string);
    if error.is_none() {
        run.resume_from = None;
    }
    let links = finish(workspace, env, system, &run, claim)?;
    let problem_count = steward_store::count_sync_problems(workspace.conn(), run.id)?;
    let problems =
        steward_store::list_sync_problems(workspace.conn(), run.id, REPORTED_PROBLEMS as u32)?
            .iter()
            .map(view)
            .collect();
    tracing::info!(
        system = system.id,
        run = run.id,
        status = run.status.as_str(),
        read = run.records_read,
        failed = run.records_failed,
        "sync finished"
    );
    Ok(SyncReport {
        system: system.name.to_string(),
        run_id: run.id,
        mode: run.mode.as_str().to_owned(),
        status: run.status.as_str().to_owned(),
        resumed,
        records_read: run.records_read,
        records_failed: run.records_failed,
        records_removed: run.records_removed,
        api_calls: run.api_calls,
        seconds: started.elapsed().as_secs_f64(),
        crosswalk_links: links,
        problem_count,
        problems,
        external_failure: error
            .as_ref()
            .is_some_and(|e| !matches!(e, ConnectorError::Config(_) | ConnectorError::Cancelled)),
        error: run.error.clone(),
    })
}

/// Describes and reads every object, keeping `run` up to date (records removed included).
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
async fn read_all(
    workspace: &mut Workspace,
    keychain: &Keychain,
    system: &System,
    connector: &dyn Connector,
    run: &mut SyncRun,
    claim: &Claim,
    resume: Option<ResumePoint>,
    on_progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<(), ConnectorError> {
    let objects = connector.objects();
    let mut fields = Vec::new();
    for object in &objects {
        for f in connector.describe(*object).await? {
            fields.push(SystemField {
                object: *object,
                name: f.name,
                label: f.label,
                value_type: f.value_type,
                read_only: f.read_only,
            });
        }
    }
    let crosswalks: Vec<(ObjectType, String)> = connector
        .crosswalks()
        .into_iter()
        .map(|c| (c.object, c.field))
        .collect();
    let sink_error = |e: steward_store::StoreError| ConnectorError::Sink(e.to_string());
    workspace
        .cache(|c| {
            for object in &objects {
                c.replace_system_fields(system.id, *object, &fields)?;
            }
            c.replace_crosswalks(system.id, &crosswalks)
        })
        .map_err(sink_error)?;

    let start_at = resume
        .as_ref()
        .and_then(|p| objects.iter().position(|o| *o == p.object))
        .unwrap_or(0);
    let calls = || connector.api_calls();
    let calls_before = run.api_calls;
    for (i, object) in objects.iter().enumerate().skip(start_at) {
        let token = resume
            .as_ref()
            .filter(|p| p.object == *object && i == start_at)
            .and_then(|p| p.token.clone());
        let since = match run.mode {
            SyncMode::Full => None,
            SyncMode::Incremental => {
                steward_store::high_water(workspace.conn(), system.id, *object)
                    .map_err(sink_error)?
            }
        };
        let known_at_since = match since {
            Some(at) => steward_store::ids_modified_at(workspace.conn(), system.id, *object, at)
                .map_err(sink_error)?
                .into_iter()
                .collect(),
            None => Default::default(),
        };
        let total = connector.count(*object, since).await.unwrap_or(None);
        let tombstones = crate::erasure::Tombstones::load(workspace, keychain, system.id)
            .map_err(|e| ConnectorError::Sink(e.message))?;
        let mut sink = StoreSink {
            tombstones,
            run: run.clone(),
            claim,
            fetched_at: Timestamp::from_millis(run.started_at.millis()),
            started: Instant::now(),
            system: system.name.to_string(),
            total,
            done_before: run.records_read,
            calls_before,
            connector_calls: &calls,
            on_progress,
            workspace,
        };
        let request = ReadRequest {
            since,
            resume: token,
            known_at_since,
        };
        let read = connector.read(*object, &request, &mut sink).await;
        *run = sink.run.clone();
        read?;
        // Counted once the object is read whole, so a resumed object is not counted twice.
        run.records_expected = match (run.records_expected, total) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        let next = objects.get(i + 1).map(|o| ResumePoint {
            object: *o,
            token: None,
        });
        let full = run.mode == SyncMode::Full;
        let mut finished = run.clone();
        finished.resume_from = next.as_ref().and_then(|p| serde_json::to_string(p).ok());
        let finished = workspace
            .cache(|c| {
                if !c.heartbeat(claim.system_id, &claim.owner, claim.clock.now())? {
                    return Ok(None);
                }
                if full {
                    finished.records_removed += c.remove_unseen(system.id, *object, finished.id)?;
                }
                // The mark moves even past a record that could not be taken in: a record that
                // stays unreadable must not hold every later read back. It is read (and
                // reported) again when it next changes, or by the next full sync.
                if let Some(newest) = c.newest_change(system.id, *object)? {
                    c.set_high_water(system.id, *object, newest)?;
                }
                c.update_sync_run(&finished)?;
                Ok(Some(finished))
            })
            .map_err(sink_error)?;
        *run = finished.ok_or_else(|| ConnectorError::Sink(CLAIM_LOST.to_owned()))?;
    }
    Ok(())
}

/// Ends the run (audited), releases the claim, and rebuilds the shared-id links to the hub.
fn finish(
    workspace: &mut Workspace,
    env: &SyncEnv,
    system: &System,
    run: &SyncRun,
    claim: &Claim,
) -> Result<u64, AppError> {
    let hub = steward_store::list_systems(workspace.conn())?
        .into_iter()
        .find(|s| s.role == Role::Hub)
        .map(|s| s.id);
    let event = AuditEvent {
        at: env.clock.now(),
        actor: env.actor.clone(),
        action: "sync.finished".into(),
        subject: format!("system:{}", system.name),
        details: json!({
            "run": run.id,
            "mode": run.mode.as_str(),
            "status": run.status.as_str(),
            "records_read": run.records_read,
            "records_failed": run.records_failed,
            "records_removed": run.records_removed,
            "api_calls": run.api_calls,
        }),
    };
    workspace.change(|c| {
        c.update_sync_run(run)?;
        Ok::<_, AppError>(((), event))
    })?;
    workspace.cache(|c| c.release_sync(claim.system_id, &claim.owner))?;
    let links = match hub {
        // After the hub's sync every spoke's links may change; after a spoke's, its own.
        Some(hub) => {
            let spoke = (hub != system.id).then_some(system.id);
            workspace.cache(|c| c.relink_crosswalks(hub, spoke))?
        }
        None => 0,
    };
    Ok(links)
}
