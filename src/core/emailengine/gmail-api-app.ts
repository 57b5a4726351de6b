/**
 * The EmailEngine OAuth2 app that Gmail API (`gmail-api`) accounts name as `oauth2.provider`.
 *
 * As for Graph (graph-app.ts): EmailEngine runs its Gmail API client, and asks the auth server
 * with proto=api, only for an account whose provider is an app with base scope `api`. tokentray
 * creates one such "gmail" app once (or reuses its own, found by name) and never lets EmailEngine
 * sign in with it: with `useAuthServer` every token comes from tokentray.
 *
 * What EmailEngine 2.79.2 requires of it (postalsys/emailengine, read only):
 * - lib/schemas.js (oauthCreateSchema): a "gmail" app needs `clientId`, a non-empty
 *   `clientSecret` and an http(s) `redirectUrl`; `authority` and `cloud` must be absent.
 * - lib/oauth2-apps.js getClient(): the Gmail client refuses to start ("OAuth2 credentials not
 *   set up for Gmail") unless all three are non-empty, even for auth-server accounts, so the
 *   placeholders below are not optional.
 * - Pub/Sub (`pubSubApp`, `googleProjectId`) is optional: without it EmailEngine polls each
 *   account for changes about every 10 minutes (lib/email-client/gmail-client.js,
 *   FALLBACK_POLLING_INTERVAL; views/partials/oauth_form.hbs). Setting up Pub/Sub needs a Google
 *   service account, which is EmailEngine's business, not tokentray's: a user who wants near
 *   real-time changes links a Pub/Sub app to this app in EmailEngine's admin UI, and tokentray
 *   keeps reusing the app (it is found by name).
 */
import type { Settings } from '../../shared/settings-shape.js';
import type { EmailEngineClient, EmailEngineOAuth2App } from './emailengine-client.js';

export const GMAIL_API_APP_NAME = 'tokentray (Gmail API)';
const UNUSED_SECRET = 'unused-tokens-come-from-tokentray';
const UNUSED_REDIRECT_URL = 'http://127.0.0.1/tokentray-serves-the-tokens';
/** EmailEngine needs a non-empty client id; before Google is set up, this says so. */
const UNSET_CLIENT_ID = 'unset-tokentray-serves-the-tokens';

/** The POST /v1/oauth2 body (EmailEngine's CreateOAuth2App schema, provider "gmail", base scope "api"). */
export function gmailApiAppBody(settings: Pick<Settings, 'google.clientId'>): Record<string, unknown> {
  return {
    name: GMAIL_API_APP_NAME,
    description:
      'Created by tokentray: Gmail API accounts get their tokens from tokentray (useAuthServer); this app is never used to sign in. Without a Pub/Sub app EmailEngine checks for changes about every 10 minutes.',
    provider: 'gmail',
    enabled: true,
    baseScopes: 'api',
    clientId: settings['google.clientId'] || UNSET_CLIENT_ID,
    clientSecret: UNUSED_SECRET,
    redirectUrl: UNUSED_REDIRECT_URL,
  };
}

/**
 * An existing app tokentray may reuse: ours by name, a Gmail app with base scope `api`.
 *
 * Someone else's Gmail API app is left alone: it may hold real credentials and a Pub/Sub link
 * that its owner manages.
 */
export function pickGmailApiApp(apps: EmailEngineOAuth2App[]): EmailEngineOAuth2App | null {
  return apps.find((app) => app.provider === 'gmail' && app.baseScopes === 'api' && app.name === GMAIL_API_APP_NAME) ?? null;
}

/** Whether an app makes EmailEngine run its Gmail API client (and ask with proto=api). */
export function isGmailApiApp(app: EmailEngineOAuth2App | null): boolean {
  return app !== null && app.provider === 'gmail' && app.baseScopes === 'api';
}

/** The app id to use: `known` when EmailEngine still has it as a Gmail API app, else one found or created. */
export async function ensureGmailApiApp(client: EmailEngineClient, settings: Pick<Settings, 'google.clientId'>, known: string | null): Promise<string> {
  if (known && isGmailApiApp(await client.oauth2App(known))) return known;
  const found = pickGmailApiApp(await client.oauth2Apps());
  if (found) return found.id;
  return (await client.createOAuth2App(gmailApiAppBody(settings))).id;
}
