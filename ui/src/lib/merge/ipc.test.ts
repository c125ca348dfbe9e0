import { listen } from '@tauri-apps/api/event';
import { describe, expect, it, vi } from 'vitest';
import { ipc } from '../ipc';
import { backend, rejectWith } from '../../test/backend';

describe('the merge commands', () => {
  it('send the arguments the commands take, under Tauri’s camelCase names', async () => {
    const calls = backend({
      merge_queue: () => ({}),
      merge_proposal: () => ({}),
      propose_merges: () => ({}),
      approve_merges: () => ({}),
      reject_merge: () => ({}),
      set_merge_value: () => ({}),
      set_merge_policy: () => ({}),
      execute_merges: () => ({}),
      cancel_merges: () => true,
      merge_backups: () => [],
      restore_backup: () => ({}),
    });
    await ipc.mergeQueue({ state: 'pending', limit: 200, offset: 400 });
    await ipc.mergeProposal(12);
    await ipc.proposeMerges();
    await ipc.approveMerges({ ids: [3, 4], minScore: null });
    await ipc.approveMerges({ ids: [], minScore: 0.95 });
    await ipc.rejectMerge(5, 'namesakes');
    await ipc.setMergeValue(6, 'job_title', 'CTO', 'she said so');
    await ipc.setMergeValue(6, 'job_title', null, 'back to the rule');
    await ipc.setMergePolicy({ minSize: 3, belowScore: 0.9 }, 'audit');
    await ipc.executeMerges({ ids: [], limit: null });
    await ipc.cancelMerges();
    await ipc.mergeBackups();
    await ipc.restoreBackup(7, 'a mistake');
    expect(calls.map((c) => [c.command, c.args])).toEqual([
      ['merge_queue', { query: { state: 'pending', limit: 200, offset: 400 } }],
      ['merge_proposal', { id: 12 }],
      ['propose_merges', undefined],
      ['approve_merges', { request: { ids: [3, 4], minScore: null } }],
      ['approve_merges', { request: { ids: [], minScore: 0.95 } }],
      ['reject_merge', { id: 5, why: 'namesakes' }],
      ['set_merge_value', { id: 6, field: 'job_title', value: 'CTO', why: 'she said so' }],
      ['set_merge_value', { id: 6, field: 'job_title', value: null, why: 'back to the rule' }],
      ['set_merge_policy', { policy: { minSize: 3, belowScore: 0.9 }, why: 'audit' }],
      ['execute_merges', { request: { ids: [], limit: null } }],
      ['cancel_merges', undefined],
      ['merge_backups', undefined],
      ['restore_backup', { id: 7, why: 'a mistake' }],
    ]);
  });

  it('rejects with the backend error, and listens for merge progress', async () => {
    backend({ execute_merges: () => rejectWith({ code: 'conflict', message: 'merges are already running' }) });
    await expect(ipc.executeMerges({ ids: [], limit: null })).rejects.toEqual({
      code: 'conflict',
      message: 'merges are already running',
    });
    const seen: unknown[] = [];
    vi.mocked(listen).mockImplementation(async (name, handler) => {
      expect(name).toBe('merge-progress');
      (handler as (e: { payload: unknown }) => void)({ payload: { stage: 'merging', done: 1, total: 2 } });
      return () => {};
    });
    await ipc.onMergeProgress((p) => seen.push(p));
    expect(seen).toEqual([{ stage: 'merging', done: 1, total: 2 }]);
  });
});
