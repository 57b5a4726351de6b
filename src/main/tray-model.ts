/**
 * What the tray shows, as a pure function of the status report and the clock.
 *
 * `buildTrayModel` returns plain data: the icon state, a one-line tooltip and a menu tree
 * whose clickable items carry a `TrayAction`. tray.ts turns it into Electron menus and
 * tray-actions.ts performs the actions, so everything a user can read or click in the tray is
 * decided here and unit-tested without Electron.
 */
import type { AccountStatus, RequestRecord, StatusReport } from '../shared/account-status.js';
import { describeEmailEngineSide, emailEngineHint, needsAttention } from '../shared/emailengine-hints.js';
import { providerAndProfileLabel } from '../shared/providers.js';
import type { WindowView } from '../shared/ipc-contract.js';
import { describeAccountState, formatLocalClock, formatRemaining } from '../shared/state-text.js';

export { describeAccountState, formatLocalClock, formatRemaining };

/** ok: all good. attention: an account needs the user, or EmailEngine gets errors. stopped: no auth server. */
export type TrayIconState = 'ok' | 'attention' | 'stopped';

export type TrayAction =
  | { kind: 'sign-in'; accountId: string }
  | { kind: 'cancel-sign-in'; accountId: string }
  | { kind: 'copy-account-id'; accountId: string }
  | { kind: 'remove-account'; accountId: string }
  | { kind: 'connect-account' }
  | { kind: 'copy-server-url' }
  | { kind: 'open-window'; view?: WindowView }
  | { kind: 'set-start-at-login'; enabled: boolean }
  | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'action'; label: string; action: TrayAction }
  | { type: 'checkbox'; label: string; checked: boolean; action: TrayAction }
  | { type: 'submenu'; label: string; items: TrayMenuItem[] }
  | { type: 'info'; label: string }
  | { type: 'separator' };

export interface TrayModel {
  icon: TrayIconState;
  tooltip: string;
  menu: TrayMenuItem[];
}

export interface TrayInput {
  report: StatusReport;
  /** Most recent auth-server requests (any order). */
  recentRequests: readonly RequestRecord[];
  now: number;
  /** Accounts whose browser sign-in is under way (started from the tray or the window). */
  signingIn: ReadonlySet<string>;
  startAtLogin: boolean;
  /** Wall-clock formatting for "retrying at 10:42"; local HH:MM by default. */
  formatClock?: (epochMs: number) => string;
}

/** Requests older than this no longer colour the icon: EmailEngine has had time to recover. */
export const RECENT_FAILURE_WINDOW_MS = 10 * 60_000;
/** Windows truncates tray tooltips at 127 characters. */
export const TOOLTIP_MAX_CHARS = 127;
/** Menu lines longer than this are cut with an ellipsis so the menu stays narrow. */
export const MENU_LINE_MAX_CHARS = 72;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** True when the account cannot serve EmailEngine until the user does something. */
export function accountNeedsUser(account: AccountStatus): boolean {
  return account.state.kind === 'needs-sign-in' || account.state.kind === 'signed-out';
}

/** True while retrying without a token that is still good: EmailEngine is getting errors. */
function failingWithoutToken(account: AccountStatus, now: number): boolean {
  return account.state.kind === 'failing' && (account.state.expiresAt === null || account.state.expiresAt <= now);
}

/**
 * Accounts whose latest request within the recent window did not succeed.
 *
 * Only the latest request per account counts, so one success after a burst of errors clears it.
 */
export function accountsWithFailingRequests(requests: readonly RequestRecord[], now: number): string[] {
  const latest = new Map<string, RequestRecord>();
  for (const request of requests) {
    if (now - request.at > RECENT_FAILURE_WINDOW_MS) continue;
    const seen = latest.get(request.account);
    if (!seen || request.at >= seen.at) latest.set(request.account, request);
  }
  return [...latest.values()].filter((request) => request.outcome !== 'ok').map((request) => request.account).sort();
}

/**
 * What is wrong on EmailEngine's side, in a few words for the tooltip; null when nothing is.
 *
 * The link itself (EmailEngine not answering, its token refused, its authServer pointing
 * elsewhere or with an old secret) comes first; then the accounts whose two sides disagree.
 */
export function emailEngineProblem(report: StatusReport): string | null {
  const link = report.emailengine;
  if (link?.connected) {
    if (link.error) return `EmailEngine: ${link.error.code === 'EMAILENGINE_UNREACHABLE' ? 'not answering' : 'refuses tokentray'}`;
    const target = link.authServer;
    if (target && target.kind !== 'this') return `EmailEngine's authServer ${target.kind === 'other' ? 'points elsewhere' : target.kind === 'unset' ? 'is not set' : 'has an old secret'}`;
  }
  const disagreeing = report.accounts.filter((account) => needsAttention(account));
  if (disagreeing.length === 0) return null;
  const [first] = disagreeing;
  if (disagreeing.length > 1) return `EmailEngine: ${disagreeing.length} accounts failing`;
  const hint = first!.emailengine ? emailEngineHint(first!, first!.emailengine) : null;
  return `EmailEngine: ${first!.id} — ${hint?.short ?? 'failing'}`;
}

export function trayIconState(report: StatusReport, recentRequests: readonly RequestRecord[], now: number): TrayIconState {
  if (!report.server.running) return 'stopped';
  const needsAttention =
    report.accounts.some((account) => accountNeedsUser(account) || failingWithoutToken(account, now)) ||
    accountsWithFailingRequests(recentRequests, now).length > 0 ||
    emailEngineProblem(report) !== null;
  return needsAttention ? 'attention' : 'ok';
}

export function trayTooltip(report: StatusReport, recentRequests: readonly RequestRecord[], now: number): string {
  const text = ((): string => {
    if (!report.server.running) return `auth server stopped${report.server.error ? `: ${report.server.error}` : ''}`;
    const needUser = report.accounts.filter(accountNeedsUser).map((account) => account.id);
    if (needUser.length === 1) return `${needUser[0]} needs sign-in`;
    if (needUser.length > 1) return `${needUser.length} accounts need sign-in`;
    const failingIds = new Set([
      ...report.accounts.filter((account) => failingWithoutToken(account, now)).map((account) => account.id),
      ...accountsWithFailingRequests(recentRequests, now),
    ]);
    if (failingIds.size > 0) return `EmailEngine requests failing for ${[...failingIds].sort().join(', ')}`;
    const emailEngine = emailEngineProblem(report);
    if (emailEngine) return emailEngine;
    const count = report.accounts.length;
    if (count === 0) return 'no accounts connected';
    return count === 1 ? `${report.accounts[0]!.id} ready` : `${count} accounts ready`;
  })();
  return clip(`tokentray — ${text}`, TOOLTIP_MAX_CHARS);
}

function accountItem(account: AccountStatus, input: TrayInput): TrayMenuItem {
  const signingIn = input.signingIn.has(account.id);
  const state = signingIn ? 'signing in… finish in your browser' : describeAccountState(account.state, input.now, input.formatClock);
  const view = account.emailengine ?? null;
  const hint = view && needsAttention(account) ? emailEngineHint(account, view) : null;
  // EmailEngine's side on the same line: where the fault is shows at a glance.
  const emailEngineSide = view && !signingIn ? ` · EmailEngine: ${describeEmailEngineSide(view)}` : '';
  const first: TrayMenuItem[] = signingIn
    ? [{ type: 'action', label: 'Cancel sign-in', action: { kind: 'cancel-sign-in', accountId: account.id } }]
    : [
        {
          type: 'action',
          label: account.state.kind === 'signed-out' ? 'Sign in' : 'Sign in again',
          action: { kind: 'sign-in', accountId: account.id },
        },
      ];
  // Who signs the account in, what it serves, and as whom: "Google · Gmail API · ann@gmail.com".
  const identity = `${providerAndProfileLabel(account.provider, account.profile)} · ${account.email ?? 'not signed in yet'}`;
  return {
    type: 'submenu',
    label: clip(`${account.id}: ${state}${emailEngineSide}`, MENU_LINE_MAX_CHARS),
    items: [
      { type: 'info', label: clip(identity, MENU_LINE_MAX_CHARS) },
      ...(hint ? [{ type: 'info', label: clip(`EmailEngine: ${hint.short}`, MENU_LINE_MAX_CHARS) } satisfies TrayMenuItem] : []),
      { type: 'separator' },
      ...first,
      { type: 'action', label: 'Copy account id', action: { kind: 'copy-account-id', accountId: account.id } },
      { type: 'separator' },
      { type: 'action', label: 'Remove…', action: { kind: 'remove-account', accountId: account.id } },
    ],
  };
}

export function buildTrayModel(input: TrayInput): TrayModel {
  const { report } = input;
  const menu: TrayMenuItem[] = [];
  if (!report.server.running) {
    menu.push({ type: 'info', label: clip(`Auth server stopped${report.server.error ? ` — ${report.server.error}` : ''}`, MENU_LINE_MAX_CHARS) });
    menu.push({ type: 'separator' });
  }
  if (report.accounts.length === 0) menu.push({ type: 'info', label: 'No accounts connected yet' });
  for (const account of [...report.accounts].sort((a, b) => a.id.localeCompare(b.id))) menu.push(accountItem(account, input));
  menu.push(
    { type: 'separator' },
    { type: 'action', label: 'Connect account…', action: { kind: 'connect-account' } },
    { type: 'action', label: 'Copy EmailEngine URL', action: { kind: 'copy-server-url' } },
    { type: 'action', label: 'Open tokentray', action: { kind: 'open-window' } },
    { type: 'separator' },
    { type: 'checkbox', label: 'Start at login', checked: input.startAtLogin, action: { kind: 'set-start-at-login', enabled: !input.startAtLogin } },
    { type: 'separator' },
    { type: 'action', label: 'Quit tokentray', action: { kind: 'quit' } },
  );
  return {
    icon: trayIconState(report, input.recentRequests, input.now),
    tooltip: trayTooltip(report, input.recentRequests, input.now),
    menu,
  };
}
