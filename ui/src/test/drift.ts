// Fixtures of the Drift screen's tests.
import type { DriftOverview, DriftRunView, FindingView, FixRecordView } from '../lib/ipc';

export function finding(overrides: Partial<FindingView> = {}): FindingView {
  return {
    seq: 1,
    kind: 'stale',
    system: 'MAP',
    object: 'person',
    externalId: 'L-1',
    hubExternalId: '501',
    field: 'email',
    systemField: 'Email',
    hubField: 'email',
    value: 'old@acme.io',
    hubValue: 'new@acme.io',
    earlierValue: 'old@acme.io',
    segment: null,
    reason: 'earlier_authority_value',
    rule: 'person.email: hub, authority_wins',
    link: 'shared_id',
    authorityChangedAt: '2026-11-20T09:00:00Z',
    authoritySource: 'CRM_UI',
    copyChangedAt: '2026-11-01T09:00:00Z',
    counts: null,
    fix: {
      action: 'write',
      system: 'MAP',
      externalId: 'L-1',
      field: 'Email',
      value: 'new@acme.io',
      description: 'write the authority’s value into MAP L-1 (Email)',
    },
    ...overrides,
  };
}

export const RUN: DriftRunView = {
  id: 4,
  finishedAt: '2026-11-22T10:01:00Z',
  rulesVersion: 3,
  records: 12_000,
  linked: 9_500,
  findings: 38,
  seconds: 2.5,
};

export function overview(overrides: Partial<DriftOverview> = {}): DriftOverview {
  return {
    run: RUN,
    totals: [
      { kind: 'stale', system: 'MAP', count: 10 },
      { kind: 'divergent', system: 'MAP', count: 2 },
      { kind: 'conflicting_write', system: 'HubSpot', count: 1 },
      { kind: 'missing_in_hub', system: 'Events sheet', count: 5 },
      { kind: 'orphan', system: 'Portal', count: 3 },
      { kind: 'erasure_not_propagated', system: 'MAP', count: 1 },
      { kind: 'count_mismatch', system: 'Portal', count: 1 },
      { kind: 'stale', system: 'Portal', count: 15 },
    ],
    trend: [
      { runId: 3, at: '2026-11-21T10:00:00Z', counts: [{ kind: 'stale', count: 30 }] },
      { runId: 4, at: '2026-11-22T10:01:00Z', counts: [{ kind: 'stale', count: 25 }, { kind: 'orphan', count: 3 }] },
    ],
    segments: [
      { segment: 'Active accounts', system: 'HubSpot', hub: true, count: 120 },
      { segment: 'Active accounts', system: 'Portal', hub: false, count: 112 },
    ],
    ...overrides,
  };
}

export function fixRecord(overrides: Partial<FixRecordView> = {}): FixRecordView {
  return {
    id: 1,
    at: '2026-11-22T11:00:00Z',
    actor: 'dana',
    system: 'MAP',
    object: 'person',
    externalId: 'L-1',
    field: 'Email',
    before: 'old@acme.io',
    after: 'new@acme.io',
    status: 'applied',
    detail: null,
    ...overrides,
  };
}
