import { describe, expect, it } from 'vitest';
import { formatSeconds, percent, progressLine, progressShare, shortTime } from './format';

const progress = {
  system: 'HubSpot',
  object: 'person',
  done: 1200,
  total: 9000,
  failed: 0,
  perSecond: 180.4,
  etaSeconds: 43.2,
  apiCalls: 25,
};

describe('inventory formatting', () => {
  it('writes the progress line and the bar share', () => {
    expect(progressLine(progress)).toBe(
      'HubSpot · person: 1,200 / 9,000 · 180/s · ETA 43 s · 25 API calls',
    );
    expect(progressShare(progress)).toBeCloseTo(1200 / 9000);
    expect(progressShare({ ...progress, total: null })).toBeNull();
    expect(progressLine({ ...progress, total: null, etaSeconds: null, failed: 3 })).toBe(
      'HubSpot · person: 1,200 · 180/s · 3 failed · 25 API calls',
    );
  });

  it('rounds shares, durations and times', () => {
    expect(percent(0.456)).toBe('46%');
    expect(formatSeconds(89)).toBe('89 s');
    expect(formatSeconds(600)).toBe('10 min');
    expect(formatSeconds(7200)).toBe('2.0 h');
    expect(shortTime('2026-01-03T14:05:09.000Z')).toBe('2026-01-03 14:05');
    expect(shortTime(null)).toBe('—');
  });
});
