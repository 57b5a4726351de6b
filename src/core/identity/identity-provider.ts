/**
 * The identity-provider port: what the broker, the account service and the auth server need
 * from whichever provider an account signs in to.
 *
 * The rest of the core never imports a provider's library (MSAL, google-auth-library); it
 * holds an IdentityProvider per ProviderId and asks it to sign in, refresh, forget an
 * identity, and translate its errors into tokentray's codes. Adapters live beside this file
 * in microsoft/ and google/.
 */
import type { SignInReason } from '../../shared/account-status.js';
import type { ScopeProfile } from '../../shared/scope-profile.js';
import type { ProviderId } from '../../shared/providers.js';
import type { DeviceCodePrompt } from '../../shared/tokentray-api.js';
import type { TokentrayError } from '../../shared/tokentray-error.js';

export interface TokenResult {
  accessToken: string;
  expiresAt: number; // epoch ms
  /** The provider's stable id of the signed-in identity (MSAL homeAccountId, Google `sub`). */
  homeAccountId: string;
  username: string;
  /** False when the provider's token endpoint was called for it. */
  fromCache: boolean;
}

export interface InteractiveOptions {
  scopes: string[];
  loginHint: string | null;
  /**
   * Gets the one-time start link of the sign-in's loopback listener, never the authorize URL
   * itself (its state would sit on the browser's command line: see loopback-listener.ts).
   */
  openBrowser(url: string): Promise<void>;
  /** Aborting ends the sign-in (Cancel, timeout); its reason names why. */
  signal: AbortSignal;
  successPage: string;
  errorPage: string;
}

export interface DeviceCodeOptions {
  scopes: string[];
  /** Called once the provider issued the code (show it to the user). */
  onCode(code: DeviceCodePrompt): void | Promise<void>;
  /** Aborting it ends the polling (Ctrl-C, Cancel, tokentray's own timeout). */
  signal: AbortSignal;
  timeoutSeconds: number;
}

/** The token operations of one provider's client library. */
export interface TokenClient {
  /** Device-code sign-in (RFC 8628); absent where the provider does not offer it for mail. */
  acquireByDeviceCode?(options: DeviceCodeOptions): Promise<TokenResult>;
  acquireSilent(homeAccountId: string, scopes: string[], forceRefresh: boolean): Promise<TokenResult>;
  acquireInteractive(options: InteractiveOptions): Promise<TokenResult>;
  /** Forgets every token of the identity (no account of it is left, or its grant is dead). */
  removeAccount(homeAccountId: string): Promise<void>;
  /**
   * Forgets only the grant these scopes are served from, where the provider keeps one grant
   * per scope set (Google: one per mail scope). Absent where one refresh token serves every
   * scope of the identity (MSAL): then the identity's tokens go together, by removeAccount.
   */
  removeGrant?(homeAccountId: string, scopes: string[]): Promise<void>;
  /**
   * The token the client's cache already holds for these scopes, read without a network
   * call or any wait (null: none, or the client cannot tell): lets the broker answer at once
   * at start. Optional: a client without it is asked through acquireSilent.
   */
  cachedToken?(homeAccountId: string, scopes: string[]): TokenResult | null;
}

export type RefreshFailure =
  /** `verdict`: who decided. Only 'identity-provider' may delete a refresh token. */
  | { kind: 'needs-sign-in'; reason: SignInReason; verdict: 'identity-provider' | 'local-cache' }
  | { kind: 'transient'; message: string; retryAfterMs: number | null };

/** How tokentray itself ended an interactive sign-in, if it did. */
export type SignInOutcome = 'cancelled' | 'timeout' | 'link-reused' | null;

export interface IdentityProvider {
  readonly id: ProviderId;
  /** "Microsoft", "Google": used in messages ("… sign-in cannot be reached"). */
  readonly label: string;
  /** Whether device-code sign-in is offered for this provider's mail scopes. */
  readonly offersDeviceCode: boolean;
  /** The client, built from the current settings (throws CLIENT_ID_MISSING when unset). */
  client(): TokenClient;
  /** The scopes requested for a profile of this provider. */
  scopesFor(profile: ScopeProfile): string[];
  /** A failed silent refresh: "sign in again" only on the provider's explicit verdict. */
  classifyRefreshFailure(error: unknown): RefreshFailure;
  /** A failed interactive sign-in, as the TokentrayError the user sees. */
  translateInteractiveError(error: unknown, ended: SignInOutcome): TokentrayError;
  /** Throws CLIENT_ID_MISSING (with this provider's fix-it text) when it is not configured. */
  requireConfigured(): void;
}

/** Looks up the provider of an account; one instance per provider, rebuilt on settings change. */
export type IdentityProviders = (id: ProviderId) => IdentityProvider;
