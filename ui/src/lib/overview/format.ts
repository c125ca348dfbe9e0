// What the Overview shows, computed from the audit runs: score texts, the trend per quarter
// and the alerts' labels. Kept here, apart from the components, so it is tested directly.
import type { AlertView, AuditRunView, PartView } from '../ipc';

/** The four requirements, in the audit's order, each with its colour on the trend. */
export const REQUIREMENTS: readonly { key: string; label: string; colour: string }[] = [
  { key: 'completeness', label: 'Completeness', colour: '#1f6f6b' },
  { key: 'currency', label: 'Currency', colour: '#3b6fb6' },
  { key: 'integrity', label: 'Integrity', colour: '#a35b00' },
  { key: 'accessibility', label: 'Accessibility', colour: '#7a4fa0' },
];

export function requirementColour(key: string): string {
  return REQUIREMENTS.find((r) => r.key === key)?.colour ?? '#5f6d75';
}

/** A score out of 100 as its big number: "75", "62.5"; "—" when nothing was measured. */
export function scoreText(score: number | null): string {
  if (score === null || !Number.isFinite(score)) return '—';
  return (Math.round(score * 10) / 10).toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** A part's share: "72.4 %", or "n/a" when there was nothing to measure. */
export function shareText(part: Pick<PartView, 'share'>): string {
  if (part.share === null || !Number.isFinite(part.share)) return 'n/a';
  return `${(part.share * 100).toFixed(1)} %`;
}

/** The change of a score since the quarter before: "+4.5", "−2", "±0"; null without both. */
export function deltaText(now: number | null, before: number | null): string | null {
  if (now === null || before === null) return null;
  const d = Math.round((now - before) * 10) / 10;
  if (d === 0) return '±0';
  const n = Math.abs(d).toLocaleString('en-US', { maximumFractionDigits: 1 });
  return d > 0 ? `+${n}` : `−${n}`;
}

/** The score of requirement `key` in `run`, or null. */
export function scoreOf(run: AuditRunView | null | undefined, key: string): number | null {
  return run?.requirements.find((r) => r.key === key)?.score ?? null;
}

export type QuarterTrend = {
  /** The quarters, oldest first ("2026-Q3"). */
  quarters: string[];
  /** One series per requirement scored in any quarter; null where a quarter has no score. */
  series: { key: string; label: string; colour: string; scores: (number | null)[] }[];
};

/** The scores per quarter (the newest run of each, as the backend gives them). */
export function quarterTrend(runs: readonly AuditRunView[]): QuarterTrend {
  const ordered = [...runs].sort((a, b) => a.quarter.localeCompare(b.quarter));
  const keys: { key: string; label: string }[] = REQUIREMENTS.map(({ key, label }) => ({ key, label }));
  for (const run of ordered)
    for (const r of run.requirements) if (!keys.some((k) => k.key === r.key)) keys.push({ key: r.key, label: r.label });
  const series = keys
    .map(({ key, label }) => ({
      key,
      label: ordered.flatMap((run) => run.requirements).find((r) => r.key === key)?.label ?? label,
      colour: requirementColour(key),
      scores: ordered.map((run) => scoreOf(run, key)),
    }))
    .filter((s) => s.scores.some((v) => v !== null));
  return { quarters: ordered.map((r) => r.quarter), series };
}

const ALERT_KINDS: Record<string, string> = {
  probe_failed: 'Probe failed',
  probe_slow: 'Probe slow',
  drift_magnet: 'Retired system written',
};

export function alertKind(kind: string): string {
  return ALERT_KINDS[kind] ?? kind.replace(/_/g, ' ');
}

/** Open alerts first (newest seen first), then the cleared ones. */
export function sortAlerts(alerts: readonly AlertView[]): AlertView[] {
  return [...alerts].sort(
    (a, b) =>
      Number(a.clearedAt !== null) - Number(b.clearedAt !== null) || b.lastSeen.localeCompare(a.lastSeen),
  );
}

/** The file name of a path written, for the list of files an export wrote. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}
