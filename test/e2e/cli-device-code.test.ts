/**
 * Device-code sign-in end to end: the real `tokentray account add --device-code` (msal-node's
 * acquireTokenByDeviceCode), the real keychain, and oidc-provider's device flow in the local
 * Entra look-alike. The test plays the user on "another device": it opens the printed URL,
 * enters the printed code, and approves or aborts.
 *
 * Approve, deny, expiry and Ctrl-C, in-process and through a running daemon; Google refuses.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { completeDeviceSignIn } from '../support/identity-provider/device-browser.js';
import { cliEnvironment } from '../support/local-setup.js';
import { runCli, startCli, type RunningCli } from '../support/cli-process.js';

const ALICE = 'alice@contoso.test';
const DEVICE_PROMPT = /open (https:\/\/\S+) on any device and enter the code (\S+)/;

describe('device-code sign-in end to end (CLI, MSAL device flow, local identity provider)', () => {
  let idp: TestIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;

  const start = (id: string, extra: string[] = []): RunningCli => startCli(['account', 'add', id, '--device-code', ...extra], env);

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }] });
    home = await mkdtemp(join(tmpdir(), 'tokentray-device-'));
    env = cliEnvironment(idp, home, { BROWSER: '' });
  });

  after(async () => {
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('prints the verification URL and code; approving on another device connects the account', async () => {
    const running = start('dev');
    const [, uri, code] = await running.waitFor(DEVICE_PROMPT);
    // A second line on stderr: under load it can arrive after the prompt was matched.
    await running.waitFor(/Ctrl-C cancels/);
    assert.match(running.stderr(), /Ctrl-C cancels/);
    await completeDeviceSignIn(uri!, { userCode: code!, username: ALICE, decision: 'approve', caCertPem: idp.caCertPem });
    const result = await running.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Connected dev as alice@contoso\.test \(Microsoft, outlook\)/);
    const token = await runCli(['token', 'dev', '--json'], env);
    assert.equal(token.code, 0, token.stderr);
    const claims = await idp.verifyAccessToken((JSON.parse(token.stdout) as { accessToken: string }).accessToken, { audience: 'https://outlook.office.com' });
    assert.equal(claims.upn, ALICE);
  });

  it('reports a code declined on the other device, saving nothing', async () => {
    const running = start('denied');
    const [, uri, code] = await running.waitFor(DEVICE_PROMPT);
    await completeDeviceSignIn(uri!, { userCode: code!, decision: 'deny', caCertPem: idp.caCertPem });
    const result = await running.done;
    assert.equal(result.code, 1);
    assert.match(result.stderr, /declined on the other device/);
    const list = JSON.parse((await runCli(['account', 'list', '--json'], env)).stdout) as { id: string }[];
    assert.ok(!list.some((account) => account.id === 'denied'));
  });

  it('times out when the code expires before anyone signs in', async () => {
    idp.setDeviceCodeLifetime(3);
    try {
      const result = await start('late').done;
      assert.equal(result.code, 1);
      assert.match(result.stderr, /SIGN_IN_TIMEOUT|expired before the sign-in was completed/);
      assert.match(result.stderr, /device code expired/);
    } finally {
      idp.setDeviceCodeLifetime(900);
    }
  });

  it('Ctrl-C cancels the polling', async () => {
    const running = start('interrupted');
    await running.waitFor(DEVICE_PROMPT);
    running.child.kill('SIGINT');
    const result = await running.done;
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cancelled/);
  });

  it('works through a running daemon: the code is streamed to the command, Ctrl-C ends it there too', async () => {
    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready/);
      const running = start('via-daemon');
      const [, uri, code] = await running.waitFor(DEVICE_PROMPT);
      await completeDeviceSignIn(uri!, { userCode: code!, username: ALICE, decision: 'approve', caCertPem: idp.caCertPem });
      const result = await running.done;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Connected via-daemon/);

      const abandoned = start('abandoned');
      await abandoned.waitFor(DEVICE_PROMPT);
      abandoned.child.kill('SIGINT');
      const ended = await abandoned.done;
      assert.equal(ended.code, 1);
      assert.match(ended.stderr, /cancelled/);
      // The daemon is free for the next sign-in of that id (no sign-in left open).
      const again = start('abandoned');
      await again.waitFor(DEVICE_PROMPT);
      again.child.kill('SIGINT');
      assert.equal((await again.done).code, 1);
    } finally {
      serve.child.kill('SIGINT');
      assert.equal((await serve.done).code, 0);
    }
  });

  it('refuses device code for Google, pointing to --no-browser with SSH port forwarding', async () => {
    const result = await runCli(['account', 'add', 'gmail', '--provider', 'google', '--device-code'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Google does not allow the mail scopes on its device-code flow/);
    assert.match(result.stderr, /--no-browser/);
    assert.match(result.stderr, /SSH port forwarding/);
  });
});
