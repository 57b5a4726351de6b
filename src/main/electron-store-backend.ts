/**
 * Settings storage for the desktop app: electron-store over the same file the CLI's conf uses.
 *
 * Same schema, same directory (userData), same file name (config.json), so the tray app and
 * `tokentray config set …` read and write one settings file.
 */
import Store from 'electron-store';
import { SETTINGS_FILE_NAME, SETTINGS_SCHEMA, type SettingsBackend } from '../core/settings.js';

export function createElectronStoreBackend(userDataDir: string): SettingsBackend {
  const store = new Store<Record<string, unknown>>({
    name: SETTINGS_FILE_NAME,
    cwd: userDataDir,
    schema: SETTINGS_SCHEMA as never,
    clearInvalidConfig: false, // a hand-edited typo must be reported, not wiped
  });
  return { get: (key) => store.get(key), set: (key, value) => store.set(key, value) };
}
