/**
 * `tokentray doctor` through the real command, against real failures: no keychain D-Bus
 * session, the port held by another process, the sign-in authority down; and all good, in
 * process and through a running `tokentray serve`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIGN_IN_LINK } from '../support/loopback.js';
import type { DiagnosticReport } from '../../src/shared/diagnostics.js';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { cliEnvironment } from '../support/local-setup.js';
import { startFakeEmailEngine } from '../support/emailengine/fake-emailengine.js';
import { runCli, startCli, type CliResult } from '../support/cli-process.js';

const ALICE = 'alice@contoso.com'; // EmailEngine's e-mail check refuses .test domains

function outcomes(result: CliResult): Record<string, string> {
  const report = JSON.parse(result.stdout) as DiagnosticReport;
  return Object.fromEntries(report.checks.map((check) => [check.subject ? `${check.id}:${check.subject}` : check.id, `${check.outcome}${check.code ? ` ${check.code}` : ''}`]));
}

/** Another process holding a loopback port; resolves with it and the port. */
async function portHolder(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { child, port };
}

describe('tokentray doctor (real failures)', () => {
  let idp: TestIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }] });
    home = await mkdtemp(join(tmpdir(), 'tokentray-doctor-'));
    env = cliEnvironment(idp, home, { BROWSER: '' });
    const adding = startCli(['account', 'add', 'sales', '--no-browser'], env);
    const [url] = await adding.waitFor(SIGN_IN_LINK);
    await completeSignIn(url, { username: ALICE, caCertPem: idp.caCertPem }).catch(() => undefined);
    assert.equal((await adding.done).code, 0);
  });

  after(async () => {
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('passes when everything holds (exit 0), and prints each check', async () => {
    const result = await runCli(['doctor'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /ok {4}OS keychain: reachable and unlocked/);
    assert.match(result.stdout, /ok {4}Vault: opens with the key in the keychain \(1 account\)/);
    assert.match(result.stdout, /ok {4}Sign-in authority: https:\/\/127\.0\.0\.1:\d+\/\S+ answers/);
    assert.match(result.stdout, /ok {4}Account sales: tokentray: valid/);
    assert.match(result.stdout, /All checks passed/);
  });

  it('reports a missing keychain D-Bus session with its fix, and still checks the rest', async () => {
    const result = await runCli(['doctor', '--json'], { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-such-bus')}` });
    assert.equal(result.code, 1, result.stderr);
    const found = outcomes(result);
    assert.equal(found.keychain, 'fail KEYCHAIN_UNAVAILABLE');
    assert.equal(found.vault, 'skipped');
    assert.equal(found['client-id'], 'ok');
    assert.equal(found.authority, 'ok');
    const text = await runCli(['doctor'], { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-such-bus')}` });
    assert.match(text.stdout, /FAIL {2}OS keychain: The OS keychain is not available/);
    assert.ok(text.stdout.includes(`fix: ${ERROR_HINTS.KEYCHAIN_UNAVAILABLE}`), text.stdout);
    assert.match(text.stdout, /1 problem to fix/);
  });

  it('reports the port held by another process, naming how to find and avoid it', async () => {
    const holder = await portHolder();
    try {
      const result = await runCli(['doctor'], { ...env, TOKENTRAY_PORT: String(holder.port) });
      assert.equal(result.code, 1);
      assert.match(result.stdout, new RegExp(`FAIL {2}Auth-server port: \\S+:${holder.port} is used by another program`));
      assert.match(result.stdout, /fix: Stop the program that holds port \d+ .* `tokentray config set port <number>`/);
    } finally {
      holder.child.kill();
    }
  });

  it('reports an unreachable sign-in authority', async () => {
    const closed = createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)));
    await new Promise((resolve) => closed.close(resolve));
    const result = await runCli(['doctor', '--json'], { ...env, TOKENTRAY_AUTHORITY: `https://127.0.0.1:${port}/contoso` });
    assert.equal(result.code, 1);
    assert.equal(outcomes(result).authority, 'fail IDP_UNAVAILABLE');
  });

  it("checks EmailEngine through the running tokentray: all good, then authServer elsewhere, then EmailEngine down, each with its fix", async () => {
    const ee = await startFakeEmailEngine();
    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready/);
      const connected = await runCli(['emailengine', 'connect', '--url', ee.url], env, `${ee.issueToken()}\n`);
      assert.equal(connected.code, 0, connected.stderr);
      await ee.settle();
      const good = await runCli(['doctor', '--json'], env);
      assert.equal(good.code, 0, good.stdout);
      const found = outcomes(good);
      assert.equal(found.emailengine, 'ok');
      assert.equal(found['emailengine-auth-server'], 'ok');
      assert.equal(found['account:sales'], 'ok');

      ee.settings.authServer = 'http://10.0.0.9:9000/auth';
      const elsewhere = await runCli(['doctor'], env);
      assert.equal(elsewhere.code, 1);
      assert.match(elsewhere.stdout, /FAIL {2}EmailEngine's authServer: points to http:\/\/10\.0\.0\.9:9000\/auth, not to this tokentray/);
      assert.ok(elsewhere.stdout.includes(`fix: ${ERROR_HINTS.EMAILENGINE_AUTH_SERVER_ELSEWHERE}`), elsewhere.stdout);

      await ee.close();
      const down = await runCli(['doctor', '--json'], env);
      assert.equal(down.code, 1);
      const report = JSON.parse(down.stdout) as DiagnosticReport;
      const link = report.checks.find((check) => check.id === 'emailengine');
      assert.equal(link?.outcome, 'fail');
      assert.equal(link?.code, 'EMAILENGINE_UNREACHABLE');
      assert.equal(link?.fix, ERROR_HINTS.EMAILENGINE_UNREACHABLE);
    } finally {
      await runCli(['emailengine', 'disconnect'], env);
      serve.child.kill('SIGINT');
      await serve.done;
      await ee.close().catch(() => undefined);
    }
  });

    it('runs inside a running tokentray serve: the port is ours', async () => {
    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready/);
      const result = await runCli(['doctor'], env);
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, /checked by the running tokentray/);
      assert.match(result.stdout, /ok {4}Auth-server port: in use by this tokentray \(http:\/\/127\.0\.0\.1:\d+\/authentication\)/);
      assert.match(result.stdout, /ok {4}Account sales/);
    } finally {
      serve.child.kill('SIGINT');
      await serve.done;
    }
  });
});
