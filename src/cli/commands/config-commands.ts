/** `tokentray config get | set`. */
import { existsSync } from 'node:fs';
import { EXIT_OK } from '../../shared/error-codes.js';
import type { EmailEngineStatus } from '../../shared/emailengine.js';
import { SETTING_KEYS, type SettingKey } from '../../shared/settings-shape.js';
import { dataFiles } from '../../core/storage/paths.js';
import { readLock } from '../../core/storage/process-lock.js';
import { SettingsStore, createConfBackend, environmentVariableFor, isSettingKey, parseSetting } from '../../core/storage/settings.js';
import { azureGuide } from '../azure-guide.js';
import { usageError, type CommandEnv } from '../command-env.js';
import { reportAuthServerFollowed } from './emailengine-follow.js';

export async function configGetCommand(env: CommandEnv, key: string | undefined, json: boolean): Promise<number> {
  // Reading settings needs neither the vault nor the daemon: read the file directly.
  const store = new SettingsStore(createConfBackend(env.home), env.env);
  if (key !== undefined && !isSettingKey(key)) throw usageError(`Unknown setting "${key}".`, `Known keys: ${SETTING_KEYS.join(', ')}.`);
  const settings = store.read();
  if (key) {
    const value = settings[key];
    env.output.out(json ? JSON.stringify(value) : value === null ? 'null' : Array.isArray(value) ? value.join(',') : String(value));
    return EXIT_OK;
  }
  if (json) {
    env.output.out(JSON.stringify(settings, null, 2));
    return EXIT_OK;
  }
  const overridden = new Set(store.overriddenKeys());
  for (const name of SETTING_KEYS) {
    const value = settings[name];
    const shown = value === null ? 'null' : Array.isArray(value) ? value.join(',') || '(none)' : String(value);
    env.output.out(`${name} = ${shown}${overridden.has(name) ? `   (from ${environmentVariableFor(name)})` : ''}`);
  }
  if (!settings.clientId) {
    env.output.out('');
    env.output.out(azureGuide(settings.cloud));
  }
  return EXIT_OK;
}

export async function configSetCommand(env: CommandEnv, key: string, value: string): Promise<number> {
  if (!isSettingKey(key)) throw usageError(`Unknown setting "${key}".`, `Known keys: ${SETTING_KEYS.join(', ')}.`);
  const parsed = parseSetting(key as SettingKey, value, 'tokentray config set');
  const lock = await readLock(dataFiles(env.home).lock);
  // The auth server's address is part of EmailEngine's authServer: with a vault (where a
  // connected EmailEngine is kept) the core applies host and port, and updates EmailEngine too.
  const addressChange = (key === 'host' || key === 'port') && existsSync(dataFiles(env.home).vault);
  let followed: EmailEngineStatus | null = null;
  if (lock?.control || addressChange) {
    // A running daemon applies the change at once (e.g. restarts the auth server on a new port).
    followed = await env.withApi(async ({ api }) => {
      await api.setSetting(key as SettingKey, parsed);
      return key === 'host' || key === 'port' ? api.emailEngineStatus() : null;
    });
  } else {
    new SettingsStore(createConfBackend(env.home), env.env).set(key as SettingKey, parsed);
  }
  const overriddenBy = environmentVariableFor(key as SettingKey);
  env.output.out(`${key} = ${Array.isArray(parsed) ? parsed.join(',') : String(parsed)}`);
  if (env.env[overriddenBy]) env.output.err(`tokentray: note: ${overriddenBy} is set and overrides this value.`);
  if (followed?.connected) return reportAuthServerFollowed(env, followed, `${key} changed`);
  return EXIT_OK;
}
