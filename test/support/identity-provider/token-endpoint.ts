/**
 * Koa middleware in front of oidc-provider's token endpoint: Entra's response shape, revocation,
 * rotation replay, injected failures, delay and counters.
 *
 * It runs before oidc-provider's router (`provider.use`), so it can answer on its own (revoked
 * user, injected 503) or let the request through and reshape what comes back.
 */
import { decodeJwt } from 'jose';
import type { KoaContext, KoaMiddleware } from 'oidc-provider';
import { aadstsCodeForOidcProviderError, entraErrorBody, entraTimestamp } from './entra-errors.js';
import type { AadstsCode, EntraErrorBody } from './entra-errors.js';
import type { InjectedFailureStatus, ProviderControls } from './provider-controls.js';
import { readBody, parseForm } from './request-body.js';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Entra asks throttled clients to wait this long; MSAL honours it. */
const RETRY_AFTER_SECONDS = 5;

/** The base64url `client_info` Entra returns: MSAL builds homeAccountId `<uid>.<utid>` from it. */
export function clientInfo(oid: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tenantId })).toString('base64url');
}

const INJECTED_FAILURES: Record<InjectedFailureStatus, { error: string; code: AadstsCode }> = {
  500: { error: 'server_error', code: 90033 },
  503: { error: 'temporarily_unavailable', code: 90033 },
  429: { error: 'temporarily_unavailable', code: 90055 },
};

/**
 * Why a refresh token stopped working, as Entra says it.
 *
 * 65001 comes with `suberror: consent_required` in Entra (MSAL turns it into an
 * InteractionRequiredAuthError); the others come without a suberror (a plain ServerError).
 */
const REVOCATION_SUBERRORS: Partial<Record<AadstsCode, string>> = { 65001: 'consent_required' };

interface TokenEndpointOptions {
  controls: ProviderControls;
  tenantId: string;
  tokenPath: string;
  /** oidc-provider's `error_detail` of a failed grant, captured from its `grant.error` event. */
  errorDetails: WeakMap<KoaContext, string>;
  sleep?: (ms: number) => Promise<void>;
}

interface OidcTokenBody {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  scope?: string;
  token_type?: string;
  error?: string;
  error_description?: string;
}

export function tokenEndpointMiddleware(options: TokenEndpointOptions): KoaMiddleware {
  const { controls, tenantId, tokenPath, errorDetails } = options;
  // unref: a delayed answer must not keep the process alive after close() dropped its socket.
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));

  function answer(ctx: KoaContext, status: number, body: EntraErrorBody & { suberror?: string }): void {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  }

  return async (ctx, next) => {
    if (ctx.path !== tokenPath || ctx.method !== 'POST') return next();

    // oidc-provider accepts an already-read body on req.body (it logs a one-time warning).
    let rawBody = await readBody(ctx.req);
    // Entra takes msal-node's short grant_type=device_code for RFC 8628's URN; oidc-provider wants the URN.
    if (parseForm(rawBody).grant_type === 'device_code') {
      const params = new URLSearchParams(rawBody);
      params.set('grant_type', DEVICE_CODE_GRANT);
      rawBody = params.toString();
    }
    ctx.req.body = rawBody;
    const form = parseForm(rawBody);
    const correlationId = ctx.get('client-request-id');
    const grantType = form.grant_type ?? '';
    controls.countTokenCall(grantType);

    if (controls.tokenDelayMs > 0) await sleep(controls.tokenDelayMs);

    const injected = controls.takeInjectedFailure();
    if (injected) {
      const { error, code } = INJECTED_FAILURES[injected];
      if (injected !== 500) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      answer(ctx, injected, entraErrorBody(error, code, { correlationId }));
      return;
    }

    const presentedRefreshToken = grantType === 'refresh_token' ? form.refresh_token : undefined;
    if (presentedRefreshToken) {
      const revokedWith = controls.revocationFor(presentedRefreshToken);
      if (revokedWith) {
        const issued = entraTimestamp(new Date(Date.now() - 24 * 60 * 60 * 1000));
        const body = entraErrorBody('invalid_grant', revokedWith, { correlationId, values: { issued, now: entraTimestamp(new Date()) } });
        const suberror = REVOCATION_SUBERRORS[revokedWith];
        answer(ctx, 400, suberror ? { ...body, suberror } : body);
        return;
      }
      if (!controls.spendRefreshToken(presentedRefreshToken)) {
        answer(ctx, 400, entraErrorBody('invalid_grant', 70000, { correlationId, detail: 'The refresh token was already redeemed' }));
        return;
      }
    }

    try {
      await next();
    } finally {
      const body = ctx.body as OidcTokenBody | undefined;
      if (ctx.status === 200 && body?.access_token) {
        ctx.body = entraTokenResponse(body, tenantId, controls, presentedRefreshToken);
      } else {
        if (presentedRefreshToken) controls.unspendRefreshToken(presentedRefreshToken);
        if (body?.error) {
          // Entra names a device-code sign-in aborted on the other device so.
          if (body.error === 'access_denied' && grantType === DEVICE_CODE_GRANT) body.error = 'authorization_declined';
          const detail = errorDetails.get(ctx) ?? '';
          const code = aadstsCodeForOidcProviderError(body.error, body.error === 'invalid_grant' ? detail : (body.error_description ?? ''));
          ctx.body = entraErrorBody(body.error, code, { correlationId, detail: detail || body.error_description });
        }
      }
    }
  };
}

/** Reorders and completes oidc-provider's token response into Entra's shape, and records it. */
function entraTokenResponse(body: OidcTokenBody, tenantId: string, controls: ProviderControls, presentedRefreshToken: string | undefined): Record<string, unknown> {
  const accessToken = body.access_token ?? '';
  const claims = decodeJwt(accessToken);
  const oid = String(claims.oid);
  controls.recordIssued({
    username: String(claims.upn),
    accessToken,
    refreshToken: body.refresh_token,
    idToken: body.id_token,
    presentedRefreshToken,
  });
  return {
    token_type: 'Bearer',
    scope: body.scope,
    expires_in: body.expires_in,
    ext_expires_in: body.expires_in,
    access_token: accessToken,
    refresh_token: body.refresh_token,
    id_token: body.id_token,
    client_info: clientInfo(oid, tenantId),
  };
}
