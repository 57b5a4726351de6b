/**
 * Google (Gmail) behind the identity-provider port, through google-auth-library.
 */
import type { ScopeProfile } from '../../../shared/scope-profile.js';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { IdentityProvider, TokenClient } from '../identity-provider.js';
import { classifyGoogleRefreshFailure, translateGoogleInteractiveError } from './google-errors.js';
import { googleScopesFor } from './google-scopes.js';

export interface GoogleProviderOptions {
  /** The client for the current settings (built lazily). */
  client(): TokenClient;
  clientId(): string | null;
  hasClientSecret(): boolean;
}

export function requireGoogleConfigured(clientId: string | null, hasSecret: boolean): void {
  if (!clientId) {
    throw new TokentrayError('CLIENT_ID_MISSING', 'No Google OAuth client id is configured yet.', {
      hint: 'Create a Google Cloud OAuth client of type "Desktop app" (README, "Google app registration") and run `tokentray config set google.clientId <Client ID>`.',
      details: { provider: 'google' },
    });
  }
  if (!hasSecret) throw new TokentrayError('CLIENT_SECRET_MISSING', 'The Google OAuth client secret is not in the vault yet.');
}

export function createGoogleProvider(options: GoogleProviderOptions): IdentityProvider {
  return {
    id: 'google',
    label: 'Google',
    // Google's device flow ("TVs and limited input devices") refuses the Gmail scopes.
    offersDeviceCode: false,
    client: () => {
      requireGoogleConfigured(options.clientId(), options.hasClientSecret());
      return options.client();
    },
    scopesFor: (profile: ScopeProfile) => googleScopesFor(profile),
    classifyRefreshFailure: classifyGoogleRefreshFailure,
    translateInteractiveError: translateGoogleInteractiveError,
    requireConfigured: () => requireGoogleConfigured(options.clientId(), options.hasClientSecret()),
  };
}
