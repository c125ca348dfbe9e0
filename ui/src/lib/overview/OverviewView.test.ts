import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { listen } from '@tauri-apps/api/event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import OverviewView from './OverviewView.svelte';
import { backend, rejectWith } from '../../test/backend';
import { alert, EMPTY, overview, run } from './fixtures';
import type { AlertView, AuditOverview } from '../ipc';

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

const emit = (name: string, payload: unknown) => events.get(name)?.({ payload });
const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
const card = (key: string) => document.querySelector(`article[data-key="${key}"]`) as HTMLElement;

/** A backend holding the audit and the alerts, which the handlers given may change. */
function screenBackend(
  state: { overview: AuditOverview; alerts: AlertView[] },
  extra: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {},
) {
  return backend({
    audit_overview: () => state.overview,
    alerts: (args) => (args?.openOnly ? state.alerts.filter((a) => a.clearedAt === null) : state.alerts),
    ...extra,
  });
}

describe('OverviewView', () => {
  it('shows the four scores as big numbers, with the formula of each and of each part', async () => {
    screenBackend({ overview: overview(), alerts: [] });
    render(OverviewView);
    expect(await screen.findByRole('heading', { name: 'Completeness' })).toBeTruthy();
    const scores = screen.getByLabelText('SSOT scores');
    expect(within(scores).getAllByRole('heading', { level: 2 }).map(text)).toEqual([
      'Completeness',
      'Currency',
      'Integrity',
      'Accessibility',
    ]);
    expect(text(screen.getByLabelText('Completeness score'))).toBe('75/ 100');
    expect(text(screen.getByLabelText('Accessibility score'))).toBe('62.5/ 100');
    // The change since 2026-Q3; Integrity was not measured then.
    expect(text(card('completeness').querySelector('.delta'))).toBe('+5');
    expect(text(card('currency').querySelector('.delta'))).toBe('−2.5');
    expect(card('integrity').querySelector('.delta')).toBeNull();

    const integrity = card('integrity');
    expect(text(integrity)).toContain(
      'Integrity = 100 × mean(people not duplicated, statuses the model maps), over the parts measured',
    );
    const parts = within(screen.getByRole('list', { name: 'Integrity parts' })).getAllByRole('listitem');
    expect(parts.map(text)).toEqual([
      'people not duplicated 95.0 % (people − extra records in duplicate clusters) ÷ people = 1900 ÷ 2000 = 95.0 %',
      'statuses the model maps n/a (status values − unmapped) ÷ status values = 0 ÷ 0 = n/a (nothing to measure)',
    ]);
    // Facts beside the score, not in it.
    expect([...(card('currency').querySelector('dl')?.children ?? [])].map(text)).toEqual([
      'median sync latency (spoke → hub)',
      '2.1 s',
      'median write-back latency (hub → spoke)',
      'no probe run this quarter',
    ]);
    expect(text(document.querySelector('.subtitle'))).toBe(
      'SSOT audit of 2026-Q4, scored 2026-11-20 10:00 UTC by dana · 3 runs in all',
    );
    // The trend's legend names each requirement's newest score.
    const legend = screen.getByLabelText('Scores per quarter').querySelectorAll('figcaption > span');
    expect([...legend].map(text)).toEqual(['2026-Q4:', 'Completeness 75', 'Currency 90', 'Integrity 95', 'Accessibility 62.5']);
  });

  it('says no audit was run yet, and runs one', async () => {
    const state = { overview: EMPTY, alerts: [] as AlertView[] };
    const calls = screenBackend(state, {
      run_audit: () => {
        state.overview = { latest: run(), quarters: [run()], runs: 1 };
        return run();
      },
    });
    render(OverviewView);
    expect(await screen.findByText('No audit has been run yet.')).toBeTruthy();
    expect(screen.queryByLabelText('SSOT scores')).toBeNull();
    expect(screen.queryByRole('form', { name: 'Export audit pack' })).toBeNull();
    const empty = document.querySelector('.empty') as HTMLElement;
    await fireEvent.click(within(empty).getByRole('button', { name: 'Run audit' }));
    expect(await screen.findByText('Scored 2026-Q4 at 2026-11-20 10:00 UTC.')).toBeTruthy();
    expect(await screen.findByLabelText('SSOT scores')).toBeTruthy();
    expect(calls.filter((c) => c.command === 'run_audit')).toHaveLength(1);
    expect(text(screen.getByLabelText('Scores per quarter'))).toContain('One quarter scored so far');
  });

  it('runs the audit with R, and shows a refusal with what to do', async () => {
    screenBackend(
      { overview: overview(), alerts: [] },
      { run_audit: () => rejectWith({ code: 'forbidden', message: 'dana may not run the audit: it needs owner' }) },
    );
    render(OverviewView);
    await screen.findByLabelText('SSOT scores');
    await fireEvent.keyDown(window, { key: 'r' });
    const banner = await screen.findByRole('alert');
    expect(text(banner)).toContain('dana may not run the audit: it needs owner');
    expect(text(banner)).toContain('Ask an admin for a role that may run the audit');
    // The scores stay.
    expect(screen.getByLabelText('SSOT scores')).toBeTruthy();
  });

  it('lists the open alerts with what to do, and clears one', async () => {
    const state = {
      overview: overview(),
      alerts: [
        alert(),
        alert({ id: 8, kind: 'drift_magnet', system: 'SDR sheet', lastSeen: '2026-11-21T08:00:00Z', message: 'SDR sheet is retired but 3 records changed', nextStep: 'Find who writes to it.' }),
      ],
    };
    const calls = screenBackend(state, {
      clear_alert: (args) => {
        state.alerts = state.alerts.map((a) => (a.id === args?.id ? { ...a, clearedAt: '2026-11-22T00:00:00Z', clearedBy: 'dana' } : a));
        return null;
      },
    });
    render(OverviewView);
    const list = await screen.findByRole('list', { name: 'Open alerts' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('data-id'))).toEqual(['8', '7']);
    expect(text(items[1])).toContain('Probe failed');
    expect(text(items[1])).toContain('probe "MAP write-back": legs never reached MAP (UNQUALIFIED)');
    expect(text(items[1])).toContain('Open the probe’s history');
    expect(text(screen.getByRole('heading', { name: /Open alerts/ }))).toBe('Open alerts 2');

    await fireEvent.click(within(items[1] as HTMLElement).getByRole('button', { name: 'Clear alert 7' }));
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Open alerts' })).getAllByRole('listitem')).toHaveLength(1));
    expect(calls.find((c) => c.command === 'clear_alert')?.args).toEqual({ id: 7 });
    expect(calls.filter((c) => c.command === 'alerts').every((c) => c.args?.openOnly === true)).toBe(true);
  });

  it('shows a failed clear, and refreshes the alerts when a probe run ends', async () => {
    const state = { overview: overview(), alerts: [alert()] };
    screenBackend(state, {
      clear_alert: () => rejectWith({ code: 'not_found', message: 'no open alert 7' }),
    });
    render(OverviewView);
    const list = await screen.findByRole('list', { name: 'Open alerts' });
    state.alerts = [];
    await fireEvent.click(within(list).getByRole('button', { name: 'Clear alert 7' }));
    expect(text(await screen.findByRole('alert'))).toContain('no open alert 7');
    expect(await screen.findByText('No open alerts.')).toBeTruthy();

    // A (scheduled) probe failed again: its alert comes back.
    state.alerts = [alert({ lastSeen: '2026-11-22T10:00:00Z' })];
    emit('probe-progress', { probe: 'MAP write-back', phase: 'outbound', leg: 2, legs: 3 });
    emit('probe-progress', { probe: 'MAP write-back', phase: 'done', leg: 0, legs: 0 });
    expect(await screen.findByRole('list', { name: 'Open alerts' })).toBeTruthy();
  });

  it('exports the audit pack into the folder typed, and lists the files written', async () => {
    const calls = screenBackend(
      { overview: overview(), alerts: [] },
      {
        export_audit: (args) => [
          `${args?.dir}/findings.csv`,
          `${args?.dir}/audit-${args?.quarter ?? '2026-Q4'}.html`,
        ],
      },
    );
    render(OverviewView);
    const form = await screen.findByRole('form', { name: 'Export audit pack' });
    const button = within(form).getByRole('button', { name: 'Export audit pack' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    // E puts the keyboard in the folder box.
    await fireEvent.keyDown(window, { key: 'e' });
    const input = within(form).getByLabelText('Folder to write the audit pack into');
    expect(document.activeElement).toBe(input);
    await fireEvent.input(input, { target: { value: ' /home/dana/audit ' } });
    expect(within(form).getAllByRole('option').map(text)).toEqual(['Newest quarter', '2026-Q4', '2026-Q3']);
    await fireEvent.change(within(form).getByLabelText('Quarter'), { target: { value: '2026-Q3' } });
    await fireEvent.click(button);
    const written = await within(form).findByRole('status', { name: 'Files written' });
    expect(within(written).getAllByRole('listitem').map(text)).toEqual(['findings.csv', 'audit-2026-Q3.html']);
    expect(text(written)).toContain('in /home/dana/audit/');
    expect(calls.find((c) => c.command === 'export_audit')?.args).toEqual({ quarter: '2026-Q3', dir: '/home/dana/audit' });
  });

  it('shows an export that failed with what to do', async () => {
    screenBackend(
      { overview: overview(), alerts: [] },
      { export_audit: () => rejectWith({ code: 'io', message: '/root/audit: permission denied' }) },
    );
    render(OverviewView);
    const form = await screen.findByRole('form', { name: 'Export audit pack' });
    await fireEvent.input(within(form).getByLabelText('Folder to write the audit pack into'), { target: { value: '/root/audit' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Export audit pack' }));
    const banner = await within(form).findByRole('alert');
    expect(text(banner)).toContain('/root/audit: permission denied');
    expect(text(banner)).toContain('Check that the folder can be created and written');
  });

  it('shows why the audit or the alerts could not be read', async () => {
    backend({
      audit_overview: () => rejectWith({ code: 'workspace_unusable', message: 'the workspace is locked' }),
      alerts: () => rejectWith({ code: 'internal', message: 'alerts: no such table' }),
    });
    render(OverviewView);
    await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(2));
    const texts = screen.getAllByRole('alert').map(text);
    expect(texts[0]).toContain('the workspace is locked');
    expect(texts[1]).toContain('alerts: no such table');
  });
});
