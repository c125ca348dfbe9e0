import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import GovernanceView from './GovernanceView.svelte';
import { backend, rejectWith, system } from '../../test/backend';
import { governance, onboarding, permissions } from './fixtures';
import type { GovernanceView as Governance, OnboardingView, SignOffRequest } from '../ipc';
import { UNGOVERNED } from './format';

type Args = Record<string, unknown> | undefined;
const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function screenBackend(view: () => Governance, extra: Record<string, (args: Args) => unknown> = {}) {
  return backend({ governance: view, alerts: () => [], deprecations: () => [], ...extra });
}

const rolesTable = () => screen.getByRole('table', { name: 'Roles held' });
const roleRow = (person: string, role: string) =>
  rolesTable().querySelector(`tr[data-person="${person}"][data-role="${role}"]`) as HTMLElement;

describe('GovernanceView: roles', () => {
  it('warns while no admin is named, and fills the grant form to name one', async () => {
    const calls = screenBackend(() => governance({ governed: false, ssotOwner: null, roles: [], myRoles: [] }), {
      grant_role: () => governance(),
    });
    render(GovernanceView);
    const banner = await screen.findByRole('alert', { name: 'Ungoverned workspace' });
    expect(text(banner)).toContain(UNGOVERNED);
    expect(text(banner)).toContain('No admin is named: anyone with this workspace file can do everything. Name an admin.');
    expect(screen.getByText('none named')).toBeTruthy();
    expect(screen.getByText('Nobody holds a role yet.')).toBeTruthy();
    expect(screen.getByText('Until an admin is named, everyone may do everything.')).toBeTruthy();

    await fireEvent.click(within(banner).getByRole('button', { name: 'Name an admin' }));
    const form = screen.getByRole('form', { name: 'Grant a role' });
    const person = within(form).getByRole('textbox', { name: /Person/ }) as HTMLInputElement;
    await waitFor(() => expect(person.value).toBe('dana'));
    expect((within(form).getByRole('combobox', { name: 'Role' }) as HTMLSelectElement).value).toBe('admin');
    await waitFor(() => expect(document.activeElement).toBe(person));
    await fireEvent.click(within(form).getByRole('button', { name: 'Grant' }));
    await waitFor(() => expect(screen.queryByRole('alert', { name: 'Ungoverned workspace' })).toBeNull());
    expect(calls.filter((c) => c.command === 'grant_role').map((c) => c.args)).toEqual([{ person: 'dana', role: 'admin' }]);
    expect(screen.getByText('dana is Admin now.')).toBeTruthy();
  });

  it('shows the SSOT owner, the roles, and the permissions with whether you may', async () => {
    screenBackend(() =>
      governance({ actor: 'olu', myRoles: ['ops'], permissions: permissions((a) => a === 'run probes and clear alerts') }),
    );
    render(GovernanceView);
    await screen.findByRole('table', { name: 'Roles held' });
    expect(screen.queryByRole('alert', { name: 'Ungoverned workspace' })).toBeNull();
    expect(text(screen.getByText('SSOT owner', { selector: 'dt' }).nextElementSibling)).toBe('ana');
    expect(screen.getByText('You act as olu: Ops reviewer.')).toBeTruthy();
    expect(text(roleRow('olu', 'ops'))).toContain('olu (you)');
    expect(text(roleRow('ana', 'owner'))).toContain('2026-11-01 09:00 UTC by dana');
    const perms = screen.getByRole('table', { name: 'Permissions' });
    const may = (action: string) => text(perms.querySelector(`tr[data-action="${action}"] .may`));
    expect(may("move a system's lifecycle")).toBe('No');
    expect(may('run probes and clear alerts')).toBe('Yes');
    expect(text(perms.querySelector('tr[data-action="sign off checklist items"]'))).toContain('SSOT owner');
  });

  it('grants a role from the form, and revokes one after confirming', async () => {
    let view = governance();
    const calls = screenBackend(() => view, {
      grant_role: (args) => {
        view = governance({
          roles: [...view.roles, { actor: String(args?.person), role: 'owner', label: 'SSOT owner', grantedAt: '2026-11-20T10:00:00Z', grantedBy: 'dana' }],
        });
        return view;
      },
      revoke_role: (args) => {
        view = governance({ roles: view.roles.filter((r) => !(r.actor === args?.person && r.role === args?.role)) });
        return view;
      },
    });
    render(GovernanceView);
    await screen.findByRole('table', { name: 'Roles held' });
    const form = screen.getByRole('form', { name: 'Grant a role' });
    await fireEvent.input(within(form).getByRole('textbox', { name: /Person/ }), { target: { value: ' kim ' } });
    await fireEvent.change(within(form).getByRole('combobox', { name: 'Role' }), { target: { value: 'owner' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Grant' }));
    await waitFor(() => expect(roleRow('kim', 'owner')).toBeTruthy());
    expect(calls.find((c) => c.command === 'grant_role')?.args).toEqual({ person: 'kim', role: 'owner' });

    await fireEvent.click(within(roleRow('olu', 'ops')).getByRole('button', { name: 'Revoke ops reviewer from olu' }));
    const dialog = screen.getByRole('alertdialog');
    expect(text(dialog)).toContain('Revoke ops reviewer from olu?');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(roleRow('olu', 'ops')).toBeNull());
    expect(calls.find((c) => c.command === 'revoke_role')?.args).toEqual({ person: 'olu', role: 'ops' });
  });

  it('shows a refusal (forbidden) with what to do', async () => {
    screenBackend(() => governance({ actor: 'olu', myRoles: ['ops'] }), {
      grant_role: () =>
        rejectWith({
          code: 'forbidden',
          message: 'olu may not grant or revoke roles: it takes the role admin; an admin grants it (steward role grant olu --role admin)',
        }),
    });
    render(GovernanceView);
    const form = await screen.findByRole('form', { name: 'Grant a role' });
    await fireEvent.input(within(form).getByRole('textbox', { name: /Person/ }), { target: { value: 'olu' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Grant' }));
    const banner = await screen.findByRole('alert');
    expect(banner.getAttribute('data-code')).toBe('forbidden');
    expect(banner.textContent).toContain('olu may not grant or revoke roles');
    expect(banner.textContent).toContain('only an admin grants or revokes roles: ask one to do it');
  });

  it('switches tabs by click and with the arrow keys', async () => {
    screenBackend(() => governance(), { list_systems: () => [], deprecations: () => [] });
    render(GovernanceView);
    await screen.findByRole('table', { name: 'Roles held' });
    const tabs = screen.getByRole('tablist', { name: 'Governance sections' });
    const tab = (name: string) => within(tabs).getByRole('tab', { name });
    expect(tab('Roles').getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(tab('Roles'), { key: 'ArrowRight' });
    expect(tab('Lifecycle').getAttribute('aria-selected')).toBe('true');
    expect(await screen.findByText('No spoke to retire.')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(tab('Lifecycle')));
    await fireEvent.click(tab('Onboarding'));
    expect(await screen.findByText('No system registered.')).toBeTruthy();
    await fireEvent.keyDown(tab('Onboarding'), { key: 'ArrowRight' });
    expect(tab('Roles').getAttribute('aria-selected')).toBe('true');
  });
});

describe('GovernanceView: onboarding', () => {
  it('shows the chosen system’s checklist with its progress, and signs an item off', async () => {
    let view = onboarding();
    const calls = screenBackend(() => governance(), {
      list_systems: () => [system(), system({ id: 3, name: 'Portal', kind: 'rest', role: 'spoke' })],
      onboarding: (args) => (args?.system === 'Portal' ? view : onboarding({ system: 'HubSpot', systemId: 1, done: 4, total: 4, items: [] })),
      sign_off: (args) => {
        const request = args?.request as SignOffRequest;
        view = {
          ...view,
          done: 3,
          items: view.items.map((i) =>
            i.key === request.item ? { ...i, satisfied: true, signOff: { actor: 'dana', note: request.note, at: '2026-11-20T12:00:00Z' } } : i,
          ),
        } satisfies OnboardingView;
        return null;
      },
    });
    render(GovernanceView);
    await fireEvent.click(await screen.findByRole('tab', { name: 'Onboarding' }));
    const select = (await screen.findByRole('combobox', { name: 'System to onboard' })) as HTMLSelectElement;
    expect([...select.options].map((o) => o.text)).toEqual(['HubSpot (hub)', 'Portal (spoke)']);
    expect(await screen.findByText('4 of 4 done')).toBeTruthy();
    await fireEvent.change(select, { target: { value: 'Portal' } });
    expect(await screen.findByText('2 of 4 done')).toBeTruthy();
    expect((screen.getByLabelText('Onboarding progress') as HTMLProgressElement).value).toBe(2);
    expect(calls.filter((c) => c.command === 'onboarding').map((c) => c.args)).toEqual([{ system: 'HubSpot' }, { system: 'Portal' }]);

    const table = screen.getByRole('table', { name: 'Onboarding checklist of Portal' });
    const row = (key: string) => table.querySelector(`tr[data-item="${key}"]`) as HTMLElement;
    expect(text(row('first_sync'))).toContain('no sync has succeeded yet');
    expect(within(row('first_sync')).getByRole('button', { name: 'Waive…' })).toBeTruthy();
    // No record drill-down on the onboarding checklist.
    expect(within(table).queryByRole('button', { name: 'Records' })).toBeNull();
    await fireEvent.click(within(row('owner_approved')).getByRole('button', { name: 'Sign off…' }));
    const dialog = screen.getByRole('dialog');
    await fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'reviewed the mapping with Sales' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Sign off' }));
    expect(await screen.findByText('3 of 4 done')).toBeTruthy();
    expect(calls.find((c) => c.command === 'sign_off')?.args).toEqual({
      request: { system: 'Portal', checklist: 'onboarding', item: 'owner_approved', note: 'reviewed the mapping with Sales' },
    });
    await waitFor(() => expect(text(row('owner_approved'))).toContain('dana: “reviewed the mapping with Sales”'));
  });
});
