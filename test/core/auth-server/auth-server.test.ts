/**
 * The auth server as EmailEngine and everyone else meet it: a real server on 127.0.0.1:0,
 * real sockets, a fake in-memory token source.
 */
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, afterEach, describe, it } from 'node:test';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import {
  RequestLog,
  authServerUrlWithCredentials,
  generateServerCredentials,
  startAuthServer,
  type AuthServer,
  type AuthServerOptions,
} from '../../../src/core/auth-server/index.js';
import { FakeTokenSource } from '../../fakes/fake-token-source.js';

const TOKEN = `eyJ0eXAiOiJKV1QifQ.${'A'.repeat(1500)}.sig-FAKE-TOKEN-3c1f`;
const GRAPH_TOKEN = `eyJ0eXAiOiJKV1QifQ.${'G'.repeat(900)}.graph-FAKE-TOKEN-77aa`;
const CREDENTIALS = { username: 'emailengine', password: 'Zk3-q_9vLr2mX8tPq4wE7yUi0oA1sD5f' };
const BASIC = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;

interface Started {
  server: AuthServer;
  source: FakeTokenSource;
  log: RequestLog;
}

const running: AuthServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<AuthServerOptions> = {}, source = defaultSource()): Promise<Started> {
  const log = new RequestLog();
  const server = await startAuthServer({
    host: '127.0.0.1',
    port: 0,
    credentials: () => CREDENTIALS,
    tokenSource: source,
    recorder: log,
    logger: silentLogger,
    ...overrides,
  });
  running.push(server);
  return { server, source, log };
}

function defaultSource(): FakeTokenSource {
  return new FakeTokenSource({
    sales: { user: 'sales@contoso.com', accessToken: TOKEN },
    shared: { user: 'shared-box@contoso.com', accessToken: TOKEN },
    graphy: { user: 'graphy@contoso.com', accessToken: GRAPH_TOKEN, profile: 'graph' },
    expired: { user: 'expired@contoso.com', accessToken: TOKEN, state: { kind: 'needs-sign-in', reason: 'AADSTS50173 password changed' } },
    offline: { user: 'offline@contoso.com', accessToken: TOKEN, state: { kind: 'idp-unavailable', retryAfterSeconds: 42 } },
    slow: { user: 'slow@contoso.com', accessToken: TOKEN, state: { kind: 'refreshing', refreshDelayMs: 30 } },
  });
}

interface Reply {
  status: number;
  reason: string;
  headers: IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

/** EmailEngine 2.79.2's request headers, as observed (Node's fetch adds sec-fetch-mode). */
function emailEngineHeaders(port: number): Record<string, string> {
  return {
    host: `127.0.0.1:${port}`,
    connection: 'keep-alive',
    'User-Agent': 'emailengine-app/2.79.2 (+https://emailengine.app/)',
    accept: '*/*',
    'accept-language': '*',
    'sec-fetch-mode': 'cors',
    'accept-encoding': 'gzip, deflate',
    Authorization: BASIC,
  };
}

function call(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string | string[]>; agent?: Agent; omit?: string[]; body?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string | string[]> = { ...emailEngineHeaders(port), ...options.headers };
  for (const name of options.omit ?? []) delete headers[name];
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: options.agent ?? false, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, body, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends bytes as they are; resolves with everything the server sent before closing. */
function raw(port: number, text: string | Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(data.slice(0, 80))}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.write(text);
  });
}

function statusLine(response: string): string {
  return response.slice(0, response.indexOf('\r\n'));
}

function authPath(account: string, proto?: string): string {
  return `/authentication?account=${encodeURIComponent(account)}${proto === undefined ? '' : `&proto=${proto}`}`;
}

/** EmailEngine's schema for the auth server's 200 body. */
function assertEmailEngineAccepts(body: string): { user: string; accessToken: string } {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['user', 'accessToken']);
  assert.equal(typeof parsed.user, 'string');
  assert.ok((parsed.user as string).length <= 256);
  assert.equal(typeof parsed.accessToken, 'string');
  assert.ok((parsed.accessToken as string).length >= 1 && (parsed.accessToken as string).length <= 16384);
  assert.equal('pass' in parsed, false);
  return parsed as { user: string; accessToken: string };
}

function assertErrorShape(reply: Reply, error: string): void {
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.equal(reply.headers['cache-control'], 'no-store');
  const parsed = JSON.parse(reply.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['error', 'message']);
  assert.equal(parsed.error, error);
  assert.ok(typeof parsed.message === 'string' && parsed.message.length > 10);
  assert.ok(!reply.body.includes(TOKEN) && !reply.body.includes(GRAPH_TOKEN), 'no token in an error body');
  assert.ok(!reply.body.includes(CREDENTIALS.password), 'no secret in an error body');
  assert.match(reply.reason, /^[\x20-\x7e]{1,120}$/, 'the reason phrase is short printable ASCII');
  for (const name of Object.keys(reply.headers)) assert.ok(!name.startsWith('access-control-'), `no CORS header (${name})`);
}

describe('auth server: the EmailEngine contract', () => {
  it('serves exactly {user, accessToken} for imap and smtp from an outlook account', async () => {
    const { server, source } = await start();
    for (const proto of ['imap', 'smtp']) {
      const reply = await call(server.port, authPath('sales', proto));
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], 'application/json');
      assert.equal(reply.headers['cache-control'], 'no-store');
      assert.deepEqual(assertEmailEngineAccepts(reply.body), { user: 'sales@contoso.com', accessToken: TOKEN });
    }
    assert.deepEqual(source.calls, [
      { account: 'sales', proto: 'imap' },
      { account: 'sales', proto: 'smtp' },
    ]);
  });

  it('serves a Graph token for proto=api from a graph account', async () => {
    const { server } = await start();
    const reply = await call(server.port, authPath('graphy', 'api'));
    assert.equal(reply.status, 200);
    assert.deepEqual(assertEmailEngineAccepts(reply.body), { user: 'graphy@contoso.com', accessToken: GRAPH_TOKEN });
  });

  it('passes the request that EmailEngine sends, byte for byte', async () => {
    const { server } = await start();
    const wire =
      `GET /authentication?account=sales&proto=imap HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nconnection: keep-alive\r\n` +
      'User-Agent: emailengine-app/2.79.2 (+https://emailengine.app/)\r\naccept: */*\r\naccept-language: *\r\n' +
      `sec-fetch-mode: cors\r\naccept-encoding: gzip, deflate\r\nAuthorization: ${BASIC}\r\nConnection: close\r\n\r\n`;
    const response = await raw(server.port, wire);
    assert.equal(statusLine(response), 'HTTP/1.1 200 OK');
    assertEmailEngineAccepts(response.slice(response.indexOf('\r\n\r\n') + 4));
  });

  it("answers Node's fetch (EmailEngine's HTTP client) with the URL tokentray shows", async () => {
    const { server } = await start();
    const response = await fetch(`${server.url}?account=sales&proto=smtp`, { headers: { Authorization: BASIC } });
    assert.equal(response.status, 200);
    assertEmailEngineAccepts(await response.text());
  });

  it('keeps other query parameters and treats a missing proto as imap', async () => {
    const { server, source } = await start();
    const reply = await call(server.port, '/authentication?tenant=x&flag&account=sales&z=%ZZ');
    assert.equal(reply.status, 200);
    assert.deepEqual(source.calls.at(-1), { account: 'sales', proto: 'imap' });
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const { server } = await start();
    const get = await call(server.port, authPath('sales', 'imap'));
    const head = await call(server.port, authPath('sales', 'imap'), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    assert.equal(head.headers['cache-control'], 'no-store');
  });

  it('reuses one keep-alive socket for a burst of calls', async () => {
    const { server } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await call(server.port, authPath('sales', 'imap'), { agent });
      const second = await call(server.port, authPath('sales', 'smtp'), { agent });
      const third = await call(server.port, authPath('expired', 'imap'), { agent });
      const fourth = await call(server.port, authPath('sales', 'imap'), { agent });
      assert.equal(first.reusedSocket, false);
      assert.ok(second.reusedSocket && third.reusedSocket && fourth.reusedSocket, 'the same socket served every call, failures included');
      assert.equal(fourth.status, 200);
      assert.match(String(first.headers['keep-alive']), /timeout=8/);
    } finally {
      agent.destroy();
    }
  });

  it('waits for a refresh when the token source must refresh first, and records how long', async () => {
    const { server, log } = await start();
    const reply = await call(server.port, authPath('slow', 'imap'));
    assert.equal(reply.status, 200);
    assertEmailEngineAccepts(reply.body);
    await call(server.port, authPath('sales', 'imap'));
    const [fromMemory, refreshed] = log.recent(2);
    assert.equal(fromMemory?.latencyMs, 0, 'a token from memory waits for nothing');
    assert.ok(refreshed !== undefined && refreshed.latencyMs >= 25 && refreshed.latencyMs < 5_000, `the 30 ms refresh is the wait: ${refreshed?.latencyMs}`);
  });

  it('serves /health without credentials and without naming accounts', async () => {
    const { server } = await start();
    const reply = await call(server.port, '/health', { omit: ['Authorization'] });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, '{"status":"ok"}');
    assert.equal(reply.headers['cache-control'], 'no-store');
  });

  it('shows a URL without credentials, and one with them for EmailEngine', async () => {
    const { server } = await start();
    assert.equal(server.url, `http://127.0.0.1:${server.port}/authentication`);
    const withCredentials = authServerUrlWithCredentials(server.url, CREDENTIALS);
    assert.equal(withCredentials, `http://${CREDENTIALS.username}:${CREDENTIALS.password}@127.0.0.1:${server.port}/authentication`);
  });

  it('records every request with its outcome, never the token', async () => {
    const { server, log } = await start();
    const seen: number[] = [];
    log.onRecord((cursor) => seen.push(cursor));
    await call(server.port, authPath('sales', 'imap'));
    await call(server.port, authPath('expired', 'smtp'));
    await call(server.port, authPath('sales', 'imap'), { headers: { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' } });
    const [third, second, first] = log.recent(3);
    assert.deepEqual(
      [first, second, third].map((r) => r && [r.account, r.proto, r.outcome, r.status, r.client]),
      [
        ['sales', 'imap', 'ok', 200, '127.0.0.1'],
        ['expired', 'smtp', 'NEEDS_SIGN_IN', 409, '127.0.0.1'],
        ['sales', 'imap', 'credentials_wrong', 401, '127.0.0.1'],
      ],
    );
    assert.equal(seen.length, 3);
    for (const entry of log.recent()) {
      assert.ok(entry.latencyMs >= 0 && entry.latencyMs < 1000);
      assert.ok(Math.abs(entry.at - Date.now()) < 10_000);
      assert.ok(!JSON.stringify(entry).includes(TOKEN));
    }
    assert.equal(log.latestFor('expired')?.status, 409);
  });
});

describe('auth server: failures tell EmailEngine users what to do', () => {
  const cases: { name: string; path: string; status: number; error: string; reason: RegExp; headers?: Record<string, string> }[] = [
    { name: 'unknown account', path: authPath('nobody', 'imap'), status: 404, error: 'ACCOUNT_NOT_FOUND', reason: /^No account nobody in tokentray: add it there with the same id$/ },
    {
      name: 'sign-in needed',
      path: authPath('expired', 'imap'),
      status: 409,
      error: 'NEEDS_SIGN_IN',
      reason: /^Sign in to tokentray again for account expired \(AADSTS50173 password changed\)$/,
    },
    { name: 'graph account asked for imap', path: authPath('graphy', 'imap'), status: 422, error: 'PROFILE_MISMATCH', reason: /^Account graphy cannot serve imap: register it in tokentray with the outlook profile$/ },
    { name: 'outlook account asked for api', path: authPath('sales', 'api'), status: 422, error: 'PROFILE_MISMATCH', reason: /^Account sales cannot serve api: register it in tokentray with the graph profile$/ },
    {
      name: 'identity provider unreachable',
      path: authPath('offline', 'smtp'),
      status: 503,
      error: 'IDP_UNAVAILABLE',
      reason: /^Microsoft sign-in unreachable for account offline: tokentray keeps retrying$/,
      headers: { 'retry-after': '42' },
    },
    { name: 'account missing', path: '/authentication?proto=imap', status: 400, error: 'account_missing', reason: /account parameter missing/ },
    { name: 'account empty', path: '/authentication?account=&proto=imap', status: 400, error: 'account_missing', reason: /account parameter missing/ },
    { name: 'account repeated', path: '/authentication?account=sales&account=sales&proto=imap', status: 400, error: 'param_repeated', reason: /given twice/ },
    { name: 'encoded repeat', path: '/authentication?account=sales&%61ccount=other', status: 400, error: 'param_repeated', reason: /given twice/ },
    { name: 'proto repeated', path: '/authentication?account=sales&proto=imap&proto=api', status: 400, error: 'param_repeated', reason: /given twice/ },
    { name: 'proto unknown', path: '/authentication?account=sales&proto=pop3', status: 400, error: 'proto_invalid', reason: /imap, smtp or api/ },
    { name: 'bad percent-encoding', path: '/authentication?account=sa%ZZles&proto=imap', status: 400, error: 'encoding_invalid', reason: /percent-encoding/ },
    { name: 'invalid UTF-8', path: '/authentication?account=%C3%28&proto=imap', status: 400, error: 'encoding_invalid', reason: /percent-encoding/ },
    { name: 'unknown path', path: '/authenticationX?account=sales', status: 404, error: 'not_found', reason: /\/authentication/ },
    { name: 'root path', path: '/', status: 404, error: 'not_found', reason: /\/authentication/ },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const { server } = await start();
      const reply = await call(server.port, c.path);
      assert.equal(reply.status, c.status);
      assert.match(reply.reason, c.reason);
      assertErrorShape(reply, c.error);
      for (const [name, value] of Object.entries(c.headers ?? {})) assert.equal(reply.headers[name], value);
    });
  }

  it('makes any account id safe inside the reason phrase', async () => {
    const { server } = await start();
    const reply = await call(server.port, `/authentication?account=${encodeURIComponent('évil\r\nSet-Cookie: x=1 ✓'.repeat(5))}&proto=imap`);
    assert.equal(reply.status, 404);
    assertErrorShape(reply, 'ACCOUNT_NOT_FOUND');
    assert.equal(reply.headers['set-cookie'], undefined);
    assert.match(reply.reason, /^No account \?vil\?\?Set-Cookie: x=1 \?\?vil.*\.\.\. in tokentray/);
  });

  it('answers 500 without details when the token source has a bug', async () => {
    const source = defaultSource();
    source.set('buggy', { user: 'b', accessToken: TOKEN, state: { kind: 'throws', error: new Error(`boom with ${TOKEN}`) } });
    const { server } = await start({}, source);
    const reply = await call(server.port, authPath('buggy', 'imap'));
    assert.equal(reply.status, 500);
    assert.equal(reply.reason, 'tokentray internal error: see the tokentray log');
    assertErrorShape(reply, 'INTERNAL');
    assert.ok(!reply.body.includes('boom'));
  });

  it('answers 500 rather than a token EmailEngine would reject', async () => {
    const source = defaultSource();
    source.set('empty', { user: 'e@contoso.com', accessToken: '' });
    source.set('huge', { user: 'h@contoso.com', accessToken: 'x'.repeat(16_385) });
    source.set('long-user', { user: `${'u'.repeat(257)}`, accessToken: TOKEN });
    const { server } = await start({}, source);
    for (const account of ['empty', 'huge', 'long-user']) {
      const reply = await call(server.port, authPath(account, 'imap'));
      assert.equal(reply.status, 500, account);
      assertErrorShape(reply, 'INTERNAL');
    }
  });

  it('answers 500 and keeps serving when a refreshed grant breaks while being answered', async () => {
    const broken = {
      get user(): string {
        throw new Error('getter bug');
      },
      accessToken: TOKEN,
    };
    const { server } = await start({
      tokenSource: {
        grantFor: (account) => (account === 'null' ? (null as never) : Promise.resolve(broken)),
      },
    });
    for (const account of ['async', 'null']) {
      const reply = await call(server.port, authPath(account, 'imap'));
      assert.equal(reply.status, 500, account);
      assertErrorShape(reply, 'INTERNAL');
    }
    assert.equal((await call(server.port, '/health')).status, 200);
  });

  it('answers 503 with Retry-After when a refresh fails or hangs', async () => {
    const source = defaultSource();
    source.set('fails', {
      user: 'f',
      accessToken: TOKEN,
      state: { kind: 'refresh-fails', refreshDelayMs: 10, error: new TokentrayError('IDP_UNAVAILABLE', 'unreachable', { details: { retryAfterSeconds: 7 } }) },
    });
    source.set('hangs', { user: 'h', accessToken: TOKEN, state: { kind: 'never-answers' } });
    const { server } = await start({ limits: { grantTimeoutMs: 100 } }, source);
    const failed = await call(server.port, authPath('fails', 'imap'));
    assert.equal(failed.status, 503);
    assert.equal(failed.headers['retry-after'], '7');
    assertErrorShape(failed, 'IDP_UNAVAILABLE');
    const hung = await call(server.port, authPath('hangs', 'imap'));
    assert.equal(hung.status, 503);
    assert.ok(Number(hung.headers['retry-after']) >= 1);
    assert.match(hung.reason, /taking too long/);
    assertErrorShape(hung, 'IDP_UNAVAILABLE');
  });

  it('answers 503 naming the code for other tokentray conditions (e.g. a locked keychain)', async () => {
    const source = defaultSource();
    source.set('locked', { user: 'l', accessToken: TOKEN, state: { kind: 'throws', error: new TokentrayError('KEYCHAIN_LOCKED', 'The keychain is locked.') } });
    const { server } = await start({}, source);
    const reply = await call(server.port, authPath('locked', 'imap'));
    assert.equal(reply.status, 503);
    assert.equal(reply.reason, 'tokentray cannot serve tokens now: KEYCHAIN_LOCKED');
    assertErrorShape(reply, 'KEYCHAIN_LOCKED');
  });
});

describe('auth server: shut to everyone but EmailEngine', () => {
  it('refuses missing and wrong credentials with 401 and a Basic challenge', async () => {
    const { server, source } = await start({ throttle: { maxFailures: 100 } });
    const wrongs = [
      undefined,
      'Basic ',
      'Basic d3Jvbmc=',
      `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}x`).toString('base64')}`,
      `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password.slice(0, -1)}`).toString('base64')}`,
      `Basic ${Buffer.from(`other:${CREDENTIALS.password}`).toString('base64')}`,
      `Bearer ${CREDENTIALS.password}`,
      `${BASIC}${'A'.repeat(300)}`,
    ];
    for (const authorization of wrongs) {
      const reply = await call(server.port, authPath('sales', 'imap'), authorization === undefined ? { omit: ['Authorization'] } : { headers: { Authorization: authorization } });
      assert.equal(reply.status, 401, String(authorization));
      assert.equal(reply.headers['www-authenticate'], 'Basic realm="tokentray"');
      assertErrorShape(reply, authorization === undefined ? 'credentials_missing' : 'credentials_wrong');
      assert.match(reply.reason, /authServer URL from tokentray/);
    }
    assert.equal(source.calls.length, 0, 'the token source is never asked without credentials');
  });

  it('accepts the Basic scheme in any case', async () => {
    const { server } = await start();
    const reply = await call(server.port, authPath('sales', 'imap'), { headers: { Authorization: BASIC.replace('Basic', 'bAsIc') } });
    assert.equal(reply.status, 200);
  });

  it('takes rotated credentials at once', async () => {
    let current = CREDENTIALS;
    const { server } = await start({ credentials: () => current });
    assert.equal((await call(server.port, authPath('sales', 'imap'))).status, 200);
    current = generateServerCredentials();
    assert.equal((await call(server.port, authPath('sales', 'imap'))).status, 401);
    const rotated = `Basic ${Buffer.from(`${current.username}:${current.password}`).toString('base64')}`;
    assert.equal((await call(server.port, authPath('sales', 'imap'), { headers: { Authorization: rotated } })).status, 200);
  });

  it('slows repeated wrong credentials with 429 + Retry-After, and always serves the right ones', async () => {
    let clock = 1_000_000;
    const { server, source } = await start({ now: () => clock, throttle: { maxFailures: 3, baseDelayMs: 2_000, maxDelayMs: 8_000 } });
    const wrong = { headers: { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' } };
    for (let i = 0; i < 3; i += 1) assert.equal((await call(server.port, authPath('sales', 'imap'), wrong)).status, 401);
    const throttled = await call(server.port, authPath('sales', 'imap'), wrong);
    assert.equal(throttled.status, 429, 'wrong credentials are throttled');
    assert.equal(throttled.headers['retry-after'], '2');
    assert.match(throttled.reason, /^Too many wrong credentials: fix authServer in EmailEngine, retry in 2 s$/);
    assertErrorShape(throttled, 'throttled');
    assert.equal((await call(server.port, authPath('sales', 'imap'))).status, 200, 'the right secret from the same address is served while throttled');
    assert.equal((await call(server.port, authPath('sales', 'imap'), wrong)).status, 429, 'a success does not forget the guesses');
    clock += 2_001;
    assert.equal((await call(server.port, authPath('sales', 'imap'), wrong)).status, 401);
    const longer = await call(server.port, authPath('sales', 'imap'), wrong);
    assert.equal(longer.headers['retry-after'], '4', 'the delay doubles');
    assert.equal((await call(server.port, authPath('sales', 'imap'))).status, 200);
    assert.equal(source.calls.length, 2);
  });

  it('does not count missing credentials as guesses', async () => {
    const { server } = await start({ throttle: { maxFailures: 2 } });
    for (let i = 0; i < 5; i += 1) assert.equal((await call(server.port, authPath('sales', 'imap'), { omit: ['Authorization'] })).status, 401);
    assert.equal((await call(server.port, authPath('sales', 'imap'))).status, 200);
  });

  it('refuses a foreign Host (DNS rebinding) and accepts its own names', async () => {
    const { server } = await start();
    const port = server.port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `127.0.0.2:${port}`, `localhost.evil.example:${port}`, '127.0.0.1']) {
      const reply = await call(port, authPath('sales', 'imap'), { headers: { host } });
      assert.equal(reply.status, 403, host);
      assertErrorShape(reply, 'host_not_allowed');
      const health = await call(port, '/health', { headers: { host } });
      assert.equal(health.status, 403, `/health too (${host})`);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      assert.equal((await call(port, authPath('sales', 'imap'), { headers: { host } })).status, 200, host);
    }
  });

  it('refuses a missing or repeated Host with 400', async () => {
    const { server } = await start();
    const noHost = await raw(server.port, `GET /health HTTP/1.0\r\n\r\n`);
    assert.match(statusLine(noHost), /^HTTP\/1\.1 400 Host header missing$/);
    const twoHosts = await raw(server.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nHost: evil.example\r\n\r\n`);
    assert.match(statusLine(twoHosts), /^HTTP\/1\.1 400 /);
    const twoAuth = await raw(server.port, `GET ${authPath('sales', 'imap')} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${BASIC}\r\nAuthorization: Basic eDp5\r\n\r\n`);
    assert.match(statusLine(twoAuth), /^HTTP\/1\.1 400 /);
  });

  it('refuses anything a browser sends: Origin, or a Sec-Fetch-Site other than none', async () => {
    const { server } = await start();
    const browserHeaders: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: `http://127.0.0.1:${server.port}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of browserHeaders) {
      const reply = await call(server.port, authPath('sales', 'imap'), { headers });
      assert.equal(reply.status, 403, JSON.stringify(headers));
      assertErrorShape(reply, 'browser_request');
    }
    assert.equal((await call(server.port, authPath('sales', 'imap'), { headers: { 'sec-fetch-site': 'none' } })).status, 200, 'a typed-in URL is not cross-site');
  });

  it('allows GET and HEAD only: 405 with Allow, and no CORS answer to a preflight', async () => {
    const { server } = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
      const reply = await call(server.port, authPath('sales', 'imap'), { method });
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET, HEAD');
      assertErrorShape(reply, 'method_not_allowed');
    }
    const preflight = await call(server.port, authPath('sales', 'imap'), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(preflight.status, 405);
    assertErrorShape(preflight, 'method_not_allowed');
  });

  it('refuses a request body (413) and closes that connection', async () => {
    const { server, source } = await start();
    const withLength = await raw(server.port, `GET ${authPath('sales', 'imap')} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${BASIC}\r\nContent-Length: 5\r\n\r\nhello`);
    assert.match(statusLine(withLength), /^HTTP\/1\.1 413 /);
    assert.ok(!withLength.includes(TOKEN));
    const chunked = await raw(server.port, `GET ${authPath('sales', 'imap')} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${BASIC}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
    assert.match(statusLine(chunked), /^HTTP\/1\.1 413 /);
    assert.equal(source.calls.length, 0);
  });

  it('refuses an oversized URL (414) and oversized headers (431)', async () => {
    const { server } = await start();
    const longUrl = await call(server.port, `/authentication?account=sales&proto=imap&pad=${'x'.repeat(3000)}`);
    assert.equal(longUrl.status, 414);
    assertErrorShape(longUrl, 'uri_too_long');
    const hugeHeader = await raw(server.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Pad: ${'y'.repeat(10_000)}\r\n\r\n`);
    assert.match(statusLine(hugeHeader), /^HTTP\/1\.1 431 Request headers too large$/);
    const hugeUrl = await raw(server.port, `GET /authentication?pad=${'z'.repeat(10_000)} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.match(statusLine(hugeUrl), /^HTTP\/1\.1 (414|431) /, 'beyond the header cap the parser refuses it');
  });

  it('closes a slow client that never finishes its headers, within the header timeout', async () => {
    const { server, log } = await start({ limits: { headersTimeoutMs: 200, requestTimeoutMs: 200, timeoutCheckIntervalMs: 25 } });
    const started = Date.now();
    const closed = await new Promise<{ data: string; afterMs: number }>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      const text = `GET /authentication?account=sales HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: ${'s'.repeat(1000)}`;
      let i = 0;
      let data = '';
      const drip = setInterval(() => {
        if (!socket.destroyed && i < text.length) socket.write(text[i++] ?? '');
      }, 10);
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve({ data, afterMs: Date.now() - started });
      });
    });
    assert.ok(closed.afterMs < 1_500, `closed after ${closed.afterMs} ms`);
    assert.match(statusLine(closed.data), /^HTTP\/1\.1 408 /);
    assert.equal(log.recent(1)[0]?.outcome, 'request_timeout');
  });

  it('does not cut a token refresh short with the request timeout', async () => {
    const source = defaultSource();
    source.set('slower', { user: 's', accessToken: TOKEN, state: { kind: 'refreshing', refreshDelayMs: 400 } });
    const { server } = await start({ limits: { headersTimeoutMs: 100, requestTimeoutMs: 100, timeoutCheckIntervalMs: 20 } }, source);
    assert.equal((await call(server.port, authPath('slower', 'imap'))).status, 200);
  });

  it('answers garbage with 400 and closes', async () => {
    const { server } = await start();
    const response = await raw(server.port, 'HELLO\r\n\r\n');
    assert.match(statusLine(response), /^HTTP\/1\.1 400 /);
    assert.match(response, /Connection: close/);
  });

  it('binds loopback only by default', async () => {
    const { server } = await start();
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal);
    if (external === undefined) return;
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect(server.port, external.address, () => resolve(socket.destroy()));
        socket.on('error', reject);
      }),
      /ECONNREFUSED/,
    );
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal);
  it('on a non-loopback address, serves only allowedClients (403 for everyone else)', { skip: external === undefined && 'no non-loopback IPv4 address here' }, async () => {
    const address = external?.address ?? '';
    const denied = await start({ host: address, allowedClients: ['192.0.2.250'] });
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = request({ host: address, port: denied.server.port, path: authPath('sales', 'imap'), headers: { Authorization: BASIC }, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, body, reusedSocket: false }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(reply.status, 403);
    assertErrorShape(reply, 'client_not_allowed');
    assert.equal(denied.source.calls.length, 0);

    const allowed = await start({ host: address, allowedClients: [address] });
    const ok = await fetch(`http://${address}:${allowed.server.port}${authPath('sales', 'imap')}`, { headers: { Authorization: BASIC } });
    assert.equal(ok.status, 200);
    assert.equal(allowed.server.url, `http://${address}:${allowed.server.port}/authentication`);
  });

  it('refuses to bind a non-loopback address without allowedClients', async () => {
    await assert.rejects(start({ host: '192.0.2.2' }), (error: unknown) => error instanceof TokentrayError && error.code === 'CONFIG_INVALID');
  });

  it("binds both 127.0.0.1 and ::1 for 'localhost'", async () => {
    const { server } = await start({ host: 'localhost' });
    assert.equal(server.url, `http://127.0.0.1:${server.port}/authentication`);
    assert.equal((await call(server.port, authPath('sales', 'imap'))).status, 200);
    const ipv6 = await new Promise<number | null>((resolve) => {
      const req = request({ host: '::1', port: server.port, path: authPath('sales', 'imap'), headers: { Authorization: BASIC, host: `[::1]:${server.port}` }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(null)); // no IPv6 on this machine
      req.end();
    });
    if (ipv6 !== null) assert.equal(ipv6, 200);
  });

  it('rejects with PORT_IN_USE when the port is taken', async () => {
    const blocker = createTcpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      await assert.rejects(start({ port }), (error: unknown) => error instanceof TokentrayError && error.code === 'PORT_IN_USE' && error.details.port === port);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('closes promptly with idle keep-alive sockets open, and only once', async () => {
    const { server } = await start();
    const agent = new Agent({ keepAlive: true });
    await call(server.port, authPath('sales', 'imap'), { agent });
    const started = Date.now();
    await Promise.all([server.close(), server.close()]);
    assert.ok(Date.now() - started < 1_000);
    await assert.rejects(call(server.port, '/health'), /ECONNREFUSED/);
    agent.destroy();
  });
});

after(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

describe('a local connection flood (another user holding the port\'s connections)', () => {
  /** Opens `count` connections that stay open; each resolves when connected, and tells when it closes. */
  async function holdConnections(port: number, count: number, send?: string): Promise<{ closed: () => number; destroy: () => void }> {
    let closed = 0;
    const sockets = await Promise.all(
      Array.from({ length: count }, () => new Promise<ReturnType<typeof connect>>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          if (send !== undefined) socket.write(send);
          resolve(socket);
        });
        socket.on('error', () => undefined);
        socket.on('close', () => (closed += 1));
        socket.once('error', reject);
      })),
    );
    return { closed: () => closed, destroy: () => sockets.forEach((socket) => socket.destroy()) };
  }

  const settle = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('serves EmailEngine on a new connection while every slot is held by a connection that never sent the secret', async () => {
    const { server } = await start({ limits: { maxConnections: 8 } });
    const silent = await holdConnections(server.port, 8);
    const guessing = await holdConnections(server.port, 4, `GET ${authPath('sales', 'imap')} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Basic d3Jvbmc6d3Jvbmc=\r\n\r\n`);
    try {
      const reply = await call(server.port, authPath('sales', 'imap'));
      assert.equal(reply.status, 200);
      assertEmailEngineAccepts(reply.body);
      await settle();
      assert.ok(silent.closed() + guessing.closed() >= 5, `the oldest unproven connections made room (closed ${silent.closed()} + ${guessing.closed()})`);
    } finally {
      silent.destroy();
      guessing.destroy();
    }
  });

  it('never closes a connection that proved the secret, however many unproven ones arrive', async () => {
    const { server } = await start({ limits: { maxConnections: 4 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await call(server.port, authPath('sales', 'imap'), { agent })).status, 200);
      const flood = await holdConnections(server.port, 20);
      await settle();
      const again = await call(server.port, authPath('sales', 'smtp'), { agent });
      assert.equal(again.status, 200);
      assert.equal(again.reusedSocket, true, 'EmailEngine\'s kept-alive connection is still open');
      assert.ok(flood.closed() >= 17, `the flood pushed out only its own connections (closed ${flood.closed()})`);
      flood.destroy();
    } finally {
      agent.destroy();
    }
  });

  it('refuses a newcomer only when every open connection has proved the secret', async () => {
    const { server } = await start({ limits: { maxConnections: 2 } });
    const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })];
    try {
      for (const agent of agents) assert.equal((await call(server.port, authPath('sales', 'imap'), { agent })).status, 200);
      const newcomer = await holdConnections(server.port, 1);
      await settle();
      assert.equal(newcomer.closed(), 1, 'no room, and no unproven connection to close for it');
      for (const agent of agents) assert.equal((await call(server.port, authPath('sales', 'imap'), { agent })).reusedSocket, true);
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });
});
