import { describe, expect, it } from 'vitest';
import { describeDetails, formatTime } from './format';

describe('formatTime', () => {
  it('shows date and time to the second', () => {
    expect(formatTime('2026-11-22T14:08:55.349Z')).toBe('2026-11-22 14:08:55');
  });
  it('leaves anything else as it is', () => {
    expect(formatTime('soon')).toBe('soon');
  });
});

describe('describeDetails', () => {
  it('lists pairs in order with readable keys', () => {
    expect(describeDetails({ kind: 'csv', cached_records_removed: 3 })).toBe(
      'kind: csv · cached records removed: 3',
    );
  });
});
