import { describe, expect, it } from 'vitest';
import { Findings } from './findings.svelte';
import { backend, rejectWith } from '../../test/backend';
import { finding } from '../../test/drift';
import type { FindingPage, FindingQuery } from '../ipc';

const page = (from: number, n: number, total: number): FindingPage => ({
  total,
  rows: Array.from({ length: n }, (_, i) => finding({ seq: from + i + 1 })),
});

describe('Findings', () => {
  it('loads a page at a time, and stops when all are in', async () => {
    const calls = backend({
      drift_findings: (args) => {
        const q = args?.query as FindingQuery;
        return page(q.offset, Math.min(q.limit, 25 - q.offset), 25);
      },
    });
    const list = new Findings(10);
    await list.load({ kind: 'stale', system: null, field: null });
    expect(list.rows).toHaveLength(10);
    expect(list.more).toBe(true);
    await list.next();
    await list.next();
    expect(list.rows.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(list.more).toBe(false);
    await list.next();
    expect(calls.map((c) => (c.args?.query as FindingQuery).offset)).toEqual([0, 10, 20]);
    expect(calls.every((c) => (c.args?.query as FindingQuery).kind === 'stale')).toBe(true);
  });

  it('drops a page that arrives after the filter changed', async () => {
    const waiting: ((p: FindingPage) => void)[] = [];
    backend({ drift_findings: () => new Promise<FindingPage>((resolve) => waiting.push(resolve)) });
    const list = new Findings(10);
    const first = list.load({ kind: 'stale', system: null, field: null });
    const second = list.load({ kind: 'orphan', system: null, field: null });
    waiting[1]?.(page(100, 2, 2));
    await second;
    waiting[0]?.(page(0, 10, 50));
    await first;
    expect(list.rows.map((r) => r.seq)).toEqual([101, 102]);
    expect(list.total).toBe(2);
    expect(list.filter.kind).toBe('orphan');
    expect(list.loading).toBe(false);
  });

  it('keeps the error of a page that failed, and does not retry it by itself', async () => {
    let fail = false;
    const calls = backend({
      drift_findings: (args) => {
        if (fail) rejectWith({ code: 'io', message: 'disk gone' });
        return page((args?.query as FindingQuery).offset, 10, 30);
      },
    });
    const list = new Findings(10);
    await list.load();
    fail = true;
    await list.next();
    expect(list.error?.message).toBe('disk gone');
    await list.next();
    expect(calls).toHaveLength(2);
    expect(list.rows).toHaveLength(10);
  });
});
