import { describe, expect, it } from 'vitest';
import {
  dayOf,
  exportName,
  itemState,
  movesFrom,
  myRolesLine,
  openItems,
  personLabel,
  quietDays,
  reasonNeeded,
  signOffAction,
  sinceProblem,
} from './format';
import { deprecationItems, item } from './fixtures';

describe('roles', () => {
  it('names the person using the app and their roles', () => {
    expect(personLabel('dana', 'dana')).toBe('dana (you)');
    expect(personLabel('ana', 'dana')).toBe('ana');
    expect(myRolesLine('dana', ['admin', 'ops'])).toBe('You act as dana: Admin, Ops reviewer.');
    expect(myRolesLine('sam', [])).toBe('You act as sam and hold no role.');
  });
});

describe('checklist items', () => {
  it('tells passed, signed, waived and open items apart, and what each offers', () => {
    const [onlyHere, rerouted, probe, noWrites, credentials] = deprecationItems();
    expect(itemState(onlyHere!)).toBe('open');
    expect(signOffAction(onlyHere!)).toBe('Waive');
    expect(itemState(rerouted!)).toBe('passed');
    expect(signOffAction(rerouted!)).toBeNull();
    expect(signOffAction(probe!)).toBe('Waive');
    expect(itemState(noWrites!)).toBe('waived');
    expect(signOffAction(noWrites!)).toBeNull();
    expect(itemState(credentials!)).toBe('open');
    expect(signOffAction(credentials!)).toBe('Sign off');
    const signed = item({ kind: 'manual', signOff: { actor: 'ana', note: 'done', at: '2026-11-20T10:00:00Z' } });
    expect(itemState(signed)).toBe('signed');
    expect(openItems(deprecationItems())).toEqual([
      'No records exist only in this system',
      'Write-back verified by the last probe',
      'Credentials revoked',
      'Archive exported',
    ]);
  });
});

describe('lifecycle moves', () => {
  it('offers the moves from each lifecycle', () => {
    expect(movesFrom('active').map((m) => m.to)).toEqual(['deprecating']);
    expect(movesFrom('deprecating').map((m) => m.to)).toEqual(['deprecated', 'active']);
    expect(movesFrom('deprecated').map((m) => m.to)).toEqual(['deprecating', 'active']);
  });

  it('asks a reason to go back, and an override reason to finish an incomplete checklist', () => {
    const [finish, back] = movesFrom('deprecating');
    expect(reasonNeeded(finish!, { complete: false })).toBe('override');
    expect(reasonNeeded(finish!, { complete: true })).toBeNull();
    expect(reasonNeeded(back!, { complete: true })).toBe('back');
    expect(reasonNeeded(movesFrom('active')[0]!, { complete: false })).toBeNull();
    expect(reasonNeeded(movesFrom('deprecated')[0]!, { complete: true })).toBe('back');
  });

  it('checks the since day and the quiet days', () => {
    expect(sinceProblem('', '2026-11-20')).toBeNull();
    expect(sinceProblem('2026-11-01', '2026-11-20')).toBeNull();
    expect(sinceProblem('2026-12-01', '2026-11-20')).toMatch(/future/);
    expect(sinceProblem('yesterday', '2026-11-20')).toMatch(/2026-01-31/);
    expect(quietDays('30')).toBe(30);
    expect(quietDays('0')).toBeNull();
    expect(quietDays('2.5')).toBeNull();
    expect(quietDays(3651)).toBeNull();
    expect(dayOf('2026-10-22T00:00:00Z')).toBe('2026-10-22');
    expect(dayOf(null)).toBeNull();
    expect(exportName('Events sheet (2024)', 'archive')).toBe('Events-sheet-2024-archive.csv');
  });
});
