/**
 * A small client for EmailEngine's REST API (the routes tokentray uses, nothing more).
 *
 * Every failure becomes a TokentrayError with a named code at this adapter: unreachable,
 * token invalid (401), token narrowed (403: account-bound or scope-limited tokens cannot reach
 * the settings routes), or EmailEngine's own refusal with its message. The API token is sent
 * only as `Authorization: Bearer`, never in a URL, and never appears in an error message.
 */
import { TokentrayError } from '../../shared/tokentray-error.js';

/** EmailEngine answers within milliseconds on loopback; a hung one must not hold up a command. */
export const EMAILENGINE_REQUEST_TIMEOUT_MS = 10_000;

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<{
  status: number;
  statusText: string;
  text(): Promise<string>;
}>;

export interface EmailEngineAccountBlock {
  useAuthServer?: boolean;
  host?: string;
  port?: number;
  secure?: boolean;
  auth?: unknown;
  provider?: string;
  [key: string]: unknown;
}

/** GET /v1/account/{id}, the fields tokentray reads. */
export interface EmailEngineAccountData {
  account: string;
  name?: string;
  email?: string;
  state?: string;
  lastError?: { response?: string; serverResponseCode?: string } | null;
  imap?: EmailEngineAccountBlock | false;
  smtp?: EmailEngineAccountBlock | false;
  oauth2?: (EmailEngineAccountBlock & { auth?: { user?: string } }) | false;
}

export interface EmailEngineListedAccount {
  account: string;
  name?: string;
  email?: string;
  state?: string;
  type?: string;
  app?: string;
  lastError?: { response?: string; serverResponseCode?: string } | null;
}

export interface EmailEngineOAuth2App {
  id: string;
  name?: string;
  provider?: string;
  baseScopes?: string;
  clientId?: string;
  enabled?: boolean;
  /** Outlook apps: the Microsoft cloud, whose Graph host EmailEngine calls (absent: global). */
  cloud?: string;
}

/** EmailEngine's error bodies (hapi Boom): `{statusCode, error, message, code?, fields?}`. */
interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string;
  code?: string;
  fields?: Array<{ message?: string; key?: string }>;
}

function describeBody(body: ErrorBody | null, fallback: string): string {
  if (!body) return fallback;
  const fields = (body.fields ?? []).map((field) => field.message).filter((text): text is string => typeof text === 'string');
  const message = body.message ?? body.error ?? fallback;
  return fields.length > 0 ? `${message}: ${fields.join('; ')}` : message;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export class EmailEngineClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;

  constructor(options: { baseUrl: string; token: string; fetch?: FetchLike; timeoutMs?: number }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? (fetch as unknown as FetchLike);
    this.#timeoutMs = options.timeoutMs ?? EMAILENGINE_REQUEST_TIMEOUT_MS;
  }

  /** One API call; `notFound: 'null'` answers null for a 404 instead of throwing. */
  async #call<T>(method: string, path: string, body?: unknown, options: { notFound?: 'null' } = {}): Promise<T | null> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${this.#timeoutMs / 1000} s` : cause?.code ?? (error as Error).message;
      throw new TokentrayError('EMAILENGINE_UNREACHABLE', `EmailEngine at ${this.baseUrl} could not be reached (${why}).`, { cause: error, details: { url: this.baseUrl } });
    }
    const text = await response.text().catch(() => '');
    const parsed = parseJson(text);
    if (response.status >= 200 && response.status < 300) return (parsed ?? {}) as T;
    const errorBody = parsed && typeof parsed === 'object' ? (parsed as ErrorBody) : null;
    const said = describeBody(errorBody, `${response.status} ${response.statusText}`);
    if (response.status === 401) {
      throw new TokentrayError('EMAILENGINE_TOKEN_INVALID', `EmailEngine refused the API token (${said}).`, { details: { status: 401 } });
    }
    if (response.status === 403) {
      throw new TokentrayError('EMAILENGINE_TOKEN_NARROWED', `EmailEngine refused ${method} ${path.split('?')[0]} for this token (${said}).`, { details: { status: 403 } });
    }
    if (response.status === 404 && options.notFound === 'null') return null;
    if (response.status === 404 && errorBody === null) {
      // Not an EmailEngine answer at all (another web server on that port).
      throw new TokentrayError('EMAILENGINE_UNREACHABLE', `${this.baseUrl} answered ${method} ${path.split('?')[0]} with 404: is this EmailEngine's URL?`, { details: { url: this.baseUrl } });
    }
    throw new TokentrayError('EMAILENGINE_REQUEST_FAILED', `EmailEngine answered ${method} ${path.split('?')[0]} with ${response.status}: ${said}.`, {
      details: { status: response.status, ...(errorBody?.code ? { emailengineCode: errorBody.code } : {}) },
    });
  }

  async #must<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.#call<T>(method, path, body)) as T;
  }

  stats(): Promise<{ version?: string }> {
    return this.#must('GET', '/v1/stats');
  }

  license(): Promise<{ active?: boolean; suspended?: boolean; details?: { trial?: boolean; expires?: string } }> {
    return this.#must('GET', '/v1/license');
  }

  async authServer(): Promise<string | null> {
    const settings = await this.#must<{ authServer?: string | null }>('GET', '/v1/settings?authServer=true');
    return typeof settings.authServer === 'string' && settings.authServer ? settings.authServer : null;
  }

  async setAuthServer(url: string): Promise<void> {
    await this.#must('POST', '/v1/settings', { authServer: url });
  }

  account(id: string): Promise<EmailEngineAccountData | null> {
    return this.#call('GET', `/v1/account/${encodeURIComponent(id)}`, undefined, { notFound: 'null' });
  }

  /** Every account (all pages). */
  async accounts(): Promise<EmailEngineListedAccount[]> {
    const all: EmailEngineListedAccount[] = [];
    for (let page = 0; page < 1000; page += 1) {
      const answer = await this.#must<{ accounts?: EmailEngineListedAccount[]; pages?: number }>('GET', `/v1/accounts?page=${page}&pageSize=1000`);
      all.push(...(answer.accounts ?? []));
      if (page + 1 >= (answer.pages ?? 1)) break;
    }
    return all;
  }

  /** POST /v1/account: creates, or (same id) replaces and reconnects. */
  async upsertAccount(body: Record<string, unknown>): Promise<{ account: string; state: 'new' | 'existing' }> {
    return this.#must('POST', '/v1/account', body);
  }

  async reconnect(id: string): Promise<void> {
    await this.#must('PUT', `/v1/account/${encodeURIComponent(id)}/reconnect`, { reconnect: true });
  }

  /** false when EmailEngine did not have the account. */
  async deleteAccount(id: string): Promise<boolean> {
    return (await this.#call('DELETE', `/v1/account/${encodeURIComponent(id)}`, undefined, { notFound: 'null' })) !== null;
  }

  async oauth2Apps(): Promise<EmailEngineOAuth2App[]> {
    const all: EmailEngineOAuth2App[] = [];
    for (let page = 0; page < 100; page += 1) {
      const answer = await this.#must<{ apps?: EmailEngineOAuth2App[]; pages?: number }>('GET', `/v1/oauth2?page=${page}&pageSize=1000`);
      all.push(...(answer.apps ?? []));
      if (page + 1 >= (answer.pages ?? 1)) break;
    }
    return all;
  }

  oauth2App(id: string): Promise<EmailEngineOAuth2App | null> {
    return this.#call('GET', `/v1/oauth2/${encodeURIComponent(id)}`, undefined, { notFound: 'null' });
  }

  createOAuth2App(body: Record<string, unknown>): Promise<{ id: string; created?: boolean }> {
    return this.#must('POST', '/v1/oauth2', body);
  }
}
