/**
 * Gmail end to end through the real `tokentray` processes, the real keychain,
 * google-auth-library itself and the local Google-shaped identity provider (reached through
 * the `google.endpoint` setting, i.e. the library's own endpoint options).
 *
 * connect → token → restart → refresh (the refresh token is not rotated) → revocation
 * (needs sign-in, invalid_grant) → sign in again through the daemon; declined consent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { completeSignIn } from '../support/identity-provider/index.js';
import { GMAIL_API_SCOPE, GMAIL_SCOPE, googleCliEnv, startGoogleIdentityProvider, type GoogleIdentityProvider } from '../support/identity-provider/google-identity-provider.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { BIN, runCli, startCli, type CliResult } from '../support/cli-process.js';
import { SIGN_IN_LINK } from '../support/loopback.js';

const LIFETIME_S = 10;
const ALICE = 'alice@gmail.test';

/** Runs tokentray with `input` on its standard input (how secrets are handed over). */
function runWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('Gmail end to end (CLI, keychain, google-auth-library, Google-shaped identity provider)', () => {
  let idp: GoogleIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const transcripts: string[] = [];

  const cli = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, env);
    transcripts.push(result.stderr);
    if (args[0] !== 'token') transcripts.push(result.stdout);
    return result;
  };

  const signIn = async (args: string[], options: { consent?: 'accept' | 'decline' } = {}): Promise<CliResult> => {
    const running = startCli(['account', 'add', ...args, '--no-browser'], env);
    const [link] = await running.waitFor(SIGN_IN_LINK);
    const played = await completeSignIn(link, { username: ALICE, caCertPem: idp.caCertPem, ...options }).catch(() => undefined);
    if (played?.authorizeUrl) {
      const authorize = new URL(played.authorizeUrl);
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(authorize.searchParams.get('access_type'), 'offline');
      assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    }
    const result = await running.done;
    transcripts.push(result.stdout, result.stderr);
    return result;
  };

  before(async () => {
    idp = await startGoogleIdentityProvider({ users: [ALICE] });
    home = await mkdtemp(join(tmpdir(), 'tokentray-google-e2e-'));
    env = googleCliEnv(idp, home);
  });

  after(async () => {
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('needs the client secret, which goes into the vault and never into config.json', async () => {
    const early = await cli(['account', 'add', 'gmail', '--provider', 'google', '--no-browser']);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /client secret is not in the vault/);
    assert.match(early.stderr, /config set-secret google\.clientSecret/);

    const stored = await runWithInput(['config', 'set-secret', 'google.clientSecret'], env, `${idp.clientSecret}\n`);
    assert.equal(stored.code, 0, stored.stderr);
    assert.match(stored.stdout, /stored in the vault/);
    const configText = await readFile(join(home, 'config.json'), 'utf8').catch(() => '');
    assert.ok(!configText.includes(idp.clientSecret), 'config.json holds no client secret');
    const vaultBytes = await readFile(join(home, 'vault.bin'), 'latin1');
    assert.ok(!vaultBytes.includes(idp.clientSecret), 'the vault is encrypted');
  });

  it('ends with SIGN_IN_CONSENT_DENIED when consent is declined, saving nothing', async () => {
    const declined = await signIn(['gmail', '--provider', 'google'], { consent: 'decline' });
    assert.equal(declined.code, 1);
    assert.match(declined.stderr, /Google sign-in ended without consent: access_denied/);
    assert.match(declined.stderr, /Test users/);
    assert.deepEqual(JSON.parse((await cli(['account', 'list', '--json'])).stdout), []);
  });

  it('connects, serves, restarts, refreshes without rotation, detects revocation and recovers', async () => {
    const added = await signIn(['gmail', '--provider', 'google', '--email', ALICE]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Connected gmail as alice@gmail\.test \(Google, gmail\)/);

    const first = await cli(['token', 'gmail', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const firstAnswer = JSON.parse(first.stdout) as { user: string; accessToken: string };
    assert.equal(firstAnswer.user, ALICE);
    const introspected = await idp.introspect(firstAnswer.accessToken);
    assert.equal(introspected?.email, ALICE);
    assert.ok(introspected?.scopes.includes(GMAIL_SCOPE), `scopes: ${introspected?.scopes.join(' ')}`);
    const listed = JSON.parse((await cli(['account', 'list', '--json'])).stdout) as { provider: string; profile: string }[];
    assert.deepEqual(listed.map((a) => [a.provider, a.profile]), [['google', 'gmail']]);

    // Restart: a new process serves the same token from the vault, no token-endpoint call.
    const refreshesBefore = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
    const again = await cli(['token', 'gmail', '--json']);
    assert.equal((JSON.parse(again.stdout) as { accessToken: string }).accessToken, firstAnswer.accessToken);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), refreshesBefore);

    // Short-lived tokens: sign in again, wait into the refresh window; one refresh, same refresh token.
    idp.setAccessTokenLifetime(LIFETIME_S);
    const short = await signIn(['gmail']);
    assert.equal(short.code, 0, short.stderr);
    const refreshTokensAfterSignIn = idp.issuedRefreshTokens().length;
    const shortAnswer = JSON.parse((await cli(['token', 'gmail', '--json'])).stdout) as { accessToken: string };
    await sleep((LIFETIME_S / 2) * 1000 + 300);
    const beforeRefresh = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
    const refreshed = await cli(['token', 'gmail', '--json']);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.notEqual((JSON.parse(refreshed.stdout) as { accessToken: string }).accessToken, shortAnswer.accessToken);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), beforeRefresh + 1);
    assert.equal(idp.issuedRefreshTokens().length, refreshTokensAfterSignIn, 'Google does not rotate refresh tokens');

    const serve = startCli(['serve', '--debug'], env);
    try {
      await serve.waitFor(/tokentray ready: auth server (http:\/\/\S+)/);
      const withCredentials = (await cli(['server-url'])).stdout.trim();
      const served = await askLikeEmailEngine(withCredentials, 'gmail', 'smtp');
      assert.equal(served.status, 200, served.body);
      assert.equal((JSON.parse(served.body) as { user: string }).user, ALICE);
      const wrongProto = await askLikeEmailEngine(withCredentials, 'gmail', 'api');
      assert.notEqual(wrongProto.status, 200, 'a gmail account does not serve proto=api');

      const status = JSON.parse((await cli(['status', '--json'])).stdout) as { accounts: { provider: string }[] };
      assert.equal(status.accounts[0]!.provider, 'google');
      assert.match((await cli(['status'])).stdout, /^gmail \(alice@gmail\.test, Google gmail\): /m, 'the text names the provider beside the profile');

      // Revoked at Google: the next refresh gets invalid_grant → needs sign-in.
      idp.revokeUser(ALICE);
      await sleep(LIFETIME_S * 750 + 500);
      const refused = await askLikeEmailEngine(withCredentials, 'gmail', 'imap');
      assert.equal(refused.status, 409, refused.body);
      const dead = await cli(['token', 'gmail']);
      assert.equal(dead.code, 3, dead.stderr);
      assert.match(dead.stderr, /invalid_grant/);
      assert.match(dead.stderr, /revoked, password changed, or unused for 6 months/);

      // Sign in again through the daemon: recovered.
      const recovered = await signIn(['gmail']);
      assert.equal(recovered.code, 0, recovered.stderr);
      const ok = await askLikeEmailEngine(withCredentials, 'gmail', 'imap');
      assert.equal(ok.status, 200, ok.body);
    } finally {
      serve.child.kill('SIGINT');
      const stopped = await serve.done;
      transcripts.push(stopped.stdout, stopped.stderr);
      assert.equal(stopped.code, 0, stopped.stderr);
    }
  });

  it('connects a gmail-api account with the Gmail API scope, served for proto=api only', async () => {
    const added = await signIn(['gapi', '--provider', 'google', '--profile', 'gmail-api']);
    assert.equal(added.code, 0, added.stderr);
    const token = await cli(['token', 'gapi', '--json']);
    assert.equal(token.code, 0, token.stderr);
    const scopes = (await idp.introspect((JSON.parse(token.stdout) as { accessToken: string }).accessToken))?.scopes ?? [];
    assert.ok(scopes.includes(GMAIL_API_SCOPE) && !scopes.includes(GMAIL_SCOPE), scopes.join(' '));
    const mixed = await cli(['account', 'add', 'gapi', '--profile', 'gmail']);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /already exists with the gmail-api profile/);
  });

  it('never prints or stores a Google token or the client secret in plaintext', async () => {
    const issued = idp.issuedTokens();
    assert.ok(issued.length >= 4);
    const printed = transcripts.join('\n');
    for (const token of [...issued, idp.clientSecret]) assert.ok(!printed.includes(token.slice(0, 30)), 'a message contains a secret');
  });
});
