import { cleanup } from '@testing-library/svelte';
import { afterEach, vi } from 'vitest';

// Component tests talk to a fake backend: each test scripts `invoke` for itself.
vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
// Events (sync progress): tests push them through the handler `listen` registered.
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

// jsdom has no layout, so no ResizeObserver; `bind:clientHeight` needs one to exist.
class NoLayoutResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoLayoutResizeObserver;

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});
