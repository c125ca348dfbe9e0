// Generated from crates/app by `UPDATE_BINDINGS=1 cargo test -p steward-app --test bindings`.
// Do not edit by hand: a test fails when this file is stale.

export type SystemKind = "hubspot" | "salesforce" | "marketing" | "csv" | "xlsx" | "sqlite" | "postgres" | "rest";

export const SYSTEM_KINDS: readonly SystemKind[] = ["hubspot", "salesforce", "marketing", "csv", "xlsx", "sqlite", "postgres", "rest"];

export type Role = "hub" | "spoke";

export const ROLES: readonly Role[] = ["hub", "spoke"];

export type Lifecycle = "active" | "deprecating" | "deprecated";

export const LIFECYCLES: readonly Lifecycle[] = ["active", "deprecating", "deprecated"];

export type Population = "manual" | "automated" | "imported";

export const POPULATIONS: readonly Population[] = ["manual", "automated", "imported"];

export type KindInfo = { transport: "http" | "file" | "database", credential: "none" | "access_token" | "api_token" | "database_password", canBeHub: boolean };

export const KIND_INFO: Record<SystemKind, KindInfo> = {
  hubspot: { transport: "http", credential: "access_token", canBeHub: true },
  salesforce: { transport: "http", credential: "access_token", canBeHub: true },
  marketing: { transport: "http", credential: "api_token", canBeHub: false },
  csv: { transport: "file", credential: "none", canBeHub: false },
  xlsx: { transport: "file", credential: "none", canBeHub: false },
  sqlite: { transport: "file", credential: "none", canBeHub: false },
  postgres: { transport: "database", credential: "database_password", canBeHub: false },
  rest: { transport: "http", credential: "api_token", canBeHub: true },
};

export type ErrorCode = "invalid_input" | "not_found" | "conflict" | "workspace_unusable" | "keychain_unavailable" | "io" | "external_system" | "cancelled" | "internal";

export type AppError = { code: ErrorCode, message: string, };

export type WorkspaceInfo = { path: string, id: string, schemaVersion: number, actor: string, };

export type CredentialState = "not_needed" | "stored" | "missing" | "unknown";

export type SystemView = { id: number, name: string, kind: SystemKind, role: Role, lifecycle: Lifecycle, population: Population, owner: string | null, dependentTeams: Array<string>, baseUrl: string | null, path: string | null, credential: CredentialState, 
/**
 * Records of this system cached in the workspace.
 */
cachedRecords: number, };

export type AddSystemRequest = { name: string, kind: SystemKind, role: Role, 
/**
 * Defaults by kind: files are imported, APIs and databases are fed automatically.
 */
population: Population | null, owner: string | null, dependentTeams: Array<string>, baseUrl: string | null, path: string | null, 
/**
 * A TOML file of connector settings (required for SQL and REST systems: what to read).
 */
configPath: string | null, };

export type RemoveReport = { name: string, cachedRecordsRemoved: number, credentialRemoved: boolean, 
/**
 * Set when the system is gone but its keychain entry could not be removed.
 */
warning: string | null, };

export type AuditEntryView = { seq: number, 
/**
 * RFC 3339, UTC.
 */
at: string, actor: string, action: string, subject: string, details: Record<string, unknown>, hash: string, };

export type AuditPage = { entries: Array<AuditEntryView>, 
/**
 * Entries in the whole log.
 */
total: number, 
/**
 * Pass as `before` for the next (older) page; `null` at the start of the log.
 */
nextBefore: number | null, };

export type AuditVerification = { intact: boolean, 
/**
 * Entries that passed (all of them when intact; those before the break otherwise).
 */
entries: number, 
/**
 * The newest entry's hash: note it down elsewhere to detect a log cut short later.
 */
headHash: string | null, 
/**
 * The first entry that does not hold, and why.
 */
brokenAt: number | null, reason: string | null, checkedAt: string, };

export type SyncChoice = "auto" | "full" | "incremental";

export type SyncProgress = { system: string, object: string, done: number, total: number | null, failed: number, perSecond: number, etaSeconds: number | null, apiCalls: number, };

export type ProblemView = { object: string, locator: string, field: string | null, reason: string, recordKept: boolean, };

export type SyncReport = { system: string, runId: number, mode: string, 
/**
 * succeeded | partial | failed | cancelled
 */
status: string, resumed: boolean, recordsRead: number, recordsFailed: number, 
/**
 * Cached records the system no longer has (a full sync removes them).
 */
recordsRemoved: number, apiCalls: number, seconds: number, 
/**
 * Links to the hub by shared id, across the workspace, after this sync.
 */
crosswalkLinks: number, 
/**
 * Every problem the run recorded.
 */
problemCount: number, 
/**
 * The first problems found (all are kept with the run).
 */
problems: Array<ProblemView>, error: string | null, 
/**
 * Whether the error came from the outside system (exit code 3) rather than input.
 */
externalFailure: boolean, };

export type FieldInventory = { name: string, label: string, valueType: string, readOnly: boolean, filled: number, 
/**
 * Share of live records holding a value (0–1).
 */
fillRate: number, };

export type ObjectInventory = { object: string, records: number, archived: number, fields: Array<FieldInventory>, 
/**
 * How often records change, over the 90 days up to the newest change seen.
 */
cadence: string, changedLast7Days: number, changedLast30Days: number, changedLast90Days: number, newestChange: string | null, oldestChange: string | null, };

export type SyncView = { id: number, mode: string, status: string, startedAt: string, finishedAt: string | null, recordsRead: number, recordsFailed: number, recordsExpected: number | null, apiCalls: number, error: string | null, 
/**
 * Every problem the run recorded.
 */
problemCount: number, 
/**
 * The first of them (up to 200).
 */
problems: Array<ProblemView>, };

export type SystemInventory = { id: number, name: string, kind: string, role: string, lifecycle: string, population: string, owner: string | null, dependentTeams: Array<string>, objects: Array<ObjectInventory>, 
/**
 * Records linked to a record of another system (by shared id so far).
 */
linkedRecords: number, lastSync: SyncView | null, };

export type InventoryView = { systems: Array<SystemInventory>, };

export type DuplicatesProgress = { 
/**
 * normalising, blocking, comparing, learning, clustering, saving
 */
stage: string, done: number, total: number, };

export type MatchRunView = { id: number, finishedAt: string, records: number, pairsCompared: number, threshold: number, seconds: number, 
/**
 * Clusters of two or more records.
 */
clusters: number, 
/**
 * Records in those clusters.
 */
duplicateRecords: number, };

export type ClusterSummary = { cluster: number, 
/**
 * The weakest link's match probability.
 */
score: number, size: number, systems: Array<string>, 
/**
 * The first member's name (or address), for the list.
 */
label: string, };

export type DuplicatesView = { run: MatchRunView | null, 
/**
 * Strongest first.
 */
clusters: Array<ClusterSummary>, };

export type MemberValue = { 
/**
 * The engine's column (`first_name`, `email` …): what evidence names.
 */
column: string, 
/**
 * The system's own field it came from.
 */
field: string, value: string, };

export type MemberView = { recordId: number, system: string, externalId: string, values: Array<MemberValue>, };

export type EvidenceView = { comparison: string, 
/**
 * The engine columns this comparison reads (`company` also reads `domain`).
 */
columns: Array<string>, level: string, 
/**
 * log2 likelihood ratio: + says "same person", − says "different people".
 */
bits: number, };

export type LinkView = { left: number, right: number, probability: number, 
/**
 * The likeliest kind of different people for this pair ("colleagues", "namesakes" …):
 * the evidence is weighed against it.
 */
alternative: string, 
/**
 * log2 of the odds before any comparison: prior + Σ evidence bits gives `probability`.
 */
priorBits: number, evidence: Array<EvidenceView>, };

export type ClusterDetail = { cluster: ClusterSummary, members: Array<MemberView>, 
/**
 * Strongest first.
 */
links: Array<LinkView>, };
