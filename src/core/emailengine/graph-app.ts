/**
 * The EmailEngine OAuth2 app that Graph-profile accounts name as `oauth2.provider`.
 *
 * EmailEngine only asks the auth server with proto=api for an account whose provider is an
 * OAuth2 app with base scope `api`. tokentray creates one such app once (or reuses one it
 * finds) and never lets EmailEngine use it to sign in: with `useAuthServer` every token comes
 * from tokentray. EmailEngine's schema still requires a client secret and a redirect URL for an
 * "outlook" app, so placeholders that say so are stored (the secret is not a credential).
 */
import type { Cloud, Settings } from '../../shared/settings-shape.js';
import type { EmailEngineClient, EmailEngineOAuth2App } from './emailengine-client.js';

export const GRAPH_APP_NAME = 'tokentray (Microsoft Graph)';

/**
 * One app per Microsoft cloud: an account signed in with GCC High must not be sent to the
 * worldwide Graph by the app an earlier worldwide setup made. The worldwide app keeps the
 * plain name (apps made before there was more than one).
 */
export function graphAppName(cloud: Cloud): string {
  return cloud === 'global' ? GRAPH_APP_NAME : `tokentray (Microsoft Graph, ${cloud})`;
}
const UNUSED_SECRET = 'unused-tokens-come-from-tokentray';
const UNUSED_REDIRECT_URL = 'http://127.0.0.1/tokentray-serves-the-tokens';

/** The POST /v1/oauth2 body (EmailEngine's CreateOAuth2App schema, provider "outlook"). */
export function graphAppBody(settings: Pick<Settings, 'clientId' | 'tenant' | 'cloud'>): Record<string, unknown> {
  return {
    name: graphAppName(settings.cloud),
    description: 'Created by tokentray: Graph accounts get their tokens from tokentray (useAuthServer); this app is never used to sign in.',
    provider: 'outlook',
    enabled: true,
    baseScopes: 'api',
    clientId: settings.clientId ?? 'unset',
    clientSecret: UNUSED_SECRET,
    authority: settings.tenant,
    cloud: settings.cloud,
    redirectUrl: UNUSED_REDIRECT_URL,
  };
}

/** An existing app tokentray may reuse: ours by name, for this cloud. */
export function pickGraphApp(apps: EmailEngineOAuth2App[], cloud: Cloud): EmailEngineOAuth2App | null {
  return apps.find((app) => app.name === graphAppName(cloud) && isGraphAppFor(app, cloud)) ?? null;
}

/**
 * Whether an app makes EmailEngine run its Graph client against this cloud's Graph host.
 *
 * EmailEngine takes the Graph host from the app's `cloud` (postalsys/emailengine
 * lib/oauth/outlook.js, apiBase; absent means global): an app of another cloud would send
 * tokentray's tokens to a Graph that does not accept them.
 */
export function isGraphAppFor(app: EmailEngineOAuth2App | null, cloud: Cloud): boolean {
  return app !== null && app.provider === 'outlook' && app.baseScopes === 'api' && (app.cloud ?? 'global') === cloud;
}

/** `known` (the app id remembered in the vault) when EmailEngine still has it and it is for `cloud`. */
export async function rememberedGraphApp(client: EmailEngineClient, known: string | null, cloud: Cloud): Promise<string | null> {
  return known && isGraphAppFor(await client.oauth2App(known), cloud) ? known : null;
}

/**
 * The app id to use for an account of `settings.cloud`: `known` (the one remembered) when
 * EmailEngine still has it and it is for that cloud, else ours for that cloud, found or created.
 */
export async function ensureGraphApp(client: EmailEngineClient, settings: Pick<Settings, 'clientId' | 'tenant' | 'cloud'>, known: string | null): Promise<string> {
  const remembered = await rememberedGraphApp(client, known, settings.cloud);
  if (remembered) return remembered;
  const found = pickGraphApp(await client.oauth2Apps(), settings.cloud);
  if (found) return found.id;
  return (await client.createOAuth2App(graphAppBody(settings))).id;
}
