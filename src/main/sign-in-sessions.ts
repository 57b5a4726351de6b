/**
 * The sign-ins currently under way, whoever started them (tray, window, notification).
 *
 * Main owns the sign-in: it calls the core with hooks that open the authorize URL itself, so
 * the window only ever asks "connect this account" and never sees the URL's state or PKCE
 * values. Listeners hear when the set changes, so the tray can say "signing in…" at once.
 *
 * A device-code sign-in (another device's browser) has no URL to open here: the core hands
 * over the verification page and the user code, which listeners (the window) show. The page's
 * URL stays here too: the window asks to open "the page of the sign-in for id", never a URL.
 */
import type { AccountStatus } from '../shared/account-status.js';
import type { PendingSignIn } from '../shared/ipc-contract.js';
import type { ConnectRequest, DeviceCodePrompt, TokentrayApi } from '../shared/tokentray-api.js';
import { TokentrayError } from '../shared/tokentray-error.js';

export type DeviceCodeListener = (id: string, prompt: DeviceCodePrompt) => void;

interface Session {
  readonly request: ConnectRequest;
  /** Null only while the core is being called (it may fail before its first await). */
  outcome: Promise<AccountStatus> | null;
}

export class SignInSessions {
  readonly #api: Pick<TokentrayApi, 'connectAccount' | 'cancelSignIn'>;
  readonly #openAuthorizeUrl: (url: string) => Promise<void>;
  readonly #openVerificationUrl: (url: string) => Promise<void>;
  /** Each sign-in under way, by account id: the request as asked, and its outcome. */
  readonly #active = new Map<string, Session>();
  readonly #prompts = new Map<string, DeviceCodePrompt>();
  readonly #listeners = new Set<() => void>();
  readonly #codeListeners = new Set<DeviceCodeListener>();

  constructor(
    api: Pick<TokentrayApi, 'connectAccount' | 'cancelSignIn'>,
    openAuthorizeUrl: (url: string) => Promise<void>,
    openVerificationUrl: (url: string) => Promise<void> = openAuthorizeUrl,
  ) {
    this.#api = api;
    this.#openAuthorizeUrl = openAuthorizeUrl;
    this.#openVerificationUrl = openVerificationUrl;
  }

  inProgress(): ReadonlySet<string> {
    return new Set(this.#active.keys());
  }

  /** The sign-ins under way, each with its device code once there is one. */
  pending(): PendingSignIn[] {
    return [...this.#active].map(([id, { request }]) => ({
      id,
      email: request.email ?? null,
      profile: request.profile ?? null,
      sharedMailbox: request.sharedMailbox ?? null,
      withCode: request.deviceCode === true,
      deviceCode: this.#prompts.get(id) ?? null,
    }));
  }

  /** Settles as the sign-in under way for `id` does: for a window opened after it began. */
  settled(id: string): Promise<AccountStatus> {
    const session = this.#active.get(id);
    if (!session?.outcome) {
      return Promise.reject(new TokentrayError('SIGN_IN_CANCELLED', `No sign-in is open for "${id}" any more.`, { hint: 'Look at the account in Accounts, or connect it again.' }));
    }
    return session.outcome;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hears each device code as the core hands it over. */
  onDeviceCode(listener: DeviceCodeListener): () => void {
    this.#codeListeners.add(listener);
    return () => this.#codeListeners.delete(listener);
  }

  /** Resolves when the account is signed in; rejects with the core's TokentrayError otherwise. */
  start(request: ConnectRequest): Promise<AccountStatus> {
    if (this.#active.has(request.id)) {
      return Promise.reject(
        new TokentrayError('SIGN_IN_IN_PROGRESS', `A sign-in for "${request.id}" is already open (in your browser, or waiting for a code on another device).`),
      );
    }
    // Registered before the core is called, so that a failure before its first await still
    // finds the session to remove.
    const session: Session = { request, outcome: null };
    this.#active.set(request.id, session);
    this.#emit();
    const outcome = this.#run(request, session);
    session.outcome = outcome;
    outcome.catch(() => undefined); // the caller hears of it; a window that awaits it later too
    return outcome;
  }

  async #run(request: ConnectRequest, session: Session): Promise<AccountStatus> {
    try {
      return await this.#api.connectAccount(request, {
        onAuthorizeUrl: (url) => this.#openAuthorizeUrl(url),
        ...(request.deviceCode === true ? { onDeviceCode: (prompt: DeviceCodePrompt) => this.#deviceCode(request.id, prompt) } : {}),
      });
    } finally {
      if (this.#active.get(request.id) === session) this.#active.delete(request.id);
      this.#prompts.delete(request.id);
      this.#emit();
    }
  }

  cancel(id: string): Promise<void> {
    return this.#api.cancelSignIn(id);
  }

  /** Opens the verification page of the device-code sign-in for `id` in the system browser. */
  async openVerificationPage(id: string): Promise<void> {
    const prompt = this.#prompts.get(id);
    if (!prompt) {
      throw new TokentrayError('SIGN_IN_CANCELLED', `No device-code sign-in is waiting for "${id}" any more.`, {
        hint: 'Start it again with "Sign in with a code on another device".',
      });
    }
    await this.#openVerificationUrl(prompt.verificationUri);
  }

  #deviceCode(id: string, prompt: DeviceCodePrompt): void {
    this.#prompts.set(id, prompt);
    for (const listener of this.#codeListeners) listener(id, prompt);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
