/**
 * The installation's settings: validated, stored as JSON in config.json (the file and format
 * of electron-store and conf), overridable per key from the environment.
 *
 * Precedence: TOKENTRAY_<KEY> environment variable > settings file > default. Every value,
 * from any source, is checked by `validateSetting` (the schema, one rule per key); a bad one
 * is refused with a message naming the key and the allowed values.
 */
import { TokentrayError } from '../../shared/tokentray-error.js';
import { createSettingsFileBackend } from './settings-file.js';
import { SETTING_KEYS, settingEnvironmentVariable, type Cloud, type SettingKey, type Settings } from '../../shared/settings-shape.js';

export const DEFAULT_PORT = 7411;
export const DEFAULT_SIGN_IN_TIMEOUT_SECONDS = 300; // five minutes: time to find a password, not to forget the tab
export const SETTINGS_FILE_NAME = 'config'; // → config.json, the file electron-store uses by default

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  clientId: null,
  tenant: 'organizations',
  cloud: 'global',
  authority: null,
  host: 'localhost', // 127.0.0.1 and, where the machine has it, ::1: loopback only
  port: DEFAULT_PORT,
  allowedClients: [],
  signInTimeoutSeconds: DEFAULT_SIGN_IN_TIMEOUT_SECONDS,
  startAtLogin: false,
  'google.clientId': null,
  'google.endpoint': null,
};

const CLOUD_VALUES: readonly Cloud[] = ['global', 'gcc-high', 'dod', 'china'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const GOOGLE_CLIENT_ID = /^[0-9]{1,40}-[a-z0-9]{1,64}\.apps\.googleusercontent\.com$/i;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export const SETTING_DESCRIPTIONS: Record<SettingKey, string> = {
  clientId: 'Application (client) ID of your Azure app registration (a GUID)',
  tenant: '"organizations", "common", "consumers", a tenant id (GUID) or a domain such as contoso.com',
  cloud: CLOUD_VALUES.join(', '),
  authority: 'full https authority URL overriding cloud + tenant (ADFS-like setups, test identity providers), or "null"',
  host: 'address the auth server binds: 127.0.0.1, ::1, localhost, or another local address (needs allowedClients)',
  port: 'auth-server TCP port, 1-65535 (0 picks a free one at each start)',
  allowedClients: 'comma-separated client IP addresses allowed besides loopback (when host is not loopback)',
  signInTimeoutSeconds: 'seconds a browser sign-in may take, 10-3600',
  startAtLogin: 'true or false (desktop app only)',
  'google.clientId': 'Client ID of your Google Cloud OAuth client of type "Desktop app" (NUMBER-XXXX.apps.googleusercontent.com), or "null"',
  'google.endpoint': 'https base URL replacing Google\'s OAuth endpoints (test identity providers only), or "null"',
};

function invalid(key: string, value: unknown, source: string | null): TokentrayError {
  const allowed = (SETTING_DESCRIPTIONS as Record<string, string | undefined>)[key];
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const from = source ? ` (${source})` : '';
  return new TokentrayError('CONFIG_INVALID', `Invalid value ${shown} for setting "${key}"${from}. Allowed: ${allowed ?? 'see `tokentray config get`'}.`, {
    details: { key },
  });
}

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function isIpAddress(text: string): boolean {
  const v4 = IPV4.exec(text);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255);
  return /^[0-9a-f:]+$/i.test(text) && text.includes(':');
}

/** Checks one typed value; throws CONFIG_INVALID naming the key. */
export function validateSetting<K extends SettingKey>(key: K, value: unknown, source: string | null = null): Settings[K] {
  const fail = (): never => {
    throw invalid(key, value, source);
  };
  switch (key) {
    case 'clientId':
      if (value === null) return value as Settings[K];
      if (typeof value !== 'string' || !GUID.test(value)) fail();
      return (value as string).toLowerCase() as Settings[K];
    case 'tenant': {
      if (typeof value !== 'string') return fail();
      const ok = ['organizations', 'common', 'consumers'].includes(value) || GUID.test(value) || DOMAIN.test(value);
      if (!ok) fail();
      return value as Settings[K];
    }
    case 'cloud':
      if (typeof value !== 'string' || !(CLOUD_VALUES as readonly string[]).includes(value)) fail();
      return value as Settings[K];
    case 'google.clientId':
      if (value === null) return value as Settings[K];
      if (typeof value !== 'string' || !GOOGLE_CLIENT_ID.test(value)) fail();
      return value as Settings[K];
    case 'authority':
    case 'google.endpoint': {
      if (value === null) return value as Settings[K];
      if (typeof value !== 'string') return fail();
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return fail();
      }
      // MSAL only talks to https authorities; credentials or a query would end up in requests.
      if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) fail();
      return value.replace(/\/+$/, '') as Settings[K];
    }
    case 'host':
      if (typeof value !== 'string' || !(value === 'localhost' || isIpAddress(value))) fail();
      return value as Settings[K];
    case 'port':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) fail();
      return value as Settings[K];
    case 'allowedClients':
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && isIpAddress(item))) fail();
      return value as Settings[K];
    case 'signInTimeoutSeconds':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 10 || value > 3600) fail();
      return value as Settings[K];
    case 'startAtLogin':
      if (typeof value !== 'boolean') fail();
      return value as Settings[K];
  }
  return fail();
}

/** Turns command-line / environment text into a typed value, then validates it. */
export function parseSetting<K extends SettingKey>(key: K, text: string, source: string | null = null): Settings[K] {
  const trimmed = text.trim();
  switch (key) {
    case 'clientId':
    case 'authority':
    case 'google.clientId':
    case 'google.endpoint':
      return validateSetting(key, trimmed === '' || trimmed === 'null' ? null : trimmed, source);
    case 'port':
    case 'signInTimeoutSeconds':
      return validateSetting(key, /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed, source);
    case 'startAtLogin':
      return validateSetting(key, trimmed === 'true' ? true : trimmed === 'false' ? false : trimmed, source);
    case 'allowedClients':
      return validateSetting(key, trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim()), source);
    default:
      return validateSetting(key, trimmed, source);
  }
}

/** TOKENTRAY_CLIENT_ID, TOKENTRAY_TENANT, TOKENTRAY_SIGN_IN_TIMEOUT_SECONDS, TOKENTRAY_GOOGLE_CLIENT_ID, … */
export function environmentVariableFor(key: SettingKey): string {
  return settingEnvironmentVariable(key);
}

/** Where settings are persisted: conf in the core, electron-store (same file) in the app. */
export interface SettingsBackend {
  get(key: SettingKey): unknown;
  set(key: SettingKey, value: unknown): void;
}

/**
 * The settings file of a data directory (the name is historical: conf wrote it once).
 *
 * conf followed symbolic links when writing; settings-file.ts reads and writes the same
 * file without following them.
 */
export function createConfBackend(directory: string): SettingsBackend {
  return createSettingsFileBackend(directory, `${SETTINGS_FILE_NAME}.json`);
}

export class SettingsStore {
  readonly #backend: SettingsBackend;
  readonly #env: NodeJS.ProcessEnv;

  constructor(backend: SettingsBackend, env: NodeJS.ProcessEnv = process.env) {
    this.#backend = backend;
    this.#env = env;
  }

  /** The effective settings; throws CONFIG_INVALID naming the first bad key. */
  read(): Settings {
    const result: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) {
      const fromEnv = this.#env[environmentVariableFor(key)];
      if (fromEnv !== undefined && fromEnv !== '') {
        result[key] = parseSetting(key, fromEnv, `environment variable ${environmentVariableFor(key)}`);
        continue;
      }
      const stored = this.#backend.get(key);
      result[key] = stored === undefined ? DEFAULT_SETTINGS[key] : validateSetting(key, stored, 'settings file');
    }
    return result as unknown as Settings;
  }

  /** Which keys are currently overridden by the environment (shown by `config get`). */
  overriddenKeys(): SettingKey[] {
    return SETTING_KEYS.filter((key) => (this.#env[environmentVariableFor(key)] ?? '') !== '');
  }

  set<K extends SettingKey>(key: K, value: Settings[K]): Settings {
    const valid = validateSetting(key, value);
    if (key === 'host' && !isLoopbackHost(valid as string) && this.read().allowedClients.length === 0) {
      throw new TokentrayError('CONFIG_INVALID', `Binding the auth server to ${String(valid)} exposes it beyond this machine.`, {
        hint: 'First list the addresses allowed to call it: `tokentray config set allowedClients 172.17.0.2` (EmailEngine\'s address), then set host.',
        details: { key },
      });
    }
    this.#backend.set(key, valid);
    return this.read();
  }
}
