/**
 * The doctor's checks, each on its own: real sockets and HTTP servers on loopback for the
 * port and authority checks, the in-memory keychain with its real failure states, and a real
 * vault file in a temp directory.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AccountStatus } from '../../../src/shared/account-status.js';
import { ERROR_HINTS } from '../../../src/shared/error-codes.js';
import { DEFAULT_SETTINGS } from '../../../src/core/storage/settings.js';
import { Vault } from '../../../src/core/storage/vault.js';
import { checkAccount } from '../../../src/core/diagnostics/account-checks.js';
import { checkEmailEngine } from '../../../src/core/diagnostics/emailengine-checks.js';
import { emailEngineNotConnected, type EmailEngineStatus } from '../../../src/shared/emailengine.js';
import { checkAuthority, checkClientId } from '../../../src/core/diagnostics/identity-checks.js';
import { checkKeychain, KEYCHAIN_PROBE_ACCOUNT } from '../../../src/core/diagnostics/keychain-check.js';
import { checkPort, probePort } from '../../../src/core/diagnostics/port-check.js';
import { runDiagnostics } from '../../../src/core/diagnostics/run-diagnostics.js';
import { checkVault } from '../../../src/core/diagnostics/vault-check.js';
import { InMemorySecretStore } from '../../fakes/in-memory-secret-store.js';

const NOW = 1_800_000_000_000;

function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function account(state: AccountStatus['state'], id = 'sales'): AccountStatus {
  return { id, email: 'a@contoso.com', user: 'a@contoso.com', profile: 'outlook', provider: 'microsoft', state, lastRequest: null, lastError: null };
}

describe('doctor checks', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'tokentray-doctor-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('keychain: passes when a probe item round-trips, and leaves nothing behind', async () => {
    const secrets = new InMemorySecretStore();
    const check = await checkKeychain(secrets);
    assert.equal(check.outcome, 'ok', check.message);
    assert.equal(secrets.entries.has(KEYCHAIN_PROBE_ACCOUNT), false);
  });

  it('keychain: locked and unavailable keyrings fail with their code and fix', async () => {
    for (const [state, code] of [['locked', 'KEYCHAIN_LOCKED'], ['locked-reads-as-missing', 'KEYCHAIN_LOCKED'], ['unavailable', 'KEYCHAIN_UNAVAILABLE']] as const) {
      const secrets = new InMemorySecretStore();
      secrets.state = state;
      const check = await checkKeychain(secrets);
      assert.equal(check.outcome, 'fail', state);
      assert.equal(check.code, code, state);
      assert.equal(check.fix, ERROR_HINTS[code]);
    }
  });

  it('vault: none yet, opens, corrupt, key missing; skipped when the keychain failed', async () => {
    const path = join(home, 'vault.bin');
    const secrets = new InMemorySecretStore();
    assert.match((await checkVault(path, secrets, true)).message, /none yet/);
    const vault = await Vault.open(path, secrets);
    await vault.update(() => undefined);
    const opened = await checkVault(path, secrets, true);
    assert.equal(opened.outcome, 'ok');
    assert.match(opened.message, /0 accounts/);
    assert.equal((await checkVault(path, new InMemorySecretStore(), true)).code, 'VAULT_KEY_MISSING');
    await writeFile(path, 'not a vault');
    assert.equal((await checkVault(path, secrets, true)).code, 'VAULT_CORRUPT');
    assert.equal((await checkVault(path, secrets, false)).outcome, 'skipped');
  });

  it('client id: set or missing', () => {
    assert.equal(checkClientId({ ...DEFAULT_SETTINGS, clientId: 'abc' }).outcome, 'ok');
    const missing = checkClientId({ ...DEFAULT_SETTINGS, clientId: null });
    assert.equal(missing.code, 'CLIENT_ID_MISSING');
    assert.equal(missing.fix, ERROR_HINTS.CLIENT_ID_MISSING);
  });

  it('authority: answers, refuses the tenant, or cannot be reached', async () => {
    const paths: string[] = [];
    const server = createHttpServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(req.url?.startsWith('/contoso/') ? 200 : 400, { 'content-type': 'application/json' }).end('{}');
    });
    const port = await listen(server);
    try {
      const good = await checkAuthority({ ...DEFAULT_SETTINGS, authority: `http://127.0.0.1:${port}/contoso` });
      assert.equal(good.outcome, 'ok', good.message);
      assert.deepEqual(paths, ['/contoso/v2.0/.well-known/openid-configuration']);
      const wrong = await checkAuthority({ ...DEFAULT_SETTINGS, authority: `http://127.0.0.1:${port}/nobody` });
      assert.equal(wrong.code, 'CONFIG_INVALID');
      assert.match(wrong.message, /answered 400/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const closed = createServer();
    const closedPort = await listen(closed); // a port nobody listens on any more
    await new Promise((resolve) => closed.close(resolve));
    const down = await checkAuthority({ ...DEFAULT_SETTINGS, authority: `http://127.0.0.1:${closedPort}/contoso` });
    assert.equal(down.code, 'IDP_UNAVAILABLE');
    assert.match(down.message, /ECONNREFUSED/);
  });

  it('port: free, taken by another program, ours, or free again after a failed start', async () => {
    const holder = createServer();
    const taken = await listen(holder);
    try {
      assert.equal(await probePort('127.0.0.1', taken), 'in-use');
      const busy = await checkPort({ host: '127.0.0.1', port: taken }, null);
      assert.equal(busy.code, 'PORT_IN_USE');
      assert.match(busy.message, new RegExp(`127\\.0\\.0\\.1:${taken} is used by another program`));
      assert.match(busy.fix ?? '', /config set port/);
      // /proc/net/tcp says the listener is another user's: EmailEngine would give it the secret.
      const squatted = await checkPort({ host: '127.0.0.1', port: taken }, null, probePort, () => ({ uid: 4242, name: 'mallory' }));
      assert.equal(squatted.code, 'PORT_HELD_BY_OTHER_USER');
      assert.match(squatted.message, new RegExp(`127\\.0\\.0\\.1:${taken} is held by another user of this machine, user mallory \\(uid 4242\\)`));
      assert.match(squatted.fix ?? '', /new auth-server secret/);
      const ownListener = await checkPort({ host: '127.0.0.1', port: taken }, null, probePort, () => ({ uid: process.getuid?.() ?? 0, name: null }));
      assert.equal(ownListener.code, 'PORT_IN_USE', 'a program of this user is just "another program"');
      const daemonBlocked = await checkPort({ host: '127.0.0.1', port: taken }, { running: false, url: null, error: 'listen EADDRINUSE' });
      assert.match(daemonBlocked.message, /so the auth server could not start/);
      const ours = await checkPort({ host: '127.0.0.1', port: taken }, { running: true, url: `http://127.0.0.1:${taken}/authentication`, error: null });
      assert.equal(ours.outcome, 'ok');
      assert.match(ours.message, /this tokentray/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    assert.equal((await checkPort({ host: '127.0.0.1', port: taken }, null)).outcome, 'ok');
    const stale = await checkPort({ host: '127.0.0.1', port: taken }, { running: false, url: null, error: 'listen EADDRINUSE' });
    assert.equal(stale.outcome, 'warn');
  });

  it('accounts: a token is fine; needs sign-in and no token fail with the command to run', () => {
    assert.equal(checkAccount(account({ kind: 'active', expiresAt: NOW + 3_600_000 }), NOW).outcome, 'ok');
    const dead = checkAccount(account({ kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } }, 'sales team'), NOW);
    assert.equal(dead.code, 'NEEDS_SIGN_IN');
    assert.equal(dead.subject, 'sales team');
    assert.match(dead.message, /password changed/);
    assert.match(dead.fix ?? '', /tokentray account add 'sales team'/);
    assert.equal(checkAccount(account({ kind: 'signed-out' }), NOW).outcome, 'fail');
    assert.equal(checkAccount(account({ kind: 'failing', error: 'IdP down', retryAt: NOW + 1000, expiresAt: NOW + 60_000 }), NOW).outcome, 'warn', 'still served');
    assert.equal(checkAccount(account({ kind: 'failing', error: 'IdP down', retryAt: NOW + 1000, expiresAt: null }), NOW).outcome, 'fail');
  });

  it('EmailEngine: none connected is no failure; down, a refused token, authServer elsewhere or outdated are, each with its fix', () => {
    const base = { connected: true, url: 'http://127.0.0.1:3000', version: '2.79.2', licensed: true, checkedAt: NOW, error: null, warnings: [] as EmailEngineStatus['warnings'] };
    const ids = (checks: ReturnType<typeof checkEmailEngine>) => checks.map((check) => `${check.id} ${check.outcome}${check.code ? ` ${check.code}` : ''}`);
    assert.deepEqual(ids(checkEmailEngine(emailEngineNotConnected())), ['emailengine skipped']);
    assert.deepEqual(ids(checkEmailEngine({ ...base, authServer: { kind: 'this', url: 'http://127.0.0.1:7411/authentication' } })), ['emailengine ok', 'emailengine-auth-server ok']);
    const down = checkEmailEngine({ ...base, authServer: null, error: { code: 'EMAILENGINE_UNREACHABLE', message: 'connect ECONNREFUSED 127.0.0.1:3000' } });
    assert.deepEqual(ids(down), ['emailengine fail EMAILENGINE_UNREACHABLE', 'emailengine-auth-server skipped']);
    assert.equal(down[0]!.fix, ERROR_HINTS.EMAILENGINE_UNREACHABLE);
    const elsewhere = checkEmailEngine({ ...base, authServer: { kind: 'other', url: 'http://10.0.0.9:9000/auth' } });
    assert.deepEqual(ids(elsewhere), ['emailengine ok', 'emailengine-auth-server fail EMAILENGINE_AUTH_SERVER_ELSEWHERE']);
    assert.match(elsewhere[1]!.message, /points to http:\/\/10\.0\.0\.9:9000\/auth/);
    assert.equal(elsewhere[1]!.fix, ERROR_HINTS.EMAILENGINE_AUTH_SERVER_ELSEWHERE);
    const outdated = checkEmailEngine({ ...base, authServer: { kind: 'this-outdated', url: 'http://127.0.0.1:7411/authentication' } });
    assert.match(outdated[1]!.fix ?? '', /emailengine connect/);
    const unlicensed = checkEmailEngine({ ...base, licensed: false, warnings: [{ code: 'EMAILENGINE_UNLICENSED', message: 'no license' }], authServer: { kind: 'this', url: 'x' } });
    assert.deepEqual(ids(unlicensed), ['emailengine ok', 'emailengine warn EMAILENGINE_UNLICENSED', 'emailengine-auth-server ok']);
  });

  it("accounts: the two sides disagreeing is a problem with EmailEngine's hint", () => {
    const view = { presence: 'registered', state: 'authenticationError', lastError: { response: 'AUTHENTICATE failed', serverResponseCode: 'AUTHENTICATIONFAILED' }, checkedAt: NOW, managed: true, hint: null, error: null } as const;
    const mismatch = checkAccount({ ...account({ kind: 'active', expiresAt: NOW + 3_600_000 }), emailengine: view }, NOW);
    assert.equal(mismatch.outcome, 'fail');
    assert.match(mismatch.message, /tokentray: valid token · EmailEngine: authenticationError — IMAP disabled for this mailbox\?/);
    assert.match(mismatch.fix ?? '', /enable IMAP/);
    const agree = checkAccount({ ...account({ kind: 'active', expiresAt: NOW + 3_600_000 }), emailengine: { ...view, state: 'connected', lastError: null } }, NOW);
    assert.equal(agree.outcome, 'ok');
    assert.match(agree.message, /EmailEngine: connected/);
  });

  it('runs them all: one failure does not hide the others, dependants are skipped, ok only when nothing failed', async () => {
    const secrets = new InMemorySecretStore();
    secrets.state = 'unavailable';
    const holder = createServer();
    const taken = await listen(holder);
    try {
      const report = await runDiagnostics({
        secrets,
        vaultPath: join(home, 'none.bin'),
        settings: { ...DEFAULT_SETTINGS, clientId: null, authority: 'http://127.0.0.1:1/x', port: taken },
        server: null,
        status: null,
        now: () => NOW,
      });
      assert.equal(report.ok, false);
      assert.deepEqual(report.checks.map((check) => [check.id, check.outcome, check.code]), [
        ['keychain', 'fail', 'KEYCHAIN_UNAVAILABLE'],
        ['vault', 'skipped', null],
        ['client-id', 'fail', 'CLIENT_ID_MISSING'],
        ['authority', 'fail', 'IDP_UNAVAILABLE'],
        ['port', 'fail', 'PORT_IN_USE'],
        ['emailengine', 'skipped', null],
        ['account', 'skipped', null],
      ]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
