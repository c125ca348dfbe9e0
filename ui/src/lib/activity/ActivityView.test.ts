import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ActivityView from './ActivityView.svelte';
import { backend } from '../../test/backend';
import type { AuditEntryView } from '../ipc';

function entry(seq: number, action: string): AuditEntryView {
  return {
    seq,
    at: `2026-11-22T10:00:0${seq}.000Z`,
    actor: 'dana',
    action,
    subject: seq === 1 ? 'workspace' : 'system:HubSpot',
    details: { kind: 'hubspot' },
    hash: `${seq}`.repeat(64),
  };
}

describe('ActivityView', () => {
  it('shows the log newest first and an intact chain', async () => {
    backend({
      audit_page: () => ({ entries: [entry(2, 'system.added'), entry(1, 'workspace.created')], total: 2, nextBefore: null }),
      verify_audit_log: () => ({ intact: true, entries: 2, headHash: 'ab'.repeat(32), brokenAt: null, reason: null, checkedAt: '2026-11-22T10:00:09.000Z' }),
    });
    render(ActivityView);
    const status = await screen.findByTestId('chain-status');
    expect(status.textContent).toContain('Chain intact');
    expect(status.textContent).toContain('2 entries verified');
    const rows = await screen.findAllByRole('listitem');
    expect(rows[0]?.textContent).toContain('system.added');
    expect(rows[1]?.textContent).toContain('workspace.created');
    expect(screen.getByText('2 of 2 entries loaded')).toBeTruthy();
  });

  it('names the first tampered entry and marks its row', async () => {
    backend({
      audit_page: () => ({ entries: [entry(3, 'system.added'), entry(2, 'system.added'), entry(1, 'workspace.created')], total: 3, nextBefore: null }),
      verify_audit_log: () => ({ intact: false, entries: 1, headHash: null, brokenAt: 2, reason: 'its contents do not match its hash: this entry was edited', checkedAt: '2026-11-22T10:00:09.000Z' }),
    });
    render(ActivityView);
    const status = await screen.findByTestId('chain-status');
    expect(status.textContent).toContain('Tampering detected at entry 2');
    expect(status.textContent).toContain('was edited');
    const rows = await screen.findAllByRole('listitem');
    expect(rows[1]?.querySelector('.broken')).toBeTruthy();
  });

  it('loads older pages as the list reaches its end', async () => {
    const calls = backend({
      audit_page: (args) =>
        args?.before === null
          ? { entries: [entry(3, 'system.added')], total: 3, nextBefore: 3 }
          : { entries: [entry(2, 'system.added'), entry(1, 'workspace.created')], total: 3, nextBefore: null },
      verify_audit_log: () => ({ intact: true, entries: 3, headHash: 'c'.repeat(64), brokenAt: null, reason: null, checkedAt: '2026-11-22T10:00:09.000Z' }),
    });
    render(ActivityView);
    expect(await screen.findByText('3 of 3 entries loaded')).toBeTruthy();
    expect(calls.filter((c) => c.command === 'audit_page').map((c) => c.args?.before)).toEqual([null, 3]);
  });
});

describe('ActivityView after a failed page', () => {
  it('shows the error and does not retry on its own', async () => {
    const calls = backend({
      audit_page: (args) => {
        if (args?.before === null) return { entries: [entry(3, 'system.added')], total: 3, nextBefore: 3 };
        throw { code: 'io', message: 'disk I/O error' };
      },
      verify_audit_log: () => ({ intact: true, entries: 3, headHash: 'c'.repeat(64), brokenAt: null, reason: null, checkedAt: '2026-11-22T10:00:09.000Z' }),
    });
    render(ActivityView);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('disk I/O error');
    expect(alert.textContent).toContain('free space');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.filter((c) => c.command === 'audit_page')).toHaveLength(2);
  });
});
