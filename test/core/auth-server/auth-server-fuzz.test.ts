/**
 * Thousands of odd requests over raw sockets against a real server: it never crashes, never
 * answers 5xx for a client's mistake, and never lets the token out unless the request was
 * an authorized one; while EmailEngine-shaped requests with harmless variations all pass.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { validateAccountId } from '../../../src/shared/account-id.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import { RequestLog, startAuthServer, type AuthServer } from '../../../src/core/auth-server/index.js';
import { FakeTokenSource } from '../../fakes/fake-token-source.js';

const TOKEN = `eyJhbGciOiJub25lIn0.${'F'.repeat(800)}.FUZZ-SECRET-TOKEN-91d2`;
const CREDENTIALS = { username: 'emailengine', password: 'fuzz_Secret-0123456789abcdefABCD' };
const BASIC = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;

let server: AuthServer;
let log: RequestLog;
let source: FakeTokenSource;

before(async () => {
  source = new FakeTokenSource({
    sales: { user: 'sales@contoso.com', accessToken: TOKEN },
    'a.b-c_d': { user: 'abcd@contoso.com', accessToken: TOKEN },
    graphy: { user: 'graphy@contoso.com', accessToken: TOKEN, profile: 'graph' },
    expired: { user: 'expired@contoso.com', accessToken: TOKEN, state: { kind: 'needs-sign-in', reason: 'AADSTS700082 expired' } },
  });
  source.recordCalls = false;
  log = new RequestLog(10_000);
  server = await startAuthServer({
    host: '127.0.0.1',
    port: 0,
    credentials: () => CREDENTIALS,
    tokenSource: source,
    recorder: log,
    logger: silentLogger,
    // Guessing is the point here: no throttling, and short timeouts so a stall shows fast.
    throttle: { maxFailures: Number.MAX_SAFE_INTEGER },
    limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 1_000, timeoutCheckIntervalMs: 100 },
  });
});

after(async () => {
  await server.close();
});

interface Exchange {
  response: string;
  status: number | null; // null: closed without an answer
}

function exchange(port: number, bytes: Buffer): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server neither answered nor closed within 5 s'));
    }, 5_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after our bytes is an answer too
    socket.on('close', () => {
      clearTimeout(timer);
      const response = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(response);
      resolve({ response, status: match ? Number(match[1]) : null });
    });
    socket.end(bytes);
  });
}

// ---- arbitraries -------------------------------------------------------------------------

const junkText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', '%', '%2', '%ZZ', '%C3%28', '%E2%82', '%00', '%0D%0A', '+', '&', '=', '==', '%FF%FE', '\u2028', '../..', '%25'),
  fc.integer({ min: 2_000, max: 12_000 }).map((n) => 'a'.repeat(n)),
);

// Mostly requests that get past the HTTP parser (so the server's own rules are exercised),
// with raw junk often enough to hit the parser's refusals too.
const encodedJunk = junkText.map((text) => encodeURIComponent(text));
const accountValue = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('sales', 'a.b-c_d', 'graphy', 'expired', 'nobody', 'SALES', 'sales%20', 's%61les', 'sales+', '%73ales') },
  { weight: 3, arbitrary: encodedJunk },
  { weight: 2, arbitrary: fc.constantFrom('', '%', '%2', '%ZZ', '%C3%28', '%E2%82', '%00', '%0D%0A', '%FF%FE', '%25', 'a'.repeat(3_000)) },
  { weight: 1, arbitrary: junkText },
);
const protoValue = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('imap', 'smtp', 'api', 'IMAP', 'pop3', '', 'im%61p', '%', 'imap%00') },
  { weight: 1, arbitrary: encodedJunk },
  { weight: 1, arbitrary: junkText },
);
const param = fc.oneof(
  { weight: 4, arbitrary: accountValue.map((v) => `account=${v}`) },
  { weight: 3, arbitrary: protoValue.map((v) => `proto=${v}`) },
  { weight: 2, arbitrary: fc.tuple(encodedJunk, encodedJunk).map(([k, v]) => `${k}=${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('account', 'proto', '%61ccount=sales', 'pro%74o=imap', '&', '=', 'account==sales') },
  { weight: 1, arbitrary: junkText },
);
const path = fc.oneof(
  { weight: 12, arbitrary: fc.array(param, { minLength: 1, maxLength: 4 }).map((params) => `/authentication?${params.join('&')}`) },
  { weight: 2, arbitrary: fc.constantFrom('/authentication', '/health', '/health?x=1', '/', '*', '/AUTHENTICATION?account=sales', '//authentication?account=sales', 'http://127.0.0.1/authentication?account=sales', '/authentication/?account=sales', '/authentication#x') },
  { weight: 1, arbitrary: encodedJunk.map((s) => `/${s}`) },
  { weight: 1, arbitrary: junkText },
);
const method = fc.oneof(
  { weight: 12, arbitrary: fc.constant('GET') },
  { weight: 4, arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'BREW', 'PROPFIND') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
);
const headerValue = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}$/) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 12_000 }).map((n) => 'v'.repeat(n)) },
  { weight: 1, arbitrary: junkText },
);
const headerName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('X-Thing', 'Accept', 'Cookie', 'Expect', 'Upgrade', 'Forwarded', 'X-Forwarded-For', 'X-Real-IP', 'Proxy-Authorization', 'Via', 'Referer', 'Sec-Fetch-Mode', 'Sec-Fetch-Dest') },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
);

/** null most of the time: each browser or body header is the exception, not the rule. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

const headerCase = fc.constantFrom((s: string) => s, (s: string) => s.toLowerCase(), (s: string) => s.toUpperCase());

type HostChoice = 'ours' | 'localhost' | 'ipv6' | 'missing' | 'foreign' | 'other-port' | 'twice';
type AuthChoice = 'right' | 'right-lowercase-scheme' | 'missing' | 'wrong' | 'twice' | 'junk';

const requestModel = fc.record({
  method,
  path,
  version: fc.oneof({ weight: 12, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.x', 'HTTP/0.9', '') }),
  host: fc.constantFrom<HostChoice>('ours', 'ours', 'ours', 'localhost', 'ipv6', 'missing', 'foreign', 'other-port', 'twice'),
  auth: fc.constantFrom<AuthChoice>('right', 'right', 'right', 'right-lowercase-scheme', 'missing', 'wrong', 'twice', 'junk'),
  origin: rarely(fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1')),
  fetchSite: rarely(fc.constantFrom('none', 'cross-site', 'same-origin', 'same-site', '')),
  body: rarely(fc.constantFrom('Content-Length: 0', 'Content-Length: 4\r\n\r\nbody', 'Transfer-Encoding: chunked', 'Content-Length: -1', 'Content-Length: 1, 2')),
  extra: fc.array(fc.tuple(headerName, headerValue, headerCase), { maxLength: 3 }),
  casing: headerCase,
});
type RequestModel = typeof requestModel extends fc.Arbitrary<infer T> ? T : never;

function render(model: RequestModel, port: number): Buffer {
  const lines: string[] = [`${model.method} ${model.path} ${model.version}`];
  const name = model.casing;
  const hosts: Record<Exclude<HostChoice, 'missing' | 'twice'>, string> = {
    ours: `127.0.0.1:${port}`,
    localhost: `localhost:${port}`,
    ipv6: `[::1]:${port}`,
    foreign: `evil.example:${port}`,
    'other-port': `127.0.0.1:${port + 1}`,
  };
  if (model.host === 'twice') lines.push(`${name('Host')}: ${hosts.ours}`, `${name('Host')}: ${hosts.foreign}`);
  else if (model.host !== 'missing') lines.push(`${name('Host')}: ${hosts[model.host]}`);
  const authValues: Record<Exclude<AuthChoice, 'missing' | 'twice'>, string> = {
    right: BASIC,
    'right-lowercase-scheme': BASIC.replace('Basic', 'basic'),
    wrong: `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password.slice(1)}x`).toString('base64')}`,
    junk: `Basic ${'\u00ff'.repeat(3)}:%%`,
  };
  if (model.auth === 'twice') lines.push(`${name('Authorization')}: ${BASIC}`, `${name('Authorization')}: ${BASIC}`);
  else if (model.auth !== 'missing') lines.push(`${name('Authorization')}: ${authValues[model.auth]}`);
  if (model.origin !== null) lines.push(`${name('Origin')}: ${model.origin}`);
  if (model.fetchSite !== null) lines.push(`${name('Sec-Fetch-Site')}: ${model.fetchSite}`);
  for (const [header, value, casing] of model.extra) lines.push(`${casing(header)}: ${value}`);
  lines.push('Connection: close');
  let bodyPart = '';
  if (model.body !== null) {
    const [head, rest] = model.body.split('\r\n\r\n');
    lines.push(head ?? '');
    bodyPart = rest ?? '';
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${bodyPart}`, 'utf8');
}

/** Necessary conditions for a token to be handed out; the server may still refuse. */
function mayGetToken(model: RequestModel): boolean {
  return (
    model.method === 'GET' &&
    model.path.startsWith('/authentication') &&
    (model.auth === 'right' || model.auth === 'right-lowercase-scheme') &&
    (model.host === 'ours' || model.host === 'localhost' || model.host === 'ipv6') &&
    model.origin === null &&
    (model.fetchSite === null || model.fetchSite === 'none') &&
    (model.body === null || model.body === 'Content-Length: 0')
  );
}

describe('auth server under fuzzing', () => {
  it('never crashes, never answers 5xx to a client mistake, never leaks the token to an unauthorized request', async () => {
    const statuses = new Map<number | null, number>();
    await fc.assert(
      fc.asyncProperty(requestModel, async (model) => {
        const { response, status } = await exchange(server.port, render(model, server.port));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== null) assert.ok(status < 500, `5xx for ${JSON.stringify(model).slice(0, 300)}: ${response.slice(0, 200)}`);
        if (response.includes(TOKEN) || response.includes('FUZZ-SECRET')) {
          assert.ok(mayGetToken(model), `token leaked to ${JSON.stringify(model).slice(0, 300)}`);
          assert.equal(status, 200);
        }
        assert.ok(!/access-control-/i.test(response), 'never a CORS header');
        assert.ok(!response.includes(CREDENTIALS.password));
      }),
      { numRuns: 4_000 },
    );
    // The mix reached every layer: parser refusals, guards, credentials, query, token source.
    const seen = JSON.stringify([...statuses].sort());
    for (const status of [200, 400, 401, 403, 404, 405, 413, 414, 431]) assert.ok((statuses.get(status) ?? 0) > 0, `no ${status} in ${seen}`);
    assert.ok((statuses.get(null) ?? 0) < 200, `closed without an answer too often: ${seen}`);
    // Still serving, and every record is printable and short, or a valid account id (which
    // may be unicode and up to 256 characters, and has no control or invisible characters).
    const health = await exchange(server.port, Buffer.from(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`));
    assert.equal(health.status, 200);
    for (const record of log.recent()) {
      assert.ok(/^[\x20-\x7e]{0,80}$/.test(record.account) || validateAccountId(record.account) === null, JSON.stringify(record.account));
      assert.match(record.proto, /^[\x20-\x7e]{0,8}$/);
      assert.ok(!JSON.stringify(record).includes(TOKEN));
    }
  });

  it('serves every EmailEngine-shaped request, whatever harmless variation it carries', async () => {
    const harmless = fc.record({
      account: fc.constantFrom('sales', 'a.b-c_d'),
      proto: fc.constantFrom('imap', 'smtp', undefined),
      extraParams: fc.array(
        fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/).filter((k) => k !== 'account' && k !== 'proto'), fc.string({ maxLength: 20 })),
        { maxLength: 4 },
      ),
      host: fc.constantFrom('127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'),
      casing: headerCase,
      extraHeaders: fc.array(
        fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((v) => v.trim())),
        { maxLength: 4 },
      ),
      method: fc.constantFrom('GET', 'HEAD'),
    });
    await fc.assert(
      fc.asyncProperty(harmless, async (r) => {
        const query = new URLSearchParams();
        for (const [k, v] of r.extraParams) query.append(k, v);
        query.set('account', r.account);
        if (r.proto !== undefined) query.set('proto', r.proto);
        const lines = [
          `${r.method} /authentication?${query.toString()} HTTP/1.1`,
          `${r.casing('Host')}: ${r.host}:${server.port}`,
          `${r.casing('User-Agent')}: emailengine-app/2.79.2 (+https://emailengine.app/)`,
          'accept: */*',
          'accept-language: *',
          'sec-fetch-mode: cors',
          'accept-encoding: gzip, deflate',
          `${r.casing('Authorization')}: ${BASIC}`,
          ...r.extraHeaders.map(([k, v]) => `${k}: ${v}`),
          'Connection: close',
        ];
        const { response, status } = await exchange(server.port, Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
        assert.equal(status, 200, response.slice(0, 200));
        if (r.method === 'GET') assert.ok(response.endsWith(JSON.stringify({ user: r.account === 'sales' ? 'sales@contoso.com' : 'abcd@contoso.com', accessToken: TOKEN })));
      }),
      { numRuns: 500 },
    );
  });
});
