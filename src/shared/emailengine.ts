/**
 * What every surface is told about the EmailEngine tokentray is connected to. Plain data, no secrets.
 *
 * EmailEngine's own view of an account (its `state` and `lastError`) is polled by the core at
 * a modest rate, so these values may be a few seconds old: `checkedAt` says how old.
 */
import type { ScopeProfile } from './scope-profile.js';
import type { ErrorCode } from './error-codes.js';

/** EmailEngine's account states (GET /v1/account/{id} → state), plus 'unknown' for anything newer. */
export type EmailEngineAccountState =
  | 'init'
  | 'connecting'
  | 'syncing'
  | 'connected'
  | 'disconnected'
  | 'paused'
  | 'authenticationError'
  | 'connectError'
  | 'unset'
  | 'unknown';

export const EMAILENGINE_ACCOUNT_STATES: readonly EmailEngineAccountState[] = [
  'init',
  'connecting',
  'syncing',
  'connected',
  'disconnected',
  'paused',
  'authenticationError',
  'connectError',
  'unset',
];

/**
 * One account as EmailEngine sees it, attached to AccountStatus.emailengine.
 *
 * - 'registered': EmailEngine has the account; `state` and `lastError` are its own.
 * - 'missing': EmailEngine answered 404 (not registered there, or removed by someone).
 * - 'unknown': not checked yet, or EmailEngine could not be reached (see `error`).
 */
export interface AccountEmailEngineView {
  presence: 'registered' | 'missing' | 'unknown';
  state: EmailEngineAccountState | null;
  /** EmailEngine's lastError.response, e.g. "Invalid response: 409 Sign in to tokentray again…". */
  lastError: { response: string; serverResponseCode: string | null } | null;
  /** When EmailEngine last answered about this account (epoch ms), null before the first answer. */
  checkedAt: number | null;
  /** Whether tokentray registered (created or took over) the account in EmailEngine. */
  managed: boolean;
  /**
   * The fix-it hint for what the two sides say together (see emailEngineHint), null when all is
   * well. Computed by the core with the same shared function the shells use.
   */
  hint: string | null;
  /** Why EmailEngine could not be asked (unreachable, token refused), null when it answered. */
  error: { code: ErrorCode; message: string } | null;
}

/** A named check of the preflight: each passes, warns or fails with its own error code. */
export type EmailEngineCheckId = 'reachable' | 'token' | 'version' | 'license' | 'auth-server';

export interface EmailEngineCheck {
  id: EmailEngineCheckId;
  outcome: 'ok' | 'warn' | 'fail' | 'skipped';
  /** What was found, e.g. "EmailEngine 2.79.2" or "authServer points to http://127.0.0.1:9999/". */
  message: string;
  /** The error code of a 'warn' or 'fail' (its fix-it text is ERROR_HINTS[code]), else null. */
  code: ErrorCode | null;
}

/**
 * Where EmailEngine's one global authServer setting points, as seen by the preflight.
 *
 * `url` never carries the credentials (they are removed before it leaves the core).
 */
export type AuthServerTarget =
  | { kind: 'unset' }
  | { kind: 'this'; url: string } // this tokentray, with its current secret
  | { kind: 'this-outdated'; url: string } // this tokentray's address, but an old secret (rotated)
  | { kind: 'other'; url: string }; // somewhere else: replacing it needs explicit confirmation

/** The result of checking an EmailEngine URL + token, before anything is changed. */
export interface EmailEnginePreflight {
  url: string; // the base URL checked (no token, no credentials)
  checks: EmailEngineCheck[];
  version: string | null;
  licensed: boolean | null;
  authServer: AuthServerTarget | null; // null when it could not be read
  /** Features that need a newer EmailEngine than the one found (empty when none). */
  needsNewer: string[];
  /** True when no check failed (warnings allowed). */
  ok: boolean;
}

/** The state of the link between tokentray and EmailEngine, for status and the Settings panel. */
export interface EmailEngineStatus {
  /** Whether an EmailEngine is connected (URL and token stored in the vault). */
  connected: boolean;
  url: string | null;
  version: string | null;
  licensed: boolean | null;
  /** Where EmailEngine's authServer pointed when last checked (null: not checked / unreachable). */
  authServer: AuthServerTarget | null;
  /** When EmailEngine last answered (epoch ms). */
  checkedAt: number | null;
  /** The current problem reaching or using EmailEngine, null when the last call worked. */
  error: { code: ErrorCode; message: string } | null;
  /** Standing warnings (unlicensed, too old for a feature), as error codes with a message. */
  warnings: Array<{ code: ErrorCode; message: string }>;
}

export interface EmailEngineConnectRequest {
  /** EmailEngine's base URL, e.g. http://127.0.0.1:3000 (the API lives under /v1). */
  url: string;
  /** A full-privilege EmailEngine API token (64 hex characters). Stored only in the vault. */
  token: string;
  /** Point authServer at tokentray even though it points somewhere else now. */
  replace?: boolean;
}

export interface EmailEngineConnectResult {
  preflight: EmailEnginePreflight;
  /** What happened to EmailEngine's authServer: set (was unset), replaced, updated (rotated secret), unchanged. */
  authServer: 'set' | 'replaced' | 'updated' | 'unchanged';
  /** tokentray accounts registered in EmailEngine by this connect, and those that could not be. */
  registered: string[];
  failed: Array<{ id: string; code: ErrorCode; message: string }>;
  status: EmailEngineStatus;
}

/** An account in EmailEngine that uses the auth server but that this tokentray does not know. */
export interface EmailEngineOrphan {
  id: string;
  name: string | null;
  email: string | null;
  state: EmailEngineAccountState;
  /** The profile it would be connected with here (from its app or hosts: Graph, Gmail API, Gmail, Outlook). */
  profile: ScopeProfile;
}

export interface RemoveAccountOptions {
  /** Leave the account registered in EmailEngine (it then fails there until connected again). */
  keepInEmailEngine?: boolean;
}

/** What `removeAccount` did on EmailEngine's side. */
export type EmailEngineRemoval =
  | { kind: 'not-connected' } // no EmailEngine connected
  | { kind: 'removed' }
  | { kind: 'kept' } // keepInEmailEngine
  | { kind: 'not-registered' } // EmailEngine did not have it
  | { kind: 'failed'; code: ErrorCode; message: string }; // tokentray's side was removed anyway

export interface RemoveAccountResult {
  id: string;
  emailengine: EmailEngineRemoval;
}

/** What connectAccount did on EmailEngine's side (on AccountStatus after a connect). */
export type EmailEngineRegistration =
  | { kind: 'not-connected' }
  | { kind: 'registered'; created: boolean } // created: new in EmailEngine; else upserted
  | { kind: 'reconnected' } // signed in again: PUT /v1/account/{id}/reconnect sent
  | { kind: 'failed'; code: ErrorCode; message: string };

/** One difference between an existing EmailEngine account and what tokentray would register. */
export interface EmailEngineAccountChange {
  field: string; // e.g. 'imap.host', 'imap.useAuthServer', 'oauth2.provider'
  from: string | number | boolean | null;
  to: string | number | boolean | null;
}

/** The status when no EmailEngine is connected. */
export function emailEngineNotConnected(): EmailEngineStatus {
  return { connected: false, url: null, version: null, licensed: null, authServer: null, checkedAt: null, error: null, warnings: [] };
}
