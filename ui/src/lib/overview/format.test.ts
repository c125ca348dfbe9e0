import { describe, expect, it } from 'vitest';
import { alertKind, deltaText, fileName, quarterTrend, scoreOf, scoreText, shareText, sortAlerts } from './format';
import { alert, overview, run } from './fixtures';

describe('overview format', () => {
  it('writes a score as its big number, to one decimal at most', () => {
    expect(scoreText(75)).toBe('75');
    expect(scoreText(62.5)).toBe('62.5');
    expect(scoreText(83.333)).toBe('83.3');
    expect(scoreText(null)).toBe('—');
  });

  it('writes a part’s share as a percentage, or n/a with nothing measured', () => {
    expect(shareText({ share: 0.724 })).toBe('72.4 %');
    expect(shareText({ share: null })).toBe('n/a');
  });

  it('writes the change since the quarter before, signed', () => {
    expect(deltaText(75, 70)).toBe('+5');
    expect(deltaText(90, 92.5)).toBe('−2.5');
    expect(deltaText(50, 50)).toBe('±0');
    expect(deltaText(95, null)).toBeNull();
    expect(deltaText(null, 10)).toBeNull();
  });

  it('lays the scores out per quarter, oldest first, a gap where a quarter has none', () => {
    const o = overview();
    const trend = quarterTrend([...o.quarters].reverse());
    expect(trend.quarters).toEqual(['2026-Q3', '2026-Q4']);
    expect(trend.series.map((s) => s.key)).toEqual(['completeness', 'currency', 'integrity', 'accessibility']);
    expect(trend.series.map((s) => s.scores)).toEqual([
      [70, 75],
      [92.5, 90],
      [null, 95],
      [50, 62.5],
    ]);
    expect(trend.series[0]?.colour).toBe('#1f6f6b');
    expect(scoreOf(o.latest, 'integrity')).toBe(95);
    expect(scoreOf(null, 'integrity')).toBeNull();
  });

  it('leaves out a requirement never scored', () => {
    const r = run();
    const trend = quarterTrend([{ ...r, requirements: r.requirements.map((q) => ({ ...q, score: q.key === 'currency' ? null : q.score })) }]);
    expect(trend.series.map((s) => s.key)).toEqual(['completeness', 'integrity', 'accessibility']);
  });

  it('names alert kinds, and lists open alerts first, newest seen first', () => {
    expect(alertKind('probe_failed')).toBe('Probe failed');
    expect(alertKind('drift_magnet')).toBe('Retired system written');
    expect(alertKind('something_new')).toBe('something new');
    const sorted = sortAlerts([
      alert({ id: 1, lastSeen: '2026-11-01T00:00:00Z', clearedAt: '2026-11-02T00:00:00Z' }),
      alert({ id: 2, lastSeen: '2026-11-03T00:00:00Z' }),
      alert({ id: 3, lastSeen: '2026-11-05T00:00:00Z' }),
    ]);
    expect(sorted.map((a) => a.id)).toEqual([3, 2, 1]);
  });

  it('names the file of a path written', () => {
    expect(fileName('/home/dana/audit/audit-2026-Q4.html')).toBe('audit-2026-Q4.html');
    expect(fileName('C:\\audit\\findings.csv')).toBe('findings.csv');
  });
});
