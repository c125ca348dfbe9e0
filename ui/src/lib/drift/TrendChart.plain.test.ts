import { render } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import TrendChart from './TrendChart.svelte';

// A webview where uPlot cannot load still shows the trend, as plain lines.
vi.mock('../duplicates/uplot', () => ({ loadUPlot: () => Promise.reject(new RangeError('invalid language tag: C')) }));

describe('TrendChart without uPlot', () => {
  it('draws plain lines, one per kind', async () => {
    render(TrendChart, {
      props: {
        trend: [
          { runId: 1, at: '2026-11-20T10:00:00Z', counts: [{ kind: 'stale', count: 30 }, { kind: 'divergent', count: 2 }] },
          { runId: 2, at: '2026-11-21T10:00:00Z', counts: [{ kind: 'stale', count: 15 }, { kind: 'divergent', count: 0 }] },
        ],
      },
    });
    const lines = await vi.waitFor(() => {
      const found = document.querySelectorAll('svg.plain polyline');
      expect(found).toHaveLength(2);
      return found;
    });
    // The highest count reaches the top; half of it, half way.
    expect(lines[0]?.getAttribute('points')).toBe('0,2 100,21');
  });
});
