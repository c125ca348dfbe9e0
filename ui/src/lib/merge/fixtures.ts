// Fixtures of the Merge screen's tests: proposals, golden records and a fake queue that
// filters and pages as `merge_queue` does.
import type {
  GoldenField,
  MergeBackupView,
  MergePolicyView,
  ProposalDetail,
  ProposalSummary,
  QueueQuery,
  QueueView,
} from '../ipc';
import { STATES } from './format';

export const POLICY: MergePolicyView = { minSize: 3, belowScore: 0.9 };

export function summary(overrides: Partial<ProposalSummary> = {}): ProposalSummary {
  return {
    id: 1,
    state: 'pending',
    score: 0.97,
    size: 2,
    survivor: '501',
    label: 'Ann Lee',
    copies: ['MAP'],
    approvals: [],
    secondReason: null,
    detail: null,
    decidedBy: null,
    updatedAt: '2026-11-22T10:00:00Z',
    ...overrides,
  };
}

export function golden(overrides: Partial<GoldenField> = {}): GoldenField {
  return {
    key: 'first_name',
    label: 'First name',
    category: 'identity',
    policy: 'authority_wins',
    authority: 'hub',
    hubField: 'firstname',
    value: 'Ann',
    sourceSystem: 'HubSpot',
    sourceRecord: '501',
    rule: 'authority',
    needsReview: false,
    written: false,
    note: null,
    overrideReason: null,
    overrideBy: null,
    candidates: [
      { system: 'HubSpot', externalId: '501', value: 'Ann', at: '2026-10-01T09:00:00Z', chosen: true },
      { system: 'HubSpot', externalId: '502', value: 'Anne', at: '2026-11-01T09:00:00Z', chosen: false },
    ],
    ...overrides,
  };
}

/** A golden record with one row per rule, a note, an override and an open decision. */
export const GOLDEN: GoldenField[] = [
  golden(),
  golden({
    key: 'job_title',
    label: 'Job title',
    hubField: 'jobtitle',
    category: 'custom',
    policy: 'last_touch',
    value: 'CTO',
    sourceRecord: '502',
    rule: 'last_touch',
    written: true,
    candidates: [{ system: 'HubSpot', externalId: '502', value: 'CTO', at: '2026-11-01T09:00:00Z', chosen: true }],
  }),
  golden({
    key: 'original_source',
    label: 'Original source',
    hubField: 'hs_analytics_source',
    category: 'attribution',
    policy: 'earliest_touch',
    value: 'ORGANIC_SEARCH',
    rule: 'earliest_touch',
    written: false,
    note: 'HubSpot computes this property: the survivor keeps its own',
    candidates: [],
  }),
  golden({
    key: 'lead_status',
    label: 'Lead status',
    hubField: 'hs_lead_status',
    category: 'status',
    policy: 'manual',
    value: 'OPEN',
    sourceSystem: 'MAP',
    sourceRecord: 'L-9',
    rule: 'authority',
    needsReview: true,
    written: true,
    note: 'MAP’s status "Nurture" has no single word in the hub: map it in the status model, or set the value here',
    candidates: [
      { system: 'MAP', externalId: 'L-9', value: 'Nurture', at: null, chosen: true },
      { system: 'HubSpot', externalId: '501', value: 'OPEN', at: null, chosen: false },
    ],
  }),
  golden({
    key: 'phone',
    label: 'Phone',
    hubField: 'phone',
    value: '+44 20 7946 0018',
    sourceSystem: null,
    sourceRecord: null,
    rule: 'override',
    written: true,
    overrideReason: 'she asked to be called at work',
    overrideBy: 'lee',
    candidates: [],
  }),
];

export function backup(overrides: Partial<MergeBackupView> = {}): MergeBackupView {
  return {
    id: 7,
    proposalId: 1,
    externalId: '502',
    takenAt: '2026-11-22T11:00:00Z',
    properties: 14,
    associations: 2,
    restoredAs: null,
    restoredAt: null,
    restoredBy: null,
    ...overrides,
  };
}

export function proposal(overrides: Partial<ProposalDetail> = {}): ProposalDetail {
  return {
    summary: summary(),
    members: [
      { system: 'HubSpot', externalId: '501', role: 'survivor', cached: true, createdAt: '2024-01-05T09:00:00Z', label: 'Ann Lee' },
      { system: 'HubSpot', externalId: '502', role: 'absorbed', cached: true, createdAt: '2025-03-01T09:00:00Z', label: 'Anne Lee' },
      { system: 'MAP', externalId: 'L-9', role: 'copy', cached: true, createdAt: null, label: 'Ann Lee' },
    ],
    golden: GOLDEN.filter((g) => g.key !== 'lead_status'),
    associations: [{ object: 'company', externalId: '9001', label: 'Acme', heldBy: ['502'] }],
    steps: [],
    backups: [],
    openDecisions: [],
    ...overrides,
  };
}

/** A backend handler for `merge_queue` over `all`, filtered and paged as the command does. */
export function queueOf(all: () => readonly ProposalSummary[], extra: Partial<QueueView> = {}) {
  return (args: Record<string, unknown> | undefined): QueueView => {
    const q = args?.query as QueueQuery;
    const every = all();
    const counts: Record<string, number> = {};
    for (const s of STATES) counts[s] = every.filter((p) => p.state === s).length;
    const matching = every
      .filter((p) => !q.state || p.state === q.state)
      .slice()
      .sort((a, b) => b.score - a.score || a.id - b.id);
    const offset = q.offset ?? 0;
    return {
      counts,
      // Fresh objects, as from IPC: the screen never sees the fixtures' own.
      proposals: matching.slice(offset, offset + (q.limit ?? 200)).map((p) => structuredClone(p)),
      total: matching.length,
      policy: POLICY,
      hub: 'HubSpot',
      canMerge: true,
      ...extra,
    };
  };
}
