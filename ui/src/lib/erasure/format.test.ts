import { describe, expect, it } from 'vitest';
import { clearLine, daysLeft, deadlineLine, EMPTY_FORM, formProblem, merge, statusLabel, toInput } from './format';
import { erasure } from '../../test/erasure';

describe('the form', () => {
  it('needs a reference and an email or a phone; a name alone is not enough', () => {
    expect(formProblem(EMPTY_FORM)).toMatch(/reference/);
    expect(formProblem({ ...EMPTY_FORM, reference: 'DSR-1', name: 'Ann Lee' })).toMatch(/a name alone could erase the wrong person/);
    expect(formProblem({ ...EMPTY_FORM, reference: 'DSR-1', phone: '+44 20 7946 0018' })).toBeNull();
    expect(formProblem({ ...EMPTY_FORM, reference: 'DSR-1', email: 'a@b.io', deadlineDays: 0 })).toMatch(/1 to 365/);
    expect(formProblem({ ...EMPTY_FORM, reference: 'DSR-1', email: 'a@b.io', deadlineDays: '2.5' })).toMatch(/whole number/);
  });

  it('sends what was given, trimmed, and nothing for what was not', () => {
    expect(toInput({ reference: ' DSR-2041 ', email: ' ann@x.io ', phone: '', name: '  ', deadlineDays: '14' })).toEqual({
      reference: 'DSR-2041',
      email: 'ann@x.io',
      phone: null,
      name: null,
      deadlineDays: 14,
    });
    expect(EMPTY_FORM.deadlineDays).toBe(30);
  });
});

describe('the checklist', () => {
  it('words statuses and counts the systems clear', () => {
    expect(statusLabel('still_present')).toBe('still present');
    expect(statusLabel('not_checked')).toBe('not checked');
    expect(clearLine(erasure().systems)).toBe('2 of 4 systems clear');
  });

  it('says how far the deadline is', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    expect(daysLeft('2026-12-02T10:00:00Z', now)).toBe(10);
    expect(deadlineLine({ deadlineAt: '2026-12-02T10:00:00Z', overdue: false, completedAt: null }, now)).toBe('in 10 days');
    expect(deadlineLine({ deadlineAt: '2026-11-22T09:00:00Z', overdue: false, completedAt: null }, now)).toBe('due today');
    expect(deadlineLine({ deadlineAt: '2026-11-19T10:00:00Z', overdue: true, completedAt: null }, now)).toBe('overdue by 3 days');
    expect(deadlineLine({ deadlineAt: '2026-11-19T10:00:00Z', overdue: true, completedAt: '2026-11-18T10:00:00Z' }, now)).toBe('done');
  });

  it('replaces checked requests in place and puts new ones first', () => {
    const list = [erasure({ id: 2 }), erasure({ id: 1 })];
    const merged = merge(list, [erasure({ id: 1, completedAt: '2026-11-23T10:00:00Z' }), erasure({ id: 3 })]);
    expect(merged.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(merged[2]?.completedAt).toBe('2026-11-23T10:00:00Z');
  });
});
