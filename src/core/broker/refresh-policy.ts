/**
 * When to refresh an access token, and whether one may still be handed out. Pure functions.
 *
 * EmailEngine uses a token some time after asking for it (an SMTP message may wait in a
 * queue, and a rejected token makes the message fail for good), so a token is handed out
 * only with comfortable validity left, and refreshed well before it gets that close.
 * Entra tokens live 60-90 minutes; tests use lifetimes of seconds, so every margin is
 * also capped at a fraction of the token's lifetime.
 */

/** Refresh this long before expiry (a 60-minute token is renewed after 50 minutes). */
export const REFRESH_BEFORE_EXPIRY_MS = 10 * 60_000;
/** Never hand out a token with less than this left (EmailEngine's SMTP queue, clock skew). */
export const MIN_VALIDITY_TO_SERVE_MS = 5 * 60_000;
/** For short-lived tokens: refresh once this fraction of the lifetime is left. */
export const REFRESH_AT_REMAINING_FRACTION = 0.5;
/** For short-lived tokens: serve while at least this fraction of the lifetime is left. */
export const SERVE_AT_REMAINING_FRACTION = 0.25;

/** The background refresher wakes this often and re-checks: one long timer would not survive sleep. */
export const REFRESHER_TICK_MS = 30_000;

/** Retry backoff for transient refresh failures. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 5 * 60_000;

export interface HeldToken {
  expiresAt: number; // epoch ms
  obtainedAt: number; // epoch ms
}

function lifetime(token: HeldToken): number {
  return Math.max(0, token.expiresAt - token.obtainedAt);
}

/** The moment a background refresh should start. */
export function refreshDueAt(token: HeldToken): number {
  const margin = Math.min(REFRESH_BEFORE_EXPIRY_MS, lifetime(token) * REFRESH_AT_REMAINING_FRACTION);
  return token.expiresAt - margin;
}

/** The last moment the token may be handed out. */
export function serveUntil(token: HeldToken): number {
  const margin = Math.min(MIN_VALIDITY_TO_SERVE_MS, lifetime(token) * SERVE_AT_REMAINING_FRACTION);
  return token.expiresAt - margin;
}

export function isRefreshDue(token: HeldToken, now: number): boolean {
  return now >= refreshDueAt(token);
}

/** Exponential backoff with jitter; `random` is injectable so tests are deterministic. */
export function retryDelayMs(failures: number, random: () => number = Math.random, floorMs = 0): number {
  const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
  const jittered = Math.min(RETRY_MAX_MS, exponential * (0.8 + 0.4 * random()));
  return Math.max(floorMs, Math.round(jittered));
}

/**
 * A wall-clock jump (sleep/resume, manual clock change) between two ticks: the refresher
 * then re-checks every account at once instead of trusting earlier schedules.
 */
export function clockJumped(previousTickAt: number, now: number, tickMs = REFRESHER_TICK_MS): boolean {
  const elapsed = now - previousTickAt;
  return elapsed < 0 || elapsed > tickMs * 3;
}
