// The only module that calls `invoke`: one typed function per backend command.
import { invoke } from '@tauri-apps/api/core';
import type {
  AddSystemRequest,
  AppError,
  AuditPage,
  AuditVerification,
  ErrorCode,
  RemoveReport,
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
};
