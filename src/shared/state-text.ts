/**
 * One-line, human wording of an account state, shared by the tray, the notifications and the CLI.
 */
import { assertNever, type AccountState } from './account-status.js';

export function formatLocalClock(epochMs: number): string {
  const date = new Date(epochMs);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** "52 min", "1 h 05 min", "<1 min": whole minutes, rounded down so it never promises too much. */
export function formatRemaining(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1 min';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The state part of an account's menu line ("valid for 52 min", "needs sign-in — password changed"). */
export function describeAccountState(state: AccountState, now: number, formatClock: (epochMs: number) => string = formatLocalClock): string {
  switch (state.kind) {
    case 'signed-out':
      return 'signed out — sign in to use it';
    case 'active':
      return state.expiresAt > now ? `valid for ${formatRemaining(state.expiresAt - now)}` : 'token expired — refreshing soon';
    case 'refreshing':
      return 'refreshing…';
    case 'needs-sign-in':
      return `needs sign-in — ${state.reason.summary}`;
    case 'failing':
      return `retrying at ${formatClock(state.retryAt)} — ${state.error}`;
    default:
      return assertNever(state);
  }
}

