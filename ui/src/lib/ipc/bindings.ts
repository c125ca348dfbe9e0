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

export type DriftKind = "stale" | "divergent" | "conflicting_write" | "mismatch" | "missing_in_hub" | "orphan" | "erasure_not_propagated" | "count_mismatch";

export const DRIFT_KINDS: readonly DriftKind[] = ["stale", "divergent", "conflicting_write", "mismatch", "missing_in_hub", "orphan", "erasure_not_propagated", "count_mismatch"];

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

export type ErrorCode = "invalid_input" | "not_found" | "conflict" | "forbidden" | "workspace_unusable" | "keychain_unavailable" | "io" | "external_system" | "cancelled" | "internal";

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

export type DriftProgress = { 
/**
 * reading, linking, comparing, saving
 */
stage: string, done: number, total: number, };

export type DriftRunView = { id: number, finishedAt: string, rulesVersion: number, records: number, 
/**
 * Spoke records linked to a hub record.
 */
linked: number, findings: number, seconds: number, };

export type KindTotal = { kind: string, system: string, count: number, };

export type KindCount = { kind: string, count: number, };

export type TrendPoint = { runId: number, at: string, 
/**
 * Per kind, summed over systems.
 */
counts: Array<KindCount>, };

export type SegmentCountView = { segment: string, system: string, hub: boolean, count: number, };

export type DriftOverview = { run: DriftRunView | null, totals: Array<KindTotal>, 
/**
 * Oldest first.
 */
trend: Array<TrendPoint>, segments: Array<SegmentCountView>, };

export type FindingQuery = { kind: string | null, system: string | null, field: string | null, offset: number, limit: number, };

export type FixView = { 
/**
 * write, delete_copy, create_in_hub, decide
 */
action: string, system: string, externalId: string, field: string | null, 
/**
 * The value to write (read from the authority's record now).
 */
value: string | null, description: string, };

export type FindingView = { seq: number, kind: string, system: string, object: string, externalId: string, hubExternalId: string | null, 
/**
 * The canonical field.
 */
field: string | null, systemField: string | null, hubField: string | null, 
/**
 * The copy's value, the hub's, and the earlier authority value (stale: what the copy
 * still holds; conflicting write: what was overwritten). Read from the cache now.
 */
value: string | null, hubValue: string | null, earlierValue: string | null, segment: string | null, 
/**
 * A code for the exact reason (earlier_authority_value, hub_archived …).
 */
reason: string, rule: string | null, 
/**
 * How the copy was linked to its hub record (shared_id, email, match …).
 */
link: string | null, authorityChangedAt: string | null, authoritySource: string | null, copyChangedAt: string | null, 
/**
 * Count mismatch: the hub's count and this system's.
 */
counts: Array<number> | null, fix: FixView | null, };

export type FindingPage = { total: number, rows: Array<FindingView>, };

export type AuthorityRuleView = { object: string, field: string, label: string, category: string, valueKind: string, 
/**
 * `hub` or a system's name.
 */
system: string, policy: string, };

export type MappingView = { system: string, object: string, systemField: string, 
/**
 * The canonical field; empty when the field is not mapped.
 */
field: string, 
/**
 * A suggestion for an unmapped field, with why.
 */
suggested: string | null, reason: string | null, };

export type StatusValueView = { value: string, 
/**
 * Records holding it.
 */
count: number, 
/**
 * The canonical value it maps to; `None` when unmapped (flagged, not compared).
 */
canonical: string | null, };

export type StatusSystemView = { system: string, systemField: string, values: Array<StatusValueView>, unmapped: number, };

export type StatusModelView = { object: string, field: string, values: Array<string>, systems: Array<StatusSystemView>, };

export type SegmentConditionView = { field: string, values: Array<string>, };

export type SegmentDefinitionView = { name: string, object: string, conditions: Array<SegmentConditionView>, };

export type RuleVersionView = { version: number, at: string, actor: string, why: string, 
/**
 * What this version changed from the one before.
 */
changes: Array<string>, };

export type RulesView = { 
/**
 * `None` until a rule set is saved (the defaults are shown).
 */
version: number | null, authority: Array<AuthorityRuleView>, mapping: Array<MappingView>, status: Array<StatusModelView>, segments: Array<SegmentDefinitionView>, integrationSources: Array<string>, 
/**
 * What makes the set unusable (a system it names was removed …).
 */
problems: Array<string>, 
/**
 * Newest first.
 */
history: Array<RuleVersionView>, 
/**
 * Registered systems' names, for the authority choice.
 */
systems: Array<string>, };

export type MappingSuggestion = { system: string, object: string, systemField: string, field: string, reason: string, };

export type ErasureInput = { email: string | null, phone: string | null, name: string | null, 
/**
 * The ticket or case this request came in as (e.g. "DSR-2041").
 */
reference: string, deadlineDays: number | null, };

export type ErasureSystemView = { system: string, 
/**
 * not_found, deleted, still_present, not_checked
 */
status: string, checkedAt: string, 
/**
 * The records that still hold the person (ids in that system).
 */
records: Array<string>, 
/**
 * Which identifiers matched (email, phone), never their values.
 */
matched: Array<string>, 
/**
 * Records holding the address or number under another name: left alone.
 */
otherName: number, 
/**
 * What the status rests on ("cache as of the full sync of …").
 */
basis: string, };

export type ErasureView = { id: number, reference: string, 
/**
 * The identifiers, masked.
 */
label: string, requestedAt: string, requestedBy: string, deadlineAt: string, overdue: boolean, completedAt: string | null, 
/**
 * Records purged from Steward's own workspace.
 */
purged: number, systems: Array<ErasureSystemView>, };

export type ErasurePreview = { system: string, 
/**
 * Records that would be purged from the workspace (and are still in the system).
 */
records: number, 
/**
 * Which identifiers matched (email, phone, name).
 */
matched: Array<string>, 
/**
 * Records holding the address or number under another name: left alone.
 */
otherName: number, };

export type FixRecordView = { id: number, at: string, actor: string, system: string, object: string, externalId: string, field: string, 
/**
 * The value the write replaced (what a revert puts back); `None` when the field was empty.
 */
before: string | null, after: string, 
/**
 * pending, applied, failed, skipped, reverted
 */
status: string, detail: string | null, };

export type FixReport = { applied: number, skipped: number, failed: number, rows: Array<FixRecordView>, };

export type FixProgress = { done: number, total: number, };

export type FixRequest = { runId: number, seqs: Array<number>, };

export type ProposalSummary = { id: number, 
/**
 * pending, approved, rejected, executing, done, failed
 */
state: string, score: number, 
/**
 * Hub records to fold into one.
 */
size: number, survivor: string, 
/**
 * The survivor's name or address, for the list.
 */
label: string, 
/**
 * Systems holding a copy of the person besides the hub.
 */
copies: Array<string>, approvals: Array<string>, 
/**
 * Why a second approver is needed (`None`: one is enough).
 */
secondReason: string | null, detail: string | null, decidedBy: string | null, updatedAt: string, };

export type MergePolicyView = { 
/**
 * Hub records in a cluster from which two approvers are needed (0: never by size).
 */
minSize: number, 
/**
 * Scores below this need two approvers (0: never).
 */
belowScore: number, };

export type QueueView = { 
/**
 * Proposals per state.
 */
counts: { [key in string]: number }, proposals: Array<ProposalSummary>, 
/**
 * Proposals matching the filter (for paging).
 */
total: number, policy: MergePolicyView, 
/**
 * The hub's name, and whether its connector can merge.
 */
hub: string | null, canMerge: boolean, };

export type QueueQuery = { 
/**
 * One state, or all.
 */
state: string | null, limit: number | null, offset: number | null, };

export type MergeMemberView = { system: string, externalId: string, 
/**
 * survivor, absorbed, copy
 */
role: string, 
/**
 * Still in the cache (a merged-away record leaves it).
 */
cached: boolean, createdAt: string | null, label: string, };

export type MergeAssociationView = { object: string, externalId: string, label: string, 
/**
 * The hub records that hold it now.
 */
heldBy: Array<string>, };

export type MergeStepView = { seq: number, 
/**
 * merge, values, repoint
 */
kind: string, survivor: string, absorbed: Array<string>, 
/**
 * planned, sent, confirmed, failed
 */
state: string, detail: string | null, sentAt: string | null, confirmedAt: string | null, };

export type MergeBackupView = { id: number, proposalId: number, externalId: string, takenAt: string, 
/**
 * Properties held (values are in the backup, not shown in lists).
 */
properties: number, associations: number, restoredAs: string | null, restoredAt: string | null, restoredBy: string | null, };

export type GoldenCandidate = { system: string, externalId: string, value: string, at: string | null, chosen: boolean, };

export type GoldenField = { key: string, label: string, category: string, policy: string, 
/**
 * `hub` or a system's name.
 */
authority: string, 
/**
 * The hub's property the value goes into.
 */
hubField: string, 
/**
 * The surviving value as the hub will hold it (`None`: empty).
 */
value: string | null, 
/**
 * Where it comes from.
 */
sourceSystem: string | null, sourceRecord: string | null, 
/**
 * authority, last_touch, earliest_touch, survivor, only_value, override
 */
rule: string, 
/**
 * A person should decide (a manual policy, or copies disagree and the authority has
 * no value).
 */
needsReview: boolean, 
/**
 * Written into the survivor after the merge (it differs from what the survivor holds).
 */
written: boolean, 
/**
 * Why a chosen value is not written, when it is not.
 */
note: string | null, overrideReason: string | null, overrideBy: string | null, candidates: Array<GoldenCandidate>, };

export type ProposalDetail = { summary: ProposalSummary, members: Array<MergeMemberView>, golden: Array<GoldenField>, associations: Array<MergeAssociationView>, steps: Array<MergeStepView>, backups: Array<MergeBackupView>, 
/**
 * Fields a person should decide before approving.
 */
openDecisions: Array<string>, };

export type ProposeReport = { created: number, 
/**
 * Untouched pending proposals whose cluster no longer exists.
 */
withdrawn: number, 
/**
 * Clusters left alone: their records are already in a proposal.
 */
alreadyQueued: number, 
/**
 * Records kept apart because a reviewer said "not a duplicate".
 */
keptApart: number, 
/**
 * Clusters with fewer than two hub records (nothing to merge in the CRM).
 */
noMerge: number, };

export type DecisionReport = { approved: Array<number>, 
/**
 * Approved by this person, waiting for a second approver.
 */
awaitingSecond: Array<number>, rejected: Array<number>, 
/**
 * Proposal id and why it was not changed.
 */
refused: Array<[number, string]>, };

export type ApproveRequest = { ids: Array<number>, minScore: number | null, };

export type ExecuteRequest = { 
/**
 * These approved proposals (empty: every approved one).
 */
ids: Array<number>, 
/**
 * At most this many proposals (interrupted ones are always finished first).
 */
limit: number | null, };

export type MergeProgress = { 
/**
 * backing_up, merging, writing, done
 */
stage: string, 
/**
 * Merge calls confirmed.
 */
done: number, total: number, };

export type ExecuteReport = { proposalsDone: number, 
/**
 * Merge calls confirmed in this run.
 */
merges: number, 
/**
 * Steps an earlier, interrupted run had sent, settled by asking the CRM (confirmed if
 * it had merged them, sent again if not).
 */
settledAfterCrash: number, 
/**
 * Proposal id and why it failed (after a merge call) or was refused (before any).
 */
failed: Array<[number, string]>, 
/**
 * Sent back to pending: the records changed in the CRM since they were reviewed.
 */
backToPending: Array<[number, string]>, 
/**
 * Approved when the run began, then rejected, edited or withdrawn: not merged.
 */
skipped: Array<[number, string]>, cancelled: boolean, 
/**
 * Proposals a cancelled run gave back to the approved queue (nothing was sent for them).
 */
released: number, apiCalls: number, seconds: number, };

export type RestoreReport = { backupId: number, proposalId: number, oldId: string, newId: string, 
/**
 * Properties not restored, and why (a unique address the survivor now holds).
 */
leftOut: Array<string>, associations: number, };

export type RoleView = { actor: string, role: "owner" | "ops" | "admin", label: string, grantedAt: string, grantedBy: string, };

export type PermissionView = { action: string, roles: Array<string>, 
/**
 * Whether the person using the app may do it now.
 */
allowed: boolean, };

export type GovernanceView = { 
/**
 * False until an admin is named: then anyone holding the workspace may act.
 */
governed: boolean, ssotOwner: string | null, actor: string, myRoles: Array<string>, roles: Array<RoleView>, permissions: Array<PermissionView>, };

export type SignOffView = { actor: string, note: string, at: string, };

export type ChecklistItemView = { key: string, label: string, 
/**
 * automatic | manual
 */
kind: string, 
/**
 * pass | fail | unknown
 */
verdict: string, evidence: string, signOff: SignOffView | null, satisfied: boolean, };

export type OnboardingView = { system: string, systemId: number, items: Array<ChecklistItemView>, done: number, total: number, };

export type AlertView = { id: number, 
/**
 * probe_failed | probe_slow | drift_magnet
 */
kind: string, subject: string, system: string | null, raisedAt: string, lastSeen: string, message: string, 
/**
 * What to do about it.
 */
nextStep: string, clearedAt: string | null, clearedBy: string | null, };

export type SignOffRequest = { system: string, 
/**
 * deprecation | onboarding
 */
checklist: string, item: string, note: string, };

export type DeprecationView = { system: string, systemId: number, lifecycle: Lifecycle, lifecycleSince: string | null, quietDays: number, items: Array<ChecklistItemView>, 
/**
 * Whether `deprecated` may be reached without an override reason.
 */
complete: boolean, };

export type RecordRefView = { externalId: string, object: string, createdAt: string | null, updatedAt: string | null, };

export type ExportReport = { path: string, records: number, sha256: string, };

export type ProbeRequest = { name: string, spoke: string, 
/**
 * Canonical field the test lead is found by in the hub (`email`).
 */
matchKey: string, 
/**
 * Canonical status field (`lead_status`).
 */
statusField: string, 
/**
 * Canonical statuses sent hub → spoke, in order.
 */
statusValues: Array<string>, targetSeconds: number, timeoutSeconds: number, everyMinutes: number | null, };

export type LegView = { 
/**
 * inbound | outbound
 */
leg: string, status: string | null, ms: number | null, arrived: boolean, withinTarget: boolean, detail: string | null, };

export type ProbeRunView = { id: number, probe: string, startedAt: string, finishedAt: string | null, actor: string, 
/**
 * running | passed | slow | failed | cancelled
 */
verdict: string, legs: Array<LegView>, error: string | null, 
/**
 * pending | done | failed: whether the test records are gone from both systems.
 */
cleanup: string, cleanupDetail: string | null, 
/**
 * The test lead's made-up address, to look for it in either system.
 */
tag: string, };

export type ProbeView = { id: number, name: string, spoke: string, hub: string, matchKey: string, statusField: string, statusValues: Array<string>, targetMs: number, timeoutMs: number, everyMinutes: number | null, lastRun: ProbeRunView | null, 
/**
 * When a scheduled probe is due next.
 */
nextDue: string | null, };

export type ProbeProgress = { probe: string, 
/**
 * creating | inbound | outbound | cleanup | done
 */
phase: string, leg: number, legs: number, };

export type PartView = { label: string, numerator: number, denominator: number, share: number | null, formula: string, };

export type RequirementView = { key: string, label: string, score: number | null, formula: string, parts: Array<PartView>, facts: Array<[string, string]>, };

export type AuditRunView = { id: number, quarter: string, at: string, actor: string, requirements: Array<RequirementView>, };

export type AuditOverview = { latest: AuditRunView | null, quarters: Array<AuditRunView>, runs: number, };
