import type { SettingsBackend } from '../../src/core/storage/settings.js';

/** Settings kept in memory, for tests that open the core in-process. */
export function memorySettings(values: Record<string, unknown>): SettingsBackend {
  const store = new Map(Object.entries(values));
  return { get: (key) => store.get(key), set: (key, value) => void store.set(key, value) };
}
