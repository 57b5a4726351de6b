/**
 * What a user can cause or meet, through the real `tokentray` process: a cancelled or
 * abandoned sign-in, the wrong Microsoft user, a refused consent, a blocked app, an
 * unavailable keychain, a lost vault key and a damaged vault. Each ends in its named error,
 * leaves no listener behind and loses nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { completeSignIn, startIdentityProvider, type CompleteSignInOptions, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { acceptsConnections, loopbackPortOf, SIGN_IN_LINK } from '../support/loopback.js';
import { cliEnvironment } from '../support/local-setup.js';
import { runCli, startCli, type CliResult } from '../support/cli-process.js';

const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';

const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

describe('tokentray failures a user can meet', () => {
  let idp: TestIdentityProvider;
  const homes: string[] = [];

  const freshEnv = async (extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> => {
    const home = await mkdtemp(join(tmpdir(), 'tokentray-fail-'));
    homes.push(home);
    return cliEnvironment(idp, home, { BROWSER: '', ...extra });
  };

  /** Starts `account add`, plays the browser with `browser`, returns the result and the loopback port. */
  const addAccount = async (
    env: NodeJS.ProcessEnv,
    args: string[],
    browser: ((url: string) => Promise<unknown>) | null,
  ): Promise<{ result: CliResult; port: number; url: string; running: ReturnType<typeof startCli> }> => {
    const running = startCli(['account', 'add', ...args, '--no-browser'], env);
    const [url] = await running.waitFor(SIGN_IN_LINK);
    if (browser) await browser(url).catch(() => undefined);
    return { result: await running.done, port: loopbackPortOf(url), url, running };
  };

  const signInAs = (username: string, options: Partial<CompleteSignInOptions> = {}) => (url: string) =>
    completeSignIn(url, { username, caCertPem: idp.caCertPem, ...options });

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE }, { username: BOB }] });
  });

  after(async () => {
    await idp?.close();
    for (const home of homes) await rm(home, { recursive: true, force: true });
  });

  it('cancels a sign-in on Ctrl-C, closes the loopback listener and saves nothing', async () => {
    const env = await freshEnv();
    const running = startCli(['account', 'add', 'sales', '--no-browser'], env);
    const [url] = await running.waitFor(SIGN_IN_LINK);
    const port = loopbackPortOf(url);
    assert.equal(await acceptsConnections(port), true, 'MSAL listens while the sign-in is open');
    running.child.kill('SIGINT');
    const result = await running.done;
    assert.equal(result.code, 1);
    assert.match(result.stderr, /sign-in was cancelled/);
    assert.equal(await acceptsConnections(port), false, 'no listener is left behind');
    const list = await runCli(['account', 'list', '--json'], env);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('cancels a sign-in running inside the daemon when the command is interrupted', async () => {
    const env = await freshEnv();
    const serve = startCli(['serve'], env);
    try {
      await serve.waitFor(/tokentray ready/);
      const running = startCli(['account', 'add', 'sales', '--no-browser'], env);
      const [url] = await running.waitFor(SIGN_IN_LINK);
      const port = loopbackPortOf(url);
      assert.equal(await acceptsConnections(port), true);
      running.child.kill('SIGINT');
      const result = await running.done;
      assert.equal(result.code, 1);
      assert.match(result.stderr, /sign-in was cancelled/);
      assert.equal(await acceptsConnections(port), false, 'the daemon closed its loopback listener');
      const list = await runCli(['account', 'list', '--json'], env);
      assert.deepEqual(JSON.parse(list.stdout), []);
    } finally {
      serve.child.kill('SIGINT');
      assert.equal((await serve.done).code, 0);
    }
  });

  it('ends an abandoned sign-in after the timeout and closes the listener', async () => {
    const env = await freshEnv({ TOKENTRAY_SIGN_IN_TIMEOUT_SECONDS: '10' });
    const { result, port } = await addAccount(env, ['sales'], null);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /timed out/);
    assert.match(result.stderr, /hint: .*Nothing was saved/);
    assert.equal(await acceptsConnections(port), false);
  });

  it('refuses a sign-in as someone other than the address given, without creating the account', async () => {
    const env = await freshEnv();
    const { result } = await addAccount(env, ['sales', '--email', BOB], signInAs(ALICE));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /You signed in as alice@contoso\.test, but account "sales" is for bob@contoso\.test/);
    const list = await runCli(['account', 'list', '--json'], env);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('reports a declined consent and a blocked app with their AADSTS reasons', async () => {
    const env = await freshEnv();
    const declined = await addAccount(env, ['sales'], signInAs(ALICE, { consent: 'decline' }));
    assert.equal(declined.result.code, 1);
    assert.match(declined.result.stderr, /without consent: AADSTS65004/);
    const blocked = await addAccount(env, ['sales'], signInAs(ALICE, { outcome: 'blocked' }));
    assert.equal(blocked.result.code, 1);
    assert.match(blocked.result.stderr, /AADSTS50105/);
    assert.match(blocked.result.stderr, /hint: Ask your administrator/);
    const list = await runCli(['account', 'list', '--json'], env);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('names an unavailable keychain, a missing vault key and a damaged vault, and changes nothing', async () => {
    const env = await freshEnv();
    const added = await addAccount(env, ['sales', '--email', ALICE], signInAs(ALICE));
    assert.equal(added.result.code, 0, added.result.stderr);
    const vault = join(env.TOKENTRAY_HOME!, 'vault.bin');
    const original = await sha256(vault);

    // No Secret Service reachable (no D-Bus session).
    const noKeychain = await runCli(['token', 'sales'], { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    assert.equal(noKeychain.code, 1);
    assert.match(noKeychain.stderr, /keychain is not available/);
    assert.match(noKeychain.stderr, /hint: Start or unlock your desktop keyring/);
    assert.equal(await sha256(vault), original);

    // A new account while the keychain is unavailable fails before the browser opens.
    const early = await runCli(['account', 'add', 'other', '--no-browser'], { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    assert.equal(early.code, 1);
    assert.doesNotMatch(early.stderr, /authorize/);

    // A damaged vault is reported and left as it was.
    const bytes = await readFile(vault);
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 20]! ^= 0xff;
    await writeFile(vault, damaged);
    const damagedHash = await sha256(vault);
    const corrupt = await runCli(['status'], env);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /cannot be read: it does not decrypt/);
    assert.match(corrupt.stderr, /vault reset/);
    assert.equal(await sha256(vault), damagedHash);

    // Restored from "backup": everything is back.
    await writeFile(vault, bytes);
    const token = await runCli(['token', 'sales'], env);
    assert.equal(token.code, 0, token.stderr);

    // The keychain entry is lost: reported as such, not replaced by a new key.
    const header = (await readFile(vault)).subarray(4, 20).toString('hex');
    const keychain = new KeytarSecretStore();
    const key = await keychain.get(`vault-key/${header}`);
    assert.ok(key);
    await keychain.delete(`vault-key/${header}`);
    const missing = await runCli(['token', 'sales'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /key for the vault .* is not in the OS keychain/);
    assert.equal(await keychain.get(`vault-key/${header}`), null, 'no new key was made');
    await keychain.set(`vault-key/${header}`, key);
    assert.equal((await runCli(['token', 'sales'], env)).code, 0);

    // An explicit reset starts over and keeps the old file aside.
    const reset = await runCli(['vault', 'reset', '--yes'], env);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /moved to .*vault\.bin\.reset-\d+/);
    const list = await runCli(['account', 'list', '--json'], env);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('answers usage mistakes with exit code 2 and a hint', async () => {
    const env = await freshEnv();
    const badId = await runCli(['account', 'add', '-bad id'], env);
    assert.equal(badId.code, 2);
    const badSetting = await runCli(['config', 'set', 'cloud', 'mars'], env);
    assert.equal(badSetting.code, 2);
    assert.match(badSetting.stderr, /"cloud".*Allowed: global, gcc-high, dod, china/);
    const unknownAccount = await runCli(['token', 'nobody'], env);
    assert.equal(unknownAccount.code, 1);
    assert.match(unknownAccount.stderr, /hint: Check the id with `tokentray account list`/);
    const help = await runCli(['token', '--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: tokentray token <id>/);
  });
});
