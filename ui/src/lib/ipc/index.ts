// The only module that calls `invoke`: one typed function per backend command.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AddSystemRequest,
  AlertView,
  AppError,
  ApproveRequest,
  AuditOverview,
  AuditPage,
  AuditRunView,
  AuditVerification,
  ClusterDetail,
  DecisionReport,
  DeprecationView,
  DriftOverview,
  DriftProgress,
  DriftRunView,
  DuplicatesProgress,
  DuplicatesView,
  ErasureInput,
  ErasurePreview,
  ErasureView,
  ErrorCode,
  ExecuteReport,
  ExecuteRequest,
  ExportReport,
  FindingPage,
  FindingQuery,
  FixProgress,
  FixRecordView,
  FixReport,
  GovernanceView,
  InventoryView,
  MatchRunView,
  MergeBackupView,
  MergePolicyView,
  MergeProgress,
  OnboardingView,
  ProbeProgress,
  ProbeRequest,
  ProbeRunView,
  ProbeView,
  ProposalDetail,
  ProposeReport,
  QueueQuery,
  QueueView,
  RecordRefView,
  RemoveReport,
  RestoreReport,
  RulesView,
  SegmentConditionView,
  SignOffRequest,
  SyncChoice,
  SyncProgress,
  SyncReport,
  SystemView,
  WorkspaceInfo,
} from './bindings';

export * from './bindings';

/** One field's authority and conflict policy, as the Rules screen sets it. */
export type AuthorityChange = { object: string; field: string; system: string; policy: string };
/** A system field mapped onto a canonical field; `field: null` unmaps it. */
export type FieldMappingChange = { system: string; object: string; systemField: string; field: string | null };
/** A system's status value mapped onto a canonical value; `canonical: null` unmaps it. */
/** A segment defined (or replaced) in canonical terms. */
export type SegmentChange = { name: string; object: string; conditions: SegmentConditionView[] };

export type StatusMappingChange = {
  object: string;
  field: string;
  system: string;
  value: string;
  canonical: string | null;
};

const CODES: readonly ErrorCode[] = [
  'invalid_input',
  'not_found',
  'conflict',
  'forbidden',
  'workspace_unusable',
  'keychain_unavailable',
  'io',
  'external_system',
  'cancelled',
  'internal',
];

/** Whatever a command rejected with, as the backend's `{code, message}`. */
export function toAppError(raised: unknown): AppError {
  if (typeof raised === 'object' && raised !== null) {
    const { code, message } = raised as Partial<AppError>;
    if (typeof message === 'string' && CODES.includes(code as ErrorCode)) {
      return { code: code as ErrorCode, message };
    }
  }
  const message = raised instanceof Error ? raised.message : String(raised);
  return { code: 'internal', message };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raised) {
    throw toAppError(raised);
  }
}

export const ipc = {
  workspaceInfo: () => call<WorkspaceInfo>('workspace_info'),
  listSystems: () => call<SystemView[]>('list_systems'),
  /** The secret goes straight to the OS keychain; it is never stored anywhere else. */
  addSystem: (request: AddSystemRequest, secret: string | null) =>
    call<SystemView>('add_system', { request, secret }),
  removeSystem: (name: string) => call<RemoveReport>('remove_system', { name }),
  auditPage: (before: number | null, limit: number) =>
    call<AuditPage>('audit_page', { before, limit }),
  verifyAuditLog: () => call<AuditVerification>('verify_audit_log'),
  inventory: () => call<InventoryView>('inventory'),
  /** Writes exports/inventory.csv beside the workspace; resolves to its path. */
  exportInventoryCsv: () => call<string>('export_inventory_csv'),
  /** Syncs the systems one after another; progress arrives through `onSyncProgress`. */
  syncSystems: (names: string[], choice: SyncChoice) =>
    call<SyncReport[]>('sync_systems', { names, choice }),
  cancelSync: () => call<boolean>('cancel_sync'),
  onSyncProgress: (handler: (progress: SyncProgress) => void): Promise<UnlistenFn> =>
    listen<SyncProgress>('sync-progress', (event) => handler(event.payload)),
  /** The newest matching run and its clusters, strongest first. */
  duplicates: () => call<DuplicatesView>('duplicates'),
  /** One cluster's members (values read from the cache) and the evidence of each link. */
  duplicateCluster: (cluster: number) => call<ClusterDetail>('duplicate_cluster', { cluster }),
  /** Matches every cached person; progress arrives through `onDuplicatesProgress`. Rejects
   * with `conflict` while another run is under way, `cancelled` after `cancelDuplicates`. */
  findDuplicates: () => call<MatchRunView>('find_duplicates'),
  cancelDuplicates: () => call<boolean>('cancel_duplicates'),
  onDuplicatesProgress: (handler: (progress: DuplicatesProgress) => void): Promise<UnlistenFn> =>
    listen<DuplicatesProgress>('duplicates-progress', (event) => handler(event.payload)),
  /** The newest drift run, its totals by kind and system, the trend over runs and the segment counts. */
  driftOverview: () => call<DriftOverview>('drift_overview'),
  /** A page of the newest run's findings, with the values read from the cache now. */
  driftFindings: (query: FindingQuery) => call<FindingPage>('drift_findings', { query }),
  /** Measures drift over the whole cache; progress arrives through `onDriftProgress`. Rejects
   * with `conflict` while another run is under way, `cancelled` after `cancelDrift`. */
  runDrift: () => call<DriftRunView>('run_drift'),
  cancelDrift: () => call<boolean>('cancel_drift'),
  onDriftProgress: (handler: (progress: DriftProgress) => void): Promise<UnlistenFn> =>
    listen<DriftProgress>('drift-progress', (event) => handler(event.payload)),
  /** Writes the authority's value into each finding's copy, in the live systems; progress
   * arrives through `onFixProgress`. Every write is journaled first. `runId` is the drift run
   * the findings were listed from: seqs restart with every run, so the backend refuses
   * (`conflict`) findings a newer run has replaced. */
  applyFixes: (runId: number, seqs: number[]) => call<FixReport>('apply_fixes', { request: { runId, seqs } }),
  onFixProgress: (handler: (progress: FixProgress) => void): Promise<UnlistenFn> =>
    listen<FixProgress>('fix-progress', (event) => handler(event.payload)),
  /** The fix journal, newest first. */
  driftFixes: () => call<FixRecordView[]>('drift_fixes'),
  /** Puts back the value an applied fix replaced. */
  revertFix: (id: number) => call<FixRecordView>('revert_fix', { id }),
  /** The rule set in force (the defaults before the first save), its history and problems. */
  rules: () => call<RulesView>('rules'),
  /** The rule set in force as TOML, to review or keep beside the code. */
  exportRules: () => call<string>('export_rules'),
  /** Each change below saves a new version of the rules, audited with `why` (required), and
   * resolves to the version in force afterwards. */
  setAuthority: (change: AuthorityChange, why: string) =>
    call<number>('set_authority', { ...change, category: null, why }),
  mapField: (change: FieldMappingChange, why: string) => call<number>('map_field', { ...change, why }),
  mapStatus: (change: StatusMappingChange, why: string) => call<number>('map_status', { ...change, why }),
  acceptSuggestions: (why: string) => call<number>('accept_suggestions', { why }),
  setSegment: (change: SegmentChange, why: string) => call<number>('set_segment', { ...change, why }),
  /** Every erasure request with its checklist per system. */
  erasures: () => call<ErasureView[]>('erasures'),
  /** Files a request and purges the person from this workspace at once. */
  previewErasure: (input: ErasureInput) => call<ErasurePreview[]>('preview_erasure', { input }),
  requestErasure: (input: ErasureInput) => call<ErasureView>('request_erasure', { input }),
  /** Checks one request (or every open one, with `null`) against each system's cache again. */
  checkErasures: (id: number | null) => call<ErasureView[]>('check_erasures', { id }),
  /** A page of the merge queue (strongest first), the counts per state, the two-person rule
   * and whether the hub can merge. */
  mergeQueue: (query: QueueQuery) => call<QueueView>('merge_queue', { query }),
  /** One proposal: its members, the golden record (while it can still change), the journal
   * and the backups. */
  mergeProposal: (id: number) => call<ProposalDetail>('merge_proposal', { id }),
  /** Builds proposals from the newest duplicate run. */
  proposeMerges: () => call<ProposeReport>('propose_merges'),
  /** Approves `ids`, or (with `ids` empty) every pending proposal scoring at least `minScore`.
   * Under the two-person rule a first approval leaves the proposal pending (`awaitingSecond`). */
  approveMerges: (request: ApproveRequest) => call<DecisionReport>('approve_merges', { request }),
  /** Rejects a proposal: its records are remembered as "not a duplicate", with `why`. */
  rejectMerge: (id: number, why: string) => call<DecisionReport>('reject_merge', { id, why }),
  /** Sets a field's surviving value (`value: null` clears the override); withdraws approvals. */
  setMergeValue: (id: number, field: string, value: string | null, why: string) =>
    call<ProposalDetail>('set_merge_value', { id, field, value, why }),
  setMergePolicy: (policy: MergePolicyView, why: string) =>
    call<MergePolicyView>('set_merge_policy', { policy, why }),
  /** Merges approved proposals in the hub (`ids` empty: every approved one), backing every
   * record up first; progress arrives through `onMergeProgress`. Rejects with `conflict` while
   * another run is under way; a cancelled run resolves with `cancelled: true`. */
  executeMerges: (request: ExecuteRequest) => call<ExecuteReport>('execute_merges', { request }),
  cancelMerges: () => call<boolean>('cancel_merges'),
  onMergeProgress: (handler: (progress: MergeProgress) => void): Promise<UnlistenFn> =>
    listen<MergeProgress>('merge-progress', (event) => handler(event.payload)),
  /** Every pre-merge backup, newest last. */
  mergeBackups: () => call<MergeBackupView[]>('merge_backups'),
  /** Recreates a merged-away record from its backup, as a new record (new id) in the CRM. */
  restoreBackup: (id: number, why: string) => call<RestoreReport>('restore_backup', { id, why }),
  /** Who holds which role, what each role may do, and what the person using the app may. */
  governance: () => call<GovernanceView>('governance'),
  /** Roles: owner | ops | admin. Each resolves to the roles afterwards. */
  grantRole: (person: string, role: string) => call<GovernanceView>('grant_role', { person, role }),
  revokeRole: (person: string, role: string) => call<GovernanceView>('revoke_role', { person, role }),
  /** A system's onboarding checklist, automatic items judged now. */
  onboarding: (system: string) => call<OnboardingView>('onboarding', { system }),
  /** Signs off a manual item (or waives an automatic one) on a checklist, with a note. */
  signOff: (request: SignOffRequest) => call<void>('sign_off', { request }),
  withdrawSignOff: (system: string, checklist: string, item: string) =>
    call<void>('withdraw_sign_off', { system, checklist, item }),
  /** Alerts, newest first; `openOnly` leaves out the cleared ones. */
  alerts: (openOnly: boolean) => call<AlertView[]>('alerts', { openOnly }),
  clearAlert: (id: number) => call<void>('clear_alert', { id }),
  /** Every system's deprecation checklist and lifecycle. */
  deprecations: () => call<DeprecationView[]>('deprecations'),
  /** The records behind a checklist item (ids and dates only). */
  deprecationRecords: (system: string, item: string) =>
    call<RecordRefView[]>('deprecation_records', { system, item }),
  /** Writes the records only `system` holds to `path` (a relative path is taken from the
   * workspace's folder). */
  exportOnlyHere: (system: string, path: string) => call<ExportReport>('export_only_here', { system, path }),
  /** Writes all of `system`'s records to `path`, its archive before retirement. */
  exportArchive: (system: string, path: string) => call<ExportReport>('export_archive', { system, path }),
  setQuietDays: (system: string, days: number) => call<DeprecationView>('set_quiet_days', { system, days }),
  /** Moves a system to `to` (active | deprecating | deprecated); `since` backdates it (a day),
   * `reason` overrides an incomplete checklist and is required to go back. */
  moveLifecycle: (system: string, to: string, since: string | null, reason: string | null) =>
    call<DeprecationView>('move_lifecycle', { system, to, since, reason }),
  /** The write-back probes, each with its last run. */
  probes: () => call<ProbeView[]>('probes'),
  /** A probe's runs, newest first. */
  probeHistory: (name: string, limit: number) => call<ProbeRunView[]>('probe_history', { name, limit }),
  addProbe: (request: ProbeRequest) => call<ProbeView>('add_probe', { request }),
  removeProbe: (name: string) => call<void>('remove_probe', { name }),
  /** Runs a probe end to end; progress arrives through `onProbeProgress` (scheduled runs
   * report there too). Rejects with `conflict` while another probe runs; a cancelled run
   * resolves with verdict `cancelled`. */
  runProbe: (name: string) => call<ProbeRunView>('run_probe', { name }),
  cancelProbe: () => call<boolean>('cancel_probe'),
  onProbeProgress: (handler: (progress: ProbeProgress) => void): Promise<UnlistenFn> =>
    listen<ProbeProgress>('probe-progress', (event) => handler(event.payload)),
  /** The newest audit, and the newest of each quarter for the trend. */
  auditOverview: () => call<AuditOverview>('audit_overview'),
  /** Scores this quarter from the workspace's evidence now. */
  runAudit: () => call<AuditRunView>('run_audit'),
  /** Writes the audit pack of `quarter` (null: the newest scored) into `dir`; resolves to the
   * files written. */
  exportAudit: (quarter: string | null, dir: string) => call<string[]>('export_audit', { quarter, dir }),
};
