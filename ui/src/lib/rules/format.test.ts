import { describe, expect, it } from 'vitest';
import {
  acceptChange,
  authorityChange,
  authorityChoices,
  conditionText,
  mappingChange,
  mappingGroups,
  policyLabel,
  statusChange,
  statusRows,
  suggestionCount,
  unmappedValues,
} from './format';
import { rulesView } from '../../test/rules';

const rules = rulesView();

describe('authority', () => {
  it('offers the hub, then every system', () => {
    expect(authorityChoices(['HubSpot', 'MAP'])).toEqual(['hub', 'HubSpot', 'MAP']);
    expect(policyLabel('authority_wins')).toBe('authority wins');
    expect(policyLabel('something_new')).toBe('something new');
  });

  it('describes a change for the why dialog, and sends the whole rule', () => {
    const email = rules.authority[0]!;
    const owner = authorityChange(email, 'MAP', email.policy);
    expect(owner.text).toBe('Make MAP the authority of person.email');
    expect(owner).toMatchObject({
      kind: 'authority',
      change: { object: 'person', field: 'email', system: 'MAP', policy: 'authority_wins' },
    });
    expect(authorityChange(email, 'hub', 'manual').text).toBe('Resolve conflicts on person.email by manual');
  });
});

describe('field mapping', () => {
  it('groups rows per system, counting mapped and suggested', () => {
    const groups = mappingGroups(rules.mapping);
    expect(groups.map((g) => [g.system, g.mapped, g.suggested])).toEqual([
      ['HubSpot', 2, 0],
      ['MAP', 1, 1],
      ['Portal', 0, 1],
    ]);
    expect(suggestionCount(rules.mapping)).toBe(2);
  });

  it('confirms a suggestion as a mapping, or unmaps', () => {
    const status = rules.mapping[3]!;
    const confirm = mappingChange(status, 'lead_status');
    expect(confirm.text).toBe('Map MAP’s person field “Status” to person.lead_status');
    expect(confirm).toMatchObject({
      kind: 'mapping',
      change: { system: 'MAP', object: 'person', systemField: 'Status', field: 'lead_status' },
    });
    expect(mappingChange(rules.mapping[2]!, null).text).toContain('Unmap MAP’s person field “Email”');
    expect(acceptChange(2).text).toMatch(/^Accept all 2 suggested mappings/);
  });
});

describe('status model', () => {
  it('lists unmapped values first', () => {
    const map = rules.status[0]!.systems[1]!;
    expect(statusRows(map).map((v) => v.value)).toEqual(['Recycled', 'Engaged']);
    expect(unmappedValues(rules.status[0]!.systems)).toBe(1);
  });

  it('describes mapping a status value, and leaving one unmapped', () => {
    expect(statusChange('person', 'lead_status', 'MAP', 'Recycled', 'OPEN').text).toBe(
      'Read MAP’s “Recycled” as “OPEN” in person.lead_status',
    );
    const unmap = statusChange('person', 'lead_status', 'MAP', 'Engaged', null);
    expect(unmap.text).toContain('unmapped');
    expect(unmap).toMatchObject({ change: { canonical: null, value: 'Engaged' } });
  });
});

describe('segments', () => {
  it('read as conditions', () => {
    expect(conditionText({ field: 'account_status', values: ['active', 'trial'] })).toBe(
      'account_status is active or trial',
    );
    expect(conditionText({ field: 'domain', values: [] })).toBe('domain is set');
  });
});
