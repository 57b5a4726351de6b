/**
 * Doctor: each account's two sides agree, tokentray's token and what EmailEngine says.
 */
import { accountIdForShell } from '../../shared/account-id.js';
import type { AccountStatus } from '../../shared/account-status.js';
import type { DiagnosticCheck } from '../../shared/diagnostics.js';
import { describeBothSides, emailEngineHint, needsAttention } from '../../shared/emailengine-hints.js';
import { describeAccountState } from '../../shared/state-text.js';
import { failed, passed } from './check-result.js';

export function checkAccount(account: AccountStatus, now: number): DiagnosticCheck {
  const head = { id: 'account', title: `Account ${account.id}`, subject: account.id } as const;
  const state = account.state;
  const signIn = `Sign in again: \`tokentray account add ${accountIdForShell(account.id)}\`, or the tray menu → ${account.id} → Sign in again.`;
  switch (state.kind) {
    case 'needs-sign-in':
      return failed(head, 'NEEDS_SIGN_IN', `tokentray: needs sign-in (${state.reason.summary}, ${state.reason.code})`, { fix: signIn });
    case 'signed-out':
      return failed(head, 'NEEDS_SIGN_IN', 'tokentray: no token (not signed in)', { fix: signIn });
    case 'failing':
      return failed(head, 'IDP_UNAVAILABLE', `tokentray: ${describeAccountState(state, now)}`, { warn: state.expiresAt !== null && state.expiresAt > now });
    case 'active':
    case 'refreshing':
      break;
  }
  const both = describeBothSides(account);
  const view = account.emailengine;
  const hint = view ? emailEngineHint(account, view) : null;
  if (view && hint && needsAttention(account)) {
    return { ...head, subject: account.id, outcome: 'fail', message: both ?? hint.short, code: view.error?.code ?? null, fix: hint.fix };
  }
  return passed(head, both ? `${both} (${describeAccountState(state, now)})` : `tokentray: ${describeAccountState(state, now)}`);
}
