import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ScoreChart from './ScoreChart.svelte';
import { histogram } from './format';

// A webview where uPlot cannot load still shows the distribution, as plain bars.
vi.mock('./uplot', () => ({ loadUPlot: () => Promise.reject(new RangeError('invalid language tag: C')) }));

describe('ScoreChart without uPlot', () => {
  it('draws plain bars that set the minimum confidence', async () => {
    const onpick = vi.fn();
    render(ScoreChart, {
      props: { all: histogram([0.91, 0.97, 0.99]), shown: histogram([0.99]), from: 18, threshold: 0.9, onpick },
    });
    const bars = await vi.waitFor(() => {
      const found = document.querySelectorAll<HTMLButtonElement>('.plain-bar');
      expect(found).toHaveLength(2);
      return found;
    });
    expect(bars[1]?.title).toBe('95.0% and up: 2 clusters, 1 shown');
    await fireEvent.click(bars[1] as HTMLButtonElement);
    expect(onpick).toHaveBeenCalledWith(0.95);
    expect(screen.getByText(/90\.0%–95\.0%: 1/)).toBeTruthy();
  });
});
