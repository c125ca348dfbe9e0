import { describe, expect, it } from 'vitest';
import { backend } from '../../test/backend';
import { pendingAtLeast, Queue } from './queue.svelte';
import { queueOf, summary } from './fixtures';
import type { QueueQuery } from '../ipc';

const queries = (calls: { command: string; args: Record<string, unknown> | undefined }[]) =>
  calls.filter((c) => c.command === 'merge_queue').map((c) => c.args?.query as QueueQuery);

const MANY = Array.from({ length: 25 }, (_, i) =>
  summary({ id: i + 1, score: 1 - i / 100, state: i % 5 === 4 ? 'approved' : 'pending', secondReason: i % 3 === 0 ? 'x' : null }),
);

describe('Queue', () => {
  it('loads a page, then the next from where it stopped, and no further', async () => {
    const calls = backend({ merge_queue: queueOf(() => MANY) });
    const queue = new Queue(10);
    await queue.load(null);
    expect(queue.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(queue.total).toBe(25);
    expect(queue.more).toBe(true);
    await queue.next();
    await queue.next();
    await queue.next();
    expect(queue.rows).toHaveLength(25);
    expect(queries(calls)).toEqual([
      { state: null, limit: 10, offset: 0 },
      { state: null, limit: 10, offset: 10 },
      { state: null, limit: 10, offset: 20 },
    ]);
  });

  it('filters by state and reloads as many rows as were loaded', async () => {
    const calls = backend({ merge_queue: queueOf(() => MANY) });
    const queue = new Queue(10);
    await queue.load('approved');
    expect(queue.rows.every((r) => r.state === 'approved')).toBe(true);
    expect(queue.total).toBe(5);
    await queue.load('pending');
    await queue.next();
    expect(queue.rows).toHaveLength(20);
    await queue.reload();
    expect(queries(calls).at(-1)).toEqual({ state: 'pending', limit: 20, offset: 0 });
  });

  it('drops a page that arrives after the filter changed', async () => {
    let release: () => void = () => {};
    let first = true;
    const serve = queueOf(() => MANY);
    backend({
      merge_queue: (args) => {
        if (!first) return serve(args);
        first = false;
        return new Promise((resolve) => (release = () => resolve(serve(args))));
      },
    });
    const queue = new Queue(10);
    const slow = queue.load(null);
    await queue.load('approved');
    release();
    await slow;
    expect(queue.state).toBe('approved');
    expect(queue.rows.every((r) => r.state === 'approved')).toBe(true);
  });
});

describe('pendingAtLeast', () => {
  it('counts pending proposals at or above the score, and those needing two approvers', async () => {
    backend({ merge_queue: queueOf(() => MANY) });
    // Pending with score ≥ 0.9: ids 1–11 less the approved ones (5, 10).
    expect(await pendingAtLeast(0.9)).toEqual({ count: 9, twoPerson: 3 });
    expect(await pendingAtLeast(1.01)).toEqual({ count: 0, twoPerson: 0 });
    expect((await pendingAtLeast(0)).count).toBe(20);
  });

  it('reads page after page, and stops at the first weaker proposal', async () => {
    const big = Array.from({ length: 12_000 }, (_, i) => summary({ id: i + 1, score: 1 - i / 20_000 }));
    const calls = backend({ merge_queue: queueOf(() => big) });
    expect((await pendingAtLeast(0)).count).toBe(12_000);
    expect(queries(calls).map((q) => [q.state, q.offset])).toEqual([
      ['pending', 0],
      ['pending', 5000],
      ['pending', 10_000],
    ]);
    calls.length = 0;
    expect((await pendingAtLeast(0.9)).count).toBe(2001);
    expect(queries(calls)).toHaveLength(1);
  });
});
