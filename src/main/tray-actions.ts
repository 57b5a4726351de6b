/**
 * Carries out what the user clicked in the tray menu or on a notification.
 *
 * Every action goes through the same TokentrayApi the window and the CLI use. Long work
 * (a browser sign-in) shows its progress through SignInSessions at once, and its outcome as a
 * notification, because the menu is closed by then.
 */
import type { Logger } from '../core/logging/logger.js';
import type { AccountStatus } from '../shared/account-status.js';
import { reSignInRequest, type WindowView } from '../shared/ipc-contract.js';
import type { ConnectRequest, TokentrayApi } from '../shared/tokentray-api.js';
import { isTokentrayError } from '../shared/tokentray-error.js';
import { assertNever } from '../shared/account-status.js';
import { describeAccountState, type TrayAction } from './tray-model.js';

export interface ConfirmQuestion {
  message: string;
  detail: string;
  confirmLabel: string;
}

export interface TrayActionContext {
  api: Pick<TokentrayApi, 'status' | 'serverUrl' | 'removeAccount'>;
  signIns: { start(request: ConnectRequest): Promise<AccountStatus>; cancel(id: string): Promise<void> };
  copyText(text: string): void;
  showWindow(view?: WindowView): void;
  confirm(question: ConfirmQuestion): Promise<boolean>;
  setStartAtLogin(enabled: boolean): Promise<void>;
  notify(title: string, body: string): void;
  quit(): void;
  now(): number;
  logger: Logger;
}

/** "message hint" for a notification body; unknown errors get a generic line (details go to the log). */
export function describeError(error: unknown): string {
  if (isTokentrayError(error)) return `${error.message} ${error.hint}`;
  return 'Something unexpected went wrong; see the log for details.';
}

async function findAccount(ctx: TrayActionContext, id: string): Promise<AccountStatus | null> {
  const report = await ctx.api.status();
  return report.accounts.find((account) => account.id === id) ?? null;
}

async function signIn(ctx: TrayActionContext, id: string): Promise<void> {
  const account = await findAccount(ctx, id);
  if (!account) {
    ctx.notify(`${id} is no longer connected`, 'Connect it again from "Connect account…".');
    return;
  }
  try {
    const signedIn = await ctx.signIns.start(reSignInRequest(account));
    ctx.notify(`${id} is signed in`, `Token ${describeAccountState(signedIn.state, ctx.now())}.`);
  } catch (error) {
    if (isTokentrayError(error) && error.code === 'SIGN_IN_CANCELLED') return;
    ctx.logger.warn('sign-in from the tray failed', { account: id, error: error instanceof Error ? error : String(error) });
    ctx.notify(`${id}: sign-in did not finish`, describeError(error));
  }
}

async function perform(action: TrayAction, ctx: TrayActionContext): Promise<void> {
  switch (action.kind) {
    case 'sign-in':
      return signIn(ctx, action.accountId);
    case 'cancel-sign-in':
      return ctx.signIns.cancel(action.accountId);
    case 'copy-account-id':
      ctx.copyText(action.accountId);
      return;
    case 'remove-account': {
      const confirmed = await ctx.confirm({
        message: `Remove the account "${action.accountId}"?`,
        detail:
          'tokentray forgets its tokens, and EmailEngine can no longer get tokens for it. The Microsoft 365 mailbox itself is not changed; you can connect it again later.',
        confirmLabel: 'Remove',
      });
      if (confirmed) await ctx.api.removeAccount(action.accountId);
      return;
    }
    case 'connect-account':
      ctx.showWindow('connect');
      return;
    case 'copy-server-url':
      ctx.copyText(await ctx.api.serverUrl());
      ctx.notify('EmailEngine URL copied', "Paste it into EmailEngine's authentication server setting. It contains a secret: keep it private.");
      return;
    case 'open-window':
      ctx.showWindow(action.view);
      return;
    case 'set-start-at-login':
      return ctx.setStartAtLogin(action.enabled);
    case 'quit':
      ctx.quit();
      return;
    default:
      return assertNever(action);
  }
}

/** Never rejects: a failure is logged and shown as a notification. */
export async function performTrayAction(action: TrayAction, ctx: TrayActionContext): Promise<void> {
  try {
    await perform(action, ctx);
  } catch (error) {
    ctx.logger.warn('tray action failed', { action: action.kind, error: error instanceof Error ? error : String(error) });
    ctx.notify('tokentray could not do that', describeError(error));
  }
}
