/**
 * The interactive part: Entra-flavoured authorize requests, the sign-in page and its outcomes.
 *
 * oidc-provider drives the flow (authorize → our page → resume → form_post to the app); this
 * module renders the page, turns the posted choice into an interaction result, and adapts
 * MSAL's authorize parameters to what oidc-provider accepts.
 */
import type { Grant, InteractionResult, KoaContext, KoaMiddleware } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { aadstsMessage } from './entra-errors.js';
import { errorPage, signInPage } from './html-pages.js';
import type { ProviderControls } from './provider-controls.js';
import { readBody, parseForm } from './request-body.js';
import { OIDC_SCOPES, resourcesOf, scopesOfResource, splitScopes } from './scopes.js';

/**
 * Rewrites MSAL's `prompt` for oidc-provider.
 *
 * - `select_account` and `create` are Entra prompts oidc-provider rejects; both mean "show the
 *   sign-in page", which is `login`.
 * - oidc-provider drops `offline_access` unless `prompt` contains `consent` (OpenID Connect Core
 *   11); Entra grants it without asking. Adding `consent` keeps the refresh token coming; consent
 *   is given on our sign-in page anyway, so nothing extra is shown.
 */
export function entraPromptToOidcProvider(prompt: string | undefined, scope: string | undefined): string | undefined {
  const values = new Set(splitScopes(prompt).map((value) => (value === 'select_account' || value === 'create' ? 'login' : value)));
  if (values.has('none')) return prompt;
  if (splitScopes(scope).includes('offline_access')) values.add('consent');
  return values.size > 0 ? [...values].join(' ') : undefined;
}

export function authorizeRequestMiddleware(authorizePath: string): KoaMiddleware {
  return async (ctx, next) => {
    if (ctx.path === authorizePath && ctx.method === 'GET') {
      const query = { ...ctx.query };
      const prompt = entraPromptToOidcProvider(singleValue(query.prompt), singleValue(query.scope));
      if (prompt === undefined) delete query.prompt;
      else query.prompt = prompt;
      ctx.query = query;
    }
    return next();
  };
}

interface SignInOptions {
  provider: Provider;
  controls: ProviderControls;
  tenantId: string;
  signInPath: string;
}

/** Serves `GET|POST <signInPath>/<uid>`: the page, then the user's answer. */
export function signInMiddleware({ provider, controls, tenantId, signInPath }: SignInOptions): KoaMiddleware {
  const pattern = new RegExp(`^${signInPath}/([\\w-]+)$`);

  return async (ctx, next) => {
    const uid = pattern.exec(ctx.path)?.[1];
    if (!uid || (ctx.method !== 'GET' && ctx.method !== 'POST')) return next();

    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      showError(ctx, 400, 'Your sign-in session expired or was opened in another browser. Start again from the application.');
      return;
    }
    const { params } = details;

    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = signInPage({
        action: `/${tenantId}${signInPath}/${uid}`,
        loginHint: params.login_hint ?? '',
        clientId: params.client_id ?? '',
        scopes: splitScopes(params.scope),
        usernames: controls.users.map((user) => user.username),
      });
      return;
    }

    const form = parseForm(await readBody(ctx.req));
    let result: InteractionResult;
    if (form.consent === 'decline') {
      result = { error: 'access_denied', error_description: aadstsMessage(65004) };
    } else {
      const user = controls.userByUsername(form.username ?? '');
      if (!user) {
        showError(ctx, 400, aadstsMessage(50034));
        return;
      }
      if (form.outcome === 'blocked') {
        result = { error: 'access_denied', error_description: aadstsMessage(50105) };
      } else {
        const grantId = await grantEverythingRequested(new provider.Grant({ accountId: user.oid, clientId: params.client_id ?? '' }), params);
        result = { login: { accountId: user.oid }, consent: { grantId } };
      }
    }

    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };
}

/** Entra's consent is per app and resource; giving all requested scopes at once is equivalent here. */
async function grantEverythingRequested(grant: Grant, params: Record<string, string | undefined>): Promise<string> {
  const oidcScopes = splitScopes(params.scope).filter((scope) => OIDC_SCOPES.has(scope));
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
  for (const resource of resourcesOf(params.scope)) {
    grant.addResourceScope(resource, scopesOfResource(params.scope, resource).join(' '));
  }
  return grant.save();
}

function showError(ctx: KoaContext, status: number, description: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = errorPage(description);
}

function singleValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
