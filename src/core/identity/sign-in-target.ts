/**
 * Where an account signed in: the authority (cloud host + tenant, or the override) and the app.
 *
 * Recorded on each account at sign-in. A settings change (authority, cloud, tenant,
 * clientId) then never sends the account's refresh token anywhere else: MSAL asked with
 * another authority answers no_tokens_found (or the other tenant answers invalid_grant), and
 * both used to end in the refresh token being deleted. Instead the account is reported as
 * signed in elsewhere, keeps its tokens, and serves again as soon as the setting is restored.
 */
import type { SignInReason } from '../../shared/account-status.js';
import type { ProviderId } from '../../shared/providers.js';
import type { Settings } from '../../shared/settings-shape.js';
import type { SignInTarget } from '../storage/vault.js';
import { authorityFor } from './microsoft/clouds.js';

/** The reason code of the "signed in elsewhere" needs-sign-in state (also its error code). */
export const SIGNED_IN_ELSEWHERE = 'SIGNED_IN_ELSEWHERE';

export function signInTargetOf(settings: Pick<Settings, 'cloud' | 'tenant' | 'authority' | 'clientId'>): SignInTarget {
  return { authority: authorityFor(settings).toLowerCase(), cloud: settings.cloud, clientId: (settings.clientId ?? '').toLowerCase() };
}

/** The target for an account of `provider` (null: the provider records none yet). */
export function signInTargetFor(provider: ProviderId, settings: Pick<Settings, 'cloud' | 'tenant' | 'authority' | 'clientId'>): SignInTarget | null {
  return provider === 'microsoft' ? signInTargetOf(settings) : null;
}

export function sameSignInTarget(a: SignInTarget, b: SignInTarget): boolean {
  return a.authority === b.authority && a.cloud === b.cloud && a.clientId === b.clientId;
}

export function signedInElsewhereReason(recorded: SignInTarget, current: SignInTarget): SignInReason {
  const what =
    recorded.authority !== current.authority
      ? `authority (${recorded.authority})`
      : recorded.cloud !== current.cloud
        ? `cloud (${recorded.cloud})`
        : `app (client id ${recorded.clientId})`;
  return { code: SIGNED_IN_ELSEWHERE, summary: `signed in with another ${what}: change the setting back or sign in again` };
}
