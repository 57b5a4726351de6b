/**
 * Wording of times and states in the window. Pure functions of their inputs and `now`.
 */
import { assertNever, type AccountState, type Proto } from '../src/shared/account-status.js';
import type { ScopeProfile } from '../src/shared/scope-profile.js';
import type { ErrorCode } from '../src/shared/error-codes.js';
import type { ProviderId } from '../src/shared/providers.js';

export type Tone = 'ok' | 'busy' | 'warn' | 'error' | 'muted';

/** "52 min", "1 h 05 min", "40 s": rounded down, so it never promises more than there is. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.floor(ms / 1000))} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatClock(epochMs: number): string {
  const date = new Date(epochMs);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export function formatClockSeconds(epochMs: number): string {
  return `${formatClock(epochMs)}:${String(new Date(epochMs).getSeconds()).padStart(2, '0')}`;
}

/** "just now", "4 min ago", "2 h ago", or the date for anything older than a day. */
export function formatAgo(epochMs: number, now: number): string {
  const ms = now - epochMs;
  if (ms < 45_000) return 'just now';
  if (ms < 60 * 60_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 24 * 60 * 60_000) return `${Math.floor(ms / (60 * 60_000))} h ago`;
  return new Date(epochMs).toLocaleDateString();
}

export function profileLabel(profile: ScopeProfile): string {
  switch (profile) {
    case 'outlook':
      return 'Outlook IMAP/SMTP';
    case 'graph':
      return 'Microsoft Graph';
    case 'gmail':
      return 'Gmail IMAP/SMTP';
    case 'gmail-api':
      return 'Gmail API';
  }
}

/** `api` is Graph for a Microsoft account and the Gmail API for a Google one; plain "API" when unknown. */
export function protoLabel(proto: Proto | string, provider?: ProviderId): string {
  if (proto !== 'api') return proto.toUpperCase();
  if (provider === undefined) return 'API';
  return provider === 'google' ? 'Gmail API' : 'Graph';
}

export interface StateView {
  label: string;
  tone: Tone;
  detail: string;
}

function tokenLeft(expiresAt: number | null, now: number): string | null {
  if (expiresAt === null || expiresAt <= now) return null;
  return `valid for ${formatDuration(expiresAt - now)} (until ${formatClock(expiresAt)})`;
}

/** Accounts needing the user first, then those with trouble, then the rest (by id within each). */
export function severity(state: AccountState, now: number): number {
  const tone = describeState(state, now).tone;
  return tone === 'error' ? 0 : tone === 'warn' ? 1 : 2;
}

export function describeState(state: AccountState, now: number): StateView {
  switch (state.kind) {
    case 'signed-out':
      return { label: 'Signed out', tone: 'warn', detail: 'Sign in to let EmailEngine use this account.' };
    case 'active': {
      const left = tokenLeft(state.expiresAt, now);
      return left
        ? { label: 'Active', tone: 'ok', detail: `Token ${left}` }
        : { label: 'Active', tone: 'busy', detail: 'Token expired; a fresh one is fetched before the next request.' };
    }
    case 'refreshing': {
      const left = tokenLeft(state.expiresAt, now);
      return { label: 'Refreshing', tone: 'busy', detail: left ? `Getting a fresh token; current one ${left}.` : 'Getting a fresh token…' };
    }
    case 'needs-sign-in':
      return { label: 'Needs sign-in', tone: 'error', detail: `${capitalise(state.reason.summary)} (${state.reason.code}). Sign in again to resume.` };
    case 'failing': {
      const left = tokenLeft(state.expiresAt, now);
      return {
        label: 'Retrying',
        tone: left ? 'warn' : 'error',
        detail: `Retrying at ${formatClock(state.retryAt)}: ${state.error}.${left ? ` Current token ${left}.` : ' EmailEngine gets errors until then.'}`,
      };
    }
    default:
      return assertNever(state);
  }
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Short headings for errors; the message and the hint come with the error itself. */
const ERROR_TITLES: Partial<Record<ErrorCode, string>> = {
  CLIENT_ID_MISSING: 'The app registration is not set up yet',
  CONFIG_INVALID: 'That value is not accepted',
  KEYCHAIN_UNAVAILABLE: 'The keychain is not available',
  KEYCHAIN_LOCKED: 'The keychain is locked',
  ACCOUNT_ID_INVALID: 'That account id is not valid',
  ACCOUNT_NOT_FOUND: 'No such account',
  ACCOUNT_EXISTS: 'That account already exists',
  SIGN_IN_CANCELLED: 'Sign-in cancelled',
  SIGN_IN_TIMEOUT: 'Sign-in timed out',
  SIGN_IN_IN_PROGRESS: 'A sign-in is already open',
  SIGN_IN_WRONG_USER: 'Signed in as someone else',
  SIGN_IN_CONSENT_DENIED: 'Permissions not granted',
  SIGN_IN_BLOCKED: 'Blocked by your organisation',
  SIGN_IN_FAILED: 'Sign-in failed',
  BROWSER_OPEN_FAILED: 'The browser could not be opened',
  NEEDS_SIGN_IN: 'Needs sign-in',
  IDP_UNAVAILABLE: 'Microsoft sign-in is unreachable',
  PORT_IN_USE: 'The port is in use',
  PORT_HELD_BY_OTHER_USER: 'Another user holds the port',
  INTERNAL: 'Something went wrong',
};

export function errorTitle(code: string): string {
  return ERROR_TITLES[code as ErrorCode] ?? 'Something went wrong';
}

/** "ok" or a friendly version of an error code for the Activity list. */
export function outcomeLabel(outcome: string): string {
  if (outcome === 'ok') return 'OK';
  return ERROR_TITLES[outcome as ErrorCode] ?? outcome;
}

/** How a check's outcome is shown, for the doctor's checks and EmailEngine's preflight alike. */
export const CHECK_OUTCOME_VIEW: Record<'ok' | 'warn' | 'fail' | 'skipped', { label: string; tone: string }> = {
  ok: { label: 'OK', tone: 'tone-ok' },
  warn: { label: 'Warning', tone: 'tone-warn' },
  fail: { label: 'Problem', tone: 'tone-error' },
  skipped: { label: 'Not checked', tone: 'tone-busy' },
};
