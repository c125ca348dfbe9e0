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
});
