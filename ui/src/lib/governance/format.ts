// Pure helpers of the Governance screen: roles, checklist items, lifecycle moves and the
// words shown. No Svelte, no IPC: each is tested on its own.
import type { NextSteps } from '../errors/hints';
import type { ChecklistItemView, DeprecationView, Lifecycle } from '../ipc';

// ---------------------------------------------------------------- roles

export type Duty = 'owner' | 'ops' | 'admin';

export const DUTIES: readonly { id: Duty; label: string; explain: string }[] = [
  { id: 'owner', label: 'SSOT owner', explain: 'rules, sign-offs, probes, merge reviews' },
  { id: 'ops', label: 'Ops reviewer', explain: 'merge reviews, drift fixes, probe runs' },
  { id: 'admin', label: 'Admin', explain: 'roles, systems, lifecycles, rules, sign-offs' },
];

export const UNGOVERNED =
  'No admin is named: anyone with this workspace file can do everything. Name an admin.';

/** "ana (you)" for the person using the app. */
export function personLabel(person: string, me: string | null): string {
  return me !== null && person === me ? `${person} (you)` : person;
}

/** "You act as dana: admin, ops", or "… and hold no role". */
export function myRolesLine(actor: string, roles: readonly string[]): string {
  if (roles.length === 0) return `You act as ${actor} and hold no role.`;
  return `You act as ${actor}: ${roles.map((r) => DUTIES.find((d) => d.id === r)?.label ?? r).join(', ')}.`;
}

// ---------------------------------------------------------------- checklist items

export type Checklist = 'deprecation' | 'onboarding';

const VERDICT_LABELS: Record<string, string> = { pass: 'Pass', fail: 'Fail', unknown: 'Unknown' };

export function verdictLabel(verdict: string): string {
  return VERDICT_LABELS[verdict] ?? verdict;
}

/** What an item's row says at a glance: passed on its evidence, signed off (a manual item),
 * waived (an automatic one signed off), or open. */
export function itemState(item: ChecklistItemView): 'passed' | 'signed' | 'waived' | 'open' {
  if (item.signOff) return item.kind === 'manual' ? 'signed' : 'waived';
  return item.verdict === 'pass' ? 'passed' : 'open';
}

/** The button an unsatisfied item offers: a manual item is signed off, an automatic one that
 * cannot pass is waived; none once it is satisfied. */
export function signOffAction(item: ChecklistItemView): 'Sign off' | 'Waive' | null {
  if (item.signOff || item.satisfied) return null;
  return item.kind === 'manual' ? 'Sign off' : 'Waive';
}

/** Items whose records can be listed. */
export const DRILLABLE: readonly string[] = ['only_here', 'sources_rerouted', 'no_writes'];

/** "5 of 7 done". */
export function progressLine(done: number, total: number): string {
  return `${done} of ${total} done`;
}

/** The labels of the items not yet satisfied. */
export function openItems(items: readonly ChecklistItemView[]): string[] {
  return items.filter((i) => !i.satisfied).map((i) => i.label);
}

// ---------------------------------------------------------------- lifecycle

const LIFECYCLE_LABELS: Record<Lifecycle, string> = {
  active: 'Active',
  deprecating: 'Deprecating',
  deprecated: 'Deprecated',
};

export function lifecycleLabel(lifecycle: Lifecycle): string {
  return LIFECYCLE_LABELS[lifecycle] ?? lifecycle;
}

/** A move a system can make from its lifecycle: `start` and `finish` go forward, `back` goes
 * back (and always takes a reason). */
export type Move = { to: Lifecycle; label: string; kind: 'start' | 'finish' | 'back' };

export function movesFrom(lifecycle: Lifecycle): Move[] {
  switch (lifecycle) {
    case 'active':
      return [{ to: 'deprecating', label: 'Start deprecating', kind: 'start' }];
    case 'deprecating':
      return [
        { to: 'deprecated', label: 'Mark deprecated', kind: 'finish' },
        { to: 'active', label: 'Back to active', kind: 'back' },
      ];
    case 'deprecated':
      return [
        { to: 'deprecating', label: 'Back to deprecating', kind: 'back' },
        { to: 'active', label: 'Back to active', kind: 'back' },
      ];
  }
}

/** Why a move needs a reason: going back always does; finishing does while the checklist is
 * incomplete (an override, audited with the open items). */
export function reasonNeeded(move: Move, view: Pick<DeprecationView, 'complete'>): 'back' | 'override' | null {
  if (move.kind === 'back') return 'back';
  if (move.kind === 'finish' && !view.complete) return 'override';
  return null;
}

/** "2026-01-31" from RFC 3339 (the workspace's times are UTC). */
export function dayOf(rfc3339: string | null): string | null {
  if (!rfc3339) return null;
  const at = new Date(rfc3339);
  if (Number.isNaN(at.getTime())) return rfc3339.slice(0, 10);
  return at.toISOString().slice(0, 10);
}

/** What is wrong with a "since" day (empty: the move takes effect now), or null. */
export function sinceProblem(text: string, today: string): string | null {
  const day = text.trim();
  if (day === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(new Date(`${day}T00:00:00Z`).getTime())) {
    return 'Since: write the day like 2026-01-31.';
  }
  if (day > today) return 'Since: the decision cannot take effect in the future.';
  return null;
}

/** Quiet days as typed: a whole number from 1 to 3650, or null. */
export function quietDays(text: string | number): number | null {
  const n = typeof text === 'number' ? text : Number(String(text).trim());
  return Number.isInteger(n) && n >= 1 && n <= 3650 ? n : null;
}

/** A suggested file for an export: "MAP-archive.csv". */
export function exportName(system: string, what: 'only-here' | 'archive'): string {
  const safe = system.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'system';
  return `${safe}-${what}.csv`;
}

// ---------------------------------------------------------------- alerts

const ALERT_LABELS: Record<string, string> = {
  probe_failed: 'Probe failed',
  probe_slow: 'Probe slow',
  drift_magnet: 'Drift magnet',
};

export function alertLabel(kind: string): string {
  return ALERT_LABELS[kind] ?? kind;
}

// ---------------------------------------------------------------- errors

/** Next steps on this screen, over the generic ones. A refusal ("forbidden") names the role it
 * takes: an admin grants it. */
export const GOVERNANCE_STEPS = {
  forbidden: 'Ask an admin to do it, or to grant you the role named above (Governance → Roles).',
  not_found: 'Refresh: it may have changed in another window or the CLI.',
} as const satisfies NextSteps;

export const ROLE_STEPS = {
  ...GOVERNANCE_STEPS,
  forbidden: 'Once an admin is named only an admin grants or revokes roles: ask one to do it.',
  invalid_input: 'Give the OS user name the person acts under (as shown after “as” in the sidebar).',
  not_found: 'Refresh: the role may have been revoked from another window or the CLI.',
} as const satisfies NextSteps;

export const LIFECYCLE_STEPS = {
  ...GOVERNANCE_STEPS,
  forbidden:
    'Only an admin moves a lifecycle, sets quiet days or exports the archive: ask an admin to do it, or to grant you the admin role (Roles tab).',
  conflict: 'Finish or sign off the open checklist items, or give an override reason.',
  invalid_input: 'Correct what the message names and try again.',
  io: 'Check that the folder of the file exists and is writable.',
} as const satisfies NextSteps;

export const SIGN_OFF_STEPS = {
  ...GOVERNANCE_STEPS,
  forbidden: 'Signing off takes the SSOT owner or admin role the message names: ask an admin to grant it (Roles tab).',
  invalid_input: 'Say what was checked, in 1–500 characters: the note is the evidence a later reader gets.',
} as const satisfies NextSteps;
