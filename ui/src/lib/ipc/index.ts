// The only module that calls `invoke`: one typed function per backend command.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AddSystemRequest,
  AppError,
  AuditPage,
  AuditVerification,
  ClusterDetail,
  DuplicatesProgress,
  DuplicatesView,
  ErrorCode,
  InventoryView,
  MatchRunView,
  RemoveReport,
  SyncChoice,
  SyncProgress,
  SyncReport,
  SystemView,
  WorkspaceInfo,
} from './bindings';

export * from './bindings';

const CODES: readonly ErrorCode[] = [
  'invalid_input',
  'not_found',
  'conflict',
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
};
