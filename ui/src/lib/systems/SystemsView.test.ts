import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import SystemsView from './SystemsView.svelte';
import { backend, rejectWith, system } from '../../test/backend';

describe('SystemsView', () => {
  it('lists systems, the hub marked, with credential state and record counts', async () => {
    backend({
      list_systems: () => [
        system(),
        system({ id: 2, name: 'Events sheet', kind: 'csv', role: 'spoke', credential: 'not_needed', cachedRecords: 0, baseUrl: null, path: '/e.csv' }),
      ],
    });
    render(SystemsView);
    const table = await screen.findByRole('table', { name: 'Systems' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]?.textContent).toContain('HubSpot');
    expect(rows[1]?.textContent).toContain('In keychain');
    expect(rows[1]?.textContent).toContain('1,200');
    expect(rows[2]?.textContent).toContain('CSV file');
  });

  it('explains what to add first when there is nothing', async () => {
    backend({ list_systems: () => [] });
    render(SystemsView);
    expect(await screen.findByText('No systems yet.')).toBeTruthy();
  });

  it('adds a system with its token and refreshes', async () => {
    let listed = [] as ReturnType<typeof system>[];
    const calls = backend({
      list_systems: () => listed,
      add_system: (args) => {
        listed = [system()];
        return listed[0];
      },
    });
    render(SystemsView);
    await screen.findByText('No systems yet.');
    await fireEvent.click(screen.getByRole('button', { name: 'Add system' }));
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'HubSpot' } });
    await fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'hub' } });
    await fireEvent.input(screen.getByLabelText('Base URL'), { target: { value: 'https://api.hubapi.com' } });
    await fireEvent.input(screen.getByLabelText(/Access token/), { target: { value: 'pat-na1-secret' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add system' }));
    await screen.findByText('Added HubSpot.');
    const add = calls.find((c) => c.command === 'add_system');
    expect(add?.args).toEqual({
      request: {
        name: 'HubSpot',
        kind: 'hubspot',
        role: 'hub',
        population: null,
        owner: null,
        dependentTeams: [],
        baseUrl: 'https://api.hubapi.com',
        path: null,
        configPath: null,
      },
      secret: 'pat-na1-secret',
    });
    expect(await screen.findByRole('table', { name: 'Systems' })).toBeTruthy();
  });

  it('sends a file path and no secret for a spreadsheet, and keeps the hub slot taken', async () => {
    const calls = backend({
      list_systems: () => [system()],
      add_system: () => system({ id: 2, name: 'Events', kind: 'csv', role: 'spoke' }),
    });
    render(SystemsView);
    await screen.findByRole('table', { name: 'Systems' });
    await fireEvent.click(screen.getByRole('button', { name: 'Add system' }));
    const hub = screen.getByRole('option', { name: /Hub \(the CRM\)/ }) as HTMLOptionElement;
    expect(hub.disabled).toBe(true);
    await fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'csv' } });
    expect(screen.queryByLabelText(/token/i)).toBeNull();
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Events' } });
    await fireEvent.input(screen.getByLabelText('File path'), { target: { value: '/data/events.csv' } });
    await fireEvent.input(screen.getByLabelText('Dependent teams'), { target: { value: 'Events, , Sales ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add system' }));
    await screen.findByText('Added Events.');
    const add = calls.find((c) => c.command === 'add_system');
    expect(add?.args?.secret).toBeNull();
    expect(add?.args?.request).toMatchObject({ path: '/data/events.csv', baseUrl: null, dependentTeams: ['Events', 'Sales'] });
  });

  it('shows a refused add with what to do next, and keeps the form', async () => {
    backend({
      list_systems: () => [],
      add_system: () => rejectWith({ code: 'conflict', message: 'a system named "HubSpot" already exists' }),
    });
    render(SystemsView);
    await screen.findByText('No systems yet.');
    await fireEvent.click(screen.getByRole('button', { name: 'Add system' }));
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'HubSpot' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add system' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('already exists');
    expect(alert.textContent).toContain('Choose another name');
    expect(screen.getByLabelText('Name')).toBeTruthy();
  });

  it('removes only after confirmation, and Escape cancels', async () => {
    let listed = [system()];
    const calls = backend({
      list_systems: () => listed,
      remove_system: () => {
        listed = [];
        return { name: 'HubSpot', cachedRecordsRemoved: 1200, credentialRemoved: true, warning: null };
      },
    });
    render(SystemsView);
    await fireEvent.click(await screen.findByRole('button', { name: 'Remove HubSpot' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('1,200');
    expect(dialog.textContent).toContain('OS keychain');
    expect(document.activeElement?.textContent).toBe('Cancel');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls.some((c) => c.command === 'remove_system')).toBe(false);

    await fireEvent.click(screen.getByRole('button', { name: 'Remove HubSpot' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove system' }));
    await screen.findByText(/Removed HubSpot and 1200 cached record/);
    expect(calls.find((c) => c.command === 'remove_system')?.args).toEqual({ name: 'HubSpot' });
    await waitFor(() => expect(screen.getByText('No systems yet.')).toBeTruthy());
  });

  it('opens the add form with the N key', async () => {
    backend({ list_systems: () => [] });
    render(SystemsView);
    await screen.findByText('No systems yet.');
    await fireEvent.keyDown(window, { key: 'n' });
    expect(screen.getByRole('heading', { name: 'Add a system' })).toBeTruthy();
  });
});
