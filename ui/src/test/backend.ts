import { invoke } from '@tauri-apps/api/core';
import { vi } from 'vitest';
import type { AppError, SystemView } from '../lib/ipc';

type Handler = (args: Record<string, unknown> | undefined) => unknown;

/** Scripts the fake backend: command name → handler. A handler that throws rejects the call
 * the way Tauri does, with the thrown value. Unscripted commands fail the test loudly. */
export function backend(handlers: Record<string, Handler>) {
  const calls: { command: string; args: Record<string, unknown> | undefined }[] = [];
  vi.mocked(invoke).mockImplementation(async (command: string, args?: unknown) => {
    const a = args as Record<string, unknown> | undefined;
    calls.push({ command, args: a });
    const handler = handlers[command];
    if (!handler) throw new Error(`unexpected command ${command}`);
    return handler(a);
  });
  return calls;
}

export function rejectWith(error: AppError): never {
  throw error;
}

export function system(overrides: Partial<SystemView> = {}): SystemView {
  return {
    id: 1,
    name: 'HubSpot',
    kind: 'hubspot',
    role: 'hub',
    lifecycle: 'active',
    population: 'automated',
    owner: 'Dana',
    dependentTeams: ['Sales'],
    baseUrl: 'https://api.hubapi.com',
    path: null,
    credential: 'stored',
    cachedRecords: 1200,
    ...overrides,
  };
}
