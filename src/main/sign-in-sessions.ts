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
import type { ConnectRequest, DeviceCodePrompt, TokentrayApi } from '../shared/tokentray-api.js';
import { TokentrayError } from '../shared/tokentray-error.js';

export type DeviceCodeListener = (id: string, prompt: DeviceCodePrompt) => void;

export class SignInSessions {
  readonly #api: Pick<TokentrayApi, 'connectAccount' | 'cancelSignIn'>;
  readonly #openAuthorizeUrl: (url: string) => Promise<void>;
  readonly #openVerificationUrl: (url: string) => Promise<void>;
  readonly #active = new Set<string>();
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
    return new Set(this.#active);
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

  /** The code of the device-code sign-in waiting for `id`, if one is. */
  deviceCodeFor(id: string): DeviceCodePrompt | null {
    return this.#prompts.get(id) ?? null;
  }

  /** Resolves when the account is signed in; rejects with the core's TokentrayError otherwise. */
  async start(request: ConnectRequest): Promise<AccountStatus> {
    if (this.#active.has(request.id)) {
      throw new TokentrayError('SIGN_IN_IN_PROGRESS', `A sign-in for "${request.id}" is already open (in your browser, or waiting for a code on another device).`);
    }
    this.#active.add(request.id);
    this.#emit();
    try {
      return await this.#api.connectAccount(request, {
        onAuthorizeUrl: (url) => this.#openAuthorizeUrl(url),
        ...(request.deviceCode === true ? { onDeviceCode: (prompt: DeviceCodePrompt) => this.#deviceCode(request.id, prompt) } : {}),
      });
    } finally {
      this.#active.delete(request.id);
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
