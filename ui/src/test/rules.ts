// Fixtures of the Rules screen's tests (the Drift screen reads its canonical fields too).
import type { RulesView } from '../lib/ipc';

export function rulesView(overrides: Partial<RulesView> = {}): RulesView {
  return {
    version: 3,
    authority: [
      { object: 'person', field: 'email', label: 'Email', category: 'identity', valueKind: 'email', system: 'hub', policy: 'authority_wins' },
      { object: 'person', field: 'lead_status', label: 'Lead status', category: 'status', valueKind: 'text', system: 'hub', policy: 'authority_wins' },
      { object: 'person', field: 'last_activity_at', label: 'Last activity', category: 'behavioural', valueKind: 'datetime', system: 'hub', policy: 'last_touch' },
      { object: 'company', field: 'name', label: 'Company name', category: 'identity', valueKind: 'text', system: 'hub', policy: 'authority_wins' },
    ],
    mapping: [
      { system: 'HubSpot', object: 'person', systemField: 'email', field: 'email', suggested: null, reason: null },
      { system: 'HubSpot', object: 'person', systemField: 'hs_lead_status', field: 'lead_status', suggested: null, reason: null },
      { system: 'MAP', object: 'person', systemField: 'Email', field: 'email', suggested: null, reason: null },
      { system: 'MAP', object: 'person', systemField: 'Status', field: '', suggested: 'lead_status', reason: 'the name "Status"' },
      { system: 'Portal', object: 'person', systemField: 'contact_mail', field: '', suggested: 'email', reason: 'its values are email addresses' },
    ],
    status: [
      {
        object: 'person',
        field: 'lead_status',
        values: ['NEW', 'OPEN', 'CONNECTED'],
        systems: [
          {
            system: 'HubSpot',
            systemField: 'hs_lead_status',
            values: [
              { value: 'NEW', count: 40, canonical: 'NEW' },
              { value: 'OPEN', count: 25, canonical: 'OPEN' },
            ],
            unmapped: 0,
          },
          {
            system: 'MAP',
            systemField: 'Status',
            values: [
              { value: 'Engaged', count: 30, canonical: 'OPEN' },
              { value: 'Recycled', count: 12, canonical: null },
            ],
            unmapped: 12,
          },
        ],
      },
    ],
    segments: [
      {
        name: 'Active accounts',
        object: 'company',
        conditions: [{ field: 'account_status', values: ['active', 'trial'] }],
      },
    ],
    integrationSources: ['INTEGRATION'],
    problems: [],
    history: [
      {
        version: 3,
        at: '2026-11-22T09:00:00Z',
        actor: 'dana',
        why: 'Marketing owns consent',
        changes: ['authority person.email_opt_out: hub → MAP'],
      },
      { version: 2, at: '2026-11-21T09:00:00Z', actor: 'dana', why: 'first mapping', changes: ['map MAP.Email → person.email'] },
    ],
    systems: ['HubSpot', 'MAP', 'Portal'],
    ...overrides,
  };
}
