// Pure helpers of the Probes screen: the words and numbers shown, the add-probe form, the
// progress line and the latency chart's data. No Svelte, no IPC: each is tested on its own.
import type { NextSteps } from '../errors/hints';
import type { LegView, ProbeProgress, ProbeRequest, ProbeRunView, ProbeView } from '../ipc';

// ---------------------------------------------------------------- numbers and words

/** A latency: "850 ms" under a second, "2.4 s" under 100 s, else "124 s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return seconds < 100 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}

/** A target or timeout in seconds as typed: "5 s", "2.5 s". */
export function secondsText(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** "every 15 min", "every 2 h", "daily", or "manual" for a probe without a schedule. */
export function scheduleText(everyMinutes: number | null): string {
  if (everyMinutes === null || everyMinutes <= 0) return 'manual';
  if (everyMinutes === 1) return 'every minute';
  if (everyMinutes === 1440) return 'daily';
  if (everyMinutes % 1440 === 0) return `every ${everyMinutes / 1440} days`;
  if (everyMinutes === 60) return 'hourly';
  if (everyMinutes % 60 === 0) return `every ${everyMinutes / 60} h`;
  return `every ${everyMinutes} min`;
}

export const VERDICTS = ['passed', 'slow', 'failed', 'cancelled', 'running'] as const;

const VERDICT_LABELS: Record<string, string> = {
  passed: 'Passed',
  slow: 'Slow',
  failed: 'Failed',
  cancelled: 'Cancelled',
  running: 'Running',
};

/** A run's verdict as shown in its chip; `null` (no run yet) is "Never run". */
export function verdictLabel(verdict: string | null | undefined): string {
  if (!verdict) return 'Never run';
  return VERDICT_LABELS[verdict] ?? verdict;
}

const CLEANUP_LABELS: Record<string, string> = {
  done: 'Removed',
  pending: 'Pending',
  failed: 'Failed',
};

/** Whether the run's test records are gone from both systems. */
export function cleanupLabel(cleanup: string): string {
  return CLEANUP_LABELS[cleanup] ?? cleanup;
}

export function cleanupExplain(cleanup: string): string {
  switch (cleanup) {
    case 'done':
      return 'The test records are gone from both systems.';
    case 'pending':
      return 'The test lead may still travel through the integration: the next run of this probe removes it.';
    case 'failed':
      return 'Steward could not remove every test record: the next run tries again (they are found by their tag).';
    default:
      return '';
  }
}

/** The identity of a leg across runs: the inbound leg, or the status an outbound leg sends. */
export function legKey(leg: Pick<LegView, 'leg' | 'status'>): string {
  return leg.leg === 'inbound' ? 'inbound' : `outbound:${leg.status ?? ''}`;
}

/** "Inbound" (the test lead, spoke → hub) or "→ Qualified" (a status sent hub → spoke). */
export function legLabel(key: string): string {
  if (key === 'inbound') return 'Inbound';
  return `→ ${key.slice('outbound:'.length)}`;
}

/** The legs a probe's runs have, in order: inbound, then its statuses as defined, then any
 * other status its older runs sent. */
export function legKeys(probe: Pick<ProbeView, 'statusValues'> | null, runs: readonly ProbeRunView[]): string[] {
  const keys = ['inbound', ...(probe?.statusValues ?? []).map((s) => `outbound:${s}`)];
  for (const run of [...runs].reverse()) {
    for (const leg of run.legs) {
      const key = legKey(leg);
      if (!keys.includes(key)) keys.push(key);
    }
  }
  return keys;
}

/** A leg's cell: its latency and whether it met the target, or "lost" and why. */
export function legCell(leg: LegView | undefined): { text: string; state: 'ok' | 'slow' | 'lost' | 'none'; detail: string | null } {
  if (!leg) return { text: '—', state: 'none', detail: null };
  if (!leg.arrived || leg.ms === null) return { text: 'lost', state: 'lost', detail: leg.detail };
  return { text: formatMs(leg.ms), state: leg.withinTarget ? 'ok' : 'slow', detail: leg.detail };
}

/** "3 of 4 legs within 5 s", for a run's summary. */
export function runSummary(run: ProbeRunView, targetMs: number): string {
  if (run.error) return run.error;
  if (run.legs.length === 0) return verdictLabel(run.verdict);
  const within = run.legs.filter((l) => l.withinTarget).length;
  const lost = run.legs.filter((l) => !l.arrived).length;
  const parts = [`${within} of ${run.legs.length} ${run.legs.length === 1 ? 'leg' : 'legs'} within ${secondsText(targetMs)}`];
  if (lost > 0) parts.push(`${lost} lost`);
  return parts.join(', ');
}

// ---------------------------------------------------------------- progress

/** "Leg 2 of 4: waiting for Qualified in MAP". */
export function phaseLine(p: ProbeProgress, probe: Pick<ProbeView, 'spoke' | 'hub' | 'statusValues'> | null): string {
  const spoke = probe?.spoke ?? 'the spoke';
  const hub = probe?.hub ?? 'the hub';
  const of = p.legs > 0 ? `Leg ${p.leg} of ${p.legs}: ` : '';
  switch (p.phase) {
    case 'creating':
      return `Creating the test lead in ${spoke}`;
    case 'inbound':
      return `${of}waiting for the test lead in ${hub}`;
    case 'outbound': {
      const status = probe?.statusValues[p.leg - 2];
      return `${of}${status ? `${status} sent,` : 'status sent,'} waiting for it in ${spoke}`;
    }
    case 'cleanup':
      return 'Removing the test records from both systems';
    case 'done':
      return 'Done';
    default:
      return p.phase;
  }
}

/** Share of the legs done, for the bar; null (an indeterminate bar) while cleaning up. */
export function phaseShare(p: ProbeProgress): number | null {
  if (p.phase === 'done') return 1;
  if (p.legs <= 0) return null;
  if (p.phase === 'creating') return 0;
  return Math.min(1, Math.max(0, (p.leg - 1) / p.legs));
}

// ---------------------------------------------------------------- the add-probe form

export type ProbeForm = {
  name: string;
  spoke: string;
  matchKey: string;
  statusField: string;
  /** Comma-separated canonical statuses. */
  statusValues: string;
  targetSeconds: string | number;
  timeoutSeconds: string | number;
  /** Empty: run by hand only. */
  everyMinutes: string | number;
};

export const EMPTY_PROBE: ProbeForm = {
  name: '',
  spoke: '',
  matchKey: 'email',
  statusField: 'lead_status',
  statusValues: '',
  targetSeconds: 60,
  timeoutSeconds: 300,
  everyMinutes: '',
};

/** "Qualified, Working ,, Won" → ["Qualified", "Working", "Won"]. */
export function parseStatuses(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function numberOf(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.trim();
  if (text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** What is wrong with the form before it is sent, or null. The backend checks the rest
 * (the fields mapped, the statuses known to the status model). */
export function probeProblem(form: ProbeForm): string | null {
  const name = form.name.trim();
  if (!name) return 'Name the probe.';
  if (name.length > 64) return 'Name: at most 64 characters.';
  if (!form.spoke) return 'Pick the spoke whose integration is probed.';
  if (!form.matchKey.trim()) return 'Match key: the canonical field the test lead is found by (email).';
  if (!form.statusField.trim()) return 'Status field: the canonical status field (lead_status).';
  if (parseStatuses(form.statusValues).length === 0) return 'Status values: name at least one status to send, separated by commas.';
  const target = numberOf(form.targetSeconds);
  if (target === null || target <= 0) return 'Target: a positive number of seconds.';
  const timeout = numberOf(form.timeoutSeconds);
  if (timeout === null || timeout <= 0) return 'Timeout: a positive number of seconds.';
  if (timeout < target) return 'Timeout: at least the target (a leg is lost once the timeout passes).';
  if (timeout > 3600) return 'Timeout: at most an hour (3600 s): a run waits this long for each leg.';
  const every = typeof form.everyMinutes === 'string' && form.everyMinutes.trim() === '' ? null : numberOf(form.everyMinutes);
  if (every !== null && (!Number.isInteger(every) || every < 5 || every > 10_080)) {
    return 'Every: a whole number of minutes from 5 to 10080 (a week), or empty to run it by hand.';
  }
  return null;
}

export function toRequest(form: ProbeForm): ProbeRequest {
  const every = typeof form.everyMinutes === 'string' && form.everyMinutes.trim() === '' ? null : numberOf(form.everyMinutes);
  return {
    name: form.name.trim(),
    spoke: form.spoke,
    matchKey: form.matchKey.trim(),
    statusField: form.statusField.trim(),
    statusValues: parseStatuses(form.statusValues),
    targetSeconds: numberOf(form.targetSeconds) ?? 0,
    timeoutSeconds: numberOf(form.timeoutSeconds) ?? 0,
    everyMinutes: every,
  };
}

// ---------------------------------------------------------------- errors

/** Next steps on this screen, over the generic ones where those would mislead here. */
export const PROBE_STEPS = {
  forbidden: 'Ask an admin to grant you the role named above on the Governance screen (Roles).',
  conflict: 'A probe is already running — wait for it or cancel it. A probe with test records left must run once more before it is removed.',
  cancelled: 'Nothing is left behind: the test records were removed. Run the probe again when ready.',
  not_found: 'Refresh: the probe may have been removed from another window or the CLI.',
  invalid_input: 'Correct what the message names: map the fields and define the status values on the Rules screen (Alt+6) first.',
  external_system:
    'Check that both systems are reachable and their credentials are right, then run the probe again: leftovers are swept first.',
} as const satisfies NextSteps;

// ---------------------------------------------------------------- the latency chart

export type LatencySeries = {
  key: string;
  label: string;
  /** Latency in seconds per run; null where the leg was lost or not sent. */
  seconds: (number | null)[];
  /** The timeout (seconds) where the leg was lost, for a marker at the top; null elsewhere. */
  lost: (number | null)[];
};

export type LatencyData = {
  /** Run start times, in seconds since the epoch (uPlot's time scale), oldest first. */
  xs: number[];
  /** The runs drawn, in the same order. */
  runs: ProbeRunView[];
  /** One per leg, in `legKeys` order; legs never sent in any run drawn are left out. */
  series: LatencySeries[];
  targetSeconds: number;
  timeoutSeconds: number;
  /** The top of the y scale: the slowest latency, the target or (with a lost leg) the timeout. */
  top: number;
};

/** The chart's data from a probe's history (newest first, as the backend lists it): runs
 * that timed no leg (cancelled, could not start, still running) are left out. */
export function latencyData(probe: Pick<ProbeView, 'statusValues' | 'targetMs' | 'timeoutMs'>, history: readonly ProbeRunView[]): LatencyData {
  const runs = [...history].filter((r) => r.legs.length > 0).reverse();
  const xs = runs.map((r) => Math.floor(new Date(r.startedAt).getTime() / 1000));
  const timeoutSeconds = probe.timeoutMs / 1000;
  const targetSeconds = probe.targetMs / 1000;
  const series = legKeys(probe, runs)
    .map((key) => {
      const legs = runs.map((r) => r.legs.find((l) => legKey(l) === key));
      return {
        key,
        label: legLabel(key),
        seconds: legs.map((l) => (l && l.arrived && l.ms !== null ? l.ms / 1000 : null)),
        lost: legs.map((l) => (l && (!l.arrived || l.ms === null) ? timeoutSeconds : null)),
      };
    })
    .filter((s) => s.seconds.some((v) => v !== null) || s.lost.some((v) => v !== null));
  const slowest = Math.max(0, ...series.flatMap((s) => s.seconds.filter((v): v is number => v !== null)));
  const anyLost = series.some((s) => s.lost.some((v) => v !== null));
  const top = Math.max(slowest, targetSeconds, anyLost ? timeoutSeconds : 0, 0.001);
  return { xs, runs, series, targetSeconds, timeoutSeconds, top };
}

/** Colours of the legs, in order (the inbound leg first); the target is drawn in grey. */
export const LEG_COLOURS = ['#1f6f6b', '#3867b4', '#8a5cb8', '#b07400', '#2f8f5b', '#b3475f', '#5a6f7d'];

export function legColour(index: number): string {
  return LEG_COLOURS[index % LEG_COLOURS.length] as string;
}
