// Pure helpers of the Duplicates screen: filtering, the score histogram, evidence tints and
// the words and numbers shown. No Svelte, no IPC: each is tested on its own.
import type { NextSteps } from '../errors/hints';
import type {
  ClusterDetail,
  ClusterSummary,
  DuplicatesProgress,
  EvidenceView,
  LinkView,
  MatchRunView,
  MemberView,
} from '../ipc';

// ---------------------------------------------------------------- numbers

/** A match probability as a percentage with one decimal, never rounded up to 100%:
 * 0.9996 is "99.9%", so only a certain match reads "100%". */
export function scorePercent(p: number): string {
  const tenths = Math.floor(Math.max(0, Math.min(1, p)) * 1000 + 1e-9);
  return `${(tenths / 10).toFixed(1)}%`;
}

/** Evidence weight with its sign: "+9.1", "−4.2" (a real minus), "0". */
export function bitsLabel(bits: number): string {
  const rounded = Math.round(bits * 10) / 10;
  if (rounded === 0) return '0';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(1)}`;
}

/** "1,234 of 5,678 clusters", or "5,678 clusters" when nothing is filtered out. */
export function countLine(shown: number, total: number): string {
  const noun = total === 1 ? 'cluster' : 'clusters';
  if (shown === total) return `${total.toLocaleString()} ${noun}`;
  return `${shown.toLocaleString()} of ${total.toLocaleString()} ${noun}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "2026-01-03 14:05" from RFC 3339, in UTC (the workspace's times are UTC). */
export function shortTime(rfc3339: string): string {
  const at = new Date(rfc3339);
  if (Number.isNaN(at.getTime())) return rfc3339;
  return at.toISOString().slice(0, 16).replace('T', ' ');
}

/** One fact of the last run: its number stands out, the words around it read as a phrase. */
export type RunFact = { before: string; value: string; after: string };

/** The last run in facts, for the header: "3,696 records compared"… */
export function runFacts(run: MatchRunView): RunFact[] {
  const fact = (value: string, after: string, before = ''): RunFact => ({ before, value, after });
  return [
    fact(run.records.toLocaleString(), 'records compared'),
    fact(run.pairsCompared.toLocaleString(), 'pairs compared'),
    fact(run.clusters.toLocaleString(), run.clusters === 1 ? 'cluster' : 'clusters'),
    fact(run.duplicateRecords.toLocaleString(), 'records in clusters'),
    fact(scorePercent(run.threshold), '', 'threshold'),
    fact(`${shortTime(run.finishedAt)} UTC`, `in ${formatSeconds(run.seconds)}`, 'finished'),
  ];
}

/** A fact as plain text. */
export function factText(f: RunFact): string {
  return [f.before, f.value, f.after].filter(Boolean).join(' ');
}

// ---------------------------------------------------------------- errors

/** Next steps on this screen, over the generic ones where those would mislead here: a conflict
 * is a run already under way (not a name taken), a cancel leaves the last run (not a sync to
 * resume), a missing cluster was replaced by a newer run. Others (io, workspace, internal: a
 * bug report) keep the generic step. */
export const NEXT_STEPS = {
  conflict: 'Duplicates are already being found — wait for that run or cancel it.',
  cancelled: 'Nothing changed; press Find duplicates to run again.',
  not_found: 'A newer run replaced these clusters: the list is reloaded, pick the cluster again.',
} as const satisfies NextSteps;

// ---------------------------------------------------------------- progress

const STAGES: { id: string; label: string }[] = [
  { id: 'normalising', label: 'Normalising records' },
  { id: 'blocking', label: 'Choosing candidate pairs' },
  { id: 'comparing', label: 'Comparing pairs' },
  { id: 'learning', label: 'Learning the weights' },
  { id: 'clustering', label: 'Clustering' },
  { id: 'saving', label: 'Saving clusters' },
];

/** "Comparing pairs (3 of 6): 12,000 / 45,000"; stages counted in one step read without numbers. */
export function stageLine(p: DuplicatesProgress): string {
  const index = STAGES.findIndex((s) => s.id === p.stage);
  const name = index >= 0 ? `${STAGES[index]?.label} (${index + 1} of ${STAGES.length})` : p.stage;
  if (p.stage === 'saving') return `${name}: ${p.total.toLocaleString()} clusters`;
  if (p.total <= 1) return name;
  return `${name}: ${p.done.toLocaleString()} / ${p.total.toLocaleString()}`;
}

/** Share of the stage done, for the bar; null (an indeterminate bar) when it cannot be told. */
export function stageShare(p: DuplicatesProgress): number | null {
  if (p.stage === 'saving' || p.total <= 0) return null;
  return Math.min(1, p.done / p.total);
}

/** The progress to show after `next` arrives. Pairs are compared in parallel, so reports of
 * one stage can arrive out of order: the bar never goes back within a stage. */
export function advance(
  shown: DuplicatesProgress | null,
  next: DuplicatesProgress,
): DuplicatesProgress {
  if (shown && shown.stage === next.stage && shown.total === next.total && next.done < shown.done) {
    return shown;
  }
  return next;
}

// ---------------------------------------------------------------- histogram

export const BUCKET = 0.05;

/** Counts of scores per bucket of `width` over 0–1; bucket i holds [i·width, (i+1)·width),
 * the last one also 1. */
export function histogram(scores: Iterable<number>, width = BUCKET): number[] {
  const n = Math.round(1 / width);
  const counts = new Array<number>(n).fill(0);
  for (const score of scores) {
    // The epsilon keeps 0.15 / 0.05 = 2.9999… in bucket 3.
    const i = Math.min(n - 1, Math.max(0, Math.floor(score / width + 1e-9)));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

/** The first bucket worth drawing: the lowest non-empty one, or the threshold's, whichever is
 * lower, so a run at a 90% threshold is not drawn as 18 empty buckets and two bars. */
export function firstBucket(counts: readonly number[], threshold: number | null, width = BUCKET): number {
  const nonEmpty = counts.findIndex((c) => c > 0);
  const candidates = [nonEmpty >= 0 ? nonEmpty : counts.length - 1];
  if (threshold !== null) candidates.push(Math.floor(threshold / width + 1e-9));
  return Math.max(0, Math.min(counts.length - 1, ...candidates));
}

// ---------------------------------------------------------------- filtering

export type ClusterFilter = {
  /** Systems chosen; empty means any. */
  systems: readonly string[];
  /** `any`: a record from one of the chosen systems; `all`: records from every one of them. */
  mode: 'any' | 'all';
  minScore: number;
  text: string;
};

export const NO_FILTER: ClusterFilter = { systems: [], mode: 'any', minScore: 0, text: '' };

export function isFiltered(f: ClusterFilter): boolean {
  return f.systems.length > 0 || f.minScore > 0 || f.text.trim() !== '';
}

/** Lower-cased labels, computed once per list so typing in the filter does no per-cluster
 * allocation. */
export function searchKeys(clusters: readonly ClusterSummary[]): string[] {
  return clusters.map((c) => c.label.toLowerCase());
}

/** The clusters passing `f`, in their order. One pass over plain data: fast enough on 100k
 * clusters to run on every keystroke. */
export function filterClusters(
  clusters: readonly ClusterSummary[],
  keys: readonly string[],
  f: ClusterFilter,
): ClusterSummary[] {
  const text = f.text.trim().toLowerCase();
  const chosen = f.systems;
  const out: ClusterSummary[] = [];
  for (let i = 0; i < clusters.length; i += 1) {
    const c = clusters[i] as ClusterSummary;
    if (c.score < f.minScore) continue;
    if (text && !(keys[i] ?? c.label.toLowerCase()).includes(text)) continue;
    if (chosen.length > 0) {
      const hit =
        f.mode === 'all'
          ? chosen.every((s) => c.systems.includes(s))
          : chosen.some((s) => c.systems.includes(s));
      if (!hit) continue;
    }
    out.push(c);
  }
  return out;
}

/** Each system with the number of clusters holding one of its records, most first. */
export function systemCounts(clusters: readonly ClusterSummary[]): { system: string; clusters: number }[] {
  const counts = new Map<string, number>();
  for (const c of clusters) {
    for (const s of c.systems) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts]
    .map(([system, n]) => ({ system, clusters: n }))
    .sort((a, b) => b.clusters - a.clusters || a.system.localeCompare(b.system));
}

/** Names short enough for a chip: each system without a trailing "(…)" ("HubSpot (sandbox)" →
 * "HubSpot"), unless that would make two systems look the same. */
export function chipNames(systems: readonly string[]): Map<string, string> {
  const short = (name: string) => name.replace(/\s*\([^)]*\)\s*$/, '') || name;
  const taken = new Map<string, number>();
  for (const s of systems) taken.set(short(s), (taken.get(short(s)) ?? 0) + 1);
  return new Map(systems.map((s) => [s, (taken.get(short(s)) ?? 0) > 1 ? s : short(s)]));
}

// ---------------------------------------------------------------- the detail pane

/** The engine's columns in the order the detail pane shows them. */
export const COLUMNS = [
  'first_name',
  'last_name',
  'full_name',
  'email',
  'phone',
  'company',
  'title',
  'country',
  'city',
  'domain',
  'source',
] as const;

const COLUMN_LABELS: Record<string, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  full_name: 'Full name',
  email: 'Email',
  phone: 'Phone',
  company: 'Company',
  title: 'Title',
  country: 'Country',
  city: 'City',
  domain: 'Web domain',
  source: 'Source',
};

export function columnLabel(column: string): string {
  return COLUMN_LABELS[column] ?? column.replace(/_/g, ' ');
}

/** The columns at least one member has a value in: known ones in order, then any others. */
export function shownColumns(members: readonly MemberView[]): string[] {
  const present = new Set<string>();
  for (const m of members) for (const v of m.values) if (v.value.trim() !== '') present.add(v.column);
  const known: string[] = COLUMNS.filter((c) => present.has(c));
  const others = [...present].filter((c) => !(COLUMNS as readonly string[]).includes(c)).sort();
  return [...known, ...others];
}

/** "HubSpot 1234": a member as people recognise it. */
export function memberName(m: Pick<MemberView, 'system' | 'externalId'>): string {
  return `${m.system} ${m.externalId}`;
}

/** The level a comparison takes when one side (or both) has no value. */
export const MISSING = 'missing';

export type Tint = 'agree' | 'disagree' | null;

export type CellEvidence = { tint: Tint; evidence: EvidenceView[] };

/** Evidence weaker than this, either way, leaves a cell untinted: under 1 bit the pair is less
 * than twice as likely one way as the other (the same first name weighed against namesakes, who
 * share it by definition, is −0.4), and a red "different people" on two equal values would
 * mislead. */
export const TELLING_BITS = 1;

/** The columns each side of a link has a value in. */
export type Sides = { own: ReadonlySet<string>; other: ReadonlySet<string> };

/** Whether comparison `e` speaks about this record's `column`. It reads every column in
 * `e.columns`, but beyond its own (the one it is named after) a column counts only where it
 * stood in for that one (a full name, for a record without a first name) or met a value on the
 * other side: a web domain facing no domain did not decide "same company". */
function speaksAbout(e: EvidenceView, column: string, sides?: Sides): boolean {
  if (!e.columns.includes(column)) return false;
  if (!sides || column === e.comparison || !e.columns.includes(e.comparison)) return true;
  return sides.other.has(column) || !sides.own.has(e.comparison);
}

/** How a cell reads under a link's evidence: the comparisons reading its column (as the
 * backend names them in `columns`) tint it green when their bits add up to at least
 * TELLING_BITS, red when to at most −TELLING_BITS. A "missing" level weighs the absence of a
 * value on one side, not this value: it is listed in the cell's tooltip but does not tint it. */
export function cellEvidence(column: string, evidence: readonly EvidenceView[], sides?: Sides): CellEvidence {
  const relevant = evidence.filter((e) => speaksAbout(e, column, sides));
  const bits = relevant.filter((e) => e.level !== MISSING).reduce((sum, e) => sum + e.bits, 0);
  const tint: Tint = bits >= TELLING_BITS ? 'agree' : bits <= -TELLING_BITS ? 'disagree' : null;
  return { tint, evidence: relevant };
}

/** The columns a member has a (non-blank) value in. */
export function filledColumns(m: Pick<MemberView, 'values'>): Set<string> {
  return new Set(m.values.filter((v) => v.value.trim() !== '').map((v) => v.column));
}

/** The link whose evidence tints each member's cells: the chosen link for its two members
 * (no other member is tinted then), or else the strongest link involving each member. */
export function linkPerMember(
  detail: Pick<ClusterDetail, 'members' | 'links'>,
  chosen: LinkView | null,
): Map<number, LinkView> {
  const out = new Map<number, LinkView>();
  if (chosen) {
    out.set(chosen.left, chosen);
    out.set(chosen.right, chosen);
    return out;
  }
  for (const m of detail.members) {
    let best: LinkView | undefined;
    for (const l of detail.links) {
      if ((l.left === m.recordId || l.right === m.recordId) && (!best || l.probability > best.probability)) {
        best = l;
      }
    }
    if (best) out.set(m.recordId, best);
  }
  return out;
}

/** A cell's tooltip: where the value came from and what the evidence said about it. */
export function cellTitle(field: string, cell: CellEvidence, other: string | null): string {
  const lines = [`Field: ${field}`];
  for (const e of cell.evidence) {
    const note = e.level === MISSING ? ' (one side has no value)' : '';
    lines.push(`${e.comparison}: ${e.level} ${bitsLabel(e.bits)} bits${note}`);
  }
  if (other && cell.evidence.length > 0) lines.push(`compared with ${other}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- a link's evidence adding up

/** A stretch of log-odds, in bits: from the running sum before a term to the one after it. */
export type Step = { from: number; to: number };

/** A link's log-odds built up term by term: the prior (from 0), then each comparison's bits in
 * order, each step starting where the last ended; `total` is where the last one ends, the
 * link's log2(p / (1 − p)). */
export function buildUp(link: Pick<LinkView, 'priorBits' | 'evidence'>): {
  prior: Step;
  steps: Step[];
  total: number;
} {
  const prior = { from: 0, to: link.priorBits };
  let at = link.priorBits;
  const steps = link.evidence.map((e) => {
    const step = { from: at, to: at + e.bits };
    at = step.to;
    return step;
  });
  return { prior, steps, total: at };
}

export type BitsRange = { lo: number; hi: number };

/** The span of bits the links' build-ups cover, zero included: one scale for every link of a
 * cluster, so that their bars compare. */
export function bitsRange(links: readonly Pick<LinkView, 'priorBits' | 'evidence'>[]): BitsRange {
  let lo = 0;
  let hi = 0;
  for (const link of links) {
    const { prior, steps } = buildUp(link);
    for (const s of [prior, ...steps]) {
      lo = Math.min(lo, s.from, s.to);
      hi = Math.max(hi, s.from, s.to);
    }
  }
  if (hi - lo < 1) hi = lo + 1;
  return { lo, hi };
}

/** Where a step's bar sits on the track, in percent of its width. */
export function place(step: Step, range: BitsRange): { left: number; width: number } {
  const span = range.hi - range.lo;
  const at = (bits: number) => ((bits - range.lo) / span) * 100;
  const left = at(Math.min(step.from, step.to));
  return { left, width: at(Math.max(step.from, step.to)) - left };
}

/** "+9.4 bits → 99.9%": the sum of a link's terms and the probability it gives. */
export function totalLine(total: number, probability: number): string {
  return `${bitsLabel(total)} bits → ${scorePercent(probability)}`;
}
