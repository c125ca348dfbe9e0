import { render, screen } from '@testing-library/svelte';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type uPlot from 'uplot';
import TrendChart from './TrendChart.svelte';
import type { TrendPoint } from '../ipc';

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

const TREND: TrendPoint[] = [
  { runId: 1, at: '2026-11-20T10:00:00Z', counts: [{ kind: 'stale', count: 30 }, { kind: 'orphan', count: 0 }] },
  { runId: 2, at: '2026-11-21T10:00:00Z', counts: [{ kind: 'stale', count: 25 }, { kind: 'orphan', count: 4 }] },
];

describe('TrendChart', () => {
  it('draws one line per kind found, over the runs’ times, in the kind’s colour', async () => {
    render(TrendChart, { props: { trend: TREND } });
    await vi.waitFor(() => expect(plots.made).toHaveLength(1));
    const plot = plots.made.at(-1);
    const [xs, stale, orphan] = plot?.data[0] ?? [];
    expect(xs).toEqual([Date.UTC(2026, 10, 20, 10) / 1000, Date.UTC(2026, 10, 21, 10) / 1000]);
    expect(stale).toEqual([30, 25]);
    expect(orphan).toEqual([0, 4]);
    expect(plot?.opts.series.slice(1).map((s) => s.label)).toEqual(['Stale', 'Orphan']);
    expect(plot?.opts.series[1]?.stroke).toBe('#1f6f6b');
    expect(plot?.opts.scales?.x?.time).toBe(true);
    // Few runs: a tick at each, labelled with its day and time (UTC).
    const axis = plot?.opts.axes?.[0];
    const u0 = { scales: { x: { min: xs?.[0], max: xs?.[1] } } } as unknown as uPlot;
    const splits = (axis?.splits as () => number[])();
    expect(splits).toEqual(xs);
    expect((axis?.values as (u: uPlot, s: number[]) => string[])(u0, splits)).toEqual(['11-20 10:00', '11-21 10:00']);
    // The legend names each line.
    expect(screen.getByText('2 runs, the last:')).toBeTruthy();
    expect(screen.getByText('Orphan 4')).toBeTruthy();

    // Hovering a run names its counts.
    const u = { cursor: { idx: 1 } } as unknown as uPlot;
    plot?.opts.hooks?.setCursor?.forEach((hook) => hook?.(u));
    expect(await screen.findByText(/Run 2026-11-21 10:00 UTC:/)).toBeTruthy();
    expect(document.querySelector('figcaption')?.textContent).toContain('Stale 25');
  });

  it('says so when there are not two runs to draw a trend between', () => {
    render(TrendChart, { props: { trend: [] } });
    expect(screen.getByText('No runs yet.')).toBeTruthy();
  });

  it('gives the only run’s counts without a chart', async () => {
    const before = plots.made.length;
    render(TrendChart, { props: { trend: TREND.slice(1) } });
    expect(screen.getByText(/One run so far/)).toBeTruthy();
    expect(screen.getByText('Stale 25')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(plots.made).toHaveLength(before);
  });
});
