// The uPlot lifecycle the charts share, so that each keeps only its options, data and
// read-outs. uPlot is loaded on first use (`plain` when it cannot be). The plot is built once
// its box has room, rebuilt when its shape (the series drawn, which uPlot cannot change in
// place) changes, else resized and fed data; `hovered` is the index under the cursor. Call it
// while the component is set up, and bind `box` and `width` to the plot's element.
import { onDestroy, onMount, untrack } from 'svelte';
import type uPlot from 'uplot';
import { loadUPlot } from '../duplicates/uplot';
import { axisTime, TICKED_RUNS } from '../drift/format';

export function uplotChart(config: {
  height: number;
  shape: () => unknown;
  data: () => uPlot.AlignedData;
  /** The chart's options; `Plot` is there for its path builders. */
  options: (width: number, Plot: typeof uPlot) => uPlot.Options;
}) {
  const chart: { box?: HTMLDivElement; width: number; hovered: number | null; plain: boolean } = $state({
    width: 0,
    hovered: null,
    plain: false,
  });
  let UPlot = $state.raw<typeof uPlot | null>(null);
  let plot: uPlot | null = null;
  let built: unknown;

  onMount(() => {
    loadUPlot().then(
      (loaded) => (UPlot = loaded),
      () => (chart.plain = true),
    );
  });

  function create(Plot: typeof uPlot, target: HTMLDivElement, width: number): uPlot {
    const opts = config.options(width, Plot);
    const track = (u: uPlot) => (chart.hovered = u.cursor.idx ?? null);
    const hooks = { ...opts.hooks, setCursor: [...(opts.hooks?.setCursor ?? []), track] };
    return new Plot({ ...opts, hooks }, config.data(), target);
  }

  $effect(() => {
    if (!UPlot || !chart.box || chart.width <= 0) return;
    if (!plot || built !== config.shape()) {
      const [make, target, w] = [UPlot, chart.box, chart.width];
      plot?.destroy();
      plot = untrack(() => create(make, target, w));
      built = config.shape();
    } else {
      plot.setSize({ width: chart.width, height: config.height });
    }
  });
  $effect(() => {
    const next = config.data();
    if (built === config.shape()) plot?.setData(next);
  });
  onDestroy(() => plot?.destroy());

  return chart;
}

/** A theme colour from app.css, for the canvas (which cannot read CSS variables itself). */
export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** A time x axis over runs: a few runs get a tick each, many get uPlot's ticks as dates (or
 * times within two days). `xs` are the runs' times in seconds. */
export function runTimeAxis(
  xs: readonly number[],
  style: { font: string; muted: string; grid: string },
): uPlot.Axis {
  const few = xs.length <= TICKED_RUNS;
  return {
    font: style.font,
    stroke: style.muted,
    size: 22,
    gap: 2,
    space: 70,
    grid: { show: false },
    ticks: { size: 3, stroke: style.grid },
    splits: few ? () => [...xs] : undefined,
    values: (u, splits) => {
      const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
      const mode = few ? 'run' : span < 2 * 86_400 ? 'hours' : 'days';
      return splits.map((v) => axisTime(v, mode));
    },
  };
}
