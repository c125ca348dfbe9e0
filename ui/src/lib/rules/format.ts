// Pure helpers of the Rules screen: the choices offered, the rows grouped as shown, and each
// change described in words for the "why" dialog. No Svelte: each is tested on its own.
import type { NextSteps } from '../errors/hints';
import type {
  AuthorityChange,
  AuthorityRuleView,
  FieldMappingChange,
  MappingView,
  SegmentChange,
  SegmentConditionView,
  StatusMappingChange,
  StatusSystemView,
  StatusValueView,
} from '../ipc';

export const POLICIES = ['authority_wins', 'last_touch', 'earliest_touch', 'manual'] as const;

export const POLICY_LABELS: Record<string, string> = {
  authority_wins: 'authority wins',
  last_touch: 'last touch',
  earliest_touch: 'earliest touch',
  manual: 'manual',
};

export const POLICY_HINTS: Record<string, string> = {
  authority_wins: 'The authoritative system’s value stands; every copy should match it.',
  last_touch: 'The most recent change wins, wherever it was made.',
  earliest_touch: 'The first value ever set wins (first-touch attribution).',
  manual: 'Differences are flagged for a person to decide.',
};

export function policyLabel(policy: string): string {
  return POLICY_LABELS[policy] ?? policy.replace(/_/g, ' ');
}

/** The authority choices: the hub, then every registered system. */
export function authorityChoices(systems: readonly string[]): string[] {
  return ['hub', ...systems.filter((s) => s.toLowerCase() !== 'hub')];
}

/** "person.email". */
export function fieldName(object: string, field: string): string {
  return `${object}.${field}`;
}

// ---------------------------------------------------------------- tabs

export type Tab = 'authority' | 'mapping' | 'status' | 'segments' | 'history';

export const TABS: { id: Tab; label: string }[] = [
  { id: 'authority', label: 'Authority' },
  { id: 'mapping', label: 'Field mapping' },
  { id: 'status', label: 'Status model' },
  { id: 'segments', label: 'Segments' },
  { id: 'history', label: 'History' },
];

// ---------------------------------------------------------------- field mapping

export function isSuggestion(m: MappingView): boolean {
  return m.field === '' && m.suggested !== null;
}

export type MappingGroup = { system: string; rows: MappingView[]; mapped: number; suggested: number };

/** Mapping rows per system, in the backend's order within each. */
export function mappingGroups(mapping: readonly MappingView[]): MappingGroup[] {
  const groups = new Map<string, MappingGroup>();
  for (const m of mapping) {
    let g = groups.get(m.system);
    if (!g) {
      g = { system: m.system, rows: [], mapped: 0, suggested: 0 };
      groups.set(m.system, g);
    }
    g.rows.push(m);
    if (isSuggestion(m)) g.suggested += 1;
    else if (m.field !== '') g.mapped += 1;
  }
  return [...groups.values()];
}

export function suggestionCount(mapping: readonly MappingView[]): number {
  return mapping.filter(isSuggestion).length;
}

// ---------------------------------------------------------------- status model

/** Unmapped values first (they are the ones to act on), then by records, most first. */
export function statusRows(system: StatusSystemView): StatusValueView[] {
  return [...system.values].sort(
    (a, b) => Number(a.canonical !== null) - Number(b.canonical !== null) || b.count - a.count,
  );
}

/** Values not mapped to a canonical one, over every status model and system. */
export function unmappedValues(systems: readonly StatusSystemView[]): number {
  return systems.reduce((n, s) => n + s.values.filter((v) => v.canonical === null).length, 0);
}

// ---------------------------------------------------------------- segments

/** "lifecycle_stage is customer or evangelist". */
export function conditionText(c: SegmentConditionView): string {
  if (c.values.length === 0) return `${c.field} is set`;
  return `${c.field} is ${c.values.join(' or ')}`;
}

// ---------------------------------------------------------------- changes

/** A change waiting for its "why". */
export type Pending =
  | { kind: 'authority'; change: AuthorityChange; text: string }
  | { kind: 'mapping'; change: FieldMappingChange; text: string }
  | { kind: 'status'; change: StatusMappingChange; text: string }
  | { kind: 'accept'; count: number; text: string }
  | { kind: 'segment'; change: SegmentChange; text: string };

export function segmentChange(name: string, object: string, field: string, values: readonly string[]): Pending {
  const change: SegmentChange = { name: name.trim(), object, conditions: [{ field, values: [...values] }] };
  const text = `Define the segment “${change.name}”: ${object === 'company' ? 'companies' : 'people'} whose ${field} is ${values.join(' or ')}`;
  return { kind: 'segment', change, text };
}

export function authorityChange(rule: AuthorityRuleView, system: string, policy: string): Pending {
  const name = fieldName(rule.object, rule.field);
  const parts: string[] = [];
  if (system !== rule.system) parts.push(`make ${system === 'hub' ? 'the hub' : system} the authority of ${name}`);
  if (policy !== rule.policy) parts.push(`resolve conflicts on ${name} by ${policyLabel(policy)}`);
  const text = parts.length ? parts.join(' and ') : `keep ${name} as it is`;
  return {
    kind: 'authority',
    change: { object: rule.object, field: rule.field, system, policy },
    text: text.charAt(0).toUpperCase() + text.slice(1),
  };
}

export function mappingChange(m: MappingView, field: string | null): Pending {
  const change = { system: m.system, object: m.object, systemField: m.systemField, field };
  const text = field
    ? `Map ${m.system}’s ${m.object} field “${m.systemField}” to ${fieldName(m.object, field)}`
    : `Unmap ${m.system}’s ${m.object} field “${m.systemField}” (it is no longer compared)`;
  return { kind: 'mapping', change, text };
}

export function statusChange(
  object: string,
  field: string,
  system: string,
  value: string,
  canonical: string | null,
): Pending {
  const change = { object, field, system, value, canonical };
  const text = canonical
    ? `Read ${system}’s “${value}” as “${canonical}” in ${fieldName(object, field)}`
    : `Leave ${system}’s “${value}” unmapped in ${fieldName(object, field)} (flagged, not compared)`;
  return { kind: 'status', change, text };
}

export function acceptChange(count: number): Pending {
  return {
    kind: 'accept',
    count,
    text: `Accept all ${count.toLocaleString()} suggested ${count === 1 ? 'mapping' : 'mappings'}, and give each status field of the hub a status model`,
  };
}

// ---------------------------------------------------------------- errors

export const NEXT_STEPS = {
  invalid_input: 'Nothing was saved. Change the choice (or give a reason), then save again.',
  not_found: 'A system named here was removed: the rules are reloaded, try again.',
} as const satisfies NextSteps;
