import { describe, expect, it } from 'vitest';
import type { ClusterSummary, EvidenceView, LinkView, MemberView } from '../ipc';
import {
  advance,
  bitsLabel,
  bitsRange,
  buildUp,
  cellEvidence,
  cellTitle,
  chipNames,
  countLine,
  factText,
  filledColumns,
  filterClusters,
  firstBucket,
  formatSeconds,
  histogram,
  isFiltered,
  linkPerMember,
  NO_FILTER,
  place,
  runFacts,
  scorePercent,
  searchKeys,
  shortTime,
  shownColumns,
  stageLine,
  stageShare,
  systemCounts,
  totalLine,
} from './format';

const cluster = (cluster: number, score: number, systems: string[], label: string): ClusterSummary => ({
  cluster,
  score,
  size: systems.length,
  systems,
  label,
});

const clusters = [
  cluster(1, 0.999, ['HubSpot', 'MAP'], 'Ann Lee'),
  cluster(2, 0.97, ['HubSpot'], 'Bob Stone'),
  cluster(3, 0.91, ['MAP', 'Events'], 'Anna Berg'),
  cluster(4, 0.62, ['Events'], 'carl@acme.io'),
];

describe('numbers', () => {
  it('writes scores as percentages that never round up to certainty', () => {
    expect(scorePercent(0.9996)).toBe('99.9%');
    expect(scorePercent(1)).toBe('100.0%');
    expect(scorePercent(0.5)).toBe('50.0%');
    expect(scorePercent(0.123)).toBe('12.3%');
  });

  it('signs evidence with a real minus', () => {
    expect(bitsLabel(9.14)).toBe('+9.1');
    expect(bitsLabel(-4.25)).toBe('−4.2');
    expect(bitsLabel(0.01)).toBe('0');
  });

  it('counts shown clusters against all', () => {
    expect(countLine(1234, 5678)).toBe('1,234 of 5,678 clusters');
    expect(countLine(5678, 5678)).toBe('5,678 clusters');
    expect(countLine(1, 1)).toBe('1 cluster');
  });

  it('states the last run', () => {
    expect(formatSeconds(3.21)).toBe('3.2 s');
    expect(formatSeconds(600)).toBe('10 min');
    expect(shortTime('2026-01-03T14:05:09+00:00')).toBe('2026-01-03 14:05');
    const facts = runFacts({
      id: 1,
      finishedAt: '2026-01-03T14:05:09Z',
      records: 2000,
      pairsCompared: 45_000,
      threshold: 0.9,
      seconds: 3.2,
      clusters: 100,
      duplicateRecords: 230,
    });
    expect(facts.map(factText)).toEqual([
      '2,000 records compared',
      '45,000 pairs compared',
      '100 clusters',
      '230 records in clusters',
      'threshold 90.0%',
      'finished 2026-01-03 14:05 UTC in 3.2 s',
    ]);
  });
});

describe('progress', () => {
  it('names the stage and counts what it counts', () => {
    expect(stageLine({ stage: 'comparing', done: 12_000, total: 45_000 })).toBe(
      'Comparing pairs (3 of 6): 12,000 / 45,000',
    );
    expect(stageLine({ stage: 'learning', done: 0, total: 1 })).toBe('Learning the weights (4 of 6)');
    expect(stageLine({ stage: 'saving', done: 0, total: 100 })).toBe('Saving clusters (6 of 6): 100 clusters');
    expect(stageLine({ stage: 'newfangled', done: 1, total: 4 })).toBe('newfangled: 1 / 4');
  });

  it('gives the bar a share, or none when it cannot', () => {
    expect(stageShare({ stage: 'comparing', done: 1, total: 4 })).toBe(0.25);
    expect(stageShare({ stage: 'saving', done: 0, total: 100 })).toBeNull();
    expect(stageShare({ stage: 'normalising', done: 0, total: 0 })).toBeNull();
  });

  it('never moves the bar back within a stage', () => {
    const at = { stage: 'comparing', done: 600, total: 1000 };
    expect(advance(at, { stage: 'comparing', done: 500, total: 1000 })).toBe(at);
    expect(advance(at, { stage: 'comparing', done: 700, total: 1000 }).done).toBe(700);
    expect(advance(at, { stage: 'learning', done: 0, total: 1 }).stage).toBe('learning');
    expect(advance(null, at)).toBe(at);
  });
});

describe('histogram', () => {
  it('counts scores in 5-point buckets, 1 in the last one', () => {
    const counts = histogram([0, 0.049, 0.05, 0.15, 0.999, 1]);
    expect(counts).toHaveLength(20);
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBe(1);
    expect(counts[3]).toBe(1); // 0.15 / 0.05 is 2.999… in floating point
    expect(counts[19]).toBe(2);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('starts the chart at the lowest score or the threshold', () => {
    const counts = histogram([0.93, 0.97, 0.99]);
    expect(firstBucket(counts, 0.9)).toBe(18);
    expect(firstBucket(counts, 0.5)).toBe(10);
    expect(firstBucket(histogram([0.62]), 0.9)).toBe(12);
    expect(firstBucket(histogram([]), null)).toBe(19);
  });
});

describe('filtering', () => {
  const keys = searchKeys(clusters);
  const ids = (f: Partial<typeof NO_FILTER>) =>
    filterClusters(clusters, keys, { ...NO_FILTER, ...f }).map((c) => c.cluster);

  it('keeps everything, in order, without a filter', () => {
    expect(ids({})).toEqual([1, 2, 3, 4]);
    expect(isFiltered(NO_FILTER)).toBe(false);
  });

  it('filters by system, any or all of the chosen', () => {
    expect(ids({ systems: ['MAP'] })).toEqual([1, 3]);
    expect(ids({ systems: ['HubSpot', 'Events'] })).toEqual([1, 2, 3, 4]);
    expect(ids({ systems: ['MAP', 'Events'], mode: 'all' })).toEqual([3]);
    expect(isFiltered({ ...NO_FILTER, systems: ['MAP'] })).toBe(true);
  });

  it('filters by minimum confidence and by name, ignoring case and spaces around', () => {
    expect(ids({ minScore: 0.95 })).toEqual([1, 2]);
    expect(ids({ minScore: 0.97 })).toEqual([1, 2]);
    expect(ids({ text: '  ANN ' })).toEqual([1, 3]);
    expect(ids({ text: 'ann', minScore: 0.95 })).toEqual([1]);
    expect(ids({ text: 'acme.io', systems: ['HubSpot'] })).toEqual([]);
  });

  it('stays fast on 100,000 clusters', () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      cluster(i, 1 - i / 200_000, i % 3 ? ['HubSpot', 'MAP'] : ['Events'], `person ${i}`),
    );
    const manyKeys = searchKeys(many);
    const started = performance.now();
    const kept = filterClusters(many, manyKeys, { systems: ['Events'], mode: 'any', minScore: 0.6, text: '99' });
    expect(performance.now() - started).toBeLessThan(250);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((c) => c.systems.includes('Events') && c.label.includes('99'))).toBe(true);
  });

  it('shortens system names for chips while they stay apart', () => {
    const names = chipNames(['HubSpot (sandbox)', 'Events sheet', 'Portal (EU)', 'Portal (US)']);
    expect([...names.values()]).toEqual(['HubSpot', 'Events sheet', 'Portal (EU)', 'Portal (US)']);
  });

  it('counts clusters per system, most first', () => {
    expect(systemCounts(clusters)).toEqual([
      { system: 'Events', clusters: 2 },
      { system: 'HubSpot', clusters: 2 },
      { system: 'MAP', clusters: 2 },
    ]);
    expect(systemCounts(clusters.slice(0, 2))[0]).toEqual({ system: 'HubSpot', clusters: 2 });
  });
});

describe('evidence', () => {
  const member = (recordId: number, values: [string, string, string][]): MemberView => ({
    recordId,
    system: 'HubSpot',
    externalId: String(recordId * 100),
    values: values.map(([column, field, value]) => ({ column, field, value })),
  });
  // Columns as the backend gives them.
  const COLUMNS_READ: Record<string, string[]> = {
    first_name: ['first_name', 'full_name'],
    last_name: ['last_name', 'full_name'],
    company: ['company', 'domain'],
  };
  const ev = (comparison: string, level: string, bits: number, columns?: string[]): EvidenceView => ({
    comparison,
    columns: columns ?? COLUMNS_READ[comparison] ?? [comparison],
    level,
    bits,
  });
  const evidence = [
    ev('first_name', 'nickname', 3.2),
    ev('last_name', 'same', 8),
    ev('email', 'same mailbox, other spelling', 9.1),
    ev('phone', 'missing', 0.7),
    ev('company', 'different', -2.5),
  ];
  const link = (left: number, right: number, probability: number): LinkView => ({
    left,
    right,
    probability,
    alternative: 'colleagues',
    priorBits: 0,
    evidence: [],
  });

  it('tints a cell by the comparisons reading its column', () => {
    expect(cellEvidence('email', evidence).tint).toBe('agree');
    expect(cellEvidence('company', evidence).tint).toBe('disagree');
    expect(cellEvidence('title', evidence)).toEqual({ tint: null, evidence: [] });
    const full = cellEvidence('full_name', evidence);
    expect(full.tint).toBe('agree');
    expect(full.evidence.map((e) => e.comparison)).toEqual(['first_name', 'last_name']);
    // The company comparison reads the web domain: "different" says so of the domain too.
    expect(cellEvidence('domain', evidence).tint).toBe('disagree');
    expect(cellEvidence('domain', [ev('company', 'same web domain', 4)]).tint).toBe('agree');
  });

  it('takes the columns from the evidence, not from the comparison’s name', () => {
    const located = [ev('location', 'same city', 2.5, ['city', 'country'])];
    expect(cellEvidence('city', located).tint).toBe('agree');
    expect(cellEvidence('country', located).tint).toBe('agree');
    expect(cellEvidence('location', located).tint).toBeNull();
    expect(cellEvidence('email', [ev('email', 'different', -3, [])]).tint).toBeNull();
  });

  it('counts a column beyond the comparison’s own only where it stood in for it or met a value', () => {
    const sides = (own: string[], other: string[]) => ({ own: new Set(own), other: new Set(other) });
    const company = [ev('company', 'same company', 5)];
    // A web domain facing no domain did not decide "same company"; facing one it did.
    expect(cellEvidence('domain', company, sides(['company', 'domain'], ['company'])).tint).toBeNull();
    expect(cellEvidence('domain', company, sides(['company', 'domain'], ['company', 'domain'])).tint).toBe('agree');
    // The comparison's own column always counts.
    expect(cellEvidence('company', company, sides(['company', 'domain'], ['company'])).tint).toBe('agree');
    // A full name stands in for a missing first name, whatever the other side has.
    const first = [ev('first_name', 'nickname', 3)];
    expect(cellEvidence('full_name', first, sides(['full_name'], ['first_name'])).tint).toBe('agree');
    expect(cellEvidence('full_name', first, sides(['first_name', 'full_name'], ['first_name'])).tint).toBeNull();
    // Comparisons not named after a column count on every column they read.
    const located = [ev('location', 'same city', 2.5, ['city', 'country'])];
    expect(cellEvidence('country', located, sides(['city', 'country'], ['city'])).tint).toBe('agree');
  });

  it('leaves a value neutral when its comparison said "missing", bits or not', () => {
    // The other record has no phone: the +0.7 weighs that absence, not this number.
    const phone = cellEvidence('phone', evidence);
    expect(phone.tint).toBeNull();
    expect(phone.evidence.map((e) => e.level)).toEqual(['missing']);
    // Beside a telling level it does not count either.
    const full = cellEvidence('full_name', [ev('first_name', 'missing', 2), ev('last_name', 'different', -1)]);
    expect(full.tint).toBe('disagree');
    expect(cellEvidence('phone', [ev('phone', 'same number', 0)]).tint).toBeNull();
  });

  it('leaves a value neutral when its evidence is under a bit either way', () => {
    // The same first name against namesakes, who share it: no news.
    expect(cellEvidence('first_name', [ev('first_name', 'same', -0.4)]).tint).toBeNull();
    expect(cellEvidence('last_name', [ev('last_name', 'same', 0.3)]).tint).toBeNull();
    expect(cellEvidence('last_name', [ev('last_name', 'same', 1)]).tint).toBe('agree');
    expect(cellEvidence('first_name', [ev('first_name', 'different', -1)]).tint).toBe('disagree');
    // It is their sum that counts, for a cell two comparisons read.
    const full = [ev('first_name', 'same', 0.6), ev('last_name', 'same', 0.6)];
    expect(cellEvidence('full_name', full).tint).toBe('agree');
  });

  it('explains a cell in its tooltip', () => {
    expect(cellTitle('Email', cellEvidence('email', evidence), 'MAP 7')).toBe(
      'Field: Email\nemail: same mailbox, other spelling +9.1 bits\ncompared with MAP 7',
    );
    expect(cellTitle('Phone', cellEvidence('phone', evidence), 'MAP 7')).toBe(
      'Field: Phone\nphone: missing +0.7 bits (one side has no value)\ncompared with MAP 7',
    );
    expect(cellTitle('Title', cellEvidence('title', evidence), 'MAP 7')).toBe('Field: Title');
  });

  it('knows the columns a member has a value in', () => {
    expect([...filledColumns(member(1, [['email', 'email', 'a@x.io'], ['phone', 'Phone', ' ']]))]).toEqual(['email']);
  });

  it('uses each member’s strongest link, or only the chosen one', () => {
    const members = [member(1, []), member(2, []), member(3, []), member(4, [])];
    const links: LinkView[] = [link(1, 2, 0.99), link(2, 3, 0.95), link(1, 3, 0.97)];
    const per = linkPerMember({ members, links }, null);
    expect(per.get(1)).toBe(links[0]);
    expect(per.get(2)).toBe(links[0]);
    expect(per.get(3)).toBe(links[2]);
    expect(per.has(4)).toBe(false);
    const chosen = linkPerMember({ members, links }, links[1] as LinkView);
    expect([...chosen.keys()]).toEqual([2, 3]);
  });

  it('shows the columns someone has a value in, known ones first', () => {
    const members = [
      member(1, [['email', 'email', 'a@x.io'], ['first_name', 'firstname', 'Ann'], ['zodiac', 'Sign', 'leo']]),
      member(2, [['phone', 'Phone', ' '], ['domain', 'company.domain', 'x.io']]),
    ];
    expect(shownColumns(members)).toEqual(['first_name', 'email', 'domain', 'zodiac']);
  });

  it('builds a link’s log-odds up from the prior, each step where the last one ended', () => {
    const weighed = { priorBits: -1.3, evidence: [ev('first_name', 'same', 4), ev('company', 'different', -2.5)] };
    const built = buildUp(weighed);
    expect(built.prior).toEqual({ from: 0, to: -1.3 });
    expect(built.steps[0]?.from).toBe(-1.3);
    expect(built.steps[0]?.to).toBeCloseTo(2.7);
    expect(built.steps[1]?.from).toBe(built.steps[0]?.to);
    expect(built.steps[1]?.to).toBeCloseTo(0.2);
    expect(built.total).toBe(built.steps[1]?.to);
    expect(buildUp({ priorBits: 2, evidence: [] }).total).toBe(2);
  });

  it('draws every link of a cluster on one scale holding zero and every running sum', () => {
    const range = bitsRange([
      { priorBits: -3, evidence: [ev('email', 'same address', 12)] },
      { priorBits: 1, evidence: [ev('email', 'different', -2), ev('phone', 'same number', 6)] },
    ]);
    expect(range).toEqual({ lo: -3, hi: 9 });
    expect(place({ from: -3, to: 9 }, range)).toEqual({ left: 0, width: 100 });
    expect(place({ from: 3, to: 0 }, range)).toEqual({ left: 25, width: 25 });
    expect(place({ from: 0, to: 0 }, range)).toEqual({ left: 25, width: 0 });
    // Links without evidence still get a track one bit wide.
    expect(bitsRange([])).toEqual({ lo: 0, hi: 1 });
  });

  it('sums a link up in bits and the probability they give', () => {
    expect(totalLine(9.04, 512 / 513)).toBe('+9.0 bits → 99.8%');
    expect(totalLine(-2, 0.2)).toBe('−2.0 bits → 20.0%');
  });
});
