import { render, screen } from '@testing-library/svelte';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type uPlot from 'uplot';
import QuarterTrend from './QuarterTrend.svelte';
import { overview } from './fixtures';

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

describe('QuarterTrend', () => {
  it('draws one line per requirement over the quarters, 0 to 100, a tick per quarter', async () => {
    render(QuarterTrend, { props: { quarters: overview().quarters } });
    await vi.waitFor(() => expect(plots.made).toHaveLength(1));
    const plot = plots.made.at(-1);
    const [xs, completeness, currency, integrity, accessibility] = plot?.data[0] ?? [];
    expect(xs).toEqual([0, 1]);
    expect(completeness).toEqual([70, 75]);
    expect(currency).toEqual([92.5, 90]);
    expect(integrity).toEqual([null, 95]);
    expect(accessibility).toEqual([50, 62.5]);
    expect(plot?.opts.series.slice(1).map((s) => s.label)).toEqual(['Completeness', 'Currency', 'Integrity', 'Accessibility']);
    expect(plot?.opts.series[1]?.stroke).toBe('#1f6f6b');
    expect(plot?.opts.series[3]?.spanGaps).toBe(true);
    expect(plot?.opts.scales?.x?.time).toBe(false);
    const u = {} as uPlot;
    expect((plot?.opts.scales?.y?.range as unknown as (u: uPlot, min: number, max: number) => number[])(u, 40, 80)).toEqual([0, 100]);
    // Each quarter has its tick, labelled with its name.
    const axis = plot?.opts.axes?.[0];
    const splits = (axis?.splits as () => number[])();
    expect(splits).toEqual([0, 1]);
    expect((axis?.values as (u: uPlot, s: number[]) => string[])(u, splits)).toEqual(['2026-Q3', '2026-Q4']);

    // The legend gives the newest quarter; hovering one gives its scores.
    const caption = () =>
      [...document.querySelectorAll('figcaption > span')].map((s) => s.textContent?.replace(/\s+/g, ' ').trim());
    expect(caption()).toEqual(['2026-Q4:', 'Completeness 75', 'Currency 90', 'Integrity 95', 'Accessibility 62.5']);
    const hover = { cursor: { idx: 0 } } as unknown as uPlot;
    plot?.opts.hooks?.setCursor?.forEach((hook) => hook?.(hover));
    await vi.waitFor(() =>
      expect(caption()).toEqual(['2026-Q3:', 'Completeness 70', 'Currency 92.5', 'Integrity —', 'Accessibility 50']),
    );
  });

  it('gives the only quarter’s scores without a chart', async () => {
    const before = plots.made.length;
    render(QuarterTrend, { props: { quarters: overview().quarters.slice(1) } });
    expect(screen.getByText(/One quarter scored so far/)).toBeTruthy();
    expect(screen.getByText('Completeness 75')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(plots.made).toHaveLength(before);
  });

  it('says so when no quarter is scored', () => {
    render(QuarterTrend, { props: { quarters: [] } });
    expect(screen.getByText('No quarter scored yet.')).toBeTruthy();
    expect(document.querySelector('figcaption')).toBeNull();
  });
});
