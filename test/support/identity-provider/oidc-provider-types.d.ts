/**
 * The slice of oidc-provider 9 (and its koa app) this test identity provider uses.
 *
 * oidc-provider ships JavaScript only and @types/oidc-provider is not installed (package.json
 * belongs to the lead), so these declarations describe exactly what we call and nothing more.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The koa context, as far as our middleware touches it. */
  export interface KoaContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    type: string;
    req: IncomingMessage & { body?: unknown };
    res: ServerResponse;
    get(header: string): string;
    set(header: string, value: string): void;
    redirect(url: string): void;
  }

  export type KoaNext = () => Promise<void>;
  export type KoaMiddleware = (ctx: KoaContext, next: KoaNext) => Promise<void>;

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, string | undefined>;
    session?: { accountId: string };
    returnTo: string;
  }

  export interface InteractionResult {
    login?: { accountId: string };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  /** What formats.customizers.jwt receives: the access token model and the JWT being built. */
  export interface AccessTokenModel {
    accountId: string;
    clientId: string;
    scope?: string;
    resourceServer?: { audience?: string; identifier(): string };
  }

  export interface StructuredJwt {
    header: Record<string, unknown> | undefined;
    payload: Record<string, unknown>;
  }

  /** The parts of ctx.oidc read by the `authorization.success` listener. */
  export interface OidcContextView {
    oidc: { session?: { accountId?: string } };
  }

  export const errors: {
    InvalidScope: new (description: string, scope: string) => Error;
  };

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    use(middleware: KoaMiddleware): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'authorization.success', listener: (ctx: OidcContextView, out: Record<string, string>) => void): this;
    on(event: 'grant.error', listener: (ctx: KoaContext, error: Error & { error_detail?: string }) => void): this;
    on(event: 'server_error', listener: (ctx: unknown, error: Error) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    Grant: new (init: { accountId: string; clientId: string }) => Grant;
    AccessToken: { find(value: string): Promise<{ accountId: string; scope?: string } | undefined> };
    RefreshToken: { find(value: string): Promise<{ accountId: string; iat?: number; scope?: string } | undefined> };
  }
}
