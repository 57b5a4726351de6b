/**
 * The window's EmailEngine side in real Chromium (fake core): the Settings → EmailEngine
 * panel (preflight findings with their fixes, the replace-authServer confirmation, connect,
 * accounts in EmailEngine not connected here), and each account card's EmailEngine state
 * with the mismatch hint.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_HINTS } from '../../src/shared/error-codes.js';
import type { AccountEmailEngineView, EmailEnginePreflight } from '../../src/shared/emailengine.js';
import { FakeTokentrayApi, fakeAccount } from '../fakes/fake-tokentray-api.js';
import { windowTests } from './window-harness.js';

const TOKEN = 'a'.repeat(64);
const URL_ = 'http://127.0.0.1:3000';
const open = windowTests();

function registered(state: AccountEmailEngineView['state'], response: string | null = null): AccountEmailEngineView {
  return { presence: 'registered', state, lastError: response ? { response, serverResponseCode: null } : null, checkedAt: Date.now(), managed: true, hint: null, error: null };
}

function withPreflight(api: FakeTokentrayApi, change: (preflight: EmailEnginePreflight) => EmailEnginePreflight): void {
  const original = api.preflight.bind(api);
  api.preflight = (url) => change(original(url));
}

describe('window: EmailEngine', () => {
  it('shows each failed preflight check with its fix, and connects nothing', async () => {
    const api = new FakeTokentrayApi();
    withPreflight(api, (preflight) => ({
      ...preflight,
      ok: false,
      checks: preflight.checks.map((check) =>
        check.id === 'token' ? { ...check, outcome: 'fail', message: 'The token is limited to one account.', code: 'EMAILENGINE_TOKEN_NARROWED' } : check.id === 'license' ? { ...check, outcome: 'warn', message: 'EmailEngine is not licensed.', code: 'EMAILENGINE_UNLICENSED' } : check,
      ),
    }));
    const harness = await open(api, { view: 'settings' });
    const { page, calls, screenshot } = harness;
    await page.getByText(/Access tokens and create one with all scopes/).waitFor();
    await page.getByLabel('EmailEngine URL').fill(URL_);
    await page.getByLabel('API token').fill(TOKEN);
    assert.equal(await page.getByLabel('API token').getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Connect EmailEngine' }).click();
    const token = page.locator('#emailengine-preflight li[data-check="token"]');
    await token.getByText('Problem').waitFor();
    assert.match(await token.innerText(), /limited to one account/);
    assert.equal(await token.locator('.check-fix').innerText(), ERROR_HINTS.EMAILENGINE_TOKEN_NARROWED);
    assert.equal(await page.locator('#emailengine-preflight li[data-check="license"] .check-fix').innerText(), ERROR_HINTS.EMAILENGINE_UNLICENSED);
    assert.equal(calls.filter((call) => call.method === 'connectEmailEngine').length, 0, 'a failed preflight connects nothing');
    await screenshot('settings-emailengine-preflight', { tall: true });
  });

  it("asks before replacing an authServer that points elsewhere; Cancel changes nothing, Replace connects and clears the token field", async () => {
    const api = new FakeTokentrayApi({ accounts: [fakeAccount('sales')] });
    withPreflight(api, (preflight) => ({ ...preflight, authServer: { kind: 'other', url: 'http://10.0.0.9:9000/auth' } }));
    const harness = await open(api, { view: 'settings' });
    const { page, calls } = harness;
    await page.getByLabel('EmailEngine URL').fill(URL_);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Connect EmailEngine' }).click();
    const dialog = page.getByRole('dialog', { name: "Replace EmailEngine's authServer?" });
    await dialog.getByText(/points to http:\/\/10\.0\.0\.9:9000\/auth/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText(/Nothing was changed/).waitFor();
    assert.equal(calls.filter((call) => call.method === 'connectEmailEngine').length, 0);

    await page.getByRole('button', { name: 'Connect EmailEngine' }).click();
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await page.locator('#emailengine-outcome').getByText('EmailEngine connected').waitFor();
    const connects = calls.filter((call) => call.method === 'connectEmailEngine');
    assert.equal(connects.length, 1);
    assert.deepEqual(connects[0]!.args, [{ url: URL_, token: TOKEN, replace: true }], 'main received exactly the URL, the typed token and the confirmation');
    assert.equal(await page.getByLabel('API token').inputValue(), '', 'the token is not kept in the window');
    await page.locator('#emailengine-state').getByText(/Connected to http:\/\/127\.0\.0\.1:3000/).waitFor();
    const content = await page.content();
    assert.ok(!content.includes(TOKEN), 'the token is nowhere in the page');
  });

  it("shows EmailEngine's state on each account card, and the mismatch hint when the sides disagree", async () => {
    const api = new FakeTokentrayApi({
      accounts: [
        fakeAccount('sales', { emailengine: registered('authenticationError', 'AUTHENTICATE failed') }),
        fakeAccount('ops', { emailengine: registered('connected') }),
        fakeAccount('plain'),
      ],
    });
    api.emailengine = { ...api.emailengine, connected: true, url: URL_, authServer: { kind: 'this', url: 'http://127.0.0.1:7411/authentication' } };
    const harness = await open(api);
    const { page, screenshot } = harness;
    const sales = page.locator('article[data-account="sales"]');
    await sales.locator('.fact-emailengine').getByText('authenticationError · AUTHENTICATE failed').waitFor();
    const hint = sales.locator('.card-mismatch');
    assert.equal(await hint.locator('.callout-title').innerText(), 'tokentray: valid token · EmailEngine: authenticationError — IMAP disabled for this mailbox?');
    assert.match(await hint.locator('.callout-hint').innerText(), /enable IMAP/);
    const ops = page.locator('article[data-account="ops"]');
    assert.equal(await ops.locator('.fact-emailengine').innerText(), 'connected');
    assert.equal(await ops.locator('.card-mismatch').isVisible(), false, 'no hint when both sides agree');
    assert.equal(await page.locator('article[data-account="plain"] .fact-emailengine').isVisible(), false);
    await screenshot('accounts-emailengine-mismatch');
  });

  it('lists accounts in EmailEngine that are not connected here, with a one-click Connect', async () => {
    const api = new FakeTokentrayApi();
    api.emailengine = { ...api.emailengine, connected: true, url: URL_, authServer: { kind: 'this', url: 'http://127.0.0.1:7411/authentication' } };
    api.orphans = [{ id: 'support@contoso.com', name: 'Support', email: 'support@contoso.com', state: 'authenticationError', profile: 'outlook' }];
    const harness = await open(api, { view: 'settings' });
    const { page, calls } = harness;
    const orphan = page.locator('li[data-orphan="support@contoso.com"]');
    await page.getByRole('heading', { name: 'In EmailEngine, not connected here' }).waitFor();
    assert.match(await orphan.innerText(), /IMAP\/SMTP · EmailEngine: authenticationError/);
    await orphan.getByRole('button', { name: 'Connect support@contoso.com' }).click();
    await page.locator('#panel-accounts').waitFor();
    for (let i = 0; i < 100 && !calls.some((call) => call.method === 'connectAccount'); i += 1) await page.waitForTimeout(20);
    const connect = calls.find((call) => call.method === 'connectAccount');
    assert.deepEqual(connect?.args, [{ id: 'support@contoso.com', email: 'support@contoso.com', profile: 'outlook', sharedMailbox: null }]);
  });
});
