// Fixtures of the Erasures screen's tests.
import type { ErasureView } from '../lib/ipc';

export function erasure(overrides: Partial<ErasureView> = {}): ErasureView {
  return {
    id: 1,
    reference: 'DSR-2041',
    label: 'a***@e***.com · +44 ••• 18',
    requestedAt: '2026-11-20T10:00:00Z',
    requestedBy: 'dana',
    deadlineAt: '2026-12-20T10:00:00Z',
    overdue: false,
    completedAt: null,
    purged: 3,
    systems: [
      { system: 'HubSpot', status: 'deleted', checkedAt: '2026-11-21T10:00:00Z', records: [], matched: ['email'], otherName: 0, basis: 'cache as of the full sync of 2026-11-21 09:00' },
      { system: 'MAP', status: 'still_present', checkedAt: '2026-11-21T10:00:00Z', records: ['L-17', 'L-90'], matched: ['email', 'phone'], otherName: 1, basis: 'cache as of the incremental sync of 2026-11-21 09:30' },
      { system: 'Portal', status: 'not_found', checkedAt: '2026-11-21T10:00:00Z', records: [], matched: [], otherName: 0, basis: 'cache as of the full sync of 2026-11-20 08:00' },
      { system: 'Events sheet', status: 'not_checked', checkedAt: '2026-11-20T10:00:00Z', records: [], matched: [], otherName: 0, basis: 'never synced' },
    ],
    ...overrides,
  };
}
