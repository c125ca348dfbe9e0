import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ProposalPane from './ProposalPane.svelte';
import { backend, rejectWith } from '../../test/backend';
import { backup, GOLDEN, golden, proposal, summary } from './fixtures';
import type { ProposalDetail } from '../ipc';

function renderPane(detail: ProposalDetail, me: string | null = 'dana') {
  const props = {
    detail,
    me,
    hub: 'HubSpot',
    onapprove: vi.fn(),
    onreject: vi.fn(),
    onchange: vi.fn(),
    onrestored: vi.fn(),
  };
  render(ProposalPane, { props });
  return props;
}

const table = () => screen.getByRole('table', { name: 'Golden record' });
const row = (key: string) => table().querySelector(`tbody tr[data-key="${key}"]`) as HTMLElement;
const text = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim();
const cell = (key: string, name: string) => (row(key).querySelector(`[data-cell="${name}"]`) as HTMLElement).textContent?.trim();

describe('ProposalPane', () => {
  it('shows each field’s surviving value, its source, its rule, whether it is written and why not', () => {
    renderPane(proposal({ golden: GOLDEN, openDecisions: ['lead_status'] }));
    const keys = [...table().querySelectorAll('tbody tr[data-key]')].map((r) => r.getAttribute('data-key'));
    expect(keys).toEqual(['first_name', 'job_title', 'original_source', 'lead_status', 'phone']);

    expect(cell('first_name', 'value')).toBe('Ann');
    expect(cell('first_name', 'source')).toBe('HubSpot 501');
    expect(cell('first_name', 'rule')).toBe('Authority');
    expect(cell('first_name', 'written')).toBe('kept');

    expect(cell('job_title', 'source')).toBe('HubSpot 502');
    expect(cell('job_title', 'rule')).toBe('Last touch');
    expect(cell('job_title', 'written')).toBe('✎written');
    expect(row('job_title').querySelector('[data-cell="written"]')?.getAttribute('data-written')).toBe('true');

    expect(cell('original_source', 'rule')).toBe('Earliest touch');
    expect(cell('original_source', 'written')).toBe('kept');
    expect(cell('original_source', 'note')).toBe('HubSpot computes this property: the survivor keeps its own');

    // A reviewer's value says who set it and why.
    expect(cell('phone', 'rule')).toBe('Set by reviewer');
    expect(cell('phone', 'source')).toBe('reviewer');
    expect(cell('phone', 'note')).toBe('Set by lee: she asked to be called at work');
    expect(within(row('job_title')).getByText('Last touch').getAttribute('title')).toMatch(/most recently changed/);
  });

  it('highlights open decisions and disables Approve until they are decided', () => {
    const props = renderPane(proposal({ golden: GOLDEN, openDecisions: ['lead_status'] }));
    expect(row('lead_status').classList.contains('decide')).toBe(true);
    expect(row('first_name').classList.contains('decide')).toBe(false);
    expect(within(row('lead_status')).getByText('decide')).toBeTruthy();
    expect(screen.getByRole('note', { name: 'Open decisions' }).textContent).toContain('Lead status');
    const approve = screen.getByRole('button', { name: 'Approve' }) as HTMLButtonElement;
    expect(approve.disabled).toBe(true);
    expect(screen.getByText('Decide lead_status first: set its value with Edit.')).toBeTruthy();
    approve.click();
    expect(props.onapprove).not.toHaveBeenCalled();
  });

  it('approves and rejects through the screen', async () => {
    const props = renderPane(proposal());
    await fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(props.onapprove).toHaveBeenCalledWith(1);
    await fireEvent.click(screen.getByRole('button', { name: 'Reject…' }));
    expect(props.onreject).toHaveBeenCalledWith(1);
  });

  it('shows the two-person rule: one approval of two, by whom, and who may add the second', () => {
    const detail = proposal({
      summary: summary({ approvals: ['lee'], secondReason: '3 records (clusters of 3 or more need two approvers)', size: 3 }),
    });
    renderPane(detail, 'dana');
    const approvals = screen.getByLabelText('Approvals');
    expect(approvals.textContent).toContain('1 of 2');
    expect(text(approvals)).toContain('1 of 2 approvals: lee. A second, different person must approve it.');
    expect(text(approvals)).toContain('Two approvers because: 3 records (clusters of 3 or more need two approvers).');
    expect((screen.getByRole('button', { name: 'Approve (2nd of 2)' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('does not let the first approver approve a second time', () => {
    renderPane(proposal({ summary: summary({ approvals: ['dana'], secondReason: 'score 0.85 (below 0.90 needs two approvers)' }) }), 'dana');
    expect(text(screen.getByLabelText('Approvals'))).toContain('dana (you). Waiting for someone else to approve it too.');
    expect((screen.getByRole('button', { name: 'Approve (2nd of 2)' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('You approved it already: the two-person rule needs someone else.')).toBeTruthy();
  });

  it('opens the values each record holds, the chosen one marked', async () => {
    renderPane(proposal({ golden: GOLDEN }));
    const toggle = within(row('first_name')).getByRole('button', { name: 'Values held for First name' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('table', { name: 'Values held for First name' })).toBeNull();
    await fireEvent.click(toggle);
    const held = screen.getByRole('table', { name: 'Values held for First name' });
    const lines = within(held)
      .getAllByRole('row')
      .map((r) => [...r.querySelectorAll('td')].map(text).join(' | '));
    expect(lines).toEqual([
      'HubSpot 501 | Ann | 2026-10-01 09:00 | ✓ chosen',
      'HubSpot 502 | Anne | 2026-11-01 09:00 | ',
    ]);
    // A field no record holds a value for has nothing to open.
    expect(within(row('original_source')).queryByRole('button', { name: /Values held/ })).toBeNull();
  });

  it('sets a value with a reason, warning that the approvals are withdrawn', async () => {
    const before = proposal({ summary: summary({ approvals: ['lee'], secondReason: 'x' }), golden: GOLDEN, openDecisions: ['lead_status'] });
    const after = proposal({
      golden: GOLDEN.map((g) => (g.key === 'lead_status' ? golden({ ...g, rule: 'override', value: 'CONNECTED', needsReview: false }) : g)),
    });
    const calls = backend({ set_merge_value: () => after });
    const props = renderPane(before);
    await fireEvent.click(within(row('lead_status')).getByRole('button', { name: 'Edit Lead status' }));
    const dialog = screen.getByRole('dialog', { name: 'Set the surviving Lead status' });
    expect(text(dialog)).toContain('Saving withdraws the approval given by lee: the proposal must be approved again.');
    const value = within(dialog).getByRole('combobox', { name: /Value written into HubSpot hs_lead_status/ }) as HTMLInputElement;
    expect(value.value).toBe('OPEN');
    // The values the records hold are offered.
    expect([...dialog.querySelectorAll('datalist option')].map((o) => o.getAttribute('value'))).toEqual(['Nurture', 'OPEN']);
    const save = within(dialog).getByRole('button', { name: 'Set value' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await fireEvent.input(value, { target: { value: 'CONNECTED' } });
    await fireEvent.input(within(dialog).getByRole('textbox', { name: /Reason/ }), { target: { value: 'spoke to her on Monday' } });
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    await waitFor(() => expect(props.onchange).toHaveBeenCalled());
    expect(calls[0]).toEqual({
      command: 'set_merge_value',
      args: { id: 1, field: 'lead_status', value: 'CONNECTED', why: 'spoke to her on Monday' },
    });
    expect(props.onchange).toHaveBeenCalledWith(after, 'Lead status set to CONNECTED. The approval was withdrawn: approve it again.');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('clears an override, and shows a refused edit in the dialog', async () => {
    let refuse = true;
    const calls = backend({
      set_merge_value: () =>
        refuse ? rejectWith({ code: 'invalid_input', message: 'field phone: HubSpot computes phone; it cannot be set' }) : proposal(),
    });
    const props = renderPane(proposal({ golden: GOLDEN }));
    await fireEvent.click(within(row('phone')).getByRole('button', { name: 'Edit Phone' }));
    const dialog = screen.getByRole('dialog');
    await fireEvent.input(within(dialog).getByRole('textbox', { name: /Reason/ }), { target: { value: 'wrong number' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Set value' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('HubSpot computes phone');
    expect(alert.textContent).toContain('a field the CRM computes cannot be set');
    expect(props.onchange).not.toHaveBeenCalled();

    refuse = false;
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Clear the override' }));
    await waitFor(() => expect(props.onchange).toHaveBeenCalled());
    expect(calls.at(-1)?.args).toEqual({ id: 1, field: 'phone', value: null, why: 'wrong number' });
    expect(props.onchange.mock.calls[0]?.[1]).toBe('Phone: the override is cleared.');
  });

  it('offers no Edit once merging has started, and shows the records, the journal and the backups', async () => {
    const detail = proposal({
      summary: summary({ state: 'done', approvals: ['dana'], decidedBy: 'dana' }),
      golden: [],
      steps: [
        { seq: 1, kind: 'merge', survivor: '501', absorbed: ['502'], state: 'confirmed', detail: null, sentAt: '2026-11-22T11:00:00Z', confirmedAt: '2026-11-22T11:00:02Z' },
        { seq: 2, kind: 'values', survivor: '501', absorbed: [], state: 'failed', detail: 'HubSpot answered 400', sentAt: null, confirmedAt: null },
      ],
      backups: [backup({ id: 6, externalId: '501' }), backup({ id: 7, externalId: '502' })],
    });
    const restored = { backupId: 7, proposalId: 1, oldId: '502', newId: '990', leftOut: [], associations: 2 };
    const calls = backend({ restore_backup: () => restored });
    const props = renderPane(detail);
    expect(screen.queryByRole('table', { name: 'Golden record' })).toBeNull();
    expect(screen.getByText(/Not shown once merging has started/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Approve/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();

    const records = screen.getByRole('table', { name: 'Records' });
    expect([...records.querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-role'))).toEqual(['survivor', 'absorbed', 'copy']);
    const journal = screen.getByRole('table', { name: 'Merge journal' });
    expect(journal.textContent).toContain('501 ← 502');
    expect(journal.textContent).toContain('HubSpot answered 400');
    expect(screen.getByRole('table', { name: 'Companies carried over' }).textContent).toContain('Acme');

    // The survivor is still in the CRM: only the record merged away can be restored.
    const backups = screen.getByRole('table', { name: 'Backups' });
    expect(within(backups).getAllByRole('button', { name: 'Restore…' })).toHaveLength(1);
    await fireEvent.click(within(backups).getByRole('button', { name: 'Restore…' }));
    const dialog = screen.getByRole('dialog', { name: 'Restore record 502 from its backup?' });
    expect(text(dialog)).toContain('This creates a new record in HubSpot, with a new id');
    const create = within(dialog).getByRole('button', { name: 'Create the record in HubSpot' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    await fireEvent.input(within(dialog).getByRole('textbox', { name: /Reason/ }), { target: { value: 'two people after all' } });
    await fireEvent.click(create);
    await waitFor(() => expect(props.onrestored).toHaveBeenCalledWith(restored));
    expect(calls[0]).toEqual({ command: 'restore_backup', args: { id: 7, why: 'two people after all' } });
  });
});
