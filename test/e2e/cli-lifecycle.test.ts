/**
 * End to end through the real `tokentray` processes, the real keychain (a private D-Bus
 * session with gnome-keyring, see scripts/with-keyring.sh), MSAL itself and the local
 * identity provider. The test plays the browser by following the authorize page and posting
 * the form back to MSAL's loopback listener.
 *
 * After the first sign-in, tokens live 10 s so that expiry and refresh happen within the test.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { cliEnvironment } from '../support/local-setup.js';
import { SIGN_IN_LINK } from '../support/loopback.js';
import { filesUnder } from '../support/files-under.js';
import { runCli, startCli, type CliResult, type RunningCli } from '../support/cli-process.js';

const LIFETIME_S = 10;
const ALICE = 'alice@contoso.test';



describe('tokentray end to end (CLI, keychain, MSAL, local identity provider)', () => {
  let idp: TestIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const transcripts: string[] = []; // every stdout/stderr the processes printed, for the leak check
  const tokenOutputs = new Set<string>(); // what `tokentray token` printed on purpose

  const cli = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> => {
    const result = await runCli(args, { ...env, ...extraEnv });
    transcripts.push(result.stderr);
    if (args[0] !== 'token') transcripts.push(result.stdout);
    else tokenOutputs.add(result.stdout);
    return result;
  };

  const signIn = async (args: string[], username: string, extra: Parameters<typeof completeSignIn>[1] | object = {}): Promise<CliResult> => {
    const running = startCli(['account', 'add', ...args, '--no-browser'], env);
    const [url] = await running.waitFor(SIGN_IN_LINK);
    await completeSignIn(url, { username, caCertPem: idp.caCertPem, ...extra }).catch(() => undefined);
    const result = await running.done;
    transcripts.push(result.stdout, result.stderr);
    return result;
  };

  before(async () => {
    idp = await startIdentityProvider({
      users: [{ username: ALICE, name: 'Alice Example' }, { username: 'bob@contoso.test', name: 'Bob Example' }],
    });
    home = await mkdtemp(join(tmpdir(), 'tokentray-e2e-'));
    env = cliEnvironment(idp, home, { BROWSER: '' });
  });

  after(async () => {
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('connects, serves, restarts, refreshes, detects revocation, recovers and removes an account', async () => {
    // Connect.
    const added = await signIn(['alice', '--email', ALICE], ALICE);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Connected alice as alice@contoso\.test \(Microsoft, outlook\)/);
    const mode = (await stat(join(home, 'vault.bin'))).mode & 0o777;
    assert.equal(mode, 0o600, 'the vault is owner-only');

    // A token, valid for Outlook (tokens live an hour for now), for the signed-in user.
    const first = await cli(['token', 'alice', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const firstAnswer = JSON.parse(first.stdout) as { user: string; accessToken: string; expiresAt: string };
    assert.equal(firstAnswer.user, ALICE);
    const claims = await idp.verifyAccessToken(firstAnswer.accessToken, { audience: 'https://outlook.office.com' });
    assert.equal(claims.upn, ALICE);

    // "Restart": a new process prints the same token from the vault, without any network call.
    const refreshesBefore = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
    const again = await cli(['token', 'alice', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { accessToken: string }).accessToken, firstAnswer.accessToken);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), refreshesBefore);

    // Short-lived tokens from here on: sign in again (same user), then let the token reach
    // its refresh window; the next request refreshes it.
    idp.setAccessTokenLifetime(LIFETIME_S);
    const short = await signIn(['alice'], ALICE);
    assert.equal(short.code, 0, short.stderr);
    const shortAnswer = JSON.parse((await cli(['token', 'alice', '--json'])).stdout) as { accessToken: string };
    await sleep((LIFETIME_S / 2) * 1000 + 300);
    const beforeExpiryRefresh = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
    const refreshed = await cli(['token', 'alice', '--json']);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const refreshedAnswer = JSON.parse(refreshed.stdout) as { accessToken: string; expiresAt: string };
    assert.notEqual(refreshedAnswer.accessToken, shortAnswer.accessToken);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), beforeExpiryRefresh + 1);

    // The daemon: auth server + control channel. Other commands now go through it.
    const serve: RunningCli = startCli(['serve', '--debug'], env);
    try {
      const [, serverUrl] = await serve.waitFor(/tokentray ready: auth server (http:\/\/\S+)/);
      const readyAt = Date.now(); // the daemon has just loaded (and, tokens being short, renewed) alice's token
      assert.match(serverUrl!, /^http:\/\/127\.0\.0\.1:\d+\/authentication$/);
      const urlResult = await cli(['server-url']);
      assert.equal(urlResult.code, 0, urlResult.stderr);
      const withCredentials = urlResult.stdout.trim();
      assert.match(withCredentials, /^http:\/\/emailengine:[A-Za-z0-9._~-]{22,}@127\.0\.0\.1:\d+\/authentication$/);

      // Served from memory: no identity-provider call.
      const callsBefore = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
      const served = await askLikeEmailEngine(withCredentials, 'alice', 'imap');
      assert.equal(served.status, 200, served.body);
      const servedAnswer = JSON.parse(served.body) as { user: string; accessToken: string };
      assert.deepEqual(Object.keys(servedAnswer).sort(), ['accessToken', 'user']);
      assert.equal(servedAnswer.user, ALICE);
      assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), callsBefore);

      // Past the point where it may be handed out, 50 concurrent requests share one refresh.
      await sleep(Math.max(0, readyAt + LIFETIME_S * 800 - Date.now()));
      const burst = await Promise.all(Array.from({ length: 50 }, () => askLikeEmailEngine(withCredentials, 'alice', 'smtp')));
      assert.ok(burst.every((response) => response.status === 200), burst.map((r) => `${r.status} ${r.reason}`).join(', '));
      assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), callsBefore + 1, 'exactly one token-endpoint call');
      const tokens = new Set(burst.map((response) => (JSON.parse(response.body) as { accessToken: string }).accessToken));
      assert.equal(tokens.size, 1);
      assert.ok(!tokens.has(servedAnswer.accessToken), 'the burst got the new token');

      // Status through the daemon shows EmailEngine's last request.
      const status = await cli(['status', '--json']);
      assert.equal(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout) as { accounts: { id: string; state: { kind: string }; lastRequest: { proto: string; outcome: string } | null }[]; server: { running: boolean } };
      assert.equal(report.server.running, true);
      assert.equal(report.accounts[0]!.state.kind, 'active');
      assert.equal(report.accounts[0]!.lastRequest?.proto, 'smtp');

      // Revocation (password changed): the next refresh says "needs sign-in" with the reason.
      idp.revokeUser(ALICE, 50173);
      await sleep(LIFETIME_S * 750 + 500);
      const refused = await askLikeEmailEngine(withCredentials, 'alice', 'imap');
      assert.equal(refused.status, 409, refused.body);
      assert.match(refused.reason, /sign in/i);
      assert.match(refused.reason, /alice/);
      const dead = await cli(['token', 'alice']);
      assert.equal(dead.code, 3, 'exit code 3: needs sign-in');
      assert.match(dead.stderr, /AADSTS50173/);
      assert.match(dead.stderr, /password changed/);
      const deadStatus = JSON.parse((await cli(['status', '--json'])).stdout) as { accounts: { state: { kind: string; reason?: { code: string } } }[] };
      assert.equal(deadStatus.accounts[0]!.state.kind, 'needs-sign-in');
      assert.equal(deadStatus.accounts[0]!.state.reason?.code, 'AADSTS50173');

      // Sign in again through the daemon: the account recovers.
      const again2 = await signIn(['alice'], ALICE);
      assert.equal(again2.code, 0, again2.stderr);
      const recovered = await askLikeEmailEngine(withCredentials, 'alice', 'imap');
      assert.equal(recovered.status, 200, recovered.body);
    } finally {
      serve.child.kill('SIGINT');
      const stopped = await serve.done;
      transcripts.push(stopped.stdout, stopped.stderr);
      assert.equal(stopped.code, 0, stopped.stderr);
    }

    // Remove: nothing about the account remains.
    const removed = await cli(['account', 'remove', 'alice']);
    assert.equal(removed.code, 0, removed.stderr);
    const list = await cli(['account', 'list', '--json']);
    assert.deepEqual(JSON.parse(list.stdout), []);
    const gone = await cli(['token', 'alice']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no tokentray account "alice"/);
  });

  it('never writes an access, refresh or id token in plaintext to the data directory or a log', async () => {
    const issued = idp.issuedTokens();
    assert.ok(issued.length >= 4, `the provider issued tokens (${issued.length})`);
    const files = await filesUnder(home);
    assert.ok(files.some((file) => file.endsWith('vault.bin')));
    for (const file of files) {
      const content = await readFile(file, 'latin1');
      for (const token of issued) {
        assert.ok(!content.includes(token.slice(0, 40)), `${file} contains a token in plaintext`);
      }
    }
    const printed = transcripts.join('\n');
    for (const token of issued) assert.ok(!printed.includes(token.slice(0, 40)), 'a log or message contains a token');
    assert.ok(tokenOutputs.size > 0);
  });
});
