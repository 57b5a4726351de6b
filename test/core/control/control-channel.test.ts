import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ControlClient, PRECONNECT_IDLE_MS } from '../../../src/core/control/control-client.js';
import { MAX_CONTROL_LINE_BYTES, controlSocketInHome, prepareControlEndpoint } from '../../../src/core/control/control-channel.js';
import { startControlServer } from '../../../src/core/control/control-server.js';
import { SecureConnection } from '../../../src/core/control/secure-connection.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import { DEFAULT_SETTINGS } from '../../../src/core/storage/settings.js';
import type { AccountStatus, StatusReport } from '../../../src/shared/account-status.js';
import type { Settings } from '../../../src/shared/settings-shape.js';
import type { ConnectRequest, EmailEngineRegistrationPreview, SignInHooks, TokentrayApi } from '../../../src/shared/tokentray-api.js';
import {
  emailEngineNotConnected,
  type EmailEngineConnectResult,
  type EmailEngineOrphan,
  type EmailEnginePreflight,
  type EmailEngineStatus,
  type RemoveAccountResult,
} from '../../../src/shared/emailengine.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';

const ACCOUNT: AccountStatus = {
  id: 'work',
  email: 'alice@contoso.com',
  user: 'alice@contoso.com',
  provider: 'microsoft',
  profile: 'outlook',
  state: { kind: 'active', expiresAt: 1_700_000_000_000 },
  lastRequest: null,
  lastError: null,
};

/** Records every call; answers like a tiny daemon. */
class FakeApi implements TokentrayApi {
  readonly calls: { method: string; args: unknown[] }[] = [];
  settings: Settings = { ...DEFAULT_SETTINGS };

  async status(): Promise<StatusReport> {
    this.calls.push({ method: 'status', args: [] });
    return { accounts: [ACCOUNT], server: { running: true, url: 'http://127.0.0.1:7411', error: null } };
  }
  async listAccounts() {
    this.calls.push({ method: 'listAccounts', args: [] });
    return [{ id: 'work', email: 'alice@contoso.com', user: 'alice@contoso.com', provider: 'microsoft' as const, profile: 'outlook' as const }];
  }
  async connectAccount(request: ConnectRequest, hooks: SignInHooks): Promise<AccountStatus> {
    this.calls.push({ method: 'connectAccount', args: [request] });
    await hooks.onAuthorizeUrl('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?state=abc');
    return { ...ACCOUNT, id: request.id };
  }
  async cancelSignIn(id: string): Promise<void> {
    this.calls.push({ method: 'cancelSignIn', args: [id] });
  }
  async removeAccount(id: string): Promise<RemoveAccountResult> {
    this.calls.push({ method: 'removeAccount', args: [id] });
    throw new Error(`database exploded while removing ${id}: secret-detail`);
  }
  async getToken(id: string, proto?: string) {
    this.calls.push({ method: 'getToken', args: [id, proto] });
    if (id !== 'work') {
      throw new TokentrayError('ACCOUNT_NOT_FOUND', `There is no tokentray account "${id}".`, { details: { account: id } });
    }
    return { user: 'alice@contoso.com', accessToken: 'at-1', expiresAt: 1_700_000_000_000 };
  }
  async getSettings(): Promise<Settings> {
    this.calls.push({ method: 'getSettings', args: [] });
    return this.settings;
  }
  async setSetting<K extends keyof Settings>(key: K, value: Settings[K]): Promise<Settings> {
    this.calls.push({ method: 'setSetting', args: [key, value] });
    this.settings = { ...this.settings, [key]: value };
    return this.settings;
  }
  async serverUrl(): Promise<string> {
    return 'http://tokentray:pw@127.0.0.1:7411/';
  }
  async rotateServerSecret(): Promise<string> {
    throw new TokentrayError('KEYCHAIN_LOCKED', 'locked', { hint: 'custom hint' });
  }
  async setClientSecret(provider: 'google', secret: string | null): Promise<void> {
    this.calls.push({ method: 'setClientSecret', args: [provider, secret] });
  }
  async recentRequests(limit?: number) {
    this.calls.push({ method: 'recentRequests', args: [limit] });
    return [];
  }
  async requestActivity(after?: number | null, limit?: number) {
    this.calls.push({ method: 'requestActivity', args: [after, limit] });
    return { records: [], cursor: 7, missed: 0 };
  }
  async runDiagnostics() {
    this.calls.push({ method: 'runDiagnostics', args: [] });
    return { checks: [], ok: true, at: 0 };
  }
  async checkEmailEngine(request: { url: string; token: string }): Promise<EmailEnginePreflight> {
    this.calls.push({ method: 'checkEmailEngine', args: [request.url] });
    return { url: request.url, checks: [], version: '2.79.2', licensed: true, authServer: { kind: 'unset' }, needsNewer: [], ok: true };
  }
  async connectEmailEngine(request: { url: string; token: string; replace?: boolean }): Promise<EmailEngineConnectResult> {
    this.calls.push({ method: 'connectEmailEngine', args: [request.url, request.replace] });
    throw new TokentrayError('EMAILENGINE_AUTH_SERVER_ELSEWHERE', 'authServer points elsewhere', { details: { current: 'http://127.0.0.1:9/' } });
  }
  async disconnectEmailEngine(): Promise<void> {
    this.calls.push({ method: 'disconnectEmailEngine', args: [] });
  }
  async emailEngineStatus(refresh?: boolean): Promise<EmailEngineStatus> {
    this.calls.push({ method: 'emailEngineStatus', args: [refresh] });
    return emailEngineNotConnected();
  }
  async emailEngineOrphans(): Promise<EmailEngineOrphan[]> {
    return [{ id: 'sales@contoso.com', name: null, email: 'sales@contoso.com', state: 'authenticationError', profile: 'outlook' }];
  }
  async previewEmailEngineRegistration(id: string): Promise<EmailEngineRegistrationPreview> {
    return { id, exists: false, managed: false, changes: [], needsConfirmation: false };
  }
}

/** Sends raw text on a fresh connection; resolves with what came back once the server closed it. */
async function rawExchange(
  endpoint: string,
  text: string,
  waitForLines = Infinity,
  timeoutMs = 2_000,
): Promise<{ lines: string[]; closedByServer: boolean; timedOut: boolean }> {
  const socket = connect(endpoint);
  socket.setEncoding('utf8');
  let received = '';
  await once(socket, 'connect');
  return new Promise((resolve) => {
    let settled = false;
    const done = (closedByServer: boolean, timedOut = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ lines: received.split('\n').filter(Boolean), closedByServer, timedOut });
    };
    const timer = setTimeout(() => done(false, true), timeoutMs);
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.split('\n').filter(Boolean).length >= waitForLines) done(false);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(true));
    socket.write(text);
  });
}

/** A client that passed the real handshake and may send any sealed message. */
async function authenticated(endpoint: string, vaultKey: Buffer): Promise<{ exchange(message: unknown, answers: number, timeoutMs?: number): Promise<unknown[]> }> {
  const socket = connect(endpoint);
  await once(socket, 'connect');
  const connection = await SecureConnection.connectAsClient(socket, vaultKey, endpoint, MAX_CONTROL_LINE_BYTES);
  const received: unknown[] = [];
  return {
    exchange: async (message, answers, timeoutMs = 2_000) => {
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          resolve();
        };
        connection.onMessage((value) => {
          received.push(value);
          if (received.length >= answers) finish();
        });
        socket.once('close', finish);
      });
      connection.send(message);
      await done;
      connection.destroy();
      return received;
    },
  };
}

describe('control channel', () => {
  let dir: string;
  let endpoint: string;
  let api: FakeApi;
  let key: Buffer | null;
  let server: { close(): Promise<void> };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentray-control-'));
    endpoint = join(dir, 'control.sock');
    api = new FakeApi();
    key = randomBytes(32);
    server = await startControlServer({ endpoint, vaultKey: () => key, api, logger: silentLogger });
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips calls and their arguments', async () => {
    const client = new ControlClient(endpoint, key!);
    const status = await client.status();
    assert.deepEqual(status.accounts, [ACCOUNT]);
    assert.deepEqual(await client.getToken('work', 'smtp'), { user: 'alice@contoso.com', accessToken: 'at-1', expiresAt: 1_700_000_000_000 });
    assert.equal((await client.setSetting('port', 8080)).port, 8080);
    assert.equal((await client.listAccounts())[0]?.id, 'work');
    await client.cancelSignIn('work');
    assert.deepEqual(await client.recentRequests(5), []);
    assert.deepEqual(
      api.calls.map((call) => [call.method, ...call.args]),
      [['status'], ['getToken', 'work', 'smtp'], ['setSetting', 'port', 8080], ['listAccounts'], ['cancelSignIn', 'work'], ['recentRequests', 5]],
    );
  });

  it('carries the EmailEngine methods and their errors', async () => {
    const client = new ControlClient(endpoint, key!);
    assert.equal((await client.checkEmailEngine({ url: 'http://127.0.0.1:3000', token: 'a'.repeat(64) })).version, '2.79.2');
    assert.equal((await client.emailEngineStatus(true)).connected, false);
    assert.equal((await client.emailEngineOrphans())[0]?.id, 'sales@contoso.com');
    await client.disconnectEmailEngine();
    await assert.rejects(
      client.connectEmailEngine({ url: 'http://127.0.0.1:3000', token: 'a'.repeat(64) }),
      (error: unknown) => error instanceof TokentrayError && error.code === 'EMAILENGINE_AUTH_SERVER_ELSEWHERE' && error.details.current === 'http://127.0.0.1:9/',
    );
    assert.deepEqual(
      api.calls.map((call) => [call.method, ...call.args]),
      [['checkEmailEngine', 'http://127.0.0.1:3000'], ['emailEngineStatus', true], ['disconnectEmailEngine'], ['connectEmailEngine', 'http://127.0.0.1:3000', undefined]],
    );
  });

  it('serves several calls at once', async () => {
    const client = new ControlClient(endpoint, key!);
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.getToken('work')));
    assert.equal(answers.length, 20);
    assert.ok(answers.every((answer) => answer.accessToken === 'at-1'));
  });

  it('delivers errors as TokentrayError with code, message, hint and details', async () => {
    const client = new ControlClient(endpoint, key!);
    await assert.rejects(client.getToken('nobody'), (error: unknown) => {
      assert.ok(error instanceof TokentrayError);
      assert.equal(error.code, 'ACCOUNT_NOT_FOUND');
      assert.equal(error.message, 'There is no tokentray account "nobody".');
      assert.match(error.hint, /tokentray account list/);
      assert.deepEqual(error.details, { account: 'nobody' });
      return true;
    });
    await assert.rejects(client.rotateServerSecret(), (error: unknown) => error instanceof TokentrayError && error.code === 'KEYCHAIN_LOCKED' && error.hint === 'custom hint');
  });

  it('turns an unexpected daemon failure into INTERNAL without its text', async () => {
    const client = new ControlClient(endpoint, key!);
    await assert.rejects(client.removeAccount('work'), (error: unknown) => {
      assert.ok(error instanceof TokentrayError);
      assert.equal(error.code, 'INTERNAL');
      assert.doesNotMatch(error.message, /secret-detail/);
      return true;
    });
  });

  it('refuses a client with another vault key, calling nothing', async () => {
    const client = new ControlClient(endpoint, randomBytes(32));
    await assert.rejects(client.status(), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNTRUSTED');
    assert.deepEqual(api.calls, []);
  });

  it('refuses everyone while the daemon has no vault key yet', async () => {
    const presented = key!;
    key = null;
    await assert.rejects(new ControlClient(endpoint, presented).status(), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNREACHABLE');
    assert.deepEqual(api.calls, []);
  });

  it('sends its hello while the key is still being read, and proves itself once it arrives', async () => {
    let deliver!: (value: Buffer) => void;
    const pending = new Promise<Buffer>((resolve) => (deliver = resolve));
    const client = new ControlClient(endpoint, pending);
    client.connectAhead();
    // A daemon's answer to the hello comes before the key: the call waits for the key, then goes on.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(api.calls.length, 0, 'nothing is asked before the key is there');
    deliver(key!);
    assert.equal((await client.getToken('work')).accessToken, 'at-1');
    assert.equal((await client.getToken('work')).accessToken, 'at-1', 'a second call opens its own connection');
    assert.deepEqual(
      api.calls.map((call) => call.method),
      ['getToken', 'getToken'],
    );
  });

  it('ends an early connection with the key read’s own error, calling nothing', async () => {
    const failing = Promise.reject(new TokentrayError('KEYCHAIN_LOCKED', 'The OS keychain is locked.'));
    failing.catch(() => undefined);
    const client = new ControlClient(endpoint, failing);
    client.connectAhead();
    await assert.rejects(client.getToken('work'), (error: unknown) => error instanceof TokentrayError && error.code === 'KEYCHAIN_LOCKED');
    assert.deepEqual(api.calls, []);
  });

  it('does not use an early connection left idle: the first call then connects afresh', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const client = new ControlClient(endpoint, key!);
    client.connectAhead();
    t.mock.timers.tick(PRECONNECT_IDLE_MS);
    t.mock.timers.reset();
    assert.equal((await client.getToken('work')).accessToken, 'at-1');
  });

  it("passes connectAccount's authorize-url event to the hook before the result", async () => {
    const client = new ControlClient(endpoint, key!);
    const seen: string[] = [];
    const result = await client.connectAccount(
      { id: 'new-one', email: 'bob@contoso.com' },
      {
        onAuthorizeUrl: (url) => {
          seen.push(url);
        },
      },
    );
    assert.deepEqual(seen, ['https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?state=abc']);
    assert.equal(result.id, 'new-one');
    assert.deepEqual(api.calls[0], { method: 'connectAccount', args: [{ id: 'new-one', email: 'bob@contoso.com' }] });
  });

  it('answers an unknown method with USAGE', async () => {
    const session = await authenticated(endpoint, key!);
    const [answer] = await session.exchange({ id: 7, method: 'constructor', params: [] }, 1);
    const message = answer as { id: number; error: { code: string } };
    assert.equal(message.id, 7);
    assert.equal(message.error.code, 'USAGE');
    assert.deepEqual(api.calls, []);
  });

  it('closes the connection on a line longer than MAX_CONTROL_LINE_BYTES', async () => {
    const { lines, closedByServer } = await rawExchange(endpoint, 'x'.repeat(MAX_CONTROL_LINE_BYTES + 10));
    assert.equal(closedByServer, true);
    assert.deepEqual(lines, []);
    assert.ok(await new ControlClient(endpoint, key!).status(), 'the server keeps serving');
  });

  it('closes the connection on a line that is not JSON', async () => {
    const { closedByServer } = await rawExchange(endpoint, 'hello\n');
    assert.equal(closedByServer, true);
  });

  it('survives a sealed message that is not a request object', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const session = await authenticated(endpoint, key!);
      await session.exchange(null, 1, 500);
      // In the daemon an unhandled rejection ends the process (Node's default).
      assert.deepEqual(unhandled.map(String), []);
      assert.ok(await new ControlClient(endpoint, key!).status(), 'the server keeps serving');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('makes the socket owner-only and removes it on close', async () => {
    assert.equal((await stat(endpoint)).mode & 0o777, 0o600);
    await server.close();
    await assert.rejects(stat(endpoint), { code: 'ENOENT' });
    server = { close: async () => undefined };
    await assert.rejects(new ControlClient(endpoint, key!).status(), (error: unknown) => error instanceof TokentrayError && error.code === 'DAEMON_UNREACHABLE');
  });

  it('replaces a stale socket file left by a crash', async () => {
    await server.close();
    await writeFile(endpoint, 'stale');
    server = await startControlServer({ endpoint, vaultKey: () => key, api, logger: silentLogger });
    assert.ok(await new ControlClient(endpoint, key!).status());
  });
});

describe('control endpoint', () => {
  it('puts the socket in the data directory when the path fits sun_path', async () => {
    assert.equal(controlSocketInHome('/home/alice/.config/tokentray'), '/home/alice/.config/tokentray/control.sock');
    assert.equal((await prepareControlEndpoint('/home/alice/.config/tokentray', 'linux')).endpoint, '/home/alice/.config/tokentray/control.sock');
  });

  it('puts the socket of a deep data directory in a fresh owner-only directory, never at a predictable path', async () => {
    const deep = `/home/alice/${'nested/'.repeat(15)}tokentray`;
    assert.equal(controlSocketInHome(deep), null);
    const first = await prepareControlEndpoint(deep, 'linux', {});
    const second = await prepareControlEndpoint(deep, 'linux', {});
    try {
      assert.ok(Buffer.byteLength(first.endpoint) < 100);
      assert.notEqual(first.endpoint, second.endpoint, 'a random directory each time: nothing to squat on');
      const directory = await stat(dirname(first.endpoint));
      assert.equal(directory.mode & 0o777, 0o700);
      assert.equal(directory.uid, process.getuid!());
    } finally {
      await first.cleanup();
      await second.cleanup();
    }
    await assert.rejects(stat(dirname(first.endpoint)), { code: 'ENOENT' });
  });

  it('names Windows pipes with 16 random bytes', async () => {
    const a = (await prepareControlEndpoint('C:\\Users\\alice\\AppData\\Roaming\\tokentray', 'win32')).endpoint;
    const b = (await prepareControlEndpoint('C:\\Users\\alice\\AppData\\Roaming\\tokentray', 'win32')).endpoint;
    assert.match(a, /^\\\\\.\\pipe\\tokentray-[0-9a-f]{32}$/);
    assert.notEqual(a, b);
  });
});
