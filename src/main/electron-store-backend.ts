/**
 * Settings storage for the desktop app: electron-store over the same file the CLI's conf uses.
 *
 * Same directory (userData), same file name (config.json), so the tray app and
 * `tokentray config set …` read and write one settings file. Validation is the core's
 * (SettingsStore names the bad key); a store-level schema would throw before it could.
 */
import Store from 'electron-store';
import { SETTINGS_FILE_NAME, type SettingsBackend } from '../core/storage/settings.js';

export function createElectronStoreBackend(userDataDir: string): SettingsBackend {
  const store = new Store<Record<string, unknown>>({
    name: SETTINGS_FILE_NAME,
    cwd: userDataDir,
    clearInvalidConfig: false, // a hand-edited typo must be reported, not wiped
  });
  return { get: (key) => store.get(key), set: (key, value) => store.set(key, value) };
}
