/**
 * Which desktop notifications to show, as pure functions of the status and the clock.
 *
 * Three causes are worth interrupting the user for: an account needs sign-in, the auth server
 * could not start, and EmailEngine's requests keep failing. Each cause has a stable key, and
 * one key is shown at most once per quiet period, so a flapping state does not spam.
 */
import type { RequestRecord, StatusReport } from '../shared/account-status.js';
import { ERROR_HINTS, type ErrorCode } from '../shared/error-codes.js';
import type { TrayAction } from './tray-model.js';

/** The same cause is not notified again within this time. */
export const NOTIFICATION_QUIET_PERIOD_MS = 30 * 60_000;
/** This many failed requests for one account … */
export const FAILED_REQUESTS_THRESHOLD = 3;
/** … within this window make a "requests failing" notification. */
export const FAILED_REQUESTS_WINDOW_MS = 10 * 60_000;

export interface Notice {
  /** Stable key of the cause, used for de-duplication. */
  cause: string;
  title: string;
  body: string;
  /** What a click on the notification does. */
  action: TrayAction | null;
}

function hintFor(outcome: string): string {
  return (ERROR_HINTS as Record<string, string | undefined>)[outcome as ErrorCode] ?? '';
}

/** Every cause that currently deserves a notification (before de-duplication). */
export function currentNotices(report: StatusReport, recentRequests: readonly RequestRecord[], now: number): Notice[] {
  const notices: Notice[] = [];
  if (!report.server.running && report.server.error) {
    notices.push({
      cause: `server-stopped:${report.server.error}`,
      title: 'tokentray: the auth server could not start',
      body: `${report.server.error}. EmailEngine cannot get tokens until it runs.`,
      action: { kind: 'open-window', view: 'settings' },
    });
  }
  const needingSignIn = new Set<string>();
  for (const account of report.accounts) {
    if (account.state.kind !== 'needs-sign-in') continue;
    needingSignIn.add(account.id);
    notices.push({
      cause: `needs-sign-in:${account.id}:${account.state.reason.code}`,
      title: `${account.id} needs sign-in`,
      body: `${account.state.reason.summary}. Click to sign in again.`,
      action: { kind: 'sign-in', accountId: account.id },
    });
  }
  const failures = new Map<string, RequestRecord[]>();
  for (const request of recentRequests) {
    if (request.outcome === 'ok' || now - request.at > FAILED_REQUESTS_WINDOW_MS) continue;
    failures.set(request.account, [...(failures.get(request.account) ?? []), request]);
  }
  for (const [account, failed] of [...failures].sort(([a], [b]) => a.localeCompare(b))) {
    // An account that needs sign-in already has its own, more useful notification.
    if (failed.length < FAILED_REQUESTS_THRESHOLD || needingSignIn.has(account)) continue;
    const latest = failed.reduce((a, b) => (b.at > a.at ? b : a));
    notices.push({
      cause: `failed-requests:${account}`,
      title: `EmailEngine requests failing for ${account}`,
      body: `${failed.length} requests failed in the last ${FAILED_REQUESTS_WINDOW_MS / 60_000} minutes (latest: ${latest.outcome}). ${hintFor(latest.outcome)}`.trim(),
      action: { kind: 'open-window', view: 'activity' },
    });
  }
  return notices;
}

/** Picks the notices not shown within the quiet period, and the updated memory of shown causes. */
export function selectNotices(
  notices: readonly Notice[],
  lastShown: ReadonlyMap<string, number>,
  now: number,
  quietPeriodMs = NOTIFICATION_QUIET_PERIOD_MS,
): { show: Notice[]; lastShown: Map<string, number> } {
  const memory = new Map([...lastShown].filter(([, at]) => now - at < quietPeriodMs));
  const show = notices.filter((notice) => !memory.has(notice.cause));
  for (const notice of show) memory.set(notice.cause, now);
  return { show, lastShown: memory };
}
