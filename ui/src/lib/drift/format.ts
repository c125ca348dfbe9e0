// Pure helpers of the Drift screen: what each kind of finding means, the totals matrix, the
// trend's series, the segment counts, progress lines and next steps. No Svelte, no IPC: each
// is tested on its own.
import type { NextSteps } from '../errors/hints';
import { formatSeconds, shortTime, type RunFact } from '../duplicates/format';
import {
  DRIFT_KINDS,
  type AppError,
  type DriftKind,
  type DriftProgress,
  type DriftRunView,
  type FindingView,
  type FixRecordView,
  type FixReport,
  type FixView,
  type KindTotal,
  type SegmentCountView,
  type TrendPoint,
} from '../ipc';

// ---------------------------------------------------------------- kinds

export function isKind(kind: string | null | undefined): kind is DriftKind {
  return (DRIFT_KINDS as readonly string[]).includes(kind ?? '');
}

export const KIND_LABELS: Record<DriftKind, string> = {
  stale: 'Stale',
  divergent: 'Divergent',
  conflicting_write: 'Conflicting write',
  mismatch: 'Mismatch',
  missing_in_hub: 'Missing in hub',
  orphan: 'Orphan',
  erasure_not_propagated: 'Erasure not propagated',
  count_mismatch: 'Count mismatch',
};

/** Column heads of the totals matrix, where the whole label would not fit. */
export const KIND_SHORT: Record<DriftKind, string> = {
  stale: 'Stale',
  divergent: 'Divergent',
  conflicting_write: 'Conflict',
  mismatch: 'Mismatch',
  missing_in_hub: 'Not in hub',
  orphan: 'Orphan',
  erasure_not_propagated: 'Erasure',
  count_mismatch: 'Count',
};

/** One line of plain English per kind: what the finding says happened. */
export const KIND_EXPLANATIONS: Record<DriftKind, string> = {
  stale: 'The copy still holds a value the authority had before: the authority moved on, the copy did not.',
  divergent: 'Both sides changed the field since they last agreed: someone has to say which one is right.',
  conflicting_write: 'An integration overwrote a field the hub owns: the hub’s value was replaced by a copy’s.',
  mismatch: 'The copy differs and the history cannot say which side moved: the authority’s value stands.',
  missing_in_hub: 'The lead never reached the CRM: this record has no hub record at all.',
  orphan: 'Its hub record is archived: the copy lives on without it.',
  erasure_not_propagated: 'The person was erased in the hub (or by an erasure request) but is still here.',
  count_mismatch: 'The segment counts differently here than in the hub: records are missing, extra or mapped to other statuses.',
};

/** Calm, distinct colours per kind, for the trend chart and the chips. */
export const KIND_COLOURS: Record<DriftKind, string> = {
  stale: '#1f6f6b',
  divergent: '#a35b00',
  conflicting_write: '#b3261e',
  mismatch: '#5c6bc0',
  missing_in_hub: '#2e7d32',
  orphan: '#6d4c41',
  erasure_not_propagated: '#8e24aa',
  count_mismatch: '#546e7a',
};

export function kindLabel(kind: string): string {
  return isKind(kind) ? KIND_LABELS[kind] : kind.replace(/_/g, ' ');
}

export function kindShort(kind: string): string {
  return isKind(kind) ? KIND_SHORT[kind] : kindLabel(kind);
}

export function explain(kind: string): string {
  return isKind(kind) ? KIND_EXPLANATIONS[kind] : '';
}

export function kindColour(kind: string): string {
  return isKind(kind) ? KIND_COLOURS[kind] : '#5f6d75';
}

/** What the earlier authority value is, for this kind of finding. */
export function earlierLabel(kind: string): string {
  if (kind === 'stale') return 'Held before';
  if (kind === 'conflicting_write') return 'Overwritten value';
  return 'Earlier value';
}

const LINK_LABELS: Record<string, string> = {
  shared_id: 'the hub id it keeps',
  merged_id: 'a hub id since merged into this record',
  email: 'the same email address',
  normalised_email: 'the same mailbox, once normalised',
  domain: 'the same web domain',
  match: 'the matching engine’s duplicate cluster',
};

/** How the copy was linked to its hub record, in words. */
export function linkLabel(link: string | null): string {
  if (!link) return 'not linked to a hub record';
  return LINK_LABELS[link] ?? link.replace(/_/g, ' ');
}

const REASONS: Record<string, string> = {
  earlier_authority_value: 'the copy holds a value the authority had earlier',
  authority_newer: 'the authority changed after the copy did',
  both_changed_since_copy: 'both sides changed after they last agreed',
  differs: 'the values differ and neither history says which moved',
  manual_rule: 'the rule is manual: no side wins by itself',
  integration_overwrote_authority: 'an integration wrote over the hub’s value',
  hub_archived: 'its hub record is archived',
  hub_record_deleted: 'the hub id it keeps names a record the hub no longer has',
  same_mailbox_as_erased_copy: 'it shares its address with a copy whose hub record was erased',
  no_hub_record: 'no hub record has its id or its address',
};

/** Why a record makes a segment count differently. */
const COUNT_REASONS: Record<string, string> = {
  hub_archived: 'in the segment here, but its hub record is archived',
  hub_value_differs: 'in the segment here, but its hub record is not: their values differ',
  hub_deleted: 'in the segment here, but its hub record was deleted',
  hub_ambiguous: 'in the segment here; several hub records fit it',
  not_in_hub: 'in the segment here, but the hub has no such record',
  not_in_system: 'in the hub’s segment, but this system has no copy of it',
  system_value_differs: 'in the hub’s segment, but not here: their values differ',
};

/** A finding's reason code in words, or null for a code this screen does not know. */
export function reasonText(kind: string, reason: string): string | null {
  return (kind === 'count_mismatch' ? COUNT_REASONS[reason] : undefined) ?? REASONS[reason] ?? null;
}

/** A value as shown: an empty one is said to be empty, not left blank. */
export function valueText(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '(empty)' : value;
}

/** "HubSpot 1234": a record as people recognise it. */
export function recordName(system: string, externalId: string): string {
  return `${system} ${externalId}`;
}

// ---------------------------------------------------------------- the last run

/** The last run in facts, for the header. */
export function runFacts(run: DriftRunView): RunFact[] {
  const fact = (value: string, after: string, before = ''): RunFact => ({ before, value, after });
  return [
    fact(run.records.toLocaleString(), 'records'),
    fact(run.linked.toLocaleString(), 'linked to the hub'),
    fact(run.findings.toLocaleString(), run.findings === 1 ? 'finding' : 'findings'),
    fact(`v${run.rulesVersion}`, '', 'rules'),
    fact(`${shortTime(run.finishedAt)} UTC`, `in ${formatSeconds(run.seconds)}`, 'measured'),
  ];
}

// ---------------------------------------------------------------- errors

/** Next steps on this screen where the generic ones would mislead. */
export const NEXT_STEPS = {
  conflict: 'Drift is already being measured — wait for that run or cancel it.',
  cancelled: 'Nothing changed; press Measure drift to run again.',
  not_found: 'A newer run replaced these findings: the list is reloaded.',
  external_system: 'Check the system’s connection on the Systems screen (Alt+1), then try again.',
} as const satisfies NextSteps;

/** Next steps when fixes could not be applied. */
export const FIX_STEPS = {
  ...NEXT_STEPS,
  conflict: 'Drift was measured again since these were listed: the findings are reloaded, tick the fixes again.',
  invalid_input: 'Measure drift first, then tick the fixes to write.',
} as const satisfies NextSteps;

/** Next steps when a fix could not be reverted: nothing was written. */
export const REVERT_STEPS = {
  ...NEXT_STEPS,
  conflict: 'Nothing was written. Sync the system on the Inventory screen (Alt+2) and look at the record first.',
  not_found: 'Nothing was written. Sync the system on the Inventory screen (Alt+2), then revert again.',
} as const satisfies NextSteps;

/** The next steps for `error`: a refusal to measure names what to set up first. */
export function driftSteps(error: AppError | null): NextSteps {
  if (error?.code !== 'invalid_input') return NEXT_STEPS;
  const message = error.message;
  let step: string | null = null;
  if (/field mapping is confirmed/i.test(message)) {
    step = 'Open the Rules screen (Alt+6) and accept the suggested mapping, then measure again.';
  } else if (/no hub system/i.test(message)) {
    step = 'Add the CRM as the hub on the Systems screen (Alt+1), then measure again.';
  } else if (/full sync/i.test(message)) {
    step = 'Sync the hub in full on the Inventory screen (Alt+2), then measure again.';
  }
  return step ? { ...NEXT_STEPS, invalid_input: step } : NEXT_STEPS;
}

// ---------------------------------------------------------------- progress

const STAGES: { id: string; label: string }[] = [
  { id: 'reading', label: 'Reading the cache' },
  { id: 'linking', label: 'Linking copies to the hub' },
  { id: 'comparing', label: 'Comparing fields' },
  { id: 'saving', label: 'Saving findings' },
];

/** "Comparing fields (3 of 4): 1,200 / 3,000". */
export function stageLine(p: DriftProgress): string {
  const index = STAGES.findIndex((s) => s.id === p.stage);
  const name = index >= 0 ? `${STAGES[index]?.label} (${index + 1} of ${STAGES.length})` : p.stage;
  if (p.total <= 1) return name;
  return `${name}: ${p.done.toLocaleString()} / ${p.total.toLocaleString()}`;
}

/** Share of the stage done; null (an indeterminate bar) when it cannot be told. */
export function stageShare(p: { done: number; total: number }): number | null {
  if (p.total <= 0) return null;
  return Math.min(1, p.done / p.total);
}

// ---------------------------------------------------------------- the totals matrix

export type MatrixRow = { system: string; counts: Map<string, number>; total: number };

export type Matrix = {
  /** Every kind, in DRIFT_KINDS order, then any the backend adds. */
  kinds: string[];
  /** One row per system, most findings first. */
  rows: MatrixRow[];
  /** Per kind, over every system. */
  totals: Map<string, number>;
  total: number;
};

export function kindMatrix(totals: readonly KindTotal[]): Matrix {
  const kinds: string[] = [...DRIFT_KINDS];
  const bySystem = new Map<string, MatrixRow>();
  const perKind = new Map<string, number>(kinds.map((k) => [k, 0]));
  let total = 0;
  for (const t of totals) {
    if (!kinds.includes(t.kind)) kinds.push(t.kind);
    let row = bySystem.get(t.system);
    if (!row) {
      row = { system: t.system, counts: new Map(), total: 0 };
      bySystem.set(t.system, row);
    }
    row.counts.set(t.kind, (row.counts.get(t.kind) ?? 0) + t.count);
    row.total += t.count;
    perKind.set(t.kind, (perKind.get(t.kind) ?? 0) + t.count);
    total += t.count;
  }
  const rows = [...bySystem.values()].sort((a, b) => b.total - a.total || a.system.localeCompare(b.system));
  return { kinds, rows, totals: perKind, total };
}

// ---------------------------------------------------------------- the trend

export type Trend = {
  /** Run times, in seconds since the epoch (uPlot's time scale). */
  xs: number[];
  /** One series per kind found in any run, in DRIFT_KINDS order. */
  series: { kind: string; counts: number[] }[];
};

export function trendData(trend: readonly TrendPoint[]): Trend {
  const xs = trend.map((p) => Math.floor(new Date(p.at).getTime() / 1000));
  const kinds: string[] = [...DRIFT_KINDS];
  for (const p of trend) for (const c of p.counts) if (!kinds.includes(c.kind)) kinds.push(c.kind);
  const series = kinds
    .map((kind) => ({
      kind,
      counts: trend.map((p) => p.counts.find((c) => c.kind === kind)?.count ?? 0),
    }))
    .filter((s) => s.counts.some((n) => n > 0));
  return { xs, series };
}

/** A run time on the trend's axis, in UTC: "11-22 10:01" for a tick at a run, else the date
 * ("11-22") or, over less than two days, the time ("10:01"). */
export function axisTime(seconds: number, mode: 'run' | 'days' | 'hours'): string {
  const at = new Date(seconds * 1000);
  if (Number.isNaN(at.getTime())) return '';
  const iso = at.toISOString();
  const day = iso.slice(5, 10);
  const time = iso.slice(11, 16);
  if (mode === 'run') return `${day} ${time}`;
  return mode === 'days' ? day : time;
}

/** Runs few enough to tick each one on the axis. */
export const TICKED_RUNS = 4;

// ---------------------------------------------------------------- segment counts

export type SegmentRow = {
  segment: string;
  hub: SegmentCountView | null;
  /** Every other system, with its difference from the hub's count. */
  others: { system: string; count: number; diff: number | null }[];
};

export function segmentRows(segments: readonly SegmentCountView[]): SegmentRow[] {
  const out = new Map<string, SegmentRow>();
  for (const s of segments) {
    let row = out.get(s.segment);
    if (!row) {
      row = { segment: s.segment, hub: null, others: [] };
      out.set(s.segment, row);
    }
    if (s.hub) row.hub = s;
  }
  for (const s of segments) {
    if (s.hub) continue;
    const row = out.get(s.segment) as SegmentRow;
    row.others.push({ system: s.system, count: s.count, diff: row.hub ? s.count - row.hub.count : null });
  }
  return [...out.values()];
}

/** "+12", "−3" (a real minus), "=". */
export function diffLabel(diff: number): string {
  if (diff === 0) return '=';
  return `${diff > 0 ? '+' : '−'}${Math.abs(diff).toLocaleString()}`;
}

// ---------------------------------------------------------------- the list

export type FindingFilter = { kind: string | null; system: string | null; field: string | null };

export const NO_FILTER: FindingFilter = { kind: null, system: null, field: null };

export function isFiltered(f: FindingFilter): boolean {
  return Boolean(f.kind || f.system || f.field);
}

/** "500 of 12,345 findings", "12 findings". */
export function countLine(loaded: number, total: number): string {
  const noun = total === 1 ? 'finding' : 'findings';
  if (loaded >= total) return `${total.toLocaleString()} ${noun}`;
  return `${loaded.toLocaleString()} of ${total.toLocaleString()} ${noun} loaded`;
}

/** Whether the finding's fix is a write this screen can apply. */
export function canApply(f: Pick<FindingView, 'fix'>): boolean {
  return f.fix?.action === 'write';
}

/** What a fix that is not a write asks the user to do. */
export function advice(fix: FixView): string {
  switch (fix.action) {
    case 'delete_copy':
      return `Delete ${recordName(fix.system, fix.externalId)} in ${fix.system}: its hub record is gone. Steward does not delete records for you.`;
    case 'create_in_hub':
      return `Bring ${recordName(fix.system, fix.externalId)} into the hub, or delete it in ${fix.system} if it should not be there.`;
    case 'decide':
      return 'The rule for this field is manual: decide which value is right and correct the other system by hand.';
    default:
      return fix.description;
  }
}

/** The findings of `kind` among `rows` whose fix can be applied. */
export function applicableOfKind(rows: readonly FindingView[], kind: string): number[] {
  return rows.filter((r) => r.kind === kind && canApply(r)).map((r) => r.seq);
}

// ---------------------------------------------------------------- fixes

export const FIX_STATUS_LABELS: Record<string, string> = {
  pending: 'pending',
  applied: 'applied',
  failed: 'failed',
  skipped: 'skipped',
  reverted: 'reverted',
};

export function fixSummary(report: FixReport): string {
  const parts = [`Applied ${report.applied.toLocaleString()} ${report.applied === 1 ? 'fix' : 'fixes'}`];
  if (report.skipped) parts.push(`skipped ${report.skipped.toLocaleString()}`);
  if (report.failed) parts.push(`${report.failed.toLocaleString()} failed`);
  return `${parts.join(', ')}.`;
}

/** Only an applied write can be put back. */
export function revertible(row: Pick<FixRecordView, 'status'>): boolean {
  return row.status === 'applied';
}

/** The list's last column: what differs, in a few words. */
export function rowSummary(f: FindingView): string {
  if (f.kind === 'count_mismatch' && f.counts && f.counts.length >= 2) {
    return `${f.segment ?? 'segment'}: hub ${(f.counts[0] ?? 0).toLocaleString()} · here ${(f.counts[1] ?? 0).toLocaleString()}`;
  }
  if (f.field !== null) return `${valueText(f.value)} ≠ hub ${valueText(f.hubValue)}`;
  switch (f.kind) {
    case 'missing_in_hub':
      return 'no hub record';
    case 'orphan':
      return `hub record ${f.hubExternalId ?? ''} archived`.replace('  ', ' ');
    case 'erasure_not_propagated':
      return 'erased, still held here';
    default:
      return f.reason.replace(/_/g, ' ');
  }
}
