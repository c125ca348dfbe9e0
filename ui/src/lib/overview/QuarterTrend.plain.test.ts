import { render } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import QuarterTrend from './QuarterTrend.svelte';
import { overview } from './fixtures';

// A webview where uPlot cannot load still shows the trend, as plain lines.
vi.mock('../duplicates/uplot', () => ({ loadUPlot: () => Promise.reject(new RangeError('invalid language tag: C')) }));

describe('QuarterTrend without uPlot', () => {
  it('draws plain lines, one per requirement, leaving out the quarters without a score', async () => {
    render(QuarterTrend, { props: { quarters: overview().quarters } });
    const lines = await vi.waitFor(() => {
      const found = document.querySelectorAll('svg.plain polyline');
      expect(found).toHaveLength(4);
      return found;
    });
    // 100 reaches the top (y 2), 0 the bottom (y 40); 50 half way.
    expect(lines[3]?.getAttribute('points')).toBe('0,21 100,16.25');
    expect(lines[2]?.getAttribute('points')).toBe('100,3.9');
  });
});
