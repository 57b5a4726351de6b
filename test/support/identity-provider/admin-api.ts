/**
 * `POST /__admin/<action>` with a JSON body: the test controls for another process.
 *
 * The demo script and CLI end-to-end tests run the app as a child process and still need to
 * revoke a user or inject a 503. Guarded by a random key (header `x-admin-key`) so nothing else
 * on the machine can flip the switches.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RevocationAadstsCode } from './entra-errors.js';
import type { InjectedFailureStatus, TokenGrantType } from './provider-controls.js';
import { readBody } from './request-body.js';

export const ADMIN_PATH_PREFIX = '/__admin/';
export const ADMIN_KEY_HEADER = 'x-admin-key';

/** The controls the admin API exposes (the same methods as on the in-process object). */
export interface AdminControls {
  setAccessTokenLifetime(seconds: number): void;
  revokeUser(username: string, aadstsCode?: RevocationAadstsCode): void;
  restoreUser(username: string): void;
  failTokenRequests(failure: { status: InjectedFailureStatus; count: number }): void;
  setTokenDelay(ms: number): void;
  tokenEndpointCalls(filter?: { grantType?: TokenGrantType }): number;
  resetCounters(): void;
  issuedTokens(): string[];
}

type Body = Record<string, unknown>;

/** Action name → what it does; each returns the JSON to answer with. */
const ACTIONS: Record<string, (controls: AdminControls, body: Body) => unknown> = {
  'access-token-lifetime': (c, b) => c.setAccessTokenLifetime(Number(b.seconds)),
  'revoke-user': (c, b) => c.revokeUser(String(b.username), b.aadstsCode === undefined ? undefined : (Number(b.aadstsCode) as RevocationAadstsCode)),
  'restore-user': (c, b) => c.restoreUser(String(b.username)),
  'fail-token-requests': (c, b) => c.failTokenRequests({ status: Number(b.status) as InjectedFailureStatus, count: Number(b.count ?? 1) }),
  'token-delay': (c, b) => c.setTokenDelay(Number(b.ms)),
  'token-endpoint-calls': (c, b) => ({ count: c.tokenEndpointCalls(b.grantType ? { grantType: b.grantType as TokenGrantType } : {}) }),
  'reset-counters': (c) => c.resetCounters(),
  'issued-tokens': (c) => ({ tokens: c.issuedTokens() }),
};

export const ADMIN_ACTIONS = Object.keys(ACTIONS);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function keyMatches(given: string | string[] | undefined, adminKey: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(adminKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function handleAdminRequest(req: IncomingMessage, res: ServerResponse, adminKey: string, controls: AdminControls): Promise<void> {
  const action = (req.url ?? '').slice(ADMIN_PATH_PREFIX.length).split('?')[0] ?? '';
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed' });
  if (!keyMatches(req.headers[ADMIN_KEY_HEADER], adminKey)) return sendJson(res, 401, { error: 'unauthorized' });
  const run = ACTIONS[action];
  if (!run) return sendJson(res, 404, { error: 'unknown_action', actions: ADMIN_ACTIONS });
  try {
    const text = await readBody(req);
    const body = (text.trim() === '' ? {} : JSON.parse(text)) as Body;
    sendJson(res, 200, run(controls, body) ?? { ok: true });
  } catch (error) {
    sendJson(res, 400, { error: 'bad_request', message: error instanceof Error ? error.message : String(error) });
  }
}
