import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { backend } from './test/backend';
import { alert, overview } from './lib/overview/fixtures';

// jsdom has no canvas (and no layout, so the trend is never drawn).
vi.mock('uplot', () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

function appBackend() {
  return backend({
    workspace_info: () => ({ path: '/tmp/w.steward', id: 'w', schemaVersion: 6, actor: 'dana' }),
    audit_overview: () => overview(),
    alerts: () => [alert()],
    list_systems: () => [],
    probes: () => [],
    governance: () => ({ governed: false, ssotOwner: null, actor: 'dana', myRoles: [], roles: [], permissions: [] }),
    deprecations: () => [],
  });
}

describe('the app', () => {
  it('opens on the Overview, first in the sidebar, with Alt+0', async () => {
    appBackend();
    render(App);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const labels = within(nav).getAllByRole('button').map((b) => b.textContent?.trim());
    expect(labels).toEqual([
      'Overview',
      'Systems',
      'Inventory',
      'Duplicates',
      'Merge',
      'Drift',
      'Rules',
      'Erasures',
      'Probes',
      'Governance',
      'Activity',
    ]);
    const button = (name: string) => within(nav).getByRole('button', { name });
    expect(button('Overview').getAttribute('title')).toBe('Overview (Alt+0)');
    expect(button('Probes').getAttribute('title')).toBe('Probes (Alt+9)');
    expect(button('Governance').getAttribute('title')).toBe('Governance (Alt+G)');

    expect(await screen.findByRole('heading', { name: 'Overview', level: 1 })).toBeTruthy();
    expect(button('Overview').getAttribute('aria-current')).toBe('page');
    expect(await screen.findByLabelText('SSOT scores')).toBeTruthy();
    expect(await screen.findByRole('list', { name: 'Open alerts' })).toBeTruthy();

    await fireEvent.keyDown(window, { key: '1', altKey: true });
    expect(await screen.findByRole('heading', { name: 'Systems', level: 1 })).toBeTruthy();
    await fireEvent.keyDown(window, { key: '0', altKey: true });
    expect(await screen.findByRole('heading', { name: 'Overview', level: 1 })).toBeTruthy();
  });

  it('opens Probes with Alt+9 and Governance with Alt+G, whatever the key types', async () => {
    appBackend();
    render(App);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    await screen.findByRole('heading', { name: 'Overview', level: 1 });

    await fireEvent.keyDown(window, { key: '9', altKey: true });
    expect(await screen.findByRole('heading', { name: 'Probes', level: 1 })).toBeTruthy();
    expect(within(nav).getByRole('button', { name: 'Probes' }).getAttribute('aria-current')).toBe('page');

    await fireEvent.keyDown(window, { key: 'g', altKey: true });
    expect(await screen.findByRole('heading', { name: 'Governance', level: 1 })).toBeTruthy();
    expect(within(nav).getByRole('button', { name: 'Governance' }).getAttribute('aria-current')).toBe('page');

    // Option+G on a Mac types "©": the key's place still names it.
    await fireEvent.keyDown(window, { key: '0', altKey: true });
    await screen.findByRole('heading', { name: 'Overview', level: 1 });
    await fireEvent.keyDown(window, { key: '©', code: 'KeyG', altKey: true });
    expect(await screen.findByRole('heading', { name: 'Governance', level: 1 })).toBeTruthy();

    // Without Alt, or with Ctrl too, nothing switches.
    await fireEvent.keyDown(window, { key: '0' });
    await fireEvent.keyDown(window, { key: '0', altKey: true, ctrlKey: true });
    expect(within(nav).getByRole('button', { name: 'Governance' }).getAttribute('aria-current')).toBe('page');
  });
});
