/**
 * EmailEngine wired end to end through the real `tokentray` processes: the real keychain,
 * MSAL and the local identity provider, against an EmailEngine-shaped server that calls
 * tokentray's auth server exactly as EmailEngine 2.79 does (test/support/emailengine).
 *
 * One story: each preflight failure, connect (replacing another authServer only with
 * --replace), an Outlook account registered and connected, the secret rotated (authServer
 * follows, still connected), revocation seen on both sides, sign-in again (reconnect sent,
 * connected), a Graph account through EmailEngine's OAuth2 app (proto=api), a port change,
 * an account tokentray did not create (refused before the sign-in), tokentray stopped
 * (`fetch failed`), removal with and without --keep-in-emailengine, and finally a scan for
 * the EmailEngine API token in every file, transcript and process argv.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGN_IN_LINK, freePort } from '../support/loopback.js';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { completeSignIn, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider/index.js';
import { startFakeEmailEngine, type FakeEmailEngine } from '../support/emailengine/fake-emailengine.js';
import { cliEnvironment } from '../support/local-setup.js';
import { filesUnder } from '../support/files-under.js';
import { runCli, startCli, type CliResult, type RunningCli } from '../support/cli-process.js';

// EmailEngine's email check refuses .test domains (EMAILENGINE.md), so these use contoso.com.
const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const LIFETIME_S = 10;

interface EmailEngineStatusJson {
  emailengine: { connected: boolean; url: string | null; authServer: { kind: string } | null; error: { code: string } | null; licensed: boolean | null };
  accounts: Array<{ id: string; emailengine: { presence: string; state: string | null; lastError: { response: string } | null; hint: string | null } | null }>;
  orphans: Array<{ id: string }>;
}

describe('tokentray and EmailEngine end to end (CLI, keychain, MSAL, identity provider, EmailEngine-shaped server)', () => {
  let idp: TestIdentityProvider;
  let ee: FakeEmailEngine;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let eeToken: string;
  const transcripts: string[] = [];
  const argvSeen: string[] = [];

  const cli = async (args: string[], input?: string): Promise<CliResult> => {
    argvSeen.push(args.join(' '));
    const result = await runCli(args, env, input);
    transcripts.push(result.stdout, result.stderr);
    return result;
  };

  const signIn = async (args: string[], username: string): Promise<CliResult> => {
    argvSeen.push(args.join(' '));
    const running = startCli(['account', 'add', ...args, '--no-browser'], env);
    const [url] = await running.waitFor(SIGN_IN_LINK);
    await completeSignIn(url, { username, caCertPem: idp.caCertPem }).catch(() => undefined);
    const result = await running.done;
    transcripts.push(result.stdout, result.stderr);
    return result;
  };

  const eeStatus = async (): Promise<EmailEngineStatusJson> => {
    const result = await cli(['emailengine', 'status', '--json']);
    return JSON.parse(result.stdout) as EmailEngineStatusJson;
  };

  const accountIn = (status: EmailEngineStatusJson, id: string): EmailEngineStatusJson['accounts'][number]['emailengine'] =>
    status.accounts.find((account) => account.id === id)?.emailengine ?? null;

  let serve: RunningCli | null = null;
  const startServe = async (): Promise<void> => {
    serve = startCli(['serve'], env);
    await serve.waitFor(/tokentray ready/);
  };
  const stopServe = async (): Promise<void> => {
    if (!serve) return;
    const running = serve;
    serve = null;
    // What the daemon's process shows to `ps`: never the EmailEngine token.
    argvSeen.push(await readFile(`/proc/${running.child.pid}/cmdline`, 'latin1').catch(() => ''));
    running.child.kill('SIGINT');
    const stopped = await running.done;
    transcripts.push(stopped.stdout, stopped.stderr);
    assert.equal(stopped.code, 0, stopped.stderr);
  };

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: ALICE, name: 'Alice Example' }, { username: BOB, name: 'Bob Example' }] });
    ee = await startFakeEmailEngine();
    eeToken = ee.issueToken();
    home = await mkdtemp(join(tmpdir(), 'tokentray-e2e-ee-'));
    env = cliEnvironment(idp, home, { BROWSER: '' });
  });

  after(async () => {
    await stopServe().catch(() => undefined);
    await ee?.close();
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('connects EmailEngine, and accounts follow tokentray there through sign-in, rotation, revocation and removal', async () => {
    await startServe();

    // ---- preflight failures, each with its named error and nothing changed ----
    const closedPort = await freePort();
    const unreachable = await cli(['emailengine', 'connect', '--url', `http://127.0.0.1:${closedPort}`], eeToken);
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.match(unreachable.stderr, /could not be reached/);
    assert.match(unreachable.stderr, /Check that EmailEngine runs/);

    const badUrl = await cli(['emailengine', 'connect', '--url', 'ftp://127.0.0.1/'], eeToken);
    assert.equal(badUrl.code, 1);
    assert.match(badUrl.stderr, /http:\/\/ or https:\/\//);

    const wrongToken = await cli(['emailengine', 'connect', '--url', ee.url], 'f'.repeat(64));
    assert.equal(wrongToken.code, 1);
    assert.match(wrongToken.stderr, /refused the API token \(Bad token\)/);
    assert.match(wrongToken.stderr, /emailengine tokens issue -s '\*'/);

    const noToken = await cli(['emailengine', 'connect', '--url', ee.url], '');
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /No EmailEngine API token was given/);

    const narrowed = await cli(['emailengine', 'connect', '--url', ee.url], ee.issueToken({ account: 'someone' }));
    assert.equal(narrowed.code, 1);
    assert.match(narrowed.stderr, /Unauthorized account/);
    assert.match(narrowed.stderr, /full-privilege/);

    const scoped = await cli(['emailengine', 'connect', '--url', ee.url], ee.issueToken({ scopes: ['api'] }));
    assert.equal(scoped.code, 1);
    assert.match(scoped.stderr, /Unauthorized permission/);

    ee.version = '1.14.0';
    const old = await cli(['emailengine', 'connect', '--url', ee.url], eeToken);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /EmailEngine 1\.14\.0 is older than 2\.0\.0/);
    ee.version = '2.40.0';
    const older = await cli(['emailengine', 'connect', '--url', `${ee.url}/v1`], eeToken);
    assert.equal(older.code, 0, older.stderr);
    assert.match(older.stderr, /Graph-profile accounts .* needs EmailEngine 2\.47\.0/);
    assert.equal((await cli(['emailengine', 'disconnect'])).code, 0);
    ee.version = '2.79.2';

    // authServer is one global value: pointing elsewhere, it is replaced only with --replace.
    ee.settings.authServer = 'http://other:secret@192.0.2.10:8080/auth';
    ee.licensed = false;
    const elsewhere = await cli(['emailengine', 'connect', '--url', ee.url], eeToken);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, /points to another server \(http:\/\/192\.0\.2\.10:8080\/auth\)/);
    assert.doesNotMatch(elsewhere.stderr, /secret/, 'the other server\'s credentials are not shown');
    assert.match(elsewhere.stderr, /--replace/);
    assert.match(elsewhere.stderr, /stops its IMAP, SMTP and webhook workers 20 minutes after each start/);
    assert.equal(ee.settings.authServer, 'http://other:secret@192.0.2.10:8080/auth', 'left unchanged');

    ee.licensed = true;
    const connected = await cli(['emailengine', 'connect', '--url', ee.url, '--replace'], eeToken);
    assert.equal(connected.code, 0, connected.stderr);
    assert.match(connected.stdout, /EmailEngine connected at http:\/\/127\.0\.0\.1:\d+; its authServer replaced: now this tokentray/);
    const serverUrl = (await cli(['server-url'])).stdout.trim();
    assert.equal(ee.settings.authServer, serverUrl, 'authServer is this tokentray, read back');

    // ---- an Outlook account: registered, connected ----
    idp.setAccessTokenLifetime(LIFETIME_S);
    const added = await signIn(['alice', '--email', ALICE], ALICE);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /EmailEngine: registered the account/);
    await ee.settle();
    const registered = ee.accounts.get('alice')!;
    assert.deepEqual(registered.imap, { useAuthServer: true, host: 'outlook.office365.com', port: 993, secure: true });
    assert.deepEqual(registered.smtp, { useAuthServer: true, host: 'smtp.office365.com', port: 587, secure: false });
    assert.equal(registered.email, ALICE);
    assert.equal(registered.state, 'connected');
    assert.deepEqual(ee.authCalls.map((call) => [call.account, call.proto, call.status]), [['alice', 'imap', 200]], 'one auth-server call per connect');
    let status = await eeStatus();
    assert.equal(status.emailengine.connected, true);
    assert.equal(status.emailengine.authServer?.kind, 'this');
    assert.equal(accountIn(status, 'alice')?.state, 'connected');
    assert.equal(accountIn(status, 'alice')?.hint, null);
    const plain = await cli(['status']);
    assert.match(plain.stdout, /tokentray: valid token · EmailEngine: connected/);

    // ---- rotate: authServer follows in the same step; still connected ----
    const rotated = await cli(['server-url', '--rotate']);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stderr, /EmailEngine's authServer at http:\/\/127\.0\.0\.1:\d+ was updated in the same step/);
    assert.equal(ee.settings.authServer, rotated.stdout.trim());
    assert.notEqual(rotated.stdout.trim(), serverUrl);
    await ee.dropConnection('alice'); // the next IMAP login uses the new secret
    assert.equal(ee.accounts.get('alice')!.state, 'connected');
    assert.equal(ee.authCalls.at(-1)?.status, 200);

    // ---- revoke: both sides show it ----
    idp.revokeUser(ALICE, 50173);
    await sleep(LIFETIME_S * 750 + 500); // past the point where the token may be handed out
    await ee.dropConnection('alice');
    assert.equal(ee.accounts.get('alice')!.state, 'authenticationError');
    assert.match(ee.accounts.get('alice')!.lastError!.response, /^Invalid response: 409 .*alice/);
    status = await eeStatus();
    assert.equal(accountIn(status, 'alice')?.state, 'authenticationError');
    assert.match(accountIn(status, 'alice')?.lastError?.response ?? '', /Invalid response: 409/);
    assert.match(accountIn(status, 'alice')?.hint ?? '', /Sign in again \(`tokentray account add alice`\)/);
    const both = await cli(['status']);
    assert.equal(both.code, 3);
    assert.match(both.stdout, /tokentray: needs sign-in · EmailEngine: authenticationError — sign in again/);

    // ---- sign in again: reconnect sent, connected ----
    const reconnectsBefore = ee.apiRequests.filter((request) => request.method === 'PUT' && request.path === '/v1/account/alice/reconnect').length;
    const again = await signIn(['alice'], ALICE);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /EmailEngine: asked to reconnect the account now/);
    assert.equal(ee.apiRequests.filter((request) => request.method === 'PUT' && request.path === '/v1/account/alice/reconnect').length, reconnectsBefore + 1);
    await ee.settle();
    assert.equal(ee.accounts.get('alice')!.state, 'connected');
    assert.equal(accountIn(await eeStatus(), 'alice')?.state, 'connected');

    // ---- Graph accounts tokentray did not create, before it has a Graph app of its own ----
    const theirApp = (id: string, baseScopes: string) => ({
      id, name: `Production ${id}`, provider: 'outlook', baseScopes, clientId: '99999999-2222-3333-4444-555555555555', clientSecret: 'real', redirectUrl: 'https://ee.example.com/oauth', enabled: true,
    });
    ee.apps.set('THEIRS-IMAP', theirApp('THEIRS-IMAP', 'imap'));
    ee.apps.set('THEIRS-GRAPH', theirApp('THEIRS-GRAPH', 'api'));
    const onApp = (id: string, provider: string) => ({ account: id, email: BOB, imap: false as const, smtp: false as const, oauth2: { provider, useAuthServer: true, auth: { user: BOB } }, state: 'connected' as const, lastError: null });
    // Off an IMAP app onto tokentray's Graph app: a change shown before any sign-in.
    ee.accounts.set('dave', onApp('dave', 'THEIRS-IMAP'));
    const offImap = await cli(['account', 'add', 'dave', '--profile', 'graph', '--no-browser']);
    assert.equal(offImap.code, 1);
    assert.match(offImap.stderr, /oauth2\.provider: THEIRS-IMAP → tokentray-graph-app/);
    assert.match(offImap.stderr, /--overwrite-emailengine/);
    assert.equal((ee.accounts.get('dave')!.oauth2 as { provider: string }).provider, 'THEIRS-IMAP');
    ee.accounts.delete('dave');
    // On someone else's Graph app: it stays there (nothing to confirm), and is asked with proto=api.
    ee.accounts.set('erin', onApp('erin', 'THEIRS-GRAPH'));
    const onTheirs = await signIn(['erin', '--profile', 'graph', '--email', BOB], BOB);
    assert.equal(onTheirs.code, 0, onTheirs.stderr);
    await ee.settle();
    assert.equal((ee.accounts.get('erin')!.oauth2 as { provider: string }).provider, 'THEIRS-GRAPH');
    assert.equal(ee.apps.size, 2, 'no app of tokentray\'s own was created');
    assert.equal(ee.accounts.get('erin')!.state, 'connected');
    assert.deepEqual(ee.authCalls.filter((call) => call.account === 'erin').map((call) => [call.proto, call.status]), [['api', 200]]);
    const erinRemoved = await cli(['account', 'remove', 'erin']);
    assert.equal(erinRemoved.code, 0, erinRemoved.stderr);
    ee.apps.delete('THEIRS-IMAP');
    ee.apps.delete('THEIRS-GRAPH');

    // ---- a Graph account: EmailEngine's OAuth2 app with base scope api, proto=api ----
    const graph = await signIn(['bob-graph', '--profile', 'graph', '--email', BOB], BOB);
    assert.equal(graph.code, 0, graph.stderr);
    await ee.settle();
    const apps = [...ee.apps.values()];
    assert.equal(apps.length, 1);
    assert.equal(apps[0]!.provider, 'outlook');
    assert.equal(apps[0]!.baseScopes, 'api');
    const bob = ee.accounts.get('bob-graph')!;
    assert.deepEqual(bob.oauth2, { provider: apps[0]!.id, useAuthServer: true, auth: { user: BOB } });
    assert.equal(bob.state, 'connected');
    assert.deepEqual(
      ee.authCalls.filter((call) => call.account === 'bob-graph').map((call) => [call.proto, call.status]),
      [['api', 200]],
    );

    // ---- a port change: authServer follows ----
    const moved = await cli(['config', 'set', 'port', String(await freePort())]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stderr, /port changed; EmailEngine's authServer .* was updated in the same step/);
    const movedUrl = (await cli(['server-url'])).stdout.trim();
    assert.equal(ee.settings.authServer, movedUrl);
    await ee.dropConnection('alice');
    assert.equal(ee.accounts.get('alice')!.state, 'connected');

    // ---- an account tokentray did not create: the changes are shown before any sign-in ----
    ee.accounts.set('carol', {
      account: 'carol',
      email: 'carol@contoso.com',
      imap: { host: 'imap.example.com', port: 993, secure: true, auth: { user: 'carol', pass: '******' } },
      smtp: false,
      state: 'connected',
      lastError: null,
    });
    const conflict = await cli(['account', 'add', 'carol', '--no-browser']);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /EmailEngine already has an account carol that tokentray did not create/);
    assert.match(conflict.stderr, /imap\.host: imap\.example\.com → outlook\.office365\.com/);
    assert.match(conflict.stderr, /--overwrite-emailengine/);
    assert.doesNotMatch(conflict.stderr, /authorize/, 'no sign-in was started');
    assert.equal(ee.accounts.get('carol')!.imap && (ee.accounts.get('carol')!.imap as { host: string }).host, 'imap.example.com');

    // ---- tokentray stopped: EmailEngine says `fetch failed`, and the hint says so ----
    await stopServe();
    await ee.dropConnection('alice');
    assert.equal(ee.accounts.get('alice')!.lastError?.response, 'fetch failed');
    status = await eeStatus(); // in-process: no daemon
    assert.match(accountIn(status, 'alice')?.hint ?? '', /could not reach tokentray/);
    await startServe();
    await ee.dropConnection('alice');
    assert.equal(ee.accounts.get('alice')!.state, 'connected', JSON.stringify(ee.accounts.get('alice')!.lastError));

    // ---- removal: with --keep-in-emailengine it stays there (and shows as not connected here) ----
    const kept = await cli(['account', 'remove', 'alice', '--keep-in-emailengine']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /kept it in EmailEngine/);
    assert.ok(ee.accounts.has('alice'));
    status = await eeStatus();
    assert.deepEqual(status.orphans.map((orphan) => orphan.id), ['alice'], 'carol does not use the auth server');
    const listed = await cli(['emailengine', 'status']);
    assert.match(listed.stdout, /alice: in EmailEngine, not connected here/);

    const removed = await cli(['account', 'remove', 'bob-graph']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Removed bob-graph from tokentray and from EmailEngine/);
    assert.ok(!ee.accounts.has('bob-graph'));

    const disconnected = await cli(['emailengine', 'disconnect']);
    assert.equal(disconnected.code, 0);
    assert.equal((await eeStatus()).emailengine.connected, false);
    await stopServe();
  });

  it('never writes the EmailEngine API token to a file, a transcript or a process argv', async () => {
    assert.ok(eeToken.length === 64);
    const files = await filesUnder(home);
    assert.ok(files.some((file) => file.endsWith('vault.bin')));
    for (const file of files) {
      const content = await readFile(file, 'latin1');
      assert.ok(!content.includes(eeToken), `${file} contains the EmailEngine token`);
      assert.ok(!content.includes(Buffer.from(eeToken).toString('base64').slice(0, 40)), `${file} contains the EmailEngine token (base64)`);
    }
    assert.ok(!transcripts.join('\n').includes(eeToken), 'a transcript contains the EmailEngine token');
    assert.ok(!argvSeen.join('\n').includes(eeToken), 'an argv contains the EmailEngine token');
  });
});
