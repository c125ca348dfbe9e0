import type { SyncProgress } from '../ipc';

/** "42%" with no decimals; fill rates are shares in 0–1. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** The progress line under the bar: "Contacts: 1,200 / 9,000 · 180/s · ETA 43 s". */
export function progressLine(p: SyncProgress): string {
  const total = p.total === null ? '' : ` / ${p.total.toLocaleString()}`;
  const eta = p.etaSeconds === null ? '' : ` · ETA ${formatSeconds(p.etaSeconds)}`;
  const failed = p.failed > 0 ? ` · ${p.failed.toLocaleString()} failed` : '';
  return `${p.system} · ${p.object}: ${p.done.toLocaleString()}${total} · ${Math.round(p.perSecond).toLocaleString()}/s${eta}${failed} · ${p.apiCalls.toLocaleString()} API calls`;
}

/** Share done for the bar, or null when the system could not say how many to expect. */
export function progressShare(p: SyncProgress): number | null {
  if (p.total === null || p.total === 0) return null;
  return Math.min(1, p.done / p.total);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "2026-01-03 14:05" from RFC 3339, in UTC (the workspace's times are UTC). */
export function shortTime(rfc3339: string | null): string {
  if (!rfc3339) return '—';
  return rfc3339.slice(0, 16).replace('T', ' ');
}
