/**
 * Per-provider setup in the real window (Chromium, fake core): Settings → Google sign-in with
 * its guide, client ID and write-only client secret, and Connect's "set up first" note for the
 * provider chosen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GMAIL_API_SCOPE, GMAIL_SCOPE } from '../../src/shared/google-scope-names.js';
import { FakeTokentrayApi, fakeAccount } from '../fakes/fake-tokentray-api.js';
import { windowTests } from './window-harness.js';

const GOOGLE_CLIENT_ID = '1234567890-abcdefghijklmnop.apps.googleusercontent.com';
const GOOGLE_SECRET = 'GOCSPX-window-test-secret-0123456789';

const open = windowTests();

describe('Settings → Google sign-in (real renderer in Chromium)', () => {
  it('saves the client ID as a setting and the secret only through the secret channel, then forgets it', async () => {
    const api = new FakeTokentrayApi();
    const { page, calls, screenshot } = await open(api, { view: 'settings' });
    const card = page.locator('#google-card');
    await card.scrollIntoViewIfNeeded();
    assert.match(await card.locator('#google-state').innerText(), /Not set up yet: Gmail sign-in needs the client ID and the client secret/);
    assert.equal(await card.locator('#google-client-secret-state').innerText(), 'Not set.');
    assert.equal(await page.getByRole('button', { name: 'Clear secret…' }).isVisible(), false, 'nothing to clear yet');

    await page.getByLabel('Google client ID').fill(GOOGLE_CLIENT_ID);
    const secret = page.getByLabel('Google client secret');
    assert.equal(await secret.getAttribute('type'), 'password');
    await secret.fill(GOOGLE_SECRET);
    await page.getByRole('button', { name: 'Save Google settings' }).click();
    await page.getByText('Google settings saved; the client secret is in the vault.').waitFor();

    assert.equal(api.settings['google.clientId'], GOOGLE_CLIENT_ID);
    assert.equal(api.googleSecretSet, true);
    const secretCalls = calls.filter((call) => call.method === 'setClientSecret');
    assert.deepEqual(secretCalls, [{ method: 'setClientSecret', args: ['google', GOOGLE_SECRET] }], 'one call on the secret channel');
    assert.ok(!calls.some((call) => call.method !== 'setClientSecret' && JSON.stringify(call.args).includes(GOOGLE_SECRET)), 'the secret went nowhere else');
    assert.equal(await secret.inputValue(), '', 'the field is emptied after saving');
    assert.ok(!(await page.content()).includes(GOOGLE_SECRET), 'the secret is nowhere in the page');
    await card.getByText('Set: a client secret is in the vault.').waitFor();
    assert.equal(await card.locator('#google-state').innerText(), 'Ready: Gmail accounts can connect.');
    await page.waitForFunction(() => !document.getElementById('toast')?.classList.contains('visible'), undefined, { timeout: 6000 });
    await screenshot('settings-google-light');

    // Clearing asks first, then removes it (null on the same channel).
    await page.getByRole('button', { name: 'Clear secret…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(api.googleSecretSet, true);
    await page.getByRole('button', { name: 'Clear secret…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear secret' }).click();
    await card.getByText('Not set.', { exact: true }).waitFor();
    assert.equal(api.googleSecretSet, false);
    assert.deepEqual(calls.filter((call) => call.method === 'setClientSecret').at(-1)?.args, ['google', null]);
    assert.match(await card.locator('#google-state').innerText(), /needs the client secret\.$/);
  });

  it('names a bad client ID or secret beside its field, and still empties the secret field', async () => {
    const api = new FakeTokentrayApi();
    const { page } = await open(api, { view: 'settings' });
    await page.getByLabel('Google client ID').fill('not-a-google-client');
    await page.getByRole('button', { name: 'Save Google settings' }).click();
    const idError = page.locator('#setting-google-clientId-error');
    await idError.waitFor();
    assert.match(await idError.innerText(), /google\.clientId/);
    assert.equal(await page.getByLabel('Google client ID').getAttribute('aria-invalid'), 'true');
    assert.equal(api.settings['google.clientId'], null);

    await page.getByLabel('Google client ID').fill(GOOGLE_CLIENT_ID);
    await page.getByLabel('Google client secret').fill('short');
    await page.getByRole('button', { name: 'Save Google settings' }).click();
    const secretError = page.locator('#google-client-secret-error');
    await secretError.waitFor();
    assert.match(await secretError.innerText(), /does not look like a Google OAuth client secret/);
    assert.equal(await page.getByLabel('Google client secret').inputValue(), '');
    assert.equal(api.googleSecretSet, false);
    assert.equal(api.settings['google.clientId'], GOOGLE_CLIENT_ID, 'the valid client id was kept');
  });

  it('notes a client ID set by TOKENTRAY_GOOGLE_CLIENT_ID beside its field', async () => {
    const api = new FakeTokentrayApi({ settings: { 'google.clientId': GOOGLE_CLIENT_ID } });
    const { page } = await open(api, { view: 'settings', overriddenSettings: ['google.clientId'] });
    const note = page.locator('#setting-google-clientId-note');
    await note.waitFor();
    assert.match(await note.innerText(), /TOKENTRAY_GOOGLE_CLIENT_ID: that value is in use/);
    assert.equal(await page.getByLabel('Google client ID').inputValue(), GOOGLE_CLIENT_ID);
    assert.match((await page.getByLabel('Google client ID').getAttribute('aria-describedby')) ?? '', /setting-google-clientId-note/);
  });

  it('has a Google setup guide with the consent screen, the Desktop client, the exact scopes and Testing vs In production', async () => {
    const api = new FakeTokentrayApi();
    const { page, copied, openedUrls } = await open(api, { view: 'settings' });
    const guide = page.locator('#guide-google');
    await guide.locator('summary').click();
    const text = await guide.innerText();
    for (const value of ['OAuth consent screen', 'Desktop app', 'Test users', 'expire after 7 days', 'In production', GMAIL_SCOPE, GMAIL_API_SCOPE, 'openid', 'email']) {
      assert.ok(text.includes(value), value);
    }
    await page.getByRole('button', { name: `Copy ${GMAIL_SCOPE}` }).click();
    await page.getByRole('button', { name: `Copy ${GMAIL_API_SCOPE}` }).click();
    assert.deepEqual(copied, [GMAIL_SCOPE, GMAIL_API_SCOPE]);
    await page.getByRole('button', { name: 'Google Cloud credentials' }).click();
    await page.waitForFunction(() => true);
    assert.deepEqual(openedUrls, ['https://console.cloud.google.com/apis/credentials']);
  });
});

describe('Connect: set up the chosen provider first (real renderer in Chromium)', () => {
  it('Google without client ID and secret: the note names both, Connect is disabled, the button leads to the Google section', async () => {
    const api = new FakeTokentrayApi();
    const { page, calls, screenshot } = await open(api, { view: 'connect' });
    const note = page.locator('#connect-setup');
    assert.equal(await note.isVisible(), false, 'Microsoft is set up');
    assert.equal(await page.getByRole('button', { name: 'Sign in with Microsoft' }).isEnabled(), true);

    await page.getByLabel('Account id').fill('gmail');
    await page.locator('input[name="provider"][value="google"]').check();
    await note.waitFor();
    assert.match(await note.innerText(), /Set up Google sign-in first/);
    assert.match(await note.innerText(), /client ID and the client secret of your Google Cloud "Desktop app" client\. Not set yet: the client ID and the client secret\./);
    const submit = page.getByRole('button', { name: 'Sign in with Google' });
    assert.equal(await submit.isDisabled(), true);
    assert.equal(await submit.getAttribute('aria-describedby'), 'connect-setup');
    await page.getByLabel('Account id').press('Enter');
    await screenshot('connect-google-setup-first-light');
    assert.equal(calls.filter((call) => call.method === 'connectAccount').length, 0, 'Enter does not submit either');

    await page.getByRole('button', { name: 'Open Settings → Google sign-in' }).click();
    assert.equal(await page.locator('#panel-settings').isVisible(), true);
    assert.equal(await page.locator('#guide-google').getAttribute('open'), '', 'the Google guide is opened');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'setting-google-clientId', 'focus is on the first missing value');

    // Only the secret missing: the note says so and the pointer lands on the secret field.
    await page.getByLabel('Google client ID').fill(GOOGLE_CLIENT_ID);
    await page.getByRole('button', { name: 'Save Google settings' }).click();
    await page.getByText('Google settings saved.').waitFor();
    await page.getByRole('tab', { name: 'Connect' }).click();
    assert.match(await note.innerText(), /Not set yet: the client secret\./);
    await page.getByRole('button', { name: 'Open Settings → Google sign-in' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'google-client-secret');
    await page.keyboard.type(GOOGLE_SECRET);
    await page.keyboard.press('Enter');
    await page.getByText('Set: a client secret is in the vault.').waitFor();
    await page.getByRole('tab', { name: 'Connect' }).click();
    await note.waitFor({ state: 'hidden' });
    assert.equal(await submit.isEnabled(), true);
  });

  it('Microsoft without a client ID: the note points to its section while Google, set up, may connect', async () => {
    const api = new FakeTokentrayApi({ settings: { clientId: null, 'google.clientId': GOOGLE_CLIENT_ID } });
    await api.setClientSecret('google', GOOGLE_SECRET);
    api.addAccount(fakeAccount('old-gmail', { provider: 'google', profile: 'gmail', email: 'old@gmail.test' }));
    const { page } = await open(api, { view: 'connect' });
    const note = page.locator('#connect-setup');
    await note.waitFor();
    assert.match(await note.innerText(), /Set up Microsoft sign-in first/);
    assert.match(await note.innerText(), /client ID of your Azure app registration/);
    assert.equal(await page.getByRole('button', { name: 'Sign in with Microsoft' }).isDisabled(), true);
    await page.locator('input[name="provider"][value="google"]').check();
    await note.waitFor({ state: 'hidden' });
    assert.equal(await page.getByRole('button', { name: 'Sign in with Google' }).isEnabled(), true);
    await page.locator('input[name="provider"][value="microsoft"]').check();
    await page.getByRole('button', { name: 'Open Settings → Microsoft sign-in' }).click();
    assert.equal(await page.locator('#guide-microsoft').getAttribute('open'), '');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'First step: register tokentray in Azure');
    await page.getByRole('tab', { name: 'Accounts' }).click();
    assert.equal(await page.getByText('Finish the setup first').isVisible(), false, 'Google is set up: the accounts view does not nag');
  });
});
