// Audit runs and alerts as the backend sends them, for the Overview's tests.
import type { AlertView, AuditOverview, AuditRunView, RequirementView } from '../ipc';

export function requirements(scores: [number | null, number | null, number | null, number | null]): RequirementView[] {
  const [completeness, currency, integrity, accessibility] = scores;
  return [
    {
      key: 'completeness',
      label: 'Completeness',
      score: completeness,
      formula: 'Completeness = 100 × spoke people present in the hub',
      parts: [
        {
          label: 'spoke people present in the hub',
          numerator: 1500,
          denominator: 2000,
          share: 0.75,
          formula: '(spoke people − missing in hub) ÷ spoke people = 1500 ÷ 2000 = 75.0 %',
        },
      ],
      facts: [],
    },
    {
      key: 'currency',
      label: 'Currency',
      score: currency,
      formula: 'Currency = 100 × linked fields in agreement',
      parts: [
        {
          label: 'linked fields in agreement',
          numerator: 900,
          denominator: 1000,
          share: 0.9,
          formula: 'agreeing field pairs ÷ field pairs compared = 900 ÷ 1000 = 90.0 %',
        },
      ],
      facts: [
        ['median sync latency (spoke → hub)', '2.1 s'],
        ['median write-back latency (hub → spoke)', 'no probe run this quarter'],
      ],
    },
    {
      key: 'integrity',
      label: 'Integrity',
      score: integrity,
      formula: 'Integrity = 100 × mean(people not duplicated, statuses the model maps), over the parts measured',
      parts: [
        {
          label: 'people not duplicated',
          numerator: 1900,
          denominator: 2000,
          share: 0.95,
          formula: '(people − extra records in duplicate clusters) ÷ people = 1900 ÷ 2000 = 95.0 %',
        },
        {
          label: 'statuses the model maps',
          numerator: 0,
          denominator: 0,
          share: null,
          formula: '(status values − unmapped) ÷ status values = 0 ÷ 0 = n/a (nothing to measure)',
        },
      ],
      facts: [],
    },
    {
      key: 'accessibility',
      label: 'Accessibility',
      score: accessibility,
      formula: 'Accessibility = 100 × mean(probes passing), over the parts measured',
      parts: [
        {
          label: 'probes passing',
          numerator: 0,
          denominator: 1,
          share: 0,
          formula: 'probes whose last run passed ÷ probes = 0 ÷ 1 = 0.0 %',
        },
      ],
      facts: [],
    },
  ];
}

export function run(overrides: Partial<AuditRunView> = {}): AuditRunView {
  return {
    id: 2,
    quarter: '2026-Q4',
    at: '2026-11-20T10:00:00Z',
    actor: 'dana',
    requirements: requirements([75, 90, 95, 62.5]),
    ...overrides,
  };
}

/** Two quarters: 2026-Q3, then 2026-Q4 (the latest). */
export function overview(): AuditOverview {
  const q3 = run({ id: 1, quarter: '2026-Q3', at: '2026-08-02T09:00:00Z', requirements: requirements([70, 92.5, null, 50]) });
  const q4 = run();
  return { latest: q4, quarters: [q3, q4], runs: 3 };
}

export const EMPTY: AuditOverview = { latest: null, quarters: [], runs: 0 };

export function alert(overrides: Partial<AlertView> = {}): AlertView {
  return {
    id: 7,
    kind: 'probe_failed',
    subject: 'probe/1',
    system: 'MAP',
    raisedAt: '2026-11-20T09:00:00Z',
    lastSeen: '2026-11-20T09:30:00Z',
    message: 'probe "MAP write-back": legs never reached MAP (UNQUALIFIED)',
    nextStep: 'Open the probe’s history: a lost leg names the status that never arrived.',
    clearedAt: null,
    clearedBy: null,
    ...overrides,
  };
}
