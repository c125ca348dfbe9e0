/** `2026-11-22T14:08:55.349Z` → `2026-11-22 14:08:55`. Audit times are shown in UTC. */
export function formatTime(rfc3339: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(rfc3339);
  return match ? `${match[1]} ${match[2]}` : rfc3339;
}

/** Audit details as `key: value` pairs, compact enough for one row. */
export function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details ?? {})
    .map(([key, value]) => `${key.replaceAll('_', ' ')}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}
