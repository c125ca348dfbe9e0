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

export type ErrorCode = "invalid_input" | "not_found" | "conflict" | "workspace_unusable" | "keychain_unavailable" | "io" | "internal";

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
population: Population | null, owner: string | null, dependentTeams: Array<string>, baseUrl: string | null, path: string | null, };

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
