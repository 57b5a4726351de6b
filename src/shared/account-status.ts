/**
 * What every surface (CLI, tray, window) is told about an account. Plain data, no secrets.
 */
import type { AccountEmailEngineView, EmailEngineStatus } from './emailengine.js';
import type { ScopeProfile } from './scope-profile.js';

export type Proto = 'imap' | 'smtp' | 'api';

/** Why an account needs the user to sign in again: the AADSTS code when Entra gave one. */
export interface SignInReason {
  code: string; // e.g. 'AADSTS50173', 'invalid_grant', 'no_refresh_token'
  summary: string; // e.g. 'password changed'
}

/**
 * The closed set of states of an account's tokens.
 *
 * Invariant: exactly one state at a time; `active.expiresAt` is the access token's expiry
 * (epoch ms) of the token currently served from memory.
 */
export type AccountState =
  | { kind: 'signed-out' }
  | { kind: 'active'; expiresAt: number }
  | { kind: 'refreshing'; expiresAt: number | null }
  | { kind: 'needs-sign-in'; reason: SignInReason }
  | { kind: 'failing'; error: string; retryAt: number; expiresAt: number | null };

export interface RequestRecord {
  at: number; // epoch ms, when the answer went out
  account: string;
  proto: string;
  outcome: string; // 'ok' or an error code
  status: number;
  /** How long the answer waited for a token refresh; 0 when it came from memory at once. */
  latencyMs: number;
  client: string;
}

export interface AccountStatus {
  id: string;
  email: string | null; // the signed-in identity (username)
  user: string; // what EmailEngine gets as "user" (the shared mailbox when set)
  provider: 'microsoft' | 'google'; // = ProviderId (providers.ts imports this file)
  profile: ScopeProfile;
  state: AccountState;
  lastRequest: RequestRecord | null;
  lastError: { code: string; message: string; at: number } | null;
  /** EmailEngine's side of this account: null when no EmailEngine is connected (always set by the core; optional for older daemons). */
  emailengine?: AccountEmailEngineView | null;
}

export interface ServerStatus {
  running: boolean;
  url: string | null; // without credentials
  error: string | null;
}

export interface StatusReport {
  accounts: AccountStatus[];
  server: ServerStatus;
  /** The link to EmailEngine (connected: false when none is connected; always set by the core). */
  emailengine?: EmailEngineStatus;
  /** Which OAuth client secrets the vault holds (never the secrets themselves). */
  clientSecrets?: { google: boolean };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
