/** The user-visible settings. Validation and storage live in src/core/storage/settings.ts. */
export type Cloud = 'global' | 'gcc-high' | 'dod' | 'china';

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
];
