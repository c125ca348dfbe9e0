import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type uPlot from 'uplot';
import ScoreChart from './ScoreChart.svelte';
import { histogram } from './format';
import { usableLanguage } from './uplot';

// jsdom has no canvas: a stand-in uPlot keeps the options and data it was given.
const plots = vi.hoisted(() => ({ made: [] as { opts: uPlot.Options; data: uPlot.AlignedData[] }[] }));
vi.mock('uplot', () => ({
  default: class {
    static paths = { bars: () => () => null };
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

describe('ScoreChart', () => {
  it('draws every bucket from the first one, all clusters beside the shown ones', async () => {
    const all = histogram([0.91, 0.93, 0.97, 0.99, 0.995]);
    const shown = histogram([0.97, 0.99]);
    const onpick = vi.fn();
    const { rerender } = render(ScoreChart, { props: { all, shown, from: 18, threshold: 0.9, onpick } });
    // uPlot loads on first use.
    await vi.waitFor(() => expect(plots.made).toHaveLength(1));
    const plot = plots.made.at(-1);
    const [xs, allSeries, shownSeries] = plot?.data[0] ?? [];
    expect(xs).toEqual([0.925, 0.975].map((x) => expect.closeTo(x, 9)));
    expect(allSeries).toEqual([2, 3]);
    expect(shownSeries).toEqual([0, 2]);

    await rerender({ all, shown: histogram([0.99]), from: 18, threshold: 0.9, onpick });
    expect(plot?.data.at(-1)?.[2]).toEqual([0, 1]);

    // Hovering the second bar and clicking sets the minimum confidence to where it starts.
    const u = { cursor: { idx: 1 } } as unknown as uPlot;
    plot?.opts.hooks?.setCursor?.forEach((hook) => hook?.(u));
    expect(await screen.findByText(/95\.0%–100\.0%: 3 clusters, 1 shown/)).toBeTruthy();
    await fireEvent.click(document.querySelector('.plot') as HTMLElement);
    expect(onpick).toHaveBeenCalledWith(0.95);
  });

  it('gives uPlot a language Intl accepts, whatever the webview reports', () => {
    expect(usableLanguage('C')).toBe('en-US');
    expect(usableLanguage(undefined)).toBe('en-US');
    expect(usableLanguage('de-DE')).toBe('de-DE');
  });
});
