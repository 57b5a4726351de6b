/**
 * Gmail accounts registered in EmailEngine by tokentray, end to end: the real `tokentray`
 * processes and keychain, google-auth-library against the Google-shaped local identity
 * provider, and the EmailEngine-shaped server (test/support/emailengine), whose "mail server"
 * accepts only a token that provider issued for that mailbox with the scope of its protocol.
 *
 * A `gmail-api` account: tokentray creates its "gmail" OAuth2 app of base scope api in
 * EmailEngine once, registers the account on it with oauth2.useAuthServer, and EmailEngine's
 * stand-in asks with proto=api and gets a 200 with a Gmail API token. Then a `gmail` (IMAP +
 * SMTP) account on Gmail's hosts (proto=imap), a second sign-in (reconnect), the app reused,
 * and removal with and without --keep-in-emailengine.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { completeSignIn } from '../support/identity-provider/index.js';
import { GMAIL_API_SCOPE, GMAIL_SCOPE, googleCliEnv, startGoogleIdentityProvider, type GoogleIdentityProvider } from '../support/identity-provider/google-identity-provider.js';
import { startFakeEmailEngine, type FakeEmailEngine } from '../support/emailengine/fake-emailengine.js';
import { runCli, startCli, type CliResult, type RunningCli } from '../support/cli-process.js';
import { SIGN_IN_LINK } from '../support/loopback.js';

// EmailEngine's email check refuses .test domains (EMAILENGINE.md).
const ANN = 'ann@gmail.com';
const BEN = 'ben@gmail.com';

describe('Gmail accounts in EmailEngine end to end (CLI, keychain, google-auth-library, Google-shaped provider, EmailEngine-shaped server)', () => {
  let idp: GoogleIdentityProvider;
  let ee: FakeEmailEngine;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let serve: RunningCli | null = null;
  const verified: Array<{ user: string; proto: string; ok: boolean }> = [];

  const cli = (args: string[], input?: string): Promise<CliResult> => runCli(args, env, input);

  const signIn = async (args: string[], username: string): Promise<CliResult> => {
    const running = startCli(['account', 'add', ...args, '--no-browser'], env);
    const [link] = await running.waitFor(SIGN_IN_LINK);
    await completeSignIn(link, { username, caCertPem: idp.caCertPem }).catch(() => undefined);
    return running.done;
  };

  before(async () => {
    idp = await startGoogleIdentityProvider({ users: [ANN, BEN] });
    ee = await startFakeEmailEngine({
      // The "mail server" (Gmail's API or IMAP): only a token Google issued for this mailbox, with the scope of the protocol.
      verifyToken: async (token, user, proto) => {
        const seen = await idp.introspect(token);
        const ok = seen !== null && seen.email === user && seen.scopes.includes(proto === 'api' ? GMAIL_API_SCOPE : GMAIL_SCOPE);
        verified.push({ user, proto, ok });
        return ok;
      },
    });
    home = await mkdtemp(join(tmpdir(), 'tokentray-e2e-ee-google-'));
    env = googleCliEnv(idp, home);
    const secret = await cli(['config', 'set-secret', 'google.clientSecret'], `${idp.clientSecret}\n`);
    assert.equal(secret.code, 0, secret.stderr);
  });

  after(async () => {
    if (serve) {
      serve.child.kill('SIGINT');
      await serve.done;
    }
    await ee?.close();
    await idp?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('registers a gmail-api account on a Gmail API app; EmailEngine asks with proto=api and gets a Gmail API token', async () => {
    serve = startCli(['serve'], env);
    await serve.waitFor(/tokentray ready/);
    const connected = await cli(['emailengine', 'connect', '--url', ee.url], ee.issueToken());
    assert.equal(connected.code, 0, connected.stderr);

    const added = await signIn(['mail', '--provider', 'google', '--profile', 'gmail-api', '--email', ANN], ANN);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Connected mail as ann@gmail\.com \(Google, gmail-api\)/);
    assert.match(added.stdout, /EmailEngine: registered the account/);
    await ee.settle();

    const apps = [...ee.apps.values()];
    assert.equal(apps.length, 1);
    assert.deepEqual([apps[0]!.provider, apps[0]!.baseScopes, apps[0]!.name], ['gmail', 'api', 'tokentray (Gmail API)']);
    assert.equal(apps[0]!.clientId, idp.clientId);
    const account = ee.accounts.get('mail')!;
    assert.deepEqual(account.oauth2, { provider: apps[0]!.id, useAuthServer: true, auth: { user: ANN } });
    assert.equal(account.imap, false);
    assert.equal(account.smtp, false);
    assert.equal(account.state, 'connected', JSON.stringify(account.lastError));
    assert.deepEqual(ee.authCalls.map((call) => [call.account, call.proto, call.status]), [['mail', 'api', 200]]);
    assert.deepEqual(verified, [{ user: ANN, proto: 'api', ok: true }], 'the token EmailEngine got is a Gmail API token for ann');

    const both = JSON.parse((await cli(['emailengine', 'status', '--json'])).stdout) as { accounts: Array<{ id: string; emailengine: { state: string | null; managed: boolean } | null }> };
    const side = both.accounts.find((entry) => entry.id === 'mail')?.emailengine;
    assert.deepEqual([side?.state, side?.managed], ['connected', true], 'tokentray sees EmailEngine connected to the account it registered');
    const status = await cli(['status']);
    assert.match(status.stdout, /^mail \(ann@gmail\.com, Google gmail-api\): valid for \d+ min$/m);
    assert.match(status.stdout, /last EmailEngine request: \S+ proto=api ok/);
  });

  it('registers a gmail account on Gmail\'s IMAP and SMTP hosts (proto=imap), reusing nothing it does not need', async () => {
    const added = await signIn(['ben', '--provider', 'google', '--email', BEN], BEN);
    assert.equal(added.code, 0, added.stderr);
    await ee.settle();
    const account = ee.accounts.get('ben')!;
    assert.deepEqual(account.imap, { useAuthServer: true, host: 'imap.gmail.com', port: 993, secure: true });
    assert.deepEqual(account.smtp, { useAuthServer: true, host: 'smtp.gmail.com', port: 465, secure: true });
    assert.equal(account.oauth2, undefined);
    assert.equal(account.state, 'connected', JSON.stringify(account.lastError));
    assert.deepEqual(ee.authCalls.filter((call) => call.account === 'ben').map((call) => [call.proto, call.status]), [['imap', 200]]);
    assert.equal(ee.apps.size, 1, 'an IMAP account needs no OAuth2 app');
  });

  it('asks EmailEngine to reconnect after a new sign-in, reuses the app for a second gmail-api account, and removes them', async () => {
    const again = await signIn(['mail'], ANN);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /EmailEngine: asked to reconnect the account now/);
    await ee.settle();
    assert.deepEqual(ee.authCalls.filter((call) => call.account === 'mail').map((call) => [call.proto, call.status]), [['api', 200], ['api', 200]]);

    const second = await signIn(['ben-api', '--profile', 'gmail-api', '--email', BEN], BEN);
    assert.equal(second.code, 0, second.stderr);
    await ee.settle();
    assert.equal(ee.apps.size, 1, 'one Gmail API app serves every gmail-api account');
    assert.equal(ee.accounts.get('ben-api')!.state, 'connected', JSON.stringify(ee.accounts.get('ben-api')!.lastError));
    assert.ok(verified.every((entry) => entry.ok), JSON.stringify(verified));

    const kept = await cli(['account', 'remove', 'mail', '--keep-in-emailengine']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.ok(ee.accounts.has('mail'));
    const listed = await cli(['emailengine', 'status']);
    assert.match(listed.stdout, /mail: in EmailEngine, not connected here \(connected\); connect it with `tokentray account add mail --profile gmail-api`/);

    const removed = await cli(['account', 'remove', 'ben-api']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Removed ben-api from tokentray and from EmailEngine/);
    assert.ok(!ee.accounts.has('ben-api'));
  });
});
