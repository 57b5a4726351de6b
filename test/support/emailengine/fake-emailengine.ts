/**
 * An EmailEngine-shaped HTTP server on loopback, built from shared/EMAILENGINE.md and
 * EmailEngine 2.79.2's source (lib/api-routes/*, workers/api.js, lib/account.js).
 *
 * What it does like EmailEngine:
 * - API: Bearer tokens, full (`*`) vs narrowed (scope-limited, or bound to one account, which
 *   the settings routes refuse with 403); hapi Boom error bodies `{statusCode,error,message}`
 *   (validation: 400 "Invalid input" with `fields`); GET /v1/stats, /v1/license; GET
 *   /v1/settings returns only the keys asked for (authServer unmasked with ?authServer=true);
 *   POST /v1/settings; POST /v1/account (an upsert: "new" / "existing", reconnects),
 *   GET /v1/account/{id}, GET /v1/accounts, PUT …/reconnect, DELETE; /v1/oauth2 apps.
 * - Account validation: `useAuthServer` with an `auth` block refused; `oauth2` without `auth`
 *   refused ("OAuth2Authentication" is required); an unknown provider refused. OAuth2 apps are
 *   validated as EmailEngine's CreateOAuth2App schema does (oauth2-app-schema.ts).
 * - Each "connect" of an account calls the auth server once, exactly as EmailEngine does
 *   (askLikeEmailEngine: its headers, Basic credentials taken out of the URL), with
 *   proto=imap for IMAP accounts and proto=api for oauth2 accounts whose app has base scope
 *   `api` (Graph and Gmail API); a Gmail app without credentials fails to start. A non-2xx
 *   answer becomes `Invalid response: <status> <reason>` in lastError and the state
 *   authenticationError; a network failure (after `networkRetries` quick retries) becomes
 *   `fetch failed`. A token the "mail server" refuses (verifyToken) gives `AUTHENTICATE failed`.
 * - An idle connected account makes no calls; `dropConnection` simulates the IMAP server
 *   closing the connection (EmailEngine then reconnects, calling the auth server again).
 *
 * Not modelled: EmailEngine's 2 s … 10 min backoff retries (tests use reconnect or
 * dropConnection to make it connect again), SMTP submissions, webhooks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { askLikeEmailEngine } from '../emailengine-client.js';
import { createOAuth2AppErrors } from './oauth2-app-schema.js';

export const FAKE_EMAILENGINE_VERSION = '2.79.2';

export type FakeAccountState = 'init' | 'connecting' | 'syncing' | 'connected' | 'disconnected' | 'paused' | 'authenticationError' | 'connectError' | 'unset';

export interface FakeAccount {
  account: string;
  name?: string;
  email?: string;
  imap?: Record<string, unknown> | false;
  smtp?: Record<string, unknown> | false;
  oauth2?: Record<string, unknown> | false;
  state: FakeAccountState;
  lastError: { response: string; serverResponseCode: string } | null;
}

export interface FakeOAuth2App {
  id: string;
  name: string;
  provider: string;
  baseScopes?: string;
  clientId?: string;
  enabled: boolean;
  [key: string]: unknown;
}

export interface AuthServerCall {
  account: string;
  proto: string;
  status: number;
  reason: string;
  at: number;
}

export interface FakeEmailEngineOptions {
  version?: string;
  licensed?: boolean;
  /** Quick retries of a network failure before `fetch failed` (EmailEngine: 5 within ~15 s). */
  networkRetries?: number;
  /** The "mail server": does it accept this token for this user? Default: any non-empty token. */
  verifyToken?: (token: string, user: string, proto: string) => boolean | Promise<boolean>;
}

type Token = { scopes: string[]; account?: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'Invalid request payload JSON format'));
      }
    });
    req.on('error', reject);
  });
}

function invalid(fields: Array<{ message: string; key: string }>): HttpError {
  return new HttpError(400, 'Invalid input', { fields });
}

export class FakeEmailEngine {
  readonly accounts = new Map<string, FakeAccount>();
  readonly apps = new Map<string, FakeOAuth2App>();
  readonly settings: Record<string, unknown> = {};
  /** Every auth-server call made, in order. */
  readonly authCalls: AuthServerCall[] = [];
  /** Every API request received (method and path, never the token). */
  readonly apiRequests: Array<{ method: string; path: string }> = [];
  version: string;
  licensed: boolean;
  readonly #tokens = new Map<string, Token>();
  readonly #options: FakeEmailEngineOptions;
  readonly #connecting = new Map<string, Promise<void>>();
  #server: Server | null = null;
  url = '';

  constructor(options: FakeEmailEngineOptions = {}) {
    this.#options = options;
    this.version = options.version ?? FAKE_EMAILENGINE_VERSION;
    this.licensed = options.licensed ?? true;
  }

  /** A new API token: full privilege (`*`), or narrowed to some scopes or one account. */
  issueToken(options: { scopes?: string[]; account?: string } = {}): string {
    const token = randomBytes(32).toString('hex');
    this.#tokens.set(token, { scopes: options.scopes ?? ['*'], ...(options.account ? { account: options.account } : {}) });
    return token;
  }

  revokeToken(token: string): void {
    this.#tokens.delete(token);
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#connecting.values()]);
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server?.closeAllConnections();
  }

  /** Resolves once every connect in flight is done (the state is then final until the next event). */
  async settle(): Promise<void> {
    while (this.#connecting.size > 0) await Promise.allSettled([...this.#connecting.values()]);
  }

  /** The IMAP server closed the connection: EmailEngine reconnects, asking the auth server again. */
  dropConnection(id: string): Promise<void> {
    return this.#connect(id);
  }

  // ---- HTTP ------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emailengine');
    this.apiRequests.push({ method: req.method ?? 'GET', path: url.pathname });
    try {
      const token = this.#authenticate(req);
      const body = await readBody(req);
      const answer = await this.#route(req.method ?? 'GET', url, body, token);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer));
    } catch (error) {
      const http = error instanceof HttpError ? error : new HttpError(500, 'An internal server error occurred');
      res.writeHead(http.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ statusCode: http.status, error: REASONS[http.status] ?? 'Error', message: http.message, ...http.extra }));
    }
  }

  /** hapi-auth-bearer-token: 401 "Missing authentication" / "Bad token". */
  #authenticate(req: IncomingMessage): Token {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'Missing authentication');
    const token = this.#tokens.get(match[1]!.trim());
    if (!token) throw new HttpError(401, 'Bad token', { attributes: { error: 'Bad token' } });
    return token;
  }

  /** workers/api.js: scope check, then account binding (routes without {account} refuse a bound token). */
  #authorize(token: Token, options: { admin?: boolean; account?: string }): void {
    if (!token.scopes.includes('*') && !token.scopes.includes('api')) throw new HttpError(403, 'Unauthorized scope', { requestedScope: 'api' });
    if (token.account && options.account !== token.account) throw new HttpError(403, 'Unauthorized account');
    // The settings routes are in the admin group, which no narrowed token reaches.
    if (options.admin && !token.scopes.includes('*')) throw new HttpError(403, 'Unauthorized permission', { requiredPermission: 'admin' });
  }

  async #route(method: string, url: URL, body: unknown, token: Token): Promise<unknown> {
    const path = url.pathname;
    const account = /^\/v1\/account\/([^/]+)(\/reconnect)?$/.exec(path);
    if (method === 'GET' && path === '/v1/stats') {
      this.#authorize(token, {});
      return { version: this.version, license: this.licensed ? 'active' : undefined, accounts: this.accounts.size, connections: this.#countStates() };
    }
    if (method === 'GET' && path === '/v1/license') {
      this.#authorize(token, {});
      return this.licensed ? { active: true, type: 'EmailEngine License', details: { application: '@postalsys/emailengine-app', trial: false }, suspended: false } : { active: false };
    }
    if (path === '/v1/settings') {
      this.#authorize(token, { admin: true });
      if (method === 'GET') {
        const values: Record<string, unknown> = {};
        for (const [key, value] of url.searchParams) if (value && value !== 'false') values[key] = this.settings[key] ?? null;
        return values;
      }
      if (method === 'POST') return this.#setSettings(body);
    }
    if (path === '/v1/account' && method === 'POST') {
      this.#authorize(token, {});
      return this.#upsert(body);
    }
    if (path === '/v1/accounts' && method === 'GET') {
      this.#authorize(token, {});
      const list = [...this.accounts.values()].map((entry) => ({
        account: entry.account,
        name: entry.name,
        email: entry.email,
        state: entry.state,
        // lib/account.js listAccounts: the app's provider, 'oauth2' for a missing app, else imap/sending.
        type: entry.oauth2 && typeof entry.oauth2 === 'object' && entry.oauth2.provider ? this.apps.get(String(entry.oauth2.provider))?.provider ?? 'oauth2' : entry.imap ? 'imap' : 'sending',
        ...(entry.oauth2 && typeof entry.oauth2 === 'object' ? { app: entry.oauth2.provider } : {}),
        lastError: entry.lastError,
      }));
      return { total: list.length, page: 0, pages: 1, accounts: list };
    }
    if (account) {
      const id = decodeURIComponent(account[1]!);
      this.#authorize(token, { account: id });
      const entry = this.accounts.get(id);
      if (!entry) throw new HttpError(404, 'Account record was not found for requested ID');
      if (account[2] && method === 'PUT') {
        const payload = body as { reconnect?: unknown } | undefined;
        if (payload?.reconnect === true) void this.#connect(id);
        return { reconnect: payload?.reconnect === true };
      }
      if (!account[2] && method === 'GET') return this.#view(entry);
      if (!account[2] && method === 'DELETE') {
        this.accounts.delete(id);
        return { account: id, deleted: true };
      }
    }
    if (path === '/v1/oauth2') {
      this.#authorize(token, {});
      if (method === 'GET') {
        const apps = [...this.apps.values()].map((app) => ({ ...app, clientSecret: '******' }));
        return { total: apps.length, page: 0, pages: 1, apps };
      }
      if (method === 'POST') return this.#createApp(body);
    }
    const app = /^\/v1\/oauth2\/([^/]+)$/.exec(path);
    if (app && method === 'GET') {
      this.#authorize(token, {});
      const found = this.apps.get(decodeURIComponent(app[1]!));
      if (!found) throw new HttpError(404, 'Requested OAuth2 app was not found');
      return { ...found, clientSecret: '******' };
    }
    throw new HttpError(404, 'Not Found');
  }

  #countStates(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.accounts.values()) counts[entry.state] = (counts[entry.state] ?? 0) + 1;
    return counts;
  }

  #setSettings(body: unknown): { updated: string[] } {
    if (!body || typeof body !== 'object') throw invalid([{ message: '"value" must be of type object', key: 'value' }]);
    const updated: string[] = [];
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (key === 'authServer') {
        if (typeof value !== 'string' || !/^https?:\/\//.test(value)) throw invalid([{ message: '"authServer" must be a valid uri with a scheme matching the http|https pattern', key: 'authServer' }]);
      }
      this.settings[key] = value;
      updated.push(key);
    }
    return { updated };
  }

  /** GET /v1/account/{id}: secrets masked, state and lastError. */
  #view(entry: FakeAccount): Record<string, unknown> {
    return structuredClone({ ...entry, lastError: entry.lastError ?? undefined });
  }

  #validateAccount(body: Record<string, unknown>): void {
    const fields: Array<{ message: string; key: string }> = [];
    if (typeof body.account !== 'string' && body.account !== null) fields.push({ message: '"account" is required', key: 'account' });
    if (typeof body.account === 'string' && body.account.length > 256) fields.push({ message: '"account" length must be less than or equal to 256 characters long', key: 'account' });
    if (typeof body.email === 'string' && /\.test$/i.test(body.email)) fields.push({ message: '"email" must be a valid email', key: 'email' });
    for (const block of ['imap', 'smtp'] as const) {
      const value = body[block];
      if (value && typeof value === 'object') {
        const config = value as Record<string, unknown>;
        if (config.useAuthServer === true && config.auth) fields.push({ message: `"${block === 'imap' ? 'ImapAuthentication' : 'SmtpAuthentication'}" must be one of [false, null]`, key: 'auth' });
        if (typeof config.host !== 'string') fields.push({ message: '"host" is required', key: 'host' });
        if (typeof config.port !== 'number') fields.push({ message: '"port" is required', key: 'port' });
      }
    }
    const oauth2 = body.oauth2;
    if (oauth2 && typeof oauth2 === 'object') {
      const config = oauth2 as Record<string, unknown>;
      if (!config.auth && config.authorize !== true) fields.push({ message: '"OAuth2Authentication" is required', key: 'auth' });
    }
    if (fields.length > 0) throw invalid(fields);
  }

  #upsert(payload: unknown): { account: string; state: 'new' | 'existing' } {
    if (!payload || typeof payload !== 'object') throw invalid([{ message: '"value" must be of type object', key: 'value' }]);
    const body = payload as Record<string, unknown>;
    this.#validateAccount(body);
    const oauth2 = body.oauth2 && typeof body.oauth2 === 'object' ? (body.oauth2 as Record<string, unknown>) : null;
    if (oauth2?.provider !== undefined && !this.apps.has(String(oauth2.provider))) throw new HttpError(400, 'Invalid or missing OAuth2 provider');
    const id = String(body.account);
    const existing = this.accounts.get(id);
    // lib/account.js create(): hmset over the stored hash, so unnamed keys survive an upsert.
    const entry: FakeAccount = {
      ...(existing ?? { state: 'init', lastError: null }),
      account: id,
      ...(typeof body.name === 'string' ? { name: body.name } : {}),
      ...(typeof body.email === 'string' ? { email: body.email } : {}),
      ...(body.imap !== undefined ? { imap: body.imap as FakeAccount['imap'] } : {}),
      ...(body.smtp !== undefined ? { smtp: body.smtp as FakeAccount['smtp'] } : {}),
      ...(body.oauth2 !== undefined ? { oauth2: body.oauth2 as FakeAccount['oauth2'] } : {}),
    } as FakeAccount;
    this.accounts.set(id, entry);
    void this.#connect(id);
    return { account: id, state: existing ? 'existing' : 'new' };
  }

  #createApp(payload: unknown): { id: string; created: boolean } {
    if (!payload || typeof payload !== 'object') throw invalid([{ message: '"value" must be of type object', key: 'value' }]);
    const body = payload as Record<string, unknown>;
    const fields = createOAuth2AppErrors(body);
    if (fields.length > 0) throw invalid(fields);
    const id = randomBytes(8).toString('base64url');
    this.apps.set(id, { ...body, id, name: String(body.name), provider: String(body.provider), enabled: body.enabled === true } as FakeOAuth2App);
    return { id, created: true };
  }

  // ---- connecting an account ---------------------------------------------------------------

  /**
   * What EmailEngine would connect with (workers/imap.js, lib/oauth2-apps.js isApiBasedApp): an
   * oauth2 account whose app has base scope `api` runs the Gmail or Graph API client and asks
   * with proto=api; with an IMAP app it logs in to IMAP (proto=imap); without a provider it is
   * send-only and never asks.
   */
  #protoFor(entry: FakeAccount): 'imap' | 'api' | null {
    if (entry.oauth2 && typeof entry.oauth2 === 'object' && entry.oauth2.useAuthServer === true) {
      if (!entry.oauth2.provider) return null;
      const app = this.apps.get(String(entry.oauth2.provider));
      return app && (app.baseScopes === 'api' || app.provider === 'outlookService') ? 'api' : 'imap';
    }
    if (entry.imap && typeof entry.imap === 'object' && entry.imap.useAuthServer === true) return 'imap';
    return null;
  }

  /**
   * The Gmail API client's start (lib/email-client/gmail-client.js init → getClient): it loads
   * the app's OAuth2 client before asking for a token, and lib/oauth2-apps.js getClient() throws
   * "OAuth2 credentials not set up for Gmail" (400) when clientId, clientSecret or redirectUrl is
   * empty, auth server or not. Null when the account's app can start.
   */
  #appStartFailure(entry: FakeAccount): string | null {
    if (!entry.oauth2 || typeof entry.oauth2 !== 'object' || !entry.oauth2.provider) return null;
    const app = this.apps.get(String(entry.oauth2.provider));
    if (!app) return 'Missing or disabled OAuth2 app';
    if (app.provider === 'gmail' && (!app.clientId || !app.clientSecret || !app.redirectUrl)) return 'OAuth2 credentials not set up for Gmail';
    return null;
  }

  #connect(id: string): Promise<void> {
    const running = this.#connecting.get(id);
    if (running) return running;
    const attempt = this.#attempt(id).finally(() => this.#connecting.delete(id));
    this.#connecting.set(id, attempt);
    return attempt;
  }

  async #attempt(id: string): Promise<void> {
    const entry = this.accounts.get(id);
    if (!entry) return;
    const proto = this.#protoFor(entry);
    if (!proto) {
      entry.state = 'connected'; // a send-only or password account: nothing asks the auth server
      return;
    }
    entry.state = 'connecting';
    const startFailure = this.#appStartFailure(entry);
    if (startFailure) {
      entry.state = 'connectError';
      entry.lastError = { response: startFailure, serverResponseCode: 'ConnectError' };
      return;
    }
    const authServer = typeof this.settings.authServer === 'string' ? this.settings.authServer : null;
    const fail = (response: string, code: string): void => {
      const current = this.accounts.get(id);
      if (!current) return;
      current.state = 'authenticationError';
      current.lastError = { response, serverResponseCode: code };
    };
    if (!authServer) return fail('Authentication server is not configured', 'AuthServerNotConfigured');
    let answer;
    for (let tries = 0; ; tries += 1) {
      try {
        answer = await askLikeEmailEngine(authServer, id, proto);
        break;
      } catch {
        if (tries >= (this.#options.networkRetries ?? 0)) return fail('fetch failed', 'HTTPRequestError');
      }
    }
    this.authCalls.push({ account: id, proto, status: answer.status, reason: answer.reason, at: Date.now() });
    if (answer.status < 200 || answer.status >= 300) return fail(`Invalid response: ${answer.status} ${answer.reason}`, 'HTTPRequestError');
    let grant: { user?: unknown; accessToken?: unknown };
    try {
      grant = JSON.parse(answer.body) as typeof grant;
    } catch {
      return fail('Invalid response: unexpected body', 'HTTPRequestError');
    }
    if (typeof grant.user !== 'string' || typeof grant.accessToken !== 'string' || !grant.accessToken) return fail('Invalid response: missing user or accessToken', 'HTTPRequestError');
    const accepted = this.#options.verifyToken ? await this.#options.verifyToken(grant.accessToken, grant.user, proto) : true;
    const current = this.accounts.get(id);
    if (!current) return;
    if (!accepted) {
      current.state = 'authenticationError';
      current.lastError = { response: 'AUTHENTICATE failed', serverResponseCode: 'AUTHENTICATIONFAILED' };
      return;
    }
    current.state = 'connected';
    current.lastError = null;
  }
}

export async function startFakeEmailEngine(options: FakeEmailEngineOptions = {}): Promise<FakeEmailEngine> {
  return new FakeEmailEngine(options).start();
}
