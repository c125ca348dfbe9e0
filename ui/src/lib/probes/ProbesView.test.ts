import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { listen } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import ProbesView from './ProbesView.svelte';
import { forgetJob } from './job.svelte';
import { backend, rejectWith, system } from '../../test/backend';
import { history, leg, probe, probeRun } from './fixtures';
import type { AlertView, ProbeRequest, ProbeRunView, ProbeView } from '../ipc';

// jsdom has no canvas (and no layout, so the latency chart is never drawn).
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
afterEach(forgetJob);

const emit = (name: string, payload: unknown) => events.get(name)?.({ payload });
const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
type Args = Record<string, unknown> | undefined;

function probes(): ProbeView[] {
  return [
    probe(),
    probe({
      id: 2,
      name: 'Portal status',
      spoke: 'Portal',
      statusValues: ['Won'],
      targetMs: 30000,
      everyMinutes: null,
      nextDue: null,
      lastRun: probeRun({ id: 7, probe: 'Portal status', verdict: 'failed' }),
    }),
    probe({ id: 3, name: 'Events', spoke: 'Events sheet', statusValues: ['Working'], lastRun: null }),
  ];
}

const SYSTEMS = [
  system(),
  system({ id: 2, name: 'MAP', kind: 'marketing', role: 'spoke' }),
  system({ id: 3, name: 'Portal', kind: 'rest', role: 'spoke' }),
];

function screenBackend(extra: Record<string, (args: Args) => unknown> = {}, list: () => ProbeView[] = probes) {
  return backend({
    probes: list,
    list_systems: () => SYSTEMS,
    alerts: () => [],
    probe_history: (args) => (args?.name === 'MAP status' ? history() : []),
    ...extra,
  });
}

const rowOf = (name: string) => document.querySelector(`.probe-row[data-name="${name}"]`) as HTMLElement;
const current = () => document.querySelector('.probe-row[aria-current="true"]')?.getAttribute('data-name');
const pane = () => screen.getByLabelText('Probe detail');

async function shown() {
  await screen.findByRole('list', { name: 'Probes' });
}

describe('ProbesView', () => {
  it('lists the probes: route, statuses, target, schedule, last verdict and next due', async () => {
    screenBackend();
    render(ProbesView);
    await shown();
    const first = rowOf('MAP status');
    expect(text(first.querySelector('.systems'))).toBe('MAP ⇄ HubSpot');
    expect(text(first.querySelector('.statuses'))).toBe('Working, Qualified');
    expect(text(first.querySelector('.target'))).toBe('5 s');
    expect(text(first.querySelector('.schedule'))).toBe('hourly');
    expect(first.querySelector('.verdict')?.className).toContain('verdict-passed');
    expect(text(first.querySelector('.verdict'))).toBe('Passed');
    expect(text(first.querySelector('.due'))).toBe('2026-11-20 11:00');
    const portal = rowOf('Portal status');
    expect(text(portal.querySelector('.verdict'))).toBe('Failed');
    expect(portal.querySelector('.verdict')?.className).toContain('verdict-failed');
    expect(text(portal.querySelector('.schedule'))).toBe('manual');
    expect(text(portal.querySelector('.due'))).toBe('—');
    expect(text(rowOf('Events').querySelector('.verdict'))).toBe('Never run');
    expect(screen.getByText('3 probes')).toBeTruthy();
  });

  it('says what to do before the first probe', async () => {
    screenBackend({}, () => []);
    render(ProbesView);
    expect(await screen.findByText('No probe defined yet.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Run now' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('moves with j/k, opens with Enter: the runs with each leg, the target met, lost legs and cleanup', async () => {
    const calls = screenBackend();
    render(ProbesView);
    await shown();
    expect(current()).toBe('MAP status');
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'j' });
    expect(current()).toBe('Events');
    await fireEvent.keyDown(window, { key: 'j' });
    expect(current()).toBe('Events');
    await fireEvent.keyDown(window, { key: 'k' });
    await fireEvent.keyDown(window, { key: 'ArrowUp' });
    expect(current()).toBe('MAP status');
    await fireEvent.keyDown(window, { key: 'Enter' });

    const runs = await within(pane()).findByRole('table', { name: 'Runs of MAP status' });
    expect(calls.filter((c) => c.command === 'probe_history').map((c) => c.args)).toEqual([{ name: 'MAP status', limit: 50 }]);
    expect(rowOf('MAP status').classList.contains('open')).toBe(true);
    const heads = [...runs.querySelectorAll('th')].map(text);
    expect(heads).toEqual(['Started (UTC)', 'Verdict', 'Inbound', '→ Working', '→ Qualified', 'Test records', 'By']);
    const row = (id: number) => runs.querySelector(`tr[data-run="${id}"]`) as HTMLElement;
    const cell = (id: number, k: string) => row(id).querySelector(`td[data-leg="${k}"]`) as HTMLElement;
    expect(text(row(3).querySelector('.verdict'))).toBe('Failed');
    expect(text(cell(3, 'inbound'))).toBe('900 ms ✓');
    expect(cell(3, 'inbound').querySelector('[aria-label="met the target"]')).toBeTruthy();
    expect(text(cell(2, 'outbound:Working'))).toBe('7.5 s ✗');
    expect(cell(2, 'outbound:Working').classList.contains('leg-slow')).toBe(true);
    const lost = cell(3, 'outbound:Qualified');
    expect(lost.classList.contains('leg-lost')).toBe(true);
    expect(text(lost)).toBe('lost never reached MAP within 60 s: it still says "Working"');
    expect(text(row(3).querySelector('.cleanup'))).toBe('Pending 1 test records removed');
    expect(text(row(1).querySelector('.cleanup'))).toBe('Removed 2 test records removed');
    // The chart sits above the table.
    expect(within(pane()).getByRole('figure', { name: 'Latency per leg across runs' })).toBeTruthy();

    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(pane().textContent).toContain('Pick a probe');
  });

  it('runs the selected probe with r: a progress bar by leg, then the result in the history', async () => {
    let finish: (run: ProbeRunView) => void = () => {};
    let runs = history();
    const done = probeRun({ id: 4, startedAt: '2026-11-23T10:00:00Z', legs: [leg({ ms: 700 }), leg({ leg: 'outbound', status: 'Working', ms: 1500 }), leg({ leg: 'outbound', status: 'Qualified', ms: 1800 })] });
    const calls = screenBackend({
      probe_history: () => runs,
      run_probe: () =>
        new Promise<ProbeRunView>((resolve) => {
          finish = resolve;
        }),
    });
    render(ProbesView);
    await shown();
    await fireEvent.keyDown(window, { key: 'r' });
    expect(calls.filter((c) => c.command === 'run_probe').map((c) => c.args)).toEqual([{ name: 'MAP status' }]);
    expect(await screen.findByLabelText('Probe progress')).toBeTruthy();
    expect(document.querySelector('.progress')?.textContent).toContain('connecting to both systems');
    emit('probe-progress', { probe: 'MAP status', phase: 'inbound', leg: 1, legs: 3 });
    await waitFor(() => expect(document.querySelector('.progress')?.textContent).toContain('Leg 1 of 3: waiting for the test lead in HubSpot'));
    // Another probe's report (a scheduled run) is not this run's.
    emit('probe-progress', { probe: 'Portal status', phase: 'outbound', leg: 2, legs: 2 });
    emit('probe-progress', { probe: 'MAP status', phase: 'outbound', leg: 3, legs: 3 });
    await waitFor(() => expect(document.querySelector('.progress')?.textContent).toContain('Leg 3 of 3: Qualified sent, waiting for it in MAP'));
    const bar = screen.getByLabelText('Probe progress') as HTMLProgressElement;
    expect(Number(bar.value)).toBeCloseTo(2 / 3);
    // r again does not start a second run.
    await fireEvent.keyDown(window, { key: 'r' });
    expect(calls.filter((c) => c.command === 'run_probe')).toHaveLength(1);

    runs = [done, ...history()];
    finish(done);
    const result = await screen.findByRole('status', { name: 'Probe result' });
    expect(text(result)).toContain('Passed MAP status: 3 of 3 legs within 5 s. Test records: removed.');
    await waitFor(() => expect(document.querySelector('tr[data-run="4"]')).toBeTruthy());
    expect(screen.queryByLabelText('Probe progress')).toBeNull();
  });

  it('cancels a run from its progress bar', async () => {
    let finish: (run: ProbeRunView) => void = () => {};
    const calls = screenBackend({
      run_probe: () => new Promise<ProbeRunView>((resolve) => (finish = resolve)),
      cancel_probe: () => true,
    });
    render(ProbesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Run now' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.command === 'cancel_probe')).toBe(true);
    expect(screen.getByRole('button', { name: 'Cancelling…' })).toBeTruthy();
    finish(probeRun({ id: 9, verdict: 'cancelled', legs: [], error: 'the probe was cancelled' }));
    const result = await screen.findByRole('status', { name: 'Probe result' });
    expect(text(result)).toContain('Cancelled MAP status: the probe was cancelled');
  });

  it('never takes shortcuts while typing in a field', async () => {
    const calls = screenBackend({ run_probe: () => new Promise(() => {}) });
    render(ProbesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Add probe' }));
    const name = screen.getByRole('textbox', { name: 'Name' });
    await fireEvent.keyDown(name, { key: 'j' });
    await fireEvent.keyDown(name, { key: 'r' });
    await fireEvent.keyDown(name, { key: 'Enter' });
    expect(current()).toBe('MAP status');
    expect(calls.some((c) => c.command === 'run_probe')).toBe(false);
    expect(calls.some((c) => c.command === 'probe_history')).toBe(false);
  });

  it('adds a probe from the form: spokes only, defaults, statuses split', async () => {
    const added = probe({ id: 9, name: 'Portal leads', spoke: 'Portal', statusValues: ['Working', 'Won'], lastRun: null });
    let list = probes();
    const calls = screenBackend(
      {
        add_probe: () => {
          list = [...list, added];
          return added;
        },
      },
      () => list,
    );
    render(ProbesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Add probe' }));
    const form = screen.getByRole('form', { name: 'Add a probe' });
    const spoke = within(form).getByRole('combobox') as HTMLSelectElement;
    await waitFor(() => expect([...spoke.options].map((o) => o.value)).toEqual(['', 'MAP', 'Portal']));
    // Nothing filled: the form says what is missing without asking the backend.
    await fireEvent.click(within(form).getByRole('button', { name: 'Add probe' }));
    expect(within(form).getByRole('alert').textContent).toBe('Name the probe.');

    await fireEvent.input(within(form).getByRole('textbox', { name: 'Name' }), { target: { value: 'Portal leads' } });
    await fireEvent.change(spoke, { target: { value: 'Portal' } });
    await fireEvent.input(within(form).getByRole('textbox', { name: /Status values/ }), { target: { value: 'Working, Won' } });
    await fireEvent.input(within(form).getByRole('spinbutton', { name: 'Target (s)' }), { target: { value: '10' } });
    await fireEvent.input(within(form).getByRole('spinbutton', { name: 'Timeout (s)' }), { target: { value: '120' } });
    await fireEvent.input(within(form).getByRole('spinbutton', { name: /Every/ }), { target: { value: '30' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Add probe' }));

    await waitFor(() => expect(calls.some((c) => c.command === 'add_probe')).toBe(true));
    const request = calls.find((c) => c.command === 'add_probe')?.args?.request as ProbeRequest;
    expect(request).toEqual({
      name: 'Portal leads',
      spoke: 'Portal',
      matchKey: 'email',
      statusField: 'lead_status',
      statusValues: ['Working', 'Won'],
      targetSeconds: 10,
      timeoutSeconds: 120,
      everyMinutes: 30,
    });
    expect(await screen.findByText(/Probe “Portal leads” added/)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Add a probe' })).toBeNull();
    await waitFor(() => expect(rowOf('Portal leads').classList.contains('open')).toBe(true));
  });

  it('shows the backend’s refusal of a probe in the form, with what to do', async () => {
    screenBackend({
      add_probe: () => rejectWith({ code: 'invalid_input', message: 'MAP maps no field to "email": map one on the Rules screen first' }),
    });
    render(ProbesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Add probe' }));
    const form = screen.getByRole('form', { name: 'Add a probe' });
    await fireEvent.input(within(form).getByRole('textbox', { name: 'Name' }), { target: { value: 'x' } });
    const spoke = within(form).getByRole('combobox') as HTMLSelectElement;
    await waitFor(() => expect(spoke.options).toHaveLength(3));
    await fireEvent.change(spoke, { target: { value: 'MAP' } });
    await fireEvent.input(within(form).getByRole('textbox', { name: /Status values/ }), { target: { value: 'Working' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Add probe' }));
    const banner = await within(form).findByRole('alert');
    expect(banner.getAttribute('data-code')).toBe('invalid_input');
    expect(banner.textContent).toContain('map one on the Rules screen first');
  });

  it('removes a probe after confirming; a refusal is shown with what to do', async () => {
    let list = probes();
    const calls = screenBackend(
      {
        remove_probe: (args) => {
          if (args?.name === 'Portal status') {
            return rejectWith({ code: 'forbidden', message: 'olu may not define or remove write-back probes: it takes the role SSOT owner or admin' });
          }
          list = list.filter((p) => p.name !== args?.name);
          return null;
        },
      },
      () => list,
    );
    render(ProbesView);
    await shown();
    await fireEvent.click(rowOf('MAP status').querySelector('button') as HTMLElement);
    await fireEvent.click(await within(pane()).findByRole('button', { name: 'Remove…' }));
    const dialog = screen.getByRole('alertdialog');
    expect(text(dialog)).toContain('Remove probe “MAP status”?');
    // The dialog has the keyboard: j does not move the list.
    await fireEvent.keyDown(window, { key: 'j' });
    expect(current()).toBe('MAP status');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(rowOf('MAP status')).toBeNull());
    expect(calls.filter((c) => c.command === 'remove_probe').map((c) => c.args)).toEqual([{ name: 'MAP status' }]);
    expect(screen.getByText('Probe “MAP status” removed.')).toBeTruthy();
    expect(pane().textContent).toContain('Pick a probe');

    await fireEvent.click(rowOf('Portal status').querySelector('button') as HTMLElement);
    await fireEvent.click(await within(pane()).findByRole('button', { name: 'Remove…' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove' }));
    const banner = await screen.findByRole('alert');
    expect(banner.getAttribute('data-code')).toBe('forbidden');
    expect(banner.textContent).toContain('Ask an admin to grant you the role named above');
    expect(rowOf('Portal status')).toBeTruthy();
  });

  it('shows the open probe alerts with what to do, and clears one', async () => {
    const alert: AlertView = {
      id: 5,
      kind: 'probe_failed',
      subject: 'probe/1',
      system: 'MAP',
      raisedAt: '2026-11-22T10:00:09Z',
      lastSeen: '2026-11-22T10:00:09Z',
      message: 'probe "MAP status": one leg never reached MAP (Qualified)',
      nextStep: 'Open the probe’s history: a lost leg names the status that never arrived.',
      clearedAt: null,
      clearedBy: null,
    };
    const calls = screenBackend({
      alerts: () => [alert, { ...alert, id: 6, kind: 'drift_magnet', message: 'MAP was deprecated' }],
      clear_alert: () => null,
    });
    render(ProbesView);
    await shown();
    const list = await screen.findByRole('list', { name: 'Open alerts' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(text(list)).toContain('Probe failed probe "MAP status": one leg never reached MAP (Qualified)');
    expect(text(list)).toContain('Open the probe’s history');
    await fireEvent.click(within(list).getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Open alerts' })).toBeNull());
    expect(calls.filter((c) => c.command === 'clear_alert').map((c) => c.args)).toEqual([{ id: 5 }]);
  });
});
