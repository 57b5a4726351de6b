import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmailEngineLink } from '../../../src/core/emailengine/emailengine-link.js';
import type { RegistrationInput } from '../../../src/core/emailengine/account-registration.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import { DEFAULT_SETTINGS } from '../../../src/core/storage/settings.js';
import { Vault } from '../../../src/core/storage/vault.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { InMemorySecretStore } from '../../fakes/in-memory-secret-store.js';
import { startFakeEmailEngine, type FakeEmailEngine } from '../../support/emailengine/fake-emailengine.js';

/** A stand-in auth server: answers each account with the status the test sets (200 by default). */
async function startStubAuthServer(): Promise<{ url: string; statusFor: Map<string, number>; close(): Promise<void> }> {
  const statusFor = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const account = new URL(req.url ?? '/', 'http://x').searchParams.get('account') ?? '';
    const status = statusFor.get(account) ?? 200;
    if (status === 200) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: `${account}@contoso.com`, accessToken: 'at' }));
    } else {
      res.writeHead(status, 'Sign in to tokentray again').end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://emailengine:s3cret@127.0.0.1:${port}/authentication`, statusFor, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const failsWith = (code: string, pattern?: RegExp) => (error: unknown): boolean => {
  assert.ok(error instanceof TokentrayError, String(error));
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  return true;
};

describe('EmailEngineLink against an EmailEngine-shaped server', () => {
  let ee: FakeEmailEngine;
  let auth: Awaited<ReturnType<typeof startStubAuthServer>>;
  let dir: string;
  let vault: Vault;
  let accounts: RegistrationInput[];
  let ourUrl: string;
  let link: EmailEngineLink;
  let token: string;

  beforeEach(async () => {
    ee = await startFakeEmailEngine();
    token = ee.issueToken();
    auth = await startStubAuthServer();
    ourUrl = auth.url;
    dir = await mkdtemp(join(tmpdir(), 'tokentray-ee-link-'));
    vault = await Vault.open(join(dir, 'vault.bin'), new InMemorySecretStore());
    accounts = [];
    link = new EmailEngineLink({
      vault,
      serverUrl: async () => ourUrl,
      settings: () => ({ ...DEFAULT_SETTINGS, clientId: '11111111-2222-3333-4444-555555555555' }),
      accounts: () => accounts,
      logger: silentLogger,
      onChange: () => undefined,
    });
  });
  afterEach(async () => {
    link.stopPolling();
    await ee.close();
    await auth.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sales: RegistrationInput = { id: 'sales', profile: 'outlook', username: 'sales@contoso.com', user: 'sales@contoso.com', cloud: 'global' };

  it('runs every preflight check and reports each failure with its own code', async () => {
    const report = await link.check({ url: ee.url, token });
    assert.deepEqual(report.checks.map((check) => [check.id, check.outcome]), [['reachable', 'ok'], ['token', 'ok'], ['version', 'ok'], ['license', 'ok'], ['auth-server', 'ok']]);
    assert.deepEqual(report.authServer, { kind: 'unset' });

    const narrowed = await link.check({ url: ee.url, token: ee.issueToken({ scopes: ['api'] }) });
    assert.deepEqual(narrowed.checks.map((check) => [check.id, check.outcome, check.code]).slice(0, 3), [['reachable', 'ok', null], ['token', 'fail', 'EMAILENGINE_TOKEN_NARROWED'], ['version', 'skipped', null]]);
    assert.equal(narrowed.ok, false);

    ee.licensed = false;
    const unlicensed = await link.check({ url: ee.url, token });
    assert.equal(unlicensed.checks.find((check) => check.id === 'license')?.code, 'EMAILENGINE_UNLICENSED');
    assert.equal(unlicensed.ok, true, 'a warning, not a failure');

    await assert.rejects(link.check({ url: 'http://user:pw@127.0.0.1:1/', token }), failsWith('EMAILENGINE_URL_INVALID'));
    await assert.rejects(link.check({ url: ee.url, token: 'two words' }), failsWith('EMAILENGINE_TOKEN_INVALID'));
  });

  it('connects: sets authServer, reads it back, stores the link in the vault and registers the accounts', async () => {
    accounts = [sales];
    const result = await link.connect({ url: `${ee.url}/v1/`, token });
    assert.equal(result.authServer, 'set');
    assert.deepEqual(result.registered, ['sales']);
    assert.equal(ee.settings.authServer, ourUrl);
    assert.equal(vault.document.emailEngine?.url, ee.url, 'the base URL, /v1 removed');
    assert.equal(vault.document.emailEngine?.token, token);
    assert.deepEqual(vault.document.emailEngine?.managed, ['sales']);
    await ee.settle();
    assert.equal(ee.accounts.get('sales')?.state, 'connected');
    await link.refresh();
    assert.equal(link.viewFor('sales')?.state, 'connected');
    assert.equal(link.viewFor('sales')?.managed, true);

    // Connecting again is harmless: authServer already points here.
    assert.equal((await link.connect({ url: ee.url, token })).authServer, 'unchanged');
  });

  it('leaves an authServer that points elsewhere unless told to replace it', async () => {
    ee.settings.authServer = 'http://someone:else@192.0.2.1:9000/auth';
    await assert.rejects(link.connect({ url: ee.url, token }), failsWith('EMAILENGINE_AUTH_SERVER_ELSEWHERE', /192\.0\.2\.1:9000\/auth/));
    assert.equal(ee.settings.authServer, 'http://someone:else@192.0.2.1:9000/auth');
    assert.equal(vault.document.emailEngine ?? null, null, 'nothing stored');
    assert.equal((await link.connect({ url: ee.url, token, replace: true })).authServer, 'replaced');
    assert.equal(ee.settings.authServer, ourUrl);
  });

  it('follows a rotated secret, but not an authServer someone else has since changed', async () => {
    await link.connect({ url: ee.url, token });
    ourUrl = ourUrl.replace('s3cret', 'n3w-secret');
    assert.equal(await link.syncAuthServer(), 'updated');
    assert.equal(ee.settings.authServer, ourUrl);
    assert.equal(await link.syncAuthServer(), 'unchanged');
    ee.settings.authServer = 'http://x:y@192.0.2.7:1/auth';
    ourUrl = ourUrl.replace('n3w-secret', 'third');
    assert.equal(await link.syncAuthServer(), 'elsewhere');
    assert.equal(ee.settings.authServer, 'http://x:y@192.0.2.7:1/auth');
    assert.equal(link.status().error?.code, 'EMAILENGINE_AUTH_SERVER_ELSEWHERE');
  });

  it('refuses to overwrite an account tokentray did not create, unless confirmed, and takes over an identical one', async () => {
    await link.connect({ url: ee.url, token });
    ee.accounts.set('sales', { account: 'sales', imap: { host: 'imap.example.com', port: 143, secure: false, auth: { user: 'x', pass: '******' } }, smtp: false, state: 'connected', lastError: null });
    const preview = await link.preview(sales);
    assert.equal(preview.needsConfirmation, true);
    assert.ok(preview.changes.some((change) => change.field === 'imap.host' && change.from === 'imap.example.com' && change.to === 'outlook.office365.com'));
    await assert.rejects(link.register(sales, { overwrite: false }), failsWith('EMAILENGINE_ACCOUNT_CONFLICT', /imap\.port: 143 → 993/));
    assert.equal((ee.accounts.get('sales')?.imap as { host: string }).host, 'imap.example.com');
    assert.deepEqual(await link.register(sales, { overwrite: true }), { kind: 'registered', created: false });
    assert.equal((ee.accounts.get('sales')?.imap as { host: string }).host, 'outlook.office365.com');

    const twin: RegistrationInput = { ...sales, id: 'twin' };
    ee.accounts.set('twin', { account: 'twin', imap: { useAuthServer: true, host: 'outlook.office365.com', port: 993, secure: true }, smtp: { useAuthServer: true, host: 'smtp.office365.com', port: 587, secure: false }, state: 'connected', lastError: null });
    assert.equal((await link.preview(twin)).needsConfirmation, false);
    assert.deepEqual(await link.register(twin, { overwrite: false }), { kind: 'registered', created: false });
  });

  it('registers Graph accounts with one EmailEngine OAuth2 app of base scope api, reused', async () => {
    await link.connect({ url: ee.url, token });
    const graphA: RegistrationInput = { id: 'a', profile: 'graph', username: 'a@contoso.com', user: 'a@contoso.com', cloud: 'global' };
    const graphB: RegistrationInput = { ...graphA, id: 'b', username: 'b@contoso.com', user: 'b@contoso.com' };
    assert.deepEqual(await link.register(graphA, { overwrite: false }), { kind: 'registered', created: true });
    assert.deepEqual(await link.register(graphB, { overwrite: false }), { kind: 'registered', created: true });
    assert.equal(ee.apps.size, 1);
    const app = [...ee.apps.values()][0]!;
    assert.equal(app.baseScopes, 'api');
    assert.equal(vault.document.emailEngine?.graphAppId, app.id);
    await ee.settle();
    assert.deepEqual(ee.authCalls.map((call) => [call.account, call.proto]), [['a', 'api'], ['b', 'api']]);
    assert.equal(ee.accounts.get('b')?.state, 'connected');
  });

  it('gives a Graph account of another cloud an app of that cloud, and keeps the worldwide app for the worldwide accounts', async () => {
    await link.connect({ url: ee.url, token });
    const worldwide: RegistrationInput = { id: 'world', profile: 'graph', username: 'a@contoso.com', user: 'a@contoso.com', cloud: 'global' };
    const gov: RegistrationInput = { id: 'gov', profile: 'graph', username: 'g@contoso.us', user: 'g@contoso.us', cloud: 'gcc-high' };
    await link.register(worldwide, { overwrite: false });
    const worldApp = vault.document.emailEngine?.graphAppId;
    assert.ok(worldApp);
    // The cloud setting changes and an account signs in there: the remembered app is the worldwide one.
    await link.register(gov, { overwrite: false });
    assert.equal(ee.apps.size, 2, 'a second app, for GCC High');
    const govApp = (ee.accounts.get('gov')?.oauth2 as { provider: string }).provider;
    assert.notEqual(govApp, worldApp);
    assert.equal(ee.apps.get(govApp)?.cloud, 'gcc-high');
    assert.equal(ee.apps.get(govApp)?.name, 'tokentray (Microsoft Graph, gcc-high)');
    assert.equal((ee.accounts.get('world')?.oauth2 as { provider: string }).provider, worldApp, 'the worldwide account stays on its own app');
    assert.equal(ee.apps.get(worldApp)?.cloud ?? 'global', 'global');
    // Each cloud's app is found again by name and cloud, not made twice.
    await link.register({ ...gov, id: 'gov2', username: 'h@contoso.us', user: 'h@contoso.us' }, { overwrite: false });
    await link.register({ ...worldwide, id: 'world2', username: 'b@contoso.com', user: 'b@contoso.com' }, { overwrite: false });
    assert.equal(ee.apps.size, 2);
    assert.equal((ee.accounts.get('gov2')?.oauth2 as { provider: string }).provider, govApp);
    assert.equal((ee.accounts.get('world2')?.oauth2 as { provider: string }).provider, worldApp);
  });

  it('registers Gmail API accounts with one "gmail" app of base scope api, apart from the Graph app, asked with proto=api', async () => {
    await link.connect({ url: ee.url, token });
    const ann: RegistrationInput = { id: 'ann', profile: 'gmail-api', provider: 'google', username: 'ann@gmail.com', user: 'ann@gmail.com', cloud: 'global' };
    const bob: RegistrationInput = { ...ann, id: 'bob', username: 'bob@gmail.com', user: 'bob@gmail.com' };
    const graph: RegistrationInput = { id: 'sales', profile: 'graph', username: 'sales@contoso.com', user: 'sales@contoso.com', cloud: 'global' };
    assert.deepEqual(await link.register(ann, { overwrite: false }), { kind: 'registered', created: true });
    assert.deepEqual(await link.register(bob, { overwrite: false }), { kind: 'registered', created: true });
    assert.deepEqual(await link.register(graph, { overwrite: false }), { kind: 'registered', created: true });
    const apps = [...ee.apps.values()];
    assert.deepEqual(apps.map((app) => [app.provider, app.baseScopes]).sort(), [['gmail', 'api'], ['outlook', 'api']]);
    const gmailApp = apps.find((app) => app.provider === 'gmail')!;
    assert.equal(vault.document.emailEngine?.gmailApiAppId, gmailApp.id);
    assert.notEqual(vault.document.emailEngine?.graphAppId, gmailApp.id);
    assert.deepEqual(ee.accounts.get('ann')?.oauth2, { provider: gmailApp.id, useAuthServer: true, auth: { user: 'ann@gmail.com' } });
    assert.equal(ee.accounts.get('ann')?.imap, false);
    await ee.settle();
    assert.deepEqual(ee.authCalls.map((call) => [call.account, call.proto, call.status]), [['ann', 'api', 200], ['bob', 'api', 200], ['sales', 'api', 200]]);
    assert.equal(ee.accounts.get('ann')?.state, 'connected');

    // Managed and unchanged: nothing to confirm; after a new sign-in EmailEngine is asked to reconnect.
    assert.deepEqual(await link.preview(ann), { id: 'ann', exists: true, managed: true, changes: [], needsConfirmation: false });
    assert.deepEqual(await link.afterSignIn(ann, { overwrite: false }), { kind: 'reconnected' });
    await ee.settle();
    assert.equal(ee.authCalls.filter((call) => call.account === 'ann').length, 2);

    // Removed from tokentray but kept in EmailEngine: listed as a Gmail API account to connect again.
    accounts = [bob, graph];
    assert.deepEqual(await link.remove('ann', true), { kind: 'kept' });
    assert.deepEqual((await link.orphans()).map((orphan) => [orphan.id, orphan.profile]), [['ann', 'gmail-api']]);
    assert.deepEqual(await link.remove('bob', false), { kind: 'removed' });
    assert.ok(!ee.accounts.has('bob'));

    // The app deleted in EmailEngine: the next registration makes a new one and remembers it.
    ee.apps.delete(gmailApp.id);
    const carl: RegistrationInput = { ...ann, id: 'carl', username: 'carl@gmail.com', user: 'carl@gmail.com' };
    assert.deepEqual(await link.register(carl, { overwrite: false }), { kind: 'registered', created: true });
    const recreated = vault.document.emailEngine?.gmailApiAppId;
    assert.ok(recreated && recreated !== gmailApp.id && ee.apps.get(recreated)?.provider === 'gmail');
  });

  it('stands in for EmailEngine faithfully: refuses a gmail app without a secret, and a Gmail app without credentials cannot start', async () => {
    await link.connect({ url: ee.url, token });
    const post = (body: unknown) => fetch(`${ee.url}/v1/oauth2`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refused = await post({ name: 'x', provider: 'gmail', baseScopes: 'api', clientId: 'c', redirectUrl: 'http://127.0.0.1/', authority: 'common' });
    assert.equal(refused.status, 400);
    const fields = ((await refused.json()) as { fields: Array<{ key: string }> }).fields.map((field) => field.key).sort();
    assert.deepEqual(fields, ['authority', 'clientSecret']);
    // Stored some other way (an older EmailEngine, an edited app): the Gmail client fails before asking the auth server.
    ee.apps.set('BARE', { id: 'BARE', name: 'bare', provider: 'gmail', baseScopes: 'api', clientId: '', enabled: true });
    ee.accounts.set('bare', { account: 'bare', imap: false, smtp: false, oauth2: { provider: 'BARE', useAuthServer: true, auth: { user: 'bare@gmail.com' } }, state: 'init', lastError: null });
    await link.afterSignIn({ id: 'bare', profile: 'gmail-api', provider: 'google', username: 'bare@gmail.com', user: 'bare@gmail.com', cloud: 'global' }, { overwrite: false });
    await ee.settle();
    assert.equal(ee.accounts.get('bare')?.state, 'connectError');
    assert.equal(ee.accounts.get('bare')?.lastError?.response, 'OAuth2 credentials not set up for Gmail');
    assert.deepEqual(ee.authCalls, []);
  });

  it("keeps a Gmail API account on the Gmail API app it names, and asks before moving one off an IMAP app", async () => {
    await link.connect({ url: ee.url, token });
    const app = (id: string, baseScopes: string) => ({ id, name: `Production Gmail ${baseScopes}`, provider: 'gmail', baseScopes, clientId: 'prod.apps.googleusercontent.com', clientSecret: 'real', redirectUrl: 'https://ee.example.com/oauth', enabled: true });
    ee.apps.set('THEIRS', app('THEIRS', 'api'));
    ee.apps.set('THEIRS-IMAP', app('THEIRS-IMAP', 'imap'));
    const oauth2 = (provider: string, user: string) => ({ provider, useAuthServer: true, auth: { user } });
    ee.accounts.set('ann', { account: 'ann', name: 'ann@gmail.com', email: 'ann@gmail.com', imap: false, smtp: false, oauth2: oauth2('THEIRS', 'ann@gmail.com'), state: 'connected', lastError: null });
    const ann: RegistrationInput = { id: 'ann', profile: 'gmail-api', provider: 'google', username: 'ann@gmail.com', user: 'ann@gmail.com', cloud: 'global' };
    // Their app may carry a Pub/Sub link: the account stays on it, so nothing changes.
    assert.deepEqual(await link.preview(ann), { id: 'ann', exists: true, managed: false, changes: [], needsConfirmation: false });
    assert.deepEqual(await link.register(ann, { overwrite: false }), { kind: 'registered', created: false });
    assert.equal((ee.accounts.get('ann')?.oauth2 as { provider: string }).provider, 'THEIRS');
    assert.equal(ee.apps.size, 2, 'no app of our own was needed');
    await ee.settle();
    assert.deepEqual(ee.authCalls.map((call) => [call.account, call.proto]), [['ann', 'api']]);

    // On an IMAP app EmailEngine would log in to IMAP: moving it to a Gmail API app needs a yes.
    ee.accounts.set('zed', { account: 'zed', imap: false, smtp: false, oauth2: oauth2('THEIRS-IMAP', 'zed@gmail.com'), state: 'connected', lastError: null });
    const zed: RegistrationInput = { ...ann, id: 'zed', username: 'zed@gmail.com', user: 'zed@gmail.com' };
    await assert.rejects(link.register(zed, { overwrite: false }), failsWith('EMAILENGINE_ACCOUNT_CONFLICT', /oauth2\.provider: THEIRS-IMAP → tokentray-gmail-api-app/));
    assert.deepEqual(await link.register(zed, { overwrite: true }), { kind: 'registered', created: false });
    const ours = vault.document.emailEngine?.gmailApiAppId;
    assert.ok(ours && ee.apps.get(ours)?.name === 'tokentray (Gmail API)');
    assert.equal((ee.accounts.get('zed')?.oauth2 as { provider: string }).provider, ours);
  });

  it('keeps an unmanaged Graph account on the Graph app it names, and asks before moving one off an IMAP app or another cloud\'s app', async () => {
    await link.connect({ url: ee.url, token });
    const app = (id: string, baseScopes: string, cloud?: string) => ({
      id, name: `Production Graph ${id}`, provider: 'outlook', baseScopes, clientId: '99999999-2222-3333-4444-555555555555', clientSecret: 'real', redirectUrl: 'https://ee.example.com/oauth', enabled: true, ...(cloud ? { cloud } : {}),
    });
    ee.apps.set('THEIRS', app('THEIRS', 'api'));
    ee.apps.set('THEIRS-IMAP', app('THEIRS-IMAP', 'imap', 'global'));
    ee.apps.set('THEIRS-GOV', app('THEIRS-GOV', 'api', 'gcc-high'));
    const oauth2 = (provider: string, user: string) => ({ provider, useAuthServer: true, auth: { user } });
    const account = (id: string, provider: string) => ({ account: id, name: `${id}@contoso.com`, email: `${id}@contoso.com`, imap: false as const, smtp: false as const, oauth2: oauth2(provider, `${id}@contoso.com`), state: 'connected' as const, lastError: null });
    const graph = (id: string): RegistrationInput => ({ id, profile: 'graph', username: `${id}@contoso.com`, user: `${id}@contoso.com`, cloud: 'global' });

    // Their Graph app (tokentray has none of its own yet): the account stays on it, nothing to confirm.
    ee.accounts.set('sales', account('sales', 'THEIRS'));
    assert.deepEqual(await link.preview(graph('sales')), { id: 'sales', exists: true, managed: false, changes: [], needsConfirmation: false });
    assert.deepEqual(await link.register(graph('sales'), { overwrite: false }), { kind: 'registered', created: false });
    assert.equal((ee.accounts.get('sales')?.oauth2 as { provider: string }).provider, 'THEIRS');
    assert.equal(ee.apps.size, 3, 'no app of our own was needed');
    assert.equal(vault.document.emailEngine?.graphAppId, null);
    await ee.settle();
    assert.deepEqual(ee.authCalls.map((call) => [call.account, call.proto]), [['sales', 'api']]);

    // On an IMAP app EmailEngine would log in to IMAP: moving it to a Graph app needs a yes.
    ee.accounts.set('imap', account('imap', 'THEIRS-IMAP'));
    await assert.rejects(link.register(graph('imap'), { overwrite: false }), failsWith('EMAILENGINE_ACCOUNT_CONFLICT', /oauth2\.provider: THEIRS-IMAP → tokentray-graph-app/));
    assert.equal((ee.accounts.get('imap')?.oauth2 as { provider: string }).provider, 'THEIRS-IMAP', 'unchanged without the yes');
    assert.equal(vault.document.emailEngine?.graphAppId, null, 'no app created without the yes');

    // Another cloud's Graph app would send our tokens to that cloud's Graph: also a change to confirm.
    ee.accounts.set('gov', account('gov', 'THEIRS-GOV'));
    assert.equal((await link.preview(graph('gov'))).needsConfirmation, true);
    await assert.rejects(link.register(graph('gov'), { overwrite: false }), failsWith('EMAILENGINE_ACCOUNT_CONFLICT', /oauth2\.provider: THEIRS-GOV → tokentray-graph-app/));
    assert.deepEqual(await link.register(graph('gov'), { overwrite: true }), { kind: 'registered', created: false });
    const ours = vault.document.emailEngine?.graphAppId;
    assert.ok(ours && ee.apps.get(ours)?.name === 'tokentray (Microsoft Graph)');
    assert.equal((ee.accounts.get('gov')?.oauth2 as { provider: string }).provider, ours);

    // Once ours exists, an unmanaged account on their Graph app still stays there.
    ee.accounts.set('hr', account('hr', 'THEIRS'));
    assert.deepEqual((await link.preview(graph('hr'))).changes, []);
    assert.deepEqual(await link.register(graph('hr'), { overwrite: false }), { kind: 'registered', created: false });
    assert.equal((ee.accounts.get('hr')?.oauth2 as { provider: string }).provider, 'THEIRS');
  });

  it('shows a refused login as authenticationError with EmailEngine\'s text, and a reconnect after sign-in clears it', async () => {
    accounts = [sales];
    await link.connect({ url: ee.url, token });
    await ee.settle();
    auth.statusFor.set('sales', 409);
    await ee.dropConnection('sales');
    await link.refresh();
    assert.equal(link.viewFor('sales')?.state, 'authenticationError');
    assert.equal(link.viewFor('sales')?.lastError?.response, 'Invalid response: 409 Sign in to tokentray again');
    auth.statusFor.delete('sales');
    assert.deepEqual(await link.afterSignIn(sales, { overwrite: false }), { kind: 'reconnected' });
    await ee.settle();
    await link.refresh();
    assert.equal(link.viewFor('sales')?.state, 'connected');
  });

  it('removes accounts from EmailEngine unless kept, lists the ones not connected here, and reports EmailEngine down', async () => {
    accounts = [sales, { ...sales, id: 'kept' }];
    await link.connect({ url: ee.url, token });
    assert.deepEqual(await link.remove('sales', false), { kind: 'removed' });
    assert.ok(!ee.accounts.has('sales'));
    assert.deepEqual(await link.remove('sales', false), { kind: 'not-registered' });
    accounts = [];
    assert.deepEqual(await link.remove('kept', true), { kind: 'kept' });
    assert.deepEqual((await link.orphans()).map((orphan) => [orphan.id, orphan.profile]), [['kept', 'outlook']]);

    await ee.close();
    accounts = [sales];
    await link.refresh();
    assert.equal(link.status().error?.code, 'EMAILENGINE_UNREACHABLE');
    const removal = await link.remove('sales', false);
    assert.equal(removal.kind, 'failed');
    // Before a sign-in, an EmailEngine that is down does not block it; the registration reports.
    await link.assertMayRegister(sales, false, { lenient: true });
    await assert.rejects(link.assertMayRegister(sales, false), failsWith('EMAILENGINE_UNREACHABLE'));
    assert.equal((await link.register(sales, { overwrite: false })).kind, 'failed');
  });
});
