import { render, screen } from '@testing-library/svelte';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type uPlot from 'uplot';
import LatencyChart from './LatencyChart.svelte';
import { history, probe } from './fixtures';

// jsdom has no canvas: a stand-in uPlot keeps the options and data it was given.
const plots = vi.hoisted(() => ({ made: [] as { opts: uPlot.Options; data: uPlot.AlignedData[] }[] }));
vi.mock('uplot', () => ({
  default: class {
    entry: { opts: uPlot.Options; data: uPlot.AlignedData[] };
    constructor(opts: uPlot.Options, data: uPlot.AlignedData) {
      this.entry = { opts, data: [data] };
      plots.made.push(this.entry);
    }
    setData(data: uPlot.AlignedData) {
      this.entry.data.push(data);
    }
    setSize() {}
    destroy() {}
  },
}));

// …and no layout: give the chart room so it is drawn.
const width = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth');
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
});
afterAll(() => {
  if (width) Object.defineProperty(HTMLElement.prototype, 'clientWidth', width);
});

describe('LatencyChart', () => {
  it('draws a line per leg, a mark per lost leg and the target as a dashed line', async () => {
    render(LatencyChart, { props: { probe: probe(), history: history() } });
    await vi.waitFor(() => expect(plots.made).toHaveLength(1));
    const plot = plots.made.at(-1);
    const labels = plot?.opts.series.slice(1).map((s) => s.label);
    expect(labels).toEqual([
      'Inbound',
      '→ Working',
      '→ Qualified',
      'Inbound lost',
      '→ Working lost',
      '→ Qualified lost',
      'Target',
    ]);
    const [xs, inbound, working, qualified, , , qualifiedLost, target] = plot?.data[0] ?? [];
    expect(xs).toHaveLength(3);
    expect(inbound).toEqual([1.2, 1.1, 0.9]);
    expect(working).toEqual([2.4, 7.5, 2]);
    expect(qualified).toEqual([3.1, 3, null]);
    expect(qualifiedLost).toEqual([null, null, 60]);
    expect(target).toEqual([5, 5, 5]);
    const targetSeries = plot?.opts.series.at(-1);
    expect(targetSeries?.dash).toEqual([4, 4]);
    // Lost marks are points only, filled red.
    const lost = plot?.opts.series[6];
    expect((lost?.paths as () => null)()).toBeNull();
    expect((lost?.points as { fill: string }).fill).toBe('#b3261e');
    // The y scale reaches past the timeout, where the lost mark sits.
    const range = plot?.opts.scales?.y?.range as () => [number, number];
    expect(range()[1]).toBeCloseTo(66);

    expect(screen.getByText('Target 5 s')).toBeTruthy();

    // Hovering a run names each leg's latency, and the lost one.
    const u = { cursor: { idx: 2 } } as unknown as uPlot;
    plot?.opts.hooks?.setCursor?.forEach((hook) => hook?.(u));
    expect(await screen.findByText(/Run 2026-11-22 10:00 UTC, failed:/)).toBeTruthy();
    const caption = document.querySelector('figcaption')?.textContent ?? '';
    expect(caption).toContain('Inbound 900 ms');
    expect(caption).toContain('→ Qualified lost');
  });

  it('says so when no run timed a leg yet', () => {
    render(LatencyChart, { props: { probe: probe(), history: [] } });
    expect(screen.getByText(/No timed run yet/)).toBeTruthy();
  });
});
