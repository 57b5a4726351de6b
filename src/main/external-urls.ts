/**
 * Which URLs the desktop shell may hand to the system browser, and the one place that does.
 *
 * Only four kinds ever leave the app: the core's one-time sign-in link (http://localhost:
 * PORT/start/<random> or http://127.0.0.1:PORT/start/<random>, which redirects once to the
 * sign-in page, so the page's state never sits on the browser's command line), the sign-in
 * page itself (its origin must be the configured Microsoft authority's, the cloud's login
 * host, or Google's sign-in origin), the verification page of a device-code sign-in (the
 * https page the identity provider named; the window cannot choose it) and a fixed list of
 * help pages. A compromised or buggy renderer therefore cannot make the app open arbitrary
 * links or launch other protocol handlers (file:, smb:, ms-settings:, …).
 */
import { authorityFor, CLOUDS } from '../core/identity/microsoft/clouds.js';
import { googleEndpointsFor } from '../core/identity/google/google-endpoints.js';
import type { Logger } from '../core/logging/logger.js';
import type { HelpTopic } from '../shared/ipc-contract.js';
import type { Settings } from '../shared/settings-shape.js';
import { TokentrayError } from '../shared/tokentray-error.js';

/** The help pages the window links to; nothing else outside sign-in is ever opened. */
export const HELP_LINKS: Readonly<Record<HelpTopic, string>> = {
  'register-app': 'https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app',
  'imap-smtp-oauth':
    'https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
  'graph-mail-permissions': 'https://learn.microsoft.com/en-us/graph/permissions-reference',
  'google-credentials': 'https://console.cloud.google.com/apis/credentials',
  'google-token-expiry': 'https://developers.google.com/identity/protocols/oauth2#expiration',
};

export type SignInSettings = Pick<Settings, 'cloud' | 'tenant' | 'authority'> & Partial<Pick<Settings, 'google.endpoint'>>;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function originOf(url: string): string | null {
  return parse(url)?.origin ?? null;
}

const START_LINK_PATH = /^\/start\/[A-Za-z0-9_-]{22,64}$/;

/** The core's one-time sign-in link: plain http to its own loopback listener, nothing else. */
export function isSignInStartLink(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === 'http:' &&
    (parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1') &&
    parsed.port !== '' &&
    !parsed.username &&
    !parsed.password &&
    parsed.search === '' &&
    parsed.hash === '' &&
    START_LINK_PATH.test(parsed.pathname)
  );
}

/** The sign-in page: https, no embedded credentials, on the authority's or the cloud login host's origin (or the start link). */
export function isAllowedSignInUrl(url: string, settings: SignInSettings): boolean {
  if (isSignInStartLink(url)) return true;
  const parsed = parse(url);
  if (!parsed || parsed.protocol !== 'https:' || parsed.username || parsed.password) return false;
  const allowed = [
    originOf(authorityFor(settings)),
    originOf(CLOUDS[settings.cloud].loginHost),
    // Google's sign-in page (or the endpoint override's origin).
    originOf(googleEndpointsFor(settings['google.endpoint'] ?? null).oauth2AuthBaseUrl),
  ];
  return allowed.includes(parsed.origin);
}

/** A device-code verification page: https, no embedded credentials. */
export function isVerificationUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === 'https:' && !parsed.username && !parsed.password;
}

export function isHelpLink(url: string): boolean {
  return (Object.values(HELP_LINKS) as string[]).includes(url);
}

export function isAllowedExternalUrl(url: string, settings: SignInSettings): boolean {
  return isHelpLink(url) || isAllowedSignInUrl(url, settings);
}

/** Opens the sign-in page and help links in the system browser, refusing anything else. */
export class ExternalLinks {
  readonly #openExternal: (url: string) => Promise<void>;
  readonly #getSettings: () => Promise<SignInSettings>;
  readonly #logger: Logger;

  constructor(openExternal: (url: string) => Promise<void>, getSettings: () => Promise<SignInSettings>, logger: Logger) {
    this.#openExternal = openExternal;
    this.#getSettings = getSettings;
    this.#logger = logger;
  }

  async openSignInUrl(url: string): Promise<void> {
    const settings = await this.#getSettings();
    if (!isAllowedSignInUrl(url, settings)) {
      this.#logger.warn('refused to open a sign-in URL outside the configured authority', { origin: originOf(url) });
      throw new TokentrayError('BROWSER_OPEN_FAILED', `Refused to open a sign-in page outside ${originOf(authorityFor(settings)) ?? 'the configured authority'}.`, {
        hint: 'Check the cloud, tenant and authority settings, then try again.',
      });
    }
    await this.#open(url);
  }

  /**
   * Opens a device-code verification page (https://microsoft.com/devicelogin and the like).
   *
   * Its URL comes from the identity provider's device-authorization answer, through the core
   * and main (the window names only the account id), so any https page without embedded
   * credentials is accepted: the provider, not a list here, decides where users enter codes.
   */
  async openVerificationUrl(url: string): Promise<void> {
    if (!isVerificationUrl(url)) {
      this.#logger.warn('refused to open a device-code page that is not plain https', { origin: originOf(url) });
      throw new TokentrayError('BROWSER_OPEN_FAILED', 'Refused to open a device-code page that is not an https address.', {
        hint: 'Type the address shown into a browser on any device yourself.',
      });
    }
    await this.#open(url);
  }

  async openHelp(topic: HelpTopic): Promise<void> {
    await this.#open(HELP_LINKS[topic]);
  }

  async #open(url: string): Promise<void> {
    try {
      await this.#openExternal(url);
    } catch (cause) {
      throw new TokentrayError('BROWSER_OPEN_FAILED', 'The system browser could not be opened.', {
        cause,
        hint: 'Set a default web browser in your system settings, then try again.',
      });
    }
  }
}
