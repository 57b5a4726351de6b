/**
 * One wording for what tokentray's and EmailEngine's sides of an account say together.
 *
 * The tray line, the Accounts card, `status` and `doctor` all call these, so a user reads the
 * same diagnosis everywhere. The valuable case is a mismatch: tokentray holds a valid token
 * while EmailEngine reports an authentication error, which points at the mailbox (IMAP or
 * SMTP AUTH disabled) rather than at the sign-in. The texts matched are the ones EmailEngine
 * 2.79 stores as lastError.response (see shared/EMAILENGINE.md): any auth-server failure is
 * `Invalid response: <status> <reason>`, and tokentray being unreachable is `fetch failed`.
 */
import { assertNever, type AccountState } from './account-status.js';
import type { AccountEmailEngineView, EmailEngineAccountState } from './emailengine.js';

/** The closed set of diagnoses; each has a short form (for one line) and a fix. */
export type EmailEngineDiagnosis =
  | 'ok'
  | 'pending' // EmailEngine is still connecting
  | 'not-registered'
  | 'unreachable' // EmailEngine itself did not answer tokentray
  | 'sign-in-needed' // tokentray answered 409: the user must sign in again
  | 'signed-in-again' // EmailEngine still shows the 409 but tokentray has a token again
  | 'stale-secret' // 401: EmailEngine's authServer has an old secret
  | 'unknown-account' // 404: tokentray has no account with EmailEngine's id
  | 'client-refused' // 403: tokentray refused EmailEngine's address
  | 'throttled' // 429
  | 'token-unavailable' // 5xx: tokentray could not get a token
  | 'tokentray-unreachable' // fetch failed: tokentray stopped or on another port
  | 'mailbox-refused' // the mail server refused a token tokentray says is valid
  | 'mail-server-unreachable'
  | 'disconnected'
  | 'paused'
  | 'failing'; // an error text not recognised

export interface EmailEngineHint {
  diagnosis: EmailEngineDiagnosis;
  /** A few words for a menu line, e.g. "IMAP disabled for this mailbox?". */
  short: string;
  /** A sentence saying what to do. */
  fix: string;
}

const PROBLEM_STATES: ReadonlySet<EmailEngineAccountState> = new Set(['authenticationError', 'connectError']);

function invalidResponseStatus(text: string): number | null {
  const match = /Invalid response: (\d{3})\b/.exec(text);
  return match ? Number(match[1]) : null;
}

/** Recognises the mail server refusing the login (IMAP AUTHENTICATE/LOGIN, SMTP 535). */
function mailServerRefused(text: string, code: string | null): boolean {
  return /AUTHENTICATE failed|LOGIN failed|Authentication failed|AUTH.*(failed|unsuccessful)|\b535\b|Invalid credentials/i.test(text) || code === 'AUTHENTICATIONFAILED';
}

function tokentrayHasToken(state: AccountState): boolean {
  return state.kind === 'active' || state.kind === 'refreshing' || (state.kind === 'failing' && state.expiresAt !== null);
}

/** The diagnosis for an account whose EmailEngine side reports a problem, or null when all is well. */
export function emailEngineHint(account: { id: string; state: AccountState }, view: AccountEmailEngineView): EmailEngineHint | null {
  const id = account.id;
  if (view.error) {
    return { diagnosis: 'unreachable', short: 'EmailEngine not answering', fix: `tokentray could not ask EmailEngine (${view.error.message}); \`tokentray emailengine status\` shows the link.` };
  }
  if (view.presence === 'unknown') return null;
  if (view.presence === 'missing') {
    return { diagnosis: 'not-registered', short: 'not registered in EmailEngine', fix: `Register it: sign in again (\`tokentray account add ${id}\`) or connect EmailEngine again.` };
  }
  const state = view.state ?? 'unknown';
  const text = view.lastError?.response ?? '';
  const code = view.lastError?.serverResponseCode ?? null;
  if (state === 'connected' || state === 'syncing') {
    if (account.state.kind === 'needs-sign-in') {
      return {
        diagnosis: 'sign-in-needed',
        short: 'will fail at its next login',
        fix: `EmailEngine's open connection still works, but its next login will fail: sign in again (\`tokentray account add ${id}\`).`,
      };
    }
    return null;
  }
  if (state === 'init' || state === 'connecting' || state === 'unset' || state === 'unknown') {
    return { diagnosis: 'pending', short: 'EmailEngine is connecting', fix: 'Wait a few seconds; EmailEngine is connecting the account.' };
  }
  if (state === 'disconnected') return { diagnosis: 'disconnected', short: 'disconnected in EmailEngine', fix: `Reconnect it in EmailEngine, or sign in again (\`tokentray account add ${id}\`), which reconnects it.` };
  if (state === 'paused') return { diagnosis: 'paused', short: 'paused in EmailEngine', fix: 'The account is paused in EmailEngine; resume it there.' };
  if (!PROBLEM_STATES.has(state)) return null;

  const status = invalidResponseStatus(text);
  if (status === 409) {
    return tokentrayHasToken(account.state)
      ? { diagnosis: 'signed-in-again', short: 'recovering', fix: 'tokentray has a valid token again; EmailEngine retries by itself (signing in again in tokentray also reconnects it at once).' }
      : { diagnosis: 'sign-in-needed', short: 'sign in again', fix: `Sign in again (\`tokentray account add ${id}\`); EmailEngine then reconnects at once.` };
  }
  if (status === 401) {
    return { diagnosis: 'stale-secret', short: 'old auth-server secret in EmailEngine', fix: 'EmailEngine\'s authServer carries an old secret: run `tokentray emailengine connect` again (it updates authServer).' };
  }
  if (status === 404) return { diagnosis: 'unknown-account', short: 'id unknown to tokentray', fix: `tokentray has no account "${id}": connect it here with the same id (\`tokentray account add ${id}\`).` };
  if (status === 403) {
    return { diagnosis: 'client-refused', short: 'EmailEngine\'s address refused', fix: 'tokentray refused EmailEngine\'s address: add it with `tokentray config set allowedClients <address>`.' };
  }
  if (status === 429) return { diagnosis: 'throttled', short: 'throttled after failures', fix: 'tokentray slowed EmailEngine down after repeated failures; fix the cause shown in `tokentray status`, EmailEngine retries by itself.' };
  if (status !== null && status >= 500) {
    return { diagnosis: 'token-unavailable', short: 'tokentray had no token', fix: 'tokentray could not get a token (Microsoft sign-in unreachable?); it retries, and EmailEngine recovers by itself.' };
  }
  if (/fetch failed/i.test(text)) {
    return {
      diagnosis: 'tokentray-unreachable',
      short: 'tokentray was not reachable',
      fix: 'EmailEngine could not reach tokentray (stopped, or on another address/port). Keep tokentray running; EmailEngine recovers by itself within seconds.',
    };
  }
  if (mailServerRefused(text, code)) {
    return tokentrayHasToken(account.state)
      ? {
          diagnosis: 'mailbox-refused',
          short: 'IMAP disabled for this mailbox?',
          fix: 'The mail server refused a valid token: enable IMAP (and SMTP AUTH) for this mailbox (Microsoft 365 admin center → the user → Mail → Manage email apps), and check the app\'s IMAP/SMTP permissions.',
        }
      : { diagnosis: 'sign-in-needed', short: 'sign in again', fix: `Sign in again (\`tokentray account add ${id}\`); EmailEngine then reconnects at once.` };
  }
  if (/ECONNREFUSED|connection refused|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|getaddrinfo/i.test(text)) {
    return { diagnosis: 'mail-server-unreachable', short: 'mail server not reachable', fix: 'EmailEngine cannot reach the mail server: check its network, and the account\'s host and port in EmailEngine.' };
  }
  return { diagnosis: 'failing', short: state, fix: text ? `EmailEngine reports: ${text}` : 'See the account in EmailEngine for details.' };
}

/** tokentray's side in two or three words, for the combined line. */
export function describeTokentraySide(state: AccountState): string {
  switch (state.kind) {
    case 'signed-out':
      return 'signed out';
    case 'active':
      return 'valid token';
    case 'refreshing':
      return 'refreshing';
    case 'needs-sign-in':
      return 'needs sign-in';
    case 'failing':
      return 'retrying';
    default:
      return assertNever(state);
  }
}

/** EmailEngine's side in a few words ("connected", "authenticationError", "not registered"). */
export function describeEmailEngineSide(view: AccountEmailEngineView): string {
  if (view.error) return 'not answering';
  switch (view.presence) {
    case 'unknown':
      return 'not checked yet';
    case 'missing':
      return 'not registered';
    case 'registered':
      return view.state ?? 'unknown';
    default:
      return assertNever(view.presence);
  }
}

/**
 * The combined line: "tokentray: valid token · EmailEngine: authenticationError — IMAP
 * disabled for this mailbox?". The hint part is left out when all is well.
 */
export function describeBothSides(account: { id: string; state: AccountState; emailengine?: AccountEmailEngineView | null }): string | null {
  const view = account.emailengine;
  if (!view) return null;
  const hint = emailEngineHint(account, view);
  const line = `tokentray: ${describeTokentraySide(account.state)} · EmailEngine: ${describeEmailEngineSide(view)}`;
  return hint && hint.diagnosis !== 'pending' ? `${line} — ${hint.short}` : line;
}

/** Whether the two sides disagree in a way the user should look at (tray attention state). */
export function needsAttention(account: { id: string; state: AccountState; emailengine?: AccountEmailEngineView | null }): boolean {
  if (!account.emailengine) return false;
  const hint = emailEngineHint(account, account.emailengine);
  return hint !== null && hint.diagnosis !== 'pending' && hint.diagnosis !== 'signed-in-again';
}
