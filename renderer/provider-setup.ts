/**
 * Whether a provider is set up enough to sign anyone in, from what the window knows.
 *
 * Microsoft needs its app registration's client id; Google needs the Desktop client's id and
 * its secret (in the vault: the window only hears whether one is set). A value the window has
 * not heard about yet (settings still loading, an older tokentray that does not report the
 * secret) is not called missing: the core still refuses with the named error if it is.
 */
import type { ProviderId } from '../src/shared/providers.js';
import type { AppState } from './store.js';

export type SetupItem = 'clientId' | 'clientSecret';

export interface ProviderSetup {
  ready: boolean;
  /** What is missing, in the order the user enters it. */
  missing: SetupItem[];
}

export function providerSetup(provider: ProviderId, state: Pick<AppState, 'settings' | 'report'>): ProviderSetup {
  const missing: SetupItem[] = [];
  const { settings } = state;
  if (provider === 'microsoft') {
    if (settings && settings.clientId === null) missing.push('clientId');
  } else {
    if (settings && settings['google.clientId'] === null) missing.push('clientId');
    if (state.report?.clientSecrets?.google === false) missing.push('clientSecret');
  }
  return { ready: missing.length === 0, missing };
}

export function googleSetup(state: Pick<AppState, 'settings' | 'report'>): ProviderSetup {
  return providerSetup('google', state);
}
