import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ErasuresView from './ErasuresView.svelte';
import { backend, rejectWith } from '../../test/backend';
import { erasure } from '../../test/erasure';

const card = (reference: string) =>
  screen.getByRole('article', { name: reference });

describe('ErasuresView', () => {
  it('says what to do before the first request', async () => {
    backend({ erasures: () => [] });
    render(ErasuresView);
    expect(await screen.findByText('No erasure requests.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Re-check all' })).toHaveProperty('disabled', true);
  });

  it('lists each request with its deadline and a checklist per system', async () => {
    backend({
      erasures: () => [
        erasure(),
        erasure({ id: 2, reference: 'DSR-1999', overdue: true, deadlineAt: '2026-10-01T10:00:00Z' }),
        erasure({ id: 3, reference: 'DSR-1500', completedAt: '2026-10-02T10:00:00Z' }),
      ],
    });
    render(ErasuresView);
    await screen.findByRole('article', { name: 'DSR-2041' });
    expect(screen.getByText(/2 open/)).toBeTruthy();
    expect(screen.getByText('1 overdue')).toBeTruthy();

    const first = card('DSR-2041');
    expect(first.textContent).toContain('a***@e***.com · +44 ••• 18');
    expect(first.textContent).toContain('2026-11-20 10:00 UTC by dana');
    expect(first.textContent).toContain('3 records purged');
    expect(first.textContent).toContain('2 of 4 systems clear');
    const checklist = within(first).getByRole('table', { name: 'Checklist of DSR-2041' });
    const status = (system: string) => checklist.querySelector(`tr[data-system="${system}"] .status`) as HTMLElement;
    expect(status('HubSpot').textContent).toBe('deleted');
    expect(status('MAP').textContent).toBe('still present');
    expect(status('Portal').textContent).toBe('not found');
    expect(status('Events sheet').textContent).toBe('not checked');
    // Four statuses, four looks.
    expect(new Set(['HubSpot', 'MAP', 'Portal', 'Events sheet'].map((s) => status(s).className)).size).toBe(4);
    const map = checklist.querySelector('tr[data-system="MAP"]') as HTMLElement;
    expect(map.textContent).toContain('L-17, L-90');
    expect(map.textContent).toContain('1 under another name, left alone');
    expect(map.textContent).toContain('email, phone');
    expect(map.textContent).toContain('cache as of the incremental sync');

    const late = card('DSR-1999').querySelector('dd.overdue') as HTMLElement;
    expect(late.textContent).toContain('overdue by');
    expect(card('DSR-1500').textContent).toContain('completed 2026-10-02 10:00 UTC');
    expect(card('DSR-1500').querySelector('dd.overdue')).toBeNull();
  });

  it('files a request after confirming the person is purged at once', async () => {
    const filed = erasure({ id: 9, reference: 'DSR-3000', purged: 2 });
    const calls = backend({
      erasures: () => [erasure()],
      preview_erasure: () => [
        { system: 'Marketing platform', records: 1, matched: ['email'], otherName: 0 },
        { system: 'Customer portal', records: 1, matched: ['email', 'name'], otherName: 1 },
      ],
      request_erasure: () => filed,
    });
    render(ErasuresView);
    await screen.findByRole('article', { name: 'DSR-2041' });
    await fireEvent.click(screen.getByRole('button', { name: 'File a request' }));
    const form = screen.getByRole('form', { name: 'File an erasure request' });
    expect(within(form).getByLabelText(/Name — confirms a match, never used alone/)).toBeTruthy();
    expect((within(form).getByLabelText('Deadline (days)') as HTMLInputElement).value).toBe('30');

    // A name alone is refused before anything is asked.
    await fireEvent.input(within(form).getByLabelText('Reference'), { target: { value: 'DSR-3000' } });
    await fireEvent.input(within(form).getByLabelText(/^Name/), { target: { value: 'Ann Lee' } });
    await fireEvent.submit(form);
    expect(within(form).getByRole('alert').textContent).toContain('a name alone could erase the wrong person');
    expect(screen.queryByRole('alertdialog')).toBeNull();

    await fireEvent.input(within(form).getByLabelText('Email'), { target: { value: 'ann.lee@example.com' } });
    await fireEvent.input(within(form).getByLabelText('Deadline (days)'), { target: { value: '14' } });
    await fireEvent.submit(form);
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('purged from this workspace at once');
    // The preview says what will go before anything does.
    expect(calls.find((c) => c.command === 'preview_erasure')).toBeTruthy();
    const rows = within(dialog)
      .getAllByRole('row')
      .map((r) => Array.from(r.querySelectorAll('th, td'), (c) => c.textContent?.replace(/\s+/g, ' ').trim()).join(' '));
    expect(rows).toContain('Marketing platform 1 email');
    expect(rows.some((r) => r?.includes('1 under another name, left alone'))).toBe(true);
    expect(dialog.textContent).toContain('ann.lee@example.com');
    expect(dialog.textContent).toContain('due in 14 days');
    expect(calls.some((c) => c.command === 'request_erasure')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'File and purge' }));

    expect(calls.find((c) => c.command === 'request_erasure')?.args).toEqual({
      input: { reference: 'DSR-3000', email: 'ann.lee@example.com', phone: null, name: 'Ann Lee', deadlineDays: 14 },
    });
    expect(await screen.findByText('Filed DSR-3000: 2 records purged from this workspace.')).toBeTruthy();
    const cards = screen.getAllByRole('article').map((a) => a.getAttribute('data-request'));
    expect(cards).toEqual(['9', '1']);
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('shows a request the backend refused in the form', async () => {
    backend({
      erasures: () => [],
      preview_erasure: () => rejectWith({ code: 'invalid_input', message: 'email: not an address (one @, a local part and a domain)' }),
    });
    render(ErasuresView);
    await screen.findByText('No erasure requests.');
    await fireEvent.click(screen.getByRole('button', { name: 'File a request' }));
    const form = screen.getByRole('form', { name: 'File an erasure request' });
    await fireEvent.input(within(form).getByLabelText('Reference'), { target: { value: 'DSR-1' } });
    await fireEvent.input(within(form).getByLabelText('Email'), { target: { value: 'ann@' } });
    await fireEvent.submit(form);
    const alert = await within(form).findByRole('alert');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(alert.textContent).toContain('email: not an address');
    expect(alert.textContent).toContain('Correct the field');
  });

  it('re-checks one request, and every open one', async () => {
    const calls = backend({
      erasures: () => [erasure(), erasure({ id: 2, reference: 'DSR-1999' })],
      check_erasures: (args) =>
        args?.id === 1
          ? [erasure({ systems: erasure().systems.map((s) => ({ ...s, status: 'deleted', records: [] })), completedAt: '2026-11-23T10:00:00Z' })]
          : [erasure({ id: 2, reference: 'DSR-1999', purged: 7 })],
    });
    render(ErasuresView);
    await screen.findByRole('article', { name: 'DSR-2041' });
    await fireEvent.click(within(card('DSR-2041')).getByRole('button', { name: 'Re-check' }));
    expect(calls.find((c) => c.command === 'check_erasures')?.args).toEqual({ id: 1 });
    expect(await within(card('DSR-2041')).findByText(/completed/)).toBeTruthy();
    expect(card('DSR-2041').textContent).toContain('4 of 4 systems clear');

    await fireEvent.click(screen.getByRole('button', { name: 'Re-check all' }));
    expect(calls.filter((c) => c.command === 'check_erasures').at(-1)?.args).toEqual({ id: null });
    expect(await screen.findByText('Re-checked 1 open request.')).toBeTruthy();
    expect(card('DSR-1999').textContent).toContain('7 records purged');
  });

  it('shows requests that cannot be loaded with what to do next', async () => {
    backend({ erasures: () => rejectWith({ code: 'io', message: 'the workspace could not be read' }) });
    render(ErasuresView);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Check that the workspace folder exists');
  });
});
