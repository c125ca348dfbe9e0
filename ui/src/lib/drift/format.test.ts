import { describe, expect, it } from 'vitest';
import { DRIFT_KINDS, type FindingView } from '../ipc';
import {
  advice,
  axisTime,
  applicableOfKind,
  canApply,
  countLine,
  diffLabel,
  driftSteps,
  earlierLabel,
  explain,
  fixSummary,
  isFiltered,
  kindLabel,
  kindMatrix,
  linkLabel,
  reasonText,
  NEXT_STEPS,
  revertible,
  rowSummary,
  runFacts,
  segmentRows,
  stageLine,
  stageShare,
  trendData,
  valueText,
} from './format';
import { factText } from '../duplicates/format';
import { finding } from '../../test/drift';

describe('kinds', () => {
  it('each has a label and a plain-English line', () => {
    for (const kind of DRIFT_KINDS) {
      expect(kindLabel(kind)).not.toContain('_');
      expect(explain(kind).length).toBeGreaterThan(20);
    }
    expect(explain('stale')).toContain('a value the authority had before');
    expect(explain('divergent')).toContain('Both sides changed');
    expect(explain('conflicting_write')).toContain('integration overwrote a field the hub owns');
    expect(explain('mismatch')).toContain('the authority’s value stands');
    expect(explain('missing_in_hub')).toContain('never reached the CRM');
    expect(explain('orphan')).toContain('archived');
    expect(explain('erasure_not_propagated')).toContain('still here');
    expect(explain('count_mismatch')).toContain('counts differently');
    expect(kindLabel('brand_new_kind')).toBe('brand new kind');
  });

  it('names the earlier value by what it was', () => {
    expect(earlierLabel('stale')).toBe('Held before');
    expect(earlierLabel('conflicting_write')).toBe('Overwritten value');
    expect(earlierLabel('divergent')).toBe('Earlier value');
  });

  it('says how a copy was linked', () => {
    expect(linkLabel('shared_id')).toBe('the hub id it keeps');
    expect(linkLabel(null)).toBe('not linked to a hub record');
    expect(linkLabel('new_basis')).toBe('new basis');
  });

  it('words the reason codes, a count mismatch’s its own way', () => {
    expect(reasonText('stale', 'earlier_authority_value')).toBe('the copy holds a value the authority had earlier');
    expect(reasonText('orphan', 'hub_archived')).toBe('its hub record is archived');
    expect(reasonText('count_mismatch', 'hub_archived')).toBe('in the segment here, but its hub record is archived');
    expect(reasonText('count_mismatch', 'not_in_system')).toContain('this system has no copy');
    expect(reasonText('stale', 'made_up')).toBeNull();
  });

  it('never leaves an empty value blank', () => {
    expect(valueText(null)).toBe('(empty)');
    expect(valueText('')).toBe('(empty)');
    expect(valueText('x')).toBe('x');
  });
});

describe('the header', () => {
  it('gives the last run as facts', () => {
    const facts = runFacts({
      id: 4,
      finishedAt: '2026-11-22T10:01:00Z',
      rulesVersion: 3,
      records: 12_000,
      linked: 9_500,
      findings: 321,
      seconds: 2.5,
    }).map(factText);
    expect(facts).toEqual([
      '12,000 records',
      '9,500 linked to the hub',
      '321 findings',
      'rules v3',
      'measured 2026-11-22 10:01 UTC in 2.5 s',
    ]);
  });
});

describe('next steps', () => {
  it('send a refusal to measure to the screen that fixes it', () => {
    const steps = (message: string) => driftSteps({ code: 'invalid_input', message }).invalid_input;
    expect(steps('no field mapping is confirmed yet: review the suggestions on the Rules screen')).toBe(
      'Open the Rules screen (Alt+6) and accept the suggested mapping, then measure again.',
    );
    expect(steps('no hub system: add the CRM as the hub first')).toContain('Systems screen');
    expect(steps('HubSpot has no complete full sync: sync it first')).toContain('Inventory screen');
    expect(steps('something else')).toBeUndefined();
  });

  it('send a failed write to the system’s connection', () => {
    expect(driftSteps({ code: 'external_system', message: 'HubSpot answered 401' }).external_system).toBe(
      NEXT_STEPS.external_system,
    );
    expect(NEXT_STEPS.external_system).toContain('Systems screen');
  });
});

describe('progress', () => {
  it('names the stage and counts within it', () => {
    expect(stageLine({ stage: 'comparing', done: 1200, total: 3000 })).toBe('Comparing fields (3 of 4): 1,200 / 3,000');
    expect(stageLine({ stage: 'reading', done: 0, total: 1 })).toBe('Reading the cache (1 of 4)');
    expect(stageLine({ stage: 'other', done: 0, total: 0 })).toBe('other');
    expect(stageShare({ done: 1, total: 4 })).toBe(0.25);
    expect(stageShare({ done: 0, total: 0 })).toBeNull();
  });
});

describe('the totals matrix', () => {
  it('puts each system on a row and each kind in a column, with totals both ways', () => {
    const m = kindMatrix([
      { kind: 'stale', system: 'MAP', count: 10 },
      { kind: 'orphan', system: 'MAP', count: 2 },
      { kind: 'stale', system: 'Portal', count: 3 },
      { kind: 'count_mismatch', system: 'Portal', count: 20 },
    ]);
    expect(m.kinds.slice(0, DRIFT_KINDS.length)).toEqual([...DRIFT_KINDS]);
    expect(m.rows.map((r) => r.system)).toEqual(['Portal', 'MAP']);
    expect(m.rows[1]?.counts.get('stale')).toBe(10);
    expect(m.rows[1]?.total).toBe(12);
    expect(m.totals.get('stale')).toBe(13);
    expect(m.totals.get('divergent')).toBe(0);
    expect(m.total).toBe(35);
  });

  it('keeps a kind the backend adds later', () => {
    expect(kindMatrix([{ kind: 'new_kind', system: 'MAP', count: 1 }]).kinds).toContain('new_kind');
  });
});

describe('the trend', () => {
  it('is one series per kind ever found, x in seconds', () => {
    const t = trendData([
      { runId: 1, at: '2026-11-20T10:00:00Z', counts: [{ kind: 'stale', count: 5 }, { kind: 'orphan', count: 0 }] },
      { runId: 2, at: '2026-11-21T10:00:00Z', counts: [{ kind: 'stale', count: 3 }, { kind: 'divergent', count: 1 }] },
    ]);
    expect(t.xs).toEqual([Date.UTC(2026, 10, 20, 10) / 1000, Date.UTC(2026, 10, 21, 10) / 1000]);
    expect(t.series).toEqual([
      { kind: 'stale', counts: [5, 3] },
      { kind: 'divergent', counts: [0, 1] },
    ]);
  });
});

describe('the trend’s axis', () => {
  it('labels a run by day and time, many runs by day or by time', () => {
    const at = Date.UTC(2026, 10, 22, 10, 1) / 1000;
    expect(axisTime(at, 'run')).toBe('11-22 10:01');
    expect(axisTime(at, 'days')).toBe('11-22');
    expect(axisTime(at, 'hours')).toBe('10:01');
  });
});

describe('segment counts', () => {
  it('set each system against the hub', () => {
    const rows = segmentRows([
      { segment: 'Active accounts', system: 'HubSpot', hub: true, count: 120 },
      { segment: 'Active accounts', system: 'Portal', hub: false, count: 112 },
      { segment: 'Active accounts', system: 'MAP', hub: false, count: 120 },
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.hub?.system).toBe('HubSpot');
    expect(rows[0]?.others).toEqual([
      { system: 'Portal', count: 112, diff: -8 },
      { system: 'MAP', count: 120, diff: 0 },
    ]);
    expect(diffLabel(-8)).toBe('−8');
    expect(diffLabel(1200)).toBe('+1,200');
    expect(diffLabel(0)).toBe('=');
  });
});

describe('the list', () => {
  it('says how many are loaded of how many', () => {
    expect(countLine(500, 12_345)).toBe('500 of 12,345 findings loaded');
    expect(countLine(12, 12)).toBe('12 findings');
    expect(countLine(1, 1)).toBe('1 finding');
    expect(isFiltered({ kind: null, system: null, field: null })).toBe(false);
    expect(isFiltered({ kind: 'stale', system: null, field: null })).toBe(true);
  });

  it('sums a finding up in a few words', () => {
    expect(rowSummary(finding())).toBe('old@acme.io ≠ hub new@acme.io');
    expect(rowSummary(finding({ kind: 'missing_in_hub', field: null, hubExternalId: null }))).toBe('no hub record');
    expect(rowSummary(finding({ kind: 'orphan', field: null }))).toBe('hub record 501 archived');
    expect(
      rowSummary(finding({ kind: 'count_mismatch', field: null, segment: 'Active accounts', counts: [120, 112] })),
    ).toBe('Active accounts: hub 120 · here 112');
  });

  it('applies only write fixes, and advises on the others', () => {
    expect(canApply(finding())).toBe(true);
    const del = finding({ fix: { action: 'delete_copy', system: 'MAP', externalId: 'L-9', field: null, value: null, description: 'x' } });
    expect(canApply(del)).toBe(false);
    expect(canApply(finding({ fix: null }))).toBe(false);
    expect(advice(del.fix as NonNullable<FindingView['fix']>)).toContain('Delete MAP L-9 in MAP');
    const rows = [finding({ seq: 1 }), del, finding({ seq: 3, kind: 'divergent' }), finding({ seq: 4 })];
    expect(applicableOfKind(rows, 'stale')).toEqual([1, 4]);
  });
});

describe('fixes', () => {
  it('sum a report up and revert only applied writes', () => {
    expect(fixSummary({ applied: 3, skipped: 1, failed: 2, rows: [] })).toBe('Applied 3 fixes, skipped 1, 2 failed.');
    expect(fixSummary({ applied: 1, skipped: 0, failed: 0, rows: [] })).toBe('Applied 1 fix.');
    expect(revertible({ status: 'applied' })).toBe(true);
    expect(revertible({ status: 'reverted' })).toBe(false);
    expect(revertible({ status: 'failed' })).toBe(false);
  });
});
