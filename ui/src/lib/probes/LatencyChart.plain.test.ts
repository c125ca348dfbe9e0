import { render } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import LatencyChart from './LatencyChart.svelte';
import { history, probe } from './fixtures';

// A webview where uPlot cannot load still shows the latencies, as plain lines.
vi.mock('../duplicates/uplot', () => ({ loadUPlot: () => Promise.reject(new RangeError('invalid language tag: C')) }));

describe('LatencyChart without uPlot', () => {
  it('draws plain lines per leg, broken where a leg was lost, with its mark and the target', async () => {
    render(LatencyChart, { props: { probe: probe(), history: history() } });
    const paths = await vi.waitFor(() => {
      const found = document.querySelectorAll('svg.plain path.leg');
      expect(found).toHaveLength(3);
      return found;
    });
    // The scale tops at 66 s (the 60 s timeout and a margin): 40 − s / 66 × 38.
    const y = (s: number) => 40 - (s / 66) * 38;
    expect(paths[0]?.getAttribute('d')).toBe(`M0,${y(1.2)} L50,${y(1.1)} L100,${y(0.9)}`);
    // Qualified was lost in the last run: its line stops before it.
    expect(paths[2]?.getAttribute('d')).toBe(`M0,${y(3.1)} L50,${y(3)}`);
    const lost = document.querySelectorAll('svg.plain circle.lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.getAttribute('data-leg')).toBe('outbound:Qualified');
    expect(lost[0]?.getAttribute('cx')).toBe('100');
    expect(document.querySelector('svg.plain line.target')?.getAttribute('y1')).toBe(String(y(5)));
  });
});
