import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { backend } from '../../test/backend';
import { queueOf, summary } from './fixtures';

describe('the Merge screen in the app', () => {
  it('sits right after Duplicates in the sidebar and opens with Alt+8', async () => {
    backend({
      workspace_info: () => ({ path: '/tmp/w.steward', id: 'w', schemaVersion: 5, actor: 'dana' }),
      list_systems: () => [],
      audit_overview: () => ({ latest: null, quarters: [], runs: 0 }),
      alerts: () => [],
      merge_queue: queueOf(() => [summary()]),
    });
    render(App);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const labels = within(nav).getAllByRole('button').map((b) => b.textContent?.trim());
    expect(labels.slice(labels.indexOf('Duplicates'), labels.indexOf('Duplicates') + 2)).toEqual(['Duplicates', 'Merge']);
    expect(within(nav).getByRole('button', { name: 'Merge' }).getAttribute('title')).toBe('Merge (Alt+8)');

    await screen.findByRole('heading', { name: 'Overview', level: 1 });
    await fireEvent.keyDown(window, { key: '8', altKey: true });
    expect(await screen.findByRole('heading', { name: 'Merge queue', level: 1 })).toBeTruthy();
    expect(within(nav).getByRole('button', { name: 'Merge' }).getAttribute('aria-current')).toBe('page');
    expect(await screen.findByRole('list', { name: 'Merge proposals' })).toBeTruthy();
  });
});
