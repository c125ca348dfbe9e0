import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import FindingPane from './FindingPane.svelte';
import { finding } from '../../test/drift';

const evidence = () => screen.getByRole('table', { name: 'Evidence' });
const row = (name: string) => within(evidence()).getByRole('rowheader', { name }).closest('tr') as HTMLElement;

describe('FindingPane', () => {
  it('shows a stale copy: its value, the hub’s, and the value it still holds from before', async () => {
    const ontoggle = vi.fn();
    render(FindingPane, { props: { finding: finding(), ontoggle } });
    expect(screen.getByRole('heading', { name: 'MAP L-1' })).toBeTruthy();
    expect(screen.getByText(/still holds a value the authority had before/)).toBeTruthy();
    expect(row('This copy').textContent).toContain('old@acme.io');
    expect(row('This copy').textContent).toContain('Email');
    expect(row('Hub').textContent).toContain('new@acme.io');
    expect(row('Hub').textContent).toContain('501');
    expect(row('Held before').textContent).toContain('by CRM_UI');
    const facts = document.querySelector('dl')?.textContent ?? '';
    expect(facts).toContain('person.email: hub, authority_wins');
    expect(facts).toContain('the copy holds a value the authority had earlier · earlier_authority_value');
    expect(facts).toContain('2026-11-01 09:00 UTC');
    expect(facts).toContain('the hub id it keeps');
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Include in the fixes to apply' }));
    expect(ontoggle).toHaveBeenCalledWith(1);
  });

  it('calls a divergent copy’s earlier value just that', () => {
    render(FindingPane, { props: { finding: finding({ kind: 'divergent' }) } });
    expect(row('Earlier value')).toBeTruthy();
    expect(screen.getByText(/Both sides changed the field since they last agreed/)).toBeTruthy();
  });

  it('shows a lead that never reached the CRM without a hub side, and its fix as advice', () => {
    render(FindingPane, {
      props: {
        finding: finding({
          kind: 'missing_in_hub',
          hubExternalId: null,
          hubValue: null,
          field: null,
          earlierValue: null,
          link: null,
          reason: 'no_hub_record',
          fix: { action: 'create_in_hub', system: 'Events sheet', externalId: 'row 12', field: null, value: null, description: 'bring it in' },
        }),
        ontoggle: vi.fn(),
      },
    });
    expect(screen.getByText(/The lead never reached the CRM/)).toBeTruthy();
    expect(within(evidence()).queryByRole('rowheader', { name: 'Hub' })).toBeNull();
    expect(document.body.textContent).toContain('not linked to a hub record');
    expect(document.body.textContent).toContain('Bring Events sheet row 12 into the hub');
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('explains an erasure that never reached a system, and a manual rule', () => {
    render(FindingPane, {
      props: {
        finding: finding({
          kind: 'erasure_not_propagated',
          reason: 'hub_record_deleted',
          fix: { action: 'decide', system: 'MAP', externalId: 'L-1', field: null, value: null, description: 'x' },
        }),
      },
    });
    expect(screen.getByText(/erased in the hub \(or by an erasure request\) but is still here/)).toBeTruthy();
    expect(screen.getByText(/decide which value is right/)).toBeTruthy();
  });
});
