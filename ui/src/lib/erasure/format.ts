// Pure helpers of the Erasures screen: the form's checks, the checklist's words and the list
// kept current as requests are filed and checked. No Svelte: each is tested on its own.
import type { ErasureInput, ErasureSystemView, ErasureView } from '../ipc';

export const DEFAULT_DEADLINE_DAYS = 30;

export type ErasureForm = {
  reference: string;
  email: string;
  phone: string;
  name: string;
  deadlineDays: number | string;
};

export const EMPTY_FORM: ErasureForm = { reference: '', email: '', phone: '', name: '', deadlineDays: DEFAULT_DEADLINE_DAYS };

/** What keeps the form from being filed, or null. The backend checks the same (and the
 * addresses' and numbers' shapes); this says it before the confirmation is asked. */
export function formProblem(form: ErasureForm): string | null {
  if (form.reference.trim() === '') return 'Give the request’s reference (the ticket or case it came in as).';
  if (form.email.trim() === '' && form.phone.trim() === '') {
    return 'Give an email address or a phone number: a name alone could erase the wrong person.';
  }
  const days = Number(form.deadlineDays);
  if (!Number.isInteger(days) || days < 1 || days > 365) return 'The deadline is a whole number of days, 1 to 365.';
  return null;
}

export function toInput(form: ErasureForm): ErasureInput {
  const given = (v: string) => (v.trim() === '' ? null : v.trim());
  return {
    reference: form.reference.trim(),
    email: given(form.email),
    phone: given(form.phone),
    name: given(form.name),
    deadlineDays: Number(form.deadlineDays) || null,
  };
}

export const STATUS_LABELS: Record<string, string> = {
  not_found: 'not found',
  deleted: 'deleted',
  still_present: 'still present',
  not_checked: 'not checked',
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status.replace(/_/g, ' ');
}

/** "3 of 5 systems clear": not found or deleted. */
export function clearLine(systems: readonly ErasureSystemView[]): string {
  const clear = systems.filter((s) => s.status === 'not_found' || s.status === 'deleted').length;
  return `${clear} of ${systems.length} ${systems.length === 1 ? 'system' : 'systems'} clear`;
}

/** Whole days from `now` to `deadline`: negative once it has passed. */
export function daysLeft(deadline: string, now: Date = new Date()): number {
  const at = new Date(deadline).getTime();
  if (Number.isNaN(at)) return 0;
  return Math.ceil((at - now.getTime()) / 86_400_000);
}

/** "in 12 days", "today", "3 days overdue". */
export function deadlineLine(view: Pick<ErasureView, 'deadlineAt' | 'overdue' | 'completedAt'>, now: Date = new Date()): string {
  if (view.completedAt) return 'done';
  const days = daysLeft(view.deadlineAt, now);
  if (view.overdue || days < 0) {
    const late = Math.max(1, -days);
    return `overdue by ${late} ${late === 1 ? 'day' : 'days'}`;
  }
  if (days === 0) return 'due today';
  return `in ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** The list after `updated` came back: each replaced in place, new ones first. */
export function merge(list: readonly ErasureView[], updated: readonly ErasureView[]): ErasureView[] {
  const byId = new Map(updated.map((u) => [u.id, u]));
  const known = new Set(list.map((v) => v.id));
  const fresh = updated.filter((u) => !known.has(u.id));
  return [...fresh, ...list.map((v) => byId.get(v.id) ?? v)];
}
