import type { AppError, ErrorCode } from '../ipc/bindings';

/** What to do next, per error code. The message says what went wrong. */
const NEXT_STEP: Record<ErrorCode, string> = {
  invalid_input: 'Correct the field named above and try again.',
  not_found: 'Refresh: it may have been removed from another window or the CLI.',
  conflict: 'Choose another name, or remove the existing one first.',
  forbidden: 'Ask an admin to grant you the role named above (Governance screen, or steward role grant).',
  workspace_unusable:
    'Start Steward with another workspace (--workspace PATH) or restore this one from a backup.',
  keychain_unavailable:
    'Unlock your OS keychain (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) and try again.',
  io: 'Check that the workspace folder exists, is writable and has free space.',
  external_system:
    'Check that the system is running and its URL and credential are right, then sync again: it resumes where it stopped.',
  cancelled: 'Sync again when ready: it resumes after the last page stored.',
  internal: 'This is a bug in Steward. Copy this message into a bug report.',
};

/** A screen's own next steps for the codes where the generic one would mislead there (on the
 * Duplicates screen a conflict is a run already under way, not a name taken). */
export type NextSteps = Partial<Record<ErrorCode, string>>;

/** What to do next about `error`: the screen's own step for its code if it has one, else the
 * generic one. */
export function nextStep(error: AppError, steps?: NextSteps): string {
  return steps?.[error.code] ?? NEXT_STEP[error.code];
}
