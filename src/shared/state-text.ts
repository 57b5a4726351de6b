/**
 * One-line, human wording of an account state, shared by the CLI, the tray and the window.
 */
import { assertNever, type AccountState } from './account-status.js';

export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (ms < 60_000) return `${Math.max(0, Math.ceil(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function clock(at: number): string {
  const date = new Date(at);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export function describeState(state: AccountState, now: number): string {
  switch (state.kind) {
    case 'signed-out':
      return 'not signed in';
    case 'active':
      return state.expiresAt > now ? `valid for ${formatDuration(state.expiresAt - now)}` : 'expired, renewing';
    case 'refreshing':
      return 'refreshing…';
    case 'needs-sign-in':
      return `needs sign-in: ${state.reason.summary} (${state.reason.code})`;
    case 'failing':
      return `retrying at ${clock(state.retryAt)}: ${state.error}`;
    default:
      return assertNever(state);
  }
}
