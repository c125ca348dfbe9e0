//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use steward_domain::{Population, Role, SystemKind};

#[derive(Debug, Parser)]
#[command(
    name = "steward",
    version,
    about = "Keep the CRM the single source of truth for lead and customer data"
)]
pub struct Cli {
    /// The workspace file (default: the OS data directory, or $STEWARD_WORKSPACE).
    #[arg(long, global = true, value_name = "PATH")]
    pub workspace: Option<PathBuf>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or describe the workspace.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Register, list and remove the systems that hold lead data.
    #[command(subcommand)]
    System(SystemCommand),
    /// Read and verify the tamper-evident audit log.
    #[command(subcommand, name = "audit-log")]
    AuditLog(AuditLogCommand),
    /// The sandbox company: local stand-ins for a CRM and its spokes, with known defects.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Start the sandbox, register its systems in a demo workspace (tokens in the keychain)
    /// and open the app on it.
    Demo(DemoArgs),
    /// Read systems into the workspace (incremental where possible; resumes an
    /// interrupted run).
    Sync(SyncArgs),
    /// Per system: objects, fields and fill rates, cadence, last sync and its problems.
    Inventory(InventoryArgs),
    /// Benchmarks that print the figures recorded in docs/BENCHMARKS.md.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Find duplicate records in a CSV file: clusters out, one row per record.
    Dedupe(DedupeArgs),
    /// Find the people that are one person, within and across the workspace's systems.
    Duplicates(DuplicatesArgs),
    /// Measure how far every copy has drifted from the hub, and reconcile segment counts.
    Drift(DriftArgs),
    /// The field-authority rules: who owns each field, the field mapping, the status model
    /// and segments. Every change is versioned and audited with why.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Erasure requests: a checklist across every system, with a deadline.
    #[command(subcommand)]
    Erasure(ErasureCommand),
    /// The merge queue: proposals from duplicate clusters with a golden-record preview,
    /// approvals, merges through the CRM's API with backups and a journal, restores.
    #[command(subcommand)]
    Merge(MergeCommand),
    /// Roles: the SSOT owner, ops reviewers and admins (no admin named: anyone may act).
    #[command(subcommand)]
    Role(RoleCommand),
    /// A system's onboarding checklist.
    Onboarding { system: String },
    /// Sign off a checklist item (a manual one done, an automatic one waived) with a note.
    SignOff {
        system: String,
        /// deprecation or onboarding
        #[arg(long)]
        checklist: String,
        #[arg(long)]
        item: String,
        #[arg(long)]
        note: String,
    },
    /// Retiring a redundant system: its checklist, exports, lifecycle moves.
    #[command(subcommand)]
    Deprecation(DeprecationCommand),
    /// Write-back probes: a test lead through the integration and back, timed.
    #[command(subcommand)]
    Probe(ProbeCommand),
    /// Alerts: failed or slow probes, deprecated systems written again.
    Alerts {
        /// Every alert, cleared ones too.
        #[arg(long)]
        all: bool,
        /// Clear this alert.
        #[arg(long)]
        clear: Option<i64>,
    },
    /// The quarterly SSOT audit: scores, and the audit pack.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Who holds which role, and what each role allows.
    List,
    /// Grant a role (owner, ops or admin) to a person (their OS user name).
    Grant {
        person: String,
        #[arg(long)]
        role: String,
    },
    Revoke {
        person: String,
        #[arg(long)]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeprecationCommand {
    /// Every spoke's checklist, or one system's.
    Show { system: Option<String> },
    /// The records behind an item: only_here, sources_rerouted or no_writes.
    Records {
        system: String,
        #[arg(long)]
        item: String,
    },
    /// Export the records only this system holds (every cached field) for migration.
    ExportOnlyHere {
        system: String,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Export every cached record as the system's archive (recorded on the checklist).
    Archive {
        system: String,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// How many days the system must have been quiet (default 30).
    QuietDays { system: String, days: u32 },
    /// Move the lifecycle: active, deprecating, deprecated (admins only).
    Move {
        system: String,
        #[arg(long)]
        to: String,
        /// The day the decision took effect (default: now), e.g. 2026-01-31.
        #[arg(long)]
        since: Option<String>,
        /// Overrides an incomplete checklist; required to move back.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// The probes and their last runs.
    List,
    /// Define a probe between a spoke and the hub.
    Add {
        name: String,
        #[arg(long)]
        spoke: String,
        #[arg(long, default_value = "email")]
        match_key: String,
        #[arg(long, default_value = "lead_status")]
        status_field: String,
        /// Canonical statuses sent hub → spoke, comma-separated, in order.
        #[arg(long, value_delimiter = ',', required = true)]
        statuses: Vec<String>,
        /// Target latency per leg, seconds.
        #[arg(long)]
        target: f64,
        /// How long each leg may take before it counts as lost, seconds.
        #[arg(long)]
        timeout: f64,
        /// Run every N minutes while the app is open (and with `probe run --due`).
        #[arg(long)]
        every: Option<u32>,
    },
    Remove {
        name: String,
    },
    /// Run probes now: the named ones, or with --due those whose schedule says so (cron).
    Run {
        names: Vec<String>,
        #[arg(long, conflicts_with = "names")]
        due: bool,
    },
    /// A probe's runs, newest first.
    History {
        name: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Score this quarter's four SSOT requirements and store them.
    Run,
    /// The stored scores, the newest of each quarter (the trend).
    Show,
    /// Write the audit pack (HTML report + CSVs) into a folder.
    Export {
        #[arg(long)]
        out: std::path::PathBuf,
        /// A quarter like 2026-Q4 (default: the newest scored).
        #[arg(long)]
        quarter: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MergeCommand {
    /// Build proposals from the newest duplicate clusters (two or more hub records each).
    Propose,
    /// The proposals, strongest first.
    Queue {
        /// Only this state: pending, approved, rejected, executing, done, failed.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// One proposal: members, golden record (value, source, rule per field),
    /// associations, journal and backups.
    Show { id: i64 },
    /// Approve proposals as you (the two-person rule may ask for a second person).
    Approve {
        #[arg(required_unless_present = "min_score")]
        ids: Vec<i64>,
        /// Every pending proposal scoring at least this (0–1).
        #[arg(long, conflicts_with = "ids")]
        min_score: Option<f64>,
    },
    /// Reject a proposal: its records are not duplicates, and the pair never returns.
    Reject {
        id: i64,
        #[arg(long)]
        why: String,
    },
    /// Set the surviving value of one canonical field (withdraws earlier approvals).
    Set {
        id: i64,
        /// The canonical field (first_name, lead_status …).
        #[arg(long)]
        field: String,
        #[arg(long, required_unless_present = "clear")]
        value: Option<String>,
        /// Drop an earlier override: the rules choose again.
        #[arg(long, conflicts_with = "value")]
        clear: bool,
        #[arg(long)]
        why: String,
    },
    /// Merge approved proposals in the CRM (interrupted ones are finished first).
    Execute {
        /// Only these approved proposals.
        ids: Vec<i64>,
        /// At most this many proposals.
        #[arg(long)]
        limit: Option<u32>,
        /// Confirms: CRM merges cannot be undone (the backups can recreate a record).
        #[arg(long)]
        yes: bool,
    },
    /// Every pre-merge backup.
    Backups,
    /// Recreate a merged-away record from its backup (a new id; associations re-attached).
    Restore {
        /// The backup's id (`steward merge backups`).
        id: i64,
        #[arg(long)]
        why: String,
        #[arg(long)]
        yes: bool,
    },
    /// Show or change the two-person rule.
    Policy {
        /// Clusters of this many hub records or more need two approvers (0: never).
        #[arg(long, requires = "why")]
        min_size: Option<u32>,
        /// Scores below this need two approvers (0: never).
        #[arg(long, requires = "why")]
        below_score: Option<f64>,
        #[arg(long)]
        why: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Show the last run's findings instead of measuring again.
    #[arg(long)]
    pub last: bool,
    /// Only findings of this kind (stale, divergent, conflicting_write, mismatch,
    /// missing_in_hub, orphan, erasure_not_propagated, count_mismatch).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only findings in this system.
    #[arg(long)]
    pub system: Option<String>,
    /// Only findings on this canonical field.
    #[arg(long)]
    pub field: Option<String>,
    /// At most this many findings (default: all with --json, 40 otherwise).
    #[arg(long)]
    pub limit: Option<u64>,
    /// Write these findings' fixes (their seq numbers, comma-separated, from drift run
    /// --run) into the systems that should change; needs --yes. Never measures again first.
    #[arg(long, value_delimiter = ',', value_name = "SEQ,…", conflicts_with_all = ["revert", "fixes"])]
    pub apply: Vec<i64>,
    /// The drift run the --apply seqs are from (printed with the findings): seqs restart
    /// with every run, and drift runs again after each sync.
    #[arg(long, value_name = "RUN", requires = "apply")]
    pub run: Option<i64>,
    /// Every value fix of the last run that the filters select.
    #[arg(long, conflicts_with = "apply")]
    pub apply_all: bool,
    /// Confirms --apply / --apply-all / --revert: they write to live systems.
    #[arg(long)]
    pub yes: bool,
    /// Put back the value an applied fix (its journal id) replaced.
    #[arg(long, value_name = "ID")]
    pub revert: Option<i64>,
    /// The fix journal, newest first.
    #[arg(long)]
    pub fixes: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The rules in force, the mapping (with suggestions), the status model and its unmapped
    /// values, segments and the history of changes.
    Show,
    /// Write the rules as TOML (to stdout without --out).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Replace the rules with a TOML file.
    Import {
        file: PathBuf,
        #[arg(long)]
        why: String,
    },
    /// Suggest a canonical field for each unmapped system field; --accept confirms them all.
    Suggest {
        #[arg(long)]
        accept: bool,
        #[arg(long, required_if_eq("accept", "true"))]
        why: Option<String>,
    },
    /// Set who owns a canonical field (OBJECT.FIELD, e.g. person.job_title).
    Authority {
        field: String,
        /// `hub` or a system's name.
        #[arg(long)]
        system: String,
        /// authority_wins, last_touch, earliest_touch or manual.
        #[arg(long)]
        policy: String,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        why: String,
    },
    /// Map a system's field onto a canonical field (or --unmap it).
    Map {
        system: String,
        object: String,
        system_field: String,
        field: Option<String>,
        #[arg(long, conflicts_with = "field")]
        unmap: bool,
        #[arg(long)]
        why: String,
    },
    /// Map one of a system's status values onto a canonical value (OBJECT.FIELD, e.g.
    /// person.lead_status), or --unmap it.
    Status {
        field: String,
        system: String,
        value: String,
        canonical: Option<String>,
        #[arg(long, conflicts_with = "canonical")]
        unmap: bool,
        #[arg(long)]
        why: String,
    },
    /// Define a segment in canonical terms, counted in every system that carries its fields.
    Segment {
        name: String,
        #[arg(long)]
        object: String,
        /// FIELD=VALUE[,VALUE…]; repeat for more conditions.
        #[arg(long = "where", value_name = "FIELD=VALUES", required = true)]
        conditions: Vec<String>,
        #[arg(long)]
        why: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ErasureCommand {
    /// Record a request: search every system, purge the person from the workspace.
    Request {
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Confirms a match by address or number; never used alone.
        #[arg(long)]
        name: Option<String>,
        /// The ticket or case the request came in as.
        #[arg(long)]
        reference: String,
        #[arg(long, value_name = "DAYS")]
        deadline_days: Option<u32>,
        /// Show what would be found and purged per system, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Re-check open requests (or one) against the syncs since.
    Check { id: Option<i64> },
    /// Every request with its checklist.
    List,
}

#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Show the last run's clusters instead of matching again.
    #[arg(long)]
    pub last: bool,
}

#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// CSV with a header and an `id` column (see CLI.md for the recognised columns).
    #[arg(long, value_name = "FILE.csv")]
    pub input: PathBuf,
    /// Where to write `id,cluster_id,score`.
    #[arg(long, value_name = "CLUSTERS.csv")]
    pub out: PathBuf,
    /// Extra columns, comparisons, blocking keys and the threshold (TOML).
    #[arg(long, value_name = "RULES.toml")]
    pub rules: Option<PathBuf>,
    /// The match probability a link needs (default 0.5, or the rules file's).
    #[arg(long, value_name = "X")]
    pub threshold: Option<f64>,
    /// For benchmarks: score the clusters against `id,entity` (pairwise precision, recall,
    /// F1, and blocking recall) and add the scores to the summary.
    #[arg(long, value_name = "TRUTH.csv")]
    pub truth: Option<PathBuf>,
    /// Explain a pair: each comparison's level and weight, and the probability (repeatable).
    #[arg(long, value_name = "ID,ID")]
    pub explain: Vec<String>,
    /// Write the learnt model (levels, m and u per class, shares) as JSON.
    #[arg(long, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Full and incremental sync of the sandbox CRM at the Pro rate tier.
    Sync(BenchSyncArgs),
    /// Approved merges executed against the sandbox CRM at the Pro rate tier: merges per
    /// second and the share of the rate-limit ceiling used, from the sandbox's own counts.
    Merge(BenchMergeArgs),
    /// Write the matching benchmark's leads (`leads.csv`) and their ground truth
    /// (`truth.csv`), and print a JSON summary of what was seeded.
    Leads(BenchLeadsArgs),
    /// Drift over a generated hub and spokes with planted drift: seconds per stage, peak
    /// memory, and every planted kind against what drift found.
    Drift(BenchDriftArgs),
}

#[derive(Debug, Args)]
pub struct BenchDriftArgs {
    /// People in the hub (which also holds a tenth as many companies).
    #[arg(long, default_value_t = 100_000)]
    pub hub: usize,
    /// Spokes, each with a quarter as many people as the hub: a marketing platform, a
    /// customer portal (with accounts), an events sheet and an SDR sheet, in that order.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub spokes: u8,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where the generated workspace is kept, and reused while generated with the same
    /// parameters.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Measure only: the workspace in DIR must be ready (the generating run sets this for
    /// the fresh process it measures in).
    #[arg(long, hide = true)]
    pub measure_only: bool,
}

#[derive(Debug, Args)]
pub struct BenchLeadsArgs {
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Records to write (people with duplicates included).
    #[arg(long, default_value_t = 100_000)]
    pub size: usize,
    /// The directory to write leads.csv and truth.csv into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchMergeArgs {
    /// Merge calls to execute (whole proposals are taken until this many).
    #[arg(long, default_value_t = 10_000)]
    pub merges: usize,
    /// The sandbox company's own contacts (the generated pairs come on top).
    #[arg(long, default_value_t = 2_000)]
    pub size: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchSyncArgs {
    #[arg(long, default_value_t = 100_000)]
    pub size: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// A system to sync (repeatable); every system when none is given.
    #[arg(long = "system", value_name = "NAME")]
    pub systems: Vec<String>,
    /// Read everything, and drop cached records the system no longer has.
    #[arg(long, conflicts_with = "incremental")]
    pub full: bool,
    /// Read only what changed since the last complete sync.
    #[arg(long)]
    pub incremental: bool,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Also write the inventory as CSV (one row per system, object and field).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 2_000)]
    pub size: usize,
    /// The sandbox CRM's port (the MAP takes the next): fixed, so the demo workspace's
    /// connections stay valid from one run to the next.
    #[arg(long, default_value_t = 47_300)]
    pub port: u16,
    /// Keep serving and print the sandbox's JSON line instead of opening the app.
    #[arg(long)]
    pub no_ui: bool,
    /// Define the write-back probe but do not run it (a run takes about 20 s).
    #[arg(long)]
    pub skip_probe_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox on 127.0.0.1, print one JSON line with each system's base URL and
    /// token once ready, write the ground-truth manifest, and run until stopped.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Same seed, same data and manifest, byte for byte.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of CRM contacts, duplicates included.
    #[arg(long, default_value_t = 2_000)]
    pub size: usize,
    /// Port of the CRM; the MAP takes the next one (0: any free ports).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Where to write the manifest (JSON).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Folder for the file spokes (events CSV, SDR XLSX, portal database); default: a
    /// folder per seed in the system's temporary directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// How long the CRM↔MAP bridge waits before carrying a change, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    pub bridge_lag_ms: u64,
    /// Percent of requests answered 429 (in each system's dialect).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fault_429: u8,
    /// Percent of requests answered 502.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fault_5xx: u8,
    /// Percent of requests answered slowly (by --slow-ms).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fault_slow: u8,
    #[arg(long, default_value_t = 2_000)]
    pub slow_ms: u64,
    /// Percent of requests whose connection drops mid-answer.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fault_drop: u8,
    /// Percent of requests carried out whose answer is then lost (the client cannot tell
    /// whether a write happened).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub fault_lost_reply: u8,
    /// The CRM's rate limit: starter (100 per 10 s) or pro (190 per 10 s).
    #[arg(long, default_value = "starter", value_parser = parse_enum::<steward_sandbox::hubspot::rate_limit::Tier>)]
    pub rate_tier: steward_sandbox::hubspot::rate_limit::Tier,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a new, empty workspace.
    Init,
    /// Show where the workspace is and who acts in it.
    Info,
}

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Register a system. Its token, if any, is read once from an environment variable and
    /// stored in the OS keychain.
    Add(AddArgs),
    /// List the systems, the hub first.
    List,
    /// Store or replace a system's token or password in the OS keychain.
    Credential {
        /// The system's name (any case).
        name: String,
        /// Name of the environment variable that holds the secret.
        #[arg(long, value_name = "VAR")]
        token_env: String,
    },
    /// Remove a system, its cached records and its keychain entry.
    Remove {
        /// The system's name (any case).
        name: String,
    },
    /// Replace a system's connector settings with a TOML file's.
    Configure {
        /// The system's name (any case).
        name: String,
        #[arg(long, value_name = "FILE")]
        config: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A display name, unique in the workspace.
    pub name: String,
    #[arg(long, value_parser = parse_enum::<SystemKind>)]
    pub kind: SystemKind,
    #[arg(long, value_parser = parse_enum::<Role>)]
    pub role: Role,
    /// How records get in (default: imported for files, automated otherwise).
    #[arg(long, value_parser = parse_enum::<Population>)]
    pub population: Option<Population>,
    /// Who answers for this system.
    #[arg(long)]
    pub owner: Option<String>,
    /// A team that depends on this system (repeat for several).
    #[arg(long = "team", value_name = "TEAM")]
    pub teams: Vec<String>,
    /// API base URL (HubSpot, Salesforce, MAP, REST) or postgres:// server URL (no password).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// File path (CSV, XLSX, SQLite).
    #[arg(long, value_name = "FILE")]
    pub path: Option<String>,
    /// Name of an environment variable holding the token or password; it is stored in the OS
    /// keychain and never written anywhere else.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Connector settings as TOML (required for sqlite, postgres and rest systems).
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditLogCommand {
    /// Check the hash chain; exits 1 and names the first bad entry if it was tampered with.
    Verify,
    /// Show entries, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Show entries older than this sequence number.
        #[arg(long)]
        before: Option<i64>,
    },
}

fn parse_enum<T: std::str::FromStr<Err = String>>(text: &str) -> Result<T, String> {
    text.parse()
}
