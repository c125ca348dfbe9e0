// Test data of the Probes screen.
import type { LegView, ProbeRunView, ProbeView } from '../ipc';

export function leg(overrides: Partial<LegView> = {}): LegView {
  return { leg: 'inbound', status: null, ms: 1200, arrived: true, withinTarget: true, detail: null, ...overrides };
}

export function probeRun(overrides: Partial<ProbeRunView> = {}): ProbeRunView {
  return {
    id: 1,
    probe: 'MAP status',
    startedAt: '2026-11-20T10:00:00Z',
    finishedAt: '2026-11-20T10:00:09Z',
    actor: 'dana',
    verdict: 'passed',
    legs: [
      leg({ ms: 1200 }),
      leg({ leg: 'outbound', status: 'Working', ms: 2400 }),
      leg({ leg: 'outbound', status: 'Qualified', ms: 3100 }),
    ],
    error: null,
    cleanup: 'done',
    cleanupDetail: '2 test records removed',
    tag: 'probe-0f3c@probe.steward.invalid',
    ...overrides,
  };
}

export function probe(overrides: Partial<ProbeView> = {}): ProbeView {
  return {
    id: 1,
    name: 'MAP status',
    spoke: 'MAP',
    hub: 'HubSpot',
    matchKey: 'email',
    statusField: 'lead_status',
    statusValues: ['Working', 'Qualified'],
    targetMs: 5000,
    timeoutMs: 60000,
    everyMinutes: 60,
    lastRun: probeRun(),
    nextDue: '2026-11-20T11:00:00Z',
    ...overrides,
  };
}

/** Three runs, newest first (as the backend lists them): a failed one with a lost leg, a slow
 * one, and a passed one. */
export function history(): ProbeRunView[] {
  return [
    probeRun({
      id: 3,
      startedAt: '2026-11-22T10:00:00Z',
      verdict: 'failed',
      legs: [
        leg({ ms: 900 }),
        leg({ leg: 'outbound', status: 'Working', ms: 2000 }),
        leg({
          leg: 'outbound',
          status: 'Qualified',
          ms: null,
          arrived: false,
          withinTarget: false,
          detail: 'never reached MAP within 60 s: it still says "Working"',
        }),
      ],
      cleanup: 'pending',
      cleanupDetail: '1 test records removed',
    }),
    probeRun({
      id: 2,
      startedAt: '2026-11-21T10:00:00Z',
      verdict: 'slow',
      legs: [
        leg({ ms: 1100 }),
        leg({ leg: 'outbound', status: 'Working', ms: 7500, withinTarget: false }),
        leg({ leg: 'outbound', status: 'Qualified', ms: 3000 }),
      ],
    }),
    probeRun({ id: 1 }),
  ];
}
