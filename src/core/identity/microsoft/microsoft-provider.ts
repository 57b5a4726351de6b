/**
 * Microsoft (Entra ID, Outlook / Microsoft 365) behind the identity-provider port.
 *
 * MSAL stays inside this folder: msal-client.ts is the only file that calls it, msal-errors.ts
 * translates its errors, clouds.ts picks the scopes. Swapping MSAL for a generic OAuth library
 * later would change this folder only.
 */
import type { ScopeProfile } from '../../../shared/scope-profile.js';
import type { Cloud } from '../../../shared/settings-shape.js';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { IdentityProvider, TokenClient } from '../identity-provider.js';
import { scopesFor } from './clouds.js';
import { classifyRefreshFailure, translateInteractiveError } from './msal-errors.js';

export interface MicrosoftProviderOptions {
  /** The MSAL client for the current settings (built lazily; throws CLIENT_ID_MISSING). */
  client(): TokenClient;
  cloud(): Cloud;
  clientId(): string | null;
}

export function createMicrosoftProvider(options: MicrosoftProviderOptions): IdentityProvider {
  return {
    id: 'microsoft',
    label: 'Microsoft',
    offersDeviceCode: true,
    client: () => options.client(),
    scopesFor: (profile: ScopeProfile) => scopesFor(options.cloud(), profile),
    classifyRefreshFailure,
    translateInteractiveError,
    requireConfigured: () => {
      if (!options.clientId()) throw new TokentrayError('CLIENT_ID_MISSING', 'No Azure app (client) id is configured yet.');
    },
  };
}
