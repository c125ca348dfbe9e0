import { cleanup } from '@testing-library/svelte';
import { afterEach, vi } from 'vitest';

// Component tests talk to a fake backend: each test scripts `invoke` for itself.
vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

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
