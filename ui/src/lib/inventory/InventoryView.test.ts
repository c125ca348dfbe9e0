import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { listen } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import InventoryView from './InventoryView.svelte';
import { backend, rejectWith } from '../../test/backend';
import type { InventoryView as Inventory, SyncProgress, SystemInventory } from '../ipc';

function systemInventory(overrides: Partial<SystemInventory> = {}): SystemInventory {
  return {
    id: 1,
    name: 'HubSpot',
    kind: 'hubspot',
    role: 'hub',
    lifecycle: 'active',
    population: 'manual',
    owner: 'Dana',
    dependentTeams: ['Sales'],
    linkedRecords: 40,
    objects: [
      {
        object: 'person',
        records: 1200,
        archived: 3,
        cadence: 'weekly',
        changedLast7Days: 2,
        changedLast30Days: 9,
        changedLast90Days: 30,
        newestChange: '2025-12-30T10:00:00.000Z',
        oldestChange: '2024-01-01T00:00:00.000Z',
        fields: [
          { name: 'email', label: 'Email', valueType: 'string', readOnly: false, filled: 1140, fillRate: 0.95 },
          { name: 'phone', label: 'Phone', valueType: 'string', readOnly: false, filled: 600, fillRate: 0.5 },
        ],
      },
    ],
    lastSync: {
      id: 7,
      mode: 'full',
      status: 'partial',
      startedAt: '2026-11-22T10:00:00.000Z',
      finishedAt: '2026-11-22T10:01:00.000Z',
      recordsRead: 1203,
      recordsFailed: 1,
      recordsExpected: 1204,
      apiCalls: 30,
      error: null,
      problemCount: 1,
      problems: [
        { object: 'person', locator: 'line 17', field: 'Registered At', reason: 'unparseable date', recordKept: true },
      ],
    },
    ...overrides,
  };
}

const inventory = (...systems: SystemInventory[]): Inventory => ({ systems });

describe('InventoryView', () => {
  it('shows each system with records, cadence, last sync, fill rates and problems', async () => {
    backend({ inventory: () => inventory(systemInventory()) });
    render(InventoryView);
    const table = await screen.findByRole('table', { name: 'Systems inventory' });
    const row = within(table).getAllByRole('row')[1];
    expect(row?.textContent).toContain('HubSpot');
    expect(row?.textContent).toContain('1,200');
    expect(row?.textContent).toContain('weekly');
    expect(row?.textContent).toContain('partial');
    const fields = screen.getByRole('table', { name: 'person fields of HubSpot' });
    expect(fields.textContent).toContain('95%');
    expect(fields.textContent).toContain('50%');
    expect(screen.getByText('unparseable date')).toBeTruthy();
    expect(screen.getByText('line 17')).toBeTruthy();
  });

  it('syncs everything with a progress bar fed by progress events, then refreshes', async () => {
    let handler: ((event: { payload: SyncProgress }) => void) | undefined;
    vi.mocked(listen).mockImplementation(async (_name, h) => {
      handler = h as typeof handler;
      return () => {};
    });
    let finish: (value: unknown) => void = () => {};
    let listed = 0;
    const calls = backend({
      inventory: () => {
        listed += 1;
        return inventory(systemInventory(), systemInventory({ id: 2, name: 'MAP', role: 'spoke' }));
      },
      sync_systems: () => new Promise((resolve) => (finish = resolve)),
    });
    render(InventoryView);
    await screen.findByRole('table', { name: 'Systems inventory' });
    await fireEvent.click(screen.getByRole('button', { name: 'Sync all' }));
    expect(calls.find((c) => c.command === 'sync_systems')?.args).toEqual({
      names: ['HubSpot', 'MAP'],
      choice: 'auto',
    });
    handler?.({
      payload: { system: 'HubSpot', object: 'person', done: 500, total: 1000, failed: 0, perSecond: 250, etaSeconds: 2, apiCalls: 10 },
    });
    await waitFor(() => {
      const bar = screen.getByRole('progressbar', { name: 'Sync progress' }) as HTMLProgressElement;
      expect(bar.value).toBeCloseTo(0.5);
    });
    expect(screen.getByText(/HubSpot · person: 500 \/ 1,000/)).toBeTruthy();
    finish([
      { system: 'HubSpot', runId: 1, mode: 'full', status: 'succeeded', resumed: false, recordsRead: 1000, recordsFailed: 0, recordsRemoved: 0, apiCalls: 20, seconds: 4, crosswalkLinks: 0, problemCount: 0, problems: [], error: null, externalFailure: false },
    ]);
    expect(await screen.findByText(/HubSpot: succeeded, 1,000 read/)).toBeTruthy();
    expect(listed).toBe(2);
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('shows a failed sync with what to do next', async () => {
    backend({
      inventory: () => inventory(systemInventory()),
      sync_systems: () =>
        rejectWith({ code: 'external_system', message: 'HubSpot cannot be reached (connection failed)' }),
    });
    render(InventoryView);
    await screen.findByRole('table', { name: 'Systems inventory' });
    await fireEvent.click(screen.getByRole('button', { name: 'Sync HubSpot' }));
    expect(await screen.findByText(/cannot be reached/)).toBeTruthy();
    expect(screen.getByText(/resumes where it stopped/)).toBeTruthy();
  });
});
