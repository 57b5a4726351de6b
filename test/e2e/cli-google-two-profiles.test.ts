/**
 * One Google user connected twice, for IMAP/SMTP (`gmail`) and for the Gmail API
 * (`gmail-api`), end to end through the real `tokentray` processes, the real keychain,
 * google-auth-library and the local Google-shaped identity provider.
 *
 * Each account keeps its own grant: each is served a token for its own scope, after a restart
 * too; invalid_grant on one grant leaves the other refreshing; removing one account leaves the
 * other refreshing; a vault of the release before (one grant per bare `sub`) still serves.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { completeSignIn } from '../support/identity-provider/index.js';
import { GMAIL_API_SCOPE, GMAIL_SCOPE, googleCliEnv, startGoogleIdentityProvider, type GoogleIdentityProvider } from '../support/identity-provider/google-identity-provider.js';
import { askLikeEmailEngine } from '../support/emailengine-client.js';
import { runCli, startCli, type CliResult, type RunningCli } from '../support/cli-process.js';
import { SIGN_IN_LINK } from '../support/loopback.js';
import { KeytarSecretStore } from '../../src/core/storage/keytar-secret-store.js';
import { dataFiles } from '../../src/core/storage/paths.js';
import { Vault } from '../../src/core/storage/vault.js';

const LIFETIME_S = 10;
const ALICE = 'alice@gmail.test';

describe('one Google user as a gmail and a gmail-api account (CLI, keychain, Google-shaped identity provider)', () => {
  let idp: GoogleIdentityProvider;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let serve: RunningCli | null = null;
  let serverUrl = '';

  const cli = (args: string[]): Promise<CliResult> => runCli(args, env);

  const signIn = async (args: string[]): Promise<void> => {
    const running = startCli(['account', 'add', ...args, '--no-browser'], env);
    const [link] = await running.waitFor(SIGN_IN_LINK);
    await completeSignIn(link, { username: ALICE, caCertPem: idp.caCertPem });
    const result = await running.done;
    assert.equal(result.code, 0, result.stderr);
  };

  /** The scopes of the token `token ID` prints (the identity provider's own record of it). */
  const tokenScopes = async (id: string): Promise<{ accessToken: string; scopes: string[] }> => {
    const result = await cli(['token', id, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const { accessToken, user } = JSON.parse(result.stdout) as { accessToken: string; user: string };
    assert.equal(user, ALICE);
    return { accessToken, scopes: (await idp.introspect(accessToken))?.scopes ?? [] };
  };

  /** What the running daemon serves EmailEngine for an account, with the token's scopes. */
  const served = async (id: string, proto: 'imap' | 'api'): Promise<{ status: number; accessToken: string; scopes: string[] }> => {
    const answer = await askLikeEmailEngine(serverUrl, id, proto);
    if (answer.status !== 200) return { status: answer.status, accessToken: '', scopes: [] };
    const { accessToken } = JSON.parse(answer.body) as { accessToken: string };
    return { status: 200, accessToken, scopes: (await idp.introspect(accessToken))?.scopes ?? [] };
  };

  const startServe = async (): Promise<void> => {
    serve = startCli(['serve'], env);
    await serve.waitFor(/tokentray ready: auth server (http:\/\/\S+)/);
    serverUrl = (await cli(['server-url'])).stdout.trim();
  };

  const stopServe = async (): Promise<void> => {
    if (!serve) return;
    serve.child.kill('SIGINT');
    const stopped = await serve.done;
    serve = null;
    assert.equal(stopped.code, 0, stopped.stderr);
  };

  const assertImapScope = (scopes: string[]): void => assert.ok(scopes.includes(GMAIL_SCOPE) && !scopes.includes(GMAIL_API_SCOPE), `gmail token scopes: ${scopes.join(' ')}`);
  const assertApiScope = (scopes: string[]): void => assert.ok(scopes.includes(GMAIL_API_SCOPE) && !scopes.includes(GMAIL_SCOPE), `gmail-api token scopes: ${scopes.join(' ')}`);

  before(async () => {
    idp = await startGoogleIdentityProvider({ users: [ALICE], accessTokenLifetimeSeconds: LIFETIME_S });
    home = await mkdtemp(join(tmpdir(), 'tokentray-google-two-'));
    env = googleCliEnv(idp, home);
    const stored = await runCli(['config', 'set-secret', 'google.clientSecret'], env, `${idp.clientSecret}\n`);
    assert.equal(stored.code, 0, stored.stderr);
  });

  after(async () => {
    if (serve) {
      serve.child.kill('SIGKILL');
      await serve.done;
    }
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('serves each account a token for its own scope, from the CLI and after a restart of serve', async () => {
    await signIn(['mail', '--provider', 'google', '--email', ALICE]);
    await signIn(['mailapi', '--provider', 'google', '--profile', 'gmail-api', '--email', ALICE]);
    assert.equal(idp.issuedRefreshTokens().length, 2, 'two sign-ins, two grants');

    assertImapScope((await tokenScopes('mail')).scopes);
    assertApiScope((await tokenScopes('mailapi')).scopes);

    await startServe();
    const imap = await served('mail', 'imap');
    assert.equal(imap.status, 200);
    assertImapScope(imap.scopes);
    const api = await served('mailapi', 'api');
    assert.equal(api.status, 200);
    assertApiScope(api.scopes);

    await stopServe();
    await startServe();
    assertImapScope((await served('mail', 'imap')).scopes);
    assertApiScope((await served('mailapi', 'api')).scopes);
  });

  it('keeps refreshing the gmail account when Google rejects the gmail-api grant', async () => {
    const before = await served('mail', 'imap');
    idp.revokeGrant(ALICE, GMAIL_API_SCOPE);
    await sleep(LIFETIME_S * 750 + 500); // past the point where the tokens may be handed out
    const api = await served('mailapi', 'api');
    assert.equal(api.status, 409, 'the gmail-api account needs sign-in');
    const dead = await cli(['token', 'mailapi']);
    assert.equal(dead.code, 3, dead.stderr);
    assert.match(dead.stderr, /invalid_grant/);

    const imap = await served('mail', 'imap');
    assert.equal(imap.status, 200);
    assert.notEqual(imap.accessToken, before.accessToken, 'refreshed');
    assertImapScope(imap.scopes);
    // Once more, after the rejected grant was forgotten: the gmail grant is still there.
    await sleep(LIFETIME_S * 750 + 500);
    const later = await served('mail', 'imap');
    assert.equal(later.status, 200);
    assert.notEqual(later.accessToken, imap.accessToken, 'refreshed again');
    assertImapScope(later.scopes);

    await signIn(['mailapi']); // through the daemon
    const recovered = await served('mailapi', 'api');
    assert.equal(recovered.status, 200);
    assertApiScope(recovered.scopes);
  });

  it('keeps refreshing the gmail-api account after the gmail account is removed', async () => {
    const before = await served('mailapi', 'api');
    const removed = await cli(['account', 'remove', 'mail']);
    assert.equal(removed.code, 0, removed.stderr);
    const refreshes = idp.tokenEndpointCalls({ grantType: 'refresh_token' });
    await sleep(LIFETIME_S * 750 + 500);
    const api = await served('mailapi', 'api');
    assert.equal(api.status, 200);
    assert.notEqual(api.accessToken, before.accessToken, 'refreshed');
    assertApiScope(api.scopes);
    assert.ok(idp.tokenEndpointCalls({ grantType: 'refresh_token' }) > refreshes);
    assert.notEqual((await served('mail', 'imap')).status, 200, 'the removed account is not served');
    await stopServe();
    assertApiScope((await tokenScopes('mailapi')).scopes);
  });

  it('serves from a vault of the release before (one grant under the bare sub) without a sign-in, and moves it on the next refresh', async () => {
    const sub = idp.users[0]!.sub;
    const apiKey = `${sub} ${GMAIL_API_SCOPE}`;
    const vaultPath = dataFiles(home).vault;
    const secrets = new KeytarSecretStore();
    const vault = await Vault.open(vaultPath, secrets);
    assert.deepEqual(Object.keys(vault.document.googleTokens ?? {}), [apiKey], 'the removed gmail account\'s grant is gone');
    await vault.update((doc) => {
      doc.googleTokens = { [sub]: doc.googleTokens![apiKey]! }; // as the release before wrote it
    });
    await vault.flush();

    const cached = await tokenScopes('mailapi');
    assertApiScope(cached.scopes);
    await sleep((LIFETIME_S / 2) * 1000 + 300); // into the refresh window
    const refreshed = await tokenScopes('mailapi');
    assert.notEqual(refreshed.accessToken, cached.accessToken, 'refreshed with the old record\'s refresh token');
    assertApiScope(refreshed.scopes);
    const after = await Vault.open(vaultPath, secrets);
    assert.deepEqual(Object.keys(after.document.googleTokens ?? {}), [apiKey], 'moved to its own key');
  });
});
