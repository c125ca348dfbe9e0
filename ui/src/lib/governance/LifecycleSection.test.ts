import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import LifecycleSection from './LifecycleSection.svelte';
import { backend, rejectWith } from '../../test/backend';
import { deprecation, deprecationItems } from './fixtures';
import type { DeprecationView, RecordRefView, SignOffRequest } from '../ipc';

type Args = Record<string, unknown> | undefined;
const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function screenBackend(views: () => DeprecationView[], extra: Record<string, (args: Args) => unknown> = {}) {
  return backend({ deprecations: views, alerts: () => [], ...extra });
}

const card = (system: string) => screen.getByRole('article', { name: system });
const checklist = (system: string) => within(card(system)).getByRole('table', { name: `Deprecation checklist of ${system}` });
const row = (system: string, key: string) => checklist(system).querySelector(`tr[data-item="${key}"]`) as HTMLElement;
const moves = (system: string) => within(card(system)).getByRole('group', { name: `Lifecycle of ${system}` });

async function shown(system = 'MAP') {
  await screen.findByRole('article', { name: system });
}

describe('LifecycleSection', () => {
  it('shows each spoke’s lifecycle, quiet window and checklist with verdicts, evidence and sign-offs', async () => {
    screenBackend(() => [deprecation(), deprecation({ system: 'Portal', systemId: 3, lifecycle: 'active', lifecycleSince: null, complete: true })]);
    render(LifecycleSection);
    await shown();
    const map = card('MAP');
    expect(text(map.querySelector('.lifecycle'))).toBe('Deprecating');
    expect(text(map.querySelector('.since'))).toBe('since 2026-10-22');
    expect(text(map.querySelector('.completeness'))).toBe('4 of 6 items open');
    expect((within(map).getByLabelText('Quiet days of MAP') as HTMLInputElement).value).toBe('30');

    expect(text(row('MAP', 'only_here').querySelector('.verdict'))).toBe('Fail');
    expect(row('MAP', 'only_here').querySelector('.verdict')?.className).toContain('verdict-fail');
    expect(text(row('MAP', 'only_here'))).toContain('12 records exist only here');
    expect(within(row('MAP', 'only_here')).getByRole('button', { name: 'Waive…' })).toBeTruthy();
    expect(within(row('MAP', 'only_here')).getByRole('button', { name: 'Records' })).toBeTruthy();
    expect(row('MAP', 'sources_rerouted').getAttribute('data-state')).toBe('passed');
    expect(within(row('MAP', 'sources_rerouted')).queryByRole('button', { name: /Waive|Sign off/ })).toBeNull();
    // A waived item: its verdict stays, with who waived it, why and when.
    const noWrites = row('MAP', 'no_writes');
    expect(noWrites.getAttribute('data-state')).toBe('waived');
    expect(text(noWrites.querySelector('.sign-off'))).toBe('ana: “the nightly import writes the same values” 2026-11-20 10:00 UTC');
    expect(within(noWrites).getByRole('button', { name: 'Withdraw' })).toBeTruthy();
    expect(within(row('MAP', 'credentials_revoked')).getByRole('button', { name: 'Sign off…' })).toBeTruthy();
    expect(within(row('MAP', 'write_back_verified')).queryByRole('button', { name: 'Records' })).toBeNull();

    expect(within(moves('MAP')).getAllByRole('button').map(text)).toEqual(['Mark deprecated…', 'Back to active…']);
    expect(within(moves('Portal')).getAllByRole('button').map(text)).toEqual(['Start deprecating']);
    expect(text(card('Portal').querySelector('.completeness'))).toBe('Checklist complete');
  });

  it('asks an override reason to mark an incomplete checklist deprecated', async () => {
    let view = deprecation();
    const calls = screenBackend(() => [view], {
      move_lifecycle: (args) => {
        view = deprecation({ lifecycle: 'deprecated', lifecycleSince: '2026-11-20T10:00:00Z' });
        void args;
        return view;
      },
    });
    render(LifecycleSection);
    await shown();
    await fireEvent.click(within(moves('MAP')).getByRole('button', { name: 'Mark deprecated…' }));
    const dialog = screen.getByRole('dialog');
    expect(text(dialog)).toContain('Mark MAP deprecated with an incomplete checklist?');
    expect(within(dialog).getAllByRole('listitem').map(text)).toEqual([
      'No records exist only in this system',
      'Write-back verified by the last probe',
      'Credentials revoked',
      'Archive exported',
    ]);
    const confirm = within(dialog).getByRole('button', { name: 'Override and deprecate' }) as HTMLButtonElement;
    // No reason, no override.
    expect(confirm.disabled).toBe(true);
    await fireEvent.click(confirm);
    expect(calls.some((c) => c.command === 'move_lifecycle')).toBe(false);
    await fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: '  Board decision: retire by month end ' } });
    expect(confirm.disabled).toBe(false);
    await fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.find((c) => c.command === 'move_lifecycle')?.args).toEqual({
      system: 'MAP',
      to: 'deprecated',
      since: null,
      reason: 'Board decision: retire by month end',
    });
    expect(text(card('MAP').querySelector('.lifecycle'))).toBe('Deprecated');
    expect(screen.getByText('MAP is deprecated now.')).toBeTruthy();
  });

  it('marks a complete checklist deprecated after a plain confirmation, from the day given', async () => {
    const calls = screenBackend(() => [deprecation({ complete: true, items: deprecationItems().map((i) => ({ ...i, satisfied: true })) })], {
      move_lifecycle: () => deprecation({ lifecycle: 'deprecated', complete: true }),
    });
    render(LifecycleSection);
    await shown();
    await fireEvent.input(within(moves('MAP')).getByLabelText('Since (day) for MAP'), { target: { value: '2026-11-01' } });
    await fireEvent.click(within(moves('MAP')).getByRole('button', { name: 'Mark deprecated' }));
    const dialog = screen.getByRole('alertdialog');
    expect(text(dialog)).toContain('Effective 2026-11-01.');
    expect(within(dialog).queryByRole('textbox')).toBeNull();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Mark deprecated' }));
    await waitFor(() => expect(calls.some((c) => c.command === 'move_lifecycle')).toBe(true));
    expect(calls.find((c) => c.command === 'move_lifecycle')?.args).toEqual({ system: 'MAP', to: 'deprecated', since: '2026-11-01', reason: null });
  });

  it('refuses a since day in the future before asking the backend', async () => {
    const calls = screenBackend(() => [deprecation()]);
    render(LifecycleSection);
    await shown();
    await fireEvent.input(within(moves('MAP')).getByLabelText('Since (day) for MAP'), { target: { value: '2999-01-01' } });
    expect(text(moves('MAP'))).toContain('the decision cannot take effect in the future');
    expect((within(moves('MAP')).getByRole('button', { name: 'Back to active…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(calls.some((c) => c.command === 'move_lifecycle')).toBe(false);
  });

  it('asks a reason to go back; starting a deprecation takes none', async () => {
    let views = [deprecation({ lifecycle: 'deprecated' }), deprecation({ system: 'Portal', systemId: 3, lifecycle: 'active' })];
    const calls = screenBackend(() => views, {
      move_lifecycle: (args) => {
        const next = deprecation({ system: String(args?.system), systemId: args?.system === 'MAP' ? 2 : 3, lifecycle: args?.to as DeprecationView['lifecycle'] });
        views = views.map((v) => (v.system === next.system ? next : v));
        return next;
      },
    });
    render(LifecycleSection);
    await shown();
    await fireEvent.click(within(moves('MAP')).getByRole('button', { name: 'Back to active…' }));
    const dialog = screen.getByRole('dialog');
    expect(text(dialog)).toContain('Move MAP back to active?');
    expect((within(dialog).getByRole('button', { name: 'Back to active' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'Events team still imports into it' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Back to active' }));
    await waitFor(() => expect(text(card('MAP').querySelector('.lifecycle'))).toBe('Active'));
    expect(calls.filter((c) => c.command === 'move_lifecycle').map((c) => c.args)).toEqual([
      { system: 'MAP', to: 'active', since: null, reason: 'Events team still imports into it' },
    ]);

    await fireEvent.click(within(moves('Portal')).getByRole('button', { name: 'Start deprecating' }));
    await waitFor(() => expect(text(card('Portal').querySelector('.lifecycle'))).toBe('Deprecating'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.command === 'move_lifecycle').at(-1)?.args).toEqual({ system: 'Portal', to: 'deprecating', since: null, reason: null });
  });

  it('shows an admin-only refusal with what to do', async () => {
    screenBackend(() => [deprecation({ lifecycle: 'active' })], {
      move_lifecycle: () =>
        rejectWith({
          code: 'forbidden',
          message: "olu may not move a system's lifecycle: it takes the role admin; an admin grants it (steward role grant olu --role admin)",
        }),
    });
    render(LifecycleSection, { props: { mayMove: false } });
    await shown();
    expect(text(moves('MAP'))).toContain('Only an admin moves a lifecycle.');
    await fireEvent.click(within(moves('MAP')).getByRole('button', { name: 'Start deprecating' }));
    const banner = await within(card('MAP')).findByRole('alert');
    expect(banner.getAttribute('data-code')).toBe('forbidden');
    expect(banner.textContent).toContain("olu may not move a system's lifecycle");
    expect(banner.textContent).toContain('ask an admin to do it, or to grant you the admin role');
  });

  it('signs off a manual item and waives an automatic one with the right request; a refused note stays in the dialog', async () => {
    let items = deprecationItems();
    const calls = screenBackend(() => [deprecation({ items })], {
      sign_off: (args) => {
        const request = args?.request as SignOffRequest;
        if (request.note === 'x'.repeat(3)) return rejectWith({ code: 'invalid_input', message: 'note: say what was checked (1–500 characters)' });
        items = items.map((i) =>
          i.key === request.item ? { ...i, satisfied: true, signOff: { actor: 'dana', note: request.note, at: '2026-11-20T12:00:00Z' } } : i,
        );
        return null;
      },
      withdraw_sign_off: (args) => {
        items = items.map((i) => (i.key === args?.item ? { ...i, satisfied: i.verdict === 'pass', signOff: null } : i));
        return null;
      },
    });
    render(LifecycleSection);
    await shown();

    await fireEvent.click(within(row('MAP', 'credentials_revoked')).getByRole('button', { name: 'Sign off…' }));
    let dialog = screen.getByRole('dialog');
    expect(text(dialog)).toContain('Sign off “Credentials revoked” for MAP');
    await fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'xxx' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Sign off' }));
    const refusal = await within(dialog).findByRole('alert');
    expect(refusal.textContent).toContain('note: say what was checked');
    await fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: ' API user disabled on 2026-11-19 ' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Sign off' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.command === 'sign_off').at(-1)?.args).toEqual({
      request: { system: 'MAP', checklist: 'deprecation', item: 'credentials_revoked', note: 'API user disabled on 2026-11-19' },
    });
    await waitFor(() => expect(row('MAP', 'credentials_revoked').getAttribute('data-state')).toBe('signed'));

    await fireEvent.click(within(row('MAP', 'write_back_verified')).getByRole('button', { name: 'Waive…' }));
    dialog = screen.getByRole('dialog');
    expect(text(dialog)).toContain('Waive “Write-back verified by the last probe” for MAP');
    expect(text(dialog)).toContain('its probe has not run yet');
    await fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'nothing writes back to MAP' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Waive' }));
    await waitFor(() => expect(row('MAP', 'write_back_verified').getAttribute('data-state')).toBe('waived'));
    expect(calls.filter((c) => c.command === 'sign_off').at(-1)?.args).toEqual({
      request: { system: 'MAP', checklist: 'deprecation', item: 'write_back_verified', note: 'nothing writes back to MAP' },
    });

    await fireEvent.click(within(row('MAP', 'no_writes')).getByRole('button', { name: 'Withdraw' }));
    await waitFor(() => expect(row('MAP', 'no_writes').getAttribute('data-state')).toBe('open'));
    expect(calls.find((c) => c.command === 'withdraw_sign_off')?.args).toEqual({ system: 'MAP', checklist: 'deprecation', item: 'no_writes' });
  });

  it('lists an item’s records, capped, with ids and dates', async () => {
    const records: RecordRefView[] = Array.from({ length: 205 }, (_, i) => ({
      externalId: `L-${i + 1}`,
      object: 'person',
      createdAt: '2026-09-01T08:00:00Z',
      updatedAt: i === 0 ? '2026-11-19T16:30:00Z' : null,
    }));
    const calls = screenBackend(() => [deprecation()], { deprecation_records: () => records });
    render(LifecycleSection);
    await shown();
    await fireEvent.click(within(row('MAP', 'only_here')).getByRole('button', { name: 'Records' }));
    const panel = await within(card('MAP')).findByRole('region', { name: 'Records: No records exist only in this system' });
    await waitFor(() => expect(panel.querySelectorAll('tbody tr')).toHaveLength(200));
    expect(calls.find((c) => c.command === 'deprecation_records')?.args).toEqual({ system: 'MAP', item: 'only_here' });
    expect(text(panel)).toContain('205 records, the first 200 shown');
    expect(text(panel)).toContain('and 5 more: export them to see every record.');
    const cells = (id: string) => [...(panel.querySelector(`tr[data-record="${id}"]`)?.querySelectorAll('td') ?? [])].map(text);
    expect(cells('L-1')).toEqual(['L-1', 'person', '2026-09-01 08:00', '2026-11-19 16:30']);
    expect(cells('L-2')).toEqual(['L-2', 'person', '2026-09-01 08:00', '—']);
    // The button toggles the list.
    await fireEvent.click(within(row('MAP', 'only_here')).getByRole('button', { name: 'Records' }));
    expect(within(card('MAP')).queryByRole('region')).toBeNull();
  });

  it('exports the only-here records and the archive to the paths given', async () => {
    let views = [deprecation()];
    const calls = screenBackend(() => views, {
      export_only_here: (args) => ({ path: `/work/${String(args?.path)}`, records: 12, sha256: 'ab'.repeat(32) }),
      export_archive: (args) => {
        views = [deprecation({ items: deprecationItems().map((i) => (i.key === 'archive_exported' ? { ...i, verdict: 'pass', satisfied: true } : i)) })];
        return { path: String(args?.path), records: 1200, sha256: 'cd'.repeat(32) };
      },
    });
    render(LifecycleSection);
    await shown();
    const exports = within(card('MAP')).getByRole('group', { name: 'Exports of MAP' });
    expect((within(exports).getByLabelText('Only-here CSV path') as HTMLInputElement).value).toBe('MAP-only-here.csv');
    await fireEvent.click(within(exports).getByRole('button', { name: 'Export only-here' }));
    expect(await within(card('MAP')).findByText(/Exported 12 records to \/work\/MAP-only-here\.csv \(SHA-256 abababababababab…\)/)).toBeTruthy();
    expect(calls.find((c) => c.command === 'export_only_here')?.args).toEqual({ system: 'MAP', path: 'MAP-only-here.csv' });

    await fireEvent.input(within(exports).getByLabelText('Archive CSV path'), { target: { value: '/srv/archive/map.csv' } });
    await fireEvent.click(within(exports).getByRole('button', { name: 'Export archive' }));
    await waitFor(() => expect(row('MAP', 'archive_exported').getAttribute('data-state')).toBe('passed'));
    expect(calls.find((c) => c.command === 'export_archive')?.args).toEqual({ system: 'MAP', path: '/srv/archive/map.csv' });
    expect(calls.filter((c) => c.command === 'deprecations')).toHaveLength(2);
  });

  it('saves the quiet window', async () => {
    const calls = screenBackend(() => [deprecation()], { set_quiet_days: (args) => deprecation({ quietDays: Number(args?.days) }) });
    render(LifecycleSection);
    await shown();
    const input = within(card('MAP')).getByLabelText('Quiet days of MAP') as HTMLInputElement;
    const save = within(card('MAP')).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await fireEvent.input(input, { target: { value: '0' } });
    expect(save.disabled).toBe(true);
    expect(text(card('MAP'))).toContain('A whole number of days, 1–3650.');
    await fireEvent.input(input, { target: { value: '45' } });
    await fireEvent.click(save);
    await waitFor(() => expect(calls.some((c) => c.command === 'set_quiet_days')).toBe(true));
    expect(calls.find((c) => c.command === 'set_quiet_days')?.args).toEqual({ system: 'MAP', days: 45 });
    expect(await within(card('MAP')).findByText('Quiet window set to 45 days.')).toBeTruthy();
  });

  it('says when there is no spoke to retire', async () => {
    screenBackend(() => []);
    render(LifecycleSection);
    expect(await screen.findByText('No spoke to retire.')).toBeTruthy();
  });
});
