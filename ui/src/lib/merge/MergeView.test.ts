import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { listen } from '@tauri-apps/api/event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import MergeView from './MergeView.svelte';
import { forgetJob } from './job.svelte';
import { backend, rejectWith } from '../../test/backend';
import { POLICY, proposal, queueOf, summary } from './fixtures';
import type { DecisionReport, ExecuteReport, MergePolicyView, ProposalSummary, QueueQuery } from '../ipc';

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

function proposals(): ProposalSummary[] {
  return [
    summary({ id: 1, score: 0.99, label: 'Ann Lee', survivor: '501', copies: ['MAP', 'Portal'] }),
    summary({ id: 2, score: 0.97, label: 'Bob Stone', survivor: '601', copies: [] }),
    summary({ id: 3, score: 0.93, label: 'Cy Twombly', survivor: '701', size: 3, secondReason: '3 records (clusters of 3 or more need two approvers)' }),
    summary({ id: 4, score: 0.85, state: 'approved', label: 'Di Prince', survivor: '801', approvals: ['dana'] }),
    summary({ id: 5, score: 0.8, state: 'done', label: 'Ed Wood', survivor: '901', approvals: ['dana'] }),
  ];
}

type Args = Record<string, unknown> | undefined;

/** A backend holding `all` (mutable by the handlers given), as the user dana. */
function screenBackend(all: { list: ProposalSummary[] }, extra: Record<string, (args: Args) => unknown> = {}) {
  return backend({
    merge_queue: queueOf(() => all.list),
    workspace_info: () => ({ path: '/tmp/w.steward', id: 'w', schemaVersion: 5, actor: 'dana' }),
    merge_proposal: (args) => proposal({ summary: all.list.find((p) => p.id === args?.id) }),
    ...extra,
  });
}

const list = () => screen.getByRole('list', { name: 'Merge proposals' });
const rowIds = () => [...list().querySelectorAll('.proposal-row')].map((r) => Number(r.getAttribute('data-id')));
const rowOf = (id: number) => list().querySelector(`.proposal-row[data-id="${id}"]`) as HTMLElement;
const current = () => Number(document.querySelector('.proposal-row[aria-current="true"]')?.getAttribute('data-id'));
const queries = (calls: { command: string; args: Args }[]) =>
  calls.filter((c) => c.command === 'merge_queue').map((c) => c.args?.query as QueueQuery);
const pane = () => screen.getByLabelText('Proposal detail');

async function shown() {
  await screen.findByRole('list', { name: 'Merge proposals' });
}

describe('MergeView', () => {
  it('lists the proposals strongest first: score, state, size, survivor, copies and approvals', async () => {
    screenBackend({ list: proposals() });
    render(MergeView);
    await shown();
    expect(rowIds()).toEqual([1, 2, 3, 4, 5]);
    const first = rowOf(1);
    expect(first.querySelector('.score')?.textContent).toBe('99.0%');
    expect(first.querySelector('.state')?.textContent).toBe('Pending');
    expect(first.querySelector('.size')?.textContent).toBe('2');
    expect(text(first.querySelector('.label'))).toBe('Ann Lee 501');
    expect([...first.querySelectorAll('.chip')].map((c) => c.textContent)).toEqual(['MAP', 'Portal']);
    expect(first.querySelector('.approvals')?.textContent).toBe('0 of 1');
    // The two-person rule shows as "of 2".
    expect(rowOf(3).querySelector('.approvals')?.textContent).toBe('0 of 2');
    expect(rowOf(3).getAttribute('data-need')).toBe('2');
    expect(rowOf(4).querySelector('.approvals')?.textContent).toBe('1 of 1');
    expect(rowOf(5).querySelector('.state')?.textContent).toBe('Merged');

    const chips = within(screen.getByRole('group', { name: 'States' })).getAllByRole('button').map(text);
    expect(chips).toEqual(['All 5', 'Pending 3', 'Approved 1', 'Rejected 0', 'Merging 0', 'Merged 1', 'Failed 0']);
    expect(text(screen.getByLabelText('Two-person rule'))).toContain(
      'Two approvers for a proposal with 3 or more hub records or a score below 90.0%.',
    );
    expect(screen.getByText('5 proposals')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Merge approved (1)' }) as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByLabelText('Keyboard shortcuts').textContent).toContain('a approves');
  });

  it('filters by a state chip, and says when a state has no proposal', async () => {
    const calls = screenBackend({ list: proposals() });
    render(MergeView);
    await shown();
    const states = screen.getByRole('group', { name: 'States' });
    await fireEvent.click(within(states).getByRole('button', { name: /^Approved/ }));
    await waitFor(() => expect(rowIds()).toEqual([4]));
    expect(queries(calls).at(-1)).toEqual({ state: 'approved', limit: 200, offset: 0 });
    expect(within(states).getByRole('button', { name: /^Approved/ }).getAttribute('aria-pressed')).toBe('true');

    await fireEvent.click(within(states).getByRole('button', { name: /^Failed/ }));
    expect(await screen.findByText(/No proposals in this state\./)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Show all' }));
    await waitFor(() => expect(rowIds()).toEqual([1, 2, 3, 4, 5]));
  });

  it('moves with j/k and the arrows, opens with Enter, closes with Escape', async () => {
    const calls = screenBackend({ list: proposals() });
    render(MergeView);
    await shown();
    expect(current()).toBe(1);
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    expect(current()).toBe(3);
    await fireEvent.keyDown(window, { key: 'k' });
    expect(current()).toBe(2);
    await fireEvent.keyDown(window, { key: 'ArrowUp' });
    await fireEvent.keyDown(window, { key: 'ArrowUp' });
    expect(current()).toBe(1);
    await fireEvent.keyDown(window, { key: 'End' });
    expect(current()).toBe(5);
    await fireEvent.keyDown(window, { key: 'Home' });
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'Enter' });
    expect(await within(pane()).findByRole('heading', { name: 'Bob Stone' })).toBeTruthy();
    expect(calls.filter((c) => c.command === 'merge_proposal').map((c) => c.args)).toEqual([{ id: 2 }]);
    expect(within(pane()).getByRole('table', { name: 'Golden record' })).toBeTruthy();
    expect(rowOf(2).classList.contains('open')).toBe(true);

    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(within(pane()).queryByRole('heading')).toBeNull();
    expect(pane().textContent).toContain('Pick a proposal');
  });

  it('approves the selected proposal with a; under the two-person rule it waits for a second approver', async () => {
    const all = { list: proposals() };
    const calls = screenBackend(all, {
      approve_merges: (args) => {
        const { ids } = (args?.request as { ids: number[] }) ?? { ids: [] };
        const id = ids[0] as number;
        const p = all.list.find((x) => x.id === id) as ProposalSummary;
        const report: DecisionReport = { approved: [], awaitingSecond: [], rejected: [], refused: [] };
        if (p.secondReason) {
          p.approvals = ['dana'];
          report.awaitingSecond.push(id);
        } else {
          p.approvals = ['dana'];
          p.state = 'approved';
          report.approved.push(id);
        }
        return report;
      },
    });
    render(MergeView);
    await shown();
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'j' });
    expect(current()).toBe(3);
    await fireEvent.keyDown(window, { key: 'a' });
    const notice = await screen.findByRole('status', { name: 'Decision' });
    expect(text(notice)).toContain('#3: 1 of 2 approvals; it waits for a second, different approver.');
    expect(calls.find((c) => c.command === 'approve_merges')?.args).toEqual({ request: { ids: [3], minScore: null } });
    await waitFor(() => expect(rowOf(3).querySelector('.approvals')?.textContent).toBe('1 of 2'));
    expect(rowOf(3).querySelector('.approvals')?.classList.contains('waiting')).toBe(true);
    expect(rowOf(3).getAttribute('data-state')).toBe('pending');

    // One approver is enough for the first: it turns approved, and the merge count follows.
    await fireEvent.keyDown(window, { key: 'Home' });
    await fireEvent.keyDown(window, { key: 'a' });
    await waitFor(() => expect(rowOf(1).getAttribute('data-state')).toBe('approved'));
    expect(text(screen.getByRole('status', { name: 'Decision' }))).toContain('Approved #1.');
    expect(rowOf(1).querySelector('.approvals')?.textContent).toBe('1 of 1');
    expect(screen.getByRole('button', { name: 'Merge approved (2)' })).toBeTruthy();
  });

  it('lists the proposals the backend refused to approve, with why', async () => {
    screenBackend({ list: proposals() }, {
      approve_merges: () => ({
        approved: [],
        awaitingSecond: [],
        rejected: [],
        refused: [[1, 'decide lead_status first (set a value with a reason)']],
      }),
    });
    render(MergeView);
    await shown();
    await fireEvent.keyDown(window, { key: 'a' });
    const notice = await screen.findByRole('status', { name: 'Decision' });
    expect(text(notice)).toContain('Nothing was approved.');
    expect(text(within(notice).getByRole('list', { name: 'Not approved' }))).toBe(
      '#1 not approved: decide lead_status first (set a value with a reason)',
    );
  });

  it('says why a shortcut cannot approve or reject, without asking the backend', async () => {
    const calls = screenBackend({ list: proposals() }, {
      merge_proposal: (args) =>
        proposal({ summary: proposals().find((p) => p.id === args?.id), openDecisions: ['lead_status'] }),
    });
    render(MergeView);
    await shown();
    // The first is open with a field to decide.
    await fireEvent.keyDown(window, { key: 'Enter' });
    await within(pane()).findByRole('heading', { name: 'Ann Lee' });
    await fireEvent.keyDown(window, { key: 'a' });
    expect(text(screen.getByRole('status', { name: 'Shortcut' }))).toContain('#1: Decide lead_status first');
    // Approved already; merged already.
    await fireEvent.keyDown(window, { key: 'End' });
    await fireEvent.keyDown(window, { key: 'k' });
    await fireEvent.keyDown(window, { key: 'a' });
    expect(text(screen.getByRole('status', { name: 'Shortcut' }))).toContain('#4: It is approved, not pending.');
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'r' });
    expect(text(screen.getByRole('status', { name: 'Shortcut' }))).toContain(
      '#5 is merged: only pending or approved proposals can be rejected.',
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.some((c) => c.command === 'approve_merges' || c.command === 'reject_merge')).toBe(false);
  });

  it('fires no shortcut while typing in a field or with a dialog open', async () => {
    const calls = screenBackend({ list: proposals() }, { approve_merges: () => ({ approved: [1], awaitingSecond: [], rejected: [], refused: [] }) });
    render(MergeView);
    await shown();
    const input = screen.getByRole('spinbutton', { name: 'Minimum confidence' });
    input.focus();
    for (const key of ['a', 'j', 'k', 'r', 'ArrowDown', 'End']) await fireEvent.keyDown(input, { key });
    expect(current()).toBe(1);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls.some((c) => c.command === 'approve_merges' || c.command === 'merge_proposal')).toBe(false);

    // r opens the reject dialog; typing its reason approves nothing and moves nothing.
    await fireEvent.keyDown(window, { key: 'r' });
    const dialog = screen.getByRole('dialog', { name: 'Reject proposal #1?' });
    const why = within(dialog).getByRole('textbox', { name: /Reason/ });
    for (const key of ['a', 'j']) await fireEvent.keyDown(why, { key });
    await fireEvent.keyDown(window, { key: 'a' });
    await fireEvent.keyDown(window, { key: 'j' });
    expect(current()).toBe(1);
    expect(calls.some((c) => c.command === 'approve_merges')).toBe(false);
  });

  it('rejects with r after asking why', async () => {
    const all = { list: proposals() };
    const calls = screenBackend(all, {
      reject_merge: (args) => {
        (all.list.find((p) => p.id === args?.id) as ProposalSummary).state = 'rejected';
        return { approved: [], awaitingSecond: [], rejected: [args?.id as number], refused: [] };
      },
    });
    render(MergeView);
    await shown();
    await fireEvent.keyDown(window, { key: 'r' });
    const dialog = screen.getByRole('dialog', { name: 'Reject proposal #1?' });
    expect(text(dialog)).toContain('remembered as not duplicates');
    const reject = within(dialog).getByRole('button', { name: 'Reject' }) as HTMLButtonElement;
    expect(reject.disabled).toBe(true);
    await fireEvent.input(within(dialog).getByRole('textbox', { name: /Reason/ }), { target: { value: 'father and son' } });
    await fireEvent.click(reject);
    expect(await screen.findByText(/Rejected #1: its records are not proposed together again\./)).toBeTruthy();
    expect(calls.find((c) => c.command === 'reject_merge')?.args).toEqual({ id: 1, why: 'father and son' });
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(rowOf(1).getAttribute('data-state')).toBe('rejected'));
  });

  it('bulk-approves above a confidence after saying how many pending proposals it affects', async () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      summary({ id: i + 1, score: 0.99 - i / 100, secondReason: i % 4 === 0 ? 'x' : null, state: i === 1 ? 'approved' : 'pending' }),
    );
    const calls = screenBackend({ list: many }, {
      approve_merges: () => ({ approved: [3, 4, 5, 6, 7, 8, 10, 11, 12], awaitingSecond: [1, 9], rejected: [], refused: [] }),
    });
    render(MergeView);
    await shown();
    const input = screen.getByRole('spinbutton', { name: 'Minimum confidence' }) as HTMLInputElement;
    expect(input.value).toBe('0.95');

    await fireEvent.input(input, { target: { value: '1.5' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Approve…' }));
    expect(screen.getByText('A confidence between 0 and 1.')).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();

    await fireEvent.input(input, { target: { value: '0.88' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Approve ≥ 88.0%…' }));
    // Scores 0.99 … 0.88 are the first 12; the second is approved already; 1, 5 and 9 need two.
    const dialog = await screen.findByRole('alertdialog');
    expect(text(dialog)).toContain('Approve 11 pending proposals?');
    expect(text(dialog)).toContain('11 pending proposals score 88.0% or more');
    expect(text(dialog)).toContain('3 of them need two approvers: your approval is the first of two');
    expect(calls.some((c) => c.command === 'approve_merges')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Approve 11' }));
    expect(await screen.findByRole('status', { name: 'Decision' })).toBeTruthy();
    expect(calls.find((c) => c.command === 'approve_merges')?.args).toEqual({ request: { ids: [], minScore: 0.88 } });
    expect(text(screen.getByRole('status', { name: 'Decision' }))).toContain('Approved 9 proposals. #1 and #9: 1 of 2 approvals');
  });

  it('merges the approved proposals after a confirmation, with progress, a report and a reload', async () => {
    let finish: (report: ExecuteReport) => void = () => {};
    const all = { list: proposals() };
    const calls = screenBackend(all, { execute_merges: () => new Promise((resolve) => (finish = resolve)) });
    render(MergeView);
    await shown();
    expect([...events.keys()]).toEqual(['merge-progress']);
    await fireEvent.click(screen.getByRole('button', { name: 'Merge approved (1)' }));
    const dialog = screen.getByRole('alertdialog');
    expect(text(dialog)).toContain('Merge 1 approved proposal in HubSpot?');
    expect(text(dialog)).toContain('Merges are irreversible in HubSpot');
    expect(text(dialog)).toContain('Every record and its associations is backed up in this workspace first');
    expect(calls.some((c) => c.command === 'execute_merges')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Merge in HubSpot' }));
    expect(calls.find((c) => c.command === 'execute_merges')?.args).toEqual({ request: { ids: [], limit: null } });
    expect((screen.getByRole('button', { name: 'Merge approved (1)' }) as HTMLButtonElement).disabled).toBe(true);

    emit('merge-progress', { stage: 'merging', done: 1, total: 4 });
    await waitFor(() => {
      const bar = screen.getByRole('progressbar', { name: 'Merge progress' }) as HTMLProgressElement;
      expect(bar.value).toBeCloseTo(0.25);
    });
    expect(screen.getByText('Merging (2 of 3): 1 / 4 merges')).toBeTruthy();

    const before = queries(calls).length;
    (all.list[3] as ProposalSummary).state = 'done';
    finish({
      proposalsDone: 1,
      merges: 1,
      settledAfterCrash: 0,
      failed: [[6, 'HubSpot answered 400: record 999 cannot absorb more merges']],
      backToPending: [[7, 'record 702 changed in the CRM since it was reviewed']],
      skipped: [],
      released: 0,
      cancelled: false,
      apiCalls: 12,
      seconds: 1.5,
    });
    const report = await screen.findByRole('status', { name: 'Merge report' });
    expect(text(report)).toContain('Merged 1 proposal (1 merge call) in 1.5 s, 1 failed, 1 back to pending.');
    expect(text(within(report).getByRole('list', { name: 'Failed' }))).toBe('#6 HubSpot answered 400: record 999 cannot absorb more merges');
    expect(text(within(report).getByRole('list', { name: 'Back to pending' }))).toBe('#7 record 702 changed in the CRM since it was reviewed');
    expect(screen.queryByRole('progressbar')).toBeNull();
    await waitFor(() => expect(rowOf(4).getAttribute('data-state')).toBe('done'));
    expect(queries(calls).length).toBeGreaterThan(before);
    expect((screen.getByRole('button', { name: 'Merge approved (0)' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('cancels a merge run', async () => {
    let finish: (report: ExecuteReport) => void = () => {};
    const calls = screenBackend({ list: proposals() }, {
      execute_merges: () => new Promise((resolve) => (finish = resolve)),
      cancel_merges: () => {
        finish({ proposalsDone: 0, merges: 0, settledAfterCrash: 0, failed: [], backToPending: [], skipped: [], released: 0, cancelled: true, apiCalls: 1, seconds: 0.2 });
        return true;
      },
    });
    render(MergeView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Merge approved (1)' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Merge in HubSpot' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(calls.filter((c) => c.command === 'cancel_merges')).toHaveLength(1);
    const report = await screen.findByRole('status', { name: 'Merge report' });
    expect(text(report)).toContain('Cancelled: merged 0 proposals (0 merge calls)');
    expect(text(report)).toContain('what was merged stays merged; the rest stays approved');
  });

  it('explains a merge run refused because another is under way', async () => {
    screenBackend({ list: proposals() }, {
      execute_merges: () => rejectWith({ code: 'conflict', message: 'merges are already running; wait for them to finish or cancel' }),
    });
    render(MergeView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Merge approved (1)' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Merge in HubSpot' }));
    const alert = await screen.findByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('conflict');
    expect(alert.textContent).toContain('merges are already running');
    expect(alert.textContent).toContain('Merges are already running (here or from the CLI): wait for them or cancel them.');
  });

  it('still shows a merge run under way after leaving the screen and coming back', async () => {
    let finish: (report: ExecuteReport) => void = () => {};
    screenBackend({ list: proposals() }, { execute_merges: () => new Promise((resolve) => (finish = resolve)) });
    const first = render(MergeView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Merge approved (1)' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Merge in HubSpot' }));
    first.unmount();

    render(MergeView);
    await shown();
    expect(screen.getByRole('progressbar', { name: 'Merge progress' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Merge approved (1)' }) as HTMLButtonElement).disabled).toBe(true);
    finish({ proposalsDone: 1, merges: 1, settledAfterCrash: 0, failed: [], backToPending: [], skipped: [], released: 0, cancelled: false, apiCalls: 3, seconds: 1 });
    expect(await screen.findByRole('status', { name: 'Merge report' })).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('offers no merge when the hub cannot merge', async () => {
    backend({
      merge_queue: queueOf(proposals, { canMerge: false, hub: 'Salesforce' }),
      workspace_info: () => ({ path: '/w', id: 'w', schemaVersion: 5, actor: 'dana' }),
    });
    render(MergeView);
    await shown();
    expect((screen.getByRole('button', { name: 'Merge approved (1)' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Salesforce has no merge API Steward can use: proposals can be reviewed here, not merged\./)).toBeTruthy();
  });

  it('says to find duplicates first when there is no proposal, and explains a refused rebuild', async () => {
    screenBackend({ list: [] }, {
      propose_merges: () =>
        rejectWith({ code: 'invalid_input', message: 'no duplicates found yet: run `steward duplicates` (or Find duplicates) first' }),
    });
    render(MergeView);
    expect(await screen.findByText('No merge proposals yet.')).toBeTruthy();
    expect(screen.getByText(/Find duplicates first on the Duplicates screen \(Alt\+4\)/)).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Merge proposals' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Rebuild proposals' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no duplicates found yet');
    expect(alert.textContent).toContain('Find duplicates first on the Duplicates screen (Alt+4), then press Rebuild proposals again.');
  });

  it('rebuilds the proposals and lists the new ones', async () => {
    const all = { list: [] as ProposalSummary[] };
    const calls = screenBackend(all, {
      propose_merges: () => {
        all.list = proposals();
        return { created: 5, withdrawn: 0, alreadyQueued: 0, keptApart: 2, noMerge: 40 };
      },
    });
    render(MergeView);
    await screen.findByText('No merge proposals yet.');
    await fireEvent.click(screen.getByRole('button', { name: 'Rebuild proposals' }));
    expect(
      await screen.findByText(
        'Proposals rebuilt: 5 new proposals, 2 records kept apart (not duplicates), 40 clusters with one CRM record (nothing to merge).',
      ),
    ).toBeTruthy();
    await shown();
    expect(rowIds()).toEqual([1, 2, 3, 4, 5]);
    expect(calls.filter((c) => c.command === 'propose_merges')).toHaveLength(1);
  });

  it('shows a queue that cannot be loaded, with what to do next', async () => {
    backend({
      merge_queue: () => rejectWith({ code: 'workspace_unusable', message: 'the workspace is damaged' }),
      workspace_info: () => ({ path: '/w', id: 'w', schemaVersion: 5, actor: 'dana' }),
    });
    render(MergeView);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the workspace is damaged');
    expect(alert.textContent).toContain('restore this one from a backup');
  });

  it('shows a proposal that cannot be opened, with what to do next', async () => {
    screenBackend({ list: proposals() }, {
      merge_proposal: () => rejectWith({ code: 'not_found', message: 'no merge proposal 1 (list them with `steward merge queue`)' }),
    });
    render(MergeView);
    await shown();
    await fireEvent.keyDown(window, { key: 'Enter' });
    const alert = await within(pane()).findByRole('alert');
    expect(alert.textContent).toContain('no merge proposal 1');
    expect(alert.textContent).toContain('A rebuild may have withdrawn it');
  });

  it('pages through a long queue as the cursor nears the end of what is loaded', async () => {
    const many = Array.from({ length: 450 }, (_, i) => summary({ id: i + 1, score: 1 - i / 1000 }));
    const calls = screenBackend({ list: many });
    render(MergeView);
    await shown();
    expect(screen.getByText('200 of 450 proposals loaded')).toBeTruthy();
    expect(list().querySelectorAll('.proposal-row').length).toBeLessThan(60);
    await fireEvent.keyDown(window, { key: 'End' });
    await waitFor(() => expect(screen.getByText('400 of 450 proposals loaded')).toBeTruthy());
    expect(queries(calls).map((q) => q.offset)).toEqual([0, 200]);
    // The cursor's row was scrolled into view, and stays the cursor.
    await fireEvent.scroll(list());
    expect(current()).toBe(200);
  });

  it('changes the two-person rule with a reason', async () => {
    let policy: MergePolicyView = POLICY;
    const calls = backend({
      merge_queue: (args) => queueOf(proposals, { policy })(args),
      workspace_info: () => ({ path: '/w', id: 'w', schemaVersion: 5, actor: 'dana' }),
      set_merge_policy: (args) => {
        policy = args?.policy as MergePolicyView;
        return policy;
      },
    });
    render(MergeView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Edit rule' }));
    const form = screen.getByRole('form', { name: 'Two-person rule' });
    // A rule the backend would refuse is refused here, before anything is sent.
    await fireEvent.input(within(form).getByRole('spinbutton', { name: /Two approvers from/ }), { target: { value: '1' } });
    await fireEvent.input(within(form).getByRole('textbox', { name: /Why/ }), { target: { value: 'x' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Save rule' }));
    expect(within(form).getByRole('alert').textContent).toContain('1 would ask two people for a merge of nothing');
    expect(calls.some((c) => c.command === 'set_merge_policy')).toBe(false);
    await fireEvent.input(within(form).getByRole('textbox', { name: /Why/ }), { target: { value: '' } });
    await fireEvent.input(within(form).getByRole('spinbutton', { name: /Two approvers from/ }), { target: { value: '4' } });
    await fireEvent.input(within(form).getByRole('spinbutton', { name: /or a score below/ }), { target: { value: '0.8' } });
    const save = within(form).getByRole('button', { name: 'Save rule' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await fireEvent.input(within(form).getByRole('textbox', { name: /Why/ }), { target: { value: 'audit finding 12' } });
    await fireEvent.click(save);
    expect(
      await screen.findByText(/Two-person rule saved: Two approvers for a proposal with 4 or more hub records or a score below 80\.0%\./),
    ).toBeTruthy();
    expect(calls.find((c) => c.command === 'set_merge_policy')?.args).toEqual({
      policy: { minSize: 4, belowScore: 0.8 },
      why: 'audit finding 12',
    });
    await waitFor(() => expect(text(screen.getByLabelText('Two-person rule'))).toContain('4 or more hub records'));
  });

  it('lists every backup and restores one after asking why', async () => {
    let restored = false;
    const calls = screenBackend({ list: proposals() }, {
      merge_backups: () => [
        { id: 1, proposalId: 5, externalId: '902', takenAt: '2026-11-22T11:00:00Z', properties: 9, associations: 1, restoredAs: restored ? '990' : null, restoredAt: null, restoredBy: null },
      ],
      restore_backup: () => {
        restored = true;
        return { backupId: 1, proposalId: 5, oldId: '902', newId: '990', leftOut: [], associations: 1 };
      },
    });
    render(MergeView);
    await shown();
    await fireEvent.click(screen.getByRole('button', { name: 'Backups' }));
    const backups = await screen.findByRole('table', { name: 'All backups' });
    await fireEvent.click(within(backups).getByRole('button', { name: 'Restore…' }));
    const dialog = screen.getByRole('dialog');
    await fireEvent.input(within(dialog).getByRole('textbox', { name: /Reason/ }), { target: { value: 'not the same person' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Create the record in HubSpot' }));
    expect(await screen.findByText('Record 902 was recreated as 990 with 1 association.')).toBeTruthy();
    expect(calls.find((c) => c.command === 'restore_backup')?.args).toEqual({ id: 1, why: 'not the same person' });
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'All backups' })).queryByRole('button', { name: 'Restore…' })).toBeNull());
  });
});
