/**
 * The identity providers tokentray signs in to, and which scope profiles belong to each.
 *
 * A profile belongs to exactly one provider, and an account never mixes profiles: one access
 * token is for one resource (IMAP/SMTP or a mail API).
 */
import { assertNever, type Proto } from './account-status.js';
import type { ScopeProfile } from './scope-profile.js';

export type ProviderId = 'microsoft' | 'google';
export const PROVIDER_IDS: readonly ProviderId[] = ['microsoft', 'google'];

export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = {
  microsoft: 'Microsoft',
  google: 'Google',
};

/** How a profile is named to people (the tray, the window, the CLI's status). */
export const PROFILE_LABELS: Readonly<Record<ScopeProfile, string>> = {
  outlook: 'Outlook IMAP/SMTP',
  graph: 'Microsoft Graph',
  gmail: 'Gmail IMAP/SMTP',
  'gmail-api': 'Gmail API',
};

/**
 * An account's provider beside its profile, e.g. "Google · Gmail API".
 *
 * The provider is named even where the profile implies it, so a list of accounts of both
 * providers reads the same way for each.
 */
export function providerAndProfileLabel(provider: ProviderId, profile: ScopeProfile): string {
  return `${PROVIDER_LABELS[provider]} · ${PROFILE_LABELS[profile]}`;
}

/** Which provider a profile signs in to. */
export function providerOfProfile(profile: ScopeProfile): ProviderId {
  switch (profile) {
    case 'outlook':
    case 'graph':
      return 'microsoft';
    case 'gmail':
    case 'gmail-api':
      return 'google';
    default:
      return assertNever(profile);
  }
}

/** The profiles of one provider, the default (IMAP + SMTP) first. */
export function profilesOf(provider: ProviderId): readonly ScopeProfile[] {
  return provider === 'google' ? ['gmail', 'gmail-api'] : ['outlook', 'graph'];
}

/** True for the mail-API profiles (EmailEngine's proto=api), false for IMAP + SMTP. */
export function isApiProfile(profile: ScopeProfile): boolean {
  return profile === 'graph' || profile === 'gmail-api';
}

export function profileServes(profile: ScopeProfile, proto: Proto): boolean {
  return isApiProfile(profile) ? proto === 'api' : proto === 'imap' || proto === 'smtp';
}

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}

export function isScopeProfile(value: unknown): value is ScopeProfile {
  return value === 'outlook' || value === 'graph' || value === 'gmail' || value === 'gmail-api';
}
