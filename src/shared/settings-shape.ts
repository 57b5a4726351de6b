/** The user-visible settings. Validation and storage live in src/core/storage/settings.ts. */
export type Cloud = 'global' | 'gcc-high' | 'dod' | 'china';

/**
 * The Microsoft section is the top level (clientId, tenant, cloud, authority: the keys
 * tokentray had before it knew Google); the Google section is `google.*` (a nested object in
 * config.json). Google's client secret is not a setting: it lives in the vault.
 */
export interface Settings {
  clientId: string | null;
  tenant: string; // 'organizations' | 'common' | 'consumers' | tenant id | domain
  cloud: Cloud;
  authority: string | null; // full override URL (ADFS-like, or a local test identity provider)
  host: string; // auth-server bind address
  port: number; // auth-server port
  allowedClients: string[]; // extra client addresses allowed when host is not loopback
  signInTimeoutSeconds: number;
  startAtLogin: boolean;
  /** Google Cloud "Desktop app" OAuth client id (…apps.googleusercontent.com). */
  'google.clientId': string | null;
  /** Base URL overriding Google's OAuth endpoints (a local test identity provider), or null. */
  'google.endpoint': string | null;
}

export type SettingKey = keyof Settings;
export const SETTING_KEYS: readonly SettingKey[] = [
  'clientId',
  'tenant',
  'cloud',
  'authority',
  'host',
  'port',
  'allowedClients',
  'signInTimeoutSeconds',
  'startAtLogin',
  'google.clientId',
  'google.endpoint',
];

/** The environment variable that overrides a setting: TOKENTRAY_ + the key in SCREAMING_SNAKE_CASE. */
export function settingEnvironmentVariable(key: SettingKey): string {
  return `TOKENTRAY_${key.replace(/[A-Z]/g, (c) => `_${c}`).replace('.', '_').toUpperCase()}`;
}
