import { describe, expect, it, vi } from 'vitest';
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

  it('sends the governance, deprecation, probe and audit commands the arguments they take', async () => {
    const request = {
      name: 'MAP write-back',
      spoke: 'MAP',
      matchKey: 'email',
      statusField: 'lead_status',
      statusValues: ['CONNECTED'],
      targetSeconds: 5,
      timeoutSeconds: 12,
      everyMinutes: 60,
    };
    const signOff = { system: 'SDR sheet', checklist: 'deprecation', item: 'owner_agreed', note: 'agreed in the ops review' };
    const calls = backend({
      governance: () => ({}),
      grant_role: () => ({}),
      revoke_role: () => ({}),
      onboarding: () => ({}),
      sign_off: () => null,
      withdraw_sign_off: () => null,
      alerts: () => [],
      clear_alert: () => null,
      deprecations: () => [],
      deprecation_records: () => [],
      export_only_here: () => ({}),
      export_archive: () => ({}),
      set_quiet_days: () => ({}),
      move_lifecycle: () => ({}),
      probes: () => [],
      probe_history: () => [],
      add_probe: () => ({}),
      remove_probe: () => null,
      run_probe: () => ({}),
      cancel_probe: () => true,
      audit_overview: () => ({}),
      run_audit: () => ({}),
      export_audit: () => [],
    });
    await ipc.governance();
    await ipc.grantRole('sam', 'ops');
    await ipc.revokeRole('sam', 'ops');
    await ipc.onboarding('MAP');
    await ipc.signOff(signOff);
    await ipc.withdrawSignOff('SDR sheet', 'deprecation', 'owner_agreed');
    await ipc.alerts(true);
    await ipc.clearAlert(7);
    await ipc.deprecations();
    await ipc.deprecationRecords('SDR sheet', 'only_here');
    await ipc.exportOnlyHere('SDR sheet', '/tmp/only.csv');
    await ipc.exportArchive('SDR sheet', '/tmp/archive.csv');
    await ipc.setQuietDays('SDR sheet', 30);
    await ipc.moveLifecycle('SDR sheet', 'deprecated', '2026-10-01', null);
    await ipc.probes();
    await ipc.probeHistory('MAP write-back', 20);
    await ipc.addProbe(request);
    await ipc.removeProbe('MAP write-back');
    await ipc.runProbe('MAP write-back');
    await ipc.cancelProbe();
    await ipc.auditOverview();
    await ipc.runAudit();
    await ipc.exportAudit(null, '/tmp/audit');
    expect(calls.map((c) => [c.command, c.args])).toEqual([
      ['governance', undefined],
      ['grant_role', { person: 'sam', role: 'ops' }],
      ['revoke_role', { person: 'sam', role: 'ops' }],
      ['onboarding', { system: 'MAP' }],
      ['sign_off', { request: signOff }],
      ['withdraw_sign_off', { system: 'SDR sheet', checklist: 'deprecation', item: 'owner_agreed' }],
      ['alerts', { openOnly: true }],
      ['clear_alert', { id: 7 }],
      ['deprecations', undefined],
      ['deprecation_records', { system: 'SDR sheet', item: 'only_here' }],
      ['export_only_here', { system: 'SDR sheet', path: '/tmp/only.csv' }],
      ['export_archive', { system: 'SDR sheet', path: '/tmp/archive.csv' }],
      ['set_quiet_days', { system: 'SDR sheet', days: 30 }],
      ['move_lifecycle', { system: 'SDR sheet', to: 'deprecated', since: '2026-10-01', reason: null }],
      ['probes', undefined],
      ['probe_history', { name: 'MAP write-back', limit: 20 }],
      ['add_probe', { request }],
      ['remove_probe', { name: 'MAP write-back' }],
      ['run_probe', { name: 'MAP write-back' }],
      ['cancel_probe', undefined],
      ['audit_overview', undefined],
      ['run_audit', undefined],
      ['export_audit', { quarter: null, dir: '/tmp/audit' }],
    ]);
  });

  it('keeps a refusal as forbidden', () => {
    expect(toAppError({ code: 'forbidden', message: 'needs admin' })).toEqual({ code: 'forbidden', message: 'needs admin' });
  });

  it('passes probe progress to the handler', async () => {
    const { listen } = await import('@tauri-apps/api/event');
    const seen: unknown[] = [];
    vi.mocked(listen).mockImplementationOnce(async (name, handler) => {
      expect(name).toBe('probe-progress');
      (handler as (e: { payload: unknown }) => void)({ payload: { probe: 'p', phase: 'done', leg: 0, legs: 0 } });
      return () => {};
    });
    await ipc.onProbeProgress((p) => seen.push(p));
    expect(seen).toEqual([{ probe: 'p', phase: 'done', leg: 0, legs: 0 }]);
  });
});
