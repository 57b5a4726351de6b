/**
 * The browser sign-ins currently under way, whoever started them (tray, window, notification).
 *
 * Main owns the sign-in: it calls the core with hooks that open the authorize URL itself, so
 * the window only ever asks "connect this account" and never sees the URL's state or PKCE
 * values. Listeners hear when the set changes, so the tray can say "signing in…" at once.
 */
import type { AccountStatus } from '../shared/account-status.js';
import type { ConnectRequest, TokentrayApi } from '../shared/tokentray-api.js';
import { TokentrayError } from '../shared/tokentray-error.js';

export class SignInSessions {
  readonly #api: Pick<TokentrayApi, 'connectAccount' | 'cancelSignIn'>;
  readonly #openAuthorizeUrl: (url: string) => Promise<void>;
  readonly #active = new Set<string>();
  readonly #listeners = new Set<() => void>();

  constructor(api: Pick<TokentrayApi, 'connectAccount' | 'cancelSignIn'>, openAuthorizeUrl: (url: string) => Promise<void>) {
    this.#api = api;
    this.#openAuthorizeUrl = openAuthorizeUrl;
  }

  inProgress(): ReadonlySet<string> {
    return new Set(this.#active);
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when the account is signed in; rejects with the core's TokentrayError otherwise. */
  async start(request: ConnectRequest): Promise<AccountStatus> {
    if (this.#active.has(request.id)) {
      throw new TokentrayError('SIGN_IN_IN_PROGRESS', `A sign-in for "${request.id}" is already waiting in your browser.`);
    }
    this.#active.add(request.id);
    this.#emit();
    try {
      return await this.#api.connectAccount(request, { onAuthorizeUrl: (url) => this.#openAuthorizeUrl(url) });
    } finally {
      this.#active.delete(request.id);
      this.#emit();
    }
  }

  cancel(id: string): Promise<void> {
    return this.#api.cancelSignIn(id);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
