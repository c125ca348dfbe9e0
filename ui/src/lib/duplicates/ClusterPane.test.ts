import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ClusterPane from './ClusterPane.svelte';
import type { ClusterDetail, LinkView, MemberView } from '../ipc';

function bigCluster(size: number): ClusterDetail {
  const members: MemberView[] = Array.from({ length: size }, (_, i) => ({
    recordId: i + 1,
    system: i % 2 ? 'MAP' : 'HubSpot',
    externalId: `x${i + 1}`,
    values: [{ column: 'email', field: 'email', value: `ann${i}@acme.io` }],
  }));
  // As stored for a large cluster: the first record against every other one.
  const links: LinkView[] = members.slice(1).map((m, i) => ({
    left: 1,
    right: m.recordId,
    probability: 0.99 - i / 1000,
    alternative: 'namesakes',
    priorBits: -2,
    evidence: [{ comparison: 'email', columns: ['email'], level: 'same mailbox, other spelling', bits: 9 }],
  }));
  return {
    cluster: { cluster: 1, score: 0.95, size, systems: ['HubSpot', 'MAP'], label: 'Ann' },
    members,
    links,
  };
}

const memberColumns = () =>
  screen.getByRole('table', { name: 'Records of the cluster' }).querySelectorAll('thead th[data-record]');

describe('ClusterPane', () => {
  it('shows the first records and links of a large cluster, and the rest on request', async () => {
    render(ClusterPane, { props: { detail: bigCluster(40) } });
    expect(memberColumns()).toHaveLength(12);
    expect(screen.getByText(/Showing 12 of 40 records/)).toBeTruthy();
    const links = screen.getByRole('list', { name: 'Links of the cluster' });
    expect(within(links).getAllByRole('button')).toHaveLength(30);
    expect(screen.getByText(/Showing the strongest 30 of 39 links/)).toBeTruthy();

    // A chosen link's records are shown even beyond the first twelve.
    await fireEvent.click(within(links).getByRole('button', { name: /HubSpot x1 ↔ MAP x30/ }));
    expect(memberColumns()).toHaveLength(13);
    expect(memberColumns()[12]?.textContent).toContain('x30');

    const [records, more] = screen.getAllByRole('button', { name: 'Show all' });
    await fireEvent.click(records as HTMLElement);
    expect(memberColumns()).toHaveLength(40);
    await fireEvent.click(more as HTMLElement);
    expect(within(links).getAllByRole('button')).toHaveLength(39);
  });

  it('shows a small cluster whole', () => {
    render(ClusterPane, { props: { detail: bigCluster(3) } });
    expect(memberColumns()).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Show all' })).toBeNull();
  });
});
