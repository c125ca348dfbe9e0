import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { listen } from '@tauri-apps/api/event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import DuplicatesView from './DuplicatesView.svelte';
import { forgetJob } from './job.svelte';
import { backend, rejectWith } from '../../test/backend';
import type {
  ClusterDetail,
  ClusterSummary,
  DuplicatesProgress,
  DuplicatesView as View,
  MatchRunView,
} from '../ipc';

// jsdom has no canvas (and no layout, so the chart is never built): ScoreChart.test.ts tests it.
vi.mock('uplot', () => ({
  default: class {
    static paths = { bars: () => () => null };
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

afterEach(forgetJob);

const run: MatchRunView = {
  id: 3,
  finishedAt: '2026-11-22T10:01:00Z',
  records: 2000,
  pairsCompared: 45_000,
  threshold: 0.9,
  seconds: 3.2,
  clusters: 4,
  duplicateRecords: 9,
};

const cluster = (id: number, score: number, systems: string[], label: string, size = 2): ClusterSummary => ({
  cluster: id,
  score,
  size,
  systems,
  label,
});

const CLUSTERS = [
  cluster(11, 0.999, ['HubSpot', 'MAP'], 'Ann Lee', 3),
  cluster(12, 0.97, ['HubSpot'], 'Bob Stone'),
  cluster(13, 0.93, ['MAP', 'Events'], 'Anna Berg'),
  cluster(14, 0.91, ['Events'], 'carl@acme.io'),
];

const view = (clusters = CLUSTERS, withRun: MatchRunView | null = run): View => ({ run: withRun, clusters });

const DETAIL: ClusterDetail = {
  cluster: CLUSTERS[0] as ClusterSummary,
  members: [
    {
      recordId: 1,
      system: 'HubSpot',
      externalId: '501',
      values: [
        { column: 'first_name', field: 'firstname', value: 'Ann' },
        { column: 'last_name', field: 'lastname', value: 'Lee' },
        { column: 'email', field: 'email', value: 'ann.lee@acme.io' },
        { column: 'company', field: 'company', value: 'Acme' },
        { column: 'domain', field: 'company.domain', value: 'acme.io' },
      ],
    },
    {
      recordId: 2,
      system: 'MAP',
      externalId: 'L-77',
      values: [
        { column: 'first_name', field: 'First Name', value: 'Annie' },
        { column: 'last_name', field: 'Last Name', value: 'Lee' },
        { column: 'email', field: 'Email', value: 'annlee@acme.io' },
        { column: 'company', field: 'Company', value: 'Globex' },
        { column: 'domain', field: 'Website', value: 'globex.com' },
      ],
    },
    {
      recordId: 3,
      system: 'HubSpot',
      externalId: '502',
      values: [
        { column: 'full_name', field: 'name', value: 'Ann L.' },
        { column: 'phone', field: 'phone', value: '+44 20 7946 0000' },
      ],
    },
  ],
  links: [
    {
      left: 1,
      right: 2,
      // −1.3 + 3.2 + 4 + 5.1 + 0.5 − 2.5 = 9 bits: 2⁹ / (1 + 2⁹) = 0.998.
      probability: 512 / 513,
      alternative: 'colleagues',
      priorBits: -1.3,
      evidence: [
        { comparison: 'first_name', columns: ['first_name', 'full_name'], level: 'nickname', bits: 3.2 },
        { comparison: 'last_name', columns: ['last_name', 'full_name'], level: 'same', bits: 4 },
        { comparison: 'email', columns: ['email'], level: 'same mailbox, other spelling', bits: 5.1 },
        { comparison: 'phone', columns: ['phone'], level: 'missing', bits: 0.5 },
        { comparison: 'company', columns: ['company', 'domain'], level: 'different', bits: -2.5 },
      ],
    },
    {
      left: 1,
      right: 3,
      // −4 + 4 + 0 + 1.2 + 2.4 + 0.6 = 4.2 bits.
      probability: 2 ** 4.2 / (1 + 2 ** 4.2),
      alternative: 'namesakes',
      priorBits: -4,
      evidence: [
        { comparison: 'first_name', columns: ['first_name', 'full_name'], level: 'same', bits: 4 },
        { comparison: 'last_name', columns: ['last_name', 'full_name'], level: 'missing', bits: 0 },
        { comparison: 'email', columns: ['email'], level: 'missing', bits: 1.2 },
        { comparison: 'phone', columns: ['phone'], level: 'missing', bits: 2.4 },
        { comparison: 'company', columns: ['company', 'domain'], level: 'missing', bits: 0.6 },
      ],
    },
  ],
};

const list = () => screen.getByRole('list', { name: 'Duplicate clusters' });
const rows = () => within(list()).getAllByRole('listitem').map((li) => li.querySelector('.label')?.textContent);

async function shown() {
  await screen.findByRole('list', { name: 'Duplicate clusters' });
}

describe('DuplicatesView', () => {
  it('says what to do before the first run', async () => {
    backend({ duplicates: () => view([], null) });
    render(DuplicatesView);
    expect(await screen.findByText('No duplicates found yet.')).toBeTruthy();
    expect(screen.getByText(/Sync the systems first on the Inventory screen/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Find duplicates' })).toBeTruthy();
  });

  it('lists clusters strongest first with the last run and the score chart', async () => {
    backend({ duplicates: () => view() });
    render(DuplicatesView);
    await shown();
    expect(rows()).toEqual(['Ann Lee', 'Bob Stone', 'Anna Berg', 'carl@acme.io']);
    const first = within(list()).getAllByRole('listitem')[0] as HTMLElement;
    expect(first.textContent).toContain('99.9%');
    expect(within(first).getByText('MAP')).toBeTruthy();
    const facts = screen.getByLabelText('Last run').textContent ?? '';
    expect(facts).toContain('2,000');
    expect(facts).toContain('45,000');
    expect(facts).toContain('3.2 s');
    expect(screen.getByText('4 clusters')).toBeTruthy();
  });

  it('filters by system, confidence and name, with counts', async () => {
    backend({ duplicates: () => view() });
    render(DuplicatesView);
    await shown();
    const systems = screen.getByRole('group', { name: 'Systems' });
    await fireEvent.click(within(systems).getByRole('button', { name: /^MAP/ }));
    expect(rows()).toEqual(['Ann Lee', 'Anna Berg']);
    expect(screen.getByText('2 of 4 clusters')).toBeTruthy();

    await fireEvent.click(within(systems).getByRole('button', { name: /^Events/ }));
    expect(rows()).toEqual(['Ann Lee', 'Anna Berg', 'carl@acme.io']);
    await fireEvent.change(screen.getByRole('combobox', { name: 'How chosen systems combine' }), {
      target: { value: 'all' },
    });
    expect(rows()).toEqual(['Anna Berg']);
    await fireEvent.click(screen.getAllByRole('button', { name: 'Clear filters' })[0] as HTMLElement);
    expect(screen.getByText('4 clusters')).toBeTruthy();

    await fireEvent.input(screen.getByRole('slider', { name: 'Minimum confidence' }), { target: { value: '0.95' } });
    expect(rows()).toEqual(['Ann Lee', 'Bob Stone']);
    expect(screen.getByText('95.0%')).toBeTruthy();

    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter by name' }), { target: { value: 'ANN' } });
    expect(rows()).toEqual(['Ann Lee']);
    expect(screen.getByText('1 of 4 clusters')).toBeTruthy();

    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter by name' }), { target: { value: 'nobody' } });
    expect(screen.getByText(/No cluster matches these filters/)).toBeTruthy();
  });

  it('moves the selection with the arrow keys and opens it with Enter', async () => {
    const calls = backend({
      duplicates: () => view(),
      duplicate_cluster: (args) => ({ ...DETAIL, cluster: CLUSTERS.find((c) => c.cluster === args?.cluster) }),
    });
    render(DuplicatesView);
    await shown();
    const current = () => document.querySelector('[aria-current="true"] .label')?.textContent;
    expect(current()).toBe('Ann Lee');
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    expect(current()).toBe('Anna Berg');
    await fireEvent.keyDown(window, { key: 'ArrowUp' });
    expect(current()).toBe('Bob Stone');
    await fireEvent.keyDown(window, { key: 'End' });
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    expect(current()).toBe('carl@acme.io');
    await fireEvent.keyDown(window, { key: 'Home' });
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    expect(calls.some((c) => c.command === 'duplicate_cluster')).toBe(false);
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(calls.find((c) => c.command === 'duplicate_cluster')?.args).toEqual({ cluster: 12 });
    expect(await screen.findByRole('heading', { name: 'Bob Stone' })).toBeTruthy();

    // After a click the row keeps focus; Enter still opens the row the cursor moved to.
    const clicked = screen.getByText('Anna Berg').closest('button') as HTMLElement;
    await fireEvent.click(clicked);
    await fireEvent.keyDown(clicked, { key: 'ArrowDown' });
    await fireEvent.keyDown(clicked, { key: 'Enter' });
    expect(calls.filter((c) => c.command === 'duplicate_cluster').map((c) => c.args?.cluster)).toEqual([12, 13, 14]);
    expect(await screen.findByRole('heading', { name: 'carl@acme.io' })).toBeTruthy();
  });

  it('shows the records side by side, tinted by the evidence, and the links with their evidence', async () => {
    backend({ duplicates: () => view(), duplicate_cluster: () => DETAIL });
    render(DuplicatesView);
    await shown();
    await fireEvent.click(screen.getByText('Ann Lee'));
    const table = await screen.findByRole('table', { name: 'Records of the cluster' });
    const headers = within(table).getAllByRole('columnheader').map((th) => th.textContent ?? '');
    expect(headers[1]).toContain('HubSpot');
    expect(headers[1]).toContain('501');
    expect(headers[2]).toContain('L-77');
    expect(headers).toHaveLength(4);

    const cell = (record: number, column: string) =>
      table.querySelector(`td[data-column="${column}"]:nth-child(${record + 1})`) as HTMLElement;
    // Member 1 and 2 share their strongest link: its evidence tints both.
    expect(cell(1, 'email').classList.contains('agree')).toBe(true);
    expect(cell(2, 'email').classList.contains('agree')).toBe(true);
    expect(cell(2, 'company').classList.contains('disagree')).toBe(true);
    expect(cell(1, 'first_name').classList.contains('agree')).toBe(true);
    // Which cells a comparison speaks about is the backend's `columns`: the company
    // comparison reads the web domain too, the first-name one the full name.
    expect(cell(1, 'domain').classList.contains('disagree')).toBe(true);
    expect(cell(2, 'domain').classList.contains('disagree')).toBe(true);
    expect(cell(2, 'domain').title).toContain('company: different −2.5 bits');
    // Member 3 has a full name but no first name: the first names compared were its.
    expect(cell(3, 'full_name').classList.contains('agree')).toBe(true);
    expect(cell(3, 'full_name').title).toContain('first_name: same +4.0 bits');
    // Empty cells stay neutral; so does a value whose comparison said "missing" (the other
    // record has none), though that level carries bits: they are in its tooltip.
    expect(cell(3, 'first_name').className).not.toMatch(/agree|disagree/);
    expect(cell(3, 'email').className).not.toMatch(/agree|disagree/);
    expect(cell(3, 'phone').className).not.toMatch(/agree|disagree/);
    expect(cell(3, 'phone').title).toContain('phone: missing +2.4 bits (one side has no value)');
    // The system's own field name is beside each value.
    expect(cell(2, 'first_name').textContent).toContain('First Name');
    expect(cell(2, 'first_name').title).toContain('first_name: nickname +3.2 bits');

    const links = screen.getByRole('list', { name: 'Links of the cluster' });
    const evidence = within(links).getByRole('list', { name: 'Evidence of HubSpot 501 and MAP L-77' });
    const lines = within(evidence)
      .getAllByRole('listitem')
      .map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    // What the link was weighed against and the prior, each comparison, and their sum.
    expect(lines).toEqual([
      'prior vs colleagues −1.3',
      'first_name nickname +3.2',
      'last_name same +4.0',
      'email same mailbox, other spelling +5.1',
      'phone missing +0.5',
      'company different −2.5',
      '= +9.0 bits → 99.8%',
    ]);
    expect(links.textContent).toContain('vs namesakes');

    // The bars add up: each starts where the one before it ended, and the total runs from
    // zero to where the last one ended.
    const spans = within(evidence)
      .getAllByRole('listitem')
      .map((li) => {
        const step = li.querySelector('.step') as HTMLElement;
        const left = parseFloat(step.style.left);
        const right = left + parseFloat(step.style.width);
        const up = step.classList.contains('plus');
        return { from: up ? left : right, to: up ? right : left };
      });
    const zero = parseFloat((evidence.querySelector('.zero') as HTMLElement).style.left);
    expect(spans[0]?.from).toBeCloseTo(zero);
    for (let i = 1; i < spans.length - 1; i += 1) expect(spans[i]?.from).toBeCloseTo(spans[i - 1]?.to ?? NaN);
    const total = spans[spans.length - 1];
    expect(total?.from).toBeCloseTo(zero);
    expect(total?.to).toBeCloseTo(spans[spans.length - 2]?.to ?? NaN);

    // Picking the second link tints only its two records, by its evidence.
    await fireEvent.click(within(links).getByRole('button', { name: /HubSpot 501 ↔ HubSpot 502/ }));
    expect(cell(2, 'company').className).not.toMatch(/disagree/);
    expect(cell(2, 'company').classList.contains('out')).toBe(true);
    expect(cell(1, 'first_name').classList.contains('agree')).toBe(true);
    expect(cell(1, 'email').className).not.toMatch(/agree/);
    await fireEvent.click(within(links).getByRole('button', { name: /HubSpot 501 ↔ HubSpot 502/ }));
    expect(cell(2, 'company').classList.contains('disagree')).toBe(true);
  });

  it('finds duplicates with a progress bar fed by events, then reloads', async () => {
    let handler: ((event: { payload: DuplicatesProgress }) => void) | undefined;
    vi.mocked(listen).mockImplementation(async (_name, h) => {
      handler = h as typeof handler;
      return () => {};
    });
    let finish: (value: MatchRunView) => void = () => {};
    let listed = 0;
    const calls = backend({
      duplicates: () => {
        listed += 1;
        return listed === 1 ? view([], null) : view();
      },
      find_duplicates: () => new Promise((resolve) => (finish = resolve)),
    });
    render(DuplicatesView);
    await screen.findByText('No duplicates found yet.');
    expect(vi.mocked(listen).mock.calls[0]?.[0]).toBe('duplicates-progress');
    await fireEvent.keyDown(window, { key: 'f' });
    expect(calls.filter((c) => c.command === 'find_duplicates')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Find duplicates' })).toHaveProperty('disabled', true);

    handler?.({ payload: { stage: 'comparing', done: 30_000, total: 45_000 } });
    await waitFor(() => {
      const bar = screen.getByRole('progressbar', { name: 'Matching progress' }) as HTMLProgressElement;
      expect(bar.value).toBeCloseTo(2 / 3);
    });
    expect(screen.getByText('Comparing pairs (3 of 6): 30,000 / 45,000')).toBeTruthy();
    // A late report of the same stage does not move the bar back.
    handler?.({ payload: { stage: 'comparing', done: 20_000, total: 45_000 } });
    handler?.({ payload: { stage: 'saving', done: 0, total: 4 } });
    expect(await screen.findByText('Saving clusters (6 of 6): 4 clusters')).toBeTruthy();

    finish(run);
    expect(await screen.findByText(/Found 4 clusters holding 9 of 2,000 records/)).toBeTruthy();
    await shown();
    expect(listed).toBe(2);
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('cancels a run and keeps the last clusters', async () => {
    let fail: (error: unknown) => void = () => {};
    const calls = backend({
      duplicates: () => view(),
      find_duplicates: () => new Promise((_resolve, reject) => (fail = reject)),
      cancel_duplicates: () => {
        fail({ code: 'cancelled', message: 'matching was cancelled; nothing changed' });
        return true;
      },
    });
    render(DuplicatesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Find duplicates' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(calls.filter((c) => c.command === 'cancel_duplicates')).toHaveLength(1);
    expect(
      await screen.findByText('Matching was cancelled. Nothing changed; press Find duplicates to run again.'),
    ).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(rows()).toEqual(['Ann Lee', 'Bob Stone', 'Anna Berg', 'carl@acme.io']);
  });

  it('repeats a cancel pressed before the run had started', async () => {
    let handler: ((event: { payload: DuplicatesProgress }) => void) | undefined;
    vi.mocked(listen).mockImplementation(async (_name, h) => {
      handler = h as typeof handler;
      return () => {};
    });
    let fail: (error: unknown) => void = () => {};
    let asked = 0;
    backend({
      duplicates: () => view(),
      find_duplicates: () => new Promise((_resolve, reject) => (fail = reject)),
      // The first request comes before the backend registered the run: not taken.
      cancel_duplicates: () => ++asked > 1,
    });
    render(DuplicatesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Find duplicates' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByRole('button', { name: 'Cancelling…' })).toHaveProperty('disabled', true);
    handler?.({ payload: { stage: 'normalising', done: 10, total: 100 } });
    handler?.({ payload: { stage: 'normalising', done: 20, total: 100 } });
    await waitFor(() => expect(asked).toBe(2));
    handler?.({ payload: { stage: 'normalising', done: 30, total: 100 } });
    expect(asked).toBe(2);
    fail({ code: 'cancelled', message: 'matching was cancelled; nothing changed' });
    expect(await screen.findByText(/Matching was cancelled/)).toBeTruthy();
  });

  it('still shows a run under way after leaving the screen and coming back', async () => {
    let finish: (value: MatchRunView) => void = () => {};
    let listed = 0;
    backend({
      duplicates: () => (++listed < 3 ? view([], null) : view()),
      find_duplicates: () => new Promise((resolve) => (finish = resolve)),
    });
    const first = render(DuplicatesView);
    await screen.findByText('No duplicates found yet.');
    await fireEvent.click(screen.getByRole('button', { name: 'Find duplicates' }));
    first.unmount();

    render(DuplicatesView);
    await screen.findByText('No duplicates found yet.');
    expect(screen.getByRole('progressbar', { name: 'Matching progress' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Find duplicates' })).toHaveProperty('disabled', true);
    finish(run);
    await shown();
    expect(screen.getByText(/Found 4 clusters/)).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('explains a run refused because another is under way', async () => {
    backend({
      duplicates: () => view(),
      find_duplicates: () =>
        rejectWith({ code: 'conflict', message: 'duplicates are already being found; wait for it to finish or cancel it' }),
    });
    render(DuplicatesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Find duplicates' }));
    expect(
      await screen.findByText('Duplicates are already being found — wait for that run or cancel it.'),
    ).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.body.textContent).not.toContain('Choose another name');
  });

  it('shows a failed run with what to do next', async () => {
    backend({
      duplicates: () => view(),
      find_duplicates: () => rejectWith({ code: 'io', message: 'the workspace could not be written' }),
    });
    render(DuplicatesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Find duplicates' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the workspace could not be written');
    expect(alert.textContent).toContain('Check that the workspace folder exists');
  });

  it('shows a run failed by a bug with the generic next step: a bug report', async () => {
    backend({
      duplicates: () => view(),
      find_duplicates: () => rejectWith({ code: 'internal', message: 'the matcher failed' }),
    });
    render(DuplicatesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Find duplicates' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the matcher failed');
    expect(alert.textContent).toContain('Copy this message into a bug report');
  });

  it('reloads the list when a cluster was replaced by a newer run, and says so', async () => {
    let listed = 0;
    backend({
      duplicates: () => (++listed === 1 ? view() : view(CLUSTERS.slice(1))),
      duplicate_cluster: () => rejectWith({ code: 'not_found', message: 'no duplicate cluster 11: find duplicates again' }),
    });
    render(DuplicatesView);
    await shown();
    await fireEvent.click(screen.getByText('Ann Lee'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no duplicate cluster 11');
    expect(alert.textContent).toContain('A newer run replaced these clusters');
    expect(listed).toBe(2);
    expect(rows()).toEqual(['Bob Stone', 'Anna Berg', 'carl@acme.io']);
  });

  it('shows a list that cannot be loaded with what to do next', async () => {
    backend({ duplicates: () => rejectWith({ code: 'workspace_unusable', message: 'the workspace is damaged' }) });
    render(DuplicatesView);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the workspace is damaged');
    expect(alert.textContent).toContain('restore this one from a backup');
  });

  it('renders only the visible rows of 100,000 clusters', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      cluster(i + 1, 1 - i / 200_000, i % 2 ? ['HubSpot'] : ['MAP'], `person ${i}`),
    );
    backend({ duplicates: () => view(many) });
    render(DuplicatesView);
    await shown();
    expect(within(list()).getAllByRole('listitem').length).toBeLessThan(60);
    expect(screen.getByText('100,000 clusters')).toBeTruthy();
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter by name' }), { target: { value: 'person 9999' } });
    expect(screen.getByText('11 of 100,000 clusters')).toBeTruthy();
  });
});
