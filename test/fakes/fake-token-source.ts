/**
 * An in-memory TokenSource for auth-server tests and benchmarks.
 *
 * Accounts have a profile (outlook serves imap+smtp, graph serves api) and a state that says
 * how `grantFor` answers: from memory (synchronously, the same grant object each time, like
 * the real broker's cache), after an async refresh of `refreshDelayMs`, or with one of the
 * TokentrayErrors the real source throws.
 */
import type { Proto } from '../../src/shared/account-status.js';
import type { ScopeProfile } from '../../src/shared/scope-profile.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';
import type { TokenGrant, TokenSource } from '../../src/core/auth-server/token-source.js';

export type FakeAccountState =
  | { kind: 'active' }
  | { kind: 'refreshing'; refreshDelayMs: number } // every call waits, then answers
  | { kind: 'refresh-fails'; refreshDelayMs: number; error: TokentrayError }
  | { kind: 'never-answers' } // a refresh that hangs
  | { kind: 'needs-sign-in'; reason?: string }
  | { kind: 'idp-unavailable'; retryAfterSeconds?: number }
  | { kind: 'throws'; error: unknown }; // a bug: anything, thrown synchronously

export interface FakeAccount {
  user: string;
  accessToken: string;
  profile?: ScopeProfile;
  state?: FakeAccountState;
}

function serves(profile: ScopeProfile, proto: Proto): boolean {
  return profile === 'graph' ? proto === 'api' : proto !== 'api';
}

export class FakeTokenSource implements TokenSource {
  readonly calls: { account: string; proto: Proto }[] = [];
  /** Set false to keep `calls` empty (benchmarks: no growth). */
  recordCalls = true;
  readonly #accounts = new Map<string, { grant: TokenGrant; profile: ScopeProfile; state: FakeAccountState }>();

  constructor(accounts: Record<string, FakeAccount> = {}) {
    for (const [id, account] of Object.entries(accounts)) this.set(id, account);
  }

  set(id: string, account: FakeAccount): void {
    this.#accounts.set(id, {
      grant: { user: account.user, accessToken: account.accessToken },
      profile: account.profile ?? 'outlook',
      state: account.state ?? { kind: 'active' },
    });
  }

  setState(id: string, state: FakeAccountState): void {
    const account = this.#accounts.get(id);
    if (account === undefined) throw new Error(`no fake account ${id}`);
    account.state = state;
  }

  delete(id: string): void {
    this.#accounts.delete(id);
  }

  grantFor(accountId: string, proto: Proto): TokenGrant | Promise<TokenGrant> {
    if (this.recordCalls) this.calls.push({ account: accountId, proto });
    const account = this.#accounts.get(accountId);
    if (account === undefined) {
      throw new TokentrayError('ACCOUNT_NOT_FOUND', `No account "${accountId}" in tokentray.`, { details: { account: accountId } });
    }
    if (!serves(account.profile, proto)) {
      throw new TokentrayError('PROFILE_MISMATCH', `Account "${accountId}" has profile ${account.profile}, which cannot serve proto=${proto}.`, {
        details: { account: accountId, profile: account.profile, proto },
      });
    }
    const state = account.state;
    switch (state.kind) {
      case 'active':
        return account.grant;
      case 'refreshing':
        return new Promise((resolve) => setTimeout(() => resolve(account.grant), state.refreshDelayMs));
      case 'refresh-fails':
        return new Promise((_resolve, reject) => setTimeout(() => reject(state.error), state.refreshDelayMs));
      case 'never-answers':
        return new Promise(() => undefined);
      case 'needs-sign-in':
        throw new TokentrayError('NEEDS_SIGN_IN', `Account "${accountId}" must sign in again.`, {
          details: { account: accountId, reason: state.reason ?? null },
        });
      case 'idp-unavailable':
        throw new TokentrayError('IDP_UNAVAILABLE', 'Microsoft sign-in could not be reached and no valid token is cached.', {
          details: { account: accountId, retryAfterSeconds: state.retryAfterSeconds ?? null },
        });
      case 'throws':
        throw state.error;
    }
  }
}
