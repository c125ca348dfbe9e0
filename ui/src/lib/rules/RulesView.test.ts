import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import RulesView from './RulesView.svelte';
import { backend, rejectWith } from '../../test/backend';
import { rulesView } from '../../test/rules';
import type { RulesView as View } from '../ipc';

/** A backend whose rules move to `after` once a change is saved. */
function rulesBackend(extra: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {}, after?: View) {
  let saved = false;
  const save = (version: number) => () => {
    saved = true;
    return version;
  };
  return backend({
    rules: () => (saved && after ? after : rulesView()),
    set_authority: save(4),
    map_field: save(4),
    map_status: save(4),
    accept_suggestions: save(4),
    set_segment: save(4),
    ...extra,
  });
}

async function shown() {
  await screen.findByRole('tablist', { name: 'Rules' });
}

const tab = (name: RegExp) => screen.getByRole('tab', { name });
const dialog = () => screen.getByRole('dialog', { name: 'Why this change?' });

async function giveWhy(why: string) {
  const save = within(dialog()).getByRole('button', { name: 'Save change' });
  expect(save).toHaveProperty('disabled', true);
  await fireEvent.input(within(dialog()).getByRole('textbox'), { target: { value: why } });
  expect(save).toHaveProperty('disabled', false);
  await fireEvent.click(save);
}

describe('RulesView', () => {
  it('shows the version in force and every field’s authority and policy', async () => {
    rulesBackend();
    render(RulesView);
    await shown();
    expect(screen.getByText(/Version/).textContent).toContain('3');
    const table = screen.getByRole('table', { name: 'Field authority' });
    expect(within(table).getAllByRole('row')).toHaveLength(5);
    const authority = screen.getByRole('combobox', { name: 'Authority of person.email' }) as HTMLSelectElement;
    expect(authority.value).toBe('hub');
    expect([...authority.options].map((o) => o.value)).toEqual(['hub', 'HubSpot', 'MAP', 'Portal']);
    const policy = screen.getByRole('combobox', { name: 'Policy of person.last_activity_at' }) as HTMLSelectElement;
    expect(policy.value).toBe('last_touch');
    expect([...policy.options].map((o) => o.value)).toEqual(['authority_wins', 'last_touch', 'earliest_touch', 'manual']);
    expect(table.textContent).toContain('behavioural');
  });

  it('asks why before changing an authority, then saves and reloads', async () => {
    const after = rulesView({
      version: 4,
      authority: rulesView().authority.map((a) => (a.field === 'email' ? { ...a, system: 'MAP' } : a)),
    });
    const calls = rulesBackend({}, after);
    render(RulesView);
    await shown();
    const authority = screen.getByRole('combobox', { name: 'Authority of person.email' }) as HTMLSelectElement;
    await fireEvent.change(authority, { target: { value: 'MAP' } });
    // Nothing is saved yet, and the select shows what is in force.
    expect(calls.some((c) => c.command === 'set_authority')).toBe(false);
    expect(authority.value).toBe('hub');
    expect(dialog().textContent).toContain('Make MAP the authority of person.email.');
    await giveWhy('  Marketing owns consent  ');
    expect(calls.find((c) => c.command === 'set_authority')?.args).toEqual({
      object: 'person',
      field: 'email',
      system: 'MAP',
      policy: 'authority_wins',
      category: null,
      why: 'Marketing owns consent',
    });
    expect(await screen.findByText('Saved as version 4.')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() =>
      expect((screen.getByRole('combobox', { name: 'Authority of person.email' }) as HTMLSelectElement).value).toBe('MAP'),
    );
    expect(calls.filter((c) => c.command === 'rules')).toHaveLength(2);
  });

  it('changes nothing when the why dialog is cancelled', async () => {
    const calls = rulesBackend();
    render(RulesView);
    await shown();
    await fireEvent.change(screen.getByRole('combobox', { name: 'Policy of person.email' }), { target: { value: 'manual' } });
    expect(dialog().textContent).toContain('Resolve conflicts on person.email by manual');
    await fireEvent.keyDown(within(dialog()).getByRole('textbox'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.map((c) => c.command)).toEqual(['rules']);
  });

  it('keeps the dialog open with the reason a change was refused', async () => {
    rulesBackend({
      set_authority: () =>
        rejectWith({ code: 'invalid_input', message: 'the rules cannot be used: no system named "Old CRM"' }),
    });
    render(RulesView);
    await shown();
    await fireEvent.change(screen.getByRole('combobox', { name: 'Policy of person.email' }), { target: { value: 'manual' } });
    await giveWhy('because');
    const alert = await within(dialog()).findByRole('alert');
    expect(alert.textContent).toContain('no system named "Old CRM"');
    expect(alert.textContent).toContain('Nothing was saved');
  });

  it('shows suggestions apart, confirms one, and accepts them all', async () => {
    const calls = rulesBackend();
    render(RulesView);
    await shown();
    expect(tab(/Field mapping/).textContent).toContain('2 suggested');
    await fireEvent.click(tab(/Field mapping/));
    const map = screen.getByRole('table', { name: 'Field mapping of MAP' });
    const suggested = map.querySelector('tr[data-field="Status"]') as HTMLElement;
    expect(suggested.classList.contains('suggested')).toBe(true);
    expect(suggested.textContent).toContain('→ lead_status');
    expect(suggested.textContent).toContain('from the name "Status"');
    const mapped = map.querySelector('tr[data-field="Email"]') as HTMLElement;
    expect(mapped.classList.contains('suggested')).toBe(false);
    expect(mapped.textContent).toContain('→ person.email');

    await fireEvent.click(within(suggested).getByRole('button', { name: 'Confirm' }));
    await giveWhy('MAP status is the lead status');
    expect(calls.find((c) => c.command === 'map_field')?.args).toEqual({
      system: 'MAP',
      object: 'person',
      systemField: 'Status',
      field: 'lead_status',
      why: 'MAP status is the lead status',
    });
    await screen.findByText('Saved as version 4.');

    await fireEvent.click(screen.getByRole('button', { name: 'Accept all suggestions' }));
    expect(dialog().textContent).toContain('Accept all 2 suggested mappings');
    await giveWhy('reviewed');
    expect(calls.find((c) => c.command === 'accept_suggestions')?.args).toEqual({ why: 'reviewed' });

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await fireEvent.click(within(map).getAllByRole('button', { name: 'Unmap' })[0] as HTMLElement);
    await giveWhy('wrong field');
    expect(calls.find((c) => c.command === 'map_field' && c.args?.field === null)?.args).toMatchObject({
      systemField: 'Email',
      field: null,
    });
  });

  it('flags unmapped status values and maps one onto a canonical value', async () => {
    const calls = rulesBackend();
    render(RulesView);
    await shown();
    expect(tab(/Status model/).textContent).toContain('1 unmapped');
    await fireEvent.click(tab(/Status model/));
    const model = screen.getByRole('region', { name: 'Status model of person.lead_status' });
    expect(model.textContent).toContain('1 unmapped value');
    const map = within(model).getByRole('table', { name: 'MAP values of person.lead_status' });
    expect(map.closest('[data-system]')?.textContent).toContain('12 records unmapped');
    const rows = within(map).getAllByRole('row').slice(1);
    expect(rows[0]?.classList.contains('unmapped')).toBe(true);
    expect(rows[0]?.textContent).toContain('Recycled');
    const pick = within(map).getByRole('combobox', { name: 'Canonical value of MAP “Recycled”' }) as HTMLSelectElement;
    expect(pick.value).toBe('');
    await fireEvent.change(pick, { target: { value: 'OPEN' } });
    await giveWhy('recycled leads are open again');
    expect(calls.find((c) => c.command === 'map_status')?.args).toEqual({
      object: 'person',
      field: 'lead_status',
      system: 'MAP',
      value: 'Recycled',
      canonical: 'OPEN',
      why: 'recycled leads are open again',
    });

    await screen.findByText('Saved as version 4.');
    await fireEvent.change(within(map).getByRole('combobox', { name: 'Canonical value of MAP “Engaged”' }), {
      target: { value: '' },
    });
    await giveWhy('not sure yet');
    expect(calls.filter((c) => c.command === 'map_status').at(-1)?.args).toMatchObject({ value: 'Engaged', canonical: null });
  });

  it('lists segments and the history, newest first', async () => {
    rulesBackend();
    render(RulesView);
    await shown();
    await fireEvent.click(tab(/Segments/));
    const segments = screen.getByRole('table', { name: 'Segments' });
    expect(segments.textContent).toContain('Active accounts');
    expect(segments.textContent).toContain('account_status is active or trial');
    await fireEvent.click(tab(/History/));
    const versions = within(screen.getByRole('list', { name: 'Rule versions' }))
      .getAllByRole('listitem')
      .filter((li) => li.dataset.version);
    expect(versions.map((v) => v.dataset.version)).toEqual(['3', '2']);
    expect(versions[0]?.textContent).toContain('“Marketing owns consent”');
    expect(versions[0]?.textContent).toContain('dana');
    expect(versions[0]?.textContent).toContain('authority person.email_opt_out: hub → MAP');
  });

  it('defines a segment on a status field, with a why', async () => {
    const calls = rulesBackend();
    render(RulesView);
    await shown();
    await fireEvent.click(tab(/Segments/));
    await fireEvent.click(screen.getByRole('button', { name: 'Define a segment…' }));
    const form = screen.getByRole('form', { name: 'Define a segment' });
    const define = within(form).getByRole('button', { name: 'Define…' });
    expect(define).toHaveProperty('disabled', true);
    await fireEvent.input(within(form).getByLabelText('Name'), { target: { value: 'open leads' } });
    const first = within(form).getAllByRole('checkbox')[0] as HTMLInputElement;
    await fireEvent.click(first);
    expect(define).toHaveProperty('disabled', false);
    await fireEvent.submit(form);
    expect(dialog().textContent).toContain('Define the segment “open leads”');
    await giveWhy('the pipeline review counts these');
    const call = calls.find((c) => c.command === 'set_segment');
    expect(call?.args).toMatchObject({ name: 'open leads', why: 'the pipeline review counts these' });
    expect((call?.args?.conditions as { values: string[] }[])[0]?.values).toHaveLength(1);
  });

  it('moves between tabs with the arrow keys', async () => {
    rulesBackend();
    render(RulesView);
    await shown();
    await fireEvent.keyDown(tab(/Authority/), { key: 'ArrowRight' });
    expect(tab(/Field mapping/).getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(tab(/Field mapping/), { key: 'ArrowLeft' });
    await fireEvent.keyDown(tab(/Authority/), { key: 'ArrowLeft' });
    expect(tab(/History/).getAttribute('aria-selected')).toBe('true');
  });

  it('shows what makes the rules unusable as warnings', async () => {
    backend({ rules: () => rulesView({ problems: ['authority of person.email names "Old CRM", which is not registered'] }) });
    render(RulesView);
    await shown();
    const warnings = screen.getByRole('status', { name: 'Problems with the rules' });
    expect(warnings.textContent).toContain('names "Old CRM"');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('exports the rules as TOML in a read-only panel, and copies them', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const toml = '[[authority]]\nobject = "person"\nfield = "email"\n';
    rulesBackend({ export_rules: () => toml });
    render(RulesView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Export TOML' }));
    const text = (await screen.findByRole('textbox', { name: 'Rules TOML' })) as HTMLTextAreaElement;
    expect(text.value).toBe(toml);
    expect(text.readOnly).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(toml);
    expect(await screen.findByText('Copied.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Close the TOML' }));
    expect(screen.queryByRole('textbox', { name: 'Rules TOML' })).toBeNull();
  });

  it('shows rules that cannot be loaded with what to do next', async () => {
    backend({ rules: () => rejectWith({ code: 'workspace_unusable', message: 'rule set version 3 cannot be read' }) });
    render(RulesView);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('rule set version 3 cannot be read');
    expect(alert.textContent).toContain('restore this one from a backup');
  });
});
