// Pure helpers of the Merge screen: states, approvals under the two-person rule, the golden
// record's rules in words, progress lines, reports and next steps. No Svelte, no IPC: each is
// tested on its own.
import type { NextSteps } from '../errors/hints';
import { formatSeconds, scorePercent } from '../duplicates/format';
import type {
  DecisionReport,
  ExecuteReport,
  GoldenField,
  MergePolicyView,
  MergeProgress,
  ProposalSummary,
  ProposeReport,
  RestoreReport,
} from '../ipc';

export { scorePercent };

// ---------------------------------------------------------------- states

export const STATES = ['pending', 'approved', 'rejected', 'executing', 'done', 'failed'] as const;
export type ProposalState = (typeof STATES)[number];

const STATE_LABELS: Record<ProposalState, string> = {
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  executing: 'Merging',
  done: 'Merged',
  failed: 'Failed',
};

const STATE_EXPLANATIONS: Record<ProposalState, string> = {
  pending: 'Waiting for a reviewer',
  approved: 'Approved: merged with the next “Merge approved”',
  rejected: 'Rejected: its records are not duplicates',
  executing: 'Merging in the CRM (or interrupted: the next run finishes it)',
  done: 'Merged in the CRM',
  failed: 'The merge failed: see why in its detail',
};

function isState(state: string): state is ProposalState {
  return (STATES as readonly string[]).includes(state);
}

export function stateLabel(state: string): string {
  return isState(state) ? STATE_LABELS[state] : state;
}

export function stateExplain(state: string): string {
  return isState(state) ? STATE_EXPLANATIONS[state] : '';
}

/** Proposals in every state. */
export function allCount(counts: Partial<Record<string, number>>): number {
  return Object.values(counts).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** "12 proposals", or "200 of 1,400 proposals" while more pages are to come. */
export function countLine(shown: number, total: number): string {
  const noun = total === 1 ? 'proposal' : 'proposals';
  if (shown >= total) return `${total.toLocaleString()} ${noun}`;
  return `${shown.toLocaleString()} of ${total.toLocaleString()} ${noun} loaded`;
}

// ---------------------------------------------------------------- approvals

export type Approvals = {
  have: number;
  /** 2 under the two-person rule, else 1. */
  need: number;
  names: readonly string[];
  /** "1 of 2" */
  text: string;
  /** Approved once, waiting for a second, different person. */
  waiting: boolean;
};

export function approvalsOf(p: Pick<ProposalSummary, 'approvals' | 'secondReason' | 'state'>): Approvals {
  const need = p.secondReason ? 2 : 1;
  const have = p.approvals.length;
  return {
    have,
    need,
    names: p.approvals,
    text: `${have} of ${need}`,
    waiting: p.state === 'pending' && have > 0 && have < need,
  };
}

/** The approvals in a sentence: who approved, and what is still missing. */
export function approvalLine(p: Pick<ProposalSummary, 'approvals' | 'secondReason' | 'state'>, me: string | null): string {
  const a = approvalsOf(p);
  const who = a.names.map((n) => (n === me ? `${n} (you)` : n)).join(' and ');
  if (a.have === 0) {
    return a.need === 2 ? 'No approval yet: it needs two different approvers.' : 'No approval yet: one is enough.';
  }
  if (a.waiting) {
    const mine = me !== null && a.names.includes(me);
    return `${a.text} approvals: ${who}. ${mine ? 'Waiting for someone else to approve it too.' : 'A second, different person must approve it.'}`;
  }
  return `${a.text} approvals: ${who}.`;
}

/** Why this person cannot approve the proposal now, or null when they can. */
export function approveBlocker(
  p: Pick<ProposalSummary, 'approvals' | 'state'>,
  openDecisions: readonly string[],
  me: string | null,
): string | null {
  if (p.state !== 'pending') return `It is ${stateLabel(p.state).toLowerCase()}, not pending.`;
  if (openDecisions.length > 0) {
    return `Decide ${openDecisions.join(', ')} first: set ${openDecisions.length === 1 ? 'its value' : 'their values'} with Edit.`;
  }
  if (me !== null && p.approvals.includes(me)) {
    return 'You approved it already: the two-person rule needs someone else.';
  }
  return null;
}

/** The two-person rule in words. */
export function policyLine(policy: MergePolicyView): string {
  const bySize = policy.minSize >= 2;
  const byScore = policy.belowScore > 0;
  if (!bySize && !byScore) return 'One approver is enough for every proposal.';
  const parts: string[] = [];
  if (bySize) parts.push(`${policy.minSize} or more hub records`);
  if (byScore) parts.push(`a score below ${scorePercent(policy.belowScore)}`);
  return `Two approvers for a proposal with ${parts.join(' or ')}.`;
}

/** What is wrong with a two-person rule as typed, or null. */
export function policyProblem(minSize: number | null, belowScore: number | null, why: string): string | null {
  if (minSize === null || !Number.isInteger(minSize) || minSize < 0) return 'Records: a whole number, 0 for never.';
  if (minSize === 1) return 'Records: 1 would ask two people for a merge of nothing; use 0 (never) or 2 or more.';
  if (belowScore === null || !Number.isFinite(belowScore) || belowScore < 0 || belowScore > 1) {
    return 'Score: between 0 and 1, 0 for never.';
  }
  if (why.trim() === '') return 'Say why the rule changes: it is kept in the audit log.';
  return null;
}

/** A minimum score as typed, or null when it is not one (0–1). */
export function parseScore(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined || String(text).trim() === '') return null;
  const n = typeof text === 'number' ? text : Number(text.trim());
  if (!Number.isFinite(n) || n < 0 || n > 1) return null;
  return n;
}

// ---------------------------------------------------------------- the golden record

const RULE_LABELS: Record<string, string> = {
  authority: 'Authority',
  last_touch: 'Last touch',
  earliest_touch: 'Earliest touch',
  survivor: 'Survivor’s',
  only_value: 'Only value',
  override: 'Set by reviewer',
};

const RULE_EXPLANATIONS: Record<string, string> = {
  authority: 'The value of the system the field authority names',
  last_touch: 'The most recently changed value wins (a behavioural field)',
  earliest_touch: 'The earliest value wins (an attribution field)',
  survivor: 'The surviving record keeps its own value',
  only_value: 'Nothing to choose between: one value, or none',
  override: 'A reviewer set this value',
};

export function ruleLabel(rule: string): string {
  return RULE_LABELS[rule] ?? rule.replace(/_/g, ' ');
}

export function ruleExplain(rule: string): string {
  return RULE_EXPLANATIONS[rule] ?? '';
}

/** A value as shown: an empty one is said to be empty, not left blank. */
export function valueText(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '(empty)' : value;
}

/** "HubSpot 1234", or "—" when the value comes from no record (a reviewer's). */
export function sourceText(g: Pick<GoldenField, 'sourceSystem' | 'sourceRecord' | 'rule'>): string {
  if (g.rule === 'override') return 'reviewer';
  if (!g.sourceSystem) return '—';
  return g.sourceRecord ? `${g.sourceSystem} ${g.sourceRecord}` : g.sourceSystem;
}

/** Whether the merge writes the value into the survivor, in a word. */
export function writtenText(g: Pick<GoldenField, 'written'>): string {
  return g.written ? 'written' : 'kept';
}

const ROLE_LABELS: Record<string, string> = {
  survivor: 'Survivor',
  absorbed: 'Merged into it',
  copy: 'Copy elsewhere',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

const STEP_KINDS: Record<string, string> = {
  merge: 'Merge',
  values: 'Write values',
  repoint: 'Re-point copies',
};

export function stepKind(kind: string): string {
  return STEP_KINDS[kind] ?? kind;
}

// ---------------------------------------------------------------- progress and reports

const STAGES: { id: string; label: string }[] = [
  { id: 'backing_up', label: 'Backing up the records' },
  { id: 'merging', label: 'Merging' },
  { id: 'writing', label: 'Writing the surviving values' },
];

/** "Merging (2 of 3): 4 / 12 merges". */
export function stageLine(p: MergeProgress): string {
  if (p.stage === 'done') return `Finishing: ${p.done.toLocaleString()} / ${p.total.toLocaleString()} merges`;
  const index = STAGES.findIndex((s) => s.id === p.stage);
  const name = index >= 0 ? `${STAGES[index]?.label} (${index + 1} of ${STAGES.length})` : p.stage;
  return `${name}: ${p.done.toLocaleString()} / ${p.total.toLocaleString()} merges`;
}

/** Share of the merges done, for the bar; null (an indeterminate bar) when nothing is counted. */
export function stageShare(p: MergeProgress): number | null {
  if (p.total <= 0) return null;
  return Math.min(1, p.done / p.total);
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** The outcome of a merge run in one sentence. */
export function executeSummary(r: ExecuteReport): string {
  const head = r.cancelled ? 'Cancelled: merged' : 'Merged';
  const parts = [
    `${head} ${plural(r.proposalsDone, 'proposal', 'proposals')} (${plural(r.merges, 'merge call', 'merge calls')}) in ${formatSeconds(r.seconds)}`,
  ];
  if (r.failed.length > 0) parts.push(`${r.failed.length.toLocaleString()} failed`);
  if (r.backToPending.length > 0) parts.push(`${r.backToPending.length.toLocaleString()} back to pending`);
  if (r.skipped.length > 0) parts.push(`${r.skipped.length.toLocaleString()} skipped (changed during the run)`);
  if (r.settledAfterCrash > 0) parts.push(`${plural(r.settledAfterCrash, 'interrupted step', 'interrupted steps')} settled`);
  if (r.released > 0) parts.push(`${plural(r.released, 'proposal', 'proposals')} back in the approved queue`);
  return `${parts.join(', ')}.`;
}

/** What a decision did, in sentences; refusals are listed apart. */
export function decisionLine(r: DecisionReport): string {
  const parts: string[] = [];
  if (r.approved.length > 0) parts.push(`Approved ${ids(r.approved)}.`);
  if (r.awaitingSecond.length > 0) {
    parts.push(
      `${ids(r.awaitingSecond)}: 1 of 2 approvals; ${r.awaitingSecond.length === 1 ? 'it waits' : 'they wait'} for a second, different approver.`,
    );
  }
  if (r.rejected.length > 0) parts.push(`Rejected ${ids(r.rejected)}: its records are not proposed together again.`);
  if (parts.length === 0 && r.refused.length > 0) parts.push('Nothing was approved.');
  if (parts.length === 0) parts.push('No pending proposal matched.');
  return parts.join(' ');
}

/** "#4", "#4, #7 and #9", or "12 proposals" for long lists. */
export function ids(list: readonly number[]): string {
  if (list.length > 5) return `${list.length.toLocaleString()} proposals`;
  const tags = list.map((id) => `#${id}`);
  if (tags.length <= 1) return tags.join('');
  return `${tags.slice(0, -1).join(', ')} and ${tags.at(-1)}`;
}

export function proposeLine(r: ProposeReport): string {
  const parts = [`${plural(r.created, 'new proposal', 'new proposals')}`];
  if (r.withdrawn > 0) parts.push(`${r.withdrawn.toLocaleString()} withdrawn (their cluster is gone)`);
  if (r.alreadyQueued > 0) parts.push(`${plural(r.alreadyQueued, 'cluster', 'clusters')} already queued`);
  if (r.keptApart > 0) parts.push(`${plural(r.keptApart, 'record', 'records')} kept apart (not duplicates)`);
  if (r.noMerge > 0) parts.push(`${plural(r.noMerge, 'cluster', 'clusters')} with one CRM record (nothing to merge)`);
  return `Proposals rebuilt: ${parts.join(', ')}.`;
}

export function restoreLine(r: RestoreReport): string {
  const left = r.leftOut.length > 0 ? ` Left out: ${r.leftOut.join('; ')}.` : '';
  return `Record ${r.oldId} was recreated as ${r.newId} with ${plural(r.associations, 'association', 'associations')}.${left}`;
}

// ---------------------------------------------------------------- errors

/** Loading the queue or a proposal. */
export const QUEUE_STEPS = {
  not_found: 'A rebuild may have withdrawn it: the queue is reloaded, pick the proposal again.',
  invalid_input: 'Add the CRM as the hub on the Systems screen (Alt+1) first.',
} as const satisfies NextSteps;

export const PROPOSE_STEPS = {
  invalid_input: 'Find duplicates first on the Duplicates screen (Alt+4), then press Rebuild proposals again.',
} as const satisfies NextSteps;

export const DECISION_STEPS = {
  invalid_input: 'Say why, then try again.',
  not_found: 'A rebuild may have withdrawn it: the queue is reloaded, pick the proposal again.',
  conflict: 'It changed meanwhile: the queue is reloaded, look at it again.',
} as const satisfies NextSteps;

export const EDIT_STEPS = {
  invalid_input: 'Correct the value or the reason and try again; a field the CRM computes cannot be set.',
  conflict: 'Merging has started: its values can no longer change.',
} as const satisfies NextSteps;

export const POLICY_STEPS = {
  invalid_input: 'Correct the numbers (records 0 or 2+, score 0–1) and say why.',
} as const satisfies NextSteps;

export const EXECUTE_STEPS = {
  conflict: 'Merges are already running (here or from the CLI): wait for them or cancel them.',
  invalid_input: 'Review the proposals here; the CRM cannot be merged through Steward.',
  external_system:
    'Check the hub’s connection on the Systems screen, then press Merge approved again: the journal resumes without merging anything twice.',
  cancelled: 'Nothing more is merged; press Merge approved to go on.',
} as const satisfies NextSteps;

export const RESTORE_STEPS = {
  conflict: 'It was restored already: the backups list the record it came back as.',
  invalid_input: 'Only a record merged away can be restored; say why when you restore one.',
  external_system: 'Check the hub’s connection on the Systems screen, then try again.',
} as const satisfies NextSteps;
