import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { listen } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import DriftView from './DriftView.svelte';
import { forgetJobs } from './job.svelte';
import { backend, rejectWith } from '../../test/backend';
import { finding, fixRecord, overview, RUN } from '../../test/drift';
import { rulesView } from '../../test/rules';
import type { DriftRunView, FindingQuery, FindingView, FixReport } from '../ipc';

// jsdom has no canvas (and no layout, so the trend is never drawn).
vi.mock('uplot', () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

type Handler = (event: { payload: unknown }) => void;
let events: Map<string, Handler>;
beforeEach(() => {
  events = new Map();
  vi.mocked(listen).mockImplementation(async (name, h) => {
    events.set(name, h as Handler);
    return () => {};
  });
});
afterEach(forgetJobs);

const emit = (name: string, payload: unknown) => events.get(name)?.({ payload });

const FINDINGS: FindingView[] = [
  finding({ seq: 1 }),
  finding({ seq: 2, externalId: 'L-2', value: 'a@x.io', hubValue: 'b@x.io', fix: { ...finding().fix!, externalId: 'L-2', value: 'b@x.io' } }),
  finding({
    seq: 3,
    kind: 'conflicting_write',
    system: 'HubSpot',
    externalId: '777',
    field: 'lead_status',
    systemField: 'hs_lead_status',
    value: 'OPEN',
    hubValue: 'OPEN',
    earlierValue: 'CONNECTED',
    reason: 'integration_overwrote_authority',
    authoritySource: 'INTEGRATION',
    fix: { action: 'write', system: 'HubSpot', externalId: '777', field: 'hs_lead_status', value: 'CONNECTED', description: 'put back' },
  }),
  finding({
    seq: 4,
    kind: 'orphan',
    system: 'Portal',
    externalId: 'P-9',
    field: null,
    systemField: null,
    hubField: null,
    value: null,
    hubValue: null,
    earlierValue: null,
    reason: 'hub_archived',
    fix: { action: 'delete_copy', system: 'Portal', externalId: 'P-9', field: null, value: null, description: 'delete Portal P-9' },
  }),
  finding({
    seq: 5,
    kind: 'count_mismatch',
    system: 'Portal',
    externalId: '',
    field: null,
    systemField: null,
    hubField: null,
    value: null,
    hubValue: null,
    earlierValue: null,
    segment: 'Active accounts',
    counts: [120, 112],
    reason: 'segment_count_differs',
    fix: null,
  }),
];

/** A backend holding `all` findings, filtered and paged as drift_findings does. */
function findingsOf(all: FindingView[]) {
  return (args: Record<string, unknown> | undefined) => {
    const q = args?.query as FindingQuery;
    const rows = all.filter(
      (f) => (!q.kind || f.kind === q.kind) && (!q.system || f.system === q.system) && (!q.field || f.field === q.field),
    );
    return { total: rows.length, rows: rows.slice(q.offset, q.offset + q.limit) };
  };
}

function screenBackend(extra: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {}) {
  return backend({
    drift_overview: () => overview(),
    drift_findings: findingsOf(FINDINGS),
    rules: () => rulesView(),
    ...extra,
  });
}

const list = () => screen.getByRole('list', { name: 'Drift findings' });
const rowSeqs = () => within(list()).getAllByRole('listitem').map((li) => Number(li.querySelector('[data-seq]')?.getAttribute('data-seq')));
const queries = (calls: { command: string; args: Record<string, unknown> | undefined }[]) =>
  calls.filter((c) => c.command === 'drift_findings').map((c) => c.args?.query as FindingQuery);

async function shown() {
  await screen.findByRole('list', { name: 'Drift findings' });
}

describe('DriftView', () => {
  it('says what to do before the first run, and lists nothing', async () => {
    const calls = backend({ drift_overview: () => overview({ run: null, totals: [], trend: [], segments: [] }), rules: () => rulesView() });
    render(DriftView);
    expect(await screen.findByText('No drift measured yet.')).toBeTruthy();
    expect(screen.getByText(/Confirm the field mapping on the Rules screen/)).toBeTruthy();
    expect(calls.some((c) => c.command === 'drift_findings')).toBe(false);
  });

  it('shows the last run, the totals by kind and system, the segments and the findings', async () => {
    const calls = screenBackend();
    render(DriftView);
    await shown();
    const facts = screen.getByLabelText('Last run').textContent ?? '';
    expect(facts).toContain('12,000');
    expect(facts).toContain('9,500');
    expect(facts).toContain('v3');
    expect(facts).toContain('2.5 s');

    const matrix = screen.getByRole('table', { name: 'Findings by kind and system' });
    const total = (kind: string) => matrix.querySelector(`tfoot td[data-kind="${kind}"]`)?.textContent?.trim();
    expect(total('stale')).toBe('25');
    expect(total('orphan')).toBe('3');
    expect(total('mismatch')).toBe('·');
    expect(within(matrix).getByRole('button', { name: 'Portal' })).toBeTruthy();

    const segments = screen.getByRole('group', { name: 'Segment counts' });
    expect(segments.textContent).toContain('120');
    const portal = within(segments).getByRole('button', { name: /Portal 112/ });
    expect(portal.classList.contains('differs')).toBe(true);
    expect(portal.textContent).toContain('−8');

    expect(rowSeqs()).toEqual([1, 2, 3, 4, 5]);
    expect(screen.getByText('5 findings')).toBeTruthy();
    expect(queries(calls)[0]).toEqual({ kind: null, system: null, field: null, offset: 0, limit: 500 });
  });

  it('filters by a matrix cell, a segment count, the selects and the field', async () => {
    const calls = screenBackend();
    render(DriftView);
    await shown();
    const matrix = screen.getByRole('table', { name: 'Findings by kind and system' });
    const portalRow = matrix.querySelector('tr[data-system="Portal"]') as HTMLElement;
    await fireEvent.click(within(portalRow).getByTitle(/Orphan in Portal/));
    await waitFor(() => expect(rowSeqs()).toEqual([4]));
    expect(queries(calls).at(-1)).toMatchObject({ kind: 'orphan', system: 'Portal', offset: 0 });
    expect((screen.getByRole('combobox', { name: 'Kind' }) as HTMLSelectElement).value).toBe('orphan');

    await fireEvent.click(within(screen.getByRole('group', { name: 'Segment counts' })).getByRole('button', { name: /Portal 112/ }));
    await waitFor(() => expect(rowSeqs()).toEqual([5]));
    expect(queries(calls).at(-1)).toMatchObject({ kind: 'count_mismatch', system: 'Portal', field: null });

    await fireEvent.click(screen.getAllByRole('button', { name: 'Clear filters' })[0] as HTMLElement);
    await waitFor(() => expect(rowSeqs()).toHaveLength(5));

    await fireEvent.change(screen.getByRole('combobox', { name: 'System' }), { target: { value: 'HubSpot' } });
    await waitFor(() => expect(rowSeqs()).toEqual([3]));

    await fireEvent.change(screen.getByRole('combobox', { name: 'System' }), { target: { value: '' } });
    const field = screen.getByRole('combobox', { name: 'Canonical field' });
    // Not applied while it names no known field…
    await fireEvent.input(field, { target: { value: 'emai' } });
    await waitFor(() => expect(rowSeqs()).toHaveLength(5));
    // …and at once when it does.
    await fireEvent.input(field, { target: { value: 'email' } });
    await waitFor(() => expect(rowSeqs()).toEqual([1, 2]));
    expect(queries(calls).at(-1)).toMatchObject({ field: 'email' });
    await fireEvent.keyDown(field, { key: 'Escape' });
    await waitFor(() => expect(rowSeqs()).toHaveLength(5));
    // The rules' canonical fields are offered as the field is typed.
    const offered = [...document.querySelectorAll<HTMLOptionElement>('#drift-fields option')].map((o) => o.value);
    expect(offered).toEqual(expect.arrayContaining(['email', 'lead_status', 'last_activity_at', 'name']));
  });

  it('moves with j/k and the arrows, opens with Enter, closes with Escape, focuses the filter with /', async () => {
    screenBackend();
    render(DriftView);
    await shown();
    const current = () => Number(document.querySelector('[aria-current="true"]')?.getAttribute('data-seq'));
    expect(current()).toBe(1);
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    expect(current()).toBe(3);
    await fireEvent.keyDown(window, { key: 'k' });
    expect(current()).toBe(2);
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    await fireEvent.keyDown(window, { key: 'Enter' });

    const pane = screen.getByLabelText('Finding detail');
    expect(within(pane).getByRole('heading', { name: 'HubSpot 777' })).toBeTruthy();
    expect(pane.textContent).toContain('Conflicting write');
    expect(pane.textContent).toContain('An integration overwrote a field the hub owns');
    const evidence = within(pane).getByRole('table', { name: 'Evidence' });
    expect(within(evidence).getByText('Overwritten value')).toBeTruthy();
    expect((evidence.querySelector('[data-value="earlier"]') as HTMLElement).textContent).toBe('CONNECTED');
    expect(evidence.textContent).toContain('hs_lead_status');
    expect(pane.textContent).toContain('integration_overwrote_authority');
    expect(pane.textContent).toContain('this is the hub’s own record');
    expect(within(evidence).getByRole('rowheader', { name: 'Now in the hub' })).toBeTruthy();
    expect(within(evidence).queryByRole('rowheader', { name: 'Hub' })).toBeNull();
    expect(pane.textContent).toMatch(/Hub value set\s*2026-11-20 09:00 UTC · by INTEGRATION/);
    expect(pane.textContent).toMatch(/Write CONNECTED into HubSpot 777 hs_lead_status/);

    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(within(pane).queryByRole('heading')).toBeNull();

    await fireEvent.keyDown(window, { key: '/' });
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: 'Canonical field' }));
  });

  it('shows a stale finding’s earlier value as held before, a count mismatch’s counts, other fixes as advice', async () => {
    screenBackend();
    render(DriftView);
    await shown();
    const pane = screen.getByLabelText('Finding detail');
    await fireEvent.click(within(list()).getAllByRole('button')[0] as HTMLElement);
    expect(within(pane).getByText('Held before')).toBeTruthy();
    expect(pane.textContent).toContain('a value the authority had before');
    expect(within(pane).getByRole('checkbox', { name: 'Include in the fixes to apply' })).toBeTruthy();

    await fireEvent.click(screen.getByText('hub record 501 archived'));
    expect(pane.textContent).toContain('Its hub record is archived');
    expect(pane.textContent).toContain('Delete Portal P-9 in Portal');
    expect(within(pane).queryByRole('checkbox')).toBeNull();

    await fireEvent.click(screen.getByText('Active accounts: hub 120 · here 112'));
    expect(pane.textContent).toContain('Hub counts120');
    expect(pane.textContent).toContain('8 fewer');
    expect(pane.textContent).toContain('counts differently here than in the hub');
  });

  it('offers a checkbox on write fixes only', async () => {
    screenBackend();
    render(DriftView);
    await shown();
    const boxes = within(list()).getAllByRole('checkbox');
    expect(boxes.map((b) => b.getAttribute('aria-label'))).toEqual(['Fix MAP L-1', 'Fix MAP L-2', 'Fix HubSpot 777']);
  });

  it('applies the ticked fixes after confirming what is written where, with progress and a report', async () => {
    let finish: (report: FixReport) => void = () => {};
    const calls = screenBackend({
      apply_fixes: () => new Promise((resolve) => (finish = resolve)),
      drift_fixes: () => [],
    });
    render(DriftView);
    await shown();
    const apply = () => screen.getByRole('button', { name: /^Apply (\d+ )?fix/ });
    expect(apply()).toHaveProperty('disabled', true);
    expect(screen.getByText(/Tick the fixes to write/)).toBeTruthy();

    // With a kind filter, all shown of that kind at once; and one more by the keyboard.
    await fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: 'stale' } });
    await waitFor(() => expect(rowSeqs()).toEqual([1, 2]));
    await fireEvent.click(screen.getByRole('button', { name: 'Select all 2 shown: Stale' }));
    expect(screen.getByText((_, el) => el?.textContent === '2 fixes ticked')).toBeTruthy();
    await fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: '' } });
    await waitFor(() => expect(rowSeqs()).toHaveLength(5));
    await fireEvent.keyDown(window, { key: 'End' });
    await fireEvent.keyDown(window, { key: 'x' });
    expect(screen.getByText((_, el) => el?.textContent === '2 fixes ticked')).toBeTruthy(); // the count mismatch has no fix
    await fireEvent.click(within(list()).getByRole('checkbox', { name: 'Fix HubSpot 777' }));
    expect(screen.getByText((_, el) => el?.textContent === '3 fixes ticked')).toBeTruthy();

    await fireEvent.click(apply());
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Apply 3 fixes?');
    expect(dialog.textContent).toContain('This writes to the live systems: MAP, HubSpot.');
    const writes = within(dialog).getByRole('table', { name: 'Fixes to write' });
    const lines = within(writes)
      .getAllByRole('row')
      .slice(1)
      .map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim()).join(' '));
    expect(lines).toEqual(['MAP L-1 Email new@acme.io', 'MAP L-2 Email b@x.io', 'HubSpot 777 hs_lead_status CONNECTED']);
    expect(calls.some((c) => c.command === 'apply_fixes')).toBe(false);

    await fireEvent.click(within(dialog).getByRole('button', { name: 'Write 3 fixes' }));
    expect(calls.find((c) => c.command === 'apply_fixes')?.args).toEqual({ request: { runId: 4, seqs: [1, 2, 3] } });
    emit('fix-progress', { done: 2, total: 3 });
    await waitFor(() => {
      const bar = screen.getByRole('progressbar', { name: 'Fix progress' }) as HTMLProgressElement;
      expect(bar.value).toBeCloseTo(2 / 3);
    });
    expect(screen.getByText('Writing fixes: 2 / 3')).toBeTruthy();

    finish({
      applied: 2,
      skipped: 0,
      failed: 1,
      rows: [
        fixRecord({ id: 1 }),
        fixRecord({ id: 2, externalId: 'L-2', before: 'a@x.io', after: 'b@x.io' }),
        fixRecord({ id: 3, system: 'HubSpot', externalId: '777', field: 'hs_lead_status', status: 'failed', detail: 'HubSpot answered 403' }),
      ],
    });
    const report = await screen.findByRole('status', { name: 'Fix report' });
    expect(report.textContent).toContain('Applied 2 fixes, 1 failed.');
    expect(report.textContent).toContain('HubSpot answered 403');
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(await screen.findByText(/Tick the fixes to write/)).toBeTruthy();
  });

  it('explains a write the system refused', async () => {
    screenBackend({
      apply_fixes: () => rejectWith({ code: 'external_system', message: 'MAP refused the write (401)' }),
    });
    render(DriftView);
    await shown();
    await fireEvent.click(within(list()).getByRole('checkbox', { name: 'Fix MAP L-1' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Apply 1 fix…' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Write 1 fix' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('MAP refused the write (401)');
    expect(alert.textContent).toContain('Check the system’s connection on the Systems screen');
  });

  it('reloads the findings when a newer run replaced the ones ticked', async () => {
    let listed = 0;
    const calls = screenBackend({
      drift_overview: () => (++listed === 1 ? overview() : overview({ run: { ...RUN, id: 5 } })),
      apply_fixes: () =>
        rejectWith({
          code: 'conflict',
          message: 'these findings are from drift run 4, and run 5 has replaced them',
        }),
    });
    render(DriftView);
    await shown();
    await fireEvent.click(within(list()).getByRole('checkbox', { name: 'Fix MAP L-1' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Apply 1 fix…' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Write 1 fix' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('run 5 has replaced them');
    expect(alert.textContent).toContain('the findings are reloaded, tick the fixes again');
    await waitFor(() => expect(listed).toBe(2));
    expect(await screen.findByText(/Tick the fixes to write/)).toBeTruthy();
    expect(calls.filter((c) => c.command === 'drift_findings').length).toBeGreaterThanOrEqual(2);
  });

  it('says nothing was written when a revert is refused', async () => {
    screenBackend({
      drift_fixes: () => [fixRecord({ id: 2 })],
      revert_fix: () =>
        rejectWith({ code: 'conflict', message: 'the field changed again since the fix; not reverted (sync and look at it first)' }),
    });
    render(DriftView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Fix journal' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Revert' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revert in MAP' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the field changed again since the fix');
    expect(alert.textContent).toContain('Nothing was written. Sync the system');
  });

  it('lists the fix journal and reverts an applied fix after confirming', async () => {
    let journal = [
      fixRecord({ id: 2, status: 'applied' }),
      fixRecord({ id: 1, externalId: 'L-0', status: 'reverted' }),
    ];
    const calls = screenBackend({
      drift_fixes: () => journal,
      revert_fix: (args) => {
        const row = { ...journal[0]!, status: 'reverted' };
        journal = [row, journal[1]!];
        expect(args).toEqual({ id: 2 });
        return row;
      },
    });
    render(DriftView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Fix journal' }));
    const table = await screen.findByRole('table', { name: 'Fix journal' });
    expect(within(table).getAllByRole('button', { name: 'Revert' })).toHaveLength(1);
    await fireEvent.click(within(table).getByRole('button', { name: 'Revert' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Writes old@acme.io back into MAP L-1');
    expect(dialog.textContent).toContain('This writes to the live system.');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Revert in MAP' }));
    expect(await screen.findByText(/Reverted: MAP L-1 Email holds old@acme.io again/)).toBeTruthy();
    expect(calls.filter((c) => c.command === 'revert_fix')).toHaveLength(1);
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Fix journal' })).queryByRole('button', { name: 'Revert' })).toBeNull());
  });

  it('measures drift with a progress bar fed by events, then reloads on a fresh run', async () => {
    let finish: (run: DriftRunView) => void = () => {};
    let measured = false;
    const calls = backend({
      drift_overview: () => (measured ? overview() : overview({ run: null, totals: [], trend: [], segments: [] })),
      drift_findings: findingsOf(FINDINGS),
      rules: () => rulesView(),
      run_drift: () => new Promise((resolve) => (finish = resolve)),
    });
    render(DriftView);
    await screen.findByText('No drift measured yet.');
    expect([...events.keys()]).toEqual(['drift-progress', 'fix-progress']);
    await fireEvent.keyDown(window, { key: 'm' });
    expect(calls.filter((c) => c.command === 'run_drift')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Measure drift' })).toHaveProperty('disabled', true);
    emit('drift-progress', { stage: 'comparing', done: 3000, total: 12_000 });
    await waitFor(() => {
      const bar = screen.getByRole('progressbar', { name: 'Drift progress' }) as HTMLProgressElement;
      expect(bar.value).toBeCloseTo(0.25);
    });
    expect(screen.getByText('Comparing fields (3 of 4): 3,000 / 12,000')).toBeTruthy();
    measured = true;
    finish(RUN);
    expect(await screen.findByText(/Found 38 findings over 12,000 records \(9,500 linked to the hub\)/)).toBeTruthy();
    await shown();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('cancels a run and keeps the last findings', async () => {
    let fail: (error: unknown) => void = () => {};
    const calls = screenBackend({
      run_drift: () => new Promise((_resolve, reject) => (fail = reject)),
      cancel_drift: () => {
        fail({ code: 'cancelled', message: 'drift was cancelled; nothing changed' });
        return true;
      },
    });
    render(DriftView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Measure drift' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(calls.filter((c) => c.command === 'cancel_drift')).toHaveLength(1);
    expect(await screen.findByText('Measuring was cancelled. Nothing changed; press Measure drift to run again.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(rowSeqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('still shows a run under way after leaving the screen and coming back', async () => {
    let finish: (run: DriftRunView) => void = () => {};
    let measured = false;
    backend({
      drift_overview: () => (measured ? overview() : overview({ run: null, totals: [], trend: [], segments: [] })),
      drift_findings: findingsOf(FINDINGS),
      rules: () => rulesView(),
      run_drift: () => new Promise((resolve) => (finish = resolve)),
    });
    const first = render(DriftView);
    await screen.findByText('No drift measured yet.');
    await fireEvent.click(screen.getByRole('button', { name: 'Measure drift' }));
    first.unmount();

    render(DriftView);
    await screen.findByText('No drift measured yet.');
    expect(screen.getByRole('progressbar', { name: 'Drift progress' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Measure drift' })).toHaveProperty('disabled', true);
    measured = true;
    finish(RUN);
    await shown();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('sends a run refused for want of a mapping to the Rules screen', async () => {
    screenBackend({
      run_drift: () =>
        rejectWith({
          code: 'invalid_input',
          message: 'no field mapping is confirmed yet: review the suggestions on the Rules screen (or run `steward rules suggest --accept --why …`) first',
        }),
    });
    render(DriftView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Measure drift' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no field mapping is confirmed yet');
    expect(alert.textContent).toContain('Open the Rules screen (Alt+6) and accept the suggested mapping');
  });

  it('shows an overview that cannot be loaded with what to do next', async () => {
    backend({
      drift_overview: () => rejectWith({ code: 'workspace_unusable', message: 'the workspace is damaged' }),
      rules: () => rulesView(),
    });
    render(DriftView);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('restore this one from a backup');
  });

  it('renders a window of 100,000 findings and loads the next page as the cursor nears the end', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      finding({ seq: i + 1, externalId: `L-${i + 1}`, kind: i % 3 ? 'stale' : 'divergent' }),
    );
    const calls = screenBackend({ drift_findings: findingsOf(many) });
    render(DriftView);
    await shown();
    expect(within(list()).getAllByRole('listitem').length).toBeLessThan(60);
    expect(screen.getByText('500 of 100,000 findings loaded')).toBeTruthy();
    const spacer = list().firstElementChild as HTMLElement;
    expect(spacer.style.height).toBe(`${500 * 28}px`);

    await fireEvent.keyDown(window, { key: 'End' });
    await waitFor(() => expect(screen.getByText('1,000 of 100,000 findings loaded')).toBeTruthy());
    expect(queries(calls).map((q) => q.offset)).toEqual([0, 500]);
    expect(within(list()).getAllByRole('listitem').length).toBeLessThan(60);
    // The cursor's row was scrolled into view, and stays the cursor.
    await fireEvent.scroll(list());
    expect(document.querySelector('[aria-current="true"]')?.getAttribute('data-seq')).toBe('500');
  });
});
