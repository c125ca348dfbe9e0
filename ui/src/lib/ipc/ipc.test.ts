import { describe, expect, it } from 'vitest';
import { ipc, toAppError } from '.';
import { backend, rejectWith } from '../../test/backend';

describe('toAppError', () => {
  it('keeps a backend error as it is', () => {
    expect(toAppError({ code: 'conflict', message: 'name taken' })).toEqual({
      code: 'conflict',
      message: 'name taken',
    });
  });

  it('turns anything else into an internal error with its text', () => {
    expect(toAppError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toAppError('command not allowed')).toEqual({
      code: 'internal',
      message: 'command not allowed',
    });
    expect(toAppError({ code: 'nonsense', message: 'x' }).code).toBe('internal');
  });
});

describe('ipc', () => {
  it('sends the secret beside the request, under the names the command takes', async () => {
    const calls = backend({ add_system: () => ({}) });
    await ipc.addSystem(
      {
        name: 'HubSpot',
        kind: 'hubspot',
        role: 'hub',
        population: null,
        owner: null,
        dependentTeams: [],
        baseUrl: 'https://api.hubapi.com',
        path: null,
        configPath: null,
      },
      'pat-na1-x',
    );
    expect(calls[0]?.command).toBe('add_system');
    expect(calls[0]?.args?.secret).toBe('pat-na1-x');
    expect((calls[0]?.args?.request as { name: string }).name).toBe('HubSpot');
  });

  it('rejects with the backend error', async () => {
    backend({ list_systems: () => rejectWith({ code: 'keychain_unavailable', message: 'locked' }) });
    await expect(ipc.listSystems()).rejects.toEqual({ code: 'keychain_unavailable', message: 'locked' });
  });

  it('sends the drift, rules and erasure commands the arguments they take', async () => {
    const calls = backend({
      drift_findings: () => ({ total: 0, rows: [] }),
      apply_fixes: () => ({ applied: 0, skipped: 0, failed: 0, rows: [] }),
      revert_fix: () => ({}),
      set_authority: () => 4,
      map_field: () => 4,
      map_status: () => 4,
      accept_suggestions: () => 4,
      set_segment: () => 4,
      preview_erasure: () => [],
      request_erasure: () => ({}),
      check_erasures: () => [],
    });
    await ipc.driftFindings({ kind: 'stale', system: null, field: null, offset: 500, limit: 500 });
    await ipc.applyFixes(4, [3, 7]);
    await ipc.revertFix(12);
    await ipc.setAuthority({ object: 'person', field: 'email', system: 'MAP', policy: 'manual' }, 'why');
    await ipc.mapField({ system: 'MAP', object: 'person', systemField: 'Status', field: null }, 'why');
    await ipc.mapStatus({ object: 'person', field: 'lead_status', system: 'MAP', value: 'Engaged', canonical: 'OPEN' }, 'why');
    await ipc.acceptSuggestions('why');
    await ipc.setSegment({ name: 'active accounts', object: 'company', conditions: [{ field: 'account_status', values: ['active'] }] }, 'why');
    await ipc.previewErasure({ reference: 'DSR-1', email: 'a@b.io', phone: null, name: null, deadlineDays: 30 });
    await ipc.requestErasure({ reference: 'DSR-1', email: 'a@b.io', phone: null, name: null, deadlineDays: 30 });
    await ipc.checkErasures(null);
    // camelCase here; Tauri hands them to the commands' snake_case parameters.
    expect(calls.map((c) => [c.command, c.args])).toEqual([
      ['drift_findings', { query: { kind: 'stale', system: null, field: null, offset: 500, limit: 500 } }],
      ['apply_fixes', { request: { runId: 4, seqs: [3, 7] } }],
      ['revert_fix', { id: 12 }],
      ['set_authority', { object: 'person', field: 'email', system: 'MAP', policy: 'manual', category: null, why: 'why' }],
      ['map_field', { system: 'MAP', object: 'person', systemField: 'Status', field: null, why: 'why' }],
      ['map_status', { object: 'person', field: 'lead_status', system: 'MAP', value: 'Engaged', canonical: 'OPEN', why: 'why' }],
      ['accept_suggestions', { why: 'why' }],
      ['set_segment', { name: 'active accounts', object: 'company', conditions: [{ field: 'account_status', values: ['active'] }], why: 'why' }],
      ['preview_erasure', { input: { reference: 'DSR-1', email: 'a@b.io', phone: null, name: null, deadlineDays: 30 } }],
      ['request_erasure', { input: { reference: 'DSR-1', email: 'a@b.io', phone: null, name: null, deadlineDays: 30 } }],
      ['check_erasures', { id: null }],
    ]);
  });
});
