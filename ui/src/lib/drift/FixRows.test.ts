import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import FixRows from './FixRows.svelte';
import { fixRecord } from '../../test/drift';

describe('FixRows', () => {
  it('shows what each fix wrote, and skipped ones (never journaled, all id 0) with their reason', () => {
    const skipped = (detail: string) =>
      fixRecord({ id: 0, system: '', object: '', externalId: '', field: '', before: null, after: '', status: 'skipped', detail });
    render(FixRows, {
      props: {
        rows: [fixRecord({ id: 5 }), skipped('finding 2: the rules changed since drift was measured'), skipped('finding 3: not a write')],
        label: 'Fixes written',
      },
    });
    const rows = within(screen.getByRole('table', { name: 'Fixes written' })).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]?.textContent).toContain('MAP L-1');
    expect(rows[0]?.textContent).toContain('old@acme.io → new@acme.io');
    expect(rows[1]?.textContent).not.toContain('(empty)');
    expect(rows[1]?.textContent).toContain('the rules changed since drift was measured');
    expect(screen.queryByRole('button', { name: 'Revert' })).toBeNull();
  });

  it('offers Revert on applied fixes only', async () => {
    const onrevert = vi.fn();
    render(FixRows, {
      props: {
        rows: [fixRecord({ id: 3 }), fixRecord({ id: 2, status: 'reverted' }), fixRecord({ id: 1, status: 'failed' })],
        label: 'Fix journal',
        onrevert,
      },
    });
    const buttons = screen.getAllByRole('button', { name: 'Revert' });
    expect(buttons).toHaveLength(1);
    await fireEvent.click(buttons[0] as HTMLElement);
    expect(onrevert).toHaveBeenCalledWith(expect.objectContaining({ id: 3 }));
  });
});
